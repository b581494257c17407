/*
 * loss.c — the losses over class targets: cross entropy as one fused,
 * numerically stable log-softmax + NLL, its fused backward, and nll_loss.
 *
 * Cross entropy works on rows: one sample's C logits, contiguous (an
 * (N, C, d1, ...) input is first copied to (N, d1, ..., C), and results go
 * back as a permuted view).  A row is read three times while it sits in the
 * cache: its max m, then exp(x - m) (kept as the softmax the backward
 * needs) and their sum s, giving log-sum-exp lse = m + log s; the loss of
 * class t is lse - x_t, which stays finite for any finite logits.  The
 * backward is one pass per row: grad * (softmax * a - b), where a and b
 * (tensor_class_loss_coefficients) fold in the weights and label smoothing.
 * The row's lse and softmax come from softmax_row.c, shared with softmax.
 *
 * Targets are validated in one serial pass before the parallel work (the
 * first bad class is reported, whatever the thread count), which also sums
 * the weights "mean" divides by.  Per-sample losses are summed in double, in
 * order, so a reduction does not depend on the number of threads.
 */
#include "tensor/loss.h"
#include "tensor/softmax_row.h"
#include "tensor/simd.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <tgmath.h>

static const char *const reduction_names[] = {[LOSS_NONE] = "none", [LOSS_MEAN] = "mean",
                                              [LOSS_SUM] = "sum"};

int loss_reduction_from_name(const char *name)
{
    for (int r = 0; r < 3; r++)
        if (strcmp(name, reduction_names[r]) == 0)
            return r;
    return -1;
}

bool loss_probability_target(const Tensor *x, const Tensor *target)
{
    return tensor_same_shape(x, target);
}

/* ---- shapes and targets ------------------------------------------------------ */

/* x seen as samples of C classes: (outer, C, inner) around the class dim. */
typedef struct {
    int class_dim;                  /* 1, or 0 for a 1-D x */
    int64_t outer, classes, inner;
    int64_t rows;                   /* outer * inner samples */
} Layout;

static bool layout_of(const char *fn, const Tensor *x, Layout *l)
{
    if (!dtype_is_floating(x->dtype)) {
        tensor_fail("%s: the input must be floating point (float32 or float64), got %s", fn,
                    dtype_name(x->dtype));
        return false;
    }
    if (x->ndim == 0) {
        tensor_fail("%s: the input needs a class dim, (C), (N, C) or (N, C, d1, ...); got a "
                    "0-dim tensor", fn);
        return false;
    }
    l->class_dim = x->ndim == 1 ? 0 : 1;
    l->outer = x->ndim == 1 ? 1 : x->shape[0];
    l->classes = x->shape[l->class_dim];
    l->inner = 1;
    for (int d = l->class_dim + 1; d < x->ndim; d++)
        l->inner *= x->shape[d];
    l->rows = l->outer * l->inner;
    if (l->classes == 0 && l->rows > 0) {
        char s[128];
        tensor_fail("%s: the input %s has no classes", fn, tensor_shape_str(x, s, sizeof s));
        return false;
    }
    return true;
}

/* x's shape without the class dim: what class-index targets look like. */
static int target_shape(const Tensor *x, const Layout *l, int64_t *shape)
{
    int n = 0;
    for (int d = 0; d < x->ndim; d++)
        if (d != l->class_dim)
            shape[n++] = x->shape[d];
    return n;
}

static bool check_index_target(const char *fn, const Tensor *x, const Tensor *t, const Layout *l,
                               bool probabilities_allowed)
{
    int64_t want[TENSOR_MAX_DIMS];
    int n = target_shape(x, l, want);
    bool shape_ok = t->ndim == n && memcmp(t->shape, want, (size_t)n * sizeof *want) == 0;
    if (shape_ok && t->dtype == DTYPE_INT64)
        return true;
    char xs[128], ts[128], ws[128];
    tensor_shape_str(x, xs, sizeof xs);
    tensor_shape_str(t, ts, sizeof ts);
    shape_str(n, want, ws, sizeof ws);
    if (probabilities_allowed)
        tensor_fail("%s: expected a target of class indices (int64 of shape %s) or of class "
                    "probabilities (floating, of the input's shape %s) for input %s, got %s of "
                    "shape %s", fn, ws, xs, xs, dtype_name(t->dtype), ts);
    else
        tensor_fail("%s: expected a target of class indices (int64 of shape %s) for input %s, "
                    "got %s of shape %s", fn, ws, xs, dtype_name(t->dtype), ts);
    return false;
}

