"""The price layer: price observations, forecasts served from precomputed values, training.

- handlers: ``api/`` (HTTP), ``consumers`` (SQS), ``training`` (Step Functions tasks);
- wiring: ``deps`` (configuration -> data access -> the logic's ports);
- logic: ``logic`` (serving), ``observations`` (orders -> prices), ``trainer`` (training), and the
  pure ``forecasting``, ``series``, ``fallback``, ``markets``, ``crops``;
- data access: ``dal`` (the ML table; its keys are spelled there only), ``model_store`` (S3);
- for other domains: ``public`` (the read interface) and ``events`` (the contracts).
"""
