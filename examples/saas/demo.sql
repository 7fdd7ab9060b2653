-- Deterministic demo data for the `saas` pack: 300 reps under 21 supervisors,
-- 2024-07-01 .. 2025-06-30, evaluated as of 2025-06-30.  No random():
-- "noise" is arithmetic on ids and dates.  Most reps are healthy; a few listed
-- reps (and three teams) are made to trip each rule and tier, and a few to
-- sit just under a threshold.  A handful of bad rows show the bad-data
-- diagnostics.
-- Load:  sqlite3 demo.db < schema.sql && sqlite3 demo.db < demo.sql
BEGIN;

-- ---------------------------------------------------------------- snapshots
-- Every other Friday from 2024-07-12 (k = 0) to 2025-06-27 (k = 25).
-- Special reps:
--   conversion_slump: 5 42 88 131 177 219 263 at 70% of baseline for k = 24, 25
--                     (42 has a wider band in rep_targets: no alert);
--                     6 150 only for k = 25 and 250 for k = 23, 24 (no alert)
--   revenue_at_risk:  17 64 101 146 208 255 291 lose 15% of contract amount at k = 25
--                     (18 loses 9%: no alert); 44 121 236 slide 2%, 2% and
--                     2.6% at k = 23..25 (6.5% in three declines; 237 slides
--                     3% in three: no alert; 238 loses 8% in two: no alert);
--                     11 54 97 183 226 269 get 1, 0, 2 negative feedback at
--                     k = 23..25 (12 gets 1, 0, 1: no alert)
--   snapshot_missing: 3 34 65 96 127 158 240 stop after k = 24 (yellow);
--                     9 115 168 274 stop after k = 22 (orange)
--   departed (last row active = 0, no alert): 20 139 197 after k = 15
--   on leave (active = 0 rows from k = 20): 45 233
-- Reps 1..15 moved from supervisor 9001 to 9021 on 2025-03-01.
-- quarter_goal is the rep's goal (300000 + ((rep_id * 7919) % 40) * 5000 a
-- quarter) until a signed goal revision replaces it (set at the end of this
-- file); quarter_bookings is set after the goal revisions too.
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
                WHEN rep.id IN (44, 121, 236) AND snap.k >= 23 THEN CASE snap.k WHEN 23 THEN 0.98 WHEN 24 THEN 0.96 ELSE 0.935 END
                WHEN rep.id = 237 AND snap.k >= 23 THEN CASE snap.k WHEN 23 THEN 0.99 WHEN 24 THEN 0.98 ELSE 0.97 END
                WHEN rep.id = 238 AND snap.k >= 24 THEN CASE snap.k WHEN 24 THEN 0.96 ELSE 0.92 END
                ELSE 1.0 END AS amount_factor,
           CASE WHEN rep.id IN (17, 64, 101, 146, 208, 255, 291, 18) AND snap.k = 25 THEN 24
                WHEN rep.id IN (44, 121, 236, 237, 238) AND snap.k > 22 THEN 22
                ELSE snap.k END AS amount_k
    FROM rep, snap
    WHERE NOT (rep.id IN (3, 34, 65, 96, 127, 158, 240) AND snap.k > 24)
      AND NOT (rep.id IN (9, 115, 168, 274) AND snap.k > 22)
      AND NOT (rep.id IN (20, 139, 197) AND snap.k > 15)
  )
INSERT INTO sales_snapshot (rep_id, snapshot_date, supervisor_id, active,
       conversion_rate, baseline_conversion, contract_amount, negative_feedback,
       quarter_goal, progress_note, blockers, help_needed)
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
       300000 + ((rep_id * 7919) % 40) * 5000,
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
       baseline_conversion, contract_amount, negative_feedback, quarter_goal, progress_note)
SELECT rep_id, snapshot_date, supervisor_id, active, conversion_rate, baseline_conversion,
       contract_amount, negative_feedback, quarter_goal, 'Re-submitted with corrected pipeline'
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

