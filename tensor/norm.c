/*
 * norm.c — batch, layer and group normalisation, forward and fused backward.
 *
 * All three normalise sets of elements that share a mean and an invstd:
 * batch_norm a channel across the batch (N rows of S contiguous elements,
 * C * S apart), layer_norm and group_norm one contiguous row each (a
 * position's trailing dims; a sample's group of channels).  The arithmetic
 * is done in double by the loops of norm_loops.c over runs of contiguous
 * elements.  Statistics take one pass of sums shifted by the set's first
 * element (var = E[(x - k)^2] - E[x - k]^2), which stays accurate when the
 * mean is large next to the spread, as long as k is a sample of the set.
 *
 * The backward is PyTorch's closed form.  With xhat = (x - mean) * invstd,
 * dy = grad * weight and M the set's size, training gives
 *     dx = invstd * (dy - sum(dy) / M - xhat * sum(dy * xhat) / M),
 * evaluation (constant statistics) dx = dy * invstd; the weight's gradient
 * is sum(grad * xhat) and the bias's sum(grad) over the elements each one
 * scales.  Each kernel gets all three from one read of the sums per set and
 * one more pass for dx.  Sets are independent, so threads split them; the
 * weight and bias gradients of layer and group norm, which sum across sets,
 * are gathered per thread and added at the end.
 */
#include "tensor/norm.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/norm_loops.h"
#include "tensor/reduce.h"

/* The mean and biased variance from sums of (x - shift) and its square over
 * count elements. */
static void shifted_stats(double shift, double s1, double s2, double count, double *mean,
                          double *var)
{
    double d = s1 / count, v = s2 / count - d * d;
    *mean = shift + d;
    *var = v > 0 ? v : 0;   /* rounding must not make it negative */
}

/* ---- arguments ------------------------------------------------------------------- */

static int check_input(const char *fn, const Tensor *x, int min_dims, const char *layout)
{
    char b[96];
    if (!dtype_is_floating(x->dtype)) {
        tensor_fail("%s: needs a floating point input, got %s (convert it with :float())", fn,
                    dtype_name(x->dtype));
        return -1;
    }
    if (x->ndim < min_dims) {
        tensor_fail("%s: expected an input of shape %s, got %s", fn, layout,
                    tensor_shape_str(x, b, sizeof b));
        return -1;
    }
    return 0;
}

/* p (when given) has x's dtype and the shape (nd, shape); `what` says what
 * that shape is. */
static int check_param(const char *fn, const char *name, const Tensor *p, const Tensor *x, int nd,
                       const int64_t *shape, const char *what)
{
    char b1[96], b2[96], b3[96];
    if (!p)
        return 0;
    if (p->dtype != x->dtype) {
        tensor_fail("%s: %s is %s but the input is %s (convert one of them)", fn, name,
                    dtype_name(p->dtype), dtype_name(x->dtype));
        return -1;
    }
    if (p->ndim != nd || memcmp(p->shape, shape, (size_t)nd * sizeof shape[0]) != 0) {
        tensor_fail("%s: %s should have shape %s (%s of the input %s), got %s", fn, name,
                    shape_str(nd, shape, b1, sizeof b1), what, tensor_shape_str(x, b2, sizeof b2),
                    tensor_shape_str(p, b3, sizeof b3));
        return -1;
    }
    return 0;
}

/* p's values as doubles (contiguous, new reference), or NULL when p is. */
static Tensor *as_f64(const Tensor *p, bool *failed)
{
    Tensor *r = p ? tensor_to_dtype(p, DTYPE_FLOAT64) : NULL;
    if (p && !r)
        *failed = true;
    return r;
}

static const double *values_of(const Tensor *t)
{
    return t ? tensor_data(t) : NULL;
}

/* n doubles into a new 1-D (or shaped) tensor of dtype dt. */
static Tensor *from_doubles(const double *v, int nd, const int64_t *shape, DType dt)
{
    Tensor *t = tensor_empty(nd, shape, dt);
    if (t)
        store_f64(dt, tensor_data(t), v, tensor_numel(t));
    return t;
}

