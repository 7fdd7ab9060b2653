-- Deterministic demo data for the `hardware` pack (run after schema.sql).
--
-- A hardware vendor of about 320 staff, 144 of them (45%) in sales: the VP,
-- 4 directors, 12 supervisors and 127 reps (115 account managers in 11 teams,
-- 12 channel managers in one). Two years of data, from 2023-05-19 to the
-- demo's main date, Friday 2025-05-16 (week 7 of Q2, the week after the
-- calibration meeting):
--   rep_snapshot                 every other Friday, 127 reps x 53 snapshots
--   milestones                   design-win milestones, two per rep a quarter
--   goal_revisions               the calibration archive
--   line_revenue_snapshot        230 territories x 24 month ends
--   launch_schedule, deal_history the last year of new-line launches and deals
--   channel_inventory_snapshot   160 partners every other Friday
-- The story: bookings were flat through 2024, Q1 2025 fell 9.7% year on year
-- (every rep's Q1 2025 is 0.903 of Q1 2024), the vendor adopted the method
-- in Q2 and Q2 runs at 0.99 of last year. Evaluated as of 2025-05-16, a
-- handful of entities per rule and tier are in trouble, a few sit just short
-- of a threshold, and the rest are healthy. No random(): every "random"
-- figure is arithmetic on ids and period numbers.

------------------------------------------------------------------------------
-- Org chart: person 1 is the VP; 2-5 the directors (Americas, EMEA, APAC,
-- Channel); 11-22 the supervisors of teams 1-12 (teams 1-5 Americas, 6-8
-- EMEA, 9-11 APAC, 12 channel); reps 101-227 (rep 100 + i: account managers
-- i = 1..115 in team ((i - 1) % 11) + 1, channel managers i = 116..127 in
-- team 12).
------------------------------------------------------------------------------
INSERT INTO org_chart
WITH RECURSIVE
  p(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM p WHERE id < 227),
  fn(j, name) AS (VALUES (0, 'Ana'), (1, 'Ben'), (2, 'Chen'), (3, 'Dara'), (4, 'Emil'), (5, 'Fatima'),
    (6, 'Goran'), (7, 'Hana'), (8, 'Ivan'), (9, 'Julia'), (10, 'Kenji'), (11, 'Lena'), (12, 'Mateo'),
    (13, 'Nadia'), (14, 'Omar'), (15, 'Priya'), (16, 'Quinn'), (17, 'Rosa'), (18, 'Sven'), (19, 'Tariq'),
    (20, 'Uma'), (21, 'Viktor'), (22, 'Wei'), (23, 'Yara')),
  ln(j, name) AS (VALUES (0, 'Almeida'), (1, 'Becker'), (2, 'Costa'), (3, 'Dubois'), (4, 'Evans'),
    (5, 'Fischer'), (6, 'Garcia'), (7, 'Haddad'), (8, 'Ito'), (9, 'Jensen'), (10, 'Kowalski'), (11, 'Li'),
    (12, 'Moreau'), (13, 'Nakamura'), (14, 'Okafor'), (15, 'Petrov'), (16, 'Quist'), (17, 'Rossi'),
    (18, 'Silva'), (19, 'Tanaka'), (20, 'Novak'), (21, 'Vargas'), (22, 'Wang'), (23, 'Zhou')),
  person AS (
    SELECT id,
      CASE WHEN id = 1 THEN NULL
           WHEN id <= 5 THEN 1
           WHEN id <= 22 THEN CASE WHEN id <= 15 THEN 2 WHEN id <= 18 THEN 3 WHEN id <= 21 THEN 4 ELSE 5 END
           WHEN id <= 215 THEN 10 + ((id - 101) % 11) + 1
           ELSE 22 END AS manager,
      CASE WHEN id = 1 THEN 'VP Sales' WHEN id <= 5 THEN 'Director' WHEN id <= 22 THEN 'Supervisor'
           WHEN id <= 215 THEN 'Account manager' ELSE 'Channel manager' END AS title
    FROM p WHERE id <= 5 OR id BETWEEN 11 AND 22 OR id >= 101)
SELECT id, manager, fn.name || ' ' || ln.name, title
FROM person
JOIN fn ON fn.j = id % 24
JOIN ln ON ln.j = (id * 5 + id / 24) % 24
ORDER BY id;

------------------------------------------------------------------------------
-- The calibration archive. Older revisions (Q4 2024's calibration week,
-- a December one, one just outside the 13-week lookback) are audited
-- already. In the lookback: ten changes made in week 6 of Q2 (2025-05-05 to
-- 05-11), complete; three whose sign-offs are still due (yellow); four
-- invalid ones (red: a sign-off missing past the 10-day grace, a reason too
-- short or none); four made off-cycle (orange), one of them exactly 13 weeks
-- old. Goals are in thousands: old and new are a share of the rep's quarter
-- (annual / 4, the same formula as rep_snapshot's).
------------------------------------------------------------------------------
INSERT INTO goal_revisions
WITH r(id, i, on_, q, f_old, f_new, reason, s_off, p_off, f_off) AS (VALUES
  -- Q4 2024 calibration, long audited
  (1, 1, '2024-11-05', '2024-10-01', 1.05, 1.00, 'Old-line router orders moved to the NX-05 launch', 1, 2, 3),
  (2, 11, '2024-11-05', '2024-10-01', 1.00, 1.04, 'Two frame agreements renewed early, goal raised', 1, 1, 2),
  (3, 22, '2024-11-06', '2024-10-01', 1.05, 0.98, 'Distributor in the territory went bankrupt in October', 0, 1, 2),
  (4, 34, '2024-11-07', '2024-10-01', 1.00, 0.95, 'Largest account froze capital spending until Q1', 1, 1, 1),
  (5, 68, '2024-11-07', '2024-10-01', 1.00, 1.06, 'Won the state data-centre tender, delivery in Q4', 0, 0, 1),
  (6, 79, '2024-11-08', '2024-10-01', 1.05, 1.00, 'NX-05 slip of 37 days pushed two pilots into Q1', 2, 3, 3),
  -- off-cycle and unsigned, but older than the lookback
  (7, 101, '2024-12-20', '2024-10-01', 1.00, 0.90, 'quarter end', NULL, NULL, NULL),
  (8, 112, '2025-02-13', '2025-01-01', 1.00, 0.93, 'Customer moved the rollout to Q2 after budget review', 0, 0, 1),
  -- off-cycle in the lookback: orange (the first exactly 13 weeks before 2025-05-16)
  (9, 20, '2025-02-14', '2025-01-01', 1.00, 0.94, 'Customer moved the rollout to Q2 after budget review', 0, 1, 1),
  (10, 53, '2025-03-20', '2025-01-01', 1.00, 0.90, 'Old-line switch orders fell faster than the plan assumed', 0, 0, 1),
  (11, 96, '2025-04-25', '2025-04-01', 1.00, 0.95, 'Pilot at the largest account stopped by the customer', 0, 1, 1),
  (12, 8, '2025-05-13', '2025-04-01', 1.00, 0.95, 'Account handed over to the key-account team', 0, NULL, NULL),
  -- week 6 of Q2, complete (a sign-off a day or two after the meeting)
  (13, 4, '2025-05-05', '2025-04-01', 1.08, 1.00, 'NX-16 slipped 37 days: two pilots move into Q3', 0, 1, 2),
  (14, 16, '2025-05-05', '2025-04-01', 1.08, 1.00, 'Old-line storage contracts not renewed at two accounts', 1, 1, 2),
  (15, 27, '2025-05-06', '2025-04-01', 1.08, 1.00, 'Territory split: three accounts moved to rep 131', 0, 0, 1),
  (16, 49, '2025-05-06', '2025-04-01', 1.08, 1.00, 'Customer lab qualification takes eight weeks longer', 0, 1, 1),
  (17, 64, '2025-05-07', '2025-04-01', 1.08, 1.00, '核心功能延期三个月', 0, 1, 1),
  (18, 75, '2025-05-07', '2025-04-01', 1.08, 1.00, 'Frame agreement volume cut by the customer by 20%', 0, 0, 2),
  (19, 86, '2025-05-07', '2025-04-01', 1.08, 1.00, 'New-line price list not approved for the region yet', 1, 1, 1),
  (20, 99, '2025-05-08', '2025-04-01', 1.08, 1.00, 'Two design wins delayed by the NX-19 schedule', 0, 0, 0),
  (21, 108, '2025-05-08', '2025-04-01', 1.08, 1.00, 'Competitor undercut the old line by 15% in tenders', 0, 1, 1),
  (22, 117, '2025-05-09', '2025-04-01', 1.08, 1.00, 'Two partners in the channel consolidated into one', 0, 0, 1),
  -- week 6 of Q2, sign-offs still due within the 10-day grace: yellow
  (23, 6, '2025-05-06', '2025-04-01', 1.00, 0.95, 'Customer postponed the data-centre refresh to Q3', NULL, 0, 1),
  (24, 19, '2025-05-08', '2025-04-01', 1.00, 0.95, 'Pilot extended by the customer for a second site', 0, 1, NULL),
  (25, 30, '2025-05-09', '2025-04-01', 1.00, 0.95, 'Largest account merged, purchasing frozen for a month', 0, NULL, NULL),
  -- week 6 of Q2, invalid: red
  (26, 41, '2025-05-05', '2025-04-01', 1.00, 0.95, 'Tender cancelled by the ministry after the election', 0, 1, NULL),
  (27, 52, '2025-05-05', '2025-04-01', 1.00, 0.95, 'RMA wave on the G3 power supplies hit renewals', 0, 2, 15),
  (28, 63, '2025-05-07', '2025-04-01', 1.00, 0.95, 'adjust', 0, 1, 1),
  (29, 74, '2025-05-07', '2025-04-01', 1.00, 0.95, NULL, 0, 1, 2))
-- the sign-off columns are days after the revision (NULL: not signed)
SELECT id, 100 + i, on_, q,
       round((1600000 + ((i * 7919) % 23) * 100000) / 4.0 * f_old / 1000) * 1000,
       round((1600000 + ((i * 7919) % 23) * 100000) / 4.0 * f_new / 1000) * 1000,
       reason,
       date(on_, '+' || s_off || ' days'), date(on_, '+' || p_off || ' days'), date(on_, '+' || f_off || ' days')
FROM r ORDER BY id;

------------------------------------------------------------------------------
-- Rep snapshots, every other Friday k = 0..52 from 2023-05-19 to 2025-05-16.
-- Rep 100 + i books a quarter of its annual base A (1.6M-3.8M) a quarter,
-- times the quarter's factor (1.0 up to Q4 2024, 0.903 in Q1 2025, 0.99 in
-- Q2 2025), in a straight line over the quarter's days (+-1% noise). Its
-- goal is A / 4 a quarter; in Q2 2025 chosen reps' goals are higher (they
-- fall behind the pro-rated plan) and approved revisions lower some. Healthy
-- quote-to-order stays within 8% of the rep's baseline, signed contracts
-- grow 0.4% a fortnight (+-1%, never two falls in a row), and negative
-- feedback is at most one item in any three snapshots.
------------------------------------------------------------------------------
INSERT INTO rep_snapshot
WITH RECURSIVE
  r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 127),
  s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 52),
  -- (each list below is by i: rep 100 + i)
  -- Q2 2025 goal factor: behind the pro-rated plan (pace about 0.99 / gf).
  -- Team 3 (i = 14, 47, 80), team 7 (18, 51, 84, 106) and team 10 (21, 32,
  -- 54, 65, 87) carry them, so those teams fall behind too.
  pace(i, gf) AS (VALUES (14, 1.15), (47, 1.15), (106, 1.15),
    (80, 1.35), (18, 1.35), (51, 1.35), (32, 1.35), (65, 1.35),
    (84, 1.6), (21, 1.6), (54, 1.6), (87, 1.6)),
  -- Q2 2024 factor: last year's Q2 was better, so Q2 2025 is down year on
  -- year (about 0.99 / f - 1). i = 56 is on leave: its placeholder is not judged.
  yoy(i, f) AS (VALUES (5, 1.07), (39, 1.07), (119, 1.07), (42, 1.18), (100, 1.18), (56, 1.18)),
  -- quote-to-order 26% under the baseline on these snapshots
  slump(i, k) AS (VALUES (9, 51), (9, 52), (33, 51), (33, 52), (61, 51), (61, 52), (121, 51), (121, 52),
    (70, 52),                 -- one snapshot only: no alert
    (88, 50), (88, 52)),      -- two snapshots, but 188 missed the one between: no alert
  -- signed contracts: a 14% drop at the last snapshot, a slide from k = 49,
  -- or near misses
  contract(i, kind, step) AS (VALUES (12, 'drop', 0.86), (77, 'drop', 0.86),
    (45, 'slide', 0.98), (123, 'slide', 0.98),
    (67, 'slide', 0.985),     -- slides 4.4% over three snapshots: no alert
    (92, 'late', 0.96)),      -- falls twice only (k = 51, 52): no alert
  -- negative feedback at k = 50, 51, 52
  feedback(i, f50, f51, f52) AS (VALUES (15, 1, 0, 2), (97, 1, 1, 2),
    (31, 1, 0, 1)),           -- two items in six weeks: no alert
  -- the last snapshot filed (k): 50 is 28 days old on 2025-05-16, 49 is 42;
  -- (i = 88 skipped k = 51 only)
  stop(i, last_k) AS (VALUES (26, 50), (71, 50), (125, 50), (38, 49), (83, 49),
    (59, 51)),                -- has not filed today's yet: not missing
  -- on leave (active = 0) from this snapshot on
  leave(i, from_k) AS (VALUES (56, 47), (111, 30)),
  -- what trouble reps wrote on their last form
  said(i, obstacles, help) AS (VALUES
    (14, 'goal assumes NX-16 shipping in April', 'revisit the Q2 goal at calibration'),
    (80, 'two old-line renewals lost to a competitor', 'pricing approval for a frame agreement'),
    (84, 'main account frozen purchasing after its merger', 'director call with the customer'),
    (21, 'territory reassigned mid-quarter, pipeline rebuilt', 'pre-sales engineer for two pilots'),
    (9, 'quotes stuck on NX lead times of 14 weeks', 'firm delivery dates from supply chain'),
    (33, 'competitor discounting the old line by 20%', 'pricing approval for a frame agreement'),
    (61, 'customers wait for the NX-19 launch', 'evaluation units of NX-19'),
    (121, 'two partners cut quotes after a price change', 'channel promotion budget'),
    (12, 'key account moved its frame agreement to a competitor', 'executive sponsor for the account'),
    (77, 'customer cancelled the unshipped part of an old-line order', 'replacement offer on the new line'),
    (45, 'old-line frame agreements expiring one by one', 'migration offer for old-line customers'),
    (123, 'partners return unsold old-line stock', 'channel stock rotation programme'),
    (15, 'RMA wave on G3 power supplies', 'field engineer at two sites'),
    (97, 'firmware bug escalated by three customers', 'engineering fix date')),
  rows AS (
    SELECT r.i, s.k, 100 + r.i AS rep_id,
      date('2023-05-19', '+' || (14 * s.k) || ' days') AS d,
      1600000 + ((r.i * 7919) % 23) * 100000 AS a,
      0.22 + ((r.i * 13) % 11) / 100.0 AS b,
      600000 + ((r.i * 31) % 17) * 50000 AS c,
      CASE WHEN r.i <= 115 THEN 10 + ((r.i - 1) % 11) + 1 ELSE 22 END AS sup,
      CASE WHEN leave.from_k IS NOT NULL AND s.k >= leave.from_k THEN 0 ELSE 1 END AS active
    FROM r CROSS JOIN s
    LEFT JOIN stop ON stop.i = r.i
    LEFT JOIN leave ON leave.i = r.i
    WHERE (stop.last_k IS NULL OR s.k <= stop.last_k)
      AND NOT (r.i = 88 AND s.k = 51)),
  quarters AS (
    SELECT *,
      date(d, 'start of month', '-' || ((CAST(strftime('%m', d) AS INTEGER) - 1) % 3) || ' months') AS qs
    FROM rows),
  figures AS (
    SELECT q.*,
      julianday(d) - julianday(qs) + 1 AS di,
      julianday(date(qs, '+3 months', '-1 day')) - julianday(qs) + 1 AS dq,
      CASE WHEN qs = '2025-04-01' THEN 0.99
           WHEN qs = '2025-01-01' THEN 0.903
           WHEN qs = '2024-04-01' THEN coalesce(yoy.f, 1.0)
           ELSE 1.0 END AS g,
      CASE WHEN qs = '2025-04-01' THEN coalesce(pace.gf, 1.0) ELSE 1.0 END AS gf,
      -- the Q2 2025 revision in force: approved (all three signed) by the snapshot date
      (SELECT CASE WHEN max(gr.sales_signoff, gr.product_signoff, gr.finance_signoff) <= q.d THEN gr.new_goal ELSE gr.old_goal END
         FROM goal_revisions gr
        WHERE gr.rep_id = q.rep_id AND gr.goal_quarter = '2025-04-01' AND q.qs = '2025-04-01') AS revised_goal,
      coalesce(said.obstacles, CASE (q.i + q.k) % 8 WHEN 0 THEN 'none' WHEN 2 THEN 'customer lab slot for the pilot delayed'
        WHEN 3 THEN 'old-line price pressure from competitors' WHEN 4 THEN 'waiting for NX evaluation units'
        WHEN 5 THEN 'customer budget freeze until next quarter' WHEN 7 THEN 'long qualification cycle at the account' END) AS obstacles,
      coalesce(said.help, CASE (q.i + 2 * q.k) % 6 WHEN 1 THEN 'pre-sales engineer for a pilot' WHEN 2 THEN 'two more evaluation units'
        WHEN 4 THEN 'pricing approval for a frame agreement' WHEN 5 THEN 'product manager at the customer review' END) AS help
    FROM quarters q
    LEFT JOIN yoy ON yoy.i = q.i
    LEFT JOIN pace ON pace.i = q.i
    LEFT JOIN said ON said.i = q.i AND q.k = 52),
  contracts AS (
    SELECT f.*,
      round(CASE
        WHEN ct.kind = 'drop' AND f.k = 52 THEN f.c * (1 + 0.004 * 51) * (1 + (((f.i + 51) % 3) - 1) / 100.0) * ct.step
        WHEN ct.kind = 'slide' AND f.k >= 49 THEN f.c * (1 + 0.004 * 48) * (1 + (((f.i + 48) % 3) - 1) / 100.0)
          * CASE f.k WHEN 49 THEN ct.step WHEN 50 THEN ct.step * ct.step WHEN 51 THEN ct.step * ct.step * ct.step
                     ELSE ct.step * ct.step * ct.step * ct.step END
        WHEN ct.kind = 'late' AND f.k >= 51 THEN f.c * (1 + 0.004 * 50) * (1 + (((f.i + 50) % 3) - 1) / 100.0)
          * CASE f.k WHEN 51 THEN ct.step ELSE ct.step * ct.step END
        ELSE f.c * (1 + 0.004 * f.k) * (1 + (((f.i + f.k) % 3) - 1) / 100.0) END) AS contract_amount
    FROM figures f LEFT JOIN contract ct ON ct.i = f.i)
