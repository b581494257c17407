/*
 * bind_view.c — shape, views and conversions as Tensor methods: size,
 * stride, view/reshape, transpose/permute, narrow/select, expand, squeeze,
 * flatten, unfold, contiguous/clone, item/totable, and the dtype
 * conversions (float, double, long, byte, bool, to, type_as).
 *
 * Views share storage with the tensor they come from (tensor/view.c).  Dims
 * and positions are 1-based here and translated once, at the call.  Every
 * view, copy and floating conversion goes through its ag_* form, so it is
 * recorded when its input requires grad (conversions to integer dtypes
 * leave the graph, as in PyTorch).
 */
#include <string.h>

#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

/* ---- reading the shape ------------------------------------------------------- */

static void push_int_list(lua_State *L, int n, const int64_t *v)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushinteger(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

static int l_size(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (lua_isnoneornil(L, 2)) {
        push_int_list(L, t->ndim, t->shape);
        return 1;
    }
    lua_pushinteger(L, t->shape[check_dim(L, 2, t->ndim, "size")]);
    return 1;
}

static int l_stride(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (lua_isnoneornil(L, 2)) {
        push_int_list(L, t->ndim, t->stride);
        return 1;
    }
    lua_pushinteger(L, t->stride[check_dim(L, 2, t->ndim, "stride")]);
    return 1;
}

static int l_dim(lua_State *L)
{
    lua_pushinteger(L, check_tensor(L, 1)->ndim);
    return 1;
}

static int l_numel(lua_State *L)
{
    lua_pushinteger(L, tensor_numel(check_tensor(L, 1)));
    return 1;
}

static int l_is_contiguous(lua_State *L)
{
    lua_pushboolean(L, tensor_is_contiguous(check_tensor(L, 1)));
    return 1;
}

/* 0-based, as in PyTorch: it counts elements, it is not an index. */
static int l_storage_offset(lua_State *L)
{
    lua_pushinteger(L, check_tensor(L, 1)->offset);
    return 1;
}

/* ---- values out --------------------------------------------------------------- */

static void push_element(lua_State *L, DType dt, const char *p)
{
    if (dt == DTYPE_BOOL)
        lua_pushboolean(L, *(const bool *)p);
    else if (dt == DTYPE_INT64)
        lua_pushinteger(L, *(const int64_t *)p);
    else if (dt == DTYPE_UINT8)
        lua_pushinteger(L, *(const uint8_t *)p);
    else
        lua_pushnumber(L, dtype_load(dt, p));
}

static int l_item(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (tensor_numel(t) != 1) {
        char s[64];
        return luaL_error(L, "item: a tensor with %d elements (%s) cannot be converted to a number",
                          (int)tensor_numel(t), tensor_shape_str(t, s, sizeof s));
    }
    push_element(L, t->dtype, tensor_data(t));
    return 1;
}

static void push_nested(lua_State *L, const Tensor *t, int dim, const char *p)
{
    if (dim == t->ndim) {
        push_element(L, t->dtype, p);
        return;
    }
    luaL_checkstack(L, 3, "totable: too deep");
    lua_createtable(L, (int)t->shape[dim], 0);
    int64_t step = t->stride[dim] * (int64_t)dtype_size(t->dtype);
    for (int64_t i = 0; i < t->shape[dim]; i++) {
        push_nested(L, t, dim + 1, p + i * step);
        lua_rawseti(L, -2, i + 1);
    }
}

static int l_totable(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    push_nested(L, t, 0, tensor_data(t));
    return 1;
}

/* ---- views -------------------------------------------------------------------- */

static int l_view(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int64_t shape[TENSOR_MAX_DIMS];
    int n = check_shape(L, 2, shape, "view");
    push_tensor(L, ag_view(t, n, shape));
    return 1;
}

static int l_reshape(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int64_t shape[TENSOR_MAX_DIMS];
    int n = check_shape(L, 2, shape, "reshape");
    push_tensor(L, ag_reshape(t, n, shape));
    return 1;
}

static int l_reshape_as(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *other = check_tensor(L, 2);
    push_tensor(L, ag_reshape(t, other->ndim, other->shape));
    return 1;
}

static int l_view_as(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *other = check_tensor(L, 2);
    push_tensor(L, ag_view(t, other->ndim, other->shape));
    return 1;
}

static int l_transpose(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int d0 = check_dim(L, 2, t->ndim, "transpose"), d1 = check_dim(L, 3, t->ndim, "transpose");
    push_tensor(L, ag_transpose(t, d0, d1));
    return 1;
}

static int l_t(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (t->ndim > 2)
        return luaL_error(L, "t: expects a tensor with <= 2 dims, but it has %d (use transpose)", t->ndim);
    push_tensor(L, ag_t(t));
    return 1;
}

static int l_permute(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int64_t given[TENSOR_MAX_DIMS];
    int n = check_shape(L, 2, given, "permute");
    if (n != t->ndim)
        return luaL_error(L, "permute: %d dims given for a %d-dim tensor", n, t->ndim);
    int dims[TENSOR_MAX_DIMS];
    for (int i = 0; i < n; i++)
        dims[i] = wrap_dim(L, given[i], t->ndim, "permute");
    push_tensor(L, ag_permute(t, dims));
    return 1;
}

/* A 1-based position along a dim of `size` (negative from the end) → 0-based. */
static int64_t check_position(lua_State *L, int arg, int64_t size, const char *fn)
{
    lua_Integer i = luaL_checkinteger(L, arg);
    if (i == 0 || i > size || i < -size)
        return luaL_error(L, "%s: index %d out of range for a dim of size %d", fn, (int)i, (int)size);
    return i > 0 ? i - 1 : size + i;
}

static int l_narrow(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int d = check_dim(L, 2, t->ndim, "narrow");
    lua_Integer length = luaL_checkinteger(L, 4);
    int64_t start = check_position(L, 3, t->shape[d] + 1, "narrow");  /* start may be size + 1 when length is 0 */
    push_tensor(L, ag_narrow(t, d, start, length));
    return 1;
}

static int l_select(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int d = check_dim(L, 2, t->ndim, "select");
    push_tensor(L, ag_select(t, d, check_position(L, 3, t->shape[d], "select")));
    return 1;
}

static int l_expand(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int64_t shape[TENSOR_MAX_DIMS];
    int n = check_shape(L, 2, shape, "expand");
    push_tensor(L, ag_expand(t, n, shape));
    return 1;
}

static int l_expand_as(lua_State *L)
{
    Tensor *t = check_tensor(L, 1), *other = check_tensor(L, 2);
    push_tensor(L, ag_expand(t, other->ndim, other->shape));
    return 1;
}

static int l_squeeze(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (lua_isnoneornil(L, 2))
        push_tensor(L, ag_squeeze_all(t));
    else
        push_tensor(L, ag_squeeze(t, check_dim(L, 2, t->ndim, "squeeze")));
    return 1;
}

static int l_unsqueeze(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    push_tensor(L, ag_unsqueeze(t, check_dim(L, 2, t->ndim + 1, "unsqueeze")));
    return 1;
}

static int l_flatten(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int start = lua_isnoneornil(L, 2) ? 0 : check_dim(L, 2, t->ndim, "flatten");
    int end = lua_isnoneornil(L, 3) ? (t->ndim > 0 ? t->ndim - 1 : 0) : check_dim(L, 3, t->ndim, "flatten");
    push_tensor(L, ag_flatten(t, start, end));
    return 1;
}

static int l_unfold(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int d = check_dim(L, 2, t->ndim, "unfold");
    push_tensor(L, ag_unfold(t, d, luaL_checkinteger(L, 3), luaL_checkinteger(L, 4)));
    return 1;
}

static int l_contiguous(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (tensor_is_contiguous(t)) {
        lua_settop(L, 1);               /* the same tensor, as PyTorch */
        return 1;
    }
    push_tensor(L, ag_contiguous(t));
    return 1;
}

static int l_clone(lua_State *L)
{
    push_tensor(L, ag_clone(check_tensor(L, 1)));
    return 1;
}

/* ---- dtype conversions ---------------------------------------------------------- */

/* Like PyTorch's .to(): the tensor itself when the dtype already matches. */
static int push_converted(lua_State *L, DType dt)
{
    Tensor *t = check_tensor(L, 1);
    if (t->dtype == dt) {
        lua_settop(L, 1);
        return 1;
    }
    push_tensor(L, ag_to_dtype(t, dt));
    return 1;
}

static int l_float(lua_State *L) { return push_converted(L, DTYPE_FLOAT32); }
static int l_double(lua_State *L) { return push_converted(L, DTYPE_FLOAT64); }
static int l_long(lua_State *L) { return push_converted(L, DTYPE_INT64); }
static int l_byte(lua_State *L) { return push_converted(L, DTYPE_UINT8); }
static int l_bool(lua_State *L) { return push_converted(L, DTYPE_BOOL); }

static int l_to(lua_State *L)
{
    check_tensor(L, 1);
    if (has_options(L, 2))
        return push_converted(L, opt_dtype(L, 2, check_tensor(L, 1)->dtype, "to"));
    const char *name = luaL_checkstring(L, 2);
    int dt = dtype_from_name(name);
    if (dt < 0)
        return luaL_error(L, "to: unknown dtype '%s' (use float32, float64, int64, uint8 or bool)", name);
    return push_converted(L, (DType)dt);
}

static int l_type_as(lua_State *L)
{
    return push_converted(L, check_tensor(L, 2)->dtype);
}

static const BindFn view_methods[] = {
    {"size", l_size, "x:size([dim])", "The size of dim (1-based), or a table of all sizes.",
     "local x = torch.zeros(2, 3)\nprint(x:size(1), x:size(-1))\nprint(table.concat(x:size(), \"x\"))"},
    {"stride", l_stride, "x:stride([dim])", "The stride of dim in elements, or a table of all strides.",
     "local x = torch.zeros(2, 3)\nprint(table.concat(x:stride(), \", \"), x:t():stride(1))"},
    {"dim", l_dim, "x:dim()", "The number of dims.",
     "print(torch.zeros(2, 3, 4):dim())"},
    {"numel", l_numel, "x:numel()", "The number of elements.",
     "print(torch.zeros(2, 3, 4):numel())"},
    {"is_contiguous", l_is_contiguous, "x:is_contiguous()", "True when x is laid out row-major without gaps.",
     "local x = torch.zeros(2, 3)\nprint(x:is_contiguous(), x:t():is_contiguous())"},
    {"storage_offset", l_storage_offset, "x:storage_offset()",
     "Where x starts in its storage, in elements counted from 0 (an offset, not an index).",
     "local x = torch.arange(1, 11)\n"
     "print(x:narrow(1, 4, 3):storage_offset())  -- starts at element 4: offset 3"},
    {"item", l_item, "x:item()", "The value of a one-element tensor as a Lua number (boolean for bool).",
     "print(torch.tensor({{2.5}}):item(), torch.arange(1, 5):sum():item())"},
    {"totable", l_totable, "x:totable()", "The values as nested Lua tables.",
     "local t = torch.tensor({{1, 2}, {3, 4}}):totable()\nprint(#t, t[2][1])"},
    {"view", l_view, "x:view(size...)",
     "A view with a new shape sharing x's storage; one size may be -1. Fails when the strides cannot express it.",
     "local x = torch.arange(1, 7)\nprint(x:view(2, 3))\nprint(x:view(-1, 2))"},
    {"reshape", l_reshape, "x:reshape(size...)", "Like view, but copies when a view is impossible.",
     "local x = torch.arange(1, 7):view(2, 3):t()  -- not contiguous: view would fail\n"
     "print(x:reshape(6))"},
    {"view_as", l_view_as, "x:view_as(other)", "x:view(other's shape).",
     "print(torch.arange(1, 7):view_as(torch.zeros(3, 2)))"},
    {"reshape_as", l_reshape_as, "x:reshape_as(other)", "x:reshape(other's shape).",
     "print(torch.arange(1, 7):view(2, 3):t():reshape_as(torch.zeros(6)))"},
    {"transpose", l_transpose, "x:transpose(dim1, dim2)", "A view with two dims swapped.",
     "local x = torch.tensor({{1, 2, 3}, {4, 5, 6}})\nprint(x:transpose(1, 2))\n"
     "print(table.concat(torch.zeros(2, 3, 4):transpose(1, 3):size(), \"x\"))"},
    {"t", l_t, "x:t()", "The transpose of a matrix (a view); vectors are returned as they are.",
     "print(torch.tensor({{1, 2, 3}, {4, 5, 6}}):t())"},
    {"permute", l_permute, "x:permute(dims...)", "A view with the dims reordered (1-based dim numbers).",
     "local x = torch.zeros(2, 3, 4)  -- e.g. (H, W, C)\n"
     "print(table.concat(x:permute(3, 1, 2):size(), \"x\"))  -- (C, H, W)"},
    {"narrow", l_narrow, "x:narrow(dim, start, length)", "A view of length elements of dim from start (1-based).",
     "print(torch.arange(1, 11):narrow(1, 3, 4))  -- 4 elements from the 3rd"},
    {"select", l_select, "x:select(dim, index)", "A view of one slice along dim (1-based index), removing dim.",
     "local x = torch.tensor({{1, 2, 3}, {4, 5, 6}})\nprint(x:select(1, 2), x:select(2, -1))"},
    {"expand", l_expand, "x:expand(size...)",
     "A view repeating size-1 dims to the given sizes without copying; -1 keeps a size.",
     "local x = torch.tensor({{1}, {2}})\nprint(x:expand(2, 3))\nprint(x:expand(-1, 2))"},
    {"expand_as", l_expand_as, "x:expand_as(other)", "x:expand(other's shape).",
     "print(torch.tensor({1, 2, 3}):expand_as(torch.zeros(2, 3)))"},
    {"squeeze", l_squeeze, "x:squeeze([dim])", "Removes dims of size 1 (all, or just dim).",
     "local x = torch.zeros(1, 3, 1)\n"
     "print(table.concat(x:squeeze():size(), \"x\"), table.concat(x:squeeze(1):size(), \"x\"))"},
    {"unsqueeze", l_unsqueeze, "x:unsqueeze(dim)", "Inserts a dim of size 1 at position dim (1..ndim+1, -1 appends).",
     "local x = torch.tensor({1, 2, 3})\nprint(x:unsqueeze(1))\nprint(x:unsqueeze(-1))"},
    {"flatten", l_flatten, "x:flatten([start_dim=1, end_dim=-1])", "Merges the dims from start_dim to end_dim.",
     "local x = torch.zeros(2, 3, 4)\n"
     "print(table.concat(x:flatten():size(), \"x\"), table.concat(x:flatten(2):size(), \"x\"))"},
    {"unfold", l_unfold, "x:unfold(dim, size, step)",
     "A view of all slices of length size along dim, step apart, as a new last dim.",
     "print(torch.arange(1, 7):unfold(1, 3, 2))  -- windows of 3, 2 apart"},
    {"contiguous", l_contiguous, "x:contiguous()", "x itself when contiguous, else a contiguous copy.",
     "local x = torch.zeros(2, 3):t()\nprint(x:is_contiguous(), x:contiguous():is_contiguous())"},
    {"clone", l_clone, "x:clone()", "A contiguous copy of x.",
     "local x = torch.ones(2)\nlocal y = x:clone()\ny:fill_(5)\nprint(x, y)"},
    {"float", l_float, "x:float()", "x as float32 (x itself when it already is).",
     "print(torch.tensor({1, 2}):float())"},
    {"double", l_double, "x:double()", "x as float64 (x itself when it already is).",
     "print(torch.tensor({1.5, 2}):double())"},
    {"long", l_long, "x:long()", "x as int64 (x itself when it already is); floats truncate toward zero.",
     "print(torch.tensor({-1.7, 2.9}):long())  -- truncates toward zero"},
    {"byte", l_byte, "x:byte()", "x as uint8 (x itself when it already is).",
     "print(torch.tensor({1, 255}):byte())"},
    {"bool", l_bool, "x:bool()", "x as bool: true where nonzero (x itself when it already is).",
     "print(torch.tensor({0, 1, -2}):bool())"},
    {"to", l_to, "x:to(dtype) or x:to({dtype=})", "x converted to dtype (x itself when it already is).",
     "local x = torch.tensor({1, 2})\nprint(x:to(\"float64\"), x:to({dtype = \"bool\"}))"},
    {"type_as", l_type_as, "x:type_as(other)", "x converted to other's dtype.",
     "print(torch.tensor({1, 2}):type_as(torch.zeros(1, {dtype = \"float64\"})))"},
    {NULL, NULL, NULL, NULL},
};

void bind_view(lua_State *L)
{
    bind_methods(L, view_methods);
}
