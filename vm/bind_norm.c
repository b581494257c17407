/*
 * bind_norm.c — the normalisations as torch functions: batch_norm,
 * layer_norm, group_norm.
 *
 * PyTorch's positional weight, bias, training, momentum and eps become a
 * trailing options table:
 *     torch.batch_norm(x, running_mean, running_var, {weight=, bias=,
 *                      training=false, momentum=0.1, eps=1e-5})
 *     torch.layer_norm(x, normalized_shape, {weight=, bias=, eps=1e-5})
 *     torch.group_norm(x, num_groups, {weight=, bias=, eps=1e-5})
 * The running statistics (nil for none) are updated in place in training.
 * The kernels (tensor/norm.c) check the shapes and name the function; the
 * ops go through autograd/op_norm.c.
 */
#include "autograd/ag_norm.h"
#include "vm/bind.h"
#include "vm/nn_args.h"

static const char *const batch_names[] = {"weight", "bias", "training", "momentum", "eps", NULL};
static const char *const affine_names[] = {"weight", "bias", "eps", NULL};

static Tensor *optional_tensor(lua_State *L, int i)
{
    return lua_isnoneornil(L, i) ? NULL : check_tensor(L, i);
}

static int l_batch_norm(lua_State *L)
{
    const char *fn = "batch_norm";
    Tensor *x = check_tensor(L, 1), *rm = optional_tensor(L, 2), *rv = optional_tensor(L, 3);
    int opts = nn_options(L, 4, fn, batch_names);
    Tensor *w = nn_tensor_opt(L, opts, fn, "weight"), *b = nn_tensor_opt(L, opts, fn, "bias");
    bool training = nn_bool_opt(L, opts, fn, "training", false);
    double momentum = nn_number_opt(L, opts, fn, "momentum", 0.1);
    double eps = nn_number_opt(L, opts, fn, "eps", 1e-5);
    push_tensor(L, ag_batch_norm(x, w, b, rm, rv, training, momentum, eps));
    return 1;
}

static int l_layer_norm(lua_State *L)
{
    const char *fn = "layer_norm";
    Tensor *x = check_tensor(L, 1);
    int64_t shape[TENSOR_MAX_DIMS];
    int n = 1;
    if (lua_istable(L, 2)) {
        n = (int)lua_rawlen(L, 2);
        if (n < 1 || n > TENSOR_MAX_DIMS)
            return luaL_error(L, "%s: normalized_shape must list 1 to %d sizes, got %d", fn,
                              TENSOR_MAX_DIMS, n);
        for (int k = 0; k < n; k++) {
            lua_rawgeti(L, 2, k + 1);
            int isint;
            shape[k] = (int64_t)lua_tointegerx(L, -1, &isint);
            if (!isint)
                return luaL_error(L, "%s: normalized_shape must hold integers, got %s", fn,
                                  luaL_typename(L, -1));
            lua_pop(L, 1);
        }
    } else {
        int isint;
        shape[0] = (int64_t)lua_tointegerx(L, 2, &isint);
        if (!isint)
            return luaL_error(L, "%s: normalized_shape must be an integer or a table of them, "
                              "got %s", fn, luaL_typename(L, 2));
    }
    int opts = nn_options(L, 3, fn, affine_names);
    Tensor *w = nn_tensor_opt(L, opts, fn, "weight"), *b = nn_tensor_opt(L, opts, fn, "bias");
    double eps = nn_number_opt(L, opts, fn, "eps", 1e-5);
    push_tensor(L, ag_layer_norm(x, n, shape, w, b, eps));
    return 1;
}

static int l_group_norm(lua_State *L)
{
    const char *fn = "group_norm";
    Tensor *x = check_tensor(L, 1);
    int isint;
    lua_Integer groups = lua_tointegerx(L, 2, &isint);
    if (!isint)
        return luaL_error(L, "%s: num_groups must be an integer, got %s", fn,
                          luaL_typename(L, 2));
    int opts = nn_options(L, 3, fn, affine_names);
    Tensor *w = nn_tensor_opt(L, opts, fn, "weight"), *b = nn_tensor_opt(L, opts, fn, "bias");
    double eps = nn_number_opt(L, opts, fn, "eps", 1e-5);
    push_tensor(L, ag_group_norm(x, (int64_t)groups, w, b, eps));
    return 1;
}

static const BindFn norm_functions[] = {
    {"batch_norm", l_batch_norm,
     "torch.batch_norm(x, running_mean, running_var, {weight=, bias=, training=false, "
     "momentum=0.1, eps=1e-5})",
     "Normalises each channel (dim 2) of x: over the batch and the remaining dims in training, "
     "updating the running statistics (nil for none) in place with momentum; with the running "
     "statistics otherwise.  Then scales by weight and adds bias when given.",
     "local x = torch.tensor({{1.0, 10}, {3, 30}})  -- (N=2, C=2)\n"
     "local mean, var = torch.zeros(2), torch.ones(2)\n"
     "print(torch.batch_norm(x, mean, var, {training = true}))\n"
     "print(mean, var)  -- moved 10% of the way to the batch's statistics"},
    {"layer_norm", l_layer_norm, "torch.layer_norm(x, normalized_shape, {weight=, bias=, eps=1e-5})",
     "Normalises over the trailing dims named by normalized_shape (a size or a table of sizes), "
     "then scales by weight and adds bias (both of normalized_shape) when given.",
     "local x = torch.tensor({{1.0, 2, 3}, {10, 20, 30}})\nprint(torch.layer_norm(x, 3))\n"
     "print(torch.layer_norm(x, {3}, {bias = torch.ones(3)}))"},
    {"group_norm", l_group_norm, "torch.group_norm(x, num_groups, {weight=, bias=, eps=1e-5})",
     "Normalises each sample over groups of C / num_groups channels (and the remaining dims), "
     "then scales by weight and adds bias (one per channel) when given.",
     "local x = torch.tensor({{{1.0, 2}, {3, 4}, {10, 20}, {30, 40}}})  -- (N=1, C=4, L=2)\n"
     "print(torch.group_norm(x, 2))  -- channels 1-2 and 3-4 together"},
    {NULL, NULL, NULL, NULL},
};

void bind_norm(lua_State *L)
{
    bind_functions(L, -1, norm_functions);
}