-- ------------------------------------------------------------- activity_log
-- One row per CRM record.  Each rep logs on every other weekday 1 to 3
-- records of activities 0 to 3 days old.  Month end is the last 3 days
-- (`month_end`): 29-31 May, 28-30 June.  Back-fills (records typed in at
-- month end, 10 to 19 days after the activity), in late May and late June:
--   activity_backfill yellow: 14 77 133 189 251 (8 records on 05-30 and on 06-30);
--                     orange: 38 172 299 (10 on 05-29, 05-30, 06-28 and 06-30);
--   team_backfill orange: team 9019, whose reps 272 273 275 276 277 278 279
--     282 283 284 back-fill 12 records each on 06-28 and 06-30 (6 on 05-30):
--     every one of them yellow on its own;
--   team_backfill yellow: team 9012, whose rep 172 is orange and 167 169 170
--     174 179 back-fill 5 records on 06-30 (2 on 05-30): under 20% each, no
--     alert on their own, but the team is over 10%.
-- No alert: 56 (3 records back-filled on 06-30, 11%), 90 (back-filled
-- mid-June, 06-10 to 06-12: not month end), 110 (records on 06-30 exactly
-- 7 days old: not more than backfill_lag).
WITH RECURSIVE
  rep(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM rep WHERE id < 300),
  day(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM day WHERE i < 364),
  n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < 29),
  g AS (
    SELECT rep.id AS rep_id, day.i AS i, date('2024-07-01', '+' || day.i || ' days') AS d
    FROM rep, day
  ),
  -- the day's back-filled records per rep (0: none)
  bf AS (
    SELECT rep_id, i, d,
           CASE WHEN rep_id IN (14, 77, 133, 189, 251) AND d IN ('2025-05-30', '2025-06-30') THEN 8
                WHEN rep_id IN (38, 172, 299) AND d IN ('2025-05-29', '2025-05-30', '2025-06-28', '2025-06-30') THEN 10
                WHEN rep_id IN (272, 273, 275, 276, 277, 278, 279, 282, 283, 284) AND d IN ('2025-06-28', '2025-06-30') THEN 6
                WHEN rep_id IN (272, 273, 275, 276, 277, 278, 279, 282, 283, 284) AND d = '2025-05-30' THEN 6
                WHEN rep_id IN (167, 169, 170, 174, 179) AND d = '2025-06-30' THEN 4
                WHEN rep_id IN (167, 169, 170, 174, 179) AND d = '2025-05-30' THEN 2
                WHEN rep_id = 56 AND d = '2025-06-30' THEN 3
                ELSE 0 END AS nbf
    FROM g
  ),
  entries AS (
    SELECT rep_id, i, d, nbf,
           CASE WHEN strftime('%w', d) BETWEEN '1' AND '5' AND (rep_id + i) % 2 = 0 THEN 1 + (rep_id * 5 + i) % 3
                ELSE 0 END AS nprompt,
           CASE WHEN rep_id = 90 AND d BETWEEN '2025-06-10' AND '2025-06-12' THEN 2
                WHEN rep_id = 110 AND d = '2025-06-30' THEN 10
                ELSE 0 END AS nother
    FROM bf
  ),
  days_logged AS MATERIALIZED (SELECT * FROM entries WHERE nprompt + nother + nbf > 0),
  rec AS (
    SELECT e.rep_id, e.i, e.d, n.j,
           CASE WHEN n.j < e.nprompt THEN date(e.d, '-' || ((e.rep_id * 3 + e.i + n.j) % 4) || ' days')
                WHEN n.j < e.nprompt + e.nother AND e.rep_id = 90 THEN date(e.d, '-14 days')
                WHEN n.j < e.nprompt + e.nother THEN date(e.d, '-7 days')
                ELSE date(e.d, '-' || (10 + (e.rep_id + n.j) % 10) || ' days') END AS happened
    FROM days_logged e JOIN n ON n.j < e.nprompt + e.nother + e.nbf
  )
