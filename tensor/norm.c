/*
 * norm.c — batch, layer and group normalisation, forward and fused backward.
 *
 * All three normalise sets of elements that share a mean and an invstd:
 * batch_norm a channel across the batch (N rows of S contiguous elements,
 * C * S apart), layer_norm and group_norm one contiguous row each (a
 * position's trailing dims; a sample's group of channels).  The arithmetic
 * is done in double on segments of contiguous elements, converted a buffer
 * at a time (load_f64/store_f64), so one code path serves float32 and
 * float64.  Statistics take two passes (the mean, then squared deviations
 * from it), which stays accurate when the mean is large next to the spread.
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

#include "tensor/reduce.h"

#define SEG REDUCE_ROW_BUF

/* ---- segments: n contiguous elements of dtype dt -------------------------------- */

static double seg_sum(DType dt, const char *x, int64_t n)
{
    double buf[SEG], s = 0;
    for (int64_t i = 0; i < n; i += SEG) {
        int64_t m = n - i < SEG ? n - i : SEG;
        const double *v = load_f64(dt, x + (size_t)i * dtype_size(dt), m, buf);
        for (int64_t k = 0; k < m; k++)
            s += v[k];
    }
    return s;
}

/* sum (x - center)^2 */
static double seg_sqdev(DType dt, const char *x, int64_t n, double center)
{
    double buf[SEG], s = 0;
    for (int64_t i = 0; i < n; i += SEG) {
        int64_t m = n - i < SEG ? n - i : SEG;
        const double *v = load_f64(dt, x + (size_t)i * dtype_size(dt), m, buf);
        for (int64_t k = 0; k < m; k++)
            s += (v[k] - center) * (v[k] - center);
    }
    return s;
}

/* y = a * x + b */
static void seg_affine(DType dt, const char *x, char *y, int64_t n, double a, double b)
{
    double buf[SEG], out[SEG];
    for (int64_t i = 0; i < n; i += SEG) {
        int64_t m = n - i < SEG ? n - i : SEG;
        const double *v = load_f64(dt, x + (size_t)i * dtype_size(dt), m, buf);
        for (int64_t k = 0; k < m; k++)
            out[k] = a * v[k] + b;
        store_f64(dt, y + (size_t)i * dtype_size(dt), out, m);
    }
}

/* sum g and sum g * (x - center) */
static void seg_dots(DType dt, const char *g, const char *x, int64_t n, double center,
                     double *sg, double *sgx)
{
    double gb[SEG], xb[SEG], a = 0, b = 0;
    for (int64_t i = 0; i < n; i += SEG) {
        int64_t m = n - i < SEG ? n - i : SEG;
        size_t at = (size_t)i * dtype_size(dt);
        const double *gv = load_f64(dt, g + at, m, gb), *xv = load_f64(dt, x + at, m, xb);
        for (int64_t k = 0; k < m; k++) {
            a += gv[k];
            b += gv[k] * (xv[k] - center);
        }
    }
    *sg += a;
    *sgx += b;
}

