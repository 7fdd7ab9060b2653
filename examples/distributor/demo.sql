-- Deterministic demo data for the distributor pack: a manufacturer with 240
-- distributors under 24 channel managers (four regions), one year of dekads
-- from 2024-07-01 to 2025-06-30.  Evaluate it as of 2025-06-30 (a dekad end).
-- The database is the archive as it stood at the end of 2025-07-02: a few
-- briefs, payments and sign-offs are dated 07-01 or 07-02, after the
-- evaluation date, and do not count on 06-30 (as in a backtest).
-- Values come from arithmetic on ids and dekad numbers; nothing is random.
--
-- Which distributor alerts, by design (tests/demo.test holds the output):
--   receivable_age         unpaid invoices of 3, 118 (yellow), 55, 209
--                          (orange), 81 and 120 (red; 120 was terminated); 100
--                          has 90-day terms, so its April invoices are older
--                          than 60 days before they are due (orange); hand-made
--                          edges in the 900000 range.
--   collection_below_plan  5, 88 two dekads below plan (orange); 20, 133
--                          four or more (red); 41 only the last dekad (nothing).
--   slow_inventory_turnover 11, 152 over 60 days once (yellow); 30 over 90
--                          (orange); 47, 190 over 60 twice (orange); 99 at
--                          exactly 60 (nothing); 6's last close was loaded twice
--                          and the later load (95 -> 40 days) wins.
--   sell_through_slump     13, 74, 201 two dekads under 80% of baseline
--                          (orange); 14 only the last dekad (nothing).
--   order_volume_falling   44 orders down 30% (red); 9, 162 a slow slide (red).
--   complaints_cluster     33, 140 six complaints in three dekads (red).
--   brief_missing          21 (no 06-20 brief), 115 (only a draft), 64 and 171
--                          (06-20 brief filed 07-02, after as_of): yellow; 50
--                          (nothing since 05-20), 142 (nothing filed by 06-30
--                          since 05-20: "at least"): orange.
--   action_late            52, 92 and 176 (done only on 07-01): yellow; 136
--                          exactly 5 days late (nothing).
--   goal_attainment        77 ordering 70% of its usual in Q2 (72.2% of the
--                          pro-rated goal: orange), 104 and 222 85% (87.6%:
--                          yellow); eight of team 9219 (orange) and six of team
--                          9210 (80.4%: yellow).
--   team_attainment        team 9219 (orange) and 9210 (yellow), to their
--                          regional directors.
--   goal_revision_audit    revisions 3 and 8 pending (yellow), 5 and 6 outside
--                          a calibration window (orange), 4 (a sign-off missing
--                          past the grace), 7 and 11 (no real reason): red.

-- The 36 dekad ends: n = 0 (2024-07-10) .. 35 (2025-06-30); q = the quarter
-- (0 = 2024-Q3 .. 3 = 2025-Q2), 9 dekads each.
CREATE TEMP TABLE dekad_end AS
WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 11)
SELECT i * 3 + 0 AS n, date('2024-07-01', '+' || i || ' months', '+9 days') AS d FROM m
UNION ALL
SELECT i * 3 + 1, date('2024-07-01', '+' || i || ' months', '+19 days') FROM m
UNION ALL
SELECT i * 3 + 2, date('2024-07-01', '+' || (i + 1) || ' months', '-1 day') FROM m;

-- The org chart: the head of channel sales, four regional directors, 24
-- channel managers (six per region).
INSERT INTO org_chart (person_id, manager_id, full_name, title) VALUES
 (9001, NULL, 'Helen Zhao', 'Head of channel sales'),
 (9101, 9001, 'Marco Rossi', 'Regional director North'),
 (9102, 9001, 'Aisha Bello', 'Regional director South'),
 (9103, 9001, 'Li Na', 'Regional director East'),
 (9104, 9001, 'Tom Becker', 'Regional director West');
