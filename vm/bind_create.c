/*
 * bind_create.c — making tensors: torch.tensor from nested Lua tables, the
 * filled constructors (zeros, ones, full, empty and their *_like forms),
 * ranges (arange, linspace, eye), random ones (rand, randn, randint,
 * randperm), the in-place random fillers, seeds and the default dtype.
 *
 * torch.tensor walks the nested table twice: once to learn the shape and the
 * dtype (bool, int64 or the default float, as PyTorch infers from Python
 * values) and to reject ragged or mixed input, once to store the values.
 *
 * Every constructor's options table may say {requires_grad = true}: the new
 * tensor is then a leaf that requires grad (floating dtypes only, as in
 * PyTorch).  The in-place random fills follow autograd's in-place rules
 * (autograd/op_random.c).
 */
#include <math.h>
#include <string.h>

#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

/* ---- a new tensor, and its requires_grad option ------------------------------- */

/* Pushes the new tensor t (NULL: raises the core's message), or releases it
 * and raises when the fill that made it failed (status != 0); then marks it
 * as a leaf that requires grad when the options at `opts` say so. */
static int push_new(lua_State *L, Tensor *t, int status, int opts, const char *fn)
{
    if (t == NULL)
        return raise_tensor_error_in(L, fn);
    if (status != 0) {
        tensor_release(t);
        return raise_tensor_error(L);
    }
    push_tensor(L, t);
    if (opt_bool(L, opts, "requires_grad", false) && ag_set_requires_grad(t, true) < 0)
        return raise_tensor_error_in(L, fn);
    return 1;
}

/* ---- torch.tensor ---------------------------------------------------------- */

typedef enum { KIND_NONE, KIND_BOOL, KIND_INT, KIND_FLOAT } ValueKind;

typedef struct {
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    ValueKind kind;
} Inferred;

static ValueKind leaf_kind(lua_State *L, int i)
{
    if (lua_isboolean(L, i))
        return KIND_BOOL;
    if (lua_isinteger(L, i))
        return KIND_INT;
    if (lua_type(L, i) == LUA_TNUMBER)
        return KIND_FLOAT;
    return KIND_NONE;
}

