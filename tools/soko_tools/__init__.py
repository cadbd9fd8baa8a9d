"""Command-line tools that are not served: they run on a developer's machine or in CI against the
local runtime or a deployed stack, and never ship inside a Lambda function (``functions/app/`` is
the deployed code). ``admin`` (``make create-admin``), ``wfp`` (the WFP loader), ``synthetic``
(``make generate-data``), ``backtest`` (``make backtest``), ``evaluate_recs`` (``make eval-recs``).
"""
