/*
 * ag_rnn.h — one recurrent layer and direction over a whole sequence,
 * differentiable (autograd/op_rnn.c over tensor/rnn.h).
 *
 * One node for the whole time loop, whose backward is the fused backward
 * through time; with create_graph it runs the layer again with recorded
 * ops, so second derivatives pass.
 */
#ifndef LUAGRAD_AG_RNN_H
#define LUAGRAD_AG_RNN_H

#include "autograd/autograd.h"
#include "tensor/rnn.h"

/* tensor_rnn's forward, recorded when an input requires grad: out, h_n and
 * for LSTM c_n (else *c_n is NULL).  -1 on failure, with none of them. */
int ag_rnn(RnnMode mode, bool reverse, const Tensor *gi, const Tensor *h0, const Tensor *c0,
           const Tensor *w_hh, const Tensor *b_hh, Tensor **out, Tensor **h_n, Tensor **c_n);

#endif