/* dx = c1 * g + c2 + c3 * x */
static void seg_combine(DType dt, const char *g, const char *x, char *dx, int64_t n, double c1,
                        double c2, double c3)
{
    double gb[SEG], xb[SEG], out[SEG];
    for (int64_t i = 0; i < n; i += SEG) {
        int64_t m = n - i < SEG ? n - i : SEG;
        size_t at = (size_t)i * dtype_size(dt);
        const double *gv = load_f64(dt, g + at, m, gb), *xv = load_f64(dt, x + at, m, xb);
        for (int64_t k = 0; k < m; k++)
            out[k] = c1 * gv[k] + c2 + c3 * xv[k];
        store_f64(dt, dx + at, out, m);
    }
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
        double m, var = 0;
        if (training) {
            double s = 0;
            for (int64_t n = 0; n < sh.n; n++)
                s += seg_sum(dt, src + bn_row(&sh, n, c, dt), sh.s);
            m = s / m_count;
            for (int64_t n = 0; n < sh.n; n++)
                var += seg_sqdev(dt, src + bn_row(&sh, n, c, dt), sh.s, m);
            var /= m_count;
        } else {
            m = values_of(rm)[c];
            var = values_of(rv)[c];
        }
        double is = 1 / sqrt(var + eps);
        double a = is * (w ? values_of(w)[c] : 1), shift = (b ? values_of(b)[c] : 0) - m * a;
        for (int64_t n = 0; n < sh.n; n++)
            seg_affine(dt, src + bn_row(&sh, n, c, dt), dst + bn_row(&sh, n, c, dt), sh.s, a,
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
            seg_dots(dt, gs + at, xs + at, sh.s, mc, &sg, &sgx);
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
            seg_combine(dt, gs + at, xs + at, dxs + at, sh.s, scale, c2, c3);
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

/* The parameters of a chunk of row r from element j0 on: p[k] for k < n,
 * 1 (or 0) when the tensor is absent. */
static void chunk_params(const Rows *l, int64_t r, int64_t j0, int64_t n, const double *w,
                         double absent, double *p)
{
    int64_t at = (r % l->groups) * l->per_group + j0 / l->run, left = l->run - j0 % l->run;
    for (int64_t k = 0; k < n; k++) {
        p[k] = w ? w[at] : absent;
        if (--left == 0) {
            at++;
            left = l->run;
        }
    }
}

/* Normalises every row of x into y; stats gets the rows' means, then their
 * invstds. */
static void rows_forward(const Rows *l, DType dt, const char *x, char *y, const double *w,
                         const double *b, double eps, double *stats)
{
    size_t es = dtype_size(dt);
#pragma omp parallel for schedule(static) if (l->rows > 1 && l->rows * l->len >= PARALLEL_GRAIN)
    for (int64_t r = 0; r < l->rows; r++) {
        if (tensor_interrupt_requested)
            continue;
        const char *xr = x + (size_t)(r * l->len) * es;
        char *yr = y + (size_t)(r * l->len) * es;
        double m = seg_sum(dt, xr, l->len) / (double)l->len;
        double is = 1 / sqrt(seg_sqdev(dt, xr, l->len, m) / (double)l->len + eps);
        double buf[SEG], wv[SEG], bv[SEG], out[SEG];
        for (int64_t j = 0; j < l->len; j += SEG) {
            int64_t n = l->len - j < SEG ? l->len - j : SEG;
            const double *v = load_f64(dt, xr + (size_t)j * es, n, buf);
            chunk_params(l, r, j, n, w, 1, wv);
            chunk_params(l, r, j, n, b, 0, bv);
            for (int64_t k = 0; k < n; k++)
                out[k] = (v[k] - m) * is * wv[k] + bv[k];
            store_f64(dt, yr + (size_t)j * es, out, n);
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
    double gb[SEG], xb[SEG], wv[SEG], out[SEG], sum_dy = 0, sum_dy_xhat = 0;
    int64_t base = (r % l->groups) * l->per_group;
    for (int64_t j = 0; j < l->len; j += SEG) {
        int64_t n = l->len - j < SEG ? l->len - j : SEG;
        const double *gv = load_f64(dt, g + (size_t)j * es, n, gb);
        const double *xv = load_f64(dt, x + (size_t)j * es, n, xb);
        chunk_params(l, r, j, n, w, 1, wv);
        for (int64_t k = 0; k < n; k++) {
            double xhat = (xv[k] - m) * is, dy = gv[k] * wv[k];
            sum_dy += dy;
            sum_dy_xhat += dy * xhat;
            if (acc_w || acc_b) {
                int64_t p = base + (j + k) / l->run;
                if (acc_w)
                    acc_w[p] += gv[k] * xhat;
                if (acc_b)
                    acc_b[p] += gv[k];
            }
        }
    }
    if (!dx)
        return;
    double mean_dy = sum_dy / (double)l->len, mean_dy_xhat = sum_dy_xhat / (double)l->len;
    for (int64_t j = 0; j < l->len; j += SEG) {
        int64_t n = l->len - j < SEG ? l->len - j : SEG;
        const double *gv = load_f64(dt, g + (size_t)j * es, n, gb);
        const double *xv = load_f64(dt, x + (size_t)j * es, n, xb);
        chunk_params(l, r, j, n, w, 1, wv);
        for (int64_t k = 0; k < n; k++)
            out[k] = is * (gv[k] * wv[k] - mean_dy - (xv[k] - m) * is * mean_dy_xhat);
        store_f64(dt, dx + (size_t)j * es, out, n);
    }
}

/* The forward of layer_norm and group_norm once the rows are known. */
static int rows_norm(const Rows *l, const Tensor *x, const Tensor *weight, const Tensor *bias,
                     double eps, int stats_nd, const int64_t *stats_shape, Tensor **out,
                     Tensor **mean, Tensor **invstd)
{
    *out = *mean = *invstd = NULL;
    bool failed = false;
    Tensor *w = as_f64(weight, &failed), *b = as_f64(bias, &failed);
    Tensor *xc = tensor_contiguous((Tensor *)x);
    Tensor *y = tensor_empty(x->ndim, x->shape, x->dtype);
    double *stats = malloc((size_t)(2 * l->rows + 1) * sizeof(double));
    int status = failed || !xc || !y || !stats ? -1 : 0;
    if (!stats)
        tensor_fail("out of memory");
    if (status == 0) {
        rows_forward(l, x->dtype, tensor_data(xc), tensor_data(y), values_of(w), values_of(b),
                     eps, stats);
        if (tensor_check_interrupt())
            status = -1;
    }
    if (status == 0) {
        *mean = from_doubles(stats, stats_nd, stats_shape, x->dtype);
        *invstd = from_doubles(stats + l->rows, stats_nd, stats_shape, x->dtype);
        status = *mean && *invstd ? 0 : -1;
    }
    Tensor *temps[] = {w, b, xc};
    release_all(temps, 3);
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

static int rows_norm_backward(const Rows *l, const Tensor *grad, const Tensor *x,
                              const Tensor *weight, int pnd, const int64_t *pshape,
                              const Tensor *mean, const Tensor *invstd, Tensor **gx, Tensor **gw,
                              Tensor **gb)
{
    bool failed = false;
    Tensor *w = as_f64(weight, &failed), *m = as_f64(mean, &failed), *is = as_f64(invstd, &failed);
    Tensor *xc = tensor_contiguous((Tensor *)x), *gc = tensor_contiguous((Tensor *)grad);
    int threads = omp_get_max_threads();
    int64_t np = rows_params(l);
    bool params = gw || gb;
    double *acc = params ? calloc((size_t)threads * 2 * (size_t)np, sizeof(double)) : NULL;
    int status = failed || !xc || !gc || (params && !acc) || new_grads(x, pnd, pshape, gx, gw, gb) < 0
                     ? -1 : 0;
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
            row_backward(l, x->dtype, r, gs + at, xs + at, dxs ? dxs + at : NULL, values_of(w),
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
    Tensor *temps[] = {w, m, is, xc, gc};
    release_all(temps, 5);
    free(acc);
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
