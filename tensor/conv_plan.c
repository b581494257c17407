/*
 * conv_plan.c — the checks and the geometry of a convolution (conv_plan.h).
 *
 * Every message names the user's function (conv2d, conv_transpose1d, ...),
 * the operand and the shapes as the user wrote them: the 1-D and unbatched
 * forms are never shown as the 4-D tensors the kernels see.  Sizes derived
 * from the parameters are computed with overflow checks, since stride,
 * padding and dilation come straight from user code.
 *
 * The output size of a convolution along one dim is PyTorch's
 * floor((in + pad_lo + pad_hi - dilation * (k - 1) - 1) / stride) + 1, less
 * output_padding trailing positions of the padded input: a convolution with
 * output_padding is the exact adjoint of the transposed convolution with the
 * same parameters (whose output gains output_padding positions), which is
 * what lets each be the other's gradient.  Users only pass output_padding
 * to the transposed functions.
 */
#include "tensor/conv_plan.h"

#include <stdio.h>
#include <string.h>

#define PARAM_MAX ((int64_t)1 << 31)

ConvParams conv_params_default(int nspatial, bool transposed)
{
    return (ConvParams){.stride = {1, 1}, .dilation = {1, 1}, .groups = 1,
                        .nspatial = nspatial, .transposed = transposed};
}

const char *conv_name(const ConvParams *p)
{
    static const char *const names[2][2] = {{"conv1d", "conv2d"},
                                            {"conv_transpose1d", "conv_transpose2d"}};
    return names[p->transposed != 0][p->nspatial == 2];
}

/* A per-dim parameter as the user wrote it: "2x3" in 2-D, "3" in 1-D. */
static const char *pair_str(const ConvParams *p, const int64_t *v, char *buf, size_t len)
{
    if (p->nspatial == 2)
        snprintf(buf, len, "%lldx%lld", (long long)v[0], (long long)v[1]);
    else
        snprintf(buf, len, "%lld", (long long)v[1]);
    return buf;
}

static bool fail_param(const ConvParams *p, const char *what, const char *rule, const int64_t *v)
{
    char s[64];
    tensor_fail("%s: %s must be %s, got %s", conv_name(p), what, rule, pair_str(p, v, s, sizeof s));
    return false;
}

static bool check_params(const ConvParams *p)
{
    if (p->nspatial != 1 && p->nspatial != 2) {
        tensor_fail("conv: expected 1 or 2 spatial dims, got %lld", (long long)p->nspatial);
        return false;
    }
    const char *fn = conv_name(p);
    if (p->groups < 1 || p->groups > PARAM_MAX) {
        tensor_fail("%s: groups must be a positive number, got %lld", fn, (long long)p->groups);
        return false;
    }
    for (int d = 2 - (int)p->nspatial; d < 2; d++) {
        if (p->stride[d] < 1 || p->stride[d] > PARAM_MAX)
            return fail_param(p, "stride", "positive", p->stride);
        if (p->dilation[d] < 1 || p->dilation[d] > PARAM_MAX)
            return fail_param(p, "dilation", "positive", p->dilation);
        if (p->pad_lo[d] < 0 || p->pad_hi[d] < 0 || p->pad_lo[d] > PARAM_MAX ||
            p->pad_hi[d] > PARAM_MAX)
            return fail_param(p, "padding", "non-negative", p->pad_lo[d] < 0 ? p->pad_lo : p->pad_hi);
        int64_t op = p->output_padding[d];
        if (op < 0 || (op >= p->stride[d] && op >= p->dilation[d])) {
            char s[64], st[64], di[64];
            tensor_fail("%s: output_padding must be smaller than either stride (%s) or dilation "
                        "(%s), got %s", fn, pair_str(p, p->stride, st, sizeof st),
                        pair_str(p, p->dilation, di, sizeof di),
                        pair_str(p, p->output_padding, s, sizeof s));
            return false;
        }
    }
    return true;
}

/* a and b (and bias, when given) share one floating dtype. */
static bool check_dtypes(const ConvParams *p, const char *role_a, const Tensor *a,
                         const char *role_b, const Tensor *b, const Tensor *bias)
{
    const char *fn = conv_name(p);
    if (!dtype_is_floating(a->dtype)) {
        tensor_fail("%s: expected a float32 or float64 %s, got %s (convert it with :float())", fn,
                    role_a, dtype_name(a->dtype));
        return false;
    }
    const Tensor *other = b->dtype != a->dtype ? b : bias && bias->dtype != a->dtype ? bias : NULL;
    if (other) {
        tensor_fail("%s: the %s (%s) and the %s (%s) must have the same dtype", fn, role_a,
                    dtype_name(a->dtype), other == b ? role_b : "bias", dtype_name(other->dtype));
        return false;
    }
    return true;
}

