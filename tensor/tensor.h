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
} Storage;

typedef struct Tensor {
    Storage *storage;
    int64_t offset;                    /* in elements */
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t stride[TENSOR_MAX_DIMS];   /* in elements; 0 for expanded dims */
    DType dtype;
    int refcount;
} Tensor;

/* ---- errors (error.c) ---------------------------------------------------- */

/* The message of the last failure on this thread. */
const char *tensor_error(void);
/* Record a failure; returns NULL so callers can `return tensor_fail(...)`. */
void *tensor_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set asynchronously (by a SIGINT handler); long kernels poll it and fail
 * with "interrupted". */
extern volatile sig_atomic_t tensor_interrupt_requested;
/* True (and the flag cleared, the message set) when an interrupt is pending. */
bool tensor_check_interrupt(void);

/* ---- dtypes (dtype.c) ---------------------------------------------------- */

size_t dtype_size(DType dt);
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

/* ---- storage (storage.c) ------------------------------------------------- */

/* Zero-filled when `zero`; NULL with "out of memory" message on failure. */
Storage *storage_new(size_t nbytes, bool zero);
void storage_retain(Storage *s);
void storage_release(Storage *s);
/* Bytes held by all live storages, for torch.memory() and the Lua GC. */
size_t storage_live_bytes(void);
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

int64_t tensor_numel(const Tensor *t);
bool tensor_is_contiguous(const Tensor *t);
bool tensor_same_shape(const Tensor *a, const Tensor *b);
/* Address of the first element (NULL for a tensor without elements). */
void *tensor_data(const Tensor *t);
/* An in-place op must not write through an expanded (stride 0) view, where
 * several elements share one address; false with a message naming `fn`. */
bool tensor_check_writable(const char *fn, const Tensor *t);
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

#endif
