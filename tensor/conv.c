/*
 * conv.c — convolutions as im2col + GEMM through OpenBLAS (conv.h).
 *
 * For one sample, im2col lays the input patches out as a matrix `cols` of
 * (C kH kW) rows by (OH OW) columns, row (c, i, j) holding input channel c
 * shifted by kernel offset (i, j) under the stride, padding and dilation
 * (zeros where it falls in the padding).  Then, group by group:
 *
 *     forward        y[g]  (O/G x OHW)     = W[g] (O/G x CK) @ cols[g] (CK x OHW)
 *     input grad     cols[g] (CK x OHW)    = W[g]^T @ gy[g];  col2im adds cols into gx
 *     weight grad    gW[g]^T (CK x O/G) += cols[g] @ gy[g]^T
 *
 * with CK = C/G kH kW.  A 1x1 kernel with stride 1 and no padding needs no
 * cols: the input itself is that matrix.
 *
 * Threads go across the batch, one sample at a time per thread, each with
 * its own cols buffer and single-threaded BLAS calls; weight gradients sum
 * into one accumulator per thread, added up at the end.  A batch of one runs
 * its GEMMs on BLAS's own threads instead.  Per-sample products beat one big
 * product over the batch (cols of CK x N OHW) because their operands stay
 * in cache: on this machine OpenBLAS multiplies one LeNet conv2 sample
 * (16 x 150 by 150 x 100) at 79 GFLOP/s on one core, the whole batch of 100
 * (150 x 10000) at 34, and the batched result would still have to be
 * permuted from (O, N, OHW) to (N, O, OHW).
 *
 * Small float32 convolutions with stride 1 and one group skip im2col and
 * BLAS altogether on CPUs with AVX-512: conv_direct.c computes them from
 * padded copies of each sample, 2 to 6 times faster at LeNet's sizes.  The
 * weight gradient gives each thread an even share of the samples, taken
 * DIRECT_CHUNK at a time, so its accumulators go through memory once per
 * chunk rather than per sample.
 */
#include "tensor/conv_direct.h"

#include <cblas.h>
#include <limits.h>
#include <omp.h>
#include <string.h>

/* ---- moving patches: im2col and col2im ---------------------------------------- */

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The k in [0, n) for which off + k * s lies in [0, size): [*lo, *hi).
 * Along a row: the output columns that read the input rather than the
 * padding for one kernel column; along the height, the output rows. */
static void valid_range(int64_t off, int64_t s, int64_t size, int64_t n, int64_t *lo,
                        int64_t *hi)
{
    int64_t first = off >= 0 ? 0 : (-off + s - 1) / s;
    int64_t end = size - off <= 0 ? 0 : (size - 1 - off) / s + 1;
    *lo = min64(first, n);
    *hi = end < *lo ? *lo : min64(end, n);
}

/* The typed loops.  im2col fills cols (C kH kW x OH OW) from one sample x
 * (C x H x W); col2im is its adjoint (each column entry added back where
 * im2col took it from, into a zeroed x); bias_rows sets or adds the bias.
 * For each row (c, i, j) of cols the output rows and columns that fall in
 * the padding are found once (valid_range), so the inner loop is a plain
 * copy of one input row segment, and a segment with no padding at either
 * end has a loop of its own, without the edge loops (which took im2col of
 * 100 LeNet conv2 samples from 0.52 to 0.29 ms on one core).  Segments are
 * short (OW elements: 10 to 28 in LeNet), so they are loops rather than
 * memcpy and memset calls, whose per-call cost dominated at these sizes;
 * `omp simd` has GCC vectorise them at -O2 (x and cols never overlap). */
