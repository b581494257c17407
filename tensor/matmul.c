/*
 * matmul.c — matrix products: matmul with PyTorch's rules for 1-D, 2-D and
 * batched operands, and mm, bmm, mv, dot, outer, addmm, baddbmm on top.
 *
 * Everything reduces to one batched kernel, C[b] = beta * C[b] + alpha *
 * A[b] @ B[b], where A and B are views expanded to a common batch shape
 * (stride 0 where they broadcast) and C is a fresh contiguous tensor.  For
 * float32/float64 each batch is one BLAS call, and a view's strides become
 * transpose flags and leading dims (TH's addmm): transposed and narrowed
 * operands are never copied.  Only a matrix BLAS cannot describe (expanded,
 * or stepping through memory in both dims) is made contiguous, once, before
 * its batch dims are expanded.  A product with one row or one column is a
 * matrix-vector product and goes to gemv.  When the right operand has no
 * batch dims, the left one's batch dims fold into its rows (one big gemm
 * instead of many small ones), as PyTorch does.  int64 and uint8 (and bool,
 * for outer) use a plain i-k-j loop over the raw strides, in unsigned
 * arithmetic so that overflow wraps as in PyTorch instead of being undefined.
 */
#include "tensor/tensor.h"

#include <cblas.h>
#include <limits.h>

/* One product C (m x n, contiguous) = beta * C + alpha * A (m x k) @ B (k x n);
 * strides in elements. */
typedef struct {
    int64_t m, n, k;
    int64_t as0, as1, bs0, bs1;
    double alpha, beta;
} Gemm;

typedef void (*GemmFn)(const Gemm *g, const char *a, const char *b, char *c);

/* ---- how BLAS sees a strided matrix ------------------------------------------ */

typedef struct {
    CBLAS_TRANSPOSE trans;
    int64_t ld;
} BlasView;

static int64_t max1(int64_t x)
{
    return x > 1 ? x : 1;
}

/* A rows x cols matrix is row-major with leading dim ld (NoTrans) when its
 * columns are adjacent, or the transpose of one (Trans) when its rows are;
 * a dim of size 1 may have any stride. */
static bool blas_view(int64_t rows, int64_t cols, int64_t s0, int64_t s1, BlasView *v)
{
    if ((s1 == 1 || cols == 1) && (rows == 1 || s0 >= max1(cols)))
        *v = (BlasView){CblasNoTrans, rows == 1 ? max1(cols) : s0};
    else if ((s0 == 1 || rows == 1) && (cols == 1 || s1 >= max1(rows)))
        *v = (BlasView){CblasTrans, cols == 1 ? max1(rows) : s1};
    else
        return false;
    return v->ld <= INT_MAX;
}

/* gemv's increment for a vector of n elements `stride` apart. */
static int vec_inc(int64_t n, int64_t stride)
{
    return n > 1 ? (int)stride : 1;
}

/* Row-major cblas takes the stored matrix's own dims: A's, or A^T's. */
#define STORED_ROWS(v, rows, cols) ((v).trans == CblasNoTrans ? (rows) : (cols))
#define FLIP(t) ((t) == CblasNoTrans ? CblasTrans : CblasNoTrans)

/* gemv does not scale y when its matrix is empty, and zeroes y with beta == 0
 * only in some versions, so the caller handles k == 0 and y is cleared here
 * first (a vector: cheap beside the product). */
