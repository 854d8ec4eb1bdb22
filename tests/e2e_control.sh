#!/usr/bin/env bash
# e2e_control.sh — the control socket of a headless run (issue 13): a run with
# --log FILE listens on FILE.sock (0600, its owner's), answers one line per
# command, applies :pause :run :step :lr :clip :save :stop between steps and
# logs each as an event line; :status is JSON; malformed input (unknown names,
# garbage, over-long lines) gets an error line and the run carries on; a
# silent or half-line client never stalls training; a live socket is never
# taken over and a stale one is replaced; the socket goes when the run ends
# (:stop, SIGTERM). Also the session's start record, `rnnscope control` on a
# log, a socket and a checkpoint, and its exit status when no run listens.
# Raw clients are perl's IO::Socket::UNIX.
. "$(dirname "$0")/cli_lib.sh"

real=$(cd "$work" && pwd -P)
tiny=(--corpus "$root/corpora/lighthouse.txt" --hidden 16 --layers 1 --batch 4 --seq 16 --threads 1 --headless)
long_run=(--steps 100000000 --eval-every 0)

ctl() { "$bin" control "$@"; }
# field NAME: the value of "NAME" in the one-line JSON object on stdin (strings unquoted)
field() { sed -nE "s/.*\"$1\":(\"([^\"]*)\"|([^,}]*)).*/\2\3/p" | head -n 1; }
status_field() { ctl "$1" status 2>/dev/null | sed 's/^ok //' | field "$2"; }
# wait_until COMMAND...: up to 20 s
wait_until() { local i; for i in $(seq 1 200); do "$@" && return 0; sleep 0.1; done; return 1; }
alive() { kill -0 "$1" 2>/dev/null; }
# raw SOCK N [HOLD]: send stdin's bytes as they are, print the first N reply lines (5 s at most), keep the
# connection HOLD more seconds
raw() {
    perl -MIO::Socket::UNIX -e '
        my ($path, $n, $hold) = @ARGV;
        my $s = IO::Socket::UNIX->new(Peer => $path) or exit 3;
        my $data = do { local $/; <STDIN> };
        print $s $data; $s->flush;
        $SIG{ALRM} = sub { exit 4 }; alarm 5;
        for (1 .. $n) { my $l = <$s>; defined $l or exit 5; print $l; }
        alarm 0; sleep($hold // 0);' "$@"
}
json_ok() { # one valid JSON value on stdin, by python3 or perl (status 2 when neither is here)
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; json.load(sys.stdin)' 2>/dev/null
    elif perl -MJSON::PP -e 1 2>/dev/null; then
        perl -MJSON::PP -e 'local $/; decode_json(<STDIN>)' 2>/dev/null
    else
        return 2
    fi
}
meta() { grep -ao "\"$2\":\"[^\"]*\"" "$1" | head -n 1 | sed -E 's/.*":"//; s/"$//'; }

# --- a long run, steered ------------------------------------------------------------------------------
log="$work/a.log" sock="$work/a.log.sock"
"$bin" train "${tiny[@]}" "${long_run[@]}" --log-every 5 --log "$log" --save "$work/a.st" 2>"$work/a.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
if ! wait_until ctl "$log" status >/dev/null 2>&1; then
    bad "the run answers on $sock within 20 s: $(head -c 400 "$work/a.err")"
    echo "RESULT $pass passed, $fail failed"
    exit 1
fi
check "the socket is a socket at FILE.sock with mode 600" bash -c "[ -S '$sock' ] && [ \"\$(stat -c %a '$sock')\" = 600 ]"
check "the socket is its owner's ($(id -un))" test "$(stat -c %U "$sock")" = "$(id -un)"

ctl "$log" status >"$work/st" 2>&1
sed 's/^ok //' "$work/st" >"$work/st.json"
json_ok <"$work/st.json"
case $? in
0) ok ":status is ok and one JSON object: $(head -c 200 "$work/st")" ;;
2) ok ":status: JSON parse skipped (neither python3 nor perl's JSON::PP)" ;;
*) bad ":status is not JSON: $(head -c 300 "$work/st")" ;;
esac
missing=""
for k in step phase lr clip steps save pid; do grep -q "\"$k\":" "$work/st.json" || missing="$missing $k"; done
check ":status has step, phase, lr, clip, steps, save, pid${missing:+ (missing:$missing)}" test -z "$missing"
check ":status: pid is the run's ($pid), save is the absolute --save, steps is --steps" \
    test "$(field pid <"$work/st.json") $(field save <"$work/st.json") $(field steps <"$work/st.json")" = \
         "$pid $real/a.st 100000000"

