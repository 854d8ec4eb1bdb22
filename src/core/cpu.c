/* cpu.c — run-time CPU feature checks (see cpu.h). */
#include "cpu.h"

#include <stdatomic.h>

/* relaxed atomics: the first calls may come from several pool threads at once */
static atomic_int forced_portable;

#ifdef CPU_X86_DISPATCH

/* -1 until asked */
static atomic_int have_avx2 = -1, have_avx2_fma = -1;

static int cpu_check(atomic_int *cache, int want_fma)
{
    int v = atomic_load_explicit(cache, memory_order_relaxed);
    if (v < 0) {
        __builtin_cpu_init(); /* idempotent; needed if we run before libgcc's constructor */
        v = __builtin_cpu_supports("avx2") && (!want_fma || __builtin_cpu_supports("fma"));
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
    return cpu_check(&have_avx2_fma, 1);
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

#endif

void cpu_force_portable(int on)
{
    atomic_store_explicit(&forced_portable, on != 0, memory_order_relaxed);
}
