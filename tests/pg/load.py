#!/usr/bin/env python3
"""load.py — copy a SQLite database's tables into PostgreSQL (issue 14's tests).

    tests/pg/load.py SQLITE_DB PG_URI [--dates-as text|date] [--bad-values fail|null]

Every table of SQLITE_DB except sqlite_* and vigil_* (Vigil makes its own) is
dropped in PG_URI's database and made again, then filled through psql's COPY
FROM STDIN (text format: one line per row, so no value can end the data) in
one transaction.  The column types come from the declared SQLite types:

    declared type holds   PostgreSQL type
    INT                   bigint
    REAL, FLOA, DOUB      double precision (never real: that is float4)
    NUMERIC, DECIMAL      numeric
    TEXT, CHAR, CLOB      text
    (nothing), BLOB       text
    DATE, TIME            text (see --dates-as)
    anything else         from the values: bigint when all are integers,
                          double precision when all are numbers, else text

--dates-as date: a column declared with DATE (not DATETIME) in its type
becomes `date` (a value that is no date, 'last week' or 2025-02-30, is then
a bad value, as Vigil reads it from SQLite: null); so does a DATETIME,
TIMESTAMP or TEXT column holding at least one value, whose every non-NULL
value is written YYYY-MM-DD.  NULLs stay NULL, text keeps
its bytes (UTF-8), doubles go as repr() (they round-trip exactly; +-Infinity
and NaN by name).  A value the PostgreSQL column cannot hold (text in a
number column, a NUL byte or bytes that are not UTF-8 in text, a BLOB) stops
the load (--bad-values fail, the default) or is loaded as NULL with a line on
stderr (--bad-values null).

SQLite's rowid goes with the rows: an INTEGER PRIMARY KEY becomes the
PostgreSQL primary key, and a table with a rowid and no such key gets a
column vigil_rowid holding it (Vigil's tie-break between duplicate rows,
LANGUAGE.md 11.7).  Each SQLite index on plain columns is made
again on the same columns in SQLite's order (UNIQUE when it is unique; NULLS
FIRST, or DESC NULLS LAST; text COLLATE "C", byte order), and each view is
made again from its SQLite text, which must then be valid PostgreSQL too.  Every identifier is
quoted.  Exit status 0, 1 on any failure (what failed on stderr), 2 on usage.
"""
import argparse
import datetime
import math
import re
import sqlite3
import subprocess
import sys

