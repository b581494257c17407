/*
 * tensor.h — the public interface of luagrad's tensor library.
 *
 * A Tensor is a view: a refcounted Storage (one flat buffer of one dtype) plus
 * an element offset, a shape and strides counted in elements.  Views (transpose,
 * narrow, expand, ...) make a new Tensor over the same Storage; only kernels
 * that produce new values allocate.  This is PyTorch's and Torch7's model.
 *
 * The library is plain C: it never includes lua.h, never exits and never
 * longjmps.  A function that can fail returns NULL (or -1) and leaves a message
 * for tensor_error(); the caller frees its temporaries and reports it.
 * Dimensions and indices are 0-based here; the Lua bindings translate the
 * 1-based user conventions at the boundary.  Messages that name a position
 * inside a shape the user wrote (shape_check, broadcast_shapes, expand) count
 * dims from 1, left to right; messages about a dim or index argument report
 * the number the function received.
 */
#ifndef LUAGRAD_TENSOR_H
#define LUAGRAD_TENSOR_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TENSOR_MAX_DIMS 16

typedef enum {
    DTYPE_FLOAT32,
    DTYPE_FLOAT64,
    DTYPE_INT64,
    DTYPE_UINT8,
    DTYPE_BOOL,
    DTYPE_COUNT
} DType;

typedef struct Storage {
    void *data;
    size_t nbytes;
    int refcount;
    /* Counts the writes of in-place kernels (tensor_begin_write), so autograd
     * can tell that a tensor it saved for backward was modified since.  It
     * lives here because every view of the buffer must see the same count. */
    uint32_t version;
    /* The malloc block this Storage lives in, freed with it: the Storage
     * alone, or also its small buffer and the header of the tensor it was
     * made for (storage_new_with_header); NULL for one on a caller's stack. */
    void *block;
    size_t block_bytes;
} Storage;

/* Autograd's record of a tensor (autograd/meta.c), opaque to this layer. */
struct AgMeta;

typedef struct Tensor {
    Storage *storage;
    int64_t offset;                    /* in elements */
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t stride[TENSOR_MAX_DIMS];   /* in elements; 0 for expanded dims */
    DType dtype;
    int refcount;
    /* The tensor whose storage a view was made from (PyTorch's `_base`):
     * NULL for a tensor that owns its storage, which is then contiguous from
     * offset 0, so a view's offset and strides locate it inside its base. */
    struct Tensor *base;
    /* NULL until autograd needs it; released through the function autograd
     * registers (tensor_set_meta_release), as PyTorch's TensorImpl holds an
     * AutogradMetaInterface it knows nothing about. */
    struct AgMeta *autograd;
} Tensor;

/* ---- errors (error.c) ---------------------------------------------------- */

/* The message of the last failure on this thread. */
const char *tensor_error(void);
/* How many failures this thread has recorded: a caller can tell whether
 * anything failed (and left a message) since it last looked. */
unsigned long tensor_failure_count(void);
/* Record a failure; returns NULL so callers can `return tensor_fail(...)`. */
void *tensor_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set asynchronously (by a SIGINT handler); long kernels poll it and fail
 * with "interrupted". */
extern volatile sig_atomic_t tensor_interrupt_requested;
/* True (and the flag cleared, the message set) when an interrupt is pending. */
bool tensor_check_interrupt(void);

/* ---- dtypes (dtype.c) ---------------------------------------------------- */

/* Bytes per element.  This and the few accessors below are inline: every
 * kernel asks them, and as calls into another file they were a sixth of the
 * cost of an op on a small tensor. */
static inline size_t dtype_size(DType dt)
{
    switch (dt) {
    case DTYPE_FLOAT64:
    case DTYPE_INT64:
        return 8;
    case DTYPE_FLOAT32:
        return 4;
    default:
        return 1;
    }
}
const char *dtype_name(DType dt);
/* Returns -1 for an unknown name. Accepts PyTorch's aliases ("float", "long"). */
int dtype_from_name(const char *name);
bool dtype_is_floating(DType dt);
/* PyTorch's promotion for two tensor operands. */
DType dtype_promote(DType a, DType b);
DType dtype_default(void);
/* PyTorch's category of a dtype: 0 bool, 1 integral, 2 floating. */
int dtype_category(DType dt);
/* PyTorch's result_type over tensor operands, with the 0-dim rule: 0-dim
 * operands only change the result when their category is higher than that
 * of every dimensioned operand (int64 tensor + 0-dim float64 -> float64, but
 * float32 tensor + 0-dim float64 -> float32). */
