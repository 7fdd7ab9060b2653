#!/bin/sh
# check-make.sh — make prints short lines (run by make test):
#
#   check-make.sh [MAKEFILE]
#
# every recipe line of the Makefile is silent (it starts with @, $(Q) or
# $(call say ...), which print "  CC  file.c" unless V=1), except in the
# targets people run to see the commands (clean, uninstall, bench, valgrind,
# fuzz, crash); and `make demo` says, before the run that prints them, that
# its data warnings come from bad rows planted on purpose.  Prints what is
# wrong and exits 1 when something is.  Run from the repository root.
set -eu
mk=${1:-Makefile}
status=0
loud=$(awk '
  !cont && /^[^\t#][^=]*:([^=]|$)/ { split($0, t, ":"); target = t[1] }
  !cont && /^\t/ && target !~ /^(clean|uninstall|bench|valgrind|fuzz|fuzz-run|fuzz-deps|crash)$/ &&
      $0 !~ /^\t(@|\$\(Q\)|\$\(call )/ {
    printf "%s:%d: target %s prints its command in full (start it with @ or $(Q)): %s\n", FILENAME, NR, target, substr($0, 2)
  }
  { cont = /\\$/ }
' "$mk")
if [ -n "$loud" ]; then printf '%s\n' "$loud"; status=1; fi

# the demo: the warnings explained before the run that prints them
demo=$(sed -n '/^demo:/,/^$/p' "$mk")
planted=$(printf '%s\n' "$demo" | grep -n 'planted' | head -1 | cut -d: -f1)
run=$(printf '%s\n' "$demo" | grep -n 'vigil run .*DEMO_AS_OF) examples/saas$' | head -1 | cut -d: -f1)
if [ -z "$planted" ] || [ -z "$run" ] || [ "$planted" -gt "$run" ]; then
  echo "$mk: make demo does not say, before its run, that the warnings come from bad rows planted on purpose"
  status=1
fi
exit $status
