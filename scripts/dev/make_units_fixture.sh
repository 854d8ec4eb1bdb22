#!/usr/bin/env bash
# make_units_fixture.sh — regenerate the fixtures of the unit explorer's
# known-answer test (tests/test_units_known.c):
#   tests/fixtures/units_spans.safetensors  a 1x32 LSTM trained 1500 steps on
#                                           make_synthetic.py's spans text (seed 1),
#                                           exported without its training state
#   tests/fixtures/units_heldout.txt        80 lines of the same text from seed 1000
# then prints the best quote and bracket units of the trained model and of
# untrained ones (docs/units_known_answers.md has the measured table).
#
# Deterministic: fixed seeds and --threads 2, so the same build on the same
# machine writes the same bytes; another CPU or OpenBLAS may round differently
# (the test only needs |r| >= 0.6, so a regenerated model is checked, not compared).
#
# Usage: scripts/dev/make_units_fixture.sh [BUILD_DIR]   (default build; make first)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
bin=$build/rnnscope
measure=$build/tests/test_units_known
fixtures=$root/tests/fixtures
[ -x "$bin" ] || { echo "make_units_fixture: no $bin; run make first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$root/scripts/dev/make_synthetic.py" --only spans --seed 1 --spans-lines 3000 \
    --out-dir "$tmp" --spans-name spans.txt
python3 "$root/scripts/dev/make_synthetic.py" --only spans --seed 1000 --spans-lines 80 \
    --out-dir "$fixtures" --spans-name units_heldout.txt
"$bin" train --headless --quiet --corpus "$tmp/spans.txt" --cell lstm --layers 1 --hidden 32 \
    --embed 32 --batch 32 --seq 100 --lr 2e-3 --steps 1500 --seed 1 --threads 2 \
    --save "$tmp/run.safetensors"
"$bin" export "$tmp/run.safetensors" --out "$fixtures/units_spans.safetensors" --force
if [ -x "$measure" ]; then
    "$measure" --measure "$fixtures/units_spans.safetensors" "$fixtures/units_heldout.txt" 1 2 3 |
        grep -v '^PASS'
else
    echo "make_units_fixture: no $measure to measure with (make $measure)"
fi
