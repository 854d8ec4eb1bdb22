#!/usr/bin/env bash
# learning_curve.sh — the same recipe trained by rnnscope and by PyTorch, validation
# loss side by side. Recipe: tiny-shakespeare, 90/10 split, B=50, T=50, 2x128 LSTM,
# embedding 64, Adam 2e-3, clip 5, one thread, seeds 1 2 3; validation over the whole
# held-out split at steps 500, 1000, 2000.
#
#   scripts/dev/learning_curve.sh [BINARY] [CORPUS]      (needs python3 with torch)
set -euo pipefail
bin=${1:-build/rnnscope}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${2:-$root/../shared/corpora/tinyshakespeare.txt}
py=/usr/bin/python3
command -v python3 >/dev/null && python3 -c "import torch" 2>/dev/null && py=python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in 1 2 3; do
    "$bin" train --headless --quiet --corpus "$corpus" --steps 2000 --eval-every 500 --threads 1 --seed "$s" \
        --save "$out/c_$s.safetensors" --log "$out/c_$s.jsonl" &
    "$py" "$here/torch_reference.py" curve --corpus "$corpus" --seed "$s" --threads 1 >"$out/t_$s.jsonl"
    wait
done
echo "| step | rnnscope val loss (seeds 1, 2, 3) | mean | PyTorch val loss (seeds 1, 2, 3) | mean |"
echo "|---|---|---|---|---|"
for step in 500 1000 2000; do
    c=$(for s in 1 2 3; do grep -o "{\"step\":$step,\"val_loss\":[0-9.]*" "$out/c_$s.jsonl" | sed 's/.*://'; done)
    t=$(for s in 1 2 3; do grep -o "\"step\": $step, .*\"val_loss\": [0-9.]*" "$out/t_$s.jsonl" | sed 's/.*: //'; done)
    printf '| %s | %s | %.4f | %s | %.4f |\n' "$step" \
        "$(printf '%.4f ' $c | sed 's/ $//; s/ /, /g')" "$(echo "$c" | awk '{s+=$1} END {print s/NR}')" \
        "$(printf '%.4f ' $t | sed 's/ $//; s/ /, /g')" "$(echo "$t" | awk '{s+=$1} END {print s/NR}')"
done
