/*
 * bind_autograd.c — the Lua face of autograd: the attributes x.grad,
 * x.grad_fn, x.requires_grad, x.is_leaf; x:backward(), hooks, detach; grad
 * mode (torch.no_grad(fn) ...); torch.autograd.grad; and grad_fn objects,
 * which show a node's name and its next_functions.
 *
 * Lua functions called from inside a backward (hooks) run under lua_pcall
 * on the state that called backward (the engine's `caller`), so an error in
 * one ends the backward cleanly in C and is raised again afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "autograd/autograd.h"
#include "vm/bind_tensor.h"

/* ---- grad_fn objects ------------------------------------------------------------ */

#define NODE_MT "GradFn"

/* One userdata per node while Lua can see it (a weak table maps the node's
 * address to it), so `a.grad_fn == b.grad_fn` tells whether they are the
 * same node. */
static char node_cache_key;

void push_grad_fn(lua_State *L, AgNode *n)
{
    if (!n) {
        lua_pushnil(L);
        return;
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &node_cache_key);
    if (lua_rawgetp(L, -1, n) == LUA_TUSERDATA) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    AgNode **p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = n;
    ag_node_retain(n);
    luaL_setmetatable(L, NODE_MT);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, -3, n);
    lua_remove(L, -2);
}

AgNode *check_grad_fn(lua_State *L, int i)
{
    return *(AgNode **)luaL_checkudata(L, i, NODE_MT);
}

static int grad_fn_gc(lua_State *L)
{
    AgNode **p = luaL_checkudata(L, 1, NODE_MT);
    ag_node_release(*p);
    *p = NULL;
    return 0;
}

static int grad_fn_tostring(lua_State *L)
{
    lua_pushstring(L, ag_node_name(check_grad_fn(L, 1)));
    return 1;
}

/* n.name, n.next_functions ({{node, output_nr}, ...}, node nil where no
 * gradient flows), n.variable (AccumulateGrad's leaf). */
static int grad_fn_index(lua_State *L)
{
    AgNode *n = check_grad_fn(L, 1);
    const char *key = luaL_checkstring(L, 2);
    if (strcmp(key, "name") == 0) {
        lua_pushstring(L, ag_node_name(n));
    } else if (strcmp(key, "next_functions") == 0) {
        int count = ag_node_num_inputs(n);
        lua_createtable(L, count, 0);
        for (int i = 0; i < count; i++) {
            int nr;
            AgNode *next = ag_node_input(n, i, &nr);
            lua_createtable(L, 2, 0);
            push_grad_fn(L, next);
            lua_rawseti(L, -2, 1);
            lua_pushinteger(L, nr + 1);
            lua_rawseti(L, -2, 2);
            lua_rawseti(L, -2, i + 1);
        }
    } else if (strcmp(key, "variable") == 0) {
        Tensor *v = ag_node_variable(n);
        if (v) {
            tensor_retain(v);
            push_tensor(L, v);
        } else
            lua_pushnil(L);
    } else
        lua_pushnil(L);
    return 1;
}

/* ---- attributes ------------------------------------------------------------------ */

static int get_grad(lua_State *L)
{
    Tensor *g = ag_grad(check_tensor(L, 1));
    if (!g)
        return lua_pushnil(L), 1;
    tensor_retain(g);
    push_tensor(L, g);
    return 1;
}

static int get_grad_fn(lua_State *L)
{
    push_grad_fn(L, ag_grad_fn(check_tensor(L, 1)));
    return 1;
}

static int get_requires_grad(lua_State *L)
{
    lua_pushboolean(L, ag_requires_grad(check_tensor(L, 1)));
    return 1;
}

static int get_is_leaf(lua_State *L)
{
    lua_pushboolean(L, ag_is_leaf(check_tensor(L, 1)));
    return 1;
}

static int get_retains_grad(lua_State *L)
{
    lua_pushboolean(L, ag_retains_grad(check_tensor(L, 1)));
    return 1;
}

static int set_requires_grad(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    luaL_checktype(L, 2, LUA_TBOOLEAN);
    if (ag_set_requires_grad(t, lua_toboolean(L, 2)) < 0)
        return raise_tensor_error(L);
    return 0;
}

static int set_grad(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    Tensor *g = lua_isnil(L, 2) ? NULL : check_tensor(L, 2);
    if (ag_set_grad(t, g) < 0)
        return raise_tensor_error(L);
    return 0;
}

