#!/usr/bin/env bash
# e2e_tui_units.sh — the units screen in a real terminal: F2 from the
# inspector opens it on a saved run (paused) with the held-out text and the
# unit in the title; :find ranks the units (a message names the best one and
# F12 walks the list); F3 changes the kind, F8 the unit, :unit any of them and
# a bad one says why; F4 goes through the saturation scatter, the loss and the
# n-gram comparison; F7 and typed text colour the typed text, which stays when
# the line is cleared for a command; Shift-arrows and Insert mark a span and
# rank on it; with training running the screen follows the weights; :load of
# a run with another model shape leaves a working screen; Shift-F2 goes back.
# Every check polls the screen.
. "$(dirname "$0")/tmux_lib.sh"
send() { tm send-keys -t e2e "$@"; }

corpus="$root/corpora/spans.txt"
common=(--corpus "$corpus" --layers 1 --embed 8 --batch 8 --seq 32 --threads 1 --eval-every 0)
if ! "$bin" train --headless --quiet "${common[@]}" --hidden 24 --steps 40 --save "$work/a.st" \
        >/dev/null 2>"$work/train.err" ||
   ! "$bin" train --headless --quiet "${common[@]}" --hidden 12 --cell gru --steps 5 --save "$work/b.st" \
        >/dev/null 2>>"$work/train.err"; then
    bad "headless training failed: $(head -c 300 "$work/train.err")"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi

cat >"$work/run.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --resume "$work/a.st" --steps 100000 --paused 2>"$work/stderr"
echo \$? >"$work/rc"
sleep 120
EOS
tm new-session -d -s e2e -x 110 -y 36 "bash $work/run.sh"
if ! wait_for 'F1 help'; then
    bad "the dashboard did not start: $(screen | head -3) $(head -3 "$work/stderr" 2>/dev/null)"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi

# 1. F2 twice: the inspector, then the units screen on the held-out text
send F2
wait_for 'gradient flow' >/dev/null
send F2
if wait_for '╭ +units: l0 c 0 of 24 │ held-out text, [0-9]+ tokens │ step 40' &&
   wait_for '^│-1 .* \+1 +tanh\(c\)'; then
    ok "F2 from the inspector opens the units screen: unit, kind, text and step in the title, a legend"
else
    bad "units screen: $(screen | head -4)"
fi
if wait_for 'F8 unit' && wait_for 'F4 view'; then ok "the footer lists the screen's keys"; else bad "footer: $(screen | tail -1)"; fi

# 2. :find ranks the units and says which is best; F12 walks the list
send ':find "[^"]*"' Enter
if wait_for 'find "\[\^"\]\*", c: best l0 unit [0-9]+, r [-+]0\.[0-9]+' && wait_for '▸ 1 l0:[0-9]+ +[-+][01]\.[0-9]{2}'; then
    ok ":find ranks the units: the best named in a message, the list with r"
else
    bad ":find: $(messages | tail -3) $(screen | sed -n 3,6p)"
fi
best=$(screen | sed -nE 's/.*▸ 1 l0:([0-9]+) .*/\1/p' | head -1)
second=$(screen | sed -nE 's/.*│  2 l0:([0-9]+) .*/\1/p' | head -1)
send F12
if [ -n "$second" ] && wait_for "units: l0 c $second of 24" && wait_for '▸ 2 l0:'; then
    ok "F12 selects the second unit of the list and the text follows it (unit $second)"
else
    bad "F12: best $best second $second: $(screen | sed -n 2,5p)"
fi

# 3. kinds and units by key and by command
send F3
if wait_for 'units: l0 h '; then ok "F3: the next kind (h)"; else bad "F3: $(screen | sed -n 2p)"; fi
send ':unit 0:5:f' Enter
if wait_for 'units: l0 f 5 of 24' && wait_for '^│0 .* 1 +f'; then
    ok ":unit 0:5:f: layer 0, unit 5, the forget gate on its 0..1 scale"
else
    bad ":unit: $(screen | sed -n 2,3p)"
fi
send F8
if wait_for 'units: l0 f 6 of 24'; then ok "F8: the next unit"; else bad "F8: $(screen | sed -n 2p)"; fi
send ':unit 0:99' Enter
if wait_for 'the model has layers 0\.\.0 and units 0\.\.23'; then ok ":unit out of range says the ranges"; else bad ":unit 99: $(messages | tail -2)"; fi
send ':unit 0:1:q' Enter
if wait_for "kind 'q' is not one of c, h, i, f, g, o"; then ok "a bad kind names the kinds"; else bad "kind q: $(messages | tail -2)"; fi

