/*
 * random.c — the random number stream and the tensor fillers built on it.
 *
 * The generator is Philox4x32-10 (Salmon et al., "Parallel random numbers:
 * as easy as 1, 2, 3", SC'11; the Random123 library), the counter-based
 * generator PyTorch uses on CUDA.  Counter-based means block number b of the
 * stream is a pure function philox(seed, b): there is no state to advance
 * but a position.  That buys two things a sequential generator (PCG,
 * Mersenne Twister) would not: a fill can hand disjoint blocks to OpenMP
 * threads and still produce exactly the values a single thread would, and
 * the whole state is (seed, position).  Philox passes TestU01's BigCrush.
 * (PyTorch's CPU generator is mt19937, so values never match PyTorch's;
 * only the seed-to-stream reproducibility does.)
 *
 * The state is process-wide, like torch.manual_seed; the seed before any
 * random_manual_seed is RANDOM_DEFAULT_SEED (67280421310721, the value
 * torch.initial_seed() reports in a fresh PyTorch process).  The stream is
 * counted in 64-bit words, two per 128-bit block; fillers start at a whole
 * block and use one block per two elements.  Conversions:
 *   uniform  u = top 53 bits * 2^-53 in [0, 1) (24 bits for float32, so that
 *            rounding to float can never produce 1);
 *   normal   Box-Muller on the two words of a block, giving two normals;
 *   integer  lo + w mod (hi - lo), biased by at most (hi - lo) / 2^64.
 */
#include "tensor/tensor.h"

#include <math.h>
#include <string.h>

static uint64_t random_seed = RANDOM_DEFAULT_SEED;
static uint64_t random_position;   /* 64-bit words consumed */

static void philox_block(uint64_t seed, uint64_t block, uint64_t out[2])
{
    uint32_t c[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0, 0};
    uint32_t k[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k[0] += 0x9E3779B9u;   /* the golden ratio and sqrt(3) - 1, as in Random123 */
            k[1] += 0xBB67AE85u;
        }
        uint64_t p0 = (uint64_t)0xD2511F53u * c[0], p1 = (uint64_t)0xCD9E8D57u * c[2];
        uint32_t c0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k[0];
        uint32_t c2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k[1];
        c[0] = c0, c[1] = (uint32_t)p1, c[2] = c2, c[3] = (uint32_t)p0;
    }
    out[0] = c[0] | (uint64_t)c[1] << 32;
    out[1] = c[2] | (uint64_t)c[3] << 32;
}

void random_manual_seed(uint64_t seed)
{
    random_seed = seed;
    random_position = 0;
}

uint64_t random_initial_seed(void)
{
    return random_seed;
}

void random_get_state(uint64_t *seed, uint64_t *position)
{
    *seed = random_seed;
    *position = random_position;
}

void random_set_state(uint64_t seed, uint64_t position)
{
    random_seed = seed;
    random_position = position;
}

uint64_t random_next_u64(void)
{
    uint64_t w[2];
    philox_block(random_seed, random_position >> 1, w);
    return w[random_position++ & 1];
}

static double unit53(uint64_t w)
{
    return (double)(w >> 11) * 0x1p-53;
}

double random_uniform(void)
{
    return unit53(random_next_u64());
}

/* The two normals of one block; 1 - u keeps log's argument in (0, 1]. */
static void box_muller(const uint64_t w[2], double z[2])
{
    double r = sqrt(-2.0 * log(1.0 - unit53(w[0]))), theta = 2.0 * M_PI * unit53(w[1]);
    z[0] = r * cos(theta);
    z[1] = r * sin(theta);
}

double random_normal(void)
{
    uint64_t w[2];
    double z[2];
    uint64_t block = (random_position + 1) >> 1;   /* the next whole block */
    philox_block(random_seed, block, w);
    random_position = (block + 1) << 1;
    box_muller(w, z);
    return z[0];
}

typedef enum { DRAW_UNIFORM, DRAW_NORMAL, DRAW_BERNOULLI, DRAW_INTEGER } DrawKind;

typedef struct {
    DrawKind kind;
    DType dtype;
    double a, b;          /* lo and hi, mean and std, or p */
    int64_t lo;           /* integers: lo + w mod range */
    uint64_t range;
} Draw;

/* Stores the `count` (1 or 2) values that one block gives. */
static void draw_store(const Draw *d, const uint64_t w[2], char *out, int count)
{
    size_t es = dtype_size(d->dtype);
    double z[2] = {0, 0};
    if (d->kind == DRAW_NORMAL)
        box_muller(w, z);
    for (int i = 0; i < count; i++) {
        char *p = out + (size_t)i * es;
        if (d->kind == DRAW_UNIFORM) {
            double u = d->dtype == DTYPE_FLOAT32 ? (double)(w[i] >> 40) * 0x1p-24 : unit53(w[i]);
            dtype_store(d->dtype, p, d->a + (d->b - d->a) * u);
        } else if (d->kind == DRAW_NORMAL) {
            dtype_store(d->dtype, p, d->a + d->b * z[i]);
        } else if (d->kind == DRAW_BERNOULLI) {
            dtype_store(d->dtype, p, unit53(w[i]) < d->a);
        } else {
            /* Unsigned arithmetic: lo + offset never overflows when it is < hi. */
            int64_t v = (int64_t)((uint64_t)d->lo + w[i] % d->range);
            if (d->dtype == DTYPE_INT64)
                memcpy(p, &v, sizeof v);   /* exact beyond 2^53 */
            else
                dtype_store(d->dtype, p, (double)v);
        }
    }
}

