/*
 * rnn_cell.c — the gate arithmetic of one recurrent step over a batch,
 * forward and backward, for float32 and float64 (rnn_cell.h).
 *
 * One pass per row does all of a cell's elementwise work that the composed
 * form spreads over a dozen ops (sigmoid, tanh, chunk, mul, addcmul, lerp
 * and their backward nodes), with every intermediate in registers.  The
 * functions compute in the dtype's own precision with PyTorch's formulas
 * and association (sigmoid = 1 / (1 + exp(-x)), GRU's h = (h_{t-1} - n) z +
 * n), so float32 results stay within rounding of PyTorch's.
 */
#include "tensor/rnn_cell.h"

#include <math.h>

#include "tensor/simd.h"
#include "tensor/vmath.h"

/* Row r of a reserve array and of a dense one `width` wide. */
#define RES(T, p, r) ((T *)(p) + (r) * s->ld)
#define ROW(T, p, r, width) ((T *)(p) + (r) * (width))

/* An Elman cell: h = ACT(x) in place of its pre-activation x, and the
 * pre-activation's gradient DERIV(h, d) from h and h's gradient d. */
#define DEFINE_ELMAN(T, NAME, ACT, DERIV)                                                          \
    SIMD_CLONES static void NAME##_forward_##T(const RnnStep *s)                                   \
    {                                                                                              \
        for (int64_t r = 0; r < s->rows; r++) {                                                    \
            T *h = RES(T, s->h, r);                                                                \
            _Pragma("omp simd") for (int64_t j = 0; j < s->hidden; j++)                            \
            {                                                                                      \
                T x = h[j];                                                                        \
                h[j] = (ACT);                                                                      \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    SIMD_CLONES static void NAME##_backward_##T(const RnnStep *s)                                  \
    {                                                                                              \
        int64_t H = s->hidden;                                                                     \
        for (int64_t r = 0; r < s->rows; r++) {                                                    \
            const T *hr = RES(T, s->h, r), *dh = ROW(T, s->dh, r, H);                              \
            T *dg = ROW(T, s->dg, r, H);                                                           \
            _Pragma("omp simd") for (int64_t j = 0; j < H; j++)                                    \
            {                                                                                      \
                T h = hr[j], d = dh[j];                                                            \
                dg[j] = (DERIV);                                                                   \
            }                                                                                      \
        }                                                                                          \
    }

/* NaN passes through relu, as with PyTorch's. */
#define DEFINE_CELLS(T, SIGMOID, TANH)                                                             \
    DEFINE_ELMAN(T, tanh, TANH(x), d * (1 - h * h))                                                \
    DEFINE_ELMAN(T, relu, x < 0 ? 0 : x, h > 0 ? d : 0)                                            \
                                                                                                   \
    SIMD_CLONES static void lstm_forward_##T(const RnnStep *s)                                     \
    {                                                                                              \
        int64_t H = s->hidden;                                                                     \
        for (int64_t r = 0; r < s->rows; r++) {                                                    \
            T *a = RES(T, s->act, r), *c = RES(T, s->c, r), *tc = RES(T, s->tc, r);                \
            T *h = RES(T, s->h, r);                                                                \
            const T *cp = RES(T, s->c_prev, r);                                                    \
            _Pragma("omp simd") for (int64_t j = 0; j < H; j++) {                                  \
                T i = SIGMOID(a[j]), f = SIGMOID(a[H + j]);                                        \
                T g = TANH(a[2 * H + j]), o = SIGMOID(a[3 * H + j]);                               \
                T cn = f * cp[j] + i * g, t = TANH(cn);                                            \
                a[j] = i, a[H + j] = f, a[2 * H + j] = g, a[3 * H + j] = o;                        \
                c[j] = cn, tc[j] = t, h[j] = o * t;                                                \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    SIMD_CLONES static void lstm_backward_##T(const RnnStep *s)                                    \
    {                                                                                              \
        int64_t H = s->hidden;                                                                     \
        for (int64_t r = 0; r < s->rows; r++) {                                                    \
            const T *a = RES(T, s->act, r), *tc = RES(T, s->tc, r);                                \
            const T *cp = RES(T, s->c_prev, r), *dh = ROW(T, s->dh, r, H);                         \
            T *dc = ROW(T, s->dc, r, H), *dg = ROW(T, s->dg, r, 4 * H);                            \
            _Pragma("omp simd") for (int64_t j = 0; j < H; j++) {                                  \
                T i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j], t = tc[j];           \
                T dct = dc[j] + dh[j] * o * (1 - t * t);                                           \
                dg[j] = dct * g * i * (1 - i);                                                     \
                dg[H + j] = dct * cp[j] * f * (1 - f);                                             \
                dg[2 * H + j] = dct * i * (1 - g * g);                                             \
                dg[3 * H + j] = dh[j] * t * o * (1 - o);                                           \
                dc[j] = dct * f;                                                                   \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    SIMD_CLONES static void gru_forward_##T(const RnnStep *s)                                      \
    {                                                                                              \
        int64_t H = s->hidden;                                                                     \
        for (int64_t r = 0; r < s->rows; r++) {                                                    \
            const T *x = ROW(T, s->gi, r, 3 * H), *y = ROW(T, s->gh, r, 3 * H);                    \
            const T *hp = RES(T, s->h_prev, r);                                                    \
            T *a = RES(T, s->act, r), *ghn = RES(T, s->ghn, r), *h = RES(T, s->h, r);              \
            _Pragma("omp simd") for (int64_t j = 0; j < H; j++) {                                  \
                T rg = SIGMOID(y[j] + x[j]), z = SIGMOID(y[H + j] + x[H + j]);                     \
                T n = TANH(x[2 * H + j] + y[2 * H + j] * rg);                                      \
                a[j] = rg, a[H + j] = z, a[2 * H + j] = n, ghn[j] = y[2 * H + j];                  \
                h[j] = (hp[j] - n) * z + n;                                                        \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    SIMD_CLONES static void gru_backward_##T(const RnnStep *s)                                     \
    {                                                                                              \
        int64_t H = s->hidden;                                                                     \
        for (int64_t r = 0; r < s->rows; r++) {                                                    \
            const T *a = RES(T, s->act, r), *ghn = RES(T, s->ghn, r);                              \
            const T *hp = RES(T, s->h_prev, r);                                                    \
            T *dh = ROW(T, s->dh, r, H), *dgi = ROW(T, s->dg, r, 3 * H);                           \
            T *dgh = ROW(T, s->dgh, r, 3 * H);                                                     \
            _Pragma("omp simd") for (int64_t j = 0; j < H; j++) {                                  \
                T rg = a[j], z = a[H + j], n = a[2 * H + j], d = dh[j];                            \
                T dn = d * (1 - z) * (1 - n * n);                                                  \
                T dr = dn * ghn[j] * rg * (1 - rg), dz = d * (hp[j] - n) * z * (1 - z);            \
                dgi[j] = dgh[j] = dr;                                                              \
                dgi[H + j] = dgh[H + j] = dz;                                                      \
                dgi[2 * H + j] = dn;                                                               \
                dgh[2 * H + j] = dn * rg;                                                          \
                dh[j] = d * z;                                                                     \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    static const RnnCell cells_##T[] = {                                                           \
        [RNN_TANH] = {tanh_forward_##T, tanh_backward_##T},                                        \
        [RNN_RELU] = {relu_forward_##T, relu_backward_##T},                                        \
        [RNN_LSTM] = {lstm_forward_##T, lstm_backward_##T},                                        \
        [RNN_GRU] = {gru_forward_##T, gru_backward_##T},                                           \
    };

static inline double sigmoid(double x)
{
    return 1 / (1 + exp(-x));
}

DEFINE_CELLS(float, vm_sigmoidf, vm_tanhf)
DEFINE_CELLS(double, sigmoid, tanh)

const RnnCell *rnn_cell(RnnMode mode, DType dt)
{
    return dt == DTYPE_FLOAT32 ? &cells_float[mode] : &cells_double[mode];
}