#define DEFINE_BLAS_GEMM(NAME, T, GEMM, GEMV)                                             \
    static void NAME(const Gemm *g, const char *a_, const char *b_, char *c_)             \
    {                                                                                     \
        const T *a = (const T *)a_, *b = (const T *)b_;                                   \
        T *c = (T *)c_;                                                                   \
        BlasView va, vb;                                                                  \
        blas_view(g->m, g->k, g->as0, g->as1, &va);                                       \
        blas_view(g->k, g->n, g->bs0, g->bs1, &vb);                                       \
        int m = (int)g->m, n = (int)g->n, k = (int)g->k;                                  \
        if ((m == 1 || n == 1) && g->beta == 0)                                           \
            for (int i = 0; i < m * n; i++)                                               \
                c[i] = 0;                                                                 \
        if (n == 1)        /* C = A x, x the column of B */                               \
            GEMV(CblasRowMajor, va.trans, STORED_ROWS(va, m, k), STORED_ROWS(va, k, m),   \
                 (T)g->alpha, a, (int)va.ld, b, vec_inc(k, g->bs0), (T)g->beta, c, 1);    \
        else if (m == 1)   /* C = B^T x, x the row of A */                                \
            GEMV(CblasRowMajor, FLIP(vb.trans), STORED_ROWS(vb, k, n),                    \
                 STORED_ROWS(vb, n, k), (T)g->alpha, b, (int)vb.ld, a, vec_inc(k, g->as1), \
                 (T)g->beta, c, 1);                                                       \
        else                                                                              \
            GEMM(CblasRowMajor, va.trans, vb.trans, m, n, k, (T)g->alpha, a, (int)va.ld,  \
                 b, (int)vb.ld, (T)g->beta, c, n);                                        \
    }
DEFINE_BLAS_GEMM(gemm_float32, float, cblas_sgemm, cblas_sgemv)
DEFINE_BLAS_GEMM(gemm_float64, double, cblas_dgemm, cblas_dgemv)

/* ---- the loop for integer types ------------------------------------------------ */

#define STORE_INT(x) (x)
#define STORE_BOOL(x) ((x) != 0)

/* Row i of C is scaled by beta, then row p of B times alpha * A[i][p] is
 * added for each p: the inner loop runs along rows of B and C. */
#define DEFINE_LOOP_GEMM(NAME, DT, T, U, STORE)                                           \
    static void NAME(const Gemm *g, const char *a_, const char *b_, char *c_)             \
    {                                                                                     \
        const T *a = (const T *)a_, *b = (const T *)b_;                                   \
        T *c = (T *)c_, alpha, beta;                                                      \
        dtype_store(DT, &alpha, g->alpha);                                                \
        dtype_store(DT, &beta, g->beta);                                                  \
        _Pragma("omp parallel for if (g->m * g->n * g->k > PARALLEL_GRAIN)")              \
        for (int64_t i = 0; i < g->m; i++) {                                              \
            T *ci = c + i * g->n;                                                         \
            for (int64_t j = 0; j < g->n; j++)                                            \
                ci[j] = g->beta == 0 ? 0 : (T)STORE((U)beta * (U)ci[j]);                  \
            for (int64_t p = 0; p < g->k; p++) {                                          \
                U aip = (U)alpha * (U)a[i * g->as0 + p * g->as1];                         \
                const T *bp = b + p * g->bs0;                                             \
                for (int64_t j = 0; j < g->n; j++)                                        \
                    ci[j] = (T)STORE((U)ci[j] + aip * (U)bp[j * g->bs1]);                 \
            }                                                                             \
        }                                                                                 \
    }
DEFINE_LOOP_GEMM(gemm_int64, DTYPE_INT64, int64_t, uint64_t, STORE_INT)
DEFINE_LOOP_GEMM(gemm_uint8, DTYPE_UINT8, uint8_t, unsigned, STORE_INT)
DEFINE_LOOP_GEMM(gemm_bool, DTYPE_BOOL, uint8_t, unsigned, STORE_BOOL)

static const GemmFn gemm_fns[DTYPE_COUNT] = {
    [DTYPE_FLOAT32] = gemm_float32, [DTYPE_FLOAT64] = gemm_float64,
    [DTYPE_INT64] = gemm_int64,     [DTYPE_UINT8] = gemm_uint8,
    [DTYPE_BOOL] = gemm_bool,
};

/* ---- the batched driver -------------------------------------------------------- */

