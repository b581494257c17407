/*
 * test_optim.c — the fused optimizer kernels (tensor/optim.c) from C: steps
 * worked out by hand, the strided fallback against the contiguous path, the
 * version count, and the checks on operands.  The op-by-op comparison with
 * PyTorch's update rules for every option is tests/lua/test_optim_kernels.lua.
 */
#include <math.h>

#include "tensor/optim.h"
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

static Tensor *filled(int ndim, const int64_t *shape, DType dt, double v)
{
    Tensor *t = tensor_empty(ndim, shape, dt);
    tensor_fill_(t, v);
    return t;
}

/* SGD with momentum 0.9, lr 0.1, g = 0.5: buf = g on the first step, so
 * p = 1 - 0.05; then buf = 0.9 * 0.5 + 0.5 = 0.95 and p = 0.95 - 0.095. */
static void test_sgd_by_hand(void)
{
    Tensor *p = filled(SHAPE(3), DTYPE_FLOAT64, 1), *g = filled(SHAPE(3), DTYPE_FLOAT64, 0.5);
    Tensor *buf = tensor_zeros(SHAPE(3), DTYPE_FLOAT64);
    SgdOptions o = {.lr = 0.1, .momentum = 0.9, .first = true};
    uint32_t version = p->storage->version;
    CHECK(optim_sgd_step(p, g, buf, &o) == 0);
    CHECK_CLOSE(AT(p, 2), 0.95, 1e-15);
    CHECK_CLOSE(AT(buf, 0), 0.5, 1e-15);
    CHECK(p->storage->version == version + 1);
    o.first = false;
    CHECK(optim_sgd_step(p, g, buf, &o) == 0);
    CHECK_CLOSE(AT(p, 0), 0.855, 1e-15);
    CHECK_CLOSE(AT(buf, 1), 0.95, 1e-15);
    /* maximize with weight decay 0.5 and no momentum: g = -0.5 + 0.5 * 0.855. */
    SgdOptions plain = {.lr = 1, .weight_decay = 0.5, .maximize = true};
    CHECK(optim_sgd_step(p, g, NULL, &plain) == 0);
    CHECK_CLOSE(AT(p, 0), 0.855 - (-0.5 + 0.5 * 0.855), 1e-15);
    tensor_release(p), tensor_release(g), tensor_release(buf);
}

/* Adam's first step moves p by lr * g / (|g| + eps * sqrt(1 - beta2)) (the
 * bias corrections make m and v the gradient and its square). */
static void test_adam_first_step(void)
{
    Tensor *p = filled(SHAPE(2), DTYPE_FLOAT64, 1), *g = filled(SHAPE(2), DTYPE_FLOAT64, -0.25);
    Tensor *m = tensor_zeros(SHAPE(2), DTYPE_FLOAT64), *v = tensor_zeros(SHAPE(2), DTYPE_FLOAT64);
    AdamOptions o = {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .step = 1};
    CHECK(optim_adam_step(p, g, m, v, NULL, &o) == 0);
    CHECK_CLOSE(AT(m, 0), -0.025, 1e-15);
    CHECK_CLOSE(AT(v, 1), 0.001 * 0.0625, 1e-15);
    CHECK_CLOSE(AT(p, 0), 1 + 0.1 * 0.25 / (0.25 + 1e-8), 1e-12);
    /* AdamW with weight decay 0.5 first shrinks p by 1 - 0.1 * 0.5. */
    Tensor *q = filled(SHAPE(2), DTYPE_FLOAT64, 1);
    tensor_fill_(m, 0), tensor_fill_(v, 0);
    o.decoupled = true, o.weight_decay = 0.5;
    CHECK(optim_adam_step(q, g, m, v, NULL, &o) == 0);
    CHECK_CLOSE(AT(q, 1), 0.95 + 0.1 * 0.25 / (0.25 + 1e-8), 1e-12);
    tensor_release(p), tensor_release(q), tensor_release(g), tensor_release(m), tensor_release(v);
}

/* A transposed parameter and gradient go through contiguous copies and give
 * what the contiguous ones give, written back in place. */
