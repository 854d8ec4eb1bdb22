/* cpu.c — run-time CPU feature checks (see cpu.h).
 *
 * The element-wise kernels ask once per row, so an answer is one relaxed
 * atomic load: the widest path allowed, worked out on the first call (and
 * again after cpu_force_path) from what the CPU has and the test's cap.
 */
#include "cpu.h"

#include <stdatomic.h>

/* the paths as levels: 0 portable, 1 AVX2, 2 AVX-512 */
enum { LEVEL_PORTABLE, LEVEL_AVX2, LEVEL_AVX512 };

/* relaxed atomics: the first calls may come from several pool threads at once */
static atomic_int cap = CPU_PATH_BEST;
static atomic_int level = -1;       /* the allowed level; -1 until worked out */
static atomic_int have_avx2_fma = -1;

#ifdef CPU_X86_DISPATCH

static int detect_level(void)
{
    __builtin_cpu_init(); /* idempotent; needed if we run before libgcc's constructor */
    if (!__builtin_cpu_supports("avx2"))
        return LEVEL_PORTABLE;
    /* libgcc reports avx512f only where XGETBV says the OS saves zmm state */
    if (__builtin_cpu_supports("fma") && __builtin_cpu_supports("avx512f"))
        return LEVEL_AVX512;
    return LEVEL_AVX2;
}

int cpu_has_avx2_fma(void)
{
    int v = atomic_load_explicit(&have_avx2_fma, memory_order_relaxed);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        atomic_store_explicit(&have_avx2_fma, v, memory_order_relaxed);
    }
    return v;
}

#else

static int detect_level(void)
{
    return LEVEL_PORTABLE;
}

int cpu_has_avx2_fma(void)
{
    (void)have_avx2_fma;
    return 0;
}

#endif

static int allowed_level(void)
{
    int v = atomic_load_explicit(&level, memory_order_relaxed);
    if (v < 0) {
        const int c = atomic_load_explicit(&cap, memory_order_relaxed);
        const int most = c == CPU_PATH_PORTABLE ? LEVEL_PORTABLE : c == CPU_PATH_AVX2 ? LEVEL_AVX2 : LEVEL_AVX512;
        v = detect_level();
        v = v < most ? v : most;
        atomic_store_explicit(&level, v, memory_order_relaxed);
    }
    return v;
}

int cpu_has_avx2(void)
{
    return allowed_level() >= LEVEL_AVX2;
}

int cpu_has_avx512(void)
{
    return allowed_level() >= LEVEL_AVX512;
}

void cpu_force_path(CpuPath p)
{
    atomic_store_explicit(&cap, p, memory_order_relaxed);
    atomic_store_explicit(&level, -1, memory_order_relaxed);
}

const char *cpu_path_name(CpuPath p)
{
    return p == CPU_PATH_AVX2 ? "AVX2" : p == CPU_PATH_PORTABLE ? "portable" : "the widest";
}
