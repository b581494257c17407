/*
 * reduce.h — what the reduction files of tensor/ share (not a public header).
 *
 * Every reduction is brought to one canonical form: a contiguous block seen
 * as (outer, size, inner), reduced over `size`.  Reducing the last dim of a
 * row-major tensor is inner == 1 (each result folds one contiguous row);
 * reducing an outer dim is inner > 1 (rows are added into a buffer of
 * accumulators, never walked with a stride per element).  reduce_plan finds
 * that form without copying when it can: a transposed or permuted input is
 * read in its memory order, and only inputs whose reduced dims cannot be
 * made adjacent (or that overlap, like expanded views) are copied first.
 *
 * The arithmetic is a table of folds: a fold kind says how one value enters
 * an accumulator (sum, product, max with NaN propagating, |x|^p summed, ...).
 * Floating inputs fold in double, integer and bool inputs in int64, so
 * float32 sums do not drift and int64 sums stay exact.
 */
#ifndef LUAGRAD_REDUCE_H
#define LUAGRAD_REDUCE_H

#include "tensor/tensor.h"

typedef enum {
    FOLD_SUM,
    FOLD_PROD,
    FOLD_MAX,          /* NaN wins */
    FOLD_MIN,
    FOLD_ALL,          /* accumulators 0/1 */
    FOLD_ANY,
    FOLD_ARGMAX,       /* also tracks the position of the first max */
    FOLD_ARGMIN,
    /* floating only */
    FOLD_ABS_SUM,      /* 1-norm */
    FOLD_SQ_SUM,       /* 2-norm squared */
    FOLD_POW_SUM,      /* sum |x|^p */
    FOLD_NONZERO_SUM,  /* "0-norm" */
    FOLD_ABS_MAX,      /* inf-norm */
    FOLD_ABS_MIN,      /* -inf-norm */
    FOLD_SQDEV_SUM,    /* sum (x - center)^2, for var */
    FOLD_EXPDEV_SUM,   /* sum exp(x - center), for logsumexp */
    FOLD_COUNT
} FoldKind;

/* A reduction brought to (outer, size, inner) over the contiguous x. */
typedef struct {
    Tensor *x;                           /* owned; dims in plan order */
    int64_t outer, size, inner;
    int ndim;                            /* of the input */
    int64_t in_shape[TENSOR_MAX_DIMS];
    bool reduced[TENSOR_MAX_DIMS];       /* by input dim */
    int perm[TENSOR_MAX_DIMS];           /* x's dim j is input dim perm[j] */
    bool keepdim;
} ReducePlan;

/* Plans the reduction of t over dims[0..ndims) (0-based, negative from the
 * end; ndims == 0 means every dim).  `logical_order` forbids reading the
 * input in memory order: needed when positions are reported over several
 * dims (a flat argmax counts in row-major order).  -1 with a message naming
 * fn on a bad dim. */
int reduce_plan(ReducePlan *p, const char *fn, const Tensor *t, int ndims, const int *dims,
                bool keepdim, bool logical_order);
void reduce_plan_free(ReducePlan *p);
/* The final result from `res`, a contiguous tensor of outer * inner values
 * in plan order: shaped as the input with reduced dims removed (or kept as
 * 1), copied into input order when the plan permuted the kept dims.
 * Consumes res; NULL on failure. */
Tensor *reduce_place(const ReducePlan *p, Tensor *res);

/* What to fold: `p` is the norm order, `center` one value per result (in
 * plan order) for the *DEV kinds. */
typedef struct {
    FoldKind kind;
    double p;
    const double *center;
} FoldSpec;

/* True when t folds in int64 rather than double. */
bool fold_integer(DType dt);
/* Folds the plan's input into `acc`, outer * inner accumulators (int64 for
 * integer inputs, else double), and positions into `idx` for the ARG kinds.
 * -1 when interrupted. */
int reduce_fold(const ReducePlan *p, const FoldSpec *s, void *acc, int64_t *idx);

/* The accumulators of folding as planned, a new float64 (or int64) tensor of
 * outer * inner values, and the positions for the ARG kinds. */
Tensor *reduce_acc(const ReducePlan *p, const FoldSpec *spec, Tensor **indices);
/* acc converted to dtype dt (acc is consumed; NULL passes through). */
Tensor *reduce_convert(Tensor *acc, DType dt);

/* n contiguous elements of dtype dt as doubles (or int64s): `src` itself
 * when it already has that type, else converted into buf. */
const double *load_f64(DType dt, const void *src, int64_t n, double *buf);
const int64_t *load_i64(DType dt, const void *src, int64_t n, int64_t *buf);
/* n values into contiguous elements of dtype dt (C casts; bool is != 0). */
void store_f64(DType dt, void *dst, const double *v, int64_t n);
void store_i64(DType dt, void *dst, const int64_t *v, int64_t n);

/* out[r] = the sum of x[r * stride + i] over i < n, for `rows` rows, in
 * double (reduce_simd.c). */
void sum_rows_float32(double *out, const float *x, int64_t rows, int64_t n, int64_t stride);

/* t (any layout) as a contiguous tensor seen as (outer, size, inner) around
 * one dim, for the ops whose output has the input's shape (scans, softmax,
 * sort).  A 0-dim t counts as one dim of size 1.  NULL on a bad dim. */
Tensor *reduce_split_dim(const char *fn, const Tensor *t, int dim, int64_t *outer, int64_t *size,
                         int64_t *inner);

/* Columns handled together when reducing an outer dim: long enough that
 * each row segment read crosses few pages, short enough that the
 * accumulators and one converted segment (16 KB each) stay in L1. */
#define REDUCE_BLOCK 2048
/* Elements converted at a time when folding a contiguous row. */
#define REDUCE_ROW_BUF 512

#endif
