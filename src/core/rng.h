/* rng.h — the one deterministic random number generator of the project.
 *
 * Every random choice (initialisation, dropout masks, sampling, batching
 * offsets) draws from an Rng so that the same seed gives bit-identical runs.
 * The state is two 64-bit words so it can be saved in a checkpoint and
 * restored for exact resume. Algorithm: xoshiro128-style splitmix seeding and
 * a PCG-XSH-RR 64/32 generator; floats are the top 24 bits, so exact.
 */
#ifndef RNNSCOPE_RNG_H
#define RNNSCOPE_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
    uint64_t inc;
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint32_t rng_u32(Rng *r);
float rng_uniform(Rng *r);                 /* [0, 1) */
float rng_range(Rng *r, float lo, float hi); /* [lo, hi) */
uint32_t rng_below(Rng *r, uint32_t n);    /* [0, n), unbiased */
float rng_normal(Rng *r);                  /* standard normal (Box-Muller) */

#endif
