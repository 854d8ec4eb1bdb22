#!/usr/bin/env bash
# e2e_units.sh — `rnnscope units CKPT FILE` (issue 12, headless): every view
# and flag on tiny models trained here (--find with a regex, line and indent,
# --span, --show as plain digits, in colour on a pseudo-terminal and as an
# HTML page, --saturation, --errors), the JSON shape other tools read
# (checked with python3 or perl where one is installed, by its exact layout
# always), and bad input: one line on stderr naming what is wrong, exit 2.
. "$(dirname "$0")/cli_lib.sh"
export LC_ALL=C.UTF-8
unset NO_COLOR COLORTERM

corpus="$root/corpora/lighthouse.txt"
tiny=(--corpus "$corpus" --embed 8 --batch 8 --seq 16 --steps 20 --eval-every 10 --eval-chunks 2 --threads 1 --quiet)
"$bin" train --headless "${tiny[@]}" --hidden 16 --layers 1 --save "$work/lstm.st" 2>/dev/null
"$bin" train --headless "${tiny[@]}" --hidden 12 --layers 2 --save "$work/lstm2.st" 2>/dev/null
"$bin" train --headless "${tiny[@]}" --hidden 8 --layers 1 --cell gru --save "$work/gru.st" 2>/dev/null
check "three tiny models trained" test -s "$work/lstm.st" -a -s "$work/lstm2.st" -a -s "$work/gru.st"
head -c 3000 "$corpus" >"$work/text.txt"
text="$work/text.txt"
bytes=$(wc -c <"$text")

# json_ok FILE: one valid JSON value, by python3 or perl (status 2 when neither is here)
json_ok() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1" 2>/dev/null
    elif perl -MJSON::PP -e 1 2>/dev/null; then
        perl -MJSON::PP -e 'local $/; open my $f, "<", $ARGV[0] or exit 1; decode_json(<$f>)' "$1" 2>/dev/null
    else
        return 2
    fi
}
json_check() { # NAME FILE
    json_ok "$2"
    case $? in
    0) ok "$1 is valid JSON" ;;
    2) ok "$1: JSON parse skipped (neither python3 nor perl's JSON::PP)" ;;
    *) bad "$1 is not valid JSON: $(head -c 300 "$2")" ;;
    esac
}

# --- help --------------------------------------------------------------------------
"$bin" units --help >"$work/help" 2>"$work/help.err"
rc=$?
missing=""
for f in find span show saturation errors top layer kind json html force ngram corpus help; do
    grep -Eq -- "^  --$f( |$)" "$work/help" || missing="$missing $f"
done
check "units --help exits 0 (got $rc) on stdout and lists every flag${missing:+ (missing:$missing)}" \
    bash -c '[ "$0" = 0 ] && [ ! -s "$1.err" ] && [ -z "$2" ]' "$rc" "$work/help" "$missing"
check "rnnscope --help lists units" bash -c "'$bin' --help | grep -Eq '^  units '"
check "--help gives the defaults of --top (10) and --ngram (5)" \
    bash -c "grep -Eq -- '^  --top K .*\(default 10\)$' '$work/help' && grep -Eq -- '^  --ngram N .*\(default 5\)$' '$work/help'"

# --- --find --------------------------------------------------------------------------
"$bin" units "$work/lstm.st" "$text" --find '"' >"$work/find" 2>"$work/find.err"
rc=$?
rows=$(grep -cE '^ +[0-9]+  l0 +[0-9]+  c +[-+][01]\.[0-9]{3}  [▁▂▃▄▅▆▇█]+$' "$work/find")
check "--find REGEX exits 0 (got $rc) with the default 10 rows of rank, layer, unit, kind, r, sparkline" \
    bash -c '[ "$0" = 0 ] && [ "$1" = 10 ] && [ ! -s "$2" ]' "$rc" "$rows" "$work/find.err"
check "the table has a header line naming the positions and the signal" \
    bash -c "head -1 '$work/find' | grep -q '^3000 positions of .*text.txt; signal: 1 where a token starts inside a match of' && sed -n 2p '$work/find' | grep -Eq '^rank +layer +unit +kind +r +over the text$'"