/* The shape follows the first element at each level. */
static void infer_shape(lua_State *L, int i, Inferred *inf)
{
    lua_pushvalue(L, i);
    inf->ndim = 0;
    while (lua_type(L, -1) == LUA_TTABLE) {
        if (inf->ndim == TENSOR_MAX_DIMS)
            luaL_error(L, "tensor: data nested deeper than %d levels", TENSOR_MAX_DIMS);
        int64_t n = (int64_t)lua_rawlen(L, -1);
        inf->shape[inf->ndim++] = n;
        if (n == 0)
            break;
        lua_rawgeti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
}

/* Checks every element against the shape; records the widest value kind. */
static void check_nested(lua_State *L, int depth, Inferred *inf)
{
    if (depth == inf->ndim) {
        ValueKind k = leaf_kind(L, -1);
        if (k == KIND_NONE)
            luaL_error(L, "tensor: expected numbers or booleans, got %s", luaL_typename(L, -1));
        if (inf->kind != KIND_NONE && (k == KIND_BOOL) != (inf->kind == KIND_BOOL))
            luaL_error(L, "tensor: cannot mix booleans and numbers");
        if (k > inf->kind)
            inf->kind = k;
        return;
    }
    if (lua_type(L, -1) != LUA_TTABLE || (int64_t)lua_rawlen(L, -1) != inf->shape[depth])
        luaL_error(L, "tensor: ragged nested table: expected a list of %d at depth %d",
                   (int)inf->shape[depth], depth + 1);
    luaL_checkstack(L, 2, "tensor: nesting too deep");
    for (int64_t k = 1; k <= inf->shape[depth]; k++) {
        lua_rawgeti(L, -1, k);
        check_nested(L, depth + 1, inf);
        lua_pop(L, 1);
    }
}

/* Stores the leaves in row-major order into contiguous `data`. */
static void store_nested(lua_State *L, int depth, const Inferred *inf, DType dt, char *data, int64_t *pos)
{
    if (depth == inf->ndim) {
        void *p = data + (*pos)++ * (int64_t)dtype_size(dt);
        if (dt == DTYPE_INT64 && lua_isinteger(L, -1))
            *(int64_t *)p = (int64_t)lua_tointeger(L, -1);       /* exact beyond 2^53 */
        else
            dtype_store(dt, p, lua_isboolean(L, -1) ? lua_toboolean(L, -1) : lua_tonumber(L, -1));
        return;
    }
    for (int64_t k = 1; k <= inf->shape[depth]; k++) {
        lua_rawgeti(L, -1, k);
        store_nested(L, depth + 1, inf, dt, data, pos);
        lua_pop(L, 1);
    }
}

static int l_tensor(lua_State *L)
{
    if (is_tensor(L, 1)) {
        Tensor *src = check_tensor(L, 1);
        return push_new(L, tensor_to_dtype(src, opt_dtype(L, 2, src->dtype, "tensor")), 0, 2, "tensor");
    }
    luaL_argexpected(L, lua_type(L, 1) == LUA_TTABLE || leaf_kind(L, 1) != KIND_NONE, 1,
                     "number, boolean or nested table");
    Inferred inf = {.kind = KIND_NONE};
    infer_shape(L, 1, &inf);
    lua_pushvalue(L, 1);
    check_nested(L, 0, &inf);
    static const DType natural[] = {DTYPE_FLOAT32, DTYPE_BOOL, DTYPE_INT64, DTYPE_FLOAT32};
    DType dt = inf.kind == KIND_FLOAT || inf.kind == KIND_NONE ? dtype_default() : natural[inf.kind];
    dt = opt_dtype(L, 2, dt, "tensor");
    Tensor *t = tensor_empty(inf.ndim, inf.shape, dt);
    if (t == NULL)
        return raise_tensor_error_in(L, "tensor");
    int64_t pos = 0;
    store_nested(L, 0, &inf, dt, tensor_data(t), &pos);
    lua_pop(L, 1);
    return push_new(L, t, 0, 2, "tensor");
}

/* ---- filled constructors ----------------------------------------------------- */

/* Reads `size...` from `first` and the options after it; returns a new tensor
 * filled with *value, or uninitialised when value is NULL. */
static int push_filled(lua_State *L, int first, const double *value, const char *fn)
{
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim = check_shape(L, first, shape, fn);
    int opts = lua_gettop(L);
    DType dt = opt_dtype(L, opts, dtype_default(), fn);
    bool zero = value && *value == 0;
    Tensor *t = zero ? tensor_zeros(ndim, shape, dt) : tensor_empty(ndim, shape, dt);
    if (t == NULL)
        return raise_tensor_error_in(L, fn);
    return push_new(L, t, value && !zero ? tensor_fill_(t, *value) : 0, opts, fn);
}

static int l_zeros(lua_State *L) { return push_filled(L, 1, &(double){0}, "zeros"); }
static int l_ones(lua_State *L) { return push_filled(L, 1, &(double){1}, "ones"); }
static int l_empty(lua_State *L) { return push_filled(L, 1, NULL, "empty"); }

/* torch.full(size, value, opts): size is a table; the value follows it. */
static int l_full(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double v = luaL_checknumber(L, 2);
    lua_remove(L, 2);
    return push_filled(L, 1, &v, "full");
}

/* The *_like family: shape of x, dtype of x unless opts.dtype says otherwise. */
static Tensor *new_like(lua_State *L, int opts, const char *fn)
{
    Tensor *x = check_tensor(L, 1);
    Tensor *t = tensor_empty(x->ndim, x->shape, opt_dtype(L, opts, x->dtype, fn));
    if (t == NULL)
        raise_tensor_error_in(L, fn);
    return t;
}

static int push_filled_like(lua_State *L, const double *value, int opts, const char *fn)
{
    Tensor *t = new_like(L, opts, fn);
    return push_new(L, t, value ? tensor_fill_(t, *value) : 0, opts, fn);
}

static int l_zeros_like(lua_State *L) { return push_filled_like(L, &(double){0}, 2, "zeros_like"); }
static int l_ones_like(lua_State *L) { return push_filled_like(L, &(double){1}, 2, "ones_like"); }
static int l_empty_like(lua_State *L) { return push_filled_like(L, NULL, 2, "empty_like"); }

static int l_full_like(lua_State *L)
{
    double v = luaL_checknumber(L, 2);
    return push_filled_like(L, &v, 3, "full_like");
}

/* ---- ranges ------------------------------------------------------------------- */

static int l_arange(lua_State *L)
{
    int nargs = 0;
    while (nargs < 3 && lua_type(L, nargs + 1) == LUA_TNUMBER)
        nargs++;
    luaL_argcheck(L, nargs >= 1, 1, "arange(end) or arange(start, end [, step]) expected");
    double start = nargs >= 2 ? lua_tonumber(L, 1) : 0;
    double end = lua_tonumber(L, nargs >= 2 ? 2 : 1);
    double step = nargs == 3 ? lua_tonumber(L, 3) : 1;
    bool all_int = true;
    for (int i = 1; i <= nargs; i++)
        all_int = all_int && lua_isinteger(L, i);
    if (step == 0 || !isfinite(start) || !isfinite(end) || !isfinite(step))
        return luaL_error(L, "arange: step must be nonzero and the bounds finite");
    if ((end - start) / step < 0)
        return luaL_error(L, "arange: upper bound and lower bound inconsistent with step sign");
    DType dt = opt_dtype(L, nargs + 1, all_int ? DTYPE_INT64 : dtype_default(), "arange");
    double count = ceil((end - start) / step);
    if (count > 0x1p62)
        return luaL_error(L, "arange: %f elements is too many", count);
    int64_t n = (int64_t)count;
    Tensor *t = tensor_empty(1, &n, dt);
    if (t == NULL)
        return raise_tensor_error_in(L, "arange");
    char *p = tensor_data(t);
    for (int64_t i = 0; i < n; i++)
        dtype_store(dt, p + i * (int64_t)dtype_size(dt), start + (double)i * step);
    return push_new(L, t, 0, nargs + 1, "arange");
}

static int l_linspace(lua_State *L)
{
    double start = luaL_checknumber(L, 1), end = luaL_checknumber(L, 2);
    lua_Integer steps = luaL_checkinteger(L, 3);
    luaL_argcheck(L, steps >= 0, 3, "number of steps must be non-negative");
    DType dt = opt_dtype(L, 4, dtype_default(), "linspace");
    int64_t n = steps;
    Tensor *t = tensor_empty(1, &n, dt);
    if (t == NULL)
        return raise_tensor_error_in(L, "linspace");
    char *p = tensor_data(t);
    /* PyTorch fills the first half from start and the second from end, so
     * both ends are exact. */
    double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
    for (int64_t i = 0; i < n; i++) {
        double v = i < n / 2 ? start + step * (double)i : end - step * (double)(n - 1 - i);
        dtype_store(dt, p + i * (int64_t)dtype_size(dt), v);
    }
    return push_new(L, t, 0, 4, "linspace");
}

static int l_eye(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    lua_Integer m = lua_isinteger(L, 2) ? lua_tointeger(L, 2) : n;
    int64_t shape[2] = {n, m};
    Tensor *t = tensor_zeros(2, shape, opt_dtype(L, lua_gettop(L), dtype_default(), "eye"));
    if (t == NULL)
        return raise_tensor_error_in(L, "eye");
    for (int64_t i = 0; i < n && i < m; i++) {
        int64_t idx[2] = {i, i};
        tensor_set(t, idx, 1);
    }
    return push_new(L, t, 0, lua_gettop(L), "eye");
}

/* ---- random tensors ----------------------------------------------------------- */

static Tensor *new_random_target(lua_State *L, int first, DType def, const char *fn)
{
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim = check_shape(L, first, shape, fn);
    Tensor *t = tensor_empty(ndim, shape, opt_dtype(L, lua_gettop(L), def, fn));
    if (t == NULL)
        raise_tensor_error_in(L, fn);
    return t;
}

static int l_rand(lua_State *L)
{
    Tensor *t = new_random_target(L, 1, dtype_default(), "rand");
    return push_new(L, t, tensor_uniform_(t, 0, 1), lua_gettop(L), "rand");
}

static int l_randn(lua_State *L)
{
    Tensor *t = new_random_target(L, 1, dtype_default(), "randn");
    return push_new(L, t, tensor_normal_(t, 0, 1), lua_gettop(L), "randn");
}

/* randint(high, size) or randint(low, high, size): low <= x < high. */
static int l_randint(lua_State *L)
{
    bool has_low = lua_type(L, 2) == LUA_TNUMBER;
    lua_Integer low = has_low ? luaL_checkinteger(L, 1) : 0;
    lua_Integer high = luaL_checkinteger(L, has_low ? 2 : 1);
    if (high <= low)
        return luaL_error(L, "randint: high (%d) must be greater than low (%d)", (int)high, (int)low);
    Tensor *t = new_random_target(L, has_low ? 3 : 2, DTYPE_INT64, "randint");
    return push_new(L, t, tensor_random_int_(t, low, high), lua_gettop(L), "randint");
}

static int l_rand_like(lua_State *L)
{
    Tensor *t = new_like(L, 2, "rand_like");
    return push_new(L, t, tensor_uniform_(t, 0, 1), 2, "rand_like");
}

static int l_randn_like(lua_State *L)
{
    Tensor *t = new_like(L, 2, "randn_like");
    return push_new(L, t, tensor_normal_(t, 0, 1), 2, "randn_like");
}

/* 1-based, like every index in luagrad: a permutation of 1..n. */
static int l_randperm(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 0, 1, "n must be non-negative");
    DType dt = opt_dtype(L, 2, DTYPE_INT64, "randperm");
    Tensor *t = tensor_randperm(n, DTYPE_INT64);
    if (t == NULL)
        return raise_tensor_error_in(L, "randperm");
    int64_t *p = tensor_data(t);
    for (int64_t i = 0; i < n; i++)
        p[i] += 1;
    if (dt != DTYPE_INT64) {
        Tensor *converted = tensor_to_dtype(t, dt);
        tensor_release(t);
        t = converted;
    }
    return push_new(L, t, 0, 2, "randperm");
}