INSERT INTO org_chart (person_id, manager_id, full_name, title)
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 23),
nm(i, name) AS (VALUES (0,'Ana Costa'),(1,'Ben Okafor'),(2,'Chen Wei'),(3,'Dana Holm'),(4,'Eli Novak'),
  (5,'Fatima Khan'),(6,'Goran Ilic'),(7,'Hana Sato'),(8,'Ivan Petrov'),(9,'Jia Liu'),(10,'Karim Haddad'),
  (11,'Lena Fischer'),(12,'Marta Silva'),(13,'Nora Lind'),(14,'Omar Farouk'),(15,'Priya Nair'),
  (16,'Quinn Walsh'),(17,'Rosa Garcia'),(18,'Sven Berg'),(19,'Tomoko Ito'),(20,'Uma Rao'),
  (21,'Victor Moreau'),(22,'Wang Fang'),(23,'Yusuf Demir'))
SELECT 9201 + k.i, 9101 + k.i / 6, nm.name, 'Channel manager'
FROM k JOIN nm ON nm.i = k.i;

-- Distributors 1..240: manager 9201 + (id - 1) % 24, region by manager;
-- 231..240 signed on 2025-01-01, the others before the year began.
CREATE TEMP TABLE dist_base AS
WITH RECURSIVE r(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM r WHERE id < 240),
pre(i, name) AS (VALUES (0,'Anchor'),(1,'Beacon'),(2,'Cedar'),(3,'Delta'),(4,'Eagle'),(5,'Falcon'),
  (6,'Granite'),(7,'Harbor'),(8,'Ironwood'),(9,'Jade'),(10,'Keystone'),(11,'Lotus'),(12,'Meridian'),
  (13,'Northstar'),(14,'Orchid'),(15,'Pioneer'),(16,'Quarry'),(17,'Riverside'),(18,'Summit'),(19,'Tiger')),
suf(i, name) AS (VALUES (0,'Trading'),(1,'Supply'),(2,'Industrial'),(3,'Distribution'),(4,'Parts'),
  (5,'Equipment'),(6,'Machinery'),(7,'Hydraulics'),(8,'Motors'),(9,'Components'),(10,'Tools'),(11,'Logistics'))
SELECT r.id AS id,
       pre.name || ' ' || suf.name AS name,
       9201 + (r.id - 1) % 24 AS manager_id,
       CASE ((r.id - 1) % 24) / 6 WHEN 0 THEN 'North' WHEN 1 THEN 'South' WHEN 2 THEN 'East' ELSE 'West' END AS region,
       CASE WHEN r.id > 230 THEN '2025-01-01' ELSE '2024-07-01' END AS signed,
       CASE r.id WHEN 60 THEN '2025-03-01' WHEN 120 THEN '2025-04-01' WHEN 180 THEN '2025-05-01' END AS ended,
       -- sell-in per dekad, in whole currency units (sums stay exact)
       20000 + ((r.id * 7919) % 40) * 1000 AS base
FROM r JOIN pre ON pre.i = (r.id - 1) % 20 JOIN suf ON suf.i = ((r.id - 1) / 20) % 12;

INSERT INTO distributor (distributor_id, valid_from, name, region, manager_id, active)
SELECT id, signed, name, region, manager_id, 1 FROM dist_base;
-- six distributors move to channel manager 9224 (West) on 2025-04-01
INSERT INTO distributor (distributor_id, valid_from, name, region, manager_id, active)
SELECT id, '2025-04-01', name, 'West', 9224, 1 FROM dist_base WHERE id % 40 = 17;
-- three contracts terminated
INSERT INTO distributor (distributor_id, valid_from, name, region, manager_id, active)
SELECT id, ended, name, region, manager_id, 0 FROM dist_base WHERE ended IS NOT NULL;

-- The distributor-dekads under contract, with the manager and region in force.
CREATE TEMP TABLE dd AS
SELECT b.id, e.n, e.d, e.n / 9 AS q, b.base,
       CASE WHEN b.id % 40 = 17 AND e.d >= '2025-04-01' THEN 9224 ELSE b.manager_id END AS manager_id,
       CASE WHEN b.id % 40 = 17 AND e.d >= '2025-04-01' THEN 'West' ELSE b.region END AS region
FROM dist_base b JOIN dekad_end e ON e.d >= b.signed AND (b.ended IS NULL OR e.d < b.ended);

-- ---- Calibration: channel policies and the goal-revision archive ----------

INSERT INTO channel_policy (policy_id, effective_from, region, title) VALUES
 (1, '2025-01-01', 'ALL',  '2025-Q1 rebate programme'),
 (2, '2025-04-01', 'ALL',  '2025-Q2 rebate programme: volume tiers raised 5%'),
 (3, '2025-06-16', 'East', 'East: hydraulics list prices down 4%'),
 (4, '2025-07-01', 'ALL',  '2025-Q3 rebate programme');                   -- not in effect on 06-30

