#!/bin/sh
# check-man.sh — docs/vigil.1 keeps up with the command (run by make test):
#
#   check-man.sh VIGIL
#
# every command `VIGIL --help` lists has a section (.SS "vigil CMD") in
# docs/vigil.1, every option `VIGIL CMD --help` shows is described in that
# section, and the page's version is `VIGIL --version`'s.  Prints what is
# missing and exits 1 when something is.  Run from the repository root.
set -eu
[ $# -eq 1 ] || { echo "usage: check-man.sh VIGIL" >&2; exit 2; }
vigil=$1 page=docs/vigil.1
status=0

# the commands: the indented words under "commands:" in vigil --help
cmds=$("$vigil" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$cmds" ] || { echo "check-man: no command in '$vigil --help'"; exit 1; }
for c in $cmds; do
  # the section: from its .SS line to the next .SS or .SH
  section=$(sed -n "/^\\.SS \"vigil $c\"\$/,/^\\.S[SH] /p" "$page" | sed '1d')
  if [ -z "$section" ]; then
    echo "$page: no section .SS \"vigil $c\""; status=1; continue
  fi
  # the options the --help text shows (-o and every --name)
  opts=$("$vigil" "$c" --help | grep -o -- '\(^\|[[ |]\)\(-o\|--[a-z][a-z-]*\)' | sed 's/^[[ |]*//' | sort -u)
  for o in $opts; do
    roff=$(printf '%s' "$o" | sed 's/-/\\-/g')
    if ! printf '%s\n' "$section" | grep -qF -- "$roff"; then
      echo "$page: vigil $c: option $o is not described"; status=1
    fi
  done
done

version=$("$vigil" --version | sed 's/^vigil //')
grep -q "^\\.TH VIGIL 1 .*\"vigil $version\"" "$page" || {
  echo "$page: .TH does not name vigil $version"; status=1; }
exit $status
