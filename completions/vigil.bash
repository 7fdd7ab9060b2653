# bash completion for vigil (installed by make install as
# share/bash-completion/completions/vigil).
#
# Commands, options and option values come from the vigil on PATH
# (`vigil complete ...`, read from the commands' --help texts, so they
# stay in step with the binary); PATHs are folders and .rules/.vgc files;
# --set NAME= offers the params of the packs already on the line.

_vigil_paths() {
  # the packs already given: words after the command that are folders or
  # .rules/.vgc files
  local w
  for w in "${COMP_WORDS[@]:2}"; do
    [[ -d $w || ( -f $w && ( $w == *.rules || $w == *.vgc ) ) ]] && printf '%s\n' "$w"
  done
}

_vigil() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  COMPREPLY=()
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W '--help --version -V --color=auto --color=always --color=never' -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(vigil complete commands 2>/dev/null)" -- "$cur"))
    fi
    return 0
  fi
  if [[ $cmd == explain ]]; then
    return 0
  fi
  # the value of the option before the cursor
  if [[ $prev == -* && $prev != *=* ]]; then
    if [[ $prev == --set ]]; then
      local IFS=$'\n'
      local params=$(vigil complete params $(_vigil_paths) 2>/dev/null)
      COMPREPLY=($(compgen -W "$params" -S = -- "$cur"))
      compopt -o nospace 2>/dev/null
      return 0
    fi
    local values
    values=$(vigil complete values "$cmd" "$prev" 2>/dev/null)
    case $values in
      '') ;;  # an option without a value: fall through
      @file) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return 0 ;;
      @any) return 0 ;;
      *) COMPREPLY=($(compgen -W "$values" -- "$cur")); return 0 ;;
    esac
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(vigil complete flags "$cmd" 2>/dev/null)" -- "$cur"))
    return 0
  fi
  # a PATH: pack folders, .rules and .vgc files
  local IFS=$'\n'
  COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.rules' -- "$cur") $(compgen -f -X '!*.vgc' -- "$cur"))
  compopt -o filenames 2>/dev/null
  return 0
}

complete -F _vigil vigil
