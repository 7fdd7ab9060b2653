-- The nightly alerts as a PostgreSQL expert writes them, over the tables
-- tests/pg/load.py makes of bench-SIZE.db (--dates-as date) with the index
-- `vigil check --db` advises: sales_snapshot (rep_id NULLS FIRST,
-- snapshot_date NULLS FIRST).  as_of = 2025-06-20.  Output (psql -A -t
-- -F'|'): rule|tier|key|recipient, as bench/sql/nightly_expert.sql.
--
-- The distinct reps by a loose index scan (a recursive CTE: one index seek
-- per rep), and for each rep its three newest rows by a LATERAL index scan
-- backwards (ORDER BY snapshot_date DESC NULLS LAST LIMIT 3: the index's
-- order read backwards, so no sort), with LEAD and SUM over those 3 rows.
WITH RECURSIVE k(id) AS (
  (SELECT rep_id FROM sales_snapshot WHERE rep_id IS NOT NULL ORDER BY rep_id NULLS FIRST LIMIT 1)
  UNION ALL
  SELECT (SELECT rep_id FROM sales_snapshot WHERE rep_id > k.id ORDER BY rep_id NULLS FIRST LIMIT 1)
  FROM k WHERE k.id IS NOT NULL
),
x AS (
  SELECT t.*
  FROM k CROSS JOIN LATERAL (
    SELECT rep_id, supervisor_id, rn,
      conversion_rate < baseline_conversion * 0.8
        AND c1 < b1 * 0.8 AS slump,
      contract_amount < 0.9 * a1
        OR negative_feedback + coalesce(n1, 0) + coalesce(n2, 0) >= 3 AS at_risk
    FROM (
      SELECT rep_id, supervisor_id, conversion_rate, baseline_conversion, contract_amount, negative_feedback,
        row_number() OVER w AS rn,
        lead(conversion_rate) OVER w AS c1, lead(baseline_conversion) OVER w AS b1,
        lead(contract_amount) OVER w AS a1,
        lead(negative_feedback) OVER w AS n1, lead(negative_feedback, 2) OVER w AS n2
      FROM (
        SELECT * FROM sales_snapshot
        WHERE rep_id = k.id AND snapshot_date <= DATE '2025-06-20'
        ORDER BY snapshot_date DESC NULLS LAST LIMIT 3
      ) last3
      WINDOW w AS (ORDER BY snapshot_date DESC NULLS LAST)
    ) l
  ) t
  WHERE k.id IS NOT NULL AND t.rn = 1
)
SELECT 'conversion_slump', 'orange', rep_id, supervisor_id FROM x WHERE slump
UNION ALL
SELECT 'revenue_at_risk', 'red', rep_id, supervisor_id FROM x WHERE at_risk;

-- Receivables aging: one pass over the invoices (one row per key: nothing
-- to seek), the manager as of the run by an index seek into org.
SELECT 'receivables_aging',
       CASE WHEN due_date < DATE '2025-06-20' - 90 THEN 'red'
            WHEN due_date < DATE '2025-06-20' - 60 THEN 'orange'
            ELSE 'yellow' END,
       invoice_id,
       (SELECT manager_id FROM org WHERE org.rep_id = i.rep_id AND valid_from <= DATE '2025-06-20'
        ORDER BY valid_from DESC NULLS LAST LIMIT 1)
FROM invoices i
WHERE due_date < DATE '2025-06-20' - 30 AND (paid_date IS NULL OR paid_date > DATE '2025-06-20');
