# splice.sh — sourced by the docs/gen-*.sh generators (not run on its own).
#
# splice FILE NAME TABLEFILE: prints FILE with the lines between its
# <!-- NAME:begin --> and <!-- NAME:end --> markers replaced by the text of
# TABLEFILE; fails when a marker is missing.
splice() {
  awk -v begin="<!-- $2:begin -->" -v end="<!-- $2:end -->" -v tablefile="$3" '
    $0 == begin { print; while ((getline l < tablefile) > 0) print l; skip = 1; seen++; next }
    $0 == end   { skip = 0; seen++ }
    !skip       { print }
    END         { if (seen != 2 || skip) exit 1 }
  ' "$1"
}
