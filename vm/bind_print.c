/*
 * bind_print.c — tostring(x) for tensors (what the REPL shows) and
 * torch.set_printoptions / torch.get_printoptions.
 *
 * The text itself comes from tensor_format (tensor/print.c); this file keeps
 * the options, one PrintOptions per interpreter in the registry, and supplies
 * the trailing autograd item.  That item is read through the tensor's own
 * attributes, so printing needs no change when autograd lands: when
 * `x.grad_fn` is not nil the item is "grad_fn=<" .. tostring(x.grad_fn) .. ">"
 * (so a graph node's __tostring should return its name, e.g. "MulBackward"),
 * else when `x.requires_grad` is true it is "requires_grad=true".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/bind_tensor.h"

static char print_options_key;

static PrintOptions *print_options(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &print_options_key);
    PrintOptions *o = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return o;
}

/* Pushes the autograd item for the tensor at index 1, or nothing (returns
 * NULL).  The string stays on the stack while the caller uses it. */
static const char *push_grad_suffix(lua_State *L)
{
    lua_getfield(L, 1, "grad_fn");
    if (!lua_isnil(L, -1)) {
        lua_pushstring(L, "grad_fn=<");
        luaL_tolstring(L, -2, NULL);
        lua_pushstring(L, ">");
        lua_concat(L, 3);
        return lua_tostring(L, -1);
    }
    lua_getfield(L, 1, "requires_grad");
    if (lua_toboolean(L, -1)) {
        lua_pushstring(L, "requires_grad=true");
        return lua_tostring(L, -1);
    }
    return NULL;
}

static int l_tostring(lua_State *L)
{
    Tensor **p = luaL_checkudata(L, 1, TENSOR_MT);
    if (*p == NULL) {
        lua_pushliteral(L, "tensor(<closed>)");
        return 1;
    }
    const char *suffix = push_grad_suffix(L);
    char *s = tensor_format(*p, print_options(L), suffix);
    if (s == NULL)
        return raise_tensor_error(L);
    lua_pushstring(L, s);
    free(s);
    return 1;
}

/* opts[key] as an integer in lo..hi, or leaves *out alone when absent. */
static void opt_int_field(lua_State *L, const char *key, int lo, int hi, int *out)
{
    lua_getfield(L, 1, key);
    if (!lua_isnil(L, -1)) {
        int isint;
        lua_Integer v = lua_tointegerx(L, -1, &isint);
        if (!isint || v < lo || v > hi)
            luaL_error(L, "set_printoptions: %s must be an integer in %d..%d, got %s", key, lo, hi,
                       luaL_tolstring(L, -1, NULL));
        *out = (int)v;
    }
    lua_pop(L, 1);
}

static const char *const option_names[] = {"precision", "threshold", "edgeitems", "linewidth",
                                           "profile", "sci_mode", NULL};

/* PyTorch's profiles: "default", "short" (precision 2, edgeitems 2) and
 * "full" (never summarise). */
static void apply_profile(lua_State *L, PrintOptions *o)
{
    static const char *const profiles[] = {"default", "short", "full", NULL};
    lua_getfield(L, 1, "profile");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    const char *name = lua_tostring(L, -1);
    int which = -1;
    for (int i = 0; name && profiles[i]; i++)
        if (strcmp(name, profiles[i]) == 0)
            which = i;
    if (which < 0)
        luaL_error(L, "set_printoptions: unknown profile '%s' (use default, short or full)",
                   luaL_tolstring(L, -1, NULL));
    *o = print_options_default();   /* sci_mode is set by the caller */
    if (which == 1) {
        o->precision = 2;
        o->edgeitems = 2;
    } else if (which == 2) {
        o->threshold = INFINITY;
    }
    lua_pop(L, 1);
}

