-- Deterministic demo data for the `startup` pack: a CEO, two sales leads and
-- 20 reps, from the first goal snapshot (Friday 2024-05-31) to the main date,
-- Friday 2025-05-16 (the week after Q2's calibration week, May 5-11).  No
-- random(): "noise" is arithmetic on ids and dates.  Most reps are healthy; a
-- few listed ones are made to trip each rule and tier, a few to sit just
-- under a threshold, and a few rows of bad data show the diagnostics.
-- Load:  sqlite3 demo.db < schema.sql && sqlite3 demo.db < demo.sql
BEGIN;

-- ---------------------------------------------------------------- org chart
-- CEO 900; leads 901 (Maya, co-founder: team A, reps 101-110) and 902 (Tom:
-- team B, reps 111-120); 903 (product) and 904 (finance) sign goal changes.
-- Rep 120 joined on 2025-04-28 and has not filed a snapshot yet.
INSERT INTO org_chart (person_id, manager_id, full_name, role, joined_on) VALUES
  (900, NULL, 'Ana Ruiz',     'ceo',     '2024-01-15'),
  (901, 900,  'Maya Chen',    'lead',    '2024-01-15'),
  (902, 900,  'Tom Okafor',   'lead',    '2024-03-01'),
  (903, 900,  'Priya Nair',   'product', '2024-02-01'),
  (904, 900,  'Lukas Weber',  'finance', '2024-04-01'),
  (120, 902,  'Iris Santos',  'rep',     '2025-04-28');

-- ------------------------------------------------------------------ the reps
-- first_k: the snapshot (k, below) the rep first filed; last_k: the last one.
--   founding reps 101-106 and 111-114 file from k = 0 (2024-05-31);
--   hires: 109 (k 2), 107 (k 4), 115 (k 6), 108 (k 8), 110 (k 10),
--   116 (k 12, 2024-11-15: exactly 26 weeks before the main date, so its
--   warnings are on), 117 (k 13, 2024-11-29: 24 weeks, warnings still off),
--   118 (k 18) and 119 (k 20).
--   104 stops after k = 23 (2025-04-18: one snapshot missed, yellow),
--   113 after k = 22 (2025-04-04: two missed, orange).
--   110 is on parental leave from k = 20 (placeholder rows, active = 0).
-- pace: bookings against the pro-rated goal in 2025-Q2 (team B sits at 82-86%,
-- each rep above the 80% line; 116 is at 45%).
CREATE TEMP TABLE rep (
  rep_id INTEGER, lead INTEGER, name TEXT, first_k INTEGER, last_k INTEGER,
  base_goal REAL, base_conv REAL, base_amount REAL, pace REAL);
INSERT INTO rep VALUES
  (101, 901, 'Lena Fischer',    0, 25, 90000, 0.22, 160000, 1.05),
  (102, 901, 'Omar Haddad',     0, 25, 80000, 0.20, 210000, 0.98),
  (103, 901, 'Sara Lindqvist',  0, 25, 80000, 0.18, 175000, 1.02),
  (104, 901, 'Jonas Berg',      0, 23, 70000, 0.21, 140000, 1.00),
  (105, 901, 'Mei Tanaka',      0, 25, 90000, 0.24, 190000, 1.10),
  (106, 901, 'Carlos Mendes',   0, 25, 80000, 0.19, 150000, 0.96),
  (107, 901, 'Aisha Bello',     4, 25, 70000, 0.17, 120000, 1.04),
  (108, 901, 'Ravi Iyer',       8, 25, 70000, 0.20, 110000, 1.12),
  (109, 901, 'Zhang Wei',       2, 25, 80000, 0.23, 130000, 1.00),
  (110, 901, 'Nora Kelly',     10, 25, 60000, 0.18, 90000,  1.00),
  (111, 902, 'Ben Carter',      0, 25, 90000, 0.21, 200000, 0.86),
  (112, 902, 'Lucia Romano',    0, 25, 80000, 0.19, 170000, 0.84),
  (113, 902, 'Dmitri Volkov',   0, 22, 80000, 0.22, 160000, 0.85),
  (114, 902, 'Hana Kim',        0, 25, 70000, 0.20, 150000, 0.82),
  (115, 902, 'Tomás Ortega',    6, 25, 70000, 0.18, 120000, 0.86),
  (116, 902, 'Grace Mwangi',   12, 25, 70000, 0.21, 100000, 0.45),
  (117, 902, 'Pavel Novak',    13, 25, 70000, 0.19, 95000,  0.84),
  (118, 902, 'Yuki Sato',      18, 25, 60000, 0.17, 60000,  0.83),
  (119, 902, 'Li Na',          20, 25, 60000, 0.20, 50000,  0.85);

INSERT INTO org_chart (person_id, manager_id, full_name, role, joined_on)
SELECT rep_id, lead, name, 'rep', date('2024-05-31', (14 * first_k - 3 - rep_id % 5) || ' days')
FROM rep;

-- ----------------------------------------------------------- goal_revisions
-- The calibration archive.  Q4 2024's meeting (week 6: Nov 4-10) changed four
-- goals, all in order (older than the 13-week audit by the main date); 115's
-- February change is off-cycle but 95 days old (no longer audited).  Q2 2025
-- (week 6: May 5-11), as audited on 2025-05-16:
--   11 (101) and 17 (115, Monday May 5): in order, no alert;
--   12 (109): its reason is in Chinese, 9 characters, 18 columns: a reason;
--   13 (111, May 9): finance has not signed, 7 days = the grace: pending, yellow;
--   14 (112, May 6): product and finance have not signed after 10 days: red;
--   15 (106): reason 'n/a': red;
--   16 (114, April 15, week 3): signed and reasoned but off-cycle: orange.
INSERT INTO goal_revisions VALUES
  (1,  101, '2024-11-06', '2024-Q4', 90000, 100000, 'Two expansion deals moved into the territory', '2024-11-06', '2024-11-07', '2024-11-08'),
  (2,  104, '2024-11-06', '2024-Q4', 70000, 60000,  'Largest prospect postponed its budget to 2025', '2024-11-07', '2024-11-07', '2024-11-08'),
  (3,  111, '2024-11-07', '2024-Q4', 90000, 80000,  'Design partner asked for a second pilot phase', '2024-11-07', '2024-11-08', '2024-11-11'),
  (4,  113, '2024-11-07', '2024-Q4', 80000, 90000,  'Took over two accounts from the founders', '2024-11-08', '2024-11-08', '2024-11-08'),
  (5,  115, '2025-02-10', '2025-Q1', 70000, 60000,  'Territory split with the new hire', '2025-02-10', '2025-02-11', '2025-02-11'),
  (11, 101, '2025-05-06', '2025-Q2', 90000, 95000,  'Partner channel brought three qualified deals', '2025-05-06', '2025-05-07', '2025-05-09'),
  (12, 109, '2025-05-07', '2025-Q2', 80000, 70000,  '核心功能延期三个月', '2025-05-07', '2025-05-08', '2025-05-08'),
  (13, 111, '2025-05-09', '2025-Q2', 90000, 80000,  'Biggest deal slipped to Q3 after a security review', '2025-05-09', '2025-05-12', NULL),
  (14, 112, '2025-05-06', '2025-Q2', 80000, 70000,  'Lost the reseller that brought half the pipeline', '2025-05-07', NULL, NULL),
  (15, 106, '2025-05-08', '2025-Q2', 80000, 72000,  'n/a', '2025-05-08', '2025-05-09', '2025-05-09'),
  (16, 114, '2025-04-15', '2025-Q2', 70000, 60000,  'Moved to part-time for April and May', '2025-04-15', '2025-04-16', '2025-04-16'),
  (17, 115, '2025-05-05', '2025-Q2', 70000, 75000,  'Inherited the pipeline of a departed partner', '2025-05-05', '2025-05-06', '2025-05-07'),
  -- bad data: an impossible revision date (the row is skipped, so the
  -- change it records, in 119's snapshot of 2025-05-02, shows as unarchived
  -- on that date: red from goal_change_unarchived until the next snapshot)
  (18, 119, '2025-04-31', '2025-Q2', 60000, 55000,  'Typed the date by hand into the archive', '2025-05-02', '2025-05-02', '2025-05-02');

-- ----------------------------------------------------------------- snapshots
-- Every other Friday: k = 0 (2024-05-31) to 25 (2025-05-16).  The goal is the
-- rep's base goal, half of it in a hire's first quarter, or the latest
-- revision's new goal for that quarter (revisions apply from the next
-- snapshot); bookings follow the goal pro-rated on a straight line at the
-- rep's pace.  Special reps at the end of the series:
--   step 1: 105's latest snapshot has no progress note (yellow); 118's last
--           two have a two-character note and no answer on blockers
--           (orange), and 118's goal was cut at k = 25 without a revision
--           (red); 116 is at 45% of the pro-rated goal (yellow), and team B
--           behind as a whole (yellow).  111's note is exactly 8 columns.
--   step 2: conversion at 60% of the rep's level at k = 24, 25 for 116 (26
--           weeks of snapshots: orange) and 117 (24 weeks: nothing), at
--           k = 25 only for 114 (one snapshot: nothing); contract amount
--           -15% at k = 25 for 102 (red), -9% for 106 (nothing), -20% for 117
--           (engine off: nothing); 103's slides 2%, 2% and 3% over k = 23-25
--           with a negative feedback at each (red).
WITH RECURSIVE
  snap(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM snap WHERE k < 25),
  grid AS (
    SELECT rep.*, snap.k AS k, date('2024-05-31', '+' || (14 * snap.k) || ' days') AS d
    FROM rep, snap
    WHERE snap.k BETWEEN rep.first_k AND rep.last_k
  ),
  q AS (
    SELECT grid.*,
           date(d, 'start of month', '-' || ((CAST(strftime('%m', d) AS INTEGER) - 1) % 3) || ' months') AS qs,
           strftime('%Y', d) || '-Q' || ((CAST(strftime('%m', d) AS INTEGER) + 2) / 3) AS period
    FROM grid
  ),
  g AS (
    SELECT q.*,
           (julianday(d) - julianday(qs) + 1) / (julianday(date(qs, '+3 months')) - julianday(qs)) AS share,
           coalesce((SELECT new_goal FROM goal_revisions r
                     WHERE r.rep_id = q.rep_id AND r.goal_period = q.period AND r.revised_on < q.d
                     ORDER BY r.revised_on DESC LIMIT 1),
                    CASE WHEN qs = date(date('2024-05-31', '+' || (14 * first_k) || ' days'), 'start of month',
                                        '-' || ((CAST(strftime('%m', date('2024-05-31', '+' || (14 * first_k) || ' days')) AS INTEGER) - 1) % 3) || ' months')
                              AND first_k > 0
                         THEN base_goal / 2 ELSE base_goal END) AS goal0
    FROM q
  ),
  v AS (
    SELECT g.*,
           CASE WHEN rep_id = 118 AND k = 25 THEN goal0 * 0.75 ELSE goal0 END AS goal,
           rep_id = 110 AND k >= 20 AS on_leave,
           CASE WHEN period = '2025-Q2' THEN pace ELSE 1.0 + (rep_id % 3) * 0.03 END AS qpace
    FROM g
  )
