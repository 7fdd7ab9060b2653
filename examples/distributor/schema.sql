-- Data contract of the `distributor` rule pack: a manufacturing distributor
-- that reviews its business every ten days (a "dekad": days 1-10, 11-20 and
-- 21 to the end of the month).  Periodic snapshots are dated on the last day
-- of their dekad: the 10th, the 20th and the last day of each month.
-- All dates are ISO text (YYYY-MM-DD).  Amounts are in the company currency.

-- Sales reps, as a slowly changing dimension: one row per rep per change
-- (hire, manager or region change, departure).  The row in force on a date is
-- the latest one whose valid_from is on or before that date.
CREATE TABLE sales_rep (
  rep_id      INTEGER NOT NULL,
  valid_from  DATE    NOT NULL,   -- first day this version of the rep's record applies
  rep_name    TEXT,
  region      TEXT,
  manager_id  INTEGER,            -- the rep's direct supervisor (receives rep-level alerts)
  active      INTEGER NOT NULL DEFAULT 1   -- 1 employed, 0 left the company from valid_from on
);
CREATE INDEX sales_rep_key_time ON sales_rep(rep_id, valid_from);

-- Open and settled receivables, one row per document.
CREATE TABLE receivable (
  invoice_id    INTEGER NOT NULL,
  doc_type      TEXT    NOT NULL DEFAULT 'INV',  -- 'INV' invoice, 'CRN' credit note (not collectable)
  customer_id   INTEGER,
  customer_name TEXT,
  rep_id        INTEGER,          -- the sales rep who owns the customer and chases payment
  invoice_date  DATE,
  due_date      DATE    NOT NULL, -- invoice_date + payment terms
  amount        REAL,             -- invoice total, tax included
  paid_date     DATE              -- NULL while unpaid (partial payments are not modelled)
);
CREATE INDEX receivable_key_time ON receivable(invoice_id, due_date);

-- Inventory position per stock unit (one warehouse x one product family),
-- snapshotted at each dekad end.
CREATE TABLE inventory_snapshot (
  stock_unit_id  INTEGER NOT NULL,  -- one id per (warehouse, product_family) pair
  snapshot_date  DATE    NOT NULL,  -- dekad end: the 10th, the 20th or the month's last day
  warehouse      TEXT,
  product_family TEXT,
  planner_id     INTEGER,           -- the inventory planner responsible for the unit
  on_hand_value  REAL,              -- stock at cost on snapshot_date
  cogs_90d       REAL,              -- cost of goods shipped in the 90 days up to snapshot_date
  turnover_days  REAL               -- days of inventory on hand: on_hand_value / (cogs_90d / 90)
);
CREATE INDEX inventory_snapshot_key_time ON inventory_snapshot(stock_unit_id, snapshot_date);

-- Collections per rep per dekad.
CREATE TABLE collection_snapshot (
  rep_id           INTEGER NOT NULL,
  snapshot_date    DATE    NOT NULL,  -- dekad end
  amount_due       REAL,              -- receivables that fell due in the dekad (plus carried-over arrears)
  amount_collected REAL,              -- cash received against them in the dekad
  plan_rate        REAL               -- planned collection rate (collected / due) for the dekad, e.g. 0.85
);
CREATE INDEX collection_snapshot_key_time ON collection_snapshot(rep_id, snapshot_date);

-- The ten-day brief each rep files: progress, blockers, help needed.
-- One row per rep per dekad; a row that is only a draft has no submitted_on.
CREATE TABLE ten_day_brief (
  rep_id        INTEGER NOT NULL,
  period_end    DATE    NOT NULL,  -- the dekad end the brief covers
  submitted_on  DATE,              -- NULL for a draft not yet submitted
  progress      TEXT,
  blockers      TEXT,
  help_needed   TEXT
);
CREATE INDEX ten_day_brief_key_time ON ten_day_brief(rep_id, period_end);
