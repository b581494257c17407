/*
 * rnn.h — one layer and one direction of a recurrent network over a whole
 * sequence, forward and backward (tensor/rnn.c, with the per-step gate
 * arithmetic in tensor/rnn_cell.c): the fused kernels behind F.rnn.
 *
 * The input's projection for every step, gi = x W_ih^T + biases (L, N, G*H),
 * is one GEMM its caller makes; what is left is the recurrence
 *     pre_t = gi_t + h_{t-1} W_hh^T      (one GEMM per step)
 *     h_t, c_t = cell(pre_t, h_{t-1}, c_{t-1})
 * in PyTorch's gate order and formulas (aten/src/ATen/native/RNN.cpp):
 *     RNN   h = tanh(pre) or relu(pre)                                   G = 1
 *     LSTM  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of pre's quarters;
 *           c = f c_{t-1} + i g,  h = o tanh(c)                          G = 4
 *     GRU   gh = h_{t-1} W_hh^T + b_hh;  r, z = sigmoid(gi_rz + gh_rz);
 *           n = tanh(gi_n + r gh_n),  h = n + z (h_{t-1} - n)            G = 3
 * GRU's b_hh stays inside r * (...), so it is an argument here; RNN and LSTM
 * take theirs folded into gi.
 *
 * The forward keeps, in a `reserve` tensor only these kernels read, the
 * states and gate activations of every step; the backward walks the steps
 * in reverse with them (one GEMM per step for the gradient flowing to
 * h_{t-1}) and then forms W_hh's gradient as one GEMM over all steps.
 * Floating dtypes; every tensor of a call has gi's dtype.
 */
#ifndef LUAGRAD_TENSOR_RNN_H
#define LUAGRAD_TENSOR_RNN_H

#include "tensor/tensor.h"

typedef enum { RNN_TANH, RNN_RELU, RNN_LSTM, RNN_GRU } RnnMode;

/* "RNN", "LSTM", "GRU": the prefix of the messages. */
const char *rnn_mode_name(RnnMode mode);
/* G: the gates stacked in a row of gi and W_hh. */
int rnn_gates(RnnMode mode);

/* gi (L, N, G*H) with L >= 1, h0 (N, H), c0 (N, H) for LSTM (else NULL),
 * w_hh (G*H, H), b_hh (G*H) for GRU or NULL.  reverse runs t = L..1.
 * Gives out (L, N, H) in time order, h_n (N, H), c_n (N, H) for LSTM (else
 * NULL), and the reserve for the backward. */
int tensor_rnn(RnnMode mode, bool reverse, const Tensor *gi, const Tensor *h0, const Tensor *c0,
               const Tensor *w_hh, const Tensor *b_hh, Tensor **out, Tensor **h_n, Tensor **c_n,
               Tensor **reserve);

/* The gradients of the forward that made `reserve`, given those of its
 * outputs (any may be NULL: none reached it; any strides).  Each result
 * pointer may be NULL when that gradient is not wanted (d_c0: LSTM only;
 * d_b_hh: GRU only). */
int tensor_rnn_backward(RnnMode mode, bool reverse, const Tensor *reserve, const Tensor *w_hh,
                        const Tensor *g_out, const Tensor *g_hn, const Tensor *g_cn,
                        Tensor **d_gi, Tensor **d_h0, Tensor **d_c0, Tensor **d_w_hh,
                        Tensor **d_b_hh);

#endif
