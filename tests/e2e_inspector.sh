#!/usr/bin/env bash
# e2e_inspector.sh — the findings and the gradient inspector in the real
# dashboard, in a detached tmux terminal (100x50), stepped with :step so what
# shows is deterministic: before a step the findings box waits; after 300
# steps a plain tanh RNN on the delayed-recall corpus with --seq 120 has the
# vanishing-gradient note (judged after step 200 and two decay probes) in the
# box and no badge; :clip 0.0001 makes clipping fire on every step, and 120
# steps later clip_always is in the box, a warning badge is on the status
# line and a message said it; F2 shows the inspector with the heatmap's legend
# of decades and the findings; F12 selects a finding and shows its numbers and
# advice, F12 past the last selects none; the help names F12; :clip 5 clears
# the warning (a message says so); :ngram 3 puts the baseline in the loss
# chart's legend; :compare with a run saved earlier puts that run in the
# legend; :gradcheck prints its table; --csv and --tensorboard write their
# files. Then the saved run, resumed, shows its findings again but says none
# of its past as news, and F12 on the dashboard opens the details. Every check
# polls `tmux capture-pane` with a timeout.
. "$(dirname "$0")/tmux_lib.sh"

# a run saved earlier, for :compare (headless, a few steps)
if "$bin" train --headless --quiet --corpus "$root/corpora/recall.txt" --cell gru --hidden 16 --embed 8 \
    --batch 4 --seq 20 --steps 30 --threads 1 --save "$work/earlier.safetensors" >"$work/train.out" 2>&1; then
    : # set-up, not a check
else
    bad "training the run to compare with failed: $(head -c 300 "$work/train.out")"
fi

# the dashboard: run.sh ARGS... (stderr to $work/stderr, exit code to $work/rc)
cat >"$work/run.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui "\$@" 2>"$work/stderr"
echo \$? >"$work/rc"
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 100 -y 50 "bash $work/run.sh --corpus $root/corpora/recall.txt --cell rnn --hidden 32 \
    --embed 16 --batch 8 --seq 120 --threads 1 --steps 0 --eval-every 50 --paused --save $work/run.st \
    --csv $work/m.csv --tensorboard $work/tb"
status() { screen | head -n 1; }
# press F12 until REGEX shows (at most N times)
f12_until() {
    local i
    for i in $(seq 1 "$2"); do
        screen | grep -qE -- "$1" && return 0
        tm send-keys -t e2e F12
        sleep 0.3
    done
    wait_for "$1" 3
}

if ! wait_for '^ *step 0 +paused'; then
    bad "the dashboard did not start: $(screen | head -3) $(head -3 "$work/stderr" 2>/dev/null)"
fi

# 1. the findings box under the chart, before any step
if wait_for 'findings │ F2 lists them, F12 shows the details' && wait_for 'no findings yet: waiting for the first step'; then
    ok "the findings box is on the dashboard and waits for the first step"
else
    bad "no findings box: $(screen | sed -n 20,30p)"
fi

# 2. 300 steps: the tanh RNN's gradient vanishes across 120 positions: a note in words, no badge
tm send-keys -t e2e ":step 300" Enter
if wait_for '^ *step 300 +paused' && wait_for '│• vanishing: layer [0-9]: the gradient of a loss falls 10x every'; then
    if status | grep -qE 'problem|warning'; then bad "a note alone has a badge: $(status)"; else
        ok "rnn on recall.txt with --seq 120, 300 steps: the vanishing note in the box, no badge"; fi
else
    bad "no vanishing note: $(status) $(screen | sed -n 20,30p)"
fi

# 3. clipping at 0.0001 fires on every step: clip_always in the box, the badge, a message
tm send-keys -t e2e ":clip 0.0001" Enter
tm send-keys -t e2e ":step 120" Enter
if wait_for '^ *step 420 +paused' && wait_for '│▲ clip_always: clipping fired on [0-9]+ of the last 100 steps'; then
    ok ":clip 0.0001: clip_always is in the findings box"
