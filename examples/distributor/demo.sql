-- Deterministic demo data for the distributor pack: 300 sales reps, 120 stock
-- units (12 warehouses x 10 product families), one year of dekads from
-- 2024-07-01 to 2025-06-30.  Evaluate it as of 2025-06-30 (a dekad end).
-- Pseudo-random values come from arithmetic on ids and period numbers.
-- Which entity alerts, by design (the tests/demo.test output):
--   receivable_overdue       invoices with (rep*7 + month*3 + k*5) % 379 = 0 never
--                            paid (mostly red); invoices due in April/May with
--                            (rep*3 + month + k) % 61 = 1 unpaid (orange, yellow);
--                            hand-made edges in the 900000 range.
--   collection_below_plan    reps with rep % 43 = 20: last 4 dekads below plan (red);
--                            rep % 29 = 3: last 2 below plan (orange).
--   slow_inventory_turnover  units with unit % 31 = 9: over 90 days (orange);
--                            unit % 23 = 15: over 60 days twice (orange);
--                            unit % 17 = 4: over 60 days once (yellow).
--   brief_missing            reps with rep % 37 = 11: no brief since May 20 or
--                            earlier (orange); rep % 23 = 5: none since June 10
--                            or May 31 (yellow).

-- The 36 dekad ends: n = 0 (2024-07-10) .. 35 (2025-06-30).
CREATE TEMP TABLE dekad_end AS
WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 11)
SELECT i * 3 + 0 AS n, date('2024-07-01', '+' || i || ' months', '+9 days') AS d FROM m
UNION ALL
SELECT i * 3 + 1, date('2024-07-01', '+' || i || ' months', '+19 days') FROM m
UNION ALL
SELECT i * 3 + 2, date('2024-07-01', '+' || (i + 1) || ' months', '-1 day') FROM m;

-- Reps 1..300: hired 2024-07-01, except 291..300 hired 2025-01-11.
CREATE TEMP TABLE rep_base AS
WITH RECURSIVE r(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM r WHERE id < 300),
first(i, name) AS (VALUES (0,'Ana'),(1,'Ben'),(2,'Chen'),(3,'Dana'),(4,'Eli'),(5,'Fatima'),(6,'Goran'),
  (7,'Hana'),(8,'Ivan'),(9,'Jia'),(10,'Karim'),(11,'Lena'),(12,'Marco'),(13,'Nora'),(14,'Omar'),
  (15,'Priya'),(16,'Quinn'),(17,'Rosa'),(18,'Sven'),(19,'Tomoko')),
last(i, name) AS (VALUES (0,'Alder'),(1,'Brandt'),(2,'Costa'),(3,'Dietrich'),(4,'Evans'),(5,'Fischer'),
  (6,'Garcia'),(7,'Holm'),(8,'Ito'),(9,'Jansen'),(10,'Kowalski'),(11,'Lindqvist'),(12,'Moreau'),
  (13,'Novak'),(14,'Okafor'))
SELECT r.id AS rep_id,
       first.name || ' ' || last.name AS rep_name,
       CASE r.id % 6 WHEN 0 THEN 'North' WHEN 1 THEN 'South' WHEN 2 THEN 'East'
                     WHEN 3 THEN 'West' WHEN 4 THEN 'Central' ELSE 'Export' END AS region,
       901 + r.id % 6 AS manager_id,
       CASE WHEN r.id > 290 THEN '2025-01-11' ELSE '2024-07-01' END AS hired,
       -- six reps leave between February and April 2025
       CASE WHEN r.id % 50 = 7 THEN date('2025-02-11', '+' || ((r.id / 50) * 10) || ' days') END AS left_on
FROM r JOIN first ON first.i = (r.id - 1) % 20 JOIN last ON last.i = ((r.id - 1) / 20) % 15;

