/*
 * conv_direct.c — direct convolution kernels for small stride-1 float32
 * convolutions (conv_direct.h), written for AVX-512.
 *
 * Each input plane is copied into a zeroed buffer with its padding around
 * it, rows `ws` floats apart.  Output position (y, x) is computed at flat
 * index m = y ws + x of a plane of rows ws wide, and reads the padded input
 * at m + i dh ws + j dw for kernel tap (i, j): the same offset for every m,
 * so one long loop over m with unaligned vector loads does a whole plane,
 * 16 positions a vector, and no vector is split at a row's end, which
 * matters when rows are 10 or 28 wide.  ws is the plane's width plus the
 * wider of its two paddings, not both: a row's right padding is read as
 * the next row's left padding.  The ws - ow positions past the end of each
 * output row are computed, then dropped; when that is a quarter or more,
 * the plane is copied kW times instead, copy j shifted left by j dw
 * columns and cut to ow wide, so ws = ow and tap (i, j) reads copy j at
 * m + i dh ws: LeNet's second convolution computes 112 positions a plane
 * instead of 144 (its forward 0.38 -> 0.35 ms, weight gradient 0.46 ->
 * 0.44 ms).
 *
 * Forward: for a block of 8 (or 6 or 4) output channels and 3 vectors of
 * positions, 24 accumulators stay in registers while every (c, i, j) tap
 * adds a broadcast weight times one loaded vector; kernel rows that meet
 * only the zero rows above or below the plane for the whole block are
 * skipped (an input gradient, the forward form of a convolution padded by
 * its kernel's extent, has many).  Weight gradient:
 * gW[o][c][i][j] = sum over samples and m of gy[o][m] x[c][m + i dh ws +
 * j dw], with gy laid out on the same rows (zero past each row's end), for
 * blocks of 4 output channels times 5 kernel columns: 20 accumulators of
 * 16 partial sums, kept in memory between calls and reduced at the end.
 *
 * Measured on one core, LeNet's shapes for a batch of 100 (conv1
 * 1->6 channels 28x28 padding 2, conv2 6->16 channels 14x14), against
 * im2col + OpenBLAS (Haswell kernels): conv1 forward 0.86 -> 0.18 ms and
 * weight gradient 1.6 -> 0.21 ms; conv2 forward 0.96 -> 0.39 ms, input
 * gradient 1.3 -> 0.46 ms and weight gradient 0.98 -> 0.46 ms.
 */
#include "tensor/conv_direct.h"

#include <string.h>

#define VL 16                       /* floats per vector */
#define FWD_MB 3                    /* vectors of positions per forward block */
#define FWD_BLOCK (VL * FWD_MB)     /* positions per forward block */
#define WG_OB 4                     /* output channels per weight-gradient block */
#define WG_KB 5                     /* kernel columns per weight-gradient block */
/* A padded sample larger than this goes to im2col, whose GEMMs block for
 * the cache; so does a weight gradient whose accumulators, or one sample's
 * output gradient, would be larger than these. */
#define DIRECT_MAX_FLOATS ((int64_t)1 << 16)
#define DIRECT_MAX_ACC_FLOATS ((int64_t)1 << 16)

typedef float Vec __attribute__((vector_size(VL * sizeof(float))));
typedef float VecU __attribute__((vector_size(VL * sizeof(float)), aligned(4), may_alias));

#define AVX512 __attribute__((target("avx512f")))

