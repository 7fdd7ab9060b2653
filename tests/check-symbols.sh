#!/bin/sh
# check-symbols.sh — what libvigil exports (make check-symbols, run by make test):
#
#   check-symbols.sh PUBLIC.a SHARED.so INTERNAL.a
#
# - PUBLIC.a (libvigil.a) and SHARED.so (libvigil.so) define exactly the
#   functions include/vigil.h declares as global names: none missing (a
#   declared function the library does not define, or hides), none more
#   (an internal name leaking into a program that links libvigil);
# - INTERNAL.a (the objects as they are, for the unit tests) has only
#   prefixed global names (vg_ and the modules' prefixes), nothing generic.
# Prints what differs and exits 1 when something does.  Run from the
# repository root; CC preprocesses the header (default cc).
set -eu
[ $# -eq 3 ] || { echo "usage: check-symbols.sh PUBLIC.a SHARED.so INTERNAL.a" >&2; exit 2; }
pub_a=$1 so=$2 int_a=$3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the functions vigil.h declares: preprocessed (no comments), every
# "vg_NAME(" (a function pointer typedef is "(*vg_NAME)(", not matched)
${CC:-cc} -E -P include/vigil.h | grep -o 'vg_[A-Za-z0-9_]*[[:space:]]*(' | sed 's/[[:space:](]*$//' \
  | sort -u >"$tmp/declared"
[ -s "$tmp/declared" ] || { echo "check-symbols: no function found in include/vigil.h"; exit 1; }

# (the sanitizers' instrumentation adds names of its own: not ours)
ours() { grep -Ev '^(__odr_asan|__asan_|__ubsan_|__sancov_)' || true; }

status=0
compare() { # NAME FILE-OF-DEFINED-NAMES
  missing=$(comm -23 "$tmp/declared" "$2")
  extra=$(comm -13 "$tmp/declared" "$2")
  if [ -n "$missing" ]; then
    echo "$1: declared in include/vigil.h but not exported:"; echo "$missing" | sed 's/^/  /'; status=1
  fi
  if [ -n "$extra" ]; then
    echo "$1: exported but not declared in include/vigil.h:"; echo "$extra" | sed 's/^/  /'; status=1
  fi
}

nm -g --defined-only "$pub_a" | awk 'NF==3 {print $3}' | ours | sort -u >"$tmp/static"
compare "$pub_a" "$tmp/static"
nm -D --defined-only "$so" | awk 'NF==3 {print $3}' | ours | sort -u >"$tmp/shared"
compare "$so" "$tmp/shared"

bad=$(nm -g --defined-only "$int_a" | awk 'NF==3 {print $3}' | ours \
  | grep -Ev '^(vg_|vg_yy|fn_|db_|dg_|dl_|ast_|cc_|parse_|schema_|sema_|lint_|cg_|compile_|fmt_|vm_|val_|bc_|exec_|lib_|pg_)' || true)
if [ -n "$bad" ]; then
  echo "$int_a: unprefixed global names:"; echo "$bad" | sed 's/^/  /'; status=1
fi
exit $status
