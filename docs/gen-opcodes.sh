#!/bin/sh
# gen-opcodes.sh — the opcode table of docs/BYTECODE.md, generated from
# core/opcodes.def (the single opcode list) by the C preprocessor.
#
#   docs/gen-opcodes.sh                  print the markdown table
#   docs/gen-opcodes.sh --check FILE     exit 1 if the table between FILE's
#                                        <!-- opcodes:begin --> and
#                                        <!-- opcodes:end --> markers differs
#   docs/gen-opcodes.sh --update FILE    rewrite the table between the markers
#
# Exit status: 0 success (or up to date), 1 out of date / markers missing /
# generation failed, 2 usage error.  $CC (default cc) does the expansion.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
core="$here/../core"
CC=${CC:-cc}
BEGIN='<!-- opcodes:begin -->'
END='<!-- opcodes:end -->'

# Prints the table.  Each OP(...) expands to one line
#   OPROW "NAME" | nops | pops | pushes | "effect"
# that awk turns into a markdown row; the row number is the opcode.
gen() {
  printf '#define OP(name, nops, pops, pushes, doc) OPROW #name | nops | pops | pushes | doc\n#include "opcodes.def"\n' |
    "$CC" -E -P -I "$core" -x c - |
    awk '
      function unquote(s) {
        sub(/^[ \t]*"/, "", s); sub(/"[ \t]*$/, "", s)
        gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s)
        return s
      }
      function trim(s) { gsub(/[ \t]/, "", s); return s }
      BEGIN {
        print "| # | opcode | operands | pops | pushes | effect |"
        print "|--:|---|---|--:|--:|---|"
        split("A,A B,A B C", opnames, ",")
        n = 0
      }
      /^OPROW / {
        line = substr($0, 7)
        # the first four fields cannot contain "|"; the effect may
        for (k = 1; k <= 4; k++) {
          i = index(line, "|")
          f[k] = substr(line, 1, i - 1)
          line = substr(line, i + 1)
        }
        name = unquote(f[1]); nops = trim(f[2]); pops = trim(f[3]); pushes = trim(f[4])
        doc = unquote(line)
        gsub(/\|/, "\\|", doc); gsub(/\*/, "\\*", doc)
        ops = nops > 0 ? opnames[nops] : ""
        if (pops == "-1") pops = "var"
        printf "| %d | `%s` | %s | %s | %s | %s |\n", n, name, ops, pops, pushes, doc
        n++
      }
      END { if (n == 0) exit 1 }
    '
}

# Prints FILE with the lines between the markers replaced by stdin's text;
# fails when a marker is missing.
splice() {
  awk -v begin="$BEGIN" -v end="$END" -v tablefile="$2" '
    $0 == begin { print; while ((getline l < tablefile) > 0) print l; skip = 1; seen++; next }
    $0 == end   { skip = 0; seen++ }
    !skip       { print }
    END         { if (seen != 2 || skip) exit 1 }
  ' "$1"
}

usage() {
  echo "usage: $0 [--check FILE | --update FILE]" >&2
  exit 2
}

case $# in
0)
  gen
  ;;
2)
  file=$2
  [ -f "$file" ] || { echo "$0: $file: no such file" >&2; exit 2; }
  tmp=$(mktemp) || exit 1
  trap 'rm -f "$tmp" "$tmp.new"' EXIT
  gen >"$tmp" || { echo "$0: could not expand $core/opcodes.def" >&2; exit 1; }
  splice "$file" "$tmp" >"$tmp.new" || {
    echo "$0: $file: missing '$BEGIN' / '$END' markers" >&2
    exit 1
  }
  case $1 in
  --check)
    if ! cmp -s "$file" "$tmp.new"; then
      echo "$0: $file: the opcode table is out of date; run: $0 --update $file" >&2
      exit 1
    fi
    ;;
  --update)
    cmp -s "$file" "$tmp.new" || cat "$tmp.new" >"$file"
    ;;
  *)
    usage
    ;;
  esac
  ;;
*)
  usage
  ;;
esac
