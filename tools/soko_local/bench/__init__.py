"""``python -m soko_local.bench`` (``make bench``): performance figures of the local runtime and of
the functions' cold starts, each printed next to its target. Figures, not tests: always exits 0.

One module per section (``sections.py`` lists them, in the order they are printed and run); what
they share is in ``core.py``:

1. ``startup``: start-up of ``python -m soko_local dev`` to the first 200 from ``GET /health``;
2. ``gateway``: the local gateway's overhead per request (HTTP round trip minus the invocation);
3. ``imports``: cold import of every function's handler module in a fresh interpreter;
4. ``cold_start``: a worker's cold start (first invocation on a new worker) against warm ones;
5. ``identity``: access-token verification (in-process and the authorizer warm), argon2id, sign-in;
6. ``market``: browse and place-order through the gateway with 10,000 listings in the table;
7. ``prices``: the price layer on the real WFP series (predict, the training state machine);
8. ``ussd``: USSD replies through the local Function URL, and the handler's cold import;
9. ``matching``: scoring, recommendations through the gateway, a new user appearing;
10. ``alerts``: the weekly price digest's fan-out for 100,000 subscribers (moto, in-process);
11. ``tracking``: GPS position ingestion through the positions handler, batches of 50 (moto, in-process);
12. ``transport``: quotes and bookings through the gateway, and a booking race;
13. ``lake``: the event lake's GMV query over 1,000,000 generated events (DuckDB);
14. ``metrics``: ``GET /admin/metrics`` p50/p95 over realistic counters (moto, in-process).

``python -m soko_local.bench --only 2,8`` measures some sections only.
"""
