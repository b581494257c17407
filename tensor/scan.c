/*
 * scan.c — ops that run along one dim and give a result of the input's
 * shape: cumsum, cumprod, softmax and log_softmax.
 *
 * The input is seen as a contiguous (outer, size, inner) block around the dim
 * (reduce_split_dim).  Work is cut into items exactly as for reductions: a
 * row when inner == 1, else a block of up to SCAN_BLOCK columns that is
 * walked row by row, so memory is always read in order.  Both shapes are one
 * Walk: a sequence of contiguous loads whose element j belongs to lane
 * j * lane (lane 1: each column has its own accumulator; lane 0: the whole
 * row shares accumulator 0).  Values are computed in double (int64 for
 * integer scans) and converted on store; softmax subtracts the max first,
 * so exp cannot overflow, and a NaN anywhere along the dim makes that whole
 * slice NaN as in PyTorch.  Softmax along the last dim, the common case, is
 * the row kernel cross entropy uses (softmax_row.c), vectorised for float32.
 */
#include "tensor/reduce.h"
#include "tensor/softmax_row.h"

#include <math.h>

/* Columns per item: as many as one load buffer holds. */
#define SCAN_BLOCK REDUCE_ROW_BUF

typedef struct {
    const char *src;
    char *dst;
    DType in, out;
    int64_t steps, len, last, step;   /* loads; their length (the last one's); elements apart */
    int lane;
} Walk;

/* The Walk of item `it` over x (outer, size, inner) writing into out. */
static Walk walk_item(const Tensor *x, Tensor *out, int64_t it, int64_t size, int64_t inner)
{
    size_t ei = dtype_size(x->dtype), eo = dtype_size(out->dtype);
    Walk w = {NULL, NULL, x->dtype, out->dtype, size, 0, 0, inner, 1};
    int64_t first;
    if (inner == 1) {
        first = it * size;
        w.steps = (size + REDUCE_ROW_BUF - 1) / REDUCE_ROW_BUF;
        w.len = w.step = REDUCE_ROW_BUF;
        w.last = size - (w.steps - 1) * REDUCE_ROW_BUF;
        w.lane = 0;
    } else {
        int64_t blocks = (inner + SCAN_BLOCK - 1) / SCAN_BLOCK;
        int64_t o = it / blocks, i0 = it % blocks * SCAN_BLOCK;
        first = o * size * inner + i0;
        w.len = w.last = inner - i0 < SCAN_BLOCK ? inner - i0 : SCAN_BLOCK;
    }
    w.src = (const char *)tensor_data(x) + (size_t)first * ei;
    w.dst = (char *)tensor_data(out) + (size_t)first * eo;
    return w;
}

#define WALK_N(w, k) ((k) + 1 < (w)->steps ? (w)->len : (w)->last)
#define WALK_SRC(w, k) ((w)->src + (size_t)((k) * (w)->step) * dtype_size((w)->in))
#define WALK_DST(w, k) ((w)->dst + (size_t)((k) * (w)->step) * dtype_size((w)->out))

/* T is the type of loaded values, AT that of the arithmetic: integers wrap
 * around in uint64, as int64 does in PyTorch. */
#define DEFINE_SCAN(name, T, AT, LOAD, STORE)                                            \
    static void name(const Walk *w, bool prod)                                           \
    {                                                                                    \
        AT acc[SCAN_BLOCK];                                                              \
        T buf[REDUCE_ROW_BUF], y[REDUCE_ROW_BUF];                                        \
        for (int j = 0; j < SCAN_BLOCK; j++)                                             \
            acc[j] = prod;                                                               \
        for (int64_t k = 0; k < w->steps; k++) {                                         \
            int64_t n = WALK_N(w, k);                                                    \
            const T *x = LOAD(w->in, WALK_SRC(w, k), n, buf);                            \
            for (int64_t j = 0; j < n; j++) {                                            \
                AT *a = &acc[j * w->lane];                                               \
                *a = prod ? *a * (AT)x[j] : *a + (AT)x[j];                               \
                y[j] = (T)*a;                                                            \
            }                                                                            \
            STORE(w->out, WALK_DST(w, k), y, n);                                         \
        }                                                                                \
    }
DEFINE_SCAN(scan_f64, double, double, load_f64, store_f64)
DEFINE_SCAN(scan_i64, int64_t, uint64_t, load_i64, store_i64)