INSERT INTO activity_log (activity_id, rep_id, supervisor_id, entered_date, happened_on, kind)
SELECT rep_id * 100000 + i * 30 + j, rep_id,
       CASE WHEN rep_id <= 15 AND d >= '2025-03-01' THEN 9021 ELSE 9001 + (rep_id - 1) / 15 END,
       d, happened,
       CASE (rep_id + i + j) % 4 WHEN 0 THEN 'call' WHEN 1 THEN 'meeting' WHEN 2 THEN 'demo' ELSE 'visit' END
FROM rec;
-- Bad data: an impossible entry date (the record is skipped) and an activity
-- date that is no date (read as null: a record, but not a back-fill).
INSERT INTO activity_log VALUES (9000001, 100, 9007, '2025-06-31', '2025-06-27', 'call');
INSERT INTO activity_log VALUES (9000002, 101, 9007, '2025-06-20', 'last week', 'visit');

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
-- Q4 2024: Nov 4-10, Q2 2025: May 5-11), with reasons and all three
-- sign-offs within four days (so on 2025-05-08, the night of the Q2
-- meeting, the ones still being signed are PENDING, yellow).  old_target is
-- the rep's goal.  Then the exceptions, as of 2025-06-30:
-- red 901 (no reason), 902 (reason 'n/a'), 903 (finance never signed),
-- 905 (off-cycle and product never signed), 908 (finance signs after as_of,
-- long after the 10-day grace);
-- yellow (PENDING, within the grace) 910 (off-cycle, 06-25, unsigned) and
-- 914 (off-cycle, 06-24, sales signed: rep 176 of supervisor 9012);
-- orange 904 (June, signed), 907 (May 13, week 7), 911 (2025-03-31: exactly
-- 13 weeks old);
-- no alert: 906 (Sunday May 11, last day of week 6), 915 (a complete
-- reason in Chinese, 9 characters of display width 18), 909 and 912 (older
-- than 13 weeks).
WITH RECURSIVE r(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM r WHERE id < 120),
  rv AS (
    SELECT id, 1 + (id * 53) % 300 AS rep,
           CASE WHEN id <= 50 THEN date('2024-11-04', '+' || (id % 7) || ' days')
                ELSE date('2025-05-05', '+' || (id % 7) || ' days') END AS d,
           CASE WHEN id <= 50 THEN '2024-Q4' ELSE '2025-Q2' END AS period
    FROM r
  )
INSERT INTO goal_revisions
SELECT id, rep, d, period, 300000 + ((rep * 7919) % 40) * 5000,
       round((300000 + ((rep * 7919) % 40) * 5000) * (0.85 + (id % 5) * 0.075) / 1000.0) * 1000,
       CASE id % 5 WHEN 0 THEN 'Territory reassigned in the regional reorganisation'
                   WHEN 1 THEN 'Largest account moved to the strategic accounts team'
                   WHEN 2 THEN 'Price increase raised the average deal size'
                   WHEN 3 THEN 'Feature launch slip moved two deals to next quarter'
                   ELSE 'Took over the book of a departed colleague' END,
       date(d, '+1 day'), date(d, '+2 days'), date(d, '+' || (2 + id % 3) || ' days')
