/*
 * bind_tensor.c — the Tensor userdata: its metatable, attributes
 * (x.shape, x.dtype, ...), the argument helpers every binding shares, and
 * the bookkeeping that lets Lua's collector see tensor memory.
 *
 * Lua's GC only counts the small userdata, not the storage behind it, so a
 * loop making 4 MB temporaries would grow without bound (Torch7's users
 * called collectgarbage() in every loop until TH counted its heap).  Here
 * every new tensor compares the bytes held by all storages with two marks:
 * - GC_STEP_BYTES more than after the last collector step: a step (a minor
 *   collection, in the generational mode main.c sets) frees the young dead
 *   temporaries, so the next ones reuse their warm memory (the storage
 *   cache) instead of faulting in fresh pages: a loop of 1024x1024 matmuls
 *   spent 18% of its time clearing new pages when dead results waited for
 *   the full collection below;
 * - twice what was left after the last full collection (and GC_SLACK_BYTES
 *   more): a full collection, which also frees the old objects a minor one
 *   leaves alone.
 * A failed allocation collects and retries once (storage_set_reclaim_hook).
 */
#include <stdatomic.h>
#include <string.h>

#include "vm/bind_tensor.h"

#define GC_SLACK_BYTES ((size_t)64 << 20)
#define GC_STEP_BYTES ((size_t)16 << 20)

/* The two marks are process-wide, like the byte count they are compared
 * with (storage.c counts every storage of the process, and its reclaim hook
 * is one per process too).  Reading them costs nothing, where a lookup in
 * the registry on every new tensor was a tenth of the cost of `a + b` on
 * small tensors.  L, for the reclaim hook, is the main thread, which
 * outlives every coroutine that allocates. */
static size_t bytes_after_collect, bytes_after_step;

typedef struct {
    lua_State *L;
} GcState;

static char gc_state_key;

static void collect_garbage(lua_State *L)
{
    lua_gc(L, LUA_GCCOLLECT);
    bytes_after_collect = bytes_after_step = storage_live_bytes();
}

static void reclaim_hook(void *ctx)
{
    collect_garbage(((GcState *)ctx)->L);
}

static void account_allocation(lua_State *L)
{
    size_t live = storage_live_bytes();
    if (live > 2 * bytes_after_collect + GC_SLACK_BYTES) {
        collect_garbage(L);
    } else if (live > bytes_after_step + GC_STEP_BYTES) {
        lua_gc(L, LUA_GCSTEP, 0);
        bytes_after_step = storage_live_bytes();
    } else if (live < bytes_after_step) {
        bytes_after_step = live;   /* tensors freed since: count from the lower mark */
    }
}

/* ---- the userdata ---------------------------------------------------------- */

/* The metatable is also kept at a pointer key: fetching it by the name
 * "Tensor" interns a string on every call, a good part of the cost of an op
 * on a tiny tensor. */
static char tensor_mt_key;

void push_tensor_metatable(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &tensor_mt_key);
}

/* The Tensor metatable's address as last confirmed in the registry.  A type
 * check compares a userdata's metatable with it, one pointer compare, and
 * looks in the registry only when they differ (the first check, or another
 * Lua state in the process): a stale hint costs a lookup, never a wrong
 * answer.  A closing state clears it (gc_state_close runs after every
 * tensor's __gc, before any table is freed), so no freed table's address
 * can be taken for a live metatable.  A check this cheap is what lets every
 * binding take its tensors through check_tensor. */
static _Atomic(const void *) tensor_mt_seen;

/* The userdata slot at i when it is a Tensor userdata, else NULL. */
static Tensor **tensor_slot(lua_State *L, int i)
{
    if (lua_type(L, i) != LUA_TUSERDATA || !lua_getmetatable(L, i))
        return NULL;
    const void *mt = lua_topointer(L, -1);
    bool ok = mt == atomic_load_explicit(&tensor_mt_seen, memory_order_relaxed);
    if (!ok) {
        push_tensor_metatable(L);
        ok = lua_rawequal(L, -1, -2);
        lua_pop(L, 1);
        if (ok)
            atomic_store_explicit(&tensor_mt_seen, mt, memory_order_relaxed);
    }
    lua_pop(L, 1);
    return ok ? lua_touserdata(L, i) : NULL;
}

bool is_tensor(lua_State *L, int i)
{
    return tensor_slot(L, i) != NULL;
}

Tensor *test_tensor(lua_State *L, int i)
{
    Tensor **p = tensor_slot(L, i);
    return p ? *p : NULL;
}

Tensor *check_tensor(lua_State *L, int i)
{
    Tensor **p = tensor_slot(L, i);
    if (p == NULL)
        luaL_typeerror(L, i, TENSOR_MT);
    if (*p == NULL)
        luaL_argerror(L, i, "tensor was closed");
    return *p;
}

