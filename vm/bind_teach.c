/*
 * bind_teach.c — the C half of the teaching tools (lib/torch/explain.lua,
 * graph.lua, trace.lua): a backward pass taken one node at a time, what a
 * node can tell about itself, and teaching mode.
 *
 * torch.autograd._run(y, grad, opts) starts the backward pass y:backward()
 * would run, as an object whose :step() runs the next node and returns what
 * it saw: the node, the gradients that reached it and those it passed on
 * (the engine's on_step watcher copies them out).  Everything else about a
 * step (names, formulas, arithmetic) is worked out in Lua.
 *
 * Teaching mode (torch.autograd.set_trace(true), and torch.autograd.trace
 * while its function runs) sets a tracer on the core: every node recorded
 * then asks it where the program is and what it calls the op's inputs.  The
 * tracer answers from the Lua stack without running any Lua code (it is
 * called from inside an op): the first Lua frame gives the line, its locals,
 * its function's upvalues and then the globals give the names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/ag_trace.h"
#include "autograd/node.h"
#include "vm/bind_tensor.h"

/* ---- a backward pass, one node at a time ---------------------------------------- */

typedef struct {
    AgRun *run;
    /* what the last step saw (references), set by watch_step */
    AgNode *node;
    int n_out, n_in;
    Tensor **grads;          /* n_out gradients in, then n_in gradients out */
} Run;

static void run_forget_step(Run *r)
{
    for (int k = 0; k < r->n_out + r->n_in; k++)
        tensor_release(r->grads[k]);
    free(r->grads);
    ag_node_release(r->node);
    r->grads = NULL;
    r->node = NULL;
    r->n_out = r->n_in = 0;
}

static int watch_step(void *ctx, AgNode *n, Tensor *const *grad_out, Tensor *const *grad_in)
{
    Run *r = ctx;
    int n_out = ag_node_num_outputs(n), n_in = ag_node_num_inputs(n);
    run_forget_step(r);
    r->grads = calloc((size_t)(n_out + n_in > 0 ? n_out + n_in : 1), sizeof *r->grads);
    if (!r->grads) {
        tensor_fail("out of memory during backward");
        return -1;
    }
    for (int k = 0; k < n_out + n_in; k++) {
        Tensor *g = k < n_out ? grad_out[k] : grad_in[k - n_out];
        if (g)
            tensor_retain(g);
        r->grads[k] = g;
    }
    ag_node_retain(n);
    r->node = n;
    r->n_out = n_out;
    r->n_in = n_in;
    return 0;
}

/* The functions here keep the metatable of runs and the tracer of set_trace
 * as upvalues 1 and 2: the registry stays as it was (its hashing is on the
 * hot path of every op: an entry more slowed backward_10 by 0.5%). */
#define RUN_MT_UPVALUE lua_upvalueindex(1)
#define TRACER_UPVALUE lua_upvalueindex(2)

static Run *test_run(lua_State *L)
{
    Run *r = lua_touserdata(L, 1);
    bool ok = r && lua_getmetatable(L, 1) && lua_rawequal(L, -1, RUN_MT_UPVALUE);
    if (r && ok)
        lua_pop(L, 1);
    if (!ok)
        luaL_typeerror(L, 1, "backward pass");
    return r;
}

static Run *check_run(lua_State *L)
{
    Run *r = test_run(L);
    if (!r->run)
        luaL_error(L, "stepper: this backward pass is closed");
    return r;
}

static int run_close(lua_State *L)
{
    Run *r = test_run(L);
    run_forget_step(r);
    ag_run_free(r->run);
    r->run = NULL;
    return 0;
}

/* A list of `count` gradients (nil where none) with its length in n. */
static void push_grads(lua_State *L, Tensor **grads, int count)
{
    lua_createtable(L, count, 1);
    for (int k = 0; k < count; k++) {
        if (!grads[k])
            continue;
        tensor_retain(grads[k]);
        push_tensor(L, grads[k]);
        lua_rawseti(L, -2, k + 1);
    }
    lua_pushinteger(L, count);
    lua_setfield(L, -2, "n");
}

