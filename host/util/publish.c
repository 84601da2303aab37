/* host/util/publish.c -- cob__publish: write to "<path>.tmp.<pid>", fsync, rename onto path,
 * remove the temporary on failure. Pairs with host/util/publish.h (contract and limits). */
#define _POSIX_C_SOURCE 200809L
#include "util/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Push the temporary's data to disk before it replaces path. */
static cob_status sync_file(const char *path, const char *tmp, cob_err *err)
{
    int fd = open(tmp, O_RDONLY);
    int ok = fd >= 0 && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0)
        close(fd);
    return ok ? COB_OK : cob_err_set(err, COB_ERR_IO, "%s: cannot sync temporary %s: %s", path, tmp, strerror(e));
}

cob_status cob__publish(const char *path, cob__publish_fn write_fn, void *user, cob_err *err)
{
    size_t len = strlen(path) + 32; /* ".tmp." and a pid */
    char *tmp = malloc(len);
    if (!tmp)
        return cob_err_set(err, COB_ERR_NOMEM, "%s: out of memory for the temporary's name", path);
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    cob_status st = write_fn(tmp, user, err);
    if (st == COB_OK)
        st = sync_file(path, tmp, err);
    if (st == COB_OK && rename(tmp, path) != 0)
        st = cob_err_set(err, COB_ERR_IO, "%s: cannot rename temporary %s onto it: %s", path, tmp, strerror(errno));
    if (st != COB_OK)
        remove(tmp);
    free(tmp);
    return st;
}
