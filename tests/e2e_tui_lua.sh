#!/usr/bin/env bash
# e2e_tui_lua.sh — Lua inside the real dashboard, in a detached tmux terminal
# (100x34: five message rows under the findings box): the init file runs at start; `= 6*7` shows 42; `:lua rnn.log(..)`
# shows its text; `= rnn.eval()` gets the runner's validation loss; `:run` of a stepping script moves the step counter by
# exactly N with a hook printing once per step in order, and leaves training
# paused as it was; a pure-Lua `while true do end` is stopped by a typed :stop
# (the screen stays live meanwhile) and by Ctrl-C without quitting, and
# training goes on afterwards; rnn.ablate changes the probability bars (and says
# so in the message pane) and rnn.ablate() restores them exactly; an error shows its traceback; a script that
# builds its own run hands it to the dashboard; rnn.plot adds a legend entry
# and rnn.status shows in the status line; :quit still exits 0.
# Every check polls `tmux capture-pane` with a timeout instead of sleeping.
. "$(dirname "$0")/tmux_lib.sh"
state_now() { screen | head -n 1 | sed -nE 's/^ *step [0-9]+  (.*)  loss .*/\1/p'; }
send() { tm send-keys -t e2e "$@"; }
clear_msgs() { send ":clear" Enter; local end=$(( $(date +%s) + limit )); while [ "$(date +%s)" -le "$end" ]; do [ -z "$(messages | tr -d ' \n')" ] && return 0; sleep 0.1; done; return 1; }

mkdir -p "$work/config/rnnscope"
echo 'rnn.log("init file ran at step " .. rnn.info().step)' >"$work/config/rnnscope/init.lua"
cat >"$work/steps.lua" <<'LUA'
local n = tonumber(arg[1])
local h = rnn.on("step", function(s) print("hook step " .. s.step) end)
local r = rnn.step(n)
h:remove() -- hooks outlive the script otherwise (4b)
print("made " .. r.steps .. " steps")
LUA
printf 'print("looping")\nwhile true do end\n' >"$work/loop.lua"
printf 'local function f() error("boom here") end\nf()\n' >"$work/err.lua"
cat >"$work/own.lua" <<'LUA'
rnn.model{cell = "gru", layers = 1, hidden = 24, embed = 8}
assert(rnn.trainer{batch = 4, seq = 8})
for _ = 1, 3 do local r = rnn.step() rnn.plot("lua series", r.step, r.loss) end
rnn.status("own run ready")
while true do end
LUA

cat >"$work/run.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --corpus "$root/corpora/lighthouse.txt" --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1 \
    --steps 0 --eval-every 0 --save "$work/run.st" 2>"$work/stderr"
echo \$? >"$work/rc"
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 100 -y 34 "bash $work/run.sh"

# 1. the init file ran, and the dashboard trains afterwards
if wait_for 'init file ran at step [0-9]+' && wait_for '^ *step [0-9]+ +running'; then
    ok "the init file runs at start, then training goes on"
else
    bad "init file: $(messages | tail -3) / $(screen | head -1) / $(head -c 300 "$work/stderr")"
fi

# 2. = EXPR prints its value
send "= 6*7" Enter
if wait_for '│42 +│$'; then ok "= 6*7 shows 42"; else bad "= 6*7: $(messages | tail -3)"; fi

# 3. :lua STATEMENT; rnn.log goes to the message pane
send ":lua rnn.log('hi', 'there')" Enter
if wait_for '│hi there +│$'; then ok ":lua rnn.log('hi', 'there') shows 'hi there'"; else bad ":lua: $(messages | tail -3)"; fi

# 3a. the dashboard's scripts are sandboxed unless --unsafe
send "= 'exec:' .. type(os.execute) .. ' popen:' .. type(io.popen)" Enter
if wait_for '│exec:nil popen:nil +│$'; then ok "scripts in the dashboard are sandboxed (no os.execute, io.popen)"; else bad "sandbox: $(messages | tail -3)"; fi

# 3b. rnn.eval() from the dashboard: the runner reports the eval back to the script
send "= string.format('val %.3f at %d', rnn.eval(), rnn.info().step)" Enter
if wait_for '│val [0-9]+\.[0-9]{3} at [0-9]+ +│$'; then ok "= rnn.eval() returns the validation loss"; else bad "rnn.eval: $(messages | tail -3)"; fi