check "the ranks run 1..10 and |r| never rises" \
    bash -c "awk '/  l0 /{ r = \$5 < 0 ? -\$5 : \$5; if (NR > 3 && r > last + 1e-9) exit 1; last = r; n++; if (\$1 != n) exit 1 } END { exit n != 10 }' '$work/find'"
check "the last row is the signal's sparkline, as wide as the units'" \
    bash -c "tail -1 '$work/find' | grep -Eq '^ +signal +[▁▂▃▄▅▆▇█]{40}$' && sed -n 3p '$work/find' | grep -Eq '[▁▂▃▄▅▆▇█]{40}$'"
LC_ALL=C "$bin" units "$work/lstm.st" "$text" --find '"' >"$work/find-ascii" 2>/dev/null
check "outside a UTF-8 locale the sparklines are ASCII (_ - = #)" \
    bash -c "! LC_ALL=C grep -q '[^ -~]' '$work/find-ascii' && grep -Eq '[-_=#]{40}$' '$work/find-ascii'"
"$bin" units "$work/lstm.st" "$text" --find '"' --top 3 >"$work/find3" 2>&1
check "--top 3 gives 3 rows, the first 3 of the default table" \
    bash -c "[ \$(grep -c '  l0 ' '$work/find3') = 3 ] && diff <(sed -n 3,5p '$work/find') <(sed -n 3,5p '$work/find3') >/dev/null"

printf 'def f:\n    a = b\n    if a:\n        return c\n    else:\n        return d\nend\n' >"$work/indent.txt"
"$bin" units "$work/lstm.st" "$work/indent.txt" --find indent --top 2 >"$work/ind" 2>&1
check "--find indent ranks units against the indentation" \
    bash -c "grep -q 'signal: the indentation' '$work/ind' && [ \$(grep -c '  l0 ' '$work/ind') = 2 ]"
"$bin" units "$work/lstm.st" "$text" --find line --top 2 >"$work/line" 2>&1
check "--find line ranks units against the column" \
    bash -c "grep -q 'signal: the column' '$work/line' && [ \$(grep -c '  l0 ' '$work/line') = 2 ]"

# --layer and --kind
"$bin" units "$work/lstm2.st" "$text" --find ' ' --top 30 >"$work/both" 2>&1
check "every layer by default: a 2x12 model ranks units of l0 and l1" \
    bash -c "grep -q '  l0 ' '$work/both' && grep -q '  l1 ' '$work/both'"
"$bin" units "$work/lstm2.st" "$text" --find ' ' --top 30 --layer l1 >"$work/l1" 2>&1
"$bin" units "$work/lstm2.st" "$text" --find ' ' --top 30 --layer 1 >"$work/l1b" 2>&1
check "--layer l1 (or 1) keeps l1's 12 units only" \
    bash -c "[ \$(grep -c '  l1 ' '$work/l1') = 12 ] && ! grep -q '  l0 ' '$work/l1' && cmp -s '$work/l1' '$work/l1b'"
"$bin" units "$work/lstm.st" "$text" --find ' ' --kind f --top 4 >"$work/kf" 2>&1
check "--kind f ranks the forget gates" bash -c "[ \$(grep -cE '  l0 +[0-9]+  f ' '$work/kf') = 4 ]"
"$bin" units "$work/gru.st" "$text" --find ' ' --top 4 >"$work/gruk" 2>&1
check "a gru's default kind is h" bash -c "[ \$(grep -cE '  l0 +[0-9]+  h ' '$work/gruk') = 4 ]"

