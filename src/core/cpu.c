/* cpu.c — run-time CPU feature checks (see cpu.h). */
#include "cpu.h"

#include <stdatomic.h>

/* relaxed atomics: the first calls may come from several pool threads at once */
static atomic_int forced_portable, forced_avx2;

#ifdef CPU_X86_DISPATCH

/* -1 until asked */
static atomic_int have_avx2 = -1, have_avx2_fma = -1, have_avx512 = -1;

enum { WANT_FMA = 1, WANT_AVX512 = 2 };

static int cpu_check(atomic_int *cache, int want)
{
    int v = atomic_load_explicit(cache, memory_order_relaxed);
    if (v < 0) {
        __builtin_cpu_init(); /* idempotent; needed if we run before libgcc's constructor */
        /* libgcc reports avx512f only where XGETBV says the OS saves zmm state */
        v = __builtin_cpu_supports("avx2") && (!(want & WANT_FMA) || __builtin_cpu_supports("fma")) &&
            (!(want & WANT_AVX512) || __builtin_cpu_supports("avx512f"));
        atomic_store_explicit(cache, v, memory_order_relaxed);
    }
    return v;
}

int cpu_has_avx2(void)
{
    return !atomic_load_explicit(&forced_portable, memory_order_relaxed) && cpu_check(&have_avx2, 0);
}

int cpu_has_avx2_fma(void)
{
    return cpu_check(&have_avx2_fma, WANT_FMA);
}

int cpu_has_avx512(void)
{
    return !atomic_load_explicit(&forced_avx2, memory_order_relaxed) && cpu_has_avx2() &&
           cpu_check(&have_avx512, WANT_FMA | WANT_AVX512);
}

#else

int cpu_has_avx2(void)
{
    return 0;
}

int cpu_has_avx2_fma(void)
{
    return 0;
}

int cpu_has_avx512(void)
{
    return 0;
}

#endif

void cpu_force_path(CpuPath p)
{
    atomic_store_explicit(&forced_portable, p == CPU_PATH_PORTABLE, memory_order_relaxed);
    atomic_store_explicit(&forced_avx2, p == CPU_PATH_AVX2, memory_order_relaxed);
}

const char *cpu_path_name(CpuPath p)
{
    return p == CPU_PATH_AVX2 ? "AVX2" : p == CPU_PATH_PORTABLE ? "portable" : "the widest";
}
