/* suggest.c — the closest known name to a misspelt one (see suggest.h). */
#include "suggest.h"

#include <string.h>

#define SUGGEST_MAX 64

static char fold(char c)
{
    return c == '_' ? '-' : c;
}

int suggest_distance(const char *a, size_t na, const char *b, size_t nb)
{
    if (na >= SUGGEST_MAX || nb >= SUGGEST_MAX)
        return SUGGEST_MAX + 1;
    int d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int cost = fold(a[i - 1]) != fold(b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1; /* two neighbours swapped */
            d[i][j] = v;
        }
    return d[na][nb];
}

void suggest_begin(Suggest *s, const char *word, size_t len)
{
    s->word = word;
    s->len = len;
    s->best = NULL;
    s->best_d = SUGGEST_MAX + 1;
}

void suggest_add(Suggest *s, const char *candidate)
{
    int d = suggest_distance(s->word, s->len, candidate, strlen(candidate));
    if (d < s->best_d) {
        s->best_d = d;
        s->best = candidate;
    }
}

const char *suggest_result(const Suggest *s)
{
    int limit = s->len <= 4 ? 1 : s->len <= 8 ? 2 : 3;
    return s->best && s->best_d > 0 && s->best_d <= limit ? s->best : NULL;
}