/* t's sizes as (N, C, H, W), from a batched or an unbatched operand. */
static bool read_operand(const ConvParams *p, const char *role, const Tensor *t, int64_t *s,
                         bool *batched)
{
    int ns = (int)p->nspatial;
    if (t->ndim != ns + 1 && t->ndim != ns + 2) {
        char buf[128];
        tensor_fail("%s: expected a %d-D (unbatched) or %d-D (batched) %s, got a %d-D %s of size %s",
                    conv_name(p), ns + 1, ns + 2, role, t->ndim, role,
                    tensor_shape_str(t, buf, sizeof buf));
        return false;
    }
    *batched = t->ndim == ns + 2;
    s[0] = *batched ? t->shape[0] : 1;
    s[1] = t->shape[*batched];
    s[2] = ns == 2 ? t->shape[t->ndim - 2] : 1;
    s[3] = t->shape[t->ndim - 1];
    return true;
}

/* w's sizes as (O, C / groups, kH, kW); every one positive. */
static bool read_weight(const ConvParams *p, const Tensor *w, int64_t *s)
{
    int ns = (int)p->nspatial;
    char buf[128];
    if (w->ndim != ns + 2) {
        tensor_fail("%s: expected a %d-D weight, got a %d-D weight of size %s", conv_name(p),
                    ns + 2, w->ndim, tensor_shape_str(w, buf, sizeof buf));
        return false;
    }
    s[0] = w->shape[0], s[1] = w->shape[1];
    s[2] = ns == 2 ? w->shape[2] : 1;
    s[3] = w->shape[w->ndim - 1];
    if (tensor_numel(w) == 0) {
        tensor_fail("%s: the weight (%s) has a dim of size 0", conv_name(p),
                    tensor_shape_str(w, buf, sizeof buf));
        return false;
    }
    return true;
}

static void plan_params(const ConvParams *p, ConvPlan *plan)
{
    bool two = p->nspatial == 2;
    plan->sh = two ? p->stride[0] : 1, plan->sw = p->stride[1];
    plan->ph = two ? p->pad_lo[0] : 0, plan->pw = p->pad_lo[1];
    plan->dh = two ? p->dilation[0] : 1, plan->dw = p->dilation[1];
    plan->groups = p->groups;
}

/* The padded input a convolution reaches along dim d (see the top). */
static int64_t padded(const ConvParams *p, int d, int64_t in)
{
    if (p->nspatial == 1 && d == 0)
        return in;
    return in + p->pad_lo[d] + p->pad_hi[d] - p->output_padding[d];
}

/* The kernel's extent along dim d: dilation * (k - 1) + 1. */
static int64_t extent(const ConvParams *p, int d, int64_t k)
{
    int64_t dil = p->nspatial == 1 && d == 0 ? 1 : p->dilation[d];
    return dil * (k - 1) + 1;
}

static int64_t stride_of(const ConvParams *p, int d)
{
    return p->nspatial == 1 && d == 0 ? 1 : p->stride[d];
}

/* The output sizes of the convolution; false with a message when the
 * kernel does not fit in the padded input. */
static bool conv_out_sizes(const ConvParams *p, ConvPlan *plan, int nd, const int64_t *shape)
{
    int64_t pad[2] = {padded(p, 0, plan->h), padded(p, 1, plan->w)};
    int64_t ext[2] = {extent(p, 0, plan->kh), extent(p, 1, plan->kw)};
    if (ext[0] > pad[0] || ext[1] > pad[1]) {
        char k[64], e[64], ps[64], xs[128];
        int64_t ks[2] = {plan->kh, plan->kw};
        tensor_fail("%s: the kernel (%s, spanning %s with dilation) is larger than the padded "
                    "input (%s; input of size %s)", conv_name(p), pair_str(p, ks, k, sizeof k),
                    pair_str(p, ext, e, sizeof e), pair_str(p, pad, ps, sizeof ps),
                    shape_str(nd, shape, xs, sizeof xs));
        return false;
    }
    plan->oh = (pad[0] - ext[0]) / stride_of(p, 0) + 1;
    plan->ow = (pad[1] - ext[1]) / stride_of(p, 1) + 1;
    return true;
}

/* The user's shape of an operand with `channels` channels of size h x w. */
static int user_shape(const ConvPlan *plan, const ConvParams *p, int64_t channels, int64_t h,
                      int64_t w, int64_t *shape)
{
    int k = 0;
    if (plan->batched)
        shape[k++] = plan->n;
    shape[k++] = channels;
    if (p->nspatial == 2)
        shape[k++] = h;
    shape[k++] = w;
    return k;
}