/* ---- methods ---------------------------------------------------------------------- */

static int l_requires_grad_(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    if (ag_set_requires_grad(t, lua_isnone(L, 2) || lua_toboolean(L, 2)) < 0)
        return raise_tensor_error(L);
    lua_settop(L, 1);
    return 1;
}

static AgBackwardOptions backward_options(lua_State *L, int opts)
{
    AgBackwardOptions o = {0};
    o.create_graph = opt_bool(L, opts, "create_graph", false);
    o.retain_graph = opt_bool(L, opts, "retain_graph", o.create_graph);
    o.caller = L;
    return o;
}

static int l_backward(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    Tensor *g = lua_isnoneornil(L, 2) ? NULL : check_tensor(L, 2);
    AgBackwardOptions o = backward_options(L, 3);
    if (ag_backward(1, &t, &g, &o) < 0)
        return raise_tensor_error_in(L, "backward");
    return 0;
}

static int l_retain_grad(lua_State *L)
{
    if (ag_retain_grad(check_tensor(L, 1)) < 0)
        return raise_tensor_error(L);
    return 0;
}

static int l_detach(lua_State *L)
{
    push_tensor(L, ag_detach(check_tensor(L, 1)));
    return 1;
}

static int l_detach_(lua_State *L)
{
    if (ag_detach_(check_tensor(L, 1)) < 0)
        return raise_tensor_error(L);
    lua_settop(L, 1);
    return 1;
}

/* A Lua hook: the function lives in the registry; it runs on the state that
 * called backward. */
typedef struct {
    lua_State *L;            /* the main thread, for luaL_unref */
    int ref;
} LuaHook;

static Tensor *run_lua_hook(void *ctx, void *caller, Tensor *grad)
{
    LuaHook *h = ctx;
    lua_State *L = caller ? caller : h->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref);
    tensor_retain(grad);
    push_tensor(L, grad);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        tensor_fail("hook: %s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return NULL;
    }
    Tensor *r = lua_isnil(L, -1) ? grad : test_tensor(L, -1);
    if (!r) {
        lua_pop(L, 1);
        return tensor_fail("hook: a hook must return nil or a tensor, got %s", luaL_typename(L, -1));
    }
    tensor_retain(r);
    lua_pop(L, 1);
    return r;
}

static void free_lua_hook(void *ctx)
{
    LuaHook *h = ctx;
    luaL_unref(h->L, LUA_REGISTRYINDEX, h->ref);
    free(h);
}

static int l_register_hook(lua_State *L)
{
    Tensor *t = check_tensor(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    LuaHook *h = malloc(sizeof *h);
    if (!h)
        return luaL_error(L, "register_hook: out of memory");
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    h->L = lua_tothread(L, -1);
    lua_pop(L, 1);
    lua_pushvalue(L, 2);
    h->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (ag_register_hook(t, run_lua_hook, h, free_lua_hook) < 0) {
        free_lua_hook(h);
        return raise_tensor_error(L);
    }
    return 0;
}

/* ---- grad mode ----------------------------------------------------------------------- */

/* Calls the function at 1 with the arguments after it, with grad mode set
 * to `on`, and restores the mode whatever happens. */
static int call_with_grad_mode(lua_State *L, bool on)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    bool was = ag_grad_enabled();
    ag_set_grad_enabled(on);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    ag_set_grad_enabled(was);
    if (status != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

static int l_no_grad(lua_State *L)
{
    return call_with_grad_mode(L, false);
}

static int l_enable_grad(lua_State *L)
{
    return call_with_grad_mode(L, true);
}

static int l_set_grad_enabled(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TBOOLEAN);
    ag_set_grad_enabled(lua_toboolean(L, 1));
    return 0;
}

static int l_is_grad_enabled(lua_State *L)
{
    lua_pushboolean(L, ag_grad_enabled());
    return 1;
}

/* ---- torch.autograd.grad and torch.autograd.backward ------------------------------- */

/* A tensor or a list of tensors at i as an array; entries of a list may be
 * nil when allow_nil.  Returns the count.  The array is a userdata left on
 * the stack, so an error raised later in the call cannot leak it. */
static int tensor_list(lua_State *L, int i, Tensor ***out, bool allow_nil, const char *what)
{
    i = lua_absindex(L, i);
    if (is_tensor(L, i)) {
        *out = lua_newuserdatauv(L, sizeof **out, 0);
        (*out)[0] = check_tensor(L, i);
        return 1;
    }
    luaL_checktype(L, i, LUA_TTABLE);
    int n = (int)lua_rawlen(L, i);
    *out = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof **out, 0);
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, i, k + 1);
        (*out)[k] = test_tensor(L, -1);
        bool bad = !(*out)[k] && !(allow_nil && lua_isnil(L, -1));
        lua_pop(L, 1);
        if (bad)
            return luaL_error(L, "grad: %s[%d] must be a tensor", what, k + 1);
    }
    return n;
}

