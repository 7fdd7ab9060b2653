CREATE TABLE t(k INTEGER, d DATE, x REAL);
SELECT fts3_tokenizer('simple', x'4141414141414141');
CREATE VIRTUAL TABLE boom USING fts3(a, tokenize=simple);
INSERT INTO boom VALUES ('x');