#define DEFINE_TYPED_LOOPS(T)                                                                  \
    static void im2col_##T(const ConvPlan *g, const T *x, T *cols)                             \
    {                                                                                          \
        int64_t ow = g->ow, ohw = g->oh * ow, sw = g->sw, step = g->sh * g->w;                 \
        for (int64_t c = 0; c < g->c; c++)                                                     \
            for (int64_t i = 0; i < g->kh; i++) {                                              \
                int64_t yoff = i * g->dh - g->ph, ylo, yhi;                                    \
                valid_range(yoff, g->sh, g->h, g->oh, &ylo, &yhi);                             \
                for (int64_t j = 0; j < g->kw; j++) {                                          \
                    T *row = cols + ((c * g->kh + i) * g->kw + j) * ohw;                       \
                    int64_t xoff = j * g->dw - g->pw, lo, hi;                                  \
                    valid_range(xoff, sw, g->w, ow, &lo, &hi);                                 \
                    memset(row, 0, (size_t)(ylo * ow) * sizeof(T));                            \
                    memset(row + yhi * ow, 0, (size_t)((g->oh - yhi) * ow) * sizeof(T));       \
                    int64_t base = (c * g->h + ylo * g->sh + yoff) * g->w + xoff;              \
                    T *dst = row + ylo * ow;                                                   \
                    if (sw == 1 && lo == 0 && hi == ow) {                                      \
                        for (int64_t oy = ylo; oy < yhi; oy++, base += step, dst += ow)        \
                            _Pragma("omp simd") for (int64_t ox = 0; ox < ow; ox++)            \
                                dst[ox] = x[base + ox];                                        \
                        continue;                                                              \
                    }                                                                          \
                    for (int64_t oy = ylo; oy < yhi; oy++, base += step, dst += ow) {          \
                        for (int64_t ox = 0; ox < lo; ox++)                                    \
                            dst[ox] = 0;                                                       \
                        if (sw == 1)                                                           \
                            _Pragma("omp simd") for (int64_t ox = lo; ox < hi; ox++)           \
                                dst[ox] = x[base + ox];                                        \
                        else                                                                   \
                            for (int64_t ox = lo; ox < hi; ox++)                               \
                                dst[ox] = x[base + ox * sw];                                   \
                        for (int64_t ox = hi; ox < ow; ox++)                                   \
                            dst[ox] = 0;                                                       \
                    }                                                                          \
                }                                                                              \
            }                                                                                  \
    }                                                                                          \
    static void col2im_##T(const ConvPlan *g, const T *cols, T *x)                             \
    {                                                                                          \
        int64_t ow = g->ow, ohw = g->oh * ow, sw = g->sw, step = g->sh * g->w;                 \
        memset(x, 0, (size_t)(g->c * g->h * g->w) * sizeof(T));                                \
        for (int64_t c = 0; c < g->c; c++)                                                     \
            for (int64_t i = 0; i < g->kh; i++) {                                              \
                int64_t yoff = i * g->dh - g->ph, ylo, yhi;                                    \
                valid_range(yoff, g->sh, g->h, g->oh, &ylo, &yhi);                             \
                for (int64_t j = 0; j < g->kw; j++) {                                          \
                    int64_t xoff = j * g->dw - g->pw, lo, hi;                                  \
                    valid_range(xoff, sw, g->w, ow, &lo, &hi);                                 \
                    const T *src = cols + ((c * g->kh + i) * g->kw + j) * ohw + ylo * ow;      \
                    int64_t base = (c * g->h + ylo * g->sh + yoff) * g->w + xoff;              \
                    for (int64_t oy = ylo; oy < yhi; oy++, base += step, src += ow)            \
                        if (sw == 1)                                                           \
                            _Pragma("omp simd") for (int64_t ox = lo; ox < hi; ox++)           \
                                x[base + ox] += src[ox];                                       \
                        else                                                                   \
                            for (int64_t ox = lo; ox < hi; ox++)                               \
                                x[base + ox * sw] += src[ox];                                  \
                }                                                                              \
            }                                                                                  \
    }                                                                                          \
    /* rows[r][k] = value[r] (set) or += value[r] (add), for rows of n */                      \
    static void bias_rows_##T(T *rows, const T *value, int64_t nrows, int64_t n, bool add)     \
    {                                                                                          \
        for (int64_t r = 0; r < nrows; r++) {                                                  \
            T v = value[r], *row = rows + r * n;                                               \
            if (add)                                                                           \
                _Pragma("omp simd") for (int64_t k = 0; k < n; k++)                            \
                    row[k] += v;                                                               \
            else                                                                               \
                _Pragma("omp simd") for (int64_t k = 0; k < n; k++)                            \
                    row[k] = v;                                                                \
        }                                                                                      \
    }
DEFINE_TYPED_LOOPS(float)
DEFINE_TYPED_LOOPS(double)