DATE_RE = re.compile(rb"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def fail(msg):
    print("load.py: " + msg, file=sys.stderr)
    sys.exit(1)


def ident(name):
    """name (str) as a quoted PostgreSQL identifier."""
    if len(name.encode("utf-8")) > 63:
        fail("the name %r is longer than PostgreSQL's 63 bytes" % name)
    if "\0" in name:
        fail("the name %r holds a NUL byte" % name)
    return '"' + name.replace('"', '""') + '"'


def is_date_shaped(v):
    return isinstance(v, bytes) and DATE_RE.match(v) is not None


def is_date(v):
    if not is_date_shaped(v):
        return False
    try:
        datetime.date.fromisoformat(v.decode("ascii"))
    except ValueError:
        return False
    return True


def pg_type(decl, values, dates_as):
    """The PostgreSQL type of a column declared decl holding values."""
    d = (decl or "").upper()
    datelike = "DATE" in d or "TIME" in d
    dateonly = datelike and "TIME" not in d  # DATE, not DATETIME or TIMESTAMP
    texty = not d or any(k in d for k in ("CHAR", "CLOB", "TEXT", "BLOB"))
    nonnull = [v for v in values if v is not None]
    if dates_as == "date" and (dateonly or ((datelike or (texty and nonnull)) and all(is_date_shaped(v) for v in nonnull))):
        return "date"
    if "INT" in d:
        return "bigint"
    if any(k in d for k in ("REAL", "FLOA", "DOUB")):
        return "double precision"
    if "NUMERIC" in d or "DECIMAL" in d:
        return "numeric"
    if texty or datelike:
        return "text"
    if nonnull and all(isinstance(v, int) for v in nonnull):
        return "bigint"
    if nonnull and all(isinstance(v, (int, float)) for v in nonnull):
        return "double precision"
    return "text"


def index_key(col, ty, desc):
    """An index column in SQLite's order: NULLs smallest, text by bytes."""
    return "%s%s%s" % (ident(col), ' COLLATE "C"' if ty == "text" else "",
                       " DESC NULLS LAST" if desc else " NULLS FIRST")


def copy_escape(b):
    """bytes as a field of COPY's text format."""
    return (b.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
            .replace(b"\t", b"\\t"))


def number_text(v):
    if isinstance(v, int):
        return str(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(v)


def field(v, ty):
    """The COPY field of value v in a column of type ty, or None when the
    column cannot hold v (a bad value)."""
    if v is None:
        return b"\\N"
    if ty == "bigint":
        return str(v).encode() if isinstance(v, int) else None
    if ty in ("double precision", "numeric"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        if ty == "numeric" and isinstance(v, float) and math.isnan(v):
            return b"NaN"
        return number_text(v).encode()
    if ty == "date":
        return v if is_date(v) else None  # 2025-02-30 is shaped like a date
    # text: numbers as SQLite shows them as text, bytes as they are
    if isinstance(v, int):
        return str(v).encode()
    if isinstance(v, float):
        return number_text(v).encode()
    if isinstance(v, memoryview):
        v = bytes(v)
    if b"\0" in v:
        return None
    try:
        v.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return copy_escape(v)


def main():
    ap = argparse.ArgumentParser(description="copy a SQLite database's tables into PostgreSQL")
    ap.add_argument("sqlite_db")
    ap.add_argument("pg_uri")
    ap.add_argument("--dates-as", choices=("text", "date"), default="text")
    ap.add_argument("--bad-values", choices=("fail", "null"), default="fail")
    a = ap.parse_args()

    try:
        db = sqlite3.connect("file:%s?mode=ro" % a.sqlite_db.replace("%", "%25").replace("?", "%3f").replace("#", "%23"), uri=True)
        db.text_factory = bytes
        objs = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                          "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                          "ORDER BY rowid").fetchall()
    except sqlite3.Error as e:
        fail("%s: %s" % (a.sqlite_db, e))
    objs = [(t.decode(), n.decode("utf-8"), tb.decode("utf-8"), (s or b"").decode("utf-8")) for t, n, tb, s in objs]
    tables = [n for t, n, _, _ in objs if t == "table" and not n.lower().startswith("vigil_")]
    views = [(n, s) for t, n, _, s in objs if t == "view" and not n.lower().startswith("vigil_")]

    out = [b"SET client_encoding = 'UTF8';\nSET client_min_messages = warning;\n"]
    for n, _ in views:
        out.append(("DROP VIEW IF EXISTS %s CASCADE;\n" % ident(n)).encode())
    bad = 0
    for t in tables:
        q = ident(t)
        sq = '"' + t.replace('"', '""') + '"'
        cols = db.execute("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", (t,)).fetchall()
        names = [c[0].decode("utf-8") for c in cols]
        decls = [c[1].decode("utf-8") for c in cols]
        has_rowid = True
        try:
            db.execute("SELECT rowid FROM %s LIMIT 0" % sq)
        except sqlite3.Error:
            has_rowid = False
        pk = db.execute("SELECT name, type FROM pragma_table_info(?) WHERE pk > 0", (t,)).fetchall()
        ipk = has_rowid and len(pk) == 1 and pk[0][1].decode("utf-8").upper() == "INTEGER"
        # SQLite's rowid is part of the data (it breaks ties between duplicate
        # rows): a table whose rowid no INTEGER PRIMARY KEY names keeps it as
        # vigil_rowid, which Vigil reads as the rowid (LANGUAGE.md 11.7)
        keep_rowid = has_rowid and not ipk and "vigil_rowid" not in [n.lower() for n in names]
        sel = "SELECT %s%s FROM %s%s" % (", ".join('"' + c.replace('"', '""') + '"' for c in names),
                                          ", rowid" if keep_rowid else "", sq, " ORDER BY rowid" if has_rowid else "")
        rows = db.execute(sel).fetchall()
        types = [pg_type(decls[i], [r[i] for r in rows], a.dates_as) for i in range(len(names))]
        if keep_rowid:
            names = names + ["vigil_rowid"]
            types = types + ["bigint"]
        out.append(("DROP TABLE IF EXISTS %s CASCADE;\nCREATE TABLE %s (%s);\n" % (
            q, q, ", ".join("%s %s" % (ident(n), ty) for n, ty in zip(names, types)))).encode())
        out.append(("COPY %s (%s) FROM STDIN;\n" % (q, ", ".join(ident(n) for n in names))).encode())
        for rn, r in enumerate(rows, 1):
            fs = []
            for i, v in enumerate(r):
                f = field(v, types[i])
                if f is None:
                    bad += 1
                    shown = v if not isinstance(v, bytes) else v.decode("utf-8", "backslashreplace")
                    print("load.py: %s row %d column %s: %r does not fit %s%s" % (
                        t, rn, names[i], shown, types[i],
                        ", loaded as NULL" if a.bad_values == "null" else ""), file=sys.stderr)
                    f = b"\\N"
                fs.append(f)
            out.append(b"\t".join(fs) + b"\n")
        out.append(b"\\.\n")
        # an INTEGER PRIMARY KEY is the rowid: in PostgreSQL the primary key
        # (which Vigil reads as the rowid)
        if ipk:
            out.append(("ALTER TABLE %s ADD PRIMARY KEY (%s);\n" % (q, ident(pk[0][0].decode("utf-8")))).encode())
        # the indexes, on plain columns only
        for il in db.execute("SELECT name, \"unique\", partial FROM pragma_index_list(?)", (t,)).fetchall():
            iname, uniq = il[0].decode("utf-8"), il[1]
            keys = db.execute("SELECT cid, name, desc FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
                              (iname,)).fetchall()
            if any(k[0] < 0 for k in keys):
                print("load.py: index %s of %s is on an expression: not made" % (iname, t), file=sys.stderr)
                continue
            if iname.startswith("sqlite_autoindex_"):
                iname = "%s_%s_key" % (t, "_".join(k[1].decode("utf-8") for k in keys))
            out.append(("CREATE %sINDEX %s ON %s (%s);\n" % (
                "UNIQUE " if uniq and not il[2] else "", ident(iname), q,
                ", ".join(index_key(k[1].decode("utf-8"), types[names.index(k[1].decode("utf-8"))], k[2])
                          for k in keys))).encode())
    for n, s in views:
        out.append(s.encode("utf-8") + b";\n")
    out.append(b"ANALYZE;\n")
    if bad and a.bad_values == "fail":
        fail("%d value(s) PostgreSQL cannot hold (listed above; --bad-values null loads them as NULL)" % bad)
    r = subprocess.run(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", a.pg_uri, "-f", "-"],
                       input=b"".join(out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        fail("psql failed (exit %d) loading %s" % (r.returncode, a.sqlite_db))
    return 0


if __name__ == "__main__":
    sys.exit(main())