# 4. :run a stepping script: exactly N steps, the hook once per step in order
send ":pause" Enter
wait_for '^ *step [0-9]+ +paused' || bad ":pause before the script: $(screen | head -1)"
s0=$(step_now)
clear_msgs
send ":run steps.lua 4" Enter
if wait_for '│made 4 steps +│$'; then
    got=$(messages | grep -E '^hook step|^made' | tr -s ' ' | tr '\n' ',')
    want="hook step $((s0 + 1)) ,hook step $((s0 + 2)) ,hook step $((s0 + 3)) ,hook step $((s0 + 4)) ,made 4 steps ,"
    got=$(echo "$got" | sed 's/ ,/,/g'); want=$(echo "$want" | sed 's/ ,/,/g')
    if [ "$got" = "$want" ]; then ok "the hook printed once per step, in order ($got)"; else bad "hook lines: '$got', wanted '$want'"; fi
    if wait_for "^ *step $((s0 + 4)) +paused"; then
        sleep 0.3; s1=$(step_now)
        if [ "$s1" = $((s0 + 4)) ]; then ok ":run steps.lua 4 moved the counter by exactly 4 ($s0 -> $s1) and stays paused"; else bad "counter $s0 -> $s1"; fi
    else
        bad "after the script: $(screen | head -1), wanted step $((s0 + 4)) paused"
    fi
else
    bad ":run steps.lua 4: $(messages | tail -5) / $(screen | head -1)"
fi

# 4b. a hook set with :lua fires on the dashboard's own steps (:step N, F6), once per step in
# order, and rnn.pause() in a hook pauses the dashboard's training before the next step
clear_msgs
s0=$(step_now)
send ":lua dh = rnn.on('step', function(s) print('dash step ' .. s.step) end); print('hook one set')" Enter
wait_for '│hook one set +│' && wait_for "^ *step $s0 +paused" || bad "the :lua line did not finish: $(screen | head -1)"
send ":step 3" Enter
if wait_for "│dash step $((s0 + 3)) +│$" && wait_for "^ *step $((s0 + 3)) +paused"; then
    got=$(messages | grep -E '^dash step' | tr -s ' ' | sed 's/ *$//' | tr '\n' ',')
    want="dash step $((s0 + 1)),dash step $((s0 + 2)),dash step $((s0 + 3)),"
    if [ "$got" = "$want" ]; then ok ":step 3 ran a :lua hook once per step, in order ($got)"; else bad "dashboard hook lines: '$got', wanted '$want'"; fi
else
    bad "a :lua hook on :step 3: $(messages | tail -4) / $(screen | head -1)"
fi
clear_msgs
s0=$(step_now)
send ":lua dh:remove(); ph = rnn.on('step', function(s) if s.step >= $((s0 + 5)) then rnn.pause() end end); print('hook two set')" Enter
wait_for '│hook two set +│' && wait_for "^ *step $s0 +paused" || bad "the :lua line did not finish: $(screen | head -1)"
send ":run" Enter
if wait_for "^ *step $((s0 + 5)) +paused"; then
    sleep 0.5; s1=$(step_now)
    if [ "$s1" = $((s0 + 5)) ]; then ok "rnn.pause() in a hook stops the dashboard's training at that step ($s1)"; else bad "the hook paused at $((s0 + 5)) but the counter moved on to $s1"; fi
else
    bad "a pausing hook: $(screen | head -1) / $(messages | tail -3)"
fi
send ":lua ph:remove()" Enter

# 4c. rnn.ablate reaches the dashboard's probability bars: with every unit of the last layer out
# they change and the message pane says so; rnn.ablate() brings back exactly the bars of before
# (paused: the same weights)
bars() { screen | grep -E '^│.*[0-9]+\.[0-9]%│' | cut -c1-32; }
bars_become() { # bars_become CMP TEXT: poll until the bars equal (=) or differ from (!=) TEXT
    local end=$(( $(date +%s) + limit )) now
    while [ "$(date +%s)" -le "$end" ]; do now=$(bars); [ -n "$now" ] && [ "$now" "$1" "$2" ] && return 0; sleep 0.1; done
    return 1
}
clear_msgs
wait_for "^ *step [0-9]+ +paused" || bad "not paused before the ablation: $(screen | head -1)"
b0=$(bars)
send ":lua for j = 0, 31 do rnn.ablate(1, j) end" Enter
if wait_for '│ablated l1 unit 31: bars and samples run without it +│$' && bars_become != "$b0"; then
    ok ":lua rnn.ablate(1, j) says so in the message pane and the bars change"
else
    bad "ablation in the dashboard: $(messages | tail -3) / bars '$(bars | head -2 | tr '\n' ' ')' were '$(echo "$b0" | head -2 | tr '\n' ' ')'"
