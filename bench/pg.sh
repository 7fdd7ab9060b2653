#!/usr/bin/env bash
# bench/pg.sh — the PostgreSQL benchmark of issue 14 (run.sh runs it after
# the SQLite part unless BENCH_PG=0; it also runs alone).
#
# Starts a throwaway PostgreSQL 15 on 127.0.0.1 (tests/pg/server.sh), loads
# build/bench/bench-1.db and bench-0.1.db into it (tests/pg/load.py
# --dates-as date), creates the index `vigil check --db` advises and
# ANALYZEs, then checks that vigil and the hand-written SQL in the same
# server give the same alerts and measures: the nightly run against
# bench/sql/pg_nightly_expert.sql, the backtest against
# bench/sql/pg_backtest_expert.sql, the nightly run split into 1, 2 and 3
# shards run concurrently, and the peak RSS of the nightly run at SIZE 0.1
# and 1.  The table goes to stdout and is appended to build/bench/results.txt.
# See bench/README.md, "PostgreSQL".
#
# Environment (all optional):
#   VIGIL=build/rel/vigil   BENCH_RUNS=5 (timed runs per measurement, after a warm-up)
#   BENCH_PG_PROFILE=1      also log the statements of one nightly run and of one
#                           shard of 2 on the server (log_min_duration_statement = 0),
#                           sum them by kind, EXPLAIN ANALYZE their cursor over
#                           sales_snapshot, and profile the client at SIZE 0.1
#                           under callgrind (when valgrind is installed); "" skips
#   PGBIN=/usr/lib/postgresql/15/bin (as tests/pg/server.sh)
#
# CPU time here is the client's (vigil or psql: user + system, bench/timeit.c)
# plus the server's: the user + system time of the postmaster and its
# children (backends, parallel workers) from /proc, including the children
# that exited (cutime/cstime), in clock ticks (10 ms), read before and after
# each run.  A few ticks of the server's background processes may fall into
# a run.
set -euo pipefail
cd "$(dirname "$0")/.."

VIGIL=${VIGIL:-build/rel/vigil}
RUNS=${BENCH_RUNS:-5}
PROFILE=${BENCH_PG_PROFILE-1}
B=build/bench
AS_OF=2025-06-20   # the last snapshot date of bench/gen.c (as run.sh)
FROM=2023-07-07    # the first one
TIME=/usr/bin/time
RESULTS=$B/results.txt
T=$B/tmp-pg
PGDIR=$B/pg        # the server's folder (removed at the end)
PSQL="psql -X -q -v ON_ERROR_STOP=1"

mkdir -p "$T"
out() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
[ -x "$TIME" ] || { echo "bench/pg.sh: $TIME is missing (Debian package 'time')" >&2; exit 1; }
[ -x "$VIGIL" ] || { echo "bench/pg.sh: $VIGIL is missing (make vigil)" >&2; exit 1; }
command -v psql >/dev/null || { out "== PostgreSQL: skipped: psql is missing (apt-get install postgresql-15) =="; exit 0; }
# measure a copy: a rebuild of the binary during the run changes nothing here
cp "$VIGIL" $B/vigil-pg
VIGIL=$B/vigil-pg
CFLAGS="-std=c11 -O2 -g -D_DEFAULT_SOURCE -Wall -Wextra"
[ -x $B/timeit ] && [ $B/timeit -nt bench/timeit.c ] || ${CC:-cc} $CFLAGS -o $B/timeit bench/timeit.c
for S in 0.1 1; do # the databases run.sh makes (the same cache rule)
  if ! { [ -f $B/bench-$S.db ] && [ $B/bench-$S.db -nt bench/gen.c ]; }; then
    [ -x $B/gen ] && [ $B/gen -nt bench/gen.c ] || ${CC:-cc} $CFLAGS -o $B/gen bench/gen.c -lsqlite3 -lm
    $B/gen $S $B/bench-$S.db
  fi
done