else
    bad "no clip_always in the box: $(status) $(screen | sed -n 20,30p)"
fi
if status | grep -qE '^ *step 420 +paused +(✖ [0-9]+ problems? +)?▲ [0-9]+ warnings? '; then
    ok "the status line counts the warnings: $(status | sed -E 's/ +loss.*//; s/^ *//')"
else
    bad "no warning badge: $(status)"
fi
if messages | grep -qE '^▲ step [0-9]+: warning clip_always: clipping fired'; then
    ok "a message says clip_always appeared"
else
    bad "no clip_always message: $(messages | tail -8)"
fi

# 4. F2: the inspector with the heatmap legend and the findings
tm send-keys -t e2e F2
if wait_for 'gradient flow' && wait_for '1e-[0-9]+ ░' && wait_for 'findings at step 420 │ F12 details' &&
    wait_for '▲ clip_always: clipping fired' && wait_for 'vanishing: layer [0-9]: the gradient of a loss falls' &&
    wait_for 'F8 tensor'; then
    ok "F2 shows the inspector: heatmap with its legend of decades, the findings, the inspector's keys"
else
    bad "F2: $(screen | head -40)"
fi

# 5. F12 selects a finding: its numbers and advice; past the last, none
tm send-keys -t e2e F12
if wait_for 'F11/F12 select' && wait_for '│ [✖▲•] (problem|warning|note) [a-z_]+' && wait_for 'numbers: '; then
    ok "F12 selects a finding and shows its details"
else
    bad "F12: $(screen | sed -n 28,44p)"
fi
if f12_until '│ ▲ warning clip_always' 4 && wait_for 'since step [0-9]+' && wait_for 'numbers: +clipped_steps=[0-9]+ +window=100' &&
    wait_for 'advice: raise --clip to about'; then
    ok "clip_always's details: since, numbers as key=value, advice"
else
    bad "clip_always details: $(screen | sed -n 28,44p)"
fi
if f12_until 'findings at step 420 │ F12 details' 6 && ! screen | grep -q 'advice: '; then
    ok "F12 past the last finding selects none: the plain list again"
else
    bad "F12 to none: $(screen | sed -n 28,44p)"
fi

# 6. a histogram of the selected tensor arrives from the trainer thread; F9 switches to weights... activations
if wait_for 'grad:rnn.weight_hh_l0 \(step [0-9]+\)'; then
    ok "the histogram of grad:rnn.weight_hh_l0 is shown"
else
    bad "no gradient histogram: $(screen | sed -n 8,20p)"
fi
tm send-keys -t e2e F9
if wait_for '╭ act:h\.0 \(step [0-9]+\)'; then ok "F9 switches the histogram to activations (act:h.0)"; else bad "F9: $(screen | sed -n 8,20p)"; fi

# 7. the help names the findings keys
tm send-keys -t e2e F1
if wait_for 'F12/F11 \(or Shift-↓/↑\) select the next/previous finding'; then ok "the help names F12/F11"; else bad "help: $(screen | sed -n 2,10p)"; fi
tm send-keys -t e2e Escape

# 8. F2 goes on to the units screen, F2 again back to the dashboard; :clip 5 clears the warning, and a message says so
tm send-keys -t e2e F2
if wait_for '╭ +units: l0 h 0 of 32'; then ok "F2 from the inspector opens the units screen"; else bad "F2 to units: $(screen | head -3)"; fi
tm send-keys -t e2e F2
if wait_for 'next token'; then ok "F2 goes back to the dashboard"; else bad "F2 back: $(screen | head -3)"; fi
tm send-keys -t e2e ":clip 5" Enter
tm send-keys -t e2e ":step 100" Enter
if wait_for '^ *step 520 +paused' && wait_for '✓ step [0-9]+: clip_always cleared' && ! screen | grep -q '│▲ clip_always'; then
    ok ":clip 5: clip_always clears, from the box too, and a message says so"
