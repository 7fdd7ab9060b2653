-- The nightly alerts as a SQLite expert writes them: the last rows of each
-- rep by index seeks on sales_snapshot(rep_id, snapshot_date), never the
-- whole history.  as_of = 2025-06-20 (the last snapshot of bench/gen.c).
-- Output: rule|tier|key|recipient.
--
-- The distinct reps come from a recursive CTE that seeks the next rep_id in
-- the index (a skip scan: one seek per rep).  For each rep, three correlated
-- subqueries seek the rowids of its newest, second and third newest rows
-- (LIMIT 1 OFFSET k; the widest window of the two rules is the sum over the
-- last 3 snapshots), and the rows are fetched by rowid.  (Of the forms
-- tried, this was the fastest: one subquery `rowid IN (... LIMIT 3)` with
-- LEAD/SUM windows over the 3 rows per rep took about 3 times as long, for
-- the sort of the window.)
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
     ORDER BY snapshot_date DESC LIMIT 1 OFFSET 1) AS r1,
    (SELECT rowid FROM sales_snapshot WHERE rep_id = k.id AND snapshot_date <= '2025-06-20'
     ORDER BY snapshot_date DESC LIMIT 1 OFFSET 2) AS r2
  FROM k WHERE id IS NOT NULL
),
x AS (
  SELECT a.rep_id, a.supervisor_id,
    a.conversion_rate < a.baseline_conversion * (1 - 0.2)
      AND b.conversion_rate < b.baseline_conversion * (1 - 0.2) AS slump,
    a.contract_amount < 0.9 * b.contract_amount
      OR a.negative_feedback + coalesce(b.negative_feedback, 0) + coalesce(c.negative_feedback, 0) >= 3 AS at_risk
  FROM r JOIN sales_snapshot a ON a.rowid = r.r0
    LEFT JOIN sales_snapshot b ON b.rowid = r.r1
    LEFT JOIN sales_snapshot c ON c.rowid = r.r2
)
SELECT rule, tier, rep_id, supervisor_id
FROM x JOIN (SELECT 'conversion_slump' AS rule, 'orange' AS tier UNION ALL SELECT 'revenue_at_risk', 'red')
  ON CASE rule WHEN 'conversion_slump' THEN slump ELSE at_risk END;

-- Receivables aging: one pass over the invoices (one row per key: nothing
-- to seek), the manager as of the run by an index seek into org.
SELECT 'receivables_aging',
       CASE WHEN due_date < date('2025-06-20', '-90 days') THEN 'red'
            WHEN due_date < date('2025-06-20', '-60 days') THEN 'orange'
            ELSE 'yellow' END,
       invoice_id,
       (SELECT manager_id FROM org WHERE org.rep_id = i.rep_id AND valid_from <= '2025-06-20'
        ORDER BY valid_from DESC LIMIT 1)
FROM invoices i
WHERE due_date < date('2025-06-20', '-30 days') AND (paid_date IS NULL OR paid_date > '2025-06-20');
