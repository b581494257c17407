/*
 * test_random.c — the Philox stream and the tensor fillers.
 *
 * The generator is pinned to Random123's published known-answer vector, so
 * a change to the stream cannot pass unnoticed.  The fillers are checked for
 * reproducibility (same seed, same values, whatever the layout or thread
 * count) and for their distributions with bounds loose enough never to fail
 * by chance at these sample sizes (each is more than 5 standard errors).
 */
#include "tests/c/check.h"
#include "tests/c/test_helpers.h"

#include <stdint.h>

/* Mean and variance of a float tensor's elements, in row-major order. */
static void moments(const Tensor *t, double *mean, double *var)
{
    int64_t n = tensor_numel(t);
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = dtype_load(t->dtype, (char *)tensor_data(t) + i * (int64_t)dtype_size(t->dtype));
        s += v;
        s2 += v * v;
    }
    *mean = s / (double)n;
    *var = s2 / (double)n - *mean * *mean;
}

static bool same_values(const Tensor *a, const Tensor *b)
{
    return a->dtype == b->dtype && tensor_numel(a) == tensor_numel(b) &&
           memcmp(tensor_data(a), tensor_data(b),
                  (size_t)tensor_numel(a) * dtype_size(a->dtype)) == 0;
}

static void test_stream(void)
{
    CHECK(random_initial_seed() == 67280421310721ULL);
    /* Random123 kat_vectors: philox4x32 10, counter 0, key 0 gives the words
     * 6627e8d5 e169c58d bc57ac4c 9b00dbd8; we pair them low word first. */
    random_manual_seed(0);
    CHECK(random_initial_seed() == 0);
    CHECK(random_next_u64() == 0xE169C58D6627E8D5ULL);
    CHECK(random_next_u64() == 0x9B00DBD8BC57AC4CULL);
    uint64_t third = random_next_u64();
    random_manual_seed(0);
    random_next_u64(), random_next_u64();
    CHECK(random_next_u64() == third);

    random_manual_seed(1);
    bool in_range = true, finite = true;
    for (int i = 0; i < 1000; i++) {
        double u = random_uniform(), z = random_normal();
        in_range &= u >= 0 && u < 1;
        finite &= isfinite(z);
    }
    CHECK(in_range && finite);
}

static void test_reproducible(void)
{
    Tensor *a = tensor_empty(SHAPE(1000), DTYPE_FLOAT64);
    Tensor *b = tensor_empty(SHAPE(1000), DTYPE_FLOAT64);
    random_manual_seed(42);
    tensor_uniform_(a, -1, 1);
    random_manual_seed(42);
    tensor_uniform_(b, -1, 1);
    CHECK(same_values(a, b));
    tensor_uniform_(b, -1, 1);   /* the stream moved on */
    CHECK(!same_values(a, b));
    random_manual_seed(43);
    tensor_uniform_(b, -1, 1);
    CHECK(!same_values(a, b));
    tensor_release(a), tensor_release(b);

    /* Consecutive fills continue the stream: two fills of 4 equal one of 8. */
    Tensor *first = tensor_empty(SHAPE(4), DTYPE_FLOAT64);
    Tensor *second = tensor_empty(SHAPE(4), DTYPE_FLOAT64);
    Tensor *whole = tensor_empty(SHAPE(8), DTYPE_FLOAT64);
    random_manual_seed(3);
    tensor_normal_(first, 0, 1);
    tensor_normal_(second, 0, 1);
    random_manual_seed(3);
    tensor_normal_(whole, 0, 1);
    CHECK(memcmp(tensor_data(whole), tensor_data(first), 4 * sizeof(double)) == 0 &&
          memcmp((double *)tensor_data(whole) + 4, tensor_data(second), 4 * sizeof(double)) == 0);
    tensor_release(whole), tensor_release(second), tensor_release(first);

    /* A transposed view gets the values a contiguous tensor would, in the
     * same logical positions. */
    Tensor *c = tensor_empty(SHAPE(3, 5), DTYPE_FLOAT32);
    Tensor *base = tensor_empty(SHAPE(5, 3), DTYPE_FLOAT32), *t = tensor_transpose(base, 0, 1);
    random_manual_seed(7);
    tensor_normal_(c, 0, 1);
    random_manual_seed(7);
    tensor_normal_(t, 0, 1);
    bool equal = true;
    for (int64_t i = 0; i < 3; i++)
        for (int64_t j = 0; j < 5; j++)
            equal &= AT(c, i, j) == AT(t, i, j);
    CHECK(equal && AT(c, 0, 0) != AT(c, 0, 1));
    tensor_release(t), tensor_release(base), tensor_release(c);

    /* Threads take disjoint blocks of the stream: same values as one thread. */
    int threads = parallel_get_num_threads();
    Tensor *one = tensor_empty(SHAPE(100001), DTYPE_FLOAT64);
    Tensor *four = tensor_empty(SHAPE(100001), DTYPE_FLOAT64);
    parallel_set_num_threads(1);
    random_manual_seed(9);
    tensor_normal_(one, 0, 1);
    parallel_set_num_threads(4);
    random_manual_seed(9);
    tensor_normal_(four, 0, 1);
    CHECK(same_values(one, four));
    parallel_set_num_threads(threads);
    tensor_release(one), tensor_release(four);
}

