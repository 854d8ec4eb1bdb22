#!/usr/bin/env bash
# e2e_tui_resume.sh — one record of a run: a run trained headless and opened
# with `tui --resume` shows its whole past (the record from step 1, the clip
# count of every step, the validation points), an :eval in the dashboard
# enters the record that is saved, and :load of a run shows that run's past.
# Drives the real dashboard in a detached tmux terminal; every check polls.
. "$(dirname "$0")/tmux_lib.sh"
send() { tm send-keys -t e2e "$@"; }

corpus="$root/corpora/lighthouse.txt"
common=(--corpus "$corpus" --hidden 16 --embed 8 --batch 4 --seq 16 --threads 1)
if ! "$bin" train --headless "${common[@]}" --steps 60 --clip 1e-4 --eval-every 20 --eval-chunks 2 \
        --save "$work/a.st" >/dev/null 2>"$work/train.err"; then
    bad "headless training failed: $(head -c 300 "$work/train.err")"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi
"$bin" train --headless "${common[@]}" --steps 25 --clip 0 --eval-every 0 --save "$work/b.st" >/dev/null 2>&1

cat >"$work/run.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --resume "$work/a.st" --steps 100 --paused 2>"$work/stderr"
echo \$? >"$work/rc"
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 120 -y 40 "bash $work/run.sh"
if ! wait_for 'F1 help'; then
    bad "the dashboard did not start: $(screen | head -3) $(head -3 "$work/stderr" 2>/dev/null)"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi

if wait_for 'note: resuming .*a\.st: corpus'; then
    ok "the first message says the corpus came from the checkpoint"
else
    bad "no 'corpus from the checkpoint' message: $(messages | head -3)"
fi
send "= 'rec ' .. #rnn.history('loss') .. ' from ' .. rnn.history('step')[1] .. ' val ' .. #rnn.history('val_loss')" Enter
if wait_for '│rec 60 from 1 val 3 +│'; then
    ok "--resume shows the whole record: 60 steps from step 1, 3 validation points"
else
    bad "record after --resume: $(messages | tail -3)"
fi
if wait_for 'clip (fired )?60/60'; then
    ok "the clip count covers the steps before the resume (60/60)"
else
    bad "clip count after --resume: $(screen | grep -i clip | head -2)"
fi
send ":step 2" Enter
wait_for '^ *step 62[ /]' || bad ":step 2 did not land: $(screen | head -1)"
send ":eval" Enter
wait_for 'validation loss [0-9.]+ at step 62' || bad ":eval: $(messages | tail -2)"
send "= 'now ' .. #rnn.history('loss') .. ' val ' .. #rnn.history('val_loss') .. ' last ' .. rnn.history('val_step')[#rnn.history('val_step')]" Enter
if wait_for '│now 62 val 4 last 62 +│'; then
    ok "steps after the resume append to it, and :eval enters it (4 validation points, the last at 62)"
else
    bad "record after :step 2 and :eval: $(messages | tail -3)"
fi
# a finished run says so; :steps N extends it
send ":steps 64" Enter ":run" Enter
if wait_for '^ *step 64/64 +done' && wait_for 'reached --steps 64'; then
    send F5
    if wait_for 'the run is finished \(step 64 of --steps 64\)'; then
        ok ":steps 64 extends the run to step 64; F5 then says the run is finished"
    else
        bad "F5 on a finished run: $(messages | tail -2)"
    fi
else
    bad ":steps 64 and :run: $(screen | head -1) / $(messages | tail -2)"
fi
send ":load $work/b.st" Enter
wait_for "loaded $work/b.st at step 25" || bad ":load b.st: $(messages | tail -2)"
send "= 'b ' .. #rnn.history('loss') .. ' from ' .. rnn.history('step')[1]" Enter
if wait_for '│b 25 from 1 +│' && wait_for 'clip (fired )?0/25'; then
    ok ":load shows the loaded run's own record (25 steps from 1, clip 0/25)"
else
    bad "record after :load: $(messages | tail -3) / $(screen | grep -i clip | head -1)"
fi
send ":load $work/a.st" Enter
wait_for "loaded $work/a.st at step 60" || bad ":load a.st: $(messages | tail -2)"
send C-d
if wait_for '^SHELL-OK' && [ "$(cat "$work/rc")" = 0 ]; then
    ok "Ctrl-D exits 0"
else
    bad "Ctrl-D: $(head -c 300 "$work/stderr")"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