/* run:step() -> {node =, grad_outputs =, grad_inputs =}, {} when the node
 * popped received no gradient (nothing ran), or nil when the pass is over. */
static int run_step(lua_State *L)
{
    Run *r = check_run(L);
    run_forget_step(r);
    int status = ag_run_step(r->run, L);
    if (status < 0)
        return raise_tensor_error_in(L, "backward");
    if (status == 0)
        return lua_pushnil(L), 1;
    lua_createtable(L, 0, 3);
    if (r->node) {
        push_grad_fn(L, r->node);
        lua_setfield(L, -2, "node");
        push_grads(L, r->grads, r->n_out);
        lua_setfield(L, -2, "grad_outputs");
        push_grads(L, r->grads + r->n_out, r->n_in);
        lua_setfield(L, -2, "grad_inputs");
    }
    run_forget_step(r);
    return 1;
}

/* torch.autograd._run(y, grad, {retain_graph=, create_graph=}) */
static int l_run(lua_State *L)
{
    Tensor *y = check_tensor(L, 1);
    Tensor *g = lua_isnoneornil(L, 2) ? NULL : check_tensor(L, 2);
    AgBackwardOptions o = {0};
    o.create_graph = opt_bool(L, 3, "create_graph", false);
    o.retain_graph = opt_bool(L, 3, "retain_graph", o.create_graph);
    o.caller = L;
    o.on_step = watch_step;
    Run *r = lua_newuserdatauv(L, sizeof *r, 0);
    *r = (Run){0};
    lua_pushvalue(L, RUN_MT_UPVALUE);
    lua_setmetatable(L, -2);
    o.step_ctx = r;
    r->run = ag_run_begin(1, &y, &g, &o);
    if (!r->run)
        return raise_tensor_error_in(L, "backward");
    return 1;
}

/* ---- what a node tells about itself ------------------------------------------------ */

static void push_shape(lua_State *L, int ndim, const int64_t *shape)
{
    lua_createtable(L, ndim, 0);
    for (int d = 0; d < ndim; d++) {
        lua_pushinteger(L, shape[d]);
        lua_rawseti(L, -2, d + 1);
    }
}

static void push_value(lua_State *L, Tensor *t)
{
    if (!t)
        return lua_pushnil(L);
    tensor_retain(t);
    push_tensor(L, t);
}

/* One input of n: {node=, output_nr=, shape=, dtype=, scalar=, name=, value=}. */
static void push_input(lua_State *L, AgNode *n, int i)
{
    int nr;
    AgNode *next = ag_node_input(n, i, &nr);
    int64_t shape[TENSOR_MAX_DIMS];
    DType dtype;
    int ndim = ag_node_input_shape(n, i, shape, &dtype);
    double scalar;
    bool is_scalar = ag_node_input_scalar(n, i, &scalar);
    lua_createtable(L, 0, 7);
    if (next) {
        push_grad_fn(L, next);
        lua_setfield(L, -2, "node");
        lua_pushinteger(L, nr + 1);
        lua_setfield(L, -2, "output_nr");
    }
    if (next || is_scalar || ndim > 0) {      /* absent arguments have neither */
        push_shape(L, ndim, shape);
        lua_setfield(L, -2, "shape");
        lua_pushstring(L, dtype_name(dtype));
        lua_setfield(L, -2, "dtype");
    }
    if (is_scalar) {
        lua_pushnumber(L, scalar);
        lua_setfield(L, -2, "scalar");
    }
    lua_pushstring(L, ag_node_input_name(n, i));
    lua_setfield(L, -2, "name");
    push_value(L, ag_node_input_value(n, i));
    lua_setfield(L, -2, "value");
}

/* torch.autograd._node(grad_fn) -> {name, formula, seq, origin, inputs,
 * outputs and output_shapes (traced), n_outputs, variable} */
