/*
 * bind_conv.c — torch.conv1d, torch.conv2d, torch.conv_transpose1d and
 * torch.conv_transpose2d.
 *
 * PyTorch's keyword arguments arrive in a trailing options table:
 * torch.conv2d(x, w, b, {stride = 2, padding = 1, dilation = 1, groups = 1}),
 * each per-dim option a number or a table of one number per spatial dim
 * ({2, 1} in 2-D).  padding may also be 'valid' (none) or 'same' (stride 1
 * only, as in PyTorch: an odd total pads one more after than before).  The
 * kernels, their checks and messages are tensor/conv*.c; the recording is
 * autograd/op_conv.c.
 */
#include <string.h>

#include "autograd/ag_conv.h"
#include "vm/bind.h"
#include "vm/bind_tensor.h"

/* The per-dim option on top of the stack into v[2] (index 1 only in 1-D). */
static void read_pair(lua_State *L, const ConvParams *p, const char *key, int64_t *v)
{
    const char *fn = conv_name(p);
    int ns = (int)p->nspatial, isnum;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        lua_Integer x = lua_tointegerx(L, -1, &isnum);
        if (!isnum)
            luaL_error(L, "%s: %s must be an integer, got %s", fn, key, lua_tostring(L, -1));
        v[0] = ns == 2 ? x : v[0];
        v[1] = x;
        return;
    }
    if (!lua_istable(L, -1) || lua_rawlen(L, -1) != (lua_Unsigned)ns)
        luaL_error(L, "%s: %s must be a number or a table of %d number%s, got %s", fn, key, ns,
                   ns == 1 ? "" : "s", luaL_typename(L, -1));
    for (int k = 0; k < ns; k++) {
        lua_rawgeti(L, -1, k + 1);
        lua_Integer x = lua_tointegerx(L, -1, &isnum);
        if (!isnum)
            luaL_error(L, "%s: %s must hold integers, got %s", fn, key, luaL_typename(L, -1));
        v[k + 2 - ns] = x;
        lua_pop(L, 1);
    }
}

/* padding = 'same': dilation * (k - 1) in all, the odd one after. */
static void pad_same(lua_State *L, ConvParams *p, const Tensor *w)
{
    for (int d = 2 - (int)p->nspatial; d < 2; d++) {
        if (p->stride[d] != 1)
            luaL_error(L, "%s: padding='same' is not supported for strided convolutions",
                       conv_name(p));
        int64_t k = w->ndim == p->nspatial + 2 ? w->shape[w->ndim - 2 + d] : 1;
        int64_t total = p->dilation[d] * (k - 1);
        p->pad_lo[d] = total / 2;
        p->pad_hi[d] = total - total / 2;
    }
}

/* The padding on top of the stack; true when it is 'same' (resolved once
 * stride and dilation are known). */
static bool read_padding(lua_State *L, ConvParams *p)
{
    if (lua_type(L, -1) != LUA_TSTRING) {
        read_pair(L, p, "padding", p->pad_lo);
        memcpy(p->pad_hi, p->pad_lo, sizeof p->pad_hi);
        return false;
    }
    const char *s = lua_tostring(L, -1);
    if (!p->transposed && strcmp(s, "valid") == 0)
        return false;
    if (!p->transposed && strcmp(s, "same") == 0)
        return true;
    return luaL_error(L, "%s: padding must be a number, a table%s, got '%s'", conv_name(p),
                      p->transposed ? "" : ", 'valid' or 'same'", s);
}

/* The params from the options table at `opts` (if any). */
static ConvParams read_params(lua_State *L, int opts, int nspatial, bool transposed,
                              const Tensor *w)
{
    ConvParams p = conv_params_default(nspatial, transposed);
    const char *fn = conv_name(&p);
    if (lua_isnoneornil(L, opts))
        return p;
    if (!lua_istable(L, opts))
        luaL_error(L, "%s: expected an options table as argument %d, got %s", fn, opts,
                   luaL_typename(L, opts));
    bool same = false;
    lua_pushnil(L);
    while (lua_next(L, opts)) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        if (strcmp(key, "stride") == 0)
            read_pair(L, &p, key, p.stride);
        else if (strcmp(key, "dilation") == 0)
            read_pair(L, &p, key, p.dilation);
        else if (strcmp(key, "padding") == 0)
            same = read_padding(L, &p);
        else if (transposed && strcmp(key, "output_padding") == 0)
            read_pair(L, &p, key, p.output_padding);
        else if (strcmp(key, "groups") == 0 && lua_isinteger(L, -1))
            p.groups = lua_tointeger(L, -1);
        else if (strcmp(key, "groups") == 0)
            luaL_error(L, "%s: groups must be an integer, got %s", fn, luaL_typename(L, -1));
        else
            luaL_error(L, "%s: unknown option '%s' (use stride, padding, %sdilation, groups)", fn,
                       luaL_tolstring(L, -2, NULL), transposed ? "output_padding, " : "");
        lua_pop(L, 1);
    }
    if (same)
        pad_same(L, &p, w);
    return p;
}

