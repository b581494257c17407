/*
 * conv_ref.c — convolution by its definition, the yardstick of conv.c.
 *
 *     y[n][o][oy][ox] = b[o] + sum over (c, i, j) of the group of o of
 *                       x[n][c][oy sh - ph + i dh][ox sw - pw + j dw] w[o][c'][i][j]
 *
 * One seven-deep loop visits every (sample, output channel, output
 * position, input channel, kernel offset) that meets inside the input and
 * applies the product three ways: into y (forward), back into x (input
 * gradient) or into w (weight gradient).  Everything is computed in double
 * on copies of the operands, so the result is exact to float64 rounding;
 * slow, and only for tests.  Shapes are checked by the same plans as the
 * fast kernels (conv_plan.c).
 */
#include "tensor/conv_plan.h"

#include <stdlib.h>

typedef enum { REF_FORWARD, REF_INPUT_GRAD, REF_WEIGHT_GRAD } RefKind;

static void ref_loops(const ConvPlan *g, RefKind kind, double *x, double *w, double *y)
{
    int64_t og = g->o / g->groups, cg = g->c / g->groups;
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t o = 0; o < g->o; o++)
            for (int64_t oy = 0; oy < g->oh; oy++)
                for (int64_t ox = 0; ox < g->ow; ox++)
                    for (int64_t ci = 0; ci < cg; ci++)
                        for (int64_t i = 0; i < g->kh; i++)
                            for (int64_t j = 0; j < g->kw; j++) {
                                int64_t iy = oy * g->sh - g->ph + i * g->dh;
                                int64_t ix = ox * g->sw - g->pw + j * g->dw;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
                                    continue;
                                int64_t c = o / og * cg + ci;
                                double *xe = &x[((n * g->c + c) * g->h + iy) * g->w + ix];
                                double *we = &w[((o * cg + ci) * g->kh + i) * g->kw + j];
                                double *ye = &y[((n * g->o + o) * g->oh + oy) * g->ow + ox];
                                if (kind == REF_FORWARD)
                                    *ye += *xe * *we;
                                else if (kind == REF_INPUT_GRAD)
                                    *xe += *ye * *we;
                                else
                                    *we += *ye * *xe;
                            }
}

/* t's elements in row-major order as doubles (zeros when t is NULL and
 * n elements are wanted); NULL with a message when out of memory. */
static double *doubles(const Tensor *t, int64_t n)
{
    double *d = calloc((size_t)(n > 0 ? n : 1), sizeof *d);
    if (!d)
        return tensor_fail("out of memory");
    if (t) {
        int64_t idx[TENSOR_MAX_DIMS] = {0};
        for (int64_t k = 0; k < n; k++) {
            d[k] = tensor_get(t, idx);
            for (int dim = t->ndim - 1; dim >= 0 && ++idx[dim] == t->shape[dim]; dim--)
                idx[dim] = 0;
        }
    }
    return d;
}

/* Runs the loops with the three operands (one of them, the result, NULL;
 * a forward result starts from the bias), then writes the result into out. */
static Tensor *ref_run(const ConvPlan *g, RefKind kind, const Tensor *x, const Tensor *w,
                       const Tensor *y, const Tensor *bias, Tensor *out)
{
    int64_t nx = g->n * g->c * g->h * g->w, nw = g->o * (g->c / g->groups) * g->kh * g->kw;
    int64_t plane = g->oh * g->ow, ny = g->n * g->o * plane;
    double *dx = doubles(x, nx), *dw = doubles(w, nw), *dy = doubles(y, ny);
    double *db = doubles(bias, g->o);
    double *res = kind == REF_FORWARD ? dy : kind == REF_INPUT_GRAD ? dx : dw;
    if (out && dx && dw && dy && db) {
        for (int64_t k = 0; kind == REF_FORWARD && k < ny; k++)
            dy[k] = db[k / plane % g->o];
        ref_loops(g, kind, dx, dw, dy);
        char *p = tensor_data(out);
        for (int64_t k = 0; k < tensor_numel(out); k++)
            dtype_store(out->dtype, p + k * (int64_t)dtype_size(out->dtype), res[k]);
    } else {
        tensor_release(out);
        out = NULL;
    }
    free(dx), free(dw), free(dy), free(db);
    return out;
}

static bool not_transposed(const ConvParams *p)
{
    if (!p->transposed)
        return true;
    tensor_fail("%s: the reference computes convolutions only", conv_name(p));
    return false;
}

Tensor *tensor_conv_ref(const Tensor *x, const Tensor *w, const Tensor *b, const ConvParams *p)
{
    ConvPlan g;
    if (!not_transposed(p) || !conv_plan_forward(p, x, w, b, &g))
        return NULL;
    return ref_run(&g, REF_FORWARD, x, w, NULL, b, conv_new_output(&g, p, false));
}

Tensor *tensor_conv_input_grad_ref(const Tensor *gy, const Tensor *w, const int64_t *in_size,
                                   const ConvParams *p)
{
    ConvPlan g;
    if (!not_transposed(p) || !conv_plan_input_grad(p, gy, w, in_size, &g))
        return NULL;
    return ref_run(&g, REF_INPUT_GRAD, NULL, w, gy, NULL, conv_new_input(&g, p, false));
}

Tensor *tensor_conv_weight_grad_ref(const Tensor *gy, const Tensor *x, const int64_t *k_size,
                                    const ConvParams *p)
{
    ConvPlan g;
    if (!not_transposed(p) || !conv_plan_weight_grad(p, gy, x, k_size, &g))
        return NULL;
    return ref_run(&g, REF_WEIGHT_GRAD, x, NULL, gy, NULL, conv_new_weight(&g, p, false));
}
