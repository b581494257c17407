/*
 * elementwise.h — the machinery shared by the elementwise kernels of
 * elementwise.c (binary ops), unary.c and ternary.c; internal to tensor/.
 *
 * An elementwise op is a LoopFn over (out, in...) plus the dtype each input
 * must have.  ew_apply broadcasts the inputs, allocates the output and runs
 * the loop; ew_apply_ writes into an existing tensor instead, with PyTorch's
 * in-place rules.  Inputs of another dtype are converted first (a copy of
 * the input, not of its broadcast), so every loop sees one C type per
 * operand; inputs sharing memory with the output are copied aside unless they
 * are the output itself, so a loop never reads an element it already wrote.
 */
#ifndef LUAGRAD_ELEMENTWISE_H
#define LUAGRAD_ELEMENTWISE_H

#include "tensor/tensor.h"

/* PyTorch's can_cast: anything except to a lower category (float -> int,
 * int -> bool). */
bool ew_can_cast(DType from, DType to);

/* The broadcast shape of n operands; false with a message naming fn. */
bool ew_broadcast(const char *fn, int n, const Tensor *const *in, int *ndim, int64_t *shape);

/* out[...] = loop(in[0][...], ...) with in[k] converted to dts[k] and
 * broadcast to out's shape (the caller has checked that it broadcasts).
 * -1 when a temporary cannot be allocated. */
int ew_run(Tensor *out, int n, const Tensor *const *in, const DType *dts, LoopFn loop,
           void *ctx);

/* A new tensor of dtype out_dt and the broadcast shape of `in`, filled by
 * ew_run; NULL with a message naming fn. */
Tensor *ew_apply(const char *fn, int n, const Tensor *const *in, const DType *dts, DType out_dt,
                 LoopFn loop, void *ctx);

/* The same result written into x (usually one of the inputs): the broadcast
 * shape must be x's, out_dt must cast to x's dtype, x must be writable.  A
 * result of x's dtype is computed in place; another goes through a
 * temporary.  -1 with a message naming fn. */
int ew_apply_(const char *fn, Tensor *x, int n, const Tensor *const *in, const DType *dts,
              DType out_dt, LoopFn loop, void *ctx);

/* ew_apply when target is NULL, else ew_apply_ into target; returns the
 * result (target itself when given) or NULL.  The one entry point of every
 * op that has both forms. */
Tensor *ew_result(const char *fn, Tensor *target, int n, const Tensor *const *in,
                  const DType *dts, DType out_dt, LoopFn loop, void *ctx);

/* ---- stamping out per-dtype loops ---------------------------------------- */

/* LOOP(name, T, T, EXPR) for float32 and float64, or int64 and uint8, named
 * OP_f32, OP_f64, OP_i64, OP_u8 (every loop macro of the kernel files takes
 * the name, the input type, the output type and the expression). */
#define EW_FLOAT_LOOPS(LOOP, OP, E)                                                      \
    LOOP(OP##_f32, float, float, E)                                                      \
    LOOP(OP##_f64, double, double, E)
#define EW_INT_LOOPS(LOOP, OP, E)                                                        \
    LOOP(OP##_i64, int64_t, int64_t, E)                                                  \
    LOOP(OP##_u8, uint8_t, uint8_t, E)

/* Rows of a loop table indexed by dtype, from loops named as above. */
#define EW_FLOAT_ROW(OP) [DTYPE_FLOAT32] = OP##_f32, [DTYPE_FLOAT64] = OP##_f64
#define EW_INT_ROW(OP) [DTYPE_INT64] = OP##_i64, [DTYPE_UINT8] = OP##_u8
#define EW_NUM_ROW(OP) EW_FLOAT_ROW(OP), EW_INT_ROW(OP)

/* A constant in the type of the loop variable x, so float32 math stays in
 * float32 as in PyTorch's kernels. */
#define EW_K(v) ((__typeof__(x))(v))

/* An op's name and the name of its in-place form, for messages. */
#define EW_NAMES(name) name, name "_"

#endif
