/*
 * rnn.c — a recurrent layer's time loop in C: the forward over all steps
 * and the backward through time (rnn.h), around the cells of rnn_cell.c.
 *
 * Composed of tensor ops, one step of an LSTM is a dozen ops forward and as
 * many backward nodes, and W_hh's gradient is a small GEMM per step added
 * into an accumulator; at the sizes RNNs run at, that fixed cost per op
 * outweighs the arithmetic.  Here a step is one GEMM and one pass over the
 * gates, and W_hh's gradient is a single GEMM over every step.
 *
 * The reserve is (L + 1, N, W): a row per batch element per slot, each row
 * [h | c | i f g o | tanh(c)] (LSTM, W = 7H), [h | r z n | W_hn h + b_hn]
 * (GRU, W = 5H) or [h] (RNN, W = H).  Slot 0 holds h_0 (and c_0) and slot
 * t + 1 what step t made; run in reverse, slot L holds h_0 and slot t step
 * t's.  Either way the states the steps read, h_{t-1} in time order, are
 * L * N consecutive rows W apart: the matrix that W_hh's gradient GEMM reads
 * as it is.
 */
#include "tensor/rnn.h"

#include <cblas.h>
#include <limits.h>
#include <string.h>

#include "tensor/rnn_cell.h"

const char *rnn_mode_name(RnnMode mode)
{
    return mode == RNN_LSTM ? "LSTM" : mode == RNN_GRU ? "GRU" : "RNN";
}

int rnn_gates(RnnMode mode)
{
    return mode == RNN_LSTM ? 4 : mode == RNN_GRU ? 3 : 1;
}

/* Where each array starts in a reserve row, and the row's width. */
typedef struct {
    int64_t c, act, tc, ghn, width;
} RowLayout;

static RowLayout row_layout(RnnMode mode, int64_t H)
{
    if (mode == RNN_LSTM)
        return (RowLayout){H, 2 * H, 6 * H, 0, 7 * H};
    if (mode == RNN_GRU)
        return (RowLayout){0, H, 0, 4 * H, 5 * H};
    return (RowLayout){0, 0, 0, 0, H};
}

typedef struct {
    RnnMode mode;
    bool reverse;
    DType dt;
    size_t es;
    int64_t L, N, H, GH;
    RowLayout row;
    Tensor *reserve;
} Layer;

static Layer layer_new(RnnMode mode, bool reverse, DType dt, int64_t L, int64_t N, int64_t H)
{
    return (Layer){mode, reverse, dt, dtype_size(dt), L, N, H, rnn_gates(mode) * H,
                   row_layout(mode, H), NULL};
}

/* Slot s of the reserve; step t writes slot_out(t) and reads slot_in(t). */
static char *slot(const Layer *l, int64_t s)
{
    return (char *)tensor_data(l->reserve) + (size_t)(s * l->N * l->row.width) * l->es;
}

static int64_t slot_out(const Layer *l, int64_t t)
{
    return l->reverse ? t : t + 1;
}

static int64_t slot_in(const Layer *l, int64_t t)
{
    return l->reverse ? t + 1 : t;
}

/* The (N, H) array `at` elements into the rows of slot s, as a view. */
static Tensor *state_view(const Layer *l, int64_t s, int64_t at)
{
    const int64_t shape[2] = {l->N, l->H}, stride[2] = {l->row.width, 1};
    return tensor_as_strided(l->reserve, 2, shape, stride, s * l->N * l->row.width + at);
}

/* C (m x n, rows ldc apart) = beta C + op(A) op(B), op transposing when asked. */
static void gemm(DType dt, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const void *a,
                 int64_t lda, const void *b, int64_t ldb, double beta, void *c, int64_t ldc)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        for (int64_t r = 0; r < m && beta == 0; r++)
            memset((char *)c + (size_t)(r * ldc) * dtype_size(dt), 0, (size_t)n * dtype_size(dt));
        return;
    }
    CBLAS_TRANSPOSE A = ta ? CblasTrans : CblasNoTrans, B = tb ? CblasTrans : CblasNoTrans;
    if (dt == DTYPE_FLOAT32)
        cblas_sgemm(CblasRowMajor, A, B, (int)m, (int)n, (int)k, 1, a, (int)lda, b, (int)ldb,
                    (float)beta, c, (int)ldc);
    else
        cblas_dgemm(CblasRowMajor, A, B, (int)m, (int)n, (int)k, 1, a, (int)lda, b, (int)ldb,
                    beta, c, (int)ldc);
}