static bool check_bias(const ConvParams *p, const Tensor *b, int64_t size)
{
    if (!b || (b->ndim == 1 && b->shape[0] == size))
        return true;
    char buf[128];
    tensor_fail("%s: expected a 1-D bias of %lld elements, got one of size %s", conv_name(p),
                (long long)size, tensor_shape_str(b, buf, sizeof buf));
    return false;
}

/* The weight's first dim (`which` channels: output of a convolution, input
 * of a transposed one) splits into the groups. */
static bool check_groups(const ConvParams *p, const Tensor *w, const char *which)
{
    if (w->shape[0] % p->groups == 0)
        return true;
    char ws[128];
    tensor_fail("%s: the weight's %lld %s channels (weight %s) are not divisible by groups %lld",
                conv_name(p), (long long)w->shape[0], which, tensor_shape_str(w, ws, sizeof ws),
                (long long)p->groups);
    return false;
}

/* x has the `want` channels the weight takes (C of a convolution's input,
 * C_in of a transposed one's). */
static bool check_channels(const ConvParams *p, const Tensor *x, const Tensor *w, int64_t want,
                           int64_t have)
{
    if (want == have)
        return true;
    char xs[128], ws[128], gs[64] = "";
    if (p->groups > 1)
        snprintf(gs, sizeof gs, ", groups %lld", (long long)p->groups);
    tensor_fail("%s: expected input with %lld channels (weight %s%s), got %s", conv_name(p),
                (long long)want, tensor_shape_str(w, ws, sizeof ws), gs,
                tensor_shape_str(x, xs, sizeof xs));
    return false;
}

/* What the forward functions (conv and conv_transpose) check first: the
 * params, the dtypes, and the sizes of x and w into xs and ws. */
static bool read_forward(const ConvParams *p, const Tensor *x, const Tensor *w, const Tensor *b,
                         ConvPlan *plan, int64_t *xs, int64_t *ws)
{
    if (!check_params(p) || !check_dtypes(p, "input", x, "weight", w, b) ||
        !read_operand(p, "input", x, xs, &plan->batched) || !read_weight(p, w, ws))
        return false;
    plan_params(p, plan);
    plan->dtype = x->dtype;
    return true;
}

bool conv_plan_forward(const ConvParams *p, const Tensor *x, const Tensor *w, const Tensor *b,
                       ConvPlan *plan)
{
    int64_t xs[4], ws[4];
    if (!read_forward(p, x, w, b, plan, xs, ws))
        return false;
    plan->n = xs[0], plan->c = xs[1], plan->h = xs[2], plan->w = xs[3];
    plan->o = ws[0], plan->kh = ws[2], plan->kw = ws[3];
    return check_channels(p, x, w, ws[1] * p->groups, xs[1]) && check_groups(p, w, "output") &&
           conv_out_sizes(p, plan, x->ndim, x->shape) && check_bias(p, b, plan->o);
}

/* in * s - lo - hi + ext + op without overflow, for in = size - 1 of the
 * transposed convolution's input along d; 0 when it overflows or is below 1. */
static int64_t transposed_size(const ConvParams *p, int d, int64_t size, int64_t k)
{
    if (p->nspatial == 1 && d == 0)
        return 1;
    int64_t v;
    if (__builtin_mul_overflow(size - 1, p->stride[d], &v) ||
        __builtin_add_overflow(v, extent(p, d, k) + p->output_padding[d], &v))
        return 0;
    v -= p->pad_lo[d] + p->pad_hi[d];
    return v >= 1 ? v : 0;
}

bool conv_plan_transpose(const ConvParams *p, const Tensor *x, const Tensor *w, const Tensor *b,
                         ConvPlan *plan)
{
    int64_t xs[4], ws[4];
    if (!read_forward(p, x, w, b, plan, xs, ws))
        return false;
    plan->n = xs[0], plan->o = xs[1], plan->oh = xs[2], plan->ow = xs[3];
    plan->c = ws[1] * p->groups, plan->kh = ws[2], plan->kw = ws[3];
    if (!check_channels(p, x, w, ws[0], xs[1]) || !check_groups(p, w, "input"))
        return false;
    plan->h = transposed_size(p, 0, xs[2], ws[2]);
    plan->w = transposed_size(p, 1, xs[3], ws[3]);
    if (plan->h == 0 || plan->w == 0) {
        char xb[128], wb[128];
        tensor_fail("%s: the output would be empty or too large for input %s and weight %s "
                    "with these stride, padding and dilation", conv_name(p),
                    tensor_shape_str(x, xb, sizeof xb), tensor_shape_str(w, wb, sizeof wb));
        return false;
    }
    return check_bias(p, b, plan->c);
}

