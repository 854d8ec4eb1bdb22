#!/usr/bin/env bash
# calibrate.sh — measure the findings engine's signals on healthy runs, the
# numbers behind the thresholds in src/core/findings.c (docs/diagnosis.md).
#
# Usage: scripts/dev/calibrate.sh [BUILD_DIR] [OUT_DIR]
# Runs every recipe below with `rnnscope diagnose --signals`, two at a time,
# then prints per recipe the extremes of each signal a threshold reads, and
# the extremes over all of them. Needs jq, and data/tinyshakespeare.txt
# (scripts/dev/download_corpora.sh fetches it).
set -euo pipefail
build=${1:-build}
out=${2:-calibration}
bin="$build/rnnscope"
shk=${TINYSHAKESPEARE:-data/tinyshakespeare.txt}
mkdir -p "$out"
[ -r "$shk" ] || { echo "calibrate.sh: $shk is missing; run scripts/dev/download_corpora.sh" >&2; exit 2; }

# name|flags (each a healthy recipe: it learns, does not overfit within its steps)
recipes=(
"ref-lstm-2x128|--corpus $shk --steps 1000"
"gru-2x128|--corpus $shk --cell gru --steps 1000"
"rnn-1x128|--corpus $shk --cell rnn --layers 1 --steps 1000"
"rnn-2x256-sgd|--corpus $shk --cell rnn --hidden 256 --optim sgd --lr 0.5 --momentum 0.9 --steps 800"
"lstm-3x256-drop|--corpus $shk --layers 3 --hidden 256 --dropout 0.3 --steps 500"
"lstm-1x512|--corpus $shk --layers 1 --hidden 512 --steps 300"
"lstm-rmsprop|--corpus $shk --optim rmsprop --lr 2e-3 --steps 800"
"lstm-cosine|--corpus $shk --schedule cosine --warmup 50 --steps 800"
"word-lstm|--corpus $shk --tokenizer word --max-vocab 4000 --layers 1 --hidden 256 --embed 128 --batch 32 --seq 32 --steps 800"
"lstm-1x32-light|--corpus corpora/lighthouse.txt --layers 1 --hidden 32 --embed 16 --steps 800"
"lstm-fb1-brackets|--corpus corpora/brackets.txt --forget-bias-one --steps 800"
"gru-1x64-recall|--corpus corpora/recall_short.txt --cell gru --layers 1 --hidden 64 --seq 48 --steps 800"
"lstm-b16s100-light|--corpus corpora/lighthouse.txt --batch 16 --seq 100 --steps 300"
"lstm-drop05-light|--corpus corpora/lighthouse.txt --dropout 0.5 --steps 300"
)
run() {
    local name=${1%%|*} flags=${1#*|}
    # shellcheck disable=SC2086
    "$bin" diagnose $flags --threads 1 --quiet --json --signals "$out/$name.jsonl" >"$out/$name.json" 2>"$out/$name.err" ||
        echo "calibrate.sh: $name failed: $(cat "$out/$name.err")" >&2
}
if [ "${SKIP_RUNS:-0}" != 1 ]; then
    i=0
    for r in "${recipes[@]}"; do
        run "$r" &
        i=$((i + 1))
        [ $((i % 2)) -eq 0 ] && wait
    done
    wait
fi
# Extremes per recipe. Each signal is read where its threshold reads it:
# the update ratio after step 20, loss rebound once the loss has come down,
# spikes after 16 steps, the decay probe after step 200, gates after step 10.
summary='
  def mx(f): ([.[] | f | select(. != null)] | max);
  def mn(f): ([.[] | f | select(. != null)] | min);
  {
    update_max: mx(select(.step > 20) | .update_ratio),
    update_min: mn(select(.step > 20) | .update_ratio),
    rebound_frac_max: mx(select(.loss0 - .best_fast > 0.4) | (.ema_fast - .best_fast) / (.loss0 - .best_fast)),
    spike_max: mx(select(.step > 16) | .grad_spike),
    clip_frac_max: mx(.clip_frac),
    spd_min: mn(select(.step > 200) | .steps_per_decade),
    growth_max: mx(select(.step > 200) | .growth_back),
    forget_min: mn(select(.step > 10) | .forget_min),
    sat_max: mx(select(.step > 10) | .sat_max),
    dead_max: mx(select(.step > 10) | .dead_max),
    val_above_best_max: mx(.val_above_best),
    train_minus_val_max: mx(select(.step > 150) | .train_minus_val),
    unigram_cross: ([.[] | select(.ema_fast != null)] | first(.[] | select(.ema_fast < .loss0 - 0.5) | .step) // null),
    verdicts: ([.[] | .verdict] | unique)
  }'
printf '%s\n' "per recipe:"
for r in "${recipes[@]}"; do
    name=${r%%|*}
    [ -s "$out/$name.jsonl" ] || continue
    printf '%-20s %s  findings: %s\n' "$name" "$(jq -s -c "$summary" "$out/$name.jsonl")" \
        "$(jq -c '[.findings[] | .id + ":" + .severity]' "$out/$name.json" 2>/dev/null)"
done
echo "over all recipes:"
cat "$out"/*.jsonl | jq -s -c "$summary"
