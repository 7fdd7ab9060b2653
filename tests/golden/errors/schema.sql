-- The data contract of the error goldens (tests/golden/errors/*.rules).
CREATE TABLE sales_snapshot (
  rep_id              INTEGER NOT NULL,
  snapshot_date       DATE    NOT NULL,
  conversion_rate     REAL,
  baseline_conversion REAL,
  contract_amount     REAL,
  negative_feedback   INTEGER,
  active              INTEGER,
  supervisor_id       INTEGER,
  rep_name            TEXT,
  "回款率"            REAL,
  slump               REAL
);
CREATE TABLE milestones (
  milestone_id INTEGER NOT NULL,
  rep_id       INTEGER,
  checked_on   DATE NOT NULL,
  due_date     DATE,
  done_date    DATE,
  title        TEXT
);
CREATE TABLE targets (
  rep_id INTEGER NOT NULL,
  day    DATE    NOT NULL,
  amount REAL
);
CREATE TABLE org_chart (
  person_id  INTEGER NOT NULL,
  manager_id INTEGER,
  full_name  TEXT
);
CREATE TABLE rep_targets (
  rep_id     INTEGER NOT NULL,
  valid_from DATE    NOT NULL,
  slump      REAL
);
