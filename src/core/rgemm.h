/* rgemm.h — the recurrent product: few rows against a pre-packed weight.
 *
 * Every step of a recurrence multiplies a handful of rows (the streams one
 * thread owns, e.g. 25) by the same weight matrix. OpenBLAS packs that whole
 * weight into its own layout on every call, which at H=512 costs about a
 * third of the product. Here the weight is packed once per chunk (pack) and
 * each step only streams through it (rgemm), with an AVX2/FMA kernel of 5
 * rows x 16 columns, or an AVX-512 one of 5 rows x 32 columns where the CPU
 * has it, chosen at run time (both give the same bits). Where the CPU lacks
 * AVX2 or FMA, rgemm_available() is 0 and the cells use cblas_sgemm instead.
 *
 * Each element of C is the same sums over k in increasing order whatever M
 * is (passes of 256 k at a time added into C in turn), so splitting the rows
 * between threads does not change any result.
 * Not a general GEMM: row-major only, alpha = 1, beta 0 or 1.
 */
#ifndef RNNSCOPE_RGEMM_H
#define RNNSCOPE_RGEMM_H

#include <stddef.h>

/* 1 if the packed kernel runs on this CPU. */
int rgemm_available(void);

/* Floats a packed (K, N) operand takes (N rounded up to a multiple of 16). */
size_t rgemm_pack_size(int K, int N);
/* Number of 16-column panels of a (K, N) operand. */
int rgemm_panels(int N);

/* Packs panels [p0, p1) of the (K, N) operand B into `packed`, where
 * B[k][n] = trans ? W[n * ldw + k] : W[k * ldw + n]. Disjoint panel ranges
 * may be packed by different threads. */
void rgemm_pack(int K, int N, const float *W, int ldw, int trans, float *packed, int p0, int p1);

/* C (M, N) = A (M, K) B, or C += A B when accumulate; B packed by rgemm_pack.
 * Requires rgemm_available(). */
void rgemm(int M, int N, int K, const float *A, int lda, const float *packed, int accumulate,
           float *C, int ldc);

#endif
