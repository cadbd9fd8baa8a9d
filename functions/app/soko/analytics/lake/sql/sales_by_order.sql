-- Completed orders (OrderCompleted) between two days (East Africa Time) inclusive, one row per
-- event: the reports' sales. Parameters: from, to (yyyy-mm-dd), then farmer, crop, district each
-- twice (an empty string: any). An order completes once; an event delivered twice is dropped by
-- order_id in the caller.
SELECT
    dt AS day,
    id AS event_id,
    json_extract_scalar(detail, '$.order_id') AS order_id,
    json_extract_scalar(detail, '$.farmer_id') AS farmer_id,
    json_extract_scalar(detail, '$.crop') AS crop,
    json_extract_scalar(detail, '$.district') AS district,
    json_extract_scalar(detail, '$.quantity_kg') AS quantity_kg,
    CAST(json_extract_scalar(detail, '$.price_per_kg_ugx') AS BIGINT) AS price_per_kg_ugx,
    CAST(json_extract_scalar(detail, '$.total_ugx') AS BIGINT) AS total_ugx
FROM events
WHERE dt BETWEEN ? AND ?
  AND type = 'OrderCompleted'
  AND source = 'soko.orders'
  AND (? = '' OR json_extract_scalar(detail, '$.farmer_id') = ?)
  AND (? = '' OR json_extract_scalar(detail, '$.crop') = ?)
  AND (? = '' OR json_extract_scalar(detail, '$.district') = ?)
ORDER BY dt, order_id
