"""What the test suites share: one copy of each helper (importable as ``support``: pytest puts
``tests/`` on ``sys.path`` for the root ``conftest.py``).

- ``runtime``: the local runtime started as ``make dev`` starts it (end-to-end and fuzz suites).
- ``lambda_env``: a Lambda context and an in-process invoker with a function's template environment.
- ``gateway``: an in-process HTTP API (routes from the template, payload-2.0 events from
  ``events/<LogicalId>.json``, the authorizer's context) and its ``Reply``.
- ``users``: callers given by id and role (the authorizer's context, or a signed access token).
- ``sandbox``: the local runtime's provider sandboxes (Africa's Talking, PesaPal, MoMo) over real HTTP.
- ``tables``: direct reads of a DynamoDB table (test bookkeeping only).
"""
