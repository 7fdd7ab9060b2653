-- nightly_conversion_expert.sql writing its alerts, as a recorded run does:
-- one transaction that replaces the night's alerts with the new ones, each
-- with its message (the rule's, formatted by SQLite's printf) and recipient.
CREATE TABLE IF NOT EXISTS expert_alerts(as_of TEXT, rule TEXT, tier TEXT, key INTEGER, message TEXT, recipient INTEGER);
BEGIN;
DELETE FROM expert_alerts WHERE as_of = '2025-06-20';
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
INSERT INTO expert_alerts
SELECT '2025-06-20', 'conversion_slump', 'orange', a.rep_id,
       printf('rep %d: conversion %.1f%% (previous %.1f%%) below %.1f%% for two snapshots', a.rep_id,
              a.conversion_rate * 100, b.conversion_rate * 100, a.baseline_conversion * 0.8 * 100),
       a.supervisor_id
FROM r JOIN sales_snapshot a ON a.rowid = r.r0
  LEFT JOIN sales_snapshot b ON b.rowid = r.r1
WHERE a.conversion_rate < a.baseline_conversion * (1 - 0.2)
  AND b.conversion_rate < b.baseline_conversion * (1 - 0.2);
COMMIT;
