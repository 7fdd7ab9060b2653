#!/bin/sh
# gen-diagnostics.sh — the list of codes of docs/DIAGNOSTICS.md, generated
# from core/diagcodes.def (the single list of diagnostic codes) by the C
# preprocessor.
#
#   docs/gen-diagnostics.sh                  print the markdown table
#   docs/gen-diagnostics.sh --check FILE     exit 1 if the table between FILE's
#                                            <!-- diagcodes:begin --> and
#                                            <!-- diagcodes:end --> markers
#                                            differs, or if the codes and
#                                            FILE's sections disagree (below)
#   docs/gen-diagnostics.sh --update FILE    rewrite the table between the
#                                            markers (then checks as --check)
#
# Besides the table, --check and --update hold these, each reported on its
# own line:
#   - every code has a section "### `CODE`" in FILE, under the "## N Title"
#     whose title is the code's group, and every such section has a code;
#   - every code is reported somewhere: its DIAG_ name appears in a source
#     file of core/, stdlib/, compiler/, grammar/, runtime/ or tools/;
#   - no source file there writes a code as text ("E-...", "W-..."): call
#     sites name codes by their DIAG_ constant.
#
# Exit status: 0 success (or up to date), 1 out of date / disagreement /
# markers missing / generation failed, 2 usage error.  $CC (default cc)
# does the expansion.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root="$here/.."
core="$root/core"
. "$here/splice.sh"
CC=${CC:-cc}
BEGIN='<!-- diagcodes:begin -->'
END='<!-- diagcodes:end -->'

# Prints one line per code: ID<TAB>code<TAB>group<TAB>meaning (unquoted).
codes() {
  printf '#define DIAG(id, code, group, doc) DIAGROW id code group doc\n#include "diagcodes.def"\n' |
    "$CC" -E -P -I "$core" -x c - |
    awk '
      # the string literals of a line, unquoted and concatenated per argument
      /^DIAGROW / {
        id = $2
        line = substr($0, index($0, id) + length(id))
        n = 0
        while (match(line, /"([^"\\]|\\.)*"/)) {
          s = substr(line, RSTART + 1, RLENGTH - 2)
          gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s)
          f[++n] = s
          line = substr(line, RSTART + RLENGTH)
        }
        if (n != 3) { print "gen-diagnostics: " id ": expected 3 strings" > "/dev/stderr"; bad = 1; next }
        printf "%s\t%s\t%s\t%s\n", id, f[1], f[2], f[3]
        rows++
      }
      END { if (bad || rows == 0) exit 1 }
    '
}

# Prints the table from codes' lines on stdin.
table() {
  awk -F '\t' '
    BEGIN {
      print "| code | group | meaning |"
      print "|---|---|---|"
    }
    {
      doc = $4
      gsub(/\|/, "\\|", doc)
      printf "| [`%s`](#%s) | %s | %s |\n", $2, tolower($2), $3, doc
    }
  '
}


# The sections of FILE against the codes (CODESFILE): prints each
# disagreement; fails when there is one.
sections() {
  awk -F '\t' -v doc="$1" '
    FNR == NR { group[$2] = $3; order[++n] = $2; next }
    /^## / {
      title = substr($0, 4)
      sub(/^[0-9]+ /, "", title)
      title = tolower(title)
      next
    }
    /^### `[EW]-[^`]*`[ \t]*$/ {
      code = $0
      sub(/^### `/, "", code); sub(/`[ \t]*$/, "", code)
      if (code in where) {
        printf "%s:%d: a second section for %s\n", doc, FNR, code
        bad = 1
      }
      where[code] = title
      if (!(code in group)) {
        printf "%s:%d: a section for %s, which is not in core/diagcodes.def\n", doc, FNR, code
        bad = 1
      } else if (group[code] != title) {
        printf "%s:%d: %s is in section \"%s\"; core/diagcodes.def puts it in group \"%s\"\n", doc, FNR, code, title, group[code]
        bad = 1
      }
    }
    END {
      for (i = 1; i <= n; i++)
        if (!(order[i] in where)) {
          printf "%s: no section \"### `%s`\" for a code of core/diagcodes.def\n", doc, order[i]
          bad = 1
        }
      exit bad
    }
  ' "$2" "$1"
}

# The library's sources against the codes (CODESFILE): each DIAG_ name used,
# no code written as text.
uses() {
  bad=0
  srcs=$(cd "$root" && find core stdlib compiler grammar runtime tools -type f \
    \( -name '*.c' -o -name '*.h' -o -name '*.y' -o -name '*.l' \) ! -name 'diagcodes.*' | sort)
  while IFS="$(printf '\t')" read -r id code _; do
    # shellcheck disable=SC2086
    if ! (cd "$root" && grep -qw "DIAG_$id" $srcs); then
      echo "core/diagcodes.def: $code (DIAG_$id) is reported nowhere"
      bad=1
    fi
  done <"$1"
  # shellcheck disable=SC2086
  lits=$(cd "$root" && grep -nE '"[EW]-[a-z]+(-[a-z]+)*"' $srcs || true)
  if [ -n "$lits" ]; then
    echo "$lits" | sed 's/$/   <- a code as text: name it by its DIAG_ constant (core\/diagcodes.def)/'
    bad=1
  fi
  return $bad
}

usage() {
  echo "usage: $0 [--check FILE | --update FILE]" >&2
  exit 2
}

tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp" "$tmp.table" "$tmp.new"' EXIT
codes >"$tmp" || { echo "$0: could not expand $core/diagcodes.def" >&2; exit 1; }

case $# in
0)
  table <"$tmp"
  ;;
2)
  file=$2
  [ -f "$file" ] || { echo "$0: $file: no such file" >&2; exit 2; }
  table <"$tmp" >"$tmp.table"
  splice "$file" diagcodes "$tmp.table" >"$tmp.new" || {
    echo "$0: $file: missing '$BEGIN' / '$END' markers" >&2
    exit 1
  }
  status=0
  case $1 in
  --check)
    if ! cmp -s "$file" "$tmp.new"; then
      echo "$0: $file: the list of codes is out of date; run: $0 --update $file" >&2
      status=1
    fi
    ;;
  --update)
    cmp -s "$file" "$tmp.new" || cat "$tmp.new" >"$file"
    ;;
  *)
    usage
    ;;
  esac
  sections "$file" "$tmp" >&2 || status=1
  uses "$tmp" >&2 || status=1
  exit $status
  ;;
*)
  usage
  ;;
esac