DType dtype_result_type(int n, const Tensor *const *operands);

/* A Lua/Python number standing for a tensor operand. */
typedef enum { SCALAR_BOOL, SCALAR_INT, SCALAR_FLOAT } ScalarKind;
/* The dtype a scalar gets on its own: bool, int64, or the default float. */
DType dtype_of_scalar(ScalarKind k);
/* The result dtype of `tensor op scalar`: a bool keeps the tensor's dtype,
 * an int too except bool -> int64, a float keeps floating dtypes and turns
 * the others into the default dtype. */
DType dtype_result_with_scalar(DType tensor_dtype, ScalarKind k);
/* Only floating dtypes can be the default, as in PyTorch; -1 otherwise. */
int dtype_set_default(DType dt);
/* One element at `p` as a double, and back.  The slow path for single
 * elements; conversions follow tensor_copy_ (float -> uint8 goes through
 * int64, -> bool is != 0). */
double dtype_load(DType dt, const void *p);
void dtype_store(DType dt, void *p, double v);
/* A double as int64.  C leaves NaN, the infinities and values beyond the
 * range undefined; they give INT64_MIN, what x86's conversion instruction
 * (and so PyTorch there) produces. */
static inline int64_t dtype_double_to_int64(double v)
{
    return v >= -0x1p63 && v < 0x1p63 ? (int64_t)v : INT64_MIN;
}
/* Any C number as int64: floats as above, integers by C's cast. */
#define DTYPE_TO_INT64(x) _Generic((x), float: dtype_double_to_int64(x), double: dtype_double_to_int64(x), \
                                   default: (int64_t)(x))

/* ---- storage (storage.c) ------------------------------------------------- */

/* Zero-filled when `zero`; NULL with "out of memory" message on failure. */
Storage *storage_new(size_t nbytes, bool zero);
/* Small blocks (block.c): per-thread free lists by size class in front of
 * malloc, for tensor headers and small storages.  block_free needs the size
 * given to block_alloc. */
#define BLOCK_SMALL_MAX 4096
void *block_alloc(size_t size, bool zero);
void block_free(void *p, size_t size);
/* The size block_alloc really reserves for `size` bytes. */
size_t block_size(size_t size);
/* Frees this thread's cached blocks (when memory is short). */
void block_empty_cache(void);
/* storage_new, also reserving `header_bytes` at the start of the block for
 * the caller when the buffer is small (*header points there, else NULL):
 * a new small tensor is then one allocation, not three.  The reserved bytes
 * are freed with the storage. */
Storage *storage_new_with_header(size_t nbytes, bool zero, size_t header_bytes, void **header);
void storage_retain(Storage *s);
void storage_release(Storage *s);
/* Bytes held by all live storages, for torch.memory() and the Lua GC. */
size_t storage_live_bytes(void);
/* Frees the large blocks kept for reuse (see storage.c). */
void storage_empty_cache(void);
/* Called once when an allocation fails, before the retry (the Lua binding
 * runs a full garbage collection here). */
void storage_set_reclaim_hook(void (*hook)(void *ctx), void *ctx);

/* ---- tensors: creation, refcounts, shape (tensor.c) ---------------------- */

/* Contiguous tensor of the given shape; NULL on a bad size or no memory. */
Tensor *tensor_empty(int ndim, const int64_t *shape, DType dt);
Tensor *tensor_zeros(int ndim, const int64_t *shape, DType dt);
Tensor *tensor_scalar(double value, DType dt);       /* 0-dim */
void tensor_retain(Tensor *t);
void tensor_release(Tensor *t);
/* Uninitialised memory for a header (views fill it in); tensor_release
 * gives it back. */
Tensor *tensor_header_new(void);
/* How tensor_release frees a tensor's autograd record. */
void tensor_set_meta_release(void (*release)(struct AgMeta *meta));

static inline int64_t tensor_numel(const Tensor *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= t->shape[d];
    return n;
}

/* PyTorch's rule: the stride of a size-1 dim never matters, and a tensor
 * without elements is contiguous whatever its strides. */
static inline bool tensor_is_contiguous(const Tensor *t)
{
    int64_t expected = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        if (t->shape[d] == 0)
            return true;
        if (t->shape[d] == 1)
            continue;
        if (t->stride[d] != expected)
            return false;
        expected *= t->shape[d];
    }
    return true;
}

