/*
 * bind_rnn.c — torch._rnn_layer, the fused time loop of one recurrent layer
 * and direction (autograd/op_rnn.c), for F.rnn (lib/nn/functional/recurrent.lua).
 *
 * F.rnn checks the user's arguments and makes the input projection; this
 * takes the result as it is.
 */
#include "autograd/ag_rnn.h"
#include "vm/bind_tensor.h"

static Tensor *opt_tensor(lua_State *L, int i)
{
    return lua_isnoneornil(L, i) ? NULL : check_tensor(L, i);
}

static int l_rnn_layer(lua_State *L)
{
    static const char *const modes[] = {"RNN_TANH", "RNN_RELU", "LSTM", "GRU", NULL};
    static const RnnMode values[] = {RNN_TANH, RNN_RELU, RNN_LSTM, RNN_GRU};
    RnnMode mode = values[luaL_checkoption(L, 1, NULL, modes)];
    Tensor *gi = check_tensor(L, 2), *h0 = check_tensor(L, 3), *c0 = opt_tensor(L, 4);
    Tensor *w_hh = check_tensor(L, 5), *b_hh = opt_tensor(L, 6);
    Tensor *out, *h_n, *c_n;
    if (ag_rnn(mode, lua_toboolean(L, 7), gi, h0, c0, w_hh, b_hh, &out, &h_n, &c_n) < 0)
        return raise_tensor_error(L);
    push_tensor(L, out);
    push_tensor(L, h_n);
    if (!c_n)
        return 2;
    push_tensor(L, c_n);
    return 3;
}

static const BindFn rnn_functions[] = {
    {"_rnn_layer", l_rnn_layer, "torch._rnn_layer(mode, gi, h_0, c_0, weight_hh, bias_hh, reverse)",
     "One layer and direction of F.rnn over a whole sequence, as one autograd node: mode 'RNN_TANH', "
     "'RNN_RELU', 'LSTM' or 'GRU'; gi (L, N, G*H) is the input's projection x W_ih^T with the biases "
     "(GRU: b_ih only; bias_hh is then GRU's own, or nil); h_0 (N, H); c_0 (N, H) for LSTM, else nil. "
     "Returns output (L, N, H), h_n and, for LSTM, c_n.",
     "torch.manual_seed(0)\n"
     "local w_hh, gi = torch.randn(4, 4), torch.randn(3, 2, 4)       -- H = 4, G = 1\n"
     "local out, h = torch._rnn_layer('RNN_TANH', gi, torch.zeros(2, 4), nil, w_hh, nil, false)\n"
     "print(out.shape[1], out.shape[3], (out[3] - h):abs():max():item())   -- h_n is the last step"},
    {NULL, NULL, NULL, NULL},
};

void bind_rnn(lua_State *L)
{
    bind_functions(L, -1, rnn_functions);
}
