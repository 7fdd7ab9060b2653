#!/bin/sh
# screenshot.sh VIGIL OUT.png — a picture of Neovim editing a rule pack with
# `vigil lsp`: under Xvfb, an xterm runs a real (headful) Neovim configured
# by tests/lsp/nvim.lua and editors/vim (syntax), on a copy of the shipped
# examples/saas pack with a planted typo (tests/lsp/screenshot.lua: waits for
# the diagnostic, then completes "co" with the LSP omnifunc); once both
# are on the screen, ImageMagick's import takes the X screen into OUT.png.
# `make screenshots` runs it (not part of `make test`).  Exits 1, saying
# why, when a tool is missing or the diagnostic or the completion menu does
# not show up within 60 s.
set -eu
[ $# -eq 2 ] || { echo "usage: screenshot.sh VIGIL OUT.png" >&2; exit 2; }
for tool in Xvfb:xvfb xterm:xterm nvim:neovim import:imagemagick; do
  command -v "${tool%%:*}" >/dev/null 2>&1 ||
    { echo "screenshot.sh: ${tool%%:*} not found (Debian: ${tool#*:}; make screenshots installs it as root)" >&2; exit 1; }
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vigil=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
start=$(pwd)
[ -x "$vigil" ] || { echo "screenshot.sh: $vigil is not an executable" >&2; exit 1; }
tmp=$(mktemp -d)
xvfb="" term=""
cleanup() {
  [ -z "$term" ] || kill "$term" 2>/dev/null || true
  [ -z "$xvfb" ] || kill "$xvfb" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# the pack: a copy of examples/saas, "baseline_conversion" misspelt once
cp -R "$root/examples/saas" "$tmp/saas"
sed -i 's/let floor = baseline_conversion/let floor = baseline_convresion/' "$tmp/saas/10-reps.rules"
grep -q baseline_convresion "$tmp/saas/10-reps.rules" ||
  { echo "screenshot.sh: examples/saas/10-reps.rules has no 'let floor = baseline_conversion' to misspell" >&2; exit 1; }
mkdir "$tmp/home" "$tmp/marks"

# an X server of its own: Xvfb picks a free display and writes its number to fd 3
Xvfb -displayfd 3 -screen 0 1280x800x24 -br -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
i=0
until [ -s "$tmp/display" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$xvfb" 2>/dev/null; then
    echo "screenshot.sh: Xvfb did not start:" >&2; cat "$tmp/xvfb.log" >&2; exit 1
  fi
  sleep 0.1
done
DISPLAY=:$(cat "$tmp/display")
export DISPLAY

# xterm running Neovim: no user configuration, shada or swap files; the
# syntax file from editors/vim, the client from tests/lsp/nvim.lua
# (run in the pack folder, so that the status line says 10-reps.rules)
cd "$tmp/saas"
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home XDG_DATA_HOME=$tmp/home XDG_STATE_HOME=$tmp/home \
  VIGIL=$vigil SHOT_DIR=$tmp/marks \
  xterm -geometry 110x30+0+0 -fa 'DejaVu Sans Mono' -fs 11 -bg white -fg black -bw 0 \
    -xrm 'XTerm*termName: xterm-256color' -e nvim -n -i NONE \
    --cmd "set rtp^=$root/editors/vim" -u "$here/nvim.lua" \
    -c "luafile $here/screenshot.lua" 10-reps.rules >"$tmp/xterm.log" 2>&1 &
term=$!
i=0
until [ -s "$tmp/marks/diagnostic" ] && [ -s "$tmp/marks/completion" ]; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 "$term" 2>/dev/null; then
    echo "screenshot.sh: no diagnostic and completion menu on the screen within 60 s:" >&2
    for m in diagnostic completion; do
      printf '  %s: %s\n' "$m" "$(cat "$tmp/marks/$m" 2>/dev/null || echo '(none)')" >&2
    done
    cat "$tmp/xterm.log" >&2; exit 1
  fi
  sleep 0.1
done
grep -q E-unknown-column "$tmp/marks/diagnostic" ||
  { echo "screenshot.sh: not the planted typo's diagnostic: $(cat "$tmp/marks/diagnostic")" >&2; exit 1; }
grep -qw conversion_rate "$tmp/marks/completion" ||
  { echo "screenshot.sh: the menu has no conversion_rate: $(cat "$tmp/marks/completion")" >&2; exit 1; }
sleep 0.5 # the last redraw
cd "$start"
mkdir -p "$(dirname "$out")"
import -window root -trim +repage "$out"
echo "screenshot.sh: $out: $(cat "$tmp/marks/diagnostic"); completion of \"co\": $(cat "$tmp/marks/completion")"