INSERT INTO sales_rep (rep_id, valid_from, rep_name, region, manager_id, active)
SELECT rep_id, hired, rep_name, region, manager_id, 1 FROM rep_base;
-- reorganisation: reps with rep % 40 = 3 move to a new manager on 2025-04-01
INSERT INTO sales_rep (rep_id, valid_from, rep_name, region, manager_id, active)
SELECT rep_id, '2025-04-01', rep_name, region, 907, 1 FROM rep_base WHERE rep_id % 40 = 3 AND left_on IS NULL;
-- departures
INSERT INTO sales_rep (rep_id, valid_from, rep_name, region, manager_id, active)
SELECT rep_id, left_on, rep_name, region, manager_id, 0 FROM rep_base WHERE left_on IS NOT NULL;

-- The rep-dekads a rep was employed for.
CREATE TEMP TABLE rep_dekad AS
SELECT b.rep_id, e.n, e.d, b.manager_id FROM rep_base b JOIN dekad_end e
 ON e.d >= b.hired AND (b.left_on IS NULL OR e.d < b.left_on);

-- Ten-day briefs.  last_n is the last dekad a rep filed a brief for.
INSERT INTO ten_day_brief (rep_id, period_end, submitted_on, progress, blockers, help_needed)
SELECT rep_id, d,
       min(date(d, '+' || ((rep_id + n) % 3) || ' days'), '2025-06-30'),
       'pipeline ' || (50 + (rep_id * 13 + n * 7) % 50) || '% of dekad target',
       CASE WHEN (rep_id + n) % 5 = 0 THEN 'customer credit hold' WHEN (rep_id + n) % 7 = 0 THEN 'stock-out on fast movers' ELSE '' END,
       CASE WHEN (rep_id + n) % 6 = 0 THEN 'pricing approval' ELSE '' END
FROM (SELECT rd.*, CASE
        WHEN rep_id % 37 = 11 THEN 31 - rep_id % 4   -- orange: last brief 05-20 or earlier
        WHEN rep_id % 23 = 5  THEN 33 - rep_id % 2   -- yellow: last brief 06-10 or 05-31
        WHEN rep_id % 10 = 4  THEN 34                -- 06-30 brief not in yet: due today, fine
        ELSE 35 END AS last_n
      FROM rep_dekad rd)
WHERE n <= last_n
  AND NOT ((rep_id * 7 + n * 13) % 89 = 0 AND n < 31);   -- an occasional brief skipped in the past
-- drafts saved but not submitted do not count (yellow reps keep their alert)
INSERT INTO ten_day_brief (rep_id, period_end, submitted_on, progress, blockers, help_needed)
SELECT rep_id, '2025-06-20', NULL, 'draft', '', '' FROM rep_base WHERE rep_id % 23 = 5 AND rep_id % 37 != 11;

-- Collection snapshots.
INSERT INTO collection_snapshot (rep_id, snapshot_date, amount_due, amount_collected, plan_rate)
SELECT rep_id, d, due, round(due * rate, 2), plan
FROM (SELECT rep_id, n, d, due, plan,
             CASE WHEN below = 1 THEN plan - 0.05 - ((rep_id * 13 + n * 7) % 10) * 0.01
                  ELSE plan + 0.01 + ((rep_id * 31 + n * 17) % 10) * 0.01 END AS rate
      FROM (SELECT rep_id, n, d,
                   CASE WHEN rep_id % 97 = 50 AND n = 35 THEN 0        -- nothing fell due: no rate
                        ELSE 20000 + (rep_id * 7919 + n * 104729) % 30000 END AS due,
                   0.80 + (rep_id % 6) * 0.02 AS plan,
                   CASE WHEN rep_id % 43 = 20 AND n >= 32 THEN 1        -- red: 4 dekads below plan
                        WHEN rep_id % 29 = 3 AND n >= 34 THEN 1         -- orange: 2 dekads below plan
                        WHEN rep_id % 29 = 3 AND n = 33 THEN 0
                        WHEN rep_id % 50 = 7 AND n >= 20 THEN 1         -- left the company: ignored
                        WHEN (rep_id * 31 + n * 17) % 37 = 0 THEN 1     -- an isolated bad dekad
                        ELSE 0 END AS below
            FROM rep_dekad));

