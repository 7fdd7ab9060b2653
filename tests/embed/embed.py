#!/usr/bin/env python3
"""embed.py - a Python program that embeds libvigil through ctypes.

It loads the installed shared library, makes the SaaS demo database with
Python's sqlite3 (examples/saas/schema.sql and demo.sql), compiles the
examples/saas pack, evaluates it as of 2025-06-30 and reads the alerts
through the alert callback; then it checks them: the ones it knows of, and
all of them against what the installed `vigil run --format jsonl` prints
for the same run.  The same program runs again with a param overridden
(vg_params), then a recorded run follows, whose alerts must be in
vigil_alerts.

    embed.py --lib LIBVIGIL.so --vigil VIGIL --root REPO --work DIR [--layout FILE]

--layout FILE holds "STRUCT SIZE" and "STRUCT.FIELD OFFSET" lines
(tests/embed/embed.c --layout, built against the same vigil.h): the ctypes
mirrors below must have those sizes, fields and offsets.
Prints nothing when all is well; otherwise names each failed check and
exits 1.  (tests/embed/run.sh runs it; make test runs that.)
"""
import argparse
import ctypes
import json
import os
import sqlite3
import subprocess
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_longlong, c_size_t, c_ulonglong, c_void_p)

# ---- the parts of vigil.h used here, as ctypes declares them --------------
# (keep in the order of include/vigil.h; --layout checks them against it)


class Diag(Structure):
    _fields_ = [("severity", c_int), ("code", c_char_p), ("file", c_char_p), ("line", c_int), ("col", c_int),
                ("end_col", c_int), ("line_text", c_void_p), ("line_len", c_size_t), ("message", c_char_p)]


DIAG_FN = CFUNCTYPE(None, c_void_p, POINTER(Diag))


class CompileOpts(Structure):
    _fields_ = [("schema_path", c_char_p), ("db_path", c_char_p), ("diag", DIAG_FN), ("ud", c_void_p),
                ("max_errors", c_int), ("warnings", c_int), ("follow_symlinks", c_int)]


class Alert(Structure):
    _fields_ = [("pack", c_char_p), ("rule", c_char_p), ("tier", c_char_p), ("key", c_void_p),
                ("as_of", c_char_p), ("message", c_void_p), ("recipient", c_void_p), ("status", c_char_p),
                ("first_seen", c_char_p), ("runs", c_int), ("evidence", c_char_p), ("route", c_char_p),
                ("key_len", c_size_t), ("message_len", c_size_t), ("recipient_len", c_size_t)]


# (the callbacks return 0 to go on; nonzero stops the run: VG_ESTOPPED)
ALERT_FN = CFUNCTYPE(c_int, c_void_p, POINTER(Alert))


class RunSummary(Structure):
    _fields_ = [("pack", c_char_p), ("rows_read", c_longlong), ("alerts", c_longlong), ("warnings", c_int),
                ("run_id", c_longlong), ("ntiers", c_int), ("tiers", POINTER(c_char_p)),
                ("life", POINTER(c_longlong)), ("shard", c_int), ("nshards", c_int), ("shards_missing", c_int)]


SUMMARY_FN = CFUNCTYPE(c_int, c_void_p, POINTER(RunSummary))
PROGRESS_FN = CFUNCTYPE(c_int, c_void_p, c_void_p)


class RunOpts(Structure):
    _fields_ = [("db_path", c_char_p), ("db", c_void_p), ("params", c_void_p), ("as_of", c_char_p),
                ("dry_run", c_int), ("strict", c_int), ("diag", DIAG_FN), ("ud", c_void_p), ("alert", ALERT_FN),
                ("summary", SUMMARY_FN), ("progress", PROGRESS_FN), ("out_ud", c_void_p), ("no_seek", c_int),
                ("evidence", c_int), ("step_budget", c_ulonglong), ("shard", c_int), ("nshards", c_int)]


MIRRORS = {"vg_diag": Diag, "vg_compile_opts": CompileOpts, "vg_alert": Alert, "vg_run_summary": RunSummary,
           "vg_run_opts": RunOpts}

