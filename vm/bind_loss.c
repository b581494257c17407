/*
 * bind_loss.c — the losses with C kernels in Lua: torch.cross_entropy,
 * torch.nll_loss, torch.binary_cross_entropy and
 * torch.binary_cross_entropy_with_logits (nn.functional uses them as
 * F.cross_entropy and so on).
 *
 * Keyword arguments come in a trailing options table, checked for unknown
 * names: torch.cross_entropy(x, t, {weight = w, ignore_index = 1,
 * reduction = "sum", label_smoothing = 0.1}).  Class indices are 1-based;
 * ignore_index is a class number as the targets hold it, and PyTorch's
 * default -100 matches no class.
 */
#include <string.h>

#include "autograd/ag_loss.h"
#include "vm/bind_tensor.h"

#define DEFAULT_IGNORE_INDEX -100

/* The options table at `i` (0 when absent), its keys checked against `allowed`. */
static int loss_options(lua_State *L, int i, const char *fn, const char *const *allowed)
{
    if (lua_isnoneornil(L, i))
        return 0;
    if (!has_options(L, i) || test_tensor(L, i))
        luaL_error(L, "%s: argument %d must be an options table, got %s", fn, i, luaL_typename(L, i));
    lua_pushnil(L);
    while (lua_next(L, i)) {
        lua_pop(L, 1);
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), *a) == 0;
        if (!known)
            luaL_error(L, "%s: unknown option '%s'", fn,
                       lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
    }
    return i;
}

/* opts[key] as a tensor (borrowed: it stays in the options table), or NULL. */
static Tensor *opt_tensor(lua_State *L, int opts, const char *key, const char *fn)
{
    if (!opts)
        return NULL;
    lua_getfield(L, opts, key);
    Tensor *t = lua_isnil(L, -1) ? NULL : test_tensor(L, -1);
    if (!t && !lua_isnil(L, -1))
        luaL_error(L, "%s: option '%s' must be a tensor, got %s", fn, key, luaL_typename(L, -1));
    lua_pop(L, 1);
    return t;
}

static LossReduction opt_reduction(lua_State *L, int opts, const char *fn)
{
    if (!opts)
        return LOSS_MEAN;
    lua_getfield(L, opts, "reduction");
    const char *name = lua_isnil(L, -1) ? "mean" : lua_tostring(L, -1);
    int r = name ? loss_reduction_from_name(name) : -1;
    if (r < 0)
        luaL_error(L, "%s: reduction must be \"mean\", \"sum\" or \"none\", got %s", fn,
                   name ? name : luaL_typename(L, -1));
    lua_pop(L, 1);
    return (LossReduction)r;
}

static ClassLoss class_loss_options(lua_State *L, int opts, const char *fn)
{
    ClassLoss o = {opt_tensor(L, opts, "weight", fn), DEFAULT_IGNORE_INDEX, 1,
                   opt_number(L, opts, "label_smoothing", 0), opt_reduction(L, opts, fn)};
    if (opts) {
        lua_getfield(L, opts, "ignore_index");
        int isint = 1;
        lua_Integer v = lua_isnil(L, -1) ? DEFAULT_IGNORE_INDEX : lua_tointegerx(L, -1, &isint);
        if (!isint)
            luaL_error(L, "%s: ignore_index must be an integer (a class number), got %s", fn,
                       luaL_typename(L, -1));
        o.ignore_index = v;
        lua_pop(L, 1);
    }
    return o;
}

static int l_cross_entropy(lua_State *L)
{
    static const char *const allowed[] = {"weight", "ignore_index", "reduction", "label_smoothing",
                                          NULL};
    Tensor *x = check_tensor(L, 1), *target = check_tensor(L, 2);
    int opts = loss_options(L, 3, "cross_entropy", allowed);
    ClassLoss o = class_loss_options(L, opts, "cross_entropy");
    if (loss_probability_target(x, target) && o.ignore_index != DEFAULT_IGNORE_INDEX)
        return luaL_error(L, "cross_entropy: ignore_index is not supported for a target of "
                          "class probabilities");
    push_tensor(L, ag_cross_entropy(x, target, &o));
    return 1;
}

