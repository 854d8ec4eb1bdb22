/* suggest.h — "did you mean": the closest of a few known names to a
 * misspelt one, by edit distance (insertions, deletions, substitutions and
 * swaps of neighbours each count 1), for flags and Lua table keys.
 */
#ifndef RNNSCOPE_SUGGEST_H
#define RNNSCOPE_SUGGEST_H

#include <stddef.h>

/* Edit distance between a[0..na) and b[0..nb) (optimal string alignment),
 * or a value above 64 when either is longer than 63 bytes. */
int suggest_distance(const char *a, size_t na, const char *b, size_t nb);

/* Suggestions are collected one candidate at a time. */
typedef struct {
    const char *word;     /* borrowed: what was typed */
    size_t len;
    const char *best;     /* borrowed: the closest candidate so far, NULL if none is close */
    int best_d;
} Suggest;

void suggest_begin(Suggest *s, const char *word, size_t len);
/* Consider one known name; '_' and '-' count as the same character. */
void suggest_add(Suggest *s, const char *candidate);
/* The closest name if it is close enough to be what was meant (at most 1
 * edit for words up to 4 bytes, 2 up to 8, else 3), else NULL. */
const char *suggest_result(const Suggest *s);

#endif
