#!/usr/bin/env bash
# fuzz/coverage.sh [TARGET...] — line coverage of the library reached by each
# fuzz target's corpus (build/fuzz/corpus/TARGET plus the seeds).
#
# Builds the targets again with clang's source-based coverage (no sanitizers)
# into build/fuzzcov/, runs every corpus input once, and prints llvm-cov's
# per-file report.  HTML: build/fuzzcov/TARGET/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."

CC=${FUZZ_CC:-clang}
VER=$($CC --version | sed -nE 's/.*clang version ([0-9]+).*/\1/p' | head -1)
PROFDATA=$(command -v llvm-profdata || command -v "llvm-profdata-$VER" || echo "/usr/lib/llvm-$VER/bin/llvm-profdata")
COV=$(command -v llvm-cov || command -v "llvm-cov-$VER" || echo "/usr/lib/llvm-$VER/bin/llvm-cov")
TARGETS=${*:-$(cd fuzz && ls fuzz_*.c | sed 's/\.c$//')}
OUT=build/fuzzcov
OBJ=$OUT/obj
mkdir -p "$OBJ"

make -s --no-print-directory build/gen/parser.c build/gen/lexer.c
printf 'print-lib-src:\n\t@echo $(LIB_SRC)\n' > "$OUT/print.mk"
LIB_SRC=$(make -s --no-print-directory -f Makefile -f "$OUT/print.mk" print-lib-src)
to_c_string() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$1"; }
to_c_string fuzz/schema.sql > "$OUT/schema_sql.inc"
to_c_string fuzz/data.sql > "$OUT/data_sql.inc"

CFLAGS="-std=c11 -D_DEFAULT_SOURCE -g -O1 -fprofile-instr-generate -fcoverage-mapping -DVM_STEP_BUDGET=100000u -Ibuild/gen -Iinclude"
rm -f "$OBJ"/*.o
for src in $LIB_SRC build/gen/parser.c build/gen/lexer.c fuzz/fuzz_*.c; do
  extra=""
  case $src in build/gen/*) extra="-Igrammar -Icompiler -w" ;; fuzz/*) extra="-I$OUT -Icore -Iruntime" ;; esac
  echo "$CC $CFLAGS -fsanitize=fuzzer-no-link $extra -c -o $OBJ/$(echo "$src" | tr / _ | sed 's/\.c$/.o/') $src"
done | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh -c '{}'
LIB_OBJS=$(ls "$OBJ"/*.o | grep -v '/fuzz_fuzz_')

for t in $TARGETS; do
  short=${t#fuzz_}
  $CC -fprofile-instr-generate -fsanitize=fuzzer -o "$OUT/$t" "$OBJ/fuzz_$t.o" $LIB_OBJS -lsqlite3 -lunistring -lm
  rm -rf "$OUT/$t.profraw.d"; mkdir -p "$OUT/$t.profraw.d"
  seeds=fuzz/corpus/$short
  case $t in fuzz_run|fuzz_fmt) seeds=fuzz/corpus/compile ;; esac
  dirs=("$seeds")
  [ -d "build/fuzz/corpus/$t" ] && dirs=("build/fuzz/corpus/$t" "${dirs[@]}")
  LLVM_PROFILE_FILE="$OUT/$t.profraw.d/%p.profraw" "$OUT/$t" -runs=0 -timeout=30 "${dirs[@]}" >"$OUT/$t.log" 2>&1 || true
  "$PROFDATA" merge -sparse "$OUT/$t.profraw.d"/*.profraw -o "$OUT/$t.profdata"
  echo "==== $t (corpus: ${dirs[*]})"
  "$COV" report "$OUT/$t" -instr-profile="$OUT/$t.profdata" -ignore-filename-regex='(fuzz/|build/gen/)' \
    | awk 'NR==1 || /^[a-z]/ || /^TOTAL/' | sed -E 's/ +/ /g' | cut -d' ' -f1,8-10 | column -t
  "$COV" show "$OUT/$t" -instr-profile="$OUT/$t.profdata" -format=html -output-dir="$OUT/$t" \
    -ignore-filename-regex='(fuzz/|build/gen/)' >/dev/null 2>&1 || true
done