static int l_node(lua_State *L)
{
    AgNode *n = check_grad_fn(L, 1);
    int n_in = ag_node_num_inputs(n), n_out = ag_node_num_outputs(n);
    lua_createtable(L, 0, 9);
    lua_pushstring(L, ag_node_name(n));
    lua_setfield(L, -2, "name");
    lua_pushstring(L, ag_node_formula(n));
    lua_setfield(L, -2, "formula");
    lua_pushinteger(L, (lua_Integer)ag_node_seq(n));
    lua_setfield(L, -2, "seq");
    lua_pushstring(L, ag_node_origin(n));
    lua_setfield(L, -2, "origin");
    lua_createtable(L, n_in, 0);
    for (int i = 0; i < n_in; i++) {
        push_input(L, n, i);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "inputs");
    lua_createtable(L, n_out, 0);
    for (int k = 0; k < n_out; k++) {
        push_value(L, ag_node_output_value(n, k));
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "outputs");
    lua_createtable(L, n_out, 0);
    for (int k = 0; k < n_out; k++) {
        int64_t shape[TENSOR_MAX_DIMS];
        int ndim = ag_node_output_shape(n, k, shape);
        if (ndim < 0)
            continue;
        push_shape(L, ndim, shape);
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "output_shapes");
    lua_pushinteger(L, n_out);
    lua_setfield(L, -2, "n_outputs");
    push_value(L, ag_node_variable(n));
    lua_setfield(L, -2, "variable");
    return 1;
}

/* torch.autograd._edge(t) -> the node t's gradient enters (its grad_fn, or
 * its leaf's AccumulateGrad) and the output number there; nil when none. */
static int l_edge(lua_State *L)
{
    AgNode *n;
    int nr;
    if (ag_edge(check_tensor(L, 1), &n, &nr) < 0)
        return raise_tensor_error(L);
    if (!n)
        return 0;
    push_grad_fn(L, n);
    ag_node_release(n);
    lua_pushinteger(L, nr + 1);
    return 2;
}

/* torch.autograd._id(t): the same value for every handle on one tensor. */
static int l_id(lua_State *L)
{
    lua_pushlightuserdata(L, check_tensor(L, 1));
    return 1;
}

/* ---- teaching mode ---------------------------------------------------------------- */

typedef struct {
    AgTracer base;
    lua_State *L;            /* whose stack is read */
    bool listing;            /* trace(fn): keep the nodes made, in order */
    AgNode **list;
    int count, cap;
} LuaTracer;