# the start record: the session's first line
head -n 1 "$log" >"$work/start"
json_ok <"$work/start"; [ $? = 1 ] && bad "the start record is not JSON: $(head -c 300 "$work/start")"
tensors='["embedding.weight","rnn.weight_ih_l0","rnn.weight_hh_l0","rnn.bias_ih_l0","rnn.bias_hh_l0","head.weight","head.bias"]'
check "the log's first line is the start record: event, run, step 1, save, control, ranks, pid, host" \
    bash -c "grep -q '^{\"event\":\"start\",\"run\":\"[0-9a-f]*\",\"step\":1,\"save\":\"$real/a.st\",\"control\":\"$real/a.log.sock\",\"ranks\":1,\"pid\":$pid,\"host\":\"$(hostname)\"' '$work/start'"
check "the start record has the model (cell, layers, hidden, embed, vocab), its tensors in order and the absolute corpus" \
    bash -c "grep -qF '\"cell\":\"lstm\",\"layers\":1,\"hidden\":16,\"embed\":' '$work/start' && grep -q '\"vocab\":[0-9]' '$work/start' &&
             grep -qF '\"tensors\":$tensors' '$work/start' && grep -qF '\"corpus\":\"$(cd "$root/corpora" && pwd -P)/lighthouse.txt\"' '$work/start'"
check "the start record's run id is the one :status gives" test "$(field run <"$work/start")" = "$(field run <"$work/st.json")"

# :pause holds the step
ctl "$log" pause >"$work/r" 2>&1
check ":pause replies 'ok paused at step N'" grep -qE '^ok paused at step [0-9]+$' "$work/r"
s1=$(status_field "$log" step)
sleep 1
s2=$(status_field "$log" step)
check ":pause: the step stays put over 1 s ($s1 -> $s2), phase paused" \
    bash -c "[ -n '$s1' ] && [ '$s1' = '$s2' ] && [ \"\$('$bin' control '$log' status | sed 's/^ok //' | sed -nE 's/.*\"phase\":\"([a-z]+)\".*/\1/p')\" = paused ]"

# :step 3 runs exactly 3, then stays paused
ctl "$log" step 3 >"$work/r" 2>&1
check ":step 3 replies ok" grep -qE '^ok stepping 3 steps from step '"$s1" "$work/r"
phase_paused() { [ "$(status_field "$log" phase)" = paused ]; }
wait_until phase_paused
s3=$(status_field "$log" step)
sleep 0.5
s4=$(status_field "$log" step)
check ":step 3 advances exactly 3 ($s1 -> $s3) and stays paused ($s4)" \
    bash -c "[ '$s3' = $((s1 + 3)) ] && [ '$s4' = '$s3' ]"

# :lr, :clip: the status, the event lines, the next step lines
ctl "$log" lr 0.005 >"$work/r" 2>&1
check ":lr 0.005 replies ok" grep -qE '^ok lr 0.005 from step' "$work/r"
check ":status shows lr 0.005" test "$(status_field "$log" lr)" = 0.00499999989
check ":lr alone shows it" bash -c "'$bin' control '$log' lr | grep -qx 'ok lr 0.005'"
ctl "$log" clip 1.5 >"$work/r" 2>&1
check ":clip 1.5 replies ok and :status shows it" \
    bash -c "grep -qE '^ok clip 1.5 from step' '$work/r' && [ \"\$('$bin' control '$log' status | sed -nE 's/.*\"clip\":([0-9.]+).*/\1/p')\" = 1.5 ]"