static int convolution(lua_State *L, int nspatial, bool transposed)
{
    Tensor *x = check_tensor(L, 1), *w = check_tensor(L, 2);
    Tensor *b = lua_isnoneornil(L, 3) ? NULL : check_tensor(L, 3);
    ConvParams p = read_params(L, 4, nspatial, transposed, w);
    push_tensor(L, ag_conv(x, w, b, &p));
    return 1;
}

static int l_conv1d(lua_State *L) { return convolution(L, 1, false); }
static int l_conv2d(lua_State *L) { return convolution(L, 2, false); }
static int l_conv_transpose1d(lua_State *L) { return convolution(L, 1, true); }
static int l_conv_transpose2d(lua_State *L) { return convolution(L, 2, true); }

static const BindFn conv_functions[] = {
    {"conv1d", l_conv1d, "torch.conv1d(input, weight, bias, {stride=1, padding=0, dilation=1, groups=1})",
     "1-D convolution (PyTorch's cross-correlation): input (N, C, L) or (C, L), weight "
     "(O, C/groups, k), bias (O) or nil; padding may be a number, 'valid' or 'same'.",
     "local x = torch.tensor({{{1.0, 2, 4, 7, 11}}})  -- (N=1, C=1, L=5)\n"
     "local w = torch.tensor({{{-1.0, 0, 1}}})       -- (O=1, C=1, k=3)\n"
     "print(torch.conv1d(x, w, nil, {padding = \"same\"}))"},
    {"conv2d", l_conv2d, "torch.conv2d(input, weight, bias, {stride=1, padding=0, dilation=1, groups=1})",
     "2-D convolution: input (N, C, H, W) or (C, H, W), weight (O, C/groups, kH, kW), bias (O) "
     "or nil; each option is a number or {h, w}, padding also 'valid' or 'same' (stride 1).",
     "local x = torch.arange(1, 17, {dtype = \"float32\"}):view(1, 1, 4, 4)\n"
     "local w = torch.ones(1, 1, 2, 2)\n"
     "print(torch.conv2d(x, w, torch.tensor({0.5}), {stride = 2}))"},
    {"conv_transpose1d", l_conv_transpose1d,
     "torch.conv_transpose1d(input, weight, bias, {stride=1, padding=0, output_padding=0, groups=1, dilation=1})",
     "1-D transposed convolution (the gradient of conv1d with respect to its input): input "
     "(N, C_in, L) or (C_in, L), weight (C_in, O/groups, k), bias (O) or nil.",
     "local x = torch.tensor({{{1.0, 2, 3}}})  -- (N=1, C_in=1, L=3)\n"
     "print(torch.conv_transpose1d(x, torch.ones(1, 1, 2), nil, {stride = 2}))"},
    {"conv_transpose2d", l_conv_transpose2d,
     "torch.conv_transpose2d(input, weight, bias, {stride=1, padding=0, output_padding=0, groups=1, dilation=1})",
     "2-D transposed convolution (the gradient of conv2d with respect to its input): input "
     "(N, C_in, H, W) or (C_in, H, W), weight (C_in, O/groups, kH, kW), bias (O) or nil; "
     "output_padding adds rows and columns after, to pick among the sizes a stride allows.",
     "local x = torch.tensor({{{{1.0, 2}, {3, 4}}}})  -- (1, 1, 2, 2)\n"
     "print(torch.conv_transpose2d(x, torch.ones(1, 1, 2, 2), nil, {stride = 2}))"},
    {NULL, NULL, NULL, NULL},
};

void bind_conv(lua_State *L)
{
    bind_functions(L, -1, conv_functions);
}
