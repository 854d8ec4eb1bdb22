#!/usr/bin/env bash
# e2e_bench.sh — `rnnscope bench` and `make bench`'s script, run tiny (issue 14).
# Not a timed test: it checks that the training settings bench takes parse and
# reach the model (each JSON row names its shape), that the forward FLOPs per
# token of each cell and of the word model's head match a hand count, that
# GFLOP/s is 3x those FLOPs x tokens/s, that bad flags fail with one line and
# exit 2, and that scripts/dev/bench.sh writes its four tables.
. "$(dirname "$0")/cli_lib.sh"

corpus="$root/corpora/lighthouse.txt"
tiny=(--corpus "$corpus" --sgemm 64 --threads 1 --hidden 8 --steps 1 --step-only)
command -v jq >/dev/null || { echo "RESULT 0 passed, 0 failed (jq not installed)"; exit 0; }

# flops CELL_GATES LAYERS HIDDEN EMBED: jq filter that is true when the row's
# fwd_flops_per_token is the hand count 2*G*H*(in+H) per layer + 2*V*H
flops_ok() {
    echo "(.fwd_flops_per_token == (2*$1*$3*($4+$3) + ($2-1)*2*$1*$3*(2*$3) + 2*.vocab*$3))
          and ((.gflops - 3*.fwd_flops_per_token*.tokens_per_s/1e9) | fabs < 0.01)"
}

# jqok FILTER FILE: the JSON lines of FILE, as one array, pass FILTER
jqok() { jq -se "$1" "$2" >/dev/null; }

# --- the rows ----------------------------------------------------------------------------------------
"$bin" bench --json "${tiny[@]}" >"$work/lstm.jsonl" 2>"$work/err"
check "bench --json: an sgemm row (gflops, core, config) then a model row with every field" \
    jqok '.[0].kind == "sgemm" and .[0].gflops > 0 and (.[0].config | length > 0) and
            (.[1] | .kind == "model" and .tokens_per_s > 0 and .ms_per_step > 0 and .peak_rss_mb > 0 and
             .heap_growth_bytes != null and .cell == "lstm" and .layers == 2 and .embed == 64 and
             .batch == 50 and .seq == 50 and .optim == "adam" and .tokenizer == "char")' "$work/lstm.jsonl"
check "lstm 2x8: FLOPs per token = 2*4*H*(E+H) + 2*4*H*2H + 2*V*H" \
    jqok ".[1] | $(flops_ok 4 2 8 64)" "$work/lstm.jsonl"
for c in "gru 3" "rnn 1"; do
    set -- $c
    "$bin" bench --json "${tiny[@]}" --cell "$1" --layers 3 --embed 12 --batch 4 --seq 6 >"$work/$1.jsonl" 2>"$work/err"
    check "$1 3x8 E=12 B=4 T=6: the row says so, FLOPs per token by hand with G=$2" \
        jqok ".[1] | .cell == \"$1\" and .layers == 3 and .embed == 12 and .batch == 4 and .seq == 6 and
                       $(flops_ok "$2" 3 8 12)" "$work/$1.jsonl"
done
"$bin" bench --json "${tiny[@]}" --tokenizer word --max-vocab 40 --embed 8 --layers 1 --batch 4 --seq 5 \
    --optim sgd --lr 20 --clip 0.25 >"$work/word.jsonl" 2>"$work/err"
check "word lstm V=40 (--max-vocab): the row's vocab is 40, sgd, and its head counts 2*V*H" \
    jqok ".[1] | .tokenizer == \"word\" and .vocab == 40 and .optim == \"sgd\" and $(flops_ok 4 1 8 8)" \
    "$work/word.jsonl"
"$bin" bench --json --corpus "$corpus" --sgemm 0 --threads 1 --hidden 8,9 --seconds 0.01 --step-only \
    >"$work/sec.jsonl" 2>"$work/err"
check "--sgemm 0 skips the product; --hidden 8,9 gives two rows; --seconds picks at least 2 steps" \
    jqok 'length == 2 and .[0].hidden == 8 and .[1].hidden == 9 and all(.[]; .steps >= 2)' "$work/sec.jsonl"
