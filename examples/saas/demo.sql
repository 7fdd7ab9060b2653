-- Deterministic demo data for the `saas` pack: 300 reps under 21 supervisors,
-- 2024-07-01 .. 2025-06-30, evaluated as of 2025-06-30.  No random():
-- "noise" is arithmetic on ids and dates.  Most reps are healthy; a few listed
-- reps are made to trip each rule and tier (and a few to sit just under a
-- threshold).  A handful of bad rows show the bad-data diagnostics.
-- Load:  sqlite3 demo.db < schema.sql && sqlite3 demo.db < demo.sql
BEGIN;

-- ---------------------------------------------------------------- snapshots
-- Every other Friday from 2024-07-12 (k = 0) to 2025-06-27 (k = 25).
-- Special reps:
--   conversion_slump: 5 42 88 131 177 219 263 at 70% of baseline for k = 24, 25
--                     (42 has a wider band in rep_targets: no alert);
--                     6 150 only for k = 25 and 250 for k = 23, 24 (no alert)
--   revenue_at_risk:  17 64 101 146 208 255 291 lose 15% of contract amount at k = 25
--                     (18 loses 9%: no alert); 11 54 97 183 226 269 get 1, 0, 2
--                     negative feedback at k = 23..25 (12 gets 1, 0, 1: no alert)
--   snapshot_missing: 3 34 65 96 127 158 240 stop after k = 24 (yellow);
--                     9 115 168 274 stop after k = 22 (orange)
--   departed (last row active = 0, no alert): 20 139 197 after k = 15
--   on leave (active = 0 rows from k = 20): 45 233
-- Reps 1..15 moved from supervisor 9001 to 9021 on 2025-03-01.
WITH RECURSIVE
  rep(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM rep WHERE id < 300),
  snap(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM snap WHERE k < 25),
  grid AS (
    SELECT rep.id AS rep_id, snap.k AS k,
           date('2024-07-12', '+' || (14 * snap.k) || ' days') AS d,
           0.12 + (rep.id % 9) * 0.01 AS base_conv,
           150000 + ((rep.id * 7919) % 200) * 1000 AS base_amount,
           rep.id IN (45, 233) AND snap.k >= 20 AS on_leave,
           rep.id IN (20, 139, 197) AND snap.k = 15 AS leaving,
           CASE WHEN rep.id IN (17, 64, 101, 146, 208, 255, 291) AND snap.k = 25 THEN 0.85
                WHEN rep.id = 18 AND snap.k = 25 THEN 0.91
                ELSE 1.0 END AS amount_factor,
           CASE WHEN rep.id IN (17, 64, 101, 146, 208, 255, 291, 18) AND snap.k = 25 THEN 24
                ELSE snap.k END AS amount_k
    FROM rep, snap
    WHERE NOT (rep.id IN (3, 34, 65, 96, 127, 158, 240) AND snap.k > 24)
      AND NOT (rep.id IN (9, 115, 168, 274) AND snap.k > 22)
      AND NOT (rep.id IN (20, 139, 197) AND snap.k > 15)
  )
INSERT INTO sales_snapshot (rep_id, snapshot_date, supervisor_id, active,
       conversion_rate, baseline_conversion, contract_amount, negative_feedback,
       progress_note, blockers, help_needed)
