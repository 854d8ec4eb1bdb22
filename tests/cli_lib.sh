# cli_lib.sh — what the command-line end-to-end scripts share (sourced, not
# run): the binary ($bin, RNNSCOPE_BIN), the tests folder ($here) and the
# repository ($root), a scratch folder ($work, removed on exit), the PASS/FAIL
# counters and ok, bad, check and run_bad. Each script ends with
#   echo "RESULT $pass passed, $fail failed"
set -u
bin=${RNNSCOPE_BIN:-build/rnnscope}
here=${RNNSCOPE_TESTS:-tests}
root="$here/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# check NAME COMMAND...: passes when COMMAND succeeds
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# run_bad NAME STATUS PATTERN -- ARGS...: rnnscope ARGS exits STATUS with one stderr line matching PATTERN
run_bad() {
    local name=$1 want=$2 pat=$3; shift 4
    "$bin" "$@" >"$work/out" 2>"$work/err"
    local rc=$? lines
    lines=$(wc -l <"$work/err")
    if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qE -- "$pat" "$work/err"; then
        ok "$name: exit $rc, one line: $(cat "$work/err")"
    else
        bad "$name: exit $rc (want $want), $lines line(s): $(head -c 300 "$work/err")"
    fi
}
