/*
 * bind_pool.c — the pools as torch functions: max_pool1d, max_pool2d,
 * avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d.
 *
 * Arguments follow PyTorch's functional forms with the keyword arguments in
 * a trailing options table: torch.max_pool2d(x, 2, {stride = 1, padding =
 * 1}); sizes are a number or an {h, w} pair.  The max pools return the
 * positions of their maxima with {return_indices = true}, counted from 1
 * within each plane (PyTorch's 0-based flat index plus one).  The kernels
 * (tensor/pool.c) check the shapes and name the function in their messages;
 * the ops go through autograd/op_pool.c.
 */
#include "autograd/ag_pool.h"
#include "vm/bind.h"
#include "vm/nn_args.h"

static const char *const max_names[] = {"stride", "padding", "dilation", "ceil_mode",
                                        "return_indices", NULL};
static const char *const avg_names[] = {"stride", "padding", "ceil_mode", "count_include_pad",
                                        "divisor_override", NULL};
static const char *const adaptive_max_names[] = {"return_indices", NULL};
static const char *const no_names[] = {NULL};

/* The spec of a windowed pool: kernel_size at argument 2, the rest from opts. */
static PoolSpec window_spec(lua_State *L, PoolKind kind, int dims, int opts)
{
    PoolSpec s = pool_spec(kind, dims);
    const char *fn = pool_name(&s);
    if (!nn_size_arg(L, 2, fn, "kernel_size", dims, s.kernel))
        luaL_error(L, "%s: kernel_size (argument #2) is missing", fn);
    if (nn_size_opt(L, opts, fn, "stride", dims, s.stride) &&
        (s.stride[1] < 1 || (dims == 2 && s.stride[0] < 1)))
        luaL_error(L, "%s: stride must be positive", fn);
    nn_size_opt(L, opts, fn, "padding", dims, s.padding);
    if (kind == POOL_MAX)
        nn_size_opt(L, opts, fn, "dilation", dims, s.dilation);
    s.ceil_mode = nn_bool_opt(L, opts, fn, "ceil_mode", false);
    if (kind == POOL_AVG) {
        s.count_include_pad = nn_bool_opt(L, opts, fn, "count_include_pad", true);
        int64_t d[2] = {0, 0};
        if (nn_size_opt(L, opts, fn, "divisor_override", 1, d) && d[1] < 1)
            luaL_error(L, "%s: divisor_override must be a positive integer, got %I", fn,
                       (lua_Integer)d[1]);
        s.divisor_override = d[1];
    }
    return s;
}

static PoolSpec adaptive_spec(lua_State *L, PoolKind kind)
{
    PoolSpec s = pool_spec(kind, 2);
    if (!nn_size_arg(L, 2, pool_name(&s), "output_size", 2, s.output_size))
        luaL_error(L, "%s: output_size (argument #2) is missing", pool_name(&s));
    return s;
}

/* Pushes the max pool's results: out, and the positions 1-based when asked
 * (a copy: the graph keeps the 0-based ones for backward). */
static int push_max(lua_State *L, const PoolSpec *s, int opts)
{
    bool with_indices = nn_bool_opt(L, opts, pool_name(s), "return_indices", false);
    Tensor *out, *idx;
    if (ag_max_pool(check_tensor(L, 1), s, &out, &idx) < 0)
        return raise_tensor_error(L);
    Tensor *shown = with_indices ? tensor_clone(idx) : NULL;
    tensor_release(idx);
    if (with_indices && !shown) {
        tensor_release(out);
        return raise_tensor_error(L);
    }
    push_tensor(L, out);
    if (!with_indices)
        return 1;
    int64_t *p = tensor_data(shown);
    for (int64_t k = 0, n = tensor_numel(shown); k < n; k++)
        p[k]++;
    push_tensor(L, shown);
    return 2;
}

static int max_pool(lua_State *L, int dims)
{
    check_tensor(L, 1);
    PoolSpec probe = pool_spec(POOL_MAX, dims);
    int opts = nn_options(L, 3, pool_name(&probe), max_names);
    PoolSpec s = window_spec(L, POOL_MAX, dims, opts);
    return push_max(L, &s, opts);
}

static int l_max_pool1d(lua_State *L) { return max_pool(L, 1); }
static int l_max_pool2d(lua_State *L) { return max_pool(L, 2); }