/* Copies `rows` rows of n elements, src rows ls apart, dst rows ld apart. */
static void copy_rows(char *dst, int64_t ld, const char *src, int64_t ls, int64_t rows, int64_t n,
                      size_t es)
{
    for (int64_t r = 0; r < rows; r++)
        memcpy(dst + (size_t)(r * ld) * es, src + (size_t)(r * ls) * es, (size_t)n * es);
}

/* A copy of the (N, H) arrays `at` elements into slots first..first+count-1,
 * shaped (count, N, H), or (N, H) when ndim is 2. */
static Tensor *copy_states(const Layer *l, int64_t first, int64_t count, int64_t at, int ndim)
{
    const int64_t shape[3] = {count, l->N, l->H};
    Tensor *t = tensor_empty(ndim, shape + 3 - ndim, l->dt);
    if (t)
        copy_rows(tensor_data(t), l->H, slot(l, first) + (size_t)at * l->es, l->row.width,
                  count * l->N, l->H, l->es);
    return t;
}

static bool has_shape(const Tensor *t, int ndim, int64_t d0, int64_t d1)
{
    return t->ndim == ndim && t->shape[0] == d0 && (ndim < 2 || t->shape[1] == d1);
}

/* The forward's arguments against rnn.h's contract. */
static int check_args(RnnMode mode, const Tensor *gi, const Tensor *h0, const Tensor *c0,
                      const Tensor *w_hh, const Tensor *b_hh)
{
    const char *fn = rnn_mode_name(mode);
    char a[128], b[128];
    const Tensor *others[] = {h0, c0, w_hh, b_hh};
    for (int k = 0; k < 4; k++) {
        if (others[k] && others[k]->dtype != gi->dtype) {
            tensor_fail("%s: expected the states and weights in the input's dtype %s, got %s", fn,
                        dtype_name(gi->dtype), dtype_name(others[k]->dtype));
            return -1;
        }
    }
    if (!dtype_is_floating(gi->dtype) || gi->ndim != 3 || gi->shape[0] < 1) {
        tensor_fail("%s: expected floating gates of shape (L, N, G*H) with L >= 1, got %s %s", fn,
                    dtype_name(gi->dtype), tensor_shape_str(gi, a, sizeof a));
        return -1;
    }
    int64_t N = gi->shape[1], H = w_hh->ndim == 2 ? w_hh->shape[1] : -1, GH = rnn_gates(mode) * H;
    if (H < 1 || !has_shape(w_hh, 2, GH, H) || gi->shape[2] != GH) {
        tensor_fail("%s: weight_hh %s does not fit gates of shape %s (G*H x H with G = %d, H >= 1)", fn,
                    tensor_shape_str(w_hh, a, sizeof a), tensor_shape_str(gi, b, sizeof b),
                    rnn_gates(mode));
        return -1;
    }
    const Tensor *bad = !has_shape(h0, 2, N, H) ? h0 : c0 && !has_shape(c0, 2, N, H) ? c0 : NULL;
    if (bad) {
        tensor_fail("%s: expected states of shape (%lld, %lld), got %s", fn, (long long)N,
                    (long long)H, tensor_shape_str(bad, a, sizeof a));
        return -1;
    }
    bool bias_fits = !b_hh || (mode == RNN_GRU && has_shape(b_hh, 1, GH, 0));
    if ((mode == RNN_LSTM) != (c0 != NULL) || !bias_fits) {
        tensor_fail("%s: a cell state goes with LSTM only, a bias_hh of %lld with GRU only", fn,
                    (long long)GH);
        return -1;
    }
    if (gi->shape[0] * N > INT_MAX || GH > INT_MAX / 8) {
        tensor_fail("%s: sizes too large for BLAS", fn);
        return -1;
    }
    return 0;
}

/* Step t's arrays in the reserve. */
static RnnStep step_at(const Layer *l, int64_t t)
{
    char *cur = slot(l, slot_out(l, t)), *prev = slot(l, slot_in(l, t));
    size_t es = l->es;
    return (RnnStep){l->N, l->H, l->row.width, .h = cur, .h_prev = prev,
                     .c_prev = prev + l->row.c * es, .c = cur + l->row.c * es,
                     .tc = cur + l->row.tc * es, .act = cur + l->row.act * es,
                     .ghn = cur + l->row.ghn * es};
}