static void im2col(const ConvPlan *g, const char *x, char *cols)
{
    if (g->dtype == DTYPE_FLOAT32)
        im2col_float(g, (const float *)x, (float *)cols);
    else
        im2col_double(g, (const double *)x, (double *)cols);
}

static void col2im(const ConvPlan *g, const char *cols, char *x)
{
    if (g->dtype == DTYPE_FLOAT32)
        col2im_float(g, (const float *)cols, (float *)x);
    else
        col2im_double(g, (const double *)cols, (double *)x);
}

static void bias_rows(DType dt, char *rows, const char *value, int64_t nrows, int64_t n, bool add)
{
    if (dt == DTYPE_FLOAT32)
        bias_rows_float((float *)rows, (const float *)value, nrows, n, add);
    else
        bias_rows_double((double *)rows, (const double *)value, nrows, n, add);
}

/* Row-major C (m x n) = A B + beta C, A (m x k) or, with ta, A^T for a
 * stored (k x m); likewise B with tb.  Leading dims are the stored rows'. */
static void gemm(DType dt, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const char *a,
                 int64_t lda, const char *b, int64_t ldb, double beta, char *c, int64_t ldc)
{
    CBLAS_TRANSPOSE at = ta ? CblasTrans : CblasNoTrans, bt = tb ? CblasTrans : CblasNoTrans;
    if (dt == DTYPE_FLOAT32)
        cblas_sgemm(CblasRowMajor, at, bt, (int)m, (int)n, (int)k, 1.0f, (const float *)a,
                    (int)lda, (const float *)b, (int)ldb, (float)beta, (float *)c, (int)ldc);
    else
        cblas_dgemm(CblasRowMajor, at, bt, (int)m, (int)n, (int)k, 1.0, (const double *)a,
                    (int)lda, (const double *)b, (int)ldb, beta, (double *)c, (int)ldc);
}

/* ---- one sample of each kernel -------------------------------------------------- */

typedef struct ConvJob ConvJob;
/* Sample n on thread `thread`, with that thread's cols buffer. */
typedef void (*SampleFn)(const ConvJob *job, int64_t n, int thread, char *cols);

struct ConvJob {
    ConvPlan g;
    size_t es;
    int64_t ohw, ck, og;        /* OH OW; C/G kH kW; O/G */
    bool direct;                /* a 1x1 kernel that needs no cols */
    DirectConv dc;              /* for the conv_direct.c kernels */
    int64_t units;              /* calls of fn: samples, or chunks of them */
    int64_t ws_bytes;           /* workspace of one thread */
    const char *x, *w, *gy, *bias;
    char *out;
    SampleFn fn;
};

/* Samples per call of the direct weight gradient. */
#define DIRECT_CHUNK 8

/* Bytes of one sample of the convolution's input and of its output. */
static int64_t input_bytes(const ConvJob *j)
{
    return j->g.c * j->g.h * j->g.w * (int64_t)j->es;
}

static int64_t output_bytes(const ConvJob *j)
{
    return j->g.o * j->ohw * (int64_t)j->es;
}

/* The cols matrix of sample n's input: the input itself for a 1x1 kernel. */
static const char *sample_cols(const ConvJob *j, int64_t n, char *cols)
{
    const char *x = j->x + n * input_bytes(j);
    if (j->direct)
        return x;
    im2col(&j->g, x, cols);
    return cols;
}

static void forward_sample(const ConvJob *j, int64_t n, int thread, char *cols)
{
    const char *src = sample_cols(j, n, cols);
    char *y = j->out + n * output_bytes(j);
    int64_t es = (int64_t)j->es;
    if (j->bias)
        bias_rows(j->g.dtype, y, j->bias, j->g.o, j->ohw, false);
    for (int64_t gr = 0; gr < j->g.groups; gr++)
        gemm(j->g.dtype, false, false, j->og, j->ohw, j->ck, j->w + gr * j->og * j->ck * es, j->ck,
             src + gr * j->ck * j->ohw * es, j->ohw, j->bias ? 1 : 0,
             y + gr * j->og * j->ohw * es, j->ohw);
}