SELECT x.rep_id, x.d, o.full_name, x.sup, x.active,
  coalesce(x.revised_goal, round(x.a / 4.0 * x.gf / 1000) * 1000),
  round(x.a / 4.0 * x.g * x.di / x.dq * (1 + (((x.i * 3 + x.k * 5) % 5) - 2) / 200.0)),
  CASE WHEN x.active = 0 THEN NULL
       WHEN sl.i IS NOT NULL THEN round(x.b * 0.74, 3)
       ELSE round(x.b * (1 + (((x.i + 2 * x.k) % 9) - 4) / 50.0), 3) END,
  round(x.b, 3),
  x.contract_amount,
  CASE WHEN x.active = 0 THEN 0
       WHEN fb.i IS NOT NULL AND x.k >= 50 THEN CASE x.k WHEN 50 THEN fb.f50 WHEN 51 THEN fb.f51 ELSE fb.f52 END
       WHEN (x.i + x.k) % 7 = 0 THEN 1 ELSE 0 END,
  CASE WHEN x.active = 0 THEN 'on leave' ELSE x.obstacles END,
  CASE WHEN x.active = 0 THEN NULL ELSE x.help END
FROM contracts x
JOIN org_chart o ON o.person_id = x.rep_id
LEFT JOIN slump sl ON sl.i = x.i AND sl.k = x.k
LEFT JOIN feedback fb ON fb.i = x.i
ORDER BY x.rep_id, x.d;

