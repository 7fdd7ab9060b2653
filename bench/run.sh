#!/usr/bin/env bash
# bench/run.sh — the benchmark of issue 6 (what `make bench` runs).
#
# Builds the benchmark programs, generates the databases (cached under
# build/bench/), checks that Vigil and the hand-written SQL give the same
# alerts, then measures and prints a table of medians, ratios and peak RSS;
# the table is also written to build/bench/results.txt.  See bench/README.md.
#
# Environment (all optional):
#   VIGIL=build/rel/vigil  LIBVIGIL=build/rel/libvigil-internal.a  CC=cc
#   BENCH_SIZES="0.1 1 4"  the database sizes
#   BENCH_RUNS=5           timed runs per measurement (after one warm-up)
#   BENCH_RUNS_4=5         timed runs at SIZE 4 (SIZE 4 also skips --scan and the
#                          window-function timings, to stay within minutes)
#   BENCH_PROFILE_SIZE=0.1 the size whose nightly run and backtest are profiled
#                          (callgrind); "" skips the profile
#   BENCH_COMPILE="1000 10000 100000"  pack sizes for `vigil check`
#   BENCH_PG=1             then the PostgreSQL benchmark (bench/pg.sh); 0 skips it
set -euo pipefail
cd "$(dirname "$0")/.."

VIGIL=${VIGIL:-build/rel/vigil}
LIBVIGIL=${LIBVIGIL:-build/rel/libvigil-internal.a}  # vmbench uses internal names
CC=${CC:-cc}
SIZES=${BENCH_SIZES:-0.1 1 4}
RUNS=${BENCH_RUNS:-5}
RUNS_4=${BENCH_RUNS_4:-5}
PROFILE_SIZE=${BENCH_PROFILE_SIZE-0.1}
COMPILE_SIZES=${BENCH_COMPILE:-1000 10000 100000}
B=build/bench
AS_OF=2025-06-20   # the last snapshot date of bench/gen.c
FROM=2023-07-07    # the first one
TIME=/usr/bin/time
RESULTS=$B/results.txt

mkdir -p "$B/tmp"
T=$B/tmp
[ -x "$TIME" ] || { echo "bench: $TIME is missing (Debian package 'time')" >&2; exit 1; }
[ -x "$VIGIL" ] || { echo "bench: $VIGIL is missing (make vigil)" >&2; exit 1; }
# measure a copy: a rebuild of the binary during the run changes nothing here
cp "$VIGIL" $B/vigil
VIGIL=$B/vigil
command -v sqlite3 >/dev/null || { echo "bench: the sqlite3 shell is missing" >&2; exit 1; }