/* gx (and, for conv_transpose, + bias) from gy: writes the whole sample. */
static void input_grad_sample(const ConvJob *j, int64_t n, int thread, char *cols)
{
    char *gx = j->out + n * input_bytes(j), *dst = j->direct ? gx : cols;
    const char *gy = j->gy + n * output_bytes(j);
    int64_t es = (int64_t)j->es;
    for (int64_t gr = 0; gr < j->g.groups; gr++)
        gemm(j->g.dtype, true, false, j->ck, j->ohw, j->og, j->w + gr * j->og * j->ck * es, j->ck,
             gy + gr * j->og * j->ohw * es, j->ohw, 0, dst + gr * j->ck * j->ohw * es, j->ohw);
    if (!j->direct)
        col2im(&j->g, cols, gx);
    if (j->bias)
        bias_rows(j->g.dtype, gx, j->bias, j->g.c, j->g.h * j->g.w, true);
}

/* Adds sample n's share into this thread's accumulator, kept transposed:
 * gW[g]^T (CK x O/G) += cols[g] @ gy[g]^T, which OpenBLAS runs faster than
 * gW[g] += gy[g] @ cols[g]^T for these thin shapes (0.64 against 0.77 ms
 * per 100 LeNet conv2 samples, 16 x 150 x 100, on one thread). */
static void weight_grad_sample(const ConvJob *j, int64_t n, int thread, char *cols)
{
    const char *src = sample_cols(j, n, cols), *gy = j->gy + n * output_bytes(j);
    int64_t es = (int64_t)j->es, size = j->g.o * j->ck * es;
    char *acc = j->out + thread * size;
    for (int64_t gr = 0; gr < j->g.groups; gr++)
        gemm(j->g.dtype, false, true, j->ck, j->og, j->ohw, src + gr * j->ck * j->ohw * es, j->ohw,
             gy + gr * j->og * j->ohw * es, j->ohw, 1, acc + gr * j->ck * j->og * es, j->og);
}

/* The forward form of j->dc on sample n (a forward convolution or an input
 * gradient); j->w holds the packed kernel. */
static void direct_sample(const ConvJob *j, int64_t n, int thread, char *ws)
{
    const DirectConv *d = &j->dc;
    float *xp = (float *)ws;
    direct_pad_input(d, (const float *)j->x + n * d->cin * d->ih * d->iw, xp);
    direct_forward(d, xp, (const float *)j->w, (const float *)j->bias,
                   (float *)j->out + n * d->cout * d->oh * d->ow, xp + d->sample);
}

/* Share k of j->units of the samples into this thread's accumulator,
 * DIRECT_CHUNK samples at a time. */
static void direct_weight_share(const ConvJob *j, int64_t k, int thread, char *ws)
{
    const DirectConv *d = &j->dc;
    float *xp = (float *)ws, *gp = xp + DIRECT_CHUNK * d->sample;
    float *acc = (float *)j->out + thread * direct_acc_floats(d);
    int64_t end = (k + 1) * j->g.n / j->units;
    for (int64_t first = k * j->g.n / j->units; first < end; first += DIRECT_CHUNK) {
        int64_t count = min64(DIRECT_CHUNK, end - first);
        for (int64_t i = 0; i < count; i++) {
            direct_pad_input(d, (const float *)j->x + (first + i) * d->cin * d->ih * d->iw,
                             xp + i * d->sample);
            direct_pad_grad(d, (const float *)j->gy + (first + i) * d->cout * d->oh * d->ow,
                            gp + i * direct_grad_floats(d));
        }
        direct_weight_grad(d, xp, gp, count, acc);
    }
}

/* ---- the driver ------------------------------------------------------------------- */

static ConvJob job_new(const ConvPlan *g, SampleFn fn)
{
    ConvJob j = {.g = *g, .es = dtype_size(g->dtype), .fn = fn, .units = g->n};
    j.ohw = g->oh * g->ow;
    j.og = g->o / g->groups;
    j.ck = g->c / g->groups * g->kh * g->kw;
    j.direct = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 &&
               g->pw == 0 && g->oh == g->h && g->ow == g->w;
    j.ws_bytes = j.direct ? 0 : j.ck * g->groups * j.ohw * (int64_t)j.es;
    return j;
}

/* A job for the direct kernels (float32): fn is direct_sample or
 * direct_weight_share (whose units, one per thread, are set once the
 * threads are known). */