-- old_goal is the quarter goal the closes carry (base x 9 dekads x 0.97).
INSERT INTO goal_revisions (revision_id, distributor_id, revised_on, goal_quarter, old_goal, new_goal, policy_id, reason,
                            sales_signoff, product_signoff, finance_signoff)
WITH v(revision_id, distributor_id, revised_on, goal_quarter, factor, policy_id, reason, s, p, f) AS (VALUES
 -- in the Q2 policy window, reasoned and signed: fine
 (1,  7, '2025-04-03', '2025-04-01', 0.95, 2,    'Q2 volume tiers raised: goal follows the new rebate thresholds', '2025-04-04', '2025-04-07', '2025-04-08'),
 -- at the quarter's calibration meeting (week 6 of Q2: 05-05 to 05-11): fine
 (2,  8, '2025-05-06', '2025-04-01', 0.92, NULL, 'Key customer moved production abroad; orders down for two quarters', '2025-05-06', '2025-05-07', '2025-05-09'),
 -- East price change: sign-offs pending, 10 days = the grace: yellow
 (3, 15, '2025-06-20', '2025-04-01', 0.96, 3,    'East list prices down 4%: sell-in value falls with them', '2025-06-21', '2025-06-23', NULL),
 -- East price change: finance missing after 13 days: red
 (4, 16, '2025-06-17', '2025-04-01', 0.96, 3,    'East list prices down 4%: sell-in value falls with them', '2025-06-18', '2025-06-18', NULL),
 -- week 10 of Q2, no policy: off-cycle, orange
 (5, 25, '2025-06-02', '2025-04-01', 0.90, NULL, 'Distributor asked for a lower goal after a slow May', '2025-06-03', '2025-06-04', '2025-06-05'),
 -- cites the East price change but is a North distributor: orange
 (6, 26, '2025-06-18', '2025-04-01', 0.96, 3,    'Follow the East price change for this distributor too', '2025-06-19', '2025-06-19', '2025-06-20'),
 -- a "reason" of two CJK characters (4 columns): red
 (7, 39, '2025-06-18', '2025-04-01', 0.96, 3,    '调价', '2025-06-19', '2025-06-19', '2025-06-20'),
 -- a CJK reason of 12 characters (24 columns); finance signs on 07-01, after as_of: pending, yellow
 (8, 40, '2025-06-24', '2025-04-01', 0.96, 3,    '华东液压件降价，提货金额随之下降', '2025-06-25', '2025-06-26', '2025-07-01'),
 -- at the calibration meeting, a CJK reason (13 characters): fine
 (9, 62, '2025-05-07', '2025-04-01', 0.93, NULL, '核心客户流失，季度目标下调七个点', '2025-05-07', '2025-05-08', '2025-05-08'),
 -- an old off-cycle, unsigned revision, audited in Q1: outside the lookback
 (10, 95, '2025-02-10', '2025-01-01', 0.90, NULL, 'n/a', NULL, NULL, NULL),
 -- in the Q2 policy window and signed, but the reason is blank: red
 (11, 87, '2025-04-10', '2025-04-01', 0.95, 2,    '   ', '2025-04-11', '2025-04-11', '2025-04-14'))
SELECT v.revision_id, v.distributor_id, v.revised_on, v.goal_quarter, b.base * 9 * 0.97,
       round(b.base * 9 * 0.97 * v.factor), v.policy_id, v.reason, v.s, v.p, v.f
FROM v JOIN dist_base b ON b.id = v.distributor_id;

-- ---- The ten-day close ----------------------------------------------------

-- Sell-in per dekad: base x 1.2, 0.8, 1.0 over each month's three dekads (so
-- any three dekads in a row add up to 3 x base), times a scenario factor.
CREATE TEMP TABLE orders AS
SELECT id, n, d, q, manager_id, region, base,
       round(base * (CASE n % 3 WHEN 0 THEN 1.2 WHEN 1 THEN 0.8 ELSE 1.0 END) *
         CASE
           WHEN id = 44 AND n >= 33 THEN 0.7                                    -- orders down 30%
           WHEN id IN (9, 162) AND n >= 30 THEN 1 - 0.025 * (n - 29)            -- a slow slide
           WHEN id = 77 AND q = 3 THEN 0.7                                      -- far behind the goal
           WHEN id IN (104, 222) AND q = 3 THEN 0.85                            -- behind the goal
           WHEN (id - 1) % 24 = 18 AND id NOT IN (67, 211) AND q = 3 THEN 0.7   -- team 9219 behind
           WHEN id IN (10, 34, 58, 82, 106, 130) AND q = 3 THEN 0.78            -- six of team 9210
           ELSE 1 END) AS order_amount
