#!/usr/bin/env bash
# e2e_tui.sh — drives the real dashboard in a detached tmux terminal (100x30):
# training progresses, the findings box shows, typing shows probability bars, :pause holds the step
# counter, :step 1 advances it by exactly one, a resize to 50x15 shows the
# "too small" notice and back restores the screen, :quit exits 0 with the run
# saved (and loadable by `rnnscope sample`) and the terminal left sane.
# Every check polls `tmux capture-pane` with a timeout instead of sleeping.
. "$(dirname "$0")/tmux_lib.sh"

cat >"$work/run.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --corpus "$root/corpora/lighthouse.txt" --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1 \
    --steps 0 --eval-every 50 --save "$work/run.st" 2>"$work/stderr"
echo \$? >"$work/rc"
stty -a >"$work/stty" 2>&1
tput cols >"$work/tput" 2>&1
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 100 -y 30 "bash $work/run.sh"

# 1. training progresses
if wait_for '^ *step [0-9]+ +running'; then
    s1=$(step_now)
    end=$(( $(date +%s) + limit )); s2=$s1
    while [ "$(date +%s)" -le "$end" ] && [ "${s2:-0}" -le "${s1:-0}" ]; do sleep 0.1; s2=$(step_now); done
    if [ "${s2:-0}" -gt "${s1:-0}" ]; then ok "training progresses: step $s1 -> $s2"; else bad "step counter stuck at $s1"; fi
else
    bad "the dashboard did not start: $(screen | head -3) $(cat "$work/stderr" 2>/dev/null | head -3)"
fi

# 1b. the findings box under the chart: the run's findings, or the calm line
if wait_for 'findings │ F2 lists them, F12 shows the details' && wait_for '^│(no findings: nothing looks wrong|[✖▲•] [a-z_]+: )'; then
    ok "the findings box shows on the dashboard"
else
    bad "no findings box: $(screen | sed -n 12,18p)"
fi

# 2. typing a prompt shows probability bars
tm send-keys -t e2e "the keeper"
if wait_for '› the keeper' && wait_for '[█▏▎▍▌▋▊▉].* [0-9]+\.[0-9]%│'; then
    ok "typing a prompt shows probability bars"
else
    bad "no probability bars after typing: $(screen | sed -n 16,20p)"
fi
tm send-keys -t e2e C-u

# 3. :pause holds the step counter
tm send-keys -t e2e ":pause" Enter
if wait_for '^ *step [0-9]+ +paused'; then
    p1=$(step_now); sleep 0.6; p2=$(step_now)
    if [ -n "$p1" ] && [ "$p1" = "$p2" ]; then ok ":pause holds the step counter at $p1"; else bad ":pause: step moved $p1 -> $p2"; fi
else
    bad ":pause: the status never said paused: $(screen | head -1)"
fi

# 4. :step 1 advances it by exactly one
p1=$(step_now)
tm send-keys -t e2e ":step 1" Enter
want=$((p1 + 1))
if wait_for "^ *step $want +paused"; then
    sleep 0.5; p2=$(step_now)
    if [ "$p2" = "$want" ]; then ok ":step 1 advances $p1 -> $p2"; else bad ":step 1 went $p1 -> $p2"; fi
else
    bad ":step 1: wanted step $want, screen: $(screen | head -1)"
fi

# 5. resize to 50x15 and back
tm resize-window -t e2e -x 50 -y 15
if wait_for 'too small'; then ok "50x15 shows the too-small notice"; else bad "50x15: $(screen | head -8)"; fi
tm resize-window -t e2e -x 100 -y 30
if wait_for '^ *step [0-9]+ +paused' && wait_for 'F1 help' && wait_for 'gradient norms'; then
    ok "back at 100x30 the full screen returns"
else
    bad "after resizing back: $(screen | head -3)"
fi

# 6. :quit saves, exits 0, leaves the terminal sane
tm send-keys -t e2e ":quit" Enter
if wait_for '^SHELL-OK'; then
    rc=$(cat "$work/rc")
    if [ "$rc" = 0 ] && grep -q "run saved to $work/run.st" "$work/stderr"; then
        ok ":quit exits 0 and says where the run is saved"
    else
        bad ":quit: exit $rc, stderr: $(head -c 400 "$work/stderr")"
    fi
    if grep -qE '(^| )icanon( |$)' "$work/stty" && grep -qE '(^| )echo( |$)' "$work/stty" && [ "$(cat "$work/tput")" = 100 ]; then
        ok "the terminal is sane afterwards (icanon echo, tput cols = 100)"
    else
        bad "terminal after exit: $(head -c 300 "$work/stty") tput: $(cat "$work/tput")"
    fi
    if "$bin" sample "$work/run.st" --prime "The" --length 20 >"$work/sample" 2>&1 && grep -q '^The' "$work/sample"; then
        ok "the saved run loads with rnnscope sample"
    else
        bad "sample from the saved run: $(head -c 300 "$work/sample")"
    fi
    if [ -s "$work/state/rnnscope/history" ] && grep -q '^:pause$' "$work/state/rnnscope/history"; then
        ok "input history saved under XDG_STATE_HOME"
    else
        bad "no input history in $work/state/rnnscope"
    fi
else
    bad ":quit did not exit: $(screen | tail -3)"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
