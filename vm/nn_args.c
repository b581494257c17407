/*
 * nn_args.c — argument helpers of the nn bindings (see nn_args.h).
 */
#include <string.h>

#include "vm/nn_args.h"

int nn_options(lua_State *L, int i, const char *fn, const char *const *names)
{
    if (lua_isnoneornil(L, i))
        return 0;
    if (!lua_istable(L, i))
        return luaL_error(L, "%s: expected an options table as argument #%d, got %s", fn, i,
                          luaL_typename(L, i));
    i = lua_absindex(L, i);
    lua_pushnil(L);
    while (lua_next(L, i)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool known = false;
        for (int k = 0; key && names[k] && !known; k++)
            known = strcmp(key, names[k]) == 0;
        if (!known) {
            const char *bad = luaL_tolstring(L, -1, NULL);
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int k = 0; names[k]; k++) {
                luaL_addstring(&b, k ? ", " : "");
                luaL_addstring(&b, names[k]);
            }
            luaL_pushresult(&b);
            return luaL_error(L, "%s: unknown option '%s' (known: %s)", fn, bad,
                              lua_tostring(L, -1));
        }
    }
    return i;
}

static int64_t integer_at(lua_State *L, int i, const char *fn, const char *what)
{
    int isint;
    lua_Integer v = lua_tointegerx(L, i, &isint);
    if (!isint || lua_type(L, i) != LUA_TNUMBER)
        luaL_error(L, "%s: %s must be an integer or a table of integers, got %s", fn, what,
                   lua_type(L, i) == LUA_TNUMBER ? lua_tostring(L, i) : luaL_typename(L, i));
    return (int64_t)v;
}

bool nn_size_arg(lua_State *L, int i, const char *fn, const char *what, int n, int64_t *out)
{
    if (lua_isnoneornil(L, i))
        return false;
    i = lua_absindex(L, i);
    if (!lua_istable(L, i)) {
        int64_t v = integer_at(L, i, fn, what);
        for (int k = 2 - n; k < 2; k++)
            out[k] = v;
        return true;
    }
    if (lua_rawlen(L, i) != (size_t)n)
        luaL_error(L, "%s: %s must be a number or a table of %d numbers, got a table of %d", fn,
                   what, n, (int)lua_rawlen(L, i));
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, i, k + 1);
        out[2 - n + k] = integer_at(L, -1, fn, what);
        lua_pop(L, 1);
    }
    return true;
}

bool nn_size_opt(lua_State *L, int opts, const char *fn, const char *key, int n, int64_t *out)
{
    if (!opts)
        return false;
    lua_getfield(L, opts, key);
    bool given = nn_size_arg(L, -1, fn, key, n, out);
    lua_pop(L, 1);
    return given;
}

Tensor *nn_tensor_opt(lua_State *L, int opts, const char *fn, const char *key)
{
    if (!opts)
        return NULL;
    lua_getfield(L, opts, key);
    Tensor *t = test_tensor(L, -1);
    if (!t && !lua_isnil(L, -1))
        luaL_error(L, "%s: option '%s' must be a Tensor, got %s", fn, key, luaL_typename(L, -1));
    /* The table keeps the tensor alive while the caller uses it. */
    lua_pop(L, 1);
    return t;
}

/* Pushes opts[key] and returns true when it is there (not nil); raises when
 * it is not of `type` (`what` says what was expected). */
static bool push_typed(lua_State *L, int opts, const char *fn, const char *key, int type,
                       const char *what)
{
    if (!opts)
        return false;
    lua_getfield(L, opts, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return false;
    }
    if (lua_type(L, -1) != type)
        luaL_error(L, "%s: option '%s' must be %s, got %s", fn, key, what, luaL_typename(L, -1));
    return true;
}

double nn_number_opt(lua_State *L, int opts, const char *fn, const char *key, double def)
{
    if (!push_typed(L, opts, fn, key, LUA_TNUMBER, "a number"))
        return def;
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

bool nn_bool_opt(lua_State *L, int opts, const char *fn, const char *key, bool def)
{
    if (!push_typed(L, opts, fn, key, LUA_TBOOLEAN, "true or false"))
        return def;
    bool v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}
