/*
 * reduce_simd.c — the float32 sum, written with vector intrinsics.
 *
 * Summing float32 in double costs a conversion per element, and how fast
 * the loop runs then depends on keeping several independent vector
 * accumulators in flight.  Compilers do not reliably do that from plain C
 * (GCC 12 keeps two), so the x86-64 versions here spell it out: four
 * AVX-512 (or AVX2) accumulators, each adding converted floats, which keeps
 * up with memory on two cores.  The version is picked once at load time from
 * what the CPU supports; other machines get the portable loop.
 */
#include "tensor/reduce.h"

typedef double (*SumFloat32Fn)(const float *x, int64_t n);

static double sum_portable(const float *x, int64_t n)
{
    double s = 0;
#pragma omp simd reduction(+:s)
    for (int64_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static double sum_avx512(const float *x, int64_t n)
{
    __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_add_pd(a0, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
        a1 = _mm512_add_pd(a1, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8)));
        a2 = _mm512_add_pd(a2, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 16)));
        a3 = _mm512_add_pd(a3, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 24)));
    }
    __m512d a = _mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3));
    return _mm512_reduce_add_pd(a) + sum_portable(x + i, n - i);
}

__attribute__((target("avx2"))) static double sum_avx2(const float *x, int64_t n)
{
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
        a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
        a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 8)));
        a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 12)));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + sum_portable(x + i, n - i);
}

static SumFloat32Fn sum_kernel = sum_portable;

__attribute__((constructor)) static void reduce_simd_pick(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        sum_kernel = sum_avx512;
    else if (__builtin_cpu_supports("avx2"))
        sum_kernel = sum_avx2;
}
#else
static const SumFloat32Fn sum_kernel = sum_portable;
#endif

void sum_rows_float32(double *out, const float *x, int64_t rows, int64_t n, int64_t stride)
{
    for (int64_t r = 0; r < rows; r++, x += stride)
        out[r] = sum_kernel(x, n);
}
