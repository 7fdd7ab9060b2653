#!/bin/sh
# gen-opcodes.sh — the operand-kind and opcode tables of docs/BYTECODE.md,
# generated from core/opcodes.def (the single opcode list) by the C
# preprocessor.
#
#   docs/gen-opcodes.sh                  print both tables
#   docs/gen-opcodes.sh --check FILE     exit 1 if a table between FILE's
#                                        <!-- operands:begin --> and
#                                        <!-- operands:end --> markers, or
#                                        <!-- opcodes:begin --> and
#                                        <!-- opcodes:end -->, differs
#   docs/gen-opcodes.sh --update FILE    rewrite the tables between the markers
#
# Exit status: 0 success (or up to date), 1 out of date / markers missing /
# generation failed, 2 usage error.  $CC (default cc) does the expansion.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
core="$here/../core"
. "$here/splice.sh"
CC=${CC:-cc}

# Prints table $1 (operands or opcodes).  Each KIND(...) expands to one line
#   KINDROW NAME | "what" | "check"
# and each OP(...) to
#   OPROW NAME | A | B | C | pops | pushes | only | flow | "effect"
# that awk turns into a markdown row; an opcode's row number is the opcode.
gen() {
  printf '%s\n' \
    '#define KIND(name, what, check) KINDROW name | what | check' \
    '#define OP(name, a, b, c, pops, pushes, only, flow, doc) OPROW name | a | b | c | pops | pushes | only | flow | doc' \
    '#define POPS(n) n' '#define POPA(k) A+k' '#define POPB(k) B+k' \
    '#include "opcodes.def"' |
    "$CC" -E -P -I "$core" -x c - |
    awk -v table="$1" '
      function unquote(s) {
        sub(/^[ \t]*"/, "", s); sub(/"[ \t]*$/, "", s)
        gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s)
        gsub(/\|/, "\\|", s); gsub(/\*/, "\\*", s)
        return s
      }
      function trim(s) { gsub(/[ \t]/, "", s); return s }
      # splits line into f[1..n] at its first n-1 "|"; the last field (a
      # string) may contain "|"
      function fields(line, n,   k, i) {
        for (k = 1; k < n; k++) {
          i = index(line, "|")
          f[k] = substr(line, 1, i - 1)
          line = substr(line, i + 1)
        }
        f[n] = line
      }
      BEGIN {
        if (table == "operands") {
          print "| kind | the operand | the verifier requires |"
          print "|---|---|---|"
        } else {
          print "| # | opcode | operands | pops | pushes | only in | flow | effect |"
          print "|--:|---|---|--:|--:|---|---|---|"
        }
        only["ANY"] = ""; only["RULE"] = "rule functions"; only["VALUE"] = "value functions"
        only["ORG"] = "programs with an org"
        flow["NEXT"] = ""; flow["JUMP"] = "jumps"; flow["BRANCH"] = "jumps or falls through"
        flow["RETURN"] = "returns"
        n = 0
      }
      /^KINDROW / && table == "operands" {
        fields(substr($0, 9), 3)
        printf "| `%s` | %s | %s |\n", trim(f[1]), unquote(f[2]), unquote(f[3])
        n++
      }
      /^OPROW / && table == "opcodes" {
        fields(substr($0, 7), 9)
        ops = ""
        for (k = 2; k <= 4; k++) {
          kind = trim(f[k])
          if (kind != "_") ops = ops (ops == "" ? "" : ", ") substr("ABC", k - 1, 1) " `" kind "`"
        }
        pops = trim(f[5]); sub(/\+0$/, "", pops)
        o = trim(f[7]); fl = trim(f[8])
        if (!(o in only) || !(fl in flow)) { print "unknown only/flow: " o " " fl > "/dev/stderr"; exit 1 }
        printf "| %d | `%s` | %s | %s | %s | %s | %s | %s |\n", n, trim(f[1]), ops, pops, trim(f[6]), only[o],
          flow[fl], unquote(f[9])
        n++
      }
      END { if (n == 0) exit 1 }
    '
}


usage() {
  echo "usage: $0 [--check FILE | --update FILE]" >&2
  exit 2
}

case $# in
0)
  gen operands
  echo
  gen opcodes
  ;;
2)
  file=$2
  [ -f "$file" ] || { echo "$0: $file: no such file" >&2; exit 2; }
  tmp=$(mktemp) || exit 1
  trap 'rm -f "$tmp" "$tmp.new" "$tmp.in"' EXIT
  cp "$file" "$tmp.in"
  for t in operands opcodes; do
    gen $t >"$tmp" || { echo "$0: could not expand $core/opcodes.def" >&2; exit 1; }
    splice "$tmp.in" $t "$tmp" >"$tmp.new" || {
      echo "$0: $file: missing '<!-- $t:begin -->' / '<!-- $t:end -->' markers" >&2
      exit 1
    }
    cp "$tmp.new" "$tmp.in"
  done
  case $1 in
  --check)
    if ! cmp -s "$file" "$tmp.new"; then
      echo "$0: $file: the opcode tables are out of date; run: $0 --update $file" >&2
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
