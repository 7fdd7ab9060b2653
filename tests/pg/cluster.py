#!/usr/bin/env python3
"""cluster.py — a throwaway PostgreSQL 15 cluster for the tests (issue 14).

    tests/pg/cluster.py start DIR
        three servers (tests/pg/server.sh) in DIR/coord, DIR/w1 and DIR/w2: a
        coordinator and two workers.  The coordinator's database vigil gets
        postgres_fdw, a foreign server per worker (w1, w2: its database vigil)
        and a user mapping for each.  Prints three lines: the coordinator's
        URI, then w1's and w2's.
    tests/pg/cluster.py distribute DIR DB TABLE KEY TIME
        in database DB (created on each server that lacks it), turns the
        coordinator's table TABLE into a table PARTITION BY HASH (KEY) with
        two foreign partitions, MODULUS 2 REMAINDER 0 on w1 and REMAINDER 1 on
        w2: a table of the same name and columns (in the same order, so
        vigil_rowid, load.py's copy of SQLite's rowid, stays) on each worker,
        indexed (KEY [COLLATE "C" for text] NULLS FIRST, TIME NULLS FIRST),
        the order a run reads it in.  The rows move over in one transaction.
        DB gets postgres_fdw and the servers w1, w2 (on the workers' DB).
    tests/pg/cluster.py stop DIR
        stops the three servers and removes DIR.

Every identifier is quoted.  Run as root, the servers run as postgres (see
server.sh) and DIR is made reachable (mode 711).  Exit status 77 with one line
on stderr when PostgreSQL 15 is not installed, 1 on any other failure, 2 on
usage.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
NODES = ("coord", "w1", "w2")
WORKERS = ("w1", "w2")


def fail(msg, status=1):
    print("cluster.py: " + msg, file=sys.stderr)
    sys.exit(status)


def ident(name):
    if "\0" in name or len(name.encode("utf-8")) > 63:
        fail("%r is no PostgreSQL name" % name)
    return '"' + name.replace('"', '""') + '"'


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def port(d, node):
    try:
        with open(os.path.join(d, node, "port")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        fail("no server in %s (cluster.py start it first)" % os.path.join(d, node))


def uri(d, node, db):
    # a URI's path is the database, percent-encoded
    enc = "".join(c if c.isalnum() or c in "-._~" else "".join("%%%02X" % b for b in c.encode()) for c in db)
    return "postgresql://vigil@127.0.0.1:%d/%s" % (port(d, node), enc)


def psql(d, node, db, sql, rows=False):
    """Runs sql in one transaction on node's database db; its rows (tab
    separated) when rows."""
    r = subprocess.run(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-d", uri(d, node, db),
                        "-f", "-"], input=sql.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        fail("%s (database %s): %s" % (node, db, r.stderr.decode("utf-8", "replace").strip()))
    out = r.stdout.decode("utf-8")
    return [l.split("\t") for l in out.split("\n") if l] if rows else out


def server(cmd, d):
    r = subprocess.run(["sh", os.path.join(HERE, "server.sh"), cmd, d], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode == 77:
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        sys.exit(77)
    if r.returncode != 0:
        fail("server.sh %s %s: %s" % (cmd, d, r.stderr.decode("utf-8", "replace").strip()))
    return r.stdout.decode().strip()


def fdw_sql(d, db):
    """postgres_fdw and the servers w1, w2 (on their database db), as SQL for
    the coordinator's database db."""
    sql = "SET client_min_messages = warning;\nCREATE EXTENSION IF NOT EXISTS postgres_fdw;\n"
    for w in WORKERS:
        # (if not there already: dropping a server drops the partitions on it)
        sql += ("CREATE SERVER IF NOT EXISTS %s FOREIGN DATA WRAPPER postgres_fdw"
                " OPTIONS (host '127.0.0.1', port %s, dbname %s);\n"
                "CREATE USER MAPPING IF NOT EXISTS FOR CURRENT_USER SERVER %s OPTIONS (user 'vigil');\n") % (
                    ident(w), literal(str(port(d, w))), literal(db), ident(w))
    return sql