static int64_t round_up(int64_t v, int64_t to)
{
    return (v + to - 1) / to * to;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* ---- geometry ------------------------------------------------------------------- */

/* The rest of d from its sizes, kernel and leading padding; false when the
 * direct kernels should not take it. */
static bool plan_layout(DirectConv *d)
{
    const int64_t limit = DIRECT_MAX_FLOATS;
    if (d->cin < 1 || d->cout < 1 || d->pt < 0 || d->pl < 0 || d->ih > limit || d->iw > limit || d->oh > limit ||
        d->ow > limit || d->kh > limit || d->kw > limit || d->dh > limit || d->dw > limit ||
        d->pt > limit || d->pl > limit)
        return false;
    /* The padding after, as the output size implies (negative when the
     * last rows or columns are never read). */
    int64_t pb = d->oh + d->dh * (d->kh - 1) - d->ih - d->pt;
    int64_t pr = d->ow + d->dw * (d->kw - 1) - d->iw - d->pl;
    /* kW copies cost more loads from more cache lines (LeNet's first layer,
     * 30 against 28, ran slower with them): only when a quarter is wasted. */
    int64_t shared = max64(d->iw + max64(d->pl, pr), d->ow);
    bool shifted = (shared - d->ow) * 4 >= d->ow;
    d->ws = shifted ? d->ow : shared;
    d->rows = d->pt + d->ih + max64(pb, 0);
    int64_t plane = d->rows * d->ws;
    d->copies = shifted ? d->kw : 1;
    if (d->ws > limit || d->rows > limit || d->cin > limit || plane > limit ||
        d->cin * d->copies * plane > limit)
        return false;
    d->jstep = shifted ? plane : d->dw;
    d->cstride = d->copies * plane;
    d->span = round_up(d->oh * d->ws, VL);
    /* The furthest a vector load reaches past a channel's planes: the last
     * block, shifted by the last tap (kernel columns rounded up to the
     * weight gradient's blocks). */
    int64_t reach = d->span + d->dh * (d->kh - 1) * d->ws + d->jstep * (round_up(d->kw, WG_KB) - 1);
    d->sample = round_up(max64(d->cin * d->cstride, (d->cin - 1) * d->cstride + reach), VL);
    return true;
}

/* What every direct convolution needs: float32, one group, stride 1, and a
 * CPU with AVX-512 (elsewhere im2col + BLAS do better than these kernels
 * would, having half or a quarter of the registers they count on). */
static bool direct_applies(const ConvPlan *g)
{
    return g->dtype == DTYPE_FLOAT32 && g->groups == 1 && g->sh == 1 && g->sw == 1 &&
           g->n > 0 && __builtin_cpu_supports("avx512f");
}

bool direct_plan_forward(const ConvPlan *g, DirectConv *d)
{
    *d = (DirectConv){.cin = g->c, .cout = g->o, .ih = g->h, .iw = g->w, .oh = g->oh,
                      .ow = g->ow, .kh = g->kh, .kw = g->kw, .dh = g->dh, .dw = g->dw,
                      .pt = g->ph, .pl = g->pw};
    return direct_applies(g) && plan_layout(d);
}

bool direct_plan_input_grad(const ConvPlan *g, DirectConv *d)
{
    *d = (DirectConv){.cin = g->o, .cout = g->c, .ih = g->oh, .iw = g->ow, .oh = g->h,
                      .ow = g->w, .kh = g->kh, .kw = g->kw, .dh = g->dh, .dw = g->dw,
                      .pt = g->dh * (g->kh - 1) - g->ph, .pl = g->dw * (g->kw - 1) - g->pw};
    return direct_applies(g) && plan_layout(d);
}

bool direct_plan_weight_grad(const ConvPlan *g, DirectConv *d)
{
    return direct_plan_forward(g, d) && direct_acc_floats(d) <= DIRECT_MAX_ACC_FLOATS &&
           direct_grad_floats(d) <= DIRECT_MAX_FLOATS;
}

/* ---- padding -------------------------------------------------------------------- */

/* `rows` rows of n floats from src to dst, `from` and `to` floats apart.
 * Rows are 5 to 30 floats, too short for memcpy's per-call cost, so GCC is
 * told not to turn the loop into calls. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
AVX512 static void copy_rows(float *restrict dst, int64_t to, const float *restrict src,
                             int64_t from, int64_t rows, int64_t n)
{
    for (int64_t r = 0; r < rows; r++, dst += to, src += from)
#pragma omp simd
        for (int64_t k = 0; k < n; k++)
            dst[k] = src[k];
}

void direct_pad_input(const DirectConv *d, const float *x, float *xp)
{
    if (d->copies == 1) {          /* one copy of each plane, padding all round */
        for (int64_t c = 0; c < d->cin; c++)
            copy_rows(xp + c * d->cstride + d->pt * d->ws + d->pl, d->ws, x + c * d->ih * d->iw,
                      d->iw, d->ih, d->iw);
        return;
    }
    /* Copy j holds the padded columns j dw .. j dw + ow - 1: of those, the
     * input's columns lo - pl + j dw .. hi - 1 - pl + j dw land at lo .. hi - 1. */
    for (int64_t j = 0; j < d->kw; j++) {
        int64_t shift = j * d->dw - d->pl;
        int64_t lo = max64(-shift, 0), hi = d->iw - shift < d->ow ? d->iw - shift : d->ow;
        for (int64_t c = 0; hi > lo && c < d->cin; c++)
            copy_rows(xp + c * d->cstride + j * d->jstep + d->pt * d->ws + lo, d->ws,
                      x + c * d->ih * d->iw + lo + shift, d->iw, d->ih, hi - lo);
    }
}