INSERT INTO goal_snapshot (rep_id, snapshot_date, supervisor_id, active, goal, actual,
       progress_note, blockers, help_needed, conversion_rate, contract_amount, negative_feedback)
SELECT rep_id, d, lead,
       CASE WHEN on_leave THEN 0 ELSE 1 END,
       goal,
       CASE WHEN on_leave THEN NULL ELSE round(goal * share * qpace / 100.0) * 100 END,
       CASE WHEN on_leave THEN 'On parental leave'
            WHEN rep_id = 105 AND k = 25 THEN NULL
            WHEN rep_id = 118 AND k >= 24 THEN 'ok'
            WHEN rep_id = 111 AND k = 25 THEN 'On track'
            WHEN rep_id = 119 THEN CASE k % 3 WHEN 0 THEN '两家试点客户签约' WHEN 1 THEN '新客户演示进展顺利' ELSE '续约谈判推进中' END
            ELSE CASE (rep_id + k) % 5
                   WHEN 0 THEN 'On track against the quarter goal'
                   WHEN 1 THEN 'Two pilots converting to paid plans'
                   WHEN 2 THEN 'Pipeline covers the goal twice'
                   WHEN 3 THEN 'Closed a design partner; one renewal at risk'
                   ELSE 'New logos slower than planned' END END,
       CASE WHEN on_leave THEN NULL
            WHEN rep_id = 118 AND k >= 24 THEN NULL
            ELSE CASE (rep_id * 3 + k) % 4
                   WHEN 0 THEN 'Security questionnaire at the largest prospect'
                   WHEN 1 THEN 'Waiting on a pricing decision'
                   ELSE 'None' END END,
       CASE WHEN on_leave THEN NULL
            ELSE CASE (rep_id + k * 5) % 3
                   WHEN 0 THEN 'A founder on the call with a late-stage prospect'
                   WHEN 1 THEN 'A product demo environment with real data'
                   ELSE 'None' END END,
       CASE WHEN on_leave THEN NULL
            WHEN rep_id IN (116, 117) AND k >= 24 THEN round(base_conv * 0.6, 4)
            WHEN rep_id = 114 AND k = 25 THEN round(base_conv * 0.6, 4)
            ELSE round(base_conv * (0.95 + ((rep_id * 7 + k * 13) % 11) / 100.0), 4) END,
       CASE WHEN rep_id = 102 AND k = 25 THEN round(base_amount * 1.24 * 0.85, 0)
            WHEN rep_id = 106 AND k = 25 THEN round(base_amount * 1.24 * 0.91, 0)
            WHEN rep_id = 117 AND k = 25 THEN round(base_amount * (1 + 0.01 * (24 - first_k)) * 0.80, 0)
            WHEN rep_id = 103 AND k >= 22 THEN round(base_amount * 1.22 * CASE k WHEN 22 THEN 1 WHEN 23 THEN 0.98 WHEN 24 THEN 0.96 ELSE 0.93 END, 0)
            WHEN rep_id IN (102, 106) AND k = 24 THEN round(base_amount * 1.24, 0)
            ELSE round(base_amount * (1 + 0.01 * (k - first_k)), 0) END,
       CASE WHEN on_leave THEN NULL
            WHEN rep_id = 103 AND k >= 23 THEN 1
            WHEN (rep_id * 7 + k * 13) % 17 = 0 THEN 1 ELSE 0 END
