/* host/util/publish.c -- cob__publish and cob__publish_all: find what each path names (a new
 * name, a regular file, the regular file a symbolic link names, or a character device), then
 * write each to "<target>.tmp.<pid>", fsync, rename them all onto their targets (undoing the
 * renames done when a later one fails), and remove the temporaries on failure or on SIGINT,
 * SIGTERM or SIGHUP; a character device is written in place. Pairs with host/util/publish.h
 * (contract and limits). The signal handler's copy of the temporaries' names is this file's one
 * static: a handler cannot be given a context. */
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

/* ---- removal of the temporaries on a signal ---------------------------------------------- */

static const int kill_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_KILL_SIGNALS ((int)(sizeof kill_signals / sizeof kill_signals[0]))
#define TMP_MAX_LEN (COB__PUBLISH_PATH_MAX + 32)

static char sig_tmp[COB__PUBLISH_MAX_FILES][TMP_MAX_LEN];
static volatile sig_atomic_t sig_armed; /* how many of sig_tmp to remove */
static struct sigaction sig_old[N_KILL_SIGNALS];

/* Remove the temporaries, then let the signal do what it did before (default: end the process,
 * so the exit status still says which signal). Only async-signal-safe calls. */
static void on_kill_signal(int sig)
{
    for (int k = 0; k < sig_armed; k++) unlink(sig_tmp[k]);
    sig_armed = 0;
    for (int i = 0; i < N_KILL_SIGNALS; i++)
        if (kill_signals[i] == sig)
            sigaction(sig, &sig_old[i], NULL);
    raise(sig);
}

