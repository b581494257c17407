/*
 * test_engine_steps.c — the backward engine one node at a time (ag_run_*),
 * its on_step watcher, teaching mode's records and anomaly mode, driven
 * from C alone: the steps of y = (w*x + b)^2 at w = 3, x = 2, b = 1 come in
 * the order ag_backward runs them and leave the gradients 28, 42, 14 it
 * leaves.
 */
#include <stdlib.h>

#include "autograd/ag_trace.h"
#include "check.h"

static Tensor *leaf(double v)
{
    Tensor *t = tensor_scalar(v, DTYPE_FLOAT64);
    ag_set_requires_grad(t, true);
    return t;
}

/* y = (w*x + b)^2, releasing the intermediates (the graph keeps them). */
static Tensor *forward(Tensor *w, Tensor *x, Tensor *b)
{
    Tensor *two = tensor_scalar(2, DTYPE_FLOAT64);
    Tensor *wx = ag_binary(BINARY_MUL, w, x);
    Tensor *z = ag_binary(BINARY_ADD, wx, b);
    Tensor *y = ag_binary(BINARY_POW, z, two);
    tensor_release(two);
    tensor_release(wx);
    tensor_release(z);
    return y;
}

static double grad_of(Tensor *t)
{
    double v = NAN;
    return ag_grad(t) && tensor_item(ag_grad(t), &v) == 0 ? v : NAN;
}

typedef struct {
    const char *names[16];
    double passed_on[16];     /* the first gradient each node passed on (NAN: none) */
    int count;
} Watch;

static int watch(void *ctx, AgNode *n, Tensor *const *grad_out, Tensor *const *grad_in)
{
    Watch *w = ctx;
    double v = NAN;
    if (ag_node_num_inputs(n) > 0 && grad_in[0])
        tensor_item(grad_in[0], &v);
    if (w->count < 16) {
        w->names[w->count] = ag_node_name(n);
        w->passed_on[w->count] = v;
        w->count++;
    }
    return grad_out[0] ? 0 : -1;
}

static void test_steps(void)
{
    Tensor *w = leaf(3), *x = leaf(2), *b = leaf(1);
    Tensor *y = forward(w, x, b);
    Watch seen = {0};
    AgBackwardOptions opt = {.on_step = watch, .step_ctx = &seen};
    AgRun *run = ag_run_begin(1, &y, NULL, &opt);
    CHECK(run != NULL);
    int steps = 0;
    while (ag_run_step(run, NULL) == 1)
        steps++;
    CHECK(steps == 6);                     /* Pow, Add, Mul and three AccumulateGrad */
    CHECK(ag_run_step(run, NULL) == 0);    /* over stays over */
    ag_run_free(run);
    CHECK(seen.count == 6);
    CHECK(strcmp(seen.names[0], "PowBackward") == 0);
    CHECK_CLOSE(seen.passed_on[0], 14, 0);
    CHECK(strcmp(seen.names[1], "AddBackward") == 0);
    CHECK_CLOSE(grad_of(w), 28, 0);
    CHECK_CLOSE(grad_of(x), 42, 0);
    CHECK_CLOSE(grad_of(b), 14, 0);

    /* the same order as a plain backward */
    Tensor *w2 = leaf(3), *x2 = leaf(2), *b2 = leaf(1);
    Tensor *y2 = forward(w2, x2, b2);
    Watch plain = {0};
    AgBackwardOptions opt2 = {.on_step = watch, .step_ctx = &plain};
    CHECK(ag_backward(1, &y2, NULL, &opt2) == 0);
    CHECK(plain.count == seen.count);
    for (int k = 0; k < plain.count && k < seen.count; k++)
        CHECK(strcmp(plain.names[k], seen.names[k]) == 0);

    /* the graph was freed as backward frees it */
    CHECK_ERROR(ag_backward(1, &y, NULL, &(AgBackwardOptions){0}) < 0, "second time");
    Tensor *all[] = {w, x, b, y, w2, x2, b2, y2};
    for (int k = 0; k < 8; k++)
        tensor_release(all[k]);
}

static int refuse(void *ctx, AgNode *n, Tensor *const *grad_out, Tensor *const *grad_in)
{
    tensor_fail("watcher: stop");
    return -1;
}

