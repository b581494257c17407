/*
 * nn_args.h — argument helpers of the nn bindings (pooling, normalisation):
 * options tables with a fixed set of names, sizes given as a number or an
 * {h, w} pair, and optional tensors.
 *
 * An unknown option name is an error that lists the known ones, so a typo
 * ({paddng = 1}) never passes silently.  Every message names the function.
 */
#ifndef LUAGRAD_NN_ARGS_H
#define LUAGRAD_NN_ARGS_H

#include "vm/bind_tensor.h"

/* The options table at `i` (0 when absent or nil); raises when it is some
 * other value or holds a key not in `names` (NULL-terminated). */
int nn_options(lua_State *L, int i, const char *fn, const char *const *names);
/* The size at stack index `i` (a number, or a table of `n` numbers; n is 1
 * or 2) into out[2 - n .. 1]; `what` names it in messages.  Must be
 * integers.  Returns false (out untouched) when the value is nil. */
bool nn_size_arg(lua_State *L, int i, const char *fn, const char *what, int n, int64_t *out);
/* The same for opts[key] (opts 0: absent). */
bool nn_size_opt(lua_State *L, int opts, const char *fn, const char *key, int n, int64_t *out);
/* opts[key] as a tensor, NULL when absent or nil. */
Tensor *nn_tensor_opt(lua_State *L, int opts, const char *fn, const char *key);
/* opts[key] as a number (def when absent); any other type raises. */
double nn_number_opt(lua_State *L, int opts, const char *fn, const char *key, double def);
/* opts[key] as a boolean (def when absent); any other type raises. */
bool nn_bool_opt(lua_State *L, int opts, const char *fn, const char *key, bool def);

#endif
