/*
 * safetensors.h — reading and writing the safetensors format (Hugging Face's;
 * what torch.save and torch.load use for tensors and state_dicts).
 *
 * A file is: an 8-byte little-endian header length N; N bytes of JSON, an
 * object mapping each tensor name to {"dtype", "shape", "data_offsets":
 * [begin, end]} (byte offsets into the data section) plus an optional
 * "__metadata__" object of string values; then the data section, the
 * tensors' bytes in little-endian C order.  luagrad maps its five dtypes to
 * F32, F64, I64, U8 and BOOL; reading also widens F16 and BF16 to float32
 * and I8, I16, I32, U16, U32 to int64 (half-precision checkpoints from the
 * Hugging Face hub load).
 *
 * The reader applies the rules of the reference implementation (the
 * safetensors crate): the tensors must tile the data section exactly, in
 * offset order, without gaps or overlaps, each with the byte count its shape
 * and dtype imply.  The writer produces the bytes the reference writer
 * produces for the same tensors: tensors ordered by dtype (I64, F64, F32, U8,
 * BOOL) and then by name, compact JSON, the header padded with spaces to a
 * multiple of 8 bytes.  Metadata keys are written sorted (the reference
 * writer's order is that of a hash map, so no order is canonical).
 */
#ifndef LUAGRAD_SAFETENSORS_H
#define LUAGRAD_SAFETENSORS_H

#include <stdio.h>

#include "tensor/json.h"
#include "tensor/tensor.h"

/* The reference implementation refuses headers larger than this. */
#define SAFETENSORS_MAX_HEADER 100000000

typedef struct {
    JsonString name;
    int file_dtype;           /* the dtype in the file, as an index (safetensors.c) */
    DType dtype;              /* luagrad's: the same, or widened (F16 -> float32, I32 -> int64) */
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    uint64_t begin, end;      /* data_offsets */
    Tensor *tensor;           /* filled by safetensors_read */
} SafetensorsEntry;

typedef struct {
    size_t count;             /* tensors, in data-offset order */
    SafetensorsEntry *entries;
    size_t nmeta;             /* __metadata__ members, in header order */
    JsonString *meta_keys, *meta_values;
} Safetensors;

/* Parses and checks a header (json[0..len)) against a data section of
 * data_len bytes; messages start "load: <path>: ".  0, or -1 with a message
 * (and *out left empty). */
int safetensors_parse_header(const char *path, const char *json, size_t len, uint64_t data_len,
                             Safetensors *out);
/* The whole file, tensors included; NULL with a message. */
Safetensors *safetensors_read(const char *path);
/* The same from an open stream of `size` bytes (fmemopen serves memory);
 * `path` only names it in messages. */
Safetensors *safetensors_read_stream(FILE *fp, uint64_t size, const char *path);
void safetensors_free(Safetensors *st);

/* Writes n tensors under their names (UTF-8, distinct) and nmeta metadata
 * strings, atomically; -1 with a message "save: <path>: ...". */
int safetensors_write(const char *path, size_t n, const JsonString *names, Tensor *const *tensors,
                      size_t nmeta, const JsonString *meta_keys, const JsonString *meta_values);

#endif