/* c = beta * c when there is nothing to multiply (k == 0): rare, so slow. */
static void scale_by_beta(Tensor *c, double beta)
{
    char *p = tensor_data(c);
    size_t es = dtype_size(c->dtype);
    int64_t n = tensor_numel(c);
    for (int64_t i = 0; i < n; i++)
        dtype_store(c->dtype, p + i * es, beta == 0 ? 0 : beta * dtype_load(c->dtype, p + i * es));
}

/* A product of more multiply-adds than this runs as several GEMMs over
 * blocks of rows, with an interrupt check before each: a 10,000 x 10,000
 * product takes tens of seconds, and Ctrl-C must not wait for it.  A block
 * (about 0.5 GFLOP) is still large enough that BLAS runs at full speed, and
 * splitting rows leaves each element's sum over k as it was. */
#define GEMM_BLOCK_MACS ((int64_t)1 << 28)

/* One product (g, a, b, c as a GemmFn takes them) in blocks of rows of
 * nearly equal size (never 1 row, which would switch BLAS to gemv); -1 when
 * interrupted. */
static int gemm_blocks(GemmFn fn, const Gemm *g, const char *a, const char *b, char *c, size_t es)
{
    int64_t per_row = g->n * g->k, blocks = 1;
    if (per_row > 0 && g->m >= 512)
        blocks = (g->m * per_row + GEMM_BLOCK_MACS - 1) / GEMM_BLOCK_MACS;
    if (blocks > g->m / 256)
        blocks = g->m / 256 > 1 ? g->m / 256 : 1;
    for (int64_t i = 0; i < blocks; i++) {
        if (tensor_check_interrupt())
            return -1;
        int64_t r0 = g->m * i / blocks, r1 = g->m * (i + 1) / blocks;
        Gemm part = *g;
        part.m = r1 - r0;
        fn(&part, a + r0 * g->as0 * (int64_t)es, b, c + r0 * g->n * (int64_t)es);
    }
    return 0;
}

/* c (batch..., m, n) contiguous; a (batch..., m, k) and b (batch..., k, n)
 * share c's batch shape and are BLAS-describable when floating.  The batch
 * dims are walked with an odometer, so expanded ones cost nothing. */
static int gemm_batched(Tensor *c, const Tensor *a, const Tensor *b, double alpha, double beta)
{
    int nb = c->ndim - 2;
    Gemm g = {c->shape[nb], c->shape[nb + 1], a->shape[nb + 1], a->stride[nb],
              a->stride[nb + 1], b->stride[nb], b->stride[nb + 1], alpha, beta};
    if (g.m == 0 || g.n == 0 || tensor_numel(c) == 0)
        return 0;
    if (g.k == 0) {
        scale_by_beta(c, beta);
        return 0;
    }
    size_t es = dtype_size(c->dtype);
    const char *pa = tensor_data(a), *pb = tensor_data(b);
    char *pc = tensor_data(c);
    int64_t batches = tensor_numel(c) / (g.m * g.n), idx[TENSOR_MAX_DIMS] = {0}, off[2] = {0};
    const int64_t *strides[2] = {a->stride, b->stride};
    for (int64_t i = 0; i < batches; i++) {
        if (gemm_blocks(gemm_fns[c->dtype], &g, pa + off[0] * (int64_t)es, pb + off[1] * (int64_t)es,
                        pc + i * g.m * g.n * (int64_t)es, es) < 0)
            return -1;
        walk_next(nb, c->shape, idx, 2, strides, off);
    }
    return 0;
}

/* t when BLAS can read its last two dims (or it is not for BLAS), else a
 * contiguous copy; a new reference either way. */
static Tensor *gemm_operand(const Tensor *t)
{
    int r = t->ndim - 2;
    BlasView v;
    if (!dtype_is_floating(t->dtype) || tensor_numel(t) == 0 ||
        blas_view(t->shape[r], t->shape[r + 1], t->stride[r], t->stride[r + 1], &v))
        return tensor_alias(t);
    return tensor_clone(t);
}