static void release_all(Tensor **ts, int n)
{
    for (int i = 0; i < n; i++) {
        tensor_release(ts[i]);
        ts[i] = NULL;
    }
}

/* ---- batch_norm: sets are channels of (N, C, S) ---------------------------------- */

typedef struct {
    int64_t n, c, s;
} BnShape;

static BnShape bn_shape(const Tensor *x)
{
    BnShape b = {x->shape[0], x->shape[1], 1};
    for (int d = 2; d < x->ndim; d++)
        b.s *= x->shape[d];
    return b;
}

/* Byte offset of row (n, c), S elements long. */
static size_t bn_row(const BnShape *b, int64_t n, int64_t c, DType dt)
{
    return (size_t)((n * b->c + c) * b->s) * dtype_size(dt);
}

static int check_batch_norm(const Tensor *x, const Tensor *weight, const Tensor *bias,
                            const Tensor *running_mean, const Tensor *running_var, bool training)
{
    const char *fn = "batch_norm";
    char b[96];
    if (check_input(fn, x, 2, "(N, C) or (N, C, ...)") < 0)
        return -1;
    const char *what = "one per channel";
    if (check_param(fn, "weight", weight, x, 1, &x->shape[1], what) < 0 ||
        check_param(fn, "bias", bias, x, 1, &x->shape[1], what) < 0 ||
        check_param(fn, "running_mean", running_mean, x, 1, &x->shape[1], what) < 0 ||
        check_param(fn, "running_var", running_var, x, 1, &x->shape[1], what) < 0)
        return -1;
    if (!running_mean != !running_var) {
        tensor_fail("batch_norm: running_mean and running_var go together: give both or neither");
        return -1;
    }
    BnShape sh = bn_shape(x);
    if (training && sh.n * sh.s <= 1) {
        tensor_fail("batch_norm: expected more than 1 value per channel when training, got an "
                    "input of shape %s", tensor_shape_str(x, b, sizeof b));
        return -1;
    }
    if (!training && !running_mean) {
        tensor_fail("batch_norm: evaluation mode normalises with running_mean and running_var, "
                    "which were not given (pass them, or {training = true})");
        return -1;
    }
    return 0;
}

/* r = (1 - momentum) * r + momentum * v, over a 1-D tensor of any stride. */
static void move_toward(Tensor *r, const double *v, double momentum)
{
    char *p = tensor_data(r);
    size_t step = (size_t)r->stride[0] * dtype_size(r->dtype);
    for (int64_t c = 0; c < r->shape[0]; c++, p += step)
        dtype_store(r->dtype, p, (1 - momentum) * dtype_load(r->dtype, p) + momentum * v[c]);
}