int64_t direct_grad_floats(const DirectConv *d)
{
    return d->cout * d->span;
}

void direct_pad_grad(const DirectConv *d, const float *gy, float *gp)
{
    for (int64_t o = 0; o < d->cout; o++)
        copy_rows(gp + o * d->span, d->ws, gy + o * d->oh * d->ow, d->ow, d->oh, d->ow);
}

/* ---- forward -------------------------------------------------------------------- */

/* The output channels a block of the forward takes when `left` remain: 8,
 * or the 6 or 4 that waste fewest rows on the last ones. */
static int block_width(int64_t left)
{
    return left > 6 ? 8 : left > 4 ? 6 : 4;
}

int64_t direct_packed_floats(const DirectConv *d)
{
    int64_t n = 0;
    for (int64_t o = 0; o < d->cout; o += block_width(d->cout - o))
        n += block_width(d->cout - o) * d->cin * d->kh * d->kw;
    return n;
}

/* Block by block, tap by tap (c, i, j), the block's channels side by side
 * (zeros for the rows past cout).  With `flip`, w is (cin, cout, kH, kW)
 * and tap (i, j) of the forward form takes w's (kH - 1 - i, kW - 1 - j). */
void direct_pack(const DirectConv *d, const float *w, bool flip, float *packed)
{
    int64_t kk = d->kh * d->kw;
    for (int64_t o0 = 0; o0 < d->cout; o0 += block_width(d->cout - o0)) {
        int ob = block_width(d->cout - o0);
        for (int64_t c = 0; c < d->cin; c++)
            for (int64_t t = 0; t < kk; t++)
                for (int k = 0; k < ob; k++, packed++) {
                    int64_t o = o0 + k;
                    *packed = o >= d->cout ? 0
                              : flip       ? w[(c * d->cout + o) * kk + kk - 1 - t]
                                           : w[(o * d->cin + c) * kk + t];
                }
    }
}

int64_t direct_scratch_floats(const DirectConv *d)
{
    return 8 * d->span;
}

/* OB output channels at MB vectors of positions from m0, into `out` (OB
 * planes of d->span); bias holds OB values.  Only kernel rows ilo..ihi-1
 * are read: the others fall in the zero rows above or below the plane for
 * every position of the block. */
#define DEFINE_FORWARD_BLOCK(OB, MB)                                                           \
    AVX512 static void forward_##OB##x##MB(const DirectConv *d, const float *xp,               \
                                           const float *k, const float *bias, float *out,      \
                                           int64_t m0, int64_t ilo, int64_t ihi)               \
    {                                                                                          \
        const int64_t row_step = d->dh * d->ws;                                                \
        Vec acc[OB][MB];                                                                       \
        _Pragma("GCC unroll 8") for (int o = 0; o < OB; o++)                                   \
            _Pragma("GCC unroll 4") for (int v = 0; v < MB; v++)                               \
                acc[o][v] = (Vec){0} + bias[o];                                                \
        for (int64_t c = 0; c < d->cin; c++)                                                   \
            for (int64_t i = ilo; i < ihi; i++) {                                              \
                const float *row = xp + c * d->cstride + i * row_step + m0;                    \
                const float *kc = k + (c * d->kh + i) * d->kw * OB;                            \
                for (int64_t j = 0; j < d->kw; j++, kc += OB) {                                \
                    Vec x[MB];                                                                 \
                    _Pragma("GCC unroll 4") for (int v = 0; v < MB; v++)                       \
                        x[v] = *(const VecU *)(row + j * d->jstep + v * VL);                   \
                    _Pragma("GCC unroll 8") for (int o = 0; o < OB; o++)                       \
                        _Pragma("GCC unroll 4") for (int v = 0; v < MB; v++)                   \
                            acc[o][v] += kc[o] * x[v];                                         \
                }                                                                              \
            }                                                                                  \
        _Pragma("GCC unroll 8") for (int o = 0; o < OB; o++)                                   \
            _Pragma("GCC unroll 4") for (int v = 0; v < MB; v++)                               \
                *(VecU *)(out + o * d->span + m0 + v * VL) = acc[o][v];                        \
    }