else
    bad ":clip 5: $(status) $(messages | tail -6)"
fi

# 9. :ngram 3 draws the baseline with a legend entry
tm send-keys -t e2e ":ngram 3" Enter
if wait_for '3-gram baseline \(Kneser-Ney' && wait_for '┄ 3-gram'; then
    ok ":ngram 3 puts the baseline line in the loss chart's legend"
else
    bad ":ngram 3: $(screen | sed -n 1,4p) $(screen | tail -8)"
fi

# 10. :compare a saved run: its legend entry
tm send-keys -t e2e ":compare $work/earlier.safetensors" Enter
if wait_for 'comparing with earlier' && wait_for '○ earlier'; then
    ok ":compare shows the saved run in the chart's legend"
else
    bad ":compare: $(screen | sed -n 1,4p) $(screen | tail -8)"
fi
tm send-keys -t e2e ":compare $work/no-such-run.safetensors" Enter
if wait_for 'no-such-run.safetensors'; then ok ":compare of a missing file says which file"; else bad ":compare missing: $(screen | tail -8)"; fi

# 11. :gradcheck prints the table and its verdict
tm send-keys -t e2e ":gradcheck" Enter
if wait_for 'head\.bias +[0-9]+ ' && wait_for 'gradcheck ok: worst relative error'; then
    ok ":gradcheck shows the table and the verdict"
else
    bad ":gradcheck: $(screen | tail -10)"
fi

# 12. clip_always again, so the saved run has it; quit; the exports were written from the trainer thread
tm send-keys -t e2e ":clip 0.0001" Enter
tm send-keys -t e2e ":step 120" Enter
wait_for '^ *step 640 +paused' && wait_for '│▲ clip_always' >/dev/null || bad "clip_always again: $(status)"
tm send-keys -t e2e ":quit" Enter
if wait_for '^SHELL-OK'; then
    rc=$(cat "$work/rc")
    if [ "$rc" = 0 ]; then ok ":quit exits 0"; else bad ":quit: exit $rc, $(head -c 300 "$work/stderr")"; fi
else
    bad ":quit did not exit: $(screen | tail -3)"
fi
rows=$(wc -l <"$work/m.csv" 2>/dev/null || echo 0)
if [ "${rows:-0}" -gt 10 ] && head -1 "$work/m.csv" | grep -q 'loss' && ls "$work"/tb/events.out.tfevents.* >/dev/null 2>&1; then
    ok "--csv wrote $rows rows and --tensorboard an event file"
else
    bad "exports: csv rows $rows, tb: $(ls "$work/tb" 2>&1 | head -3)"
fi

# 13. the saved run resumed: its findings and badge are back, its past is no news
tm kill-session -t e2e
tm new-session -d -s e2e -x 100 -y 50 "bash $work/run.sh --resume $work/run.st --paused"
if wait_for '^ *step 640 +paused +▲ [0-9]+ warnings? ' && wait_for '│▲ clip_always: clipping fired'; then
    ok "--resume: the findings box and the badge show the saved run's findings"
else
    bad "--resume findings: $(status) $(screen | sed -n 20,30p)"
fi
tm send-keys -t e2e ":step 5" Enter
if wait_for '^ *step 645 +paused' && ! messages | grep -qE 'step [0-9]+: (warning|problem) '; then
    ok "--resume: none of the saved run's findings is said as news"
else
    bad "--resume messages: $(messages | tail -8)"
fi
tm send-keys -t e2e F12
if wait_for 'findings at step 645 │ F11/F12 select' && wait_for '│ [✖▲•] (problem|warning|note) [a-z_]+' && wait_for 'advice: '; then
    ok "F12 on the dashboard opens the inspector at the first finding's details"
else
    bad "F12 from the dashboard: $(screen | sed -n 28,44p)"
fi
tm send-keys -t e2e ":quit" Enter
wait_for '^SHELL-OK' >/dev/null || bad "the resumed run did not quit: $(screen | tail -3)"

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