int tensor_batch_norm(const Tensor *x, const Tensor *weight, const Tensor *bias,
                      Tensor *running_mean, Tensor *running_var, bool training, double momentum,
                      double eps, Tensor **out, Tensor **mean, Tensor **invstd)
{
    *out = *mean = *invstd = NULL;
    if (check_batch_norm(x, weight, bias, running_mean, running_var, training) < 0)
        return -1;
    bool update = training && running_mean;
    if (update && (!tensor_begin_write("batch_norm", running_mean) ||
                   !tensor_begin_write("batch_norm", running_var)))
        return -1;
    BnShape sh = bn_shape(x);
    DType dt = x->dtype;
    bool failed = false;
    Tensor *w = as_f64(weight, &failed), *b = as_f64(bias, &failed);
    Tensor *rm = training ? NULL : as_f64(running_mean, &failed);
    Tensor *rv = training ? NULL : as_f64(running_var, &failed);
    Tensor *xc = tensor_contiguous((Tensor *)x);
    Tensor *y = tensor_empty(x->ndim, x->shape, dt);
    double *stats = malloc((size_t)(3 * sh.c + 1) * sizeof(double));   /* mean, invstd, var */
    int status = failed || !xc || !y || !stats ? -1 : 0;
    if (!stats)
        tensor_fail("out of memory");
    int64_t channels = status == 0 ? sh.c : 0;
    const char *src = xc ? tensor_data(xc) : NULL;
    char *dst = y ? tensor_data(y) : NULL;
    double m_count = (double)(sh.n * sh.s);
#pragma omp parallel for schedule(dynamic, 1) if (tensor_numel(x) >= PARALLEL_GRAIN)
    for (int64_t c = 0; c < channels; c++) {
        if (tensor_interrupt_requested)
            continue;
        double m, var;
        if (training) {
            double shift = dtype_load(dt, src + bn_row(&sh, 0, c, dt)), s1 = 0, s2 = 0;
            for (int64_t n = 0; n < sh.n; n++)
                loop_moments(dt, src + bn_row(&sh, n, c, dt), sh.s, shift, &s1, &s2);
            shifted_stats(shift, s1, s2, m_count, &m, &var);
        } else {
            m = values_of(rm)[c];
            var = values_of(rv)[c];
        }
        double is = 1 / sqrt(var + eps);
        double a = is * (w ? values_of(w)[c] : 1), shift = (b ? values_of(b)[c] : 0) - m * a;
        for (int64_t n = 0; n < sh.n; n++)
            loop_affine(dt, src + bn_row(&sh, n, c, dt), dst + bn_row(&sh, n, c, dt), sh.s, a,
                        shift);
        stats[c] = m;
        stats[sh.c + c] = is;
        stats[2 * sh.c + c] = m_count > 1 ? var * m_count / (m_count - 1) : var;
    }
    if (status == 0 && tensor_check_interrupt())
        status = -1;
    if (status == 0) {
        *mean = from_doubles(stats, 1, &sh.c, dt);
        *invstd = from_doubles(stats + sh.c, 1, &sh.c, dt);
        status = *mean && *invstd ? 0 : -1;
    }
    if (status == 0 && update) {
        move_toward(running_mean, stats, momentum);
        move_toward(running_var, stats + 2 * sh.c, momentum);
    }
    Tensor *temps[] = {w, b, rm, rv, xc};
    release_all(temps, 5);
    free(stats);
    if (status < 0) {
        Tensor *results[] = {y, *mean, *invstd};
        release_all(results, 3);
        *mean = *invstd = NULL;
        return -1;
    }
    *out = y;
    return 0;
}

/* grad has x's shape and dtype. */
static int check_grad(const char *fn, const Tensor *grad, const Tensor *x)
{
    char b1[96], b2[96];
    if (grad->dtype != x->dtype || !tensor_same_shape(grad, x)) {
        tensor_fail("%s backward: expected a %s gradient of shape %s, got %s %s", fn,
                    dtype_name(x->dtype), tensor_shape_str(x, b1, sizeof b1),
                    dtype_name(grad->dtype), tensor_shape_str(grad, b2, sizeof b2));
        return -1;
    }
    return 0;
}

/* Every wanted gradient starts as NULL, so a failure leaves nothing behind. */
static void clear_grads(Tensor **gx, Tensor **gw, Tensor **gb)
{
    Tensor **want[] = {gx, gw, gb};
    for (int i = 0; i < 3; i++)
        if (want[i])
            *want[i] = NULL;
}

/* The gradients' tensors: gx like x, gw and gb of the parameters' shape
 * (pnd dims); each only when asked for.  -1 when out of memory. */
static int new_grads(const Tensor *x, int pnd, const int64_t *pshape, Tensor **gx, Tensor **gw,
                     Tensor **gb)
{
    Tensor **want[] = {gx, gw, gb};
    for (int i = 0; i < 3; i++)
        if (want[i] && !(*want[i] = i == 0 ? tensor_empty(x->ndim, x->shape, x->dtype)
                                           : tensor_empty(pnd, pshape, x->dtype)))
            return -1;
    return 0;
}

/* Hands the gradients over (status 0) or releases them. */
static int give_grads(int status, Tensor **gx, Tensor **gw, Tensor **gb)
{
    if (status == 0 && tensor_check_interrupt())
        status = -1;
    Tensor **all[] = {gx, gw, gb};
    for (int i = 0; status < 0 && i < 3; i++)
        if (all[i]) {
            tensor_release(*all[i]);
            *all[i] = NULL;
        }
    return status;
}