static int l_uniform_(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (ag_uniform_(t, luaL_optnumber(L, 2, 0), luaL_optnumber(L, 3, 1)) != 0)
        return raise_tensor_error(L);
    lua_settop(L, 1);
    return 1;
}

static int l_normal_(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (ag_normal_(t, luaL_optnumber(L, 2, 0), luaL_optnumber(L, 3, 1)) != 0)
        return raise_tensor_error(L);
    lua_settop(L, 1);
    return 1;
}

static int l_bernoulli_(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    double p = luaL_optnumber(L, 2, 0.5);
    luaL_argcheck(L, p >= 0 && p <= 1, 2, "probability must be in [0, 1]");
    if (ag_bernoulli_(t, p) != 0)
        return raise_tensor_error(L);
    lua_settop(L, 1);
    return 1;
}

/* ---- seeds and defaults --------------------------------------------------------- */

static int l_manual_seed(lua_State *L)
{
    random_manual_seed((uint64_t)luaL_checkinteger(L, 1));
    return 0;
}

static int l_initial_seed(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)random_initial_seed());
    return 1;
}

/* The state as 16 uint8 bytes: the seed and the stream position, each a
 * little-endian uint64 (PyTorch's CPU state is also a uint8 tensor, of
 * mt19937's 5056 bytes; the two are not interchangeable). */