check "the log has the event lines of :pause, :step, :lr and :clip at their steps" \
    bash -c "grep -qx '{\"event\":\"control\",\"command\":\"pause\",\"step\":$s1}' '$log' &&
             grep -qx '{\"event\":\"control\",\"command\":\"step\",\"value\":3,\"step\":$s1}' '$log' &&
             grep -qx '{\"event\":\"control\",\"command\":\"lr\",\"value\":0.00499999989,\"step\":$s3}' '$log' &&
             grep -qx '{\"event\":\"control\",\"command\":\"clip\",\"value\":1.5,\"step\":$s3}' '$log'"
ctl "$log" step 10 >/dev/null 2>&1
wait_until bash -c "[ \"\$('$bin' control '$log' status | sed -nE 's/.*\"step\":([0-9]+).*/\1/p')\" = $((s3 + 10)) ]"
after=$(awk -v s="$s3" -F'"step":' '/^\{"step":/ { split($2, a, ","); if (a[1] + 0 > s) print }' "$log")
check "the step lines after :lr carry lr 0.005 ($(printf '%s\n' "$after" | grep -c . ) lines)" \
    bash -c "[ -n \"\$1\" ] && ! printf '%s\n' \"\$1\" | grep -v '\"lr\":0.00499999989,' | grep -q ." _ "$after"
check "the step lines before :lr carry the old lr 0.002" grep -q '^{"step":5,.*"lr":0.00200000009,' "$log"

# :save writes the checkpoint now, at the current step
s5=$(status_field "$log" step)
had=$([ -e "$work/a.st" ] && echo yes || echo no)
ctl "$log" save >"$work/r" 2>&1
check ":save replies 'ok saved step $s5 to $real/a.st'" grep -qx "ok saved step $s5 to $real/a.st" "$work/r"
check ":save wrote the checkpoint (there before: $had) at step $s5, naming the log (run.log)" \
    bash -c "[ \"\$(grep -ao '\"run.step\":\"[0-9]*\"' '$work/a.st')\" = '\"run.step\":\"$s5\"' ] &&
             grep -aqF '\"run.log\":\"$real/a.log\"' '$work/a.st'"
check "the log has the :save event" grep -qx "{\"event\":\"control\",\"command\":\"save\",\"step\":$s5}" "$log"
check "rnnscope control takes the checkpoint (its run.log) and the socket itself for RUN" \
    bash -c "'$bin' control '$work/a.st' status | grep -q '\"pid\":$pid' && '$bin' control '$sock' :status | grep -q '\"pid\":$pid'"

# malformed input: an error line each, and the run carries on
ctl "$log" pasue >"$work/r" 2>"$work/e"
rc=$?
check "an unknown command: exit 1, an error line with 'did you mean :pause?' and the commands" \
    bash -c "[ $rc = 1 ] && [ ! -s '$work/r' ] && [ \$(wc -l <'$work/e') = 1 ] && grep -q 'error unknown command .pasue. (did you mean :pause?); commands: :pause :run :step' '$work/e'"
run_bad "a bad number: :lr 0" 1 "error :lr '0': expected a number in \[1e-12, 1000\]" -- control "$log" lr 0
run_bad "a bad number: :lr -1 (a command word, not a flag)" 1 "error :lr '-1'" -- control "$log" lr -1
run_bad "a bad number: :step 1.5" 1 "error :step '1.5': expected a whole number" -- control "$log" step 1.5
run_bad "a bad number: :clip nan" 1 "error :clip 'nan'" -- control "$log" clip nan
run_bad "an argument where none is taken: :save x" 1 "error :save takes no argument" -- control "$log" save x
printf '\x00\x01\xfe\xff garbage\n' | raw "$sock" 1 >"$work/r"
check "binary garbage gets one error line" grep -qE '^error the line holds a control byte' "$work/r"
{ head -c 600 /dev/zero | tr '\0' x; printf '\n:status\n'; } | raw "$sock" 2 >"$work/r"
check "an over-long line gets an error, and the next line of that client is answered" \
    bash -c "sed -n 1p '$work/r' | grep -q '^error the line is too long' && sed -n 2p '$work/r' | grep -q '^ok {\"step\"'"
printf 'pause\r\n  :status  \n' | raw "$sock" 2 >"$work/r"
check "CRLF, blanks and no ':' are fine; two lines, two replies" \
    bash -c "sed -n 1p '$work/r' | grep -q '^ok paused' && sed -n 2p '$work/r' | grep -q '^ok {'"
