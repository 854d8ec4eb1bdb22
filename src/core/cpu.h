/* cpu.h — which optional x86-64 instruction sets the running CPU has, for the
 * kernels that take an AVX2 or AVX-512 path at run time (rgemm.c and
 * rgemm_avx512.c, vecops.c, cell_math.h, cell_lstm.c, optim.c) while the
 * build itself targets the baseline ISA, so one binary runs on any x86-64.
 * Elsewhere (other architectures, compilers without __builtin_cpu_supports)
 * every answer is 0.
 */
#ifndef RNNSCOPE_CPU_H
#define RNNSCOPE_CPU_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* functions can be compiled for AVX2 with __attribute__((target("avx2"))) */
#define CPU_X86_DISPATCH 1
#endif

/* 1 if the CPU has AVX2: the element-wise kernels, which give the same bits
 * as their portable (SSE2 or scalar) paths. */
int cpu_has_avx2(void);
/* 1 if it has AVX2 and FMA: the packed recurrent product (rgemm.h). */
int cpu_has_avx2_fma(void);
/* 1 if it has AVX-512F besides AVX2/FMA (and the OS saves the zmm state):
 * the 16-wide kernels, which give the same bits as their AVX2 paths. */
int cpu_has_avx512(void);

/* The kernel paths, widest first. */
typedef enum { CPU_PATH_BEST, CPU_PATH_AVX2, CPU_PATH_PORTABLE, CPU_PATHS } CpuPath;

/* Tests only: the widest path allowed until the next call. CPU_PATH_AVX2 turns
 * cpu_has_avx512() off, CPU_PATH_PORTABLE cpu_has_avx2() too, so a test can
 * run each path on a machine that has the wider ones and compare bits.
 * cpu_has_avx2_fma() is not affected (rgemm rounds differently from the
 * cblas_sgemm it replaces, and a workspace chooses it once). */
void cpu_force_path(CpuPath p);
/* "the widest", "AVX2" or "portable", for test messages */
const char *cpu_path_name(CpuPath p);

#endif
