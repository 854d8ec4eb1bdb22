/* test_commands.c — parsing of the dashboard's ':' commands (src/tui/commands.c):
 * every command of issue 3, argument checking with one-line messages, unique
 * prefixes, prompts and Lua expressions, and what tab completion sees. */
#include "check.h"
#include "commands.h"

#include <string.h>

static TuiCmd c;
static char msg[256];

static int ok(const char *line, TuiCmdKind kind)
{
    return commands_parse(line, &c, msg, sizeof msg) == 0 && c.kind == kind;
}

static int bad(const char *line, const char *needle)
{
    return commands_parse(line, &c, msg, sizeof msg) == -1 && strstr(msg, needle) && !strchr(msg, '\n');
}

int main(void)
{
    const char *required[] = {"pause", "run", "step", "eval", "lr", "clip", "temp", "topk", "save",
                              "load", "sample", "theme", "layout", "help", "quit"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        CHECK(commands_find(required[i]) != NULL, "command :%s exists", required[i]);

    CHECK(ok(":pause", TCMD_PAUSE), ":pause");
    CHECK(ok("  :run  ", TCMD_RUN) && !c.has_arg, ":run with spaces, no script");
    CHECK(ok(":run exp.lua", TCMD_RUN) && !strcmp(c.text, "exp.lua"), ":run SCRIPT keeps the path");
    CHECK(ok(":step", TCMD_STEP) && c.n == 1, ":step defaults to 1");
    CHECK(ok(":step 25", TCMD_STEP) && c.n == 25, ":step 25");
    CHECK(bad(":step 0", ":step 0"), ":step 0 refused: %s", msg);
    CHECK(bad(":step 1.5", "whole number"), ":step 1.5 refused: %s", msg);
    CHECK(ok(":lr 3e-4", TCMD_LR) && c.x == 3e-4, ":lr 3e-4");
    CHECK(ok(":lr", TCMD_LR) && !c.has_arg, ":lr alone parses: the app shows the value");
    CHECK(bad(":lr fast", ":lr fast"), ":lr fast: %s", msg);
    CHECK(bad(":lr -1", "expected a number"), ":lr -1 out of range: %s", msg);
    CHECK(ok(":clip 0", TCMD_CLIP) && c.x == 0, ":clip 0 turns clipping off");
    CHECK(ok(":temp 0.7", TCMD_TEMP) && c.x == 0.7, ":temp 0.7");
    CHECK(ok(":topk 12", TCMD_TOPK) && c.n == 12, ":topk 12");
    CHECK(ok(":topk", TCMD_TOPK) && !c.has_arg, ":topk alone parses: the app shows the value");
    const char *settings[] = {":clip", ":temp", ":smooth", ":theme", ":layout", " :lr  "};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        CHECK(commands_parse(settings[i], &c, msg, sizeof msg) == 0 && !c.has_arg &&
                  commands_find(settings[i][0] == ':' ? settings[i] + 1 : "lr")->query,
              "'%s' alone asks for the current value", settings[i]);
    CHECK(bad(":ngram", ":ngram needs"), ":ngram is an action, not a setting: %s", msg);
    CHECK(bad(":temp hot", ":temp hot"), ":temp with a bad value is still refused: %s", msg);
    CHECK(ok(":gradcheck gru", TCMD_GRADCHECK) && !strcmp(c.text, "gru"), ":gradcheck CELL");
    CHECK(strstr(commands_find("lua")->help, "= EXPR") != NULL, "the help lists = EXPR (with :lua)");
    CHECK(ok(":save", TCMD_SAVE) && !c.has_arg, ":save without a path");
    CHECK(ok(":save /tmp/a b.st", TCMD_SAVE) && !strcmp(c.text, "/tmp/a b.st"), ":save keeps spaces in the path");
    CHECK(bad(":load", ":load needs PATH"), ":load needs a path: %s", msg);
    CHECK(ok(":sample", TCMD_SAMPLE) && c.n == 200, ":sample defaults to 200 tokens");
    CHECK(ok(":theme gruvbox", TCMD_THEME) && !strcmp(c.text, "gruvbox"), ":theme NAME");
    CHECK(ok(":layout wide", TCMD_LAYOUT), ":layout NAME");
    CHECK(ok(":window all", TCMD_WINDOW) && c.n == 0, ":window all");
    CHECK(ok(":window 500", TCMD_WINDOW) && c.n == 500, ":window 500");
    CHECK(ok(":help", TCMD_HELP) && ok(":quit", TCMD_QUIT), ":help and :quit");
    CHECK(bad(":pause now", "takes no argument"), ":pause with an argument: %s", msg);
    CHECK(bad(":frobnicate", "unknown command :frobnicate"), "unknown command: %s", msg);
    CHECK(ok(":pa", TCMD_PAUSE), "a unique prefix works");
    CHECK(bad(":s", "ambiguous"), "an ambiguous prefix is reported: %s", msg);
    CHECK(ok("the keeper ", TCMD_PROMPT) && !strcmp(c.text, "the keeper "), "plain text is a prompt, spaces kept");
    CHECK(ok("   ", TCMD_EMPTY), "a blank line is empty");
    CHECK(ok("= 1 + 2", TCMD_EXPR) && !strcmp(c.text, "1 + 2"), "= expr is a Lua expression");
    CHECK(ok(":lua print(1)", TCMD_LUA) && !strcmp(c.text, "print(1)"), ":lua CODE");

    int is_name;
    CHECK(commands_arg_at(":lo", 3, &is_name) == TARG_NONE && is_name, "completing a command name");
    CHECK(commands_arg_at(":load ru", 8, &is_name) == TARG_PATH && !is_name, ":load completes paths");
    CHECK(commands_arg_at(":theme g", 8, &is_name) == TARG_THEME, ":theme completes theme names");
    CHECK(commands_arg_at(":layout ", 8, &is_name) == TARG_LAYOUT, ":layout completes layout names");
    CHECK(commands_arg_at("hello", 5, &is_name) == TARG_NONE && !is_name, "a prompt completes nothing");
    CHECK(commands_arg_at(":gradcheck l", 12, &is_name) == TARG_CELL, ":gradcheck completes cell types");
    const char *a = commands_complete_name(":s", 0);
    int n = 0;
    while (commands_complete_name(":s", n))
        n++;
    CHECK(a && a[0] == ':' && a[1] == 's' && n == 7, "seven commands start with :s (step steps save sample smooth screen stop: %d), first %s",
          n, a ? a : "-");
    TuiCmd sc;
    char smsg[256];
    CHECK(commands_parse(":stop", &sc, smsg, sizeof smsg) == 0 && sc.kind == TCMD_STOP, ":stop parses");
    CHECK(commands_parse(":stop now", &sc, smsg, sizeof smsg) != 0, ":stop takes no argument (%s)", smsg);
    CHECK(commands_complete_name(":zz", 0) == NULL, "no completion for :zz");
    return check_summary();
}