static void check_option_names(lua_State *L)
{
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool known = false;
        for (int i = 0; key && option_names[i]; i++)
            known |= strcmp(key, option_names[i]) == 0;
        if (!known)
            luaL_error(L, "set_printoptions: unknown option '%s' (use precision, threshold, "
                          "edgeitems, linewidth, profile or sci_mode)",
                       luaL_tolstring(L, -1, NULL));
    }
}

/* As PyTorch: options not given keep their value, except sci_mode, which
 * goes back to automatic unless given (true or false). */
static int l_set_printoptions(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    if (!lua_istable(L, 1))
        return luaL_error(L, "set_printoptions: expected a table of options, got %s",
                          luaL_typename(L, 1));
    lua_settop(L, 1);
    check_option_names(L);
    PrintOptions o = *print_options(L);
    apply_profile(L, &o);
    opt_int_field(L, "precision", 0, PRINT_MAX_PRECISION, &o.precision);
    opt_int_field(L, "edgeitems", 1, 1 << 30, &o.edgeitems);
    opt_int_field(L, "linewidth", 1, 1 << 30, &o.linewidth);
    lua_getfield(L, 1, "threshold");
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1) || !(lua_tonumber(L, -1) >= 0))
            luaL_error(L, "set_printoptions: threshold must be a number >= 0 (math.huge for "
                          "never), got %s", luaL_tolstring(L, -1, NULL));
        o.threshold = lua_tonumber(L, -1);
    }
    lua_getfield(L, 1, "sci_mode");
    if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
        luaL_error(L, "set_printoptions: sci_mode must be true, false or nil, got %s",
                   luaL_tolstring(L, -1, NULL));
    o.sci_mode = lua_isnil(L, -1) ? -1 : lua_toboolean(L, -1);
    *print_options(L) = o;
    return 0;
}

static int l_get_printoptions(lua_State *L)
{
    const PrintOptions *o = print_options(L);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, o->precision);
    lua_setfield(L, -2, "precision");
    if (o->threshold == floor(o->threshold) && fabs(o->threshold) < 0x1p62)
        lua_pushinteger(L, (lua_Integer)o->threshold);
    else
        lua_pushnumber(L, o->threshold);
    lua_setfield(L, -2, "threshold");
    lua_pushinteger(L, o->edgeitems);
    lua_setfield(L, -2, "edgeitems");
    lua_pushinteger(L, o->linewidth);
    lua_setfield(L, -2, "linewidth");
    if (o->sci_mode >= 0) {
        lua_pushboolean(L, o->sci_mode);
        lua_setfield(L, -2, "sci_mode");
    }
    return 1;
}

static const BindFn print_functions[] = {
    {"set_printoptions", l_set_printoptions,
     "torch.set_printoptions({precision=4, threshold=1000, edgeitems=3, linewidth=80, "
     "profile=, sci_mode=})",
     "Sets how tensors print, as in PyTorch: decimals, the element count past which a tensor "
     "is summarised with '...', items kept at each end, line width, and scientific notation "
     "(true, false, or nil to choose from the values); profile is \"default\", \"short\" or "
     "\"full\".",
     "torch.set_printoptions({precision = 2, threshold = 5, edgeitems = 2})\n"
     "print(torch.tensor({math.pi, math.exp(1)}), torch.arange(10))\n"
     "torch.set_printoptions({profile = \"default\"})  -- back to the defaults"},
    {"get_printoptions", l_get_printoptions, "torch.get_printoptions()",
     "The current print options as a table (sci_mode is absent when chosen automatically).",
     "local o = torch.get_printoptions()\nprint(o.precision, o.threshold, o.edgeitems, o.linewidth)"},
    {NULL, NULL, NULL, NULL},
};

void bind_print(lua_State *L)
{
    PrintOptions *o = lua_newuserdatauv(L, sizeof *o, 0);
    *o = print_options_default();
    lua_rawsetp(L, LUA_REGISTRYINDEX, &print_options_key);

    push_tensor_metatable(L);
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);
    bind_functions(L, -1, print_functions);
}
