#!/usr/bin/env bash
# e2e_diagnose.sh — `rnnscope diagnose` and the findings in --log, from the
# command line: the verdict in words and as JSON, exit status 0 whatever it
# finds, a resumed run's diagnosis going on from where it stopped, finding
# events in --log, and bad input as one line with exit status 2.
. "$(dirname "$0")/cli_lib.sh"

small=(--corpus "$root/corpora/lighthouse.txt" --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1)

"$bin" diagnose --help >"$work/help" 2>&1
check "diagnose --help names --json, --steps and --resume" \
    bash -c "grep -q -- '--json' '$work/help' && grep -q -- '--resume' '$work/help' && grep -q -- '--steps' '$work/help'"

# a learning rate far too high: the verdict names it, exit status 0
"$bin" diagnose "${small[@]}" --lr 1 --steps 40 >"$work/out" 2>"$work/err"
rc=$?
check "diagnose --lr 1: exit 0 and the verdict is lr_high" \
    bash -c "[ $rc -eq 0 ] && grep -q '^verdict at step 40: lr_high' '$work/out'"
check "diagnose prints each finding with its advice and numbers" \
    bash -c "grep -q '✖ problem  lr_high' '$work/out' && grep -q '→ lower --lr to about' '$work/out' && grep -q 'update_ratio=' '$work/out'"
check "symptoms are listed under their cause" grep -q 'follows from lr_high' "$work/out"
check "diagnose says how long it trains, on stderr" grep -q 'for 40 steps' "$work/err"

# --json: one object with verdict, step and findings
"$bin" diagnose "${small[@]}" --lr 1 --steps 40 --json --quiet >"$work/json" 2>"$work/err"
rc=$?
check "diagnose --json: exit 0, one line, nothing on stderr" \
    bash -c "[ $rc -eq 0 ] && [ \$(wc -l <'$work/json') -eq 1 ] && [ ! -s '$work/err' ]"
check "--json: verdict, step and findings with every field" \
    bash -c "grep -q '^{\"verdict\":\"lr_high\",\"step\":40,\"findings\":\[{\"id\":\"lr_high\",\"severity\":\"problem\",\"subject\":\"run\",\"since\":[0-9]*,\"cause\":null,\"text\":\"[^\"]*\",\"advice\":\"[^\"]*\",\"numbers\":{' '$work/json'"
"$bin" diagnose "${small[@]}" --steps 30 --json --quiet >"$work/healthy" 2>/dev/null
check "a short healthy run: verdict healthy, no findings" grep -q '^{"verdict":"healthy","step":30,"findings":\[\]}$' "$work/healthy"

# a run's findings are kept in its checkpoint: diagnose --resume goes on with them
"$bin" train --headless --quiet "${small[@]}" --clip 0.0001 --steps 120 --eval-every 0 --save "$work/run.st" \
    --log "$work/log.jsonl"
check "--log carries the finding when it appears, with its record" \
    grep -q '{"finding":"clip_always","event":"appeared","step":100,"severity":"warning","record":{"id":"clip_always"' "$work/log.jsonl"
"$bin" diagnose --resume "$work/run.st" --steps 5 --json --quiet >"$work/resumed" 2>&1
check "diagnose --resume: the finding is still there, since the step it appeared at" \
    grep -q '"id":"clip_always","severity":"warning","subject":"run","since":100' "$work/resumed"
check "diagnose --resume trains from the saved step" grep -q '"step":125' "$work/resumed"
"$bin" train --headless --quiet --resume "$work/run.st" --steps 130 --log "$work/log.jsonl"
check "a resumed run's --log does not repeat the findings already logged" \
    bash -c "[ \$(grep -c '\"finding\":\"clip_always\",\"event\":\"appeared\"' '$work/log.jsonl') -eq 1 ]"
"$bin" diagnose --resume "$work/run.st" --clip 5 --steps 40 --json --quiet >"$work/fixed" 2>&1
check "lifting the clip clears clip_always within its hysteresis" \
    bash -c "! grep -q clip_always '$work/fixed'"

# a non-finite step ends the diagnosis, which still reports (exit 0)
"$bin" diagnose "${small[@]}" --optim sgd --lr 1e30 --clip 0 --steps 20 --json --quiet >"$work/nan" 2>&1
rc=$?
check "a run that goes non-finite: exit 0, nonfinite under diverged under lr_high" \
    bash -c "[ $rc -eq 0 ] && grep -q '\"verdict\":\"lr_high\"' '$work/nan' && grep -q '\"id\":\"nonfinite\",\"severity\":\"problem\",\"subject\":\"run\",\"since\":[0-9]*,\"cause\":\"diverged\"' '$work/nan'"

# a run that diverges (finite, but ran away) exits 1 and keeps the last good checkpoint
"$bin" train --headless --quiet "${small[@]}" --steps 20 --eval-every 10 --save "$work/good.st"
cp "$work/good.st" "$work/good.before"
"$bin" train --headless --quiet --resume "$work/good.st" --optim sgd --lr 1000 --clip 0 --steps 80 2>"$work/err"
rc=$?
check "train that diverges: exit 1, one line naming the last good checkpoint" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l <'$work/err') -eq 1 ] && grep -q 'diverged at step.*last good checkpoint is .*good.st (step 20)' '$work/err'"
check "and the good checkpoint is not overwritten with the blown-up state" cmp -s "$work/good.st" "$work/good.before"

# bad input: one line, exit 2
"$bin" diagnose --resume "$work/missing.st" >"$work/out" 2>"$work/err"
rc=$?
check "diagnose --resume of a missing file: exit 2, one line naming it" \
    bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$work/err') -eq 1 ] && grep -q 'missing.st' '$work/err'"
"$bin" diagnose --steps -3 >"$work/out" 2>"$work/err"
rc=$?
check "diagnose --steps -3: exit 2, one line" bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$work/err') -eq 1 ]"
"$bin" diagnose "${small[@]}" --steps 5 --signals /nonexistent/dir/s.jsonl >"$work/out" 2>"$work/err"
rc=$?
check "diagnose --signals into a missing folder: exit 2, one line naming it" \
    bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$work/err') -eq 1 ] && grep -q 'nonexistent' '$work/err'"

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