static int l_avg_pool2d(lua_State *L)
{
    Tensor *x = check_tensor(L, 1);
    int opts = nn_options(L, 3, "avg_pool2d", avg_names);
    PoolSpec s = window_spec(L, POOL_AVG, 2, opts);
    push_tensor(L, ag_avg_pool(x, &s));
    return 1;
}

static int l_adaptive_avg_pool2d(lua_State *L)
{
    Tensor *x = check_tensor(L, 1);
    nn_options(L, 3, "adaptive_avg_pool2d", no_names);
    PoolSpec s = adaptive_spec(L, POOL_ADAPTIVE_AVG);
    push_tensor(L, ag_avg_pool(x, &s));
    return 1;
}

static int l_adaptive_max_pool2d(lua_State *L)
{
    check_tensor(L, 1);
    int opts = nn_options(L, 3, "adaptive_max_pool2d", adaptive_max_names);
    PoolSpec s = adaptive_spec(L, POOL_ADAPTIVE_MAX);
    return push_max(L, &s, opts);
}

static const BindFn pool_functions[] = {
    {"max_pool1d", l_max_pool1d,
     "torch.max_pool1d(x, kernel_size, {stride=kernel_size, padding=0, dilation=1, "
     "ceil_mode=false, return_indices=false})",
     "The max over windows of the last dim of a (C, L) or (N, C, L) input; with "
     "return_indices also the 1-based position of each max within its row.",
     "local x = torch.tensor({{1.0, 3, 2, 5, 4, 0}})  -- (C=1, L=6)\nprint(torch.max_pool1d(x, 2))\n"
     "print(torch.max_pool1d(x, 3, {stride = 1, return_indices = true}))"},
    {"max_pool2d", l_max_pool2d,
     "torch.max_pool2d(x, kernel_size, {stride=kernel_size, padding=0, dilation=1, "
     "ceil_mode=false, return_indices=false})",
     "The max over windows of the last two dims of a (C, H, W) or (N, C, H, W) input; sizes are "
     "a number or an {h, w} pair.  With return_indices also the 1-based flat position of each "
     "max within its plane.",
     "local x = torch.tensor({{{1.0, 2, 0, 1}, {4, 3, 1, 0}, {0, 0, 5, 6}, {1, 0, 8, 7}}})  -- (1, 4, 4)\n"
     ""
     "local values, indices = torch.max_pool2d(x, 2, {return_indices = true})\n"
     "print(values, indices)  -- indices count from 1 across the 4x4 plane"},
    {"avg_pool2d", l_avg_pool2d,
     "torch.avg_pool2d(x, kernel_size, {stride=kernel_size, padding=0, ceil_mode=false, "
     "count_include_pad=true, divisor_override=nil})",
     "The mean over windows of the last two dims; padding counts in the divisor unless "
     "count_include_pad is false, and divisor_override replaces the divisor.",
     "local x = torch.arange(1, 17, {dtype = \"float32\"}):view(1, 4, 4)\n"
     "print(torch.avg_pool2d(x, 2))\n"
     "print(torch.avg_pool2d(x, 2, {padding = 1, count_include_pad = false}))"},
    {"adaptive_avg_pool2d", l_adaptive_avg_pool2d, "torch.adaptive_avg_pool2d(x, output_size)",
     "Averages over windows chosen to give an output of output_size (a number or {h, w}) "
     "whatever the input's size.",
     "local x = torch.arange(1, 26, {dtype = \"float32\"}):view(1, 5, 5)\n"
     "print(torch.adaptive_avg_pool2d(x, 2))  -- windows of 3 that overlap\n"
     "print(torch.adaptive_avg_pool2d(x, {1, 1}))  -- global average pooling"},
    {"adaptive_max_pool2d", l_adaptive_max_pool2d,
     "torch.adaptive_max_pool2d(x, output_size, {return_indices=false})",
     "The max over windows chosen to give an output of output_size (a number or {h, w}); with "
     "return_indices also the 1-based flat positions.",
     "local x = torch.tensor({{{1.0, 9, 2}, {4, 3, 8}, {7, 5, 6}}})  -- (1, 3, 3)\n"
     "print(torch.adaptive_max_pool2d(x, 2, {return_indices = true}))"},
    {NULL, NULL, NULL, NULL},
};

void bind_pool(lua_State *L)
{
    bind_functions(L, -1, pool_functions);
}