# 4. the views
send F4
if wait_for 'left-saturated \(x, < 0\.1\) against right-saturated' && wait_for 'l0 i' && wait_for 'l0 o'; then
    ok "F4: the saturation scatter, one plot per gate"
else
    bad "saturation: $(screen | sed -n 2,6p)"
fi
send F4
if wait_for "nats: the network's loss on each token"; then ok "F4: the loss view"; else bad "loss view: $(screen | sed -n 3p)"; fi
send F4
if wait_for 'network vs 5-gram' && wait_for 'network (better|worse) by [0-9.]+ a token' && wait_for 'open \( \[ \{ " beyond'; then
    ok "F4: the n-gram comparison with its summary by context"
else
    bad "n-gram view: $(screen | sed -n 3,12p)"
fi
send ':units text' Enter

# 5. typed text; it stays when the line is cleared for a command
send F7
if wait_for 'type text on the input line'; then ok "F7 without typed text says what to do"; else bad "F7: $(screen | sed -n 3p)"; fi
send -l 'we go "here" now'
if wait_for 'typed text, 16 tokens' && wait_for '^│we go "here" now'; then
    ok "the typed text is coloured as it is typed"
else
    bad "typed: $(screen | sed -n 2,4p)"
fi
send C-u
send ':unit 3' Enter
if wait_for 'units: l0 f 3 of 24 │ typed text, 16 tokens'; then ok "a command line does not replace the typed text"; else bad "typed kept: $(screen | sed -n 2p)"; fi

# 6. a span marked with Shift-arrows and Insert is ranked
send S-Right S-Right S-Right   # the first puts the cursor on token 0: it ends on 2
send IC
send S-Right S-Right S-Right S-Right
send IC
if wait_for '╭ +span 2\.\.6, f' && wait_for 'unit +in−around' && wait_for 'best l0 unit [0-9]+, inside - around [-+]'; then
    ok "Insert twice ranks the units on the marked span"
else
    bad "span: $(screen | sed -n 3,6p) $(messages | tail -2)"
fi

# 7. training: the screen follows the weights
send F7
send ':run' Enter
if wait_for 'held-out text, [0-9]+ tokens │ step ([5-9][0-9]|[1-9][0-9]{2,})' 40; then
    ok "while training the screen recomputes on newer weights"
else
    bad "no refresh: $(screen | sed -n 1,2p)"
fi
send ':pause' Enter

# 8. :load a run of another shape (gru 1x12): the screen follows it
send ":load $work/b.st" Enter
if wait_for 'units: l0 h [0-9]+ of 12' && wait_for 'held-out text'; then
    ok ":load of a gru 1x12: the screen shows its units (kind h)"
else
    bad ":load: $(screen | sed -n 1,3p) $(messages | tail -3)"
fi
send F3
if wait_for 'units: l0 r '; then ok "the gru's kinds: h then r"; else bad "gru F3: $(screen | sed -n 2p)"; fi

# 8b. a script builds a run of another shape and ranks on it: the screen and
# its list follow the new model (no capture of the old one read with the new shape)
send ':lua rnn.model{hidden = 20, layers = 2}; rnn.trainer{}; rnn.units{find = "\""}' Enter
if wait_for 'units: l[01] [a-z] [0-9]+ of 20' && wait_for 'rnn.units "' && ! screen | grep -q 'of 12 │'; then
    ok "a script's new 2x20 run: the screen and the ranked list show its units"
else
    bad "script run: $(screen | sed -n 1,4p) $(messages | tail -3)"
fi
send ':unit 1:19' Enter
if wait_for 'units: l1 [a-z] 19 of 20'; then ok ":unit 1:19 on the new run's second layer"; else bad "new run unit: $(screen | sed -n 2p)"; fi

# 9. Shift-F2 back to the inspector, F2 twice to the dashboard
send S-F2
if wait_for 'gradient flow'; then ok "Shift-F2 goes back to the inspector"; else bad "Shift-F2: $(screen | head -3)"; fi
send F2 F2
if wait_for 'next token'; then ok "F2 twice more: the dashboard"; else bad "dashboard: $(screen | head -3)"; fi
send C-d
if wait_for 'SHELL' 1 || [ -f "$work/rc" ] || sleep 3; then :; fi
for _ in $(seq 1 100); do [ -f "$work/rc" ] && break; sleep 0.1; done
if [ "$(cat "$work/rc" 2>/dev/null)" = 0 ]; then ok "quits with status 0"; else bad "exit status $(cat "$work/rc" 2>/dev/null): $(tail -3 "$work/stderr")"; fi

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
