/*
 * reduce_fold.c — the inner loops of every reduction, and the driver that
 * runs them over a planned (outer, size, inner) block on all threads.
 *
 * A fold kind is one STEP macro: how a value x enters an accumulator a.  From
 * each STEP come three loops: a row fold (n contiguous values into one
 * accumulator, for inner == 1), a column fold (one row segment into n
 * accumulators, for inner > 1) and a merge (partial accumulators of two
 * chunks, in order).  Inputs are converted on load into a small buffer of
 * double (floating dtypes) or int64 (the others), so each fold exists in
 * those two types only.
 *
 * The hot case, sums of float32/float64, skips the buffer.  Rows are summed
 * by reduce_simd.c (float32) or a plain loop with a wide `omp simd`
 * reduction (float64), columns by adding eight rows in registers before
 * touching the accumulators; all are built for AVX-512 and AVX2 and run near
 * memory speed while still adding in double.
 *
 * Work is cut into items that do not depend on the thread count: blocks of
 * up to REDUCE_BLOCK columns of a result row, several short result rows
 * together, or, when there are few blocks, chunks of the reduced dim whose
 * partial results are merged in order.  So a result is the same whatever
 * torch.set_num_threads says.
 */
#include "tensor/reduce.h"
#include "tensor/simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REDUCE_CHUNK 32768

/* ---- loading and storing runs of elements ---------------------------------- */

#define CONVERT_INTO(dst, ST, src, n)                                                    \
    for (int64_t i_ = 0; i_ < (n); i_++)                                                 \
        (dst)[i_] = ((const ST *)(src))[i_]

const double *load_f64(DType dt, const void *src, int64_t n, double *buf)
{
    switch (dt) {
    case DTYPE_FLOAT64: return src;
    case DTYPE_FLOAT32: CONVERT_INTO(buf, float, src, n); break;
    case DTYPE_INT64: CONVERT_INTO(buf, int64_t, src, n); break;
    default: CONVERT_INTO(buf, uint8_t, src, n); break;   /* uint8, bool */
    }
    return buf;
}

const int64_t *load_i64(DType dt, const void *src, int64_t n, int64_t *buf)
{
    if (dt == DTYPE_INT64)
        return src;
    CONVERT_INTO(buf, uint8_t, src, n);   /* only uint8 and bool fold as integers */
    return buf;
}

/* The conversions of copy.c: C casts, float -> uint8 through int64, bool != 0. */
#define STORE_AS(CT, dst, v, n, CAST)                                                    \
    for (int64_t i_ = 0; i_ < (n); i_++)                                                 \
        ((CT *)(dst))[i_] = CAST((v)[i_])
#define CAST_UINT8(x) (uint8_t)(int64_t)(x)
#define CAST_BOOL(x) (uint8_t)((x) != 0)
#define STORE_ALL(dt, dst, v, n)                                                         \
    switch (dt) {                                                                        \
    case DTYPE_FLOAT32: STORE_AS(float, dst, v, n, (float)); break;                      \
    case DTYPE_FLOAT64: STORE_AS(double, dst, v, n, (double)); break;                    \
    case DTYPE_INT64: STORE_AS(int64_t, dst, v, n, (int64_t)); break;                    \
    case DTYPE_UINT8: STORE_AS(uint8_t, dst, v, n, CAST_UINT8); break;                   \
    default: STORE_AS(uint8_t, dst, v, n, CAST_BOOL);                                    \
    }

void store_f64(DType dt, void *dst, const double *v, int64_t n)
{
    if (dt == DTYPE_FLOAT64 && dst != v)
        memcpy(dst, v, (size_t)n * sizeof *v);
    else if (dt != DTYPE_FLOAT64)
        STORE_ALL(dt, dst, v, n)
}

void store_i64(DType dt, void *dst, const int64_t *v, int64_t n)
{
    if (dt == DTYPE_INT64 && dst != v)
        memcpy(dst, v, (size_t)n * sizeof *v);
    else if (dt != DTYPE_INT64)
        STORE_ALL(dt, dst, v, n)
}

bool fold_integer(DType dt)
{
    return !dtype_is_floating(dt);
}

/* ---- the folds ------------------------------------------------------------- */