static inline bool tensor_same_shape(const Tensor *a, const Tensor *b)
{
    if (a->ndim != b->ndim)
        return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return false;
    return true;
}

/* Address of the first element (NULL for a tensor without elements). */
static inline void *tensor_data(const Tensor *t)
{
    if (!t->storage->data)
        return NULL;
    return (char *)t->storage->data + t->offset * (int64_t)dtype_size(t->dtype);
}
/* Every in-place kernel calls this before it writes t.  It refuses an
 * expanded (stride 0) view, where several elements share one address (false
 * with a message naming `fn`), and counts the write in the storage's
 * version.  A kernel that fails after this still counts as a write: autograd
 * may then refuse a backward it could have run, but never computes a wrong
 * gradient. */
bool tensor_begin_write(const char *fn, Tensor *t);
/* "3x4", "[]" for 0-dim: for error messages.  Returns buf. */
const char *tensor_shape_str(const Tensor *t, char *buf, size_t len);
/* The same for any list of sizes (or strides). */
const char *shape_str(int ndim, const int64_t *shape, char *buf, size_t len);
/* Checks a user-supplied size; fills `numel`.  Fails on negative sizes and
 * products that overflow int64. */
bool shape_check(int ndim, const int64_t *shape, int64_t *numel);
/* Normalise a 0-based dim that may be negative; -1 with message if out of range. */
int tensor_wrap_dim(const char *fn, int dim, int ndim);

/* One element by its (unchecked, 0-based) index. */
double tensor_get(const Tensor *t, const int64_t *index);
void tensor_set(Tensor *t, const int64_t *index, double v);
/* Value of a one-element tensor in *out; -1 when numel != 1. */
int tensor_item(const Tensor *t, double *out);

/* ---- views (view.c): share storage, never copy --------------------------- */

Tensor *tensor_view(const Tensor *t, int ndim, const int64_t *shape);   /* -1 infers */
Tensor *tensor_reshape(const Tensor *t, int ndim, const int64_t *shape); /* copies if needed */
Tensor *tensor_transpose(const Tensor *t, int d0, int d1);
Tensor *tensor_permute(const Tensor *t, const int *dims);          /* t->ndim dims */
Tensor *tensor_narrow(const Tensor *t, int dim, int64_t start, int64_t length);
Tensor *tensor_select(const Tensor *t, int dim, int64_t index);
Tensor *tensor_expand(const Tensor *t, int ndim, const int64_t *shape);
/* Removes `dim` (negative counts from the end) when its size is 1, else an
 * alias, as in PyTorch. */
Tensor *tensor_squeeze(const Tensor *t, int dim);
Tensor *tensor_squeeze_all(const Tensor *t);
Tensor *tensor_unsqueeze(const Tensor *t, int dim);    /* dim in -(ndim+1)..ndim */
/* A view when strides allow, otherwise a copy (like reshape). */
Tensor *tensor_flatten(const Tensor *t, int start, int end);
Tensor *tensor_unfold(const Tensor *t, int dim, int64_t size, int64_t step);
Tensor *tensor_alias(const Tensor *t);
/* Any view of t's storage; fails when it would reach outside the storage. */
Tensor *tensor_as_strided(const Tensor *t, int ndim, const int64_t *shape,
                          const int64_t *stride, int64_t offset);

/* ---- copies and conversion (copy.c) -------------------------------------- */

Tensor *tensor_contiguous(Tensor *t);   /* new reference; t itself when already contiguous */
Tensor *tensor_clone(const Tensor *t);
Tensor *tensor_to_dtype(const Tensor *t, DType dt);   /* always a new tensor */
/* dst[...] = src broadcast to dst's shape, converting dtype; -1 on error.
 * A source overlapping the destination is copied aside first. */
int tensor_copy_(Tensor *dst, const Tensor *src);
int tensor_fill_(Tensor *t, double value);

/* ---- broadcasting and the strided iterator (iter.c) ---------------------- */

/* PyTorch's broadcast of two shapes; false with a message naming `fn`. */
bool broadcast_shapes(const char *fn, int na, const int64_t *sa, int nb, const int64_t *sb,
                      int *nout, int64_t *out);

