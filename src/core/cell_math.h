/* cell_math.h — the gate nonlinearities of the cells, fast and accurate.
 *
 * glibc's expf/tanhf are scalar calls, and with 5 of them per hidden unit per
 * step they cost more than all the matrix products of the cells at H <= 512.
 * exp here is the Cephes scheme: round x/ln2 to n, reduce x by n ln2 in two
 * parts, a degree-6 polynomial, scale by 2^n through the exponent bits
 * (within 1e-7 relative of exp over the clamped range [-87, 87]). sigmoid and
 * tanh are built on it, tanh as 2 sigmoid(2x) - 1 (absolute error < 2e-7,
 * which is all the cells need; the PyTorch fixtures confirm it).
 *
 * The array versions use SSE2 intrinsics, 4 floats at a time, when the
 * compiler targets it: gcc will not vectorize the clamp's comparisons itself
 * under the default -ftrapping-math. On x86-64 CPUs with AVX2 (checked at run
 * time, cpu.h; the build targets the baseline ISA) they take 8 at a time
 * first, and 16 at a time before that where the CPU has AVX-512.
 * Every path performs the same float operations in the same order (no FMA:
 * the build has -ffp-contract=off), so all give identical bits. Elsewhere the
 * same formula runs scalar.
 * Shared by the cells (cell_lstm.c, cell_gru.c, cell_rnn.c) and the softmax of
 * loss.c; not a general libm.
 */
#ifndef RNNSCOPE_CELL_MATH_H
#define RNNSCOPE_CELL_MATH_H

#include <stdint.h>
#include <string.h>

#include "cpu.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CELL_EXP_LOG2E 1.44269504088896341f
#define CELL_EXP_LN2_HI 0.693359375f
#define CELL_EXP_LN2_LO (-2.12194440e-4f)
#define CELL_EXP_P0 1.9875691500e-4f
#define CELL_EXP_P1 1.3981999507e-3f
#define CELL_EXP_P2 8.3334519073e-3f
#define CELL_EXP_P3 4.1665795894e-2f
#define CELL_EXP_P4 1.6666665459e-1f
#define CELL_EXP_P5 5.0000001201e-1f

static inline float cell_exp(float x)
{
    if (x != x)
        return x; /* NaN passes through, so the trainer can locate it */
    /* clamp so 2^n stays a normal float */
    x = x < -87.0f ? -87.0f : x;
    x = x > 87.0f ? 87.0f : x;
    /* round to nearest by adding and removing 1.5 * 2^23 */
    float n = (x * CELL_EXP_LOG2E + 12582912.0f) - 12582912.0f;
    float r = x - n * CELL_EXP_LN2_HI;
    r = r - n * CELL_EXP_LN2_LO;
    float p = CELL_EXP_P0;
    p = p * r + CELL_EXP_P1;
    p = p * r + CELL_EXP_P2;
    p = p * r + CELL_EXP_P3;
    p = p * r + CELL_EXP_P4;
    p = p * r + CELL_EXP_P5;
    p = p * (r * r) + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float cell_sigmoid(float x)
{
    return 1.0f / (1.0f + cell_exp(-x));
}

static inline float cell_tanh(float x)
{
    return 2.0f / (1.0f + cell_exp(-2.0f * x)) - 1.0f;
}

#ifdef __SSE2__
static inline __m128 cell_exp4(__m128 x)
{
    /* maxps/minps return their second operand when either is NaN: with x
     * second, a NaN passes through the clamp (and on to the result) instead
     * of becoming -87, so a NaN activation is still found by the trainer */
    x = _mm_min_ps(_mm_set1_ps(87.0f), _mm_max_ps(_mm_set1_ps(-87.0f), x));
    /* cvtps rounds to nearest under the default MXCSR, like the scalar trick */
    __m128i ni = _mm_cvtps_epi32(_mm_mul_ps(x, _mm_set1_ps(CELL_EXP_LOG2E)));
    __m128 n = _mm_cvtepi32_ps(ni);
    __m128 r = _mm_sub_ps(x, _mm_mul_ps(n, _mm_set1_ps(CELL_EXP_LN2_HI)));
    r = _mm_sub_ps(r, _mm_mul_ps(n, _mm_set1_ps(CELL_EXP_LN2_LO)));
    __m128 p = _mm_set1_ps(CELL_EXP_P0);
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(CELL_EXP_P1));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(CELL_EXP_P2));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(CELL_EXP_P3));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(CELL_EXP_P4));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(CELL_EXP_P5));
    p = _mm_add_ps(_mm_add_ps(_mm_mul_ps(p, _mm_mul_ps(r, r)), r), _mm_set1_ps(1.0f));
    __m128i bits = _mm_slli_epi32(_mm_add_epi32(ni, _mm_set1_epi32(127)), 23);
    return _mm_mul_ps(p, _mm_castsi128_ps(bits));
}

/* 1 / (1 + exp(-a * x)) */
static inline __m128 cell_logistic4(__m128 x, float a)
{
    __m128 one = _mm_set1_ps(1.0f);
    __m128 e = cell_exp4(_mm_mul_ps(x, _mm_set1_ps(-a)));
    return _mm_div_ps(one, _mm_add_ps(one, e));
}
#endif

