#!/usr/bin/env bash
# run.sh — runs every test program and test script, then prints the suite's
# closing line "N passed, N failed". Usage: tests/run.sh BUILD_DIR
# Each C test prints PASS/FAIL lines and a "RESULT p passed, f failed" line;
# each tests/*.sh end-to-end script does the same. A program that crashes or
# prints no RESULT line counts as one failure.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
export RNNSCOPE_BIN="$build/rnnscope"
export RNNSCOPE_TESTS="$here"
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
    local name=$1; shift
    local start end rc
    start=$(date +%s.%N)
    "$@" >"$log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    local line
    line=$(grep -E '^RESULT [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        cat "$log"
        printf '%-28s CRASHED (exit %d, no RESULT line)\n' "$name" "$rc"
        failed=$((failed + 1))
        return
    fi
    local p f
    p=$(echo "$line" | awk '{print $2}')
    f=$(echo "$line" | awk '{print $4}')
    if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
        grep -E '^FAIL' "$log"
        [ "$f" -eq 0 ] && f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    printf '%-28s %4d passed, %d failed  (%.2fs)\n' "$name" "$p" "$f" "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')"
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for s in "$here"/e2e_*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s" .sh)" bash "$s"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
