/*
 * trace.c — teaching mode: the record a node made under a tracer keeps
 * (where it was made, its inputs' names, copies of its values; in anomaly
 * mode the traceback there), and the accessors the teaching tools and the
 * engine read nodes through (ag_trace.h).
 *
 * Values are copies, not references: a reference to an input could lead
 * back to the node through a later in-place op on that input (a cycle that
 * would never be freed), and a copy shows the value as it was when the op
 * ran, which is what an explanation wants.
 */
#include <stdlib.h>
#include <string.h>

#include "autograd/ag_trace.h"
#include "autograd/node.h"

#define TRACE_MAX_NUMEL 65536

typedef struct {
    Tensor *value;           /* a copy, or NULL when too large */
    int ndim;                /* -1 until the output is attached */
    int64_t shape[TENSOR_MAX_DIMS];
} TracedOutput;

struct AgTrace {
    char *origin;
    char *stack;             /* anomaly mode's traceback, or NULL */
    bool values;             /* teaching mode: names and copies of values */
    char **names;            /* one per input */
    Tensor **inputs;         /* one per input */
    TracedOutput *outputs;   /* n_outputs of them, grown as outputs are attached */
    int n_outputs;
};

_Thread_local const AgTracer *ag_active_tracer;

const AgTracer *ag_set_tracer(const AgTracer *tracer)
{
    const AgTracer *old = ag_active_tracer;
    ag_active_tracer = tracer;
    return old;
}

const AgTracer *ag_tracer(void)
{
    return ag_active_tracer;
}

static Tensor *copy_value(const Tensor *t)
{
    return t && tensor_numel(t) <= TRACE_MAX_NUMEL ? tensor_clone(t) : NULL;
}

void ag_trace_free(struct AgTrace *trace, int n_inputs)
{
    for (int i = 0; i < n_inputs; i++) {
        free(trace->names[i]);
        tensor_release(trace->inputs[i]);
    }
    for (int k = 0; k < trace->n_outputs; k++)
        tensor_release(trace->outputs[k].value);
    free(trace->names);
    free(trace->inputs);
    free(trace->outputs);
    free(trace->origin);
    free(trace->stack);
    free(trace);
}

/* A node without its record is still a correct node, so running out of
 * memory here only loses the record. */
void ag_trace_node(AgNode *n, const Tensor *const *inputs)
{
    struct AgTrace *trace = calloc(1, sizeof *trace);
    if (!trace)
        return;
    trace->names = calloc((size_t)n->n_inputs, sizeof *trace->names);
    trace->inputs = calloc((size_t)n->n_inputs, sizeof *trace->inputs);
    if (!trace->names || !trace->inputs) {
        ag_trace_free(trace, 0);
        return;
    }
    const AgTracer *tracer = ag_active_tracer;
    trace->values = tracer->values;
    tracer->describe(tracer->ctx, n, inputs, &trace->origin, &trace->stack,
                     trace->values ? trace->names : NULL);
    for (int i = 0; i < n->n_inputs && trace->values; i++)
        trace->inputs[i] = copy_value(inputs[i]);
    n->trace = trace;
}

void ag_trace_output(AgNode *n, const Tensor *out, int output_nr)
{
    struct AgTrace *trace = n->trace;
    if (output_nr >= trace->n_outputs) {
        TracedOutput *grown = realloc(trace->outputs, (size_t)(output_nr + 1) * sizeof *grown);
        if (!grown)
            return;
        for (int k = trace->n_outputs; k <= output_nr; k++)
            grown[k] = (TracedOutput){.ndim = -1};
        trace->outputs = grown;
        trace->n_outputs = output_nr + 1;
    }
    TracedOutput *o = &trace->outputs[output_nr];
    tensor_release(o->value);
    o->value = trace->values ? copy_value(out) : NULL;
    o->ndim = out->ndim;
    memcpy(o->shape, out->shape, (size_t)out->ndim * sizeof out->shape[0]);
}

/* ---- reading a node ------------------------------------------------------------ */

const char *ag_node_formula(const AgNode *n)
{
    return n->op->formula;
}

uint64_t ag_node_seq(const AgNode *n)
{
    return n->seq;
}

int ag_node_num_outputs(const AgNode *n)
{
    return n->n_outputs;
}

int ag_node_input_shape(const AgNode *n, int i, int64_t *shape, DType *dtype)
{
    const AgInput *in = &n->input[i];
    for (int d = 0; d < in->ndim; d++)
        shape[d] = in->shape[d];
    *dtype = in->dtype;
    return in->ndim;
}

bool ag_node_input_scalar(const AgNode *n, int i, double *value)
{
    *value = n->input[i].scalar;
    return n->input[i].has_scalar;
}

const char *ag_node_origin(const AgNode *n)
{
    return n->trace ? n->trace->origin : NULL;
}

const char *ag_node_stack(const AgNode *n)
{
    return n->trace ? n->trace->stack : NULL;
}

const char *ag_node_input_name(const AgNode *n, int i)
{
    return n->trace ? n->trace->names[i] : NULL;
}

Tensor *ag_node_input_value(const AgNode *n, int i)
{
    return n->trace ? n->trace->inputs[i] : NULL;
}

Tensor *ag_node_output_value(const AgNode *n, int k)
{
    return n->trace && k < n->trace->n_outputs ? n->trace->outputs[k].value : NULL;
}

int ag_node_output_shape(const AgNode *n, int k, int64_t *shape)
{
    if (!n->trace || k >= n->trace->n_outputs)
        return -1;
    const TracedOutput *o = &n->trace->outputs[k];
    if (o->ndim > 0)
        memcpy(shape, o->shape, (size_t)o->ndim * sizeof o->shape[0]);
    return o->ndim;
}
