" syntax_test.vim — run by tests/vim/run.sh in headless Neovim with
" editors/vim on the runtimepath: the file type of a pack's .rules, and the
" syntax group (synIDattr(synID(...), 'name')) at a few places of
" examples/saas/00-saas.rules and 10-reps.rules and of a sample.  Exits
" with :cquit (status 1) after listing what differs.
let s:fails = []

function! s:Fail(msg) abort
  call add(s:fails, a:msg)
endfunction

" The group at the first match of pattern (the match's first character, or
" the character at offset within it) on the first line that has it.
function! s:Expect(pattern, offset, group) abort
  call cursor(1, 1)
  let l:pos = searchpos(a:pattern, 'cW')
  if l:pos[0] == 0
    call s:Fail(expand('%') . ': no match for /' . a:pattern . '/')
    return
  endif
  let l:col = l:pos[1] + a:offset
  let l:name = synIDattr(synID(l:pos[0], l:col, 1), 'name')
  if l:name !=# a:group
    call s:Fail(printf('%s:%d:%d: /%s/ is %s, not %s', expand('%'), l:pos[0], l:col, a:pattern, l:name ==# '' ? '(none)' : l:name, a:group))
  endif
endfunction

edit examples/saas/00-saas.rules
if &filetype !=# 'vigil' | call s:Fail('examples/saas/00-saas.rules: filetype ' . &filetype . ', not vigil') | endif
if &shiftwidth != 2 | call s:Fail('ftplugin: shiftwidth ' . &shiftwidth . ', not 2') | endif
call s:Expect('^# The `saas`', 0, 'vigilComment')
call s:Expect('^pack saas', 0, 'vigilDecl')
call s:Expect('^pack \zssaas', 0, 'vigilDeclName')
call s:Expect('^tiers yellow', 0, 'vigilDecl')
call s:Expect('^tiers \zsyellow', 0, 'vigilTier')
call s:Expect('^tiers yellow, \zsorange', 0, 'vigilTier')
call s:Expect('^param slump = \zs20%', 0, 'vigilPercent')
call s:Expect('^param slump = 20\zs%', 0, 'vigilPercent')
call s:Expect('^param grace = \zs5 days', 0, 'vigilDuration')
call s:Expect('^param grace = 5 \zsdays', 0, 'vigilDuration')
call s:Expect('^route \zsred', 0, 'vigilTier')
call s:Expect('^\s*\zstable ', 0, 'vigilField')
call s:Expect('^source \zs\h', 0, 'vigilDeclName')

edit examples/saas/10-reps.rules
if &filetype !=# 'vigil' | call s:Fail('10-reps.rules: filetype ' . &filetype) | endif
call s:Expect('^\s*\zsorange when', 0, 'vigilTier')
call s:Expect('^\s*orange \zswhen', 0, 'vigilKeyword')
call s:Expect('^\s*\zsmessage "', 0, 'vigilKeyword')
call s:Expect('^\s*message \zs"', 0, 'vigilString')
call s:Expect('^\s*message "[^{]*\zs{', 0, 'vigilInterpDelim')
call s:Expect(':pct}', 0, 'vigilFormat')
call s:Expect('^rule \zs\h', 0, 'vigilDeclName')
call s:Expect('^\s*orange when.*\<for \zs\d\+ weeks', 0, 'vigilDuration')

" a sample with every kind of token
enew
call setline(1, [
      \ 'rule r on s {',
      \ '  let x = avg(v, last 3 snapshots) * 1.5 # trailing note',
      \ '  red when x < 2025-01-31 and stale or as_of - d > 2 weeks',
      \ '  clear when `odd name` is not null',
      \ '  message "k {k:2} {{lit}} {coalesce(n, \"none\")} \"q\""',
      \ '}',
      \ 'test "t" {',
      \ '  as_of 2025-03-14',
      \ '  expect red r 1',
      \ '  expect no alert r 2',
      \ '}'])
setfiletype vigil
call s:Expect('# trailing', 0, 'vigilComment')
call s:Expect('\<avg\>', 0, 'vigilFunction')
call s:Expect('\<last\>', 0, 'vigilKeyword')
call s:Expect('1\.5', 0, 'vigilNumber')
call s:Expect('\<red when', 0, 'vigilTier')
call s:Expect('2025-01-31', 0, 'vigilDate')
call s:Expect('\<and\>', 0, 'vigilOperator')
call s:Expect('\<stale\>', 0, 'vigilBuiltin')
call s:Expect('\<as_of - d', 0, 'vigilBuiltin')
call s:Expect('2 weeks', 2, 'vigilDuration')
call s:Expect('\<clear when', 0, 'vigilClear')
call s:Expect('`odd name`', 0, 'vigilQuoted')
call s:Expect('\<null\>', 0, 'vigilConstant')
call s:Expect('"k {', 0, 'vigilString')
call s:Expect(':2}', 0, 'vigilFormat')
call s:Expect('{{lit', 0, 'vigilBraceEscape')
call s:Expect('\\"none', 0, 'vigilInnerString')
call s:Expect('\\"q', 0, 'vigilEscape')
call s:Expect('^  \zsas_of 2025', 0, 'vigilTestItem')
call s:Expect('expect \zsred', 0, 'vigilTier')
call s:Expect('\<expect no', 0, 'vigilTestItem')
call s:Expect('expect \zsno alert', 0, 'vigilNoAlert')

" the file type: a udev .rules file is not Vigil's
let s:tmp = tempname()
call mkdir(s:tmp, 'p')
call writefile(['SUBSYSTEM=="usb", MODE="0666"'], s:tmp . '/99-usb.rules')
execute 'edit ' . s:tmp . '/99-usb.rules'
if &filetype ==# 'vigil' | call s:Fail('a udev .rules file is taken for vigil') | endif
call writefile(['# a pack without schema.sql', 'pack lone'], s:tmp . '/lone.rules')
execute 'edit ' . s:tmp . '/lone.rules'
if &filetype !=# 'vigil' | call s:Fail('a .rules file starting with pack is not vigil: ' . &filetype) | endif
call delete(s:tmp, 'rf')

if empty(s:fails)
  echo 'vim syntax test: ok'
  qall!
endif
for s:f in s:fails
  echo 'vim syntax test: FAIL: ' . s:f
endfor
cquit!