FROM dd;

INSERT INTO dekad_close (distributor_id, period_end, manager_id, region, order_amount, qtd_orders, quarter_goal,
                         amount_due, amount_collected, plan_rate, sell_out, sell_through, baseline_sell_through,
                         stock_value, stock_days, complaints)
SELECT id, d, manager_id, region, order_amount,
       sum(order_amount) OVER (PARTITION BY id, q ORDER BY n),
       base * 9 * 0.97,
       due, round(due * rate), plan, round(sell_through * base * 1.3), sell_through, baseline,
       round(stock_days * base / 10.0 * 0.9), stock_days, complaints
FROM (SELECT o.*,
             round(o.base * 0.9 + (o.id * 7919 + o.n * 104729) % 5000) AS due,
             0.85 + (o.id % 4) * 0.03 AS plan,
             0.85 + (o.id % 4) * 0.03 +
               CASE WHEN o.id IN (20, 133) AND o.n >= 32 THEN -0.04 - ((o.id * 13 + o.n * 7) % 6) * 0.01   -- red: four dekads below
                    WHEN o.id IN (5, 88) AND o.n >= 34 THEN -0.04 - ((o.id * 13 + o.n * 7) % 6) * 0.01     -- orange: two dekads below
                    WHEN o.id = 41 AND o.n = 35 THEN -0.06                                                 -- one dekad: nothing
                    WHEN (o.id * 31 + o.n * 17) % 37 = 0 THEN -0.05                                        -- an isolated bad dekad
                    ELSE 0.01 + ((o.id * 31 + o.n * 17) % 8) * 0.01 END AS rate,
             0.55 + (o.id % 5) * 0.05 AS baseline,
             round((0.55 + (o.id % 5) * 0.05) *
               CASE WHEN o.id IN (13, 74, 201) AND o.n >= 34 THEN 0.7                  -- orange: two dekads under
                    WHEN o.id = 14 AND o.n = 35 THEN 0.7                               -- one dekad: nothing
                    ELSE 0.92 + ((o.id * 7 + o.n * 3) % 15) * 0.01 END, 3) AS sell_through,
             CASE WHEN o.id = 30 AND o.n = 35 THEN 96                                 -- orange: over 90
                  WHEN o.id IN (47, 190) AND o.n >= 34 THEN 64 + (o.id + o.n) % 20    -- orange: over 60 twice
                  WHEN o.id IN (11, 152) AND o.n = 35 THEN 61 + o.id % 20             -- yellow: over 60 once
                  WHEN o.id = 99 AND o.n = 35 THEN 60                                 -- exactly at the line
                  WHEN o.id = 6 AND o.n = 35 THEN 95                                  -- corrected below
                  ELSE 25 + (o.id * 37 + o.n * 11) % 30 END AS stock_days,
             CASE WHEN o.id IN (33, 140) AND o.n >= 33 THEN 1 + (o.n - 33) % 2 + (o.n - 33) / 2 * 2   -- 1, 2, 3: six
                  WHEN (o.id * 3 + o.n) % 11 = 0 THEN 1 ELSE 0 END AS complaints
      FROM orders o);

-- Goals revised at calibration: the closes from the revision on carry the new goal.
UPDATE dekad_close SET quarter_goal = (
  SELECT r.new_goal FROM goal_revisions r
  WHERE r.distributor_id = dekad_close.distributor_id AND r.revised_on <= dekad_close.period_end
    AND r.goal_quarter = date(dekad_close.period_end, 'start of month',
          '-' || ((CAST(strftime('%m', dekad_close.period_end) AS INTEGER) - 1) % 3) || ' months')
  ORDER BY r.revised_on DESC LIMIT 1)