VG_OK, VG_EINPUT = 0, 1
AS_OF = "2025-06-30"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def load(path):
    lib = ctypes.CDLL(path)
    lib.vg_libversion.restype = c_char_p
    lib.vg_status_name.restype = c_char_p
    lib.vg_status_name.argtypes = [c_int]
    lib.vg_compile_path.argtypes = [c_char_p, POINTER(CompileOpts), POINTER(c_void_p)]
    lib.vg_compile_path.restype = c_int
    lib.vg_compile_string.argtypes = [c_char_p, c_char_p, c_size_t, c_char_p, POINTER(CompileOpts),
                                      POINTER(c_void_p)]
    lib.vg_compile_string.restype = c_int
    lib.vg_program_pack.argtypes = [c_void_p]
    lib.vg_program_pack.restype = c_char_p
    lib.vg_run.argtypes = [POINTER(c_void_p), c_int, POINTER(RunOpts)]
    lib.vg_run.restype = c_int
    lib.vg_params_new.restype = c_void_p
    lib.vg_params_set.argtypes = [c_void_p, c_void_p, c_char_p, c_char_p, c_char_p, c_size_t]
    lib.vg_params_set.restype = c_int
    lib.vg_params_free.argtypes = [c_void_p]
    lib.vg_params_free.restype = None
    lib.vg_free_program.argtypes = [c_void_p]
    lib.vg_free_program.restype = None
    return lib


def text(ptr, n):
    return None if not ptr else ctypes.string_at(ptr, n).decode("utf-8", "replace")


class Vigil:
    """Compile and run through libvigil; diagnostics and alerts kept as Python values."""

    def __init__(self, lib):
        self.lib = lib
        self.diags = []
        self.alerts = []
        self.summaries = []
        # the callbacks must live as long as the calls that use them
        self._diag = DIAG_FN(self._on_diag)
        self._alert = ALERT_FN(self._on_alert)
        self._summary = SUMMARY_FN(self._on_summary)

    def _on_diag(self, _ud, d):
        d = d.contents
        self.diags.append((d.severity, (d.code or b"").decode(), (d.message or b"").decode()))

    def _on_alert(self, _ud, a):
        a = a.contents
        self.alerts.append({"rule": a.rule.decode(), "tier": a.tier.decode(), "key": text(a.key, a.key_len),
                            "as_of": a.as_of.decode(), "message": text(a.message, a.message_len),
                            "recipient": text(a.recipient, a.recipient_len), "status": a.status.decode()})
        return 0

    def _on_summary(self, _ud, s):
        s = s.contents
        self.summaries.append({"pack": s.pack.decode(), "alerts": s.alerts, "run_id": s.run_id,
                               "rows_read": s.rows_read})
        return 0

    def compile_path(self, path):
        opts = CompileOpts(diag=self._diag)
        prog = c_void_p()
        st = self.lib.vg_compile_path(path.encode(), ctypes.byref(opts), ctypes.byref(prog))
        return st, prog

    def compile_string(self, name, rules):
        opts = CompileOpts(diag=self._diag)
        prog = c_void_p()
        data = rules.encode()
        st = self.lib.vg_compile_string(name.encode(), data, len(data), None, ctypes.byref(opts), ctypes.byref(prog))
        return st, prog

    def run(self, prog, db, dry_run, params=None):
        self.alerts, self.summaries = [], []
        progs = (c_void_p * 1)(prog)
        opts = RunOpts(db_path=db.encode(), params=params, as_of=AS_OF.encode(), dry_run=dry_run,
                       diag=self._diag, alert=self._alert, summary=self._summary)
        return self.lib.vg_run(progs, 1, ctypes.byref(opts))


def check_layout(path):
    """The mirrors have vigil.h's sizes, fields and offsets (a field the
    header adds, even one padding hides, is a field the mirror lacks)."""
    seen = {name: set() for name in MIRRORS}
    with open(path) as f:
        lines = [line.split() for line in f if line.strip()]
    check(lines, "%s: no layout" % path)
    for what, n in lines:
        name, _, field = what.partition(".")
        mirror = MIRRORS.get(name)
        if not check(mirror, "%s: %s is not mirrored" % (path, name)):
            continue
        if not field:
            check(ctypes.sizeof(mirror) == int(n), "%s is %s bytes in vigil.h but %d in embed.py's %s"
                  % (name, n, ctypes.sizeof(mirror), mirror.__name__))
            continue
        seen[name].add(field)
        if check(hasattr(mirror, field), "%s.%s (vigil.h) is missing in embed.py's %s" % (name, field,
                                                                                          mirror.__name__)):
            check(getattr(mirror, field).offset == int(n), "%s.%s is at %s in vigil.h but %d in embed.py"
                  % (name, field, n, getattr(mirror, field).offset))
    for name, mirror in MIRRORS.items():
        extra = [f for f, _ in mirror._fields_ if f not in seen[name]]
        check(not extra, "embed.py's %s has fields vigil.h's %s lacks: %s" % (mirror.__name__, name, extra))