# ---- build ---------------------------------------------------------------------
SQLITE_CFLAGS=$(pkg-config --cflags sqlite3 2>/dev/null || true)
SQLITE_LIBS=$(pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
CFLAGS="-std=c11 -O2 -g -D_DEFAULT_SOURCE -Wall -Wextra $SQLITE_CFLAGS"
$CC $CFLAGS -o $B/gen bench/gen.c $SQLITE_LIBS -lm
$CC $CFLAGS -o $B/floor bench/floor.c $SQLITE_LIBS
$CC $CFLAGS -o $B/timeit bench/timeit.c
$CC $CFLAGS -Iinclude -Icore -Iruntime -o $B/vmbench bench/vmbench.c "$LIBVIGIL" $SQLITE_LIBS $(pkg-config --libs libpq 2>/dev/null || echo -lpq) -lunistring -lm -lpthread

out() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
: > "$RESULTS"
out "Vigil benchmark (issue 6) — $(date -u '+%Y-%m-%d %H:%M UTC')"
out "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM; $(uname -sr)"
out "SQLite $(sqlite3 --version | cut -d' ' -f1) (library and shell); $($CC --version | head -1)"
out "vigil: $VIGIL, built from commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- runtime compiler stdlib cli include grammar 2>/dev/null || echo ' with uncommitted changes in the engine')"
out "load before: $(uptime | sed 's/.*load average: //') (1, 5, 15 min)"
out ""

# ---- measuring -------------------------------------------------------------------
# A group of measurements is declared with `add KEY CMD [warm]`, then
# `measure_all RUNS` runs each CMD (`sh -c`, stdout to /dev/null) once as a
# warm-up (unless `warm`: the alert comparison above already ran the same
# query on the same database) and then RUNS times, round-robin (run 1 of each, then run 2 of each, ...), so
# that a change of the machine's load hits every measurement of the group
# alike.  Per KEY it records the median wall time (ms), the median CPU time
# (user + sys, ms; both from bench/timeit.c) and the peak RSS (KiB,
# /usr/bin/time -f %M) of the timed runs.
declare -A MED CPU RSS CMDS WARM
KEYS=()
add() { KEYS+=("$1"); CMDS[$1]=$2; WARM[$1]=${3:-}; }
median() { sort -n | awk '{a[NR] = $1} END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m}'; }
measure_all() {
  local runs=$1 i k n=0 f wall usr sys x
  for k in "${KEYS[@]}"; do
    if [ -z "${WARM[$k]}" ]; then
      sh -c "${CMDS[$k]}" >/dev/null 2>$T/err || { echo "bench: failed: ${CMDS[$k]}" >&2; cat $T/err >&2; exit 1; }
    fi
    : > "$T/w.$n"; : > "$T/c.$n"; : > "$T/m.$n"
    n=$((n + 1))
  done
  for ((i = 0; i < runs; i++)); do
    n=0
    for k in "${KEYS[@]}"; do
      $TIME -f %M -o $T/rss $B/timeit $T/t sh -c "exec ${CMDS[$k]}" >/dev/null 2>$T/err || { echo "bench: failed: ${CMDS[$k]}" >&2; cat $T/err >&2; exit 1; }
      read -r wall usr sys x < $T/t
      echo "$wall" >> "$T/w.$n"
      echo $((usr + sys)) >> "$T/c.$n"
      tail -1 $T/rss >> "$T/m.$n"
      n=$((n + 1))
    done
  done
  n=0
  for k in "${KEYS[@]}"; do
    f=$n
    MED[$k]=$(awk '{ print $1 / 1000 }' "$T/w.$f" | median)
    CPU[$k]=$(awk '{ print $1 / 1000 }' "$T/c.$f" | median)
    RSS[$k]=$(sort -n "$T/m.$f" | tail -1)
    printf '  %-46s %9s ms  [%6.1f .. %6.1f]  cpu %8s ms  %6.1f MiB\n' "$k" "${MED[$k]}" \
      "$(sort -n "$T/w.$f" | head -1 | awk '{ print $1 / 1000 }')" "$(sort -n "$T/w.$f" | tail -1 | awk '{ print $1 / 1000 }')" \
      "${CPU[$k]}" "$(awk -v k="${RSS[$k]}" 'BEGIN { printf "%.1f", k / 1024 }')" | tee -a "$RESULTS"
    n=$((n + 1))
  done
  KEYS=()
}
ratio() { awk -v a="${MED[$1]}" -v b="${MED[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
cratio() { awk -v a="${CPU[$1]}" -v b="${CPU[$2]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# verdict VALUE OP LIMIT: "met" or "MISSED"
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "<=" ? v <= l : op == "<" ? v < l : op == ">=" ? v >= l : v > l; print ok ? "met" : "MISSED" }'; }

# rline LABEL KEY_A KEY_B [OP LIMIT]: the ratio A / B of wall and of CPU
# medians, and the verdict of the target "CPU ratio OP LIMIT".  The programs
# are single-threaded, so on an idle machine CPU and wall time agree; on this
# shared one the wall time also counts waiting for a core, which the other
# jobs decide, so the targets are judged on CPU time.
rline() {
  local w c t=""
  w=$(ratio "$2" "$3") c=$(cratio "$2" "$3")
  [ $# -ge 5 ] && t="   target $4 $5: $(verdict "$c" "$4" "$5")"
  out "$(printf '    %-48s %6s %6s%s' "$1" "$w" "$c" "$t")"
}

# ---- alert sets ----------------------------------------------------------------------
# vigil's JSON lines as rule|tier|key|recipient (as_of| first for a backtest), sorted
jsonl_keys() {
  python3 -c '
import json, sys
bt = sys.argv[1] == "bt"
for line in sys.stdin:
    a = json.loads(line)
    f = [a["rule"], a["tier"], a["key"], a["recipient"] or ""]
    print("|".join(([a["as_of"]] if bt else []) + f))' "$1" | LC_ALL=C sort
}
same() { # same NAME FILE_A FILE_B
  if ! cmp -s "$2" "$3"; then
    echo "bench: ALERTS DIFFER: $1 ($2 vs $3):" >&2
    diff "$2" "$3" | head -20 >&2
    exit 1
  fi
}
summary() { # counts per rule and tier of a sorted alert file
  awk -F'|' -v bt="$2" '{ k = bt ? $2 " " $3 : $1 " " $2; n[k]++ } END { for (k in n) printf "%s %d, ", k, n[k] }' "$1" | sed 's/, $//'
}

# the nightly pack and its expert SQL in two halves: the rules on the
# snapshots (index seeks) and the rule on the invoices (one row per key)
rm -rf $B/pack-snapshot $B/pack-invoice
mkdir -p $B/pack-snapshot $B/pack-invoice
cp bench/rules/nightly/schema.sql bench/rules/nightly/00-pack.rules $B/pack-snapshot/
cp bench/rules/nightly/schema.sql bench/rules/nightly/00-pack.rules $B/pack-invoice/
cp bench/rules/nightly/10-conversion.rules bench/rules/nightly/20-revenue.rules $B/pack-snapshot/
cp bench/rules/nightly/30-receivables.rules $B/pack-invoice/
awk '/^-- Receivables aging/ { exit } { print }' bench/sql/nightly_expert.sql > $B/expert-snapshot.sql
# the conversion rule alone (issue 15): dry, and recorded against the expert SQL writing its alerts
rm -rf $B/pack-conversion
mkdir -p $B/pack-conversion
cp bench/rules/nightly/schema.sql bench/rules/nightly/00-pack.rules bench/rules/nightly/10-conversion.rules $B/pack-conversion/
awk '/^-- Receivables aging/ { p = 1 } p { print }' bench/sql/nightly_expert.sql > $B/expert-invoice.sql

# ---- per size -----------------------------------------------------------------------------
for S in $SIZES; do
  db=$B/bench-$S.db dbl=$B/bench-$S-double.db
  [ -f "$db" ] && [ "$db" -nt bench/gen.c ] || $B/gen "$S" "$db"
  double=0
  case "$S" in 0.1|1) double=1 ;; esac
  if [ $double = 1 ]; then [ -f "$dbl" ] && [ "$dbl" -nt bench/gen.c ] || $B/gen "$S" "$dbl" --double; fi
  runs=$RUNS
  [ "$S" = 4 ] && runs=$RUNS_4
  full=1
  [ "$S" = 4 ] && full=0
  rows=$(sqlite3 "$db" "SELECT (SELECT count(DISTINCT rep_id) FROM org) || ' reps, ' || (SELECT count(*) FROM sales_snapshot) || ' snapshot rows, ' || (SELECT count(*) FROM invoices) || ' invoices'")
  out "== SIZE $S: $rows; $(du -m "$db" | cut -f1) MB; $runs timed runs after a warm-up run: median wall time [min .. max], median CPU time, peak RSS =="

  # the alert sets, compared before any time is taken
  run_cmd="$VIGIL run --db $db --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly"
  bt_cmd="$VIGIL backtest --db $db --from $FROM --to $AS_OF --at-snapshots --format jsonl bench/rules/backtest_conversion.rules"
  $run_cmd 2>/dev/null | jsonl_keys run > $T/v.txt
  sqlite3 -readonly "$db" < bench/sql/nightly_expert.sql | LC_ALL=C sort > $T/e.txt
  same "vigil run vs expert SQL" $T/v.txt $T/e.txt
  checked="vigil run = expert SQL"
  if [ $full = 1 ]; then
    $run_cmd --scan 2>/dev/null | jsonl_keys run > $T/vscan.txt
    same "vigil run vs vigil run --scan" $T/v.txt $T/vscan.txt
    checked="$checked = vigil run --scan"
    sqlite3 -readonly "$db" < bench/sql/nightly_window.sql | LC_ALL=C sort > $T/w.txt
    same "vigil run vs window-function SQL" $T/v.txt $T/w.txt
    checked="$checked = window-function SQL"
  fi
  if [ $double = 1 ]; then
    $VIGIL run --db $dbl --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly 2>/dev/null | jsonl_keys run > $T/vd.txt
    same "vigil run, double history vs normal" $T/v.txt $T/vd.txt
    checked="$checked = vigil run on the double history"
  fi
  out "  nightly alerts: $(wc -l < $T/v.txt) ($(summary $T/v.txt 0)); $checked"
  conv_cmd="$VIGIL run --db $db --as-of $AS_OF --dry-run --format jsonl $B/pack-conversion"
  $conv_cmd 2>/dev/null | jsonl_keys run > $T/vc.txt
  sqlite3 -readonly "$db" < bench/sql/nightly_conversion_expert.sql | LC_ALL=C sort > $T/ec.txt
  same "vigil run vs expert SQL, conversion rule" $T/vc.txt $T/ec.txt
  # recorded: each on a writable copy of its own (a run replaces the night's earlier one)
  cp "$db" $T/rec-vigil.db
  cp "$db" $T/rec-expert.db
  rec_cmd="$VIGIL run --db $T/rec-vigil.db --as-of $AS_OF --format jsonl $B/pack-conversion"
  $rec_cmd >/dev/null 2>&1
  sqlite3 $T/rec-expert.db < bench/sql/nightly_conversion_expert_write.sql
  nrec=$(sqlite3 $T/rec-vigil.db "SELECT count(*) FROM vigil_alerts WHERE status <> 'resolved' AND evidence IS NOT NULL")
  nexp=$(sqlite3 $T/rec-expert.db "SELECT count(*) FROM expert_alerts")
  [ "$nrec" = "$(wc -l < $T/vc.txt)" ] && [ "$nexp" = "$nrec" ] || { echo "bench: recorded alerts differ: vigil $nrec, expert SQL $nexp" >&2; exit 1; }
  out "  conversion rule alone: $(wc -l < $T/vc.txt) alerts; vigil run = expert SQL; recorded: $nrec alerts with evidence = $nexp rows the expert SQL writes"
  $bt_cmd 2>/dev/null | jsonl_keys bt > $T/vb.txt
  sqlite3 -readonly "$db" < bench/sql/backtest_window.sql | LC_ALL=C sort > $T/wb.txt
  same "vigil backtest vs window-function SQL" $T/vb.txt $T/wb.txt
  checked="vigil backtest = window-function SQL"
  if [ $full = 1 ]; then
    sqlite3 -readonly "$db" < bench/sql/backtest_expert.sql | LC_ALL=C sort > $T/eb.txt
    same "vigil backtest vs expert SQL" $T/vb.txt $T/eb.txt
    checked="$checked = expert SQL"
  fi
  out "  backtest alerts: $(wc -l < $T/vb.txt) over $(cut -d'|' -f1 $T/vb.txt | sort -u | wc -l) dates with alerts; $checked"

  add "$S nightly: vigil run" "$run_cmd" warm
  [ $full = 1 ] && add "$S nightly: vigil run --scan" "$run_cmd --scan" warm
  [ $double = 1 ] && add "$S nightly: vigil run, double history" "$VIGIL run --db $dbl --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly" warm
  add "$S nightly: expert SQL" "sqlite3 -readonly $db < bench/sql/nightly_expert.sql" warm
  [ $double = 1 ] && add "$S nightly: expert SQL, double history" "sqlite3 -readonly $dbl < bench/sql/nightly_expert.sql"
  [ $full = 1 ] && add "$S nightly: window-function SQL" "sqlite3 -readonly $db < bench/sql/nightly_window.sql" warm
  add "$S nightly: floor (C, reads only)" "$B/floor nightly $db $AS_OF"
  add "$S nightly, conversion rule: vigil run" "$conv_cmd"
  add "$S nightly, conversion rule: expert SQL" "sqlite3 -readonly $db < bench/sql/nightly_conversion_expert.sql"
  add "$S nightly, conversion rule, recorded: vigil run" "$rec_cmd"
  add "$S nightly, conversion rule, recorded: expert SQL writing" "sqlite3 $T/rec-expert.db < bench/sql/nightly_conversion_expert_write.sql"
  if [ "$S" = 1 ]; then # the two halves of the nightly run, apart
    add "$S nightly, snapshot rules: vigil run" "$VIGIL run --db $db --as-of $AS_OF --dry-run --format jsonl $B/pack-snapshot"
    add "$S nightly, snapshot rules: expert SQL" "sqlite3 -readonly $db < $B/expert-snapshot.sql"
    add "$S nightly, invoice rule: vigil run" "$VIGIL run --db $db --as-of $AS_OF --dry-run --format jsonl $B/pack-invoice"
    add "$S nightly, invoice rule: expert SQL" "sqlite3 -readonly $db < $B/expert-invoice.sql"
  fi
  measure_all $runs
  add "$S backtest: vigil backtest --at-snapshots" "$bt_cmd" warm
  add "$S backtest: floor (C, one ordered scan)" "$B/floor scan $db"
  [ $full = 1 ] && add "$S backtest: window-function SQL" "sqlite3 -readonly $db < bench/sql/backtest_window.sql" warm
  measure_all $runs

  v="$S nightly: vigil run" bt="$S backtest: vigil backtest --at-snapshots"
  out "  ratios of medians (targets judged on CPU time)             wall    cpu"
  rline "nightly: vigil / expert SQL" "$v" "$S nightly: expert SQL" '<=' 0.8
  rline "nightly, conversion rule: vigil / expert SQL" "$S nightly, conversion rule: vigil run" "$S nightly, conversion rule: expert SQL" '<=' 1.0
  rline "nightly, conversion rule, recorded / expert writing" "$S nightly, conversion rule, recorded: vigil run" "$S nightly, conversion rule, recorded: expert SQL writing" '<=' 1.3
  rline "nightly, conversion rule: recorded / dry run" "$S nightly, conversion rule, recorded: vigil run" "$S nightly, conversion rule: vigil run"
  [ $full = 1 ] && rline "nightly: window-function SQL / vigil" "$S nightly: window-function SQL" "$v" '>=' 10
  if [ $double = 1 ]; then
    rline "nightly: vigil, double / normal history" "$S nightly: vigil run, double history" "$v" '<=' 1.1
    rline "nightly: expert SQL, double / normal history" "$S nightly: expert SQL, double history" "$S nightly: expert SQL"
  fi
  [ $full = 1 ] && rline "nightly: vigil --scan / vigil (index seeks)" "$S nightly: vigil run --scan" "$v"
  if [ "$S" = 1 ]; then
    rline "nightly, snapshot rules: vigil / expert SQL" "$S nightly, snapshot rules: vigil run" "$S nightly, snapshot rules: expert SQL"
    rline "nightly, invoice rule: vigil / expert SQL" "$S nightly, invoice rule: vigil run" "$S nightly, invoice rule: expert SQL"
  fi
  rline "nightly: vigil / floor" "$v" "$S nightly: floor (C, reads only)"
  rline "nightly: expert SQL / floor" "$S nightly: expert SQL" "$S nightly: floor (C, reads only)"
  rline "backtest: vigil / floor" "$bt" "$S backtest: floor (C, one ordered scan)" '<=' 1.0
  [ $full = 1 ] && rline "backtest: vigil / window-function SQL" "$bt" "$S backtest: window-function SQL" '<' 1
  m=${RSS[$v]} mb=${RSS[$bt]}
  [ "$mb" -gt "$m" ] && m=$mb
  out "    peak RSS of vigil run and backtest            $(awk -v k=$m 'BEGIN{printf "%.1f", k/1024}') MiB   (target < 32 MiB: $(verdict $m '<' 32768))"
  # the memory target holds in every output format (issue 15): each format of
  # run (dry and recorded) and backtest once, its peak RSS; the largest judged
  line="    peak RSS by output format (MiB):"
  worst=0
  for fmt in text jsonl csv; do
    cp "$db" $T/rss-rec.db
    for what in run recorded backtest; do
      case $what in
        run) cmd="$VIGIL run --db $db --as-of $AS_OF --dry-run --format $fmt bench/rules/nightly" ;;
        recorded) cmd="$VIGIL run --db $T/rss-rec.db --as-of $AS_OF --format $fmt bench/rules/nightly" ;;
        backtest) cmd="$VIGIL backtest --db $db --from $FROM --to $AS_OF --at-snapshots --format $fmt bench/rules/backtest_conversion.rules" ;;
      esac
      $TIME -f %M -o $T/rss sh -c "exec $cmd" >/dev/null 2>$T/err || { echo "bench: failed: $cmd" >&2; cat $T/err >&2; exit 1; }
      k=$(tail -1 $T/rss)
      [ "$k" -gt "$worst" ] && worst=$k
      line="$line $what/$fmt $(awk -v k=$k 'BEGIN{printf "%.1f", k/1024}')"
    done
  done
  rm -f $T/rss-rec.db
  out "$line"
  out "    peak RSS, every output format                 $(awk -v k=$worst 'BEGIN{printf "%.1f", k/1024}') MiB   (target < 32 MiB: $(verdict $worst '<' 32768))"
  out ""