-- Bad data: a rep's latest bookings typed as text before the ERP figure came
-- in, a hand-made snapshot dated on a day April does not have, and a
-- snapshot sent twice (the first with a contract figure missing a digit; the
-- later, corrected row wins).
UPDATE rep_snapshot SET qtd_bookings = 'pending' WHERE rep_id = 148 AND snapshot_date = '2025-05-16';
INSERT INTO rep_snapshot
SELECT rep_id, '2025-04-31', rep_name, supervisor_id, active, quarter_goal, qtd_bookings, quote_to_order,
       baseline_quote_to_order, contract_amount, negative_feedback, obstacles, help_needed
  FROM rep_snapshot WHERE rep_id = 150 AND snapshot_date = '2025-05-02';
UPDATE rep_snapshot SET contract_amount = round(contract_amount / 10)
 WHERE rep_id = 210 AND snapshot_date = '2025-05-16';
INSERT INTO rep_snapshot
SELECT rep_id, snapshot_date, rep_name, supervisor_id, active, quarter_goal, qtd_bookings, quote_to_order,
       baseline_quote_to_order, contract_amount * 10, negative_feedback, obstacles, help_needed
  FROM rep_snapshot WHERE rep_id = 210 AND snapshot_date = '2025-05-16';

------------------------------------------------------------------------------
-- Design-win milestones: two per rep a quarter (due 45 days apart), reached
-- on time or early; milestones due after 2025-05-16 are open. Chosen reps
-- have late ones.
------------------------------------------------------------------------------
INSERT INTO milestones
WITH RECURSIVE
  r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 127),
  j(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM j WHERE n < 16),
  kinds(m, kind) AS (VALUES (0, 'samples shipped'), (1, 'pilot started'), (2, 'pilot accepted'),
    (3, 'design win'), (4, 'first volume order')),
  ms AS (
    SELECT r.i, j.n, date('2023-06-02', '+' || (j.n * 45 + (r.i * 11) % 40) || ' days') AS due
    FROM r CROSS JOIN j)