SELECT rep_id, d,
       CASE WHEN rep_id <= 15 AND d >= '2025-03-01' THEN 9021 ELSE 9001 + (rep_id - 1) / 15 END,
       CASE WHEN on_leave OR leaving THEN 0 ELSE 1 END,
       CASE WHEN on_leave OR leaving THEN 0
            WHEN rep_id IN (5, 42, 88, 131, 177, 219, 263) AND k >= 24 THEN round(base_conv * 0.7, 4)
            WHEN rep_id IN (6, 150) AND k = 25 THEN round(base_conv * 0.7, 4)
            WHEN rep_id = 250 AND k IN (23, 24) THEN round(base_conv * 0.7, 4)
            ELSE round(base_conv * (0.88 + ((rep_id * 7919 + k * 104729) % 30) / 100.0), 4) END,
       base_conv,
       round(base_amount * (1 + 0.015 * amount_k)
             * (0.98 + ((rep_id * 31 + amount_k * 17) % 5) / 100.0) * amount_factor, 0),
       CASE WHEN on_leave OR leaving THEN 0
            WHEN rep_id IN (11, 54, 97, 183, 226, 269) AND k BETWEEN 23 AND 25 THEN (k - 23) * (k - 23) / 2 + (k = 23)
            WHEN rep_id = 12 AND k BETWEEN 23 AND 25 THEN (k != 24)
            WHEN (rep_id * 7 + k * 13) % 17 = 0 THEN 1 ELSE 0 END,
       CASE WHEN on_leave THEN 'On parental leave'
            WHEN leaving THEN 'Last day; accounts handed over'
            ELSE CASE (rep_id + k) % 5
                   WHEN 0 THEN 'On track against quarterly goal'
                   WHEN 1 THEN 'Two enterprise deals in legal review'
                   WHEN 2 THEN 'Pipeline coverage 3x for the quarter'
                   WHEN 3 THEN 'Expansion deals moving; one renewal at risk'
                   ELSE 'New logos slower than planned' END END,
       CASE (rep_id * 3 + k) % 7
         WHEN 0 THEN 'Security questionnaires take two weeks'
         WHEN 1 THEN 'Waiting on a pricing exception'
         WHEN 2 THEN 'Champion left at a key account'
         ELSE NULL END,
       CASE (rep_id + k * 5) % 6
         WHEN 0 THEN 'Executive sponsor for a late-stage deal'
         WHEN 1 THEN 'Solution engineer time for demos'
         ELSE NULL END
FROM grid;

-- Bad data: a text value in a number column (an old snapshot of a healthy
-- rep), a snapshot saved twice (the later one counts), an impossible date.
UPDATE sales_snapshot SET conversion_rate = 'n/a' WHERE rep_id = 150 AND snapshot_date = '2024-11-29';
INSERT INTO sales_snapshot (rep_id, snapshot_date, supervisor_id, active, conversion_rate,
       baseline_conversion, contract_amount, negative_feedback, progress_note)
SELECT rep_id, snapshot_date, supervisor_id, active, conversion_rate, baseline_conversion,
       contract_amount, negative_feedback, 'Re-submitted with corrected pipeline'
FROM sales_snapshot WHERE rep_id = 200 AND snapshot_date = '2024-12-13';
INSERT INTO sales_snapshot (rep_id, snapshot_date, supervisor_id, active, conversion_rate,
       baseline_conversion, contract_amount, negative_feedback, progress_note)
VALUES (201, '2025-02-30', 9014, 1, 0.15, 0.15, 190000, 0, 'Typed the date by hand');

-- --------------------------------------------------------------- milestones
-- Seven milestones per rep, every ~61 days from 2024-08-01; done within four
-- days of the due date.  Open and late (milestone 5, due in June): reps
-- 2 30 61 99 122 160 205 246 287; rep 180's milestone 3 (February) is still
-- open.  Rep 51's June milestone is open exactly 5 days late (no alert), rep
-- 70's milestone 4 was done 20 days late (done: no alert).
WITH RECURSIVE
  rep(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM rep WHERE id < 300),
  n(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM n WHERE n < 6),
  m AS (
    SELECT rep.id AS rep_id, n.n AS n,
           date('2024-08-01', '+' || (n.n * 61 + rep.id % 28) || ' days') AS due
    FROM rep, n
  ),
  m2 AS (
    SELECT rep_id, n, due,
           CASE WHEN rep_id IN (2, 30, 61, 99, 122, 160, 205, 246, 287, 51) AND n = 5 THEN NULL
                WHEN rep_id = 180 AND n = 3 THEN NULL
                WHEN rep_id = 70 AND n = 4 THEN date(due, '+20 days')
                ELSE date(due, (((rep_id * 13 + n * 7) % 9) - 4) || ' days') END AS done
    FROM m
  )
INSERT INTO milestones (milestone_id, owner_id, name, due_date, done_date)
SELECT rep_id * 10 + n, rep_id,
       CASE n WHEN 0 THEN 'Q3 territory plan'
              WHEN 1 THEN 'Pipeline review'
              WHEN 2 THEN 'QBR deck for top accounts'
              WHEN 3 THEN 'Renewal playbook'
              WHEN 4 THEN 'Partner onboarding'
              WHEN 5 THEN 'Mid-year account plan'
              ELSE 'Q3 kickoff prep' END,
       due,
       CASE WHEN done > '2025-06-30' THEN NULL ELSE done END