/* A's batch dims folded into its rows, when a view can express that and
 * BLAS can read the result; NULL (no folding) otherwise. */
static Tensor *fold_rows(const Tensor *a)
{
    int64_t k = a->shape[a->ndim - 1];
    if (tensor_numel(a) == 0)
        return NULL;
    Tensor *f = tensor_view(a, 2, (const int64_t[]){tensor_numel(a) / k, k});
    BlasView v;
    if (f && dtype_is_floating(f->dtype) &&
        !blas_view(f->shape[0], f->shape[1], f->stride[0], f->stride[1], &v)) {
        tensor_release(f);
        return NULL;
    }
    return f;
}

/* beta * bias + alpha * (a @ b) for a (..., m, k), b (..., k, n), both with
 * at least 2 dims and matching k; bias may be NULL (then beta is unused). */
static Tensor *product(const char *fn, const Tensor *a, const Tensor *b, const Tensor *bias,
                       double beta, double alpha)
{
    int na = a->ndim - 2, nb = b->ndim - 2, nbatch;
    int64_t shape[TENSOR_MAX_DIMS], m = a->shape[na], k = a->shape[na + 1], n = b->shape[nb + 1];
    if (!broadcast_shapes(fn, na, a->shape, nb, b->shape, &nbatch, shape)) {
        char s1[128], s2[128];
        return tensor_fail("%s: the batch dims of %s and %s cannot be broadcast", fn,
                           tensor_shape_str(a, s1, sizeof s1), tensor_shape_str(b, s2, sizeof s2));
    }
    if (nbatch + 2 > TENSOR_MAX_DIMS)
        return tensor_fail("%s: the result would have more than %d dims", fn, TENSOR_MAX_DIMS);
    if (dtype_is_floating(a->dtype) && (m > INT_MAX || n > INT_MAX || k > INT_MAX))
        return tensor_fail("%s: dims larger than %d are beyond BLAS", fn, INT_MAX);
    shape[nbatch] = m, shape[nbatch + 1] = n;
    Tensor *c = tensor_empty(nbatch + 2, shape, a->dtype);
    if (!c)
        return NULL;
    if (bias) {
        char s1[128], s2[128];
        Tensor *e = tensor_expand(bias, c->ndim, c->shape);
        int bad = !e || (beta != 0 && tensor_copy_(c, e) < 0);
        tensor_release(e);
        if (bad) {
            tensor_fail("%s: input of shape %s cannot be broadcast to the result's shape %s", fn,
                        tensor_shape_str(bias, s1, sizeof s1), tensor_shape_str(c, s2, sizeof s2));
            tensor_release(c);
            return NULL;
        }
    }
    if (!bias)
        beta = 0;
    Tensor *A = gemm_operand(a), *B = gemm_operand(b), *Ax = NULL, *Bx = NULL, *cf = NULL;
    int status = -1;
    if (!A || !B)
        goto done;
    /* (..., m, k) @ (k, n): the batch folds into the rows of one product. */
    Tensor *Af = nb == 0 && na > 0 ? fold_rows(A) : NULL;
    if (Af) {
        cf = tensor_view(c, 2, (const int64_t[]){tensor_numel(Af) / k, n});
        status = cf ? gemm_batched(cf, Af, B, alpha, beta) : -1;
        tensor_release(Af);
        goto done;
    }
    shape[nbatch] = m, shape[nbatch + 1] = k;
    Ax = tensor_expand(A, nbatch + 2, shape);
    shape[nbatch] = k, shape[nbatch + 1] = n;
    Bx = tensor_expand(B, nbatch + 2, shape);
    if (Ax && Bx)
        status = gemm_batched(c, Ax, Bx, alpha, beta);
done:
    tensor_release(cf), tensor_release(Ax), tensor_release(Bx);
    tensor_release(A), tensor_release(B);
    if (status < 0) {
        tensor_release(c);
        return NULL;
    }
    return c;
}