SELECT 100 * (100 + ms.i) + ms.n, 100 + ms.i,
  CASE (ms.i + ms.n) % 8 WHEN 0 THEN 'Contoso' WHEN 1 THEN 'Globex' WHEN 2 THEN 'Initech' WHEN 3 THEN 'Umbrella'
    WHEN 4 THEN 'Stark Industries' WHEN 5 THEN 'Wayne Enterprises' WHEN 6 THEN 'Tyrell' ELSE 'Cyberdyne' END
    || ' ' || printf('%02d', (ms.i * 37 + ms.n) % 60),
  kinds.kind, ms.due,
  CASE WHEN ms.due > '2025-05-16' THEN NULL ELSE date(ms.due, '-' || ((ms.i + ms.n) % 4) || ' days') END
FROM ms JOIN kinds ON kinds.m = ms.n % 5
ORDER BY 1;

INSERT INTO milestones VALUES
  (990001, 102, 'Globex 17', 'pilot accepted', '2025-05-10', NULL),            -- 6 days late: yellow
  (990002, 124, 'Initech 05', 'design win', '2025-04-28', NULL),               -- 18 days late: yellow
  (990003, 135, 'Tyrell 41', 'samples shipped', '2025-05-05', '2025-05-20'),   -- done only after 05-16: yellow
  (990004, 157, 'Umbrella 09', 'first volume order', '2025-04-11', NULL),      -- 35 days late: yellow
  (990005, 190, 'Cyberdyne 23', 'pilot started', '2025-05-09', NULL),          -- 7 days late: yellow
  (990006, 113, 'Contoso 30', 'pilot accepted', '2025-05-11', NULL),           -- exactly 5 days late: no alert
  (990007, 146, 'Stark Industries 12', 'design win', '2025-05-02', '2025-05-09'); -- late, but done: no alert

