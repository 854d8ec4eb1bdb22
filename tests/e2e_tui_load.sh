#!/usr/bin/env bash
# e2e_tui_load.sh — a refused :load must not move where the run is saved:
# :save a good run, :load a damaged file (refused), :load the good one
# (accepted), then Ctrl-D saves to the good file and leaves the damaged one
# byte for byte as it was. On the way, the help screen scrolls at 100x30. Drives the real dashboard in a detached tmux
# terminal; every check polls the screen instead of sleeping.
. "$(dirname "$0")/tmux_lib.sh"

# a damaged checkpoint: a valid safetensors header naming one tensor only
hdr='{"embedding.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
printf "$(printf '\\x%02x' ${#hdr})\0\0\0\0\0\0\0%s\0\0\0\0" "$hdr" >"$work/damaged.st"
cp "$work/damaged.st" "$work/damaged.orig"

cat >"$work/run.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --corpus "$root/corpora/lighthouse.txt" --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1 \
    --steps 0 --paused 2>"$work/stderr"
echo \$? >"$work/rc"
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 120 -y 40 "bash $work/run.sh"
if ! wait_for 'F1 help'; then
    bad "the dashboard did not start: $(screen | head -3) $(head -3 "$work/stderr" 2>/dev/null)"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi

tm send-keys -t e2e ":step 2" Enter
wait_for '^ *step 2 ' || bad ":step 2 did not land: $(screen | head -1)"
tm send-keys -t e2e ":save $work/good.st" Enter
if wait_for "run saved to $work/good.st"; then ok ":save writes the good run"; else bad ":save: $(screen | grep -i save | head -2)"; fi

tm send-keys -t e2e ":load $work/damaged.st" Enter
if wait_for "damaged.st.*(missing|tensor|checkpoint)"; then
    ok "the damaged file is refused"
else
    bad "no refusal for the damaged file: $(screen | tail -8)"
fi
tm send-keys -t e2e ":load $work/good.st" Enter
if wait_for "loaded $work/good.st at step 2"; then ok "the good file loads"; else bad "good :load: $(screen | tail -8)"; fi
tm send-keys -t e2e ":load $work/damaged.st" Enter
wait_for "damaged.st.*(missing|tensor|checkpoint).*" >/dev/null
tm send-keys -t e2e ":step 1" Enter
wait_for '^ *step 3 ' || bad ":step 1 after the load: $(screen | head -1)"
# the help screen at 100x30 scrolls to its last command; stray keys keep it open; Esc closes it
tm resize-window -t e2e -x 100 -y 30
wait_for 'F1 help' >/dev/null
tm send-keys -t e2e F1
if wait_for 'more below' && ! screen | grep -q ':ngram N'; then
    tm send-keys -t e2e x NPage NPage NPage
    if wait_for ':ngram N +an N-gram baseline' && wait_for ':quit +save the run and exit' && screen | grep -q 'F10'; then
        ok "help scrolls with PgDn to :ngram and :quit, F10 listed, a stray key keeps it open"
    else
        bad "help did not scroll: $(screen | sed -n 2,6p)"
    fi
    tm send-keys -t e2e Escape
    if wait_for 'messages' && ! screen | grep -q 'help — '; then ok "Esc closes help"; else bad "help still open after Esc"; fi
else
    bad "help at 100x30 has no 'more' hint: $(screen | tail -4)"
fi
tm send-keys -t e2e C-d
if wait_for '^SHELL-OK'; then
    if cmp -s "$work/damaged.st" "$work/damaged.orig"; then
        ok "the refused file is untouched on the way out"
    else
        bad "the refused file was overwritten: $(head -c 200 "$work/stderr")"
    fi
    if [ "$(cat "$work/rc")" = 0 ] && grep -q "run saved to $work/good.st (step 3)" "$work/stderr"; then
        ok "Ctrl-D saves to the last file that loaded"
    else
        bad "Ctrl-D: exit $(cat "$work/rc"), stderr: $(head -c 400 "$work/stderr")"
    fi
else
    bad "Ctrl-D did not exit: $(screen | tail -3)"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