static inline bool nan_f(double x) { return x != x; }
static inline bool nan_i(int64_t x) { (void)x; return false; }
#define ISNAN(x) _Generic((x), double: nan_f, default: nan_i)(x)

/* STEP(a, x, c, i, r): value x (at position r) enters accumulator a, whose
 * best position so far is i; c is the result's center, p the norm order. */
#define STEP_SUM(a, x, c, i, r) a += (x)
#define STEP_PROD(a, x, c, i, r) a *= (x)
#define STEP_MAX(a, x, c, i, r) a = (x) > a || ISNAN(x) ? (x) : a
#define STEP_MIN(a, x, c, i, r) a = (x) < a || ISNAN(x) ? (x) : a
#define STEP_ALL(a, x, c, i, r) a = (x) != 0 ? a : 0
#define STEP_ANY(a, x, c, i, r) a = (x) != 0 ? 1 : a
/* Strict comparisons keep the first of equal values; the first NaN wins. */
#define STEP_ARGMAX(a, x, c, i, r) if ((x) > a || (ISNAN(x) && !ISNAN(a))) a = (x), i = (r)
#define STEP_ARGMIN(a, x, c, i, r) if ((x) < a || (ISNAN(x) && !ISNAN(a))) a = (x), i = (r)
#define STEP_ABS_SUM(a, x, c, i, r) a += fabs(x)
#define STEP_SQ_SUM(a, x, c, i, r) a += (x) * (x)
#define STEP_POW_SUM(a, x, c, i, r) a += pow(fabs(x), p)
#define STEP_NONZERO_SUM(a, x, c, i, r) a += (x) != 0
#define STEP_ABS_MAX(a, x, c, i, r) STEP_MAX(a, fabs(x), c, i, r)
#define STEP_ABS_MIN(a, x, c, i, r) STEP_MIN(a, fabs(x), c, i, r)
#define STEP_SQDEV_SUM(a, x, c, i, r) a += ((x) - (c)) * ((x) - (c))
#define STEP_EXPDEV_SUM(a, x, c, i, r) a += exp((x) - (c))

/* Sums and products may be reassociated, so their rows vectorise. */
#define SIMD_ADD _Pragma("omp simd reduction(+:a)")
#define SIMD_MUL _Pragma("omp simd reduction(*:a)")
#define SIMD_NONE

/* X(KIND, name, STEP, SIMD, IT): the kinds for both accumulator types, IT
 * being the integer one: sums and products wrap around in uint64 as
 * PyTorch's int64 arithmetic does (signed overflow would be undefined) ... */
#define FOLDS_BOTH(X)                                                                    \
    X(SUM, sum, STEP_SUM, SIMD_ADD, uint64_t) X(PROD, prod, STEP_PROD, SIMD_MUL, uint64_t) \
    X(MAX, max, STEP_MAX, SIMD_NONE, int64_t) X(MIN, min, STEP_MIN, SIMD_NONE, int64_t)  \
    X(ALL, all, STEP_ALL, SIMD_NONE, int64_t) X(ANY, any, STEP_ANY, SIMD_NONE, int64_t)  \
    X(ARGMAX, argmax, STEP_ARGMAX, SIMD_NONE, int64_t)                                   \
    X(ARGMIN, argmin, STEP_ARGMIN, SIMD_NONE, int64_t)
/* ... and those of floating inputs only. */
#define FOLDS_FLOAT(X)                                                                   \
    X(ABS_SUM, abs_sum, STEP_ABS_SUM, SIMD_ADD, -)                                       \
    X(SQ_SUM, sq_sum, STEP_SQ_SUM, SIMD_ADD, -)                                          \
    X(POW_SUM, pow_sum, STEP_POW_SUM, SIMD_ADD, -)                                       \
    X(NONZERO_SUM, nonzero_sum, STEP_NONZERO_SUM, SIMD_ADD, -)                           \
    X(ABS_MAX, abs_max, STEP_ABS_MAX, SIMD_NONE, -)                                      \
    X(ABS_MIN, abs_min, STEP_ABS_MIN, SIMD_NONE, -)                                      \
    X(SQDEV_SUM, sqdev_sum, STEP_SQDEV_SUM, SIMD_ADD, -)                                 \
    X(EXPDEV_SUM, expdev_sum, STEP_EXPDEV_SUM, SIMD_ADD, -)