/* ---- the public products ------------------------------------------------------- */

static bool same_dtype(const char *fn, const Tensor *a, const Tensor *b, bool allow_bool)
{
    if (a->dtype != b->dtype) {
        tensor_fail("%s: expected both inputs to have the same dtype, got %s and %s", fn,
                    dtype_name(a->dtype), dtype_name(b->dtype));
        return false;
    }
    if (a->dtype == DTYPE_BOOL && !allow_bool) {
        tensor_fail("%s: bool tensors are not supported (convert with :long() or :float())", fn);
        return false;
    }
    return true;
}

static void *size_mismatch(const char *fn, const Tensor *a, const Tensor *b)
{
    char s1[128], s2[128];
    return tensor_fail("%s: size mismatch, %s cannot multiply %s", fn,
                       tensor_shape_str(a, s1, sizeof s1), tensor_shape_str(b, s2, sizeof s2));
}

static void *dims_expected(const char *fn, const char *what, const Tensor *a, const Tensor *b)
{
    return tensor_fail("%s: expected %s, got %d-D and %d-D", fn, what, a->ndim, b->ndim);
}

/* matmul's rules, with `fn` naming the caller in messages; the caller has
 * checked the dims it requires. */
static Tensor *matmul_named(const char *fn, const Tensor *a, const Tensor *b)
{
    if (!same_dtype(fn, a, b, false))
        return NULL;
    int64_t ka = a->shape[a->ndim - 1], kb = b->shape[b->ndim > 1 ? b->ndim - 2 : 0];
    if (ka != kb)
        return size_mismatch(fn, a, b);
    if (a->ndim == 1 && b->ndim == 1)
        return tensor_dot(a, b);
    Tensor *A = a->ndim == 1 ? tensor_unsqueeze(a, 0) : tensor_alias(a);
    Tensor *B = b->ndim == 1 ? tensor_unsqueeze(b, 1) : tensor_alias(b);
    Tensor *c = A && B ? product(fn, A, B, NULL, 0, 1) : NULL;
    tensor_release(A), tensor_release(B);
    if (!c || (a->ndim > 1 && b->ndim > 1))
        return c;
    /* Remove the dim a 1-D operand was given (c is contiguous: a view works). */
    int64_t shape[TENSOR_MAX_DIMS];
    int n = c->ndim - 1;
    for (int d = 0, j = 0; d < c->ndim; d++)
        if (d != (a->ndim == 1 ? c->ndim - 2 : c->ndim - 1))
            shape[j++] = c->shape[d];
    Tensor *r = tensor_view(c, n, shape);
    tensor_release(c);
    return r;
}

Tensor *tensor_matmul(const Tensor *a, const Tensor *b)
{
    if (a->ndim == 0 || b->ndim == 0)
        return tensor_fail("matmul: both arguments need at least 1 dim, got %d-D and %d-D",
                           a->ndim, b->ndim);
    return matmul_named("matmul", a, b);
}

Tensor *tensor_mm(const Tensor *a, const Tensor *b)
{
    if (a->ndim != 2 || b->ndim != 2)
        return dims_expected("mm", "2-D matrices", a, b);
    return matmul_named("mm", a, b);
}

Tensor *tensor_mv(const Tensor *a, const Tensor *v)
{
    if (a->ndim != 2 || v->ndim != 1)
        return dims_expected("mv", "a 2-D matrix and a 1-D vector", a, v);
    return matmul_named("mv", a, v);
}

/* bmm and baddbmm do not broadcast their batch dim. */
static bool same_batch(const char *fn, const Tensor *a, const Tensor *b)
{
    if (a->ndim != 3 || b->ndim != 3) {
        dims_expected(fn, "3-D batches of matrices", a, b);
        return false;
    }
    if (a->shape[0] != b->shape[0]) {
        char s1[128], s2[128];
        tensor_fail("%s: batch sizes differ, %s and %s", fn, tensor_shape_str(a, s1, sizeof s1),
                    tensor_shape_str(b, s2, sizeof s2));
        return false;
    }
    return true;
}

