" Vigil rule files: *.rules is also used by other tools (udev, ...); a
" .rules file is Vigil's when it sits beside a schema.sql (a pack folder or
" its tests/), or when it starts with a Vigil declaration or comment line
" followed by one.  It overrides the guess of Vim's own detection (Neovim
" calls *.rules "hog" or "udevrules"), only for such files.
function! s:VigilDetect() abort
  let l:dir = expand('<afile>:p:h')
  if filereadable(l:dir . '/schema.sql') || filereadable(l:dir . '/../schema.sql')
    set filetype=vigil
    return
  endif
  for l:line in getline(1, 50)
    if l:line =~# '^\s*\(pack\|tiers\|param\|def\|source\|rule\|test\|rollup\|org\|route\)\>'
      set filetype=vigil
      return
    endif
    if l:line !~# '^\s*\(#.*\)\=$'
      return
    endif
  endfor
endfunction
autocmd BufRead,BufNewFile *.rules call s:VigilDetect()
