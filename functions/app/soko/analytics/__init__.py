"""Analytics (``soko.analytics``): what is selling where, for admins, farmers and the public.

Three read paths, each for its own scale:

- **The event lake.** Every business event on the bus is delivered by Kinesis Data Firehose to the
  lake bucket as gzipped JSON lines, partitioned by day (the East Africa Time date of the event's
  time, computed by Firehose's dynamic partitioning) and detail-type, described as the Glue table
  ``events`` and queried with Athena. Locally the runtime writes the same objects to the embedded S3
  and DuckDB runs the same SQL (``lake/sql/*.sql``). Reports and ad-hoc questions read the lake.
- **Counters.** A consumer of the order, payment, user and search events keeps per-period counters
  (day, ISO week, month; in East Africa Time) in the analytics table, idempotent on the event id:
  ``GET /admin/metrics`` reads a period in two queries, whatever the volume.
- **Projections.** The same consumer keeps each farmer's sales by month and crop, their buyers and
  ratings (``GET /analytics/me``) and the public market intelligence: traded volume and the median
  price by crop, district and ISO week (``GET /analytics/market``), never anyone's private data.

Reports (CSV and PDF with charts) are requested over HTTP, built asynchronously by a queue consumer
and downloaded from the reports bucket by a presigned URL. The table layout is in ``dal``.
"""