DEFINE_FORWARD_BLOCK(8, 3)
DEFINE_FORWARD_BLOCK(6, 3)
DEFINE_FORWARD_BLOCK(4, 3)
DEFINE_FORWARD_BLOCK(8, 1)
DEFINE_FORWARD_BLOCK(6, 1)
DEFINE_FORWARD_BLOCK(4, 1)

typedef void (*ForwardBlock)(const DirectConv *d, const float *xp, const float *k,
                             const float *bias, float *out, int64_t m0, int64_t ilo, int64_t ihi);

/* The kernel rows that reach the plane from output rows ylo..yhi: those i
 * with ylo..yhi + i dh meeting the rows pt..pt + ih - 1. */
static void row_taps(const DirectConv *d, int64_t ylo, int64_t yhi, int64_t *ilo, int64_t *ihi)
{
    int64_t first = d->pt - yhi, last = d->pt + d->ih - 1 - ylo;
    *ilo = first <= 0 ? 0 : (first + d->dh - 1) / d->dh;
    *ihi = last < 0 ? 0 : last / d->dh + 1;
    *ihi = *ihi < d->kh ? *ihi : d->kh;
    *ilo = *ilo < *ihi ? *ilo : *ihi;
}

/* The plane of one block of output channels: FWD_MB vectors at a time, the
 * remainder one at a time. */
static void forward_plane(const DirectConv *d, const float *xp, const float *k, const float *bias,
                          float *out, ForwardBlock wide, ForwardBlock narrow)
{
    for (int64_t m0 = 0; m0 < d->span;) {
        int64_t n = m0 + FWD_BLOCK <= d->span ? FWD_BLOCK : VL, ilo, ihi;
        int64_t last = m0 + n - 1 < d->oh * d->ws ? m0 + n - 1 : d->oh * d->ws - 1;
        row_taps(d, m0 / d->ws, last / d->ws, &ilo, &ihi);
        (n == FWD_BLOCK ? wide : narrow)(d, xp, k, bias, out, m0, ilo, ihi);
        m0 += n;
    }
}

void direct_forward(const DirectConv *d, const float *xp, const float *packed, const float *bias,
                    float *y, float *scratch)
{
    int64_t taps = d->cin * d->kh * d->kw;
    for (int64_t o0 = 0; o0 < d->cout; o0 += block_width(d->cout - o0)) {
        int ob = block_width(d->cout - o0);
        int64_t rows = d->cout - o0 < ob ? d->cout - o0 : ob;
        float b[8] = {0};
        for (int64_t k = 0; bias && k < rows; k++)
            b[k] = bias[o0 + k];
        if (ob == 8)
            forward_plane(d, xp, packed, b, scratch, forward_8x3, forward_8x1);
        else if (ob == 6)
            forward_plane(d, xp, packed, b, scratch, forward_6x3, forward_6x1);
        else
            forward_plane(d, xp, packed, b, scratch, forward_4x3, forward_4x1);
        packed += ob * taps;
        for (int64_t k = 0; k < rows; k++)
            copy_rows(y + (o0 + k) * d->oh * d->ow, d->ow, scratch + k * d->span, d->ws, d->oh,
                      d->ow);
    }
}

/* ---- weight gradient -------------------------------------------------------------- */