check "the run still answers after all that, as itself" test "$(status_field "$log" pid)" = "$pid"

# a client that sends half a line and stalls, and more idle clients than the cap, do not stall training
printf ':stat' | raw "$sock" 0 4 &
stall=$!
sleep 0.3
ctl "$log" run >/dev/null 2>&1
s6=$(status_field "$log" step)
sleep 0.7
s7=$(status_field "$log" step)
check "a client holding half a line does not stall training (step $s6 -> $s7 meanwhile)" \
    bash -c "[ -n '$s6' ] && [ -n '$s7' ] && [ '$s7' -gt '$s6' ]"
perl -MIO::Socket::UNIX -e '
    my @s = map { IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 3 } 1 .. 12;
    $SIG{ALRM} = sub { print "no drop\n"; exit 0 }; alarm 3;
    my $l = readline($s[0]); print defined $l ? $l : "closed\n"; sleep 1;' "$sock" >"$work/many" &
many=$!
sleep 0.5
check "with 12 idle clients open, a new one is answered" bash -c "'$bin' control '$log' status | grep -q '^ok {'"
wait "$many"
check "beyond the cap of 8 connections the oldest is closed with a line saying so" \
    grep -q 'error too many control connections (8)' "$work/many"
wait "$stall"
# clients that flood commands, one reading its replies, one not: training goes on between them
perl -MIO::Socket::UNIX -e '
    $SIG{PIPE} = "IGNORE"; $SIG{ALRM} = sub { kill "TERM", $pid if $pid; exit 0 }; alarm 2;
    my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 3;
    our $pid = fork;
    if (!$pid) { while (1) { print $s ":status\n" or exit 0; } }
    while (<$s>) { }' "$sock" &
flood=$!
perl -MIO::Socket::UNIX -e '
    my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 3;
    $SIG{PIPE} = "IGNORE"; $SIG{ALRM} = sub { exit 0 }; alarm 2;
    my $n = 0; while ($n < 200000) { print $s ":status\n" or last; $n++ } $s->flush; sleep 2;' "$sock" &
deaf=$!
sleep 0.3
s9=$(status_field "$log" step)
sleep 0.7
s10=$(status_field "$log" step)
check "clients flooding :status (reading the replies, and not) do not stall training ($s9 -> $s10)" \
    bash -c "[ -n '$s9' ] && [ -n '$s10' ] && [ '$s10' -gt '$s9' ]"
wait "$flood" "$deaf"
ctl "$log" pause >/dev/null 2>&1

# another run on the same --log does not take the live socket over
"$bin" train "${tiny[@]}" --steps 3 --log "$log" --save "$work/b.st" 2>"$work/b.err" >/dev/null
rc=$?
check "a second run on the same --log trains (exit $rc) and warns once that the socket is live" \
    bash -c "[ $rc = 0 ] && [ \$(grep -c 'warning: control socket: .* is live: another run trains with this --log' '$work/b.err') = 1 ]"
check "... and leaves the socket to the first run, which still answers" test "$(status_field "$log" pid)" = "$pid"
check "... and its start record says it has no socket" \
    bash -c "grep '\"event\":\"start\"' '$log' | tail -n 1 | grep -q '\"control\":null,\"ranks\":1,\"pid\":[0-9]*,'"

# :stop: saved at the step it stopped, exit 0, the socket gone
ctl "$log" step 2 >/dev/null 2>&1 # a step line of this run after the second run's lines
wait_until phase_paused
s8=$(status_field "$log" step)
ctl "$log" stop >"$work/r" 2>&1
wait "$pid"
rc=$?
check ":stop replies once the run is saved ('ok stopped at step $s8; run saved to ...')" \
    grep -qx "ok stopped at step $s8; run saved to $real/a.st" "$work/r"
check ":stop: the run exits 0, saved at step $s8, the socket removed" \
    bash -c "[ $rc = 0 ] && [ \"\$(grep -ao '\"run.step\":\"[0-9]*\"' '$work/a.st')\" = '\"run.step\":\"$s8\"' ] && [ ! -e '$sock' ]"
