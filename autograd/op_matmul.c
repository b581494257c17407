/*
 * op_matmul.c — matrix products with their derivatives.
 *
 * For C = A B:  dA = dC B^T  and  dB = A^T dC.  matmul's 1-D operands are
 * handled by viewing them as matrices first (a vector on the left as a
 * 1 x k row, on the right as a k x 1 column) and giving dC the matching
 * size-1 dims; batch dims that broadcast are summed away by grad_to_input.
 * mm, bmm, mv and dot are matmul with stricter shape checks, so they share
 * its formula; addmm and baddbmm add the scaled input's share.  outer is
 * the product of a column and a row: da = dC b and db = dC^T a.
 */
#include "autograd/node.h"

/* The matrix form of an operand: 1-D x becomes (1, k) on the left, (k, 1)
 * on the right. */
static Tensor *as_matrix(const Tensor *x, bool left)
{
    if (!x || x->ndim >= 2)
        return (Tensor *)x;
    return tmp(ag_unsqueeze(x, left ? 0 : 1));
}

static Tensor *transposed(const Tensor *x)
{
    return tmp(ag_transpose(x, -1, -2));
}

/* d (the gradient of a matrix form) summed over broadcast batch dims and
 * shaped like the operand `in` (1-D: a row on the left, a column on the right). */
static Tensor *to_operand(const Tensor *d, const AgInput *in, bool left)
{
    if (in->ndim >= 2)
        return tmp(ag_sum_to(d, in->ndim, in->shape));
    int64_t matrix[2] = {left ? 1 : in->shape[0], left ? in->shape[0] : 1};
    return tmp(ag_reshape(tmp(ag_sum_to(d, 2, matrix)), 1, in->shape));
}

/* dA = dC B^T and dB = A^T dC for the operands of input slots ia and ib. */
static void matmul_grads(AgNode *n, const Tensor *g, const Tensor *a, const Tensor *b, int ia,
                         int ib, Tensor **ga, Tensor **gb)
{
    const AgInput *in_a = &n->input[ia], *in_b = &n->input[ib];
    Tensor *g2 = (Tensor *)g;
    if (in_a->ndim == 1)
        g2 = tmp(ag_unsqueeze(g2, g2 && g2->ndim >= 1 ? -2 : 0));
    if (in_b->ndim == 1)
        g2 = tmp(ag_unsqueeze(g2, -1));
    if (ag_needs_grad(n, ia))
        *ga = to_operand(tmp(ag_matmul(g2, transposed(as_matrix(b, false)))), in_a, true);
    if (ag_needs_grad(n, ib))
        *gb = to_operand(tmp(ag_matmul(transposed(as_matrix(a, true)), g2)), in_b, false);
}

static int matmul_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    Tensor *a = ag_needs_grad(n, 1) ? saved(n, 0) : NULL;
    Tensor *b = ag_needs_grad(n, 0) ? saved(n, 1) : NULL;
    matmul_grads(n, g[0], a, b, 0, 1, &gi[0], &gi[1]);
    return 0;
}

static const AgOp matmul_ops[] = {
    {"MmBackward", matmul_backward, NULL, "d(a@b)/da: g @ b^T; d/db: a^T @ g"},
    {"BmmBackward", matmul_backward, NULL, "d(a@b)/da: g @ b^T per batch; d/db: a^T @ g per batch"},
    {"MvBackward", matmul_backward, NULL, "d(a@v)/da: outer(g, v); d/dv: a^T @ g"},
    {"DotBackward", matmul_backward, NULL, "d(dot(a, b))/da = b; d/db = a"},
    {"MatmulBackward", matmul_backward, NULL,
     "d(a@b)/da: g @ b^T (summed over broadcast batches); d/db: a^T @ g (likewise)"},
};

typedef enum { MM, BMM, MV, DOT, MATMUL } Product;

static Tensor *record_product(Product p, const Tensor *a, const Tensor *b, Tensor *out)
{
    const Tensor *in[] = {a, b};
    if (!out || !ag_should_record(2, in))
        return out;
    AgNode *n = ag_node_new(&matmul_ops[p], 2, in);
    if (n && ((ag_needs_grad(n, 1) && ag_save(n, 0, a) < 0) ||
              (ag_needs_grad(n, 0) && ag_save(n, 1, b) < 0))) {
        ag_node_release(n);
        n = NULL;
    }
    return ag_finish(n, out);
}

Tensor *ag_matmul(const Tensor *a, const Tensor *b)
{
    return a && b ? record_product(MATMUL, a, b, tensor_matmul(a, b)) : NULL;
}

Tensor *ag_mm(const Tensor *a, const Tensor *b)
{
    return a && b ? record_product(MM, a, b, tensor_mm(a, b)) : NULL;
}

Tensor *ag_bmm(const Tensor *a, const Tensor *b)
{
    return a && b ? record_product(BMM, a, b, tensor_bmm(a, b)) : NULL;
}

