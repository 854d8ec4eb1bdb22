#!/usr/bin/env bash
# e2e_cli.sh — drives the real rnnscope binary from the command line: help
# texts, a short training run with logging, exact resume, sampling (Chinese
# too), eval/grad against PyTorch's numbers, and every bad input of issue 2:
# one clear line on stderr and exit status 2, nothing half-written.
. "$(dirname "$0")/cli_lib.sh"

small=(--corpus "$root/corpora/lighthouse.txt" --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1 --quiet)

# --- help ------------------------------------------------------------------------
# every command's --help exits 0 on stdout and lists its flags; a flag that has a default
# shows the one the command really uses (the defaults below are the documented ones)
help_default() { # cmd flag default: the --flag line of cmd --help ends in "(default DEFAULT)"
    grep -Eq -- "^  --$2 [A-Z]+ .*\(default $3\)$" "$work/help-$1"
}
for cmd in train sample eval grad gradcheck bench diagnose tui run; do
    "$bin" "$cmd" --help >"$work/help-$cmd" 2>"$work/help-$cmd.err"
    rc=$?
    check "$cmd --help exits 0 (got $rc) and lists its flags, --help among them" \
        bash -c '[ "$0" = 0 ] && [ ! -s "$1.err" ] && grep -Eq -- "^  --help " "$1"' "$rc" "$work/help-$cmd"
done
missing=""
for want in "train hidden 128" "train lr 0.002" "train steps 2000" "train batch 50" "train seq 50" "train clip 5" \
            "train eval-every 200" "sample length 500" "sample temperature 1" "sample top-k 0" "gradcheck layers 2" \
            "bench hidden 128,512" "diagnose hidden 128"; do
    set -- $want
    help_default "$1" "$2" "$3" || missing="$missing $1:--$2=$3"
done
check "--help shows each flag's real default${missing:+ (wrong or missing:$missing)}" test -z "$missing"
"$bin" train --headless "${small[@]}" --steps 1 --eval-every 0 --save "$work/defaults.st" >/dev/null 2>&1
check "a run trained without --lr or --clip stores the defaults --help shows (lr 0.002, clip 5)" \
    bash -c "'$bin' train --help | grep -Eq -- '--lr X .*\(default 0.002\)' && grep -aq '\"train.lr\":\"0.002\"' '$work/defaults.st' && grep -aq '\"train.clip\":\"5\"' '$work/defaults.st'"
"$bin" train --help >"$work/help"
missing=""
for f in corpus tokenizer cell layers hidden embed batch seq lr optim clip dropout steps eval-every val-frac seed threads save resume log; do
    grep -q -- "--$f" "$work/help" || missing="$missing $f"
done
check "train --help documents every DESIGN.md training flag${missing:+ (missing:$missing)}" test -z "$missing"
check "train --help prints defaults" grep -q "(default 0.002)" "$work/help"

# --- training, logging, determinism, resume ----------------------------------------
"$bin" train "${small[@]}" --steps 12 --eval-every 4 --eval-chunks 2 --dropout 0.1 --save "$work/a.st" --log "$work/a.log" --log-every 1
check "train exits 0 and saves" test -s "$work/a.st"
check "--log --log-every 1 writes a start record, then one JSON line per step and per evaluation" \
    bash -c "head -n 1 '$work/a.log' | grep -q '^{\"event\":\"start\",' && [ \$(wc -l <'$work/a.log') -eq 16 ]"
check "step lines carry step, loss, lr, grad_norm, tokens_per_s" \
    grep -q '"step":12,.*"loss":.*"lr":.*"grad_norm":.*"tokens_per_s":' "$work/a.log"
check "evaluation lines carry val_loss" grep -q '{"step":12,"val_loss":' "$work/a.log"
"$bin" train "${small[@]}" --steps 12 --eval-every 4 --eval-chunks 2 --dropout 0.1 --save "$work/b.st" --log "$work/b.log" --log-every 1
losses() { grep -v '^{"event":"start",' "$1" | sed -E 's/"tokens_per_s":[^,]*,"ms":[^,]*,//'; } # a session's start record names its pid, time, files
check "same seed and flags: identical log (timings aside)" cmp -s <(losses "$work/a.log") <(losses "$work/b.log")
"$bin" train "${small[@]}" --steps 5 --eval-every 4 --eval-chunks 2 --dropout 0.1 --save "$work/c.st" --log "$work/c.log" --log-every 1
"$bin" train --resume "$work/c.st" --steps 12 --quiet --log "$work/c.log" --log-every 1
check "resume continues exactly: same losses as the uninterrupted run" cmp -s <(losses "$work/a.log") <(losses "$work/c.log")
run_bad "resume with another cell" 2 "--cell" -- train --resume "$work/c.st" --cell gru --steps 13 --quiet
run_bad "resume with another size" 2 "--hidden" -- train --resume "$work/c.st" --hidden 64 --steps 13 --quiet