/* Both keep their arguments at fixed indices: tensor_list pushes its array
 * after them. */
static int l_autograd_grad(lua_State *L)
{
    Tensor **outs, **ins, **grads = NULL, **results;
    lua_settop(L, 3);
    int n_out = tensor_list(L, 1, &outs, false, "outputs");
    int n_in = tensor_list(L, 2, &ins, false, "inputs");
    if (has_options(L, 3)) {
        lua_getfield(L, 3, "grad_outputs");
        if (!lua_isnil(L, -1)) {
            int n = tensor_list(L, -1, &grads, true, "grad_outputs");
            if (n != n_out)
                return luaL_error(L, "grad: %d grad_outputs given for %d outputs", n, n_out);
        }
    }
    AgBackwardOptions o = backward_options(L, 3);
    bool allow_unused = opt_bool(L, 3, "allow_unused", false);
    results = lua_newuserdatauv(L, (size_t)(n_in > 0 ? n_in : 1) * sizeof *results, 0);
    if (ag_grad_of(n_out, outs, grads, n_in, ins, allow_unused, &o, results) < 0)
        return raise_tensor_error_in(L, "grad");
    lua_createtable(L, n_in, 0);
    for (int j = 0; j < n_in; j++) {
        if (results[j]) {
            push_tensor(L, results[j]);
            lua_rawseti(L, -2, j + 1);
        }
    }
    return 1;
}

static int l_autograd_backward(lua_State *L)
{
    Tensor **outs, **grads = NULL;
    lua_settop(L, 3);
    int n_out = tensor_list(L, 1, &outs, false, "tensors");
    if (!lua_isnoneornil(L, 2)) {
        int n = tensor_list(L, 2, &grads, true, "grad_tensors");
        if (n != n_out)
            return luaL_error(L, "backward: %d grad_tensors given for %d tensors", n, n_out);
    }
    AgBackwardOptions o = backward_options(L, 3);
    if (ag_backward(n_out, outs, grads, &o) < 0)
        return raise_tensor_error_in(L, "backward");
    return 0;
}

/* ---- registration ---------------------------------------------------------------------- */

static const BindFn autograd_methods[] = {
    {"backward", l_backward, "y:backward([grad], {retain_graph=false, create_graph=false})",
     "Accumulates the gradient of y into the .grad of every leaf it depends on. grad is needed "
     "unless y has one element; the graph is freed afterwards unless retain_graph.",
     "local x = torch.tensor({1.0, 2, 3}, {requires_grad = true})\n"
     "local y = (x * x):sum()\ny:backward()\nprint(x.grad)  -- dy/dx = 2x"},
    {"requires_grad_", l_requires_grad_, "x:requires_grad_([on=true])",
     "Marks a leaf tensor as needing gradients (or not); returns x.",
     "local w = torch.ones(2):requires_grad_()\nprint(w.requires_grad, w.is_leaf)"},
    {"retain_grad", l_retain_grad, "x:retain_grad()",
     "Keeps the gradient of a non-leaf tensor in x.grad after backward.",
     "local x = torch.tensor({1.0, 2}, {requires_grad = true})\n"
     "local h = x * 3\nh:retain_grad()\nh:pow(2):sum():backward()\nprint(h.grad)  -- 2h"},
    {"register_hook", l_register_hook, "x:register_hook(fn)",
     "Calls fn(grad) when the gradient of x is computed; fn may return a tensor to use instead.",
     "local x = torch.tensor({1.0, 2}, {requires_grad = true})\n"
     "x:register_hook(function(g) print(\"hook saw\", g) return g * 10 end)\n"
     "x:sum():backward()\nprint(x.grad)"},
    {"detach", l_detach, "x:detach()",
     "A tensor sharing x's data but outside the graph (requires_grad false).",
     "local x = torch.tensor({1.0, 2}, {requires_grad = true})\n"
     "local y = (x * 2):detach()\nprint(y, y.requires_grad)"},
    {"detach_", l_detach_, "x:detach_()", "Takes x out of the graph in place; returns x.",
     "local x = torch.tensor({1.0, 2}, {requires_grad = true})\n"
     "local y = x * 2\ny:detach_()\nprint(y.requires_grad, y.grad_fn)"},
    {NULL, NULL, NULL, NULL},
};

