-- Payouts sent to farmers' mobile money (PayoutSent) between two days (East Africa Time)
-- inclusive, one row per event: an admin's payouts report over every farmer. Parameters: from, to
-- (yyyy-mm-dd). A payout is sent once; an event delivered twice is dropped by payout_id in the caller.
SELECT
    dt AS day,
    json_extract_scalar(detail, '$.payout_id') AS payout_id,
    json_extract_scalar(detail, '$.order_id') AS order_id,
    json_extract_scalar(detail, '$.farmer_id') AS farmer_id,
    json_extract_scalar(detail, '$.batch_id') AS batch_id,
    CAST(json_extract_scalar(detail, '$.net_ugx') AS BIGINT) AS net_ugx
FROM events
WHERE dt BETWEEN ? AND ?
  AND type = 'PayoutSent'
  AND source = 'soko.payments'
ORDER BY dt, payout_id