static void test_distributions(void)
{
    random_manual_seed(2024);
    Tensor *t = tensor_empty(SHAPE(200, 500), DTYPE_FLOAT64);
    double mean, var;
    tensor_uniform_(t, 0, 1);
    moments(t, &mean, &var);
    CHECK(fabs(mean - 0.5) < 0.005 && fabs(var - 1.0 / 12) < 0.002);
    tensor_uniform_(t, -3, 5);
    moments(t, &mean, &var);
    CHECK(fabs(mean - 1) < 0.04 && fabs(var - 64.0 / 12) < 0.15);
    tensor_normal_(t, 2, 3);
    moments(t, &mean, &var);
    CHECK(fabs(mean - 2) < 0.05 && fabs(var - 9) < 0.25);
    tensor_bernoulli_(t, 0.3);
    moments(t, &mean, &var);
    CHECK(fabs(mean - 0.3) < 0.008 && fabs(var - 0.21) < 0.008);
    tensor_release(t);

    Tensor *f = tensor_empty(SHAPE(100000), DTYPE_FLOAT32);
    tensor_uniform_(f, 0, 1);
    bool below_one = true;
    for (int64_t i = 0; i < 100000; i++)
        below_one &= ((float *)tensor_data(f))[i] < 1.0f && ((float *)tensor_data(f))[i] >= 0;
    CHECK(below_one);
    tensor_release(f);

    Tensor *b = tensor_empty(SHAPE(1000), DTYPE_BOOL);
    tensor_bernoulli_(b, 1);
    moments(b, &mean, &var);
    CHECK(mean == 1);
    tensor_bernoulli_(b, 0);
    moments(b, &mean, &var);
    CHECK(mean == 0);
    tensor_release(b);
}

