#!/usr/bin/env bash
# e2e_saves.sh — "never lose work", from the command line: a save never
# silently replaces another run (train --save, tui --save, rnn.save; --force
# and {force = true} do), a new run gets a file of its own, --keep-best keeps
# the best validation step next to the latest (and remembers it across a
# resume), every output makes its missing folders (or names the one it
# cannot make), a diverged run exits 1, the final hint pastes into a shell,
# and scripts/early_stop.lua works in a fresh folder and tells the truth.
set -u
bin=${RNNSCOPE_BIN:-build/rnnscope}
here=${RNNSCOPE_TESTS:-tests}
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# run_bad NAME STATUS PATTERN -- ARGS...: exit STATUS and one stderr line matching PATTERN
run_bad() {
    local name=$1 want=$2 pat=$3; shift 4
    "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null
    local rc=$? lines
    lines=$(wc -l <"$work/err")
    if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -qE -- "$pat" "$work/err"; then
        ok "$name: exit $rc, one line: $(cat "$work/err")"
    else
        bad "$name: exit $rc (want $want), $lines line(s): $(head -c 400 "$work/err")"
    fi
}
meta() { grep -aoE "\"$2\": ?\"[^\"]*\"" "$1" | head -1 | sed -E 's/.*: ?"//; s/"$//'; }
small=(--headless --corpus "$root/corpora/lighthouse.txt" --embed 16 --batch 8 --seq 16 --threads 1 --quiet)

# --- a save never replaces another run silently --------------------------------------------
"$bin" train "${small[@]}" --hidden 32 --steps 6 --eval-every 3 --save "$work/a.safetensors"
cp "$work/a.safetensors" "$work/a.orig"
check "a run checkpoint carries a run id" test -n "$(meta "$work/a.safetensors" run.id)"
run_bad "train --save onto another run (another size) is refused" 2 "holds another run .*--force" \
    -- train "${small[@]}" --hidden 16 --steps 2 --save "$work/a.safetensors"
run_bad "train --save onto another run of the same size is refused too" 2 "holds another run" \
    -- train "${small[@]}" --hidden 32 --steps 2 --seed 9 --save "$work/a.safetensors"
check "the refused file is byte for byte as it was" cmp -s "$work/a.safetensors" "$work/a.orig"
run_bad "tui --save onto another run is refused before the screen opens" 2 "holds another run" \
    -- tui --corpus "$root/corpora/lighthouse.txt" --hidden 16 --embed 16 --save "$work/a.safetensors"
"$bin" train "${small[@]}" --hidden 16 --steps 2 --save "$work/a.safetensors" --force
check "--force replaces it" bash -c "[ \$? -eq 0 ] && [ '$(meta "$work/a.safetensors" hidden)' = 16 ]" 
cp "$work/a.orig" "$work/a.safetensors"
"$bin" train --resume "$work/a.safetensors" --steps 9 --quiet
check "a resumed run saves over its own file" test "$(meta "$work/a.safetensors" run.step)" = 9
check "and keeps its run id" test "$(meta "$work/a.safetensors" run.id)" = "$(meta "$work/a.orig" run.id)"
run_bad "an earlier point of a run is not saved over a later one" 2 "later point of this run \\(step 9" \
    -- train --resume "$work/a.orig" --steps 7 --quiet --save "$work/a.safetensors"
printf 'notes, not a checkpoint\n' >"$work/notes.txt"
run_bad "a file that is not a checkpoint is not saved over" 2 "not an rnnscope checkpoint" \
    -- train "${small[@]}" --hidden 16 --steps 2 --save "$work/notes.txt"
cat >"$work/save.lua" <<LUA
rnn.model{cell = "lstm", layers = 1, hidden = 16, embed = 8}
rnn.corpus{path = "$root/corpora/lighthouse.txt"}
rnn.trainer{batch = 4, seq = 8, threads = 1}
rnn.step(2)
local ok, err = rnn.save("$work/a.orig")
print("plain", ok, err)
print("force", rnn.save("$work/forced.safetensors"), rnn.save("$work/a.orig", {force = true}))
LUA
"$bin" run "$work/save.lua" "$work" >"$work/lua.out" 2>&1
check "rnn.save onto another run returns nil and says why" grep -q "^plain	nil	not saving over .*a.orig: it holds another run" "$work/lua.out"
check "rnn.save(PATH, {force = true}) replaces it" \
    bash -c "grep -q '^force	true	true' '$work/lua.out' && [ '$(meta "$work/a.orig" hidden)' = 16 ]"

# --- a new run gets a file of its own ---------------------------------------------------------
mkdir "$work/fresh" && cd "$work/fresh" || exit 1
"$bin" train "${small[@]}" --hidden 32 --steps 2
"$bin" train "${small[@]}" --hidden 32 --steps 3
n=$(ls runs/lighthouse-lstm-2x32-*.safetensors 2>/dev/null | wc -l)
check "two new runs get two files of their own under runs/ ($(ls runs 2>/dev/null | tr '\n' ' '))" test "$n" -eq 2
check "named CORPUS-CELL-LxH-DATE-TIME" \
    bash -c "ls runs | grep -qE '^lighthouse-lstm-2x32-[0-9]{8}-[0-9]{4}\.safetensors$' && ls runs | grep -qE '^lighthouse-lstm-2x32-[0-9]{8}-[0-9]{4}-2\.safetensors$'"
cd "$work" || exit 1

# --- --keep-best -------------------------------------------------------------------------------
"$bin" train "${small[@]}" --hidden 32 --lr 0.03 --steps 24 --eval-every 2 --eval-chunks 2 --keep-best \
    --save "$work/kb.safetensors" --log "$work/kb.log"