/* g has the shape of the convolution's output in plan (N, O, OH, OW). */
static bool check_grad_shape(const ConvParams *p, const ConvPlan *plan, const Tensor *g)
{
    int64_t shape[4];
    int nd = user_shape(plan, p, plan->o, plan->oh, plan->ow, shape);
    char want[128], got[128];
    if (g->ndim == nd && memcmp(shape, g->shape, (size_t)nd * sizeof shape[0]) == 0)
        return true;
    tensor_fail("%s: expected a gradient of size %s, got %s", conv_name(p),
                shape_str(nd, shape, want, sizeof want), tensor_shape_str(g, got, sizeof got));
    return false;
}

/* A spatial size given by the caller: (H, W) in 2-D, (W) in 1-D. */
static bool read_size(const ConvParams *p, const char *what, const int64_t *size, int64_t *h,
                      int64_t *w)
{
    *h = p->nspatial == 2 ? size[0] : 1;
    *w = size[p->nspatial - 1];
    if (*h >= 0 && *w >= 0 && *h <= PARAM_MAX * PARAM_MAX && *w <= PARAM_MAX * PARAM_MAX)
        return true;
    int64_t v[2] = {*h, *w};
    char s[64];
    tensor_fail("%s: bad %s %s", conv_name(p), what, pair_str(p, v, s, sizeof s));
    return false;
}

bool conv_plan_input_grad(const ConvParams *p, const Tensor *g, const Tensor *w,
                          const int64_t *in_size, ConvPlan *plan)
{
    int64_t gs[4], ws[4];
    if (!check_params(p) || !check_dtypes(p, "gradient", g, "weight", w, NULL) ||
        !read_operand(p, "gradient", g, gs, &plan->batched) || !read_weight(p, w, ws) ||
        !read_size(p, "input size", in_size, &plan->h, &plan->w))
        return false;
    plan_params(p, plan);
    plan->dtype = g->dtype;
    plan->n = gs[0], plan->c = ws[1] * p->groups, plan->o = ws[0];
    plan->kh = ws[2], plan->kw = ws[3];
    int64_t shape[4];
    int nd = user_shape(plan, p, plan->c, plan->h, plan->w, shape);
    return check_groups(p, w, "output") && conv_out_sizes(p, plan, nd, shape) &&
           check_grad_shape(p, plan, g);
}

bool conv_plan_weight_grad(const ConvParams *p, const Tensor *g, const Tensor *x,
                           const int64_t *k_size, ConvPlan *plan)
{
    int64_t gs[4], xs[4];
    bool g_batched;
    if (!check_params(p) || !check_dtypes(p, "gradient", g, "input", x, NULL) ||
        !read_operand(p, "gradient", g, gs, &g_batched) ||
        !read_operand(p, "input", x, xs, &plan->batched) ||
        !read_size(p, "kernel size", k_size, &plan->kh, &plan->kw))
        return false;
    plan_params(p, plan);
    plan->dtype = x->dtype;
    plan->n = xs[0], plan->c = xs[1], plan->h = xs[2], plan->w = xs[3], plan->o = gs[1];
    if (plan->kh < 1 || plan->kw < 1 || plan->c % p->groups != 0 || plan->o % p->groups != 0 ||
        g_batched != plan->batched) {
        char gb[128], xb[128], kb[64];
        int64_t k[2] = {plan->kh, plan->kw};
        tensor_fail("%s: no weight of size %s with groups %lld joins input %s to gradient %s",
                    conv_name(p), pair_str(p, k, kb, sizeof kb), (long long)p->groups,
                    tensor_shape_str(x, xb, sizeof xb), tensor_shape_str(g, gb, sizeof gb));
        return false;
    }
    return conv_out_sizes(p, plan, x->ndim, x->shape) && check_grad_shape(p, plan, g);
}

Tensor *conv_new_input(const ConvPlan *plan, const ConvParams *p, bool zero)
{
    int64_t shape[4];
    int nd = user_shape(plan, p, plan->c, plan->h, plan->w, shape);
    return zero ? tensor_zeros(nd, shape, plan->dtype) : tensor_empty(nd, shape, plan->dtype);
}

Tensor *conv_new_output(const ConvPlan *plan, const ConvParams *p, bool zero)
{
    int64_t shape[4];
    int nd = user_shape(plan, p, plan->o, plan->oh, plan->ow, shape);
    return zero ? tensor_zeros(nd, shape, plan->dtype) : tensor_empty(nd, shape, plan->dtype);
}

Tensor *conv_new_weight(const ConvPlan *plan, const ConvParams *p, bool zero)
{
    int64_t shape[4] = {plan->o, plan->c / plan->groups, plan->kh, plan->kw};
    if (p->nspatial == 1)
        shape[2] = plan->kw;
    int nd = (int)p->nspatial + 2;
    return zero ? tensor_zeros(nd, shape, plan->dtype) : tensor_empty(nd, shape, plan->dtype);
}