static const BindFn grad_mode_functions[] = {
    {"no_grad", l_no_grad, "torch.no_grad(fn, ...)",
     "Calls fn(...) without recording any graph and returns its results.",
     "local w = torch.ones(2, {requires_grad = true})\n"
     "local y = torch.no_grad(function() return w * 2 end)\nprint(y.requires_grad)"},
    {"enable_grad", l_enable_grad, "torch.enable_grad(fn, ...)",
     "Calls fn(...) with graph recording on (inside no_grad) and returns its results.",
     "local w = torch.ones(2, {requires_grad = true})\n"
     "torch.no_grad(function()\n"
     "  local y = torch.enable_grad(function() return w * 2 end)\n"
     "  print(y.requires_grad)\nend)"},
    {"set_grad_enabled", l_set_grad_enabled, "torch.set_grad_enabled(on)",
     "Turns graph recording on or off from here on.",
     "torch.set_grad_enabled(false)\nprint(torch.is_grad_enabled())\ntorch.set_grad_enabled(true)"},
    {"is_grad_enabled", l_is_grad_enabled, "torch.is_grad_enabled()",
     "Whether ops record the graph now.",
     "print(torch.is_grad_enabled())\ntorch.no_grad(function() print(torch.is_grad_enabled()) end)"},
    {NULL, NULL, NULL, NULL},
};

static const BindFn autograd_functions[] = {
    {"grad", l_autograd_grad,
     "torch.autograd.grad(outputs, inputs, {grad_outputs=, retain_graph=, create_graph=, allow_unused=})",
     "The gradients of outputs (a tensor or list) with respect to inputs (a tensor or list), as a "
     "list; no .grad is changed. create_graph records them for higher derivatives.",
     "local x = torch.tensor(3.0, {requires_grad = true})\n"
     "local dy = torch.autograd.grad(x ^ 3, x, {create_graph = true})[1]\n"
     "print(dy, torch.autograd.grad(dy, x)[1])  -- 3x^2 = 27, 6x = 18"},
    {"backward", l_autograd_backward,
     "torch.autograd.backward(tensors, [grad_tensors], {retain_graph=, create_graph=})",
     "backward() for several outputs at once: their gradients meet in the leaves' .grad.",
     "local x = torch.tensor({1.0, 2}, {requires_grad = true})\n"
     "torch.autograd.backward({x:sum(), (x * x):sum()})\nprint(x.grad)  -- 1 + 2x"},
    {NULL, NULL, NULL, NULL},
};

static void set_accessor(lua_State *L, const char *table, const char *name, lua_CFunction fn)
{
    push_tensor_metatable(L);
    luaL_getsubtable(L, -1, table);
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, name);
    lua_pop(L, 2);
}

void bind_autograd(lua_State *L)
{
    lua_newtable(L);                                   /* node cache, weak values */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &node_cache_key);

    luaL_newmetatable(L, NODE_MT);
    lua_pushcfunction(L, grad_fn_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, grad_fn_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, grad_fn_index);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);

    set_accessor(L, "__getters", "grad", get_grad);
    set_accessor(L, "__getters", "grad_fn", get_grad_fn);
    set_accessor(L, "__getters", "requires_grad", get_requires_grad);
    set_accessor(L, "__getters", "is_leaf", get_is_leaf);
    set_accessor(L, "__getters", "retains_grad", get_retains_grad);
    set_accessor(L, "__setters", "requires_grad", set_requires_grad);
    set_accessor(L, "__setters", "grad", set_grad);

    bind_methods(L, autograd_methods);
    bind_functions(L, -1, grad_mode_functions);
    luaL_getsubtable(L, -1, "autograd");
    bind_functions(L, -1, autograd_functions);
    lua_pop(L, 1);
}
