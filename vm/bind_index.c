/*
 * bind_index.c — x[i], x[{i, {a, b}, {}}], x[mask], x[index] for reading and
 * writing, and the index-tensor ops (index_select, gather, scatter, index_add,
 * index_copy, index_fill, masked_select, masked_scatter, nonzero, take).
 *
 * Indexing follows Torch7 at the Lua level: a number selects (removing the
 * dim, a view), a table {a, b} is the inclusive range a..b, {a} is a..a
 * keeping the dim, {} is the whole dim; negative numbers count from the end.
 * A bool tensor key selects by mask (a copy) and an int64 tensor key picks
 * slices of dim 1 (a copy).  Index tensors are 1-based here and handed to the
 * core with base 1, so no conversion pass is needed; Lua lists of integers
 * are accepted wherever an index tensor is.  Views under construction live
 * on the Lua stack as userdata, so a Lua error midway leaks nothing.
 *
 * Everything is differentiable: views are taken with ag_select/ag_narrow,
 * the index-tensor ops are the ag_* ones (autograd/op_index.c), and writes
 * go through the view with ag_copy_/ag_fill_, so that an assignment into a
 * tensor with history, or of a tensor with history, is recorded (the base
 * of the view gets a CopySlices node, as in PyTorch).
 */
#include <string.h>

#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

/* ---- x[key] ------------------------------------------------------------------- */

/* A 1-based position along dim `dim` (1-based, for messages) of `size`. */
static int64_t index_position(lua_State *L, int i, int64_t size, int dim)
{
    int isint;
    lua_Integer v = lua_tointegerx(L, i, &isint);
    if (!isint)
        return luaL_error(L, "index: expected an integer index for dim %d, got %s", dim,
                          lua_tostring(L, i));
    if (v == 0 || v > size || v < -size)
        return luaL_error(L, "index: index %I out of range for dim %d of size %I (indices are "
                          "1..%I, or negative from the end)", v, dim, (lua_Integer)size,
                          (lua_Integer)size);
    return v > 0 ? v - 1 : size + v;
}