FROM m2;
-- Bad data: an impossible due date (the row is skipped).
INSERT INTO milestones VALUES (9999, 77, 'Customer advisory board', '2025-02-30', NULL);

-- ----------------------------------------------------------- activity_daily
-- Each rep enters activities on every other weekday, at most 3 days after
-- they happened.  Back-filled at month end (last 7 days of June, oldest
-- activity 12-20 days old): 14 77 133 189 251 on 2 days (yellow), 38 172 299
-- on 5-6 days (orange); they did the same in late May (outside the 30 days).
-- No alert: 56 (one month-end day), 90 (back-fill mid-June), 110 (lag exactly 7 days).
WITH RECURSIVE
  rep(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM rep WHERE id < 300),
  day(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM day WHERE i < 364),
  g AS (
    SELECT rep.id AS rep_id, day.i AS i, date('2024-07-01', '+' || day.i || ' days') AS d
    FROM rep, day
  ),
  entries AS (
    SELECT rep_id, i, d FROM g
    WHERE strftime('%w', d) BETWEEN '1' AND '5'
      AND ((rep_id + i) % 2 = 0
           OR (rep_id IN (14, 77, 133, 189, 251, 38, 172, 299, 56, 90, 110)
               AND (d >= '2025-06-24' OR d BETWEEN '2025-05-26' AND '2025-05-30' OR d BETWEEN '2025-06-10' AND '2025-06-12')))
  )
INSERT INTO activity_daily (rep_id, entered_date, activity_count, earliest_activity)
SELECT rep_id, d,
       CASE WHEN rep_id IN (14, 77, 133, 189, 251, 38, 172, 299) AND d >= '2025-05-26'
                 AND (d <= '2025-05-30' OR d >= '2025-06-24') THEN 9 + (rep_id + i) % 7
            ELSE 1 + (rep_id * 5 + i) % 6 END,
       CASE WHEN rep_id IN (14, 77, 133, 189, 251) AND d IN ('2025-06-26', '2025-06-27', '2025-05-29', '2025-05-30')
              THEN date(d, '-12 days')
            WHEN rep_id IN (38, 172, 299) AND (d >= '2025-06-24' OR d BETWEEN '2025-05-26' AND '2025-05-30')
              THEN date(d, '-15 days')
            WHEN rep_id = 56 AND d = '2025-06-27' THEN date(d, '-12 days')
            WHEN rep_id = 90 AND d BETWEEN '2025-06-10' AND '2025-06-12' THEN date(d, '-14 days')
            WHEN rep_id = 110 AND d >= '2025-06-24' THEN date(d, '-7 days')
            ELSE date(d, '-' || ((rep_id * 3 + i) % 4) || ' days') END
FROM entries;
-- Rep 38 also spent Saturday 2025-06-28 catching up on three weeks of calls.
INSERT INTO activity_daily VALUES (38, '2025-06-28', 21, '2025-06-07');
-- Bad data: a text count and an impossible date (both Saturday rows).
INSERT INTO activity_daily VALUES (100, '2025-06-14', 'twelve', '2025-06-13');
INSERT INTO activity_daily VALUES (101, '2025-06-07', 3, '2025-06-31');

-- ----------------------------------------------------------------- features
-- 30 roadmap features that launch as planned, and three that slipped:
-- 31 (SCIM) from 2025-07-15 to 2025-08-05, 32 (EU residency) from 2025-06-16
-- to 2025-07-31 and then to 2025-10-15, 33 (Salesforce sync) from 2025-05-01
-- to 2025-06-02 (launched).
WITH RECURSIVE f(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM f WHERE id < 30)
INSERT INTO features (feature_id, updated_on, name, planned_launch, launch_date)
SELECT id, '2024-07-01',
       CASE id % 10 WHEN 0 THEN 'Audit log export' WHEN 1 THEN 'Custom roles'
                    WHEN 2 THEN 'Usage-based billing' WHEN 3 THEN 'HubSpot connector'
                    WHEN 4 THEN 'Data warehouse sync' WHEN 5 THEN 'Mobile approvals'
                    WHEN 6 THEN 'AI call summaries' WHEN 7 THEN 'Sandbox environments'
                    WHEN 8 THEN 'Multi-currency invoicing' ELSE 'Field-level encryption' END
         || ' v' || (1 + id / 10),
       date('2024-09-02', '+' || (id * 11) || ' days'),
       date('2024-09-02', '+' || (id * 11) || ' days')
