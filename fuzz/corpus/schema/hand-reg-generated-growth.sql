-- 983 KB per row from a 15-byte literal through generated columns; 100 rows
-- would be 98 MB: the box's 64 MiB bound stops it.
CREATE TABLE t(k INTEGER, d DATE, x REAL);
CREATE TABLE g(a TEXT,
  c1 AS (a || a) VIRTUAL, c2 AS (c1 || c1) VIRTUAL, c3 AS (c2 || c2) VIRTUAL, c4 AS (c3 || c3) VIRTUAL,
  c5 AS (c4 || c4) VIRTUAL, c6 AS (c5 || c5) VIRTUAL, c7 AS (c6 || c6) VIRTUAL, c8 AS (c7 || c7) VIRTUAL,
  c9 AS (c8 || c8) VIRTUAL, c10 AS (c9 || c9) VIRTUAL, c11 AS (c10 || c10) VIRTUAL, c12 AS (c11 || c11) VIRTUAL,
  c13 AS (c12 || c12) VIRTUAL, c14 AS (c13 || c13) VIRTUAL, c15 AS (c14 || c14) VIRTUAL, c16 AS (c15 || c15) STORED);
INSERT INTO g(a) VALUES ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),
 ('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa'),('aaaaaaaaaaaaaaa');
CREATE VIEW v AS SELECT 1 AS k, '2025-01-01' AS d, length(c16) AS x FROM g;