# ---- the server -------------------------------------------------------------------
if [ -d $PGDIR ]; then tests/pg/server.sh stop $PGDIR || true; fi # a server a killed run left behind
set +e
URI=$(tests/pg/server.sh start $PGDIR 2>$T/server.err)
st=$?
set -e
if [ $st = 77 ]; then out "== PostgreSQL: skipped: $(cat $T/server.err) =="; exit 0; fi
[ $st = 0 ] || { cat $T/server.err >&2; echo "bench/pg.sh: the server does not start" >&2; exit 1; }
trap 'tests/pg/server.sh stop $PGDIR' EXIT
BASE=${URI%/*}
U1=$BASE/bench1 U01=$BASE/bench01
PM=$(head -1 $PGDIR/data/postmaster.pid)

# srv_ticks: the CPU clock ticks of the postmaster and its children so far
srv_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk -v pm="$PM" '{ pid = $1; sub(/^[0-9]+ \([^)]*\) /, ""); if ($2 == pm || pid == pm) t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}
TCK=$(getconf CLK_TCK)

out "== PostgreSQL (issue 14) — $(date -u '+%Y-%m-%d %H:%M UTC'), $($PSQL -A -t $URI -c 'SHOW server_version' | cut -d' ' -f1), server on 127.0.0.1 (tests/pg/server.sh: fsync off, default shared_buffers $($PSQL -A -t $URI -c 'SHOW shared_buffers'), work_mem $($PSQL -A -t $URI -c 'SHOW work_mem')) =="
out "  vigil built from commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- runtime compiler stdlib cli include grammar core 2>/dev/null || echo ' with uncommitted changes in the engine'); load before: $(uptime | sed 's/.*load average: //')"

# load SIZE DBURI: bench-SIZE.db into a new database, with the index check advises
load() {
  local S=$1 u=$2 t0 t1 adv
  $PSQL "$URI" -c "CREATE DATABASE ${u##*/}"
  t0=$(date +%s.%N)
  nice tests/pg/load.py $B/bench-$S.db "$u" --dates-as date
  t1=$(date +%s.%N)
  # load.py copies SQLite's indexes; drop the sources' (key, time) indexes so
  # the ones the run reads by are the ones `vigil check --db` advises
  $PSQL "$u" -c 'DROP INDEX IF EXISTS sales_snapshot_rep_time' -c 'DROP INDEX IF EXISTS invoices_key_time'
  $VIGIL check --db "$u" bench/rules/nightly > $T/check.out 2>&1
  adv=$(grep -o 'CREATE INDEX .*)' $T/check.out || true)
  [ -n "$adv" ] || { cat $T/check.out >&2; echo "bench/pg.sh: vigil check --db advises no index" >&2; exit 1; }
  printf '%s\n' "$adv" | while IFS= read -r s; do $PSQL "$u" -c "$s"; done
  $PSQL "$u" -c 'VACUUM ANALYZE'
  $VIGIL check --db "$u" bench/rules/nightly > $T/check2.out 2>&1
  if grep -q 'CREATE INDEX' $T/check2.out; then cat $T/check2.out >&2; echo "bench/pg.sh: vigil check --db still advises an index" >&2; exit 1; fi
  out "  SIZE $S: loaded in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; $($PSQL -A -t "$u" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"); indexes vigil check --db advised and that were made:"
  printf '%s\n' "$adv" | sed 's/^/    /' | tee -a "$RESULTS"
}
load 1 "$U1"
load 0.1 "$U01"

