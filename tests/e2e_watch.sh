#!/usr/bin/env bash
# e2e_watch.sh — `rnnscope watch RUN` (issue 13): a headless run with --log
# and --save trains in the background; the dashboard watching its log (80x24,
# then 120x40) shows the step counter and the loss advancing as the log grows,
# reads the checkpoint again at each save (the probability bars and a sample
# from its weights), and steers the run through its control socket: :pause
# stops the remote steps (the run's own :status and its log say so), F5 runs it
# again, :stop ends it, and the dashboard then says the run has ended. A
# finished run's files open whole and say it has ended, `watch CHECKPOINT`
# finds the log through run.log, a malformed log line is one message, and a
# RUN that is missing, a checkpoint without run.log and TERM=dumb are one line
# and exit status 2. Drives the real dashboard in a detached tmux terminal;
# every check polls. Under ASan, reports go to files (ASAN_OPTIONS=log_path)
# so none is lost while the screen is up.
. "$(dirname "$0")/tmux_lib.sh"
send() { tm send-keys -t e2e "$@"; }

corpus="$root/corpora/lighthouse.txt"
log="$work/run.jsonl" ck="$work/run.safetensors"
tiny=(--corpus "$corpus" --hidden 64 --embed 16 --batch 16 --seq 32 --threads 1 --headless)
"$bin" train "${tiny[@]}" --steps 100000000 --eval-every 300 --eval-chunks 2 --log-every 5 --log "$log" \
    --save "$ck" >/dev/null 2>"$work/train.err" &
tpid=$!
trap 'kill "$tpid" 2>/dev/null; cleanup' EXIT
# the last step line of the log
log_step() { grep -o '^{"step":[0-9]*,"epoch"' "$log" | tail -n 1 | grep -o '[0-9]*'; }
phase() { "$bin" control "$log" :status 2>/dev/null | sed -nE 's/.*"phase":"([a-z]+)".*/\1/p'; }
wait_file() { local i; for i in $(seq 1 $((limit * 10))); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }
if ! wait_file "$log"; then
    bad "the run wrote no log within ${limit}s: $(head -c 300 "$work/train.err")"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi

# the dashboard: watch.sh NAME ARGS... (stderr to $work/stderr.NAME, exit status to $work/rc.NAME)
cat >"$work/watch.sh" <<EOS
cd "$work"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
export ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}log_path=$work/asan"
name=\$1; shift
"$bin" watch "\$@" 2>"$work/stderr.\$name"
echo \$? >"$work/rc.\$name"
echo SHELL-OK
sleep 120
EOS
# start W H NAME ARGS...: the watch in the one tmux pane (a new command in it after the first)
start() {
    if tm has-session -t e2e 2>/dev/null; then
        tm resize-window -t e2e -x "$1" -y "$2"
        tm respawn-pane -k -t e2e "bash $work/watch.sh ${*:3}"
    else
        tm new-session -d -s e2e -x "$1" -y "$2" "bash $work/watch.sh ${*:3}"
    fi
}
quit_ok() { # quit_ok NAME: Ctrl-D exits 0 and says the run is not touched
    send C-d
    wait_for '^SHELL-OK' && [ "$(cat "$work/rc.$1")" = 0 ] && grep -q 'stopped watching' "$work/stderr.$1"
}
advances() { # advances WHAT: the step counter moves within 1.5 s
    local s1 s2
    s1=$(step_now); sleep 1.5; s2=$(step_now)
    if [ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ]; then ok "$1 ($s1 -> $s2)"; else bad "$1: '$s1' -> '$s2': $(screen | head -1)"; fi
}

# the watch opens as soon as the run has logged (before its first save, most likely)
start 120 40 live "$log"
if ! wait_for 'F1 help'; then
    bad "the dashboard did not start: $(screen | head -3) $(head -c 300 "$work/stderr.live" 2>/dev/null)"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi
if wait_for "note: watching .*run\.jsonl: lstm 2x64, pid $tpid on " && wait_for '^ *step [0-9]+/100000000 +running'; then
    ok "the first message says what is watched (the run's pid); the header shows the remote run running"
else
    bad "header / first message: $(screen | head -1) / $(messages | head -3)"
fi
if wait_for 'checkpoint .*run\.safetensors \(step [0-9]+\) read: the bars' &&
    wait_for '^│. +[▏▎▍▌▋▊▉█]+ +[0-9]+\.[0-9]%│' && wait_for '── weights of step [0-9]+'; then
    ok "the checkpoint is read at its save: the probability bars and a sample run its weights"
else
    bad "checkpoint: $(messages | tail -3) / $(screen | sed -n 24,28p)"