# --json
"$bin" units "$work/lstm.st" "$text" --find '"' --json >"$work/find.json" 2>"$work/json.err"
rc=$?
json_check "--find --json" "$work/find.json"
shape='^\{"checkpoint":"[^"]*lstm\.st","file":"[^"]*text\.txt","kind":"c","find":"\\"","positions":3000,"units":\[(\{"layer":0,"unit":[0-9]+,"r":-?[0-9.e-]+\},?){10}\]\}$'
check "--find --json (exit $rc) is one line: checkpoint, file, kind, find, positions, 10 units of layer, unit, r" \
    bash -c '[ "$0" = 0 ] && [ "$(wc -l <"$1")" = 1 ] && grep -Eq "$2" "$1" && [ ! -s "$3" ]' "$rc" "$work/find.json" "$shape" "$work/json.err"
r1=$(grep -oE '"r":-?[0-9.e-]+' "$work/find.json" | head -1 | cut -d: -f2)
u1=$(grep -oE '"unit":[0-9]+' "$work/find.json" | head -1 | cut -d: -f2)
check "the JSON's first unit and r ($u1, $r1) are the table's first row" \
    bash -c "awk -v u='$u1' -v r='$r1' 'NR == 3 { exit !(\$3 == u && \$5 == sprintf(\"%+.3f\", r)) }' '$work/find'"
cp "$work/lstm.st" "$work/we\"ird\\name.st"
"$bin" units "$work/we\"ird\\name.st" "$text" --find 'a\.|"[^"]*"' --json --top 2 >"$work/esc.json" 2>"$work/esc.err"
json_check "JSON with a quote and a backslash in the checkpoint's name and the pattern$(head -c 200 "$work/esc.err")" "$work/esc.json"
check "... which are escaped (\\\" and \\\\)" \
    bash -c "grep -qF 'we\\\"ird\\\\name.st' '$work/esc.json' && grep -qF '\"find\":\"a\\\\.|\\\"[^\\\"]*\\\"\"' '$work/esc.json'"

# --- --span ------------------------------------------------------------------------
"$bin" units "$work/lstm.st" "$text" --span 100:160 --top 5 >"$work/span" 2>&1
rc=$?
check "--span (exit $rc): rank, layer, unit, kind, inside, around, difference, 5 rows" \
    bash -c "[ '$rc' = 0 ] && head -1 '$work/span' | grep -q 'span: bytes \[100, 160), tokens 100..159' && sed -n 2p '$work/span' | grep -Eq '^rank +layer +unit +kind +inside +around +difference$' && [ \$(grep -cE '^ +[0-9]  l0 +[0-9]+  c +[-+][0-9.]+ +[-+][0-9.]+ +[-+][0-9.]+$' '$work/span') = 5 ]"
check "... the difference is inside - around, and its size never rises" \
    bash -c "awk 'NR > 2 { d = \$5 - \$6; if (d - \$7 > 0.0015 || \$7 - d > 0.0015) exit 1; a = \$7 < 0 ? -\$7 : \$7; if (NR > 3 && a > last + 1e-9) exit 1; last = a }' '$work/span'"
"$bin" units "$work/lstm.st" "$text" --span 100:160 --top 3 --json >"$work/span.json" 2>&1
json_check "--span --json" "$work/span.json"
shape='^\{"checkpoint":"[^"]*","file":"[^"]*","kind":"c","span":\[100,160\],"positions":3000,"units":\[(\{"layer":0,"unit":[0-9]+,"inside":[-0-9.e]+,"around":[-0-9.e]+,"score":[-0-9.e]+\},?){3}\]\}$'
check "--span --json: span [A, B] and per unit inside, around, score" grep -Eq "$shape" "$work/span.json"

# --- --show ------------------------------------------------------------------------
printf 'ab\tc\n\n  xy\xe4\xb8\xadz\nlast' >"$work/small.txt"   # a tab, an empty line, a wide unknown character
"$bin" units "$work/lstm.st" "$work/small.txt" --show 0:3 >"$work/show" 2>"$work/show.err"
rc=$?
check "--show to a file (exit $rc): each line followed by its digits, tabs as spaces, 8 lines" \
    bash -c "[ '$rc' = 0 ] && [ \$(wc -l <'$work/show') = 8 ] && sed -n 1p '$work/show' | grep -qx 'ab      c' && sed -n 3p '$work/show' | grep -qx '' && sed -n 5p '$work/show' | grep -qx '  xy中z' && sed -n 7p '$work/show' | grep -qx last"
