/* test_complete.c — what Tab offers on the input line (src/tui/complete.c):
 * command names from a prefix, cell types for :gradcheck, layout and theme
 * names, file names left to readline for paths, nothing for prompts. */
#include <string.h>

#include "check.h"
#include "commands.h"
#include "complete.h"
#include "layout.h"

static CompleteList L;

static CompleteMode at(const char *line, int start)
{
    complete_list_free(&L);
    return complete_at(line, start, (int)strlen(line), NULL, &L);
}

static int has(const char *w)
{
    for (int i = 0; i < L.n; i++)
        if (!strcmp(L.items[i], w))
            return 1;
    return 0;
}

int main(void)
{
    CompleteMode m;
    m = at(":th", 0);
    CHECK(m == COMPLETE_LIST && L.n == 1 && has(":theme"), ":th -> :theme (%d)", L.n);
    CHECK(at("  :th", 2) == COMPLETE_LIST && L.n == 1 && has(":theme"), "after leading spaces too");
    m = at(":", 0);
    CHECK(m == COMPLETE_LIST && L.n == commands_count() && has(":pause") && has(":gradcheck"),
          ": offers every command (%d of %d)", L.n, commands_count());
    int ns = 0;
    for (int i = 0; i < commands_count(); i++)
        ns += commands_spec(i)->name[0] == 's';
    m = at(":s", 0);
    CHECK(m == COMPLETE_LIST && L.n == ns && ns >= 2 && has(":step") && has(":save"),
          ":s offers the %d commands starting with s (%d)", ns, L.n);
    m = at(":gradcheck ", 11);
    CHECK(m == COMPLETE_LIST && L.n == 3 && has("lstm") && has("gru") && has("rnn"),
          ":gradcheck offers lstm gru rnn (%d)", L.n);
    CHECK(at(":gradcheck g", 11) == COMPLETE_LIST && L.n == 1 && has("gru"), ":gradcheck g -> gru");
    int nl = 0;
    while (layout_name(nl))
        nl++;
    m = at(":layout ", 8);
    CHECK(m == COMPLETE_LIST && L.n == nl && has("wide"), ":layout offers the %d layouts (%d)", nl, L.n);
    CHECK(at(":layout w", 8) == COMPLETE_LIST && L.n == 1 && has("wide"), ":layout w -> wide");
    m = at(":theme ", 7);
    CHECK(m == COMPLETE_LIST && has("default"), ":theme offers theme names (%d, default among them)", L.n);
    CHECK(at(":load ru", 6) == COMPLETE_FILES, ":load completes file names");
    CHECK(at(":compare a.st b", 14) == COMPLETE_FILES, ":compare completes file names");
    CHECK(at("the kee", 4) == COMPLETE_NOTHING && L.n == 0, "a prompt completes nothing");
    CHECK(at(":pause x", 7) == COMPLETE_NOTHING, "a command without an argument completes nothing after it");
    CHECK(at(":zz", 0) == COMPLETE_LIST && L.n == 0, "no command starts with :zz");
    complete_list_free(&L);
    return check_summary();
}
