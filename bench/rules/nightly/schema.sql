-- The data contract of the benchmark pack: the tables bench/gen.c writes.
CREATE TABLE org (
  rep_id      INTEGER NOT NULL,  -- the rep
  valid_from  DATE    NOT NULL,  -- from this day on the rep reports to manager_id
  manager_id  INTEGER NOT NULL,
  director_id INTEGER NOT NULL,
  rep_name    TEXT
);
CREATE TABLE sales_snapshot (
  rep_id              INTEGER NOT NULL,
  snapshot_date       DATE    NOT NULL,
  supervisor_id       INTEGER,           -- the rep's manager on that day
  active              BOOLEAN NOT NULL DEFAULT 1,
  quota               REAL,
  pipeline_amount     REAL,
  conversion_rate     REAL,
  baseline_conversion REAL,
  contract_amount     REAL,
  negative_feedback   INTEGER,
  progress_note       TEXT
);
CREATE TABLE invoices (
  invoice_id   INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL,
  rep_id       INTEGER NOT NULL,  -- the rep who owns the customer
  invoice_date DATE    NOT NULL,
  due_date     DATE    NOT NULL,
  paid_date    DATE,              -- NULL while unpaid
  amount       REAL    NOT NULL,
  currency     TEXT    NOT NULL DEFAULT 'USD'
);
CREATE INDEX org_rep_from ON org(rep_id, valid_from);
CREATE INDEX sales_snapshot_rep_time ON sales_snapshot(rep_id, snapshot_date);
CREATE INDEX invoices_key_time ON invoices(invoice_id, due_date);
