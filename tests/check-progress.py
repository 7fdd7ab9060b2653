#!/usr/bin/env python3
"""check-progress.py -- the progress line of long commands (issue 16, item 10).

    python3 tests/check-progress.py VIGIL

With stderr on a pseudo-terminal, a backtest over many dates draws a
progress line ("N dates, R rows read (S/s), K keys evaluated, M:SS"),
rewritten with '\\r' and erased at the end; once a second has passed and
5% of the rows are read, a backtest of a rowid table adds how far it is and
the time left (", 42%, about 7s left"), and one of a WITHOUT ROWID table
does not (its rows are not known), and a run over several packs that may
seek tells it from the packs done; stdout is what it is without a
terminal, and so is stderr once the line's drawings are taken out.  Without
a terminal, with --quiet, with TERM=dumb and with --diagnostics-format json
nothing is drawn; --quiet also drops the summary lines but keeps warnings.
`run` and `diff` draw the line too.  Prints what fails; exit 1 when
something does.
"""
import json
import os
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ERASE = "\r\x1b[K"
# a drawing: an erasure, then the line, which the next erasure replaces
LINE = re.compile(r"\r\x1b\[K(vigil: [^\r\n]*)(?=\r)")
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def run(vigil, args, tty, env_extra=None):
    """Run vigil; stdout through a pipe, stderr on a pty when tty.
    Returns (exit code, stdout, stderr) as text."""
    env = dict(os.environ, TERM="xterm", LC_ALL="C", NO_COLOR="1")
    env.update(env_extra or {})
    if not tty:
        p = subprocess.run([vigil] + args, capture_output=True, env=env, timeout=600)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    master, slave = os.openpty()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen([vigil] + args, stdin=subprocess.DEVNULL, stdout=out, stderr=slave, env=env)
        os.close(slave)
        err = b""
        while True:
            r, _, _ = select.select([master], [], [], 600)
            if not r:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        rc = p.wait(timeout=600)
        out.seek(0)
        text = out.read().decode()
    # a pty turns "\n" into "\r\n"
    return rc, text, err.decode().replace("\r\n", "\n")


def write(folder, name, text):
    """Write text to folder/name; returns the path."""
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def without_lines(err):
    """stderr with the progress line's drawings and erasures taken out."""
    return LINE.sub("", err).replace(ERASE, "")