static ConvJob job_direct(const ConvPlan *g, const DirectConv *d, SampleFn fn)
{
    ConvJob j = job_new(g, fn);
    j.dc = *d;
    if (fn == direct_sample) {
        j.ws_bytes = (d->sample + direct_scratch_floats(d)) * (int64_t)sizeof(float);
    } else {
        j.units = (g->n + DIRECT_CHUNK - 1) / DIRECT_CHUNK;      /* at most, for job_threads */
        j.ws_bytes = DIRECT_CHUNK * (d->sample + direct_grad_floats(d)) * (int64_t)sizeof(float);
    }
    return j;
}

/* How many threads take samples: one per sample at most, and one when
 * called from inside a parallel region. */
static int job_threads(const ConvJob *j)
{
    int t = omp_in_parallel() ? 1 : parallel_get_num_threads();
    return (int)min64(t, j->units);
}

/* Runs j->fn on every sample; `cols` is a workspace of one cols matrix per
 * thread.  -1 on an interrupt. */
static int job_run(ConvJob *j, int threads, char *cols)
{
    int64_t step = j->ws_bytes;
    if (threads <= 1) {
        for (int64_t n = 0; n < j->units; n++) {
            if (tensor_check_interrupt())
                return -1;
            j->fn(j, n, 0, cols);
        }
        return 0;
    }
    /* Each thread's GEMMs run on that thread alone: BLAS's own pool would
     * only oversubscribe the cores we are already using.  The samples are
     * dealt out statically so that each thread's weight-gradient
     * accumulator always sums the same samples in the same order: training
     * is reproducible run to run (and a resumed run equals an uninterrupted one). */
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t n = 0; n < j->units; n++) {
        if (tensor_interrupt_requested)
            continue;
        int t = omp_get_thread_num();
        j->fn(j, n, t, cols + t * step);
    }
    openblas_set_num_threads(blas_threads);
    return tensor_check_interrupt() ? -1 : 0;
}

/* BLAS takes int sizes. */
static bool fits_blas(const ConvJob *j)
{
    if (j->ohw <= INT_MAX && j->ck <= INT_MAX && j->g.o <= INT_MAX)
        return true;
    tensor_fail("conv: sizes beyond BLAS's int range (a %lld-element output plane, %lld-element "
                "patches)", (long long)j->ohw, (long long)j->ck);
    return false;
}

/* The workspace of `threads` threads (NULL and no failure when a 1x1
 * kernel needs none): cols, or for the direct kernels padded samples,
 * whose padding the zeros put there now. */
static bool new_workspace(const ConvJob *j, int threads, Tensor **ws)
{
    *ws = NULL;
    if (j->ws_bytes == 0 || j->g.n == 0)
        return true;
    int64_t shape[2] = {threads, j->ws_bytes / (int64_t)j->es};
    *ws = j->dc.sample ? tensor_zeros(2, shape, j->g.dtype) : tensor_empty(2, shape, j->g.dtype);
    return *ws != NULL;
}

/* A contiguous operand (new reference; t itself when already one). */
static Tensor *dense(const Tensor *t)
{
    return t ? tensor_contiguous((Tensor *)t) : NULL;
}

static const char *data_of(const Tensor *t)
{
    return t ? tensor_data(t) : NULL;
}

/* The kernel the direct path reads: w packed for it (direct_pack). */
static Tensor *direct_kernel(const DirectConv *d, const Tensor *W, bool flip)
{
    int64_t n = direct_packed_floats(d);
    Tensor *k = W ? tensor_empty(1, &n, DTYPE_FLOAT32) : NULL;
    if (k)
        direct_pack(d, tensor_data(W), flip, tensor_data(k));
    return k;
}

/* The forward and input-gradient kernels, which write every element of a
 * fresh result; `a` is the per-sample operand (x or gy). */
