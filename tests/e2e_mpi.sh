#!/usr/bin/env bash
# e2e_mpi.sh — data-parallel training under mpirun (README "Training on many
# machines"): 2 ranks against one process on the same recipe (losses, gradient
# norms, validation, final parameters through their eval loss), an uneven split
# (--batch 7), bit-identical repeats, resume across 1 <-> 2 ranks, Ctrl-C, a
# killed rank, the replica check, and the refusals. Runs with --oversubscribe on
# any core count; skipped (and says so) only when the binary has no MPI.
source "$(dirname "$0")/cli_lib.sh"
corpus="$root/corpora/lighthouse.txt"
if ! "$bin" --version | grep -q 'with MPI'; then
    echo "note: $bin was built without MPI (make MPI=0 or no Open MPI found): nothing to test"
    echo "RESULT $pass passed, $fail failed"
    exit 0
fi
if ! command -v mpirun >/dev/null 2>&1; then
    bad "the binary has MPI but mpirun is not installed (Debian: openmpi-bin; make deps installs it)"
    echo "RESULT $pass passed, $fail failed"
    exit 0
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI's own allocations are not this program's: under the sanitizer build
# the leak check would report them at exit
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mpi() { local np=$1; shift; mpirun -np "$np" --oversubscribe "$bin" "$@"; }
recipe=(--corpus "$corpus" --hidden 32 --layers 2 --embed 16 --seq 16 --dropout 0.2 --eval-every 25 --log-every 1)

# step<TAB>loss<TAB>grad_norm of every step line; val lines separately
steps_of() { jq -r 'select(.loss != null and .grad_norm != null) | [.step, .loss, .grad_norm] | @tsv' "$1"; }
vals_of() { jq -r 'select(.val_loss != null and .loss == null) | [.step, .val_loss] | @tsv' "$1"; }
# max relative difference of columns 2.. of two step tables joined on the step; "n d"
maxrel() {
    join <(sort -k1,1 "$1") <(sort -k1,1 "$2") | awk '{
        k = (NF - 1) / 2
        for (i = 2; i <= 1 + k; i++) { a = $i; b = $(i + k); d = a - b; if (d < 0) d = -d;
            s = a < 0 ? -a : a; r = s > 0 ? d / s : d; if (r > m) m = r }
        n++ } END { printf "%d %.3g\n", n, m }'
}
# within NAME FILE_A FILE_B STEPS TOL: the tables share STEPS steps and differ by at most TOL relative
within() {
    local got n m
    got=$(maxrel "$2" "$3"); n=${got% *}; m=${got#* }
    if [ "$n" -eq "$4" ] && awk -v m="$m" -v t="$5" 'BEGIN { exit !(m <= t) }'; then
        ok "$1: $n steps, largest relative difference $m (<= $5)"
    else
        bad "$1: $n steps (want $4), largest relative difference $m (tolerance $5)"
    fi
}
eval_loss() { "$bin" eval "$1" "$corpus" 2>/dev/null | awk '{print $2}'; }

# 1. one process and 2 ranks, --batch 50: same losses, gradient norms and validation
"$bin" train --headless "${recipe[@]}" --batch 50 --steps 50 --log "$work/one.log" --save "$work/one.st" 2>"$work/one.err"
mpi 2 train --headless "${recipe[@]}" --batch 50 --steps 50 --log "$work/two.log" --save "$work/two.st" 2>"$work/two.err"
steps_of "$work/one.log" >"$work/one.tsv"; steps_of "$work/two.log" >"$work/two.tsv"
within "2 ranks against 1 process, --batch 50, dropout 0.2: loss and gradient norm" "$work/one.tsv" "$work/two.tsv" 50 1e-5
vals_of "$work/one.log" >"$work/one.val"; vals_of "$work/two.log" >"$work/two.val"
within "2 ranks against 1 process: validation loss" "$work/one.val" "$work/two.val" 2 1e-5
check "the start line names the ranks and their streams" grep -q 'on 2 ranks (25+25 of the 50 streams)' "$work/two.err"
check "the first log line says \"ranks\": 2" bash -c "head -n 1 '$work/two.log' | jq -e '.ranks == 2' >/dev/null"
echo "$(eval_loss "$work/one.st")" >"$work/e1"; echo "$(eval_loss "$work/two.st")" >"$work/e2"
if awk -v a="$(cat "$work/e1")" -v b="$(cat "$work/e2")" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d / a <= 1e-5) }'; then
    ok "the final parameters agree: eval loss $(cat "$work/e1") (1 process) and $(cat "$work/e2") (2 ranks)"
