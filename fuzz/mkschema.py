#!/usr/bin/env python3
"""mkschema.py -- regenerate fuzz/schema.sql and fuzz/data.sql.

The fuzz targets check rules against one fixed schema and run compiled packs
against one small database.  So that the seed corpora (the example packs, the
golden tests, the acceptance rules) get past name resolution, the schema is the
union of every table those seeds use: each schema.sql, the acceptance fixture
and the CREATE TABLE statements of tests/golden/run/*.test.  A table declared
in several places gets the union of its columns (the first declaration's type
wins).  One view is added so the view code paths are reached too.

data.sql holds 50 rows per table, generated deterministically: 20 spread over
four keys and 30 of one key on consecutive days (so an unbounded series grows
past its first 16 slots), dates around the fuzzers' as_of (2025-06-30), some
repeated days, times with zones that move the day, and a share of nulls and of
bad values (text in number columns, impossible dates and times, years 0 and
9999 with zones that leave 0..9999, infinities, huge integers, long and
non-ASCII strings).

Run from the repository root:  python3 fuzz/mkschema.py
"""
import datetime
import glob
import os
import random
import sqlite3
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sql_sources():
    for p in sorted(glob.glob(os.path.join(ROOT, "examples/*/schema.sql"))):
        yield p, open(p, encoding="utf-8").read()
    for p in ("tests/golden/errors/schema.sql", "tests/acceptance/fixture.sql"):
        full = os.path.join(ROOT, p)
        if os.path.exists(full):
            yield full, open(full, encoding="utf-8").read()
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/golden/run/*.test"))):
        sec, sql = None, []
        for line in open(p, encoding="utf-8"):
            if line.startswith("=== "):
                sec = line[4:].strip()
                continue
            if sec == "sql":
                sql.append(line)
        if sql:
            yield p, "".join(sql)


# Columns left out: tests/golden/errors/schema.sql declares sales_snapshot.slump
# to provoke E-ambiguous, which would make the saas pack (param slump) fail.
SKIP = {("sales_snapshot", "slump")}


# Hand-made rows for the table "zones": in each key, a time text that sorts
# after another but whose zone puts it on an earlier UTC day (or the same day).
ZONES = """-- zones: text order and day order differ within each key
INSERT INTO "zones" VALUES
  (1, '2025-06-20', 1, 'a'), (1, '2025-06-24', 2, 'b'), (1, '2025-06-24T00:30+05:00', 3, 'c'),
  (2, '2025-06-10T23:30:00-05:00', 1, 'a'), (2, '2025-06-10T23:45', 2, 'b'),
  (3, '2025-06-01', 1, 'a'), (3, '2025-06-02T00:30+05:00', 2, 'b'), (3, '2025-06-02', 3, 'c'),
  (3, '2025-06-02T01:00+02:00', 4, 'd'), (3, '2025-06-03T00:10+01:00', 5, 'e'),
  (4, '2025-06-29T23:30:00-05:00', 1, 'a'), (4, '2025-06-30', 2, 'b'), (4, '2025-06-30T00:30+05:00', 3, 'c'),
  (4, '2025-06-30T23:30:00-05:00', 4, 'after as_of');"""

# Hand-made rows for the table "ledger": one row per key (an INTEGER PRIMARY
# KEY), so nightly scans of it are prefiltered (runtime/prefilter.c), with a
# bad value in every column.
LEDGER = """-- ledger: one row per key, bad values in every column
INSERT INTO "ledger" VALUES
  (1, '2025-06-01', NULL, 10, 1, 'a'), (2, '2025-05-01', '2025-07-01', 'abc', 2, NULL),
  (3, 'garbage', NULL, 1e999, 3, 'x'), (4, '2025-06-29T23:30:00-05:00', NULL, -1e999, NULL, 'e'),
  (5, NULL, NULL, 3, 4, ''), (6, '2025-07-15', NULL, 3, 5, 'later'), (7, '2025-04-05', X'00', NULL, 6, 'blob'),
  (8, '2025-04-05', 20250101, 2.5, 7, 'int date'), (9, '2025-06-06', '2025-06-30', 0, 8, 'paid on as_of'),
  (10, '2025-06-30', NULL, 9223372036854775807, -9223372036854775808, 'big'), (11, ' 2025-06-01', NULL, 1, 1, 'blank');"""


def q(name):
    return '"' + name.replace('"', '""') + '"'


def main():
    tables = {}  # lower name -> [name, [(col, type)], set(lower col)]
    order = []
    indexes = []
    for path, sql in sql_sources():
        db = sqlite3.connect(":memory:")
        try:
            db.executescript(sql)
        except sqlite3.Error as e:
            print("%s: skipped (%s)" % (path, e), file=sys.stderr)
            continue
        for (name,) in db.execute(
                "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"):
            key = name.lower()
            if key not in tables:
                tables[key] = [name, [], set()]
                order.append(key)
            t = tables[key]
            for _, cn, ct, _, _, _ in db.execute("SELECT * FROM pragma_table_info(?)", (name,)):
                if cn.lower() not in t[2] and (key, cn.lower()) not in SKIP:
                    t[1].append((cn, ct or ""))
                    t[2].add(cn.lower())
        for (isql,) in db.execute("SELECT sql FROM sqlite_schema WHERE type='index' AND sql IS NOT NULL"):
            # the union's rows are generated: a unique index of one pack
            # would refuse them (and the other packs' rows), so none is unique
            isql = isql.replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1)
            if isql not in indexes:
                indexes.append(isql)
        db.close()

    out = ["-- Generated by fuzz/mkschema.py: the union of the tables of examples/*/schema.sql,",
           "-- tests/golden/errors/schema.sql, tests/acceptance/fixture.sql and tests/golden/run/*.test.",
           "-- Do not edit by hand; rerun the script."]
    for key in order:
        name, cols, _ = tables[key]
        out.append("CREATE TABLE %s (\n  %s\n);" % (q(name), ",\n  ".join(
            "%s %s" % (q(c), t) if t else q(c) for c, t in cols)))
    out.extend(i + ";" for i in indexes)
    # an index on a second date column, where the data has zones that move
    # the day (see the data below): runs with index seeks read it
    out.append('CREATE INDEX "fuzz_milestones_done" ON "milestones"("milestone_id", "done_date");')
    # rows whose time text sorts one way and whose UTC day the other (ZONES)
    out.append('CREATE TABLE "zones" (id INTEGER, day DATE, n REAL, label TEXT);')
    out.append('CREATE INDEX "zones_id_day" ON "zones"(id, day);')
    # one row per key: prefiltered nightly scans (LEDGER)
    out.append('CREATE TABLE "ledger" (id INTEGER PRIMARY KEY, due DATE, paid DATE, amount REAL, n INTEGER, note TEXT);')
    # a view over a table with a number, a text and a date column
    out.append('CREATE VIEW "sales_view" AS SELECT * FROM "sales";')
    schema = "\n".join(out) + "\n"

    # check it loads, and that every index still applies
    db = sqlite3.connect(":memory:")
    db.executescript(schema)

    rnd = random.Random(7)
    as_of = datetime.date(2025, 6, 30)

    def kind(decl):
        u = decl.upper()
        if u.startswith("DATE") or u.startswith("TIMESTAMP"):
            return "date"
        if "INT" in u:
            return "int"
        if "CHAR" in u or "CLOB" in u or "TEXT" in u:
            return "text"
        if "BLOB" in u or not u:
            return "any"
        return "num"

    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, str) and v.startswith("@"):
            return v[1:]  # raw SQL
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return repr(v)

    bad = {
        "int": ["'n/a'", "@9223372036854775807", "@-9223372036854775808", "@9007199254740993", "@1.5", "@9e999", "'2025-06-01'"],
        "num": ["'abc'", "@9e999", "@-9e999", "@1e308", "@-0.0", "@5e-324", "''", "@X'00ff'", "'12'", "@-1e-300"],
        "text": ["''", "@42", "@3.25", "'回款率 ünïcödé'", "'" + "long " * 80 + "'", "'a\"b''c;--'", "@X'c3'",
                 "'" + "é回" * 1200 + "'", "'{x} {{ }} %s %n'"],
        "date": ["'2025-02-30'", "'yesterday'", "@20250101", "'2025-06-30 12:00:00'", "'0000-01-01'",
                 "'9999-12-31'", "@1.5", "''", "'2025-6-1'", "@-9e999", "'0000-01-01T00:30+01:00'",
                 "'9999-12-31T23:00-05:00'", "'2025-06-30T24:00'", "'2025-06-01T12:00:00.5 Z'", "' 2025-06-01'",
                 "'2025-06-01T25:00'", "'2025-06-01T10:00+15:00'"],
        "any": ["@1", "'x'", "@2.5", "'2025-06-01'", "@X'01'"],
    }

    def zoned(d, x, shift):
        """d as text, sometimes with a time, and with shift a zone that moves the UTC day."""
        if not shift:
            return d.isoformat() if x < 0.6 else d.isoformat() + (" 09:15:00" if x < 0.8 else "T12:00:00.250Z")
        if x < 0.6:
            return d.isoformat()
        if x < 0.7:
            return d.isoformat() + " 09:15:00"
        if x < 0.8:
            return d.isoformat() + "T23:30:00-05:00"   # the next day in UTC
        if x < 0.9:
            return d.isoformat() + "T00:30+05:00"      # the day before in UTC
        return d.isoformat() + "T12:00:00.250Z"

    def value(k, x, r, day, shift):
        if x < 0.1:
            return None
        if x < 0.18:
            v = rnd.choice(bad[k])
            return v if v.startswith("@") else "@" + v  # every bad value is written as raw SQL
        if k == "date":
            return zoned(day, rnd.random(), shift)
        if k == "int":
            return rnd.choice([0, 1, 1, 2, 3, 5, 8, 13, 100, 1000, -1])
        if k == "num":
            return round(rnd.choice([rnd.random(), rnd.uniform(0, 500000), rnd.uniform(-10, 10)]), 4)
        if k == "text":
            return rnd.choice(["open", "won", "lost", "ok", "n/a", "Took over two accounts", "  x  ", "A"])
        return rnd.choice([1, "x", 2.5])

    # Per table: 20 rows spread over keys 1-4 (a-d for text keys), then 30
    # rows of key 1 on consecutive days (more than a series' first 16 slots),
    # with repeated days, zoned times that move the day, and rows after as_of.
    # Zones that move the day are left out of each table's first date column,
    # the usual time column: a row whose text sorts after another's but whose
    # day is earlier makes the scan and the seek disagree when a rule looks
    # back 0 rows (fuzz/README.md, finding 1), and would stop every run.
    data = ["-- Generated by fuzz/mkschema.py: rows for the fuzz database (as_of 2025-06-30)."]
    for key in order:
        name, cols, _ = tables[key]
        rows = []
        for r in range(50):
            heavy = r >= 20
            if heavy:
                back = 40 - (r - 20) * 4 // 3 + (1 if r % 7 == 0 else 0)   # some days twice
                day = as_of - datetime.timedelta(days=back)
            else:
                day = as_of - datetime.timedelta(days=int(rnd.triangular(-20, 200, 15)))
            vals = []
            first_date = min([ci for ci, (cn, ct) in enumerate(cols) if kind(ct) == "date"] or [-1])
            for ci, (cn, ct) in enumerate(cols):
                k = kind(ct)
                x = rnd.random()
                if ci == 0 or (cn.lower().endswith("_id") and x < 0.7):
                    # key-like: a few keys, sometimes null or of the other type
                    kk = 0 if heavy else r % 4
                    if x < 0.05:
                        v = None
                    elif k == "text":
                        v = "abcd"[kk] if x > 0.1 else "@2"
                    else:
                        v = kk + 1 if x > 0.1 else "2"
                else:
                    v = value(k, x, r, day if k == "date" and rnd.random() < 0.7 else
                              as_of - datetime.timedelta(days=int(rnd.triangular(-20, 200, 15))), ci != first_date)
                vals.append(lit(v))
            rows.append("(" + ", ".join(vals) + ")")
        data.append("INSERT INTO %s VALUES\n  %s;" % (q(name), ",\n  ".join(rows)))
    data.append(ZONES)
    data.append(LEDGER)
    data_sql = "\n".join(data) + "\n"
    db.executescript(data_sql)
    db.close()

    with open(os.path.join(ROOT, "fuzz/schema.sql"), "w", encoding="utf-8") as f:
        f.write(schema)
    with open(os.path.join(ROOT, "fuzz/data.sql"), "w", encoding="utf-8") as f:
        f.write(data_sql)
    print("fuzz/schema.sql: %d tables; fuzz/data.sql: %d rows" % (len(order), 50 * len(order)))


if __name__ == "__main__":
    main()
