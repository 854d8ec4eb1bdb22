#!/usr/bin/env bash
# e2e_tui_input.sh — the dashboard's input line and sample pane in a detached
# tmux terminal (100x30, NO_COLOR so highlighting is reverse video):
#   - Tab completes command names (":th" -> ":theme ") and known arguments
#     (theme, layout, cell names); ":" Tab Tab lists the commands;
#   - setting commands without an argument show the value; :help lists = EXPR;
#   - Enter on typed text shows the typed text highlighted, then the model's
#     continuation; the periodic fresh sample waits a full period after it,
#     and while paused with unchanged weights none comes at all (one does
#     after :step 1);
#   - Ctrl-R shows readline's search prompt; Ctrl-C on a non-empty line
#     clears it, on an empty line it saves and quits;
#   - a bracketed paste holding a ":quit" line is inserted as text, not run;
#   - the terminal's bracketed paste mode (ESC[?2004h) is on while the
#     dashboard runs and off (ESC[?2004l) after exit, while suspended by
#     Ctrl-Z and after a fatal signal (the pane's output is recorded with
#     pipe-pane from before the program starts).
# Every check polls the screen with a timeout instead of sleeping, except the
# ones that must see something NOT happen for a while.
. "$(dirname "$0")/tmux_lib.sh"

esc=$(printf '\033')
# the sequences of mode 2004 in a raw output file, in order: "h l h ..."
modes() { grep -ao "${esc}\[?2004[hl]" "$1" 2>/dev/null | sed 's/.*\(.\)$/\1/' | tr '\n' ' ' | sed 's/ $//'; }
# the row numbers of a fixed string, and of sample headers, on the screen
row_of() { screen | grep -nF -- "$1" | head -n 1 | cut -d: -f1; }
last_header_row() { screen | grep -n 'weights of step [0-9]' | tail -n 1 | cut -d: -f1; }
last_header_step() { screen | grep -o 'weights of step [0-9]*' | tail -n 1 | grep -o '[0-9]*$'; }
# 1 if a sample header shows below the row of the fixed string $1
header_below() {
    local r h
    r=$(row_of "$1"); h=$(last_header_row)
    [ -n "$r" ] && [ -n "$h" ] && [ "$h" -gt "$r" ]
}
# 1 if a fresh sample has come after the continuation that starts with $1:
# its header shows below it, or it pushed the continuation out of the pane
fresh_after() { header_below "$1" || ! screen | grep -qF "│$1"; }
alive() { screen | head -n 1 | grep -qE '^ *step [0-9]+ +(running|paused)'; }
now_s() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

cat >"$work/run.sh" <<EOS
cd "$work"
export NO_COLOR=1 LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
while [ ! -e "$work/go" ]; do sleep 0.05; done
"$bin" tui --corpus "$root/corpora/lighthouse.txt" --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1 \
    --steps 0 --eval-every 0 --save "$work/run.st" 2>"$work/stderr"
echo \$? >"$work/rc"
echo SHELL-OK
sleep 120
EOS
tm new-session -d -s e2e -x 100 -y 30 "bash $work/run.sh"
tm pipe-pane -t e2e -O "cat >>'$work/raw'"
touch "$work/go"

if ! wait_for '^ *step [0-9]+ +running'; then
    bad "the dashboard did not start: $(screen | head -3) $(head -c 300 "$work/stderr" 2>/dev/null)"
    echo "RESULT $pass passed, $fail failed"; exit 1
fi
if [ "$(modes "$work/raw")" = h ]; then ok "bracketed paste mode is on while the dashboard runs"
else bad "mode 2004 sequences at start: '$(modes "$work/raw")'"; fi

# ---- Tab completion ----
tm send-keys -t e2e ":th" Tab
if wait_for '^› :theme *$' 5; then
    tm send-keys -t e2e "gr" Tab
    if wait_for '^› :theme gruvbox *$' 5; then
        tm send-keys -t e2e Enter
        if wait_for 'theme gruvbox' 5; then ok ":th Tab gr Tab completes to :theme gruvbox, which applies"
        else bad ":theme gruvbox did not apply: $(messages | tail -3)"; fi
    else
        bad ":theme gr Tab: $(screen | tail -2 | head -1)"; tm send-keys -t e2e C-u
    fi
else
    bad ":th Tab did not complete: $(screen | tail -2 | head -1)"; tm send-keys -t e2e C-u
