#!/usr/bin/env bash
# e2e_flags.sh — issue 10, "bad flag values": every flag value is parsed strictly.
# A table of bad values across the commands: each must exit 2 with exactly one
# line on stderr that names the flag, quickly, and never dump core. Then good
# edge values that must be accepted, the corpus byte errors (quoted as \xNN,
# never raw), the "resuming RUN: corpus PATH" line and --log-every.
#
# The rules (README.md, "Flags"): whole numbers are [-]digits only (no +5, " 5",
# 5 with a trailing space, 0x10, 1e3, 5.0); real numbers [-]digits[.digits][e[+-]digits]
# (no nan, inf, hex floats, junk); path and name values are not empty, at most
# 1023 bytes, without control characters; a flag given twice is an error; a
# separate value starting with -- is taken for a forgotten value.
set -u
bin=${RNNSCOPE_BIN:-build/rnnscope}
here=${RNNSCOPE_TESTS:-tests}
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
case $here in /*) ;; *) here="$PWD/$here" ;; esac
root="$here/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
ulimit -c unlimited 2>/dev/null
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# reject FLAG ARGS...: `rnnscope ARGS` exits 2 within 30 s, no core file, exactly
# one line on stderr, and that line names --FLAG (FLAG "-" skips the name check)
n_bad=0
reject() {
    local flag=$1; shift
    n_bad=$((n_bad + 1))
    rm -f core core.*
    timeout 30 "$bin" "$@" </dev/null >"$work/out" 2>"$work/err"
    local rc=$? lines shown
    lines=$(wc -l <"$work/err")
    shown=$(printf '%q ' "$@" | head -c 160)
    local why=""
    [ "$rc" -eq 2 ] || why="$why exit $rc (want 2)"
    [ "$lines" -eq 1 ] || why="$why $lines stderr lines"
    if [ "$flag" != - ] && ! grep -qF -- "--$flag" "$work/err"; then why="$why does not name --$flag"; fi
    if compgen -G "core*" >/dev/null; then why="$why core dumped"; fi
    if LC_ALL=C grep -q '[^ -~]' "$work/err"; then why="$why raw bytes on stderr"; fi
    if [ -z "$why" ]; then
        ok "bad #$n_bad: $shown-> $(cat "$work/err")"
    else
        bad "bad #$n_bad: $shown->$why: $(head -c 300 "$work/err" | cat -v)"
    fi
}

# accept WHAT ARGS...: exits 0
accept() {
    local what=$1; shift
    timeout 60 "$bin" "$@" </dev/null >"$work/out" 2>"$work/err"
    local rc=$?
    if [ "$rc" -eq 0 ]; then ok "good: $what"; else bad "good: $what: exit $rc: $(head -c 300 "$work/err" | cat -v)"; fi
}

corpus="$root/corpora/lighthouse.txt"
base=(--headless --quiet --hidden 8 --embed 4 --batch 2 --seq 8 --threads 1)
tiny=("${base[@]}" --corpus "$corpus" --eval-every 0)
"$bin" train "${tiny[@]}" --steps 2 --save "$work/ck.st" >/dev/null 2>&1
check "a tiny checkpoint to sample from" test -s "$work/ck.st"
ck="$work/ck.st"
long1100=$(printf 'a%.0s' $(seq 1100))
long5000=$(printf 'b%.0s' $(seq 5000))

# --- whole numbers ------------------------------------------------------------------------------
reject batch    train --batch 0x10
reject batch    train --batch " 5"
reject batch    train --batch "5 "
reject batch    train --batch +5
reject batch    train --batch 1e3
reject batch    train --batch 5.0
reject batch    train --batch=
reject batch    train --batch -1
reject batch    train --batch 0
reject batch    train --batch 4097
reject batch    train --batch 99999999999999999999
reject batch    train --batch 5abc
reject batch    train --batch 1_000
reject batch    train --batch "$(printf '\xd9\xa5')"
reject steps    train --steps 1e3
reject steps    train --steps -5
reject steps    train --steps 1000000000000001
reject steps    train --steps 9223372036854775808
reject warmup   train --warmup -1
reject step-size train --step-size 0
reject eval-every train --eval-every 1.5
reject eval-chunks train --eval-chunks 0x1
reject threads  train --threads 257
reject layers   train --layers 0
reject layers   train --layers 100
reject hidden   train --hidden 0
reject embed    train --embed -3
reject max-vocab train --max-vocab 1
reject seq      train --seq 0
reject seed     train --seed -1
reject seed     train --seed 1.5
reject seed     train --seed 0x10
reject seed     train --seed 18446744073709551616
reject save-every train --save-every 1e2
reject ngram    train --ngram 11

# --- real numbers and their domains --------------------------------------------------------------
for v in nan NaN inf -inf Infinity 0x1p-3 1e 1e+ . - 1.2.3 0.1x " 0.1" "0.1 " +0.1 "" 0 -0.001 1e400 1e-400; do
    reject lr train --lr "$v"
done
reject eps      train --eps 0
reject eps      train --eps -1e-8
reject eps      train --eps 2
reject momentum train --momentum 1
reject momentum train --momentum -0.1
reject beta1    train --beta1 1
reject beta2    train --beta2 1
reject beta2    train --beta2 -0.5
reject alpha    train --alpha 1
reject dropout  train --dropout 1
reject dropout  train --dropout 0.96
reject dropout  train --dropout -0.1
reject val-frac train --val-frac 0.6
reject val-frac train --val-frac 1
reject val-frac train --val-frac -0.01
reject clip     train --clip -1
reject clip-value train --clip-value -0.5
reject gamma    train --gamma 0
reject gamma    train --gamma 1.5
reject weight-decay train --weight-decay -1
reject min-lr   train --min-lr -1

# --- choices and booleans ---------------------------------------------------------------------------
reject nesterov train --nesterov=maybe
reject forget-bias-one train --forget-bias-one=2
reject cell     train --cell lstm2
reject cell     train --cell ""
reject tokenizer train --tokenizer chars
reject schedule train --schedule linear
reject optim    train --optim adamx
reject quiet    train --quiet=yes
reject json     eval "$ck" "$corpus" --json=2

# --- paths and names -------------------------------------------------------------------------------
reject save     train --save ""
reject save     train --save=
reject corpus   train --corpus ""
reject log      train --log ""
reject csv      train --csv ""
reject tensorboard train --tensorboard ""
reject resume   train --resume ""
reject save     train --save $'a\nb.st'
reject corpus   train --corpus $'x\ty.txt'
reject log      train --log $'\e[31mred'
reject save     train --save "$long1100"
reject corpus   train --corpus "$long1100"
reject resume   train --resume "$long5000"
reject out      grad "$ck" "$corpus" --out ""
reject signals  diagnose --signals ""
reject save     diagnose --save ""
reject theme    tui --theme ""
reject layout   tui --layout $'wide\r'

# --- a forgotten value, duplicates, the wrong command ------------------------------------------------
reject save     train --save --lr 0.1
reject corpus   train --corpus --steps 5
reject lr       train --lr --steps 5
reject resume   train --resume --force
reject steps    train --steps
reject length   sample "$ck" --length
reject lr       train --lr 0.1 --lr 0.2
reject quiet    train --quiet --quiet
reject steps    train --steps 1 --steps=2
reject save     train --save a.st --save b.st
reject prime    train --prime x
reject out      train --out x
reject lr       sample "$ck" --lr 0.1
reject steps    eval "$ck" "$corpus" --steps 5
reject json     grad "$ck" "$corpus" --json
reject hidden   gradcheck --hidden 8
reject cell     bench --cell lstmx
reject dropout  bench --dropout 0.1
reject max-vocab bench --max-vocab 1
reject seconds  bench --seconds -1
reject log      diagnose --log x
reject log      tui --log x
reject theme    train --theme dark
reject -        train $'stray\x1b'

# --- --log-every ---------------------------------------------------------------------------------------
reject log-every train --log x.log --log-every 0
reject log-every train --log x.log --log-every 1.5
reject log-every train --log x.log --log-every -1
reject log-every train --log-every 5

# --- the other commands ---------------------------------------------------------------------------------
reject temperature sample "$ck" --temperature 0
reject temperature sample "$ck" --temperature -1
reject temperature sample "$ck" --temperature nan
reject temperature sample "$ck" --temperature 101
reject top-p    sample "$ck" --top-p 0
reject top-p    sample "$ck" --top-p 1.5
reject top-p    sample "$ck" --top-p inf
reject top-k    sample "$ck" --top-k -1
reject top-k    sample "$ck" --top-k 1.5
reject length   sample "$ck" --length 0
reject length   sample "$ck" --length 1e3
reject beam     sample "$ck" --beam 4097
reject seed     sample "$ck" --seed -1
reject seed     sample "$ck" --seed 0x10
reject layers   gradcheck --layers 0
reject layers   gradcheck --layers 1.0
reject seed     gradcheck --seed +1
reject cell     gradcheck --cell ""
reject hidden   bench --hidden ""
reject hidden   bench --hidden 12,,3
reject hidden   bench --hidden " 12"
reject hidden   bench --hidden 128,
reject steps    bench --steps 1e3
reject threads  bench --threads -1
reject steps    diagnose --steps 0x5
reject json     diagnose --json=x
reject ngram    tui --ngram 11
reject ngram    tui --ngram 1.5
reject lr       run --lr nan
reject corpus   run --corpus ""
reject eps      run --eps 0
check "at least 80 bad values were tried ($n_bad)" test "$n_bad" -ge 80

# --- good edge values must be accepted ---------------------------------------------------------------------
accept "--lr 1e-3, 1E-3, .5 and 5. forms" train "${tiny[@]}" --steps 1 --lr 1E-3 --save "$work/g1.st"
accept "--lr .5" train "${tiny[@]}" --steps 1 --lr .5 --save "$work/g2.st"
accept "--lr 5." train "${tiny[@]}" --steps 1 --lr 5. --clip 1 --save "$work/g3.st"
accept "--eps 1e-8 and --eps default" train "${tiny[@]}" --steps 1 --eps 1e-8 --beta2 default --save "$work/g4.st"
accept "--dropout 0, --clip 0, --momentum 0 with sgd, --val-frac 0" \
    train "${tiny[@]}" --steps 1 --dropout 0 --clip 0 --optim sgd --momentum 0 --val-frac 0 --save "$work/g5.st"
accept "--optim sgd --momentum 0.9 --nesterov=yes --gamma 1 --schedule step" \
    train "${tiny[@]}" --steps 1 --optim sgd --momentum 0.9 --nesterov=yes --gamma 1 --schedule step --save "$work/g6.st"
accept "--batch=2 form, --steps 001 (leading zeros are decimal), --seed 18446744073709551615" \
    train --headless --quiet --corpus "$corpus" --hidden 8 --embed 4 --batch=2 --seq 8 --threads 1 --eval-every 0 \
    --steps 001 --seed 18446744073709551615 --save "$work/g7.st"
accept "--seed 0 and -0 for --warmup" train "${tiny[@]}" --steps 1 --seed 0 --warmup -0 --save "$work/g8.st"
accept "--save with spaces and UTF-8 in the name" train "${tiny[@]}" --steps 1 --save "$work/a run é.st"
accept "--save=--odd.st: a value starting with -- given with =" train "${tiny[@]}" --steps 1 --save=--odd.st
accept "--log-every 1" train "${tiny[@]}" --steps 2 --save "$work/g9.st" --log "$work/g9.log" --log-every 1
accept "sample --top-p 1 --top-k 0 --temperature 100" sample "$ck" --length 3 --top-p 1 --top-k 0 --temperature 100
accept "sample --temperature 0.000001 --seed 0" sample "$ck" --length 3 --temperature 0.000001 --seed 0
accept "sample --prime '' (free text may be empty)" sample "$ck" --length 3 --prime ""
accept "sample --prime=--lr (free text that starts with --)" sample "$ck" --length 3 --prime=--lr
accept "sample --prime with a newline" sample "$ck" --length 3 --prime $'a\nb'
accept "eval --json=1" eval "$ck" "$corpus" --json=1
accept "-- ends the flags" eval --json -- "$ck" "$corpus"
accept "gradcheck --layers 1 --seed 9200000000000000000 --cell rnn" gradcheck --layers 1 --seed 9200000000000000000 --cell rnn

# --- corpus byte errors: the offset and the bytes as \xNN, never the file's text -----------------------------
{ head -c 3000 "$corpus"; printf '\xc3\x28\x1b[31mRED'; tail -c +3001 "$corpus"; } >"$work/bad.txt"
reject - train "${base[@]}" --corpus "$work/bad.txt"
check "invalid UTF-8: the byte offset and the bytes as \\xNN" grep -qF 'byte offset 3000 (truncated sequence; the bytes there: \xC3\x28\x1B\x5B...)' "$work/err"
{ head -c 3000 "$corpus"; printf '\x00'; tail -c +3001 "$corpus"; } >"$work/nul.txt"
accept "a NUL byte is a token of its own under --tokenizer char" train "${base[@]}" --eval-every 0 --steps 1 --corpus "$work/nul.txt" --save "$work/nul.st"

# --- resuming takes the corpus from the checkpoint, and says so first -------------------------------------------
"$bin" train --headless --corpus "$corpus" --hidden 8 --embed 4 --batch 2 --seq 8 --threads 1 --eval-every 0 --steps 1 \
    --save "$work/r.st" >/dev/null 2>&1
"$bin" train --headless --resume "$work/r.st" --steps 2 2>"$work/rerr" >/dev/null
check "--resume RUN without --corpus: the first line says the corpus comes from the checkpoint" \
    bash -c "head -n 1 '$work/rerr' | grep -qF 'resuming $work/r.st: corpus ' && head -n 1 '$work/rerr' | grep -qF 'lighthouse.txt from the checkpoint'"
"$bin" train --headless --resume "$work/r.st" --corpus "$corpus" --steps 3 2>"$work/rerr" >/dev/null
check "with --corpus given there is no such line" bash -c "! grep -q 'from the checkpoint' '$work/rerr'"

# --- --log-every: every 10 steps by default, plus evaluations and the last step -------------------------------------
"$bin" train "${base[@]}" --corpus "$corpus" --steps 25 --eval-every 12 --eval-chunks 1 --save "$work/l.st" --log "$work/l.log" 2>"$work/l.err" || cat "$work/l.err"
steps_logged=$(grep -o '^{"step":[0-9]*,"epoch"' "$work/l.log" | grep -o '[0-9]*' | tr '\n' ' ')
check "default --log-every 10: step lines at 10, 20, the evaluations 12 and 24 and the last step 25 (got: $steps_logged)" \
    bash -c "for s in 10 12 20 24 25; do grep -q \"^{\\\"step\\\":\$s,\\\"epoch\\\"\" '$work/l.log' || exit 1; done; \
             ! grep -q '^{\"step\":3,\"epoch\"' '$work/l.log'"
check "evaluation lines are all there" test "$(grep -c '"val_loss"' "$work/l.log")" -eq 2
"$bin" train "${base[@]}" --corpus "$corpus" --steps 25 --eval-every 12 --eval-chunks 1 --save "$work/l1.st" --log "$work/l1.log" --log-every 1 2>"$work/l.err" || cat "$work/l.err"
check "--log-every 1 logs every step" test "$(grep -c '^{"step":[0-9]*,"epoch"' "$work/l1.log")" -eq 25

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
