/* matmul.h — C = A W^T + beta C (and A W) for the model's dense row products.
 *
 * cblas_sgemm packs W into its own layout on every call, which for a single
 * row (sampling: one token of one stream per call) costs more than the
 * product itself: at H=512 such a product ran at about 4 GFLOP/s. A product
 * of a few rows (sampling one or a few streams, a narrow beam) goes row by
 * row to cblas_sgemv instead, which streams W once per row; up to
 * MATMUL_GEMV_ROWS rows that reads less than packing does. The choice rests
 * on the whole product's rows (rows_in_all), never on one thread's share,
 * and each row is then computed alone, so below the limit a row's result
 * depends neither on the number of threads nor on the rows beside it (one
 * stream and a beam of three give the same bits).
 */
#ifndef RNNSCOPE_MATMUL_H
#define RNNSCOPE_MATMUL_H

#define MATMUL_GEMV_ROWS 4

/* A: (M, K) row-major, lda; W: (N, K) row-major, ldw; C: (M, N), ldc.
 * rows_in_all: the rows of the product these M belong to (M when unsplit). */
void matmul_nt(int M, int rows_in_all, int N, int K, const float *A, int lda, const float *W, int ldw,
               float beta, float *C, int ldc);
/* C = A W + beta C, the same way: A (M, K), W (K, N) row-major, C (M, N). */
void matmul_nn(int M, int rows_in_all, int N, int K, const float *A, int lda, const float *W, int ldw,
               float beta, float *C, int ldc);

#endif
