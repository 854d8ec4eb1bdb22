#!/usr/bin/env bash
# bench.sh — `make bench`: rnnscope's training speed and memory beside the
# PyTorch reference of the same model, in the same run, with the same threads.
#
#   scripts/dev/bench.sh [BINARY] [--threads N] [--hidden 128,512] [--steps N]
#
# Prints one table: tokens/s of both and their ratio, achieved GFLOP/s against
# OpenBLAS sgemm on a 2048^3 product, peak RSS against the memory the maths
# needs. PyTorch runs from the first python3 that imports torch (Debian's
# python3-torch installs it); without one, only rnnscope's numbers are shown.
set -euo pipefail
bin=build/rnnscope
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then bin=$1; shift; fi
threads=$(nproc)
hidden=128,512
steps=0
while [ $# -gt 0 ]; do
    case $1 in
        --threads) threads=$2; shift 2 ;;
        --hidden) hidden=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        *) echo "bench.sh: unknown option $1 (use --threads N, --hidden LIST, --steps N)" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$root/../shared/corpora/tinyshakespeare.txt"
[ -f "$corpus" ] || corpus="$root/data/tinyshakespeare.txt"
if [ ! -f "$corpus" ]; then
    corpus="$root/corpora/lighthouse.txt"
    echo "note: tiny-shakespeare not found (scripts/dev/download_corpora.sh fetches it); using $corpus" >&2
fi
py=""
for cand in python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c "import torch" 2>/dev/null; then py=$cand; break; fi
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bin" bench --json --threads "$threads" --hidden "$hidden" --steps "$steps" --corpus "$corpus" >"$out"
IFS=, read -ra sizes <<<"$hidden"
for h in "${sizes[@]}"; do
    if [ -n "$py" ]; then
        tsteps=$steps
        [ "$tsteps" -gt 0 ] || { [ "$h" -le 256 ] && tsteps=50 || tsteps=10; }
        # PyTorch gets its best use of the same cores: its own threads with a
        # single-threaded BLAS, or one thread over a multi-threaded BLAS (both
        # at once oversubscribe the cores and run several times slower).
        best=""
        for conf in "$threads 1" "1 $threads"; do
            read -r tt bt <<<"$conf"
            line=$(OPENBLAS_NUM_THREADS=$bt "$py" "$here/torch_reference.py" bench --corpus "$corpus" \
                --hidden "$h" --threads "$tt" --steps "$tsteps" | sed "s/}\$/, \"blas_threads\": $bt}/")
            tps=$(echo "$line" | sed -E 's/.*"tokens_per_s": ([0-9.]+).*/\1/')
            if [ -z "$best" ] || awk -v a="$tps" -v b="$btps" 'BEGIN { exit !(a > b) }'; then
                best=$line; btps=$tps
            fi
            [ "$threads" -gt 1 ] || break
        done
        echo "$best" >>"$out"
    fi
done

# one table from the JSON lines
awk -v threads="$threads" -v corpus="$corpus" '
function val(line, key,   m) {
    if (match(line, "\"" key "\":[^,}]*")) { m = substr(line, RSTART, RLENGTH); sub(/^[^:]*:/, "", m); gsub(/"/, "", m); return m }
    return ""
}
/"kind":"sgemm"/ { sgemm = val($0, "gflops"); core = val($0, "core") }
/"kind":"model"/ { h = val($0, "hidden"); order[++n] = h; tps[h] = val($0, "tokens_per_s"); gf[h] = val($0, "gflops");
                   rss[h] = val($0, "peak_rss_mb"); math[h] = val($0, "math_mb"); heap[h] = val($0, "heap_growth_bytes"); ms[h] = val($0, "ms_per_step") }
/"kind": "torch"/ { line = $0; gsub(/ /, "", line); h = val(line, "hidden"); ttps[h] = val(line, "tokens_per_s"); tver = val(line, "torch")
                    tconf[h] = val(line, "threads") " torch x " val(line, "blas_threads") " BLAS" }
END {
    tnote = (tver != "") ? ", PyTorch " tver : ", PyTorch not found"
    printf "corpus %s, %d thread(s), OpenBLAS %s kernels, sgemm 2048^3: %.1f GFLOP/s%s\n\n", corpus, threads, core, sgemm, tnote
    printf "%-6s %12s %9s %12s %8s %9s %8s %10s %9s %11s %9s\n", "H", "tokens/s", "ms/step", "torch tok/s", "ratio", "GFLOP/s", "%sgemm", "peak RSS", "maths", "RSS-maths", "heap+"
    for (i = 1; i <= n; i++) {
        h = order[i]
        ratio = (ttps[h] > 0) ? sprintf("%.2fx", tps[h] / ttps[h]) : "-"
        tcol = (ttps[h] > 0) ? sprintf("%.0f", ttps[h]) : "-"
        printf "%-6s %12.0f %9.1f %12s %8s %9.1f %7.0f%% %8.1fMB %7.1fMB %9.1fMB %9s\n", h, tps[h], ms[h], tcol, ratio, gf[h], 100 * gf[h] / sgemm, rss[h], math[h], rss[h] - math[h], heap[h]
    }
    for (i = 1; i <= n; i++) if (tconf[order[i]] != "") printf "PyTorch at H=%s: best of its thread settings was %s thread(s)\n", order[i], tconf[order[i]]
}' "$out"

# Dashboard overhead: the same run headless and inside the dashboard (a
# detached tmux terminal, 100x30); both report tokens per second of step time,
# the dashboard on stderr after it exits. The target is >= 95% of headless.
if command -v tmux >/dev/null 2>&1; then
    tuih=${hidden##*,}
    tuisteps=$steps
    [ "$tuisteps" -gt 0 ] || { [ "$tuih" -le 256 ] && tuisteps=150 || tuisteps=20; }
    tw=$(mktemp -d)
    tflags=(--corpus "$corpus" --hidden "$tuih" --threads "$threads" --steps "$tuisteps" --eval-every 0)
    "$bin" train --headless --quiet "${tflags[@]}" --save "$tw/h.st" --log "$tw/h.log"
    htps=$(awk '
        { if (match($0, /"tokens_per_s":[0-9.e+]+/)) { v = substr($0, RSTART + 15, RLENGTH - 15); if (v > 0) { inv += 1 / v; n++ } } }
        END { if (inv > 0) printf "%.0f", n / inv }' "$tw/h.log")
    absbin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
    tmux -L "rnnscope-bench-$$" -f /dev/null new-session -d -s b -x 100 -y 30 \
        "LANG=C.UTF-8 XDG_STATE_HOME='$tw' '$absbin' tui --exit-at-end --save '$tw/t.st' $(printf "'%s' " "${tflags[@]}") 2>'$tw/t.err'; touch '$tw/done'"
    while [ ! -e "$tw/done" ]; do sleep 0.2; done
    tmux -L "rnnscope-bench-$$" kill-server >/dev/null 2>&1 || true
    ttps=$(sed -nE 's/.*dashboard trained [0-9]+ steps at ([0-9.]+) tokens\/s.*/\1/p' "$tw/t.err")
    echo
    if [ -n "$ttps" ] && [ -n "$htps" ]; then
        awk -v h="$htps" -v t="$ttps" -v H="$tuih" -v n="$tuisteps" 'BEGIN {
            printf "dashboard overhead, H=%s, %s steps: headless %.0f tok/s, dashboard %.0f tok/s = %.1f%% of headless (target >= 95%%)\n", H, n, h, t, 100 * t / h }'
    else
        echo "dashboard overhead: could not measure ($(head -c 200 "$tw/t.err"))"
    fi
    rm -rf "$tw"
fi
