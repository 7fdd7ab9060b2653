-- The conversion rule alone, as a SQLite expert writes it (issue 15): the
-- reps by a recursive CTE that seeks the next rep_id in the index, the
-- rowids of each rep's two newest rows by index seeks, the newest row
-- fetched by rowid, and the previous one only for the reps whose newest row
-- already qualifies.  as_of = 2025-06-20.  Output: rule|tier|key|recipient.
WITH RECURSIVE k(id) AS (
  SELECT (SELECT rep_id FROM sales_snapshot ORDER BY rep_id LIMIT 1)
  UNION ALL
  SELECT (SELECT rep_id FROM sales_snapshot WHERE rep_id > k.id ORDER BY rep_id LIMIT 1) FROM k WHERE k.id IS NOT NULL
),
r AS (
  SELECT id,
    (SELECT rowid FROM sales_snapshot WHERE rep_id = k.id AND snapshot_date <= '2025-06-20'
     ORDER BY snapshot_date DESC LIMIT 1) AS r0,
    (SELECT rowid FROM sales_snapshot WHERE rep_id = k.id AND snapshot_date <= '2025-06-20'
     ORDER BY snapshot_date DESC LIMIT 1 OFFSET 1) AS r1
  FROM k WHERE id IS NOT NULL
)
SELECT 'conversion_slump', 'orange', a.rep_id, a.supervisor_id
FROM r JOIN sales_snapshot a ON a.rowid = r.r0
  LEFT JOIN sales_snapshot b ON b.rowid = r.r1
WHERE a.conversion_rate < a.baseline_conversion * (1 - 0.2)
  AND b.conversion_rate < b.baseline_conversion * (1 - 0.2);
