#!/usr/bin/env bash
# e2e_export.sh — `rnnscope export RUN --out MODEL.safetensors` (issue 11): the
# export holds the model tensors and the model metadata and nothing of the run
# (read back from the header with python3's standard library, or node), sample
# and eval give the run's own results from it, and it replaces no existing file
# without --force and never the run itself; bad input is one line, exit 2.
. "$(dirname "$0")/cli_lib.sh"

# header PATH: "tensor NAME" and "meta KEY" lines, from the safetensors header alone
header() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$1" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
h = json.loads(raw[8:8 + n])
for k in sorted(h.get("__metadata__", {})):
    print("meta", k)
ends = sorted(tuple(v["data_offsets"]) for k, v in h.items() if k != "__metadata__")
for k in sorted(k for k in h if k != "__metadata__"):
    print("tensor", k, h[k]["dtype"], "x".join(map(str, h[k]["shape"])))
print("data", len(raw) - 8 - n, "covered", ends[-1][1] if ends else 0)
PY
    elif command -v node >/dev/null 2>&1; then
        node -e '
const b = require("fs").readFileSync(process.argv[1]);
const n = Number(b.readBigUInt64LE(0)), h = JSON.parse(b.subarray(8, 8 + n).toString("utf8"));
for (const k of Object.keys(h.__metadata__ || {}).sort()) console.log("meta", k);
let end = 0;
for (const k of Object.keys(h).filter(k => k !== "__metadata__").sort()) {
  console.log("tensor", k, h[k].dtype, h[k].shape.join("x")); end = Math.max(end, h[k].data_offsets[1]);
}
console.log("data", b.length - 8 - n, "covered", end);' "$1"
    else
        return 1
    fi
}

small=(--corpus "$root/corpora/lighthouse.txt" --embed 16 --batch 8 --seq 16 --threads 1 --quiet)
text="$here/fixtures/eval_text.txt"

"$bin" export --help >"$work/help" 2>"$work/help.err"
check "export --help exits 0 on stdout and lists --out and --force" \
    bash -c '[ "$0" = 0 ] && [ ! -s "$1.err" ] && grep -Eq -- "^  --out " "$1" && grep -Eq -- "^  --force " "$1"' "$?" "$work/help"
check "rnnscope --help lists export" bash -c "'$bin' --help | grep -Eq '^  export '"

"$bin" train --headless "${small[@]}" --hidden 32 --layers 2 --steps 12 --eval-every 6 --eval-chunks 2 --ngram 2 \
    --save "$work/run.st" 2>/dev/null
"$bin" export "$work/run.st" --out "$work/new/dir/model.safetensors" >"$work/exp.out" 2>"$work/exp.err"
rc=$?
check "export exits 0 (got $rc), makes the missing folders and says what it wrote" \
    bash -c '[ "$0" = 0 ] && [ -s "$1/new/dir/model.safetensors" ] && [ ! -s "$1/exp.err" ] && grep -q "lstm 2x32 model" "$1/exp.out"' \
    "$rc" "$work"
model="$work/new/dir/model.safetensors"

if header "$model" >"$work/hdr" && header "$work/run.st" >"$work/runhdr"; then
    want="embedding.weight head.bias head.weight rnn.bias_hh_l0 rnn.bias_hh_l1 rnn.bias_ih_l0 rnn.bias_ih_l1 rnn.weight_hh_l0 rnn.weight_hh_l1 rnn.weight_ih_l0 rnn.weight_ih_l1"
    got=$(awk '$1 == "tensor" {print $2}' "$work/hdr" | tr '\n' ' ' | sed 's/ $//')
    check "the export holds exactly the state_dict tensors of embedding + 2-layer LSTM + head (got: $got)" test "$got" = "$want"
    check "every exported tensor is F32" bash -c "! awk '\$1 == \"tensor\" && \$3 != \"F32\"' '$work/hdr' | grep -q ."
    check "the run checkpoint does hold run state (optim.*, run.*, record.*, diag.*) the export leaves out" \
        bash -c "grep -q '^tensor optim\.' '$work/runhdr' && grep -q '^tensor run\.' '$work/runhdr' && grep -q '^meta train\.' '$work/runhdr'"
    check "no optim.*, run.*, record.*, hist.*, diag.*, findings.* or train.* tensor or key in the export" \
        bash -c "! grep -Eq '^(tensor|meta) (optim|run|record|hist|diag|findings|train)\.' '$work/hdr'"
    keys=$(awk '$1 == "meta" {print $2}' "$work/hdr" | tr '\n' ' ' | sed 's/ $//')
    check "the metadata is the model's only (got: $keys)" test "$keys" = "cell dropout embed format hidden layers tokenizer vocab vocab_size"
    check "the data section is covered by the tensors, nothing after them" \
        bash -c "awk '\$1 == \"data\" {exit !(\$2 == \$4)}' '$work/hdr'"
    tshapes() { awk '$1 == "tensor" && $2 !~ /^(optim|run|record|hist|diag|findings)\./' "$1"; }
    check "names, dtypes and shapes are those of the run's model tensors" cmp -s <(tshapes "$work/hdr") <(tshapes "$work/runhdr")
