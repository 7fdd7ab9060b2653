# fish completion for vigil (installed by make install as
# share/fish/vendor_completions.d/vigil.fish).  Like the bash and zsh ones,
# it asks the vigil on PATH (`vigil complete ...`, read from the --help
# texts) for commands, options and values; PATHs are folders and
# .rules/.vgc files; --set offers NAME= for the packs' params.

function __vigil_cmd
    # the command: the first word after vigil that is not an option
    for w in (commandline -opc)[2..-1]
        if not string match -q -- '-*' $w
            echo $w
            return 0
        end
    end
    return 1
end

function __vigil_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd (__vigil_cmd)
    if test -z "$cmd"
        if string match -q -- '-*' $cur
            printf '%s\n' --help --version -V --color=auto --color=always --color=never
        else
            vigil complete commands 2>/dev/null
        end
        return
    end
    test "$cmd" = explain; and return
    set -l prev $words[-1]
    if string match -q -- '-*' $prev; and not string match -q -- '*=*' $prev
        if test "$prev" = --set
            set -l paths
            for w in $words[3..-1]
                if test -d $w; or string match -q -r -- '\.(rules|vgc)$' $w
                    set paths $paths $w
                end
            end
            for p in (vigil complete params $paths 2>/dev/null)
                echo $p=
            end
            return
        end
        set -l values (vigil complete values $cmd $prev 2>/dev/null)
        switch "$values"
            case ''
            case '@file'
                __fish_complete_path $cur
                return
            case '@any'
                return
            case '*'
                printf '%s\n' $values
                return
        end
    end
    if string match -q -- '-*' $cur
        vigil complete flags $cmd 2>/dev/null
        return
    end
    __fish_complete_directories $cur
    __fish_complete_suffix .rules
    __fish_complete_suffix .vgc
end

complete -c vigil -f -a '(__vigil_complete)'
