/*
 * activation.c — leaky_relu, elu, softplus and hardtanh with their
 * derivatives, as elementwise loops run through the shared elementwise
 * runner (elementwise.h).
 *
 * Each op is a row of loops by dtype, like the unary ops of unary.c, but its
 * loops read their parameters (a, b of the Activation) from the context.
 * float32 computes in float32, with the parameters converted once, as
 * PyTorch's kernels do.  The backward loops take (g, x) and give
 * g * f'(x); autograd records them as ops of their own (op_activation.c),
 * so they are also what second derivatives are built from.
 */
#include "tensor/activation.h"
#include "tensor/elementwise.h"

#include <math.h>
#include <tgmath.h>

/* out = EXPR(x) for the activation (one input, x at p[1]) or EXPR(g, x) for
 * its derivative (two: g at p[1], x at p[2]), of type T, with a and b of the
 * Activation in ctx converted to T.  XI is x's operand number.  Contiguous
 * operands take a loop the compiler can vectorise. */
#define ACT_AT(T, k, i, step) (*(const T *)(p[k] + (i) * (step)[k]))
#define ACT_LOOP(NAME, T, XI, EXPR)                                                      \
    static void NAME(char **p, const int64_t *st, int64_t n, void *ctx)                  \
    {                                                                                    \
        const Activation *act = ctx;                                                     \
        const T a = (T)act->a, b = (T)act->b;                                            \
        const int64_t unit[3] = {sizeof(T), sizeof(T), sizeof(T)};                        \
        (void)b;                                                                         \
        if (st[0] == unit[0] && st[1] == unit[1] && st[XI] == unit[XI]) {                \
            _Pragma("omp simd") for (int64_t i = 0; i < n; i++)                          \
            {                                                                            \
                const T x = ACT_AT(T, XI, i, unit), g = ACT_AT(T, 1, i, unit);            \
                (void)g;                                                                 \
                ((T *)p[0])[i] = (EXPR);                                                 \
            }                                                                            \
            return;                                                                      \
        }                                                                                \
        for (int64_t i = 0; i < n; i++) {                                                \
            const T x = ACT_AT(T, XI, i, st), g = ACT_AT(T, 1, i, st);                  \
            (void)g;                                                                     \
            *(T *)(p[0] + i * st[0]) = (EXPR);                                           \
        }                                                                                \
    }
#define FORWARD_LOOP(NAME, T, R, EXPR) ACT_LOOP(NAME, T, 1, EXPR)
#define GRAD_LOOP(NAME, T, R, EXPR) ACT_LOOP(NAME, T, 2, EXPR)

#define LOOPS(OP, E) EW_FLOAT_LOOPS(FORWARD_LOOP, OP, E)
#define GRAD_LOOPS(OP, E) EW_FLOAT_LOOPS(GRAD_LOOP, OP##_grad, E)

/* leaky_relu is written as two selects of values added: arithmetic inside
 * an arm of a select keeps GCC from vectorising the loop (the arm could
 * trap).  NaN passes; -0.0 gives +0.0. */
LOOPS(leaky_relu, (x <= 0 ? 0 : x) + a * (x < 0 ? x : 0))
LOOPS(elu, x > 0 ? x : a * expm1(x))
LOOPS(softplus, x * a > b ? x : log1p(exp(x * a)) / a)
LOOPS(hardtanh, x < a ? a : x > b ? b : x)

GRAD_LOOPS(leaky_relu, (x > 0 ? g : 0) + a * (x > 0 ? 0 : g))
GRAD_LOOPS(elu, x > 0 ? g : g * a * exp(x))
GRAD_LOOPS(softplus, x * a > b ? g : g / (1 + exp(-x * a)))
GRAD_LOOPS(hardtanh, x <= a || x >= b ? 0 : g)

static const struct {
    const char *name, *name_;
    LoopFn forward[DTYPE_COUNT], backward[DTYPE_COUNT];
} activations[ACT_COUNT] = {
    [ACT_LEAKY_RELU] = {EW_NAMES("leaky_relu"), {EW_FLOAT_ROW(leaky_relu)},
                        {EW_FLOAT_ROW(leaky_relu_grad)}},
    [ACT_ELU] = {EW_NAMES("elu"), {EW_FLOAT_ROW(elu)}, {EW_FLOAT_ROW(elu_grad)}},
    [ACT_SOFTPLUS] = {EW_NAMES("softplus"), {EW_FLOAT_ROW(softplus)},
                      {EW_FLOAT_ROW(softplus_grad)}},
    [ACT_HARDTANH] = {EW_NAMES("hardtanh"), {EW_FLOAT_ROW(hardtanh)},
                      {EW_FLOAT_ROW(hardtanh_grad)}},
};

const char *activation_name(ActivationKind kind)
{
    return activations[kind].name;
}

static bool check_floating(const char *fn, const Tensor *x)
{
    if (dtype_is_floating(x->dtype))
        return true;
    tensor_fail("%s: needs a floating point input (float32 or float64), got %s", fn,
                dtype_name(x->dtype));
    return false;
}

static Tensor *activation_run(const char *fn, const Activation *act, Tensor *target,
                              const Tensor *x)
{
    if (!check_floating(fn, x))
        return NULL;
    const Tensor *in[1] = {x};
    DType dt = x->dtype;
    return ew_result(fn, target, 1, in, &dt, dt, activations[act->kind].forward[dt], (void *)act);
}

Tensor *tensor_activation(const Activation *act, const Tensor *x)
{
    return activation_run(activations[act->kind].name, act, NULL, x);
}

int tensor_activation_(const Activation *act, Tensor *x)
{
    return activation_run(activations[act->kind].name_, act, x, x) ? 0 : -1;
}

Tensor *tensor_activation_backward(const Activation *act, const Tensor *g, const Tensor *x)
{
    const char *fn = activations[act->kind].name;
    if (!check_floating(fn, x))
        return NULL;
    const Tensor *in[2] = {g, x};
    DType dts[2] = {x->dtype, x->dtype};
    return ew_apply(fn, 2, in, dts, x->dtype, activations[act->kind].backward[x->dtype],
                    (void *)act);
}
