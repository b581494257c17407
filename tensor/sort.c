/*
 * sort.c — sort, topk and unique.
 *
 * Every value is first mapped to an unsigned 64-bit key with the same order:
 * int64 with its sign bit flipped, a double's bits flipped so that negative
 * numbers order correctly, -0 as 0 (they are equal), and every NaN to the
 * largest key, so NaN sorts after +inf as in PyTorch (last ascending, first
 * descending).  Then one sort serves all dtypes and stays exact for int64.
 *
 * Each slice along the dim is gathered into (key, position) pairs, sorted by
 * a stable merge sort (insertion-sorted runs of 16, then bottom-up merges),
 * and its first `keep` pairs are written out: all of them for sort, k for
 * topk.  Values are copied from the input at the sorted positions, so the
 * keys never need decoding.  Stability gives PyTorch's sort(stable=True)
 * order, in descending order too.  unique sorts the flattened tensor the same
 * way and walks its runs of equal keys; NaN never equals itself, so each NaN
 * stays a value of its own.
 */
#include "tensor/reduce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SORT_RUN 16
#define SORT_NAN_KEY UINT64_MAX

typedef struct {
    uint64_t key;
    int64_t pos;
} SortPair;

static uint64_t sort_key(DType dt, const char *p)
{
    if (dt == DTYPE_INT64)
        return (uint64_t)*(const int64_t *)p ^ (UINT64_C(1) << 63);
    if (!dtype_is_floating(dt))
        return *(const uint8_t *)p;
    double v = dtype_load(dt, p);
    if (isnan(v))
        return SORT_NAN_KEY;
    if (v == 0)
        v = 0;
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

/* Strictly before: equal keys keep their order, which makes the sort stable. */
static inline bool sort_before(const SortPair *a, const SortPair *b, bool desc)
{
    return desc ? a->key > b->key : a->key < b->key;
}

/* Stable sort of v[0..n), using tmp (n pairs) as scratch. */
static void sort_pairs(SortPair *v, SortPair *tmp, int64_t n, bool desc)
{
    for (int64_t s = 0; s < n; s += SORT_RUN) {
        int64_t e = s + SORT_RUN < n ? s + SORT_RUN : n;
        for (int64_t i = s + 1; i < e; i++) {
            SortPair p = v[i];
            int64_t j = i;
            for (; j > s && sort_before(&p, &v[j - 1], desc); j--)
                v[j] = v[j - 1];
            v[j] = p;
        }
    }
    SortPair *a = v, *b = tmp;
    for (int64_t width = SORT_RUN; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n;
            int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                b[k++] = sort_before(&a[j], &a[i], desc) ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        SortPair *t = a;
        a = b, b = t;
    }
    if (a != v)
        memcpy(v, a, (size_t)n * sizeof *v);
}

/* The pairs of n elements `stride` elements apart from src, sorted. */
static void sort_gather(DType dt, const char *src, int64_t n, int64_t stride, bool desc,
                        SortPair *v)
{
    size_t es = dtype_size(dt);
    for (int64_t r = 0; r < n; r++)
        v[r] = (SortPair){sort_key(dt, src + (size_t)(r * stride) * es), r};
    sort_pairs(v, v + n, n, desc);
}

/* Sorts every slice along dim d of t, keeping the first `keep` of each. */
static int sort_run(const char *fn, const Tensor *t, int d, int64_t keep, bool desc,
                    Tensor **values, Tensor **indices)
{
    int64_t outer, size, inner, shape[TENSOR_MAX_DIMS];
    Tensor *x = reduce_split_dim(fn, t, d, &outer, &size, &inner);
    if (!x)
        return -1;
    memcpy(shape, t->shape, sizeof shape);
    if (t->ndim > 0)
        shape[d] = keep;
    Tensor *v = tensor_empty(t->ndim, shape, t->dtype);
    Tensor *i = tensor_empty(t->ndim, shape, DTYPE_INT64);
    bool nomem = false;
    int64_t slices = keep > 0 && v && i ? outer * inner : 0;
    size_t es = dtype_size(t->dtype);
#pragma omp parallel if (slices > 1 && tensor_numel(t) >= PARALLEL_GRAIN)
    {
        SortPair *buf = slices > 0 ? malloc((size_t)size * 2 * sizeof *buf) : NULL;
        if (slices > 0 && !buf)
            nomem = true;
#pragma omp for schedule(dynamic, 16)
        for (int64_t s = 0; s < slices; s++) {
            if (!buf || tensor_interrupt_requested)
                continue;
            int64_t first = s / inner * size * inner + s % inner;
            int64_t out = s / inner * keep * inner + s % inner;
            const char *src = (const char *)tensor_data(x) + (size_t)first * es;
            sort_gather(t->dtype, src, size, inner, desc, buf);
            for (int64_t r = 0; r < keep; r++) {
                memcpy((char *)tensor_data(v) + (size_t)(out + r * inner) * es,
                       src + (size_t)(buf[r].pos * inner) * es, es);
                ((int64_t *)tensor_data(i))[out + r * inner] = buf[r].pos;
            }
        }
        free(buf);
    }
    tensor_release(x);
    if (nomem)
        tensor_fail("%s: out of memory sorting slices of %lld elements", fn, (long long)size);
    if (!v || !i || nomem || tensor_check_interrupt()) {
        tensor_release(v), tensor_release(i);
        return -1;
    }
    *values = v;
    *indices = i;
    return 0;
}

int tensor_sort(const Tensor *t, int dim, bool descending, Tensor **values, Tensor **indices)
{
    int d = tensor_wrap_dim("sort", dim, t->ndim > 0 ? t->ndim : 1);
    if (d < 0)
        return -1;
    return sort_run("sort", t, d, t->ndim > 0 ? t->shape[d] : 1, descending, values, indices);
}

int tensor_topk(const Tensor *t, int64_t k, int dim, bool largest, Tensor **values,
                Tensor **indices)
{
    int d = tensor_wrap_dim("topk", dim, t->ndim > 0 ? t->ndim : 1);
    if (d < 0)
        return -1;
    int64_t size = t->ndim > 0 ? t->shape[d] : 1;
    if (k < 0 || k > size) {
        tensor_fail("topk: k = %lld is out of range for a dim of size %lld", (long long)k,
                    (long long)size);
        return -1;
    }
    return sort_run("topk", t, d, k, largest, values, indices);
}

/* Walks the sorted pairs of x's n elements: each run of equal keys is one
 * value (copied from x), its count, and the inverse of its elements. */
static int64_t unique_runs(const Tensor *x, const SortPair *v, int64_t n, char *vals,
                           int64_t *counts, int64_t *inverse)
{
    size_t es = dtype_size(x->dtype);
    bool floating = dtype_is_floating(x->dtype);
    int64_t m = 0;
    for (int64_t r = 0; r < n; r++) {
        if (r == 0 || v[r].key != v[r - 1].key || (floating && v[r].key == SORT_NAN_KEY)) {
            memcpy(vals + (size_t)m * es, (const char *)tensor_data(x) + (size_t)v[r].pos * es, es);
            counts[m++] = 0;
        }
        counts[m - 1]++;
        if (inverse)
            inverse[v[r].pos] = m - 1;
    }
    return m;
}

int tensor_unique(const Tensor *t, Tensor **values, Tensor **inverse, Tensor **counts)
{
    int64_t n = tensor_numel(t), m = 0;
    Tensor *x = tensor_is_contiguous(t) ? tensor_alias(t) : tensor_clone(t);
    Tensor *vals = tensor_empty(1, &n, t->dtype), *cnt = tensor_empty(1, &n, DTYPE_INT64);
    Tensor *inv = inverse ? tensor_empty(t->ndim, t->shape, DTYPE_INT64) : NULL;
    SortPair *buf = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof *buf);
    bool ok = x && vals && cnt && (inv || !inverse);
    if (ok && !buf) {
        tensor_fail("unique: out of memory for %lld elements", (long long)n);
        ok = false;
    }
    if (ok && n > 0) {
        sort_gather(t->dtype, tensor_data(x), n, 1, false, buf);
        m = unique_runs(x, buf, n, tensor_data(vals), tensor_data(cnt),
                        inv ? tensor_data(inv) : NULL);
    }
    free(buf);
    tensor_release(x);
    Tensor *v = ok ? tensor_narrow(vals, 0, 0, m) : NULL;
    Tensor *c = ok && counts ? tensor_narrow(cnt, 0, 0, m) : NULL;
    tensor_release(vals), tensor_release(cnt);
    if (!v || (counts && !c)) {
        tensor_release(v), tensor_release(c), tensor_release(inv);
        return -1;
    }
    *values = v;
    if (inverse)
        *inverse = inv;
    if (counts)
        *counts = c;
    return 0;
}
