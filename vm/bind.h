/*
 * bind.h — the conventions every Lua binding file in vm/ follows.
 *
 * A binding file exports one `bind_<family>(lua_State *L)` that adds its
 * functions to the torch table on top of the stack (and, for tensor methods,
 * to the method table), each with its help text beside it in a BindFn entry:
 * the text `help(fn)` shows is kept next to the code that defines `fn`.
 */
#ifndef LUAGRAD_BIND_H
#define LUAGRAD_BIND_H

#include <lauxlib.h>
#include <lua.h>

typedef struct {
    const char *name;
    lua_CFunction fn;
    const char *signature;   /* "torch.zeros(size..., {dtype=, requires_grad=})" */
    const char *doc;         /* one or two sentences */
    const char *example;     /* Lua lines that run as they stand (help, docs and a test run
                              * them); entries without one leave it out */
} BindFn;

/* Sets each function as a field of the table at `index` and records its
 * help text in torch._docs. */
void bind_functions(lua_State *L, int index, const BindFn *fns);

void bind_system(lua_State *L);
void bind_dropout(lua_State *L);
void bind_embedding(lua_State *L);
void bind_rnn(lua_State *L);
void bind_io(lua_State *L);
void bind_pool(lua_State *L);
void bind_norm(lua_State *L);
void bind_optim(lua_State *L);
void bind_loss(lua_State *L);
void bind_activation(lua_State *L);
void bind_conv(lua_State *L);
#ifdef LUAGRAD_HAVE_MPI
void bind_dist(lua_State *L);   /* torch._mpi, for lib/dist */
#endif

#endif
