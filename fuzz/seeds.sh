#!/usr/bin/env bash
# fuzz/seeds.sh — the seed corpus of the fuzz targets, made only from what
# rnnscope itself writes (plus the repository's own themes and corpora):
# tiny training runs of every cell and tokenizer give checkpoints (safetensors,
# checkpoint, resume, history), their headers and JSON logs (json), their
# findings state (findings), their TensorBoard event files (tbreader); the
# control socket's command lines are written out (control); the
# themes/ files seed the theme parser and the start of corpora/ files the
# corpus loader and tokenizers. Nothing here is committed: `make fuzz` runs it
# once into fuzz/corpus/ (gitignored); delete that folder to make it again.
#
# usage: fuzz/seeds.sh RNNSCOPE_BIN TINY_CORPUS OUT_DIR
set -euo pipefail
bin=$1
tiny=$(realpath "$2")   # absolute, as fuzz_resume gives it, so resumed seeds restore fully
out=$3
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in safetensors checkpoint resume history findings json theme corpus tokenizer tbreader control runlog; do
    mkdir -p "$out/$t"
done

# the header of a safetensors file: 8-byte little-endian length, then the JSON
header() {
    local n
    n=$(od -An -t u8 -N 8 "$1" | tr -d ' ')
    head -c $((n + 8)) "$1" | tail -c +9
}

# the safetensors-based targets take a mode byte first (fuzz_st_input): 0 the file as
# is, 1 its header length recomputed
st_seed() { # file, output prefix
    { printf '\0'; cat "$1"; } > "$2-raw.st"
    { printf '\1'; cat "$1"; } > "$2-fix.st"
}

i=0
run() { # name, training flags...
    local name=$1; shift
    local d="$tmp/$name"
    mkdir -p "$d"
    "$bin" train --headless --quiet --corpus "$tiny" --threads 1 --save "$d/run.safetensors" \
        --log "$d/log.jsonl" --tensorboard "$d/tb" "$@" >/dev/null
    for t in safetensors checkpoint resume history; do
        st_seed "$d/run.safetensors" "$out/$t/$name"
    done
    header "$d/run.safetensors" > "$out/json/$name-header.json"
    head -n 3 "$d/log.jsonl" | while IFS= read -r line; do
        i=$((i + 1))
        printf '%s' "$line" > "$out/json/$name-log$i.json"
    done
    tail -n 1 "$d/log.jsonl" | tr -d '\n' > "$out/json/$name-logend.json"
    # fuzz_runlog: a whole log (first byte: the seed of its piece sizes), within its -max_len
    head -c 60000 "$d/log.jsonl" > "$out/runlog/$name.jsonl"
    # findings.state is numbers and spaces, no JSON escapes: cut it out of the header
    header "$d/run.safetensors" | grep -ao '"findings.state":"[^"]*"' | sed 's/^"findings.state":"//; s/"$//' |
        tr -d '\n' > "$out/findings/$name.txt"
    # fuzz_tbreader: first byte even = the file as is, odd = CRCs recomputed
    local ev
    ev=$(ls "$d"/tb/events.out.tfevents.* | head -n 1)
    [ "$(wc -c < "$ev")" -le 32000 ] || return 0 # within fuzz_tbreader's -max_len
    { printf '\0'; cat "$ev"; } > "$out/tbreader/$name-raw.bin"
    { printf '\1'; cat "$ev"; } > "$out/tbreader/$name-fix.bin"
}

common=(--layers 1 --hidden 8 --embed 4 --batch 2 --seq 8 --val-frac 0.1)
run lstm-char "${common[@]}" --eval-every 2 --cell lstm --steps 4
run gru-byte "${common[@]}" --eval-every 2 --cell gru --tokenizer byte --steps 3 --optim rmsprop
run rnn-word "${common[@]}" --eval-every 2 --cell rnn --tokenizer word --max-vocab 40 --steps 3 --optim sgd \
    --momentum 0.9
run lstm2-char --layers 2 --hidden 4 --embed 4 --batch 2 --seq 4 --eval-every 2 --cell lstm --steps 3 \
    --optim adamw --schedule cosine --dropout 0.2
# a longer run: the history's coarse buckets and the findings' events fill in
run lstm-long "${common[@]}" --cell lstm --steps 300 --eval-every 50 --lr 0.05

# a model-only file (no run state) and a gradient file: other safetensors layouts
"$bin" grad --help >/dev/null 2>&1 && "$bin" grad "$tmp/lstm-char/run.safetensors" "$tiny" \
    --out "$tmp/grad.safetensors" >/dev/null 2>&1 && st_seed "$tmp/grad.safetensors" "$out/safetensors/grad" || true

# diagnose's JSON verdict
"$bin" diagnose --corpus "$tiny" --threads 1 --layers 1 --hidden 8 --embed 4 --batch 2 --seq 8 --steps 20 \
    --eval-every 10 --json 2>/dev/null | head -c 16000 > "$out/json/diagnose.json" || true

for f in "$here"/themes/*.theme; do
    cp "$f" "$out/theme/$(basename "$f")"
done

# corpus: first byte = tokenizer (0 char, 1 byte, 2 word) and options, then the file
for c in lighthouse chinese brackets recall_short; do
    head -c 2048 "$here/corpora/$c.txt" > "$tmp/$c.txt"
    for mode in 0 1 2 66; do
        { printf "\\$(printf '%03o' "$mode")"; cat "$tmp/$c.txt"; } > "$out/corpus/$c-$mode.txt"
    done
    head -c 1024 "$here/corpora/$c.txt" > "$out/tokenizer/$c.txt"
done
# the control socket's lines (fuzz_control): every command, good and bad arguments, garbage
printf ':pause\n:run\n:step\n:step 5\n:lr\n:lr 0.001\n:clip 0\n:clip 2.5\n:save\n:stop\n:status\n:help\n' \
    > "$out/control/all.txt"
printf 'pause\r\n  status  \nlr 1e-3\n:pasue\n:step 0\n:step 1.5\n:lr nan\n:lr -1\n:save x\n::\n\n' \
    > "$out/control/bad.txt"
printf ':step 1000000000\n:step 1000000001\n:lr 1000\n:lr 1e-12\n:clip 1e9\n\x00\x7f\xff\n' \
    > "$out/control/edges.txt"

echo "fuzz seeds: $(find "$out" -type f ! -name '.*' | wc -l) files in $out"
