/*
 * conv_direct.h — private to tensor/conv*.c: convolutions computed directly
 * from zero-padded copies of the planes, without im2col (conv_direct.c).
 *
 * They serve the small float32 convolutions of networks like LeNet (stride
 * 1, one group, few channels), where im2col's cols matrix is 25 times the
 * size of the input it is made from and OpenBLAS spends more time packing
 * the small GEMMs than multiplying.  conv.c decides which path a call takes
 * (direct_plan_* say whether this one applies) and runs the samples on its
 * threads; the functions here work on one sample, or a few, at a time.
 *
 * Both forms of the kernel read "forward form" convolutions: cin planes in,
 * cout planes out, out[o][y][x] = bias[o] + sum over (c, i, j) of
 * in[c][y + i dh - pt][x + j dw - pl] k[o][c][i][j].  A convolution's input
 * gradient is one of these too: the output gradient convolved with the
 * kernel flipped and its two channel dims swapped, padded by the kernel's
 * extent less the forward padding.
 */
#ifndef LUAGRAD_TENSOR_CONV_DIRECT_H
#define LUAGRAD_TENSOR_CONV_DIRECT_H

#include "tensor/conv_plan.h"

typedef struct {
    int64_t cin, cout;          /* planes read, planes written */
    int64_t ih, iw, oh, ow;     /* their sizes */
    int64_t kh, kw, dh, dw;     /* kernel and dilation */
    int64_t pt, pl;             /* zeros above and left of the planes read */
    int64_t ws;                 /* row stride of the padded planes and of the computed rows */
    int64_t rows;               /* rows of a padded plane */
    int64_t copies;             /* of each plane: 1, or kW shifted ones (conv_direct.c) */
    int64_t jstep;              /* floats between the reads of kernel columns j and j + 1 */
    int64_t cstride;            /* floats between the padded planes of input channels */
    int64_t span;               /* positions computed per output plane: oh * ws, in whole blocks */
    int64_t sample;             /* floats of one padded sample, with the tail its reads reach */
} DirectConv;

/* The forward convolution of plan g, or its input gradient: false (and no
 * message) when the direct kernels do not take it. */
bool direct_plan_forward(const ConvPlan *g, DirectConv *d);
bool direct_plan_input_grad(const ConvPlan *g, DirectConv *d);
/* The weight gradient reads the forward's padded inputs: false when its
 * accumulators would not stay in cache. */
bool direct_plan_weight_grad(const ConvPlan *g, DirectConv *d);

/* The kernel in the order the forward loop reads it, from a forward weight
 * (cout, cin, kH, kW), or, with `flip`, from the weight (cin, cout, kH, kW)
 * of the convolution whose input gradient d computes. */
int64_t direct_packed_floats(const DirectConv *d);
void direct_pack(const DirectConv *d, const float *w, bool flip, float *packed);

/* One sample (cin, ih, iw) into its padded copy of d->sample floats.  Only
 * the data is written: the padding must be zero already, which a buffer
 * zeroed once keeps from sample to sample (the same holds for
 * direct_pad_grad). */
void direct_pad_input(const DirectConv *d, const float *x, float *xp);
/* One sample's output (cout, oh, ow) from its padded input; bias may be
 * NULL; scratch holds direct_scratch_floats(d). */
int64_t direct_scratch_floats(const DirectConv *d);
void direct_forward(const DirectConv *d, const float *xp, const float *packed, const float *bias,
                    float *y, float *scratch);

/* The weight gradient, summed into acc (direct_acc_floats(d), zeroed
 * first) over `count` samples: their padded inputs every d->sample floats
 * from xp, their output gradients laid out by direct_pad_grad every
 * direct_grad_floats(d) from gp.  direct_acc_finish writes the sum of
 * `nacc` such accumulators, one after the other, as the weight's gradient
 * (cout, cin, kH, kW). */
int64_t direct_acc_floats(const DirectConv *d);
int64_t direct_grad_floats(const DirectConv *d);
void direct_pad_grad(const DirectConv *d, const float *gy, float *gp);
void direct_weight_grad(const DirectConv *d, const float *xp, const float *gp, int64_t count,
                        float *acc);
void direct_acc_finish(const DirectConv *d, const float *acc, int nacc, float *gw);

#endif