static void test_strided_fallback(void)
{
    Tensor *base = arange(SHAPE(3, 4), DTYPE_FLOAT32), *gbase = arange(SHAPE(3, 4), DTYPE_FLOAT32);
    Tensor *p = tensor_transpose(base, 0, 1), *g = tensor_transpose(gbase, 0, 1);
    Tensor *pc = tensor_contiguous(p), *gc = tensor_contiguous(g);
    Tensor *pc2 = tensor_clone(pc);
    Tensor *s1 = tensor_zeros(SHAPE(4, 3), DTYPE_FLOAT32);
    Tensor *s2 = tensor_zeros(SHAPE(4, 3), DTYPE_FLOAT32);
    AdadeltaOptions o = {.lr = 1, .rho = 0.9, .eps = 1e-6, .weight_decay = 0.1};
    CHECK(optim_adadelta_step(p, g, s1, s2, &o) == 0);
    tensor_fill_(s1, 0), tensor_fill_(s2, 0);
    CHECK(optim_adadelta_step(pc2, gc, s1, s2, &o) == 0);
    bool same = true;
    for (int64_t i = 0; i < 4; i++)
        for (int64_t j = 0; j < 3; j++)
            same = same && AT(p, i, j) == AT(pc2, i, j) && AT(base, j, i) == AT(pc2, i, j);
    CHECK(same);
    CHECK(AT(base, 1, 1) != 5);   /* the base saw the write */
    tensor_release(p), tensor_release(g), tensor_release(pc), tensor_release(gc);
    tensor_release(pc2);
    tensor_release(base), tensor_release(gbase), tensor_release(s1), tensor_release(s2);
}

static void test_errors(void)
{
    Tensor *p = tensor_zeros(SHAPE(3, 2), DTYPE_FLOAT32), *ok = tensor_zeros(SHAPE(3, 2), DTYPE_FLOAT32);
    Tensor *g = tensor_zeros(SHAPE(2, 3), DTYPE_FLOAT32), *s = tensor_zeros(SHAPE(3, 2), DTYPE_FLOAT64);
    AdagradOptions ao = {.lr = 0.1, .eps = 1e-10, .step = 1};
    CHECK_ERROR(optim_adagrad_step(p, g, ok, &ao) < 0,
                "_adagrad_step: grad has shape 2x3, the parameter 3x2");
    CHECK_ERROR(optim_adagrad_step(p, ok, s, &ao) < 0,
                "_adagrad_step: sum is float64, the parameter float32");
    Tensor *i = tensor_zeros(SHAPE(2), DTYPE_INT64);
    CHECK_ERROR(optim_adagrad_step(i, i, i, &ao) < 0,
                "_adagrad_step: only float32 and float64 parameters can be optimized, got int64");
    RmspropOptions ro = {.lr = 0.1, .alpha = 0.9, .centered = true};
    CHECK_ERROR(optim_rmsprop_step(p, ok, ok, NULL, NULL, &ro) < 0,
                "_rmsprop_step: the options need a grad_avg tensor");
    Tensor *one = tensor_zeros(SHAPE(1), DTYPE_FLOAT32);
    Tensor *wide = tensor_expand(one, SHAPE(4));
    Tensor *g4 = tensor_zeros(SHAPE(4), DTYPE_FLOAT32), *s4 = tensor_zeros(SHAPE(4), DTYPE_FLOAT32);
    CHECK_ERROR(optim_adagrad_step(wide, g4, s4, &ao) < 0, "expanded view");
    double mu_product = 1;
    NadamOptions no = {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .step = 1};
    Tensor *m = tensor_zeros(SHAPE(3, 2), DTYPE_FLOAT32);
    CHECK(optim_nadam_step(p, ok, m, s, &mu_product, &no) < 0);
    CHECK(mu_product == 1);   /* unchanged by a failed step */
    tensor_release(m), tensor_release(p), tensor_release(g), tensor_release(s), tensor_release(ok);
    tensor_release(i);
    tensor_release(one), tensor_release(wide), tensor_release(g4), tensor_release(s4);
}

int main(void)
{
    test_sgd_by_hand();
    test_adam_first_step();
    test_strided_fallback();
    test_errors();
    return check_summary();
}
