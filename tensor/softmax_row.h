/*
 * softmax_row.h — log-sum-exp and softmax of one contiguous row, the inner
 * loop that cross entropy (loss.c) and softmax / log_softmax (scan.c) share.
 */
#ifndef LUAGRAD_SOFTMAX_ROW_H
#define LUAGRAD_SOFTMAX_ROW_H

#include <stdint.h>

/* log(sum_c exp(x_c)) over the n values of x, computed as m + log(sum
 * exp(x - m)) with m the row's max so nothing overflows; when p is not
 * NULL it receives softmax(x).  A NaN in the row gives NaN throughout. */
double softmax_row_f32(const float *x, int64_t n, float *p);
double softmax_row_f64(const double *x, int64_t n, double *p);

/* y = log_softmax(x) = x - logsumexp(x), the subtraction in double so that
 * values near 0 keep their digits. */
void log_softmax_row_f32(const float *x, int64_t n, float *y);
void log_softmax_row_f64(const double *x, int64_t n, double *y);

#endif
