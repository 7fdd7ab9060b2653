-- Data contract of the `startup` rule pack: a young sales team (a CEO, two
-- founders who lead the sales teams, a score of reps) that runs the goal loop
-- from its first month (see README.md).  Dates are ISO text (YYYY-MM-DD);
-- BOOLEAN columns hold 0 or 1.  Every table that a rule reads as a time series
-- has an index on (key, time), the order Vigil reads it in.

-- One row per rep per biweekly goal snapshot (every other Friday afternoon):
-- progress against the quarter's goal, what is in the way, what help is
-- needed, the goal and what is booked against it; the CRM fills in the
-- pipeline numbers.  The numbers are recorded from the first snapshot on,
-- but the warning rules that read them (30_engine.rules) stay off for a rep
-- until the rep has six months of snapshots.  A rep on leave or gone keeps
-- getting placeholder rows with active = 0.
CREATE TABLE goal_snapshot (
  rep_id            INTEGER NOT NULL,            -- the sales rep (entity key)
  snapshot_date     DATE    NOT NULL,            -- the Friday the snapshot was filed
  supervisor_id     INTEGER,                     -- the rep's direct supervisor (a sales lead) that day: every alert goes to them
  active            BOOLEAN NOT NULL DEFAULT 1,  -- 0: rep on leave or departed; the row is a placeholder
  goal              REAL,                        -- the rep's goal (new bookings, USD) for the calendar quarter of snapshot_date, as it stands that day
  actual            REAL,                        -- new bookings (USD) closed in that quarter up to snapshot_date
  progress_note     TEXT,                        -- free text: progress against the goal (NULL or blank: not written)
  blockers          TEXT,                        -- free text: what is in the way ('None' is an answer; NULL: not answered)
  help_needed       TEXT,                        -- free text: what the rep asks the supervisor for ('None' is an answer; NULL: not answered)
  conversion_rate   REAL,                        -- CRM: opportunities won / worked over the trailing 90 days (0..1)
  contract_amount   REAL,                        -- CRM: annual contract value (USD) of the rep's signed, live contracts
  negative_feedback INTEGER                      -- CRM: negative customer feedback since the previous snapshot (escalations, detractor answers)
);
CREATE INDEX goal_snapshot_rep_time ON goal_snapshot(rep_id, snapshot_date);

-- How long each rep has been filing snapshots: derived from goal_snapshot, so
-- it cannot drift from the data.  The warning rules look a rep up here
-- (as of the evaluation date, so a backtest sees a rep's first snapshot only
-- once it was filed) to decide whether the rep has six months of data yet.
-- `snapshots` counts every row, later ones included: the rules do not read it.
CREATE VIEW rep_history AS
  SELECT rep_id,
         MIN(snapshot_date) AS first_snapshot,  -- the rep's first snapshot (the view's time column)
         COUNT(*)           AS snapshots        -- for people reading the table
  FROM goal_snapshot
  GROUP BY rep_id;

-- Key milestones of a rep's plan (first demo with a design partner, the
-- territory plan, a pilot's go-live...).  One row per milestone, updated in
-- place when it is done.
CREATE TABLE milestones (
  milestone_id INTEGER PRIMARY KEY,  -- entity key
  owner_id     INTEGER NOT NULL,     -- the rep who owns it (goal_snapshot.rep_id)
  name         TEXT    NOT NULL,
  due_date     DATE    NOT NULL,     -- the committed date (the series' time: a milestone is seen once it is due)
  done_date    DATE                  -- NULL while open
);
CREATE INDEX milestones_id_due ON milestones(milestone_id, due_date);

-- The calibration archive: one row per change of a rep's goal.  Changes are
-- made at the mid-quarter calibration meeting (week 6 of Q2 and Q4) and need
-- a written reason and the sign-off of sales, product and finance; a sign-off
-- column holds the date that role signed (NULL: not yet).
CREATE TABLE goal_revisions (
  revision_id     INTEGER PRIMARY KEY,  -- entity key
  rep_id          INTEGER NOT NULL,     -- whose goal changed
  revised_on      DATE    NOT NULL,     -- when the change was decided
  goal_period     TEXT    NOT NULL,     -- the quarter the goal is for, e.g. '2025-Q2'
  old_goal        REAL,                 -- goal before (USD)
  new_goal        REAL,                 -- goal after (USD)
  reason          TEXT,                 -- the written reason (required; any language)
  sales_signoff   DATE,                 -- the sales lead's sign-off date
  product_signoff DATE,                 -- the product representative's sign-off date
  finance_signoff DATE                  -- the finance analyst's sign-off date
);
CREATE INDEX goal_revisions_id_revised ON goal_revisions(revision_id, revised_on);
CREATE INDEX goal_revisions_rep_revised ON goal_revisions(rep_id, revised_on);

-- The org chart as it is today: one row per person and their manager.  Reps
-- report to a sales lead, the leads (and the product and finance people who
-- sign goal changes) to the CEO.  Red alerts climb one level (route red up 1).
-- A rep who has joined but never filed a snapshot is found here.
CREATE TABLE org_chart (
  person_id  INTEGER PRIMARY KEY,
  manager_id INTEGER,            -- NULL for the CEO
  full_name  TEXT    NOT NULL,
  role       TEXT    NOT NULL,   -- 'rep', 'lead', 'product', 'finance' or 'ceo'
  joined_on  DATE    NOT NULL    -- first day at the company
);
CREATE INDEX org_chart_person_joined ON org_chart(person_id, joined_on);
