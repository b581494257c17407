/*
 * test_print.c — tensor_format against PyTorch's own printouts.
 *
 * Every case of tests/fixtures/print_cases.h (written by gen_print.py from
 * PyTorch 1.13's str(t)) is rebuilt here from its values, viewed as the case
 * says, printed with its options and compared character for character.  The
 * rest are hand-checked: int64 extremes written straight into storage (they
 * do not survive a double), a huge stride-0 view that only prints fast if
 * just the edges are read, and the failures (bad options, Ctrl-C).
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

#include <stdlib.h>

#include "tests/fixtures/print_cases.h"

static Tensor *apply_view(Tensor *t, const PrintView *v)
{
    int dims[4];
    switch (v->op) {
    case 't': return tensor_transpose(t, 0, 1);
    case 'n': return tensor_narrow(t, (int)v->args[0], v->args[1], v->args[2]);
    case 'e': return tensor_expand(t, v->nargs, v->args);
    case 's': return tensor_select(t, (int)v->args[0], v->args[1]);
    default:
        for (int d = 0; d < v->nargs; d++)
            dims[d] = (int)v->args[d];
        return tensor_permute(t, dims);
    }
}

static Tensor *build_case(const PrintCase *c)
{
    DType dt = (DType)dtype_from_name(c->dtype);
    Tensor *t = tensor_empty(c->ndim, c->shape, dt);
    char *data = tensor_data(t);
    for (int64_t i = 0; i < tensor_numel(t); i++) {
        double v = c->values ? c->values[i]
                             : (double)((i * c->gen.a) % c->gen.m + c->gen.b) * c->gen.scale;
        dtype_store(dt, data + i * (int64_t)dtype_size(dt), v);
    }
    for (int k = 0; k < c->nview; k++) {
        Tensor *v = apply_view(t, &c->view[k]);
        tensor_release(t);
        t = v;
    }
    return t;
}

/* Compares and, on a mismatch, shows both texts whole. */
static void check_text(const char *name, char *got, const char *want)
{
    bool same = got && strcmp(got, want) == 0;
    CHECK(same);
    if (!same)
        fprintf(stderr, "  case %s\n  got:\n%s\n  expected:\n%s\n", name,
                got ? got : tensor_error(), want);
    free(got);
}

static void test_pytorch_cases(void)
{
    for (size_t i = 0; i < sizeof print_cases / sizeof print_cases[0]; i++) {
        const PrintCase *c = &print_cases[i];
        PrintOptions opt = c->has_options ? c->options : print_options_default();
        if (c->default_dtype)
            dtype_set_default((DType)dtype_from_name(c->default_dtype));
        Tensor *t = build_case(c);
        check_text(c->name, tensor_format(t, &opt, c->suffix), c->expected);
        tensor_release(t);
        dtype_set_default(DTYPE_FLOAT32);
    }
}

static void test_int64_extremes(void)
{
    PrintOptions opt = print_options_default();
    Tensor *t = tensor_empty(SHAPE(2), DTYPE_INT64);
    int64_t *d = tensor_data(t);
    d[0] = INT64_MIN;
    d[1] = INT64_MAX;
    check_text("int64 extremes", tensor_format(t, &opt, NULL),
               "tensor([-9223372036854775808,  9223372036854775807])");
    tensor_release(t);
}

/* 10^9 elements, all one storage element: summarising must not visit them. */
static void test_huge_expanded(void)
{
    PrintOptions opt = print_options_default();
    Tensor *one = tensor_scalar(1.5, DTYPE_FLOAT32);
    Tensor *t = tensor_expand(one, SHAPE(1000000, 1000));
    const char *row = "[1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000]";
    char want[1024];
    snprintf(want, sizeof want,
             "tensor([%s,\n        %s,\n        %s,\n        ...,\n        %s,\n        %s,\n"
             "        %s])", row, row, row, row, row, row);
    check_text("huge expanded", tensor_format(t, &opt, NULL), want);
    tensor_release(t);
    tensor_release(one);
}

/* Empty tensors always name a dtype other than the default; a suffix of ""
 * adds nothing. */
static void test_empty_and_suffix(void)
{
    PrintOptions opt = print_options_default();
    Tensor *t = tensor_empty(SHAPE(0), DTYPE_FLOAT32);
    dtype_set_default(DTYPE_FLOAT64);
    check_text("empty float32, float64 default", tensor_format(t, &opt, ""),
               "tensor([], dtype=float32)");
    dtype_set_default(DTYPE_FLOAT32);
    check_text("empty float32", tensor_format(t, &opt, ""), "tensor([])");
    tensor_release(t);
}

/* The widest element (DBL_MAX in full, at the largest precision) fits.  As
 * in PyTorch the width stays the one automatic (scientific) mode measured,
 * 108 = len("-1.<100 digits>e+308"), so 0.5 is padded by 6; a line holds one
 * item, and the dtype goes on a line of its own. */
static void test_widest_element(void)
{
    PrintOptions opt = print_options_default();
    opt.precision = PRINT_MAX_PRECISION;
    opt.sci_mode = 0;
    Tensor *t = tensor_empty(SHAPE(2), DTYPE_FLOAT64);
    tensor_set(t, (const int64_t[]){0}, -1.7976931348623157e308);
    tensor_set(t, (const int64_t[]){1}, 0.5);
    char *s = tensor_format(t, &opt, NULL);
    size_t big = 1 + 309 + 1 + PRINT_MAX_PRECISION, small = 2 + PRINT_MAX_PRECISION;
    CHECK(s && strncmp(s, "tensor([-17976931348623157", 26) == 0);
    CHECK(s && strstr(s, "0000,\n              0.5000"));
    CHECK(s && strlen(s) == strlen("tensor([") + big + strlen(",\n        ") + 6 + small +
                                strlen("],\n       dtype=float64)"));
    free(s);
    tensor_release(t);
}

static void test_threshold_infinite(void)
{
    PrintOptions opt = print_options_default();
    opt.threshold = INFINITY;
    Tensor *t = arange(SHAPE(2000), DTYPE_INT64);
    char *s = tensor_format(t, &opt, NULL);
    CHECK(s && !strstr(s, "...") && strstr(s, " 999, 1000, 1001,"));
    /* (80 - 7) / (4 + 2) = 12 items a line: 2000 items take 167 lines. */
    int lines = 1;
    for (const char *p = s; p && *p; p++)
        lines += *p == '\n';
    CHECK(lines == 167);
    free(s);
    tensor_release(t);
}

static void test_failures(void)
{
    PrintOptions opt = print_options_default();
    Tensor *t = arange(SHAPE(3), DTYPE_FLOAT32);
    opt.precision = -1;
    CHECK_ERROR(tensor_format(t, &opt, NULL) == NULL,
                "print: precision must be between 0 and 100, got -1");
    opt = print_options_default();
    opt.edgeitems = 0;
    CHECK_ERROR(tensor_format(t, &opt, NULL) == NULL, "print: edgeitems must be >= 1, got 0");
    opt = print_options_default();
    tensor_interrupt_requested = 1;
    CHECK_ERROR(tensor_format(t, &opt, NULL) == NULL, "interrupted");
    CHECK(tensor_interrupt_requested == 0);
    check_text("after an interrupt", tensor_format(t, &opt, NULL), "tensor([0., 1., 2.])");
    tensor_release(t);
}

int main(void)
{
    test_pytorch_cases();
    test_int64_extremes();
    test_huge_expanded();
    test_empty_and_suffix();
    test_widest_element();
    test_threshold_infinite();
    test_failures();
    return check_summary();
}