WHERE EXISTS (
  SELECT 1 FROM goal_revisions r
  WHERE r.distributor_id = dekad_close.distributor_id AND r.revised_on <= dekad_close.period_end
    AND r.goal_quarter = date(dekad_close.period_end, 'start of month',
          '-' || ((CAST(strftime('%m', dekad_close.period_end) AS INTEGER) - 1) % 3) || ' months'));

-- ---- Ten-day briefs -------------------------------------------------------

-- Filed in the dekad's last three days.  Eight distributors (id % 30 = 7)
-- file two days after the dekad ends: a backtest shows them late on the day
-- in between.
INSERT INTO ten_day_brief (distributor_id, period_end, filed_on, progress, obstacles, help_needed)
SELECT id, d,
       CASE WHEN id IN (64, 171) AND n >= 34 THEN '2025-07-02'              -- 06-20 brief filed late
            WHEN id = 142 AND n >= 32 THEN '2025-07-02'                     -- four briefs filed in one go
            WHEN id IN (21, 115) AND n = 35 THEN '2025-07-01'               -- due on 06-30: not late then
            WHEN id % 30 = 7 THEN date(d, '+2 days')
            ELSE date(d, '-' || ((id + n) % 3) || ' days') END,
       'sell-in ' || (90 + (id * 13 + n * 7) % 20) || '% of the dekad plan',
       CASE WHEN (id + n) % 5 = 0 THEN 'customer credit hold' WHEN (id + n) % 7 = 0 THEN 'stock-out on fast movers' ELSE '' END,
       CASE WHEN (id + n) % 6 = 0 THEN 'price support on a tender' ELSE '' END
FROM dd
WHERE NOT (id = 50 AND n > 31)                       -- nothing since 05-20: orange
  AND NOT (id IN (21, 115) AND n = 34)                -- no 06-20 brief
  AND NOT ((id * 7 + n * 13) % 89 = 0 AND n < 31);    -- an occasional brief skipped in the past
-- a draft saved but never filed does not count
INSERT INTO ten_day_brief (distributor_id, period_end, filed_on, progress, obstacles, help_needed)
VALUES (115, '2025-06-20', NULL, 'draft', '', '');

-- ---- Key actions agreed in the ten-day sync -------------------------------

-- Every fourth distributor agrees an action at each month's first dekad end,
-- due ten days later and done on time.
INSERT INTO action_item (action_id, distributor_id, kind, title, agreed_on, due_date, done_date)
SELECT 1000 + id * 100 + n, id,
       CASE n % 9 WHEN 0 THEN 'payment' WHEN 3 THEN 'stock' ELSE 'outlet' END,
       CASE n % 9 WHEN 0 THEN 'pay the overdue balance' WHEN 3 THEN 'clear slow stock' ELSE 'open a new outlet' END,
       d, date(d, '+10 days'), date(d, '+' || (5 + id % 6) || ' days')
FROM dd WHERE id % 4 = 0 AND n % 3 = 0 AND n >= 18;
INSERT INTO action_item (action_id, distributor_id, kind, title, agreed_on, due_date, done_date) VALUES
 (1, 52,  'payment', 'pay invoices of March',             '2025-06-10', '2025-06-20', NULL),          -- 10 days late: yellow
 (2, 92,  'stock',   'return the surplus pumps',          '2025-06-10', '2025-06-24', NULL),          -- 6 days late: yellow
 (3, 136, 'outlet',  'open the Suzhou outlet',            '2025-06-10', '2025-06-25', NULL),          -- exactly 5 days: nothing
 (4, 176, 'payment', 'settle the April statement',        '2025-05-31', '2025-06-10', '2025-07-01'),  -- done after as_of: yellow
 (5, 60,  'payment', 'final settlement',                  '2025-02-10', '2025-02-20', NULL);          -- terminated: skipped

-- ---- Receivables ----------------------------------------------------------

-- Two invoices per distributor per month, on 30-day terms (60 days for
-- every fifth distributor, 90 days for 100), normally paid 0-12 days early.
INSERT INTO receivable (invoice_id, doc_type, distributor_id, invoice_date, due_date, amount, paid_date)
SELECT invoice_id, 'INV', id, invoice_date, date(invoice_date, '+' || terms || ' days'), amount,
       CASE WHEN unpaid THEN NULL
            WHEN date(invoice_date, '+' || terms || ' days', '-' || early || ' days') > '2025-07-02' THEN NULL
            ELSE date(invoice_date, '+' || terms || ' days', '-' || early || ' days') END
