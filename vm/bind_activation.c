/*
 * bind_activation.c — the parameterised activations in Lua:
 * torch.leaky_relu, torch.elu, torch.softplus, torch.hardtanh, their
 * in-place forms (leaky_relu_, elu_, hardtanh_) and the same as methods.
 *
 * Parameters come as PyTorch orders them, positionally or by name in a
 * trailing options table, and `inplace` (a boolean after the numbers, or
 * the option) where PyTorch's functional form has it, so nn.functional
 * uses these functions directly:
 *     torch.leaky_relu(x, 0.2)   torch.leaky_relu(x, {negative_slope = 0.2, inplace = true})
 *     torch.hardtanh(x, -2, 2)   torch.softplus(x, {beta = 2, threshold = 10})
 */
#include <string.h>

#include "autograd/ag_activation.h"
#include "vm/bind_tensor.h"

typedef struct {
    ActivationKind kind;
    int nparams;
    const char *names[2];
    double defaults[2];
    bool has_inplace;
} ActivationSpec;

static const ActivationSpec specs[ACT_COUNT] = {
    [ACT_LEAKY_RELU] = {ACT_LEAKY_RELU, 1, {"negative_slope"}, {0.01}, true},
    [ACT_ELU] = {ACT_ELU, 1, {"alpha"}, {1}, true},
    [ACT_SOFTPLUS] = {ACT_SOFTPLUS, 2, {"beta", "threshold"}, {1, 20}, false},
    [ACT_HARDTANH] = {ACT_HARDTANH, 2, {"min_val", "max_val"}, {-1, 1}, true},
};

static bool is_param_name(const ActivationSpec *s, const char *key)
{
    for (int k = 0; k < s->nparams; k++)
        if (strcmp(key, s->names[k]) == 0)
            return true;
    return s->has_inplace && strcmp(key, "inplace") == 0;
}

static void check_option_names(lua_State *L, int opts, const ActivationSpec *s, const char *fn)
{
    lua_pushnil(L);
    while (lua_next(L, opts)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING || !is_param_name(s, lua_tostring(L, -1)))
            luaL_error(L, "%s: unknown option '%s'", fn,
                       lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
    }
}

/* The activation the arguments after x describe; *inplace says whether
 * they asked for the in-place form. */
static Activation check_activation(lua_State *L, ActivationKind kind, bool *inplace)
{
    const ActivationSpec *s = &specs[kind];
    const char *fn = activation_name(kind);
    check_tensor(L, 1);
    Activation act = {kind, s->defaults[0], s->defaults[1]};
    double *value[2] = {&act.a, &act.b};
    int i = 2;
    for (int k = 0; k < s->nparams && lua_type(L, i) == LUA_TNUMBER; k++)
        *value[k] = lua_tonumber(L, i++);
    if (s->has_inplace && lua_isboolean(L, i))
        *inplace = lua_toboolean(L, i++);
    if (has_options(L, i) && !test_tensor(L, i)) {
        check_option_names(L, i, s, fn);
        for (int k = 0; k < s->nparams; k++)
            *value[k] = opt_number(L, i, s->names[k], *value[k]);
        *inplace = opt_bool(L, i, "inplace", *inplace);
        i++;
    }
    if (!lua_isnone(L, i))
        luaL_error(L, "%s: unexpected argument %d (%s)", fn, i, luaL_typename(L, i));
    if (kind == ACT_HARDTANH && act.a > act.b)
        luaL_error(L, "hardtanh: max_val (%f) must not be less than min_val (%f)", act.b, act.a);
    return act;
}

static int activation_call(lua_State *L, ActivationKind kind, bool inplace)
{
    Activation act = check_activation(L, kind, &inplace);
    Tensor *x = check_tensor(L, 1);
    if (!inplace) {
        push_tensor(L, ag_activation(&act, x));
        return 1;
    }
    if (ag_activation_(&act, x) < 0)
        return raise_tensor_error(L);
    lua_settop(L, 1);
    return 1;
}

static int l_leaky_relu(lua_State *L) { return activation_call(L, ACT_LEAKY_RELU, false); }
static int l_leaky_relu_(lua_State *L) { return activation_call(L, ACT_LEAKY_RELU, true); }
static int l_elu(lua_State *L) { return activation_call(L, ACT_ELU, false); }
static int l_elu_(lua_State *L) { return activation_call(L, ACT_ELU, true); }
static int l_softplus(lua_State *L) { return activation_call(L, ACT_SOFTPLUS, false); }
static int l_hardtanh(lua_State *L) { return activation_call(L, ACT_HARDTANH, false); }
static int l_hardtanh_(lua_State *L) { return activation_call(L, ACT_HARDTANH, true); }

static const BindFn activation_functions[] = {
    {"leaky_relu", l_leaky_relu,
     "torch.leaky_relu(x, [negative_slope=0.01], [inplace], {negative_slope=, inplace=})  or  "
     "x:leaky_relu(...)",
     "x where x > 0, negative_slope * x elsewhere.",
     "local x = torch.tensor({-2.0, 0, 3})\nprint(torch.leaky_relu(x))\nprint(x:leaky_relu(0.5))"},
    {"leaky_relu_", l_leaky_relu_, "torch.leaky_relu_(x, [negative_slope=0.01])  or  x:leaky_relu_(...)",
     "In-place leaky_relu; returns x.",
     "local x = torch.tensor({-2.0, 0, 3})\nx:leaky_relu_({negative_slope = 0.1})\nprint(x)"},
    {"elu", l_elu, "torch.elu(x, [alpha=1], [inplace], {alpha=, inplace=})  or  x:elu(...)",
     "The exponential linear unit: x where x > 0, alpha * (exp(x) - 1) elsewhere.",
     "print(torch.elu(torch.tensor({-2.0, 0, 3}), {alpha = 0.5}))"},
    {"elu_", l_elu_, "torch.elu_(x, [alpha=1])  or  x:elu_(...)", "In-place elu; returns x.",
     "local x = torch.tensor({-2.0, 0, 3})\nx:elu_()\nprint(x)"},
    {"softplus", l_softplus,
     "torch.softplus(x, [beta=1], [threshold=20], {beta=, threshold=})  or  x:softplus(...)",
     "log(1 + exp(beta * x)) / beta, a smooth relu; x itself where beta * x > threshold.",
     "local x = torch.tensor({-2.0, 0, 3})\nprint(torch.softplus(x))\nprint(x:softplus({beta = 2}))"},
    {"hardtanh", l_hardtanh,
     "torch.hardtanh(x, [min_val=-1], [max_val=1], [inplace], {min_val=, max_val=, inplace=})  or  "
     "x:hardtanh(...)",
     "x clamped to [min_val, max_val]; the gradient is 0 outside (and at) the bounds.",
     "local x = torch.tensor({-3.0, -0.5, 0.5, 3})\nprint(torch.hardtanh(x))\nprint(x:hardtanh(0, 2))"},
    {"hardtanh_", l_hardtanh_, "torch.hardtanh_(x, [min_val=-1], [max_val=1])  or  x:hardtanh_(...)",
     "In-place hardtanh; returns x.",
     "local x = torch.tensor({-3.0, -0.5, 0.5, 3})\nx:hardtanh_()\nprint(x)"},
    {NULL, NULL, NULL, NULL},
};

void bind_activation(lua_State *L)
{
    bind_functions(L, -1, activation_functions);
    bind_methods(L, activation_functions);
}