FROM v;

-- Bad data: a text conversion rate in an old snapshot of a healthy rep, a
-- snapshot saved twice (the later row counts), and an impossible date.
UPDATE goal_snapshot SET conversion_rate = 'n/a' WHERE rep_id = 107 AND snapshot_date = '2024-12-27';
INSERT INTO goal_snapshot (rep_id, snapshot_date, supervisor_id, active, goal, actual, progress_note,
       blockers, help_needed, conversion_rate, contract_amount, negative_feedback)
SELECT rep_id, snapshot_date, supervisor_id, active, goal, actual, 'Re-filed with the corrected pipeline',
       blockers, help_needed, conversion_rate, contract_amount, negative_feedback
FROM goal_snapshot WHERE rep_id = 112 AND snapshot_date = '2025-03-21';
INSERT INTO goal_snapshot (rep_id, snapshot_date, supervisor_id, active, goal, actual, progress_note,
       blockers, help_needed, conversion_rate, contract_amount, negative_feedback)
VALUES (115, '2025-04-31', 902, 1, 75000, 20000, 'Typed the date by hand', 'None', 'None', 0.18, 140000, 0);

-- --------------------------------------------------------------- milestones
-- One milestone per rep every four weeks from two weeks after the first
-- snapshot, all done on time up to the main date; the next one is open and
-- not due yet.  Then: 102's "Pilot go-live" (due May 10) is open 6 days late
-- (yellow); 101's (due May 11) exactly 5 days late (nothing); 117's (due
-- April 26) 20 days late, but 117's warnings are not on yet (nothing); 109's
-- April milestone was done 12 days late (done: nothing).
WITH RECURSIVE
  n(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM n WHERE n < 13),
  m AS (
    SELECT rep.rep_id, n.n,
           date('2024-05-31', '+' || (14 * rep.first_k + 14 + 28 * n.n) || ' days') AS due
    FROM rep, n
  )