check "the digit lines have a digit per display column (none for the tab, not in the vocabulary; two blanks for the wide unknown character)" \
    bash -c "sed -n 2p '$work/show' | grep -Eqx '[0-9]{2}      [0-9]' && sed -n 4p '$work/show' | grep -qx '' && sed -n 6p '$work/show' | grep -Eqx '[0-9]{4}  [0-9]' && sed -n 8p '$work/show' | grep -Eqx '[0-9]{4}'"
check "the unknown tab and 中 are counted in a note on stderr" \
    grep -qx 'rnnscope units: note: .*small.txt: 2 characters outside the model.s vocabulary are skipped (not counted, not coloured)' "$work/show.err"
"$bin" units "$work/lstm.st" "$work/small.txt" --show l0:3:c >"$work/show2" 2>/dev/null
check "--show l0:3:c is the same as 0:3 (c is the lstm's default kind)" cmp -s "$work/show" "$work/show2"
"$bin" units "$work/lstm.st" "$work/small.txt" --show 0:3:h >"$work/show3" 2>/dev/null
check "--show 0:3:h shows another kind" bash -c "! cmp -s '$work/show' '$work/show3'"

# the digits are the HTML page's values: floor((v + 1) * 5), 9 at +1
printf 'last' >"$work/four.txt"
"$bin" units "$work/lstm.st" "$work/four.txt" --show 0:5 >"$work/four" 2>/dev/null
"$bin" units "$work/lstm.st" "$work/four.txt" --show 0:5 --html "$work/four.html" >/dev/null 2>&1
want=$(grep -oE 'title="position [0-9]+: -?[0-9.]+"' "$work/four.html" | grep -oE -- '-?[0-9.]+"$' | tr -d '"' |
    awk '{ d = int(($1 + 1) * 5 + 1e-9); if ($1 + 1 < 0) d = 0; printf "%d", (d > 9 ? 9 : d) }')
check "the digits ($(sed -n 2p "$work/four")) are the values in the page's tooltips ($want)" \
    bash -c "[ -n '$want' ] && [ \"\$(sed -n 2p '$work/four')\" = '$want' ]"

if command -v script >/dev/null 2>&1; then
    pty() { TERM=xterm-256color script -qec "$1" /dev/null 2>/dev/null </dev/null | tr -d '\r'; }
    pty "'$bin' units '$work/lstm.st' '$work/four.txt' --show 0:5" >"$work/tty"
    check "on a terminal: 256-colour backgrounds and a legend naming the unit" \
        bash -c "grep -q $'\033\\[38;5;[0-9]*;48;5;[0-9]*ml' '$work/tty' && grep -q -- '-1 .* +1  l0 unit 5, kind c, over 4 positions' '$work/tty'"
    COLORTERM=truecolor pty "'$bin' units '$work/lstm.st' '$work/four.txt' --show 0:5" >"$work/tty24"
    check "COLORTERM=truecolor: 24-bit colours" grep -q $'\033\\[38;2;[0-9;]*;48;2;[0-9]*;[0-9]*;[0-9]*ml' "$work/tty24"
    NO_COLOR=1 pty "'$bin' units '$work/lstm.st' '$work/four.txt' --show 0:5" >"$work/ttyno"
    check "NO_COLOR on a terminal: the plain digits" \
        bash -c "! grep -q $'\033' '$work/ttyno' && cmp -s '$work/ttyno' '$work/four'"
else
    ok "terminal colours skipped: no script(1)"
fi

# --html
printf '<b>&"x"</b>\nok\n' >"$work/html.txt"
"$bin" units "$work/lstm.st" "$work/html.txt" --show 0:2 --html "$work/new/dir/page.html" >"$work/html.out" 2>"$work/html.err"
rc=$?
page="$work/new/dir/page.html"
check "--html (exit $rc) makes the missing folders, writes the page and says so" \
    bash -c "[ '$rc' = 0 ] && [ -s '$page' ] && grep -q '^wrote .*page.html: l0 unit 2, kind c, over 10 positions of .*html.txt$' '$work/html.out'"
