-- A crop's traded volume by day (East Africa Time) between two days inclusive, from completed
-- orders (OrderCompleted, each order once even when the lake holds its event twice): orders,
-- kilograms and value, in one district or all. Parameters: from, to (yyyy-mm-dd), crop, then
-- district twice (an empty string: all districts).
SELECT
    day,
    COUNT(*) AS orders,
    SUM(kg) AS kg,
    SUM(value_ugx) AS value_ugx
FROM (
    SELECT
        dt AS day,
        json_extract_scalar(detail, '$.order_id') AS order_id,
        MAX(CAST(json_extract_scalar(detail, '$.quantity_kg') AS DECIMAL(18, 3))) AS kg,
        MAX(CAST(json_extract_scalar(detail, '$.total_ugx') AS BIGINT)) AS value_ugx
    FROM events
    WHERE dt BETWEEN ? AND ?
      AND type = 'OrderCompleted'
      AND source = 'soko.orders'
      AND json_extract_scalar(detail, '$.crop') = ?
      AND (? = '' OR json_extract_scalar(detail, '$.district') = ?)
    GROUP BY dt, json_extract_scalar(detail, '$.order_id')
) AS completed
GROUP BY day
ORDER BY day
