/*
 * bind_join.c — joining, splitting, repeating and reordering: torch.cat,
 * torch.stack, split, chunk, unbind, repeat (repeatTensor), tile, flip,
 * roll, tril/triu, diag and diagonal.
 *
 * Lists of tensors come in as one Lua table ({a, b}) or as tensor varargs
 * (torch.cat(a, b, 2), as Torch7 allowed); lists of results (split, chunk,
 * unbind) go out as Lua tables of views.  Dims are 1-based and wrapped here.
 * `repeat` is a Lua keyword, so x:repeat(2, 3) is a syntax error: the method
 * is also bound under Torch7's name, x:repeatTensor(2, 3) (x:tile works too).
 * Every op calls its ag_* form (autograd/op_join.c), so each is recorded
 * when an input requires grad; the pieces of split, chunk and unbind share
 * one node, as in PyTorch.
 */
#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

/* Integers as varargs from `first`, or as one table there; returns the count. */
static int check_ints(lua_State *L, int first, int64_t *out, const char *fn, const char *what)
{
    bool table = lua_type(L, first) == LUA_TTABLE && !test_tensor(L, first);
    int n = table ? (int)lua_rawlen(L, first) : 0;
    if (!table)
        while (lua_type(L, first + n) == LUA_TNUMBER)
            n++;
    if (n > TENSOR_MAX_DIMS)
        luaL_error(L, "%s: at most %d %s can be given, got %d", fn, TENSOR_MAX_DIMS, what, n);
    for (int i = 0; i < n; i++) {
        int isint;
        if (table)
            lua_rawgeti(L, first, i + 1);
        else
            lua_pushvalue(L, first + i);
        out[i] = lua_tointegerx(L, -1, &isint);
        if (!isint)
            luaL_error(L, "%s: %s must be integers, got %s", fn, what, luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    return n;
}

/* The tensors of a list at `arg` or of tensor varargs from `arg`, in a
 * scratch array the GC owns (pushed); *next is the argument after them. */
static Tensor **check_tensor_list(lua_State *L, int arg, int *n, int *next, const char *fn)
{
    bool varargs = test_tensor(L, arg) != NULL;
    if (varargs)
        for (*n = 0; test_tensor(L, arg + *n); ++*n) {}
    else
        luaL_argexpected(L, lua_type(L, arg) == LUA_TTABLE, arg, "table of tensors");
    if (!varargs)
        *n = (int)lua_rawlen(L, arg);
    *next = varargs ? arg + *n : arg + 1;
    if (lua_gettop(L) < *next)
        lua_settop(L, *next);   /* the scratch array must not pose as the dim argument */
    Tensor **ts = lua_newuserdatauv(L, sizeof *ts * (size_t)(*n > 0 ? *n : 1), 0);
    for (int i = 0; i < *n; i++) {
        if (varargs) {
            ts[i] = check_tensor(L, arg + i);
            continue;
        }
        lua_rawgeti(L, arg, i + 1);
        ts[i] = test_tensor(L, -1);
        if (!ts[i])
            luaL_error(L, "%s: entry %d of the list is not a tensor (got %s)", fn, i + 1,
                       luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    return ts;
}

/* An optional 1-based dim at `arg` (default 1) of a tensor with ndim dims. */
static int opt_dim(lua_State *L, int arg, int ndim, const char *fn)
{
    return lua_isnoneornil(L, arg) ? 0 : check_dim(L, arg, ndim, fn);
}

static int l_cat(lua_State *L)
{
    int n, next;
    Tensor **ts = check_tensor_list(L, 1, &n, &next, "cat");
    int ndim = 1;   /* of the first tensor that counts (1-D empty ones are skipped) */
    for (int i = n - 1; i >= 0; i--)
        if (!(ts[i]->ndim == 1 && ts[i]->shape[0] == 0))
            ndim = ts[i]->ndim;
    push_tensor(L, ag_cat(n, ts, n > 0 ? opt_dim(L, next, ndim, "cat") : 0));
    return 1;
}

static int l_stack(lua_State *L)
{
    int n, next;
    Tensor **ts = check_tensor_list(L, 1, &n, &next, "stack");
    push_tensor(L, ag_stack(n, ts, n > 0 ? opt_dim(L, next, ts[0]->ndim + 1, "stack") : 0));
    return 1;
}

/* Pushes a list of the pieces (views) of t along d with the given lengths,
 * or of its slices along d when lengths is NULL (unbind). */
static void push_pieces(lua_State *L, Tensor *t, int d, int n, const int64_t *lengths, const char *fn)
{
    Tensor **pieces = lua_newuserdatauv(L, sizeof *pieces * (size_t)(n > 0 ? n : 1), 0);
    if ((lengths ? ag_split(t, d, n, lengths, pieces) : ag_unbind(t, d, pieces)) < 0)
        raise_tensor_error_in(L, fn);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        push_tensor(L, pieces[i]);
        pieces[i] = NULL;
        lua_rawseti(L, -2, i + 1);
    }
}

/* Pieces of `size` along a dim of `total` elements (the last may be shorter),
 * or `count` pieces of 0 when the dim is empty (as PyTorch's chunk). */
static int64_t *even_pieces(lua_State *L, int64_t total, int64_t size, int64_t count, int *n)
{
    int64_t pieces = total == 0 ? count : total / size + (total % size != 0);
    if (pieces > INT32_MAX)
        luaL_error(L, "split: too many pieces (%I)", (lua_Integer)pieces);
    int64_t *lengths = lua_newuserdatauv(L, sizeof *lengths * (size_t)(pieces + 1), 0);
    for (int64_t i = 0; i < pieces; i++)
        lengths[i] = total - i * size < size ? total - i * size : size;
    *n = (int)pieces;
    return lengths;
}

static int l_split(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int d = opt_dim(L, 3, t->ndim, "split");
    int64_t total = t->ndim ? t->shape[d] : 1;
    if (t->ndim == 0)
        return luaL_error(L, "split: a 0-dim tensor cannot be split");
    if (lua_type(L, 2) == LUA_TTABLE) {
        int n = (int)lua_rawlen(L, 2);
        int64_t *lengths = lua_newuserdatauv(L, sizeof *lengths * (size_t)(n + 1), 0), sum = 0;
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, 2, i + 1);
            int isint;
            lengths[i] = lua_tointegerx(L, -1, &isint);
            lua_pop(L, 1);
            if (!isint || lengths[i] < 0)
                return luaL_error(L, "split: sizes must be non-negative integers");
            sum += lengths[i];
        }
        if (sum != total)
            return luaL_error(L, "split: sizes sum to %I but dim %d has size %I", (lua_Integer)sum,
                              d + 1, (lua_Integer)total);
        push_pieces(L, t, d, n, lengths, "split");
        return 1;
    }
    lua_Integer size = luaL_checkinteger(L, 2);
    if (size < 0 || (size == 0 && total != 0))
        return luaL_error(L, "split: split size must be positive (0 only for an empty dim), got %I",
                          size);
    int n;
    int64_t *lengths = even_pieces(L, total, size, 1, &n);
    push_pieces(L, t, d, n, lengths, "split");
    return 1;
}

static int l_chunk(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    lua_Integer chunks = luaL_checkinteger(L, 2);
    int d = opt_dim(L, 3, t->ndim, "chunk");
    if (t->ndim == 0)
        return luaL_error(L, "chunk: a 0-dim tensor cannot be split");
    if (chunks <= 0)
        return luaL_error(L, "chunk: the number of chunks must be positive, got %I", chunks);
    int64_t total = t->shape[d];
    int n;
    int64_t size = total == 0 ? 0 : total / chunks + (total % chunks != 0);
    int64_t *lengths = even_pieces(L, total, size, chunks, &n);
    push_pieces(L, t, d, n, lengths, "chunk");
    return 1;
}

static int l_unbind(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (t->ndim == 0)
        return luaL_error(L, "unbind: a 0-dim tensor cannot be unbound");
    int d = opt_dim(L, 2, t->ndim, "unbind");
    if (t->shape[d] > INT32_MAX)
        return luaL_error(L, "unbind: too many slices (%I)", (lua_Integer)t->shape[d]);
    push_pieces(L, t, d, (int)t->shape[d], NULL, "unbind");
    return 1;
}

static int l_repeat(lua_State *L)
{
    int64_t reps[TENSOR_MAX_DIMS];
    int n = check_ints(L, 2, reps, "repeat", "repeat counts");
    push_tensor(L, ag_repeat(check_tensor(L, 1), n, reps));
    return 1;
}

static int l_tile(lua_State *L)
{
    int64_t reps[TENSOR_MAX_DIMS];
    int n = check_ints(L, 2, reps, "tile", "repeat counts");
    push_tensor(L, ag_tile(check_tensor(L, 1), n, reps));
    return 1;
}

/* 1-based dims from `first` (varargs or a table), wrapped, each at most once. */
static int check_dims(lua_State *L, int first, const Tensor *t, int *dims, const char *fn)
{
    int64_t given[TENSOR_MAX_DIMS];
    int n = check_ints(L, first, given, fn, "dims");
    for (int i = 0; i < n; i++) {
        dims[i] = wrap_dim(L, given[i], t->ndim, fn);
        for (int j = 0; j < i; j++)
            if (dims[j] == dims[i])
                luaL_error(L, "%s: dim %d appears twice", fn, dims[i] + 1);
    }
    return n;
}

static int l_flip(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int dims[TENSOR_MAX_DIMS];
    int n = check_dims(L, 2, t, dims, "flip");
    push_tensor(L, ag_flip(t, n, dims));
    return 1;
}

static int l_roll(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    int64_t shifts[TENSOR_MAX_DIMS];
    int dims[TENSOR_MAX_DIMS];
    int ns = lua_type(L, 2) == LUA_TTABLE ? check_ints(L, 2, shifts, "roll", "shifts")
                                          : (shifts[0] = luaL_checkinteger(L, 2), 1);
    if (lua_isnoneornil(L, 3)) {
        if (ns != 1)
            return luaL_error(L, "roll: without dims, give one shift (the flattened tensor rolls)");
        push_tensor(L, ag_roll(t, 0, shifts, dims));
        return 1;
    }
    int64_t given[TENSOR_MAX_DIMS];
    int nd = check_ints(L, 3, given, "roll", "dims");
    if (nd != ns)
        return luaL_error(L, "roll: %d shifts given for %d dims", ns, nd);
    for (int i = 0; i < nd; i++)
        dims[i] = wrap_dim(L, given[i], t->ndim, "roll");
    push_tensor(L, ag_roll(t, nd, shifts, dims));
    return 1;
}

static int triangle(lua_State *L, bool lower, bool in_place)
{
    const char *fn = lower ? (in_place ? "tril_" : "tril") : (in_place ? "triu_" : "triu");
    Tensor *t = check_tensor(L, 1);
    lua_Integer k = luaL_optinteger(L, 2, 0);
    if (t->ndim < 2)
        return luaL_error(L, "%s: expected a tensor with at least 2 dims, got %d-D", fn, t->ndim);
    if (!in_place) {
        push_tensor(L, lower ? ag_tril(t, k) : ag_triu(t, k));
        return 1;
    }
    if ((lower ? ag_tril_(t, k) : ag_triu_(t, k)) < 0)
        return raise_tensor_error_in(L, fn);
    lua_settop(L, 1);
    return 1;
}

static int l_tril(lua_State *L) { return triangle(L, true, false); }
static int l_triu(lua_State *L) { return triangle(L, false, false); }
static int l_tril_(lua_State *L) { return triangle(L, true, true); }
static int l_triu_(lua_State *L) { return triangle(L, false, true); }

static int l_diag(lua_State *L)
{
    push_tensor(L, ag_diag(check_tensor(L, 1), luaL_optinteger(L, 2, 0)));
    return 1;
}

static int l_diagonal(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    lua_Integer offset, d1, d2;
    if (has_options(L, 2)) {
        offset = (lua_Integer)opt_number(L, 2, "offset", 0);
        d1 = (lua_Integer)opt_number(L, 2, "dim1", 1);
        d2 = (lua_Integer)opt_number(L, 2, "dim2", 2);
    } else {
        offset = luaL_optinteger(L, 2, 0);
        d1 = luaL_optinteger(L, 3, 1);
        d2 = luaL_optinteger(L, 4, 2);
    }
    int a = wrap_dim(L, d1, t->ndim, "diagonal"), b = wrap_dim(L, d2, t->ndim, "diagonal");
    if (a == b)
        return luaL_error(L, "diagonal: dim1 and dim2 must differ, both are %d", a + 1);
    push_tensor(L, ag_diagonal(t, offset, a, b));
    return 1;
}

static const BindFn join_functions[] = {
    {"cat", l_cat, "torch.cat({tensors...}, [dim=1])",
     "Concatenates tensors along dim; their shapes must match elsewhere (1-D empty tensors are "
     "skipped) and dtypes promote.",
     "local a, b = torch.ones(2, 2), torch.zeros(2, 1)\nprint(torch.cat({a, b}, 2))"},
    {"stack", l_stack, "torch.stack({tensors...}, [dim=1])",
     "Joins tensors of equal shape along a new dim inserted at dim.",
     "local a, b = torch.tensor({1, 2}), torch.tensor({3, 4})\nprint(torch.stack({a, b}))\n"
     "print(torch.stack({a, b}, 2))"},
    {NULL, NULL, NULL, NULL},
};

static const BindFn shape_functions[] = {
    {"split", l_split, "torch.split(x, size or {sizes...}, [dim=1])  or  x:split(...)",
     "A Lua list of views of x along dim: pieces of size (the last may be shorter), or of the "
     "given sizes.",
     "local x = torch.arange(1, 6)\nfor i, piece in ipairs(x:split(2)) do print(i, piece) end\n"
     "print(torch.split(x, {1, 4})[2])"},
    {"chunk", l_chunk, "torch.chunk(x, n, [dim=1])  or  x:chunk(n, [dim=1])",
     "A Lua list of at most n views of x along dim, of equal size except the last.",
     "local x = torch.arange(1, 7):view(2, 3)\n"
     "for _, column in ipairs(x:chunk(3, 2)) do print(column) end"},
    {"unbind", l_unbind, "torch.unbind(x, [dim=1])  or  x:unbind([dim=1])",
     "A Lua list of the slices of x along dim (views, with dim removed).",
     "local rows = torch.tensor({{1, 2}, {3, 4}}):unbind()\nprint(#rows, rows[1], rows[2])"},
    {"repeat", l_repeat, "x:repeatTensor(counts...) or x[\"repeat\"](x, counts...)",
     "x repeated counts[i] times along each dim (counts may add leading dims); `repeat` is a Lua "
     "keyword, hence the Torch7 name.",
     "local x = torch.tensor({1, 2})\nprint(x[\"repeat\"](x, 2, 2))"},
    {"repeatTensor", l_repeat, "x:repeatTensor(counts...)",
     "x repeated counts[i] times along each dim (PyTorch's repeat, which Lua's syntax reserves).",
     "print(torch.tensor({1, 2}):repeatTensor(2, 3))"},
    {"tile", l_tile, "torch.tile(x, counts...)  or  x:tile(counts...)",
     "Like repeatTensor, but fewer counts than dims repeat the last dims.",
     "print(torch.tile(torch.tensor({{1, 2}, {3, 4}}), 2))  -- one count: the last dim"},
    {"flip", l_flip, "torch.flip(x, dims...)  or  x:flip(dims...)",
     "A copy of x with the order of the given dims reversed.",
     "local x = torch.tensor({{1, 2, 3}, {4, 5, 6}})\nprint(torch.flip(x, 2))\nprint(x:flip(1, 2))"},
    {"roll", l_roll, "torch.roll(x, shifts, [dims])  or  x:roll(shifts, [dims])",
     "A copy of x with elements shifted along dims (numbers or lists), wrapping around; without "
     "dims the flattened tensor rolls.",
     "print(torch.roll(torch.arange(1, 6), 2))\n"
     "print(torch.tensor({{1, 2, 3}, {4, 5, 6}}):roll(-1, 2))"},
    {"tril", l_tril, "torch.tril(x, [k=0])  or  x:tril([k=0])",
     "The lower triangle of the last two dims, on and below diagonal k; the rest zero.",
     "print(torch.tril(torch.ones(3, 3)))\nprint(torch.ones(3, 3):tril(-1))"},
    {"triu", l_triu, "torch.triu(x, [k=0])  or  x:triu([k=0])",
     "The upper triangle of the last two dims, on and above diagonal k; the rest zero.",
     "print(torch.triu(torch.arange(1, 10):view(3, 3), 1))"},
    {"tril_", l_tril_, "x:tril_([k=0])", "In-place tril; returns x.",
     "local x = torch.ones(3, 3)\nx:tril_()\nprint(x)"},
    {"triu_", l_triu_, "x:triu_([k=0])", "In-place triu; returns x.",
     "local x = torch.ones(2, 3)\nx:triu_(1)\nprint(x)"},
    {"diag", l_diag, "torch.diag(x, [k=0])  or  x:diag([k=0])",
     "A 1-D x becomes a matrix with x on diagonal k; a 2-D x gives a copy of its diagonal k.",
     "print(torch.diag(torch.tensor({1, 2, 3})))\nprint(torch.arange(1, 10):view(3, 3):diag(1))"},
    {"diagonal", l_diagonal, "torch.diagonal(x, {offset=0, dim1=1, dim2=2})  or  x:diagonal(...)",
     "A view of the diagonal offset of dims dim1 and dim2, which are removed and become the "
     "last dim (also positional: x:diagonal(offset, dim1, dim2)).",
     "local x = torch.arange(1, 10):view(3, 3)\nprint(torch.diagonal(x))\n"
     "print(x:diagonal({offset = -1}))"},
    {NULL, NULL, NULL, NULL},
};

void bind_join(lua_State *L)
{
    bind_functions(L, -1, join_functions);
    bind_functions(L, -1, shape_functions);
    bind_methods(L, shape_functions);
}
