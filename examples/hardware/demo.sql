-- Deterministic demo data for the `hardware` pack (run after schema.sql).
-- 240 territories (monthly line revenue), 24 new-line products with schedule
-- revisions, 388 direct deals, 160 channel partners (biweekly inventory), from
-- 2024-07-01 to 2025-06-30. Evaluated as of 2025-06-30, a handful of entities
-- per rule and tier are in trouble; the rest are healthy. No random(): every
-- "random" figure is arithmetic on ids and period numbers.

------------------------------------------------------------------------------
-- Line revenue. Healthy: the old line sheds 1.5% of its starting revenue a
-- month (±0.5% noise) while the new line ramps 3% of it a month, at 98-102%
-- of plan. Chosen territories get, from 2025-04 on, an old line falling
-- faster (gap rule) or a plan the new line misses (plan rule).
------------------------------------------------------------------------------
INSERT INTO line_revenue_snapshot
WITH RECURSIVE
  t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 240),
  m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < 12),
  gap(n, d) AS (VALUES            -- extra old-line decline a month, share of its start
    (7, 0.0525), (61, 0.0525), (113, 0.0525), (167, 0.0525), (199, 0.0525), (233, 0.0525),
    (23, 0.09), (89, 0.09), (142, 0.09), (211, 0.09),
    (41, 0.165), (128, 0.165), (185, 0.165)),
  plan(n, s11, s12) AS (VALUES    -- how far below plan the new line is in May / June 2025
    (11, 0.15, 0.18), (57, 0.15, 0.18), (97, 0.15, 0.18), (151, 0.15, 0.18), (222, 0.15, 0.18), (38, 0.15, 0.18),
    (17, 0.30, 0.33), (74, 0.30, 0.33), (136, 0.30, 0.33), (190, 0.30, 0.33),
    (29, 0.45, 0.52), (103, 0.45, 0.52), (176, 0.45, 0.52),
    (64, 0.20, 0.45),             -- two bad months, only the last one red-deep: yellow
    (80, 0.00, 0.50)),            -- one bad month only: no alert yet
  base AS (
    SELECT t.n, m.k,
      CASE t.n % 4 WHEN 0 THEN 'NA' WHEN 1 THEN 'EMEA' WHEN 2 THEN 'APAC' ELSE 'LATAM' END AS region,
      date('2024-07-01', '+' || m.k || ' months', '-1 day') AS d,
      300000 + ((t.n * 7919) % 41) * 10000 AS o0,
      (300000 + ((t.n * 7919) % 41) * 10000) * (10 + (t.n * 104729) % 21) / 100.0 AS n0,
      coalesce(gap.d, 0) AS extra,
      CASE m.k WHEN 11 THEN coalesce(plan.s11, 0) WHEN 12 THEN coalesce(plan.s12, 0) ELSE 0 END AS s,
      (gap.n IS NOT NULL OR plan.n IS NOT NULL) AND m.k >= 9 AS clean
    FROM t CROSS JOIN m
    LEFT JOIN gap ON gap.n = t.n
    LEFT JOIN plan ON plan.n = t.n),
  figures AS (
    SELECT *,
      round(o0 * (1 - 0.015 * k)
            * CASE WHEN clean THEN 1 ELSE 1 + (((n * 13 + k * 7) % 5) - 2) / 400.0 END
            - o0 * extra * max(k - 9, 0)) AS old_rev,
      round((n0 + 0.03 * o0 * k)
            * CASE WHEN clean THEN 1 ELSE 0.98 + ((n * 31 + k * 17) % 5) / 100.0 END) AS new_rev
    FROM base)
SELECT region || '-' || printf('%03d', n), d, region, 100 + (n + 1) / 2,
       old_rev, new_rev,
       CASE WHEN s > 0 THEN round(new_rev / (1 - s)) ELSE round(n0 + 0.03 * o0 * k) END
