/* host/util/publish.c -- cob__publish: find what path names (a new name, a regular file, the
 * regular file a symbolic link names, or a character device), then write to "<target>.tmp.<pid>",
 * fsync, rename onto the target, and remove the temporary on failure or on SIGINT, SIGTERM or
 * SIGHUP; a character device is written in place. Pairs with host/util/publish.h (contract and
 * limits). The signal handler's copy of the temporary's name is this file's one static: a
 * handler cannot be given a context. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */
#include "util/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Directory part of path into buf ("." when it has none). 0 when it does not fit. */
static int dir_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (n + 1 > len)
        return 0;
    if (!slash)
        memcpy(buf, ".", 2);
    else if (n == 0)
        memcpy(buf, "/", 2);
    else {
        memcpy(buf, path, n);
        buf[n] = '\0';
    }
    return 1;
}

/* The temporary and the rename need a directory this process can write into. */
static cob_status check_dir(const char *path, const char *file, cob_err *err)
{
    char dir[COB__PUBLISH_PATH_MAX];
    struct stat sb;
    if (!dir_of(file, dir, sizeof dir))
        return cob_err_set(err, COB_ERR_IO, "%s: path too long", path);
    if (stat(dir, &sb) != 0)
        return cob_err_set(err, COB_ERR_IO, "%s: directory %s: %s", path, dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return cob_err_set(err, COB_ERR_IO, "%s: %s is not a directory", path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return cob_err_set(err, COB_ERR_IO, "%s: cannot create files in directory %s: %s", path, dir, strerror(errno));
    return COB_OK;
}

cob_status cob__publish_target_of(const char *path, cob__publish_target *t, cob_err *err)
{
    struct stat sb;
    memset(t, 0, sizeof *t);
    if (!path || !path[0])
        return cob_err_set(err, COB_ERR_IO, "output path is empty");
    if (strlen(path) >= sizeof t->path)
        return cob_err_set(err, COB_ERR_IO, "%s: path too long", path);
    if (lstat(path, &sb) != 0) {
        if (errno != ENOENT)
            return cob_err_set(err, COB_ERR_IO, "%s: %s", path, strerror(errno));
        snprintf(t->path, sizeof t->path, "%s", path); /* a new name */
        return check_dir(path, path, err);
    }
    if (S_ISLNK(sb.st_mode)) {
        char *real = realpath(path, NULL);
        if (!real)
            return cob_err_set(err, COB_ERR_IO,
                               "%s: symbolic link to a missing or unreachable file (%s); "
                               "give the target's path or remove the link",
                               path, strerror(errno));
        int fits = strlen(real) < sizeof t->path;
        if (fits)
            snprintf(t->path, sizeof t->path, "%s", real);
        free(real);
        if (!fits || stat(t->path, &sb) != 0)
            return cob_err_set(err, COB_ERR_IO, "%s: cannot resolve the symbolic link", path);
    } else {
        snprintf(t->path, sizeof t->path, "%s", path);
    }
    if (S_ISDIR(sb.st_mode))
        return cob_err_set(err, COB_ERR_IO, "%s: is a directory (allowed: a new or regular file, or a device)", path);
    if (!S_ISREG(sb.st_mode) && !S_ISCHR(sb.st_mode))
        return cob_err_set(err, COB_ERR_IO,
                           "%s: neither a regular file nor a character device "
                           "(allowed: a new or regular file, or a device such as /dev/null)",
                           path);
    if (access(t->path, W_OK) != 0)
        return cob_err_set(err, COB_ERR_IO, "%s: not writable: %s", path, strerror(errno));
    t->direct = S_ISCHR(sb.st_mode);
    return t->direct ? COB_OK : check_dir(path, t->path, err);
}

/* ---- removal of the temporary on a signal ------------------------------------------------ */

static const int kill_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_KILL_SIGNALS ((int)(sizeof kill_signals / sizeof kill_signals[0]))

static char sig_tmp[COB__PUBLISH_PATH_MAX + 32];
static volatile sig_atomic_t sig_armed;
static struct sigaction sig_old[N_KILL_SIGNALS];

/* Remove the temporary, then let the signal do what it did before (default: end the process,
 * so the exit status still says which signal). Only async-signal-safe calls. */
static void on_kill_signal(int sig)
{
    if (sig_armed)
        unlink(sig_tmp);
    sig_armed = 0;
    for (int i = 0; i < N_KILL_SIGNALS; i++)
        if (kill_signals[i] == sig)
            sigaction(sig, &sig_old[i], NULL);
    raise(sig);
}

static void arm_signals(const char *tmp)
{
    struct sigaction sa;
    snprintf(sig_tmp, sizeof sig_tmp, "%s", tmp);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_kill_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_KILL_SIGNALS; i++) sigaddset(&sa.sa_mask, kill_signals[i]);
    sig_armed = 1;
    for (int i = 0; i < N_KILL_SIGNALS; i++) {
        sigaction(kill_signals[i], NULL, &sig_old[i]);
        if (sig_old[i].sa_handler != SIG_IGN) /* a signal ignored (nohup) stays ignored */
            sigaction(kill_signals[i], &sa, NULL);
    }
}

static void disarm_signals(void)
{
    for (int i = 0; i < N_KILL_SIGNALS; i++) sigaction(kill_signals[i], &sig_old[i], NULL);
    sig_armed = 0;
}

/* ---- publication ------------------------------------------------------------------------- */

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
    cob__publish_target t;
    char tmp[sizeof sig_tmp];
    cob_status st = cob__publish_target_of(path, &t, err);
    if (st != COB_OK)
        return st;
    if (t.direct) /* a device: no temporary, no rename (renaming would replace the device node) */
        return write_fn(t.path, user, err);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", t.path, (long)getpid());
    arm_signals(tmp);
    st = write_fn(tmp, user, err);
    if (st == COB_OK)
        st = sync_file(path, tmp, err);
    if (st == COB_OK && rename(tmp, t.path) != 0)
        st = cob_err_set(err, COB_ERR_IO, "%s: cannot rename temporary %s onto it: %s", path, tmp, strerror(errno));
    if (st != COB_OK)
        remove(tmp);
    disarm_signals();
    return st;
}
