#!/usr/bin/env bash
# e2e_inspector.sh — the gradient inspector in the real dashboard, in a
# detached tmux terminal (100x30): F2 shows the inspector with the heatmap's
# legend of decades and a findings section; a plain tanh RNN on the
# delayed-recall corpus with a long --seq gets a vanishing-gradient finding in
# words; F2 goes back; :ngram 3 puts the baseline in the loss chart's legend;
# :compare with a run saved earlier puts that run in the legend; :gradcheck
# prints its table; --csv and --tensorboard of the tui command write their
# files. Every check polls `tmux capture-pane` with a timeout.
. "$(dirname "$0")/tmux_lib.sh"

# a run saved earlier, for :compare (headless, a few steps)
if "$bin" train --headless --quiet --corpus "$root/corpora/recall.txt" --cell gru --hidden 16 --embed 8 \
    --batch 4 --seq 20 --steps 30 --threads 1 --save "$work/earlier.safetensors" >"$work/train.out" 2>&1; then
    ok "a run to compare with is saved"
else
    bad "training the run to compare with failed: $(head -c 300 "$work/train.out")"
fi

cat >"$work/run.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --corpus "$root/corpora/recall.txt" --cell rnn --hidden 32 --embed 16 --batch 8 --seq 120 --threads 1 \
    --steps 0 --eval-every 50 --save "$work/run.st" --csv "$work/m.csv" --tensorboard "$work/tb" 2>"$work/stderr"
echo \$? >"$work/rc"
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 100 -y 30 "bash $work/run.sh"

if ! wait_for '^ *step [0-9]+ +running'; then
    bad "the dashboard did not start: $(screen | head -3) $(head -3 "$work/stderr" 2>/dev/null)"
fi

# 1. F2: the inspector with the heatmap legend and findings
tm send-keys -t e2e F2
if wait_for 'gradient flow' && wait_for '1e-[0-9]+ ░' && wait_for 'findings at step [0-9]+' && wait_for 'F8 tensor'; then
    ok "F2 shows the inspector: heatmap with its legend of decades, findings, the inspector's keys"
else
    bad "F2: $(screen | head -20)"
fi

# 2. the tanh RNN's gradient vanishes across 120 positions, said in words
if wait_for 'layer [0-9]: the gradient at t-119 is [0-9.e+-]+ of that at t-0' && wait_for 'vanishes within this'; then
    ok "rnn on recall.txt with --seq 120: a vanishing finding in words"
else
    bad "no vanishing finding: $(screen | sed -n 16,24p)"
fi

# 3. a histogram of the selected tensor arrives from the trainer thread; F9 switches to weights... activations
if wait_for 'grad:rnn.weight_hh_l0 \(step [0-9]+\)'; then
    ok "the histogram of grad:rnn.weight_hh_l0 is shown"
else
    bad "no gradient histogram: $(screen | sed -n 8,16p)"
fi
tm send-keys -t e2e F9
if wait_for '╭ act:h\.0 \(step [0-9]+\)'; then ok "F9 switches the histogram to activations (act:h.0)"; else bad "F9: $(screen | sed -n 8,16p)"; fi

# 4. back to the dashboard; :ngram 3 draws the baseline with a legend entry
tm send-keys -t e2e F2
if wait_for 'next token'; then ok "F2 goes back to the dashboard"; else bad "F2 back: $(screen | head -3)"; fi
tm send-keys -t e2e ":ngram 3" Enter
if wait_for '3-gram baseline \(Kneser-Ney' && wait_for '┄ 3-gram'; then
    ok ":ngram 3 puts the baseline line in the loss chart's legend"
else
    bad ":ngram 3: $(screen | sed -n 1,4p) $(screen | tail -8)"
fi

# 5. :compare a saved run: its legend entry
tm send-keys -t e2e ":compare $work/earlier.safetensors" Enter
if wait_for 'comparing with earlier' && wait_for '○ earlier'; then
    ok ":compare shows the saved run in the chart's legend"
else
    bad ":compare: $(screen | sed -n 1,4p) $(screen | tail -8)"
fi
tm send-keys -t e2e ":compare $work/no-such-run.safetensors" Enter
if wait_for 'no-such-run.safetensors'; then ok ":compare of a missing file says which file"; else bad ":compare missing: $(screen | tail -8)"; fi

# 6. :gradcheck prints the table and its verdict
tm send-keys -t e2e ":gradcheck" Enter
if wait_for 'head\.bias +[0-9]+ ' && wait_for 'gradcheck ok: worst relative error'; then
    ok ":gradcheck shows the table and the verdict"
else
    bad ":gradcheck: $(screen | tail -10)"
fi

# 7. quit; the exports were written from the trainer thread
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

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