typedef void (*FoldFn)(void *acc, int64_t *idx, const void *x, int64_t n, int64_t r,
                       const double *c, double p);
typedef void (*MergeFn)(void *acc, int64_t *idx, const void *x, const int64_t *xidx, int64_t n);

#define DEFINE_FOLDS(name, T, STEP, SIMD)                                                \
    static void row_##name(void *accp, int64_t *idx, const void *xp, int64_t n,          \
                           int64_t r, const double *c, double p)                         \
    {                                                                                    \
        const T *x = xp;                                                                 \
        T a = *(T *)accp;                                                                \
        int64_t i = idx ? *idx : 0;                                                      \
        SIMD                                                                             \
        for (int64_t j = 0; j < n; j++)                                                  \
            STEP(a, x[j], c[0], i, r + j);                                               \
        *(T *)accp = a;                                                                  \
        if (idx)                                                                         \
            *idx = i;                                                                    \
    }                                                                                    \
    static void col_##name(void *accp, int64_t *idx, const void *xp, int64_t n,          \
                           int64_t r, const double *c, double p)                         \
    {                                                                                    \
        T *a = accp;                                                                     \
        const T *x = xp;                                                                 \
        _Pragma("omp simd")                                                              \
        for (int64_t j = 0; j < n; j++)                                                  \
            STEP(a[j], x[j], c[j], idx[j], r);                                           \
    }
#define DEFINE_MERGE(name, T, STEP)                                                      \
    static void merge_##name(void *accp, int64_t *idx, const void *xp, const int64_t *xi, \
                             int64_t n)                                                  \
    {                                                                                    \
        T *a = accp;                                                                     \
        const T *x = xp;                                                                 \
        for (int64_t j = 0; j < n; j++)                                                  \
            STEP(a[j], x[j], 0, idx[j], xi[j]);                                          \
    }