int tensor_batch_norm_backward(const Tensor *grad, const Tensor *x, const Tensor *weight,
                               const Tensor *mean, const Tensor *invstd, bool training,
                               Tensor **gx, Tensor **gw, Tensor **gb)
{
    clear_grads(gx, gw, gb);
    if (check_batch_norm(x, weight, NULL, mean, invstd, false) < 0 ||
        check_grad("batch_norm", grad, x) < 0)
        return -1;
    BnShape sh = bn_shape(x);
    DType dt = x->dtype;
    bool failed = false;
    Tensor *w = as_f64(weight, &failed), *m = as_f64(mean, &failed), *is = as_f64(invstd, &failed);
    Tensor *xc = tensor_contiguous((Tensor *)x), *gc = tensor_contiguous((Tensor *)grad);
    double *sums = malloc((size_t)(2 * sh.c + 1) * sizeof(double));
    int status = failed || !xc || !gc || !sums || new_grads(x, 1, &sh.c, gx, gw, gb) < 0 ? -1 : 0;
    if (!sums)
        tensor_fail("out of memory");
    int64_t channels = status == 0 ? sh.c : 0;
    const char *xs = xc ? tensor_data(xc) : NULL, *gs = gc ? tensor_data(gc) : NULL;
    char *dxs = gx && *gx ? tensor_data(*gx) : NULL;
    double m_count = (double)(sh.n * sh.s);
#pragma omp parallel for schedule(dynamic, 1) if (tensor_numel(x) >= PARALLEL_GRAIN)
    for (int64_t c = 0; c < channels; c++) {
        if (tensor_interrupt_requested)
            continue;
        double mc = values_of(m)[c], isc = values_of(is)[c], sg = 0, sgx = 0;
        for (int64_t n = 0; n < sh.n; n++) {
            size_t at = bn_row(&sh, n, c, dt);
            loop_dots(dt, gs + at, xs + at, sh.s, mc, &sg, &sgx);
        }
        sums[c] = sg;
        sums[sh.c + c] = sgx * isc;
        if (!dxs)
            continue;
        double scale = isc * (w ? values_of(w)[c] : 1), c2 = 0, c3 = 0;
        if (training) {
            double k = sgx * isc * isc / m_count;
            c2 = (mc * k - sg / m_count) * scale;
            c3 = -k * scale;
        }
        for (int64_t n = 0; n < sh.n; n++) {
            size_t at = bn_row(&sh, n, c, dt);
            loop_combine(dt, gs + at, xs + at, dxs + at, sh.s, scale, c2, c3);
        }
    }
    if (status == 0 && gb)
        store_f64(dt, tensor_data(*gb), sums, sh.c);
    if (status == 0 && gw)
        store_f64(dt, tensor_data(*gw), sums + sh.c, sh.c);
    Tensor *temps[] = {w, m, is, xc, gc};
    release_all(temps, 5);
    free(sums);
    return give_grads(status, gx, gw, gb);
}

/* ---- layer_norm and group_norm: sets are contiguous rows ------------------------ */

/* rows of len elements; element j of row r is scaled by parameter
 * (r % groups) * per_group + j / run. */
typedef struct {
    int64_t rows, len, groups, per_group, run;
} Rows;

static int64_t rows_params(const Rows *l)
{
    return l->groups * l->per_group;
}

/* Normalises every row of x into y; stats gets the rows' means, then their
 * invstds.  w and b hold the P parameters (ones and zeros when absent). */
