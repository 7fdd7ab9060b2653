#!/bin/sh
# gen-tables.sh — the tables of the docs that are generated from the one
# table of each fact in core/, by the C preprocessor:
#
#   funcs    core/funcs.def   -> docs/LANGUAGE.md  (<!-- funcs:begin --> ... <!-- funcs:end -->)
#   limits   core/limits.h    -> docs/LANGUAGE.md  (<!-- limits:begin --> ... <!-- limits:end -->)
#
#   docs/gen-tables.sh NAME              print table NAME
#   docs/gen-tables.sh --check           exit 1 if a table in the docs differs from its source
#   docs/gen-tables.sh --update          rewrite the tables between their markers
#
# Exit status: 0 success (or up to date), 1 out of date / markers missing /
# generation failed, 2 usage error.  $CC (default cc) does the expansion.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
core="$here/../core"
. "$here/splice.sh"
CC=${CC:-cc}

# The function index: one row per function of funcs.def, in its order.
# Each X-macro entry expands to one line
#   ROW kind | "name" | min | max | "synopsis"
gen_funcs() {
  printf '%s\n' \
    '#define SCALAR(c, name, mn, mx, mask, ret, flags, syn) ROW scalar | name | mn | mx | syn' \
    '#define AGGREGATE(c, name, syn) ROW aggregate | name | 2 | 2 | syn' \
    '#define WINDOW(c, name, mn, mx, syn) ROW window | name | mn | mx | syn' \
    '#include "funcs.def"' |
    "$CC" -E -P -I "$core" -x c - |
    awk '
      function unquote(s) {
        sub(/^[ \t]*"/, "", s); sub(/"[ \t]*$/, "", s)
        gsub(/"[ \t]*"/, "", s)            # adjacent literals
        gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s)
        return s
      }
      function trim(s) { gsub(/[ \t]/, "", s); return s }
      BEGIN {
        print "| function | kind | arguments | what it gives |"
        print "|---|---|--:|---|"
        n = 0
      }
      /^ROW / {
        line = substr($0, 5)
        for (k = 1; k <= 4; k++) {
          i = index(line, "|")
          f[k] = substr(line, 1, i - 1)
          line = substr(line, i + 1)
        }
        kind = trim(f[1]); name = unquote(f[2]); mn = trim(f[3]); mx = trim(f[4])
        syn = unquote(line)
        gsub(/\|/, "\\|", syn); gsub(/\*/, "\\*", syn)
        args = mx == "-1" ? mn " or more" : mn == mx ? mn : mn " to " mx
        # "name(args) -> type: what": the signature in code, then the words
        i = index(syn, " -> "); j = i ? index(substr(syn, i), ": ") : 0
        if (j) { sig = substr(syn, 1, i + j - 2); what = substr(syn, i + j + 1) } else { sig = name; what = syn }
        printf "| `%s` | %s | %s | %s |\n", sig, kind, args, what
        n++
      }
      END { if (n == 0) exit 1 }
    '
}

# The limits: one row per limit of limits.h, in its order.  Each limit is
#   /* [UNIT] WHAT
#   **
#   ** notes for the code */
#   #ifndef NAME
#   #define NAME VALUE
# VALUE is a product of whole numbers (16u * 1024u * 1024u).
gen_limits() {
  awk '
    function fmt(v, unit,   s, out) {
      if (unit == "bytes" && v >= 1048576 && v % 1048576 == 0) return (v / 1048576) " MiB"
      s = sprintf("%d", v); out = ""
      if (length(s) > 3) {                 # 200000 -> 200 000 (as the docs write numbers)
        while (length(s) > 3) { out = " " substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
      }
      return s out (unit != "" ? " " unit : "")
    }
    BEGIN {
      print "| limit | value | what |"
      print "|---|---|---|"
    }
    /^\/\* / && !incomment { incomment = 1; text = ""; para = 1; sub(/^\/\* /, "") }
    incomment {
      line = $0
      closing = sub(/ *\*\/[ \t]*$/, "", line)
      sub(/^\*\* ?/, "", line); sub(/^\/\* ?/, "", line)
      if (line == "" || line == "**") para = 0
      else if (para) text = text (text == "" ? "" : " ") line
      if (closing) { incomment = 0; pending = text }
      next
    }
    /^#define [A-Z_]+ / && pending != "" {
      name = $2; v = $0; sub(/^#define [A-Z_]+ /, "", v); gsub(/[u() ]/, "", v)
      n = split(v, f, "*"); val = 1; for (k = 1; k <= n; k++) val *= f[k]
      unit = ""
      if (match(pending, /^\[[a-z]+\] /)) { unit = substr(pending, 2, RLENGTH - 3); pending = substr(pending, RLENGTH + 1) }
      gsub(/\|/, "\\|", pending)
      printf "| `%s` | %s | %s |\n", name, fmt(val, unit), pending
      pending = ""; rows++
    }
    END { if (rows == 0) exit 1 }
  ' "$core/limits.h"
}

TABLES="funcs:docs/LANGUAGE.md limits:docs/LANGUAGE.md"


usage() {
  echo "usage: $0 [NAME | --check | --update]" >&2
  exit 2
}

[ $# -eq 1 ] || usage
case $1 in
funcs) gen_funcs; exit ;;
limits) gen_limits; exit ;;
--check|--update) ;;
*) usage ;;
esac

tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp" "$tmp.new"' EXIT
root="$here/.."
status=0
for t in $TABLES; do
  name=${t%%:*}
  file="$root/${t#*:}"
  "gen_$name" >"$tmp" || { echo "$0: could not generate the $name table" >&2; exit 1; }
  splice "$file" "$name" "$tmp" >"$tmp.new" || {
    echo "$0: ${t#*:}: missing '<!-- $name:begin -->' / '<!-- $name:end -->' markers" >&2
    exit 1
  }
  if ! cmp -s "$file" "$tmp.new"; then
    if [ "$1" = --update ]; then
      cat "$tmp.new" >"$file"
    else
      echo "$0: ${t#*:}: the $name table is out of date; run: docs/gen-tables.sh --update" >&2
      status=1
    fi
  fi
done
exit $status