check ":stop is the log's last line, and the last step line is step $s8's (a paused run's log ends at its step)" \
    bash -c "grep '^{\"step\":' '$log' | tail -n 1 | grep -q '^{\"step\":$s8,' && tail -n 1 '$log' | grep -qx '{\"event\":\"control\",\"command\":\"stop\",\"step\":$s8}'"
check ":stop's last line on stderr says so" grep -q "stopped by :stop at step $s8" "$work/a.err"
run_bad "rnnscope control when the run has ended: exit 2, one line" 2 \
    "^rnnscope: control: no run is listening on $real/a.log.sock \(it has ended, or was started without --log\)$" \
    -- control "$work/a.st" status
run_bad "rnnscope control on a log without a run" 2 "no run is listening on $work/a.log.sock" -- control "$log" status
run_bad "rnnscope control on nothing" 2 "no-such.log: No such file" -- control "$work/no-such.log" status
run_bad "rnnscope control without a command" 2 "missing argument" -- control "$log"

# a stale socket (its run killed) is replaced; SIGTERM while paused ends the run, saved, socket removed
perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or exit 3' "$work/s.log.sock"
check "a stale socket (nobody listens) counts as no run: exit 2" \
    bash -c "[ -S '$work/s.log.sock' ] && '$bin' control '$work/s.log' status 2>/dev/null; [ \$? = 2 ]"
"$bin" train "${tiny[@]}" "${long_run[@]}" --log "$work/s.log" --save "$work/s.st" 2>"$work/s.err" &
spid=$!
wait_until bash -c "'$bin' control '$work/s.log' status 2>/dev/null | grep -q '\"pid\":$spid'"
check "a new run replaces a stale socket, quietly" \
    bash -c "'$bin' control '$work/s.log' pause | grep -q '^ok paused' && ! grep -q warning '$work/s.err'"
sp=$(status_field "$work/s.log" step)
t0=$(date +%s.%N)
kill -TERM "$spid"
wait "$spid"
rc=$?
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
check "SIGTERM while paused: exit 130 within 2 s (${took}s), saved at step $sp, the socket removed" \
    bash -c "[ $rc = 130 ] && awk 'BEGIN { exit !($took < 2) }' && [ ! -e '$work/s.log.sock' ] &&
             [ \"\$(grep -ao '\"run.step\":\"[0-9]*\"' '$work/s.st')\" = '\"run.step\":\"$sp\"' ]"

# refusals: not a socket there, a path too long for sun_path; the run trains on without a socket
echo keep >"$work/n.log.sock"
"$bin" train "${tiny[@]}" --steps 3 --log "$work/n.log" --save "$work/n.st" 2>"$work/n.err" >/dev/null
rc=$?
check "a file that is not a socket at FILE.sock: one warning, left alone, the run trains (exit $rc), control null" \
    bash -c "[ $rc = 0 ] && grep -q 'warning: control socket: .*n.log.sock exists and is not a socket' '$work/n.err' &&
             [ \"\$(cat '$work/n.log.sock')\" = keep ] && head -n 1 '$work/n.log' | grep -q '\"control\":null'"
deep="$work/$(printf 'd%.0s' $(seq 1 110))"
mkdir -p "$deep"
"$bin" train "${tiny[@]}" --steps 3 --log "$deep/x.log" --save "$work/d.st" 2>"$work/d.err" >/dev/null
rc=$?
check "a --log path too long for a Unix socket: one warning, the run trains (exit $rc), control null" \
    bash -c "[ $rc = 0 ] && [ \$(grep -c 'warning: control socket: .* is too long for a Unix socket' '$work/d.err') = 1 ] &&
             [ ! -e '$deep/x.log.sock' ] && head -n 1 '$deep/x.log' | grep -q '\"control\":null'"
check "a run without --log has no socket and its checkpoint names no log" \
    bash -c "'$bin' train ${tiny[*]} --steps 2 --save '$work/q.st' 2>/dev/null && ! grep -aq '\"run.log\"' '$work/q.st' &&
             '$bin' control '$work/q.st' status 2>&1 | grep -q 'names no --log file'"

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
