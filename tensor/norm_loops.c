/*
 * norm_loops.c — the inner loops of batch, layer and group normalisation
 * (see norm_loops.h), written once as macros over the element type and
 * instantiated for float and double.
 *
 * Reductions keep four partial sums in double, each fed every fourth
 * element, and add them at the end: a single running double sum makes every
 * add wait for the previous one (4 cycles each), which was most of the time
 * of a batch_norm.  The order is fixed, so results do not vary run to run.
 */
#include "tensor/norm_loops.h"

/* Runs BODY(i, k) for i < n with k = i % 4 selecting the partial sum. */
#define FOUR_WAY(n, BODY)                                                \
    do {                                                                 \
        int64_t i_ = 0;                                                  \
        for (; i_ + 4 <= (n); i_ += 4) {                                 \
            BODY(i_, 0);                                                 \
            BODY(i_ + 1, 1);                                             \
            BODY(i_ + 2, 2);                                             \
            BODY(i_ + 3, 3);                                             \
        }                                                                \
        for (; i_ < (n); i_++)                                           \
            BODY(i_, 0);                                                 \
    } while (0)

#define SUM4(a) ((a)[0] + (a)[1] + (a)[2] + (a)[3])

#define DEFINE_LOOPS(S, T)                                                                    \
    static void moments_##S(const T *x, int64_t n, double shift, double *s1, double *s2)      \
    {                                                                                         \
        double a[4] = {0}, b[4] = {0};                                                        \
        FOUR_WAY(n, MOMENT);                                                                  \
        *s1 += SUM4(a);                                                                       \
        *s2 += SUM4(b);                                                                       \
    }                                                                                         \
    static void affine_##S(const T *x, T *y, int64_t n, double a, double b)                   \
    {                                                                                         \
        for (int64_t i = 0; i < n; i++)                                                       \
            y[i] = (T)(a * x[i] + b);                                                         \
    }                                                                                         \
    static void dots_##S(const T *g, const T *x, int64_t n, double c, double *sg, double *sgx) \
    {                                                                                         \
        double a[4] = {0}, b[4] = {0};                                                        \
        FOUR_WAY(n, DOT);                                                                     \
        *sg += SUM4(a);                                                                       \
        *sgx += SUM4(b);                                                                      \
    }                                                                                         \
    static void combine_##S(const T *g, const T *x, T *dx, int64_t n, double c1, double c2,   \
                            double c3)                                                        \
    {                                                                                         \
        for (int64_t i = 0; i < n; i++)                                                       \
            dx[i] = (T)(c1 * g[i] + c2 + c3 * x[i]);                                          \
    }                                                                                         \
    static void affine_vec_##S(const T *x, T *y, int64_t n, double m, double is,              \
                               const double *w, const double *b)                              \
    {                                                                                         \
        for (int64_t i = 0; i < n; i++)                                                       \
            y[i] = (T)((x[i] - m) * is * w[i] + b[i]);                                        \
    }                                                                                         \
    static void dots_vec_##S(const T *g, const T *x, int64_t n, double m, double is,          \
                             const double *w, double *sdy, double *sdyx, double *aw,          \
                             double *ab)                                                      \
    {                                                                                         \
        double a[4] = {0}, b[4] = {0};                                                        \
        FOUR_WAY(n, DOT_VEC);                                                                 \
        *sdy += SUM4(a);                                                                      \
        *sdyx += SUM4(b);                                                                     \
        for (int64_t i = 0; aw && i < n; i++)                                                 \
            aw[i] += g[i] * (x[i] - m) * is;                                                  \
        for (int64_t i = 0; ab && i < n; i++)                                                 \
            ab[i] += g[i];                                                                    \
    }                                                                                         \
    static void combine_vec_##S(const T *g, const T *x, T *dx, int64_t n, double m,           \
                                double is, const double *w, double mdy, double mdyx)          \
    {                                                                                         \
        for (int64_t i = 0; i < n; i++)                                                       \
            dx[i] = (T)(is * (g[i] * w[i] - mdy - (x[i] - m) * is * mdyx));                   \
    }

/* The bodies, one element i into partial sum k. */
#define MOMENT(i, k)                                                     \
    do {                                                                 \
        double d_ = x[i] - shift;                                        \
        a[k] += d_;                                                      \
        b[k] += d_ * d_;                                                 \
    } while (0)
#define DOT(i, k)                                                        \
    do {                                                                 \
        a[k] += g[i];                                                    \
        b[k] += g[i] * (x[i] - c);                                       \
    } while (0)
#define DOT_VEC(i, k)                                                    \
    do {                                                                 \
        double dy_ = g[i] * w[i];                                        \
        a[k] += dy_;                                                     \
        b[k] += dy_ * ((x[i] - m) * is);                                 \
    } while (0)

DEFINE_LOOPS(f32, float)
DEFINE_LOOPS(f64, double)

void loop_moments(DType dt, const void *x, int64_t n, double shift, double *s1, double *s2)
{
    if (dt == DTYPE_FLOAT32)
        moments_f32(x, n, shift, s1, s2);
    else
        moments_f64(x, n, shift, s1, s2);
}

void loop_affine(DType dt, const void *x, void *y, int64_t n, double a, double b)
{
    if (dt == DTYPE_FLOAT32)
        affine_f32(x, y, n, a, b);
    else
        affine_f64(x, y, n, a, b);
}

void loop_dots(DType dt, const void *g, const void *x, int64_t n, double center, double *sg,
               double *sgx)
{
    if (dt == DTYPE_FLOAT32)
        dots_f32(g, x, n, center, sg, sgx);
    else
        dots_f64(g, x, n, center, sg, sgx);
}

void loop_combine(DType dt, const void *g, const void *x, void *dx, int64_t n, double c1,
                  double c2, double c3)
{
    if (dt == DTYPE_FLOAT32)
        combine_f32(g, x, dx, n, c1, c2, c3);
    else
        combine_f64(g, x, dx, n, c1, c2, c3);
}

void loop_affine_vec(DType dt, const void *x, void *y, int64_t n, double mean, double invstd,
                     const double *w, const double *b)
{
    if (dt == DTYPE_FLOAT32)
        affine_vec_f32(x, y, n, mean, invstd, w, b);
    else
        affine_vec_f64(x, y, n, mean, invstd, w, b);
}

void loop_dots_vec(DType dt, const void *g, const void *x, int64_t n, double mean, double invstd,
                   const double *w, double *sum_dy, double *sum_dy_xhat, double *acc_w,
                   double *acc_b)
{
    if (dt == DTYPE_FLOAT32)
        dots_vec_f32(g, x, n, mean, invstd, w, sum_dy, sum_dy_xhat, acc_w, acc_b);
    else
        dots_vec_f64(g, x, n, mean, invstd, w, sum_dy, sum_dy_xhat, acc_w, acc_b);
}

void loop_combine_vec(DType dt, const void *g, const void *x, void *dx, int64_t n, double mean,
                      double invstd, const double *w, double mean_dy, double mean_dy_xhat)
{
    if (dt == DTYPE_FLOAT32)
        combine_vec_f32(g, x, dx, n, mean, invstd, w, mean_dy, mean_dy_xhat);
    else
        combine_vec_f64(g, x, dx, n, mean, invstd, w, mean_dy, mean_dy_xhat);
}
