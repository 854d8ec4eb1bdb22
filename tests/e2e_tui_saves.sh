#!/usr/bin/env bash
# e2e_tui_saves.sh — "never lose work" in the dashboard, in a detached tmux
# terminal: a second, different run quitting with Ctrl-D gets its own file and
# leaves the first run's file alone; :save onto another run is refused and
# :save! replaces it; :save, :load and :compare take paths with spaces (as
# they are, "quoted" or back\ slashed) and ~; the exit hint is shell-quoted.
. "$(dirname "$0")/tmux_lib.sh"

state="$work/state/rnnscope/runs"
# dash NAME ARGS...: a dashboard in its own tmux session e2e; stderr, exit status in $work/NAME.*;
# started NAME waits for its screen
dash() {
    local name=$1; shift
    local q="" a
    for a in "$@"; do q="$q $(printf '%q' "$a")"; done
    cat >"$work/$name.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --corpus "$root/corpora/lighthouse.txt" --embed 16 --batch 8 --seq 16 --threads 1 $q 2>"$work/$name.err"
echo \$? >"$work/$name.rc"
echo SHELL-OK
sleep 120
EOS
    tm kill-session -t e2e >/dev/null 2>&1
    tm new-session -d -s e2e -x 120 -y 40 "bash $work/$name.sh"
}
started() { wait_for 'F1 help' || bad "$1: the dashboard did not start: $(screen | head -3) $(head -3 "$work/$1.err")"; }
quit() { tm send-keys -t e2e C-d; wait_for '^SHELL-OK' || bad "$1: Ctrl-D did not exit: $(screen | tail -3)"; }
meta() { grep -aoE "\"$2\": ?\"[^\"]*\"" "$1" | head -1 | sed -E 's/.*: ?"//; s/"$//'; }

# 1. a long run, then a different one quitting: two files, the first untouched
dash first --hidden 32 --steps 40 --eval-every 20 --exit-at-end
wait_for '^SHELL-OK' 60 || bad "the first run did not finish: $(screen | tail -3)"
first=$(ls "$state"/*.safetensors 2>/dev/null | grep -v "\.best\." | head -1)
if [ -n "$first" ] && [ "$(meta "$first" run.step)" = 40 ]; then ok "the first run is saved at step 40 in $(basename "$first")"; else bad "first run: $(ls "$state" 2>&1) $(head -c 300 "$work/first.err")"; fi
best=${first%.safetensors}.best.safetensors
bstep=$(meta "$best" run.step 2>/dev/null)
if [ -f "$best" ] && [ "$(meta "$best" run.best_step)" = "$bstep" ] && { [ "$bstep" = 20 ] || [ "$bstep" = 40 ]; }; then
    ok "the dashboard keeps the best run by validation loss next to it ($(basename "$best"), step $bstep)"
else
    bad "no best run next to the first: $(ls "$state" | tr '\n' ' ') step '$bstep'"
fi
cp "$first" "$work/first.orig" 2>/dev/null
dash second --hidden 16 --paused
started second
quit second
n=$(ls "$state"/*.safetensors 2>/dev/null | grep -vc '\.best\.')
if cmp -s "$first" "$work/first.orig" && [ "$n" -eq 2 ] && grep -q "run saved to $state/lighthouse-lstm-2x16-" "$work/second.err"; then
    ok "Ctrl-D of a different run saves to a file of its own and leaves the 40-step run alone"
else
    bad "second run: $n files ($(ls "$state" | tr '\n' ' ')), first intact: $(cmp -s "$first" "$work/first.orig" && echo yes || echo no), $(head -c 300 "$work/second.err")"
fi

# 2. :save onto another run is refused, :save! replaces it; paths with spaces and ~
cp "$work/first.orig" "$work/other.safetensors"
dash third --hidden 16 --paused --steps 0
started third
tm send-keys -t e2e ":step 3" Enter
wait_for '^ *step 3 ' || bad ":step 3 did not land: $(screen | head -1)"
tm send-keys -t e2e ":save $work/other.safetensors" Enter
if wait_for "not saving over .*other" && cmp -s "$work/other.safetensors" "$work/first.orig"; then
    ok ":save onto another run is refused and the file is untouched"
else
    bad ":save onto another run: $(messages | tail -4)"
fi
tm send-keys -t e2e ":save! $work/other.safetensors" Enter
if wait_for "run saved to $work/other.safetensors" && [ "$(meta "$work/other.safetensors" hidden)" = 16 ]; then
    ok ":save! PATH replaces it"
else
    bad ":save!: $(messages | tail -4)"
fi
tm send-keys -t e2e ":save $work/my runs/a b.safetensors" Enter
if wait_for "run saved to $work/my runs/a b.safetensors" && [ -s "$work/my runs/a b.safetensors" ]; then
    ok ":save takes the rest of the line as the path, spaces and a missing folder included"
else
    bad ":save with spaces: $(messages | tail -4)"
fi
tm send-keys -t e2e ":save ~/tilde.safetensors" Enter
if wait_for "run saved to $work/tilde.safetensors" && [ -s "$work/tilde.safetensors" ]; then ok ":save expands ~"; else bad ":save ~: $(messages | tail -3)"; fi
tm send-keys -t e2e ":load \"$work/my runs/a b.safetensors\"" Enter
if wait_for "loaded $work/my runs/a b.safetensors at step 3"; then ok ":load \"PATH WITH SPACES\""; else bad ":load quoted: $(messages | tail -3)"; fi
esc=$(printf '%s' "$work/my runs/a b.safetensors" | sed 's/ /\\ /g')
tm send-keys -t e2e -l ":compare $esc ~/tilde.safetensors"
tm send-keys -t e2e Enter
if wait_for "comparing with a b: 3 points" && wait_for "comparing with tilde: 3 points"; then
    ok ":compare takes back\\ slashed spaces and ~"
else
    bad ":compare: $(messages | tail -4)"
fi
quit third
if grep -q "run saved to $work/my runs/a b.safetensors (step 3); continue with: rnnscope tui --resume '$work/my runs/a b.safetensors'" "$work/third.err"; then
    ok "the exit hint is shell-quoted"
else
    bad "exit hint: $(head -c 400 "$work/third.err")"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
