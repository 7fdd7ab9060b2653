-- The fixed pack of fuzz_schema reads table t and view v.
BEGIN;
CREATE TABLE t (
  k INTEGER NOT NULL,
  d DATE NOT NULL DEFAULT CURRENT_DATE,
  x REAL CHECK (x IS NULL OR abs(x) < 1e9),
  note TEXT DEFAULT (upper('n')) COLLATE NOCASE,
  y TEXT AS (coalesce(note, typeof(x))) VIRTUAL,
  UNIQUE (k, d)
);
CREATE INDEX t_k_d ON t(k, d);
CREATE INDEX t_x ON t(round(x, 2)) WHERE x > 0;
CREATE VIEW v AS
  SELECT k, max(d) AS d, sum(x) AS x, count(*) AS n, iif(min(x) > 0, 'pos', 'neg') AS s
  FROM t GROUP BY k;
INSERT INTO t (k, d, x) VALUES (9, '2024-12-31', 1.5), (9, date('2025-01-01', '+1 day'), NULL);
INSERT INTO t (k, x) SELECT 8, 2;
SAVEPOINT a; INSERT INTO t (k, d, x) VALUES (7, '2025-01-01', 3); RELEASE a;
COMMIT;