/* The class-index targets, checked, with the class weights as doubles. */
typedef struct {
    Tensor *target;      /* contiguous int64 (a reference) */
    double *w;           /* C weights (ones without a weight tensor) */
    double w_sum;        /* their sum */
    double denominator;  /* "mean": the summed weights of the counted samples */
} Targets;

static void targets_free(Targets *t)
{
    tensor_release(t->target);
    free(t->w);
}

static double *class_weights(const char *fn, const Tensor *weight, int64_t C, double *sum)
{
    if (weight && (weight->ndim != 1 || weight->shape[0] != C)) {
        char s[128];
        return tensor_fail("%s: weight must have one element per class (%" PRId64 "), got shape %s",
                           fn, C, tensor_shape_str(weight, s, sizeof s));
    }
    double *w = malloc((size_t)(C > 0 ? C : 1) * sizeof *w);
    if (!w)
        return tensor_fail("out of memory");
    *sum = 0;
    for (int64_t c = 0; c < C; c++) {
        w[c] = weight ? dtype_load(weight->dtype, (const char *)tensor_data(weight) +
                                                      c * weight->stride[0] * (int64_t)dtype_size(weight->dtype))
                      : 1;
        *sum += w[c];
    }
    return w;
}

static bool targets_load(const char *fn, const Tensor *x, const Tensor *target, const ClassLoss *o,
                         const Layout *l, bool probabilities_allowed, Targets *t)
{
    memset(t, 0, sizeof *t);
    if (!check_index_target(fn, x, target, l, probabilities_allowed))
        return false;
    t->w = class_weights(fn, o->weight, l->classes, &t->w_sum);
    t->target = t->w ? tensor_contiguous((Tensor *)target) : NULL;
    if (!t->target) {
        targets_free(t);
        return false;
    }
    const int64_t *v = tensor_data(t->target);
    for (int64_t i = 0; i < l->rows; i++) {
        if (v[i] == o->ignore_index)
            continue;
        if (v[i] < o->base || v[i] - o->base >= l->classes) {
            tensor_fail("%s: target %" PRId64 " is out of range for %" PRId64 " classes (expected "
                        "%" PRId64 "..%" PRId64 ")", fn, v[i], l->classes, o->base,
                        o->base + l->classes - 1);
            targets_free(t);
            return false;
        }
        t->denominator += t->w[v[i] - o->base];
    }
    return true;
}

/* The class of sample i (0-based), or -1 when it is ignored. */
static inline int64_t class_of(const Targets *t, const ClassLoss *o, int64_t i)
{
    int64_t v = ((const int64_t *)tensor_data(t->target))[i];
    return v == o->ignore_index ? -1 : v - o->base;
}

/* ---- rows: the class dim last ---------------------------------------------- */

/* The dims of x in row order: 0, 2, ..., n-1, 1 (x itself for ndim <= 2). */
static void row_order(int ndim, int *perm, int *inverse)
{
    for (int i = 0; i < ndim; i++) {
        perm[i] = i == 0 ? 0 : i == ndim - 1 ? 1 : i + 1;
        inverse[perm[i]] = i;
    }
}

/* x as contiguous rows, (N, d1, ..., C): a new reference, copied only when
 * needed (a permuted view made by as_x_shape is not copied). */
static Tensor *as_rows(const Tensor *x)
{
    if (x->ndim <= 2)
        return tensor_contiguous((Tensor *)x);
    int perm[TENSOR_MAX_DIMS], inverse[TENSOR_MAX_DIMS];
    row_order(x->ndim, perm, inverse);
    Tensor *p = tensor_permute(x, perm);
    Tensor *c = p ? tensor_contiguous(p) : NULL;
    tensor_release(p);
    return c;
}

