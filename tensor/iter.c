/*
 * iter.c — broadcasting, and the strided iterator under every elementwise
 * kernel.
 *
 * iter_run turns "visit every element of these N views" into as few calls of
 * an inner loop as possible.  It first simplifies the iteration space: dims
 * of size 1 are dropped, and neighbouring dims are merged whenever every
 * operand steps through them as through one longer dim (stride of the outer
 * dim == stride * size of the inner one).  A contiguous operation thus
 * becomes one dim, i.e. one call of the loop.  What remains is walked as
 * rows of the innermost dim, with an odometer over the outer dims.  For
 * threads, the flat element range [0, numel) is cut into one equal chunk per
 * thread; a chunk may start and end in the middle of a row, so each thread
 * positions its odometer from its first linear index and the work splits
 * evenly whatever the shape (one long row or many short ones).
 */
#include "tensor/tensor.h"

#include <omp.h>

bool broadcast_shapes(const char *fn, int na, const int64_t *sa, int nb, const int64_t *sb,
                      int *nout, int64_t *out)
{
    int n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int64_t a = i >= n - na ? sa[i - (n - na)] : 1;
        int64_t b = i >= n - nb ? sb[i - (n - nb)] : 1;
        if (a != b && a != 1 && b != 1) {
            char as[128], bs[128];
            tensor_fail("%s: shapes %s and %s cannot be broadcast (dim %d: %lld vs %lld)", fn,
                        shape_str(na, sa, as, sizeof as), shape_str(nb, sb, bs, sizeof bs),
                        i + 1, (long long)a, (long long)b);
            return false;
        }
        out[i] = a == 1 ? b : a;
    }
    *nout = n;
    return true;
}

/* The simplified iteration space; strides are in bytes, dims outer first. */
typedef struct {
    int narg, ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t stride[ITER_MAX_ARGS][TENSOR_MAX_DIMS];
    char *base[ITER_MAX_ARGS];
} IterPlan;

static void iter_plan(IterPlan *p, int narg, Tensor *const *args, int ndim,
                      const int64_t *shape)
{
    /* Walk from the innermost dim outwards, building the merged dims in
     * reverse (innermost first), then flip them into outer-first order. */
    int64_t rshape[TENSOR_MAX_DIMS], rstride[ITER_MAX_ARGS][TENSOR_MAX_DIMS];
    int m = 0;
    for (int d = ndim - 1; d >= 0; d--) {
        if (shape[d] == 1)
            continue;
        bool merge = m > 0;
        for (int k = 0; k < narg && merge; k++)
            merge = args[k]->stride[d] == rstride[k][m - 1] * rshape[m - 1];
        if (merge) {
            rshape[m - 1] *= shape[d];
            continue;
        }
        rshape[m] = shape[d];
        for (int k = 0; k < narg; k++)
            rstride[k][m] = args[k]->stride[d];
        m++;
    }
    if (m == 0) {   /* a single element: one dim of size 1 */
        rshape[0] = 1;
        for (int k = 0; k < narg; k++)
            rstride[k][0] = 0;
        m = 1;
    }
    p->narg = narg;
    p->ndim = m;
    for (int i = 0; i < m; i++) {
        p->shape[i] = rshape[m - 1 - i];
        for (int k = 0; k < narg; k++)
            p->stride[k][i] = rstride[k][m - 1 - i] * (int64_t)dtype_size(args[k]->dtype);
    }
    for (int k = 0; k < narg; k++)
        p->base[k] = tensor_data(args[k]);
}

/* Runs the elements with linear indices [begin, end) in row-major order.
 * Offsets are kept as integers and turned into pointers only for the call,
 * so no out-of-range pointer is ever formed. */
static void iter_range(const IterPlan *p, int64_t begin, int64_t end, LoopFn loop, void *ctx)
{
    int inner = p->ndim - 1;
    int64_t idx[TENSOR_MAX_DIMS], off[ITER_MAX_ARGS] = {0}, inner_stride[ITER_MAX_ARGS];
    int64_t rest = begin;
    for (int d = inner; d >= 0; d--) {
        idx[d] = rest % p->shape[d];
        rest /= p->shape[d];
        for (int k = 0; k < p->narg; k++)
            off[k] += idx[d] * p->stride[k][d];
    }
    for (int k = 0; k < p->narg; k++)
        inner_stride[k] = p->stride[k][inner];
    for (int64_t pos = begin; pos < end;) {
        int64_t n = p->shape[inner] - idx[inner];
        if (n > end - pos)
            n = end - pos;
        char *ptrs[ITER_MAX_ARGS];   /* fresh each call: the loop may advance them */
        for (int k = 0; k < p->narg; k++)
            ptrs[k] = p->base[k] + off[k];
        loop(ptrs, inner_stride, n, ctx);
        pos += n;
        /* Back to the start of the row, then advance the odometer by one. */
        for (int k = 0; k < p->narg; k++)
            off[k] -= idx[inner] * inner_stride[k];
        idx[inner] = 0;
        for (int d = inner - 1; d >= 0; d--) {
            bool carry = ++idx[d] == p->shape[d];
            for (int k = 0; k < p->narg; k++)
                off[k] += carry ? -(p->shape[d] - 1) * p->stride[k][d] : p->stride[k][d];
            if (!carry)
                break;
            idx[d] = 0;
        }
    }
}

void iter_run(int narg, Tensor *const *args, int ndim, const int64_t *shape, LoopFn loop,
              void *ctx, bool parallel)
{
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++)
        numel *= shape[d];
    if (numel == 0)
        return;
    IterPlan plan;
    iter_plan(&plan, narg, args, ndim, shape);
    if (!parallel || numel < PARALLEL_GRAIN || omp_get_max_threads() == 1 || omp_in_parallel()) {
        iter_range(&plan, 0, numel, loop, ctx);
        return;
    }
#pragma omp parallel
    {
        int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
        int64_t begin = numel / nt * t + (t < numel % nt ? t : numel % nt);
        int64_t end = begin + numel / nt + (t < numel % nt);
        iter_range(&plan, begin, end, loop, ctx);
    }
}