fi
loss=$(screen | head -n 1 | grep -oE 'loss [0-9]+\.[0-9]{4}')
[ -n "$loss" ] || bad "no loss on the status line: $(screen | head -1)"
advances "120x40: the step counter advances as the log grows, with the loss ($loss)"
# a later save: F7 (a fresh sample) until it runs newer weights
w1=$(screen | grep -oE 'weights of step [0-9]+' | tail -n 1) w2=$w1
for i in $(seq 1 $((limit * 2))); do
    send F7; sleep 0.5
    w2=$(screen | grep -oE 'weights of step [0-9]+' | tail -n 1)
    [ -n "$w2" ] && [ "$w2" != "$w1" ] && break
done
if [ -n "$w2" ] && [ "$w2" != "$w1" ]; then
    ok "a later save is read again: F7's sample runs its newer weights ($w1 -> $w2)"
else
    bad "reload: $w1 -> $w2"
fi

# steering through the socket
send ":pause" Enter
if wait_for ':pause: ok' && wait_for '^ *step [0-9]+/100000000 +paused'; then
    p1=$(log_step); sleep 1; p2=$(log_step)
    if [ "$(phase)" = paused ] && [ "$p1" = "$p2" ]; then
        ok ":pause goes to the control socket: the run is paused (its :status) and its log stops at step $p1"
    else
        bad ":pause: the run says '$(phase)', its log went $p1 -> $p2"
    fi
else
    bad ":pause: $(messages | tail -3) / $(screen | head -1)"
fi
send F5
if wait_for '^ *step [0-9]+/100000000 +running' && [ "$(phase)" = running ]; then
    ok "F5 on the paused run runs it again (the run says running)"
else
    bad "F5: $(screen | head -1) / the run says '$(phase)' / $(messages | tail -2)"
fi

# 80x24: the same run
tm resize-window -t e2e -x 80 -y 24
if wait_for 'grad norms │ clip [0-9]+/[0-9]+' && wait_for '^│. +[▏▎▍▌▋▊▉█]+ +[0-9]+\.[0-9]%│' &&
    wait_for '^ *step [0-9]+/100000000 +running'; then
    advances "80x24: the panels fit, the bars show, the step advances"
else
    bad "80x24: $(screen | head -3)"
fi
send F2
if wait_for 'gradient flow' && wait_for '╭ rnn\.weight_hh_l0 \(step [0-9]+\)'; then
    ok "F2: the inspector shows the logged gradient flow and a histogram of the checkpoint's weights"
else
    bad "inspector: $(screen | sed -n 1,4p) / $(screen | sed -n 7,10p)"
fi
send F2
if wait_for '╭ +units: l0 c 0 of 64 │ held-out text, [0-9]+ tokens │ step [0-9]+'; then
    ok "F2: the units screen runs the checkpoint's weights over the held-out text"
else
    bad "units screen: $(screen | sed -n 1,3p)"
fi
send F2
wait_for 'next token' >/dev/null || bad "F2 back to the dashboard: $(screen | head -3)"
tm resize-window -t e2e -x 120 -y 40

# :stop ends the run: it saves and exits, and the dashboard says it has ended
send ":stop" Enter
if wait_for ':stop: ok' && wait_for 'the run has ended at step [0-9]+' && wait_for '^ *step [0-9]+/100000000 +ended'; then
    ok ":stop ends the run through its socket; the dashboard says the run has ended"
else
    bad ":stop: $(messages | tail -4) / $(screen | head -1)"
fi
for i in $(seq 1 100); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$tpid" 2>/dev/null && grep -q 'stopped by :stop' "$work/train.err"; then
    ok "the training process saved and exited"
else
    bad "the run is still there or did not say it stopped: $(tail -c 300 "$work/train.err")"
fi
send ":pause" Enter
if wait_for ':pause: the run has ended'; then
    ok ":pause on a run that has ended says so"
else
    bad ":pause after the end: $(messages | tail -2)"
fi
if quit_ok live; then ok "Ctrl-D leaves the watch with status 0, saying the run is not touched"
else bad "Ctrl-D: rc $(cat "$work/rc.live" 2>/dev/null): $(head -c 300 "$work/stderr.live")"; fi
last=$(log_step)

# a finished run's files, by its log and by its checkpoint
start 80 24 done "$log"
if wait_for "the run has ended at step $last" && wait_for "^ *step $last/100000000 +ended"; then
    ok "a finished run's log opens whole (step $last) and says the run has ended"
else
    bad "finished run: $(screen | head -1) / $(messages | tail -3)"
fi
quit_ok done || bad "Ctrl-D on the finished run: $(head -c 300 "$work/stderr.done")"
start 120 40 ckpt "$ck"
if wait_for "note: watching .*run\.jsonl" && wait_for "^ *step $last/100000000 +ended"; then
    ok "watch CHECKPOINT finds the log through its run.log"
