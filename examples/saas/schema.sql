-- Data contract of the `saas` rule pack: a B2B SaaS sales team that runs a
-- biweekly goal-snapshot loop (see README.md).  Dates are ISO text
-- (YYYY-MM-DD); BOOLEAN columns hold 0 or 1.  Every table that a rule reads as
-- a time series has an index on (key, time), the order Vigil reads it in.

-- One row per rep per biweekly goal snapshot (normally every other Friday).
-- The rep records progress, blockers and the help they need; the CRM fills in
-- the numbers.  A rep on leave or gone keeps/gets rows with active = 0.
CREATE TABLE sales_snapshot (
  rep_id              INTEGER NOT NULL,  -- the sales rep (entity key)
  rep_name            TEXT,              -- the rep's name as the CRM shows it on that day (the digest heads the rep's cards with it: `label rep_name`)
  snapshot_date       DATE    NOT NULL,  -- the day the snapshot was taken
  supervisor_id       INTEGER,           -- the rep's direct supervisor on that day: every alert goes to them
  active              BOOLEAN NOT NULL DEFAULT 1,  -- 0: rep on leave or departed; the row is a placeholder
  conversion_rate     REAL,              -- qualified opportunities won / worked over the trailing 90 days (0..1)
  baseline_conversion REAL,              -- the rep's conversion baseline set at the annual goal review (0..1)
  contract_amount     REAL,              -- annual contract value (USD) of the rep's signed, live contracts
  negative_feedback   INTEGER,           -- negative customer feedback since the previous snapshot (escalations, detractor NPS answers)
  quarter_goal        REAL,              -- the rep's bookings goal (USD) for the snapshot's quarter, as in force on snapshot_date (a signed calibration revision replaces it)
  quarter_bookings    REAL,              -- bookings (USD) of the snapshot's quarter so far, up to snapshot_date
  progress_note       TEXT,              -- free text: progress against goal
  blockers            TEXT,              -- free text: what is in the way
  help_needed         TEXT               -- free text: what the rep asks the supervisor for
);
CREATE INDEX sales_snapshot_rep_time ON sales_snapshot(rep_id, snapshot_date);

