-- The nightly alerts in the common window-function form: ROW_NUMBER / LEAD
-- over each rep's whole history, keeping the newest row.  as_of = 2025-06-20.
-- Output: rule|tier|key|recipient.  (The invoice part is the same as the
-- expert's: one row per key, there is no history to window over.)
WITH x AS (
  SELECT rep_id, supervisor_id, conversion_rate, baseline_conversion, contract_amount,
         ROW_NUMBER() OVER win AS rn,
         LEAD(conversion_rate) OVER win AS conv1,
         LEAD(baseline_conversion) OVER win AS base1,
         LEAD(contract_amount) OVER win AS amount1,
         SUM(negative_feedback) OVER (win ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) AS feedback3
  FROM sales_snapshot
  WHERE snapshot_date <= '2025-06-20'
  WINDOW win AS (PARTITION BY rep_id ORDER BY snapshot_date DESC)
)
SELECT 'conversion_slump', 'orange', rep_id, supervisor_id FROM x
WHERE rn = 1 AND conversion_rate < baseline_conversion * (1 - 0.2) AND conv1 < base1 * (1 - 0.2)
UNION ALL
SELECT 'revenue_at_risk', 'red', rep_id, supervisor_id FROM x
WHERE rn = 1 AND (contract_amount < 0.9 * amount1 OR feedback3 >= 3);

SELECT 'receivables_aging',
       CASE WHEN due_date < date('2025-06-20', '-90 days') THEN 'red'
            WHEN due_date < date('2025-06-20', '-60 days') THEN 'orange'
            ELSE 'yellow' END,
       invoice_id,
       (SELECT manager_id FROM org WHERE org.rep_id = i.rep_id AND valid_from <= '2025-06-20'
        ORDER BY valid_from DESC LIMIT 1)
FROM invoices i
WHERE due_date < date('2025-06-20', '-30 days') AND (paid_date IS NULL OR paid_date > '2025-06-20');