FROM figures
ORDER BY n, k;

-- Bad data: an unfinished June figure typed as text, and a hand-made row
-- dated on a day February does not have (the real February row exists).
UPDATE line_revenue_snapshot SET old_line_revenue = 'TBD'
 WHERE territory_id = 'APAC-150' AND snapshot_date = '2025-06-30';
INSERT INTO line_revenue_snapshot
SELECT territory_id, '2025-02-30', region, account_manager_id, old_line_revenue, new_line_revenue, new_line_plan
  FROM line_revenue_snapshot WHERE territory_id = 'LATAM-095' AND snapshot_date = '2025-02-28';

------------------------------------------------------------------------------
-- Launch schedule: 24 products planned 20 days apart from 2024-09-15, one
-- baseline revision each on 2024-07-01, then a few slips.
------------------------------------------------------------------------------
INSERT INTO launch_schedule
WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 24)
SELECT 'NX-' || printf('%02d', n), '2024-07-01',
       CASE n % 6 WHEN 0 THEN 'Edge Switch' WHEN 1 THEN 'Core Router' WHEN 2 THEN 'Storage Array'
                  WHEN 3 THEN 'Rack Server' WHEN 4 THEN 'Access Point' ELSE 'Firewall' END
         || ' G' || (2 + (n - 1) / 6),
       date('2024-09-15', '+' || ((n - 1) * 20) || ' days'),
       date('2024-09-15', '+' || ((n - 1) * 20) || ' days'),
       301 + n % 5
FROM p;

INSERT INTO launch_schedule
WITH s(pid, rev, slip) AS (VALUES
        ('NX-05', '2024-11-15', 37),   -- slipped, shipped long ago
        ('NX-12', '2025-03-01', 40),   -- slipped ...
        ('NX-12', '2025-05-01', 10),   -- ... and mostly recovered
        ('NX-16', '2025-05-20', 37),   -- slips past many promises
        ('NX-19', '2025-06-12', 71),   -- slips far past them
        ('NX-21', '2025-06-25', 16))   -- small slip, eats the promise margin
SELECT ls.product_id, s.rev, ls.product_name, ls.planned_ship_date,
       date(ls.planned_ship_date, '+' || s.slip || ' days'), ls.product_manager_id
FROM s
JOIN launch_schedule ls ON ls.product_id = s.pid AND ls.revision_date = '2024-07-01';

------------------------------------------------------------------------------
-- Deals: 420 deal ids over the products, 388 of them created by 2025-06-30.
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
                             WHERE x.product_id = ls.product_id AND x.revision_date <= '2025-06-30')),
  deal AS (
    SELECT n, 'NX-' || printf('%02d', 1 + (n * 7) % 24) AS pid,
      101 + (n * 13) % 120 AS am,
      CASE n % 8 WHEN 0 THEN 'Contoso' WHEN 1 THEN 'Globex' WHEN 2 THEN 'Initech' WHEN 3 THEN 'Umbrella'
                 WHEN 4 THEN 'Stark Industries' WHEN 5 THEN 'Wayne Enterprises' WHEN 6 THEN 'Tyrell' ELSE 'Cyberdyne' END
        || ' ' || printf('%02d', (n * 37) % 60) AS customer,
      20000 + ((n * 7919) % 97) * 2500 AS amount,
      n % 5 != 0 AS commits,
      n % 17 = 0 AS lost,
      CASE WHEN n % 3 = 0 THEN 'won' ELSE 'open' END AS commit_stage,
      max(date(cur.planned_ship_date, '-' || (60 + (n * 31) % 200) || ' days'), '2024-07-01') AS created,
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
     WHERE NOT lost AND max(promised, ship) <= '2025-06-20')
SELECT deal.n, events.at, am, customer, pid, amount, events.committed, promised, events.stage
FROM events JOIN deal ON deal.n = events.n
WHERE events.at <= '2025-06-30'
ORDER BY deal.n, events.at;