-- Inventory snapshots: 12 warehouses x 10 product families.
CREATE TEMP TABLE stock_unit AS
WITH RECURSIVE u(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM u WHERE id < 120),
wh(i, name) AS (VALUES (0,'Atlanta'),(1,'Chicago'),(2,'Dallas'),(3,'Denver'),(4,'Detroit'),(5,'Houston'),
  (6,'Memphis'),(7,'Newark'),(8,'Phoenix'),(9,'Portland'),(10,'Reno'),(11,'Toledo')),
fam(i, name) AS (VALUES (0,'bearings'),(1,'fasteners'),(2,'hydraulics'),(3,'pneumatics'),(4,'motors'),
  (5,'gearboxes'),(6,'seals'),(7,'valves'),(8,'pumps'),(9,'sensors'))
SELECT u.id AS unit, wh.name AS warehouse, fam.name AS family, 501 + (u.id - 1) / 20 AS planner
FROM u JOIN wh ON wh.i = (u.id - 1) / 10 JOIN fam ON fam.i = (u.id - 1) % 10;

INSERT INTO inventory_snapshot (stock_unit_id, snapshot_date, warehouse, product_family, planner_id,
                                on_hand_value, cogs_90d, turnover_days)
SELECT unit, d, warehouse, family, planner, onhand, round(onhand * 90.0 / days, 2), days
FROM (SELECT s.*, e.n, e.d,
             200000 + (s.unit * 7919 + e.n * 104729) % 800000 AS onhand,
             CASE WHEN s.unit % 31 = 9 AND e.n = 35 THEN 95 + s.unit % 20          -- orange: over 90
                  WHEN s.unit % 23 = 15 AND e.n >= 34 THEN 62 + (s.unit + e.n) % 25 -- orange: over 60 twice
                  WHEN s.unit % 17 = 4 AND e.n = 35 THEN 61 + s.unit % 20          -- yellow: over 60 once
                  WHEN s.unit = 120 AND e.n = 35 THEN 60                           -- exactly at the threshold
                  WHEN s.unit = 33 AND e.n = 34 THEN 75                            -- slow, then recovered
                  ELSE 25 + (s.unit * 37 + e.n * 11) % 30 END AS days
      FROM stock_unit s CROSS JOIN dekad_end e);

-- Receivables: two invoices per rep per month while the rep is employed.
INSERT INTO receivable (invoice_id, doc_type, customer_id, customer_name, rep_id, invoice_date, due_date, amount, paid_date)
SELECT invoice_id, 'INV', customer_id,
       CASE (customer_id / 10 + customer_id) % 10 WHEN 0 THEN 'Acme' WHEN 1 THEN 'Baltic' WHEN 2 THEN 'Cobalt' WHEN 3 THEN 'Delta'
            WHEN 4 THEN 'Everest' WHEN 5 THEN 'Falcon' WHEN 6 THEN 'Granite' WHEN 7 THEN 'Harbor'
            WHEN 8 THEN 'Ironwood' ELSE 'Juniper' END || ' ' ||
       CASE (customer_id / 10 * 3 + customer_id) % 7 WHEN 0 THEN 'Machining' WHEN 1 THEN 'Tooling' WHEN 2 THEN 'Fabrication'
            WHEN 3 THEN 'Plastics' WHEN 4 THEN 'Assembly' WHEN 5 THEN 'Foundry' ELSE 'Controls' END || ' Ltd',
       rep_id, invoice_date, due_date, amount,
       CASE WHEN never_paid THEN NULL
            WHEN date(due_date, pay_offset || ' days') > '2025-06-30' THEN NULL
            ELSE date(due_date, pay_offset || ' days') END
