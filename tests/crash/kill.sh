#!/usr/bin/env bash
# kill.sh — crash safety of a recording run (make crash).
#
#   tests/crash/kill.sh [-n KILLS] [-j delete|wal] [VIGIL]
#
# Builds a database from examples/saas (schema.sql + demo.sql), then KILLS
# times (default 300) starts `vigil run --db DB --as-of DATE examples/saas`
# in the background, DATE one of 14 dates (so runs are added and replaced),
# and sends it SIGKILL after a random delay between 0 and 1.2 times a
# complete run's time (measured first): some kills land while the pack
# compiles, some mid-evaluation, some while the run writes vigil_runs /
# vigil_alerts or commits, a few after it ended.  After every kill it checks, with the
# sqlite3 shell (which rolls back a hot journal as any reader does):
#
#   - PRAGMA integrity_check is ok;
#   - every vigil_runs row has exactly `alerts` non-resolved vigil_alerts rows
#     (every recorded run is complete), and that number is the number of
#     alerts a complete run for its date gives (measured first, by dry runs);
#   - no vigil_alerts row lacks its run; each (pack, as_of) is recorded once;
#   - the data tables are unchanged (their row counts).
#
# A kill passes when all hold.  Ends with "N passed, M failed" (and how many
# kills landed before the run finished, and how many left a hot journal:
# those landed mid-write); exit 1 when one failed.  -j wal runs the same in
# WAL mode.

KILLS=300
JOURNAL=delete
while getopts "n:j:" o; do
  case $o in
  n) KILLS=$OPTARG ;;
  j) JOURNAL=$OPTARG ;;
  *) echo "usage: $0 [-n KILLS] [-j delete|wal] [VIGIL]"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
VIGIL=${1:-build/rel/vigil}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
[ -x "$VIGIL" ] || { echo "kill.sh: no vigil binary at $VIGIL (run make first)"; exit 2; }
command -v sqlite3 >/dev/null || { echo "kill.sh: sqlite3 is not installed"; exit 2; }

TMP=$(mktemp -d /tmp/vigil-kill-XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/saas.db
PACK=examples/saas
sqlite3 "$DB" <$PACK/schema.sql && sqlite3 "$DB" <$PACK/demo.sql || { echo "kill.sh: cannot build the database"; exit 2; }
sqlite3 "$DB" "PRAGMA journal_mode=$JOURNAL;" >/dev/null

DATES=(2025-01-10 2025-01-24 2025-02-07 2025-02-21 2025-03-07 2025-03-21 2025-04-04
       2025-04-18 2025-05-02 2025-05-16 2025-05-30 2025-06-13 2025-06-27 2025-06-30)

# The data's row counts, and the alerts a complete run gives for each date.
counts() {
  local q="" t
  for t in sales_snapshot milestones activity_daily deals features goal_revisions; do
    q="$q SELECT '$t', count(*) FROM $t UNION ALL"
  done
  sqlite3 "$DB" "${q% UNION ALL};"
}
DATA_BEFORE=$(counts)
declare -A EXPECT
for d in "${DATES[@]}"; do
  EXPECT[$d]=$("$VIGIL" run --db "$DB" --as-of "$d" --dry-run --format jsonl $PACK 2>/dev/null | wc -l)
done
# one complete run, so that the tables exist and later kills land on history;
# it is timed, so that the kills spread over a whole run however fast it is
t0=$(date +%s%N)
"$VIGIL" run --db "$DB" --as-of 2025-01-10 $PACK >/dev/null 2>&1 || { echo "kill.sh: a complete run fails"; exit 2; }
RUN_US=$(( ($(date +%s%N) - t0) / 1000 ))
[ "$RUN_US" -gt 1000 ] || RUN_US=1000

# check: prints the problems found (nothing when all is well)
check() {
  local ic bad d n
  ic=$(sqlite3 "$DB" "PRAGMA integrity_check;" 2>&1)
  [ "$ic" = ok ] || echo "integrity_check: $ic"
  bad=$(sqlite3 "$DB" "
    SELECT 'run ' || r.run_id || ' (' || r.as_of || ') records ' || r.alerts || ' alerts but has '
           || (SELECT count(*) FROM vigil_alerts a WHERE a.run_id = r.run_id AND a.status != 'resolved')
      FROM vigil_runs r
     WHERE r.alerts != (SELECT count(*) FROM vigil_alerts a WHERE a.run_id = r.run_id AND a.status != 'resolved');
    SELECT count(*) || ' alert row(s) without their run' FROM vigil_alerts a
     WHERE NOT EXISTS (SELECT 1 FROM vigil_runs r WHERE r.run_id = a.run_id) HAVING count(*) > 0;
    SELECT pack || ' ' || as_of || ' recorded ' || count(*) || ' times' FROM vigil_runs GROUP BY pack, as_of HAVING count(*) > 1;
    SELECT 'run ' || run_id || ' has status ' || status FROM vigil_runs WHERE status NOT IN ('ok', 'warnings');" 2>&1)
  [ -z "$bad" ] || echo "$bad"
  while IFS='|' read -r d n; do
    [ -n "$d" ] || continue
    [ "$n" = "${EXPECT[$d]}" ] || echo "run for $d records $n alerts; a complete run gives ${EXPECT[$d]}"
  done < <(sqlite3 "$DB" "SELECT as_of, alerts FROM vigil_runs WHERE pack = 'saas';")
  [ "$(counts)" = "$DATA_BEFORE" ] || echo "the data tables changed"
}

passed=0 failed=0 killed=0 finished=0 journal=0
for ((i = 1; i <= KILLS; i++)); do
  d=${DATES[RANDOM % ${#DATES[@]}]}
  # a delay in [0, 1.2 x a run's time]: most kills land mid-run
  us=$(( (RANDOM * 32768 + RANDOM) % (RUN_US * 12 / 10 + 1) ))
  ms=$((us / 1000))
  "$VIGIL" run --db "$DB" --as-of "$d" $PACK >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))"
  if kill -KILL "$pid" 2>/dev/null; then :; fi
  wait "$pid" 2>/dev/null
  rc=$?
  if [ "$rc" = 137 ]; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
  if [ -e "$DB-journal" ] || [ -s "$DB-wal" ]; then journal=$((journal + 1)); fi
  problems=$(check)
  if [ -z "$problems" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: kill $i (as of $d after $ms ms, exit $rc):"
    echo "$problems" | sed 's/^/  /'
  fi
done

runs=$(sqlite3 "$DB" "SELECT count(*) FROM vigil_runs;")
echo "kills: $killed before the run ended, $finished after; $journal left a journal ($JOURNAL mode); $runs runs recorded"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
