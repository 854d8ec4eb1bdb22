/* vecops.h — element-wise float loops of the training step that gcc -O2
 * leaves scalar: accumulate a row, multiply by a mask, scale.
 *
 * Each runs 8 floats at a time with AVX2 when the CPU has it (cpu.h), else
 * 4 at a time with SSE2 where the build targets it, else scalar. Every
 * element gets the same single float operation on every path, so all paths
 * give identical bits (tests/test_vecops.c compares them). y and x must not
 * overlap unless equal.
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

#endif
