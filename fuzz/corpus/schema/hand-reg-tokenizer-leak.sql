CREATE TABLE t0(k INTEGER, d DATE, x REAL);
CREATE VIEW t AS SELECT k, d, x, hex(fts3_tokenizer('simple')) AS h FROM t0;
CREATE TABLE v(k INTEGER, d DATE, x REAL DEFAULT (fts3_tokenizer('simple')));