Tensor *ag_mv(const Tensor *a, const Tensor *v)
{
    return a && v ? record_product(MV, a, v, tensor_mv(a, v)) : NULL;
}

Tensor *ag_dot(const Tensor *a, const Tensor *b)
{
    return a && b ? record_product(DOT, a, b, tensor_dot(a, b)) : NULL;
}

/* ---- outer: C = a b^T ---------------------------------------------------------- */

/* x in g's dtype (outer promotes its operands), recorded. */
static Tensor *like_grad(const Tensor *x, const Tensor *g)
{
    if (!x || !g || x->dtype == g->dtype)
        return (Tensor *)x;
    return tmp(ag_to_dtype(x, g->dtype));
}

static int outer_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    if (ag_needs_grad(n, 0))
        gi[0] = tmp(ag_mv(g[0], like_grad(saved(n, 1), g[0])));
    if (ag_needs_grad(n, 1))
        gi[1] = tmp(ag_mv(transposed(g[0]), like_grad(saved(n, 0), g[0])));
    return 0;
}

static const AgOp outer_op = {"OuterBackward", outer_backward, NULL,
                              "d(outer(a, b))/da: g @ b; d/db: g^T @ a"};

Tensor *ag_outer(const Tensor *a, const Tensor *b)
{
    if (!a || !b)
        return NULL;
    Tensor *out = tensor_outer(a, b);
    const Tensor *in[] = {a, b};
    if (!out || !ag_should_record(2, in))
        return out;
    AgNode *n = ag_node_new(&outer_op, 2, in);
    if (n && ((ag_needs_grad(n, 1) && ag_save(n, 0, a) < 0) ||
              (ag_needs_grad(n, 0) && ag_save(n, 1, b) < 0))) {
        ag_node_release(n);
        n = NULL;
    }
    return ag_finish(n, out);
}

/* ---- addmm, baddbmm: beta * input + alpha * (m1 @ m2) --------------------------- */

/* d input = beta dC summed to input's shape (zeros when beta == 0: the
 * input was never read); dm1, dm2 as for mm, scaled by alpha. */
static int add_product_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    double beta = n->f[0], alpha = n->f[1];
    if (ag_needs_grad(n, 0)) {
        const AgInput *in = &n->input[0];
        gi[0] = beta == 0 ? tmp(tensor_zeros(in->ndim, in->shape, g[0]->dtype))
                          : grad_to_input(n, 0, beta == 1 ? g[0] : f_scale(g[0], beta));
    }
    if (!ag_needs_grad(n, 1) && !ag_needs_grad(n, 2))
        return 0;
    Tensor *a = ag_needs_grad(n, 2) ? saved(n, 0) : NULL;
    Tensor *b = ag_needs_grad(n, 1) ? saved(n, 1) : NULL;
    Tensor *ga = alpha == 1 ? g[0] : f_scale(g[0], alpha);
    matmul_grads(n, ga, a, b, 1, 2, &gi[1], &gi[2]);
    return 0;
}

static const AgOp addmm_op = {"AddmmBackward", add_product_backward, NULL,
                              "d(beta*c + alpha*(a@b))/dc = beta; "
                              "d/da: alpha * g @ b^T; "
                              "d/db: alpha * a^T @ g"};
static const AgOp baddbmm_op = {"BaddbmmBackward", add_product_backward, NULL,
                                "d(beta*c + alpha*(a@b))/dc = beta; "
                                "d/da: alpha * g @ b^T (per batch); "
                                "d/db: alpha * a^T @ g (per batch)"};

static Tensor *record_add_product(const AgOp *op, const Tensor *input, const Tensor *m1,
                                  const Tensor *m2, double beta, double alpha, Tensor *out)
{
    const Tensor *in[] = {input, m1, m2};
    if (!out || !ag_should_record(3, in))
        return out;
    AgNode *n = ag_node_new(op, 3, in);
    if (n) {
        n->f[0] = beta;
        n->f[1] = alpha;
        if ((ag_needs_grad(n, 2) && ag_save(n, 0, m1) < 0) ||
            (ag_needs_grad(n, 1) && ag_save(n, 1, m2) < 0)) {
            ag_node_release(n);
            n = NULL;
        }
    }
    return ag_finish(n, out);
}

Tensor *ag_addmm(const Tensor *input, const Tensor *m1, const Tensor *m2, double beta,
                 double alpha)
{
    if (!input || !m1 || !m2)
        return NULL;
    return record_add_product(&addmm_op, input, m1, m2, beta, alpha,
                              tensor_addmm(input, m1, m2, beta, alpha));
}

Tensor *ag_baddbmm(const Tensor *input, const Tensor *b1, const Tensor *b2, double beta,
                   double alpha)
{
    if (!input || !b1 || !b2)
        return NULL;
    return record_add_product(&baddbmm_op, input, b1, b2, beta, alpha,
                              tensor_baddbmm(input, b1, b2, beta, alpha));
}