def start(d):
    if not all(os.access(os.path.join(PGBIN, b), os.X_OK) for b in ("initdb", "pg_ctl", "pg_isready")):
        print("cluster.py: PostgreSQL 15 is not installed (%s/initdb is missing): apt-get install postgresql-15" % PGBIN,
              file=sys.stderr)
        sys.exit(77)
    os.makedirs(d, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(d, 0o711)  # the postgres user reaches its folders
    uris = []
    try:
        for n in NODES:
            uris.append(server("start", os.path.join(d, n)))
        psql(d, "coord", "vigil", fdw_sql(d, "vigil"))
    except SystemExit:
        for n in NODES[:len(uris)]:
            subprocess.run(["sh", os.path.join(HERE, "server.sh"), "stop", os.path.join(d, n)])
        raise
    print("\n".join(uris))


def stop(d):
    st = 0
    for n in NODES:
        r = subprocess.run(["sh", os.path.join(HERE, "server.sh"), "stop", os.path.join(d, n)])
        st = st or r.returncode
    if st == 0 and os.path.isdir(d):
        try:
            os.rmdir(d)
        except OSError as e:
            fail("cannot remove %s: %s" % (d, e))
    return st


def distribute(d, db, table, key, time):
    for n in NODES:
        if not psql(d, n, "postgres", "SELECT 1 FROM pg_database WHERE datname = %s" % literal(db)):
            r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri(d, n, "postgres"),
                                "-c", "CREATE DATABASE %s" % ident(db)], stderr=subprocess.PIPE)
            if r.returncode != 0:
                fail("%s: %s" % (n, r.stderr.decode("utf-8", "replace").strip()))
    # the table's columns in order, with their types
    cols = psql(d, "coord", db,
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid = 'text'::regtype"
                " OR a.atttypid = 'varchar'::regtype OR a.atttypid = 'bpchar'::regtype"
                " FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped"
                " ORDER BY a.attnum" % literal(ident(table)), rows=True)
    if not cols:
        fail("the coordinator's database %s has no table %s" % (db, table))
    names = [c[0] for c in cols]
    for c in (key, time):
        if c not in names:
            fail("table %s has no column %s" % (table, c))
    text_key = [c[2] for c in cols if c[0] == key][0] == "t"
    t = ident(table)
    coldefs = ", ".join("%s %s" % (ident(c[0]), c[1]) for c in cols)
    index = "%s%s NULLS FIRST, %s NULLS FIRST" % (ident(key), ' COLLATE "C"' if text_key else "", ident(time))
    for w in WORKERS:
        psql(d, w, db, "SET client_min_messages = warning;\nDROP TABLE IF EXISTS %s CASCADE;\nCREATE TABLE %s (%s);\n"
                       "CREATE INDEX ON %s (%s);\n" % (t, t, coldefs, t, index))
    old = ident("vigil_cluster_old")
    sql = fdw_sql(d, db)
    sql += "DROP TABLE IF EXISTS %s;\nALTER TABLE %s RENAME TO %s;\n" % (old, t, old)
    sql += "CREATE TABLE %s (%s) PARTITION BY HASH (%s);\n" % (t, coldefs, ident(key))
    for i, w in enumerate(WORKERS):
        sql += ("CREATE FOREIGN TABLE %s PARTITION OF %s FOR VALUES WITH (MODULUS 2, REMAINDER %d)"
                " SERVER %s OPTIONS (schema_name 'public', table_name %s);\n") % (
                    ident("%s_%s" % (table[:55], w)), t, i, ident(w), literal(table))
    sql += "INSERT INTO %s SELECT * FROM %s;\nDROP TABLE %s;\n" % (t, old, old)
    psql(d, "coord", db, sql)
    for n in NODES:
        psql(d, n, db, "ANALYZE %s;\n" % t)


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "start":
        start(a[1])
    elif len(a) == 2 and a[0] == "stop":
        return stop(a[1])
    elif len(a) == 6 and a[0] == "distribute":
        distribute(*a[1:])
    else:
        print("usage: cluster.py start DIR | distribute DIR DB TABLE KEY TIME | stop DIR", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