static void rows_forward(const Rows *l, DType dt, const char *x, char *y, const double *w,
                         const double *b, double eps, double *stats)
{
    size_t es = dtype_size(dt);
#pragma omp parallel for schedule(static) if (l->rows > 1 && l->rows * l->len >= PARALLEL_GRAIN)
    for (int64_t r = 0; r < l->rows; r++) {
        if (tensor_interrupt_requested)
            continue;
        if (l->len == 0) {            /* a group of no channels: nothing to normalise */
            stats[r] = stats[l->rows + r] = NAN;
            continue;
        }
        const char *xr = x + (size_t)(r * l->len) * es;
        char *yr = y + (size_t)(r * l->len) * es;
        double shift = dtype_load(dt, xr), s1 = 0, s2 = 0, m, var;
        loop_moments(dt, xr, l->len, shift, &s1, &s2);
        shifted_stats(shift, s1, s2, (double)l->len, &m, &var);
        double is = 1 / sqrt(var + eps);
        int64_t base = (r % l->groups) * l->per_group;
        if (l->run == 1) {
            loop_affine_vec(dt, xr, yr, l->len, m, is, w + base, b + base);
        } else {
            for (int64_t k = 0; k < l->per_group; k++) {
                size_t at = (size_t)(k * l->run) * es;
                double a = is * w[base + k];
                loop_affine(dt, xr + at, yr + at, l->run, a, b[base + k] - m * a);
            }
        }
        stats[r] = m;
        stats[l->rows + r] = is;
    }
}

/* One row's backward: dx (when dx is not NULL) and its shares of the weight
 * and bias gradients added into acc_w and acc_b (when not NULL). */
static void row_backward(const Rows *l, DType dt, int64_t r, const char *g, const char *x,
                         char *dx, const double *w, double m, double is, double *acc_w,
                         double *acc_b)
{
    size_t es = dtype_size(dt);
    int64_t base = (r % l->groups) * l->per_group;
    double n = (double)l->len, sum_dy = 0, sum_dy_xhat = 0;
    if (l->run == 1) {
        loop_dots_vec(dt, g, x, l->len, m, is, w + base, &sum_dy, &sum_dy_xhat,
                      acc_w ? acc_w + base : NULL, acc_b ? acc_b + base : NULL);
        if (dx)
            loop_combine_vec(dt, g, x, dx, l->len, m, is, w + base, sum_dy / n, sum_dy_xhat / n);
        return;
    }
    /* A run of `run` elements shares parameter p: its sums give its share. */
    for (int64_t k = 0; k < l->per_group; k++) {
        size_t at = (size_t)(k * l->run) * es;
        double sg = 0, sgx = 0, wp = w[base + k];
        loop_dots(dt, g + at, x + at, l->run, m, &sg, &sgx);
        if (acc_w)
            acc_w[base + k] += is * sgx;
        if (acc_b)
            acc_b[base + k] += sg;
        sum_dy += wp * sg;
        sum_dy_xhat += wp * is * sgx;
    }
    if (!dx)
        return;
    double c3 = -is * is * sum_dy_xhat / n, c2 = -is * sum_dy / n - c3 * m;
    for (int64_t k = 0; k < l->per_group; k++) {
        size_t at = (size_t)(k * l->run) * es;
        loop_combine(dt, g + at, x + at, dx + at, l->run, is * w[base + k], c2, c3);
    }
}

/* The parameters as P doubles, `fill` when p is absent; NULL when out of
 * memory. */
static double *param_values(const Tensor *p, int64_t np, double fill)
{
    double *v = malloc((size_t)(np > 0 ? np : 1) * sizeof(double));
    if (!v) {
        tensor_fail("out of memory");
        return NULL;
    }
    Tensor *d = p ? tensor_to_dtype(p, DTYPE_FLOAT64) : NULL;
    if (p && !d) {
        free(v);
        return NULL;
    }
    for (int64_t k = 0; k < np; k++)
        v[k] = d ? values_of(d)[k] : fill;
    tensor_release(d);
    return v;
}