static char *copy_string(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Names inputs[] from the value on top of the stack (popped) called `name`. */
static void match_value(lua_State *L, const char *name, int n, const Tensor *const *inputs,
                        char **names)
{
    Tensor *t = name && name[0] != '(' ? test_tensor(L, -1) : NULL;
    for (int i = 0; t && i < n; i++)
        if (inputs[i] == t && !names[i])
            names[i] = copy_string(name);
    lua_pop(L, 1);
}

static bool all_named(int n, const Tensor *const *inputs, char *const *names)
{
    for (int i = 0; i < n; i++)
        if (inputs[i] && !names[i])
            return false;
    return true;
}

/* The locals and upvalues of the Lua functions from stack level `level` out
 * (the op's caller first: a library function's parameters are names too),
 * then the globals (the caller restores the stack). */
static void name_inputs(lua_State *L, int level, int n, const Tensor *const *inputs, char **names)
{
    const char *name;
    lua_Debug ar;
    for (; level < 64 && !all_named(n, inputs, names) && lua_getstack(L, level, &ar); level++) {
        for (int k = 1; !all_named(n, inputs, names) && (name = lua_getlocal(L, &ar, k)); k++)
            match_value(L, name, n, inputs, names);
        lua_getinfo(L, "f", &ar);
        for (int k = 1; !all_named(n, inputs, names) && (name = lua_getupvalue(L, -1, k)); k++)
            match_value(L, name, n, inputs, names);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (!all_named(n, inputs, names) && lua_next(L, -2)) {
        name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        match_value(L, name, n, inputs, names);
    }
}

static void describe(void *ctx, AgNode *node, const Tensor *const *inputs, char **origin,
                     char **names)
{
    LuaTracer *tr = ctx;
    lua_State *L = tr->L;
    int top = lua_gettop(L);
    lua_Debug ar;
    for (int level = 0; lua_checkstack(L, 8) && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
            continue;                              /* a C function: the op itself */
        char where[512];
        snprintf(where, sizeof where, "%s:%d", ar.source[0] == '@' ? ar.source + 1 : ar.short_src,
                 ar.currentline);
        *origin = copy_string(where);
        name_inputs(L, level, ag_node_num_inputs(node), inputs, names);
        break;
    }
    lua_settop(L, top);
    if (!tr->listing)
        return;
    if (tr->count == tr->cap) {
        int cap = tr->cap ? 2 * tr->cap : 32;
        AgNode **grown = realloc(tr->list, (size_t)cap * sizeof *grown);
        if (!grown)
            return;                                /* the listing misses this op */
        tr->list = grown;
        tr->cap = cap;
    }
    ag_node_retain(node);
    tr->list[tr->count++] = node;
}

/* A closing state must not leave its tracer set on the thread. */
static int tracer_gc(lua_State *L)
{
    LuaTracer *tr = lua_touserdata(L, 1);
    if (ag_tracer() == &tr->base)
        ag_set_tracer(NULL);
    return 0;
}

/* torch.autograd._set_trace(on) (set_trace in lib/torch/trace.lua) */
static int l_set_trace(lua_State *L)
{
    LuaTracer *tr = lua_touserdata(L, TRACER_UPVALUE);
    ag_set_tracer(lua_toboolean(L, 1) ? &tr->base : NULL);
    return 0;
}

static int l_is_tracing(lua_State *L)
{
    lua_pushboolean(L, ag_tracer() != NULL);
    return 1;
}

/* torch.autograd._traced(fn, ...) -> the nodes fn made (a list of grad_fn
 * objects in creation order), then fn's results. */
static int l_traced(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    LuaTracer tr = {.base = {describe, NULL}, .L = L, .listing = true};
    tr.base.ctx = &tr;
    const AgTracer *outer = ag_set_tracer(&tr.base);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    ag_set_tracer(outer);
    if (status == LUA_OK && lua_checkstack(L, 4)) {
        lua_createtable(L, tr.count, 0);
        for (int k = 0; k < tr.count; k++) {
            push_grad_fn(L, tr.list[k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_insert(L, 1);
    }
    for (int k = 0; k < tr.count; k++)
        ag_node_release(tr.list[k]);
    free(tr.list);
    if (status != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

/* ---- registration ------------------------------------------------------------------- */

static const BindFn teach_functions[] = {
    {"is_tracing", l_is_tracing, "torch.autograd.is_tracing()",
     "Whether teaching mode (set_trace, or a trace in progress) is on.",
     "print(torch.autograd.is_tracing())\ntorch.autograd.set_trace(true)\n"
     "print(torch.autograd.is_tracing())\n"
     "torch.autograd.set_trace(false)"},
    {NULL, NULL, NULL, NULL},
};

void bind_teach(lua_State *L)
{
    luaL_getsubtable(L, -1, "autograd");
    bind_functions(L, -1, teach_functions);

    lua_createtable(L, 0, 3);                          /* upvalue 1: the metatable of runs */
    lua_pushliteral(L, "AutogradRun");
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, run_close, 1);
    lua_setfield(L, -2, "__gc");
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, run_step, 1);
    lua_setfield(L, -2, "step");
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, run_close, 1);
    lua_setfield(L, -2, "close");
    lua_setfield(L, -2, "__index");

    LuaTracer *tr = lua_newuserdatauv(L, sizeof *tr, 0);   /* upvalue 2: set_trace's tracer */
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    *tr = (LuaTracer){.base = {describe, tr}, .L = lua_tothread(L, -1)};
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, tracer_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);

    static const luaL_Reg internals[] = {
        {"_run", l_run}, {"_set_trace", l_set_trace}, {"_node", l_node}, {"_edge", l_edge},
        {"_id", l_id},   {"_traced", l_traced},       {NULL, NULL},
    };
    luaL_setfuncs(L, internals, 2);
    lua_pop(L, 1);
}