#define RNG_STATE_BYTES 16

static int l_get_rng_state(lua_State *L)
{
    uint64_t words[2];
    random_get_state(&words[0], &words[1]);
    Tensor *t = tensor_empty(1, (int64_t[]){RNG_STATE_BYTES}, DTYPE_UINT8);
    if (t) {
        unsigned char *b = tensor_data(t);
        for (int i = 0; i < RNG_STATE_BYTES; i++)
            b[i] = (unsigned char)(words[i / 8] >> (8 * (i % 8)));
    }
    push_tensor(L, t);
    return 1;
}

static int l_set_rng_state(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    char shape[64];
    if (t->dtype != DTYPE_UINT8 || t->ndim != 1 || t->shape[0] != RNG_STATE_BYTES)
        return luaL_error(L, "set_rng_state: expected the uint8 tensor of %d bytes that get_rng_state "
                          "returns, got %s %s", RNG_STATE_BYTES, dtype_name(t->dtype),
                          tensor_shape_str(t, shape, sizeof shape));
    uint64_t words[2] = {0, 0};
    for (int i = 0; i < RNG_STATE_BYTES; i++)
        words[i / 8] |= (uint64_t)tensor_get(t, (int64_t[]){i}) << (8 * (i % 8));
    random_set_state(words[0], words[1]);
    return 0;
}

