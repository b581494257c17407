/*
 * bind_reduce.c — the reduction family in Lua: sum mean prod max min amax
 * amin argmax argmin var std norm logsumexp all any, the scans cumsum and
 * cumprod, softmax and log_softmax, sort topk unique.
 *
 * Each is bound twice, as torch.name(x, ...) and as the method x:name(...),
 * with one C function (so both show the same help).  Arguments follow one
 * pattern: x, then the dim (a number, or for the reductions PyTorch allows it
 * a table of dims: x:sum({1, 2})), then positional flags, then a trailing
 * options table ({keepdim = true, dtype = "float64"}; {dim = 2} works too).
 * Dims arrive 1-based (negative from the end) and go to the core 0-based;
 * positions coming back (argmax, max(dim), sort, topk, unique's inverse) are
 * shifted to 1-based here, so they index Lua tables and tensors directly.
 *
 * Every op with a floating result calls the differentiable ag_* version:
 * values are recorded for autograd, positions (indices) never are.
 */
#include <math.h>
#include <string.h>

#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

typedef struct {
    int ndims;              /* 0: no dim given (reduce over all) */
    int dims[TENSOR_MAX_DIMS];
    int opts;               /* stack index of the options table, or 0 */
    int next;               /* the first argument after the dims */
} DimArgs;

static bool is_dim_list(lua_State *L, int i)
{
    return has_options(L, i) && lua_rawlen(L, i) > 0;
}

/* The dims at argument i: a number, a table of numbers when `many`, or the
 * options' dim field; each checked and made 0-based. */