def main():
    if len(sys.argv) != 2:
        print("usage: check-progress.py VIGIL", file=sys.stderr)
        return 2
    vigil = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="vigil-progress-")
    try:
        db = os.path.join(tmp, "m.db")
        con = sqlite3.connect(db)
        # 2000 keys with a row on each of 300 days, a few bad rows (a warning)
        con.execute("CREATE TABLE m(k INTEGER, d DATE, x REAL)")
        con.execute("WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 599999)"
                    " INSERT INTO m SELECT i / 300, date('2025-01-01', '+' || (i % 300) || ' days'), i % 7 FROM c")
        con.execute("INSERT INTO m VALUES (1, '2025-02-30', 1)")
        con.execute("CREATE TABLE w(k INTEGER, d DATE, x REAL, PRIMARY KEY (k, d)) WITHOUT ROWID")
        con.execute("INSERT INTO w SELECT * FROM m")
        con.commit()
        con.close()
        rules = write(tmp, "many.rules", "source s { table m key k time d }\n"
                                         "rule r on s { red when x > 5 and avg(x, last 5 snapshots) > 3 }\n")
        rules2 = write(tmp, "other.rules", "source s { table m key k time d }\n"
                                           "rule r on s { red when x > 4 and avg(x, last 5 snapshots) > 3 }\n")
        # (heavy enough to draw the line more than once however fast the machine)
        wr_rules = write(tmp, "wr.rules", "source s { table w key k time d }\n"
                                          "rule r on s { red when avg(x, last 120 snapshots) + max(x, last 120 snapshots) < 0 }\n")
        heavy = write(tmp, "heavy.rules", "source s { table m key k time d }\n"
                                          "rule r on s { red when avg(x, last 120 snapshots) + max(x, last 120 snapshots) + min(x, last 120 snapshots)"
                                          " + sum(x, last 120 snapshots) + avg(x, last 100 snapshots) + sum(x, last 80 snapshots) < 0 }\n")
        bt = ["backtest", "--db", db, "--from", "2025-03-01", "--to", "2025-10-27"]

        for fmt in ("text", "jsonl"):
            args = bt + ["--format", fmt, rules]
            rc0, out0, err0 = run(vigil, args, tty=False)
            rc1, out1, err1 = run(vigil, args, tty=True)
            check(rc0 == 0 and rc1 == 0, f"backtest --format {fmt}: exit {rc0} / {rc1} on a terminal")
            lines = LINE.findall(err1)
            check(len(lines) >= 2, f"backtest --format {fmt} on a terminal: {len(lines)} progress lines, expected several:\n{err1!r}")
            check(all(re.search(r": 241 dates, [0-9,]+ rows read \([0-9,]+/s\), [0-9,]+ keys? evaluated, \d+:\d\d"
                                r"(, \d+%, about (\d+s|\d+ min) left)?$", l)
                      for l in lines), f"backtest progress lines: {lines[:3]!r}")
            check(err1.count("\r") == err1.count(ERASE), "backtest: every '\\r' starts an erasure")
            check(out1 == out0, f"backtest --format {fmt}: stdout differs on a terminal")
            check(without_lines(err1) == err0, f"backtest --format {fmt}: stderr differs on a terminal "
                  f"once the progress line is taken out:\n{without_lines(err1)!r}\n{err0!r}")
            check("\r" not in err0 and "rows/s" not in err0 and "/s)" not in err0, "backtest without a terminal: a progress line")
            check("warning" in err0 and "rows read, " in err0, f"backtest: the warning and the summary:\n{err0!r}")
            # the line is erased before the warning and before the summary
            check(not re.search(r"\r\x1b\[Kvigil: backtest: [^\r\n]*vigil", err1), "backtest: a line not erased before other output")
            if fmt == "jsonl":
                check(all(json.loads(l) for l in out1.splitlines()), "backtest --format jsonl: stdout not JSON lines")

        # a backtest of a rowid table (its rows known) long enough (long
        # windows): once a second has passed, how far, and the time left
        rc, out, err = run(vigil, bt + [heavy], tty=True)
        lines = LINE.findall(err)
        pcts = [int(m.group(1)) for m in (re.search(r", (\d+)%, about (\d+s|\d+ min) left$", l) for l in lines) if m]
        check(rc == 0 and len(pcts) >= 2 and all(5 <= x <= 99 for x in pcts) and pcts == sorted(pcts),
              f"backtest of a rowid table: no percentage and time left, or out of order: {pcts!r} in {lines!r}")
        check(not any(re.search(r", 0:00, \d+%", l) for l in lines), f"backtest: a time left in the first second: {lines!r}")
        # a WITHOUT ROWID table: no estimate of its rows, so no time left
        args = ["backtest", "--db", db, "--from", "2025-03-01", "--to", "2025-10-27", wr_rules]
        rc, out, err = run(vigil, args, tty=True)
        lines = LINE.findall(err)
        check(rc == 0 and len(lines) >= 2 and not any("%" in l or "left" in l for l in lines),
              f"backtest of a WITHOUT ROWID table: a time left, or no line: {lines!r}")

        # --quiet on a terminal: no progress, no summary, the warning stays
        rc, out, err = run(vigil, bt + ["--quiet", rules], tty=True)
        check(rc == 0 and "\r" not in err and "rows read" not in err, f"backtest --quiet on a terminal:\n{err!r}")
        check("warning" in err, f"backtest --quiet: the warning was dropped:\n{err!r}")
        check(out == run(vigil, bt + [rules], tty=False)[1], "backtest --quiet: stdout differs")
        # TERM=dumb, and no TERM: nothing drawn
        for extra in ({"TERM": "dumb"}, {"TERM": ""}):
            rc, out, err = run(vigil, bt + [rules], tty=True, env_extra=extra)
            check(rc == 0 and "\r" not in err and "rows read, " in err, f"backtest with {extra}: {err!r}")
        # --diagnostics-format json on a terminal: stderr is JSON lines only
        rc, out, err = run(vigil, bt + ["--diagnostics-format", "json", rules], tty=True)
        check(rc == 0 and "\r" not in err, f"backtest --diagnostics-format json on a terminal: {err!r}")
        try:
            check(all(json.loads(l) for l in err.splitlines()), "backtest --diagnostics-format json: stderr not JSON lines")
        except ValueError:
            check(False, f"backtest --diagnostics-format json: stderr not JSON lines: {err!r}")

        # run over two packs (a full scan: --scan) draws it; --quiet drops the summary
        args = ["run", "--db", db, "--as-of", "2025-10-27", "--dry-run", "--scan", rules, rules2]
        rc0, out0, err0 = run(vigil, args, tty=False)
        rc1, out1, err1 = run(vigil, args, tty=True)
        check(rc0 == 0 and rc1 == 0 and out0 == out1 and without_lines(err1) == err0, f"run: differs on a terminal:\n{err1!r}")
        check("\r" not in err0, "run without a terminal: a progress line")
        check(all(re.search(r"^vigil: run: pack (many \(1/2\)|other \(2/2\)), 1 date, ", l) for l in LINE.findall(err1)),
              f"run progress lines: {LINE.findall(err1)!r}")
        check(any("(1/2)" in l for l in LINE.findall(err1)) and any("(2/2)" in l for l in LINE.findall(err1)),
              f"run over two packs: a line for each: {LINE.findall(err1)!r}")
        rc, out, err = run(vigil, args + ["--quiet"], tty=True)
        check(rc == 0 and out == out0 and "\r" not in err and "rows read" not in err and "warning" in err,
              f"run --quiet on a terminal:\n{err!r}")

        # a run that may seek over several packs: the rows are not known, so
        # how far is the packs done (pack k of n: (k - 1) / n), once a second
        # has passed; n is chosen so that the run takes about 3 s here
        t0 = time.monotonic()
        run(vigil, ["run", "--db", db, "--as-of", "2025-10-27", "--dry-run", heavy], tty=False)
        n = max(5, min(60, int(3.0 / max(time.monotonic() - t0, 0.01)) + 1))
        packs = []
        for i in range(1, n + 1):
            packs.append(os.path.join(tmp, f"h{i}.rules"))
            shutil.copyfile(heavy, packs[-1])
        rc, out, err = run(vigil, ["run", "--db", db, "--as-of", "2025-10-27", "--dry-run"] + packs, tty=True)
        lines = LINE.findall(err)
        seen = [(int(m.group(1)), int(m.group(2))) for m in
                (re.search(rf"pack h\d+ \((\d+)/{n}\), .*, (\d+)%, about (?:\d+s|\d+ min) left$", l) for l in lines) if m]
        check(rc == 0 and seen and all(pct == int((k - 1) / n * 100) for k, pct in seen),
              f"run over {n} packs: no time left from the packs done, or a wrong one: {seen!r} in {lines!r}")

        # diff: old, then new
        args = ["diff", rules, rules2, "--db", db, "--from", "2025-03-01", "--to", "2025-10-27"]
        rc0, out0, err0 = run(vigil, args, tty=False)
        rc1, out1, err1 = run(vigil, args, tty=True)
        check(rc0 == 0 and rc1 == 0 and out0 == out1 and without_lines(err1) == err0, f"diff: differs on a terminal:\n{err1!r}")
        check(any(l.startswith("vigil: diff: old: 241 dates") for l in LINE.findall(err1)), f"diff progress: {err1!r}")
        rc, out, err = run(vigil, args + ["--quiet"], tty=True)
        check(rc == 0 and out == out0 and "\r" not in err and "rows read" not in err, f"diff --quiet on a terminal:\n{err!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("check-progress: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
