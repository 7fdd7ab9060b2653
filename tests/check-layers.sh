#!/bin/sh
# check-layers.sh — every #include "..." in the library and the command
# points down or stays in its own layer (README.md, "Layout"):
#
#   include/   the public header             may include: nothing of ours
#   core/      memory, values, limits, the program format, connections
#                                            include/
#   stdlib/    the functions' implementations  core/ include/
#   compiler/ grammar/  the front end         stdlib/ core/ include/
#   runtime/   the VM and the run            stdlib/ core/ include/
#   tools/     test runner, formatter, disassembler, reports
#                                            compiler/ grammar/ runtime/ stdlib/ core/ include/
#   cli/       the vigil command             include/ only
#
# (grammar/'s generated parser.h and lexer.h count as grammar/.)  Prints
# each include that goes up or sideways, or that names no file, as
#   FILE:LINE: LAYER includes TARGET (LAYER2)
# and exits 1 when there is one.  Run from the repository root.
set -eu

allowed() {
  case $1 in
    include) echo "include" ;;
    core) echo "core include" ;;
    stdlib) echo "stdlib core include" ;;
    compiler|grammar) echo "compiler grammar stdlib core include" ;;
    runtime) echo "runtime stdlib core include" ;;
    tools) echo "tools compiler grammar runtime stdlib core include" ;;
    cli) echo "cli include" ;;
  esac
}

tmp_bad=$(mktemp)
trap 'rm -f "$tmp_bad"' EXIT
for f in include/*.h core/*.[ch] core/*.def stdlib/*.[ch] compiler/*.[ch] grammar/*.[ly] runtime/*.[ch] \
         tools/*.[ch] cli/*.[ch]; do
  [ -f "$f" ] || continue
  layer=${f%%/*}
  dir=$(dirname "$f")
  ok=$(allowed "$layer")
  # the quoted includes, as LINE TARGET
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' |
  while read -r line target; do
    case $target in
      parser.h|lexer.h) to=grammar ;;
      *.inc) continue ;;
      *)
        if [ -f "$dir/$target" ]; then
          path=$(cd "$(dirname "$dir/$target")" && pwd)
          to=$(basename "$path")
        elif [ -f "include/$target" ]; then
          to=include
        else
          echo "$f:$line: includes \"$target\", which names no file of the tree"; echo x >>"$tmp_bad"; continue
        fi ;;
    esac
    case " $ok " in
      *" $to "*) ;;
      *) echo "$f:$line: $layer includes $target ($to)"; echo x >>"$tmp_bad" ;;
    esac
  done
done

if [ -s "$tmp_bad" ]; then
  echo "check-layers: $(wc -l <"$tmp_bad") include(s) against the layers (tests/check-layers.sh)"
  exit 1
fi