static void test_abandoned_and_failing_runs(void)
{
    Tensor *w = leaf(3), *x = leaf(2), *b = leaf(1);
    Tensor *y = forward(w, x, b);
    AgBackwardOptions opt = {.retain_graph = true};
    AgRun *run = ag_run_begin(1, &y, NULL, &opt);
    CHECK(ag_run_step(run, NULL) == 1);
    tensor_release(y);                    /* the run keeps the graph alive */
    CHECK(ag_run_step(run, NULL) == 1);
    ag_run_free(run);                     /* what has not run is dropped */
    CHECK(ag_grad(w) == NULL);

    Tensor *z = forward(w, x, b);
    AgBackwardOptions stop = {.on_step = refuse};
    AgRun *r2 = ag_run_begin(1, &z, NULL, &stop);
    CHECK_ERROR(ag_run_step(r2, NULL) < 0, "watcher: stop");
    CHECK(ag_run_step(r2, NULL) == 0);    /* a failure ends the run */
    ag_run_free(r2);
    CHECK_ERROR(ag_backward(1, &z, NULL, &stop) < 0, "watcher: stop");

    Tensor *plain = tensor_scalar(1, DTYPE_FLOAT64);
    CHECK_ERROR(ag_run_begin(1, &plain, NULL, &opt) == NULL, "does not require grad");
    Tensor *all[] = {w, x, b, z, plain};
    for (int k = 0; k < 5; k++)
        tensor_release(all[k]);
}

static void describe(void *ctx, AgNode *n, const Tensor *const *inputs, char **origin, char **stack,
                     char **names)
{
    (*(int *)ctx)++;
    *origin = strdup("lesson.lua:12");
    *stack = strdup("stack traceback:\n\tlesson.lua:12: in main chunk");
    if (inputs[0] && names)
        names[0] = strdup("first");
}

static void test_teaching_mode(void)
{
    int described = 0;
    AgTracer tracer = {describe, &described, true};
    Tensor *w = leaf(3), *x = leaf(2), *b = leaf(1);
    Tensor *quiet = forward(w, x, b);
    CHECK(ag_node_origin(ag_grad_fn(quiet)) == NULL);
    CHECK(ag_set_tracer(&tracer) == NULL);
    Tensor *y = forward(w, x, b);
    CHECK(ag_set_tracer(NULL) == &tracer);
    CHECK(described == 3);                 /* the three ops; leaves' accumulators are not ops */
    AgNode *pow = ag_grad_fn(y);
    CHECK(strcmp(ag_node_origin(pow), "lesson.lua:12") == 0);
    CHECK(strcmp(ag_node_input_name(pow, 0), "first") == 0);
    CHECK(ag_node_input_name(pow, 1) == NULL);
    double v;
    CHECK(ag_node_input_scalar(pow, 1, &v) && v == 2);    /* the exponent, a number */
    CHECK(!ag_node_input_scalar(pow, 0, &v));
    CHECK(tensor_item(ag_node_input_value(pow, 0), &v) == 0 && v == 7);
    CHECK(tensor_item(ag_node_output_value(pow, 0), &v) == 0 && v == 49);
    int64_t shape[TENSOR_MAX_DIMS];
    CHECK(ag_node_output_shape(pow, 0, shape) == 0);
    CHECK(strstr(ag_node_formula(pow), "d(a^b)/da") == ag_node_formula(pow));
    Tensor *all[] = {w, x, b, quiet, y};
    for (int k = 0; k < 5; k++)
        tensor_release(all[k]);
}

/* Anomaly mode: y = (w*x + b)^2 at w = 0, x = -Inf makes w*x NaN, and with
 * it every gradient from PowBackward down; the first node to return one is
 * named, with the traceback its tracer recorded, and the tracer without
 * teaching mode keeps no values. */
static void test_anomaly_mode(void)
{
    int described = 0;
    AgTracer tracer = {describe, &described, false};
    Tensor *w = leaf(0), *x = leaf(-INFINITY), *b = leaf(1);
    Tensor *quiet = forward(w, x, b);
    AgBackwardOptions opt = {.retain_graph = true};
    CHECK(ag_backward(1, &quiet, NULL, &opt) == 0);          /* off: NaN passes */
    CHECK(isnan(grad_of(b)));
    ag_set_anomaly_enabled(true);
    CHECK_ERROR(ag_backward(1, &quiet, NULL, &opt) < 0, "PowBackward returned nan values in its gradient "
                "for input 1; the forward op was made before anomaly detection was on");
    ag_set_tracer(&tracer);
    Tensor *y = forward(w, x, b);
    ag_set_tracer(NULL);
    CHECK(ag_node_input_value(ag_grad_fn(y), 0) == NULL);
    CHECK(ag_node_input_name(ag_grad_fn(y), 0) == NULL);
    CHECK(strcmp(ag_node_stack(ag_grad_fn(y)), "stack traceback:\n\tlesson.lua:12: in main chunk") == 0);
    CHECK_ERROR(ag_backward(1, &y, NULL, &opt) < 0,
                "PowBackward returned nan values in its gradient for input 1; the forward op was made at\n"
                "stack traceback:\n\tlesson.lua:12: in main chunk");
    ag_set_anomaly_enabled(false);
    Tensor *all[] = {w, x, b, quiet, y};
    for (int k = 0; k < 5; k++)
        tensor_release(all[k]);
}

int main(void)
{
    test_steps();
    test_abandoned_and_failing_runs();
    test_teaching_mode();
    test_anomaly_mode();
    return check_summary();
}
