#!/bin/sh
# valgrind.sh — the end-to-end CLI commands under valgrind (make valgrind).
#
#   tests/crash/valgrind.sh [VIGIL]      (default: build/rel/vigil)
#
# Every command runs under
#   valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
# with its own log.  A case passes when the command's exit status is the one
# expected (0, or 1 for bad input) and valgrind reported no error and no
# definite or indirect leak ("ERROR SUMMARY: 0 errors").  Commands that must
# fail (a bad rules file, a damaged .vgc) are judged by the log, since their
# own exit status is also 1.
#
# Covered: check (text, json, sarif), compile, disasm, run (recording, dry
# run, jsonl, csv, --strict, --set, a .vgc), backtest (text, jsonl, --record,
# --at-snapshots), digest (text, markdown, html, --outbox, an unknown run),
# diff, test, fmt (print, --check), deliver (--check, --dry-run, and to a
# local SMTP server) over the example
# packs and the acceptance example; check/run/fmt of rules with errors (and
# every file of tests/golden/errors); disasm and run of damaged .vgc files;
# hostile packs and databases (symlinked and non-text sources, recording
# tables of another shape, a column named rowid, a table vigil_probe);
# command-line errors; hostile schema.sql files (the reproductions of issue 11
# in fuzz/corpus/schema/hand-reg-*.sql, refused by the box of a pack's SQL,
# in check and in test).  Ends with "N passed, M failed"; exit 1 when one failed.

VIGIL=${1:-build/rel/vigil}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
[ -x "$VIGIL" ] || { echo "valgrind.sh: no vigil binary at $VIGIL (run make first)"; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)"; exit 2; }
command -v sqlite3 >/dev/null || { echo "valgrind.sh: sqlite3 is not installed"; exit 2; }

