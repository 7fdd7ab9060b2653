-- W-fraction from the data (check --db): conversion holds fractions (every
-- value between 0 and 1, NULLs aside) though its name does not say so;
-- deals holds counts; churned only 0 and 1 (a flag, not a fraction).
CREATE TABLE rep_week (rep_id INTEGER, week DATE, conversion REAL, deals INTEGER, churned INTEGER);
CREATE INDEX rep_week_rep_id_week ON rep_week(rep_id, week);
INSERT INTO rep_week VALUES (1, '2025-06-02', 0.12, 4, 0), (1, '2025-06-09', NULL, 3, 0),
  (2, '2025-06-02', 0.3, 7, 1), (2, '2025-06-09', 1, 0, 0), (3, '2025-06-02', 0, 12, 0);