# ---- measuring (as run.sh: a warm-up, then RUNS interleaved runs; medians) -----------
declare -A MED CPU SRV TOT RSS CMDS WARM
KEYS=()
add() { KEYS+=("$1"); CMDS[$1]=$2; WARM[$1]=${3:-}; }
median() { sort -n | awk '{a[NR] = $1} END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m}'; }
measure_all() {
  local runs=$1 i k n=0 wall usr sys x s0 s1
  for k in "${KEYS[@]}"; do
    if [ -z "${WARM[$k]}" ]; then
      sh -c "${CMDS[$k]}" >/dev/null 2>$T/err || { echo "bench/pg.sh: failed: ${CMDS[$k]}" >&2; cat $T/err >&2; exit 1; }
    fi
    : > "$T/w.$n"; : > "$T/c.$n"; : > "$T/s.$n"; : > "$T/m.$n"
    n=$((n + 1))
  done
  for ((i = 0; i < runs; i++)); do
    n=0
    for k in "${KEYS[@]}"; do
      s0=$(srv_ticks)
      $TIME -f %M -o $T/rss $B/timeit $T/t sh -c "exec ${CMDS[$k]}" >/dev/null 2>$T/err || { echo "bench/pg.sh: failed: ${CMDS[$k]}" >&2; cat $T/err >&2; exit 1; }
      s1=$(srv_ticks)
      read -r wall usr sys x < $T/t
      echo "$wall" >> "$T/w.$n"
      echo $((usr + sys)) >> "$T/c.$n"
      echo $(( (s1 - s0) * 1000000 / TCK )) >> "$T/s.$n"
      tail -1 $T/rss >> "$T/m.$n"
      n=$((n + 1))
    done
  done
  n=0
  for k in "${KEYS[@]}"; do
    MED[$k]=$(awk '{ print $1 / 1000 }' "$T/w.$n" | median)
    CPU[$k]=$(awk '{ print $1 / 1000 }' "$T/c.$n" | median)
    SRV[$k]=$(awk '{ print $1 / 1000 }' "$T/s.$n" | median)
    TOT[$k]=$(paste "$T/c.$n" "$T/s.$n" | awk '{ print ($1 + $2) / 1000 }' | median)
    RSS[$k]=$(sort -n "$T/m.$n" | tail -1)
    printf '  %-44s %8s ms [%6.1f .. %6.1f]  cpu %7s = client %7s + server %7s  %6.1f MiB\n' "$k" "${MED[$k]}" \
      "$(sort -n "$T/w.$n" | head -1 | awk '{ print $1 / 1000 }')" "$(sort -n "$T/w.$n" | tail -1 | awk '{ print $1 / 1000 }')" \
      "${TOT[$k]}" "${CPU[$k]}" "${SRV[$k]}" "$(awk -v k="${RSS[$k]}" 'BEGIN { printf "%.1f", k / 1024 }')" | tee -a "$RESULTS"
    n=$((n + 1))
  done
  KEYS=()
}
ratio() { awk -v a="${MED[$1]}" -v b="${MED[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
tratio() { awk -v a="${TOT[$1]}" -v b="${TOT[$2]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "<=" ? v <= l : op == "<" ? v < l : op == ">=" ? v >= l : v > l; print ok ? "met" : "MISSED" }'; }
# rline LABEL KEY_A KEY_B [OP LIMIT on the wall ratio | OP LIMIT on the cpu ratio]
rline() {
  local w c t=""
  w=$(ratio "$2" "$3") c=$(tratio "$2" "$3")
  [ $# -ge 5 ] && [ "$4" = wall ] && t="   target wall $5 $6: $(verdict "$w" "$5" "$6")"
  [ $# -ge 5 ] && [ "$4" = cpu ] && t="   target cpu $5 $6: $(verdict "$c" "$5" "$6")"
  out "$(printf '    %-46s %6s %6s%s' "$1" "$w" "$c" "$t")"
}

# ---- alert sets ----------------------------------------------------------------------
jsonl_keys() { # vigil's JSON lines as rule|tier|key|recipient (as_of| first for a backtest), sorted
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
    echo "bench/pg.sh: ALERTS DIFFER: $1 ($2 vs $3):" >&2
    diff "$2" "$3" | head -20 >&2
    exit 1
  fi
}

run_cmd="$VIGIL run --db $U1 --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly"
bt_cmd="$VIGIL backtest --db $U1 --from $FROM --to $AS_OF --at-snapshots --format jsonl bench/rules/backtest_conversion.rules"
$run_cmd 2>$T/run.err | jsonl_keys run > $T/v.txt
[ -s $T/v.txt ] || { cat $T/run.err >&2; echo "bench/pg.sh: vigil run gave no alerts" >&2; exit 1; }
$PSQL -A -t -F "|" "$U1" -f bench/sql/pg_nightly_expert.sql | LC_ALL=C sort > $T/e.txt
same "vigil run vs expert SQL (PostgreSQL)" $T/v.txt $T/e.txt
checked="vigil run = expert SQL"
if [ -f $B/bench-1.db ]; then # the SQLite run on the same data: byte for byte the same alerts
  $VIGIL run --db $B/bench-1.db --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly 2>$T/runs.err | jsonl_keys run > $T/vs.txt
  same "vigil run on PostgreSQL vs on SQLite" $T/v.txt $T/vs.txt
  checked="$checked = vigil run on SQLite"
fi
for N in 2 3; do
  : > $T/u$N.txt
  for ((i = 1; i <= N; i++)); do $run_cmd --shard $i/$N 2>/dev/null | jsonl_keys run >> $T/u$N.txt; done
  LC_ALL=C sort -o $T/u$N.txt $T/u$N.txt
  same "the union of $N shards vs the unsharded run" $T/v.txt $T/u$N.txt
  checked="$checked = the union of $N shards"
done
$run_cmd --shard 1/1 2>/dev/null | jsonl_keys run > $T/u1.txt
same "--shard 1/1 vs the unsharded run" $T/v.txt $T/u1.txt
out "  nightly alerts (SIZE 1): $(wc -l < $T/v.txt); $checked"
rr() { grep -o '[0-9]* rows read' "$1" | head -1; }
out "  rows the nightly run reads (vigil's summary): $(rr $T/run.err) from PostgreSQL$([ -f $T/runs.err ] && echo ", $(rr $T/runs.err) from SQLite (bench-1.db)")"
$bt_cmd 2>/dev/null | jsonl_keys bt > $T/vb.txt
$PSQL -A -t -F "|" "$U1" -f bench/sql/pg_backtest_expert.sql | LC_ALL=C sort > $T/eb.txt
same "vigil backtest vs expert SQL (PostgreSQL)" $T/vb.txt $T/eb.txt
$PSQL -A -t -F "|" "$U1" -f bench/sql/pg_backtest_lateral.sql | LC_ALL=C sort > $T/lb.txt
same "vigil backtest vs the LATERAL expert SQL (PostgreSQL)" $T/vb.txt $T/lb.txt
out "  backtest alerts (SIZE 1): $(wc -l < $T/vb.txt); vigil backtest = expert SQL = expert SQL through the index (LATERAL)"
out "  (the shards below run on the one server; tests/pg/cluster.py's cluster is tested for equal alerts, not timed)"
out ""

# ---- measurements ----------------------------------------------------------------------
# shards I of N, all N started at once; the wall time is that of the whole set
shards() {
  local N=$1 c="" i
  for ((i = 1; i <= N; i++)); do c="$c$run_cmd --shard $i/$N >/dev/null 2>&1 & "; done
  echo "sh -c '${c}wait'"
}
out "  SIZE 1, $RUNS timed runs after a warm-up: median wall ms [min .. max], median CPU ms (client + server), peak RSS of the client"
add "nightly: vigil run" "$run_cmd" warm
add "nightly: expert SQL" "$PSQL -A -t -F '|' $U1 -f bench/sql/pg_nightly_expert.sql" warm
measure_all "$RUNS"
add "backtest: vigil backtest --at-snapshots" "$bt_cmd" warm
add "backtest: expert SQL" "$PSQL -A -t -F '|' $U1 -f bench/sql/pg_backtest_expert.sql" warm
add "backtest: expert SQL through the index" "$PSQL -A -t -F '|' $U1 -f bench/sql/pg_backtest_lateral.sql" warm
measure_all "$RUNS"
add "shards: 1 (--shard 1/1)" "$run_cmd --shard 1/1" warm
add "shards: 2 at once" "$(shards 2)"
add "shards: 3 at once" "$(shards 3)"
measure_all "$RUNS"
add "memory: nightly run, SIZE 0.1" "$VIGIL run --db $U01 --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly"
add "memory: nightly run, SIZE 1" "$run_cmd" warm
measure_all 3
out "  ratios of medians                                   wall    cpu"
rline "nightly: vigil / expert SQL" "nightly: vigil run" "nightly: expert SQL" cpu '<=' 1.5
rline "backtest: vigil / expert SQL" "backtest: vigil backtest --at-snapshots" "backtest: expert SQL"
rline "backtest: vigil / expert SQL through the index" "backtest: vigil backtest --at-snapshots" "backtest: expert SQL through the index"
rline "shards: 1 / 2 (speed-up of 2 shards)" "shards: 1 (--shard 1/1)" "shards: 2 at once" wall '>=' 1.6
rline "shards: 1 / 3 (speed-up of 3 shards)" "shards: 1 (--shard 1/1)" "shards: 3 at once"
m01=${RSS["memory: nightly run, SIZE 0.1"]} m1=${RSS["memory: nightly run, SIZE 1"]}
g=$(awk -v a="$m1" -v b="$m01" 'BEGIN { printf "%.2f", a / b }')
out "    peak RSS of vigil run, SIZE 1 / SIZE 0.1: $(awk -v k=$m1 'BEGIN{printf "%.1f", k/1024}') / $(awk -v k=$m01 'BEGIN{printf "%.1f", k/1024}') MiB = x$g for x10 rows   (target flat, at most x1.5: $(verdict "$g" '<=' 1.5))"
out ""

# ---- server-side profile of one nightly run, and of one shard of 2 -------------------------
# prof LABEL CMD...: runs CMD with every statement logged (log_min_duration_statement
# = 0), sums the statements by kind, and EXPLAIN ANALYZEs its cursor over
# sales_snapshot as a cursor runs it (no parallel workers)
prof() {
  local label=$1 n0 q
  shift
  out "  server side of $label (log_min_duration_statement = 0): statements by kind, count, total ms"
  $PSQL "$URI" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
  n0=$(wc -l < $PGDIR/server.log)
  "$@" >/dev/null 2>&1
  $PSQL "$URI" -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
  tail -n +$((n0 + 1)) $PGDIR/server.log > $T/prof.log
  grep 'duration: ' $T/prof.log | grep -v 'pg_reload_conf\|ALTER SYSTEM' |
    sed -E -e 's/.*duration: ([0-9.]+) ms +(statement|parse|bind|execute)[^:]*: *(.*)/\1 \2 \3/' \
      -e 's/^([0-9.]+ [a-z]+) DECLARE .* FROM "[^"]*"\."([^"]*)".*/\1 DECLARE(\2)/' \
      -e 's/^([0-9.]+ [a-z]+ )(FETCH|CLOSE).*/\1\2/' -e 's/^([0-9.]+ [a-z]+ [A-Za-z()_]+).*/\1/' |
    awk '{ k = $2; for (i = 3; i <= NF; i++) k = k " " $i; n[k]++; s[k] += $1 }
         END { for (k in n) printf "    %-48s %7d  %9.1f ms\n", k, n[k], s[k] }' | sort | tee -a "$RESULTS"
  q=$(grep -o 'execute <unnamed>: DECLARE vigil_c[0-9]* NO SCROLL CURSOR FOR SELECT .*FROM "public"\."sales_snapshot".*' $T/prof.log | head -1 | sed 's/.*CURSOR FOR //')
  if [ -n "$q" ]; then
    out "  its cursor over sales_snapshot: $q"
    $PSQL "$U1" -c "SET max_parallel_workers_per_gather = 0" -c "EXPLAIN (ANALYZE, COSTS OFF) $q" | grep -v '^$' | sed 's/^/    /' | tee -a "$RESULTS"
  fi
}
if [ -n "$PROFILE" ]; then
  prof "one nightly run" $run_cmd
  prof "shard 1 of 2" $run_cmd --shard 1/2
  out ""
  if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
    # the client's side: the nightly run at SIZE 0.1 under callgrind (bench/cgshare.py:
    # core/pg.c and libpq count as "other"), and the inclusive share of the
    # functions that read PostgreSQL's rows, sort them in SQLite and evaluate them
    out "  client side: the nightly run at SIZE 0.1 under callgrind (bench/cgshare.py; core/pg.c and libpq are \"other\")"
    valgrind --tool=callgrind --callgrind-out-file=$T/callgrind.pg.out \
      $VIGIL run --db $U01 --as-of $AS_OF --dry-run --format jsonl bench/rules/nightly >/dev/null 2>$T/err
    python3 bench/cgshare.py $T/callgrind.pg.out 12 | sed 's/^/  /' | tee -a "$RESULTS"
    out "  inclusive (callgrind_annotate --inclusive=yes):"
    callgrind_annotate --inclusive=yes $T/callgrind.pg.out 2>/dev/null |
      grep -E '^ *[0-9,]+ \( *[0-9.]+%\)  [^ ]*:(vt_column|vt_next|vt_filter|cur_fetch|exec_read_row|eval_dates|exec_lookup|strtod|strtol|sqlite3VdbeSorterWrite|sqlite3VdbeSorterNext|sqlite3VdbeSorterRewind|PQexec|PQexecParams) ' |
      sed -E 's/^ *([0-9,]+) \( *([0-9.]+%)\)  [^ ]*:([^ ]*) .*/    \2  \3/' | tee -a "$RESULTS"
    out ""
  fi
fi
out "  load after: $(uptime | sed 's/.*load average: //') (1, 5, 15 min)"