else
    bad "final parameters: eval loss $(cat "$work/e1") (1 process) against $(cat "$work/e2") (2 ranks)"
fi
# the diagnostics describe the whole batch on both
flow1=$(jq -c 'select(.step == 50 and .flow != null) | .flow[1][0]' "$work/one.log")
flow2=$(jq -c 'select(.step == 50 and .flow != null) | .flow[1][0]' "$work/two.log")
sat1=$(jq -c 'select(.step == 50 and .gate_saturation != null) | .gate_saturation[0][1]' "$work/one.log")
sat2=$(jq -c 'select(.step == 50 and .gate_saturation != null) | .gate_saturation[0][1]' "$work/two.log")
if awk -v a="$flow1" -v b="$flow2" -v c="$sat1" -v d="$sat2" 'BEGIN { x = a - b; if (x < 0) x = -x; y = c - d; if (y < 0) y = -y
        exit !(a > 0 && x / a <= 1e-5 && y <= 1e-6) }'; then
    ok "gradient flow ($flow1 vs $flow2) and gate saturation ($sat1 vs $sat2) describe the whole batch"
else
    bad "diagnostics differ: flow $flow1 vs $flow2, saturation $sat1 vs $sat2"
fi

# 2. the same 2-rank run again gives the same bits
mpi 2 train --headless "${recipe[@]}" --batch 50 --steps 50 --log "$work/two_b.log" --save "$work/two_b.st" 2>/dev/null
if cmp -s <(jq -c 'select(.loss != null) | del(.ms, .tokens_per_s, .allreduce_ms)' "$work/two.log") \
          <(jq -c 'select(.loss != null) | del(.ms, .tokens_per_s, .allreduce_ms)' "$work/two_b.log") &&
   [ "$(eval_loss "$work/two.st")" = "$(eval_loss "$work/two_b.st")" ]; then
    ok "2 ranks twice: every logged number and the final model bit-identical"
else
    bad "2 ranks twice: the runs differ"
fi

# 3. an uneven split: --batch 7 on 2 ranks (3 + 4 streams)
"$bin" train --headless "${recipe[@]}" --batch 7 --steps 50 --log "$work/u1.log" --save "$work/u1.st" 2>/dev/null
mpi 2 train --headless "${recipe[@]}" --batch 7 --steps 50 --log "$work/u2.log" --save "$work/u2.st" 2>"$work/u2.err"
steps_of "$work/u1.log" >"$work/u1.tsv"; steps_of "$work/u2.log" >"$work/u2.tsv"
within "--batch 7 on 2 ranks (3+4 streams) against 1 process" "$work/u1.tsv" "$work/u2.tsv" 50 1e-5
check "the start line shows the uneven split" grep -q '(3+4 of the 7 streams)' "$work/u2.err"