FROM f;
-- Feature 5 was pulled in a week (a revision that is not a slip).
INSERT INTO features VALUES (5, '2024-08-15', 'Mobile approvals v1', '2024-10-27', '2024-10-20');
INSERT INTO features VALUES
  (31, '2025-01-15', 'SCIM provisioning', '2025-07-15', '2025-07-15'),
  (31, '2025-05-20', 'SCIM provisioning', '2025-07-15', '2025-08-05'),
  (32, '2024-11-01', 'EU data residency', '2025-06-16', '2025-06-16'),
  (32, '2025-03-03', 'EU data residency', '2025-06-16', '2025-07-31'),
  (32, '2025-06-10', 'EU data residency', '2025-06-16', '2025-10-15'),
  (33, '2025-01-10', 'Salesforce sync v2', '2025-05-01', '2025-05-01'),
  (33, '2025-04-10', 'Salesforce sync v2', '2025-05-01', '2025-06-02');

-- -------------------------------------------------------------------- deals
-- 1200 deals: created, then (maybe) committed three weeks later, then won or
-- lost on the close date; every fifth depends on one of features 1..30.
WITH RECURSIVE
  dl(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM dl WHERE id < 1200),
  d AS (
    SELECT id, 1 + (id * 37) % 300 AS owner,
           date('2024-07-01', '+' || ((id * 7) % 330) || ' days') AS created,
           12000 + ((id * 7919) % 150) * 1000 AS amount,
           CASE WHEN id % 5 = 0 THEN 1 + (id / 5) % 30 END AS feature,
           CASE id % 10 WHEN 0 THEN 'Acme' WHEN 1 THEN 'Globex' WHEN 2 THEN 'Initech'
                        WHEN 3 THEN 'Umbrella' WHEN 4 THEN 'Hooli' WHEN 5 THEN 'Vandelay'
                        WHEN 6 THEN 'Stark' WHEN 7 THEN 'Wayne' WHEN 8 THEN 'Wonka'
                        ELSE 'Tyrell' END || ' #' || id AS account
    FROM dl
  ),
  d2 AS (SELECT d.*, date(created, '+' || (45 + (id * 11) % 90) || ' days') AS close FROM d),
  v AS (
    SELECT id, created AS updated_on, 'open' AS stage, 0 AS committed, d2.* FROM d2
    UNION ALL
    SELECT id, date(created, '+21 days'), 'open', (id % 3 = 0), d2.* FROM d2
    UNION ALL
    SELECT id, close, CASE WHEN id % 4 = 0 THEN 'lost' ELSE 'won' END, (id % 3 = 0), d2.* FROM d2
  )
INSERT INTO deals (deal_id, updated_on, owner_id, account, stage, amount, close_date, committed, feature_id)
SELECT id, updated_on, owner, account, stage, amount, close, committed, feature
FROM v WHERE updated_on <= '2025-06-30';

-- Deals on the slipped features.  Alerts: 5001 (5 days), 5002 (16), 5005 (15),
-- 5010 (exactly 30: still orange) orange; 5004 (76) and 5008 (117, close date
-- already passed) red.  No alert: 5003 (launch before close), 5006 (not
-- committed), 5007 (lost), 5009 (feature launched), 5011 (unreadable close date).
INSERT INTO deals (deal_id, updated_on, owner_id, account, stage, amount, close_date, committed, feature_id) VALUES
  (5001, '2025-04-02', 21,  'Northwind Health',   'open', 84000,  '2025-07-31', 0, 31),
  (5001, '2025-05-05', 21,  'Northwind Health',   'open', 84000,  '2025-07-31', 1, 31),
  (5002, '2025-03-20', 66,  'Contoso Bank',       'open', 150000, '2025-07-20', 1, 31),
  (5003, '2025-04-11', 102, 'Fabrikam',           'open', 42000,  '2025-08-15', 1, 31),
  (5004, '2025-02-03', 143, 'Bundesdruck AG',     'open', 230000, '2025-05-30', 0, 32),
  (5004, '2025-03-10', 143, 'Bundesdruck AG',     'open', 230000, '2025-07-31', 1, 32),
  (5005, '2025-05-15', 188, 'Rijksdata BV',       'open', 96000,  '2025-09-30', 1, 32),
  (5006, '2025-04-22', 230, 'Lumen Retail',       'open', 38000,  '2025-07-15', 0, 32),
  (5007, '2025-03-01', 270, 'Cote Assurances',    'open', 120000, '2025-08-01', 1, 32),
  (5007, '2025-06-25', 270, 'Cote Assurances',    'lost', 120000, '2025-06-25', 1, 32),
  (5008, '2025-01-20', 281, 'Nordlicht Energie',  'open', 310000, '2025-06-20', 1, 32),
  (5009, '2025-02-14', 50,  'Blue Yonder Travel', 'open', 55000,  '2025-07-10', 1, 33),
  (5010, '2025-05-02', 12,  'Helvetia Logistik',  'open', 72000,  '2025-09-15', 1, 32),
  -- bad data: an impossible close date and a text amount
  (5011, '2025-04-30', 25,  'Iberia Foods',       'open', 'TBD',  '2025-06-31', 1, 32);

