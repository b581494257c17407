/*
 * bind_function.c — the C half of torch.autograd.Function (custom ops
 * written in Lua; the class itself is lib/torch/autograd.lua).
 *
 * torch.autograd._record(name, backward, inputs, outputs) makes one graph
 * node for a call of a custom function: its edges lead to the inputs that
 * require grad, it becomes the grad_fn of every floating output, and its
 * formula calls the Lua function `backward(grad_1, ..., grad_m)`, which
 * returns one gradient (or nil) per input.  The Lua function is kept in the
 * registry as long as the node lives.
 */
#include <stdlib.h>
#include <string.h>

#include "autograd/node.h"
#include "vm/bind_tensor.h"

typedef struct {
    lua_State *L;          /* the main thread, for luaL_unref */
    int ref;               /* the backward function */
    int n_outputs;
    struct {
        DType dtype;
        int ndim;
        int64_t shape[TENSOR_MAX_DIMS];
    } out[];               /* for gradients that never arrived: zeros of this shape */
} LuaFunction;

static int lua_function_backward(AgNode *n, Tensor *const *g, Tensor **gi)
{
    LuaFunction *f = n->extra;
    lua_State *L = ag_backward_caller() ? ag_backward_caller() : f->L;
    if (!lua_checkstack(L, f->n_outputs + 2)) {
        tensor_fail("%s: Lua stack overflow", ag_node_name(n));
        return -1;
    }
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->ref);
    for (int k = 0; k < f->n_outputs; k++) {
        Tensor *grad = g[k] ? g[k] : tmp(tensor_zeros(f->out[k].ndim, f->out[k].shape, f->out[k].dtype));
        if (!grad) {
            lua_settop(L, top);
            return -1;
        }
        tensor_retain(grad);
        push_tensor(L, grad);
    }
    if (lua_pcall(L, f->n_outputs, n->n_inputs, 0) != LUA_OK) {
        tensor_fail("%s: %s", ag_node_name(n), lua_tostring(L, -1));
        lua_settop(L, top);
        return -1;
    }
    for (int i = 0; i < n->n_inputs; i++) {
        if (!ag_needs_grad(n, i))
            continue;
        int at = top + 1 + i;
        Tensor *r = test_tensor(L, at);
        if (!r && !lua_isnil(L, at)) {
            tensor_fail("%s: backward must return tensors or nil, got %s for input %d",
                        ag_node_name(n), luaL_typename(L, at), i + 1);
            lua_settop(L, top);
            return -1;
        }
        if (r)
            tensor_retain(r);
        else                                           /* nil: no gradient, i.e. zeros */
            r = tensor_zeros(n->input[i].ndim, n->input[i].shape, n->input[i].dtype);
        gi[i] = tmp(r);
    }
    lua_settop(L, top);
    return 0;
}

static void lua_function_free(AgNode *n)
{
    LuaFunction *f = n->extra;
    luaL_unref(f->L, LUA_REGISTRYINDEX, f->ref);
    free(f);
}

static const AgOp lua_function_op = {
    "FunctionBackward", lua_function_backward, lua_function_free,
    "d(fn(x...))/dx: what the function's backward, written in Lua, returns"};

/* The tensors of the list at i (entries 1..n, with holes), into ts. */
static int tensor_args(lua_State *L, int i, Tensor **ts, int max)
{
    int n = (int)luaL_len(L, i);
    lua_getfield(L, i, "n");
    if (lua_isinteger(L, -1))
        n = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (n > max)
        return luaL_error(L, "autograd.Function: at most %d inputs or outputs, got %d", max, n);
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, i, k + 1);
        ts[k] = test_tensor(L, -1);
        lua_pop(L, 1);
    }
    return n;
}

#define MAX_FUNCTION_ARGS 64

static int l_record(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    Tensor *in[MAX_FUNCTION_ARGS], *out[MAX_FUNCTION_ARGS];
    int n_in = tensor_args(L, 3, in, MAX_FUNCTION_ARGS);
    int n_out = tensor_args(L, 4, out, MAX_FUNCTION_ARGS);
    if (!ag_should_record(n_in, (const Tensor *const *)in))
        return 0;
    LuaFunction *f = calloc(1, sizeof *f + (size_t)n_out * sizeof f->out[0]);
    char *label = strdup(name);
    AgNode *n = f && label ? ag_node_new(&lua_function_op, n_in, (const Tensor *const *)in) : NULL;
    if (!n) {
        free(f);
        free(label);
        return luaL_error(L, "autograd.Function: out of memory");
    }
    n->label = label;
    n->n_outputs = n_out;
    n->extra = f;
    f->n_outputs = n_out;
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    f->L = lua_tothread(L, -1);
    lua_pop(L, 1);
    lua_pushvalue(L, 2);
    f->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    for (int k = 0; k < n_out; k++) {
        Tensor *t = out[k];
        if (!t)
            continue;
        f->out[k].dtype = t->dtype;
        f->out[k].ndim = t->ndim;
        memcpy(f->out[k].shape, t->shape, (size_t)t->ndim * sizeof t->shape[0]);
        if (!dtype_is_floating(t->dtype))
            continue;
        tensor_retain(t);                 /* ag_set_output releases it on failure */
        if (!ag_set_output(n, t, k)) {
            ag_node_release(n);
            return luaL_error(L, "autograd.Function: out of memory");
        }
        tensor_release(t);
    }
    ag_node_release(n);
    return 0;
}

static int l_version(lua_State *L)
{
    lua_pushinteger(L, check_tensor(L, 1)->storage->version);
    return 1;
}

void bind_function(lua_State *L)
{
    luaL_getsubtable(L, -1, "autograd");
    lua_pushcfunction(L, l_record);
    lua_setfield(L, -2, "_record");
    lua_pop(L, 1);
    push_tensor_metatable(L);
    luaL_getsubtable(L, -1, "__getters");
    lua_pushcfunction(L, l_version);
    lua_setfield(L, -2, "_version");
    lua_pop(L, 2);
}
