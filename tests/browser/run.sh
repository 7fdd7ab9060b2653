#!/bin/sh
# tests/browser/run.sh VIGIL OUTDIR: `make check-browser`.  First each page
# made to fail one check (bad-*.html) must fail it, so the checks can fail;
# then the demo's combined HTML digest must pass them all (check-digest.py).
set -u
vigil=$1 out=$2
here=$(dirname "$0")
status=0
expect() { # PAGE TEXT: check-digest fails on PAGE, saying TEXT
  got=$(python3 "$here/check-digest.py" --page "$here/$1" "$vigil" "$out/$1.d" 2>&1)
  rc=$?
  case $rc:$got in
    1:*"$2"*) ;;
    *) echo "check-browser: $1: expected a failure saying '$2', got exit $rc:"; echo "$got"; status=1 ;;
  esac
}
expect bad-long-word.html "it scrolls sideways"
expect bad-long-word.html "content wider than its box"
expect bad-dangling-link.html "the link #digest-9 names no element"
expect bad-dangling-link.html "the viewport is 980 px wide"
expect bad-late-summary.html "below the first screen"
expect bad-late-summary.html "script elements"
python3 "$here/check-digest.py" "$vigil" "$out" || status=1
exit $status
