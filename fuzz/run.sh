#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...] — run each fuzz target for SECONDS.
#
#   fuzz/run.sh 60                      what CI runs: every target, 60 s each
#   fuzz/run.sh 1800 fuzz_vgc           one target for half an hour
#   KEEP_GOING=1 fuzz/run.sh 3600       do not stop at the first crash (fork mode)
#   NO_BUILD=1 fuzz/run.sh 60           use the binaries already in build/fuzz
#
# Targets (one per fuzz/fuzz_*.c): fuzz_compile (rules text: compile and
# disassemble), fuzz_run (rules text: compile and run), fuzz_vgc (.vgc bytes:
# read, verify and run), fuzz_fmt (rules text: format), fuzz_schema (a pack's
# schema.sql: load it in the box, compile and test a pack against it),
# fuzz_lsp (the byte stream a client sends to `vigil lsp`); see
# fuzz/README.md.  For each target, in order:
#   1. build (fuzz/build.sh) and refresh the generated seeds (fuzz/seed.sh);
#   2. run every saved regression input, fuzz/regressions/NAME/* (NAME is
#      compile, run, vgc, fmt or schema): each must pass (the findings of
#      earlier runs);
#   3. fuzz for SECONDS with the options of fuzz/TARGET.options (max_len,
#      dict, timeout, rss_limit_mb).  New inputs go to build/fuzz/corpus/TARGET
#      (kept between runs); the seeds, fuzz/corpus/NAME (fuzz_run uses
#      fuzz/corpus/compile), are read only.  Crashes, leaks,
#      sanitizer reports and timeouts are written to
#      build/fuzz/artifacts/TARGET/ (crash-*, leak-*, timeout-*, oom-*).
# Logs: build/fuzz/logs/TARGET.log.  Prints one summary line per target and
# exits 1 when a regression failed or anything was found, 2 on a usage or
# build error.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: fuzz/run.sh SECONDS [fuzz_compile|fuzz_run|fuzz_vgc|fuzz_fmt|fuzz_schema|fuzz_data|fuzz_lsp ...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
SECS=$1; shift
case $SECS in ''|*[!0-9]*) usage ;; esac
TARGETS=${*:-$(cd fuzz && ls fuzz_*.c | sed 's/\.c$//')}
for t in $TARGETS; do [ -f "fuzz/$t.c" ] || usage; done

OUT=build/fuzz
if [ -z "${NO_BUILD:-}" ]; then
  fuzz/build.sh >"$OUT.build.log" 2>&1 || { cat "$OUT.build.log" >&2; echo "fuzz/run.sh: build failed" >&2; exit 2; }
  fuzz/seed.sh || { echo "fuzz/run.sh: seeding failed" >&2; exit 2; }
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}

# the findings in an artifacts folder: crashes, leaks, timeouts, OOMs (a
# slow-unit-* file only says an input took long, which a loaded machine causes)
findings() { ls "$1" | grep -cE '^(crash|leak|timeout|oom)-' || true; }

# option NAME from fuzz/TARGET.options
opt() { sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "fuzz/$1.options" | tail -1; }

status=0
summary=()
for t in $TARGETS; do
  bin=$OUT/$t
  short=${t#fuzz_}   # the regression folder: compile, run, vgc
  seeds=fuzz/corpus/$short
  case $t in fuzz_run|fuzz_fmt) seeds=fuzz/corpus/compile ;; esac   # rules text, like fuzz_compile
  [ -x "$bin" ] || { echo "fuzz/run.sh: $bin is missing (run fuzz/build.sh)" >&2; exit 2; }
  mkdir -p "$OUT/corpus/$t" "$OUT/artifacts/$t" "$OUT/logs"
  log=$OUT/logs/$t.log
  : >"$log"

  # 2. the regressions
  regs=()
  if [ -d "fuzz/regressions/$short" ]; then
    while IFS= read -r f; do regs+=("$f"); done < <(find "fuzz/regressions/$short" -type f ! -name '*.md' ! -name '*.txt' | sort)
  fi
  failed_regs=0
  for f in "${regs[@]+"${regs[@]}"}"; do
    if ! "$bin" -timeout=10 -rss_limit_mb=2048 "$f" >>"$log" 2>&1; then
      echo "$t: REGRESSION FAILS: $f (log: $log)" >&2
      failed_regs=$((failed_regs + 1))
    fi
  done

  # 3. fuzz
  flags=(-max_total_time="$SECS" -timeout="$(opt "$t" timeout)" -rss_limit_mb="$(opt "$t" rss_limit_mb)"
         -max_len="$(opt "$t" max_len)" -dict="fuzz/$(opt "$t" dict)" -print_final_stats=1
         -artifact_prefix="$OUT/artifacts/$t/")
  if [ -n "${KEEP_GOING:-}" ]; then
    flags+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  before=$(findings "$OUT/artifacts/$t")
  start=$(date +%s)
  "$bin" "${flags[@]}" "$OUT/corpus/$t" "$seeds" >>"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  after=$(findings "$OUT/artifacts/$t")

  # the last status line: "#N ... cov: C ft: F corp: K/..." or, in fork
  # mode, "#N: cov: C ft: F corp: K exec/s: E oom/timeout/crash: ..."
  last=$(grep -E '^#[0-9]+:?[[:space:]]' "$log" | tail -1)
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  [ -n "$execs" ] || execs=$(echo "$last" | sed -E 's/^#([0-9]+).*/\1/')
  cov=$(echo "$last" | sed -nE 's/.*cov: ([0-9]+).*/\1/p')
  ft=$(echo "$last" | sed -nE 's/.*ft: ([0-9]+).*/\1/p')
  corp=$(echo "$last" | sed -nE 's/.*corp: ([0-9]+).*/\1/p')
  found=$((after - before))
  result=ok
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ] || [ "$failed_regs" -gt 0 ]; then
    result="FAILED (exit $rc, $found new artifact(s) in $OUT/artifacts/$t, $failed_regs failing regression(s); log $log)"
    status=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|fuzz_[a-z]+: )' "$log" | head -5 >&2
  fi
  summary+=("$(printf '%-13s %6ss  execs %-10s cov %-6s ft %-7s corpus %-6s regressions %d  %s' \
    "$t" "$took" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${#regs[@]}" "$result")")
done

echo "---- fuzz summary ----"
printf '%s\n' "${summary[@]}"
exit $status