/* {a, b}, {a} or {} at the top of the stack as (start, length) of a dim of `size`. */
static void index_range(lua_State *L, int64_t size, int dim, int64_t *start, int64_t *length)
{
    int n = (int)lua_rawlen(L, -1);
    if (n > 2)
        luaL_error(L, "index: a range for dim %d is {first, last}, {index} or {}, got %d entries",
                   dim, n);
    if (n == 0) {
        *start = 0, *length = size;
        return;
    }
    lua_Integer ends[2];
    for (int k = 0; k < 2; k++) {
        lua_rawgeti(L, -1, k < n ? k + 1 : 1);
        int isint;
        ends[k] = lua_tointegerx(L, -1, &isint);
        if (!isint)
            luaL_error(L, "index: range ends for dim %d must be integers, got %s", dim,
                       luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    lua_Integer a = ends[0] < 0 ? ends[0] + size + 1 : ends[0];
    lua_Integer b = ends[1] < 0 ? ends[1] + size + 1 : ends[1];
    if (a < 1 || a > size + 1 || b < 0 || b > size || b < a - 1)
        luaL_error(L, "index: range {%I, %I} out of range for dim %d of size %I", ends[0], ends[1],
                   dim, (lua_Integer)size);
    *start = a - 1, *length = b - a + 1;
}

/* Pushes the view t[key] for a number or a Torch7 index table at `key`. */
static Tensor *push_index_view(lua_State *L, Tensor *t, int key)
{
    if (lua_type(L, key) == LUA_TNUMBER) {
        if (t->ndim == 0)
            luaL_error(L, "index: a 0-dim tensor cannot be indexed (use x:item())");
        push_tensor(L, ag_select(t, 0, index_position(L, key, t->shape[0], 1)));
        return check_tensor(L, -1);
    }
    if (lua_type(L, key) != LUA_TTABLE)
        luaL_error(L, "index: expected an integer, a table of ranges or a tensor as index, got %s",
                   luaL_typename(L, key));
    int n = (int)lua_rawlen(L, key);
    if (n > t->ndim)
        luaL_error(L, "index: %d indices given for a %d-dim tensor", n, t->ndim);
    /* x[{}]: a view of the whole tensor, recorded like the others. */
    push_tensor(L, t->ndim > 0 ? ag_narrow(t, 0, 0, t->shape[0]) : ag_view(t, 0, NULL));
    for (int i = 1, dim = 0; i <= n; i++) {
        Tensor *v = check_tensor(L, -1), *next;
        lua_rawgeti(L, key, i);
        if (lua_type(L, -1) == LUA_TNUMBER) {
            next = ag_select(v, dim, index_position(L, -1, v->shape[dim], i));
        } else if (lua_type(L, -1) == LUA_TTABLE) {
            int64_t start, length;
            index_range(L, v->shape[dim], i, &start, &length);
            next = ag_narrow(v, dim++, start, length);
        } else {
            luaL_error(L, "index: entry %d of the index table must be a number or a range "
                       "table, got %s", i, luaL_typename(L, -1));
            return NULL;
        }
        lua_pop(L, 1);
        push_tensor(L, next);
        lua_replace(L, -2);
    }
    return check_tensor(L, -1);
}

int tensor_index_get(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *key = test_tensor(L, 2);
    if (key && key->dtype == DTYPE_BOOL)
        push_tensor(L, ag_masked_select(t, key));
    else if (key)
        push_tensor(L, ag_index_select(t, 0, key, 1));
    else
        push_index_view(L, t, 2);
    return 1;
}

/* x.name = v for string keys: a function in the metatable's __setters table
 * (for attributes such as requires_grad), else an error. */
static int set_field(lua_State *L)
{
    push_tensor_metatable(L);
    if (lua_getfield(L, -1, "__setters") == LUA_TTABLE) {
        lua_pushvalue(L, 2);
        if (lua_gettable(L, -2) == LUA_TFUNCTION) {
            lua_pushvalue(L, 1);
            lua_pushvalue(L, 3);
            lua_call(L, 2, 0);
            return 0;
        }
    }
    return luaL_error(L, "Tensor: field '%s' cannot be assigned", lua_tostring(L, 2));
}

/* A number or boolean standing for a value of any dtype. */
static double check_value(lua_State *L, int i, const char *fn)
{
    if (lua_isboolean(L, i))
        return lua_toboolean(L, i);
    if (lua_type(L, i) != LUA_TNUMBER)
        luaL_error(L, "%s: expected a number or a tensor as value, got %s", fn,
                   luaL_typename(L, i));
    return lua_tonumber(L, i);
}

/* x[mask] = v fills (a number, or one element) or scatters (a tensor);
 * x[index] = v fills or copies whole slices of dim 1, v broadcast to them. */
static void set_by_tensor(lua_State *L, Tensor *t, Tensor *key)
{
    Tensor *v = test_tensor(L, 3);
    int status;
    if (key->dtype == DTYPE_BOOL) {
        Tensor *value = to_tensor_arg(L, 3, t);
        status = ag_index_put_mask_(t, key, value);
        tensor_release(value);
    } else if (!v) {
        status = ag_index_fill_(t, 0, key, check_value(L, 3, "index"), 1);
    } else {
        if (t->ndim == 0)
            luaL_error(L, "index: a 0-dim tensor cannot be indexed (use x:item())");
        int64_t shape[TENSOR_MAX_DIMS];
        memcpy(shape, t->shape, sizeof shape);
        shape[0] = tensor_numel(key);
        Tensor *e = ag_expand(v, t->ndim, shape);
        Tensor *src = e ? ag_to_dtype(e, t->dtype) : NULL;
        status = src ? ag_index_copy_(t, 0, key, src, 1) : -1;
        tensor_release(src), tensor_release(e);
    }
    if (status < 0)
        raise_tensor_error_in(L, "index");
}

int tensor_index_set(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *key = test_tensor(L, 2);
    if (lua_type(L, 2) == LUA_TSTRING)
        return set_field(L);
    if (key) {
        set_by_tensor(L, t, key);
        return 0;
    }
    Tensor *dst = push_index_view(L, t, 2), *src = test_tensor(L, 3);
    int status = src ? ag_copy_(dst, src) : ag_fill_(dst, check_value(L, 3, "index"));
    if (status < 0)
        raise_tensor_error_in(L, "index");
    return 0;
}

/* ---- the index-tensor ops --------------------------------------------------------- */

/* A Lua list (possibly nested) at `arg` becomes an int64 tensor in its place. */
static Tensor *check_index(lua_State *L, int arg)
{
    if (lua_type(L, arg) == LUA_TTABLE && !test_tensor(L, arg)) {
        luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
        lua_getfield(L, -1, "torch");
        lua_getfield(L, -1, "tensor");
        lua_pushvalue(L, arg);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "int64");
        lua_setfield(L, -2, "dtype");
        lua_call(L, 2, 1);
        lua_replace(L, arg);
        lua_pop(L, 2);
    }
    return check_tensor(L, arg);
}

/* The result of an op: in place, x itself (status says whether it worked);
 * out of place, the new tensor `out` (NULL: it failed). */
static int finish(lua_State *L, bool in_place, int status, Tensor *out, const char *fn)
{
    if (in_place ? status < 0 : !out)
        return raise_tensor_error_in(L, fn);
    if (in_place)
        lua_settop(L, 1);
    else
        push_tensor(L, out);
    return 1;
}

static int l_index_select(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int d = check_dim(L, 2, t->ndim, "index_select");
    push_tensor(L, ag_index_select(t, d, check_index(L, 3), 1));
    return 1;
}

static int l_gather(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int d = check_dim(L, 2, t->ndim, "gather");
    push_tensor(L, ag_gather(t, d, check_index(L, 3), 1));
    return 1;
}

static int l_take(lua_State *L)
{
    push_tensor(L, ag_take(check_tensor(L, 1), check_index(L, 2), 1));
    return 1;
}

static int scatter(lua_State *L, bool in_place, bool add)
{
    const char *fn = add ? (in_place ? "scatter_add_" : "scatter_add")
                         : (in_place ? "scatter_" : "scatter");
    Tensor *t = check_tensor(L, 1);
    int d = check_dim(L, 2, t->ndim, fn);
    Tensor *index = check_index(L, 3), *src = test_tensor(L, 4), *out = NULL;
    if (add && !src)
        luaL_checkudata(L, 4, TENSOR_MT);
    double value = src ? 0 : check_value(L, 4, fn);
    int status = 0;
    if (in_place)
        status = add ? ag_scatter_add_(t, d, index, src, 1)
                 : src ? ag_scatter_(t, d, index, src, 1)
                       : ag_scatter_value_(t, d, index, value, 1);
    else
        out = add ? ag_scatter_add(t, d, index, src, 1)
              : src ? ag_scatter(t, d, index, src, 1)
                    : ag_scatter_value(t, d, index, value, 1);
    return finish(L, in_place, status, out, fn);
}

static int l_scatter(lua_State *L) { return scatter(L, false, false); }
static int l_scatter_(lua_State *L) { return scatter(L, true, false); }
static int l_scatter_add(lua_State *L) { return scatter(L, false, true); }
static int l_scatter_add_(lua_State *L) { return scatter(L, true, true); }

typedef enum { SLICES_ADD, SLICES_COPY, SLICES_FILL } SliceOp;

static int slices(lua_State *L, bool in_place, SliceOp op)
{
    static const char *const names[2][3] = {{"index_add", "index_copy", "index_fill"},
                                            {"index_add_", "index_copy_", "index_fill_"}};
    const char *fn = names[in_place][op];
    Tensor *t = check_tensor(L, 1);
    int d = check_dim(L, 2, t->ndim, fn);
    Tensor *index = check_index(L, 3), *out = NULL;
    Tensor *src = op == SLICES_FILL ? NULL : check_tensor(L, 4);
    double value = op == SLICES_FILL ? check_value(L, 4, fn) : 0;
    double alpha = opt_number(L, 5, "alpha", 1);
    int status = 0;
    if (in_place)
        status = op == SLICES_ADD    ? ag_index_add_(t, d, index, src, alpha, 1)
                 : op == SLICES_COPY ? ag_index_copy_(t, d, index, src, 1)
                                     : ag_index_fill_(t, d, index, value, 1);
    else
        out = op == SLICES_ADD    ? ag_index_add(t, d, index, src, alpha, 1)
              : op == SLICES_COPY ? ag_index_copy(t, d, index, src, 1)
                                  : ag_index_fill(t, d, index, value, 1);
    return finish(L, in_place, status, out, fn);
}

static int l_index_add(lua_State *L) { return slices(L, false, SLICES_ADD); }
static int l_index_add_(lua_State *L) { return slices(L, true, SLICES_ADD); }
static int l_index_copy(lua_State *L) { return slices(L, false, SLICES_COPY); }
static int l_index_copy_(lua_State *L) { return slices(L, true, SLICES_COPY); }
static int l_index_fill(lua_State *L) { return slices(L, false, SLICES_FILL); }
static int l_index_fill_(lua_State *L) { return slices(L, true, SLICES_FILL); }

static int l_masked_select(lua_State *L)
{
    push_tensor(L, ag_masked_select(check_tensor(L, 1), check_tensor(L, 2)));
    return 1;
}

static int l_masked_scatter_(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int status = ag_masked_scatter_(t, check_tensor(L, 2), check_tensor(L, 3));
    return finish(L, true, status, NULL, "masked_scatter_");
}

/* Out of place, self and mask broadcast against each other, as in PyTorch. */
static int l_masked_scatter(lua_State *L)
{
    Tensor *out = ag_masked_scatter(check_tensor(L, 1), check_tensor(L, 2), check_tensor(L, 3));
    return finish(L, false, 0, out, "masked_scatter");
}

static int l_nonzero(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    push_tensor(L, tensor_nonzero(t, 1));
    if (!opt_bool(L, 2, "as_tuple", false))
        return 1;
    /* One 1-D tensor of positions per dim, as multiple results. */
    Tensor *all = check_tensor(L, -1);
    luaL_checkstack(L, t->ndim, "nonzero: too many dims");
    for (int d = 0; d < t->ndim; d++)
        push_tensor(L, tensor_select(all, 1, d));
    return t->ndim;
}

static const BindFn index_functions[] = {
    {"index_select", l_index_select, "torch.index_select(x, dim, index)  or  x:index_select(dim, index)",
     "The slices of x along dim at the 1-based positions in index (an int64 tensor or a list), "
     "as a new tensor.",
     "local x = torch.tensor({{1, 2, 3}, {4, 5, 6}})\n"
     "print(torch.index_select(x, 2, {3, 1}))  -- columns 3 and 1"},
    {"gather", l_gather, "torch.gather(x, dim, index)  or  x:gather(dim, index)",
     "out[i][j] = x[index[i][j]][j] for dim 1 (and likewise for other dims); index has x's "
     "number of dims and holds 1-based positions.",
     "local x = torch.tensor({{10, 20, 30}, {40, 50, 60}})\n"
     "print(x:gather(2, torch.tensor({{3, 1}, {2, 2}})))  -- out[i][j] = x[i][index[i][j]]"},
    {"take", l_take, "torch.take(x, index)  or  x:take(index)",
     "The elements of x, read as a flat row-major list, at the 1-based positions in index "
     "(negative from the end); shaped like index.",
     "local x = torch.tensor({{1, 2, 3}, {4, 5, 6}})\nprint(torch.take(x, torch.tensor({1, 5, -1})))"},
    {"scatter", l_scatter, "torch.scatter(x, dim, index, src or value)  or  x:scatter(dim, index, src or value)",
     "A copy of x with x[index[i][j]][j] = src[i][j] for dim 1 (likewise for other dims); the "
     "inverse of gather.",
     "local labels = torch.tensor({{2}, {4}, {1}})\n"
     "print(torch.zeros(3, 4):scatter(2, labels, 1))  -- one-hot rows"},
    {"scatter_", l_scatter_, "x:scatter_(dim, index, src or value)",
     "In-place scatter; returns x.",
     "local x = torch.zeros(3, 3)\n"
     "x:scatter_(1, torch.tensor({{2, 1, 3}}), torch.tensor({{1.0, 2, 3}}))\nprint(x)"},
    {"scatter_add", l_scatter_add, "torch.scatter_add(x, dim, index, src)  or  x:scatter_add(dim, index, src)",
     "Like scatter, but adds src into x, accumulating where indices repeat.",
     "local src = torch.tensor({1.0, 2, 3, 4})\n"
     "print(torch.scatter_add(torch.zeros(3), 1, torch.tensor({1, 3, 1, 1}), src))  -- {1+3+4, 0, 2}"},
    {"scatter_add_", l_scatter_add_, "x:scatter_add_(dim, index, src)",
     "In-place scatter_add; returns x.",
     "local counts = torch.zeros(4, {dtype = \"int64\"})\n"
     "counts:scatter_add_(1, torch.tensor({2, 4, 2, 2}), torch.ones(4, {dtype = \"int64\"}))\n"
     "print(counts)  -- a histogram of the indices"},
    {"index_add", l_index_add, "torch.index_add(x, dim, index, source, {alpha=1})  or  x:index_add(...)",
     "A copy of x with alpha * slice i of source added to slice index[i] along dim.",
     "print(torch.index_add(torch.zeros(3, 2), 1, {1, 3}, torch.ones(2, 2), {alpha = 5}))"},
    {"index_add_", l_index_add_, "x:index_add_(dim, index, source, {alpha=1})",
     "In-place index_add; returns x.",
     "local x = torch.zeros(2, 3)\nx:index_add_(2, {1, 1, 3}, torch.ones(2, 3))  -- column 1 twice\n"
     "print(x)"},
    {"index_copy", l_index_copy, "torch.index_copy(x, dim, index, source)  or  x:index_copy(dim, index, source)",
     "A copy of x with slice index[i] along dim replaced by slice i of source.",
     "print(torch.index_copy(torch.zeros(3, 2), 1, {3, 1}, torch.tensor({{1.0, 2}, {3, 4}})))"},
    {"index_copy_", l_index_copy_, "x:index_copy_(dim, index, source)",
     "In-place index_copy; returns x.",
     "local x = torch.zeros(2, 3)\nx:index_copy_(2, {2}, torch.tensor({{7.0}, {8}}))\nprint(x)"},
    {"index_fill", l_index_fill, "torch.index_fill(x, dim, index, value)  or  x:index_fill(dim, index, value)",
     "A copy of x with the slices at the 1-based positions in index (negative from the end) "
     "along dim set to value.",
     "print(torch.index_fill(torch.ones(2, 3), 2, {1, -1}, 0))  -- first and last columns"},
    {"index_fill_", l_index_fill_, "x:index_fill_(dim, index, value)",
     "In-place index_fill; returns x.",
     "local x = torch.ones(3, 2)\nx:index_fill_(1, {2}, -1)\nprint(x)"},
    {"masked_select", l_masked_select, "torch.masked_select(x, mask)  or  x:masked_select(mask)",
     "The elements of x where the bool mask (broadcast against x) is true, as a 1-D tensor in "
     "row-major order.",
     "local x = torch.tensor({{1, -2}, {-3, 4}})\nprint(torch.masked_select(x, x:gt(0)))"},
    {"masked_scatter", l_masked_scatter, "torch.masked_scatter(x, mask, source)  or  x:masked_scatter(mask, source)",
     "A copy of x whose elements where mask is true take source's elements in row-major order.",
     "local mask = torch.tensor({{true, false, true}, {false, true, false}})\n"
     "print(torch.masked_scatter(torch.zeros(2, 3), mask, torch.tensor({1.0, 2, 3})))"},
    {"masked_scatter_", l_masked_scatter_, "x:masked_scatter_(mask, source)",
     "In-place masked_scatter (the mask broadcasts to x's shape); returns x.",
     "local x = torch.zeros(2, 3)\n"
     "x:masked_scatter_(torch.tensor({true, false, true}), torch.tensor({1.0, 2, 3, 4}))\n"
     "print(x)  -- the mask applies to each row"},
    {"nonzero", l_nonzero, "torch.nonzero(x, {as_tuple=false})  or  x:nonzero({as_tuple=false})",
     "The 1-based coordinates of x's nonzero elements as an n x ndim int64 tensor; with "
     "as_tuple, one 1-D tensor per dim as multiple results.",
     "local x = torch.tensor({{0, 5}, {7, 0}})\nprint(torch.nonzero(x))\n"
     "local rows, cols = x:nonzero({as_tuple = true})\nprint(rows, cols)"},
    {NULL, NULL, NULL, NULL},
};

void bind_index(lua_State *L)
{
    bind_functions(L, -1, index_functions);
    bind_methods(L, index_functions);
    bind_join(L);
}