/* A new tensor in row order for x, of x's dtype. */
static Tensor *rows_like(const Tensor *x)
{
    if (x->ndim <= 2)
        return tensor_empty(x->ndim, x->shape, x->dtype);
    int perm[TENSOR_MAX_DIMS], inverse[TENSOR_MAX_DIMS];
    int64_t shape[TENSOR_MAX_DIMS];
    row_order(x->ndim, perm, inverse);
    for (int i = 0; i < x->ndim; i++)
        shape[i] = x->shape[perm[i]];
    return tensor_empty(x->ndim, shape, x->dtype);
}

/* Rows back in x's dim order: a view (consumes r). */
static Tensor *as_x_shape(Tensor *r)
{
    if (!r || r->ndim <= 2)
        return r;
    int perm[TENSOR_MAX_DIMS], inverse[TENSOR_MAX_DIMS];
    row_order(r->ndim, perm, inverse);
    Tensor *v = tensor_permute(r, inverse);
    tensor_release(r);
    return v;
}

/* ---- the row kernels, per dtype ------------------------------------------------ */

/*
 * dot: sum_c w_c x_c.
 * grad: out_c = p_c a - s w_c - [c == t] bt (t < 0: no one-hot term).
 * prob_loss: sum_c w_c q_c (lse - x_c), q = keep * target + spread.
 * prob_grad: out_c = g (p_c sum_k w_k q_k - w_c q_c).
 */
#define ROW_KERNELS(S, T)                                                                \
    SIMD_CLONES static double row_dot_##S(const T *x, const double *w, int64_t C)        \
    {                                                                                    \
        double s = 0;                                                                    \
        _Pragma("omp simd reduction(+:s)") for (int64_t c = 0; c < C; c++)               \
            s += w[c] * x[c];                                                            \
        return s;                                                                        \
    }                                                                                    \
    SIMD_CLONES static void row_grad_##S(T *out, const T *p, int64_t C, double a,        \
                                         double s, const double *w, int64_t t, double bt) \
    {                                                                                    \
        const T ta = (T)a;                                                               \
        if (s == 0) {                                                                    \
            _Pragma("omp simd") for (int64_t c = 0; c < C; c++)                          \
                out[c] = p[c] * ta;                                                      \
        } else {                                                                         \
            _Pragma("omp simd") for (int64_t c = 0; c < C; c++)                          \
                out[c] = (T)(p[c] * a - s * w[c]);                                       \
        }                                                                                \
        if (t >= 0)                                                                      \
            out[t] -= (T)bt;                                                             \
    }                                                                                    \
    static double row_prob_loss_##S(const T *x, const T *q, const double *w, int64_t C,  \
                                    double keep, double spread, double lse)              \
    {                                                                                    \
        double s = 0;                                                                    \
        for (int64_t c = 0; c < C; c++)                                                  \
            s += w[c] * (keep * q[c] + spread) * (lse - x[c]);                           \
        return s;                                                                        \
    }                                                                                    \
    static void row_prob_grad_##S(T *out, const T *p, const T *q, const double *w,       \
                                  int64_t C, double keep, double spread, double g)       \
    {                                                                                    \
        double total = 0;                                                                \
        for (int64_t c = 0; c < C; c++)                                                  \
            total += w[c] * (keep * q[c] + spread);                                      \
        for (int64_t c = 0; c < C; c++)                                                  \
            out[c] = (T)(g * (p[c] * total - w[c] * (keep * q[c] + spread)));            \
    }

ROW_KERNELS(f32, float)
ROW_KERNELS(f64, double)

/* Row i of an (R, C) tensor t. */
#define ROW(t, i, C) ((char *)tensor_data(t) + (size_t)((i) * (C)) * dtype_size((t)->dtype))

/* The log-sum-exp of row i of x, writing its softmax into row i of p when p
 * is not NULL. */
