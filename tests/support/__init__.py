"""What the test suites share: one copy of each helper. Import it as ``support`` (pytest puts
``tests/`` on ``sys.path`` for the root ``conftest.py``; ruff knows it as first-party).

- ``runtime``: the local runtime started as ``make dev`` starts it (end-to-end and fuzz suites).
- ``lambda_env``: template.yaml provisioned into moto, a function's handler invoked in-process with
  its template environment and a Lambda context, every AWS operation recorded.
- ``gateway``: the HTTP API in-process (routes from the template, payload-2.0 events adapted from
  ``events/<LogicalId>.json``, the caller as the authorizer's context, or the template's authorizer
  run on a bearer token) and its ``Reply``.
- ``users``: callers by id and role, with what an account made through the API also has.
- ``sandbox``: the local runtime's provider sandboxes (Africa's Talking, PesaPal, MoMo) over HTTP.
- ``events``: EventBridge events in the SQS batch a consumer gets.
- ``tables``: direct reads of a DynamoDB table (test bookkeeping only).
- ``logs``: everything logged during a test, as one string.
"""