fi
send ":lua rnn.ablate()" Enter
if wait_for '│restored every ablated unit: bars and samples use the whole model +│$' && bars_become = "$b0"; then
    ok ":lua rnn.ablate() restores the bars exactly"
else
    bad "restoring in the dashboard: $(messages | tail -3) / bars '$(bars | head -2 | tr '\n' ' ')'"
fi

# 5. a runaway loop, stopped by a typed :stop; the screen stays live meanwhile
clear_msgs
send ":run loop.lua" Enter
if wait_for '│looping +│$' && wait_for '^ *step [0-9]+ +script running'; then
    send "typing works" # the input line must echo while the loop spins
    if wait_for '^› typing works'; then ok "the screen stays live during a pure-Lua loop"; else bad "no echo during the loop: $(screen | tail -2)"; fi
    # requests the trainer thread would serve with its lock released are refused
    send C-u F8 ":ngram 3" Enter
    if wait_for 'F8: a script is driving the trainer' && wait_for ':ngram: a script is driving the trainer'; then
        ok "F8 and :ngram are refused while a script runs"
    else
        bad "F8 / :ngram during a script: $(messages | tail -3)"
    fi
    send C-u ":stop" Enter
    if wait_for '│interrupted +│$' && wait_for 'loop.lua:2: in main chunk' && wait_for '^ *step [0-9]+ +paused'; then
        ok ":stop interrupts a pure-Lua loop with its traceback; the dashboard is back (paused, as before)"
    else
        bad ":stop: $(messages | tail -4) / $(screen | head -1)"
    fi
else
    bad "the loop did not start: $(messages | tail -3) / $(screen | head -1)"
fi
send ":run" Enter
if wait_for '^ *step [0-9]+ +running'; then
    a=$(step_now); end=$(( $(date +%s) + limit )); b=$a
    while [ "$(date +%s)" -le "$end" ] && [ "${b:-0}" -le "${a:-0}" ]; do sleep 0.1; b=$(step_now); done
    if [ "${b:-0}" -gt "${a:-0}" ]; then ok "training goes on after :run ($a -> $b)"; else bad "stuck at $a after :run"; fi
else
    bad ":run after the stop: $(screen | head -1)"
fi

# 6. Ctrl-C during a runaway loop interrupts the script, not the program
clear_msgs
send ":run loop.lua" Enter
if wait_for '│looping +│$'; then
    send C-c
    if wait_for '│interrupted +│$' && wait_for '^ *step [0-9]+ +running'; then
        ok "Ctrl-C interrupts the loop; the dashboard keeps running"
    else
        bad "Ctrl-C: $(messages | tail -3) / $(screen | head -1) / rc=$(cat "$work/rc" 2>/dev/null)"
    fi
else
    bad "the loop did not start for Ctrl-C: $(messages | tail -3)"
fi

# 7. an error shows its traceback
clear_msgs
send ":run err.lua" Enter
if wait_for 'err.lua:1: boom here' && wait_for "err.lua:1: in local 'f'" && wait_for 'stack traceback:'; then
    ok "a script error shows message and traceback"
else
    bad "error: $(messages | tail -5)"
fi

# 8. a script's own run is handed to the dashboard; rnn.plot and rnn.status show
clear_msgs
send ":run own.lua" Enter
if wait_for '^ *step 3 +own run ready' && wait_for 'gru 1x24' && wait_for '▲ lua series'; then
    ok "the script's own run (gru 1x24) is the dashboard's; rnn.status and the rnn.plot legend show"
else
    bad "own run: $(screen | head -3) / $(messages | tail -3)"
fi
send ":stop" Enter
wait_for '│interrupted +│$' || bad "own.lua did not stop"

# 9. :quit still saves and exits 0
send ":quit" Enter
if wait_for '^SHELL-OK'; then
    rc=$(cat "$work/rc")
    if [ "$rc" = 0 ] && grep -q "run saved to $work/run.st" "$work/stderr"; then ok ":quit exits 0 and saves"; else bad ":quit: exit $rc, $(head -c 400 "$work/stderr")"; fi
    if "$bin" eval "$work/run.st" "$root/corpora/lighthouse.txt" --json 2>/dev/null | grep -q '"loss"' &&
        grep -q '"cell"' <(head -c 4096 "$work/run.st") && head -c 4096 "$work/run.st" | grep -q '"hidden":"24"'; then
        ok "the saved run is the script's run (hidden 24) and loads"
    else
        bad "the saved run: $(head -c 200 "$work/run.st" | tr -d '\0')"
    fi
else
    bad ":quit did not exit: $(screen | tail -3)"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
