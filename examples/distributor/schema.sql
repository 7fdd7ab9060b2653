-- Data contract of the `distributor` rule pack: a manufacturer that sells
-- through a network of independent distributors and runs the goal method on a
-- ten-day rhythm.  A "dekad" (旬) is days 1-10, 11-20 or 21 to the end of a
-- month; every periodic row is dated on its dekad's last day (the 10th, the
-- 20th, the month's last day).  Each distributor answers to one channel
-- manager of the manufacturer: its direct supervisor, who gets its alerts.
-- All dates are ISO text (YYYY-MM-DD).  Amounts are in the company currency,
-- at the manufacturer's list prices.

-- The distributors, as a slowly changing dimension: one row per change
-- (signed, moved to another channel manager, terminated).  The row in force on
-- a date is the latest one whose valid_from is on or before that date.
CREATE TABLE distributor (
  distributor_id INTEGER NOT NULL,
  valid_from     DATE    NOT NULL,  -- first day this version applies
  name           TEXT,              -- trading name, shown in alert messages
  region         TEXT,              -- 'North', 'South', 'East' or 'West' (channel policies may apply to one)
  manager_id     INTEGER,           -- the channel manager (a person_id of org_chart): the direct supervisor
  active         INTEGER NOT NULL DEFAULT 1   -- 1 under contract, 0 terminated from valid_from on
);
CREATE INDEX distributor_key_time ON distributor(distributor_id, valid_from);

-- The manufacturer's org chart as it is today: channel managers, their
-- regional directors and the head of channel sales.  Routes climb it (a red
-- alert also reaches the channel manager's director).
CREATE TABLE org_chart (
  person_id  INTEGER PRIMARY KEY,
  manager_id INTEGER,               -- NULL for the top of the chart
  full_name  TEXT    NOT NULL,
  title      TEXT
);

-- The ten-day close: one row per distributor per dekad, written by the ERP
-- (orders, collections) and the distributors' stock system (sell-out, stock)
-- when the dekad closes.  The close is the "numbers" half of the ten-day
-- operating brief; the written half is ten_day_brief.
CREATE TABLE dekad_close (
  distributor_id        INTEGER NOT NULL,
  period_end            DATE    NOT NULL,  -- the dekad's last day
  manager_id            INTEGER,  -- channel manager at the close: the team the roll-up groups by
  region                TEXT,
  order_amount          REAL,     -- sell-in: orders the distributor placed with the manufacturer in the dekad
  qtd_orders            REAL,     -- sell-in from the quarter's first day through period_end
  quarter_goal          REAL,     -- the quarter's sell-in goal in force at the close (after any calibration)
  amount_due            REAL,     -- receivables that fell due in the dekad, plus arrears carried over
  amount_collected      REAL,     -- cash received against them in the dekad
  plan_rate             REAL,     -- planned collection rate (collected / due) for the dekad, e.g. 0.88
  sell_out              REAL,     -- the distributor's sales to its own customers in the dekad
  sell_through          REAL,     -- sell_out / (stock at the dekad's start + sell-in), 0..1
  baseline_sell_through REAL,     -- the distributor's own baseline sell-through, set at the quarter's calibration
  stock_value           REAL,     -- the distributor's stock of the manufacturer's products at the close
  stock_days            REAL,     -- days of stock on hand: stock_value / (sell-out of the last 90 days / 90)
  complaints            INTEGER   -- end-customer complaints logged against the distributor in the dekad
);
CREATE INDEX dekad_close_key_time ON dekad_close(distributor_id, period_end);

-- The written ten-day brief each distributor files with its channel manager
-- (the method's snapshot): progress against the goal, obstacles, help needed.
-- One row per distributor per dekad.  filed_on is the day it was filed (NULL
-- for a draft saved but not filed); a brief filed after a date had not been
-- filed on that date, so a backtest sees it only from filed_on on.
CREATE TABLE ten_day_brief (
  distributor_id INTEGER NOT NULL,
  period_end     DATE    NOT NULL,  -- the dekad end the brief covers
  filed_on       DATE,              -- the day it was filed; NULL for a draft
  progress       TEXT,
  obstacles      TEXT,
  help_needed    TEXT
);
CREATE INDEX ten_day_brief_key_time ON ten_day_brief(distributor_id, period_end);

-- Receivables: one row per document the manufacturer issued to a distributor.
CREATE TABLE receivable (
  invoice_id     INTEGER PRIMARY KEY,
  doc_type       TEXT    NOT NULL DEFAULT 'INV',  -- 'INV' invoice, 'CRN' credit note (not collectable)
  distributor_id INTEGER,
  invoice_date   DATE    NOT NULL,  -- the day it was issued: the receivable's age runs from here
  due_date       DATE,              -- invoice_date + the distributor's payment terms (30, 60 or 90 days)
  amount         REAL,              -- total, tax included
  paid_date      DATE               -- NULL while unpaid (partial payments are not modelled)
);

-- Key actions agreed in the ten-day sync between a distributor and its
-- channel manager (the method's milestones): a payment promised, slow stock
-- cleared, an outlet opened.  done_date is NULL while open.
CREATE TABLE action_item (
  action_id      INTEGER PRIMARY KEY,
  distributor_id INTEGER NOT NULL,
  kind           TEXT,              -- 'payment', 'stock', 'outlet', ...
  title          TEXT,
  agreed_on      DATE    NOT NULL,  -- the sync that agreed it
  due_date       DATE    NOT NULL,
  done_date      DATE
);

-- Changes of channel policy (rebates, prices, credit terms), from the day they
-- take effect.  Goals are calibrated when the policy changes.
CREATE TABLE channel_policy (
  policy_id      INTEGER PRIMARY KEY,
  effective_from DATE    NOT NULL,
  region         TEXT    NOT NULL DEFAULT 'ALL',  -- 'ALL', or the one region it applies to
  title          TEXT
);

-- The calibration archive: one row per change of a distributor's quarter
-- goal, with its written reason and the date each of the three functions
-- signed it (NULL: not signed yet).
CREATE TABLE goal_revisions (
  revision_id     INTEGER PRIMARY KEY,
  distributor_id  INTEGER NOT NULL,
  revised_on      DATE    NOT NULL,  -- the day the change was decided
  goal_quarter    DATE,              -- the first day of the quarter whose goal changed
  old_goal        REAL,
  new_goal        REAL,
  policy_id       INTEGER,           -- the channel-policy change it implements; NULL for the quarterly meeting
  reason          TEXT,              -- the written reason (required)
  sales_signoff   DATE,              -- channel sales lead
  product_signoff DATE,              -- product line manager
  finance_signoff DATE               -- finance analyst
);