# --- sampling -------------------------------------------------------------------------
"$bin" sample "$work/a.st" --prime "The keeper" --length 40 --seed 3 >"$work/s1" 2>"$work/s1.err"
"$bin" sample "$work/a.st" --prime "The keeper" --length 40 --seed 3 >"$work/s2" 2>/dev/null
check "sample starts with the prime" grep -q "^The keeper" "$work/s1"
check "sample is deterministic for a seed" cmp -s "$work/s1" "$work/s2"
check "sample --argmax runs" "$bin" sample "$work/a.st" --prime "a" --length 20 --argmax
check "sample --beam 4 runs" "$bin" sample "$work/a.st" --prime "a" --length 20 --beam 4
check "sample with --top-k and --top-p runs" "$bin" sample "$work/a.st" --length 20 --top-k 5 --top-p 0.9 --temperature 0.7
"$bin" sample "$work/a.st" --prime "caf€ ok" --length 5 >"$work/s3" 2>"$work/s3.err"
rc=$?
check "a prime outside the vocabulary warns and still samples" \
    bash -c "[ $rc -eq 0 ] && grep -q 'outside the model' '$work/s3.err'"
run_bad "sample: --temperature 0" 2 "--temperature" -- sample "$work/a.st" --temperature 0

# Chinese: the char tokenizer on multi-byte UTF-8, trained and sampled
"$bin" train --corpus "$root/corpora/chinese.txt" --hidden 32 --embed 16 --batch 4 --seq 16 --threads 1 \
    --steps 5 --eval-every 0 --quiet --save "$work/zh.st"
"$bin" sample "$work/zh.st" --prime "茶山" --length 60 --seed 1 >"$work/zh.txt" 2>/dev/null
check "Chinese: sample is valid UTF-8 and starts with the prime" \
    bash -c "iconv -f UTF-8 -t UTF-8 '$work/zh.txt' >/dev/null && grep -q '^茶山' '$work/zh.txt'"
check "Chinese: prime + 60 sampled code points + newline = 63 code points" \
    test "$(iconv -f UTF-8 -t UTF-32LE <"$work/zh.txt" | wc -c)" -eq $((63 * 4))

# --- eval and grad against PyTorch (fixtures from tests/make_ckpt_fixture.py) --------------
for cell in lstm gru rnn; do
    ck="$here/fixtures/ckpt_torch_$cell.safetensors"
    out=$("$bin" eval "$ck" "$here/fixtures/eval_text.txt" --json)
    want=$(grep -aoE '"loss": ?"[0-9.e-]*"' "$here/fixtures/grads_torch_$cell.safetensors" | head -1 | sed -E 's/.*: ?"//; s/"//')
    got=$(echo "$out" | sed -E 's/.*"loss": ([0-9.e+-]+).*/\1/')
    check "eval --json $cell: loss $got vs PyTorch $want (rel 1e-5)" \
        awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-5 * b) }'
    check "eval --json $cell has bits, perplexity, tokens" bash -c "echo '$out' | grep -q '\"bits\".*\"perplexity\".*\"tokens\": 226'"
    "$bin" grad "$ck" "$here/fixtures/eval_text.txt" --out "$work/g_$cell.st" >/dev/null
    check "grad --out writes a safetensors file of the model's tensors" \
        bash -c "grep -aq 'rnn.weight_hh_l1' '$work/g_$cell.st'"
done
run_bad "grad without --out" 2 "--out" -- grad "$here/fixtures/ckpt_torch_lstm.safetensors" "$here/fixtures/eval_text.txt"

# --- gradcheck -----------------------------------------------------------------------------
"$bin" gradcheck --cell gru --layers 2 >"$work/gc" 2>&1
check "gradcheck --cell gru passes and prints a row per tensor" \
    bash -c "grep -q '^ok' '$work/gc' && [ \$(grep -c '^gru ' '$work/gc') -eq 11 ]"

