/*
 * optim.c — the fused optimizer updates declared in optim.h.
 *
 * PyTorch's single-tensor optimizers run five to eight elementwise ops per
 * parameter, each a pass over memory; here each update is one loop that
 * reads the parameter, its gradient and the state once and writes them
 * back.  The loop body follows PyTorch's ops one for one (m * beta1 +
 * (1 - beta1) * g is exp_avg.mul_(beta1).add_(g, alpha=1 - beta1); p +
 * value * a / b is addcdiv_), in the parameter's precision with every
 * constant rounded to it, so float32 results differ from PyTorch's only
 * where its vector kernels fuse a multiply-add.  Scalars that depend only on
 * the step (bias corrections) are computed once per call in double, as
 * PyTorch computes them in Python.
 *
 * optim_run checks the operands, counts the writes, makes strided operands
 * contiguous (and copies them back), and splits large parameters across
 * threads.  Each optimizer is a loop over [lo, hi) stamped out for float
 * and double by one macro, as the elementwise kernels are, and compiled
 * once per combination of its options so that every variant vectorises
 * (see "compile-time options").  This file is built with -fno-math-errno
 * (Makefile): a sqrt that may set errno cannot be vectorised, and nothing
 * reads errno; the values, NaN and Inf included, are the same.
 */
#include "tensor/optim.h"

#include <math.h>
#include <omp.h>
#include <tgmath.h>

/* param, grad and up to three state tensors. */
#define OPTIM_MAX_ARGS 5

typedef void (*OptimLoop)(char *const *data, int64_t lo, int64_t hi, const void *coef);

static void run_parallel(OptimLoop loop, char *const *data, int64_t n, const void *coef)
{
    if (n < PARALLEL_GRAIN || omp_get_max_threads() == 1 || omp_in_parallel()) {
        loop(data, 0, n, coef);
        return;
    }
#pragma omp parallel
    {
        int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
        loop(data, n * t / nt, n * (t + 1) / nt, coef);
    }
}

static int check_operands(const char *fn, int n, Tensor *const *ts, const char *const *names)
{
    const Tensor *p = ts[0];
    char want[64], got[64];
    if (!dtype_is_floating(p->dtype)) {
        tensor_fail("%s: only float32 and float64 parameters can be optimized, got %s", fn,
                    dtype_name(p->dtype));
        return -1;
    }
    for (int k = 1; k < n; k++) {
        if (ts[k] == NULL)
            continue;
        if (!tensor_same_shape(ts[k], p)) {
            tensor_fail("%s: %s has shape %s, the parameter %s", fn, names[k],
                        tensor_shape_str(ts[k], got, sizeof got),
                        tensor_shape_str(p, want, sizeof want));
            return -1;
        }
        if (ts[k]->dtype != p->dtype) {
            tensor_fail("%s: %s is %s, the parameter %s", fn, names[k], dtype_name(ts[k]->dtype),
                        dtype_name(p->dtype));
            return -1;
        }
    }
    return 0;
}

/* ts[0] is the parameter, ts[1] the gradient (only read), the rest state
 * (NULL when unused); every tensor but the gradient is written. */
static int optim_run(const char *fn, int n, Tensor *const *ts, const char *const *names,
                     OptimLoop f32, OptimLoop f64, const void *coef)
{
    if (check_operands(fn, n, ts, names) < 0)
        return -1;
    for (int k = 0; k < n; k++)
        if (k != 1 && ts[k] && !tensor_begin_write(fn, ts[k]))
            return -1;
    Tensor *dense[OPTIM_MAX_ARGS] = {NULL};
    char *data[OPTIM_MAX_ARGS] = {NULL};
    int rc = 0;
    for (int k = 0; k < n && rc == 0; k++) {
        if (ts[k] == NULL)
            continue;
        dense[k] = tensor_contiguous(ts[k]);   /* ts[k] itself when already contiguous */
        if (dense[k] == NULL)
            rc = -1;
        else
            data[k] = tensor_data(dense[k]);
    }
    if (rc == 0)
        run_parallel(ts[0]->dtype == DTYPE_FLOAT32 ? f32 : f64, data, tensor_numel(ts[0]), coef);
    for (int k = 0; k < n; k++) {
        if (rc == 0 && k != 1 && dense[k] && dense[k] != ts[k] && tensor_copy_(ts[k], dense[k]) < 0)
            rc = -1;
        if (dense[k])
            tensor_release(dense[k]);
    }
    return rc;
}