static int l_nll_loss(lua_State *L)
{
    static const char *const allowed[] = {"weight", "ignore_index", "reduction", NULL};
    Tensor *x = check_tensor(L, 1), *target = check_tensor(L, 2);
    ClassLoss o = class_loss_options(L, loss_options(L, 3, "nll_loss", allowed), "nll_loss");
    push_tensor(L, ag_nll_loss(x, target, &o));
    return 1;
}

static int l_binary_cross_entropy(lua_State *L)
{
    static const char *const allowed[] = {"weight", "reduction", NULL};
    const char *fn = "binary_cross_entropy";
    Tensor *x = check_tensor(L, 1), *y = check_tensor(L, 2);
    int opts = loss_options(L, 3, fn, allowed);
    push_tensor(L, ag_binary_cross_entropy(x, y, opt_tensor(L, opts, "weight", fn),
                                           opt_reduction(L, opts, fn)));
    return 1;
}

static int l_binary_cross_entropy_with_logits(lua_State *L)
{
    static const char *const allowed[] = {"weight", "pos_weight", "reduction", NULL};
    const char *fn = "binary_cross_entropy_with_logits";
    Tensor *x = check_tensor(L, 1), *y = check_tensor(L, 2);
    int opts = loss_options(L, 3, fn, allowed);
    push_tensor(L, ag_binary_cross_entropy_with_logits(x, y, opt_tensor(L, opts, "weight", fn),
                                                       opt_tensor(L, opts, "pos_weight", fn),
                                                       opt_reduction(L, opts, fn)));
    return 1;
}

static const BindFn loss_functions[] = {
    {"cross_entropy", l_cross_entropy,
     "torch.cross_entropy(x, target, {weight=, ignore_index=-100, reduction=\"mean\", "
     "label_smoothing=0})",
     "The cross entropy of logits x, (C), (N, C) or (N, C, d1, ...), against class indices 1..C "
     "(int64, x's shape without dim 2) or class probabilities (x's shape): log-softmax and NLL "
     "fused, stable for any finite logits. weight (C) weighs the classes, targets equal to "
     "ignore_index count for nothing, label_smoothing spreads that share of the target over "
     "all classes; reduction is \"mean\", \"sum\" or \"none\".",
     "local logits = torch.tensor({{2.0, 0.5, -1}, {0, 0, 3}})  -- 2 samples, 3 classes\n"
     "local target = torch.tensor({1, 3})                       -- classes count from 1\n"
     "print(torch.cross_entropy(logits, target))\n"
     "print(torch.cross_entropy(logits, target, {reduction = \"none\"}))"},
    {"nll_loss", l_nll_loss,
     "torch.nll_loss(x, target, {weight=, ignore_index=-100, reduction=\"mean\"})",
     "The negative log-likelihood -weight[t] * x[t] of log-probabilities x (log_softmax output) "
     "at the class indices 1..C of target; \"mean\" divides by the summed weights of the "
     "counted targets.",
     "local logp = torch.log_softmax(torch.tensor({{2.0, 0.5, -1}, {0, 0, 3}}), 2)\n"
     "print(torch.nll_loss(logp, torch.tensor({1, 3})))  -- = cross_entropy of the logits"},
    {"binary_cross_entropy", l_binary_cross_entropy,
     "torch.binary_cross_entropy(x, y, {weight=, reduction=\"mean\"})",
     "-(y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1] (logs clamped at -100, "
     "as PyTorch); y has x's shape, weight broadcasts to it.",
     "local p = torch.tensor({0.9, 0.2, 0.6})\n"
     "print(torch.binary_cross_entropy(p, torch.tensor({1.0, 0, 1})))"},
    {"binary_cross_entropy_with_logits", l_binary_cross_entropy_with_logits,
     "torch.binary_cross_entropy_with_logits(x, y, {weight=, pos_weight=, reduction=\"mean\"})",
     "binary_cross_entropy(sigmoid(x), y) computed stably from the logits x; pos_weight "
     "(broadcast, e.g. one per class) multiplies the loss of the positive targets.",
     "local logits, y = torch.tensor({2.0, -1, 0.5}), torch.tensor({1.0, 0, 1})\n"
     "print(torch.binary_cross_entropy_with_logits(logits, y))\n"
     "print(torch.binary_cross_entropy_with_logits(logits, y, {pos_weight = torch.tensor({3.0})}))"},
    {NULL, NULL, NULL, NULL},
};

void bind_loss(lua_State *L)
{
    bind_functions(L, -1, loss_functions);
}
