/* Atomic file writes: the bytes go to a temporary file in the target's folder, are flushed to disk, and
 * the temporary file is renamed over the target, so a reader (or a crash) sees the old file or the new
 * one, never half of one. "-" writes to standard output instead. */
#define _POSIX_C_SOURCE 200809L

#include "rollsim/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_ATTEMPTS 100

static rs_status fail(rs_error *err, const char *path, const char *what, int errnum)
{
    return rs_error_set(err, RS_INTERNAL, path, "cannot write %s: %s: %s", path, what, strerror(errnum));
}

static rs_status write_stdout(const void *data, size_t size, rs_error *err)
{
    if (size > 0 && fwrite(data, 1, size, stdout) != size)
        return fail(err, "-", "write to standard output", errno);
    if (fflush(stdout) != 0)
        return fail(err, "-", "flush standard output", errno);
    return RS_OK;
}

static int write_all(int fd, const char *p, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Creates "PATH.<pid>.<n>.tmp" exclusively. open(O_EXCL) rather than mkstemp so the file gets the usual
 * 0666 & ~umask mode (mkstemp's 0600 would survive the rename) without touching the process umask. */
static int create_temp(const char *path, char *tmp, size_t size)
{
    for (int n = 0; n < TEMP_ATTEMPTS; n++) {
        snprintf(tmp, size, "%s.%ld.%d.tmp", path, (long)getpid(), n);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Makes the rename itself durable. Best effort: some file systems refuse fsync on a directory. */
static void sync_parent_dir(const char *path)
{
    size_t len = strlen(path);
    char *dir = malloc(len + 2);
    if (!dir)
        return;
    memcpy(dir, path, len + 1);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

rs_status rs_write_file_atomic(const char *path, const void *data, size_t size, rs_error *err)
{
    if (strcmp(path, "-") == 0)
        return write_stdout(data, size, err);

    size_t tmp_size = strlen(path) + 48;
    char *tmp = malloc(tmp_size);
    if (!tmp)
        return fail(err, path, "temporary file name", ENOMEM);
    rs_status st = RS_OK;
    int fd = create_temp(path, tmp, tmp_size);
    if (fd < 0) {
        st = fail(err, path, "create temporary file", errno);
        goto out;
    }
    if (write_all(fd, data, size) != 0) {
        st = fail(err, path, "write", errno);
        goto err_close;
    }
    if (fsync(fd) != 0) {
        st = fail(err, path, "fsync", errno);
        goto err_close;
    }
    if (close(fd) != 0) {
        st = fail(err, path, "close", errno);
        goto err_unlink;
    }
    if (rename(tmp, path) != 0) {
        st = fail(err, path, "rename", errno);
        goto err_unlink;
    }
    sync_parent_dir(path);
    goto out;

err_close:
    close(fd);
err_unlink:
    unlink(tmp);
out:
    free(tmp);
    return st;
}