static void test_integers(void)
{
    random_manual_seed(5);
    Tensor *t = tensor_empty(SHAPE(7000), DTYPE_INT64);
    CHECK(tensor_random_int_(t, -3, 4) == 0);
    int counts[7] = {0};
    bool in_range = true;
    for (int64_t i = 0; i < 7000; i++) {
        int64_t v = ((int64_t *)tensor_data(t))[i];
        in_range &= v >= -3 && v < 4;
        if (v >= -3 && v < 4)
            counts[v + 3]++;
    }
    CHECK(in_range);
    for (int k = 0; k < 7; k++)
        CHECK(counts[k] > 850 && counts[k] < 1150);   /* expected 1000, sd 29 */

    /* Exact beyond 2^53, where a double could not tell the values apart. */
    int64_t lo = INT64_C(1) << 62;
    CHECK(tensor_random_int_(t, lo, lo + 2) == 0);
    bool exact = true, both = false;
    for (int64_t i = 0; i < 7000; i++) {
        int64_t v = ((int64_t *)tensor_data(t))[i];
        exact &= v == lo || v == lo + 1;
        both |= v == lo + 1;
    }
    CHECK(exact && both);
    CHECK(tensor_random_int_(t, INT64_MIN, INT64_MAX) == 0);
    tensor_release(t);

    Tensor *u = tensor_empty(SHAPE(3), DTYPE_UINT8);
    CHECK(tensor_random_int_(u, 0, 256) == 0);
    CHECK_ERROR(tensor_random_int_(u, 0, 300) < 0,
                "random_: the range [0, 300) does not fit a uint8 tensor");
    CHECK_ERROR(tensor_random_int_(u, 5, 5) < 0, "random_: expected lo < hi, got lo=5, hi=5");
    tensor_release(u);

    random_manual_seed(11);
    Tensor *p = tensor_randperm(10, DTYPE_INT64);
    int seen = 0;
    for (int64_t i = 0; i < 10; i++)
        seen |= 1 << ((int64_t *)tensor_data(p))[i];
    CHECK(p->ndim == 1 && p->shape[0] == 10 && seen == (1 << 10) - 1);
    random_manual_seed(11);
    Tensor *q = tensor_randperm(10, DTYPE_FLOAT32);
    bool same = true;
    for (int64_t i = 0; i < 10; i++)
        same &= AT(q, i) == AT(p, i);
    CHECK(same && q->dtype == DTYPE_FLOAT32);
    tensor_release(q), tensor_release(p);
    Tensor *empty = tensor_randperm(0, DTYPE_INT64);
    CHECK(empty && tensor_numel(empty) == 0);
    tensor_release(empty);
    CHECK_ERROR(tensor_randperm(300, DTYPE_UINT8) == NULL,
                "randperm: n = 300 is too large for a uint8 tensor");
    CHECK_ERROR(tensor_randperm(-1, DTYPE_INT64) == NULL, "randperm: n must be >= 0, got -1");
}

static void test_errors(void)
{
    Tensor *i = tensor_empty(SHAPE(4), DTYPE_INT64), *f = tensor_empty(SHAPE(4), DTYPE_FLOAT32);
    CHECK_ERROR(tensor_uniform_(i, 0, 1) < 0, "uniform_: expected a floating tensor, got int64");
    CHECK_ERROR(tensor_normal_(i, 0, 1) < 0, "normal_: expected a floating tensor, got int64");
    CHECK_ERROR(tensor_uniform_(f, 2, 1) < 0, "uniform_: expected finite lo <= hi, got lo=2, hi=1");
    CHECK_ERROR(tensor_normal_(f, 0, -1) < 0, "normal_: std must be >= 0, got -1");
    CHECK_ERROR(tensor_bernoulli_(f, 1.5) < 0, "bernoulli_: p must be in [0, 1], got 1.5");
    CHECK_ERROR(tensor_bernoulli_(f, NAN) < 0, "bernoulli_: p must be in [0, 1], got nan");
    Tensor *s = tensor_scalar(0, DTYPE_FLOAT32), *x = tensor_expand(s, SHAPE(3));
    CHECK_ERROR(tensor_uniform_(x, 0, 1) < 0,
                "uniform_: the tensor written to is an expanded view");
    CHECK(tensor_bernoulli_(i, 0.5) == 0);   /* any dtype holds 0 and 1 */
    tensor_release(x), tensor_release(s), tensor_release(f), tensor_release(i);
}

int main(void)
{
    test_stream();
    test_reproducible();
    test_distributions();
    test_integers();
    test_errors();
    return check_summary();
}
