/*
 * bind_linalg.c — matrix products as torch functions and Tensor methods:
 * matmul, mm, bmm, mv, dot, outer, addmm, baddbmm.
 *
 * The kernels and PyTorch's shape rules live in tensor/matmul.c; this file
 * only reads arguments (beta and alpha from a trailing options table) and
 * raises the core's messages, which already name the function and shapes.
 * Each calls the ag_* form (autograd/op_matmul.c), which records the
 * product when an operand requires grad.
 */
#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

typedef Tensor *(*ProductFn)(const Tensor *, const Tensor *);

static int binary_product(lua_State *L, ProductFn fn)
{
    push_tensor(L, fn(check_tensor(L, 1), check_tensor(L, 2)));
    return 1;
}

static int l_matmul(lua_State *L) { return binary_product(L, ag_matmul); }
static int l_mm(lua_State *L) { return binary_product(L, ag_mm); }
static int l_bmm(lua_State *L) { return binary_product(L, ag_bmm); }
static int l_mv(lua_State *L) { return binary_product(L, ag_mv); }
static int l_dot(lua_State *L) { return binary_product(L, ag_dot); }
static int l_outer(lua_State *L) { return binary_product(L, ag_outer); }

typedef Tensor *(*AddProductFn)(const Tensor *, const Tensor *, const Tensor *, double, double);

static int add_product(lua_State *L, AddProductFn fn)
{
    Tensor *input = check_tensor(L, 1), *a = check_tensor(L, 2), *b = check_tensor(L, 3);
    double beta = opt_number(L, 4, "beta", 1), alpha = opt_number(L, 4, "alpha", 1);
    push_tensor(L, fn(input, a, b, beta, alpha));
    return 1;
}

static int l_addmm(lua_State *L) { return add_product(L, ag_addmm); }
static int l_baddbmm(lua_State *L) { return add_product(L, ag_baddbmm); }

static const BindFn linalg_functions[] = {
    {"matmul", l_matmul, "torch.matmul(a, b)  or  a:matmul(b)",
     "Matrix product with PyTorch's rules: 1-D x 1-D is a dot product, a 1-D operand is a row "
     "(left) or column (right) vector, and dims before the last two broadcast as batches.",
     "local a = torch.tensor({{1.0, 2}, {3, 4}})\nprint(a:matmul(torch.tensor({1.0, 1})))\n"
     "print(table.concat(torch.matmul(torch.ones(5, 2, 3), torch.ones(3, 4)):size(), \"x\"))  -- a batch"},
    {"mm", l_mm, "torch.mm(a, b)  or  a:mm(b)", "The product of two matrices, (n, k) x (k, m) -> (n, m).",
     "print(torch.mm(torch.tensor({{1.0, 2}, {3, 4}}), torch.tensor({{0.0, 1}, {1, 0}})))"},
    {"bmm", l_bmm, "torch.bmm(a, b)  or  a:bmm(b)",
     "Batched matrix product, (B, n, k) x (B, k, m) -> (B, n, m), without broadcasting.",
     "print(torch.bmm(torch.ones(2, 1, 3), torch.ones(2, 3, 2)))"},
    {"mv", l_mv, "torch.mv(a, v)  or  a:mv(v)", "Matrix-vector product, (n, k) x (k) -> (n).",
     "print(torch.mv(torch.tensor({{1.0, 2}, {3, 4}}), torch.tensor({1.0, -1})))"},
    {"dot", l_dot, "torch.dot(a, b)  or  a:dot(b)",
     "The dot product of two 1-D tensors of the same size and dtype, as a 0-dim tensor.",
     "print(torch.dot(torch.tensor({1.0, 2, 3}), torch.tensor({4.0, 5, 6})))"},
    {"outer", l_outer, "torch.outer(a, b)  or  a:outer(b)",
     "The outer product of two vectors, (n) x (m) -> (n, m).",
     "print(torch.outer(torch.tensor({1, 2, 3}), torch.tensor({1, 10})))"},
    {"addmm", l_addmm, "torch.addmm(input, mat1, mat2, {beta=1, alpha=1})  or  input:addmm(...)",
     "beta * input + alpha * (mat1 @ mat2), input broadcast to the result; with beta = 0 input "
     "is ignored.",
     "local bias = torch.tensor({100.0, 200})\n"
     "print(torch.addmm(bias, torch.eye(2), torch.tensor({{1.0, 2}, {3, 4}}), {alpha = 2}))"},
    {"baddbmm", l_baddbmm, "torch.baddbmm(input, batch1, batch2, {beta=1, alpha=1})  or  input:baddbmm(...)",
     "beta * input + alpha * bmm(batch1, batch2), input broadcast to the result.",
     "print(torch.baddbmm(torch.ones(2, 1, 2), torch.ones(2, 1, 3), torch.ones(2, 3, 2), {beta = 0.5}))"},
    {NULL, NULL, NULL, NULL},
};

void bind_linalg(lua_State *L)
{
    bind_functions(L, -1, linalg_functions);
    bind_methods(L, linalg_functions);
}