static int l_set_default_dtype(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int dt = dtype_from_name(name);
    if (dt < 0 || dtype_set_default((DType)dt) != 0)
        return luaL_error(L, "set_default_dtype: only float32 and float64 can be the default, got '%s'", name);
    return 0;
}

static int l_get_default_dtype(lua_State *L)
{
    lua_pushstring(L, dtype_name(dtype_default()));
    return 1;
}

static int l_is_tensor(lua_State *L)
{
    lua_pushboolean(L, is_tensor(L, 1));
    return 1;
}

static const BindFn create_functions[] = {
    {"tensor", l_tensor, "torch.tensor(data, {dtype=, requires_grad=})",
     "A new tensor from a number, a boolean or nested tables of them (or a copy of a tensor). Integers give int64, "
     "booleans bool, other numbers the default dtype.",
     "print(torch.tensor({{1, 2}, {3, 4}}))\n"
     "print(torch.tensor({1.5, 2}, {dtype = \"float64\", requires_grad = true}))"},
    {"zeros", l_zeros, "torch.zeros(size..., {dtype=, requires_grad=})", "A tensor of zeros; size as numbers or one table.",
     "print(torch.zeros(2, 3))\nprint(torch.zeros({2}, {dtype = \"int64\"}))"},
    {"ones", l_ones, "torch.ones(size..., {dtype=, requires_grad=})", "A tensor of ones; size as numbers or one table.",
     "print(torch.ones(2, 2, {dtype = \"float64\"}))"},
    {"empty", l_empty, "torch.empty(size..., {dtype=, requires_grad=})", "A tensor whose values are not initialised.",
     "local x = torch.empty(2, 3)  -- to be filled, e.g. by x:uniform_()\n"
     "print(x:size(1), x:size(2), x.dtype)"},
    {"full", l_full, "torch.full(size, value, {dtype=, requires_grad=})",
     "A tensor of the given size (a table) filled with value, of the default dtype unless dtype says "
     "otherwise (PyTorch makes an integer value int64).",
     "print(torch.full({2, 3}, 0.5))"},
    {"zeros_like", l_zeros_like, "torch.zeros_like(x, {dtype=, requires_grad=})", "Zeros of x's shape and dtype.",
     "print(torch.zeros_like(torch.tensor({{1, 2}, {3, 4}})))"},
    {"ones_like", l_ones_like, "torch.ones_like(x, {dtype=, requires_grad=})", "Ones of x's shape and dtype.",
     "print(torch.ones_like(torch.tensor({1.5, 2, 3})))"},
    {"empty_like", l_empty_like, "torch.empty_like(x, {dtype=, requires_grad=})", "Uninitialised, of x's shape and dtype.",
     "local y = torch.empty_like(torch.zeros(4, 2, {dtype = \"int64\"}))\n"
     "print(y:size(1), y:size(2), y.dtype)"},
    {"full_like", l_full_like, "torch.full_like(x, value, {dtype=, requires_grad=})", "x's shape and dtype, filled with value.",
     "print(torch.full_like(torch.tensor({1, 2, 3}), 9))"},
    {"rand_like", l_rand_like, "torch.rand_like(x, {dtype=, requires_grad=})", "Uniform [0, 1) values of x's shape.",
     "torch.manual_seed(0)\nprint(torch.rand_like(torch.zeros(2, 2)))"},
    {"randn_like", l_randn_like, "torch.randn_like(x, {dtype=, requires_grad=})", "Standard normal values of x's shape.",
     "torch.manual_seed(0)\nprint(torch.randn_like(torch.zeros(2, 2)))"},
    {"arange", l_arange, "torch.arange([start,] end [, step], {dtype=, requires_grad=})",
     "Values from start (default 0) up to but excluding end, as PyTorch. All-integer arguments give int64.",
     "print(torch.arange(5))\nprint(torch.arange(1, 2, 0.25))"},
    {"linspace", l_linspace, "torch.linspace(start, end, steps, {dtype=, requires_grad=})",
     "steps values evenly spaced from start to end, both included.",
     "print(torch.linspace(0, 1, 5))"},
    {"eye", l_eye, "torch.eye(n [, m], {dtype=, requires_grad=})", "An n x m matrix with ones on the diagonal.",
     "print(torch.eye(3))\nprint(torch.eye(2, 3, {dtype = \"int64\"}))"},
    {"rand", l_rand, "torch.rand(size..., {dtype=, requires_grad=})", "Uniform random values in [0, 1).",
     "torch.manual_seed(0)\nprint(torch.rand(2, 3))"},
    {"randn", l_randn, "torch.randn(size..., {dtype=, requires_grad=})", "Standard normal random values.",
     "torch.manual_seed(0)\nprint(torch.randn(2, 3, {dtype = \"float64\"}))"},
    {"randint", l_randint, "torch.randint([low,] high, size, {dtype=, requires_grad=})",
     "Random integers with low <= x < high (low defaults to 0), as PyTorch; int64 by default.",
     "torch.manual_seed(0)\nprint(torch.randint(1, 7, {10}))  -- ten rolls of a die"},
    {"randperm", l_randperm, "torch.randperm(n, {dtype=, requires_grad=})",
     "A random permutation of 1..n (1-based, like every luagrad index).",
     "torch.manual_seed(0)\nprint(torch.randperm(5))"},
    {"manual_seed", l_manual_seed, "torch.manual_seed(seed)",
     "Seeds the random generator, making every random stream reproducible.",
     "torch.manual_seed(42)\nlocal a = torch.rand(3)\ntorch.manual_seed(42)\n"
     "print(a:eq(torch.rand(3)):all())  -- the same values again"},
    {"initial_seed", l_initial_seed, "torch.initial_seed()", "The seed the generator was last seeded with.",
     "torch.manual_seed(7)\nprint(torch.initial_seed())"},
    {"get_rng_state", l_get_rng_state, "torch.get_rng_state()",
     "The random generator's whole state as a uint8 tensor of 16 bytes (seed and stream position), for "
     "torch.set_rng_state.",
     "local state = torch.get_rng_state()\nprint(state.dtype, state:numel())"},
    {"set_rng_state", l_set_rng_state, "torch.set_rng_state(state)",
     "Restores a state from torch.get_rng_state: the random streams continue exactly from there.",
     "torch.manual_seed(0)\nlocal state = torch.get_rng_state()\nlocal a = torch.rand(2)\ntorch.set_rng_state(state)\n"
     "print(a, torch.rand(2))  -- the same values twice"},
    {"set_default_dtype", l_set_default_dtype, "torch.set_default_dtype(name)",
     "Sets the dtype of new floating tensors: \"float32\" (the default) or \"float64\".",
     "torch.set_default_dtype(\"float64\")\nprint(torch.tensor({1.5}).dtype)\n"
     "torch.set_default_dtype(\"float32\")"},
    {"get_default_dtype", l_get_default_dtype, "torch.get_default_dtype()", "The dtype of new floating tensors.",
     "print(torch.get_default_dtype())"},
    {"is_tensor", l_is_tensor, "torch.is_tensor(x)", "True when x is a tensor.",
     "print(torch.is_tensor(torch.zeros(1)), torch.is_tensor({1, 2}))"},
    {NULL, NULL, NULL, NULL},
};

static const BindFn random_methods[] = {
    {"uniform_", l_uniform_, "x:uniform_([from=0, to=1])", "Fills x with uniform values in [from, to); returns x.",
     "torch.manual_seed(0)\nprint(torch.empty(4):uniform_(-1, 1))"},
    {"normal_", l_normal_, "x:normal_([mean=0, std=1])", "Fills x with normal values; returns x.",
     "torch.manual_seed(0)\nprint(torch.empty(4):normal_(10, 0.1))"},
    {"bernoulli_", l_bernoulli_, "x:bernoulli_([p=0.5])", "Fills x with 1 with probability p, else 0; returns x.",
     "torch.manual_seed(0)\nprint(torch.empty(8):bernoulli_(0.25))"},
    {NULL, NULL, NULL, NULL},
};

void bind_create(lua_State *L)
{
    bind_functions(L, -1, create_functions);
    bind_methods(L, random_methods);
}
