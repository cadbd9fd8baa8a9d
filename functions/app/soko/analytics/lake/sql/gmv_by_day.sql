-- GMV by day (East Africa Time) between two days inclusive: the goods value of orders paid that day
-- (payment amount less the transport fare), as GET /admin/metrics counts it. Parameters: from, to
-- (yyyy-mm-dd).
SELECT
    dt AS day,
    COUNT(*) AS payments,
    SUM(
        CAST(json_extract_scalar(detail, '$.amount_ugx') AS BIGINT)
        - COALESCE(CAST(json_extract_scalar(detail, '$.fare_ugx') AS BIGINT), 0)
    ) AS gmv_ugx
FROM events
WHERE dt BETWEEN ? AND ?
  AND type = 'PaymentCompleted'
  AND source = 'soko.payments'
GROUP BY dt
ORDER BY dt
