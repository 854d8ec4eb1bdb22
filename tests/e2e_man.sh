#!/usr/bin/env bash
# e2e_man.sh — the man page (docs/rnnscope.1) and the program agree, so they
# cannot drift: every command of `rnnscope --help` has a section, every flag of
# every command's --help is in that section or under TRAINING SETTINGS and every
# flag a section names is one the command takes; every dashboard command of
# src/tui/commands.c and every environment variable the source reads is there;
# (but HOME, ncurses' ESCDELAY and the internal RNNSCOPE_SET_CORETYPE marker); and
# `mandoc -T lint` is clean where mandoc is installed.
set -u
bin=${RNNSCOPE_BIN:-build/rnnscope}
root=$(cd "$(dirname "$0")/.." && pwd)
man="$root/docs/rnnscope.1"
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# a section's text: from ".SS NAME" (or ".SH NAME") to the next .SS or .SH
section() { awk -v want="$1" '
    /^\.S[HS] / { name = $2; for (i = 3; i <= NF; i++) name = name " " $i; inside = (name == want || $2 == want); next }
    inside { print }' "$man"; }
flags_of_help() { grep -oE '^  --[a-z0-9-]+' | sed 's/^  --//' | sort -u; }
flags_of_man() { grep -oE '\\-\\-[a-z0-9\\-]+' | sed 's/\\-/-/g; s/^--//' | sort -u; }

commands=$("$bin" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[ -n "$commands" ] || bad "rnnscope --help lists no commands"
section "TRAINING SETTINGS" | flags_of_man >"$work/training"
[ -s "$work/training" ] || bad "the man page has no TRAINING SETTINGS flags"
for cmd in $commands; do
    section "$cmd" >"$work/sec"
    if [ ! -s "$work/sec" ]; then bad "man page: no section for '$cmd'"; continue; fi
    "$bin" "$cmd" --help | flags_of_help >"$work/help"
    flags_of_man <"$work/sec" >"$work/mine"
    missing=$(comm -23 "$work/help" <(sort -u "$work/mine" "$work/training") | grep -vx help | tr '\n' ' ')
    extra=$(comm -13 "$work/help" "$work/mine" | grep -vE '^(help|NAME)$' | tr '\n' ' ')
    # a section may name flags of other commands in its prose (train's --headless in tui's): only
    # those its own --help does not know and no command takes count as made up
    made_up=""
    for f in $extra; do
        known=0
        for other in $commands; do "$bin" "$other" --help | grep -qE -- "^  --$f( |$)" && known=1 && break; done
        [ "$known" = 1 ] || made_up="$made_up $f"
    done
    if [ -z "$missing" ] && [ -z "$made_up" ]; then
        ok "man page: '$cmd' documents every flag of its --help ($(wc -l <"$work/help") flags)"
    else
        bad "man page: '$cmd' lacks [${missing% }] / names flags no command has [${made_up# }]"
    fi
done
# the training settings the man page lists are exactly train's
"$bin" train --help | awk '/^training settings:/ { on = 1; next } on' | flags_of_help | grep -vx help >"$work/tset"
if cmp -s "$work/tset" "$work/training"; then ok "TRAINING SETTINGS lists exactly train's $(wc -l <"$work/tset") settings"
else bad "TRAINING SETTINGS differs from train --help: $(diff "$work/tset" "$work/training" | grep '^[<>]' | tr '\n' ' ')"; fi

dash=$(section "THE DASHBOARD")
missing=""
for c in $(grep -oE '^\s*\{"[a-z]+", TCMD_' "$root/src/tui/commands.c" | grep -oE '"[a-z]+"' | tr -d '"'); do
    printf '%s' "$dash" | grep -q -- ":$c\\b" || missing="$missing :$c"
done
if [ -z "$missing" ]; then ok "THE DASHBOARD names every : command of commands.c"; else bad "THE DASHBOARD lacks$missing"; fi
for k in F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 F12 Ctrl\\\\-C Ctrl\\\\-D Ctrl\\\\-L Tab; do
    printf '%s' "$dash" | grep -q -- "$k" || missing="$missing $k"
done
if [ -z "$missing" ]; then ok "THE DASHBOARD lists the keys F1..F12, Ctrl-C, Ctrl-D, Ctrl-L, Tab"; else bad "keys missing:$missing"; fi

envs=$(section ENVIRONMENT)
missing=""
for v in $(grep -rhoE 'getenv\("[A-Z_]+"\)' "$root/src" | grep -oE '[A-Z_]+' | sort -u | grep -vxE 'HOME|ESCDELAY|RNNSCOPE_SET_CORETYPE'); do
    printf '%s' "$envs" | grep -q -- "$v" || missing="$missing $v"
done
if [ -z "$missing" ]; then ok "ENVIRONMENT names every variable the source reads"; else bad "ENVIRONMENT lacks$missing"; fi
for s in FILES "EXIT STATUS"; do
    if [ -n "$(section "$s")" ]; then ok "the man page has $s"; else bad "the man page has no $s"; fi
done

if command -v mandoc >/dev/null; then
    out=$(mandoc -T lint "$man" 2>&1)
    if [ -z "$out" ]; then ok "mandoc -T lint is clean"; else bad "mandoc -T lint: $(echo "$out" | head -3)"; fi
else
    echo "NOTE mandoc is not installed: lint skipped (Debian: apt-get install mandoc)"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
