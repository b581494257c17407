/*
 * norm_loops.c — the inner loops of batch, layer and group normalisation
 * (see norm_loops.h), written once as a macro over the element type and
 * instantiated for float and double.
 *
 * Every loop is an `omp simd` loop: the sums may then be split into vector
 * lanes and added at the end (a fixed order for a given build, so results
 * do not vary run to run), where a single running double sum would make
 * each add wait for the one before it.  Each loop is compiled for AVX-512,
 * AVX2 and the baseline (SIMD_CLONES): at baseline width, two doubles a
 * vector, BatchNorm2d took a fifth of a LeNet training epoch.
 */
#include "tensor/norm_loops.h"
#include "tensor/simd.h"

#define SIMD _Pragma("omp simd")
#define SIMD_SUMS _Pragma("omp simd reduction(+:a, b)")

#define DEFINE_LOOPS(S, T)                                                                    \
    SIMD_CLONES static void moments_##S(const T *x, int64_t n, double shift, double *s1, double *s2)      \
    {                                                                                         \
        double a = 0, b = 0;                                                                  \
        SIMD_SUMS for (int64_t i = 0; i < n; i++)                                             \
        {                                                                                     \
            double d = x[i] - shift;                                                          \
            a += d;                                                                           \
            b += d * d;                                                                       \
        }                                                                                     \
        *s1 += a;                                                                             \
        *s2 += b;                                                                             \
    }                                                                                         \
    SIMD_CLONES static void affine_##S(const T *x, T *y, int64_t n, double a, double b)                   \
    {                                                                                         \
        SIMD for (int64_t i = 0; i < n; i++)                                                  \
            y[i] = (T)(a * x[i] + b);                                                         \
    }                                                                                         \
    SIMD_CLONES static void dots_##S(const T *g, const T *x, int64_t n, double c, double *sg, double *sgx) \
    {                                                                                         \
        double a = 0, b = 0;                                                                  \
        SIMD_SUMS for (int64_t i = 0; i < n; i++)                                             \
        {                                                                                     \
            a += g[i];                                                                        \
            b += g[i] * (x[i] - c);                                                           \
        }                                                                                     \
        *sg += a;                                                                             \
        *sgx += b;                                                                            \
    }                                                                                         \
    SIMD_CLONES static void combine_##S(const T *g, const T *x, T *dx, int64_t n, double c1, double c2,   \
                            double c3)                                                        \
    {                                                                                         \
        SIMD for (int64_t i = 0; i < n; i++)                                                  \
            dx[i] = (T)(c1 * g[i] + c2 + c3 * x[i]);                                          \
    }                                                                                         \
    SIMD_CLONES static void affine_vec_##S(const T *x, T *y, int64_t n, double m, double is,              \
                               const double *w, const double *b)                              \
    {                                                                                         \
        SIMD for (int64_t i = 0; i < n; i++)                                                  \
            y[i] = (T)((x[i] - m) * is * w[i] + b[i]);                                        \
    }                                                                                         \
    SIMD_CLONES static void dots_vec_##S(const T *g, const T *x, int64_t n, double m, double is,          \
                             const double *w, double *sdy, double *sdyx, double *aw,          \
                             double *ab)                                                      \
    {                                                                                         \
        double a = 0, b = 0;                                                                  \
        SIMD_SUMS for (int64_t i = 0; i < n; i++)                                             \
        {                                                                                     \
            double dy = g[i] * w[i];                                                          \
            a += dy;                                                                          \
            b += dy * ((x[i] - m) * is);                                                      \
        }                                                                                     \
        *sdy += a;                                                                            \
        *sdyx += b;                                                                           \
        if (aw)                                                                               \
            SIMD for (int64_t i = 0; i < n; i++)                                              \
                aw[i] += g[i] * ((x[i] - m) * is);                                            \
        if (ab)                                                                               \
            SIMD for (int64_t i = 0; i < n; i++)                                              \
                ab[i] += g[i];                                                                \
    }                                                                                         \
    SIMD_CLONES static void combine_vec_##S(const T *g, const T *x, T *dx, int64_t n, double m,           \
                                double is, const double *w, double mdy, double mdyx)          \
    {                                                                                         \
        SIMD for (int64_t i = 0; i < n; i++)                                                  \
            dx[i] = (T)(is * (g[i] * w[i] - mdy - (x[i] - m) * is * mdyx));                   \
    }

DEFINE_LOOPS(f32, float)
DEFINE_LOOPS(f64, double)

/* The public loops pick the instance for the dtype. */
#define DISPATCH(dt, fn, ...) ((dt) == DTYPE_FLOAT32 ? fn##_f32(__VA_ARGS__) : fn##_f64(__VA_ARGS__))

void loop_moments(DType dt, const void *x, int64_t n, double shift, double *s1, double *s2)
{
    DISPATCH(dt, moments, x, n, shift, s1, s2);
}

void loop_affine(DType dt, const void *x, void *y, int64_t n, double a, double b)
{
    DISPATCH(dt, affine, x, y, n, a, b);
}

void loop_dots(DType dt, const void *g, const void *x, int64_t n, double center, double *sg,
               double *sgx)
{
    DISPATCH(dt, dots, g, x, n, center, sg, sgx);
}

void loop_combine(DType dt, const void *g, const void *x, void *dx, int64_t n, double c1,
                  double c2, double c3)
{
    DISPATCH(dt, combine, g, x, dx, n, c1, c2, c3);
}

void loop_affine_vec(DType dt, const void *x, void *y, int64_t n, double mean, double invstd,
                     const double *w, const double *b)
{
    DISPATCH(dt, affine_vec, x, y, n, mean, invstd, w, b);
}

void loop_dots_vec(DType dt, const void *g, const void *x, int64_t n, double mean, double invstd,
                   const double *w, double *sum_dy, double *sum_dy_xhat, double *acc_w,
                   double *acc_b)
{
    DISPATCH(dt, dots_vec, g, x, n, mean, invstd, w, sum_dy, sum_dy_xhat, acc_w, acc_b);
}

void loop_combine_vec(DType dt, const void *g, const void *x, void *dx, int64_t n, double mean,
                      double invstd, const double *w, double mean_dy, double mean_dy_xhat)
{
    DISPATCH(dt, combine_vec, g, x, dx, n, mean, invstd, w, mean_dy, mean_dy_xhat);
}
