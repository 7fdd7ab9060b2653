-- The conversion_slump backtest as a PostgreSQL expert writes it: LAG over
-- each rep's whole history, PARTITION BY rep_id ORDER BY snapshot_date, and
-- PostgreSQL's own plan for it (with the default settings of
-- tests/pg/server.sh: a parallel sequential scan and a parallel sort by two
-- workers and the leader, gathered in order; the index `vigil check --db`
-- advises, rep_id NULLS FIRST, gives no order PARTITION BY can use, since
-- that asks for rep_id NULLS LAST).  An alert at every snapshot date whose
-- row and the one before are both below 80% of the baseline.  Output (psql
-- -A -t -F'|'): as_of|rule|tier|key|recipient, as bench/sql/backtest_window.sql.
-- pg_backtest_lateral.sql is the form that reads through the index instead.
-- (Exact for bench/gen.c's data, where every rep has a row at every
-- snapshot date in the range 2023-07-07 .. 2025-06-20, so the current row
-- at a snapshot date is the row of that date.)
SELECT snapshot_date, 'conversion_slump', 'orange', rep_id, supervisor_id FROM (
  SELECT rep_id, snapshot_date, supervisor_id,
         conversion_rate < baseline_conversion * 0.8 AS low,
         lag(conversion_rate < baseline_conversion * 0.8) OVER (PARTITION BY rep_id ORDER BY snapshot_date) AS low1
  FROM sales_snapshot
  WHERE snapshot_date BETWEEN DATE '2023-07-07' AND DATE '2025-06-20'
) w
WHERE low AND low1;