FROM (SELECT *, date(invoice_date, CASE WHEN customer_id % 3 = 0 THEN '+60 days' ELSE '+30 days' END) AS due_date
      FROM (SELECT b.rep_id, m.i AS month, k.k,
                   100000 + b.rep_id * 100 + m.i * 2 + k.k AS invoice_id,
                   b.rep_id * 10 + (m.i + k.k) % 3 AS customer_id,
                   date('2024-07-01', '+' || m.i || ' months', '+' || ((b.rep_id * 13 + k.k * 11 + m.i * 7) % 28) || ' days') AS invoice_date,
                   1000 + ((b.rep_id * 7919 + m.i * 104729 + k.k * 1299709) % 4900000) / 100.0 AS amount,
                   ((b.rep_id * 17 + m.i * 5 + k.k * 3) % 25) - 10 AS pay_offset,
                   (b.rep_id * 7 + m.i * 3 + k.k * 5) % 379 = 0 AS never_paid
            FROM rep_base b
            CROSS JOIN (WITH RECURSIVE mm(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM mm WHERE i < 11) SELECT i FROM mm) m
            CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1) k
            WHERE date('2024-07-01', '+' || m.i || ' months') >= b.hired
              AND (b.left_on IS NULL OR date('2024-07-01', '+' || m.i || ' months') < b.left_on)));
-- a slice of April/May due dates that customers have not paid (orange and yellow)
UPDATE receivable SET paid_date = NULL
 WHERE due_date BETWEEN '2025-04-01' AND '2025-05-30'
   AND (rep_id * 3 + (invoice_id % 100) / 2 + invoice_id % 2) % 61 = 1;

-- Hand-made edges.
INSERT INTO receivable (invoice_id, doc_type, customer_id, customer_name, rep_id, invoice_date, due_date, amount, paid_date) VALUES
 (900001, 'INV', 120, 'Acme Tooling Ltd',    12, '2025-05-01', '2025-05-31', 4200.00, NULL),  -- exactly 30 days past due: no alert
 (900002, 'INV', 121, 'Baltic Tooling Ltd',  12, '2025-04-01', '2025-05-01', 3100.00, NULL),  -- exactly 60 days: yellow, not orange
 (900003, 'INV', 122, 'Cobalt Tooling Ltd',  12, '2025-03-02', '2025-04-01', 8800.00, NULL),  -- exactly 90 days: orange, not red
 (900004, 'CRN', 120, 'Acme Tooling Ltd',    12, '2024-12-01', '2024-12-31', -950.00, NULL),  -- credit note: not collectable
 (900005, 'INV', 123, 'Delta Tooling Ltd',   44, '2025-04-10', '2025-05-10', 'TBD',   NULL),  -- bad amount: still alerts
 (900006, 'INV', 124, 'Everest Tooling Ltd', 44, '2025-01-30', '2025-02-30', 5100.00, NULL);  -- impossible due date: skipped

-- Bad and duplicated rows elsewhere.
UPDATE collection_snapshot SET amount_collected = 'TBD' WHERE rep_id = 2 AND snapshot_date = '2024-11-10';
UPDATE inventory_snapshot SET turnover_days = 'n/a' WHERE stock_unit_id = 7 AND snapshot_date = '2024-12-20';
INSERT INTO inventory_snapshot (stock_unit_id, snapshot_date, warehouse, product_family, planner_id, on_hand_value, cogs_90d, turnover_days)
 VALUES (8, '2024-11-31', 'Atlanta', 'pumps', 501, 310000, 700000, 39.9);           -- impossible date: skipped
INSERT INTO ten_day_brief (rep_id, period_end, submitted_on, progress, blockers, help_needed)
 VALUES (1, '2025-02-30', '2025-03-01', 'typo in period', '', '');                   -- impossible date: skipped
-- rep 5's last snapshot was loaded twice; the later load (larger rowid) corrects
-- a below-plan figure, so rep 5 has no alert.
UPDATE collection_snapshot SET amount_collected = round(amount_due * 0.5, 2) WHERE rep_id = 5 AND snapshot_date IN ('2025-06-20', '2025-06-30');
INSERT INTO collection_snapshot (rep_id, snapshot_date, amount_due, amount_collected, plan_rate)
 SELECT rep_id, snapshot_date, amount_due, round(amount_due * 0.95, 2), plan_rate
 FROM collection_snapshot WHERE rep_id = 5 AND snapshot_date = '2025-06-30';

DROP TABLE dekad_end;
DROP TABLE rep_base;
DROP TABLE rep_dekad;
DROP TABLE stock_unit;