else
    bad "watch CHECKPOINT: $(screen | head -1) / $(messages | head -3)"
fi
quit_ok ckpt || bad "Ctrl-D on watch CHECKPOINT: $(head -c 300 "$work/stderr.ckpt")"

# a malformed line: skipped, one message
cp "$log" "$work/bad.jsonl"
echo 'this line is not JSON' >>"$work/bad.jsonl"
start 120 40 bad "$work/bad.jsonl" --checkpoint "$ck"
if wait_for 'bad\.jsonl line [0-9]+: skipped, not JSON' && wait_for "^ *step $last/"; then
    ok "a malformed log line is skipped with one message, the rest is shown"
else
    bad "malformed line: $(messages | tail -3)"
fi
quit_ok bad || bad "Ctrl-D after the malformed line: $(head -c 300 "$work/stderr.bad")"

# an older rnnscope's log (no start record): its checkpoint is given; shown, not steered
tail -n +2 "$log" >"$work/old.jsonl"
start 120 40 old "$work/old.jsonl" --checkpoint "$ck"
if wait_for "^ *step $last/100000000 +watching" && send F5 && wait_for ':pause: the run has no control socket'; then
    ok "a log without a start record opens with --checkpoint; F5 says the run has no control socket"
else
    bad "log without a start record: $(screen | head -1) / $(messages | tail -2)"
fi
quit_ok old || bad "Ctrl-D on the old log: $(head -c 300 "$work/stderr.old")"

# a run whose corpus is not on this machine
cp "$corpus" "$work/copy.txt"
"$bin" train --headless --quiet --corpus "$work/copy.txt" --hidden 16 --embed 8 --batch 4 --seq 16 --threads 1 \
    --steps 30 --eval-every 10 --eval-chunks 2 --log "$work/far.jsonl" --save "$work/far.st" >/dev/null 2>&1
rm -f "$work/copy.txt"
start 120 40 far "$work/far.jsonl"
if wait_for "need the run's corpus \(.*copy\.txt is not here\)" && send F2 F2 &&
    wait_for "the held-out text needs the run's corpus \(.*copy\.txt is not here\)"; then
    send "the sea was"
    sleep 0.5
    send F7 C-u ":units ngram" Enter
    if wait_for 'the n-gram is counted on the'; then
        ok "without the corpus the checkpoint still loads; the units screen's held-out text and n-gram say they need it"
    else
        bad "n-gram view without the corpus: $(screen | sed -n 2,8p)"
    fi
else
    bad "missing corpus: $(messages | head -4) / $(screen | sed -n 2,3p)"
fi
quit_ok far || bad "Ctrl-D without the corpus: $(head -c 300 "$work/stderr.far")"

# one line and status 2
"$bin" watch "$work/nowhere.jsonl" >"$work/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l <"$work/out")" = 1 ] && grep -q 'nowhere.jsonl: cannot read it' "$work/out"; then
    ok "a RUN that is not there: one line, status 2"
else
    bad "missing RUN: status $rc: $(head -c 300 "$work/out")"
fi
"$bin" watch "$work/old.jsonl" >"$work/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l <"$work/out")" = 1 ] && grep -q 'has no start record.*--checkpoint CKPT' "$work/out"; then
    ok "a log without a start record and no --checkpoint: one line, status 2"
else
    bad "log without a start record: status $rc: $(head -c 300 "$work/out")"
fi
"$bin" train "${tiny[@]}" --quiet --steps 3 --eval-every 0 --save "$work/nolog.st" >/dev/null 2>&1
"$bin" watch "$work/nolog.st" >"$work/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l <"$work/out")" = 1 ] && grep -q 'has no run.log' "$work/out"; then
    ok "a checkpoint without run.log: one line, status 2"
else
    bad "checkpoint without run.log: status $rc: $(head -c 300 "$work/out")"
fi
tm respawn-pane -k -t e2e "TERM=dumb '$bin' watch '$log' 2>'$work/dumb'; echo \$? >'$work/rc.dumb'; sleep 60"
for i in $(seq 1 100); do [ -s "$work/rc.dumb" ] && break; sleep 0.1; done
if [ "$(cat "$work/rc.dumb" 2>/dev/null)" = 2 ] && [ "$(wc -l <"$work/dumb")" = 1 ] &&
    grep -q 'cannot open the dashboard on TERM=dumb: it cannot move the cursor' "$work/dumb"; then
    ok "TERM=dumb: one line, status 2"
else
    bad "TERM=dumb: status $(cat "$work/rc.dumb" 2>/dev/null): $(head -c 300 "$work/dumb")"
fi

if ls "$work"/asan.* >/dev/null 2>&1; then
    bad "sanitizer reports: $(head -c 1500 "$work"/asan.*)"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