static int forward_steps(Layer *l, const Tensor *gi, const Tensor *w, const Tensor *b)
{
    int64_t N = l->N, H = l->H, GH = l->GH, W = l->row.width;
    size_t es = l->es;
    const RnnCell *cell = rnn_cell(l->mode, l->dt);
    Tensor *gh = l->mode == RNN_GRU ? tensor_empty(2, (const int64_t[]){N, GH}, l->dt) : NULL;
    if (l->mode == RNN_GRU && !gh)
        return -1;
    for (int64_t k = 0; k < l->L; k++) {
        int64_t t = l->reverse ? l->L - 1 - k : k;
        RnnStep s = step_at(l, t);
        s.gi = (const char *)tensor_data(gi) + (size_t)(t * N * GH) * es;
        if (gh) {   /* gh = b_hh + h_{t-1} W_hh^T */
            if (b)
                copy_rows(tensor_data(gh), GH, tensor_data(b), 0, N, GH, es);
            s.gh = tensor_data(gh);
            gemm(l->dt, false, true, N, GH, H, s.h_prev, W, tensor_data(w), H, b ? 1 : 0,
                 tensor_data(gh), GH);
        } else {    /* the pre-activations gi_t + h_{t-1} W_hh^T, where the cell reads them */
            char *pre = l->mode == RNN_LSTM ? s.act : s.h;
            copy_rows(pre, W, s.gi, GH, N, GH, es);
            gemm(l->dt, false, true, N, GH, H, s.h_prev, W, tensor_data(w), H, 1, pre, W);
        }
        cell->forward(&s);
    }
    tensor_release(gh);
    return 0;
}

int tensor_rnn(RnnMode mode, bool reverse, const Tensor *gi, const Tensor *h0, const Tensor *c0,
               const Tensor *w_hh, const Tensor *b_hh, Tensor **out, Tensor **h_n, Tensor **c_n,
               Tensor **reserve)
{
    *out = *h_n = *reserve = NULL;
    *c_n = NULL;
    if (check_args(mode, gi, h0, c0, w_hh, b_hh) < 0)
        return -1;
    Layer l = layer_new(mode, reverse, gi->dtype, gi->shape[0], gi->shape[1], w_hh->shape[1]);
    Tensor *x = tensor_contiguous((Tensor *)gi), *w = x ? tensor_contiguous((Tensor *)w_hh) : NULL;
    Tensor *b = w && b_hh ? tensor_contiguous((Tensor *)b_hh) : NULL;
    if (w && (b || !b_hh))
        l.reserve = tensor_empty(3, (const int64_t[]){l.L + 1, l.N, l.row.width}, l.dt);
    /* the slot the first step reads, and the one the last step writes */
    int64_t first = slot_in(&l, reverse ? l.L - 1 : 0), last = slot_out(&l, reverse ? 0 : l.L - 1);
    Tensor *h_in = l.reserve ? state_view(&l, first, 0) : NULL;
    Tensor *c_in = h_in && c0 ? state_view(&l, first, l.row.c) : NULL;
    int status = -1;
    if (h_in && (c_in || !c0) && tensor_copy_(h_in, h0) == 0 &&
        (!c0 || tensor_copy_(c_in, c0) == 0) && forward_steps(&l, x, w, b) == 0) {
        *out = copy_states(&l, slot_out(&l, 0), l.L, 0, 3);
        *h_n = copy_states(&l, last, 1, 0, 2);
        *c_n = c0 ? copy_states(&l, last, 1, l.row.c, 2) : NULL;
        status = *out && *h_n && (*c_n || !c0) ? 0 : -1;
    }
    tensor_release(h_in), tensor_release(c_in);
    tensor_release(x), tensor_release(w), tensor_release(b);
    if (status == 0) {
        *reserve = l.reserve;
        return 0;
    }
    tensor_release(l.reserve);
    tensor_release(*out), tensor_release(*h_n), tensor_release(*c_n);
    *out = *h_n = *c_n = NULL;
    return -1;
}

/* A state's gradient to start from: g (any strides) copied, or zeros. */
static Tensor *start_grad(const Layer *l, const Tensor *g)
{
    const int64_t shape[2] = {l->N, l->H};
    Tensor *d = g ? tensor_empty(2, shape, l->dt) : tensor_zeros(2, shape, l->dt);
    if (d && g && tensor_copy_(d, g) < 0) {
        tensor_release(d);
        return NULL;
    }
    return d;
}

/* Walks the steps backward: dg (and for GRU dgh) get every step's
 * pre-activation gradients, dh and dc end as h_0's and c_0's. */
