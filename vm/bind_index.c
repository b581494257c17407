/* bind_index.c — placeholder until this binding family lands. */
#include "vm/bind_tensor.h"

int tensor_index_get(lua_State *L)
{
    return luaL_error(L, "indexing: not implemented yet");
}

int tensor_index_set(lua_State *L)
{
    return luaL_error(L, "indexing: not implemented yet");
}

void bind_index(lua_State *L)
{
    (void)L;
}