fi
tm send-keys -t e2e ":" Tab Tab
if wait_for ':gradcheck' 5 && screen | grep -q ':pause' && screen | grep -q ':layout'; then
    ok ": Tab Tab lists the commands in the message pane"
else
    bad ": Tab Tab: no list: $(messages | tail -4)"
fi
tm send-keys -t e2e C-u ":gradcheck l" Tab
if wait_for '^› :gradcheck lstm *$' 5; then ok ":gradcheck l Tab completes the cell type"
else bad ":gradcheck l Tab: $(screen | tail -2 | head -1)"; fi
tm send-keys -t e2e C-u ":layout w" Tab
if wait_for '^› :layout wide *$' 5; then ok ":layout w Tab completes the layout name"
else bad ":layout w Tab: $(screen | tail -2 | head -1)"; fi
tm send-keys -t e2e C-u

# ---- settings without an argument show the value ----
shown=0
for c in "lr|learning rate 0\.002" "temp|temperature 1;" "clip|gradient clipping at norm 5" \
         "topk|show the 10 most likely" "smooth|loss smoothing 0\.9"; do
    tm send-keys -t e2e ":${c%%|*}" Enter
    if wait_for "${c#*|}" 5; then shown=$((shown + 1)); else bad ":${c%%|*} alone: $(messages | tail -2)"; fi
done
[ "$shown" = 5 ] && ok ":lr :temp :clip :topk :smooth alone show their values"
if screen | grep -qE 'expected a number|needs a whole'; then bad "a setting alone still gives an error"; fi
tm send-keys -t e2e ":help" Enter
wait_for 'help — ' 5 >/dev/null
tm send-keys -t e2e End
if wait_for '= EXPR' 5; then ok ":help lists = EXPR"; else bad ":help: no = EXPR: $(screen | grep -n lua)"; fi
tm send-keys -t e2e Escape
wait_for 'messages' 5 >/dev/null

# ---- Enter continues the typed text, shown highlighted; the next fresh sample waits ----
# line the Enter up about 3 s after a fresh sample began, so the old fixed 5 s clock
# would bring the next one 2 s after the continuation
h0=$(last_header_step); end=$(( $(date +%s) + limit ))
while [ "$(date +%s)" -le "$end" ] && [ "$(last_header_step)" = "$h0" ]; do sleep 0.1; done
sleep 3
tm send-keys -t e2e "the keeper" Enter
if wait_for '│› the keeper' 5; then
    tc=$(now_s)
    line=$(tm capture-pane -e -p -t e2e | grep -a 'the keeper' | grep -av '^› ' | head -n 1)
    if printf '%s' "$line" | grep -aqE "${esc}\[([0-9]+;)*7m(${esc}\[[0-9;]*m)*the keeper${esc}\["; then
        ok "Enter shows the typed text highlighted (reverse), then the continuation"
    else
        bad "the typed text is not highlighted apart from the continuation: $(printf '%s' "$line" | cat -v | head -c 300)"
    fi
    end=$(( $(date +%s) + 15 ))
    while [ "$(date +%s)" -le "$end" ] && ! fresh_after "› the keeper"; do sleep 0.1; done
    waited=$(since "$tc")
    if awk -v w="$waited" 'BEGIN{exit !(w >= 4.0)}'; then
        ok "the next fresh sample came ${waited}s after the continuation (a full period)"
    else
        bad "a fresh sample pushed the continuation after ${waited}s"
    fi
else
    bad "Enter on 'the keeper': the sample pane does not show it: $(screen | sed -n 18,22p)"
fi

# ---- paused, unchanged weights: no fresh sample at all; :step 1 brings one ----
tm send-keys -t e2e ":pause" Enter
wait_for '^ *step [0-9]+ +paused' >/dev/null
sleep 0.5
tm send-keys -t e2e "the sea" Enter
if wait_for '│› the sea' 5; then
    sleep 6.5
    if ! fresh_after "› the sea"; then
        ok "paused: the continuation stays, no fresh sample in 6.5s"
    else
        bad "paused: a fresh sample came although the weights did not change: $(screen | sed -n 18,22p)"
    fi
    s=$(step_now)
    tm send-keys -t e2e ":step 1" Enter
    if wait_for "weights of step $((s + 1))" 15; then ok "after :step 1 (new weights) a fresh sample follows"
    else bad "no fresh sample after :step 1: $(screen | sed -n 18,22p)"; fi
