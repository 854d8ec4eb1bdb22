/* rgemm_kernel.h — what rgemm.c (layout, packing, the AVX2 kernels, the
 * dispatch) and rgemm_avx512.c (the AVX-512 kernels) share: the packed
 * layout's sizes, the C prefetch, and the AVX-512 entry point. Private to
 * those two files; everyone else includes rgemm.h.
 */
#ifndef RNNSCOPE_RGEMM_KERNEL_H
#define RNNSCOPE_RGEMM_KERNEL_H

#include <stddef.h>

#include "cpu.h"

#ifdef CPU_X86_DISPATCH
#define RGEMM_X86 1
#include <immintrin.h>
#endif

/* NR: the columns of a panel; MR: the rows of a block.
 * KC: the depth of one pass over a panel. A panel of K = 512 rows is 32 KB,
 * all of L1, so its rows fell out between one block of rows and the next;
 * 256 rows (16 KB) stay. Each pass adds its partial sums into C, so an
 * element is the same sums in the same order whatever M is, and whichever
 * kernel computes it. */
enum { RGEMM_NR = 16, RGEMM_MR = 5, RGEMM_KC = 256 };
/* How many panels ahead rgemm prefetches C: a panel of 25 rows at K = 128
 * is ~3,000 cycles of FMAs, so two are well ahead of a memory access. */
enum { RGEMM_C_AHEAD = 2 };

static inline int rgemm_min(int a, int b)
{
    return a < b ? a : b;
}

#ifdef RGEMM_X86
/* Asks for 16 floats of C in each of `rows` rows (both ends of the 64 bytes,
 * which may straddle two lines): the gate rows of a step were last touched by
 * the chunk's input projection, megabytes earlier, and a block's closing
 * loads or stores of them otherwise stall on L3 or memory. */
static inline void rgemm_prefetch_c(const float *c, size_t ldc, int rows)
{
    for (int r = 0; r < rows; r++) {
        _mm_prefetch((const char *)(c + (size_t)r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + (size_t)r * ldc + RGEMM_NR - 1), _MM_HINT_T0);
    }
}

/* rgemm (rgemm.h) with 16-wide registers; requires cpu_has_avx512(). Each
 * element of C is the AVX2 kernels' sum, fused multiply-add by fused
 * multiply-add in the same order, so the two give the same bits. */
void rgemm_avx512(int M, int N, int K, const float *A, int lda, const float *packed, int accumulate,
                  float *C, int ldc);
#endif

#endif