static double row_lse(const Tensor *x, int64_t i, int64_t C, Tensor *p)
{
    if (x->dtype == DTYPE_FLOAT32)
        return softmax_row_f32((const float *)ROW(x, i, C), C, p ? (float *)ROW(p, i, C) : NULL);
    return softmax_row_f64((const double *)ROW(x, i, C), C, p ? (double *)ROW(p, i, C) : NULL);
}

static double row_dot(const Tensor *x, int64_t i, int64_t C, const double *w)
{
    if (x->dtype == DTYPE_FLOAT32)
        return row_dot_f32((const float *)ROW(x, i, C), w, C);
    return row_dot_f64((const double *)ROW(x, i, C), w, C);
}

static double element(const Tensor *x, int64_t i, int64_t C, int64_t c)
{
    const char *row = ROW(x, i, C);
    return x->dtype == DTYPE_FLOAT32 ? ((const float *)row)[c] : ((const double *)row)[c];
}

/* ---- reductions of per-sample losses ------------------------------------------ */

/* The per-sample losses reduced: a 0-dim tensor of dtype dt ("mean" divides
 * by `denominator`), or for "none" a tensor of `shape` holding them. */
static Tensor *reduce_losses(const double *loss, int64_t n, LossReduction r, double denominator,
                             int ndim, const int64_t *shape, DType dt)
{
    if (r == LOSS_NONE) {
        Tensor *out = tensor_empty(ndim, shape, dt);
        for (int64_t i = 0; out && i < n; i++) {
            if (dt == DTYPE_FLOAT32)
                ((float *)tensor_data(out))[i] = (float)loss[i];
            else
                ((double *)tensor_data(out))[i] = loss[i];
        }
        return out;
    }
    double total = 0;
    for (int64_t i = 0; i < n; i++)
        total += loss[i];
    return tensor_scalar(r == LOSS_MEAN ? total / denominator : total, dt);
}

/* The output gradient for each sample: grad (0-dim, divided by the
 * denominator for "mean") or grad's element i ("none"), as doubles. */
static double *sample_grads(const Tensor *grad, int64_t n, LossReduction r, double denominator)
{
    double *g = malloc((size_t)(n > 0 ? n : 1) * sizeof *g);
    Tensor *gc = g ? tensor_contiguous((Tensor *)grad) : NULL;
    if (!gc) {
        free(g);
        return tensor_fail("out of memory");
    }
    if (r != LOSS_NONE && tensor_numel(gc) != 1) {
        tensor_release(gc);
        free(g);
        return tensor_fail("loss backward: expected a gradient with one element, got %" PRId64,
                           tensor_numel(grad));
    }
    if (r == LOSS_NONE && tensor_numel(gc) != n) {
        tensor_release(gc);
        free(g);
        return tensor_fail("loss backward: expected a gradient with %" PRId64 " elements, got %"
                           PRId64, n, tensor_numel(grad));
    }
    double one = r == LOSS_NONE ? 0 : dtype_load(gc->dtype, tensor_data(gc));
    if (r == LOSS_MEAN)
        one /= denominator;
    for (int64_t i = 0; i < n; i++)
        g[i] = r == LOSS_NONE ? dtype_load(gc->dtype, (const char *)tensor_data(gc) +
                                                          (size_t)i * dtype_size(gc->dtype))
                              : one;
    tensor_release(gc);
    return g;
}

#define PARALLEL_ROWS(rows, C) ((rows) > 1 && (rows) * (C) >= PARALLEL_GRAIN)

/* One loss per sample (NULL with a message when out of memory). */
static double *losses_new(int64_t rows)
{
    double *loss = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *loss);
    return loss ? loss : tensor_fail("out of memory");
}

/* The ending of a forward that filled loss[] (NULL: something failed) and
 * the softmax p in row order: the reduced result, *prob set (or p
 * released).  "mean" divides by `mean_denominator`; *denominator says what
 * was used. */
