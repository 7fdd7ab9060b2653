#!/bin/sh
# check-new.sh VIGIL — `vigil new pack` (docs/CLI.md, "vigil new"): a pack
# made from each shipped pack's schema.sql, from a database (the SaaS demo's
# tables in a SQLite file) and from no schema at all checks with --werror,
# formats (fmt --check) and tests clean as made; each example rule, once
# uncommented with its param, checks too; an existing folder is refused
# (exit 1) and left as it was.  Run from the repository root.
set -u
VIGIL=${1:?usage: check-new.sh VIGIL}
case $VIGIL in /*) ;; *) VIGIL=$PWD/$VIGIL ;; esac
ROOT=$PWD
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "check-new: FAIL: $*" >&2; fail=1; }

clean() { # DIR: the three checks of a made pack
  "$VIGIL" check --werror "$1" >"$T/out" 2>&1 || { bad "$1: vigil check --werror"; cat "$T/out" >&2; }
  "$VIGIL" fmt --check "$1" >"$T/out" 2>&1 || { bad "$1: vigil fmt --check"; cat "$T/out" >&2; }
  "$VIGIL" test "$1" >"$T/out" 2>&1 || { bad "$1: vigil test"; cat "$T/out" >&2; }
  grep -q '^1 passed, 0 failed' "$T/out" || { bad "$1: not one passing test"; cat "$T/out" >&2; }
  [ -f "$1/.editorconfig" ] && [ -f "$1/README.md" ] || bad "$1: no .editorconfig or README.md"
  # the examples with a column (not VALUE), uncommented with param slump, check
  cp -r "$1" "$T/uncommented"
  sed -i 's/^# param slump/param slump/' "$T/uncommented/00_pack.rules"
  awk '/^# rule .*_slump/ {on=1; buf=""} on {buf = buf $0 "\n"; if ($0 ~ /^# }/) {on=0;
         if (buf !~ /VALUE/) gsub(/(^|\n)# ?/, "\n", buf); sub(/^\n/, "", buf); printf "%s", buf}; next} {print}' \
    "$1/10_rules.rules" >"$T/uncommented/10_rules.rules"
  n=$(grep -c '^rule .*_slump' "$T/uncommented/10_rules.rules")
  [ "$n" -gt 0 ] || grep -q 'VALUE' "$1/10_rules.rules" || bad "$1: no example rule uncommented"
  "$VIGIL" check "$T/uncommented" >"$T/out" 2>&1 || { bad "$1: the example rules do not check"; cat "$T/out" >&2; }
  rm -rf "$T/uncommented"
}

cd "$T" || exit 1
for schema in "$ROOT"/examples/*/schema.sql; do
  name=$(basename "$(dirname "$schema")")
  "$VIGIL" new pack "$name" --schema "$schema" >"$T/log" 2>&1 || { bad "new pack $name"; cat "$T/log" >&2; continue; }
  grep -q "^vigil: made pack $name in $name/" "$T/log" || { bad "$name: no summary line"; cat "$T/log" >&2; }
  cmp -s "$schema" "$name/schema.sql" || bad "$name: schema.sql is not the --schema file"
  clean "$name"
done

# from a database: its tables, views and indexes become schema.sql
sqlite3 demo.db <"$ROOT/examples/saas/schema.sql"
"$VIGIL" new pack fromdb --db demo.db -o fromdb-dir >"$T/log" 2>&1 || { bad "new pack --db"; cat "$T/log" >&2; }
grep -q '^source sales_snapshot: key rep_id, time snapshot_date (key and time from the index' "$T/log" ||
  { bad "--db: the guess for sales_snapshot"; cat "$T/log" >&2; }
grep -q '^table org_chart: no source' "$T/log" || bad "--db: org_chart has no date, so no source"
clean fromdb-dir

# no schema: the example table
"$VIGIL" new pack starter >"$T/log" 2>&1 || { bad "new pack without a schema"; cat "$T/log" >&2; }
clean starter

# names that are keywords or not identifiers are backquoted; a text key
cat >odd.sql <<'SQL'
CREATE TABLE "order" (`when` DATE NOT NULL, code TEXT NOT NULL, amount REAL, supervisor INTEGER);
CREATE INDEX order_code_when ON "order"(code, `when`);
CREATE TABLE "weird name" (id INTEGER PRIMARY KEY, at_date TIMESTAMP, `last` REAL);
SQL
"$VIGIL" new pack odd --schema odd.sql >"$T/log" 2>&1 || { bad "new pack odd"; cat "$T/log" >&2; }
grep -q '^rule `weird name_missing` on `weird name`' odd/10_rules.rules || bad "odd: a table name with a space is not backquoted"
grep -q 'expect yellow order_missing "K-1"' odd/tests/odd.rules || bad "odd: the text key is not a string"
clean odd

# a row the table's CHECK refuses: the test is left commented out, not failing
echo "CREATE TABLE t (k INTEGER NOT NULL, d DATE NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('a', 'b')));" >checked.sql
"$VIGIL" new pack checked --schema checked.sql >"$T/log" 2>&1 || { bad "new pack checked"; cat "$T/log" >&2; }
grep -q 'commented out in tests/checked.rules' "$T/log" || { bad "checked: not said"; cat "$T/log" >&2; }
"$VIGIL" test checked >"$T/out" 2>&1 || { bad "checked: vigil test fails"; cat "$T/out" >&2; }
"$VIGIL" check --werror checked >/dev/null 2>&1 && "$VIGIL" fmt --check checked >/dev/null 2>&1 || bad "checked: not clean"
grep -q '^# test "t missing"' checked/tests/checked.rules || bad "checked: the test is not commented out"

# an existing folder is refused and untouched
mkdir taken && echo keep >taken/file
"$VIGIL" new pack taken >"$T/out" 2>&1; rc=$?
[ $rc -eq 1 ] || bad "an existing folder: exit $rc, not 1"
grep -q 'taken: exists' "$T/out" || { bad "an existing folder: no message"; cat "$T/out" >&2; }
[ "$(ls taken)" = file ] || bad "an existing folder was written into"

# usage errors and a bad schema
"$VIGIL" new pack 'no-such name' >/dev/null 2>&1; [ $? -eq 2 ] || bad "a bad NAME is not a usage error"
"$VIGIL" new pack x --schema a.sql --db b.db >/dev/null 2>&1; [ $? -eq 2 ] || bad "--schema with --db is not a usage error"
echo 'DROP TABLE nothing;' >bad.sql
"$VIGIL" new pack badschema --schema bad.sql >"$T/out" 2>&1; rc=$?
[ $rc -eq 1 ] && [ ! -e badschema ] || bad "a refused schema: exit $rc, or a folder made"
"$VIGIL" new --help | grep -q '^usage: vigil new pack NAME' || bad "vigil new --help"

[ $fail -eq 0 ] && echo "check-new: ok (packs from $(ls "$ROOT"/examples/*/schema.sql | wc -l) schemas, a database, no schema)"
exit $fail