-- ----------------------------------------------------------- goal_revisions
-- 120 revisions made in the calibration weeks (week 6, Monday to Sunday:
-- Q4 2024: Nov 4-10, Q2 2025: May 5-11), with reasons and all three sign-offs.  Then the exceptions:
-- red 901 (no reason), 902 (reason 'n/a'), 903 (no finance), 905 (off-cycle
-- and no product), 908 (finance signs after as_of), 910 (off-cycle, unsigned);
-- orange 904 (June), 907 (May 13, week 7), 911 (2025-03-31: exactly 13 weeks
-- old); no alert: 906 (Sunday May 11, last day of week 6), 909 and 912 (older
-- than 13 weeks).
WITH RECURSIVE r(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM r WHERE id < 120),
  rv AS (
    SELECT id, 1 + (id * 53) % 300 AS rep,
           CASE WHEN id <= 50 THEN date('2024-11-04', '+' || (id % 7) || ' days')
                ELSE date('2025-05-05', '+' || (id % 7) || ' days') END AS d,
           CASE WHEN id <= 50 THEN '2024-Q4' ELSE '2025-Q2' END AS period,
           300000 + ((id * 7919) % 40) * 5000 AS old
    FROM r
  )
INSERT INTO goal_revisions
SELECT id, rep, d, period, old, round(old * (0.85 + (id % 5) * 0.075) / 1000.0) * 1000,
       CASE id % 5 WHEN 0 THEN 'Territory reassigned in the regional reorganisation'
                   WHEN 1 THEN 'Largest account moved to the strategic accounts team'
                   WHEN 2 THEN 'Price increase raised the average deal size'
                   WHEN 3 THEN 'Feature launch slip moved two deals to next quarter'
                   ELSE 'Took over the book of a departed colleague' END,
       date(d, '+1 day'), date(d, '+2 days'), date(d, '+' || (2 + id % 3) || ' days')
FROM rv;
INSERT INTO goal_revisions VALUES
  (901, 8,   '2025-05-08', '2025-Q2', 420000, 360000, NULL, '2025-05-09', '2025-05-09', '2025-05-12'),
  (902, 73,  '2025-05-09', '2025-Q2', 380000, 330000, 'n/a', '2025-05-09', '2025-05-12', '2025-05-12'),
  (903, 119, '2025-05-07', '2025-Q2', 500000, 450000, 'Two renewals slipped after the customer merger', '2025-05-08', '2025-05-08', NULL),
  (904, 201, '2025-06-12', '2025-Q2', 360000, 300000, 'Key account froze its budget for the rest of the year', '2025-06-13', '2025-06-13', '2025-06-16'),
  (905, 244, '2025-04-22', '2025-Q2', 410000, 340000, 'Territory split with the new enterprise team', '2025-04-23', NULL, '2025-04-24'),
  (906, 33,  '2025-05-11', '2025-Q2', 350000, 380000, 'Inherited two expansion opportunities from partner team', '2025-05-12', '2025-05-13', '2025-05-13'),
  (907, 160, '2025-05-13', '2025-Q2', 450000, 400000, 'Pricing change lowered the expected deal size', '2025-05-14', '2025-05-14', '2025-05-15'),
  (908, 280, '2025-05-10', '2025-Q2', 390000, 350000, 'Champion left the largest account', '2025-05-12', '2025-05-12', '2025-07-02'),
  (909, 95,  '2025-02-14', '2025-Q1', 300000, 260000, NULL, '2025-02-14', '2025-02-17', '2025-02-17'),
  (910, 57,  '2025-06-25', '2025-Q3', 420000, 310000, 'Rep moving to part-time from July', NULL, NULL, NULL),
  (911, 132, '2025-03-31', '2025-Q1', 330000, 300000, 'Customer insolvency removed the main renewal', '2025-03-31', '2025-04-01', '2025-04-01'),
  (912, 211, '2025-03-30', '2025-Q1', 330000, 310000, 'Customer insolvency removed a mid-size renewal', '2025-03-31', '2025-04-01', '2025-04-01'),
  -- bad data: an impossible revision date (the row is skipped)
  (913, 99,  '2025-04-31', '2025-Q2', 300000, 280000, 'Typed the date by hand into the archive', '2025-05-02', '2025-05-02', '2025-05-02');