/* The forward of layer_norm and group_norm once the rows are known. */
static int rows_norm(const Rows *l, const Tensor *x, const Tensor *weight, const Tensor *bias,
                     double eps, int stats_nd, const int64_t *stats_shape, Tensor **out,
                     Tensor **mean, Tensor **invstd)
{
    *out = *mean = *invstd = NULL;
    int64_t np = rows_params(l);
    double *w = param_values(weight, np, 1), *b = param_values(bias, np, 0);
    Tensor *xc = tensor_contiguous((Tensor *)x);
    Tensor *y = tensor_empty(x->ndim, x->shape, x->dtype);
    double *stats = malloc((size_t)(2 * l->rows + 1) * sizeof(double));
    int status = !w || !b || !xc || !y || !stats ? -1 : 0;
    if (!stats)
        tensor_fail("out of memory");
    if (status == 0) {
        rows_forward(l, x->dtype, tensor_data(xc), tensor_data(y), w, b, eps, stats);
        if (tensor_check_interrupt())
            status = -1;
    }
    if (status == 0) {
        *mean = from_doubles(stats, stats_nd, stats_shape, x->dtype);
        *invstd = from_doubles(stats + l->rows, stats_nd, stats_shape, x->dtype);
        status = *mean && *invstd ? 0 : -1;
    }
    tensor_release(xc);
    free(w), free(b), free(stats);
    if (status < 0) {
        Tensor *results[] = {y, *mean, *invstd};
        release_all(results, 3);
        *mean = *invstd = NULL;
        return -1;
    }
    *out = y;
    return 0;
}

static int rows_norm_backward(const Rows *l, const Tensor *grad, const Tensor *x,
                              const Tensor *weight, int pnd, const int64_t *pshape,
                              const Tensor *mean, const Tensor *invstd, Tensor **gx, Tensor **gw,
                              Tensor **gb)
{
    bool failed = false;
    int64_t np = rows_params(l);
    double *w = param_values(weight, np, 1);
    Tensor *m = as_f64(mean, &failed), *is = as_f64(invstd, &failed);
    Tensor *xc = tensor_contiguous((Tensor *)x), *gc = tensor_contiguous((Tensor *)grad);
    int threads = omp_get_max_threads();
    bool params = gw || gb;
    double *acc = params ? calloc((size_t)threads * 2 * (size_t)np, sizeof(double)) : NULL;
    int status = !w || failed || !xc || !gc || (params && !acc) ||
                 new_grads(x, pnd, pshape, gx, gw, gb) < 0 ? -1 : 0;
    if (params && !acc)
        tensor_fail("out of memory");
    bool parallel = l->rows > 1 && l->rows * l->len >= PARALLEL_GRAIN;
    int64_t rows = status == 0 ? l->rows : 0;
    size_t es = dtype_size(x->dtype);
    const char *xs = xc ? tensor_data(xc) : NULL, *gs = gc ? tensor_data(gc) : NULL;
    char *dxs = gx && *gx ? tensor_data(*gx) : NULL;
#pragma omp parallel if (parallel)
    {
        double *mine = acc ? acc + (size_t)omp_get_thread_num() * 2 * (size_t)np : NULL;
#pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            if (tensor_interrupt_requested)
                continue;
            size_t at = (size_t)(r * l->len) * es;
            row_backward(l, x->dtype, r, gs + at, xs + at, dxs ? dxs + at : NULL, w,
                         values_of(m)[r], values_of(is)[r], gw && mine ? mine : NULL,
                         gb && mine ? mine + np : NULL);
        }
    }
    if (status == 0 && params) {
        for (int t = 1; t < threads; t++)
            for (int64_t p = 0; p < 2 * np; p++)
                acc[p] += acc[(size_t)t * 2 * (size_t)np + (size_t)p];
        if (gw)
            store_f64(x->dtype, tensor_data(*gw), acc, np);
        if (gb)
            store_f64(x->dtype, tensor_data(*gb), acc + np, np);
    }
    Tensor *temps[] = {m, is, xc, gc};
    release_all(temps, 4);
    free(w), free(acc);
    return give_grads(status, gx, gw, gb);
}

/* layer_norm's rows: x's leading dims, over the trailing nshape dims. */
static int layer_rows(const Tensor *x, int nshape, const int64_t *nsh, const Tensor *weight,
                      const Tensor *bias, Rows *l)
{
    char b1[96], b2[96], b3[96];
    if (check_input("layer_norm", x, 0, "") < 0)
        return -1;
    if (nshape < 1 || nshape > x->ndim ||
        memcmp(x->shape + x->ndim - nshape, nsh, (size_t)nshape * sizeof nsh[0]) != 0) {
        tensor_fail("layer_norm: normalized_shape %s does not match the input %s, which should "
                    "be (*, %s)", shape_str(nshape, nsh, b1, sizeof b1),
                    tensor_shape_str(x, b2, sizeof b2), shape_str(nshape, nsh, b3, sizeof b3));
        return -1;
    }
    if (check_param("layer_norm", "weight", weight, x, nshape, nsh, "normalized_shape") < 0 ||
        check_param("layer_norm", "bias", bias, x, nshape, nsh, "normalized_shape") < 0)
        return -1;
    int64_t len = 1;
    for (int d = 0; d < nshape; d++)
        len *= nsh[d];
    int64_t rows = len ? tensor_numel(x) / len : 0;
    *l = (Rows){rows, len, 1, len, 1};
    return 0;
}