# --- bad input -------------------------------------------------------------------------------
printf '' >"$work/empty.txt"
printf 'short text\n' >"$work/short.txt"
printf 'good text \xff\xfe and more text here to make it long enough for a batch of one\n' >"$work/bad.txt"
run_bad "missing corpus" 2 "nope.txt" -- train --corpus "$work/nope.txt" --quiet
run_bad "empty corpus" 2 "empty" -- train --corpus "$work/empty.txt" --quiet
run_bad "corpus too short for the batch" 2 "lower --batch or --seq" -- train --corpus "$work/short.txt" --quiet
run_bad "invalid UTF-8 under char" 2 "byte offset 10.*--tokenizer byte" -- train --corpus "$work/bad.txt" --quiet
run_bad "unknown flag" 2 "unknown flag '--bogus'" -- train --bogus 3
run_bad "out-of-range value" 2 "--batch: '0' is out of range" -- train --batch 0
run_bad "non-numeric value" 2 "--lr: 'fast' is not a decimal number" -- train --lr fast
run_bad "unknown cell" 2 "--cell" -- train --cell transformer
run_bad "flag without value" 2 "--steps needs a value" -- train --steps
run_bad "unknown command" 2 "unknown command" -- frobnicate
head -c 100 "$work/a.st" >"$work/trunc.st"
run_bad "truncated checkpoint" 2 "header length .* past the end" -- sample "$work/trunc.st"
printf '\x10\x00\x00\x00\x00\x00\x00\x00{"a":[1,2,3' >"$work/json.st"
run_bad "corrupted checkpoint header" 2 "json.st" -- eval "$work/json.st" "$here/fixtures/eval_text.txt"
run_bad "not a checkpoint at all" 2 "eval_text.txt" -- sample "$here/fixtures/eval_text.txt"
run_bad "eval of a missing file" 2 "nope.txt" -- eval "$work/a.st" "$work/nope.txt"
run_bad "resume from a PyTorch model file onto a missing corpus" 2 "nope.txt" \
    -- train --resume "$here/fixtures/ckpt_torch_lstm.safetensors" --corpus "$work/nope.txt" --quiet

run_bad "corpus that never ends (/dev/zero)" 2 "not a regular file" -- train --corpus /dev/zero --quiet
mkfifo "$work/fifo"
run_bad "corpus that is a FIFO (would block)" 2 "not a regular file" -- train --corpus "$work/fifo" --quiet
run_bad "--save onto a FIFO (rename would replace it)" 2 "not a regular file" -- train "${small[@]}" --steps 2 --save "$work/fifo"
check "the FIFO is still a FIFO" test -p "$work/fifo"
mkdir "$work/adir"
run_bad "--save to a directory is refused before training" 2 "it is a directory" -- train "${small[@]}" --steps 100000 --save "$work/adir"
run_bad "a model too big for this machine" 2 "more than the .* GB of memory here; lower --hidden" -- train --hidden 8192 --layers 16 --quiet
"$bin" train --corpus "$root/corpora/chinese.txt" --steps 3 --eval-every 3 --quiet --save "$work/zhd.st"
check "the Chinese corpus trains with the default flags (short validation split read in fewer streams)" test -s "$work/zhd.st"

run_bad "a directory given as a Lua script" 2 "a directory" -- run "$work/adir"
if [ -c /dev/full ]; then
    "$bin" sample "$work/a.st" --length 20 >/dev/full 2>"$work/full.err"
    rc=$?
    check "output that cannot be written (a full disk) fails with exit 1 and says so" \
        bash -c "[ $rc -eq 1 ] && grep -q 'cannot write the output' '$work/full.err'"
    run_bad "--log on a full disk" 1 "--log /dev/full: cannot write" -- train "${small[@]}" --steps 3 --eval-every 0 --log /dev/full --save "$work/full.st"
fi

# --- a diverging run stops, names the tensor, and keeps the last good checkpoint --------------
"$bin" train "${small[@]}" --optim sgd --lr 1 --clip 0 --dropout 0 --steps 2 --eval-every 0 --save "$work/div.st"
"$bin" train --resume "$work/div.st" --lr 1e30 --steps 500 --save-every 1 --quiet 2>"$work/div.err"
rc=$?
check "divergence: exit status 1 and one line saying what went non-finite and where the last good checkpoint is" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l <'$work/div.err') -eq 1 ] && grep -q 'not finite.*last good checkpoint is .*div.st' '$work/div.err'"
check "divergence: the last saved checkpoint still loads" "$bin" sample "$work/div.st" --length 3 --prime a
"$bin" train "${small[@]}" --optim sgd --lr 1 --clip 0 --dropout 0 --steps 2 --eval-every 0 --save "$work/div2.st"
"$bin" train --resume "$work/div2.st" --lr 1e30 --steps 500 --save "$work/elsewhere.st" --quiet 2>"$work/div2.err"
check "divergence before any save names the resumed file, not the unwritten --save path" \
    bash -c "grep -q 'last good checkpoint is .*div2.st (step 2)' '$work/div2.err' && [ ! -e '$work/elsewhere.st' ]"