check "the page is self-contained HTML with a title naming checkpoint, layer, unit and kind" \
    bash -c "head -1 '$page' | grep -qx '<!DOCTYPE html>' && grep -q '<title>rnnscope units: .*lstm.st, layer l0, unit 2, kind c</title>' '$page' && ! grep -Eqi '<script|<link|https?:' '$page' && grep -q '</html>' '$page'"
check "the text is escaped (&lt;b&gt;&amp;&quot;x&quot;) and never raw" \
    bash -c "grep -q '&lt;' '$page' && grep -q '&amp;' '$page' && grep -q '&quot;' '$page' && ! grep -q '<b>' '$page'"
check "every known character has its value in a tooltip, and there is a legend" \
    bash -c "[ \$(grep -o 'title=\"position [0-9]*: -\?[0-9]\.[0-9]*\"' '$page' | wc -l) -ge 6 ] && grep -q 'class=\"legend\"' '$page'"
cp "$page" "$work/page.before"
run_bad "--html over an existing page without --force" 2 "not writing over .*page.html: it already exists; .*--force" \
    -- units "$work/lstm.st" "$work/html.txt" --show 0:3 --html "$page"
check "... left it as it was" cmp -s "$page" "$work/page.before"
"$bin" units "$work/lstm.st" "$work/html.txt" --show 0:3 --html "$page" --force >/dev/null 2>&1
check "--force replaces it" bash -c "! cmp -s '$page' '$work/page.before' && grep -q 'unit 3' '$page'"
cp "$work/html.txt" "$work/html.keep"
run_bad "--html over FILE itself, even with --force" 2 "not writing over .*html.txt: it is the text FILE itself" \
    -- units "$work/lstm.st" "$work/html.txt" --show 0:3 --html "$work/html.txt" --force
check "... FILE is untouched" cmp -s "$work/html.txt" "$work/html.keep"

# --- --saturation ------------------------------------------------------------------
"$bin" units "$work/lstm.st" "$text" --saturation >"$work/sat" 2>&1
rc=$?
check "--saturation (exit $rc): one row per kind of the 1-layer lstm, fractions in [0, 1], counts of 16 units at most" \
    bash -c "[ '$rc' = 0 ] && [ \$(grep -cE '^l0 +[chifgo] +[01]\.[0-9]{3} +[01]\.[0-9]{3} +[0-9]+ +[0-9]+$' '$work/sat') = 6 ] && awk '/^l0/ { if (\$3 > 1 || \$4 > 1 || \$5 > 16 || \$6 > 16) exit 1 }' '$work/sat' && grep -q 'of 16 units' '$work/sat'"
"$bin" units "$work/lstm2.st" "$text" --saturation --layer 1 --kind i >"$work/sat1" 2>&1
check "--saturation --layer 1 --kind i: that row only" bash -c "[ \$(grep -cE '^l[0-9] ' '$work/sat1') = 1 ] && grep -qE '^l1 +i ' '$work/sat1'"

# --- --errors ----------------------------------------------------------------------
"$bin" units "$work/lstm.st" "$text" --errors >"$work/err5" 2>&1
rc=$?
check "--errors (exit $rc) uses the checkpoint's corpus and a 5-gram on its training split" \
    bash -c "[ '$rc' = 0 ] && head -1 '$work/err5' | grep -q 'against a 5-gram counted on the [0-9]* training tokens of .*lighthouse.txt (the first 90%)'"
check "... the five buckets: positions, network, n-gram, share; 0-3 add up to every position, whose share is 1" \
    bash -c "awk 'NR > 2 && NR < 7 { n += \$(NF - 3) } /^every position/ { all = \$3; share = \$6 } END { exit !(n == all && all == 2999 && share == \"+1.00\") }' '$work/err5' && grep -q '^mean loss over 2999 predicted positions: network [0-9.]*, 5-gram [0-9.]* nats/token' '$work/err5'"
