/* vecops.c — element-wise float loops with a run-time AVX2 path (see vecops.h). */
#include "vecops.h"

#include "cpu.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#ifdef CPU_X86_DISPATCH
#include <immintrin.h>

/* Each does the largest multiple of 8 of n and returns how many it did. */
__attribute__((target("avx2"))) static size_t add_avx2(float *y, const float *x, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    return i;
}

__attribute__((target("avx2"))) static size_t mul_avx2(float *y, const float *x, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    return i;
}

__attribute__((target("avx2"))) static size_t scale_avx2(float *y, float a, size_t n)
{
    const __m256 va = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), va));
    return i;
}
#endif

void vec_add(float *y, const float *x, size_t n)
{
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = add_avx2(y, x, n);
#endif
#ifdef __SSE2__
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(y + i), _mm_loadu_ps(x + i)));
#endif
    for (; i < n; i++)
        y[i] += x[i];
}

void vec_mul(float *y, const float *x, size_t n)
{
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = mul_avx2(y, x, n);
#endif
#ifdef __SSE2__
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(y + i), _mm_loadu_ps(x + i)));
#endif
    for (; i < n; i++)
        y[i] *= x[i];
}

void vec_scale(float *y, float a, size_t n)
{
    size_t i = 0;
#ifdef CPU_X86_DISPATCH
    if (cpu_has_avx2())
        i = scale_avx2(y, a, n);
#endif
#ifdef __SSE2__
    const __m128 va = _mm_set1_ps(a);
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(y + i), va));
#endif
    for (; i < n; i++)
        y[i] *= a;
}
