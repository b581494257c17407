/*
 * npy.h — NumPy's .npy format: one array per file.
 *
 * A file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the header
 * length (2 bytes little-endian in 1.0, 4 bytes after), a header that is a
 * Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3,
 * 4), } padded with spaces and ending in '\n', then the raw data.  luagrad
 * reads the little-endian dtypes it has ('<f4' '<f8' '<i8' '|u1' '|b1') in
 * C or Fortran order, and writes C order byte for byte as NumPy 1.24's
 * np.save does (version 1.0, header padded to a multiple of 64 bytes).
 */
#ifndef LUAGRAD_NPY_H
#define LUAGRAD_NPY_H

#include <stdio.h>

#include "tensor/tensor.h"

/* NULL with a message "load: <path>: ..." on failure. */
Tensor *npy_read(const char *path);
/* The same from an open stream of `size` bytes (fmemopen serves memory);
 * `path` only names it in messages. */
Tensor *npy_read_stream(FILE *fp, uint64_t size, const char *path);
/* Atomic; -1 with a message "save: <path>: ...". */
int npy_write(const char *path, const Tensor *t);

#endif