------------------------------------------------------------------------------
-- Line revenue, 230 territories (two per account manager: territory n
-- belongs to rep 100 + (n + 1) / 2, in that rep's team's region) at 24
-- month ends from 2023-05-31 to 2025-04-30. Healthy: the old line sheds
-- 1.5% of its starting revenue a month (+-0.5% noise) while the new line
-- ramps 3% of it a month, at 98-102% of plan. Chosen territories get, from
-- 2025-03 on, an old line falling faster (gap rule), or a plan the new line
-- misses in March and April (plan rule).
------------------------------------------------------------------------------
INSERT INTO line_revenue_snapshot
WITH RECURSIVE
  t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 230),
  m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < 24),
  gap(n, d) AS (VALUES            -- extra old-line decline a month, share of its start
    (7, 0.0525), (61, 0.0525), (113, 0.0525), (167, 0.0525), (199, 0.0525), (229, 0.0525),
    (23, 0.09), (89, 0.09), (142, 0.09), (211, 0.09),
    (41, 0.165), (128, 0.165), (185, 0.165)),
  plan(n, s23, s24) AS (VALUES    -- how far below plan the new line is in March / April 2025
    (11, 0.15, 0.18), (57, 0.15, 0.18), (97, 0.15, 0.18), (151, 0.15, 0.18), (222, 0.15, 0.18), (38, 0.15, 0.18),
    (17, 0.30, 0.33), (74, 0.30, 0.33), (136, 0.30, 0.33), (190, 0.30, 0.33),
    (29, 0.45, 0.52), (103, 0.45, 0.52), (176, 0.45, 0.52),
    (64, 0.20, 0.45),             -- two bad months, only the last one red-deep: yellow
    (80, 0.00, 0.50)),            -- one bad month only: no alert yet
  base AS (
    SELECT t.n, m.k,
      CASE WHEN ((t.n + 1) / 2 - 1) % 11 < 3 THEN 'NA' WHEN ((t.n + 1) / 2 - 1) % 11 < 5 THEN 'LATAM'
           WHEN ((t.n + 1) / 2 - 1) % 11 < 8 THEN 'EMEA' ELSE 'APAC' END AS region,
      date('2023-05-01', '+' || m.k || ' months', '-1 day') AS d,
      300000 + ((t.n * 7919) % 41) * 10000 AS o0,
      (300000 + ((t.n * 7919) % 41) * 10000) * (10 + (t.n * 104729) % 21) / 100.0 AS n0,
      coalesce(gap.d, 0) AS extra,
      CASE m.k WHEN 23 THEN coalesce(plan.s23, 0) WHEN 24 THEN coalesce(plan.s24, 0) ELSE 0 END AS s,
      (gap.n IS NOT NULL OR plan.n IS NOT NULL) AND m.k >= 21 AS clean
    FROM t CROSS JOIN m
    LEFT JOIN gap ON gap.n = t.n
    LEFT JOIN plan ON plan.n = t.n),
  figures AS (
    SELECT *,
      round(o0 * (1 - 0.015 * k)
            * CASE WHEN clean THEN 1 ELSE 1 + (((n * 13 + k * 7) % 5) - 2) / 400.0 END
            - o0 * extra * max(k - 21, 0)) AS old_rev,
      round((n0 + 0.03 * o0 * k)
            * CASE WHEN clean THEN 1 ELSE 0.98 + ((n * 31 + k * 17) % 5) / 100.0 END) AS new_rev
    FROM base)