INSERT INTO milestones (milestone_id, owner_id, name, due_date, done_date)
SELECT rep_id * 100 + n, rep_id,
       CASE n % 4 WHEN 0 THEN 'Territory plan' WHEN 1 THEN 'Pipeline review with the lead'
                  WHEN 2 THEN 'Design-partner check-in' ELSE 'Quarter forecast' END,
       due,
       CASE WHEN rep_id = 109 AND due BETWEEN '2025-04-01' AND '2025-04-30' THEN date(due, '+12 days')
            ELSE date(due, '-' || ((rep_id + n) % 3) || ' days') END
FROM m
WHERE due <= '2025-05-09' AND NOT (rep_id IN (104, 113) AND due > '2025-04-01')
   OR due BETWEEN '2025-05-17' AND '2025-06-13';
UPDATE milestones SET done_date = NULL WHERE due_date > '2025-05-16';
INSERT INTO milestones (milestone_id, owner_id, name, due_date, done_date) VALUES
  (90001, 102, 'Pilot go-live at Northwind', '2025-05-10', NULL),
  (90002, 101, 'Reference call for Contoso', '2025-05-11', NULL),
  (90003, 117, 'First paid contract',       '2025-04-26', NULL),
  -- bad data: an impossible due date (the row is skipped)
  (90004, 112, 'Partner webinar',           '2025-02-30', NULL);

DROP TABLE rep;
COMMIT;