/* Three passes: the max, the sum of exp(x - max), then the results. */
static void softmax_walk(const Walk *w, bool log_result)
{
    double m[SCAN_BLOCK], s[SCAN_BLOCK], buf[REDUCE_ROW_BUF], y[REDUCE_ROW_BUF];
    for (int j = 0; j < SCAN_BLOCK; j++)
        m[j] = -INFINITY, s[j] = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (int64_t k = 0; k < w->steps; k++) {
            int64_t n = WALK_N(w, k);
            const double *x = load_f64(w->in, WALK_SRC(w, k), n, buf);
            for (int64_t j = 0; j < n; j++) {
                double *mj = &m[j * w->lane], *sj = &s[j * w->lane];
                if (pass == 0)
                    *mj = x[j] > *mj || isnan(x[j]) ? x[j] : *mj;
                else if (pass == 1)
                    *sj += exp(x[j] - *mj);
                else
                    y[j] = log_result ? x[j] - *mj - *sj : exp(x[j] - *mj) / *sj;
            }
            if (pass == 2)
                store_f64(w->out, WALK_DST(w, k), y, n);
        }
        for (int j = 0; pass == 1 && log_result && j < SCAN_BLOCK; j++)
            s[j] = log(s[j]);
    }
}

typedef enum { SCAN_SUM, SCAN_PROD, SCAN_SOFTMAX, SCAN_LOG_SOFTMAX } ScanKind;

/* Softmax or log-softmax of row `it` of a contiguous (rows, size) x. */
#define DEFINE_SOFTMAX_ROWS(name, T, SOFTMAX, LOG_SOFTMAX)                               \
    static void name(const Tensor *x, Tensor *out, int64_t it, int64_t size, bool log_result) \
    {                                                                                    \
        const T *xr = (const T *)tensor_data(x) + it * size;                             \
        T *yr = (T *)tensor_data(out) + it * size;                                       \
        if (log_result)                                                                  \
            LOG_SOFTMAX(xr, size, yr);                                                   \
        else                                                                             \
            SOFTMAX(xr, size, yr);                                                       \
    }
DEFINE_SOFTMAX_ROWS(softmax_rows_f32, float, softmax_row_f32, log_softmax_row_f32)
DEFINE_SOFTMAX_ROWS(softmax_rows_f64, double, softmax_row_f64, log_softmax_row_f64)

static Tensor *scan_run(const char *fn, const Tensor *t, int dim, ScanKind kind)
{
    bool soft = kind == SCAN_SOFTMAX || kind == SCAN_LOG_SOFTMAX;
    if (soft && !dtype_is_floating(t->dtype))
        return tensor_fail("%s: needs a floating point input, got %s (convert it to float32 "
                           "or float64)", fn, dtype_name(t->dtype));
    int64_t outer, size, inner;
    Tensor *x = reduce_split_dim(fn, t, dim, &outer, &size, &inner);
    if (!x)
        return NULL;
    bool integer = fold_integer(t->dtype);
    Tensor *out = tensor_empty(t->ndim, t->shape, integer && !soft ? DTYPE_INT64 : t->dtype);
    int64_t items = inner == 1 ? outer : outer * ((inner + SCAN_BLOCK - 1) / SCAN_BLOCK);
    if (!out || size == 0)
        items = 0;
    bool parallel = items > 1 && tensor_numel(t) >= PARALLEL_GRAIN;
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t it = 0; it < items; it++) {
        if (tensor_interrupt_requested)
            continue;
        if (soft && inner == 1) {
            if (t->dtype == DTYPE_FLOAT32)
                softmax_rows_f32(x, out, it, size, kind == SCAN_LOG_SOFTMAX);
            else
                softmax_rows_f64(x, out, it, size, kind == SCAN_LOG_SOFTMAX);
            continue;
        }
        Walk w = walk_item(x, out, it, size, inner);
        if (soft)
            softmax_walk(&w, kind == SCAN_LOG_SOFTMAX);
        else if (integer)
            scan_i64(&w, kind == SCAN_PROD);
        else
            scan_f64(&w, kind == SCAN_PROD);
    }
    tensor_release(x);
    if (out && tensor_check_interrupt()) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

Tensor *tensor_cumsum(const Tensor *t, int dim)
{
    return scan_run("cumsum", t, dim, SCAN_SUM);
}

Tensor *tensor_cumprod(const Tensor *t, int dim)
{
    return scan_run("cumprod", t, dim, SCAN_PROD);
}

Tensor *tensor_softmax(const Tensor *t, int dim)
{
    return scan_run("softmax", t, dim, SCAN_SOFTMAX);
}

Tensor *tensor_log_softmax(const Tensor *t, int dim)
{
    return scan_run("log_softmax", t, dim, SCAN_LOG_SOFTMAX);
}