static Tensor *forward_result(const Tensor *x, const Layout *l, LossReduction r, double *loss,
                              double mean_denominator, double *denominator, Tensor *p,
                              Tensor **prob)
{
    Tensor *out = NULL;
    if (loss) {
        int64_t shape[TENSOR_MAX_DIMS];
        *denominator = r == LOSS_MEAN ? mean_denominator : 1;
        out = reduce_losses(loss, l->rows, r, *denominator, target_shape(x, l, shape), shape,
                            x->dtype);
    }
    if (out && prob)
        *prob = as_x_shape(p);
    else
        tensor_release(p);
    return out;
}

/* ---- cross entropy with probabilities -------------------------------------------- */

/* The target as rows of x's dtype (a new reference). */
static Tensor *probability_rows(const Tensor *target, DType dt)
{
    if (target->dtype == dt)
        return as_rows(target);
    Tensor *c = tensor_to_dtype(target, dt);
    Tensor *r = c ? as_rows(c) : NULL;
    tensor_release(c);
    return r;
}

static bool check_probability_target(const char *fn, const Tensor *x, const Tensor *target)
{
    if (dtype_is_floating(target->dtype))
        return true;
    char s[128];
    tensor_fail("%s: a target of the input's shape %s holds class probabilities and must be "
                "floating point, got %s (class indices have the input's shape without dim %d)",
                fn, tensor_shape_str(x, s, sizeof s), dtype_name(target->dtype), x->ndim == 1 ? 1 : 2);
    return false;
}

static Tensor *cross_entropy_prob(const Tensor *x, const Tensor *target, const ClassLoss *o,
                                  const Layout *l, Tensor **prob, double *denominator)
{
    const char *fn = "cross_entropy";
    if (!check_probability_target(fn, x, target))
        return NULL;
    double w_sum, *w = class_weights(fn, o->weight, l->classes, &w_sum);
    Tensor *xr = w ? as_rows(x) : NULL, *qr = xr ? probability_rows(target, x->dtype) : NULL;
    Tensor *p = qr && prob ? rows_like(x) : NULL;
    double *loss = qr && (p || !prob) ? losses_new(l->rows) : NULL;
    if (loss) {
        int64_t C = l->classes;
        double keep = 1 - o->label_smoothing, spread = o->label_smoothing / (double)C;
#pragma omp parallel for schedule(static) if (PARALLEL_ROWS(l->rows, C))
        for (int64_t i = 0; i < l->rows; i++) {
            double lse = row_lse(xr, i, C, p);
            loss[i] = x->dtype == DTYPE_FLOAT32
                          ? row_prob_loss_f32((const float *)ROW(xr, i, C),
                                              (const float *)ROW(qr, i, C), w, C, keep, spread, lse)
                          : row_prob_loss_f64((const double *)ROW(xr, i, C),
                                              (const double *)ROW(qr, i, C), w, C, keep, spread,
                                              lse);
        }
    }
    Tensor *out = forward_result(x, l, o->reduction, loss, (double)l->rows, denominator, p, prob);
    free(w), free(loss);
    tensor_release(xr), tensor_release(qr);
    return out;
}

/* ---- cross entropy with class indices --------------------------------------------- */

static bool check_smoothing(const char *fn, double e)
{
    if (e >= 0 && e <= 1)
        return true;
    tensor_fail("%s: label_smoothing must be between 0 and 1, got %g", fn, e);
    return false;
}