# --- metadata alone never sizes an allocation: a 121-byte file asking for a huge model ---------
# write_header FILE JSON: an 8-byte little-endian length, then the JSON header, no data
write_header() {
    local n=${#2} le="" i
    for i in 0 1 2 3 4 5 6 7; do le="$le$(printf '\\x%02x' $(( (n >> (8 * i)) & 255 )))"; done
    printf "$le" >"$1"
    printf '%s' "$2" >>"$1"
}
write_header "$work/huge.st" '{"__metadata__":{"cell":"lstm","layers":"64","hidden":"65536","embed":"1","vocab_size":"256","tokenizer":"byte"}}'
check "the 121-byte checkpoint is 121 bytes" bash -c "[ \$(wc -c <'$work/huge.st') -eq 121 ]"
run_bad "sample of a checkpoint asking for 64 layers of 65536" 2 "layers.*\\[1, 16\\]" -- sample "$work/huge.st"
write_header "$work/big.st" '{"__metadata__":{"cell":"lstm","layers":"16","hidden":"8192","embed":"1","vocab_size":"256","tokenizer":"byte"}}'
run_bad "sample of a header-only checkpoint at the limits: no allocation, a missing tensor" 2 "missing tensor embedding.weight" -- sample "$work/big.st"
run_bad "eval of it" 2 "missing tensor embedding.weight" -- eval "$work/big.st" "$root/corpora/lighthouse.txt"
run_bad "grad of it" 2 "missing tensor embedding.weight" -- grad "$work/big.st" "$root/corpora/lighthouse.txt" --out "$work/g.st"
run_bad "train --resume of it" 2 "missing tensor embedding.weight" -- train --headless --resume "$work/big.st"

# --- a save clears the temporaries of earlier saves that were killed, never a live one -----------
touch -d '2 minutes ago' "$work/.keep.st.tmpAAAAAA" "$work/.keep.st.tmpCCCCCC"
touch "$work/.keep.st.tmpCCCCCC" # a save that has only just made its file
flock "$work/.keep.st.tmpBBBBBB" sleep 8 &
locker=$!
sleep 0.3
touch -d '2 minutes ago' "$work/.keep.st.tmpBBBBBB"
"$bin" train --headless "${small[@]}" --steps 2 --eval-every 0 --save "$work/keep.st"
check "a save removes an orphaned temporary of its path (a killed save's)" bash -c "[ ! -e '$work/.keep.st.tmpAAAAAA' ]"
check "but not one a live save still holds, nor one just made" \
    bash -c "[ -e '$work/.keep.st.tmpBBBBBB' ] && [ -e '$work/.keep.st.tmpCCCCCC' ]"
kill "$locker" 2>/dev/null; wait "$locker" 2>/dev/null

# --- a full disk for an output stops the run, but saves it first -----------------------------------
for out in log csv; do
    rm -f "$work/full-$out.st"
    "$bin" train --headless "${small[@]}" --steps 5 --eval-every 0 --$out /dev/full --save "$work/full-$out.st" 2>"$work/err"
    rc=$?
    check "--$out on a full disk: exit 1, one line, and the run is saved anyway" \
        bash -c "[ $rc -eq 1 ] && [ \$(wc -l <'$work/err') -eq 1 ] && grep -q 'cannot write.*run is saved to' '$work/err' && '$bin' sample '$work/full-$out.st' --length 2 --prime a >/dev/null"
done

# --- SIGHUP (an SSH session closing) saves a headless run as Ctrl-C does ----------------------------
"$bin" train --headless "${small[@]}" --steps 1000000 --eval-every 0 --save "$work/hup.st" 2>"$work/hup.err" &
trainer=$!
sleep 1.5
kill -HUP "$trainer"
wait "$trainer"
rc=$?
check "SIGHUP: the run stops (exit 130) and is saved, and the save loads" \
    bash -c "[ $rc -eq 130 ] && '$bin' sample '$work/hup.st' --length 3 --prime a >/dev/null"

# --- misspellings get "did you mean"; common mistakes get the right advice -------------------------
run_bad "sample --lenght: did you mean --length" 2 "did you mean --length\?" -- sample "$work/a.st" --lenght 5
run_bad "train --hiden: did you mean --hidden" 2 "did you mean --hidden\?" -- train "${small[@]}" --hiden 5
run_bad "sample --temperature 0: points to --argmax" 2 "that is --argmax" -- sample "$work/a.st" --temperature 0
run_bad "eval with a missing text FILE: names FILE, not --corpus" 2 "/nonexistent.txt: cannot read the text FILE" -- \
    eval "$work/a.st" /nonexistent.txt
printf 'rnn.model{hiden = 8}\n' >"$work/typo.lua"
"$bin" run "$work/typo.lua" >/dev/null 2>"$work/typo.err"
check "a misspelt Lua key: rnn.model{hiden} says did you mean 'hidden'" grep -q "unknown key 'hiden' (did you mean 'hidden'?)" "$work/typo.err"
printf 'local s = rnn.get("forget_bias_one") print(s)\n' >"$work/bare.lua"
out=$("$bin" run --forget-bias-one "$work/bare.lua" 2>&1)
check "run takes a boolean setting bare, as train does (--forget-bias-one: '$out')" test "$out" = true -o "$out" = 1

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