best_of() { grep -o '{"step":[0-9]*,"val_loss":[0-9.e+-]*}' "$1" | sed -E 's/.*"step":([0-9]+),"val_loss":([^}]*)}/\2 \1/' | sort -g | head -1; }
read -r bv bs <<<"$(best_of "$work/kb.log")"
check "--keep-best writes RUN.best.safetensors at the best validation step ($bs, $bv)" \
    test "$(meta "$work/kb.best.safetensors" run.step)" = "$bs"
check "the latest checkpoint stays at the last step" test "$(meta "$work/kb.safetensors" run.step)" = 24
check "the best validation loss so far is in the checkpoint" \
    awk -v a="$(meta "$work/kb.safetensors" run.best_val_loss)" -v b="$bv" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }'
cp "$work/kb.best.safetensors" "$work/kb.best.before"
"$bin" train --resume "$work/kb.safetensors" --steps 30 --keep-best --quiet --log "$work/kb.log"
read -r bv2 bs2 <<<"$(best_of "$work/kb.log")"
if [ "$bs2" = "$bs" ]; then
    check "after a resume with no better pass the best file is untouched" cmp -s "$work/kb.best.safetensors" "$work/kb.best.before"
else
    check "after a resume a better pass replaces the best file (step $bs2)" test "$(meta "$work/kb.best.safetensors" run.step)" = "$bs2"
fi
check "the best survives the resume (step $bs2 of all $(grep -c val_loss "$work/kb.log") passes)" \
    test "$(meta "$work/kb.safetensors" run.best_step)" = "$bs2"

# --- missing folders are made; the one that cannot be is named ---------------------------------
"$bin" train "${small[@]}" --hidden 16 --steps 2 --eval-every 1 --save "$work/s/d1/r.safetensors" \
    --log "$work/l/d2/log.jsonl" --csv "$work/c/d3/m.csv" --tensorboard "$work/t/d4/tb"
check "--save, --log, --csv and --tensorboard make their folders" \
    bash -c "[ -s '$work/s/d1/r.safetensors' ] && [ -s '$work/l/d2/log.jsonl' ] && [ -s '$work/c/d3/m.csv' ] && ls '$work/t/d4/tb' | grep -q tfevents"
check "made with mode 0755" test "$(stat -c %a "$work/s/d1")" = 755
"$bin" grad "$root/tests/fixtures/ckpt_torch_lstm.safetensors" "$root/tests/fixtures/eval_text.txt" --out "$work/g/d5/g.safetensors" >/dev/null
check "grad --out makes its folder" test -s "$work/g/d5/g.safetensors"
touch "$work/plain"
run_bad "a folder that cannot be made is named" 2 "cannot create folder $work/plain: a file of that name is in the way" \
    -- train "${small[@]}" --hidden 16 --steps 2 --save "$work/plain/sub/r.safetensors"
run_bad "--log under a file: the folder is named" 2 "cannot create folder $work/plain" \
    -- train "${small[@]}" --hidden 16 --steps 2 --save "$work/ok.safetensors" --log "$work/plain/x/log"

# --- a diverged run exits 1 ----------------------------------------------------------------------
"$bin" train --headless --corpus "$root/corpora/lighthouse.txt" --optim sgd --lr 1000 --clip 0 --steps 50 \
    --save "$work/div.safetensors" >/dev/null 2>"$work/div.err"
rc=$?
check "sgd --lr 1000 --clip 0: exit 1 and a line saying it diverged or went non-finite ($(tail -1 "$work/div.err" | tr -d '\r' | sed 's/.*\r//' | head -c 200))" \
    bash -c "[ $rc -eq 1 ] && grep -qE 'diverged|not finite' '$work/div.err'"

# --- the final hint pastes into a shell ------------------------------------------------------------
mkdir -p "$work/my runs"
"$bin" train "${small[@]:0:${#small[@]}-1}" --hidden 16 --steps 2 --save "$work/my runs/it's.safetensors" 2>"$work/hint.err"
hint=$(sed -n 's/.*continue with: //p' "$work/hint.err")
check "the hint names the run quoted for a shell: $hint" \
    bash -c "eval \"set -- \${0#rnnscope train --resume }\" && [ \"\$1\" = '$work/my runs/it'\\''s.safetensors' ] && [ \$# -eq 1 ]" "$hint"

# --- scripts/early_stop.lua in a fresh folder ---------------------------------------------------------
mkdir "$work/clone" && cd "$work/clone" || exit 1
"$bin" run "$root/scripts/early_stop.lua" quick >"$work/es.out" 2>&1
rc=$?
kept=$(sed -n 's/.*kept in \(runs\/[^ ]*\)$/\1/p' "$work/es.out")
check "early_stop.lua quick runs without a runs/ folder and keeps the checkpoint it names (exit $rc, $kept)" \
    bash -c "[ $rc -eq 0 ] && [ -n '$kept' ] && [ -s '$kept' ] && grep -q '^reloaded' '$work/es.out'"
mkdir "$work/clone2" && cd "$work/clone2" && touch runs || exit 1
"$bin" run "$root/scripts/early_stop.lua" quick >"$work/es2.out" 2>&1
rc=$?
check "when it cannot save, it fails and does not claim a checkpoint (exit $rc)" \
    bash -c "[ $rc -ne 0 ] && ! grep -q 'kept in' '$work/es2.out' && grep -q 'could not be saved' '$work/es2.out'"
cd "$work" || exit 1

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