/*
 * An inner loop: `n` steps over `narg` operands, operand k at ptrs[k] advancing
 * by strides[k] bytes.  Operand 0 is the output by convention.
 */
typedef void (*LoopFn)(char **ptrs, const int64_t *strides, int64_t n, void *ctx);

#define ITER_MAX_ARGS 4

/* Run `loop` over every element of `shape` for `narg` (<= ITER_MAX_ARGS)
 * operands whose shapes equal `shape` (or were expanded to it).  Dimensions
 * are coalesced so a contiguous operation is one call; large ones are split
 * across threads when `parallel` is set (the loop must then be free of
 * shared state).  Row-major order within each thread's chunk. */
void iter_run(int narg, Tensor *const *args, int ndim, const int64_t *shape, LoopFn loop,
              void *ctx, bool parallel);

/* ---- elementwise ops (elementwise.c, unary.c, ternary.c) ----------------- */

/*
 * PyTorch's semantics: operands broadcast; the result dtype is
 * dtype_result_type of the operands (a number enters as a 0-dim tensor);
 * comparisons and logical ops give bool; true division, atan2 and the
 * float-only unary ops turn integer operands into the default dtype.
 * The `_` forms write into their first operand, which may be any strided
 * view: the other operands broadcast to its shape, and the result dtype must
 * cast to its dtype without changing category (no float -> int64).
 */
typedef enum {
    BINARY_ADD, BINARY_SUB, BINARY_MUL, BINARY_DIV, BINARY_POW, BINARY_FMOD,
    BINARY_REMAINDER, BINARY_MAXIMUM, BINARY_MINIMUM, BINARY_ATAN2,
    BINARY_EQ, BINARY_NE, BINARY_LT, BINARY_LE, BINARY_GT, BINARY_GE,
    BINARY_LOGICAL_AND, BINARY_LOGICAL_OR, BINARY_LOGICAL_XOR,
    BINARY_COUNT
} BinaryOp;

/* "add", "logical_and": the PyTorch name, used in messages. */
const char *binary_op_name(BinaryOp op);
Tensor *tensor_binary(BinaryOp op, const Tensor *a, const Tensor *b);
int tensor_binary_(BinaryOp op, Tensor *a, const Tensor *b);
/* PyTorch's add/sub with alpha: a + alpha * b (op BINARY_ADD) or
 * a - alpha * b (BINARY_SUB); alpha must be integral for integer results. */
Tensor *tensor_add_scaled(BinaryOp op, const Tensor *a, const Tensor *b, double alpha);
int tensor_add_scaled_(BinaryOp op, Tensor *a, const Tensor *b, double alpha);

typedef enum {
    UNARY_NEG, UNARY_ABS, UNARY_SIGN, UNARY_EXP, UNARY_LOG, UNARY_LOG1P, UNARY_EXPM1,
    UNARY_SQRT, UNARY_RSQRT, UNARY_SIN, UNARY_COS, UNARY_TAN, UNARY_TANH, UNARY_ERF, UNARY_SIGMOID,
    UNARY_RELU, UNARY_GELU, UNARY_GELU_TANH, UNARY_SILU, UNARY_FLOOR, UNARY_CEIL,
    UNARY_ROUND, UNARY_TRUNC, UNARY_RECIPROCAL, UNARY_ISNAN, UNARY_ISINF, UNARY_ISFINITE,
    UNARY_LOGICAL_NOT,
    UNARY_COUNT
} UnaryOp;

const char *unary_op_name(UnaryOp op);
Tensor *tensor_unary(UnaryOp op, const Tensor *x);
int tensor_unary_(UnaryOp op, Tensor *x);

/* min(max(x, lo), hi); either bound (not both) may be NULL. */
Tensor *tensor_clamp(const Tensor *x, const Tensor *lo, const Tensor *hi);
int tensor_clamp_(Tensor *x, const Tensor *lo, const Tensor *hi);
/* cond ? a : b elementwise; cond must be bool. */
Tensor *tensor_where(const Tensor *cond, const Tensor *a, const Tensor *b);
/* x with `value` (a 0-dim tensor, converted to x's dtype) where the bool
 * mask is true; the mask broadcasts (to x's shape for the in-place form). */