def main():
    ap = argparse.ArgumentParser()
    for a in ("--lib", "--vigil", "--root", "--work"):
        ap.add_argument(a, required=True)
    ap.add_argument("--layout")
    args = ap.parse_args()
    if args.layout:
        check_layout(args.layout)
        if failures:  # the mirrors are wrong: calling the library would not be safe
            return report()

    lib = load(args.lib)
    header = open(os.path.join(os.path.dirname(args.lib), "..", "include", "vigil.h")).read()
    check('#define VG_VERSION "%s"' % lib.vg_libversion().decode() in header,
          "vg_libversion() %s is not the installed vigil.h's VG_VERSION" % lib.vg_libversion())
    check(lib.vg_status_name(5) == b"VG_EDB", "vg_status_name(5) is %r" % lib.vg_status_name(5))

    # the database, made by Python's sqlite3
    pack = os.path.join(args.root, "examples", "saas")
    db = os.path.join(args.work, "saas.db")
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db)
    for part in ("schema.sql", "demo.sql"):
        with open(os.path.join(pack, part)) as f:
            con.executescript(f.read())
    con.commit()
    con.close()

    v = Vigil(lib)
    st, prog = v.compile_path(pack)
    if not check(st == VG_OK and prog.value, "vg_compile_path(%s): status %d, %r" % (pack, st, v.diags)):
        return report()
    check(lib.vg_program_pack(prog) == b"saas", "the pack is %r" % lib.vg_program_pack(prog))

    # a dry run: the alerts through the callback
    st = v.run(prog, db, dry_run=1)
    check(st == VG_OK, "the dry run: status %s" % lib.vg_status_name(st))
    got = v.alerts
    check(len(got) > 50, "the dry run raised %d alerts" % len(got))
    check(v.summaries and v.summaries[0]["alerts"] == len(got) and v.summaries[0]["run_id"] == 0,
          "the summary %r" % v.summaries)
    slump = [a for a in got if a["rule"] == "conversion_slump" and a["key"] == "177"]
    check(len(slump) == 1 and slump[0]["tier"] == "orange" and slump[0]["recipient"] == "9012"
          and slump[0]["message"].startswith("rep 177: conversion 12.6% on 2025-06-27"),
          "conversion_slump for rep 177: %r" % slump)
    check(all(a["as_of"] == AS_OF and a["status"] == "new" for a in got), "as_of and status of every alert")

    # the same alerts as the installed command's, in the same order
    out = subprocess.run([args.vigil, "run", "--db", db, "--as-of", AS_OF, "--dry-run", "--format", "jsonl", pack],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    check(out.returncode == 0, "vigil run exited %d" % out.returncode)
    cli = [json.loads(line) for line in out.stdout.decode().splitlines()]
    mine = [{k: a[k] for k in ("rule", "tier", "key", "as_of", "message", "recipient")} for a in got]
    check(mine == cli, "the library's %d alerts differ from vigil run's %d" % (len(mine), len(cli)))

    # the same program with a param overridden for one run: no conversion slump
    # reaches a floor 50% under the baseline
    ps = lib.vg_params_new()
    err = ctypes.create_string_buffer(256)
    check(ps and lib.vg_params_set(ps, prog, b"slump", b"50%", err, len(err)) == VG_OK,
          "vg_params_set slump=50%%: %r" % err.value)
    st = v.run(prog, db, dry_run=1, params=ps)
    lib.vg_params_free(ps)
    check(st == VG_OK, "the run with slump=50%%: status %s" % lib.vg_status_name(st))
    slumps = [a for a in v.alerts if a["rule"] == "conversion_slump"]
    before = [a for a in got if a["rule"] == "conversion_slump"]
    check(before and not slumps and len(v.alerts) == len(got) - len(before),
          "with slump=50%%: %d conversion_slump alerts of %d (%d before)" % (len(slumps), len(v.alerts), len(before)))

    # a recorded run: the alerts are in vigil_alerts
    st = v.run(prog, db, dry_run=0)
    check(st == VG_OK, "the recorded run: status %s" % lib.vg_status_name(st))
    run_id = v.summaries[0]["run_id"] if v.summaries else 0
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM vigil_alerts WHERE run_id = ?", (run_id,)).fetchone()[0]
    con.close()
    check(run_id > 0 and n == len(got) == len(v.alerts), "run %d recorded %d alerts of %d" % (run_id, n, len(got)))
    lib.vg_free_program(prog)

    # an error: a status and a coded diagnostic, no program
    v.diags = []
    st, bad = v.compile_string("bad.rules", "pack bad\nrule r on nowhere { red when x > 1 }\n")
    check(st == VG_EINPUT and not bad.value, "a pack with errors: status %d" % st)
    check(any(sev == 0 and code.startswith("E-") for sev, code, _ in v.diags), "its diagnostics: %r" % v.diags)
    return report()


def report():
    for f in failures:
        print("embed.py: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
