#!/usr/bin/env bash
# e2e_tui_lua_limits.sh — the Lua sandbox's limits inside the real dashboard,
# in a detached tmux terminal (160x40): a memory bomb typed at :lua fails with
# the cap's message (--lua-memory 100M) and the dashboard goes on (an
# expression works, training runs); a long C call (rnn.sample of 1e9 tokens,
# rnn.probs of an 8 MB string) keeps the screen live and is stopped within
# 2 s by a typed :stop and by Ctrl-C; :quit still exits 0.
# Every check polls `tmux capture-pane` with a timeout instead of sleeping.
. "$(dirname "$0")/tmux_lib.sh"
send() { tm send-keys -t e2e "$@"; }
clear_msgs() { send ":clear" Enter; local end=$(( $(date +%s) + limit )); while [ "$(date +%s)" -le "$end" ]; do [ -z "$(messages | tr -d ' \n')" ] && return 0; sleep 0.1; done; return 1; }
# seconds since $1 (date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
# advanced N: the step counter passes N within the time limit
advanced() { local end=$(( $(date +%s) + limit )); while [ "$(date +%s)" -le "$end" ]; do [ "$(step_now)" -gt "$1" ] 2>/dev/null && return 0; sleep 0.1; done; return 1; }
under() { awk -v t="$1" -v m="$2" 'BEGIN{exit !(t < m)}'; }

cat >"$work/run.sh" <<EOS
cd "$work"
[ "${RNNSCOPE_SANITIZED:-0}" = 1 ] || ulimit -v 8000000  # a broken cap must not take the machine's memory (ASan needs the address space)
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --corpus "$root/corpora/lighthouse.txt" --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1 \
    --steps 0 --eval-every 0 --lua-memory 100M --save "$work/run.st" 2>"$work/stderr"
echo \$? >"$work/rc"
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 160 -y 40 "bash $work/run.sh"
wait_for '^ *step [0-9]+ +running' || bad "the dashboard did not start: $(screen | head -3) $(head -c 300 "$work/stderr")"

# 1. a memory bomb at :lua: the cap's message with the traceback, the dashboard lives on
send ":lua local t = {} while true do t[#t+1] = ('x'):rep(1e6) end" Enter
if wait_for "not enough memory: the script's limit is 100 MiB \(--lua-memory\)" && wait_for 'in main chunk'; then
    ok "a memory bomb in :lua fails with the cap's message and traceback"
else
    bad "memory bomb: $(messages | tail -4) / $(head -c 300 "$work/stderr")"
fi
send "= 6*7" Enter
if wait_for '│42 +│$' && wait_for '^ *step [0-9]+ +running'; then
    s0=$(step_now)
    if advanced "$s0"; then
        ok "after the bomb the dashboard evaluates = 6*7 and keeps training"
    else
        bad "training after the bomb: $(screen | head -1)"
    fi
else
    bad "after the bomb: $(messages | tail -3) / $(screen | head -1) / rc=$(cat "$work/rc" 2>/dev/null)"
fi
send "= #('y'):rep(5e7)" Enter
if wait_for '│50000000 +│$'; then ok "the next script gets the memory back (a 50 MB string)"; else bad "memory back: $(messages | tail -3)"; fi

# 2. a long rnn.sample: the screen stays live (a typed command shows), :stop ends it within 2 s
clear_msgs
send ":lua print(#rnn.sample{length = 1000000000})" Enter
sleep 0.5
send ":st"
if wait_for '› :st *$'; then ok "the prompt echoes while rnn.sample runs (the screen is live)"; else bad "screen not live: $(screen | tail -2)"; fi
s=$(date +%s.%N)
send "op" Enter
if wait_for "interrupted" 5 && wait_for "in function 'rnn.sample'" 2; then
    took=$(since "$s")
    if under "$took" 2.5; then ok ":stop ends rnn.sample of 1e9 tokens (${took} s)"; else bad ":stop took $took s"; fi
else
    bad ":stop on rnn.sample: $(messages | tail -4)"
fi

# 3. a long rnn.probs, stopped by Ctrl-C; the dashboard stays
clear_msgs
send ":lua local s = ('ab'):rep(2^22) print(rnn.probs(s)[1].token)" Enter
sleep 1
s=$(date +%s.%N)
send C-c
if wait_for "interrupted" 5 && wait_for "in function 'rnn.probs'" 2; then
    took=$(since "$s")
    if under "$took" 2.5 && wait_for '^ *step [0-9]+ +running'; then
        ok "Ctrl-C ends rnn.probs on an 8 MB string (${took} s) and training goes on"
    else
        bad "Ctrl-C took $took s or training stopped: $(screen | head -1)"
    fi
else
    bad "Ctrl-C on rnn.probs: $(messages | tail -4) / rc=$(cat "$work/rc" 2>/dev/null)"
fi

# 4. :quit still exits 0
send ":quit" Enter
if wait_for '^SHELL-OK'; then
    rc=$(cat "$work/rc")
    if [ "$rc" = 0 ]; then ok ":quit exits 0 after all that"; else bad ":quit: exit $rc, $(head -c 400 "$work/stderr")"; fi
else
    bad ":quit did not exit: $(screen | tail -3)"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