SELECT region || '-' || printf('%03d', n), d, region, 100 + (n + 1) / 2,
       old_rev, new_rev,
       CASE WHEN s > 0 THEN round(new_rev / (1 - s)) ELSE round(n0 + 0.03 * o0 * k) END
FROM figures
ORDER BY n, k;

-- Bad data: an unfinished April figure typed as text, and a hand-made row
-- dated on a day February does not have (the real February row exists).
UPDATE line_revenue_snapshot SET old_line_revenue = 'TBD'
 WHERE territory_id = 'APAC-150' AND snapshot_date = '2025-04-30';
INSERT INTO line_revenue_snapshot
SELECT territory_id, '2025-02-30', region, account_manager_id, old_line_revenue, new_line_revenue, new_line_plan
  FROM line_revenue_snapshot WHERE territory_id = 'LATAM-095' AND snapshot_date = '2025-02-28';

------------------------------------------------------------------------------
-- Launch schedule: 24 products planned 20 days apart from 2024-08-01, one
-- baseline revision each on 2024-05-17, then a few slips.
------------------------------------------------------------------------------
INSERT INTO launch_schedule
WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 24)
SELECT 'NX-' || printf('%02d', n), '2024-05-17',
       CASE n % 6 WHEN 0 THEN 'Edge Switch' WHEN 1 THEN 'Core Router' WHEN 2 THEN 'Storage Array'
                  WHEN 3 THEN 'Rack Server' WHEN 4 THEN 'Access Point' ELSE 'Firewall' END
         || ' G' || (2 + (n - 1) / 6),
       date('2024-08-01', '+' || ((n - 1) * 20) || ' days'),
       date('2024-08-01', '+' || ((n - 1) * 20) || ' days'),
       301 + n % 5
