/* vecops.h — element-wise float loops of the training step that gcc -O2
 * leaves scalar: accumulate a row, multiply by a mask, scale, the largest
 * element, the sum of squares of a gradient and those of a parameter update.
 *
 * Each runs 8 floats at a time with AVX2 when the CPU has it (cpu.h), else
 * 4 at a time with SSE2 where the build targets it, else scalar. Every
 * element gets the same single float operation on every path, so all paths
 * give identical bits (tests/test_vecops.c compares them). y and x must not
 * overlap unless equal. Also the count of the gate statistics (a value outside
 * a band), which is exact on every path.
 */
#ifndef RNNSCOPE_VECOPS_H
#define RNNSCOPE_VECOPS_H

#include <stddef.h>

/* y[i] += x[i] for i < n */
void vec_add(float *y, const float *x, size_t n);
/* y[i] *= x[i] for i < n */
void vec_mul(float *y, const float *x, size_t n);
/* y[i] *= a for i < n */
void vec_scale(float *y, float a, size_t n);

/* sum of x[i]^2 for i < n, in double, in the same fixed 8-lane shape. */
double vec_sum_squares(const float *x, size_t n);

/* The largest of x[0..n-1], n >= 1: NaN if any is NaN, +0 for a zero
 * maximum (never -0), so the same bits on every path. */
float vec_max(const float *x, size_t n);

/* An update's statistics over i < n: *diff_ss = sum of (w[i] - before[i])^2,
 * *weight_ss = sum of before[i]^2, both in double (in a fixed 8-lane shape,
 * the same bits on every path); returns 1 if any w[i] is inf or NaN. */
int vec_update_stats(const float *w, const float *before, size_t n, double *diff_ss, double *weight_ss);

/* How many x[i] (i < n) lie outside [lo, hi]: x[i] < lo or x[i] > hi. NaN
 * counts as inside (both comparisons are false). Exact on every path. */
size_t vec_count_outside(const float *x, size_t n, float lo, float hi);

#endif
