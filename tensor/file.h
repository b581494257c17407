/*
 * file.h — opening files for the format readers, and atomic writes.
 *
 * Readers (idx.c, npy.c, safetensors.c, csv.c) open through file_open_read,
 * which refuses directories and reports "fn: path: reason"; they read with
 * file_read_exact, which tells a truncated file from an I/O error.
 *
 * Writers never touch the destination until the new content is complete: an
 * AtomicFile writes a temporary file in the destination's directory, flushes
 * it to disk (fsync) and renames it over the destination, so a crash leaves
 * either the old file or the new one, never half of one.  On any failure the
 * temporary file is removed.
 */
#ifndef LUAGRAD_FILE_H
#define LUAGRAD_FILE_H

#include <stdint.h>
#include <stdio.h>

/* The formats are little-endian and the readers copy bytes straight into
 * tensor memory. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "luagrad's file formats assume a little-endian host");

/* Opens `path` for reading; its size in *size.  NULL with "fn: path: reason". */
FILE *file_open_read(const char *fn, const char *path, uint64_t *size);
/* Opens `path` as file_open_read does and returns read(ctx, fp, size),
 * closing the file after: a path reader over a stream reader.  NULL when
 * the file cannot be opened. */
void *file_read_with(const char *fn, const char *path, void *(*read)(void *ctx, FILE *fp, uint64_t size),
                     void *ctx);
/* Reads exactly n bytes; -1 with "fn: path: truncated: <what> needs N bytes,
 * only M are left" (or the I/O error) otherwise. */
int file_read_exact(FILE *fp, void *buf, size_t n, const char *fn, const char *path, const char *what);

typedef struct {
    FILE *fp;
    char *path;        /* the destination */
    char *tmp_path;    /* the temporary file beside it */
    const char *fn;    /* for messages */
    int failed;        /* a write failed: commit will not rename */
} AtomicFile;

/* Creates the temporary file; -1 with a message on failure. */
int atomic_open(AtomicFile *f, const char *fn, const char *path);
/* Appends n bytes; -1 (and the file marked failed) on an error. */
int atomic_write(AtomicFile *f, const void *p, size_t n);
/* Flushes, syncs, closes and renames over the destination; on any failure
 * removes the temporary file and returns -1.  Frees f's memory either way. */
int atomic_commit(AtomicFile *f);
/* Closes and removes the temporary file, leaving the destination as it was. */
void atomic_abort(AtomicFile *f);

#endif