Tensor *tensor_masked_fill(const Tensor *x, const Tensor *mask, const Tensor *value);
int tensor_masked_fill_tensor_(Tensor *x, const Tensor *mask, const Tensor *value);
/* start + weight * (end - start), floating operands of one dtype. */
Tensor *tensor_lerp(const Tensor *start, const Tensor *end, const Tensor *weight);
int tensor_lerp_(Tensor *start, const Tensor *end, const Tensor *weight);
/* x + value * t1 * t2 and x + value * t1 / t2 (the latter floating only). */
Tensor *tensor_addcmul(const Tensor *x, const Tensor *t1, const Tensor *t2, double value);
int tensor_addcmul_(Tensor *x, const Tensor *t1, const Tensor *t2, double value);
Tensor *tensor_addcdiv(const Tensor *x, const Tensor *t1, const Tensor *t2, double value);
int tensor_addcdiv_(Tensor *x, const Tensor *t1, const Tensor *t2, double value);

/* ---- reductions (reduce*.c) ---------------------------------------------- */

/* `dims` lists the dims to reduce over (0-based, negative from the end, no
 * repeats); ndims == 0 reduces over every dim.  keepdim keeps each reduced
 * dim with size 1.  A 0-dim input takes dim 0 or -1.  Floating inputs
 * accumulate in double, integer and bool inputs in int64; NaN propagates.
 * Sums of no elements are 0, products 1, means NaN. */
Tensor *tensor_sum(const Tensor *t, int ndims, const int *dims, bool keepdim);   /* ints -> int64 */
Tensor *tensor_prod(const Tensor *t, int ndims, const int *dims, bool keepdim);  /* ints -> int64 */
Tensor *tensor_mean(const Tensor *t, int ndims, const int *dims, bool keepdim);  /* floating only */
/* Fail when a reduced dim has size 0. */
Tensor *tensor_amax(const Tensor *t, int ndims, const int *dims, bool keepdim);
Tensor *tensor_amin(const Tensor *t, int ndims, const int *dims, bool keepdim);
/* bool results (uint8 for uint8 input, as PyTorch). */
Tensor *tensor_all(const Tensor *t, int ndims, const int *dims, bool keepdim);
Tensor *tensor_any(const Tensor *t, int ndims, const int *dims, bool keepdim);
/* Floating only; divides by max(0, N - correction) (1: unbiased, 0: population). */
Tensor *tensor_var(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim);
Tensor *tensor_std(const Tensor *t, int ndims, const int *dims, double correction, bool keepdim);
/* The vector p-norm (floating only): p = 2, 1, 0 (count of nonzeros),
 * +-INFINITY (max/min |x|) or any other p: (sum |x|^p)^(1/p). */
Tensor *tensor_norm(const Tensor *t, double p, int ndims, const int *dims, bool keepdim);
/* log(sum(exp(x))) computed without overflow; integers become the default float. */
Tensor *tensor_logsumexp(const Tensor *t, int ndims, const int *dims, bool keepdim);
/* The largest/smallest element (0-dim); fails on an empty tensor. */
Tensor *tensor_max(const Tensor *t);
Tensor *tensor_min(const Tensor *t);
/* Values and 0-based int64 positions of the first max/min along dim; a NaN
 * counts as larger (and smaller) than everything. */
int tensor_max_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices);
int tensor_min_dim(const Tensor *t, int dim, bool keepdim, Tensor **values, Tensor **indices);
/* Positions only; dim NULL gives the flat row-major position over all dims. */
Tensor *tensor_argmax(const Tensor *t, const int *dim, bool keepdim);
Tensor *tensor_argmin(const Tensor *t, const int *dim, bool keepdim);

/* ---- scans and softmax (scan.c) ------------------------------------------ */

/* Running sums/products along dim (ints and bool -> int64, floats in double). */
Tensor *tensor_cumsum(const Tensor *t, int dim);
Tensor *tensor_cumprod(const Tensor *t, int dim);
/* exp(x - max) / sum along dim, and its log; floating only. */
Tensor *tensor_softmax(const Tensor *t, int dim);
Tensor *tensor_log_softmax(const Tensor *t, int dim);

/* ---- sorting (sort.c) ---------------------------------------------------- */

/* Stable sort along dim: values and 0-based int64 positions; NaN sorts as
 * the largest value. */
int tensor_sort(const Tensor *t, int dim, bool descending, Tensor **values, Tensor **indices);
/* The k largest (or smallest) along dim, in sorted order. */
int tensor_topk(const Tensor *t, int64_t k, int dim, bool largest, Tensor **values,
                Tensor **indices);