/* Draws into a contiguous buffer in linear order, then copies into t when t
 * is a strided view, so the values depend only on t's shape. */
static int random_fill(const char *fn, Tensor *t, const Draw *d)
{
    if (!tensor_begin_write(fn, t))
        return -1;
    Tensor *c = tensor_is_contiguous(t) ? t : tensor_empty(t->ndim, t->shape, t->dtype);
    if (!c)
        return -1;
    int64_t n = tensor_numel(c), nblocks = (n + 1) / 2;
    uint64_t first = (random_position + 1) >> 1;
    char *base = tensor_data(c);
    size_t es = dtype_size(c->dtype);
#pragma omp parallel for schedule(static) if (n >= PARALLEL_GRAIN)
    for (int64_t j = 0; j < nblocks; j++) {
        uint64_t w[2];
        philox_block(random_seed, first + (uint64_t)j, w);
        draw_store(d, w, base + (size_t)(2 * j) * es, n - 2 * j < 2 ? 1 : 2);
    }
    random_position = (first + (uint64_t)nblocks) << 1;
    int rc = 0;
    if (c != t) {
        rc = tensor_copy_(t, c);
        tensor_release(c);
    }
    return rc;
}

static bool random_check_floating(const char *fn, const Tensor *t)
{
    if (dtype_is_floating(t->dtype))
        return true;
    tensor_fail("%s: expected a floating tensor, got %s", fn, dtype_name(t->dtype));
    return false;
}

int tensor_uniform_(Tensor *t, double lo, double hi)
{
    if (!random_check_floating("uniform_", t))
        return -1;
    if (!(lo <= hi) || !isfinite(hi - lo)) {
        tensor_fail("uniform_: expected finite lo <= hi, got lo=%g, hi=%g", lo, hi);
        return -1;
    }
    return random_fill("uniform_", t, &(Draw){.kind = DRAW_UNIFORM, .dtype = t->dtype,
                                              .a = lo, .b = hi});
}

int tensor_normal_(Tensor *t, double mean, double std)
{
    if (!random_check_floating("normal_", t))
        return -1;
    if (!(std >= 0)) {
        tensor_fail("normal_: std must be >= 0, got %g", std);
        return -1;
    }
    return random_fill("normal_", t, &(Draw){.kind = DRAW_NORMAL, .dtype = t->dtype,
                                             .a = mean, .b = std});
}

int tensor_bernoulli_(Tensor *t, double p)
{
    if (!(p >= 0 && p <= 1)) {
        tensor_fail("bernoulli_: p must be in [0, 1], got %g", p);
        return -1;
    }
    return random_fill("bernoulli_", t, &(Draw){.kind = DRAW_BERNOULLI, .dtype = t->dtype,
                                                .a = p});
}

/* Whether every integer in [lo, hi] is exactly representable in dt. */
static bool random_dtype_holds(DType dt, int64_t lo, int64_t hi)
{
    static const int64_t limit[DTYPE_COUNT] = {
        [DTYPE_FLOAT32] = INT64_C(1) << 24, [DTYPE_FLOAT64] = INT64_C(1) << 53,
        [DTYPE_INT64] = INT64_MAX, [DTYPE_UINT8] = 255, [DTYPE_BOOL] = 1,
    };
    int64_t min = dtype_is_floating(dt) ? -limit[dt] : dt == DTYPE_INT64 ? INT64_MIN : 0;
    return lo >= min && hi <= limit[dt];
}

int tensor_random_int_(Tensor *t, int64_t lo, int64_t hi)
{
    if (lo >= hi) {
        tensor_fail("random_: expected lo < hi, got lo=%lld, hi=%lld", (long long)lo,
                    (long long)hi);
        return -1;
    }
    if (!random_dtype_holds(t->dtype, lo, hi - 1)) {
        tensor_fail("random_: the range [%lld, %lld) does not fit a %s tensor", (long long)lo,
                    (long long)hi, dtype_name(t->dtype));
        return -1;
    }
    return random_fill("random_", t, &(Draw){.kind = DRAW_INTEGER, .dtype = t->dtype, .lo = lo,
                                             .range = (uint64_t)hi - (uint64_t)lo});
}

/* Fisher-Yates over 0..n-1; sequential, one draw per position. */
Tensor *tensor_randperm(int64_t n, DType dt)
{
    if (n < 0)
        return tensor_fail("randperm: n must be >= 0, got %lld", (long long)n);
    if (n > 0 && !random_dtype_holds(dt, 0, n - 1))
        return tensor_fail("randperm: n = %lld is too large for a %s tensor", (long long)n,
                           dtype_name(dt));
    Tensor *perm = tensor_empty(1, &n, DTYPE_INT64);
    if (!perm)
        return NULL;
    int64_t *p = tensor_data(perm);
    for (int64_t i = 0; i < n; i++)
        p[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(random_next_u64() % (uint64_t)(i + 1));
        int64_t tmp = p[i];
        p[i] = p[j], p[j] = tmp;
    }
    if (dt == DTYPE_INT64)
        return perm;
    Tensor *out = tensor_to_dtype(perm, dt);
    tensor_release(perm);
    return out;
}
