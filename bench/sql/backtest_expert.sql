-- The conversion_slump backtest as an expert writes it: the same LAG, but
-- read in (rep_id, snapshot_date) order through the index, so the window
-- needs no sort of the whole table.  Output: as_of|rule|tier|key|recipient.
-- (Exact for bench/gen.c's data: see backtest_window.sql.)
SELECT snapshot_date, 'conversion_slump', 'orange', rep_id, supervisor_id FROM (
  SELECT rep_id, snapshot_date, supervisor_id,
         conversion_rate < baseline_conversion * (1 - 0.2) AS low,
         LAG(conversion_rate < baseline_conversion * (1 - 0.2)) OVER (PARTITION BY rep_id ORDER BY snapshot_date) AS low1
  FROM sales_snapshot INDEXED BY sales_snapshot_rep_time
  WHERE rep_id IS NOT NULL AND snapshot_date BETWEEN '2023-07-07' AND '2025-06-20'
)
WHERE low AND low1;
