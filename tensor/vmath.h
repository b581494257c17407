/*
 * vmath.h — exp, tanh and the logistic sigmoid of a float as inline code
 * that compilers vectorize: no calls and no branches, only arithmetic and
 * selects.  For loops that spend their time in these functions (the
 * recurrent cells of rnn_cell.c).
 *
 * glibc's expf and tanhf are calls, one element at a time (its vector
 * forms are declared only under -ffast-math, which luagrad does not use),
 * and tanhf's path through expm1f is slow.  These are Cephes's reductions
 * and polynomials: exp(x) = 2^n exp(r) with |r| <= ln(2)/2 and a degree-6
 * polynomial; tanh an odd polynomial below 0.625 and 1 - 2 / (exp(2|x|) + 1)
 * above.  They stay within a few ulp of the exact value (test_nn_kernels.c
 * measures it against double precision), and NaN, infinities, overflow to
 * inf and underflow to 0 come out as from libm.
 */
#ifndef LUAGRAD_VMATH_H
#define LUAGRAD_VMATH_H

#include <math.h>
#include <stdint.h>

/* 2^k for k in -126..127, from its bits. */
static inline float vm_pow2i(int32_t k)
{
    union {
        int32_t i;
        float f;
    } u = {.i = (k + 127) << 23};
    return u.f;
}

static inline float vm_expf(float x)
{
    const float hi = 88.7228391f, lo = -103.972084f;   /* exp overflows / underflows past them */
    float xc = x < hi ? x : hi;
    xc = xc > lo ? xc : lo;                            /* NaN goes to hi: finite arithmetic */
    float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;   /* round(x / ln 2) */
    float r = xc - n * 0.693359375f - n * -2.12194440e-4f;
    float p = ((((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r +
                  4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f) * r * r) + r + 1;
    /* 2^n in two factors, so that subnormal results and 2^128 are reached. */
    int32_t k = (int32_t)n, k1 = k / 2;
    float y = p * vm_pow2i(k1) * vm_pow2i(k - k1);
    y = x > hi ? INFINITY : y;
    y = x < lo ? 0 : y;
    return x != x ? x : y;
}

static inline float vm_tanhf(float x)
{
    float a = fabsf(x), z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                    1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float big = 1 - 2 / (vm_expf(2 * a) + 1);
    return copysignf(a < 0.625f ? small : big, x);   /* odd: the sign is x's, -0 included */
}

static inline float vm_sigmoidf(float x)
{
    return 1 / (1 + vm_expf(-x));
}

#endif