#ifdef CPU_X86_DISPATCH
#define CELL_MATH_AVX2 1
#include <immintrin.h>

/* cell_exp4's operations on 8 lanes */
__attribute__((target("avx2"))) static inline __m256 cell_exp8(__m256 x)
{
    x = _mm256_min_ps(_mm256_set1_ps(87.0f), _mm256_max_ps(_mm256_set1_ps(-87.0f), x));
    __m256i ni = _mm256_cvtps_epi32(_mm256_mul_ps(x, _mm256_set1_ps(CELL_EXP_LOG2E)));
    __m256 n = _mm256_cvtepi32_ps(ni);
    __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(CELL_EXP_LN2_HI)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(CELL_EXP_LN2_LO)));
    __m256 p = _mm256_set1_ps(CELL_EXP_P0);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(CELL_EXP_P1));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(CELL_EXP_P2));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(CELL_EXP_P3));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(CELL_EXP_P4));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(CELL_EXP_P5));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, _mm256_mul_ps(r, r)), r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(ni, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/* y = 1 / (1 + exp(-a x)), or 2 * that - 1 when as_tanh, over the largest
 * multiple of 8 of n; returns how many were done. */
__attribute__((target("avx2"))) static inline int cell_logistic_avx2(float *y, const float *x, int n,
                                                                     float a, int as_tanh)
{
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f), na = _mm256_set1_ps(-a);
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 e = cell_exp8(_mm256_mul_ps(_mm256_loadu_ps(x + j), na));
        __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, e));
        _mm256_storeu_ps(y + j, as_tanh ? _mm256_sub_ps(_mm256_mul_ps(two, s), one) : s);
    }
    return j;
}
/* cell_exp8's operations on 16 lanes */
__attribute__((target("avx512f,avx2"))) static inline __m512 cell_exp16(__m512 x)
{
    x = _mm512_min_ps(_mm512_set1_ps(87.0f), _mm512_max_ps(_mm512_set1_ps(-87.0f), x));
    __m512i ni = _mm512_cvtps_epi32(_mm512_mul_ps(x, _mm512_set1_ps(CELL_EXP_LOG2E)));
    __m512 n = _mm512_cvtepi32_ps(ni);
    __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(CELL_EXP_LN2_HI)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(CELL_EXP_LN2_LO)));
    __m512 p = _mm512_set1_ps(CELL_EXP_P0);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(CELL_EXP_P1));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(CELL_EXP_P2));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(CELL_EXP_P3));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(CELL_EXP_P4));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(CELL_EXP_P5));
    p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(p, _mm512_mul_ps(r, r)), r), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(ni, _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

/* cell_logistic_avx2 16 at a time, over the largest multiple of 16 of n. */
__attribute__((target("avx512f,avx2"))) static inline int cell_logistic_avx512(float *y, const float *x, int n,
                                                                               float a, int as_tanh)
{
    const __m512 one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f), na = _mm512_set1_ps(-a);
    int j = 0;
    for (; j + 16 <= n; j += 16) {
        __m512 e = cell_exp16(_mm512_mul_ps(_mm512_loadu_ps(x + j), na));
        __m512 s = _mm512_div_ps(one, _mm512_add_ps(one, e));
        _mm512_storeu_ps(y + j, as_tanh ? _mm512_sub_ps(_mm512_mul_ps(two, s), one) : s);
    }
    return j;
}

/* The widest path the CPU has: 16 lanes, then 8; returns how many were done. */
static inline int cell_logistic_wide(float *y, const float *x, int n, float a, int as_tanh)
{
    int j = 0;
    if (cpu_has_avx512())
        j = cell_logistic_avx512(y, x, n, a, as_tanh);
    if (cpu_has_avx2())
        j += cell_logistic_avx2(y + j, x + j, n - j, a, as_tanh);
    return j;
}
#endif

/* y[j] = sigmoid(x[j]) for j < n; y may equal x. */
static inline void cell_sigmoid_vec(float *y, const float *x, int n)
{
    int j = 0;
#ifdef CELL_MATH_AVX2
    j = cell_logistic_wide(y, x, n, 1.0f, 0);
#endif
#ifdef __SSE2__
    for (; j + 4 <= n; j += 4)
        _mm_storeu_ps(y + j, cell_logistic4(_mm_loadu_ps(x + j), 1.0f));
#endif
    for (; j < n; j++)
        y[j] = cell_sigmoid(x[j]);
}

/* y[j] = tanh(x[j]) for j < n; y may equal x. */
static inline void cell_tanh_vec(float *y, const float *x, int n)
{
    int j = 0;
#ifdef CELL_MATH_AVX2
    j = cell_logistic_wide(y, x, n, 2.0f, 1);
#endif
#ifdef __SSE2__
    __m128 two = _mm_set1_ps(2.0f), one = _mm_set1_ps(1.0f);
    for (; j + 4 <= n; j += 4) {
        __m128 s = cell_logistic4(_mm_loadu_ps(x + j), 2.0f);
        _mm_storeu_ps(y + j, _mm_sub_ps(_mm_mul_ps(two, s), one));
    }
#endif
    for (; j < n; j++)
        y[j] = cell_tanh(x[j]);
}

#endif