"$bin" bench --json --corpus "$corpus" --sgemm 0 --threads 1 --hidden 8 --steps 2 >"$work/diag.jsonl" 2>"$work/err"
check "without --step-only the row still has the inspector's overhead (the probe timed)" \
    jqok '.[0].probe_ms > 0 and .[0].diag_overhead_pct != null' "$work/diag.jsonl"
"$bin" bench --help >"$work/help"
missing=""
for f in hidden steps seconds step-only threads sgemm corpus json cell layers embed batch seq tokenizer max-vocab \
         optim lr clip; do
    grep -q -- "^  --$f" "$work/help" || missing="$missing $f"
done
check "bench --help lists its flags and the training settings it takes${missing:+ (missing:$missing)}" test -z "$missing"
check "bench --help lists no setting it does not take (dropout, steps twice)" \
    bash -c "! grep -q -- '--dropout' '$work/help' && [ \$(grep -c -- '^  --steps ' '$work/help') = 1 ]"

# --- bad flags: one line, exit 2, before anything is measured -------------------------------------------
run_bad "bench --cell bogus" 2 "--cell" -- bench --cell bogus
run_bad "bench --dropout (a setting bench does not take)" 2 "--dropout.*training setting" -- bench --dropout 0.1
run_bad "bench --layers 0" 2 "--layers" -- bench --layers 0
run_bad "bench --optim sgd5" 2 "--optim" -- bench --optim sgd5
run_bad "bench --hidden 0" 2 "--hidden" -- bench --hidden 0
run_bad "bench --seconds 1e9" 2 "--seconds" -- bench --seconds 1e9
run_bad "bench --sgemm -1" 2 "--sgemm" -- bench --sgemm -1
run_bad "bench --tokenizer words" 2 "--tokenizer" -- bench --tokenizer words
check "a bad flag prints nothing on stdout (nothing measured)" test ! -s "$work/out"

# --- make bench's script, tiny and without PyTorch -----------------------------------------------------
bash "$root/scripts/dev/bench.sh" "$bin" --native "$bin" --corpus "$corpus" --sgemm 64 --threads 1 --rounds 2 \
    --seconds 0.01 --hidden 4,8 --scale-hidden 4,8 --scale-layers 1,2 --word-hidden 4 --sample-tokens 5 \
    --eval-tokens 100 --no-torch --no-dashboard --out "$work/bench.md" >"$work/bench.out" 2>"$work/bench.err"
rc=$?
check "bench.sh exits 0 (got $rc) and prints what it writes: $(head -c 200 "$work/bench.err")" \
    bash -c "[ $rc = 0 ] && [ -s '$work/bench.md' ] && cmp -s <(head -n -1 '$work/bench.out') '$work/bench.md'"
missing=""
for t in "### Training" "### Scaling" "### Sampling and evaluation" "### Builds" "CPU:" "OpenBLAS:" "threads: 1"; do
    grep -qF -- "$t" "$work/bench.md" || missing="$missing '$t'"
done
check "bench.md has the four tables and the machine${missing:+ (missing:$missing)}" test -z "$missing"
check "bench.md: every training row (lstm, gru, rnn at both H, word), each the best of 2 rounds" \
    bash -c "grep -c '^| char \(lstm\|gru\|rnn\) 2x[48] ' '$work/bench.md' | grep -qx 8 &&
             grep -c '^| \(char \(lstm\|gru\|rnn\) 2x[48]\|word lstm 2x4 V=[^|]*\) *| *2 |' '$work/bench.md' | grep -qx 7"
check "bench.md: scaling has 4 rows (H 4, 8 x 1, 2 layers), each the best of 2" \
    bash -c "awk '/^### Scaling/ { on = 1 } /^### Sampling/ { on = 0 } on && /^\| [48] +\| +[12] +\| +2 \|/' '$work/bench.md' | wc -l | grep -qx 4"
bash "$root/scripts/dev/bench.sh" "$bin" --bogus >"$work/out" 2>"$work/err"
rc=$?
check "bench.sh --bogus exits 2 with one line (got $rc, $(wc -l <"$work/err") line(s))" \
    bash -c "[ $rc = 2 ] && [ \$(wc -l <'$work/err') = 1 ] && grep -q 'unknown option --bogus' '$work/err'"

echo "RESULT $pass passed, $fail failed"