else
    ok "header checks skipped: neither python3 nor node is installed"
fi

"$bin" eval "$work/run.st" "$text" --json >"$work/e1" 2>&1
"$bin" eval "$model" "$text" --json >"$work/e2" 2>&1
check "eval of the export gives the run's eval loss exactly ($(cat "$work/e2"))" \
    bash -c "grep -q '\"loss\"' '$work/e1' && cmp -s '$work/e1' '$work/e2'"
"$bin" sample "$work/run.st" --prime "The keeper" --length 60 --seed 5 >"$work/s1" 2>&1
"$bin" sample "$model" --prime "The keeper" --length 60 --seed 5 >"$work/s2" 2>&1
check "sample from the export gives the run's text for the same seed" \
    bash -c "[ -s '$work/s1' ] && cmp -s '$work/s1' '$work/s2'"
"$bin" train --headless --resume "$model" --steps 3 --quiet --save "$work/from-export.st" >/dev/null 2>&1
check "train --resume from an export starts a new run from its weights" test -s "$work/from-export.st"

# replacing files
cp "$model" "$work/before"
run_bad "export over an existing file without --force" 2 "not saving over .*model.safetensors: it already holds a model \(lstm 2x32\).*--force" \
    -- export "$work/run.st" --out "$model"
check "the refused export left the file as it was" cmp -s "$model" "$work/before"
cp "$work/run.st" "$work/other.st"
run_bad "export over a run checkpoint without --force" 2 "it already holds a run \(lstm 2x32, step 12\)" \
    -- export "$model" --out "$work/other.st"
check "the refused export left the run as it was" cmp -s "$work/other.st" "$work/run.st"
"$bin" train --headless "${small[@]}" --hidden 24 --layers 1 --cell gru --steps 3 --eval-every 0 --save "$work/gru.st" 2>/dev/null
"$bin" export "$work/gru.st" --out "$model" --force >/dev/null 2>"$work/err"
rc=$?
check "--force replaces it (exit $rc) with the other run's model" \
    bash -c "[ '$rc' = 0 ] && '$bin' eval '$model' '$text' >/dev/null 2>&1 && ! cmp -s '$model' '$work/before' && grep -aq '\"cell\":\"gru\"' '$model'"
cp "$work/run.st" "$work/keep.st"
run_bad "export over the run itself" 2 "not exporting over .*run.st: it is the run itself" -- export "$work/run.st" --out "$work/run.st"
run_bad "export over the run itself, even with --force" 2 "it is the run itself" -- export "$work/run.st" --out "$work/./run.st" --force
check "the run is untouched" cmp -s "$work/run.st" "$work/keep.st"

# bad input
run_bad "export without --out" 2 "export needs --out MODEL.safetensors" -- export "$work/run.st"
run_bad "export of a missing file" 2 "nope.st: cannot open" -- export "$work/nope.st" --out "$work/x.st"
printf 'not a checkpoint at all' >"$work/junk.st"
run_bad "export of a file that is not safetensors" 2 "junk.st: header length" -- export "$work/junk.st" --out "$work/x.st"
mkdir -p "$work/adir"
run_bad "export to a directory" 2 "adir" -- export "$work/run.st" --out "$work/adir"
run_bad "export with an unknown flag" 2 "unknown|--bogus" -- export "$work/run.st" --out "$work/x.st" --bogus
check "nothing was written by the refused exports" test ! -e "$work/x.st"

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