-- Bad data: a promise typed as 31 September on an open committed deal of an
-- on-time product (the rule cannot read it, so that deal is not judged).
UPDATE deal_history SET promised_date = '2025-09-31' WHERE deal_id = 314;

------------------------------------------------------------------------------
-- Channel inventory: 160 partners report every other Friday from 2024-07-12
-- to 2025-06-27. Healthy weeks-on-hand cycle between 5.0 and 6.6 and never
-- rise twice in a row; chosen partners get the recent values below.
------------------------------------------------------------------------------
INSERT INTO channel_inventory_snapshot
WITH RECURSIVE
  p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 160),
  s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 25),
  shape(g, k, w) AS (VALUES        -- recent weeks-on-hand per trouble pattern
    ('high', 22, 7.0), ('high', 23, 8.6), ('high', 24, 9.2), ('high', 25, 8.8),
    ('rising', 21, 5.0), ('rising', 22, 5.6), ('rising', 23, 6.3), ('rising', 24, 7.0), ('rising', 25, 7.6),
    ('rising_high', 22, 6.2), ('rising_high', 23, 7.1), ('rising_high', 24, 8.3), ('rising_high', 25, 9.4),
    ('flood', 23, 9.5), ('flood', 24, 11.0), ('flood', 25, 13.5),
    ('stuck', 22, 12.8), ('stuck', 23, 12.8), ('stuck', 24, 12.8), ('stuck', 25, 12.8),
    ('at_limit', 24, 8.0), ('at_limit', 25, 8.0),         -- exactly at the yellow line: fine
    ('two_rises', 23, 5.0), ('two_rises', 24, 6.5), ('two_rises', 25, 7.5),  -- rose twice only
    ('restock', 21, 3.2), ('restock', 22, 3.8), ('restock', 23, 4.5), ('restock', 24, 5.2), ('restock', 25, 5.9)),
  who(n, g) AS (VALUES
    (9, 'high'), (47, 'high'), (88, 'high'), (131, 'high'), (150, 'high'),
    (19, 'rising'), (102, 'rising'), (143, 'rising'),
    (64, 'rising_high'),
    (33, 'flood'), (117, 'flood'), (76, 'stuck'),
    (55, 'at_limit'), (90, 'two_rises'), (110, 'restock')),
  silent(n, last_k) AS (VALUES (71, 24), (125, 24), (98, 22), (159, 22)),  -- stopped reporting
  rows AS (
    SELECT p.n, s.k, date('2024-07-12', '+' || (14 * s.k) || ' days') AS d,
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
  501 + n % 12,
  CAST(max(0, st + on_hand - coalesce(lag(on_hand) OVER (PARTITION BY n ORDER BY k), on_hand)) AS INTEGER),
  CAST(st AS INTEGER),
  CAST(on_hand AS INTEGER),
  w
FROM stock
ORDER BY n, k;

-- Bad data: a partner's latest weeks-on-hand sent as 'n/a', a report dated
-- 30 February, and a report sent twice (the later, corrected row wins).
UPDATE channel_inventory_snapshot SET weeks_on_hand = 'n/a'
 WHERE partner_id = 40 AND snapshot_date = '2025-06-27';
INSERT INTO channel_inventory_snapshot
SELECT partner_id, '2025-02-30', partner_name, channel_manager_id, sell_in_units, sell_through_units, units_on_hand, weeks_on_hand
  FROM channel_inventory_snapshot WHERE partner_id = 40 AND snapshot_date = '2025-02-21';
INSERT INTO channel_inventory_snapshot
SELECT partner_id, snapshot_date, partner_name, channel_manager_id, sell_in_units + 10, sell_through_units, units_on_hand + 10,
       round(weeks_on_hand + 0.1, 1)
  FROM channel_inventory_snapshot WHERE partner_id = 12 AND snapshot_date = '2025-06-27';
