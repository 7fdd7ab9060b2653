-- Data contract of the `hardware` pack: a hardware vendor moving its customers
-- from an old product line to a new one, selling direct (account managers own
-- territories and deals) and through channel partners (channel managers own
-- partners). Money is in the vendor's reporting currency; dates are ISO text.

-- Monthly line-revenue snapshot, one row per sales territory per month end.
-- A territory is one account manager's region slice; the AM is the owner who
-- is notified. Revenue is the month's booked revenue of each product line.
CREATE TABLE line_revenue_snapshot(
  territory_id       TEXT NOT NULL,     -- e.g. 'EMEA-017'; the entity key
  snapshot_date      DATE NOT NULL,     -- month end the figures are for
  region             TEXT,              -- NA, EMEA, APAC, LATAM
  account_manager_id INTEGER,           -- owner of the territory (alert recipient)
  old_line_revenue   REAL,              -- revenue of the line being phased out
  new_line_revenue   REAL,              -- revenue of the line ramping up
  new_line_plan      REAL               -- planned new-line revenue for the month
);
CREATE INDEX line_revenue_snapshot_key_time ON line_revenue_snapshot(territory_id, snapshot_date);

-- New-line launch schedule, one row per revision of a product's plan: the
-- row in force at a date is the latest revision on or before it.
CREATE TABLE launch_schedule(
  product_id         TEXT NOT NULL,     -- e.g. 'NX-07'; the key deals refer to
  revision_date      DATE NOT NULL,     -- when this version of the schedule was published
  product_name       TEXT,
  planned_ship_date  DATE,              -- the original (baseline) general-availability date
  current_ship_date  DATE,              -- the ship date engineering now commits to
  product_manager_id INTEGER
);
CREATE INDEX launch_schedule_key_time ON launch_schedule(product_id, revision_date);

-- Direct deals for new-line products, one row per change of the deal record
-- (CRM history): the current state of a deal is its latest row.
CREATE TABLE deal_history(
  deal_id            INTEGER NOT NULL,  -- the entity key
  updated_at         DATE NOT NULL,     -- when this version of the deal was saved
  account_manager_id INTEGER,           -- deal owner (alert recipient)
  customer           TEXT,
  product_id         TEXT,              -- launch_schedule.product_id the deal depends on
  amount             REAL,              -- deal value
  committed          BOOLEAN,           -- 1 when the deal is in the committed forecast
  promised_date      DATE,              -- delivery date promised to the customer
  stage              TEXT               -- open, won, delivered, lost
);
CREATE INDEX deal_history_key_time ON deal_history(deal_id, updated_at);

-- Channel inventory report, one row per partner every two weeks (Fridays).
CREATE TABLE channel_inventory_snapshot(
  partner_id         INTEGER NOT NULL,  -- the entity key
  snapshot_date      DATE NOT NULL,     -- report date
  partner_name       TEXT,
  channel_manager_id INTEGER,           -- vendor's manager of the partner (alert recipient)
  sell_in_units      INTEGER,           -- units the partner bought from us in the period
  sell_through_units INTEGER,           -- units the partner sold to end customers in the period
  units_on_hand      INTEGER,           -- partner stock of our products at the report date
  weeks_on_hand      REAL               -- units_on_hand / average weekly sell-through (recent weeks)
);
CREATE INDEX channel_inventory_snapshot_key_time ON channel_inventory_snapshot(partner_id, snapshot_date);
