#!/bin/sh
# run.sh — the embedding examples against an installed libvigil (make
# check-embed, run by make test after `make install DESTDIR=STAGE PREFIX=/usr`):
#
#   run.sh STAGE WORK
#
# 1. tests/embed/embed.c built through `pkg-config --cflags --libs vigil
#    sqlite3` (PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR point into STAGE),
#    once against the shared library and once against the static one, and
#    run;
# 2. tests/embed/embed.py, loading STAGE/usr/lib/libvigil.so.N with ctypes,
#    its struct mirrors checked against the layout embed.c prints.
# CC and CFLAGS (e.g. the sanitizers' flags) are used to build; with
# SANITIZE=1 python3 runs with the sanitizer runtime preloaded (a Python
# that loads an ASan library must).  Prints nothing when both pass; exits 1
# after printing what failed.  Run from the repository root.
set -eu
[ $# -eq 2 ] || { echo "usage: run.sh STAGE WORK" >&2; exit 2; }
stage=$(cd "$1" && pwd) work=$2
CC=${CC:-cc}
lib=$stage/usr/lib
rm -rf "$work" && mkdir -p "$work"
work=$(cd "$work" && pwd)

fail() { echo "check-embed: $*" >&2; exit 1; }
[ -f "$lib/pkgconfig/vigil.pc" ] || fail "no $lib/pkgconfig/vigil.pc: run make install DESTDIR=$1 PREFIX=/usr"

export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
cflags=$(pkg-config --cflags vigil sqlite3) || fail "pkg-config --cflags vigil sqlite3 failed"
libs=$(pkg-config --libs vigil sqlite3) || fail "pkg-config --libs vigil sqlite3 failed"
# the static library: the same flags, -lvigil taken from libvigil.a
static_libs=$(pkg-config --static --libs vigil sqlite3 | sed 's/-lvigil\b/-Wl,-Bstatic -lvigil -Wl,-Bdynamic/')

warn="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Werror"
# shellcheck disable=SC2086
$CC -std=c11 $warn ${CFLAGS:-} $cflags -o "$work/embed" tests/embed/embed.c $libs ||
  fail "embed.c does not build against the installed shared library"
# shellcheck disable=SC2086
$CC -std=c11 $warn ${CFLAGS:-} $cflags -o "$work/embed-static" tests/embed/embed.c $static_libs ||
  fail "embed.c does not build against the installed static library"

# the shared build must load the installed library, not another one
LD_LIBRARY_PATH="$lib" ldd "$work/embed" | grep -q "libvigil.so.* => $lib/" ||
  fail "embed does not load $lib's libvigil.so"
LD_LIBRARY_PATH="$lib" "$work/embed" "$work" || fail "embed.c (shared library) failed"
"$work/embed-static" "$work" || fail "embed.c (static library) failed"
LD_LIBRARY_PATH="$lib" "$work/embed" --layout >"$work/layout" || fail "embed --layout failed"

# (the soname, which the dev link libvigil.so points to)
soname=$(readlink "$lib/libvigil.so") || fail "$lib/libvigil.so is not a link"
[ -f "$lib/$soname" ] || fail "$lib/libvigil.so points to $soname, which is not there"
preload=
if [ "${SANITIZE:-}" = 1 ]; then
  preload=$($CC -print-file-name=libasan.so)
  export ASAN_OPTIONS=detect_leaks=0 # (Python's own allocations are not ours)
fi
LD_PRELOAD=$preload python3 tests/embed/embed.py --lib "$lib/$soname" --vigil "$stage/usr/bin/vigil" --root . \
  --work "$work" --layout "$work/layout" || fail "embed.py failed"