/* The distinct values of t flattened, ascending (each NaN is distinct);
 * when asked, inverse (t's shape: 0-based position of each element's value
 * in *values) and counts. */
int tensor_unique(const Tensor *t, Tensor **values, Tensor **inverse, Tensor **counts);

/* ---- threads (parallel.c) ------------------------------------------------ */

void parallel_set_num_threads(int n);   /* governs OpenMP kernels and OpenBLAS */
int parallel_get_num_threads(void);
/* Below this many elements an op stays on one thread. */
#define PARALLEL_GRAIN 32768

/* ---- random numbers (random.c) ------------------------------------------- */

/* One process-wide Philox4x32-10 stream (see random.c); the seed before any
 * random_manual_seed is RANDOM_DEFAULT_SEED, PyTorch's default. */
#define RANDOM_DEFAULT_SEED 67280421310721ULL
void random_manual_seed(uint64_t seed);
uint64_t random_initial_seed(void);
/* The whole state: the seed and the position in its stream (torch.get_rng_state). */
void random_get_state(uint64_t *seed, uint64_t *position);
void random_set_state(uint64_t seed, uint64_t position);
uint64_t random_next_u64(void);
double random_uniform(void);            /* [0, 1) */
double random_normal(void);             /* mean 0, std 1 */

/* Fillers draw in row-major logical order, whatever t's strides, so a seed
 * gives the same values for any layout; -1 with a message on bad arguments. */
int tensor_uniform_(Tensor *t, double lo, double hi);       /* floating t */
int tensor_normal_(Tensor *t, double mean, double std);     /* floating t */
int tensor_bernoulli_(Tensor *t, double p);                 /* 1 with probability p */
int tensor_random_int_(Tensor *t, int64_t lo, int64_t hi);  /* lo <= x < hi */
Tensor *tensor_randperm(int64_t n, DType dt);

/* ---- printing (print.c) ------------------------------------------------- */

/* torch.set_printoptions, with PyTorch's defaults (print_options_default). */
typedef struct {
    int precision;       /* digits after the point: 4 */
    double threshold;    /* more elements than this are summarised: 1000 (may be INFINITY) */
    int edgeitems;       /* items kept at each end of a summarised dim: 3 */
    int linewidth;       /* characters per line: 80 */
    int sci_mode;        /* -1 chosen from the values, 0 never, 1 always */
} PrintOptions;

#define PRINT_MAX_PRECISION 100

PrintOptions print_options_default(void);
/* The text PyTorch 1.13's str(t) shows ("tensor([1.5000, 2.0000])"), with
 * luagrad's dtype names.  `suffix` (NULL for none) is one more trailing item,
 * e.g. "requires_grad=true" or "grad_fn=<MulBackward>", placed and wrapped as
 * PyTorch places its own.  Returns a malloc'd string for the caller to free;
 * NULL with a message on bad options, no memory or an interrupt. */
char *tensor_format(const Tensor *t, const PrintOptions *opt, const char *suffix);

/* ---- matrix products (matmul.c; the naive reference in matmul_ref.c) ----- */

/* PyTorch's matmul: 1-D x 1-D is a dot product; a 1-D left operand gets a
 * dim prepended and a 1-D right one a dim appended, removed again from the
 * result; the dims before the last two broadcast.  float32 and float64 go to
 * BLAS (views described by transpose flags and leading dims, copied only when
 * they cannot be), int64 and uint8 to a plain loop.  bool and mixed dtypes
 * fail, as in PyTorch: "matmul: size mismatch, 3x4 cannot multiply 5x6". */
Tensor *tensor_matmul(const Tensor *a, const Tensor *b);
Tensor *tensor_mm(const Tensor *a, const Tensor *b);          /* (n, k) x (k, m) */
Tensor *tensor_bmm(const Tensor *a, const Tensor *b);         /* (B, n, k) x (B, k, m) */
Tensor *tensor_mv(const Tensor *a, const Tensor *v);          /* (n, k) x (k) */
Tensor *tensor_dot(const Tensor *a, const Tensor *b);         /* 0-dim; float32 sums in double */
Tensor *tensor_outer(const Tensor *a, const Tensor *b);       /* (n) x (m) -> (n, m); bool too */
/* beta * input + alpha * (m1 @ m2), input broadcast to the result's shape;
 * with beta == 0 input is only checked for shape, never read (NaNs in it do
 * not propagate), as in PyTorch. */
