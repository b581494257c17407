/*
 * file.c — checked reads and atomic writes for the file formats (file.h).
 *
 * The temporary file is `.<name>.XXXXXX` in the destination's directory:
 * rename() is only atomic within one file system, and a hidden name keeps a
 * leftover from a killed process out of the way of globbing scripts.  It
 * takes the destination's permissions when that exists (a checkpoint
 * overwritten in place keeps its mode), else 0666 less the umask, as a file
 * opened by fopen would.  After the rename the directory is synced too, so
 * the new name itself survives a power loss.
 */
#define _GNU_SOURCE
#include "tensor/file.h"

#include "tensor/tensor.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *file_open_read(const char *fn, const char *path, uint64_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return tensor_fail("%s: %s: %s", fn, path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        int err = errno;
        fclose(fp);
        return tensor_fail("%s: %s: %s", fn, path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(fp);
        return tensor_fail("%s: %s: %s", fn, path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    }
    *size = (uint64_t)st.st_size;
    return fp;
}

void *file_read_with(const char *fn, const char *path, void *(*read)(void *ctx, FILE *fp, uint64_t size),
                     void *ctx)
{
    uint64_t size;
    FILE *fp = file_open_read(fn, path, &size);
    if (!fp)
        return NULL;
    void *result = read(ctx, fp, size);
    fclose(fp);
    return result;
}

int file_read_exact(FILE *fp, void *buf, size_t n, const char *fn, const char *path, const char *what)
{
    size_t got = fread(buf, 1, n, fp);
    if (got == n)
        return 0;
    if (ferror(fp))
        tensor_fail("%s: %s: reading %s: %s", fn, path, what, strerror(errno));
    else
        tensor_fail("%s: %s: truncated: %s needs %zu bytes, only %zu are left", fn, path, what, n, got);
    return -1;
}

/* ---- atomic writes ---------------------------------------------------------------- */

static void atomic_free(AtomicFile *f)
{
    free(f->path);
    free(f->tmp_path);
    f->path = f->tmp_path = NULL;
    f->fp = NULL;
}

/* ".name.XXXXXX" beside `path`. */
static char *temp_name(const char *path)
{
    char *copy1 = strdup(path), *copy2 = strdup(path);
    char *out = NULL;
    if (copy1 && copy2) {
        const char *dir = dirname(copy1), *base = basename(copy2);
        size_t n = strlen(dir) + strlen(base) + 16;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%s/.%s.XXXXXX", dir, base);
    }
    free(copy1);
    free(copy2);
    return out;
}

static mode_t new_file_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int atomic_open(AtomicFile *f, const char *fn, const char *path)
{
    memset(f, 0, sizeof *f);
    f->fn = fn;
    f->path = strdup(path);
    f->tmp_path = temp_name(path);
    if (!f->path || !f->tmp_path) {
        atomic_free(f);
        tensor_fail("%s: out of memory", fn);
        return -1;
    }
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        tensor_fail("%s: %s: cannot create a file beside it: %s", fn, path, strerror(errno));
        atomic_free(f);
        return -1;
    }
    if (fchmod(fd, new_file_mode(path)) != 0 || !(f->fp = fdopen(fd, "wb"))) {
        tensor_fail("%s: %s: %s", fn, path, strerror(errno));
        close(fd);
        unlink(f->tmp_path);
        atomic_free(f);
        return -1;
    }
    return 0;
}

int atomic_write(AtomicFile *f, const void *p, size_t n)
{
    if (f->failed)
        return -1;
    if (n > 0 && fwrite(p, 1, n, f->fp) != n) {
        tensor_fail("%s: %s: writing: %s", f->fn, f->path, strerror(errno));
        f->failed = 1;
        return -1;
    }
    return 0;
}

static void sync_directory(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);   /* best effort: some file systems refuse to sync a directory */
        close(fd);
    }
    free(copy);
}

int atomic_commit(AtomicFile *f)
{
    if (f->failed) {
        atomic_abort(f);
        return -1;
    }
    const char *step = "writing";
    int rc = fflush(f->fp);
    if (rc == 0 && (step = "syncing", fsync(fileno(f->fp)) != 0))
        rc = -1;
    int err = errno;
    if (fclose(f->fp) != 0 && rc == 0)
        rc = -1, err = errno, step = "closing";
    f->fp = NULL;
    if (rc == 0 && rename(f->tmp_path, f->path) != 0)
        rc = -1, err = errno, step = "renaming the new file into place";
    if (rc != 0) {
        tensor_fail("%s: %s: %s: %s", f->fn, f->path, step, strerror(err));
        unlink(f->tmp_path);
    } else {
        sync_directory(f->path);
    }
    atomic_free(f);
    return rc;
}

void atomic_abort(AtomicFile *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path);
    atomic_free(f);
}