static void arm_signals(char tmp[][TMP_MAX_LEN], int n)
{
    struct sigaction sa;
    for (int k = 0; k < n; k++) memcpy(sig_tmp[k], tmp[k], TMP_MAX_LEN);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_kill_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_KILL_SIGNALS; i++) sigaddset(&sa.sa_mask, kill_signals[i]);
    sig_armed = n;
    for (int i = 0; i < N_KILL_SIGNALS; i++) {
        sigaction(kill_signals[i], NULL, &sig_old[i]);
        /* only a signal that would end the process: one ignored (nohup) stays ignored, and one the
         * program handles itself (cobalt run --checkpoint stops at the next step on SIGTERM) lets
         * the write finish */
        if (sig_old[i].sa_handler == SIG_DFL && !(sig_old[i].sa_flags & SA_SIGINFO))
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

/* "<path>.<what>.<pid>" into dst (TMP_MAX_LEN bytes; path is shorter than COB__PUBLISH_PATH_MAX). */
static void side_name(char *dst, const char *path, const char *what)
{
    char sfx[32];
    int k = snprintf(sfx, sizeof sfx, ".%s.%ld", what, (long)getpid());
    size_t n = strnlen(path, COB__PUBLISH_PATH_MAX - 1);
    memcpy(dst, path, n);
    memcpy(dst + n, sfx, (size_t)k + 1);
}

/* One file of a publication: its target, temporary, and the old file kept until all are renamed. */
typedef struct {
    cob__publish_target t;
    char tmp[TMP_MAX_LEN], old[TMP_MAX_LEN];
    int has_old, renamed;
} pub_file;

/* Keep p's existing target as p->old (p->has_old = 1): a hard link, or where the file system
 * has none, the file itself moved aside (only a regular file). Returns 0, ENOENT when there is
 * no target, or the errno of the failure. A stale name of this pid is garbage: replaced. */
static int keep_old(pub_file *p)
{
    struct stat sb;
    unlink(p->old);
    if (link(p->t.path, p->old) == 0)
        return p->has_old = 1, 0;
    int e = errno;
    if (e == ENOENT || lstat(p->t.path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return e;
    if (rename(p->t.path, p->old) != 0)
        return errno;
    p->has_old = 1;
    return 0;
}

/* Rename every temporary onto its target; an old target is first kept as "<target>.old.<pid>"
 * (keep_old) so that a later failed rename can put it back. Returns COB_OK, or COB_ERR_IO after undoing the
 * renames already done (each target restored from its link, or removed when it was new). */
static cob_status rename_all(const cob__publish_item *items, pub_file *pf, int n, cob_err *err)
{
    cob_status st = COB_OK;
    int k;
    for (k = 0; k < n && st == COB_OK; k++) {
        pub_file *p = &pf[k];
        if (p->t.direct)
            continue;
        side_name(p->old, p->t.path, "old");
        int e = n > 1 ? keep_old(p) : ENOENT;
        if (e != ENOENT && !p->has_old)
            st = cob_err_set(err, COB_ERR_IO, "%s: cannot keep the old file as %s while publishing: %s", items[k].path,
                             p->old, strerror(e));
        else if (rename(p->tmp, p->t.path) != 0)
            st = cob_err_set(err, COB_ERR_IO, "%s: cannot rename temporary %s onto it: %s", items[k].path, p->tmp,
                             strerror(errno));
        else
            p->renamed = 1;
    }
    for (k = 0; k < n; k++) {
        pub_file *p = &pf[k];
        /* undo: the kept old file back in place (also where it was moved aside and the new
         * one's rename then failed), or the new file removed where there was none */
        int undo = st != COB_OK && (p->has_old || p->renamed);
        int stuck = undo && !(p->has_old ? rename(p->old, p->t.path) == 0 : unlink(p->t.path) == 0);
        if (stuck && err)
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                     "; and %s could not be put back (%s)%s%s", items[k].path, strerror(errno),
                     p->has_old ? ": the old file is " : "", p->has_old ? p->old : "");
        if (p->has_old && !stuck) /* gone after a restore; a second link when nothing was renamed */
            unlink(p->old);
    }
    return st;
}

cob_status cob__publish_all(const cob__publish_item *items, int n, cob_err *err)
{
    pub_file pf[COB__PUBLISH_MAX_FILES];
    char tmps[COB__PUBLISH_MAX_FILES][TMP_MAX_LEN];
    cob_status st = COB_OK;
    int k, n_tmp = 0;
    if (n < 1 || n > COB__PUBLISH_MAX_FILES)
        return cob_err_set(err, COB_ERR_INVALID, "cob__publish_all: %d files (allowed 1..%d)", n,
                           COB__PUBLISH_MAX_FILES);
    memset(pf, 0, sizeof pf);
    for (k = 0; k < n && st == COB_OK; k++) {
        st = cob__publish_target_of(items[k].path, &pf[k].t, err);
        if (st == COB_OK && !pf[k].t.direct)
            side_name(tmps[n_tmp++], pf[k].t.path, "tmp");
    }
    if (st != COB_OK)
        return st;
    arm_signals(tmps, n_tmp);
    for (k = 0, n_tmp = 0; k < n; k++)
        if (!pf[k].t.direct)
            memcpy(pf[k].tmp, tmps[n_tmp++], TMP_MAX_LEN);
    /* a device gets its content directly (renaming would replace the device node) */
    for (k = 0; k < n && st == COB_OK; k++)
        st = items[k].write_fn(pf[k].t.direct ? pf[k].t.path : pf[k].tmp, items[k].user, err);
    for (k = 0; k < n && st == COB_OK; k++)
        if (!pf[k].t.direct)
            st = sync_file(items[k].path, pf[k].tmp, err);
    if (st == COB_OK)
        st = rename_all(items, pf, n, err);
    for (k = 0; k < n; k++)
        if (!pf[k].t.direct && !pf[k].renamed)
            remove(pf[k].tmp);
    disarm_signals();
    return st;
}

cob_status cob__publish(const char *path, cob__publish_fn write_fn, void *user, cob_err *err)
{
    cob__publish_item item = {path, write_fn, user};
    return cob__publish_all(&item, 1, err);
}