-- Key milestones of a rep's account and goal plans (QBR decks, territory
-- plans, partner onboardings...).  One row per milestone, updated in place
-- when it is done.
CREATE TABLE milestones (
  milestone_id INTEGER PRIMARY KEY,  -- entity key
  owner_id     INTEGER NOT NULL,     -- the rep who owns it (sales_snapshot.rep_id)
  name         TEXT    NOT NULL,
  due_date     DATE    NOT NULL,     -- the committed date (the series' time: a milestone is seen once it is due)
  done_date    DATE                  -- NULL while open
);
CREATE INDEX milestones_id_due ON milestones(milestone_id, due_date);

-- CRM activity log: one row per activity record (a call, meeting, demo or
-- customer visit) as it was typed into the CRM.  entered_date is when it was
-- typed in, happened_on when the activity took place: a record typed in long
-- after the fact is a back-fill.  The back-fill rules read it per record
-- (a share of records, per rep and per team), through rollups by rep_id and
-- by supervisor_id.
CREATE TABLE activity_log (
  activity_id   INTEGER PRIMARY KEY,  -- entity key: one record
  rep_id        INTEGER NOT NULL,     -- the rep who logged it (sales_snapshot.rep_id)
  supervisor_id INTEGER,              -- the rep's supervisor when it was logged (the CRM copies it from the org chart): the team it counts for
  entered_date  DATE    NOT NULL,     -- the day it was typed in (the series' time)
  happened_on   DATE,                 -- the day the activity took place (<= entered_date; NULL: not recorded)
  kind          TEXT                  -- 'call', 'meeting', 'demo' or 'visit'
);
CREATE INDEX activity_log_id_entered ON activity_log(activity_id, entered_date);
-- the back-fill rollups read the records in the order they were entered
CREATE INDEX activity_log_entered ON activity_log(entered_date);

-- The CRM's daily entry digest, as earlier versions of this pack read it (one
-- row per rep per entry day).  No rule reads it any more: a day's row cannot
-- tell which share of its records was back-filled.  It stays for people who
-- query the database by entry day, and because the unit suite's backtest test
-- (tests/unit/test_backtest.c, snapshot_dates) lists the demo's entry days
-- from it.
CREATE VIEW activity_daily AS
  SELECT rep_id, entered_date, count(*) AS activity_count, min(happened_on) AS earliest_activity
  FROM activity_log GROUP BY rep_id, entered_date;

-- Deal history: one row per change of a deal in the CRM (a new row on every
-- update of stage, commit flag, close date or amount).
CREATE TABLE deals (
  deal_id    INTEGER NOT NULL,  -- entity key
  updated_on DATE    NOT NULL,  -- when this version of the deal was saved
  owner_id   INTEGER NOT NULL,  -- the rep (sales_snapshot.rep_id)
  account    TEXT,              -- customer name
  stage      TEXT    NOT NULL,  -- 'open', 'won' or 'lost'
  amount     REAL,              -- annual contract value (USD)
  close_date DATE,              -- expected (open) or actual (won/lost) close date
  committed  BOOLEAN NOT NULL DEFAULT 0,  -- 1: in the rep's commit forecast
  feature_id INTEGER            -- the roadmap feature the customer's purchase depends on (NULL: none)
);
CREATE INDEX deals_id_updated ON deals(deal_id, updated_on);

-- Product roadmap history: one row per feature per roadmap revision.
CREATE TABLE features (
  feature_id     INTEGER NOT NULL,  -- entity key
  updated_on     DATE    NOT NULL,  -- the day product management published this version of the roadmap entry
  name           TEXT    NOT NULL,
  planned_launch DATE    NOT NULL,  -- the launch date first promised (never moved)
  launch_date    DATE    NOT NULL   -- the current launch estimate
);
CREATE INDEX features_id_updated ON features(feature_id, updated_on);

-- Audit archive of goal (quota) revisions agreed at calibration: one row per
-- revision.  Sign-off columns hold the date each function signed (NULL: not
-- yet).  A revision takes effect (sales_snapshot.quarter_goal) once signed;
-- the pack gives the three functions `signoff_grace` (10 days) to sign.
CREATE TABLE goal_revisions (
  revision_id     INTEGER PRIMARY KEY,  -- entity key
  rep_id          INTEGER NOT NULL,     -- whose goal changed
  revised_on      DATE    NOT NULL,     -- when the change was made
  goal_period     TEXT    NOT NULL,     -- the quarter the goal is for, e.g. '2025-Q3'
  old_target      REAL,                 -- quota before (USD)
  new_target      REAL,                 -- quota after (USD)
  reason          TEXT,                 -- the written reason (required; any language: its display width is measured)
  sales_signoff   DATE,                 -- sales leadership sign-off date
  product_signoff DATE,                 -- product sign-off date
  finance_signoff DATE                  -- finance sign-off date
);
CREATE INDEX goal_revisions_id_revised ON goal_revisions(revision_id, revised_on);

-- The org chart as it is today: one row per person (reps, supervisors,
-- directors, the VP of sales) and their manager.  Alerts go to a rep's
-- supervisor (sales_snapshot.supervisor_id); the pack's routes climb this
-- table from there (red alerts also reach the supervisor's director).
CREATE TABLE org_chart (
  person_id  INTEGER PRIMARY KEY,
  manager_id INTEGER,               -- NULL for the top of the chart
  full_name  TEXT    NOT NULL,
  title      TEXT,
  email      TEXT                   -- where vigil deliver mails the person's digest (org { email email })
);

-- Per-rep goal-loop settings agreed with the rep's supervisor, effective
-- from valid_from (a newer row replaces an older one).  A NULL column keeps
-- the pack's default for that setting.
CREATE TABLE rep_targets (
  rep_id     INTEGER NOT NULL,
  valid_from DATE    NOT NULL,
  slump      REAL,                  -- conversion_slump: this rep's tolerated shortfall against baseline (0..1)
  note       TEXT                   -- why
);
CREATE INDEX rep_targets_rep_valid ON rep_targets(rep_id, valid_from);