# 4. resume across rank counts: 25 steps on one, 25 more on two, and the other way round
"$bin" train --headless "${recipe[@]}" --batch 7 --steps 25 --log "$work/a1.log" --save "$work/a.st" 2>/dev/null
mpi 2 train --headless --resume "$work/a.st" --steps 50 --log-every 1 --log "$work/a2.log" 2>/dev/null
steps_of "$work/a2.log" >"$work/a2.tsv"
awk '$1 > 25' "$work/u1.tsv" >"$work/u1_late.tsv"
within "saved by 1 process, resumed on 2 ranks: steps 26-50 as uninterrupted" "$work/u1_late.tsv" "$work/a2.tsv" 25 1e-5
mpi 2 train --headless "${recipe[@]}" --batch 7 --steps 25 --log "$work/b1.log" --save "$work/b.st" 2>/dev/null
"$bin" train --headless --resume "$work/b.st" --steps 50 --log-every 1 --log "$work/b2.log" 2>/dev/null
steps_of "$work/b2.log" >"$work/b2.tsv"
within "saved by 2 ranks, resumed on 1 process: steps 26-50 as uninterrupted" "$work/u1_late.tsv" "$work/b2.tsv" 25 1e-5

# 5. Ctrl-C on mpirun: every rank stops after the same step, rank 0 saves
big=(--corpus "$corpus" --hidden 96 --layers 2 --batch 8 --seq 32 --steps 0 --log-every 1)
mpirun -np 2 --oversubscribe "$bin" train --headless "${big[@]}" --log "$work/c.log" --save "$work/c.st" \
    >/dev/null 2>"$work/c.err" &
pid=$!
for _ in $(seq 100); do [ -s "$work/c.log" ] && [ "$(wc -l <"$work/c.log")" -gt 20 ] && break; sleep 0.1; done
kill -INT "$pid"
( sleep 60; kill -KILL "$pid" 2>/dev/null ) &
guard=$!
wait "$pid"
kill "$guard" 2>/dev/null
stopped=$(sed -n 's/.*interrupted at step \([0-9]*\).*/\1/p' "$work/c.err")
logged=$(jq -r 'select(.loss != null) | .step' "$work/c.log" | tail -n 1)
if [ -n "$stopped" ] && [ "$stopped" = "$logged" ] && [ -s "$work/c.st" ]; then
    ok "Ctrl-C on mpirun: interrupted at step $stopped, the log's last step, and saved"
else
    bad "Ctrl-C on mpirun: stderr says step '${stopped}', log ends at '${logged}': $(tail -n 2 "$work/c.err")"
fi
"$bin" train --headless --resume "$work/c.st" --steps $((stopped + 1)) --log-every 1 --log "$work/c2.log" 2>/dev/null
# (the steps are listed rather than tested with jq -e: jq 1.6 exits 4 when the
# last line, a validation record after an evaluation step, selects nothing)
resumed=$(jq -r 'select(.loss != null) | .step' "$work/c2.log" | tr '\n' ' ')
check "the interrupted run resumes at step $((stopped + 1)) (logged: $resumed)" [ "$resumed" = "$((stopped + 1)) " ]

# 6. a rank that dies: the others stop within seconds, one line from rank 0, the checkpoint intact
mpirun -np 2 --oversubscribe "$bin" train --headless "${big[@]}" --save-every 20 --log "$work/k.log" \
    --save "$work/k.st" >/dev/null 2>"$work/k.err" &
