/*
 * bind_tensor.h — the Tensor userdata and the argument conventions shared by
 * every binding that takes or returns tensors.
 *
 * A Tensor userdata holds one reference to a refcounted Tensor; __gc and
 * __close release it through one function that also NULLs the pointer, so a
 * double release is impossible (Lua's liolib does the same with FILE*).
 * Lua's conventions are translated here, at the boundary: dims and indices
 * are 1-based and negative ones count from the end; the core is 0-based.
 */
#ifndef LUAGRAD_BIND_TENSOR_H
#define LUAGRAD_BIND_TENSOR_H

#include "tensor/tensor.h"
#include "vm/bind.h"

#define TENSOR_MT "Tensor"

/* The tensor at `i`; a Lua error ("Tensor expected, got nil") otherwise. */
Tensor *check_tensor(lua_State *L, int i);
/* The tensor at `i`, or NULL when it is not one (or was closed). */
Tensor *test_tensor(lua_State *L, int i);
/* True when `i` is a Tensor userdata, open or closed. */
bool is_tensor(lua_State *L, int i);
/* Pushes the Tensor metatable (fast: no lookup by name). */
void push_tensor_metatable(lua_State *L);
/* Pushes a userdata owning the reference `t`.  When t is NULL, raises the
 * core's message prefixed with nothing (the core names the function). */
void push_tensor(lua_State *L, Tensor *t);
/* A tensor for argument `i`: the tensor itself (new reference) or a 0-dim
 * tensor made from a number/boolean (dtype: `like`'s category, as PyTorch
 * treats Python scalars). */
Tensor *to_tensor_arg(lua_State *L, int i, const Tensor *like);
/* A number or boolean argument: its value, and the dtype to_tensor_arg would
 * give it (Lua error for anything else). */
DType scalar_arg(lua_State *L, int i, const Tensor *like, double *value);

/* Raises tensor_error() as a Lua error; the _in form prefixes "fn: " unless
 * the core's message already names fn. */
int raise_tensor_error(lua_State *L);
int raise_tensor_error_in(lua_State *L, const char *fn);

/* A 1-based dim (negative from the end) → 0-based; Lua error when out of range. */
int wrap_dim(lua_State *L, lua_Integer dim, int ndim, const char *fn);
int check_dim(lua_State *L, int arg, int ndim, const char *fn);
/* Sizes given as varargs from `first` (numbers) or as one table: `n` dims into
 * `shape`; stops at a trailing options table.  Returns the count. */
int check_shape(lua_State *L, int first, int64_t *shape, const char *fn);
/* The options table at `i`, if any (a trailing table argument). */
bool has_options(lua_State *L, int i);
/* opts.dtype (string) or `def`; Lua error naming `fn` for an unknown name. */
DType opt_dtype(lua_State *L, int opts, DType def, const char *fn);
bool opt_bool(lua_State *L, int opts, const char *key, bool def);
double opt_number(lua_State *L, int opts, const char *key, double def);

/* Registers a method of Tensor (x:name(...)) with its help text. */
void bind_methods(lua_State *L, const BindFn *fns);

/* x[k] and x[k] = v for keys that are not method or attribute names
 * (numbers and Torch7-style index tables); in bind_index.c. */
int tensor_index_get(lua_State *L);
int tensor_index_set(lua_State *L);

/* The binding families, each adding to the torch table on top of the stack
 * (and methods through bind_methods).  bind_tensor runs first: it creates the
 * metatable the others add to. */
void bind_tensor(lua_State *L);
void bind_create(lua_State *L);
void bind_view(lua_State *L);
void bind_elementwise(lua_State *L);
void bind_reduce(lua_State *L);
void bind_linalg(lua_State *L);
void bind_index(lua_State *L);
void bind_join(lua_State *L);      /* cat, stack, split, ...: called by bind_index */
void bind_print(lua_State *L);
void bind_autograd(lua_State *L);
void bind_function(lua_State *L);   /* after bind_autograd */
void bind_teach(lua_State *L);      /* after bind_autograd */

/* grad_fn objects (bind_autograd.c): one userdata per node while Lua sees
 * it, so == compares nodes; nil for NULL. */
typedef struct AgNode AgNode;
void push_grad_fn(lua_State *L, AgNode *n);
AgNode *check_grad_fn(lua_State *L, int i);

#endif
