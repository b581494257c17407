/*
 * ag_trace.h — what the teaching tools (lib/torch/explain.lua, graph.lua,
 * trace.lua) read from a graph beyond its shape: each node's derivative as
 * text, the numbers written into its expression, and, for nodes made in
 * teaching mode, where the program made them, what it called their inputs
 * and copies of their input and output values.
 *
 * Teaching mode is a tracer set on the thread (the Lua binding sets one for
 * torch.autograd.set_trace(true) and inside torch.autograd.trace).  Without
 * one, nodes carry no record and recording costs one test per node.
 * Anomaly mode (torch.autograd.set_detect_anomaly) uses the same tracer for
 * the one thing it needs: the traceback of where each node was made, which
 * backward quotes when the node's gradient holds NaN or Inf.
 */
#ifndef LUAGRAD_AG_TRACE_H
#define LUAGRAD_AG_TRACE_H

#include "autograd/autograd.h"

typedef struct AgTracer {
    /* Called for each node made while the tracer is set, with the inputs of
     * its op (NULL entries for absent ones): may set *origin to where the
     * program is ("lesson.lua:12"), *stack to the traceback there, and, when
     * names is not NULL, names[i] to the name input i goes by, each malloc'd
     * (the record takes them).  Must not record ops itself. */
    void (*describe)(void *ctx, AgNode *n, const Tensor *const *inputs, char **origin,
                     char **stack, char **names);
    void *ctx;
    /* Teaching mode: the record names the inputs and keeps copies of the
     * values.  Without it (anomaly mode alone) only where. */
    bool values;
} AgTracer;

/* Sets this thread's tracer (NULL: teaching mode off); returns the previous. */
const AgTracer *ag_set_tracer(const AgTracer *tracer);
const AgTracer *ag_tracer(void);

/* The op's derivative as text (see AgOp.formula in node.h), NULL when none. */
const char *ag_node_formula(const AgNode *n);
/* Creation order (newer nodes have larger numbers). */
uint64_t ag_node_seq(const AgNode *n);
int ag_node_num_outputs(const AgNode *n);
/* Input i of the forward op: its dtype and shape (returns ndim). */
int ag_node_input_shape(const AgNode *n, int i, int64_t *shape, DType *dtype);
/* Whether input i was a number (a 0-dim tensor needing no gradient), and its value. */
bool ag_node_input_scalar(const AgNode *n, int i, double *value);

/* The record of a node made in teaching mode; NULL when there is none or it
 * lacks that item (values of more than 65536 elements are not copied). */
const char *ag_node_origin(const AgNode *n);
/* The traceback of where the node was made (anomaly mode), or NULL. */
const char *ag_node_stack(const AgNode *n);
const char *ag_node_input_name(const AgNode *n, int i);
Tensor *ag_node_input_value(const AgNode *n, int i);    /* borrowed */
Tensor *ag_node_output_value(const AgNode *n, int k);   /* borrowed */
/* The shape of output k of a traced node (returns ndim; -1 when unknown). */
int ag_node_output_shape(const AgNode *n, int k, int64_t *shape);

#endif
