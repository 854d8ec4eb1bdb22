/* test_paths.c — the shared path handling of paths.h: shell-style words,
 * single path arguments, ~, shell quoting (round trip through /bin/sh), mkdir -p. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "paths.h"

static void test_words(void)
{
    const char *s = "plain \"two words\" back\\ slash 'single \"q\"' mix\"ed\"end";
    const char *want[] = {"plain", "two words", "back slash", "single \"q\"", "mixedend"};
    char w[256];
    int n = 0, got, all = 1;
    while ((got = paths_next_word(&s, w, sizeof w)) == 1) {
        all &= n < 5 && !strcmp(w, want[n]);
        n++;
    }
    CHECK(all && n == 5 && got == 0, "paths_next_word: quotes and backslashes as a shell reads them (%d words)", n);
    const char *u = "\"open";
    CHECK(paths_next_word(&u, w, sizeof w) == -1, "an unterminated quote is reported");
}

static void test_user_path(void)
{
    char out[512], why[256];
    setenv("HOME", "/home/tester", 1);
    CHECK(paths_user_path("my runs/a b.st", out, sizeof out, why, sizeof why) == 0 && !strcmp(out, "my runs/a b.st"),
          "an unquoted path keeps its spaces: %s", out);
    CHECK(paths_user_path("\"my runs/a b.st\"", out, sizeof out, why, sizeof why) == 0 && !strcmp(out, "my runs/a b.st"),
          "a quoted path: %s", out);
    CHECK(paths_user_path("my\\ runs/x.st", out, sizeof out, why, sizeof why) == 0 && !strcmp(out, "my runs/x.st"),
          "a backslash-escaped path: %s", out);
    CHECK(paths_user_path("~/runs/x.st", out, sizeof out, why, sizeof why) == 0 && !strcmp(out, "/home/tester/runs/x.st"),
          "~/ is expanded: %s", out);
    CHECK(paths_user_path("a~/b", out, sizeof out, why, sizeof why) == 0 && !strcmp(out, "a~/b"), "~ inside is not");
    CHECK(paths_user_path("\"a\" \"b\"", out, sizeof out, why, sizeof why) != 0 && strstr(why, "one path"),
          "two quoted words are refused: %s", why);
}

static void test_quote(void)
{
    const char *cases[] = {"runs/a.safetensors", "my runs/it's.st", "$HOME `x` \"q\" \\ *", ""};
    for (int i = 0; i < 4; i++) {
        char q[512], cmd[1200], back[512] = "";
        paths_shell_quote(cases[i], q, sizeof q);
        snprintf(cmd, sizeof cmd, "printf '%%s' %s", q);
        FILE *p = popen(cmd, "r");
        size_t n = p ? fread(back, 1, sizeof back - 1, p) : 0;
        back[n] = '\0';
        if (p)
            pclose(p);
        CHECK(!strcmp(back, cases[i]), "shell quoting round-trips through sh: [%s] -> %s", cases[i], q);
    }
    char q[64];
    paths_shell_quote("runs/a.safetensors", q, sizeof q);
    CHECK(!strcmp(q, "runs/a.safetensors"), "a safe path is left as it is");
}

static void test_mkdir(void)
{
    char dir[] = "/tmp/rnnscope_paths_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char file[256], deep[256], blocked[256];
    snprintf(file, sizeof file, "%s/a/b/c/run.st", dir);
    snprintf(deep, sizeof deep, "%s/a/b/c", dir);
    Err err;
    struct stat st;
    CHECK(paths_make_parent(file, &err) == 0 && stat(deep, &st) == 0 && S_ISDIR(st.st_mode),
          "paths_make_parent makes every missing folder");
    CHECK(paths_make_parent("bare-name.st", &err) == 0, "a bare file name needs no folder");
    snprintf(blocked, sizeof blocked, "%s/a/b/c/run.st/x/y.st", dir);
    FILE *f = fopen(file, "w");
    if (f)
        fclose(f);
    CHECK(paths_make_parent(blocked, &err) != 0 && strstr(err.msg, "run.st: a file of that name is in the way"),
          "a file in the way is named: %s", err.msg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "clean up");
}

int main(void)
{
    test_words();
    test_user_path();
    test_quote();
    test_mkdir();
    return check_summary();
}