FROM p;

INSERT INTO launch_schedule
WITH s(pid, rev, slip) AS (VALUES
        ('NX-05', '2024-10-01', 37),   -- slipped, shipped long ago
        ('NX-12', '2025-01-15', 40),   -- slipped ...
        ('NX-12', '2025-03-17', 10),   -- ... and mostly recovered
        ('NX-16', '2025-04-05', 37),   -- slips past many promises
        ('NX-19', '2025-04-28', 71),   -- slips far past them
        ('NX-21', '2025-05-11', 16))   -- small slip, eats the promise margin
SELECT ls.product_id, s.rev, ls.product_name, ls.planned_ship_date,
       date(ls.planned_ship_date, '+' || s.slip || ' days'), ls.product_manager_id
FROM s
JOIN launch_schedule ls ON ls.product_id = s.pid AND ls.revision_date = '2024-05-17';

------------------------------------------------------------------------------
-- Deals: 420 deal ids over the products, 388 of them created by 2025-05-16,
-- owned by the account managers (reps 101-215).
-- A deal is created 60-259 days before its product's planned ship date,
-- promised 7-96 days after it,
-- committed 21 days after creation (4 in 5 deals), lost (1 in 17) or
-- delivered once both the promise and the product's ship date have passed.
------------------------------------------------------------------------------
INSERT INTO deal_history
WITH RECURSIVE
  dd(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM dd WHERE n < 420),
  cur AS (                          -- the schedule in force at the end of the data
    SELECT product_id, planned_ship_date, current_ship_date FROM launch_schedule ls
     WHERE revision_date = (SELECT max(revision_date) FROM launch_schedule x
                             WHERE x.product_id = ls.product_id AND x.revision_date <= '2025-05-16')),
  deal AS (
    SELECT n, 'NX-' || printf('%02d', 1 + (n * 7) % 24) AS pid,
      101 + (n * 13) % 115 AS am,
      CASE n % 8 WHEN 0 THEN 'Contoso' WHEN 1 THEN 'Globex' WHEN 2 THEN 'Initech' WHEN 3 THEN 'Umbrella'
                 WHEN 4 THEN 'Stark Industries' WHEN 5 THEN 'Wayne Enterprises' WHEN 6 THEN 'Tyrell' ELSE 'Cyberdyne' END
        || ' ' || printf('%02d', (n * 37) % 60) AS customer,
      20000 + ((n * 7919) % 97) * 2500 AS amount,
      n % 5 != 0 AS commits,
      n % 17 = 0 AS lost,
      CASE WHEN n % 3 = 0 THEN 'won' ELSE 'open' END AS commit_stage,
      max(date(cur.planned_ship_date, '-' || (60 + (n * 31) % 200) || ' days'), '2024-05-17') AS created,
      date(cur.planned_ship_date, '+' || (7 + (n * 53) % 90) || ' days') AS promised,
      cur.current_ship_date AS ship
    FROM dd JOIN cur ON cur.product_id = 'NX-' || printf('%02d', 1 + (dd.n * 7) % 24)),
  events(n, at, committed, stage) AS (
    SELECT n, created, 0, 'open' FROM deal
    UNION ALL
    SELECT n, date(created, '+21 days'), 1, commit_stage FROM deal WHERE commits
    UNION ALL
    SELECT n, date(created, '+50 days'), 0, 'lost' FROM deal WHERE lost
    UNION ALL
    SELECT n, max(promised, ship), commits, 'delivered' FROM deal
     WHERE NOT lost AND max(promised, ship) <= '2025-05-06')
SELECT deal.n, events.at, am, customer, pid, amount, events.committed, promised, events.stage
FROM events JOIN deal ON deal.n = events.n
WHERE events.at <= '2025-05-16'
ORDER BY deal.n, events.at;