"$bin" units "$work/lstm.st" "$text" --errors --ngram 2 --corpus "$corpus" >"$work/err2" 2>&1
check "--ngram 2 --corpus PATH" grep -q 'against a 2-gram counted on the .* of .*lighthouse.txt' "$work/err2"
"$bin" export "$work/lstm.st" --out "$work/model.st" >/dev/null 2>&1
run_bad "--errors on a model file, which records no corpus" 2 "records no training corpus .*pass --corpus PATH" \
    -- units "$work/model.st" "$text" --errors
head -c 20000 "$corpus" >"$work/gone.txt"
"$bin" train --headless --corpus "$work/gone.txt" --embed 8 --hidden 8 --batch 4 --seq 8 --steps 2 --eval-every 0 \
    --threads 1 --quiet --save "$work/gone.st" 2>/dev/null
rm -f "$work/gone.txt"
run_bad "--errors when the recorded corpus is gone" 2 "was trained on .*gone.txt, which cannot be read here .*pass --corpus PATH" \
    -- units "$work/gone.st" "$text" --errors
run_bad "--errors --corpus that does not exist" 2 "nope.txt: cannot open corpus" \
    -- units "$work/lstm.st" "$text" --errors --corpus "$work/nope.txt"

# --- bad input: one line, exit 2 -----------------------------------------------------
ck="$work/lstm.st"
run_bad "a missing FILE is named" 2 "nope.txt: cannot read the text FILE: No such file" -- units "$ck" "$work/nope.txt" --find x
run_bad "a missing checkpoint is named" 2 "nope.st: cannot open" -- units "$work/nope.st" "$text" --find x
run_bad "FILE is a folder" 2 "the text FILE is a folder" -- units "$ck" "$work" --find x
run_bad "a text FILE as the checkpoint" 2 "text.txt: .*not safetensors" -- units "$text" "$text" --find x
run_bad "a bad regular expression" 2 "--find: bad regular expression '\(a': " -- units "$ck" "$text" --find '(a'
run_bad "a pattern that matches nothing" 2 "no token of .*text.txt starts inside a match; nothing to correlate with" \
    -- units "$ck" "$text" --find 'zqzq'
run_bad "indent on a text with no indentation" 2 "every token of .* has the indentation 0" -- units "$ck" "$text" --find indent
run_bad "a bad kind names the valid ones" 2 "--kind: unknown kind 'q'; an lstm has the kinds c, h, i, f, g, o" \
    -- units "$ck" "$text" --find x --kind q
run_bad "a gru's kinds" 2 "a gru has the kinds h, r, z, n" -- units "$work/gru.st" "$text" --find x --kind c
run_bad "--show without a unit" 2 "--show '5': write the unit as LAYER:UNIT\[:KIND\]" -- units "$ck" "$text" --show 5
run_bad "--show with a word" 2 "--show 'a:b': write the unit as" -- units "$ck" "$text" --show a:b
run_bad "--show of a layer the model lacks" 2 "layer l1 is not in the model, which has one layer, l0" -- units "$ck" "$text" --show 1:3
run_bad "--show of a unit the model lacks" 2 "unit 16 is not in the model, whose layers have units 0..15" \
    -- units "$ck" "$text" --show l0:16
run_bad "--show with a bad kind" 2 "--show: unknown kind 'z'" -- units "$ck" "$text" --show 0:3:z
run_bad "--show and --kind that disagree" 2 "give the kind once" -- units "$ck" "$text" --show 0:3:c --kind h
run_bad "--layer out of range" 2 "--layer: layer l2 is not in the model, which has layers l0..l1" \
    -- units "$work/lstm2.st" "$text" --find x --layer 2
run_bad "--layer that is no number" 2 "--layer: 'top' is not a layer" -- units "$ck" "$text" --find x --layer top
run_bad "an unknown flag, with a suggestion" 2 "unknown flag '--fnd' for rnnscope units; did you mean --find\?" \
    -- units "$ck" "$text" --fnd x