static int backward_steps(Layer *l, const Tensor *w, const Tensor *g_out, Tensor *dh, Tensor *dc,
                          Tensor *dg, Tensor *dgh)
{
    int64_t N = l->N, H = l->H, GH = l->GH;
    size_t es = l->es;
    const RnnCell *cell = rnn_cell(l->mode, l->dt);
    for (int64_t k = 0; k < l->L; k++) {
        int64_t t = l->reverse ? k : l->L - 1 - k;
        if (g_out) {
            Tensor *g_t = tensor_select(g_out, 0, t);
            int status = g_t ? tensor_binary_(BINARY_ADD, dh, g_t) : -1;
            tensor_release(g_t);
            if (status < 0)
                return -1;
        }
        RnnStep s = step_at(l, t);
        char *dgt = (char *)tensor_data(dg) + (size_t)(t * N * GH) * es;
        char *dght = dgh ? (char *)tensor_data(dgh) + (size_t)(t * N * GH) * es : NULL;
        s.dh = tensor_data(dh), s.dc = dc ? tensor_data(dc) : NULL, s.dg = dgt, s.dgh = dght;
        cell->backward(&s);
        /* dh_{t-1} = (GRU: z dh_t +) d(pre_t) W_hh */
        gemm(l->dt, false, false, N, H, GH, dght ? dght : dgt, GH, tensor_data(w), H, dght ? 1 : 0,
             tensor_data(dh), H);
    }
    return 0;
}

int tensor_rnn_backward(RnnMode mode, bool reverse, const Tensor *reserve, const Tensor *w_hh,
                        const Tensor *g_out, const Tensor *g_hn, const Tensor *g_cn,
                        Tensor **d_gi, Tensor **d_h0, Tensor **d_c0, Tensor **d_w_hh,
                        Tensor **d_b_hh)
{
    Tensor **results[] = {d_gi, d_h0, d_c0, d_w_hh, d_b_hh};
    for (int k = 0; k < 5; k++)
        if (results[k])
            *results[k] = NULL;
    int64_t H = w_hh->ndim == 2 ? w_hh->shape[1] : 0;
    Layer l = layer_new(mode, reverse, reserve->dtype, reserve->shape[0] - 1, reserve->shape[1], H);
    l.reserve = (Tensor *)reserve;
    if (reserve->ndim != 3 || reserve->shape[2] != l.row.width || !tensor_is_contiguous(reserve) ||
        !has_shape(w_hh, 2, l.GH, H) || w_hh->dtype != l.dt) {
        tensor_fail("%s backward: the reserve does not come from this layer's forward",
                    rnn_mode_name(mode));
        return -1;
    }
    /* GRU's gradients of gi and gh share one buffer: past a megabyte, a
     * buffer comes from storage.c's cache of blocks instead of fresh pages. */
    const int64_t gates[4] = {mode == RNN_GRU ? 2 : 1, l.L, l.N, l.GH};
    Tensor *w = tensor_contiguous((Tensor *)w_hh);
    Tensor *buf = w ? tensor_empty(4, gates, l.dt) : NULL;
    Tensor *dg = buf ? tensor_select(buf, 0, 0) : NULL;
    Tensor *dgh = dg && mode == RNN_GRU ? tensor_select(buf, 0, 1) : NULL;
    tensor_release(buf);
    Tensor *dh = (dgh || (dg && mode != RNN_GRU)) ? start_grad(&l, g_hn) : NULL;
    Tensor *dc = dh && mode == RNN_LSTM ? start_grad(&l, g_cn) : NULL;
    int status = -1;
    if (dh && (dc || mode != RNN_LSTM) && backward_steps(&l, w, g_out, dh, dc, dg, dgh) == 0) {
        Tensor *dw = d_w_hh ? tensor_empty(2, (const int64_t[]){l.GH, H}, l.dt) : NULL;
        if (dw)   /* sum over t of d(pre_t)^T h_{t-1}: the states from h_0 on, in time order */
            gemm(l.dt, true, false, l.GH, H, l.L * l.N, tensor_data(dgh ? dgh : dg), l.GH,
                 slot(&l, slot_in(&l, 0)), l.row.width, 0, tensor_data(dw), H);
        Tensor *db = d_b_hh && dgh ? tensor_sum(dgh, 2, (const int[]){0, 1}, false) : NULL;
        status = (!d_w_hh || dw) && (!d_b_hh || !dgh || db) ? 0 : -1;
        if (status == 0) {
            if (d_w_hh)
                *d_w_hh = dw;
            if (d_b_hh)
                *d_b_hh = db;
            if (d_gi)
                *d_gi = dg, dg = NULL;
            if (d_h0)
                *d_h0 = dh, dh = NULL;
            if (d_c0)
                *d_c0 = dc, dc = NULL;
        } else {
            tensor_release(dw), tensor_release(db);
        }
    }
    tensor_release(w), tensor_release(dg), tensor_release(dgh);
    tensor_release(dh), tensor_release(dc);
    return status;
}
