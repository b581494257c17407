/*
 * idx.h — the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed.
 *
 * A file is two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16,
 * 0x0C int32, 0x0D float32, 0x0E float64), the number of dims, each dim as a
 * big-endian uint32, then the data in C order, big-endian.  uint8 data gives
 * a uint8 tensor, the signed integers int64, the floats float32/float64.
 */
#ifndef LUAGRAD_IDX_H
#define LUAGRAD_IDX_H

#include "tensor/tensor.h"

/* Reads a .gz or plain file (told apart by its first bytes, not its name);
 * NULL with "read_idx: <path>: what is wrong" on failure. */
Tensor *idx_read(const char *path);

#endif