Tensor *tensor_bmm(const Tensor *a, const Tensor *b)
{
    return same_batch("bmm", a, b) ? matmul_named("bmm", a, b) : NULL;
}

Tensor *tensor_dot(const Tensor *a, const Tensor *b)
{
    if (a->ndim != 1 || b->ndim != 1)
        return dims_expected("dot", "1-D vectors", a, b);
    if (!same_dtype("dot", a, b, false))
        return NULL;
    int64_t n = a->shape[0];
    if (b->shape[0] != n)
        return size_mismatch("dot", a, b);
    if (n > INT_MAX || a->stride[0] > INT_MAX || b->stride[0] > INT_MAX)
        return tensor_fail("dot: vectors longer than %d elements are beyond BLAS", INT_MAX);
    Tensor *r = tensor_scalar(0, a->dtype);
    if (!r || n == 0)
        return r;
    const void *x = tensor_data(a), *y = tensor_data(b);
    int ix = (int)a->stride[0], iy = (int)b->stride[0];
    if (a->dtype == DTYPE_FLOAT32)   /* sums in double, like our reductions */
        *(float *)tensor_data(r) = (float)cblas_dsdot((int)n, x, ix, y, iy);
    else if (a->dtype == DTYPE_FLOAT64)
        *(double *)tensor_data(r) = cblas_ddot((int)n, x, ix, y, iy);
    else   /* (1 x n) @ (n x 1) through the integer loop */
        gemm_fns[a->dtype](&(Gemm){1, 1, n, 0, ix, iy, 0, 1, 0}, x, y, tensor_data(r));
    return r;
}

/* outer is a product of broadcast operands in PyTorch, so it promotes
 * dtypes and takes bool; here it is a k = 1 matrix product. */
Tensor *tensor_outer(const Tensor *a, const Tensor *b)
{
    if (a->ndim != 1 || b->ndim != 1)
        return dims_expected("outer", "1-D vectors", a, b);
    DType dt = dtype_promote(a->dtype, b->dtype);
    Tensor *A = tensor_to_dtype(a, dt), *B = tensor_to_dtype(b, dt);
    Tensor *Ac = A ? tensor_unsqueeze(A, 1) : NULL, *Br = B ? tensor_unsqueeze(B, 0) : NULL;
    Tensor *c = Ac && Br ? product("outer", Ac, Br, NULL, 0, 1) : NULL;
    tensor_release(A), tensor_release(B), tensor_release(Ac), tensor_release(Br);
    return c;
}

static Tensor *add_product(const char *fn, const Tensor *input, const Tensor *a, const Tensor *b,
                           double beta, double alpha)
{
    if (input->dtype != a->dtype || input->dtype != b->dtype)
        return tensor_fail("%s: expected input and both matrices to have the same dtype, got "
                           "%s, %s and %s", fn, dtype_name(input->dtype), dtype_name(a->dtype),
                           dtype_name(b->dtype));
    if (!same_dtype(fn, a, b, false))
        return NULL;
    if (a->shape[a->ndim - 1] != b->shape[b->ndim - 2])
        return size_mismatch(fn, a, b);
    return product(fn, a, b, input, beta, alpha);
}

Tensor *tensor_addmm(const Tensor *input, const Tensor *m1, const Tensor *m2, double beta,
                     double alpha)
{
    if (m1->ndim != 2 || m2->ndim != 2)
        return dims_expected("addmm", "2-D matrices", m1, m2);
    return add_product("addmm", input, m1, m2, beta, alpha);
}

Tensor *tensor_baddbmm(const Tensor *input, const Tensor *b1, const Tensor *b2, double beta,
                       double alpha)
{
    return same_batch("baddbmm", b1, b2) ? add_product("baddbmm", input, b1, b2, beta, alpha)
                                         : NULL;
}
