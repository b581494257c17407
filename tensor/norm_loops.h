/*
 * norm_loops.h — the inner loops of the normalisations (norm_loops.c), over
 * n contiguous elements of a floating dtype, not a public header.
 *
 * Two families: constant coefficients for a run of elements that share
 * their statistics and parameters (batch_norm's rows, group_norm's
 * channels), and per-element parameters w[j], b[j] (layer_norm's rows).
 * Sums are kept in double; xhat below is (x - mean) * invstd.
 */
#ifndef LUAGRAD_NORM_LOOPS_H
#define LUAGRAD_NORM_LOOPS_H

#include "tensor/tensor.h"

/* s1 += sum (x - shift), s2 += sum (x - shift)^2 */
void loop_moments(DType dt, const void *x, int64_t n, double shift, double *s1, double *s2);
/* y = a * x + b */
void loop_affine(DType dt, const void *x, void *y, int64_t n, double a, double b);
/* sg += sum g, sgx += sum g * (x - center) */
void loop_dots(DType dt, const void *g, const void *x, int64_t n, double center, double *sg,
               double *sgx);
/* dx = c1 * g + c2 + c3 * x */
void loop_combine(DType dt, const void *g, const void *x, void *dx, int64_t n, double c1,
                  double c2, double c3);

/* y = xhat * w[j] + b[j] */
void loop_affine_vec(DType dt, const void *x, void *y, int64_t n, double mean, double invstd,
                     const double *w, const double *b);
/* With dy = g * w[j]: sum_dy += sum dy, sum_dy_xhat += sum dy * xhat, and
 * when acc_w (acc_b) is not NULL, acc_w[j] += g * xhat (acc_b[j] += g). */
void loop_dots_vec(DType dt, const void *g, const void *x, int64_t n, double mean, double invstd,
                   const double *w, double *sum_dy, double *sum_dy_xhat, double *acc_w,
                   double *acc_b);
/* dx = invstd * (g * w[j] - mean_dy - xhat * mean_dy_xhat) */
void loop_combine_vec(DType dt, const void *g, const void *x, void *dx, int64_t n, double mean,
                      double invstd, const double *w, double mean_dy, double mean_dy_xhat);

#endif