TMP=$(mktemp -d /tmp/vigil-valgrind-XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
VG="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --num-callers=30"
# (add --track-origins=yes to find where an uninitialised value comes from;
# it doubles the time)

# The groups below run in parallel, JOBS at a time (default: the CPUs).
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# vg EXPECTED_EXIT ARGS...: one vigil command under valgrind; appends
# "pass" or "fail" to $TMP/results.  $G names the group (unique log names).
vg() {
  want=$1; shift
  n=$((${n:-0} + 1))
  log="$TMP/vg.$G.$n.log"
  $VG --log-file="$log" "$VIGIL" "$@" >"$TMP/out.$G.$n" 2>"$TMP/err.$G.$n" </dev/null
  judge "$want" $? "$@"
}

# judge EXPECTED_EXIT EXIT ARGS...: the verdict on the command just run
# (its log $log, outputs $TMP/out.$G.$n and $TMP/err.$G.$n).
judge() {
  want=$1 rc=$2
  shift 2
  if grep -q "ERROR SUMMARY: 0 errors" "$log" && [ "$rc" = "$want" ]; then
    echo pass >>"$TMP/results"
  else
    echo fail >>"$TMP/results"
    {
      echo "FAIL: vigil $* (exit $rc, expected $want)"
      grep -v '^==[0-9]*== *$' "$log" | sed -n '/Invalid\|uninitialised\|definitely\|indirectly\|ERROR SUMMARY\|Process terminating/,+25p' | head -60
      sed 's/^/  stderr: /' "$TMP/err.$G.$n" | head -10
    } >"$TMP/fail.$G.$n"
    cat "$TMP/fail.$G.$n"
  fi
}

# group NAME FUNCTION: runs FUNCTION in the background; at most JOBS at once.
running=0
group() {
  (G=$1; n=0; $2) &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait; running=0; fi
}

mkdb() { # mkdb DB SQL...: a fresh database from the SQL files
  db=$1; shift
  rm -f "$db"
  for f in "$@"; do sqlite3 "$db" <"$f" || { echo "valgrind.sh: cannot load $f"; exit 2; }; done
}

AS_OF=2025-06-30

# One example pack: every command.  The databases are built first (sqlite3,
# not under valgrind) since later groups read saas.db.
pack() {
  P=examples/$G
  DB=$TMP/$G.db
  vg 0 check "$P"
  vg 0 check --format json --db "$DB" "$P"
  vg 0 check --format sarif "$P"
  vg 0 compile -o "$TMP/$G.vgc" "$P"
  vg 0 disasm "$TMP/$G.vgc"
  vg 0 run --db "$DB" --as-of 2025-06-16 "$P"
  vg 0 run --db "$DB" --as-of $AS_OF --format jsonl "$P"
  vg 0 run --db "$DB" --as-of $AS_OF --format jsonl "$P"          # replaces the recorded run
  vg 0 run --db "$DB" --as-of $AS_OF --dry-run --format csv --scan "$P"
  vg 0 run --db "$DB" --as-of $AS_OF --dry-run --summary json "$TMP/$G.vgc"
  vg 0 backtest --db "$DB" --from 2025-05-01 --to $AS_OF --every 1week "$P"
  vg 0 backtest --db "$DB" --from 2025-06-01 --to $AS_OF --at-snapshots --format jsonl --record "$P"
  vg 0 digest --db "$DB" --format markdown
  vg 0 digest --db "$DB" --format html --outbox -o "$TMP/$G.html"
  vg 0 digest --db "$DB" --format text --run 1
  vg 1 digest --db "$DB" --run 999999
  vg 0 diff "$P" "$TMP/$G.vgc" --db "$DB" --from 2025-06-01 --to $AS_OF --every 2weeks --details
  vg 0 test --coverage "$P"
  vg 0 fmt "$P"
  vg 0 fmt --check "$P"
  # the distributor demo has bad rows: --strict fails the run and records nothing
  if [ "$G" = distributor ]; then vg 1 run --db "$DB" --as-of $AS_OF --strict "$P"; fi
}

# The acceptance example of the brief; --strict on bad data; bad --set and
# --as-of values.
acceptance() {
  A=tests/acceptance
  vg 0 check $A/acceptance.rules
  vg 0 compile --db "$TMP/acc.db" -o "$TMP/acc.vgc" $A/acceptance.rules
  vg 0 disasm "$TMP/acc.vgc"
  vg 0 run --db "$TMP/acc.db" --as-of 2025-03-14 --format jsonl $A/acceptance.rules
  vg 0 run --db "$TMP/acc.db" --as-of 2025-03-14 --dry-run "$TMP/acc.vgc"
  vg 0 backtest --db "$TMP/acc.db" --from 2025-01-01 --to 2025-03-31 --every 1week $A/acceptance.rules
  vg 0 fmt $A/acceptance.rules
  vg 2 run --db "$TMP/acc.db" --as-of 2025-03-14 --set nosuchparam=1 $A/acceptance.rules
  vg 2 run --db "$TMP/acc.db" --as-of 2025-13-01 $A/acceptance.rules
}

# Rules with errors: a lexical error, a syntax error, unknown names, type
# errors, an unterminated string and quoted name, a deep expression; every
# file of tests/golden/errors.
bad() {
  mkdir -p "$TMP/bad"
  cp examples/saas/schema.sql "$TMP/bad/schema.sql"
  cat >"$TMP/bad/bad.rules" <<'EOF2'
pack bad "errors"
param grace = 5 days
def twice(x) = x * 2 +
source snapshot { table sales_snapshot key rep_id time snapshot_date every 2 weeks }
source ghost { table no_such_table key k time t }
rule r1 on snapshot {
  let a = conversion_rate + "text"
  orange when a < nosuchcolumn for 0 snapshots
  red when twice(`unterminated
  message "bad {escape\q} {conversion_rate:pct"
}
rule r2 on nosuchsource { red when x $ 1 }
rule r3 on snapshot { yellow when ((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))) > 2025-02-30 }
EOF2
  cat >"$TMP/bad/types.rules" <<'EOF2'
pack types
source snapshot { table sales_snapshot key rep_id time snapshot_date }
rule r on snapshot {
  red when conversion_rate > 2 days and snapshot_date = "x" and sum(progress_note, last 3 snapshots) > 1
  message "{nosuch}"
}
EOF2
  vg 1 check "$TMP/bad/bad.rules"
  vg 1 check --format json "$TMP/bad/bad.rules"
  vg 1 compile -o "$TMP/bad.vgc" "$TMP/bad/bad.rules"
  vg 1 run --db "$TMP/acc.db" --as-of $AS_OF "$TMP/bad/bad.rules"
  vg 1 fmt "$TMP/bad/bad.rules"
  vg 1 test "$TMP/bad/bad.rules"
  vg 1 check --format sarif "$TMP/bad/types.rules"
  vg 1 check tests/golden/errors/*.rules
  printf 'pack x\nrule r on s { red when ' >"$TMP/bad/deep.rules"
  i=0; while [ $i -lt 300 ]; do printf '(' >>"$TMP/bad/deep.rules"; i=$((i + 1)); done
  printf '1 }\n' >>"$TMP/bad/deep.rules"
  vg 1 check "$TMP/bad/deep.rules"
  vg 1 fmt "$TMP/bad/deep.rules"
}

# Hostile packs and databases (issue 11): a symlinked member and
# schema.sql, a member that is not text (refused unread), a vigil_runs of
# another shape (refused before evaluating), a table with a column named
# rowid next to a user table vigil_probe (recorded), a 300-byte --set name.
hostile() {
  H=$TMP/hostile
  mkdir -p "$H/link" "$H/bin"
  cp examples/saas/*.rules examples/saas/schema.sql "$H/link/"
  ln -s /proc/self/environ "$H/link/zz.rules"
  vg 1 check "$H/link"
  vg 1 test "$H/link"
  rm "$H/link/schema.sql"
  ln -s /proc/self/environ "$H/link/schema.sql"
  vg 1 check --follow-symlinks "$H/link"
  cp examples/saas/*.rules "$H/bin/"
  printf 'KEY=x\0y\n' >"$H/bin/zz.rules"
  vg 1 check "$H/bin"
  sqlite3 "$H/runs.db" "CREATE TABLE t(k INTEGER, d DATE, x REAL, rowid INTEGER);
    INSERT INTO t VALUES (1, '2025-01-01', 5, 9), (1, '2025-01-01', 6, 1); CREATE TABLE vigil_probe(x);"
  printf 'source s { table t key k time d }\nrule r on s { red when x > 1 message "{x}" }\n' >"$H/r.rules"
  vg 0 run --db "$H/runs.db" --as-of 2025-01-02 "$H/r.rules"
  sqlite3 "$H/bad.db" "CREATE TABLE t(k INTEGER, d DATE, x REAL); CREATE TABLE vigil_runs(run_id TEXT PRIMARY KEY, pack TEXT);"
  vg 1 run --db "$H/bad.db" --as-of 2025-01-02 "$H/r.rules"
  long=p$(head -c 299 /dev/zero | tr '\0' a)
  printf 'param %s = 100\nsource s { table t key k time d }\nrule r on s { red when x > %s }\n' "$long" "$long" >"$H/set.rules"
  vg 0 run --db "$H/runs.db" --as-of 2025-01-02 --dry-run --set "$long=1" "$H/set.rules"
  vg 2 run --db "$H/runs.db" --as-of 2025-01-02 --dry-run --set "${long}b=1" "$H/set.rules"
}

# Damaged .vgc files: empty, garbage, truncated, a flipped byte (the CRC
# catches it), the header only, a damaged end.  Command-line errors and
# missing files.
damaged() {
  V=$TMP/saas.vgc
  size=$(wc -c <"$V")
  : >"$TMP/empty.vgc"
  head -c 4096 /dev/urandom >"$TMP/garbage.vgc"
  head -c $((size / 2)) "$V" >"$TMP/half.vgc"
  head -c 16 "$V" >"$TMP/header.vgc"
  cp "$V" "$TMP/flip.vgc"
  printf '\377' | dd of="$TMP/flip.vgc" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
  cp "$V" "$TMP/tail.vgc"
  printf 'XXXX' | dd of="$TMP/tail.vgc" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
  for f in empty garbage half header flip tail; do
    vg 1 disasm "$TMP/$f.vgc"
    vg 1 run --db "$TMP/acc.db" --as-of $AS_OF --dry-run "$TMP/$f.vgc"
  done
  vg 2 run examples/saas
  vg 2 frobnicate
  vg 2 check "$TMP/no-such-file.rules"  # a PATH that does not exist is a usage error (CLI.md §1)
  vg 1 run --db "$TMP/no-such-dir/x.db" --as-of $AS_OF examples/saas
}

# Hostile schema.sql files: each refused by the box (check), one in vigil
# test; the slow view loads (it is slow only when a test's run reads it).
hostile() {
  mkdir -p "$TMP/hostile/tests"
  printf 'source s { table t key k time d }\nsource sv { table v key k time d }\nrule r on s { red when x > 0 }\nrule rv on sv { red when x > 1 }\n' \
    >"$TMP/hostile/p.rules"
  printf 'test "one" {\n  as_of 2025-01-02\n  table t (k, d, x) {\n    (1, 2025-01-01, 5)\n  }\n  expect red r 1\n}\n' \
    >"$TMP/hostile/tests/t.rules"
  for f in fts3-tokenizer tokenizer-leak randomblob zeroblob trigger generated-growth view-expansion refused; do
    vg 1 check --schema fuzz/corpus/schema/hand-reg-$f.sql "$TMP/hostile/p.rules"
  done
  vg 0 check --schema fuzz/corpus/schema/hand-reg-slow-view.sql "$TMP/hostile/p.rules"
  cp fuzz/corpus/schema/hand-reg-trigger.sql "$TMP/hostile/schema.sql"
  vg 1 test "$TMP/hostile"
}

# Delivery (vigil deliver) of the SaaS demo's outbox, which the saas group
# filled: --check and --dry-run, then every message to a local SMTP server
# (tests/deliver/with-smtpd.sh, python3-aiosmtpd).  Supervisor 9005 has no
# address in the demo, so each exits 1.
deliver() {
  DB=$TMP/saas.db
  printf '[smtp]\nurl = smtp://127.0.0.1:9\nstarttls = no\nfrom = Vigil <vigil@example.com>\n' >"$TMP/deliver-check.conf"
  vg 1 deliver --db "$DB" --config "$TMP/deliver-check.conf" --check
  vg 1 deliver --db "$DB" --config "$TMP/deliver-check.conf" --dry-run
  n=$((n + 1))
  log="$TMP/vg.$G.$n.log"
  tests/deliver/with-smtpd.sh "$TMP/mail" "$TMP/deliver.conf" $VG --log-file="$log" "$VIGIL" deliver --db "$DB" \
    --config "$TMP/deliver.conf" >"$TMP/out.$G.$n" 2>"$TMP/err.$G.$n" </dev/null
  judge 1 $? deliver --db "$DB" --config "$TMP/deliver.conf" "(to a local SMTP server)"
  # every message it says it sent arrived
  sent=$(sed -n 's/.* messages: \([0-9]*\) sent.*/\1/p' "$TMP/err.$G.$n")
  got=$(ls "$TMP/mail" 2>/dev/null | wc -l)
  if [ -n "$sent" ] && [ "$sent" -ge 1 ] && [ "$got" = "$sent" ]; then
    echo pass >>"$TMP/results"
  else
    echo fail >>"$TMP/results"
    echo "FAIL: deliver under valgrind: it says ${sent:-no messages} sent, the server received $got"
  fi
}

PACKS=$(cd examples && for d in */; do [ -f "$d/schema.sql" ] && printf '%s ' "${d%/}"; done)
for p in $PACKS; do
  mkdb "$TMP/$p.db" examples/$p/schema.sql examples/$p/demo.sql
done
mkdb "$TMP/acc.db" tests/acceptance/fixture.sql
: >"$TMP/results"
for p in $PACKS; do group "$p" pack; done
group acceptance acceptance
group bad bad
group hostile hostile
wait
running=0
group damaged damaged   # needs saas.vgc
group deliver deliver   # needs saas.db's outbox
wait

passed=$(grep -c pass "$TMP/results")
failed=$(grep -c fail "$TMP/results")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