Tensor *tensor_addmm(const Tensor *input, const Tensor *m1, const Tensor *m2, double beta,
                     double alpha);
Tensor *tensor_baddbmm(const Tensor *input, const Tensor *b1, const Tensor *b2, double beta,
                       double alpha);
/* The textbook triple loop over 2-D or 3-D (batched) operands of any dtype,
 * accumulating in double: the yardstick the BLAS paths are tested against. */
Tensor *tensor_matmul_ref(const Tensor *a, const Tensor *b);

/* ---- indexing with index tensors and masks (index.c, mask.c) ------------- */

/* Index tensors are int64 and count from `base` (the Lua binding passes 1,
 * C callers 0); where PyTorch allows it (take, index_fill) negative values
 * count from the end.  A value out of range fails naming the function, the
 * value as given and the size.  Sources must have self's dtype.  Scatter-like
 * writes run on one thread, so repeated indices behave deterministically
 * (the last write wins; adds accumulate). */
Tensor *tensor_index_select(const Tensor *t, int dim, const Tensor *index, int64_t base);
Tensor *tensor_gather(const Tensor *t, int dim, const Tensor *index, int64_t base);
Tensor *tensor_take(const Tensor *t, const Tensor *index, int64_t base);
int tensor_scatter_(Tensor *t, int dim, const Tensor *index, const Tensor *src, int64_t base);
int tensor_scatter_value_(Tensor *t, int dim, const Tensor *index, double value, int64_t base);
int tensor_scatter_add_(Tensor *t, int dim, const Tensor *index, const Tensor *src,
                        int64_t base);
int tensor_index_add_(Tensor *t, int dim, const Tensor *index, const Tensor *src, double alpha,
                      int64_t base);
int tensor_index_copy_(Tensor *t, int dim, const Tensor *index, const Tensor *src,
                       int64_t base);
int tensor_index_fill_(Tensor *t, int dim, const Tensor *index, double value, int64_t base);
/* Masks are bool and broadcast: against t for masked_select, to t's shape
 * for masked_scatter_ (masked_fill is with the elementwise ops). */
Tensor *tensor_masked_select(const Tensor *t, const Tensor *mask);
int tensor_masked_scatter_(Tensor *t, const Tensor *mask, const Tensor *src);
/* (count, ndim) int64 coordinates of the nonzero elements, row-major order. */
Tensor *tensor_nonzero(const Tensor *t, int64_t base);

/* ---- walking a multi-index (walk.c) ---------------------------------------- */

/* Steps idx to the next position of the first n dims of `shape` in row-major
 * order, moving each off[k] by strides[k]; false once idx wraps to zeros. */
bool walk_next(int n, const int64_t *shape, int64_t *idx, int narg,
               const int64_t *const *strides, int64_t *off);

/* ---- joining, repeating and reordering (join.c, reorder.c, tri.c) -------- */

/* dtype: PyTorch's promotion over the inputs; 1-D empty inputs are skipped. */
Tensor *tensor_cat(int n, Tensor *const *ts, int dim);
Tensor *tensor_stack(int n, Tensor *const *ts, int dim);      /* dim in 0..ndim */
Tensor *tensor_repeat(const Tensor *t, int n, const int64_t *repeats);   /* n >= ndim */
Tensor *tensor_tile(const Tensor *t, int n, const int64_t *reps);        /* pads with 1s */
Tensor *tensor_flip(const Tensor *t, int n, const int *dims);            /* a copy */
/* Shifts along dims[i] by shifts[i]; n == 0 rolls the flattened tensor by
 * shifts[0] (and keeps its shape). */
Tensor *tensor_roll(const Tensor *t, int n, const int64_t *shifts, const int *dims);
/* Lower/upper triangle of the last two dims, from diagonal k (0 the main,
 * > 0 above it); the rest set to zero. */
int tensor_tril_(Tensor *t, int64_t k);
int tensor_triu_(Tensor *t, int64_t k);
/* A view of the diagonal `offset` of dims d1 and d2, which are removed; the
 * diagonal becomes the last dim. */
Tensor *tensor_diagonal(const Tensor *t, int64_t offset, int d1, int d2);
/* 1-D -> 2-D matrix with t on diagonal `offset`; 2-D -> 1-D copy of it. */
Tensor *tensor_diag(const Tensor *t, int64_t offset);

#endif
