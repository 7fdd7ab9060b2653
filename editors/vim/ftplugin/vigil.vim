" Vigil rule files: the layout `vigil fmt` writes (two spaces), # comments.
" The guard is on our own value: when a .rules file was first taken for
" another type (Neovim's "hog"), that type's plugin may have set
" b:did_ftplugin without an undo, and it must not stop this one.
if get(b:, 'did_ftplugin', '') is# 'vigil' | finish | endif
let b:did_ftplugin = 'vigil'
setlocal expandtab shiftwidth=2 softtabstop=2 commentstring=#\ %s comments=:#
setlocal formatoptions-=t formatoptions+=croql
let b:undo_ftplugin = 'setlocal expandtab< shiftwidth< softtabstop< commentstring< comments< formatoptions<'
