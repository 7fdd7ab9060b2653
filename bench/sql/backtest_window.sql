-- The conversion_slump backtest in the common window-function form: LAG over
-- each rep's whole history; an alert at every snapshot date whose row and
-- the one before are both below 80% of the baseline.  Output:
-- as_of|rule|tier|key|recipient.
-- (Exact for bench/gen.c's data, where every rep has a row at every
-- snapshot date in the range 2023-07-07 .. 2025-06-20, so the current row
-- at a snapshot date is the row of that date.)
SELECT snapshot_date, 'conversion_slump', 'orange', rep_id, supervisor_id FROM (
  SELECT rep_id, snapshot_date, supervisor_id,
         conversion_rate < baseline_conversion * (1 - 0.2) AS low,
         LAG(conversion_rate < baseline_conversion * (1 - 0.2)) OVER (PARTITION BY rep_id ORDER BY snapshot_date) AS low1
  FROM sales_snapshot
  WHERE snapshot_date BETWEEN '2023-07-07' AND '2025-06-20'
)
WHERE low AND low1;
