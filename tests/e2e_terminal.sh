#!/usr/bin/env bash
# e2e_terminal.sh — any terminal, any locale (tracker issue 11), in detached
# tmux terminals: TERM=dumb or one without a terminfo entry makes `rnnscope
# tui` say why and exit 2 and `rnnscope train` fall back to headless; in the C
# locale the dashboard draws with ASCII (bars '#', chart '*', no screen of
# '?'); COLORTERM=truecolor under TERM=xterm-256color gives the theme's exact
# colours (SGR 38;2), without it the 256-colour palette; the headless progress
# line stays one line at 80 and 60 columns; --help and --version report a
# write error; the OPENBLAS_CORETYPE the program sets itself does not reach
# child processes.
. "$(dirname "$0")/tmux_lib.sh"

small="--corpus $root/corpora/lighthouse.txt --hidden 16 --embed 8 --batch 4 --seq 8 --threads 1"
env0="cd '$work'; export XDG_STATE_HOME='$work/state' XDG_CONFIG_HOME='$work/config' HOME='$work'"

# a session of its own keeps the server up while the test ones come and go
tm new-session -d -s keep -x 80 -y 24 "sleep 600"

# run NAME COLSxROWS SCRIPT: a fresh tmux session "e2e" running SCRIPT, which
# ends by writing its status to $work/NAME.rc and then waits
run() {
    tm kill-session -t e2e >/dev/null 2>&1
    printf '%s\n%s\necho $? >"%s"\nsleep 120\n' "$env0" "$3" "$work/$1.rc" >"$work/$1.sh"
    tm new-session -d -s e2e -x "${2%x*}" -y "${2#*x}" "bash $work/$1.sh"
}
# wait_file FILE [SECONDS]: until FILE exists and is not empty
wait_file() {
    local end=$(( $(date +%s) + ${2:-$limit} ))
    while [ "$(date +%s)" -le "$end" ]; do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# 1. a terminal that cannot show the dashboard
for term in dumb rnnscope-no-such-term; do
    run "tui-$term" 100x30 "TERM=$term '$bin' tui $small --steps 0 2>'$work/tui-$term.err'"
    wait_file "$work/tui-$term.rc"
    rc=$(cat "$work/tui-$term.rc" 2>/dev/null)
    msg=$(cat "$work/tui-$term.err" 2>/dev/null)
    if [ "$rc" = 2 ] && echo "$msg" | grep -qE "^rnnscope: cannot open the dashboard on TERM=$term: .+; use --headless$" \
        && [ "$(echo "$msg" | wc -l)" -eq 1 ]; then
        ok "TERM=$term: rnnscope tui says why and exits 2 ($msg)"
    else
        bad "TERM=$term: rnnscope tui exited ${rc:-?}: $msg $(screen | head -3)"
    fi
done
run train-dumb 100x30 "TERM=dumb '$bin' train $small --steps 5 --save '$work/dumb.st' 2>'$work/train-dumb.err'"
wait_file "$work/train-dumb.rc" 60
rc=$(cat "$work/train-dumb.rc" 2>/dev/null)
if [ "$rc" = 0 ] && grep -q "note: cannot open the dashboard on TERM=dumb: .*; training headless" "$work/train-dumb.err" \
    && [ -s "$work/dumb.st" ] && ! grep -q "are for headless training" "$work/train-dumb.err"; then
    ok "TERM=dumb: rnnscope train falls back to headless with a note"
else
    bad "TERM=dumb: rnnscope train exited ${rc:-?}: $(head -5 "$work/train-dumb.err" 2>/dev/null)"
fi
# a dumb terminal gets plain lines: no escape codes in the progress output
if ! grep -q $'\033' "$work/train-dumb.err" && ! grep -q $'\r' "$work/train-dumb.err" && grep -q "^step 5/5" "$work/train-dumb.err"; then
    ok "TERM=dumb: the progress is plain lines, no \\r or escape codes"
else
    bad "TERM=dumb: progress output: $(cat -v "$work/train-dumb.err" | head -3)"
fi

# 2. the C locale: ASCII stand-ins, not a screen of '?'
run ascii 100x30 "LANG=C LC_ALL=C TERM=xterm-256color '$bin' tui $small --steps 0 --save '$work/ascii.st' 2>'$work/ascii.err'"
if wait_for '^ *step [0-9]+ +running' && wait_for 'loss \(linear' ; then
    tm send-keys -t e2e "the keeper"
    wait_for '> the keeper' && wait_for '#+\+? +[0-9]+\.[0-9]%'
    sleep 0.5
    s=$(screen)
    q=$(printf '%s' "$s" | tr -cd '?' | wc -c)
    nonascii=$(printf '%s' "$s" | LC_ALL=C grep -c '[^ -~]')
    if [ "$q" -le 3 ] && [ "$nonascii" -eq 0 ] && printf '%s' "$s" | grep -qE '\*\*' \
        && printf '%s' "$s" | grep -qE '#+\+? +[0-9]+\.[0-9]%'; then
        ok "LANG=C: the dashboard draws with ASCII (chart '*', bars '#', $q '?')"
    else
        bad "LANG=C: $q '?', $nonascii non-ASCII lines: $(printf '%s' "$s" | sed -n 3,6p) $(printf '%s' "$s" | sed -n 19,21p)"
    fi
else
    bad "LANG=C: the dashboard did not start: $(screen | head -3) $(head -3 "$work/ascii.err" 2>/dev/null)"
fi
tm send-keys -t e2e C-u ":quit" Enter
wait_file "$work/ascii.rc"
[ "$(cat "$work/ascii.rc" 2>/dev/null)" = 0 ] && ok "LANG=C: :quit exits 0" || bad "LANG=C: exit $(cat "$work/ascii.rc" 2>/dev/null)"

# 3. truecolor: the theme's exact colours (title #87afd7) as SGR 38;2
for ct in truecolor 24bit none; do
    if [ "$ct" = none ]; then set_ct="unset COLORTERM"; else set_ct="export COLORTERM=$ct"; fi
    run "color-$ct" 100x30 "$set_ct; LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$bin' tui $small --paused --steps 0 --save '$work/color.st' 2>'$work/color-$ct.err'"
    if wait_for 'loss \(linear'; then
        sleep 0.3
        e=$(tm capture-pane -p -e -t e2e)
        if [ "$ct" != none ]; then
            if printf '%s' "$e" | grep -q '38;2;135;175;215' && ! printf '%s' "$e" | grep -q '38;5;'; then
                ok "COLORTERM=$ct under TERM=xterm-256color: exact theme colours (38;2;135;175;215)"
            else
                bad "COLORTERM=$ct: no 38;2 colours: $(printf '%s' "$e" | head -2 | cat -v | cut -c1-200)"
            fi
        elif printf '%s' "$e" | grep -q '38;5;110' && ! printf '%s' "$e" | grep -q '38;2;'; then
            ok "no COLORTERM: the nearest 256-colour (38;5;110 for #87afd7)"
        else
            bad "no COLORTERM: $(printf '%s' "$e" | head -2 | cat -v | cut -c1-200)"
        fi
    else
        bad "COLORTERM=$ct: the dashboard did not start: $(screen | head -3) $(head -3 "$work/color-$ct.err" 2>/dev/null)"
    fi
    if [ "$ct" = truecolor ]; then
        # a resize repaints the whole screen, still in 24-bit colour
        tm resize-window -t e2e -x 80 -y 24
        if wait_for '^╰─+╯$' && tm capture-pane -p -e -t e2e | grep -q '38;2;135;175;215' \
            && [ "$(screen | head -1 | grep -c 'step')" = 1 ]; then
            ok "COLORTERM=$ct: a resize to 80x24 repaints the screen"
        else
            bad "COLORTERM=$ct: after a resize: $(screen | head -3)"
        fi
    fi
    tm send-keys -t e2e ":quit" Enter
    wait_file "$work/color-$ct.rc"
    rm -f "$work/color.st" "$work/color.st.best.safetensors"
done

# 4. the headless progress line fits the terminal
for cols in 80 60; do
    run "progress-$cols" "${cols}x24" "TERM=xterm-256color '$bin' train --headless $small --steps 3000 --eval-every 1000 --save '$work/p$cols.st'"
    if wait_file "$work/progress-$cols.rc" 120; then
        prog='^(\[[#.]+\] )?step [0-9]+/3000 '
        n=$(screen | grep -cE "$prog")
        long=$(screen | grep -E "$prog" | awk -v c="$cols" 'length($0) >= c' | wc -l)
        if [ "$n" -eq 1 ] && [ "$long" -eq 0 ]; then
            ok "${cols} columns: one progress line, narrower than the terminal: $(screen | grep -E "$prog")"
        else
            bad "${cols} columns: $n progress lines, $long as wide as the terminal: $(screen | head -8)"
        fi
    else
        bad "${cols} columns: training did not finish: $(screen | head -5)"
    fi
done

# 5. --help and --version report write errors
for args in "--help" "train --help" "--version"; do
    # shellcheck disable=SC2086
    "$bin" $args >/dev/full 2>"$work/full.err"
    rc=$?
    what="the help"; [ "$args" = "--version" ] && what="the version"
    if [ "$rc" = 1 ] && grep -qx "rnnscope: cannot write $what: No space left on device" "$work/full.err"; then
        ok "rnnscope $args >/dev/full exits 1 and says so"
    else
        bad "rnnscope $args >/dev/full exited $rc: $(cat "$work/full.err")"
    fi
done

# 6. OPENBLAS_CORETYPE: not passed on when the program set it itself (the
# second execution sees RNNSCOPE_SET_CORETYPE), the user's own value is kept
cat >"$work/env.lua" <<EOS
os.execute("env > '$work/child.env'")
EOS
(cd "$work" && RNNSCOPE_SET_CORETYPE=1 OPENBLAS_CORETYPE=SkylakeX "$bin" run --unsafe env.lua >/dev/null 2>&1)
if [ -s "$work/child.env" ] && ! grep -qE '^(OPENBLAS_CORETYPE|RNNSCOPE_SET_CORETYPE)=' "$work/child.env"; then
    ok "os.execute's child does not inherit the OPENBLAS_CORETYPE rnnscope set"
else
    bad "the child's environment: $(grep -E 'CORETYPE' "$work/child.env" 2>/dev/null)"
fi
rm -f "$work/child.env"
(cd "$work" && env -u RNNSCOPE_SET_CORETYPE OPENBLAS_CORETYPE=Haswell "$bin" run --unsafe env.lua >/dev/null 2>&1)
if grep -qx 'OPENBLAS_CORETYPE=Haswell' "$work/child.env" 2>/dev/null; then
    ok "the user's own OPENBLAS_CORETYPE reaches the child"
else
    bad "the user's OPENBLAS_CORETYPE was lost: $(grep CORETYPE "$work/child.env" 2>/dev/null)"
fi
rm -f "$work/child.env"
(cd "$work" && env -u OPENBLAS_CORETYPE -u RNNSCOPE_SET_CORETYPE "$bin" run --unsafe env.lua >/dev/null 2>&1)
if [ -s "$work/child.env" ] && ! grep -qE '^(OPENBLAS_CORETYPE|RNNSCOPE_SET_CORETYPE)=' "$work/child.env"; then
    ok "without OPENBLAS_CORETYPE set, none reaches the child (whatever kernel this CPU gets)"
else
    bad "the child's environment: $(grep -E 'CORETYPE' "$work/child.env" 2>/dev/null)"
fi

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
