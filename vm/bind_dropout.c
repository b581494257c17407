/*
 * bind_dropout.c — torch.dropout, torch.feature_dropout and their in-place
 * forms, PyTorch's low-level functions behind F.dropout and F.dropout2d
 * (lib/nn/functional/dropout.lua).
 *
 * (x, p, train) as in PyTorch: p is checked always; with train false or
 * p = 0 the result is x itself (the same Lua value), otherwise the kernel of
 * tensor/dropout.c runs through autograd/op_dropout.c.
 */
#include "autograd/ag_dropout.h"
#include "vm/bind_tensor.h"

/* Whether the call is the identity (x left on top); checks the arguments. */
static bool dropout_is_identity(lua_State *L, const char *fn)
{
    check_tensor(L, 1);
    double p = luaL_optnumber(L, 2, 0.5);
    if (!(p >= 0 && p <= 1))
        luaL_error(L, "%s: dropout probability p must be in [0, 1], got %f", fn, p);
    bool train = lua_isnoneornil(L, 3) || lua_toboolean(L, 3);
    lua_settop(L, 1);
    return !train || p == 0;
}

static int dropout(lua_State *L, bool feature)
{
    double p = luaL_optnumber(L, 2, 0.5);
    if (dropout_is_identity(L, feature ? "feature_dropout" : "dropout"))
        return 1;
    push_tensor(L, ag_dropout(check_tensor(L, 1), p, feature));
    return 1;
}

static int dropout_(lua_State *L, bool feature)
{
    const char *fn = feature ? "feature_dropout_" : "dropout_";
    double p = luaL_optnumber(L, 2, 0.5);
    if (!dropout_is_identity(L, fn) && ag_dropout_(check_tensor(L, 1), p, feature) < 0)
        return raise_tensor_error_in(L, fn);
    return 1;
}

static int l_dropout(lua_State *L) { return dropout(L, false); }
static int l_feature_dropout(lua_State *L) { return dropout(L, true); }
static int l_dropout_(lua_State *L) { return dropout_(L, false); }
static int l_feature_dropout_(lua_State *L) { return dropout_(L, true); }

static const BindFn dropout_functions[] = {
    {"dropout", l_dropout, "torch.dropout(x, [p=0.5], [train=true])",
     "Zeroes each element with probability p and scales the rest by 1/(1-p) when train is true "
     "(x itself when train is false or p is 0); the gradient flows through the kept elements.",
     "torch.manual_seed(0)\nprint(torch.dropout(torch.ones(8), 0.5, true))  -- the kept ones become 2\n"
     "print(torch.dropout(torch.ones(3), 0.5, false))  -- evaluation: x itself"},
    {"dropout_", l_dropout_, "torch.dropout_(x, [p=0.5], [train=true])",
     "torch.dropout in place; returns x.",
     "torch.manual_seed(0)\nlocal x = torch.ones(8)\ntorch.dropout_(x, 0.25)\nprint(x)"},
    {"feature_dropout", l_feature_dropout, "torch.feature_dropout(x, [p=0.5], [train=true])",
     "Dropout of whole channels: zeroes x[n][c] (all its elements) with probability p and scales "
     "the kept channels by 1/(1-p), for x of shape (N, C, ...).",
     "torch.manual_seed(0)\nprint(torch.feature_dropout(torch.ones(1, 4, 3), 0.5, true))"},
    {"feature_dropout_", l_feature_dropout_, "torch.feature_dropout_(x, [p=0.5], [train=true])",
     "torch.feature_dropout in place; returns x.",
     "torch.manual_seed(0)\nlocal x = torch.ones(1, 4, 3)\ntorch.feature_dropout_(x, 0.5)\nprint(x)"},
    {NULL, NULL, NULL, NULL},
};

void bind_dropout(lua_State *L)
{
    bind_functions(L, -1, dropout_functions);
}
