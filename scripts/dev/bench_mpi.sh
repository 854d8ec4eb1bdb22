#!/usr/bin/env bash
# bench_mpi.sh — `make bench-mpi`: one process with N threads against N ranks
# of one thread each (mpirun) on the same recipe, the char LSTM of `make bench`
# (E=64, 2 layers, B=50, T=50), at each hidden size; rounds interleaved, best
# of each. Prints tokens/s of both, their ratio, and the gradient allreduce's
# time per step and its share of the step (from the log's allreduce_ms).
#
#   scripts/dev/bench_mpi.sh [BINARY] [--ranks N] [--hidden 128,512] [--steps N] [--rounds R]
set -euo pipefail
bin=build/rnnscope
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then bin=$1; shift; fi
ranks=2
hidden=128,512
steps=40
rounds=3
while [ $# -gt 0 ]; do
    case $1 in
        --ranks) ranks=$2; shift 2 ;;
        --hidden) hidden=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "bench_mpi.sh: unknown option $1 (use --ranks N, --hidden LIST, --steps N, --rounds R)" >&2; exit 2 ;;
    esac
done
if ! "$bin" --version | grep -q 'with MPI'; then
    echo "bench_mpi.sh: $bin was built without MPI (install libopenmpi-dev and rebuild)" >&2
    exit 2
fi
command -v mpirun >/dev/null || { echo "bench_mpi.sh: mpirun not found (Debian: openmpi-bin)" >&2; exit 2; }
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$root/../shared/corpora/tinyshakespeare.txt"
[ -f "$corpus" ] || corpus="$root/data/tinyshakespeare.txt"
[ -f "$corpus" ] || corpus="$root/corpora/lighthouse.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
recipe=(--corpus "$corpus" --embed 64 --layers 2 --batch 50 --seq 50 --steps "$steps" --eval-every 0 --log-every 1
        --quiet --force)
warm=5
# mean tokens/s, mean ms and mean allreduce_ms over the steps after the warm-up
stats() {
    jq -r --argjson w "$warm" 'select(.loss != null and .step > $w) | [.tokens_per_s, .ms, (.allreduce_ms // 0)] | @tsv' "$1" |
        awk '{ t += $1; m += $2; a += $3; n++ } END { if (n) printf "%.1f %.3f %.3f\n", t / n, m / n, a / n }'
}
printf '%s\n' "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $("$bin" --version)"
printf '%-6s %14s %14s %7s %14s %10s %10s\n' H "1x${ranks}thr tok/s" "${ranks}x1thr tok/s" ratio "step ms (ranks)" "allreduce" share
IFS=, read -r -a sizes <<<"$hidden"
for h in "${sizes[@]}"; do
    best1=0 best2=0 ms2=0 ar2=0
    for r in $(seq "$rounds"); do
        "$bin" train --headless "${recipe[@]}" --hidden "$h" --threads "$ranks" --log "$work/one.log" \
            --save "$work/one.st" 2>/dev/null
        mpirun -np "$ranks" --oversubscribe --bind-to none "$bin" train --headless "${recipe[@]}" --hidden "$h" \
            --threads 1 --log "$work/many.log" --save "$work/many.st" 2>/dev/null
        read -r t1 _ _ < <(stats "$work/one.log")
        read -r t2 m2 a2 < <(stats "$work/many.log")
        awk -v a="$t1" -v b="$best1" 'BEGIN { exit !(a > b) }' && best1=$t1
        if awk -v a="$t2" -v b="$best2" 'BEGIN { exit !(a > b) }'; then best2=$t2 ms2=$m2 ar2=$a2; fi
        rm -f "$work"/*.log
    done
    awk -v h="$h" -v a="$best1" -v b="$best2" -v m="$ms2" -v r="$ar2" 'BEGIN {
        printf "%-6s %14.0f %14.0f %6.2fx %14.1f %8.2fms %9.1f%%\n", h, a, b, b / a, m, r, 100 * r / m }'
done