Tensor *tensor_cross_entropy(const Tensor *x, const Tensor *target, const ClassLoss *o,
                             Tensor **prob, double *denominator)
{
    const char *fn = "cross_entropy";
    Layout l;
    if (!layout_of(fn, x, &l) || !check_smoothing(fn, o->label_smoothing))
        return NULL;
    if (loss_probability_target(x, target))
        return cross_entropy_prob(x, target, o, &l, prob, denominator);
    Targets t;
    if (!targets_load(fn, x, target, o, &l, true, &t))
        return NULL;
    int64_t C = l.classes;
    Tensor *xr = as_rows(x), *p = xr && prob ? rows_like(x) : NULL;
    double *loss = xr && (p || !prob) ? losses_new(l.rows) : NULL;
    if (loss) {
        double e = o->label_smoothing;
#pragma omp parallel for schedule(static) if (PARALLEL_ROWS(l.rows, C))
        for (int64_t i = 0; i < l.rows; i++) {
            int64_t k = class_of(&t, o, i);
            double lse = row_lse(xr, i, C, p);
            if (k < 0) {
                loss[i] = 0;
                continue;
            }
            loss[i] = t.w[k] * (lse - element(xr, i, C, k));
            if (e > 0)
                loss[i] = (1 - e) * loss[i] + e / (double)C * (t.w_sum * lse - row_dot(xr, i, C, t.w));
        }
    }
    Tensor *out = forward_result(x, &l, o->reduction, loss, t.denominator, denominator, p, prob);
    free(loss);
    tensor_release(xr);
    targets_free(&t);
    return out;
}

static Tensor *cross_entropy_prob_backward(const Tensor *grad, const Tensor *prob,
                                           const Tensor *target, const ClassLoss *o,
                                           const Layout *l, double denominator)
{
    const char *fn = "cross_entropy";
    int64_t C = l->classes;
    double w_sum, *w = class_weights(fn, o->weight, C, &w_sum);
    double *g = w ? sample_grads(grad, l->rows, o->reduction, denominator) : NULL;
    Tensor *pr = g ? as_rows(prob) : NULL, *qr = pr ? probability_rows(target, prob->dtype) : NULL;
    Tensor *out = qr ? rows_like(prob) : NULL;
    if (out) {
        double keep = 1 - o->label_smoothing, spread = o->label_smoothing / (double)C;
#pragma omp parallel for schedule(static) if (PARALLEL_ROWS(l->rows, C))
        for (int64_t i = 0; i < l->rows; i++) {
            if (prob->dtype == DTYPE_FLOAT32)
                row_prob_grad_f32((float *)ROW(out, i, C), (const float *)ROW(pr, i, C),
                                  (const float *)ROW(qr, i, C), w, C, keep, spread, g[i]);
            else
                row_prob_grad_f64((double *)ROW(out, i, C), (const double *)ROW(pr, i, C),
                                  (const double *)ROW(qr, i, C), w, C, keep, spread, g[i]);
        }
    }
    free(w), free(g);
    tensor_release(pr), tensor_release(qr);
    return as_x_shape(out);
}

Tensor *tensor_cross_entropy_backward(const Tensor *grad, const Tensor *prob,
                                      const Tensor *target, const ClassLoss *o,
                                      double denominator)
{
    const char *fn = "cross_entropy";
    Layout l;
    if (!layout_of(fn, prob, &l))
        return NULL;
    if (loss_probability_target(prob, target))
        return cross_entropy_prob_backward(grad, prob, target, o, &l, denominator);
    Targets t;
    if (!targets_load(fn, prob, target, o, &l, true, &t))
        return NULL;
    int64_t C = l.classes;
    double e = o->label_smoothing;
    double *g = sample_grads(grad, l.rows, o->reduction, denominator);
    Tensor *pr = g ? as_rows(prob) : NULL, *out = pr ? rows_like(prob) : NULL;
    if (out) {
#pragma omp parallel for schedule(static) if (PARALLEL_ROWS(l.rows, C))
        for (int64_t i = 0; i < l.rows; i++) {
            int64_t k = class_of(&t, o, i);
            double wt = k < 0 ? 0 : t.w[k], gi = k < 0 ? 0 : g[i];
            double a = gi * ((1 - e) * wt + e * t.w_sum / (double)C);
            double s = gi * e / (double)C, bt = gi * (1 - e) * wt;
            if (prob->dtype == DTYPE_FLOAT32)
                row_grad_f32((float *)ROW(out, i, C), (const float *)ROW(pr, i, C), C, a, s, t.w,
                             k, bt);
            else
                row_grad_f64((double *)ROW(out, i, C), (const double *)ROW(pr, i, C), C, a, s,
                             t.w, k, bt);
        }
    }
    free(g);
    tensor_release(pr);
    targets_free(&t);
    return as_x_shape(out);
}

