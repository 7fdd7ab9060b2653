" Vim syntax file
" Language:    Vigil rules (.rules): docs/LANGUAGE.md, "Lexical structure"
" Maintainer:  the Vigil project
if exists('b:current_syntax') | finish | endif
let s:cpo_save = &cpo
set cpo&vim

syn case match

" comments, then strings with {...} interpolation
syn keyword vigilTodo contained TODO FIXME XXX NOTE
syn match   vigilComment "#.*$" contains=vigilTodo,@Spell

syn match   vigilEscape contained +\\[\\"n]+
syn match   vigilFormat contained ":\(pct\|\d\+\)\ze\s*}"
syn match   vigilInnerString contained +\\"\([^"\\]\|\\[^"]\)*\\"+
syn region  vigilInterp contained matchgroup=vigilInterpDelim start="{" end="}" end=+\ze"+ end="$" oneline
      \ contains=vigilInnerString,vigilFormat,@vigilExpr
syn match   vigilBraceEscape contained "{{\|}}"
syn region  vigilString start=+"+ skip=+\\\\\|\\"+ end=+"+ end="$" oneline
      \ contains=vigilEscape,vigilBraceEscape,vigilInterp

" literals: number, duration, percent, date (a later match wins where two start)
syn match   vigilNumber   "\<\d\+\(\.\d\+\)\=\([eE][+-]\=\d\+\)\=\>"
syn match   vigilDuration "\<\d\+\(\.\d\+\)\=\([eE][+-]\=\d\+\)\=\s*\(days\=\|weeks\=\)\>"
syn match   vigilPercent  "\<\d\+\(\.\d\+\)\=\([eE][+-]\=\d\+\)\=%"
syn match   vigilDate     "\<\d\{4}-\d\d-\d\d\>"
syn cluster vigilLiteral contains=vigilDate,vigilPercent,vigilDuration,vigilNumber

" names and keywords
syn match   vigilQuoted   "`\([^`]\|``\)\+`"
syn keyword vigilDecl     pack tiers param def source rule test rollup
syn match   vigilDecl     "^\s*\zs\(org\|route\)\>"
syn match   vigilDecl     "\<fiscal\s\+year\s\+starts\>"
syn keyword vigilKeyword  on let when for message notify last snapshots snapshot if then else
syn match   vigilKeyword  "\<\(clear\|escalate\s\+after\|up\)\>"
syn match   vigilBuiltin  "\<\(as_of\|stale\)\>"
syn match   vigilTestItem "\(^\s*\)\@<=\(as_of\ze\s\+\d\|set\>\|expect\>\)"
syn keyword vigilOperator and or not is in between
syn keyword vigilConstant true false null
syn match   vigilField    "^\s*\zs\(table\|key\|time\|every\|where\|label\|person\|manager\|name\|email\|chat\|horizon\)\ze\s"
syn match   vigilFunction "\<\h\w*\ze\s*("
syn match   vigilOpChar   "<=\|>=\|<>\|!=\|[<>=+*/-]"
syn cluster vigilExpr contains=@vigilLiteral,vigilQuoted,vigilOperator,vigilConstant,vigilBuiltin,vigilFunction,vigilOpChar,vigilKeyword

" tiers: in `tiers`, before `when`, in `route ... up`, after `expect`
syn match   vigilTierList "\(\<tiers\s\+\)\@<=.*$" contains=vigilTier,vigilComment
syn match   vigilTier     contained "\<\h\w*\>"
syn match   vigilTier     "\<\h\w*\ze\s\+when\>" contains=NONE
syn match   vigilClear    "\<clear\ze\s\+when\>"
syn match   vigilRoute    "^\s*route\>.*\<up\>" contains=vigilDecl,vigilTier,vigilKeyword
syn match   vigilTier     "\(\<expect\s\+\)\@<=\(no\s\+alert\>\)\@!\h\w*\>"
syn match   vigilNoAlert  "\(\<expect\s\+\)\@<=no\s\+alert\>"

" the names a declaration gives
syn match   vigilDeclName "\(\<\(pack\|source\|rule\|def\|param\|let\|rollup\)\s\+\)\@<=\(\h\w*\|`\([^`]\|``\)\+`\)"

hi def link vigilComment     Comment
hi def link vigilTodo        Todo
hi def link vigilString      String
hi def link vigilInnerString String
hi def link vigilEscape      SpecialChar
hi def link vigilBraceEscape SpecialChar
hi def link vigilInterpDelim Delimiter
hi def link vigilFormat      Special
hi def link vigilDate        Constant
hi def link vigilPercent     Number
hi def link vigilDuration    Number
hi def link vigilNumber      Number
hi def link vigilQuoted      Identifier
hi def link vigilDecl        Statement
hi def link vigilKeyword     Keyword
hi def link vigilTestItem    Keyword
hi def link vigilNoAlert     Keyword
hi def link vigilClear       Keyword
hi def link vigilOperator    Operator
hi def link vigilOpChar      Operator
hi def link vigilConstant    Boolean
hi def link vigilBuiltin     Identifier
hi def link vigilField       Type
hi def link vigilFunction    Function
hi def link vigilTier        Constant
hi def link vigilDeclName    Function

let b:current_syntax = 'vigil'
let &cpo = s:cpo_save
unlet s:cpo_save