FROM (SELECT b.id, 100000 + b.id * 100 + m.i * 2 + k.k AS invoice_id,
             date('2024-07-01', '+' || m.i || ' months', '+' || ((b.id * 13 + k.k * 11 + m.i * 7) % 28) || ' days') AS invoice_date,
             CASE WHEN b.id = 100 THEN 90 WHEN b.id % 5 = 0 THEN 60 ELSE 30 END AS terms,
             round(b.base * 1.1 + (b.id * 7919 + m.i * 104729 + k.k * 1299709) % 9000, 2) AS amount,
             (b.id * 17 + m.i * 5 + k.k * 3) % 13 AS early,
             (b.id IN (3, 118) AND m.i = 10 AND k.k = 0)            -- May: yellow
             OR (b.id IN (55, 209) AND m.i = 9 AND k.k = 1)         -- April: orange
             OR (b.id IN (81, 120) AND m.i = 7 AND k.k = 0) AS unpaid  -- February: red
      FROM dist_base b
      CROSS JOIN (WITH RECURSIVE mm(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM mm WHERE i < 11) SELECT i FROM mm) m
      CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) k
      WHERE date('2024-07-01', '+' || m.i || ' months') >= b.signed
        AND (b.ended IS NULL OR date('2024-07-01', '+' || m.i || ' months') < b.ended));

-- Hand-made edges.
INSERT INTO receivable (invoice_id, doc_type, distributor_id, invoice_date, due_date, amount, paid_date) VALUES
 (900001, 'INV', 12, '2025-05-31', '2025-06-30', 4200.00, NULL),          -- 30 days old, due today: nothing
 (900002, 'INV', 12, '2025-05-01', '2025-05-31', 3100.00, NULL),          -- exactly 60 days: yellow, not orange
 (900003, 'INV', 12, '2025-04-01', '2025-05-01', 8800.00, NULL),          -- exactly 90 days: orange, not red
 (900004, 'CRN', 12, '2024-12-01', '2024-12-31', -950.00, NULL),          -- credit note: not collectable
 (900005, 'INV', 44, '2025-04-10', '2025-05-10', 'TBD',   NULL),          -- bad amount: still alerts
 (900006, 'INV', 44, '2025-02-30', '2025-03-30', 5100.00, NULL),          -- impossible invoice date: skipped
 (900007, 'INV', 70, '2025-04-15', '2025-05-15', 6400.00, '2025-07-01');  -- paid after as_of: orange on 06-30

-- ---- Bad and duplicated rows ----------------------------------------------

UPDATE dekad_close SET order_amount = 'n/a' WHERE distributor_id = 2 AND period_end = '2024-11-10';
INSERT INTO dekad_close (distributor_id, period_end, manager_id, region, order_amount, qtd_orders, quarter_goal,
                         amount_due, amount_collected, plan_rate, sell_out, sell_through, baseline_sell_through,
                         stock_value, stock_days, complaints)
VALUES (8, '2025-02-30', 9208, 'South', 1, 1, 1, 1, 1, 0.85, 1, 0.5, 0.5, 1, 30, 0);   -- impossible date: skipped
-- distributor 6's last close was loaded twice; the later load (larger rowid)
-- corrects the stock figure, so 6 has no alert.
INSERT INTO dekad_close (distributor_id, period_end, manager_id, region, order_amount, qtd_orders, quarter_goal,
                         amount_due, amount_collected, plan_rate, sell_out, sell_through, baseline_sell_through,
                         stock_value, stock_days, complaints)
SELECT distributor_id, period_end, manager_id, region, order_amount, qtd_orders, quarter_goal,
       amount_due, amount_collected, plan_rate, sell_out, sell_through, baseline_sell_through,
       round(stock_value * 40 / 95.0), 40, complaints
FROM dekad_close WHERE distributor_id = 6 AND period_end = '2025-06-30';
INSERT INTO ten_day_brief (distributor_id, period_end, filed_on, progress, obstacles, help_needed)
VALUES (1, '2025-02-30', '2025-03-01', 'typo in the period', '', '');     -- impossible date: skipped

DROP TABLE dekad_end;
DROP TABLE dist_base;
DROP TABLE dd;
DROP TABLE orders;
