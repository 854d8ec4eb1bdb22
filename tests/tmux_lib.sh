# tmux_lib.sh — what the dashboard's end-to-end tests share (sourced, not run):
# PASS/FAIL lines with the time each check took, a private tmux server that
# is killed on exit with a scratch directory, and polling of the screen with a
# timeout instead of sleeping. Skips the calling test (0 passed, 0 failed)
# when tmux is missing. Defines: bin, here, root, work, sock, limit, tm,
# screen, wait_for, step_now, messages, ok, bad, pass, fail.
set -u
bin=${RNNSCOPE_BIN:-build/rnnscope}
here=${RNNSCOPE_TESTS:-tests}
root=$(cd "$here/.." && pwd)
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
pass=0; fail=0
T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2fs", b-a}'; }
ok()  { pass=$((pass + 1)); echo "PASS $* ($(elapsed "$T0"))"; T0=$(date +%s.%N); }
bad() { fail=$((fail + 1)); echo "FAIL $* ($(elapsed "$T0"))"; T0=$(date +%s.%N); }
if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP tmux not installed"; echo "RESULT 0 passed, 0 failed"; exit 0
fi
work=$(mktemp -d)
sock="rnnscope-$(basename "$0" .sh)-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
limit=20
[ -n "${RNNSCOPE_SANITIZED:-}" ] && limit=60

screen() { tm capture-pane -p -t e2e 2>/dev/null; }
# wait_for REGEX [SECONDS]: poll the screen until a line matches
wait_for() {
    local end=$(( $(date +%s) + ${2:-$limit} ))
    while [ "$(date +%s)" -le "$end" ]; do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
# the step counter of the status line
step_now() { screen | head -n 1 | sed -nE 's/^ *step ([0-9]+).*/\1/p'; }
# the message pane's lines (right-hand column below "messages"), trimmed
messages() { screen | awk '/messages/ {on = 1; next} on && /╰/ {on = 0} on' | sed -E 's/.*││//; s/ *│$//'; }
