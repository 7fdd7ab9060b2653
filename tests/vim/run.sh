#!/bin/sh
# run.sh [DIR] — the Vim/Neovim syntax and file-type test (make test):
# headless Neovim (Debian's neovim) with DIR (default editors/vim; make test
# also gives the installed share/nvim/site of its staged make install) first
# on the runtimepath runs tests/vim/syntax_test.vim.  Run from the
# repository root.
set -u
dir=${1:-editors/vim}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
[ -f "$dir/syntax/vigil.vim" ] && [ -f "$dir/ftdetect/vigil.vim" ] && [ -f "$dir/ftplugin/vigil.vim" ] ||
  { echo "vim syntax test: FAIL: $dir has no syntax/, ftdetect/ or ftplugin/vigil.vim" >&2; exit 1; }
command -v nvim >/dev/null 2>&1 || { echo "vim syntax test: FAIL: nvim is needed (Debian: neovim; make deps installs it)" >&2; exit 1; }
out=$(HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent XDG_DATA_HOME=/nonexistent \
  nvim --headless --clean -i NONE -n \
  --cmd "set rtp^=$dir" -c 'filetype plugin on' -c 'syntax on' \
  -S tests/vim/syntax_test.vim 2>&1 </dev/null)
rc=$?
printf '%s\n' "$out" | tr '\r' '\n' | grep -a 'vim syntax test' | sed "s|: ok|: ok ($dir)|" >&2
[ $rc -eq 0 ] && printf '%s' "$out" | grep -aq 'vim syntax test: ok' && exit 0
[ $rc -eq 0 ] && echo "vim syntax test: FAIL: nvim said nothing (status 0)" >&2
exit 1