FROM rv;
WITH x(revision_id, rep_id, revised_on, goal_period, factor, reason, sales_signoff, product_signoff, finance_signoff) AS (VALUES
  (901, 8, '2025-05-08', '2025-Q2', 0.85, NULL, '2025-05-09', '2025-05-09', '2025-05-12'),
  (902, 73, '2025-05-09', '2025-Q2', 0.9, 'n/a', '2025-05-09', '2025-05-12', '2025-05-12'),
  (903, 119, '2025-05-07', '2025-Q2', 0.9, 'Two renewals slipped after the customer merger', '2025-05-08', '2025-05-08', NULL),
  (904, 201, '2025-06-12', '2025-Q2', 0.85, 'Key account froze its budget for the rest of the year', '2025-06-13', '2025-06-13', '2025-06-16'),
  (905, 244, '2025-04-22', '2025-Q2', 0.85, 'Territory split with the new enterprise team', '2025-04-23', NULL, '2025-04-24'),
  (906, 33, '2025-05-11', '2025-Q2', 1.1, 'Inherited two expansion opportunities from partner team', '2025-05-12', '2025-05-13', '2025-05-13'),
  (907, 160, '2025-05-13', '2025-Q2', 0.9, 'Pricing change lowered the expected deal size', '2025-05-14', '2025-05-14', '2025-05-15'),
  (908, 280, '2025-05-10', '2025-Q2', 0.9, 'Champion left the largest account', '2025-05-12', '2025-05-12', '2025-07-02'),
  (909, 95, '2025-02-14', '2025-Q1', 0.87, NULL, '2025-02-14', '2025-02-17', '2025-02-17'),
  (910, 57, '2025-06-25', '2025-Q3', 0.75, 'Rep moving to part-time from July', NULL, NULL, NULL),
  (911, 132, '2025-03-31', '2025-Q1', 0.9, 'Customer insolvency removed the main renewal', '2025-03-31', '2025-04-01', '2025-04-01'),
  (912, 211, '2025-03-30', '2025-Q1', 0.94, 'Customer insolvency removed a mid-size renewal', '2025-03-31', '2025-04-01', '2025-04-01'),
  -- bad data: an impossible revision date (the row is skipped)
  (913, 99, '2025-04-31', '2025-Q2', 0.93, 'Typed the date by hand into the archive', '2025-05-02', '2025-05-02', '2025-05-02'),
  (914, 176, '2025-06-24', '2025-Q3', 0.8, 'Largest prospect moved its rollout to the fourth quarter', '2025-06-25', NULL, NULL),
  (915, 190, '2025-05-06', '2025-Q2', 0.85, '核心功能延期三个月', '2025-05-07', '2025-05-08', '2025-05-09'))
INSERT INTO goal_revisions
SELECT revision_id, rep_id, revised_on, goal_period, 300000 + ((rep_id * 7919) % 40) * 5000,
       round((300000 + ((rep_id * 7919) % 40) * 5000) * factor / 1000.0) * 1000, reason,
       sales_signoff, product_signoff, finance_signoff
FROM x;

-- ------------------------------------------------------- goals and bookings
-- A revision takes effect once all three have signed: from the first
-- snapshot on or after the last sign-off, it is the quarter_goal of its
-- quarter.
UPDATE sales_snapshot AS s
SET quarter_goal = (
  SELECT r.new_target FROM goal_revisions AS r
  WHERE r.rep_id = s.rep_id
    AND r.goal_period = strftime('%Y', s.snapshot_date) || '-Q' || ((CAST(strftime('%m', s.snapshot_date) AS INTEGER) + 2) / 3)
    AND max(r.sales_signoff, r.product_signoff, r.finance_signoff) <= s.snapshot_date
  ORDER BY r.revised_on DESC LIMIT 1)
WHERE EXISTS (
  SELECT 1 FROM goal_revisions AS r
  WHERE r.rep_id = s.rep_id
    AND r.goal_period = strftime('%Y', s.snapshot_date) || '-Q' || ((CAST(strftime('%m', s.snapshot_date) AS INTEGER) + 2) / 3)
    AND max(r.sales_signoff, r.product_signoff, r.finance_signoff) <= s.snapshot_date);