-- Bad data: a promise typed as 31 September on an open committed deal of an
-- on-time product (the rule cannot read it, so that deal is not judged).
UPDATE deal_history SET promised_date = '2025-09-31' WHERE deal_id = 314;

------------------------------------------------------------------------------
-- Channel inventory: 160 partners report every other Friday from 2023-05-19
-- to 2025-05-16 (k = 0..52), to the 12 channel managers (reps 216-227).
-- Healthy weeks-on-hand cycle between 5.0 and 6.6 and never rise twice in a
-- row; chosen partners get the recent values below.
------------------------------------------------------------------------------
INSERT INTO channel_inventory_snapshot
WITH RECURSIVE
  p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 160),
  s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 52),
  shape(g, k, w) AS (VALUES        -- recent weeks-on-hand per trouble pattern
    ('high', 49, 7.0), ('high', 50, 8.6), ('high', 51, 9.2), ('high', 52, 8.8),
    ('rising', 48, 5.0), ('rising', 49, 5.6), ('rising', 50, 6.3), ('rising', 51, 7.0), ('rising', 52, 7.6),
    ('rising_high', 49, 6.2), ('rising_high', 50, 7.1), ('rising_high', 51, 8.3), ('rising_high', 52, 9.4),
    ('flood', 50, 9.5), ('flood', 51, 11.0), ('flood', 52, 13.5),
    ('stuck', 49, 12.8), ('stuck', 50, 12.8), ('stuck', 51, 12.8), ('stuck', 52, 12.8),
    ('at_limit', 51, 8.0), ('at_limit', 52, 8.0),         -- exactly at the yellow line: fine
    ('two_rises', 50, 5.0), ('two_rises', 51, 6.5), ('two_rises', 52, 7.5),  -- rose twice only
    ('restock', 48, 3.2), ('restock', 49, 3.8), ('restock', 50, 4.5), ('restock', 51, 5.2), ('restock', 52, 5.9)),
  who(n, g) AS (VALUES
    (9, 'high'), (47, 'high'), (88, 'high'), (131, 'high'), (150, 'high'),
    (19, 'rising'), (102, 'rising'), (143, 'rising'),
    (64, 'rising_high'),
    (33, 'flood'), (117, 'flood'), (76, 'stuck'),
    (55, 'at_limit'), (90, 'two_rises'), (110, 'restock')),
  silent(n, last_k) AS (VALUES (71, 50), (125, 50), (98, 49), (159, 49)),  -- stopped reporting
  rows AS (
    SELECT p.n, s.k, date('2023-05-19', '+' || (14 * s.k) || ' days') AS d,
      coalesce(shape.w, round(5.0 + ((p.n * 7 + s.k * 3) % 5) * 0.4, 1)) AS w,
      round((200 + (p.n * 37) % 300) * (1 + (((p.n + s.k) % 7) - 3) / 50.0)) AS st
    FROM p CROSS JOIN s
    LEFT JOIN who ON who.n = p.n
    LEFT JOIN shape ON shape.g = who.g AND shape.k = s.k
    LEFT JOIN silent ON silent.n = p.n
    WHERE silent.n IS NULL OR s.k <= silent.last_k),
  stock AS (SELECT *, round(w * st / 2) AS on_hand FROM rows)
SELECT n,
  d,
  CASE n % 5 WHEN 0 THEN 'Apex IT' WHEN 1 THEN 'BlueRiver Systems' WHEN 2 THEN 'Cobalt Tech'
             WHEN 3 THEN 'Delta Networks' ELSE 'Evergreen Solutions' END || ' ' || printf('%03d', n),
  216 + n % 12,
  CAST(max(0, st + on_hand - coalesce(lag(on_hand) OVER (PARTITION BY n ORDER BY k), on_hand)) AS INTEGER),
  CAST(st AS INTEGER),
  CAST(on_hand AS INTEGER),
  w
FROM stock
ORDER BY n, k;

-- Bad data: a partner's latest weeks-on-hand sent as 'n/a', a report dated
-- 30 February, and a report sent twice (the later, corrected row wins).
UPDATE channel_inventory_snapshot SET weeks_on_hand = 'n/a'
 WHERE partner_id = 40 AND snapshot_date = '2025-05-16';
INSERT INTO channel_inventory_snapshot
SELECT partner_id, '2025-02-30', partner_name, channel_manager_id, sell_in_units, sell_through_units, units_on_hand, weeks_on_hand
  FROM channel_inventory_snapshot WHERE partner_id = 40 AND snapshot_date = '2025-02-21';
INSERT INTO channel_inventory_snapshot
SELECT partner_id, snapshot_date, partner_name, channel_manager_id, sell_in_units + 10, sell_through_units, units_on_hand + 10,
       round(weeks_on_hand + 0.1, 1)
  FROM channel_inventory_snapshot WHERE partner_id = 12 AND snapshot_date = '2025-05-16';
