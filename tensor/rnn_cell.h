/*
 * rnn_cell.h — the gate arithmetic of one step of a recurrent layer, for
 * every row of a batch at once (tensor/rnn_cell.c), forward and backward:
 * what tensor/rnn.c runs between its matrix products.
 *
 * The step's states and activations live in the reserve (see rnn.c), rows
 * `ld` elements apart; the gradients and GRU's projections are dense rows.
 * Formulas and gate order are PyTorch's (rnn.h).
 */
#ifndef LUAGRAD_TENSOR_RNN_CELL_H
#define LUAGRAD_TENSOR_RNN_CELL_H

#include "tensor/rnn.h"

typedef struct {
    int64_t rows, hidden;   /* N and H */
    int64_t ld;             /* the row stride of the reserve's arrays */
    /* In the reserve. */
    void *h;                /* h_t (RNN: holds the pre-activation until forward) */
    const void *h_prev, *c_prev;
    void *c, *tc;           /* LSTM: c_t and tanh(c_t) */
    void *act;              /* LSTM: pre-activations in, i, f, g, o out; GRU: r, z, n */
    void *ghn;              /* GRU: W_hn h_{t-1} + b_hn, which dr needs */
    /* Dense (rows, 3H): GRU's projections of the input and of h_{t-1} (+ b_hh). */
    const void *gi, *gh;
    /* Backward, dense: dh (rows, H) enters as the gradient of h_t (GRU
     * leaves in it the part of h_{t-1}'s that skips W_hh, z dh; the others
     * leave it as it was); dc (rows, H) enters as c_t's and leaves as
     * c_{t-1}'s; dg gets the pre-activations' gradients (rows, G*H) (GRU:
     * gi_t's), dgh GRU's gh's. */
    void *dh, *dc, *dg, *dgh;
} RnnStep;

typedef void (*RnnStepFn)(const RnnStep *s);

typedef struct {
    RnnStepFn forward, backward;
} RnnCell;

/* The cell of `mode` for a floating dtype. */
const RnnCell *rnn_cell(RnnMode mode, DType dt);

#endif
