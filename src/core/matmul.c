/* matmul.c — dense row products, a few rows as gemvs (see matmul.h). */
#include "matmul.h"

#include <cblas.h>
#include <stddef.h>

void matmul_nt(int M, int rows_in_all, int N, int K, const float *A, int lda, const float *W, int ldw,
               float beta, float *C, int ldc)
{
    if (rows_in_all <= MATMUL_GEMV_ROWS)
        for (int r = 0; r < M; r++)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, N, K, 1.0f, W, ldw, A + (size_t)r * lda, 1, beta,
                        C + (size_t)r * ldc, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A, lda, W, ldw, beta, C, ldc);
}

void matmul_nn(int M, int rows_in_all, int N, int K, const float *A, int lda, const float *W, int ldw,
               float beta, float *C, int ldc)
{
    if (rows_in_all <= MATMUL_GEMV_ROWS)
        for (int r = 0; r < M; r++)
            cblas_sgemv(CblasRowMajor, CblasTrans, K, N, 1.0f, W, ldw, A + (size_t)r * lda, 1, beta,
                        C + (size_t)r * ldc, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, lda, W, ldw, beta, C, ldc);
}
