-- Data contract of the `hardware` pack: a hardware vendor (about 320 staff,
-- 45% of them in sales) whose old product line declines while the new line
-- has not yet opened its market. Its sales organisation runs the goal
-- calibration method: every rep files a goal snapshot every other Friday,
-- warnings go to the rep's direct supervisor, and goal changes are made at
-- the mid-quarter calibration, with a written reason and three sign-offs,
-- archived in goal_revisions. Account managers own territories and direct
-- deals; channel managers own channel partners; both are reps. Money is in
-- the vendor's reporting currency; dates are ISO `YYYY-MM-DD` text, BOOLEAN
-- columns 0/1.

-- The sales organisation as it is today: reps, their supervisors, the
-- directors and the VP of sales. Alerts go to the rep's supervisor (the
-- rules' notify) and, routed up this chart, red ones also to the director.
CREATE TABLE org_chart(
  person_id          INTEGER NOT NULL,  -- the person
  manager_id         INTEGER,           -- their manager; NULL for the VP
  full_name          TEXT,              -- shown on routes and digests
  title              TEXT               -- 'VP Sales', 'Director', 'Supervisor', 'Account manager', 'Channel manager'
);
CREATE UNIQUE INDEX org_chart_person ON org_chart(person_id);

-- The biweekly goal snapshot, one row per rep every other Friday: the form
-- the rep fills in (obstacles, help needed) with the figures the ERP and CRM
-- fill in for them (goal, bookings, conversion, contracts, feedback). A rep
-- on leave or gone keeps getting a placeholder row with active = 0.
CREATE TABLE rep_snapshot(
  rep_id                  INTEGER NOT NULL,  -- the rep (org_chart.person_id); the entity key
  snapshot_date           DATE NOT NULL,     -- the Friday the snapshot is for
  rep_name                TEXT,
  supervisor_id           INTEGER,           -- direct supervisor on that date: the alert recipient and the team
  active                  BOOLEAN,           -- 1 at work; 0 on leave or gone (placeholder row)
  quarter_goal            REAL,              -- bookings goal for the calendar quarter of snapshot_date, as in force that day (approved revisions included)
  qtd_bookings            REAL,              -- orders booked from the quarter's first day through snapshot_date
  quote_to_order          REAL,              -- orders won / quotes issued over the last 8 weeks (0.27 = 27%)
  baseline_quote_to_order REAL,              -- the rep's own quote-to-order rate over the 12 months before
  contract_amount         REAL,              -- signed contract value in force: frame agreements plus unshipped orders
  negative_feedback       INTEGER,           -- complaints, escalations and RMA requests since the previous snapshot
  obstacles               TEXT,              -- the form's "obstacles" field, free text
  help_needed             TEXT               -- the form's "resources needed" field, free text
);
CREATE INDEX rep_snapshot_key_time ON rep_snapshot(rep_id, snapshot_date);
CREATE INDEX rep_snapshot_time ON rep_snapshot(snapshot_date);

-- Key milestones of design wins, one row per milestone: samples shipped,
-- pilot started, pilot accepted, design win, first volume order.
CREATE TABLE milestones(
  milestone_id       INTEGER NOT NULL,  -- the entity key
  owner_id           INTEGER,           -- the rep who owns it (rep_snapshot.rep_id)
  account            TEXT,              -- the customer
  kind               TEXT,              -- which milestone of the design win
  due_date           DATE NOT NULL,     -- when it is due
  done_date          DATE               -- when it was reached; NULL while open
);
CREATE INDEX milestones_key_time ON milestones(milestone_id, due_date);

-- The calibration archive: one row per change of a rep's quarter goal, with
-- its written reason and the date each of the three roles signed it off.
CREATE TABLE goal_revisions(
  revision_id        INTEGER NOT NULL,  -- the entity key
  rep_id             INTEGER,           -- whose goal changed
  revised_on         DATE NOT NULL,     -- when the change was made
  goal_quarter       DATE,              -- first day of the quarter whose goal changed
  old_goal           REAL,
  new_goal           REAL,
  reason             TEXT,              -- the written reason, any language
  sales_signoff      DATE,              -- sales lead's sign-off; NULL: not signed
  product_signoff    DATE,              -- product representative's sign-off
  finance_signoff    DATE               -- finance analyst's sign-off
);
CREATE INDEX goal_revisions_key_time ON goal_revisions(revision_id, revised_on);

-- Monthly line-revenue snapshot, one row per sales territory per month end.
-- A territory is one account manager's region slice. Revenue is the month's
-- booked revenue of each product line.
CREATE TABLE line_revenue_snapshot(
  territory_id       TEXT NOT NULL,     -- e.g. 'EMEA-117'; the entity key
  snapshot_date      DATE NOT NULL,     -- month end the figures are for
  region             TEXT,              -- NA, LATAM, EMEA, APAC
  account_manager_id INTEGER,           -- owner of the territory (a rep)
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
  account_manager_id INTEGER,           -- deal owner (a rep)
  customer           TEXT,
  product_id         TEXT,              -- launch_schedule.product_id the deal depends on
  amount             REAL,              -- deal value
  committed          BOOLEAN,           -- 1 when the deal is in the committed forecast
  promised_date      DATE,              -- delivery date promised to the customer
  stage              TEXT               -- open, won, delivered, lost
);
CREATE INDEX deal_history_key_time ON deal_history(deal_id, updated_at);

-- Channel inventory report, one row per partner every other Friday.
CREATE TABLE channel_inventory_snapshot(
  partner_id         INTEGER NOT NULL,  -- the entity key
  snapshot_date      DATE NOT NULL,     -- report date
  partner_name       TEXT,
  channel_manager_id INTEGER,           -- the vendor's manager of the partner (a rep)
  sell_in_units      INTEGER,           -- units the partner bought from us in the period
  sell_through_units INTEGER,           -- units the partner sold to end customers in the period
  units_on_hand      INTEGER,           -- partner stock of our products at the report date
  weeks_on_hand      REAL               -- units_on_hand / average weekly sell-through (recent weeks)
);
CREATE INDEX channel_inventory_snapshot_key_time ON channel_inventory_snapshot(partner_id, snapshot_date);
