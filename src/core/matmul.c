/* matmul.c — dense row products, a few rows as gemvs (see matmul.h). */
#include "matmul.h"

#include <cblas.h>
#include <stddef.h>

/* C = A op(W) + beta C with op(W) = W^T (tw = CblasTrans, W is (N, K)) or
 * W (CblasNoTrans, W is (K, N)): row by row through gemv for a product of
 * few rows, else one sgemm. */
static void matmul_rows(enum CBLAS_TRANSPOSE tw, int M, int rows_in_all, int N, int K, const float *A, int lda,
                        const float *W, int ldw, float beta, float *C, int ldc)
{
    if (rows_in_all > MATMUL_GEMV_ROWS) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, tw, M, N, K, 1.0f, A, lda, W, ldw, beta, C, ldc);
        return;
    }
    /* a row of C is op(W) times a row of A: gemv of W as stored, transposed when W is (K, N) */
    const int transposed = tw == CblasTrans;
    for (int r = 0; r < M; r++)
        cblas_sgemv(CblasRowMajor, transposed ? CblasNoTrans : CblasTrans, transposed ? N : K, transposed ? K : N,
                    1.0f, W, ldw, A + (size_t)r * lda, 1, beta, C + (size_t)r * ldc, 1);
}

void matmul_nt(int M, int rows_in_all, int N, int K, const float *A, int lda, const float *W, int ldw,
               float beta, float *C, int ldc)
{
    matmul_rows(CblasTrans, M, rows_in_all, N, K, A, lda, W, ldw, beta, C, ldc);
}

void matmul_nn(int M, int rows_in_all, int N, int K, const float *A, int lda, const float *W, int ldw,
               float beta, float *C, int ldc)
{
    matmul_rows(CblasNoTrans, M, rows_in_all, N, K, A, lda, W, ldw, beta, C, ldc);
}
