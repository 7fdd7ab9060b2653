#!/usr/bin/env bash
# fuzz/seed.sh — refresh the generated seeds of the fuzz corpora.
#
#   fuzz/corpus/compile/gen-*.rules   every .rules of examples/ and tests/, each
#                                     example pack as one file, and the
#                                     `=== rules` section of each
#                                     tests/golden/run/*.test
#   fuzz/corpus/vgc/gen-*.vgc         the example packs and every compile seed
#                                     that compiles, as .vgc (compiled against
#                                     fuzz/schema.sql, the schema of the fuzz
#                                     database, so they run against it)
#   fuzz/corpus/schema/gen-*.sql      every schema.sql of the repository (the
#                                     examples', the fuzz database's, the error
#                                     goldens', the benchmark's) for fuzz_schema
#
# The hand-written seeds (hand-*) are kept; gen-* files are rewritten each
# time (they are not committed: fuzz/.gitignore).  Needs ./vigil (built with
# `make` if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

VIGIL=${VIGIL:-./vigil}
if [ ! -x "$VIGIL" ]; then make -s --no-print-directory vigil; fi

C=fuzz/corpus/compile
V=fuzz/corpus/vgc
S=fuzz/corpus/schema
mkdir -p "$C" "$V" "$S"
rm -f "$C"/gen-* "$V"/gen-* "$S"/gen-*

# every schema.sql of the repository
find examples tests bench fuzz -name 'schema.sql' -type f ! -path 'fuzz/corpus/*' | sort | while read -r f; do
  cp "$f" "$S/gen-$(echo "$f" | tr / -)"
done

# every .rules file of examples/ and tests/
find examples tests -name '*.rules' -type f | sort | while read -r f; do
  cp "$f" "$C/gen-$(echo "$f" | tr / -)"
done
# each example pack as one file (its files in name order, as the compiler reads them)
for d in examples/*/; do
  ls "$d"*.rules >/dev/null 2>&1 || continue
  cat "$d"*.rules > "$C/gen-pack-$(basename "$d").rules"
done
# the rules of the run goldens
for t in tests/golden/run/*.test; do
  [ -f "$t" ] || continue
  out="$C/gen-$(echo "$t" | tr / -).rules"
  awk '/^=== /{sec=$2; next} sec=="rules"{print}' "$t" > "$out"
  [ -s "$out" ] || rm -f "$out"
done

# .vgc seeds: the example packs, then each compile seed that compiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in examples/*/; do
  n=$(basename "$d")
  "$VIGIL" compile --schema fuzz/schema.sql -o "$V/gen-pack-$n.vgc" "$d" >/dev/null 2>&1 ||
    "$VIGIL" compile -o "$V/gen-pack-$n.vgc" "$d" >/dev/null 2>&1 || rm -f "$V/gen-pack-$n.vgc"
done
for f in "$C"/*; do
  n=$(basename "$f"); n=${n%.rules}; n=${n#gen-}
  # a file name ending in .rules, so that compile reads it as rules
  cp "$f" "$tmp/x.rules"
  "$VIGIL" compile --schema fuzz/schema.sql -o "$V/gen-$n.vgc" "$tmp/x.rules" >/dev/null 2>&1 || rm -f "$V/gen-$n.vgc"
done

echo "seeds: $(ls "$C" | wc -l) in $C, $(ls "$V" | wc -l) in $V, $(ls "$S" | wc -l) in $S"