-- ---------------------------------------------------------------- org chart
-- 300 reps under 21 supervisors (9001..9021), three directors (7 supervisors
-- each) under the VP of sales.  Reps 1..15 report to 9021 since 2025-03-01.
INSERT INTO org_chart (person_id, manager_id, full_name, title) VALUES
  (9001, 9501, 'Dana Kim', 'Sales supervisor'),
  (9002, 9501, 'Lee Haddad', 'Sales supervisor'),
  (9003, 9501, 'Sam Nguyen', 'Sales supervisor'),
  (9004, 9501, 'Alex Costa', 'Sales supervisor'),
  (9005, 9501, 'Robin Reyes', 'Sales supervisor'),
  (9006, 9501, 'Jordan Silva', 'Sales supervisor'),
  (9007, 9501, 'Casey Rossi', 'Sales supervisor'),
  (9008, 9502, 'Morgan Fischer', 'Sales supervisor'),
  (9009, 9502, 'Taylor Dubois', 'Sales supervisor'),
  (9010, 9502, 'Jamie Okafor', 'Sales supervisor'),
  (9011, 9502, 'Avery Tanaka', 'Sales supervisor'),
  (9012, 9502, 'Riley Ibarra', 'Sales supervisor'),
  (9013, 9502, 'Quinn Varga', 'Sales supervisor'),
  (9014, 9502, 'Drew Novak', 'Sales supervisor'),
  (9015, 9503, 'Harper Moreau', 'Sales supervisor'),
  (9016, 9503, 'Rowan Mensah', 'Sales supervisor'),
  (9017, 9503, 'Emery Sato', 'Sales supervisor'),
  (9018, 9503, 'Kai Park', 'Sales supervisor'),
  (9019, 9503, 'Sasha Larsen', 'Sales supervisor'),
  (9020, 9503, 'Noa Kowalski', 'Sales supervisor'),
  (9021, 9503, 'Jude Olsen', 'Sales supervisor'),
  (9501, 9900, 'Priya Raman', 'Director, West'),
  (9502, 9900, 'Tomas Berg', 'Director, Central'),
  (9503, 9900, 'Aiko Mori', 'Director, East'),
  (9900, NULL, 'Helen Achebe', 'VP Sales');
WITH RECURSIVE rep(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM rep WHERE id < 300)
INSERT INTO org_chart (person_id, manager_id, full_name, title)
SELECT id, CASE WHEN id <= 15 THEN 9021 ELSE 9001 + (id - 1) / 15 END, 'Rep ' || id, 'Account executive'
FROM rep;

-- ---------------------------------------------------------------- per-rep settings
-- Rep 42 is six weeks into a new territory: their supervisor agreed to a
-- wider conversion band (35%) until the territory settles, so the slump at
-- 70% of baseline that alerts for reps 5, 88, 131, ... does not for 42.
-- Rep 250 had the same agreement, which ended on 2025-06-01.
INSERT INTO rep_targets (rep_id, valid_from, slump, note) VALUES
  (42,  '2025-05-16', 0.35, 'New territory: wider band until it settles'),
  (250, '2025-03-01', 0.35, 'Covering a second territory'),
  (250, '2025-06-01', NULL, 'Back to one territory: the pack default again');

COMMIT;