static void check_dims(lua_State *L, int i, const Tensor *t, const char *fn, bool many, DimArgs *a)
{
    int top = lua_gettop(L);
    a->opts = top >= i && has_options(L, top) && !is_dim_list(L, top) ? top : 0;
    a->ndims = 0;
    a->next = i;
    if (lua_type(L, i) == LUA_TNUMBER || is_dim_list(L, i)) {
        lua_pushvalue(L, i);
        a->next = i + 1;
    } else if (a->opts) {
        lua_getfield(L, a->opts, "dim");
    } else {
        return;
    }
    bool list = lua_type(L, -1) == LUA_TTABLE;
    if (list && !many)
        luaL_error(L, "%s: dim must be one number, got a table", fn);
    int n = list ? (int)lua_rawlen(L, -1) : !lua_isnil(L, -1);
    if (n > TENSOR_MAX_DIMS)
        luaL_error(L, "%s: %d dims given, a tensor has at most %d", fn, n, TENSOR_MAX_DIMS);
    bool seen[TENSOR_MAX_DIMS] = {false};
    for (int k = 0; k < n; k++) {
        if (list)
            lua_rawgeti(L, -1, k + 1);
        int isint;
        lua_Integer d = lua_tointegerx(L, -1, &isint);
        if (!isint || lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s: dim must be an integer, got %s", fn, luaL_typename(L, -1));
        a->dims[k] = wrap_dim(L, d, t->ndim, fn);
        if (t->ndim > 0 && seen[a->dims[k]])
            luaL_error(L, "%s: dim %d appears more than once in the list of dims", fn, (int)d);
        seen[a->dims[k]] = true;
        lua_pop(L, list);
    }
    lua_pop(L, 1);
    a->ndims = n;
}

/* A positional boolean at `i` (moving a->next past it), else opts[key]. */
static bool flag_arg(lua_State *L, DimArgs *a, const char *key, bool def)
{
    if (lua_isboolean(L, a->next))
        return lua_toboolean(L, a->next++);
    return opt_bool(L, a->opts, key, def);
}

/* The input, converted first when opts.dtype asks (PyTorch's dtype=; the
 * conversion is recorded, so gradients flow back through it): a new
 * reference. */
static Tensor *input_as(lua_State *L, Tensor *t, int opts, const char *fn)
{
    DType dt = opt_dtype(L, opts, t->dtype, fn);
    Tensor *r = dt == t->dtype ? t : ag_to_dtype(t, dt);
    if (r == t)
        tensor_retain(t);
    return r;
}

/* Pushes a tensor of 0-based int64 positions as 1-based ones. */
static void push_positions(lua_State *L, Tensor *idx)
{
    if (idx && !tensor_is_contiguous(idx)) {
        Tensor *c = tensor_clone(idx);
        tensor_release(idx);
        idx = c;
    }
    if (idx) {
        int64_t *p = tensor_data(idx), n = tensor_numel(idx);
        for (int64_t k = 0; k < n; k++)
            p[k]++;
    }
    push_tensor(L, idx);
}

/* ---- reductions to one value per slice -------------------------------------- */

typedef Tensor *(*ReduceFn)(const Tensor *, int, const int *, bool);

static int reduce_generic(lua_State *L, const char *fn, ReduceFn f, bool many, bool dtype_opt)
{
    Tensor *t = check_tensor(L, 1);
    DimArgs a;
    check_dims(L, 2, t, fn, many, &a);
    bool keepdim = flag_arg(L, &a, "keepdim", false);
    Tensor *x = dtype_opt ? input_as(L, t, a.opts, fn) : t;
    Tensor *r = x ? f(x, a.ndims, a.dims, keepdim) : NULL;
    if (dtype_opt)
        tensor_release(x);
    push_tensor(L, r);
    return 1;
}

static int l_sum(lua_State *L) { return reduce_generic(L, "sum", ag_sum, true, true); }
static int l_prod(lua_State *L) { return reduce_generic(L, "prod", ag_prod, false, true); }
static int l_amax(lua_State *L) { return reduce_generic(L, "amax", ag_amax, true, false); }
static int l_amin(lua_State *L) { return reduce_generic(L, "amin", ag_amin, true, false); }
static int l_all(lua_State *L) { return reduce_generic(L, "all", tensor_all, true, false); }
static int l_any(lua_State *L) { return reduce_generic(L, "any", tensor_any, true, false); }
static int l_logsumexp(lua_State *L)
{
    return reduce_generic(L, "logsumexp", ag_logsumexp, true, false);
}

static int l_mean(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int top = lua_gettop(L);
    int opts = has_options(L, top) && !is_dim_list(L, top) ? top : 0;
    if (!dtype_is_floating(opt_dtype(L, opts, t->dtype, "mean")))
        return luaL_error(L, "mean: could not infer output dtype: the input is %s, but mean "
                          "needs a floating point input (use x:float():mean(), or "
                          "x:mean({dtype = \"float32\"}))", dtype_name(t->dtype));
    return reduce_generic(L, "mean", ag_mean, true, true);
}

/* x:var([dims], [unbiased], [keepdim], {correction=, unbiased=, keepdim=}) */
static int reduce_spread(lua_State *L, const char *fn, bool root)
{
    Tensor *t = check_tensor(L, 1);
    DimArgs a;
    check_dims(L, 2, t, fn, true, &a);
    bool unbiased = flag_arg(L, &a, "unbiased", true);
    bool keepdim = flag_arg(L, &a, "keepdim", false);
    double correction = opt_number(L, a.opts, "correction", unbiased ? 1 : 0);
    Tensor *r = (root ? ag_std : ag_var)(t, a.ndims, a.dims, correction, keepdim);
    push_tensor(L, r);
    return 1;
}

static int l_var(lua_State *L) { return reduce_spread(L, "var", false); }
static int l_std(lua_State *L) { return reduce_spread(L, "std", true); }

/* The norm order: a number, or "fro" (2), "inf", "-inf". */
static double norm_order(lua_State *L, int i)
{
    if (lua_type(L, i) == LUA_TNUMBER)
        return lua_tonumber(L, i);
    const char *s = lua_tostring(L, i);
    if (s && strcmp(s, "fro") == 0)
        return 2;
    if (s && (strcmp(s, "inf") == 0 || strcmp(s, "-inf") == 0))
        return s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    return luaL_error(L, "norm: p must be a number, \"fro\", \"inf\" or \"-inf\", got %s",
                      s ? s : luaL_typename(L, i));
}

static int l_norm(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    bool positional = lua_type(L, 2) == LUA_TNUMBER || lua_type(L, 2) == LUA_TSTRING;
    double p = positional ? norm_order(L, 2) : 2;
    DimArgs a;
    check_dims(L, positional ? 3 : 2, t, "norm", true, &a);
    if (!positional && a.opts) {
        lua_getfield(L, a.opts, "p");
        p = lua_isnil(L, -1) ? 2 : norm_order(L, lua_gettop(L));
        lua_pop(L, 1);
    }
    bool keepdim = flag_arg(L, &a, "keepdim", false);
    push_tensor(L, ag_norm(t, p, a.ndims, a.dims, keepdim));
    return 1;
}

/* ---- values and positions ---------------------------------------------------- */

static int push_pair(lua_State *L, Tensor *values, Tensor *indices)
{
    push_tensor(L, values);
    push_positions(L, indices);
    return 2;
}

typedef int (*ArgDimFn)(const Tensor *, int, bool, Tensor **, Tensor **);

/* x:max() -> value; x:max(dim) -> values, positions; x:max(y) -> torch.maximum(x, y). */
static int reduce_extreme(lua_State *L, const char *fn, Tensor *(*all)(const Tensor *),
                          ArgDimFn along, const char *elementwise)
{
    Tensor *t = check_tensor(L, 1);
    if (test_tensor(L, 2)) {
        luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
        lua_getfield(L, -1, "torch");
        if (lua_getfield(L, -1, elementwise) != LUA_TFUNCTION)
            return luaL_error(L, "%s: comparing two tensors needs torch.%s", fn, elementwise);
        lua_pushvalue(L, 1);
        lua_pushvalue(L, 2);
        lua_call(L, 2, 1);
        return 1;
    }
    DimArgs a;
    check_dims(L, 2, t, fn, false, &a);
    bool keepdim = flag_arg(L, &a, "keepdim", false);
    if (a.ndims == 0) {
        push_tensor(L, all(t));
        return 1;
    }
    Tensor *values, *indices;
    if (along(t, a.dims[0], keepdim, &values, &indices) < 0)
        return raise_tensor_error(L);
    return push_pair(L, values, indices);
}

static int l_max(lua_State *L)
{
    return reduce_extreme(L, "max", ag_max, ag_max_dim, "maximum");
}

static int l_min(lua_State *L)
{
    return reduce_extreme(L, "min", ag_min, ag_min_dim, "minimum");
}

static int reduce_position(lua_State *L, const char *fn,
                           Tensor *(*f)(const Tensor *, const int *, bool))
{
    Tensor *t = check_tensor(L, 1);
    DimArgs a;
    check_dims(L, 2, t, fn, false, &a);
    bool keepdim = flag_arg(L, &a, "keepdim", false);
    push_positions(L, f(t, a.ndims ? a.dims : NULL, keepdim));
    return 1;
}

static int l_argmax(lua_State *L) { return reduce_position(L, "argmax", tensor_argmax); }
static int l_argmin(lua_State *L) { return reduce_position(L, "argmin", tensor_argmin); }

/* ---- along one dim, same shape out ------------------------------------------ */

/* The one dim at argument 2 (or opts.dim), required, 0-based. */
static int required_dim(lua_State *L, const Tensor *t, const char *fn, DimArgs *a)
{
    check_dims(L, 2, t, fn, false, a);
    if (a->ndims == 0)
        luaL_error(L, "%s: a dim is required, e.g. x:%s(-1) for the last one", fn, fn);
    return a->dims[0];
}

static int along_dim(lua_State *L, const char *fn, Tensor *(*f)(const Tensor *, int))
{
    Tensor *t = check_tensor(L, 1);
    DimArgs a;
    int d = required_dim(L, t, fn, &a);
    Tensor *x = input_as(L, t, a.opts, fn);
    Tensor *r = x ? f(x, d) : NULL;
    tensor_release(x);
    push_tensor(L, r);
    return 1;
}

static int l_cumsum(lua_State *L) { return along_dim(L, "cumsum", ag_cumsum); }
static int l_cumprod(lua_State *L) { return along_dim(L, "cumprod", ag_cumprod); }
static int l_softmax(lua_State *L) { return along_dim(L, "softmax", ag_softmax); }
static int l_log_softmax(lua_State *L) { return along_dim(L, "log_softmax", ag_log_softmax); }

/* The dim of sort/topk: argument i or opts.dim, the last dim by default. */
static int sort_dim(lua_State *L, int i, const Tensor *t, const char *fn, DimArgs *a)
{
    check_dims(L, i, t, fn, false, a);
    return a->ndims ? a->dims[0] : (t->ndim > 0 ? t->ndim - 1 : 0);
}


static int l_sort(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *values, *indices;
    DimArgs a;
    int d = sort_dim(L, 2, t, "sort", &a);
    bool descending = flag_arg(L, &a, "descending", false);
    if (ag_sort(t, d, descending, &values, &indices) < 0)
        return raise_tensor_error(L);
    return push_pair(L, values, indices);
}

static int l_argsort(lua_State *L)
{
    l_sort(L);
    return 1;
}

static int l_topk(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *values, *indices;
    lua_Integer k = luaL_checkinteger(L, 2);
    DimArgs a;
    int d = sort_dim(L, 3, t, "topk", &a);
    bool largest = flag_arg(L, &a, "largest", true);
    flag_arg(L, &a, "sorted", true);   /* results always come sorted */
    if (ag_topk(t, (int64_t)k, d, largest, &values, &indices) < 0)
        return raise_tensor_error(L);
    return push_pair(L, values, indices);
}

static int l_unique(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *values, *inverse = NULL, *counts = NULL;
    int opts = has_options(L, 2) ? 2 : 0;
    if (opts) {
        lua_getfield(L, opts, "dim");
        if (!lua_isnil(L, -1))
            return luaL_error(L, "unique: dim is not supported; unique works on the "
                              "flattened tensor");
        lua_pop(L, 1);
    }
    bool want_inverse = opt_bool(L, opts, "return_inverse", false);
    bool want_counts = opt_bool(L, opts, "return_counts", false);
    if (tensor_unique(t, &values, want_inverse ? &inverse : NULL, want_counts ? &counts : NULL) < 0)
        return raise_tensor_error(L);
    push_tensor(L, values);
    if (want_inverse)
        push_positions(L, inverse);
    if (want_counts)
        push_tensor(L, counts);
    return 1 + want_inverse + want_counts;
}

static const BindFn reduce_functions[] = {
    {"sum", l_sum,
     "torch.sum(x, [dim or {dims}], {keepdim=, dtype=}) or x:sum(...)",
     "The sum over all elements, or over dim(s). Integers and bools sum to int64; float32 adds"
     " in double.",
     "local x = torch.tensor({{1, 2, 3}, {4, 5, 6}})\nprint(x:sum())\n"
     "print(torch.sum(x, 2, {keepdim = true}))  -- dim 2: along each row"},
    {"mean", l_mean,
     "torch.mean(x, [dim or {dims}], {keepdim=, dtype=}) or x:mean(...)",
     "The mean over all elements or dim(s); needs a floating input (or {dtype=}). Mean of "
     "nothing is nan.",
     "local x = torch.tensor({{1.0, 2, 3}, {4, 5, 6}})\nprint(x:mean(), x:mean(1))\n"
     "print(torch.mean(torch.tensor({1, 2}), {dtype = \"float64\"}))  -- integers need a dtype"},
    {"prod", l_prod,
     "torch.prod(x, [dim], {keepdim=, dtype=}) or x:prod(...)",
     "The product over all elements or one dim. Integers and bools multiply to int64.",
     "print(torch.tensor({{1, 2, 3}, {4, 5, 6}}):prod(2))"},
    {"max", l_max,
     "torch.max(x, [dim], {keepdim=}) or x:max(...)",
     "Without dim, the largest element; with dim, the values and 1-based indices of the max "
     "along it. max(x, y) is torch.maximum. NaN counts as largest.",
     "local x = torch.tensor({{1.0, 5, 3}, {4, 2, 6}})\nprint(x:max())\n"
     "local values, indices = x:max(2)\nprint(values, indices)  -- indices count from 1"},
    {"min", l_min,
     "torch.min(x, [dim], {keepdim=}) or x:min(...)",
     "Without dim, the smallest element; with dim, the values and 1-based indices of the min "
     "along it. min(x, y) is torch.minimum.",
     "local x = torch.tensor({{1.0, 5, 3}, {4, 2, 6}})\nprint(x:min())\n"
     "print(torch.min(x, 1))  -- the values and their rows"},
    {"amax", l_amax,
     "torch.amax(x, [dim or {dims}], {keepdim=}) or x:amax(...)",
     "The largest values over dim(s), without indices; NaN propagates.",
     "local x = torch.tensor({{1.0, 5, 3}, {4, 2, 6}})\nprint(torch.amax(x, 2))\n"
     "print(x:amax({1, 2}))"},
    {"amin", l_amin,
     "torch.amin(x, [dim or {dims}], {keepdim=}) or x:amin(...)",
     "The smallest values over dim(s), without indices; NaN propagates.",
     "local x = torch.tensor({{1.0, 5, 3}, {4, 2, 6}})\nprint(torch.amin(x, 1))"},
    {"argmax", l_argmax,
     "torch.argmax(x, [dim], {keepdim=}) or x:argmax(...)",
     "The 1-based index of the first max along dim, or the flat row-major index over all "
     "elements.",
     "local x = torch.tensor({{1.0, 5, 3}, {4, 2, 6}})\n"
     "print(x:argmax(), x:argmax(2))  -- flat over all, then per row"},
    {"argmin", l_argmin,
     "torch.argmin(x, [dim], {keepdim=}) or x:argmin(...)",
     "The 1-based index of the first min along dim, or the flat row-major index over all "
     "elements.",
     "local x = torch.tensor({{1.0, 5, 3}, {4, 2, 6}})\n"
     "print(torch.argmin(x), torch.argmin(x, 1, {keepdim = true}))"},
    {"var", l_var,
     "torch.var(x, [dim or {dims}], [unbiased], {correction=1, unbiased=, keepdim=}) or x:var(...)",
     "The variance, dividing by N - correction (1: unbiased by default; 0 or unbiased = false:"
     " population).",
     "local x = torch.tensor({1.0, 2, 3, 4})\n"
     "print(x:var(), x:var({unbiased = false}))  -- divides by N - 1, then by N"},
    {"std", l_std,
     "torch.std(x, [dim or {dims}], [unbiased], {correction=1, unbiased=, keepdim=}) or x:std(...)",
     "The standard deviation: the square root of var with the same options.",
     "local x = torch.tensor({{1.0, 5}, {3, 3}})\nprint(torch.std(x, 2))\n"
     "print(x:std({correction = 0}))"},
    {"norm", l_norm,
     "torch.norm(x, [p=2], [dim or {dims}], {keepdim=}) or x:norm(...)",
     "The vector p-norm (sum |x|^p)^(1/p); p may be 1, 2, math.huge (max |x|), -math.huge, 0 "
     "(count of nonzeros), \"fro\".",
     "local x = torch.tensor({3.0, -4})\nprint(x:norm(), x:norm(1), x:norm(math.huge))"},
    {"logsumexp", l_logsumexp,
     "torch.logsumexp(x, [dim or {dims}], {keepdim=}) or x:logsumexp(...)",
     "log(sum(exp(x))) over dim(s), computed stably by subtracting the max first.",
     "local x = torch.tensor({1000.0, 1000})\n"
     "print(x:logsumexp(1))  -- 1000 + log 2, though exp(1000) overflows"},
    {"all", l_all,
     "torch.all(x, [dim or {dims}], {keepdim=}) or x:all(...)",
     "True where every element is nonzero (bool; uint8 for uint8 input).",
     "local x = torch.tensor({{true, false}, {true, true}})\nprint(x:all(), x:all(2))"},
    {"any", l_any,
     "torch.any(x, [dim or {dims}], {keepdim=}) or x:any(...)",
     "True where some element is nonzero (bool; uint8 for uint8 input).",
     "print(torch.tensor({0, 0, 3}):any(), torch.tensor({{0, 1}, {0, 0}}):any(2))"},
    {"cumsum", l_cumsum,
     "torch.cumsum(x, dim, {dtype=}) or x:cumsum(dim)",
     "Running sums along dim. Integers and bools give int64.",
     "print(torch.arange(1, 5):cumsum(1))\nprint(torch.cumsum(torch.ones(2, 3), 2))"},
    {"cumprod", l_cumprod,
     "torch.cumprod(x, dim, {dtype=}) or x:cumprod(dim)",
     "Running products along dim. Integers and bools give int64.",
     "print(torch.arange(1, 6):cumprod(1))  -- factorials"},
    {"softmax", l_softmax,
     "torch.softmax(x, dim, {dtype=}) or x:softmax(dim)",
     "exp(x) / sum(exp(x)) along dim, computed stably (the max is subtracted first).",
     "local x = torch.tensor({{1.0, 2, 3}, {1, 1, 1}})\nprint(x:softmax(2))  -- each row sums to 1"},
    {"log_softmax", l_log_softmax,
     "torch.log_softmax(x, dim, {dtype=}) or x:log_softmax(dim)",
     "log(softmax(x)) along dim, computed as x - max - log(sum(exp(x - max))).",
     "print(torch.log_softmax(torch.tensor({1.0, 2, 3}), 1))"},
    {"sort", l_sort,
     "torch.sort(x, [dim=-1], [descending], {dim=, descending=}) or x:sort(...)",
     "Sorted values and their 1-based indices along dim; stable (equal values keep their "
     "order), NaN last.",
     "local x = torch.tensor({3, 1, 2})\nlocal values, indices = x:sort()\nprint(values, indices)\n"
     "print(x:sort({descending = true}))"},
    {"argsort", l_argsort,
     "torch.argsort(x, [dim=-1], [descending], {dim=, descending=}) or x:argsort(...)",
     "The 1-based indices that sort x along dim (the second result of sort).",
     "local x = torch.tensor({30, 10, 20})\nprint(torch.argsort(x), x:argsort({descending = true}))"},
    {"topk", l_topk,
     "torch.topk(x, k, [dim=-1], [largest], {dim=, largest=true, sorted=true}) or x:topk(...)",
     "The k largest (or smallest) values along dim, sorted, and their 1-based indices.",
     "local x = torch.tensor({1, 9, 3, 7})\nlocal values, indices = torch.topk(x, 2)\n"
     "print(values, indices)\nprint(x:topk(1, {largest = false}))"},
    {"unique", l_unique,
     "torch.unique(x, {sorted=true, return_inverse=, return_counts=}) or x:unique(...)",
     "The distinct values of x flattened, ascending; then, if asked, the 1-based index of each"
     " element's value (x's shape) and the count of each value.",
     "local x = torch.tensor({3, 1, 2, 1})\n"
     "print(x:unique({return_inverse = true, return_counts = true}))  -- values, inverse, counts"},
    {NULL, NULL, NULL, NULL},
};

void bind_reduce(lua_State *L)
{
    bind_functions(L, -1, reduce_functions);
    bind_methods(L, reduce_functions);
}