pid=$!
for _ in $(seq 100); do [ -s "$work/k.st" ] && [ "$(wc -l <"$work/k.log")" -gt 45 ] && break; sleep 0.1; done
victim=""
for p in $(pgrep -P "$pid"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$p
done
start=$(date +%s)
[ -n "$victim" ] && kill -KILL "$victim"
wait "$pid"
took=$(($(date +%s) - start))
lines=$(grep -c '^rnnscope: ' "$work/k.err")
if [ -n "$victim" ] && [ "$took" -le 10 ] && [ "$lines" -eq 2 ] &&
   grep -q '^rnnscope: SIGTERM from the launcher.*the last checkpoint is .*k.st (step [0-9]*)' "$work/k.err"; then
    ok "a killed rank: mpirun ended in ${took}s; rank 0 said: $(grep 'SIGTERM from' "$work/k.err" | cut -c1-170)"
else
    bad "a killed rank (pid '${victim}'): ${took}s, $lines rnnscope lines: $(grep '^rnnscope' "$work/k.err" | head -c 400)"
fi
check "the last checkpoint before the kill is intact (it evaluates)" bash -c "'$bin' eval '$work/k.st' '$corpus' >/dev/null 2>&1"

# 7. the replica check: one rank's parameters made to differ are caught (at the first save, the
# evaluation of step 25, before anything is written)
RNNSCOPE_TEST_DESYNC_RANK=1 mpi 2 train --headless "${recipe[@]}" --batch 8 --steps 60 --save "$work/d.st" --log "$work/d.log" \
    >/dev/null 2>"$work/d.err"
rc=$?
if [ "$rc" -ne 0 ] && grep -q "after step [0-9]* rank 1's parameters differ from rank 0's" "$work/d.err" &&
   [ ! -e "$work/d.st" ]; then
    ok "ranks that drift apart: exit $rc, nothing saved, $(grep -o "after step [0-9]* rank 1's parameters differ[^(]*" "$work/d.err")"
else
    bad "replica check: exit $rc: $(head -c 300 "$work/d.err")"
fi

# 8. refusals, one line each
mpi 2 train --headless --corpus "$corpus" --batch 1 --steps 1 --save "$work/r.st" >/dev/null 2>"$work/r.err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$(grep -c '^rnnscope' "$work/r.err")" -eq 1 ] &&
   grep -q -- '--batch 1 is smaller than the 2 ranks' "$work/r.err"; then
    ok "--batch 1 on 2 ranks: $(grep '^rnnscope' "$work/r.err")"
else
    bad "--batch 1 on 2 ranks: exit $rc: $(head -c 300 "$work/r.err")"
fi
mpi 2 sample "$work/one.st" >/dev/null 2>"$work/s.err"
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'only `rnnscope train` trains on several' "$work/s.err"; then
    ok "sample under mpirun refused: $(grep -m1 '^rnnscope' "$work/s.err")"
else
    bad "sample under mpirun: exit $rc: $(head -c 300 "$work/s.err")"
fi

# 9. steering a data-parallel run: rank 0's socket, every rank applies each command at the same step
# (a command applied on rank 0 alone would make the replica check at the next 50th step fail)
mpirun -np 2 --oversubscribe "$bin" train --headless --corpus "$corpus" --hidden 32 --batch 8 --seq 16 --steps 0 \
    --log-every 1 --log "$work/s.log" --save "$work/s.st" >/dev/null 2>"$work/s.err" &
pid=$!
for _ in $(seq 100); do [ -S "$work/s.log.sock" ] && break; sleep 0.1; done
"$bin" control "$work/s.log" :pause >"$work/s.out" 2>&1
paused_at=$(sed -n 's/^ok paused at step \([0-9]*\).*/\1/p' "$work/s.out")
"$bin" control "$work/s.log" lr 0.001 >/dev/null 2>&1
"$bin" control "$work/s.log" step 120 >/dev/null 2>&1
for _ in $(seq 200); do
    "$bin" control "$work/s.log" status 2>/dev/null | grep -q '"phase":"paused"' && break; sleep 0.1
done
"$bin" control "$work/s.log" status >"$work/s.status" 2>&1
"$bin" control "$work/s.log" stop >/dev/null 2>&1
wait "$pid"
rc=$?
after=$(jq -r --argjson p "${paused_at:-0}" 'select(.loss != null and .step > $p) | .lr' "$work/s.log" | sort -u)
if [ -n "$paused_at" ] && [ "$rc" -eq 0 ] && grep -q "\"step\":$((paused_at + 120))," "$work/s.status" &&
   [ "$after" = "0.00100000005" ] && ! grep -q 'differ' "$work/s.err"; then
    ok "2 ranks steered through rank 0's socket: paused at $paused_at, lr 0.001 and 120 steps on every rank (replica checks passed), :stop exit 0"
else
    bad "steering 2 ranks: exit $rc, paused at '${paused_at}', lr after '${after}', status $(head -c 200 "$work/s.status"): $(head -c 300 "$work/s.err")"
fi

echo "RESULT $pass passed, $fail failed"
