#!/bin/sh
# run.sh OUT — the grammar test (make test): npm ci of this folder's
# package-lock.json (vscode-textmate, vscode-oniguruma) into OUT, then
# tokenize.js over every shipped pack.  When npm cannot install (no
# registry, no cache) the test FAILS: it is never skipped.  Run from the
# repository root.
set -u
OUT=${1:?usage: tests/grammar/run.sh OUT}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
  echo "grammar test: FAIL: node and npm are needed (Debian: nodejs npm; make deps installs them)" >&2; exit 1; }
mkdir -p "$OUT"
if ! cmp -s tests/grammar/package-lock.json "$OUT/package-lock.json" || [ ! -d "$OUT/node_modules/vscode-textmate" ]; then
  cp tests/grammar/package.json tests/grammar/package-lock.json "$OUT/" || exit 1
  if ! (cd "$OUT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
    echo "grammar test: FAIL: 'npm ci' in $OUT could not install vscode-textmate and vscode-oniguruma" >&2
    echo "  (no network to the npm registry and nothing in npm's cache?); npm said:" >&2
    sed 's/^/  /' "$OUT/npm.log" | tail -20 >&2
    rm -f "$OUT/package-lock.json"
    exit 1
  fi
fi
NODE_PATH="$OUT/node_modules" node tests/grammar/tokenize.js editors/vscode/syntaxes/vigil.tmLanguage.json examples/*/*.rules examples/*/tests/*.rules
