-- The conversion_slump backtest, the second form a PostgreSQL expert tries: LAG over
-- each rep's history, read in (rep_id, snapshot_date) order through the
-- index `vigil check --db` advises (rep_id NULLS FIRST, snapshot_date NULLS
-- FIRST), so the window needs no sort of the whole table: the window's
-- ORDER BY names the index's NULLS FIRST, and the rows come per rep (a
-- loose index scan for the reps, one LATERAL index range scan each) because
-- PARTITION BY rep_id would ask for rep_id NULLS LAST, an order the index
-- does not give.  An alert at every snapshot date whose row and the one
-- before are both below 80% of the baseline.  Output (psql -A -t -F'|'):
-- as_of|rule|tier|key|recipient, as bench/sql/backtest_window.sql.
-- (Exact for bench/gen.c's data, where every rep has a row at every
-- snapshot date in the range 2023-07-07 .. 2025-06-20.)
WITH RECURSIVE k(id) AS (
  (SELECT rep_id FROM sales_snapshot WHERE rep_id IS NOT NULL ORDER BY rep_id NULLS FIRST LIMIT 1)
  UNION ALL
  SELECT (SELECT rep_id FROM sales_snapshot WHERE rep_id > k.id ORDER BY rep_id NULLS FIRST LIMIT 1)
  FROM k WHERE k.id IS NOT NULL
)
SELECT l.snapshot_date, 'conversion_slump', 'orange', l.rep_id, l.supervisor_id
FROM k CROSS JOIN LATERAL (
  SELECT rep_id, snapshot_date, supervisor_id,
         conversion_rate < baseline_conversion * 0.8 AS low,
         lag(conversion_rate < baseline_conversion * 0.8) OVER (ORDER BY snapshot_date NULLS FIRST) AS low1
  FROM sales_snapshot
  WHERE rep_id = k.id AND snapshot_date BETWEEN DATE '2023-07-07' AND DATE '2025-06-20'
) l
WHERE k.id IS NOT NULL AND l.low AND l.low1;