done

# ---- compile ----------------------------------------------------------------------------------
out "== compile: vigil check on generated packs (bench/genrules.sh; 10,000 rules per pack) =="
prev=
for n in $COMPILE_SIZES; do
  dirs=$(bench/genrules.sh "$n" "$B/rules-$n" | tr '\n' ' ')
  runs=$RUNS
  [ "$n" -gt 10000 ] && runs=3
  add "check $n rules" "$VIGIL check $dirs"
  measure_all $runs
  us=$(awk -v m="${MED["check $n rules"]}" -v n=$n 'BEGIN { printf "%.1f", m * 1000 / n }')
  line="    $n rules: ${MED["check $n rules"]} ms, $us us per rule"
  [ -n "$prev" ] && line="$line; x$(ratio "check $n rules" "check $prev rules") for x$(( n / prev )) rules"
  [ -n "$prev" ] && line="$line (cpu x$(cratio "check $n rules" "check $prev rules"))"
  [ "$n" = 10000 ] && line="$line   (target: cpu < 500 ms: $(verdict "${CPU["check $n rules"]}" '<' 500))"
  out "$line"
  prev=$n
done
if [ -n "${MED["check 1000 rules"]:-}" ] && [ -n "${MED["check 10000 rules"]:-}" ]; then
  g=$(cratio "check 10000 rules" "check 1000 rules")
  out "    growth 1k -> 10k rules, CPU time: x$g (linear: x10; target: at most x12.5: $(verdict "$g" '<=' 12.5))"
