#!/usr/bin/env bash
# fuzz/run.sh — runs each fuzz target for SECONDS on its corpus folder and
# prints one line per target (executions, executions per second, corpus size),
# stopping at the first target that crashes, leaks or times out. `make fuzz`
# calls it; by hand: fuzz/run.sh build-fuzz fuzz/corpus 30 json:16384 ...
#
# usage: fuzz/run.sh BUILD_DIR CORPUS_DIR SECONDS NAME:MAX_LEN[:DICT]...
# DICT: a libFuzzer dictionary file (-dict) for that target.
set -u
build=$1 corpus=$2 secs=$3
shift 3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%-12s %10s %8s %8s %s\n' target execs exec/s corpus "max_len"
for spec in "$@"; do
    IFS=: read -r name len dict <<<"$spec"
    extra=()
    [ -n "$dict" ] && extra=(-dict="$dict")
    mkdir -p "$corpus/$name"
    # -timeout: one input may take this long (a resumed run's first step at -O1 + ASan
    # is milliseconds); -rss_limit_mb: a reader that lets metadata size an allocation fails
    "$build/fuzz_$name" "$corpus/$name" -max_total_time="$secs" -max_len="$len" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crash-$name-" "${extra[@]}" >"$log" 2>&1
    rc=$?
    execs=$(awk -F: '/^stat::number_of_executed_units/ {gsub(/ /, "", $NF); print $NF}' "$log")
    speed=$(awk -F: '/^stat::average_exec_per_sec/ {gsub(/ /, "", $NF); print $NF}' "$log")
    files=$(find "$corpus/$name" -type f ! -name '.*' | wc -l)
    printf '%-12s %10s %8s %8s %s\n' "$name" "${execs:-?}" "${speed:-?}" "$files" "$len"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written|#[0-9]+ +in ' "$log" | head -n 40
        echo "fuzz_$name FAILED (exit $rc); reproduce with: $build/fuzz_$name $build/crash-$name-*"
        status=1
        break
    fi
done
exit $status
