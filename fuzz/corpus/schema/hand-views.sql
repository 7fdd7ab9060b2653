CREATE TABLE t0 (k INTEGER, d DATE, x REAL, who TEXT);
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, boss INTEGER);
CREATE VIEW t AS SELECT k, d, x FROM t0 WHERE who IS NOT 'ghost';
CREATE VIEW v AS
  SELECT t.k AS k, t.d AS d, length(p.name) + julianday(t.d) - julianday('2025-01-01') AS x
  FROM t JOIN people p ON p.id = t.k
  UNION ALL SELECT k, d, nullif(x, 0) FROM t0;
INSERT INTO people VALUES (1, 'Ann', NULL), (2, 'Bo', 1);