/* ---- nll_loss ---------------------------------------------------------------------- */

/* Offset (in elements) of class k of sample i in a contiguous x. */
static inline int64_t sample_offset(const Layout *l, int64_t i, int64_t k)
{
    return (i / l->inner * l->classes + k) * l->inner + i % l->inner;
}

Tensor *tensor_nll_loss(const Tensor *x, const Tensor *target, const ClassLoss *o,
                        double *denominator)
{
    const char *fn = "nll_loss";
    Layout l;
    Targets t;
    if (!layout_of(fn, x, &l) || !targets_load(fn, x, target, o, &l, false, &t))
        return NULL;
    Tensor *xc = tensor_contiguous((Tensor *)x);
    double *loss = xc ? losses_new(l.rows) : NULL;
    for (int64_t i = 0; loss && i < l.rows; i++) {
        int64_t k = class_of(&t, o, i);
        loss[i] = k < 0 ? 0
                        : -t.w[k] * dtype_load(xc->dtype, (const char *)tensor_data(xc) +
                                                              (size_t)sample_offset(&l, i, k) *
                                                                  dtype_size(xc->dtype));
    }
    Tensor *out = forward_result(x, &l, o->reduction, loss, t.denominator, denominator, NULL, NULL);
    free(loss);
    tensor_release(xc);
    targets_free(&t);
    return out;
}

Tensor *tensor_nll_loss_backward(const Tensor *grad, const Tensor *x, const Tensor *target,
                                 const ClassLoss *o, double denominator)
{
    const char *fn = "nll_loss";
    Layout l;
    Targets t;
    if (!layout_of(fn, x, &l) || !targets_load(fn, x, target, o, &l, false, &t))
        return NULL;
    double *g = sample_grads(grad, l.rows, o->reduction, denominator);
    Tensor *out = g ? tensor_zeros(x->ndim, x->shape, x->dtype) : NULL;
    for (int64_t i = 0; out && i < l.rows; i++) {
        int64_t k = class_of(&t, o, i);
        if (k >= 0)
            dtype_store(out->dtype, (char *)tensor_data(out) +
                                        (size_t)sample_offset(&l, i, k) * dtype_size(out->dtype),
                        -t.w[k] * g[i]);
    }
    free(g);
    targets_free(&t);
    return out;
}

int tensor_class_loss_coefficients(const Tensor *x, const Tensor *target, const ClassLoss *o,
                                   Tensor **a, Tensor **b)
{
    const char *fn = "cross_entropy";
    Layout l;
    Targets t;
    if (!layout_of(fn, x, &l) || !targets_load(fn, x, target, o, &l, true, &t))
        return -1;
    int64_t shape[TENSOR_MAX_DIMS], C = l.classes;
    memcpy(shape, x->shape, sizeof shape);
    shape[l.class_dim] = 1;
    *a = tensor_empty(x->ndim, shape, x->dtype);
    *b = *a ? tensor_empty(x->ndim, x->shape, x->dtype) : NULL;
    if (!*b) {
        tensor_release(*a);
        targets_free(&t);
        return -1;
    }
    double e = o->label_smoothing;
    size_t es = dtype_size(x->dtype);
    for (int64_t i = 0; i < l.rows; i++) {
        int64_t k = class_of(&t, o, i);
        double wt = k < 0 ? 0 : t.w[k];
        dtype_store(x->dtype, (char *)tensor_data(*a) + (size_t)i * es,
                    k < 0 ? 0 : (1 - e) * wt + e * t.w_sum / (double)C);
        for (int64_t c = 0; c < C; c++)
            dtype_store(x->dtype, (char *)tensor_data(*b) + (size_t)sample_offset(&l, i, c) * es,
                        k < 0 ? 0 : (c == k) * (1 - e) * wt + e * t.w[c] / (double)C);
    }
    targets_free(&t);
    return 0;
}