int raise_tensor_error(lua_State *L)
{
    lua_pushstring(L, tensor_error());
    return lua_error(L);
}

int raise_tensor_error_in(lua_State *L, const char *fn)
{
    const char *msg = tensor_error();
    size_t n = strlen(fn);
    if (strncmp(msg, fn, n) == 0 && msg[n] == ':')
        return raise_tensor_error(L);
    return luaL_error(L, "%s: %s", fn, msg);
}

void push_tensor(lua_State *L, Tensor *t)
{
    if (t == NULL)
        raise_tensor_error(L);
    Tensor **p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = t;
    push_tensor_metatable(L);
    lua_setmetatable(L, -2);
    account_allocation(L);
}

/* __gc and __close: the one place a userdata lets go of its tensor. */
static int tensor_gc(lua_State *L)
{
    Tensor **p = tensor_slot(L, 1);
    if (p == NULL)
        return luaL_typeerror(L, 1, TENSOR_MT);
    Tensor *t = *p;
    *p = NULL;
    if (t)
        tensor_release(t);
    return 0;
}

DType scalar_arg(lua_State *L, int i, const Tensor *like, double *value)
{
    ScalarKind kind;
    if (lua_isboolean(L, i))
        kind = SCALAR_BOOL;
    else if (lua_isinteger(L, i))
        kind = SCALAR_INT;
    else if (lua_type(L, i) == LUA_TNUMBER)
        kind = SCALAR_FLOAT;
    else
        return (DType)luaL_typeerror(L, i, "Tensor or number");
    *value = kind == SCALAR_BOOL ? lua_toboolean(L, i) : lua_tonumber(L, i);
    /* PyTorch computes `x + 1.5` in x's dtype when x is floating: the number
     * is converted once, to the result dtype, and never loses precision first. */
    return like ? dtype_result_with_scalar(like->dtype, kind) : dtype_of_scalar(kind);
}

Tensor *to_tensor_arg(lua_State *L, int i, const Tensor *like)
{
    if (is_tensor(L, i)) {
        Tensor *t = check_tensor(L, i);
        tensor_retain(t);
        return t;
    }
    double v;
    DType dt = scalar_arg(L, i, like, &v);
    Tensor *t = tensor_scalar(v, dt);
    if (t == NULL)
        raise_tensor_error(L);
    return t;
}

/* ---- argument helpers ------------------------------------------------------- */

int wrap_dim(lua_State *L, lua_Integer d, int ndim, const char *fn)
{
    int n = ndim > 0 ? ndim : 1;          /* a 0-dim tensor accepts dim 1 / -1 */
    if (d == 0 || d > n || d < -n)
        return luaL_error(L, "%s: dim %d out of range for a %d-dim tensor (dims are 1..%d, or -1 for the last)",
                          fn, (int)d, ndim, n);
    return d > 0 ? (int)d - 1 : (int)(n + d);
}

int check_dim(lua_State *L, int arg, int ndim, const char *fn)
{
    return wrap_dim(L, luaL_checkinteger(L, arg), ndim, fn);
}

bool has_options(lua_State *L, int i)
{
    return lua_type(L, i) == LUA_TTABLE;
}

/* The size on top of the stack, for dim `dim` (1-based, for the message). */
static int64_t check_size_value(lua_State *L, int dim, const char *fn)
{
    int isnum;
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum)
        luaL_error(L, "%s: size of dim %d must be an integer, got %s", fn, dim, luaL_typename(L, -1));
    return (int64_t)v;
}

/* A size table is any table that is not a tensor: {2, 3}, or {} for 0-dim
 * (an options table holds no sizes, so it also reads as 0-dim). */
int check_shape(lua_State *L, int first, int64_t *shape, const char *fn)
{
    int n = 0;
    if (has_options(L, first)) {
        n = (int)lua_rawlen(L, first);
        if (n > TENSOR_MAX_DIMS)
            luaL_error(L, "%s: %d dims given, at most %d are supported", fn, n, TENSOR_MAX_DIMS);
        for (int d = 0; d < n; d++) {
            lua_rawgeti(L, first, d + 1);
            shape[d] = check_size_value(L, d + 1, fn);
            lua_pop(L, 1);
        }
        return n;
    }
    for (int i = first; lua_type(L, i) == LUA_TNUMBER; i++) {
        if (n == TENSOR_MAX_DIMS)
            luaL_error(L, "%s: more than %d dims given", fn, TENSOR_MAX_DIMS);
        lua_pushvalue(L, i);
        shape[n] = check_size_value(L, n + 1, fn);
        lua_pop(L, 1);
        n++;
    }
    return n;
}

