#!/bin/sh
# check-completions.sh — the shell completions in completions/ work and keep
# up with the command (run by make test):
#
#   check-completions.sh VIGIL
#
# - for every command `VIGIL --help` lists, `VIGIL complete flags CMD` (what
#   the completions offer) is exactly the options `VIGIL CMD --help` shows
#   (read as tests/check-man.sh reads them), plus --help and --color=...;
# - bash: completions/vigil.bash, run with COMP_WORDS/COMP_CWORD set as bash
#   sets them, completes commands, options, option values, pack folders and
#   .rules files, and --set NAME= from the pack's params;
# - zsh -n and fish -n parse completions/_vigil and completions/vigil.fish,
#   and fish's `complete -C` completes a few lines (zsh has no such batch
#   mode: its file is only parsed).
# Prints what is wrong and exits 1 when something is.  Run from the
# repository root.
set -eu
[ $# -eq 1 ] || { echo "usage: check-completions.sh VIGIL" >&2; exit 2; }
vigil=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(pwd)
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/bin" "$tmp/work"
ln -s "$vigil" "$tmp/bin/vigil"
PATH="$tmp/bin:$PATH"
export PATH

fail() { echo "check-completions: $*"; status=1; }

# ---- the options, against --help
cmds=$(vigil --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$cmds" ] || fail "no command in 'vigil --help'"
got=$(vigil complete commands | tr '\n' ' ')
want=$(printf '%s\n' $cmds | tr '\n' ' ')
[ "$got" = "$want" ] || fail "complete commands: '$got', --help lists '$want'"
for c in $cmds; do
  want=$(vigil "$c" --help | grep -o -- '\(^\|[[ |]\)\(-o\|--[a-z][a-z-]*\)' | sed 's/^[[ |]*//' | sort -u)
  got=$(vigil complete flags "$c" | grep -v -e '^--help$' -e '^--color=' | sort -u)
  [ "$got" = "$want" ] || fail "vigil $c: complete flags differs from --help:
$(printf '%s\n' "$want" >"$tmp/w"; printf '%s\n' "$got" >"$tmp/g"; diff "$tmp/w" "$tmp/g" || true)"
done

# ---- bash, as bash calls the function
cd "$tmp/work"
mkdir -p pk sub && printf 'param grace = 7days\nparam slump = 20%%\n' >pk/p.rules
echo 'CREATE TABLE t(k INTEGER);' >pk/schema.sql
: >one.rules
: >notes.txt
# cbash WORDS...: the completions of the last word, sorted, on one line
cbash() {
  bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vigil; ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "; true' \
    "$root/completions/vigil.bash" "$@"
}
expect() { # expect WANT WORDS...
  want=$1; shift
  got=$(cbash "$@")
  [ "$got" = "$want" ] || fail "bash: vigil completion of '$*': got '$got', want '$want'"
}
expect "backtest " vigil back
expect "check compile " vigil c
expect "--color=always --color=auto --color=never " vigil --col
expect "fmt " vigil --color=never f
expect "--db --diagnostics-format --dry-run " vigil run --d
expect "github json sarif text " vigil check --format ''
expect "orange red yellow " vigil run --fail-on ''
expect "lead-time " vigil backtest --report l
expect "grace= " vigil run --db x.db pk --set g
expect "grace= slump= " vigil run pk --set ''
expect "one.rules pk sub " vigil check ''
expect "pk " vigil test p
expect "" vigil run --as-of ''
expect "--run " vigil test --ru
cd "$root"

# ---- zsh and fish
if command -v zsh >/dev/null 2>&1; then
  zsh -n completions/_vigil || fail "zsh -n completions/_vigil failed"
else
  fail "zsh is not installed (make deps installs it)"
fi
if command -v fish >/dev/null 2>&1; then
  fish -n completions/vigil.fish || fail "fish -n completions/vigil.fish failed"
  got=$(cd "$tmp/work" && fish -c "source '$root/completions/vigil.fish'; complete -C 'vigil run --fail-on '; complete -C 'vigil run pk --set s'; complete -C 'vigil dig'" | tr '\n' ' ')
  [ "$got" = "orange red yellow slump= digest " ] || fail "fish: got '$got'"
else
  fail "fish is not installed (make deps installs it)"
fi
exit $status