int tensor_layer_norm(const Tensor *x, int nshape, const int64_t *normalized_shape,
                      const Tensor *weight, const Tensor *bias, double eps, Tensor **out,
                      Tensor **mean, Tensor **invstd)
{
    Rows l;
    *out = *mean = *invstd = NULL;
    if (layer_rows(x, nshape, normalized_shape, weight, bias, &l) < 0)
        return -1;
    return rows_norm(&l, x, weight, bias, eps, 1, &l.rows, out, mean, invstd);
}

int tensor_layer_norm_backward(const Tensor *grad, const Tensor *x, int nshape,
                               const Tensor *weight, const Tensor *mean, const Tensor *invstd,
                               Tensor **gx, Tensor **gw, Tensor **gb)
{
    Rows l;
    clear_grads(gx, gw, gb);
    if (nshape < 1 || nshape > x->ndim) {
        tensor_fail("layer_norm backward: %d normalised dims for an input of %d", nshape, x->ndim);
        return -1;
    }
    if (layer_rows(x, nshape, x->shape + x->ndim - nshape, weight, NULL, &l) < 0 ||
        check_grad("layer_norm", grad, x) < 0)
        return -1;
    return rows_norm_backward(&l, grad, x, weight, nshape, x->shape + x->ndim - nshape, mean,
                              invstd, gx, gw, gb);
}

/* group_norm's rows: a sample's group of C / groups channels. */
static int group_rows(const Tensor *x, int64_t groups, const Tensor *weight, const Tensor *bias,
                      Rows *l)
{
    char b[96];
    if (check_input("group_norm", x, 2, "(N, C, ...)") < 0)
        return -1;
    int64_t c = x->shape[1];
    if (groups < 1 || c % groups != 0) {
        tensor_fail("group_norm: %lld channels cannot be split into %lld groups (input %s)",
                    (long long)c, (long long)groups, tensor_shape_str(x, b, sizeof b));
        return -1;
    }
    if (check_param("group_norm", "weight", weight, x, 1, &c, "one per channel") < 0 ||
        check_param("group_norm", "bias", bias, x, 1, &c, "one per channel") < 0)
        return -1;
    int64_t s = 1;
    for (int d = 2; d < x->ndim; d++)
        s *= x->shape[d];
    *l = (Rows){x->shape[0] * groups, c / groups * s, groups, c / groups, s};
    return 0;
}

int tensor_group_norm(const Tensor *x, int64_t groups, const Tensor *weight, const Tensor *bias,
                      double eps, Tensor **out, Tensor **mean, Tensor **invstd)
{
    Rows l;
    *out = *mean = *invstd = NULL;
    if (group_rows(x, groups, weight, bias, &l) < 0)
        return -1;
    int64_t shape[2] = {x->shape[0], groups};
    return rows_norm(&l, x, weight, bias, eps, 2, shape, out, mean, invstd);
}

int tensor_group_norm_backward(const Tensor *grad, const Tensor *x, int64_t groups,
                               const Tensor *weight, const Tensor *mean, const Tensor *invstd,
                               Tensor **gx, Tensor **gw, Tensor **gb)
{
    Rows l;
    clear_grads(gx, gw, gb);
    if (group_rows(x, groups, weight, NULL, &l) < 0 || check_grad("group_norm", grad, x) < 0)
        return -1;
    return rows_norm_backward(&l, grad, x, weight, 1, &x->shape[1], mean, invstd, gx, gw, gb);
}