run_bad "--top 0" 2 "--top: '0' is out of range; use a whole number in \[1, 10000\]" -- units "$ck" "$text" --find x --top 0
run_bad "--top 10001" 2 "--top: '10001' is out of range" -- units "$ck" "$text" --find x --top 10001
run_bad "no view" 2 "say what to look at: --find" -- units "$ck" "$text"
run_bad "two views" 2 "separate views; give one of them" -- units "$ck" "$text" --find x --saturation
run_bad "--json with --show" 2 "--json goes with --find or --span" -- units "$ck" "$text" --show 0:1 --json
run_bad "--top with --errors" 2 "--top goes with --find or --span" -- units "$ck" "$text" --errors --top 3
run_bad "--layer with --show" 2 "--layer goes with .*--show names its own layer" -- units "$ck" "$text" --show 0:1 --layer 0
run_bad "--html without --show" 2 "--html goes with --show L:UNIT" -- units "$ck" "$text" --find x --html "$work/x.html"
run_bad "--force without --html" 2 "--force goes with --html" -- units "$ck" "$text" --show 0:1 --force
run_bad "--ngram without --errors" 2 "--ngram goes with --errors" -- units "$ck" "$text" --find x --ngram 3
run_bad "--ngram 11" 2 "--ngram: '11' is out of range" -- units "$ck" "$text" --errors --ngram 11
run_bad "--span with the ends swapped" 2 "--span '9:3': the start must be before the end" -- units "$ck" "$text" --span 9:3
run_bad "--span that is no span" 2 "--span '3': write the span as START:END" -- units "$ck" "$text" --span 3
run_bad "--span past the end" 2 "--span 5:99999: .*text.txt has $bytes bytes" -- units "$ck" "$text" --span 5:99999
run_bad "--span of the whole text" 2 "covers every token of .*; there is nothing around it" -- units "$ck" "$text" --span 0:$bytes
"$bin" train --headless "${tiny[@]}" --hidden 8 --layers 1 --tokenizer word --save "$work/word.st" 2>/dev/null
printf 'the sea and the light\n' >"$work/words.txt"
run_bad "--span with no token starting in it (a word model)" 2 "--span 1:3: no token of .*words.txt starts in those bytes" \
    -- units "$work/word.st" "$work/words.txt" --span 1:3
printf 'the zzyzx sea\n' >"$work/unk.txt"
"$bin" units "$work/word.st" "$work/unk.txt" --saturation >/dev/null 2>"$work/unk.err"
check "an unknown word is read as <unk> and counted in a note" \
    grep -qx 'rnnscope units: note: .*unk.txt: 1 word outside the model.s vocabulary is read as <unk>' "$work/unk.err"
printf '\xff\xfe bad' >"$work/binary.txt"
run_bad "FILE that is not UTF-8 (char tokenizer)" 2 "binary.txt: invalid UTF-8 at byte offset 0" -- units "$ck" "$work/binary.txt" --find x
: >"$work/empty.txt"
run_bad "an empty FILE" 2 "empty.txt: no token of the model's vocabulary" -- units "$ck" "$work/empty.txt" --find x
truncate -s 17M "$work/big.txt"
run_bad "FILE over 16 MB" 2 "big.txt: 17825792 bytes is more than the 16 MB the units view reads; use a shorter file" \
    -- units "$ck" "$work/big.txt" --find x
head -c 49000 "$corpus" >"$work/long.txt"
"$bin" train --headless --corpus "$corpus" --hidden 512 --layers 3 --embed 8 --batch 1 --seq 4 --steps 1 --optim sgd \
    --eval-every 0 --threads 1 --quiet --save "$work/wide.st" 2>/dev/null
run_bad "activations beyond the 1 GiB budget" 2 "long.txt: 49000 positions would need 1.7 GiB of activations for this lstm 3x512 model, more than the 1 GiB .*use a shorter file" \
    -- units "$work/wide.st" "$work/long.txt" --find x
check "no refused command left an HTML page behind" test ! -e "$work/x.html"

echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
