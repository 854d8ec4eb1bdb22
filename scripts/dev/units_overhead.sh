#!/usr/bin/env bash
# units_overhead.sh — how much the units screen slows training: the dashboard
# trains the same run with the dashboard screen and with the units screen
# open (which recomputes every unit's activations on the UI's weight copy as
# the weights change), interleaved, and prints tokens/s of each and the ratio.
#
# Usage: scripts/dev/units_overhead.sh [BUILD_DIR] [ROUNDS] [HIDDEN...]
# Needs tmux (the dashboard needs a terminal). A benchmark, not a test.
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
shift $(( $# > 2 ? 2 : $# )) || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(128 512)
bin="$(cd "$(dirname "$build/rnnscope")" && pwd)/rnnscope"
corpus="$(pwd)/corpora/lighthouse.txt"
tmp=$(mktemp -d)
trap 'tmux -L uo kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

# one run: the tokens/s the dashboard reports when it exits
run_once() { # hidden layout steps
    local out="$tmp/$1-$2.txt"
    rm -f "$out"
    tmux -L uo new-session -d -x 120 -y 40 \
        "cd '$tmp' && '$bin' tui --corpus '$corpus' --hidden $1 --steps $3 --exit-at-end --layout $2 \
         --save '$tmp/run-$1-$2.safetensors' --force 2>'$out'"
    while tmux -L uo has-session 2>/dev/null; do sleep 0.5; done
    sed -n 's/.*dashboard trained [0-9]* steps at \([0-9.]*\) tokens\/s.*/\1/p' "$out"
}

printf '%-8s %-8s %12s %12s %8s\n' hidden round "dashboard" "units" "ratio"
for h in "${sizes[@]}"; do
    steps=$(( h >= 512 ? 120 : 600 ))
    for r in $(seq 1 "$rounds"); do
        a=$(run_once "$h" default "$steps")
        b=$(run_once "$h" units "$steps")
        printf '%-8s %-8s %12s %12s %8s\n' "$h" "$r" "$a" "$b" \
            "$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "-" }')"
    done
done