fi
out ""

# ---- target 6: a table without the (key, time) index --------------------------------------
S0=$(echo $SIZES | cut -d' ' -f1)
out "== missing index: bench-$S0.db without sales_snapshot(rep_id, snapshot_date) =="
cp $B/bench-$S0.db $T/noindex.db
sqlite3 $T/noindex.db "DROP INDEX sales_snapshot_rep_time"
$VIGIL check --db $T/noindex.db bench/rules/nightly > $T/check.out 2>&1 || true
$VIGIL run --db $T/noindex.db --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly 2>$T/run.err >/dev/null || true
nc=$(grep -ci 'index' $T/check.out || true)
nr=$(grep -ci 'index' $T/run.err || true)
out "  vigil check --db: $nc line(s) about an index$( [ "$nc" -gt 0 ] && echo ": $(grep -i -m1 index $T/check.out)")"
out "  vigil run: $nr line(s) about an index$( [ "$nr" -gt 0 ] && echo ": $(grep -i -m1 index $T/run.err)")"
stmt=$(grep -o 'CREATE INDEX[^;]*([^)]*)' $T/run.err $T/check.out 2>/dev/null | head -1 | cut -d: -f2-)
if [ -n "$stmt" ]; then
  if sqlite3 $T/noindex.db "$stmt" 2>$T/idx.err; then ok="runs in sqlite3"; else ok="does NOT run in sqlite3: $(head -1 $T/idx.err)"; fi
  out "  the CREATE INDEX it suggests ($stmt) $ok"