static Tensor *run_writing(const ConvPlan *g, bool input_grad, Tensor *out, const Tensor *a,
                           const Tensor *w, const Tensor *bias)
{
    DirectConv d;
    bool direct = input_grad ? direct_plan_input_grad(g, &d) : direct_plan_forward(g, &d);
    ConvJob j = direct ? job_direct(g, &d, direct_sample)
                       : job_new(g, input_grad ? input_grad_sample : forward_sample);
    int threads = job_threads(&j);
    Tensor *A = dense(a), *W = dense(w), *B = dense(bias), *ws = NULL;
    Tensor *K = direct ? direct_kernel(&d, W, input_grad) : NULL;
    int status = -1;
    if (out && A && W && (!bias || B) && (!direct || K) && fits_blas(&j) &&
        new_workspace(&j, threads, &ws)) {
        j.x = j.gy = data_of(A);
        j.w = data_of(K ? K : W), j.bias = data_of(B), j.out = tensor_data(out);
        status = job_run(&j, threads, ws ? tensor_data(ws) : NULL);
    }
    tensor_release(ws), tensor_release(A), tensor_release(W), tensor_release(B), tensor_release(K);
    if (status < 0) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

Tensor *tensor_conv(const Tensor *x, const Tensor *w, const Tensor *b, const ConvParams *p)
{
    ConvPlan g;
    if (!conv_plan_forward(p, x, w, b, &g))
        return NULL;
    return run_writing(&g, false, conv_new_output(&g, p, false), x, w, b);
}

Tensor *tensor_conv_transpose(const Tensor *x, const Tensor *w, const Tensor *b,
                              const ConvParams *p)
{
    ConvPlan g;
    if (!conv_plan_transpose(p, x, w, b, &g))
        return NULL;
    return run_writing(&g, true, conv_new_input(&g, p, false), x, w, b);
}

Tensor *tensor_conv_input_grad(const Tensor *gy, const Tensor *w, const int64_t *in_size,
                               const ConvParams *p)
{
    ConvPlan g;
    if (!conv_plan_input_grad(p, gy, w, in_size, &g))
        return NULL;
    return run_writing(&g, true, conv_new_input(&g, p, false), gy, w, NULL);
}

/* out (O, C/G, kH, kW), seen as (G, O/G, CK) = the per-thread accumulators
 * (threads, G, CK, O/G) summed over threads and transposed. */
static int sum_accumulators(const ConvJob *j, const Tensor *acc, Tensor *out)
{
    int64_t shape[3] = {j->g.groups, j->og, j->ck};
    Tensor *sum = tensor_sum(acc, 1, (const int[]){0}, false);
    Tensor *t = sum ? tensor_transpose(sum, 1, 2) : NULL, *dst = tensor_view(out, 3, shape);
    int status = t && dst ? tensor_copy_(dst, t) : -1;
    tensor_release(dst), tensor_release(t), tensor_release(sum);
    return status;
}

Tensor *tensor_conv_weight_grad(const Tensor *gy, const Tensor *x, const int64_t *k_size,
                                const ConvParams *p)
{
    ConvPlan g;
    if (!conv_plan_weight_grad(p, gy, x, k_size, &g))
        return NULL;
    DirectConv d;
    bool direct = direct_plan_weight_grad(&g, &d);
    ConvJob j = direct ? job_direct(&g, &d, direct_weight_share) : job_new(&g, weight_grad_sample);
    int threads = job_threads(&j), nacc = threads > 1 ? threads : 1;
    if (direct)
        j.units = nacc;            /* an even share of the samples for each thread */
    Tensor *out = conv_new_weight(&g, p, false), *X = dense(x), *GY = dense(gy), *ws = NULL;
    int64_t acc_shape[4] = {nacc, g.groups, j.ck, j.og};
    if (direct)
        acc_shape[1] = 1, acc_shape[2] = 1, acc_shape[3] = direct_acc_floats(&d);
    Tensor *acc = tensor_zeros(4, acc_shape, g.dtype);
    int status = -1;
    if (out && X && GY && acc && fits_blas(&j) && new_workspace(&j, threads, &ws)) {
        j.x = data_of(X), j.gy = data_of(GY), j.out = tensor_data(acc);
        status = job_run(&j, threads, ws ? tensor_data(ws) : NULL);
        if (status == 0 && direct)
            direct_acc_finish(&d, tensor_data(acc), nacc, tensor_data(out));
        else if (status == 0)
            status = sum_accumulators(&j, acc, out);
    }
    tensor_release(ws), tensor_release(acc), tensor_release(X), tensor_release(GY);
    if (status < 0) {
        tensor_release(out);
        return NULL;
    }
    return out;
}