#define DEFINE_F(K, name, STEP, SIMD, IT) DEFINE_FOLDS(name##_f, double, STEP, SIMD)
#define DEFINE_I(K, name, STEP, SIMD, IT) DEFINE_FOLDS(name##_i, IT, STEP, SIMD)
#define DEFINE_MERGES(K, name, STEP, SIMD, IT)                                           \
    DEFINE_MERGE(name##_f, double, STEP) DEFINE_MERGE(name##_i, IT, STEP)
FOLDS_BOTH(DEFINE_F)
FOLDS_FLOAT(DEFINE_F)
FOLDS_BOTH(DEFINE_I)
FOLDS_BOTH(DEFINE_MERGES)

#define ROW_F(K, name, STEP, SIMD, IT) [FOLD_##K] = row_##name##_f,
#define ROW_I(K, name, STEP, SIMD, IT) [FOLD_##K] = row_##name##_i,
#define COL_F(K, name, STEP, SIMD, IT) [FOLD_##K] = col_##name##_f,
#define COL_I(K, name, STEP, SIMD, IT) [FOLD_##K] = col_##name##_i,
#define MERGE_F(K, name, STEP, SIMD, IT) [FOLD_##K] = merge_##name##_f,
#define MERGE_I(K, name, STEP, SIMD, IT) [FOLD_##K] = merge_##name##_i,
/* [integer][kind] */
static const FoldFn row_folds[2][FOLD_COUNT] = {{FOLDS_BOTH(ROW_F) FOLDS_FLOAT(ROW_F)},
                                                {FOLDS_BOTH(ROW_I)}};
static const FoldFn col_folds[2][FOLD_COUNT] = {{FOLDS_BOTH(COL_F) FOLDS_FLOAT(COL_F)},
                                                {FOLDS_BOTH(COL_I)}};
static const MergeFn merges[2][FOLD_COUNT] = {{FOLDS_BOTH(MERGE_F)}, {FOLDS_BOTH(MERGE_I)}};

/* Two partial results of a floating-only kind combine like this kind. */
static FoldKind merge_kind(FoldKind k)
{
    switch (k) {
    case FOLD_ABS_MAX: return FOLD_MAX;
    case FOLD_ABS_MIN: return FOLD_MIN;
    default: return k < FOLD_ABS_SUM ? k : FOLD_SUM;
    }
}

static void fold_init(FoldKind k, bool integer, void *acc, int64_t *idx, int64_t n, int64_t r0)
{
    double f = 0;
    int64_t v = 0;
    switch (k) {
    case FOLD_PROD: case FOLD_ALL: f = 1, v = 1; break;
    case FOLD_MAX: case FOLD_ARGMAX: f = -INFINITY, v = INT64_MIN; break;
    case FOLD_MIN: case FOLD_ARGMIN: case FOLD_ABS_MIN: f = INFINITY, v = INT64_MAX; break;
    default: break;
    }
    for (int64_t j = 0; j < n; j++) {
        if (integer)
            ((int64_t *)acc)[j] = v;
        else
            ((double *)acc)[j] = f;
        if (idx)
            idx[j] = r0;   /* all equal to the initial value: the first position wins */
    }
}

/* ---- the contiguous sums that run at memory speed ---------------------------- */

/* out[r] = the sum of x[r * stride + i] over i < n, for `rows` rows (the
 * float32 one is in reduce_simd.c). */
SIMD_CLONES static void sum_rows_float64(double *out, const double *x, int64_t rows, int64_t n,
                                         int64_t stride)
{
    for (int64_t r = 0; r < rows; r++, x += stride) {
        double s = 0;
#pragma omp simd reduction(+:s) simdlen(32)
        for (int64_t i = 0; i < n; i++)
            s += x[i];
        out[r] = s;
    }
}

/* acc[j] += x[r * stride + j] for each of `rows` rows: rows added into column
 * sums, converting on the way.  Eight rows are summed in registers before
 * touching the accumulators, which cuts their load/store traffic eightfold. */
#define ROW_OF_8(k) (double)x8[(k) * stride + j]
#define DEFINE_SIMD_ADD_ROWS(name, T)                                                    \
    SIMD_CLONES static void name(double *restrict acc, const T *restrict x, int64_t rows, \
                                 int64_t n, int64_t stride)                              \
    {                                                                                    \
        int64_t r = 0;                                                                   \
        for (; r + 8 <= rows; r += 8) {                                                  \
            const T *x8 = x + r * stride;                                                \
            _Pragma("omp simd")                                                          \
            for (int64_t j = 0; j < n; j++)                                              \
                acc[j] += ((ROW_OF_8(0) + ROW_OF_8(1)) + (ROW_OF_8(2) + ROW_OF_8(3))) +  \
                          ((ROW_OF_8(4) + ROW_OF_8(5)) + (ROW_OF_8(6) + ROW_OF_8(7)));   \
        }                                                                                \
        for (; r < rows; r++) {                                                          \
            _Pragma("omp simd")                                                          \
            for (int64_t j = 0; j < n; j++)                                              \
                acc[j] += x[r * stride + j];                                             \
        }                                                                                \
    }
DEFINE_SIMD_ADD_ROWS(add_rows_float32, float)
DEFINE_SIMD_ADD_ROWS(add_rows_float64, double)

/* ---- the driver ---------------------------------------------------------------- */

typedef struct {
    const ReducePlan *plan;
    const FoldSpec *spec;
    bool integer;
    int64_t width, blocks;   /* columns per block, blocks per result row */
    int64_t group;           /* result rows per item */
    int64_t chunks;          /* pieces of the reduced dim per block */
} FoldJob;

static bool fast_sum(const FoldJob *job)
{
    DType dt = job->plan->x->dtype;
    return job->spec->kind == FOLD_SUM && (dt == DTYPE_FLOAT32 || dt == DTYPE_FLOAT64);
}

/* The sums of x[o, r0:r1] for `rows` result rows from o (inner == 1). */
static void fold_sum_rows(const FoldJob *job, int64_t o, int64_t rows, int64_t r0, int64_t r1,
                          double *acc)
{
    const ReducePlan *pl = job->plan;
    DType dt = pl->x->dtype;
    size_t first = (size_t)(o * pl->size + r0);
    const char *src = (const char *)tensor_data(pl->x) + first * dtype_size(dt);
    if (dt == DTYPE_FLOAT32)
        sum_rows_float32(acc, (const float *)src, rows, r1 - r0, pl->size);
    else
        sum_rows_float64(acc, (const double *)src, rows, r1 - r0, pl->size);
}

/* Folds x[o, r0:r1] (inner == 1) into one accumulator. */
static void fold_row(const FoldJob *job, int64_t o, int64_t r0, int64_t r1, void *acc,
                     int64_t *idx)
{
    const ReducePlan *pl = job->plan;
    const FoldSpec *s = job->spec;
    DType dt = pl->x->dtype;
    size_t es = dtype_size(dt);
    const char *src = (const char *)tensor_data(pl->x) + (size_t)(o * pl->size + r0) * es;
    const double *c = s->center ? s->center + o : NULL;
    fold_init(s->kind, job->integer, acc, idx, 1, r0);
    FoldFn fold = row_folds[job->integer][s->kind];
    int64_t buf[REDUCE_ROW_BUF];
    for (int64_t r = r0; r < r1; r += REDUCE_ROW_BUF) {
        int64_t n = r1 - r < REDUCE_ROW_BUF ? r1 - r : REDUCE_ROW_BUF;
        const void *x = job->integer ? (const void *)load_i64(dt, src, n, buf)
                                     : (const void *)load_f64(dt, src, n, (double *)buf);
        fold(acc, idx, x, n, r, c, s->p);
        src += (size_t)n * es;
    }
}

/* Folds rows r0..r1 of columns [i0, i0 + n) of result row o into n accumulators. */
static void fold_columns(const FoldJob *job, int64_t o, int64_t i0, int64_t n, int64_t r0,
                         int64_t r1, void *acc, int64_t *idx)
{
    const ReducePlan *pl = job->plan;
    const FoldSpec *s = job->spec;
    DType dt = pl->x->dtype;
    size_t es = dtype_size(dt);
    size_t first = (size_t)((o * pl->size + r0) * pl->inner + i0);
    const char *src = (const char *)tensor_data(pl->x) + first * es;
    const double *c = s->center ? s->center + o * pl->inner + i0 : NULL;
    fold_init(s->kind, job->integer, acc, idx, n, r0);
    if (fast_sum(job)) {
        if (dt == DTYPE_FLOAT32)
            add_rows_float32(acc, (const float *)src, r1 - r0, n, pl->inner);
        else
            add_rows_float64(acc, (const double *)src, r1 - r0, n, pl->inner);
        return;
    }
    FoldFn fold = col_folds[job->integer][s->kind];
    int64_t buf[REDUCE_BLOCK];
    for (int64_t r = r0; r < r1; r++, src += (size_t)pl->inner * es) {
        const void *x = job->integer ? (const void *)load_i64(dt, src, n, buf)
                                     : (const void *)load_f64(dt, src, n, (double *)buf);
        fold(acc, idx, x, n, r, c, s->p);
    }
}

/* Item number `it` = ((g * blocks) + b) * chunks + c: result rows
 * [g * group, (g + 1) * group), columns of block b, chunk c of the reduced dim. */
static void fold_item(const FoldJob *job, int64_t it, void *acc, int64_t *idx, void *part,
                      int64_t *part_idx)
{
    const ReducePlan *pl = job->plan;
    int64_t c = it % job->chunks, gb = it / job->chunks, b = gb % job->blocks, g = gb / job->blocks;
    int64_t r0 = pl->size * c / job->chunks, r1 = pl->size * (c + 1) / job->chunks;
    int64_t i0 = b * job->width, n = pl->inner - i0 < job->width ? pl->inner - i0 : job->width;
    int64_t o0 = g * job->group, o1 = o0 + job->group < pl->outer ? o0 + job->group : pl->outer;
    if (pl->inner == 1 && fast_sum(job)) {
        fold_sum_rows(job, o0, o1 - o0, r0, r1,
                      (double *)(job->chunks == 1 ? (char *)acc + o0 * 8 : (char *)part + it * 8));
        return;
    }
    for (int64_t o = o0; o < o1; o++) {
        /* One chunk: straight into the result; else into its partial slot. */
        int64_t at = job->chunks == 1 ? o * pl->inner + i0 : it * job->width;
        void *dst = (char *)(job->chunks == 1 ? acc : part) + at * 8;
        int64_t *dst_idx = idx ? (job->chunks == 1 ? idx : part_idx) + at : NULL;
        if (pl->inner == 1)
            fold_row(job, o, r0, r1, dst, dst_idx);
        else
            fold_columns(job, o, i0, n, r0, r1, dst, dst_idx);
    }
}

/* The chunks of each block, in order, into the result (group is 1 here). */
static void fold_merge(const FoldJob *job, void *acc, int64_t *idx, const void *part,
                       const int64_t *part_idx)
{
    const ReducePlan *pl = job->plan;
    MergeFn merge = merges[job->integer][merge_kind(job->spec->kind)];
    for (int64_t ob = 0; ob < pl->outer * job->blocks; ob++) {
        int64_t o = ob / job->blocks, i0 = ob % job->blocks * job->width;
        int64_t n = pl->inner - i0 < job->width ? pl->inner - i0 : job->width;
        char *dst = (char *)acc + (o * pl->inner + i0) * 8;
        int64_t *dst_idx = idx ? idx + o * pl->inner + i0 : NULL;
        for (int64_t c = 0; c < job->chunks; c++) {
            int64_t at = (ob * job->chunks + c) * job->width;
            const char *src = (const char *)part + at * 8;
            if (c == 0) {
                memcpy(dst, src, (size_t)n * 8);
                if (idx)
                    memcpy(dst_idx, part_idx + at, (size_t)n * sizeof *idx);
            } else {
                merge(dst, dst_idx, src, idx ? part_idx + at : NULL, n);
            }
        }
    }
}

/* How the work is cut: blocks of columns; for few blocks, chunks of the
 * reduced dim, each of at least REDUCE_CHUNK elements and (for columns) 64
 * rows, so partial results stay a few percent of what is read; else groups
 * of result rows, so tiny reductions are not one item each. */
static void fold_cut(FoldJob *job)
{
    const ReducePlan *pl = job->plan;
    if (pl->inner > 1) {
        job->width = pl->inner < REDUCE_BLOCK ? pl->inner : REDUCE_BLOCK;
        job->blocks = (pl->inner + job->width - 1) / job->width;
    }
    int64_t min_rows = REDUCE_CHUNK / job->width;
    if (job->width > 1 && min_rows < 64)
        min_rows = 64;
    if (pl->outer * job->blocks < 64 && pl->size >= 2 * min_rows)
        job->chunks = pl->size / min_rows < 1024 ? pl->size / min_rows : 1024;
    else if (pl->size * job->width < REDUCE_CHUNK)
        job->group = REDUCE_CHUNK / (pl->size * job->width);
}

int reduce_fold(const ReducePlan *pl, const FoldSpec *s, void *acc, int64_t *idx)
{
    FoldJob job = {pl, s, fold_integer(pl->x->dtype), 1, 1, 1, 1};
    int64_t results = pl->outer * pl->inner;
    if (results == 0)
        return 0;
    if (pl->size == 0) {
        fold_init(s->kind, job.integer, acc, idx, results, 0);
        return 0;
    }
    fold_cut(&job);
    int64_t items = (pl->outer + job.group - 1) / job.group * job.blocks * job.chunks;
    void *part = NULL;
    int64_t *part_idx = NULL;
    if (job.chunks > 1) {
        part = malloc((size_t)(items * job.width) * 8);
        part_idx = idx ? malloc((size_t)(items * job.width) * sizeof *idx) : NULL;
        if (!part || (idx && !part_idx)) {
            free(part), free(part_idx);
            tensor_fail("out of memory: cannot allocate partial results of a reduction");
            return -1;
        }
    }
    bool parallel = items > 1 && results * pl->size >= PARALLEL_GRAIN;
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t it = 0; it < items; it++)
        if (!tensor_interrupt_requested)
            fold_item(&job, it, acc, idx, part, part_idx);
    if (job.chunks > 1)
        fold_merge(&job, acc, idx, part, part_idx);
    free(part), free(part_idx);
    return tensor_check_interrupt() ? -1 : 0;
}