-- Bookings so far in the quarter: the goal in force, pro-rated to the
-- snapshot's day of the quarter (straight line), times the rep's pace
-- (0.86 to 1.23 of plan, a little noise per snapshot).  In 2025-Q2:
--   team 9017 (reps 241..255) runs at 45% to 94% of plan: the team is red
--     (under 68%), its reps orange (under 68%) or yellow (under 80%);
--   team 9005 (reps 61..75): six reps at 40% of plan, the team orange (under 80%);
--   rep 175 (team 9012) at 62% (orange) and 178 at 76% (yellow); 22 at 78%
--   (yellow); 23 at 82% (no alert).
-- Reps on leave or gone (active = 0) have no bookings.
WITH q AS (
  SELECT rowid AS rid, rep_id,
         date(snapshot_date, 'start of month', '-' || ((CAST(strftime('%m', snapshot_date) AS INTEGER) - 1) % 3) || ' months') AS qs,
         snapshot_date AS d,
         CAST(round((julianday(snapshot_date) - julianday('2024-07-12')) / 14) AS INTEGER) AS k
  FROM sales_snapshot WHERE active = 1 AND quarter_goal IS NOT NULL
),
p AS (
  SELECT rid, (julianday(d) - julianday(qs) + 1) / (julianday(date(qs, '+3 months')) - julianday(qs)) AS share,
         CASE WHEN qs = '2025-04-01' AND rep_id BETWEEN 241 AND 255 AND rep_id % 5 != 0
                THEN 0.45 + ((rep_id * 7) % 10) * 0.03
              WHEN qs = '2025-04-01' AND rep_id BETWEEN 241 AND 255 THEN 0.85 + ((rep_id * 3) % 10) / 100.0
              WHEN qs = '2025-04-01' AND rep_id IN (61, 63, 66, 68, 71, 74) THEN 0.40
              WHEN qs = '2025-04-01' AND rep_id = 175 THEN 0.62
              WHEN qs = '2025-04-01' AND rep_id = 178 THEN 0.76
              WHEN qs = '2025-04-01' AND rep_id = 22 THEN 0.78
              WHEN qs = '2025-04-01' AND rep_id = 23 THEN 0.82
              ELSE (0.86 + ((rep_id * 37 + CAST(strftime('%m', qs) AS INTEGER) * 11) % 38) / 100.0)
                   * (0.985 + ((rep_id + k) % 4) / 100.0) END AS pace
  FROM q
)
UPDATE sales_snapshot
SET quarter_bookings = (SELECT round(sales_snapshot.quarter_goal * p.share * p.pace, -2) FROM p WHERE p.rid = sales_snapshot.rowid)
WHERE rowid IN (SELECT rid FROM p);

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
-- The reps' names: 20 first names by (id - 1) % 20, 15 last names by
-- ((id - 1) % 20 + 7 * ((id - 1) / 20)) % 15, so the 300 names are all
-- different (7 is prime to 15).  The snapshots carry the name too (the
-- CRM copies it): the pack's rep sources read it as their `label`.
WITH RECURSIVE rep(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM rep WHERE id < 300),
  first(n, name) AS (VALUES (0, 'Maya'), (1, 'Omar'), (2, 'Elena'), (3, 'Marcus'), (4, 'Sofia'),
    (5, 'Daniel'), (6, 'Aisha'), (7, 'Lucas'), (8, 'Nina'), (9, 'Victor'), (10, 'Grace'),
    (11, 'Mateo'), (12, 'Hana'), (13, 'Oliver'), (14, 'Leila'), (15, 'Samuel'), (16, 'Ines'),
    (17, 'Felix'), (18, 'Zoe'), (19, 'Ethan')),
  last(n, name) AS (VALUES (0, 'Patel'), (1, 'Garcia'), (2, 'Johansson'), (3, 'Chen'), (4, 'Walsh'),
    (5, 'Bianchi'), (6, 'Adeyemi'), (7, 'Herrera'), (8, 'Lindqvist'), (9, 'Murphy'),
    (10, 'Yilmaz'), (11, 'Brennan'), (12, 'Nakamura'), (13, 'Petrov'), (14, 'Duarte'))
INSERT INTO org_chart (person_id, manager_id, full_name, title)
SELECT id, CASE WHEN id <= 15 THEN 9021 ELSE 9001 + (id - 1) / 15 END, first.name || ' ' || last.name,
       'Account executive'
FROM rep
JOIN first ON first.n = (id - 1) % 20
JOIN last ON last.n = ((id - 1) % 20 + 7 * ((id - 1) / 20)) % 15
ORDER BY id;
UPDATE sales_snapshot SET rep_name = (SELECT full_name FROM org_chart WHERE person_id = rep_id);
-- Everyone's mail address, except Robin Reyes (9005), who has none yet:
-- vigil deliver reports her digest instead of dropping it.
UPDATE org_chart SET email = lower(replace(full_name, ' ', '.')) || '@example.com' WHERE person_id <> 9005;

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