/* Blocks (output channels, input channel, kernel row, kernel columns), each
 * WG_OB x WG_KB vectors of partial sums. */
static int64_t weight_blocks(const DirectConv *d)
{
    return (d->cout + WG_OB - 1) / WG_OB * d->cin * d->kh * ((d->kw + WG_KB - 1) / WG_KB);
}

int64_t direct_acc_floats(const DirectConv *d)
{
    return weight_blocks(d) * WG_OB * WG_KB * VL;
}

AVX512 void direct_weight_grad(const DirectConv *d, const float *xp, const float *gp,
                               int64_t count, float *acc)
{
    const int64_t gstride = direct_grad_floats(d);
    VecU *a = (VecU *)acc;
    for (int64_t o0 = 0; o0 < d->cout; o0 += WG_OB)
        for (int64_t c = 0; c < d->cin; c++)
            for (int64_t i = 0; i < d->kh; i++)
                for (int64_t j0 = 0; j0 < d->kw; j0 += WG_KB, a += WG_OB * WG_KB) {
                    Vec s[WG_OB][WG_KB];
                    const float *g[WG_OB];
                    _Pragma("GCC unroll 4") for (int o = 0; o < WG_OB; o++) {
                        /* rows past cout repeat the last one; their sums are dropped */
                        g[o] = gp + (o0 + o < d->cout ? o0 + o : d->cout - 1) * d->span;
                        _Pragma("GCC unroll 8") for (int k = 0; k < WG_KB; k++)
                            s[o][k] = a[o * WG_KB + k];
                    }
                    const float *row = xp + c * d->cstride + i * d->dh * d->ws + j0 * d->jstep;
                    /* only the output rows whose tap row i reads the plane's rows */
                    int64_t ylo = d->pt - i * d->dh, yhi = d->pt + d->ih - i * d->dh;
                    int64_t mlo = ylo <= 0 ? 0 : ylo * d->ws / VL * VL;
                    int64_t mhi = yhi >= d->oh ? d->span : round_up(max64(yhi, 0) * d->ws, VL);
                    for (int64_t n = 0; n < count; n++)
                        for (int64_t m = mlo; m < mhi; m += VL) {
                            Vec x[WG_KB], gy[WG_OB];
                            _Pragma("GCC unroll 8") for (int k = 0; k < WG_KB; k++)
                                x[k] = *(const VecU *)(row + n * d->sample + m + k * d->jstep);
                            _Pragma("GCC unroll 4") for (int o = 0; o < WG_OB; o++)
                                gy[o] = *(const VecU *)(g[o] + n * gstride + m);
                            _Pragma("GCC unroll 4") for (int o = 0; o < WG_OB; o++)
                                _Pragma("GCC unroll 8") for (int k = 0; k < WG_KB; k++)
                                    s[o][k] += gy[o] * x[k];
                        }
                    _Pragma("GCC unroll 4") for (int o = 0; o < WG_OB; o++)
                        _Pragma("GCC unroll 8") for (int k = 0; k < WG_KB; k++)
                            a[o * WG_KB + k] = s[o][k];
                }
}

void direct_acc_finish(const DirectConv *d, const float *acc, int nacc, float *gw)
{
    int64_t per = direct_acc_floats(d);
    const float *a = acc;
    for (int64_t o0 = 0; o0 < d->cout; o0 += WG_OB)
        for (int64_t c = 0; c < d->cin; c++)
            for (int64_t i = 0; i < d->kh; i++)
                for (int64_t j0 = 0; j0 < d->kw; j0 += WG_KB, a += WG_OB * WG_KB * VL)
                    for (int64_t o = o0; o < o0 + WG_OB && o < d->cout; o++)
                        for (int64_t j = j0; j < j0 + WG_KB && j < d->kw; j++) {
                            const float *lanes = a + ((o - o0) * WG_KB + j - j0) * VL;
                            double sum = 0;
                            for (int t = 0; t < nacc; t++)
                                for (int l = 0; l < VL; l++)
                                    sum += lanes[t * per + l];
                            gw[((o * d->cin + c) * d->kh + i) * d->kw + j] = (float)sum;
                        }
}
