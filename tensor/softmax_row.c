/*
 * softmax_row.c — log-sum-exp and softmax of one contiguous row.
 *
 * Three reads of the row while it sits in the cache: its max m, then
 * exp(x - m) and their sum s (in double), then the scaling by 1/s.  float32
 * rows use an exp of their own that the compiler vectorises
 * (exp_nonpositive_f32; libm's expf is a call per element and was 3/4 of
 * cross entropy's time), with AVX2/AVX-512 clones picked at load time.
 * Rows holding NaN or infinities take the plain loop with libm's exp, whose
 * IEEE rules give PyTorch's results for them.
 */
#include "tensor/softmax_row.h"
#include "tensor/simd.h"

#include <math.h>
#include <stddef.h>

#define DEFINE_SOFTMAX_ROW_LIBM(name, T, EXP)                                            \
    static double name(const T *x, int64_t n, T *p)                                      \
    {                                                                                    \
        T m = -INFINITY;                                                                 \
        for (int64_t c = 0; c < n; c++)                                                  \
            m = x[c] > m || isnan(x[c]) ? x[c] : m;                                      \
        double s = 0;                                                                    \
        for (int64_t c = 0; c < n; c++) {                                                \
            T e = EXP(x[c] - m);                                                         \
            if (p)                                                                       \
                p[c] = e;                                                                \
            s += e;                                                                      \
        }                                                                                \
        const T inv = (T)(1 / s);                                                        \
        for (int64_t c = 0; p && c < n; c++)                                             \
            p[c] *= inv;                                                                 \
        return m + log(s);                                                               \
    }
DEFINE_SOFTMAX_ROW_LIBM(softmax_row_libm_f32, float, expf)
DEFINE_SOFTMAX_ROW_LIBM(softmax_row_libm_f64, double, exp)

double softmax_row_f64(const double *x, int64_t n, double *p)
{
    return softmax_row_libm_f64(x, n, p);
}

/* exp(x) for x <= 0 (or -inf) in float32, in a form loops vectorise:
 * x = n ln2 + r with n rounded to nearest by the 1.5 * 2^23 trick, exp(r)
 * for |r| <= ln2 / 2 by Cephes' degree-6 polynomial (within 1.4 ulp), 2^n
 * built in the exponent bits.  Below -87.3 (where float32's normal numbers
 * end) the result is 0.  The two clamps work on the bits as integers: a
 * floating-point select would let GCC split the loop into branches, which it
 * then cannot vectorise. */
static inline float exp_nonpositive_f32(float x)
{
    union {
        float f;
        uint32_t u;
        int32_t i;
    } v = {.f = x}, scale;
    v.u = v.u > 0xC2C80000u ? 0xC2C80000u : v.u;   /* -100 <= x (as unsigned: -inf is larger) */
    const float shift = 12582912.0f;
    float k = (v.f * 1.44269504088896341f + shift) - shift;
    float r = v.f - k * 0.693359375f + k * 2.12194440e-4f;
    float y = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r +
                4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f;
    int32_t e = (int32_t)k;
    e = e < -127 ? -127 : e;                        /* 2^-127 has the bits of 0.0 */
    scale.i = (e + 127) << 23;
    return (y * r * r + r + 1.0f) * scale.f;
}

SIMD_CLONES double softmax_row_f32(const float *x, int64_t n, float *p)
{
    float m = -INFINITY;
    int unusual = 0;
#pragma omp simd reduction(max:m) reduction(|:unusual)
    for (int64_t c = 0; c < n; c++) {
        m = x[c] > m ? x[c] : m;
        unusual |= x[c] - x[c] != 0;   /* NaN and infinities */
    }
    if (unusual)
        return softmax_row_libm_f32(x, n, p);
    double s = 0;
    if (p) {
#pragma omp simd reduction(+:s)
        for (int64_t c = 0; c < n; c++) {
            p[c] = exp_nonpositive_f32(x[c] - m);
            s += p[c];
        }
        const float inv = (float)(1 / s);
#pragma omp simd
        for (int64_t c = 0; c < n; c++)
            p[c] *= inv;
    } else {
#pragma omp simd reduction(+:s)
        for (int64_t c = 0; c < n; c++)
            s += exp_nonpositive_f32(x[c] - m);
    }
    return m + log(s);
}

#define DEFINE_LOG_SOFTMAX_ROW(name, T, ROW_FN)                                          \
    SIMD_CLONES void name(const T *x, int64_t n, T *y)                                   \
    {                                                                                    \
        const double lse = ROW_FN(x, n, NULL);                                           \
        _Pragma("omp simd") for (int64_t c = 0; c < n; c++)                              \
            y[c] = (T)(x[c] - lse);                                                      \
    }
DEFINE_LOG_SOFTMAX_ROW(log_softmax_row_f32, float, softmax_row_f32)
DEFINE_LOG_SOFTMAX_ROW(log_softmax_row_f64, double, softmax_row_f64)
