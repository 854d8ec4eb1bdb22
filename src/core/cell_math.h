/* cell_math.h — the gate nonlinearities of the cells, written to vectorize.
 *
 * glibc's expf/tanhf are scalar calls, and with 5 of them per hidden unit per
 * step they cost more than all the matrix products of the cells at H <= 512.
 * These inline versions are branch-free straight-line float code, so a simple
 * loop over a gate block compiles to SIMD: exp is the Cephes scheme (round
 * x/ln2 to n, reduce, a degree-6 polynomial, scale by 2^n through the exponent
 * bits), within ~2 ulp of expf; sigmoid and tanh are built on it, tanh as
 * 2 sigmoid(2x) - 1 (absolute error ~1e-7, which is all the cells need).
 * The array versions walk blocks of 8: gcc's -O2 vectorizer (cost model
 * "very cheap") only takes loops whose trip count is a known multiple of the
 * vector width, and a constant inner count of 8 is.
 * Shared by cell_lstm.c, cell_gru.c and cell_rnn.c only; not a general libm.
 */
#ifndef RNNSCOPE_CELL_MATH_H
#define RNNSCOPE_CELL_MATH_H

#include <stdint.h>
#include <string.h>

static inline float cell_exp(float x)
{
    /* clamp so 2^n stays a normal float: n in [-126, 126] */
    x = x < -87.0f ? -87.0f : x;
    x = x > 87.0f ? 87.0f : x;
    /* round to nearest by adding and removing 1.5 * 2^23 */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
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

enum { CELL_MATH_BLOCK = 8 };

/* y[j] = sigmoid(x[j]) for j < n; y may equal x. */
static inline void cell_sigmoid_vec(float *y, const float *x, int n)
{
    int j = 0;
    for (; j + CELL_MATH_BLOCK <= n; j += CELL_MATH_BLOCK)
        for (int k = 0; k < CELL_MATH_BLOCK; k++)
            y[j + k] = cell_sigmoid(x[j + k]);
    for (; j < n; j++)
        y[j] = cell_sigmoid(x[j]);
}

/* y[j] = tanh(x[j]) for j < n; y may equal x. */
static inline void cell_tanh_vec(float *y, const float *x, int n)
{
    int j = 0;
    for (; j + CELL_MATH_BLOCK <= n; j += CELL_MATH_BLOCK)
        for (int k = 0; k < CELL_MATH_BLOCK; k++)
            y[j + k] = cell_tanh(x[j + k]);
    for (; j < n; j++)
        y[j] = cell_tanh(x[j]);
}

#endif
