/*
 * bind_optim.c — the fused optimizer kernels (tensor/optim.c) as internal
 * torch functions for lib/optim: torch._sgd_step, torch._adam_step, ...
 *
 * Each takes the parameter, its gradient, the state tensors (nil where the
 * options use none), the per-parameter step count where the rule needs one,
 * and last the optimizer's parameter group, read by PyTorch's option names
 * (lr, betas, weight_decay, ...): the group table is passed as it is, so a
 * step builds no table per parameter.  lib/optim has validated the group.
 * Nothing is recorded for autograd; the writes count in each tensor's
 * version.
 */
#include "tensor/optim.h"
#include "vm/bind_tensor.h"

/* group[key] as a number; a Lua error when it is missing. */
static double group_number(lua_State *L, int group, const char *fn, const char *key)
{
    lua_getfield(L, group, key);
    if (!lua_isnumber(L, -1))
        luaL_error(L, "%s: the group's '%s' must be a number, got %s", fn, key,
                   luaL_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static bool group_bool(lua_State *L, int group, const char *key)
{
    lua_getfield(L, group, key);
    bool v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* group.betas = {beta1, beta2}. */
static void group_betas(lua_State *L, int group, const char *fn, double *beta1, double *beta2)
{
    lua_getfield(L, group, "betas");
    if (!lua_istable(L, -1))
        luaL_error(L, "%s: the group's 'betas' must be a pair {beta1, beta2}", fn);
    lua_geti(L, -1, 1);
    lua_geti(L, -2, 2);
    if (!lua_isnumber(L, -2) || !lua_isnumber(L, -1))
        luaL_error(L, "%s: the group's 'betas' must be a pair {beta1, beta2}", fn);
    *beta1 = lua_tonumber(L, -2);
    *beta2 = lua_tonumber(L, -1);
    lua_pop(L, 3);
}

static Tensor *opt_tensor(lua_State *L, int i)
{
    return lua_isnoneornil(L, i) ? NULL : check_tensor(L, i);
}

static void check_rc(lua_State *L, int rc, const char *fn)
{
    if (rc < 0)
        raise_tensor_error_in(L, fn);
}

/* _sgd_step(p, grad, momentum_buffer, first, group) */
static int l_sgd_step(lua_State *L)
{
    luaL_checktype(L, 5, LUA_TTABLE);
    const char *fn = "_sgd_step";
    SgdOptions o = {
        .lr = group_number(L, 5, fn, "lr"),
        .momentum = group_number(L, 5, fn, "momentum"),
        .dampening = group_number(L, 5, fn, "dampening"),
        .weight_decay = group_number(L, 5, fn, "weight_decay"),
        .nesterov = group_bool(L, 5, "nesterov"),
        .maximize = group_bool(L, 5, "maximize"),
        .first = lua_toboolean(L, 4),
    };
    check_rc(L, optim_sgd_step(check_tensor(L, 1), check_tensor(L, 2), opt_tensor(L, 3), &o), fn);
    return 0;
}

/* _adam_step(p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, group), and
 * _adamw_step the same. */
static int adam_step(lua_State *L, bool decoupled, const char *fn)
{
    luaL_checktype(L, 7, LUA_TTABLE);
    AdamOptions o = {
        .lr = group_number(L, 7, fn, "lr"),
        .eps = group_number(L, 7, fn, "eps"),
        .weight_decay = group_number(L, 7, fn, "weight_decay"),
        .step = luaL_checknumber(L, 6),
        .amsgrad = group_bool(L, 7, "amsgrad"),
        .maximize = group_bool(L, 7, "maximize"),
        .decoupled = decoupled,
    };
    group_betas(L, 7, fn, &o.beta1, &o.beta2);
    check_rc(L, optim_adam_step(check_tensor(L, 1), check_tensor(L, 2), check_tensor(L, 3),
                                check_tensor(L, 4), opt_tensor(L, 5), &o), fn);
    return 0;
}

static int l_adam_step(lua_State *L) { return adam_step(L, false, "_adam_step"); }
static int l_adamw_step(lua_State *L) { return adam_step(L, true, "_adamw_step"); }

/* _rmsprop_step(p, grad, square_avg, grad_avg, momentum_buffer, group) */
static int l_rmsprop_step(lua_State *L)
{
    luaL_checktype(L, 6, LUA_TTABLE);
    const char *fn = "_rmsprop_step";
    RmspropOptions o = {
        .lr = group_number(L, 6, fn, "lr"),
        .alpha = group_number(L, 6, fn, "alpha"),
        .eps = group_number(L, 6, fn, "eps"),
        .weight_decay = group_number(L, 6, fn, "weight_decay"),
        .momentum = group_number(L, 6, fn, "momentum"),
        .centered = group_bool(L, 6, "centered"),
        .maximize = group_bool(L, 6, "maximize"),
    };
    check_rc(L, optim_rmsprop_step(check_tensor(L, 1), check_tensor(L, 2), check_tensor(L, 3),
                                   opt_tensor(L, 4), opt_tensor(L, 5), &o), fn);
    return 0;
}

/* _adagrad_step(p, grad, sum, step, group) */
static int l_adagrad_step(lua_State *L)
{
    luaL_checktype(L, 5, LUA_TTABLE);
    const char *fn = "_adagrad_step";
    AdagradOptions o = {
        .lr = group_number(L, 5, fn, "lr"),
        .lr_decay = group_number(L, 5, fn, "lr_decay"),
        .weight_decay = group_number(L, 5, fn, "weight_decay"),
        .eps = group_number(L, 5, fn, "eps"),
        .step = luaL_checknumber(L, 4),
        .maximize = group_bool(L, 5, "maximize"),
    };
    check_rc(L, optim_adagrad_step(check_tensor(L, 1), check_tensor(L, 2), check_tensor(L, 3), &o),
             fn);
    return 0;
}

/* _adadelta_step(p, grad, square_avg, acc_delta, group) */
static int l_adadelta_step(lua_State *L)
{
    luaL_checktype(L, 5, LUA_TTABLE);
    const char *fn = "_adadelta_step";
    AdadeltaOptions o = {
        .lr = group_number(L, 5, fn, "lr"),
        .rho = group_number(L, 5, fn, "rho"),
        .eps = group_number(L, 5, fn, "eps"),
        .weight_decay = group_number(L, 5, fn, "weight_decay"),
        .maximize = group_bool(L, 5, "maximize"),
    };
    check_rc(L, optim_adadelta_step(check_tensor(L, 1), check_tensor(L, 2), check_tensor(L, 3),
                                    check_tensor(L, 4), &o), fn);
    return 0;
}

/* _adamax_step(p, grad, exp_avg, exp_inf, step, group) */
static int l_adamax_step(lua_State *L)
{
    luaL_checktype(L, 6, LUA_TTABLE);
    const char *fn = "_adamax_step";
    AdamaxOptions o = {
        .lr = group_number(L, 6, fn, "lr"),
        .eps = group_number(L, 6, fn, "eps"),
        .weight_decay = group_number(L, 6, fn, "weight_decay"),
        .step = luaL_checknumber(L, 5),
        .maximize = group_bool(L, 6, "maximize"),
    };
    group_betas(L, 6, fn, &o.beta1, &o.beta2);
    check_rc(L, optim_adamax_step(check_tensor(L, 1), check_tensor(L, 2), check_tensor(L, 3),
                                  check_tensor(L, 4), &o), fn);
    return 0;
}

/* _nadam_step(p, grad, exp_avg, exp_avg_sq, step, mu_product, group) -> new mu_product */
static int l_nadam_step(lua_State *L)
{
    luaL_checktype(L, 7, LUA_TTABLE);
    const char *fn = "_nadam_step";
    NadamOptions o = {
        .lr = group_number(L, 7, fn, "lr"),
        .eps = group_number(L, 7, fn, "eps"),
        .weight_decay = group_number(L, 7, fn, "weight_decay"),
        .momentum_decay = group_number(L, 7, fn, "momentum_decay"),
        .step = luaL_checknumber(L, 5),
    };
    group_betas(L, 7, fn, &o.beta1, &o.beta2);
    double mu_product = luaL_checknumber(L, 6);
    check_rc(L, optim_nadam_step(check_tensor(L, 1), check_tensor(L, 2), check_tensor(L, 3),
                                 check_tensor(L, 4), &mu_product, &o), fn);
    lua_pushnumber(L, mu_product);
    return 1;
}

/* The examples step one parameter with one gradient, taking the group (every
 * option filled in) from the optimizer the kernel serves. */
#define EXAMPLE_P "local p, grad = torch.tensor({1.0, 2}), torch.tensor({0.5, -0.5})\n"

static const BindFn optim_functions[] = {
    {"_sgd_step", l_sgd_step, "torch._sgd_step(p, grad, momentum_buffer, first, group)",
     "One fused SGD update of p in place (optim.SGD's kernel); momentum_buffer is nil without "
     "momentum and becomes grad when first is true.",
     EXAMPLE_P "local group = optim.SGD({p}, {lr = 0.1}).param_groups[1]\n"
     "torch._sgd_step(p, grad, nil, true, group)\nprint(p)  -- p - lr * grad"},
    {"_adam_step", l_adam_step,
     "torch._adam_step(p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, group)",
     "One fused Adam update of p and its moments in place (optim.Adam's kernel); "
     "max_exp_avg_sq is nil without amsgrad.",
     EXAMPLE_P "local m, v = torch.zeros(2), torch.zeros(2)\n"
     "torch._adam_step(p, grad, m, v, nil, 1, optim.Adam({p}, {lr = 0.1}).param_groups[1])\n"
     "print(p, m, v)  -- the first step moves each element by lr"},
    {"_adamw_step", l_adamw_step,
     "torch._adamw_step(p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, group)",
     "One fused AdamW update (decoupled weight decay) of p and its moments in place.",
     EXAMPLE_P "local group = optim.AdamW({p}, {lr = 0.1, weight_decay = 0.5}).param_groups[1]\n"
     "torch._adamw_step(p, grad, torch.zeros(2), torch.zeros(2), nil, 1, group)\n"
     "print(p)  -- p * (1 - lr * weight_decay), then Adam's step"},
    {"_rmsprop_step", l_rmsprop_step,
     "torch._rmsprop_step(p, grad, square_avg, grad_avg, momentum_buffer, group)",
     "One fused RMSprop update in place; grad_avg is nil unless centered, momentum_buffer nil "
     "without momentum.",
     EXAMPLE_P "local square_avg = torch.zeros(2)\n"
     "torch._rmsprop_step(p, grad, square_avg, nil, nil, optim.RMSprop({p}).param_groups[1])\n"
     "print(p, square_avg)"},
    {"_adagrad_step", l_adagrad_step, "torch._adagrad_step(p, grad, sum, step, group)",
     "One fused Adagrad update of p and its sum of squared gradients in place.",
     EXAMPLE_P "local sum = torch.zeros(2)\n"
     "torch._adagrad_step(p, grad, sum, 1, optim.Adagrad({p}, {lr = 0.1}).param_groups[1])\n"
     "print(p, sum)"},
    {"_adadelta_step", l_adadelta_step,
     "torch._adadelta_step(p, grad, square_avg, acc_delta, group)",
     "One fused Adadelta update of p and its running averages in place.",
     EXAMPLE_P "local square_avg, acc_delta = torch.zeros(2), torch.zeros(2)\n"
     "torch._adadelta_step(p, grad, square_avg, acc_delta, optim.Adadelta({p}).param_groups[1])\n"
     "print(p, square_avg, acc_delta)"},
    {"_adamax_step", l_adamax_step, "torch._adamax_step(p, grad, exp_avg, exp_inf, step, group)",
     "One fused Adamax update of p, its first moment and its infinity norm in place.",
     EXAMPLE_P "local m, u = torch.zeros(2), torch.zeros(2)\n"
     "torch._adamax_step(p, grad, m, u, 1, optim.Adamax({p}, {lr = 0.1}).param_groups[1])\n"
     "print(p, m, u)"},
    {"_nadam_step", l_nadam_step,
     "torch._nadam_step(p, grad, exp_avg, exp_avg_sq, step, mu_product, group)",
     "One fused NAdam update in place; returns mu_product times this step's momentum "
     "coefficient.",
     EXAMPLE_P "local group = optim.NAdam({p}, {lr = 0.1}).param_groups[1]\n"
     "local mu_product = torch._nadam_step(p, grad, torch.zeros(2), torch.zeros(2), 1, 1, group)\n"
     "print(p, mu_product)"},
    {NULL, NULL, NULL, NULL},
};

void bind_optim(lua_State *L)
{
    bind_functions(L, -1, optim_functions);
}