DType opt_dtype(lua_State *L, int opts, DType def, const char *fn)
{
    if (opts == 0 || !has_options(L, opts))
        return def;
    lua_getfield(L, opts, "dtype");
    DType dt = def;
    if (!lua_isnil(L, -1)) {
        const char *name = lua_tostring(L, -1);
        int found = name ? dtype_from_name(name) : -1;
        if (found < 0)
            luaL_error(L, "%s: unknown dtype '%s' (use float32, float64, int64, uint8 or bool)", fn,
                       name ? name : luaL_typename(L, -1));
        dt = (DType)found;
    }
    lua_pop(L, 1);
    return dt;
}

bool opt_bool(lua_State *L, int opts, const char *key, bool def)
{
    if (opts == 0 || !has_options(L, opts))
        return def;
    lua_getfield(L, opts, key);
    bool v = lua_isnil(L, -1) ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

double opt_number(lua_State *L, int opts, const char *key, double def)
{
    if (opts == 0 || !has_options(L, opts))
        return def;
    lua_getfield(L, opts, key);
    double v = def;
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1))
            luaL_error(L, "option '%s' must be a number, got %s", key, luaL_typename(L, -1));
        v = lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

/* ---- attributes and methods ------------------------------------------------- */

static void push_shape_table(lua_State *L, const Tensor *t)
{
    lua_createtable(L, t->ndim, 0);
    for (int d = 0; d < t->ndim; d++) {
        lua_pushinteger(L, t->shape[d]);
        lua_rawseti(L, -2, d + 1);
    }
}

/* x.key: a method from the method table, else an attribute: shape, dtype
 * and ndim here, the others from the __getters table (bind_autograd.c). */
static int tensor_index(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    if (!lua_isnil(L, -1))
        return 1;
    if (lua_type(L, 2) != LUA_TSTRING) {
        lua_settop(L, 2);
        return tensor_index_get(L);                  /* x[i], x[{i, {a, b}}] */
    }
    const char *key = lua_tostring(L, 2);
    if (strcmp(key, "shape") == 0)
        push_shape_table(L, t);
    else if (strcmp(key, "dtype") == 0)
        lua_pushstring(L, dtype_name(t->dtype));
    else if (strcmp(key, "ndim") == 0)
        lua_pushinteger(L, t->ndim);
    else if (lua_getfield(L, lua_upvalueindex(2), key) == LUA_TFUNCTION) {
        lua_pushvalue(L, 1);                          /* x.grad, x.requires_grad, ... */
        lua_call(L, 1, 1);
    } else
        lua_pushnil(L);
    return 1;
}

static int tensor_len(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (t->ndim == 0)
        return luaL_error(L, "#: a 0-dim tensor has no length (use x:item())");
    lua_pushinteger(L, t->shape[0]);
    return 1;
}

void bind_methods(lua_State *L, const BindFn *fns)
{
    push_tensor_metatable(L);
    lua_getfield(L, -1, "__methods");
    bind_functions(L, -1, fns);
    lua_pop(L, 2);
}

static int l_memory(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)storage_live_bytes());
    return 1;
}

static const BindFn memory_functions[] = {
    {"memory", l_memory, "torch.memory()", "The number of bytes held by all live tensor storages.",
     "collectgarbage()\nlocal before = torch.memory()\nlocal x = torch.zeros(1000, {dtype = \"float64\"})\n"
     "print(torch.memory() - before)  -- 8000 bytes"},
    {NULL, NULL, NULL, NULL},
};

/* When the state closes, the allocator must stop calling into it. */
static int gc_state_close(lua_State *L)
{
    storage_set_reclaim_hook(NULL, NULL);
    atomic_store(&tensor_mt_seen, NULL);
    return 0;
}

void bind_tensor(lua_State *L)
{
    GcState *g = lua_newuserdatauv(L, sizeof *g, 0);
    bytes_after_collect = bytes_after_step = storage_live_bytes();
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    g->L = lua_tothread(L, -1);
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, gc_state_close);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &gc_state_key);
    storage_set_reclaim_hook(reclaim_hook, g);

    if (luaL_newmetatable(L, TENSOR_MT)) {
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &tensor_mt_key);
        lua_newtable(L);                              /* methods */
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "__methods");
        lua_newtable(L);                              /* attribute getters */
        lua_pushvalue(L, -1);
        lua_setfield(L, -4, "__getters");
        lua_pushcclosure(L, tensor_index, 2);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, tensor_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, tensor_gc);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, tensor_len);
        lua_setfield(L, -2, "__len");
        lua_pushcfunction(L, tensor_index_set);
        lua_setfield(L, -2, "__newindex");
    }
    lua_pop(L, 1);
    bind_functions(L, -1, memory_functions);
}
