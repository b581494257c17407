/*
 * module.c — luaopen_torch: assembles the torch table from the C binding
 * families, then loads the parts of torch written in Lua (lib/torch/).
 *
 * The same function serves the luagrad executable (registered in
 * package.preload) and the stand-alone module torch.so for a stock lua5.4.
 * torch is put in package.loaded before the Lua parts load, so each of them
 * can simply `require "torch"` and add to it.
 */
#include "vm/bind_tensor.h"
#include "vm/luagrad.h"

static const char *const lua_parts[] = {"torch.help", "torch.autograd", "torch.gradcheck", "metrics", "torch.progress", "torch.plot", "torch.imshow",
                                         "torch.serialize", "torch.checkpoint",
                                         "torch.explain", "torch.graph", "torch.trace", "torch.anomaly", NULL};

void bind_functions(lua_State *L, int index, const BindFn *fns)
{
    index = lua_absindex(L, index);
    lua_getfield(L, LUA_REGISTRYINDEX, "luagrad.docs");
    for (const BindFn *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->fn);
        lua_pushvalue(L, -1);
        lua_setfield(L, index, f->name);
        lua_createtable(L, 0, 3);
        lua_pushstring(L, f->signature);
        lua_setfield(L, -2, "signature");
        lua_pushstring(L, f->doc);
        lua_setfield(L, -2, "doc");
        if (f->example) {
            lua_pushstring(L, f->example);
            lua_setfield(L, -2, "example");
        }
        lua_settable(L, -3);                 /* docs[fn] = {signature, doc, example} */
    }
    lua_pop(L, 1);
}

int luaopen_torch(lua_State *L)
{
    lua_newtable(L);                          /* torch */
    lua_newtable(L);                          /* docs, keyed by function */
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "luagrad.docs");
    lua_setfield(L, -2, "_docs");
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "torch");
    lua_pop(L, 1);

    bind_tensor(L);
    bind_create(L);
    bind_view(L);
    bind_elementwise(L);
    bind_reduce(L);
    bind_linalg(L);
    bind_index(L);
    bind_print(L);
    bind_autograd(L);
    bind_function(L);
    bind_teach(L);
    bind_system(L);
    bind_dropout(L);
    bind_embedding(L);
    bind_rnn(L);
    bind_io(L);
    bind_pool(L);
    bind_norm(L);
    bind_optim(L);
    bind_loss(L);
    bind_activation(L);
    bind_conv(L);
#ifdef LUAGRAD_HAVE_MPI
    bind_dist(L);
#endif

    for (const char *const *part = lua_parts; *part; part++) {
        lua_getglobal(L, "require");
        lua_pushstring(L, *part);
        lua_call(L, 1, 0);
    }
    return 1;
}