fi
v6=met
{ [ "$nc" -ge 1 ] && [ "$nr" -eq 1 ] && [ -n "$stmt" ] && [ "${ok:-}" = "runs in sqlite3" ]; } || v6=MISSED
out "  (target: check --db and run each say so once, with a CREATE INDEX that works: $v6)"
out ""

# ---- VM -------------------------------------------------------------------------------------------
out "== VM micro-benchmark (bench/vmbench.c: rows from memory, no SQLite; CPU time, median of 5 passes) =="
$B/vmbench bench/rules/nightly 520000 | sed 's/^/  /' | tee -a "$RESULTS"
out "  (target: VM ns/row under 50)"
out ""

# ---- profile --------------------------------------------------------------------------------------
# the profiled size is one this run generated: the first of SIZES when 0.1 is not among them
case " $SIZES " in *" $PROFILE_SIZE "*) ;; *) [ -n "$PROFILE_SIZE" ] && PROFILE_SIZE=${SIZES%% *} ;; esac
if [ -n "$PROFILE_SIZE" ] && command -v valgrind >/dev/null; then
  out "== profile: the nightly run at SIZE $PROFILE_SIZE under callgrind (bench/cgshare.py) =="
  valgrind --tool=callgrind --callgrind-out-file=$B/callgrind.nightly.out \
    $VIGIL run --db $B/bench-$PROFILE_SIZE.db --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly >/dev/null 2>$T/err
  python3 bench/cgshare.py $B/callgrind.nightly.out 20 | sed 's/^/  /' | tee -a "$RESULTS"
  out ""
  out "== profile: the backtest at SIZE $PROFILE_SIZE under callgrind =="
  valgrind --tool=callgrind --callgrind-out-file=$B/callgrind.backtest.out \
    $VIGIL backtest --db $B/bench-$PROFILE_SIZE.db --from $FROM --to $AS_OF --at-snapshots --format jsonl \
    bench/rules/backtest_conversion.rules >/dev/null 2>$T/err
  python3 bench/cgshare.py $B/callgrind.backtest.out 12 | sed 's/^/  /' | tee -a "$RESULTS"
  out ""
fi
out "load after: $(uptime | sed 's/.*load average: //') (1, 5, 15 min)"
out ""

# ---- PostgreSQL (issue 14): bench/pg.sh, unless BENCH_PG=0 -----------------------------
if [ "${BENCH_PG:-1}" != 0 ]; then
  VIGIL=$VIGIL BENCH_RUNS=$RUNS CC=$CC bash bench/pg.sh
fi
echo "bench: results in $RESULTS"