else
    bad "Enter on 'the sea' while paused: $(screen | sed -n 18,22p)"
fi

# ---- Ctrl-R, Ctrl-C ----
tm send-keys -t e2e C-r "kee"
if wait_for '^\(reverse-i-search\)`kee.: the keeper' 5; then ok "Ctrl-R shows readline's search prompt"
else bad "Ctrl-R: $(screen | tail -2 | head -1)"; fi
tm send-keys -t e2e C-c
if wait_for '^› *$' 5 && sleep 0.5 && alive; then ok "Ctrl-C ends the search and clears the line; the dashboard stays"
else bad "Ctrl-C during a search: $(screen | tail -2 | head -1) / $(screen | head -1)"; fi
tm send-keys -t e2e "abc"
wait_for '^› abc' 5 >/dev/null
tm send-keys -t e2e C-c
if wait_for '^› *$' 5 && sleep 0.5 && alive; then ok "Ctrl-C on typed text clears the line; the dashboard stays"
else bad "Ctrl-C on 'abc': $(screen | tail -2 | head -1) / $(screen | head -1)"; fi

# ---- bracketed paste: a paragraph with a :quit line is text ----
printf 'hello world\n:quit\nmore text' >"$work/paste.txt"
tm load-buffer -b p "$work/paste.txt"
tm paste-buffer -p -b p -t e2e
if wait_for '^› hello world⏎:quit⏎more text' 5 && sleep 0.7 && alive; then
    ok "a pasted block lands in the input line as text (newlines as ⏎), its :quit not run"
else
    bad "paste: $(screen | tail -2 | head -1) / $(screen | head -1) / $(cat "$work/rc" 2>/dev/null)"
fi
tm send-keys -t e2e Enter
if wait_for '│› hello world' 5 && screen | grep -qF '│:quit'; then ok "Enter continues the pasted text, its lines kept"
else bad "Enter after the paste: $(screen | sed -n 18,22p)"; fi

# ---- Ctrl-C on an empty line saves and quits; the mode is off after exit ----
tm send-keys -t e2e C-c
if wait_for '^SHELL-OK'; then
    if [ "$(cat "$work/rc")" = 0 ] && grep -q "run saved to $work/run.st" "$work/stderr"; then
        ok "Ctrl-C on an empty line saves and quits (exit 0)"
    else
        bad "Ctrl-C quit: exit $(cat "$work/rc"), $(head -c 300 "$work/stderr")"
    fi
    if [ "$(modes "$work/raw")" = "h l" ]; then ok "bracketed paste mode is off after exit"
    else bad "mode 2004 sequences over the run: '$(modes "$work/raw")'"; fi
else
    bad "Ctrl-C on an empty line did not quit: $(screen | head -2)"
fi

# ---- byte tokenizer: characters made of several byte tokens show whole ----
if "$bin" train --headless --corpus "$root/corpora/chinese.txt" --tokenizer byte --hidden 64 --embed 16 --batch 16 \
    --seq 32 --steps 300 --eval-every 0 --threads 1 --save "$work/zh.st" >"$work/zh.log" 2>&1; then
    cat >"$work/run3.sh" <<EOS
export LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
"$bin" tui --resume "$work/zh.st" --paused --save "$work/zh2.st" 2>"$work/stderr3"
echo SHELL-OK
sleep 60
EOS
    tm new-session -d -s e2e3 -x 100 -y 30 "bash $work/run3.sh"
    cjk() { tm capture-pane -p -t e2e3 2>/dev/null | LC_ALL=C.UTF-8 grep -qP '[\x{4e00}-\x{9fff}]'; }
    screen3() { tm capture-pane -p -t e2e3 2>/dev/null; }
    end=$(( $(date +%s) + limit )); tries=0
    while [ "$(date +%s)" -le "$end" ] && ! cjk; do
        sleep 0.5; tries=$((tries + 1)); [ $((tries % 2)) = 0 ] && tm send-keys -t e2e3 F7
    done
    if cjk; then ok "byte tokenizer: the sample pane shows Chinese characters made of byte tokens"
    else bad "byte tokenizer: no whole character in the samples: $(screen3 | sed -n 18,22p)"; fi
    tm send-keys -t e2e3 "林"
    end=$(( $(date +%s) + 10 ))
    while [ "$(date +%s)" -le "$end" ] && ! screen3 | grep -qE '^│\\x[0-9a-f]{2} .*[0-9]%│'; do sleep 0.1; done
    if screen3 | grep -qE '^│\\x[0-9a-f]{2} .*[0-9]%│' && ! screen3 | grep -E '[0-9]%│' | sed 's/%│.*//' | grep -q $'\xef\xbf\xbd'; then
        ok "byte tokenizer: the bars show a non-ASCII byte token as \\xNN, never a replacement glyph"
    else
        bad "byte tokenizer bars: $(screen3 | sed -n 18,24p)"
    fi
    # a lead byte's bar names the character the model would make of it: "\xe6 林"
    end=$(( $(date +%s) + 10 ))
    lead() { screen3 | LC_ALL=C.UTF-8 grep -qP '^│\\x(e[0-9a-f]|f[0-4]) [\x{3000}-\x{9fff}\x{ff00}-\x{ffef}] .*[0-9]%│'; }
    while [ "$(date +%s)" -le "$end" ] && ! lead; do sleep 0.1; done
    if lead; then ok "byte tokenizer: a lead byte's bar shows the likeliest character it starts"
    else bad "no completed character on a lead byte's bar: $(screen3 | sed -n 2,14p)"; fi
    tm send-keys -t e2e3 C-u ":quit" Enter
    end=$(( $(date +%s) + limit ))
    while [ "$(date +%s)" -le "$end" ] && ! screen3 | grep -q '^SHELL-OK'; do sleep 0.1; done
    screen3 | grep -q '^SHELL-OK' || bad "the byte-tokenizer dashboard did not quit: $(screen3 | head -2)"
else
    bad "could not train the byte-tokenizer run: $(tail -3 "$work/zh.log")"
fi

# ---- Ctrl-Z and a fatal signal, from an interactive shell with job control ----
cat >"$work/rc2" <<EOS
export NO_COLOR=1 LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" HOME="$work"
PS1='shell\$ '
ulimit -c 0
EOS
tm new-session -d -s e2e2 -x 100 -y 30 "bash --noediting --rcfile '$work/rc2' -i"
tm pipe-pane -t e2e2 -O "cat >>'$work/raw2'"
screen2() { tm capture-pane -p -t e2e2 2>/dev/null; }
wait2() {
    local end=$(( $(date +%s) + ${2:-$limit} ))
    while [ "$(date +%s)" -le "$end" ]; do screen2 | grep -qE -- "$1" && return 0; sleep 0.1; done
    return 1
}
wait2 'shell\$' >/dev/null
tm send-keys -t e2e2 "'$bin' tui --corpus '$root/corpora/lighthouse.txt' --hidden 32 --embed 16 --batch 8 --seq 16 --threads 1 --steps 0 --paused --save '$work/run2.st' 2>'$work/stderr2'" Enter
if wait2 '^ *step [0-9]+ +paused'; then
    tm send-keys -t e2e2 C-z
    if wait2 'Stopped' 10; then
        if [ "$(modes "$work/raw2")" = "h l" ]; then ok "Ctrl-Z turns bracketed paste mode off for the shell"
        else bad "mode 2004 sequences around Ctrl-Z: '$(modes "$work/raw2")'"; fi
        tm send-keys -t e2e2 "fg" Enter
        if wait2 '^ *step [0-9]+ +paused' && [ "$(modes "$work/raw2")" = "h l h" ]; then
            ok "fg brings the dashboard back with the mode on again"
        else
            bad "after fg: '$(modes "$work/raw2")' $(screen2 | head -1)"
        fi
    else
        bad "Ctrl-Z did not suspend: $(screen2 | tail -3)"
    fi
    ppid_=$(tm display -p -t e2e2 '#{pane_pid}')
    child=$(pgrep -P "$ppid_" | head -n 1)
    if [ -n "$child" ]; then
        kill -SEGV "$child"
        if wait2 'Segmentation fault' 10 && grep -q 'fatal signal' "$work/stderr2" &&
            [ "$(modes "$work/raw2" | sed 's/.* //')" = l ]; then
            ok "a fatal signal leaves bracketed paste mode off"
        else
            bad "after SIGSEGV: '$(modes "$work/raw2")' $(screen2 | tail -3)"
        fi
    else
        bad "no dashboard process under the shell to crash"
    fi
else
    bad "the second dashboard did not start: $(screen2 | tail -3) $(head -c 300 "$work/stderr2" 2>/dev/null)"
fi
echo "RESULT $pass passed, $fail failed"
[ "$fail" -eq 0 ]