/* A state tensor the options need was not given. */
static int missing_state(const char *fn, const char *name)
{
    tensor_fail("%s: the options need a %s tensor", fn, name);
    return -1;
}

/* ---- compile-time options ------------------------------------------------------ */

/*
 * An option that changes what a loop does (weight decay, amsgrad, momentum,
 * ...) is a bit of `flags`.  Each loop body is an always-inline function
 * taking the bits as a constant F, and the loop function switches over
 * every combination, so each one is compiled apart into a loop without
 * branches, which the compiler vectorises (at -O2 GCC turns a test of a
 * loop-invariant option into control flow that stops it).
 *
 * OPTIM_BODY is the signature of a loop body: NAME##_body over [lo, hi) with
 * coefficients of type COEF and the option bits F.
 */
#define OPTIM_BODY(NAME, COEF)                                                           \
    static inline __attribute__((always_inline)) void NAME##_body(                       \
        char *const *d, int64_t lo, int64_t hi, const COEF *c, const unsigned F)
/* The loop function NAME: NAME##_body with the coefficients' flags turned
 * into a constant through CASES (OPTIM_CASES2 for one option bit, 4 for two...). */
#define OPTIM_DISPATCH(NAME, COEF, CASES)                                                \
    static void NAME(char *const *d, int64_t lo, int64_t hi, const void *coef)           \
    {                                                                                    \
        const COEF *c = coef;                                                            \
        switch (c->flags) { CASES(0, NAME##_body, d, lo, hi, c) }                        \
    }
#define OPTIM_CASE(F, body, ...)                                                         \
    case F:                                                                              \
        body(__VA_ARGS__, F);                                                            \
        break;
#define OPTIM_CASES2(F, ...) OPTIM_CASE(F, __VA_ARGS__) OPTIM_CASE(F + 1, __VA_ARGS__)
#define OPTIM_CASES4(F, ...) OPTIM_CASES2(F, __VA_ARGS__) OPTIM_CASES2(F + 2, __VA_ARGS__)
#define OPTIM_CASES8(F, ...) OPTIM_CASES4(F, __VA_ARGS__) OPTIM_CASES4(F + 4, __VA_ARGS__)
#define OPTIM_CASES16(F, ...) OPTIM_CASES8(F, __VA_ARGS__) OPTIM_CASES8(F + 8, __VA_ARGS__)

/* Bit 0 of every kernel: an L2 penalty weight_decay * p is added to the
 * gradient.  PyTorch skips the add when weight_decay is 0, which matters
 * for an infinite parameter. */
#define OPTIM_L2 1u

/* The gradient as the update uses it: negated to maximize (sign -1), plus
 * the L2 penalty. */
#define OPTIM_GRAD(F, sign, wd, g, p) ((F) & OPTIM_L2 ? (sign) * (g) + (wd) * (p) : (sign) * (g))

static unsigned l2_flag(double weight_decay)
{
    return weight_decay != 0 ? OPTIM_L2 : 0;
}

/* ---- SGD ----------------------------------------------------------------------- */

enum { SGD_MOMENTUM = 2, SGD_NESTEROV = 4, SGD_FIRST = 8 };

typedef struct {
    unsigned flags;
    double sign, weight_decay, neg_lr, momentum, one_minus_dampening;
} SgdCoef;

/* buf <- g on the first step, else momentum * buf + (1 - dampening) * g. */
#define SGD_LOOP(NAME, T)                                                                \
    OPTIM_BODY(NAME, SgdCoef)                                                            \
    {                                                                                    \
        T *p = (T *)d[0], *buf = (T *)d[2];                                              \
        const T *g = (const T *)d[1];                                                    \
        const T sign = c->sign, wd = c->weight_decay, neg_lr = c->neg_lr;                \
        const T mom = c->momentum, omd = c->one_minus_dampening;                         \
        _Pragma("omp simd") for (int64_t i = lo; i < hi; i++)                            \
        {                                                                                \
            T gi = OPTIM_GRAD(F, sign, wd, g[i], p[i]);                                  \
            if (F & SGD_MOMENTUM) {                                                      \
                T b = F & SGD_FIRST ? gi : buf[i] * mom + omd * gi;                      \
                buf[i] = b;                                                              \
                gi = F & SGD_NESTEROV ? gi + mom * b : b;                                \
            }                                                                            \
            p[i] = p[i] + neg_lr * gi;                                                   \
        }                                                                                \
    }                                                                                    \
    OPTIM_DISPATCH(NAME, SgdCoef, OPTIM_CASES16)
SGD_LOOP(sgd_f32, float)
SGD_LOOP(sgd_f64, double)

int optim_sgd_step(Tensor *param, const Tensor *grad, Tensor *momentum_buffer, const SgdOptions *o)
{
    bool momentum = o->momentum != 0;
    if (momentum && momentum_buffer == NULL)
        return missing_state("_sgd_step", "momentum_buffer");
    SgdCoef c = {l2_flag(o->weight_decay) | (momentum ? SGD_MOMENTUM : 0) |
                     (o->nesterov ? SGD_NESTEROV : 0) | (o->first ? SGD_FIRST : 0),
                 o->maximize ? -1 : 1, o->weight_decay, -o->lr, o->momentum, 1 - o->dampening};
    Tensor *ts[] = {param, (Tensor *)grad, momentum ? momentum_buffer : NULL};
    static const char *const names[] = {"param", "grad", "momentum_buffer"};
    return optim_run("_sgd_step", 3, ts, names, sgd_f32, sgd_f64, &c);
}

/* ---- Adam and AdamW ------------------------------------------------------------ */

enum { ADAM_AMSGRAD = 2 };

typedef struct {
    unsigned flags;
    double sign, weight_decay, decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bc2_sqrt,
        eps, neg_step_size;
} AdamCoef;

/* max_exp_avg_sq keeps the running maximum with NaN winning, as
 * torch.maximum does. */
#define ADAM_LOOP(NAME, T)                                                               \
    OPTIM_BODY(NAME, AdamCoef)                                                           \
    {                                                                                    \
        T *p = (T *)d[0], *m = (T *)d[2], *v = (T *)d[3], *vmax = (T *)d[4];             \
        const T *g = (const T *)d[1];                                                    \
        const T sign = c->sign, wd = c->weight_decay, decay = c->decay;                  \
        const T b1 = c->beta1, omb1 = c->one_minus_beta1, b2 = c->beta2;                 \
        const T omb2 = c->one_minus_beta2, bc2_sqrt = c->bc2_sqrt, eps = c->eps;         \
        const T neg_step = c->neg_step_size;                                             \
        _Pragma("omp simd") for (int64_t i = lo; i < hi; i++)                            \
        {                                                                                \
            T pi = p[i] * decay;                                                         \
            T gi = OPTIM_GRAD(F, sign, wd, g[i], pi);                                    \
            T mi = m[i] * b1 + omb1 * gi;                                                \
            T vi = v[i] * b2 + omb2 * gi * gi;                                           \
            m[i] = mi;                                                                   \
            v[i] = vi;                                                                   \
            if (F & ADAM_AMSGRAD) {                                                      \
                T old = vmax[i];                                                         \
                vi = ((old > vi) | (old != old)) ? old : vi;                             \
                vmax[i] = vi;                                                            \
            }                                                                            \
            p[i] = pi + neg_step * mi / (sqrt(vi) / bc2_sqrt + eps);                     \
        }                                                                                \
    }                                                                                    \
    OPTIM_DISPATCH(NAME, AdamCoef, OPTIM_CASES4)
ADAM_LOOP(adam_f32, float)
ADAM_LOOP(adam_f64, double)

int optim_adam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_avg_sq,
                    Tensor *max_exp_avg_sq, const AdamOptions *o)
{
    const char *fn = o->decoupled ? "_adamw_step" : "_adam_step";
    if (o->amsgrad && max_exp_avg_sq == NULL)
        return missing_state(fn, "max_exp_avg_sq");
    /* AdamW shrinks p by (1 - lr * weight_decay) and leaves g alone; Adam's
     * factor is 1, which changes nothing. */
    double l2 = o->decoupled ? 0 : o->weight_decay;
    AdamCoef c = {l2_flag(l2) | (o->amsgrad ? ADAM_AMSGRAD : 0), o->maximize ? -1 : 1, l2,
                  o->decoupled ? 1 - o->lr * o->weight_decay : 1, o->beta1, 1 - o->beta1,
                  o->beta2, 1 - o->beta2, sqrt(1 - pow(o->beta2, o->step)), o->eps,
                  -(o->lr / (1 - pow(o->beta1, o->step)))};
    Tensor *ts[] = {param, (Tensor *)grad, exp_avg, exp_avg_sq, o->amsgrad ? max_exp_avg_sq : NULL};
    static const char *const names[] = {"param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    return optim_run(fn, 5, ts, names, adam_f32, adam_f64, &c);
}

/* ---- RMSprop ------------------------------------------------------------------- */

enum { RMSPROP_CENTERED = 2, RMSPROP_MOMENTUM = 4 };

typedef struct {
    unsigned flags;
    double sign, weight_decay, alpha, one_minus_alpha, eps, momentum, neg_lr;
} RmspropCoef;

#define RMSPROP_LOOP(NAME, T)                                                            \
    OPTIM_BODY(NAME, RmspropCoef)                                                        \
    {                                                                                    \
        T *p = (T *)d[0], *sq = (T *)d[2], *ga = (T *)d[3], *buf = (T *)d[4];            \
        const T *g = (const T *)d[1];                                                    \
        const T sign = c->sign, wd = c->weight_decay, alpha = c->alpha;                  \
        const T oma = c->one_minus_alpha, eps = c->eps, mom = c->momentum;               \
        const T neg_lr = c->neg_lr;                                                      \
        _Pragma("omp simd") for (int64_t i = lo; i < hi; i++)                            \
        {                                                                                \
            T gi = OPTIM_GRAD(F, sign, wd, g[i], p[i]);                                  \
            T s = sq[i] * alpha + oma * gi * gi;                                         \
            sq[i] = s;                                                                   \
            if (F & RMSPROP_CENTERED) {                                                  \
                T a = ga[i] * alpha + oma * gi;                                          \
                ga[i] = a;                                                               \
                s = s + (T)-1 * a * a;                                                   \
            }                                                                            \
            T avg = sqrt(s) + eps;                                                       \
            if (F & RMSPROP_MOMENTUM) {                                                  \
                T b = buf[i] * mom + gi / avg;                                           \
                buf[i] = b;                                                              \
                p[i] = p[i] + neg_lr * b;                                                \
            } else {                                                                     \
                p[i] = p[i] + neg_lr * gi / avg;                                         \
            }                                                                            \
        }                                                                                \
    }                                                                                    \
    OPTIM_DISPATCH(NAME, RmspropCoef, OPTIM_CASES8)
RMSPROP_LOOP(rmsprop_f32, float)
RMSPROP_LOOP(rmsprop_f64, double)

int optim_rmsprop_step(Tensor *param, const Tensor *grad, Tensor *square_avg, Tensor *grad_avg,
                       Tensor *momentum_buffer, const RmspropOptions *o)
{
    bool momentum = o->momentum > 0;
    if (o->centered && grad_avg == NULL)
        return missing_state("_rmsprop_step", "grad_avg");
    if (momentum && momentum_buffer == NULL)
        return missing_state("_rmsprop_step", "momentum_buffer");
    RmspropCoef c = {l2_flag(o->weight_decay) | (o->centered ? RMSPROP_CENTERED : 0) |
                         (momentum ? RMSPROP_MOMENTUM : 0),
                     o->maximize ? -1 : 1, o->weight_decay, o->alpha, 1 - o->alpha, o->eps,
                     o->momentum, -o->lr};
    Tensor *ts[] = {param, (Tensor *)grad, square_avg, o->centered ? grad_avg : NULL,
                    momentum ? momentum_buffer : NULL};
    static const char *const names[] = {"param", "grad", "square_avg", "grad_avg",
                                        "momentum_buffer"};
    return optim_run("_rmsprop_step", 5, ts, names, rmsprop_f32, rmsprop_f64, &c);
}

/* ---- Adagrad ------------------------------------------------------------------- */

typedef struct {
    unsigned flags;
    double sign, weight_decay, eps, neg_clr;
} AdagradCoef;

#define ADAGRAD_LOOP(NAME, T)                                                            \
    OPTIM_BODY(NAME, AdagradCoef)                                                        \
    {                                                                                    \
        T *p = (T *)d[0], *sum = (T *)d[2];                                              \
        const T *g = (const T *)d[1];                                                    \
        const T sign = c->sign, wd = c->weight_decay, eps = c->eps, neg_clr = c->neg_clr; \
        _Pragma("omp simd") for (int64_t i = lo; i < hi; i++)                            \
        {                                                                                \
            T gi = OPTIM_GRAD(F, sign, wd, g[i], p[i]);                                  \
            T s = sum[i] + (T)1 * gi * gi;                                               \
            sum[i] = s;                                                                  \
            p[i] = p[i] + neg_clr * gi / (sqrt(s) + eps);                                \
        }                                                                                \
    }                                                                                    \
    OPTIM_DISPATCH(NAME, AdagradCoef, OPTIM_CASES2)
ADAGRAD_LOOP(adagrad_f32, float)
ADAGRAD_LOOP(adagrad_f64, double)

int optim_adagrad_step(Tensor *param, const Tensor *grad, Tensor *sum, const AdagradOptions *o)
{
    AdagradCoef c = {l2_flag(o->weight_decay), o->maximize ? -1 : 1, o->weight_decay, o->eps,
                     -(o->lr / (1 + (o->step - 1) * o->lr_decay))};
    Tensor *ts[] = {param, (Tensor *)grad, sum};
    static const char *const names[] = {"param", "grad", "sum"};
    return optim_run("_adagrad_step", 3, ts, names, adagrad_f32, adagrad_f64, &c);
}

/* ---- Adadelta ------------------------------------------------------------------ */

typedef struct {
    unsigned flags;
    double sign, weight_decay, rho, one_minus_rho, eps, neg_lr;
} AdadeltaCoef;

#define ADADELTA_LOOP(NAME, T)                                                           \
    OPTIM_BODY(NAME, AdadeltaCoef)                                                       \
    {                                                                                    \
        T *p = (T *)d[0], *sq = (T *)d[2], *acc = (T *)d[3];                             \
        const T *g = (const T *)d[1];                                                    \
        const T sign = c->sign, wd = c->weight_decay, rho = c->rho;                      \
        const T omr = c->one_minus_rho, eps = c->eps, neg_lr = c->neg_lr;                \
        _Pragma("omp simd") for (int64_t i = lo; i < hi; i++)                            \
        {                                                                                \
            T gi = OPTIM_GRAD(F, sign, wd, g[i], p[i]);                                  \
            T s = sq[i] * rho + omr * gi * gi;                                           \
            sq[i] = s;                                                                   \
            T delta = sqrt(acc[i] + eps) / sqrt(s + eps) * gi;                           \
            acc[i] = acc[i] * rho + omr * delta * delta;                                 \
            p[i] = p[i] + neg_lr * delta;                                                \
        }                                                                                \
    }                                                                                    \
    OPTIM_DISPATCH(NAME, AdadeltaCoef, OPTIM_CASES2)
ADADELTA_LOOP(adadelta_f32, float)
ADADELTA_LOOP(adadelta_f64, double)

int optim_adadelta_step(Tensor *param, const Tensor *grad, Tensor *square_avg, Tensor *acc_delta,
                        const AdadeltaOptions *o)
{
    AdadeltaCoef c = {l2_flag(o->weight_decay), o->maximize ? -1 : 1, o->weight_decay, o->rho,
                      1 - o->rho, o->eps, -o->lr};
    Tensor *ts[] = {param, (Tensor *)grad, square_avg, acc_delta};
    static const char *const names[] = {"param", "grad", "square_avg", "acc_delta"};
    return optim_run("_adadelta_step", 4, ts, names, adadelta_f32, adadelta_f64, &c);
}

/* ---- Adamax -------------------------------------------------------------------- */

typedef struct {
    unsigned flags;
    double sign, weight_decay, beta1, one_minus_beta1, beta2, eps, neg_clr;
} AdamaxCoef;

/* exp_inf <- max(exp_inf * beta2, |g| + eps), NaN winning as in torch.amax. */
#define ADAMAX_LOOP(NAME, T)                                                             \
    OPTIM_BODY(NAME, AdamaxCoef)                                                         \
    {                                                                                    \
        T *p = (T *)d[0], *m = (T *)d[2], *u = (T *)d[3];                                \
        const T *g = (const T *)d[1];                                                    \
        const T sign = c->sign, wd = c->weight_decay, b1 = c->beta1;                     \
        const T omb1 = c->one_minus_beta1, b2 = c->beta2, eps = c->eps;                  \
        const T neg_clr = c->neg_clr;                                                    \
        _Pragma("omp simd") for (int64_t i = lo; i < hi; i++)                            \
        {                                                                                \
            T gi = OPTIM_GRAD(F, sign, wd, g[i], p[i]);                                  \
            T mi = m[i] * b1 + omb1 * gi;                                                \
            T decayed = u[i] * b2, a = fabs(gi) + eps;                                   \
            T ui = ((a > decayed) | (a != a)) ? a : decayed;                             \
            m[i] = mi;                                                                   \
            u[i] = ui;                                                                   \
            p[i] = p[i] + neg_clr * mi / ui;                                             \
        }                                                                                \
    }                                                                                    \
    OPTIM_DISPATCH(NAME, AdamaxCoef, OPTIM_CASES2)
ADAMAX_LOOP(adamax_f32, float)
ADAMAX_LOOP(adamax_f64, double)

int optim_adamax_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_inf,
                      const AdamaxOptions *o)
{
    AdamaxCoef c = {l2_flag(o->weight_decay), o->maximize ? -1 : 1, o->weight_decay, o->beta1,
                    1 - o->beta1, o->beta2, o->eps, -(o->lr / (1 - pow(o->beta1, o->step)))};
    Tensor *ts[] = {param, (Tensor *)grad, exp_avg, exp_inf};
    static const char *const names[] = {"param", "grad", "exp_avg", "exp_inf"};
    return optim_run("_adamax_step", 4, ts, names, adamax_f32, adamax_f64, &c);
}

/* ---- NAdam --------------------------------------------------------------------- */

typedef struct {
    unsigned flags;
    double sign, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bc2, eps,
        grad_coef, avg_coef;
} NadamCoef;

/* Two addcdiv_ in a row, each rounded, as PyTorch does them. */
#define NADAM_LOOP(NAME, T)                                                              \
    OPTIM_BODY(NAME, NadamCoef)                                                          \
    {                                                                                    \
        T *p = (T *)d[0], *m = (T *)d[2], *v = (T *)d[3];                                \
        const T *g = (const T *)d[1];                                                    \
        const T sign = c->sign, wd = c->weight_decay, b1 = c->beta1;                     \
        const T omb1 = c->one_minus_beta1, b2 = c->beta2, omb2 = c->one_minus_beta2;     \
        const T bc2 = c->bc2, eps = c->eps, grad_coef = c->grad_coef;                    \
        const T avg_coef = c->avg_coef;                                                  \
        _Pragma("omp simd") for (int64_t i = lo; i < hi; i++)                            \
        {                                                                                \
            T gi = OPTIM_GRAD(F, sign, wd, g[i], p[i]);                                  \
            T mi = m[i] * b1 + omb1 * gi;                                                \
            T vi = v[i] * b2 + omb2 * gi * gi;                                           \
            m[i] = mi;                                                                   \
            v[i] = vi;                                                                   \
            T denom = sqrt(vi / bc2) + eps;                                              \
            T pi = p[i] + grad_coef * gi / denom;                                        \
            p[i] = pi + avg_coef * mi / denom;                                           \
        }                                                                                \
    }                                                                                    \
    OPTIM_DISPATCH(NAME, NadamCoef, OPTIM_CASES2)
NADAM_LOOP(nadam_f32, float)
NADAM_LOOP(nadam_f64, double)

/* mu_t = beta1 (1 - 0.96^(t momentum_decay) / 2); the momentum terms are
 * PyTorch 2's: the next step's product is mu_product * mu_next (1.13
 * multiplied mu in twice, pytorch#92699). */
int optim_nadam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_avg_sq,
                     double *mu_product, const NadamOptions *o)
{
    double mu = o->beta1 * (1 - 0.5 * pow(0.96, o->step * o->momentum_decay));
    double mu_next = o->beta1 * (1 - 0.5 * pow(0.96, (o->step + 1) * o->momentum_decay));
    double product = *mu_product * mu;
    NadamCoef c = {l2_flag(o->weight_decay), 1, o->weight_decay, o->beta1, 1 - o->beta1,
                   o->beta2, 1 - o->beta2, 1 - pow(o->beta2, o->step), o->eps,
                   -o->lr * (1 - mu) / (1 - product), -o->lr * mu_next / (1 - product * mu_next)};
    Tensor *ts[] = {param, (Tensor *)grad, exp_avg, exp_avg_sq};
    static const char *const names[] = {"param", "grad", "exp_avg", "exp_avg_sq"};
    if (optim_run("_nadam_step", 4, ts, names, nadam_f32, nadam_f64, &c) < 0)
        return -1;
    *mu_product = product;
    return 0;
}
