#!/bin/sh
# nvim.sh VIGIL — Neovim headless, its built-in LSP client configured by
# tests/lsp/nvim.lua, on a pack with a planted typo and a badly laid out
# rule (tests/lsp/nvim_test.lua: the diagnostic, the did-you-mean quick fix,
# completion of a column name, formatting); the buffer it ends with must be
# tests/lsp/nvim.expected.  Exits 0 when it is, 1 otherwise, 77 without nvim.
set -eu
[ $# -eq 1 ] || { echo "usage: nvim.sh VIGIL" >&2; exit 2; }
command -v nvim >/dev/null 2>&1 || { echo "nvim.sh: nvim not found (Debian: neovim)" >&2; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
vigil=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/sales" "$tmp/home"
cat > "$tmp/sales/schema.sql" <<'SQL'
CREATE TABLE deals (deal_id INTEGER, snapshot_date DATE, amount REAL, stage TEXT, owner_id INTEGER);
SQL
cat > "$tmp/sales/00-pack.rules" <<'RULES'
pack sales "Sales"

tiers yellow, red

param drop = 10%

source deal {
  table deals
  key   deal_id
  time  snapshot_date
}
RULES
cat > "$tmp/sales/10-rules.rules" <<'RULES'
rule amount_drop on deal {
let   before=prev( amount )
  yellow when amout < before * (1 - drop)
  red    when amount < before / 2
  message "deal {deal_id}: {amount} after {before}"
}
RULES
# a home of its own: no user configuration, shada or swap files
status=0
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home XDG_DATA_HOME=$tmp/home XDG_STATE_HOME=$tmp/home VIGIL=$vigil \
  NVIM_OUT=$tmp/out.rules timeout 120 nvim --headless -n -i NONE -u "$here/nvim.lua" \
  -c "luafile $here/nvim_test.lua" "$tmp/sales/10-rules.rules" </dev/null >"$tmp/nvim.log" 2>&1 || status=$?
if [ $status -ne 0 ] || [ ! -f "$tmp/out.rules" ]; then
  echo "nvim.sh: nvim failed (status $status):"; cat "$tmp/nvim.log"; exit 1
fi
if ! diff -u "$here/nvim.expected" "$tmp/out.rules"; then
  echo "nvim.sh: the buffer is not tests/lsp/nvim.expected"; exit 1
fi
