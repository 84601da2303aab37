/* host/util/publish.h -- atomic publication of a file: its whole content is written to a
 * temporary "<path>.tmp.<pid>" beside it, synced, then renamed onto path, so a killed or failed
 * writer leaves either the old file or the whole new one (DESIGN.md, principle 9); SIGINT,
 * SIGTERM and SIGHUP during the write remove the temporary (where they would end
 * the process: a signal the program handles or ignores is left to it, and the write completes). Only a new
 * name or a regular file is replaced: a symbolic link is followed to its regular file (the link
 * stays), a character device (/dev/null) is written in place without a temporary, anything else
 * is refused. Internal to libcobalt (included as "util/publish.h"); implemented in host/util/publish.c; used by the run
 * file (host/output/output.c), the sweep file (host/sweep/sweep_merge.c) and the sweep CSV
 * (host/sweep/sweep_summary.c).
 * Several files that belong together (a sweep file and its CSV) are published all or none
 * (cob__publish_all).
 * Limits: the directory is not fsync'ed after the rename (a power loss right after it may
 * forget the rename, never leave a half file); two writers of one path in one process would
 * share the temporary's name, and two publications must not run at once in one process (one
 * signal handler state); a device is written as it comes, not atomically; a signal or a crash
 * between the renames of cob__publish_all may leave the files mixed (old and new) and the old
 * file's "<path>.old.<pid>" link. */
#ifndef COBALT_UTIL_PUBLISH_H
#define COBALT_UTIL_PUBLISH_H

#include "cobalt/status.h"

#define COB__PUBLISH_PATH_MAX 4096 /* bytes of a resolved output path, NUL included */

/* What a path names for publication. */
typedef struct {
    char path[COB__PUBLISH_PATH_MAX]; /* the file written: path, or the file its link names */
    int direct;                       /* 1: a character device, written in place */
} cob__publish_target;

/* Where cob__publish(path) would write, checked now (callers check before long work, so a bad
 * path fails in seconds, not after the simulation): path is new and its directory writable; or
 * a writable regular file in a writable directory; or a symbolic link to one (t->path: the
 * resolved target); or a writable character device (t->direct = 1). Returns COB_OK, or
 * COB_ERR_IO with a message naming path: empty, too long, a directory, a dangling link, a FIFO
 * or socket, not writable, directory missing or not writable. */
cob_status cob__publish_target_of(const char *path, cob__publish_target *t, cob_err *err);

/* Writes the whole new content of the file to the path tmp (creating it) and closes it.
 * Returns COB_OK, or a status with a message in err that names the final path (the temporary
 * may be left behind: cob__publish removes it). */
typedef cob_status (*cob__publish_fn)(const char *tmp, void *user, cob_err *err);

/* Replace path by what write_fn(tmp, user, err) writes to tmp = "<path>.tmp.<pid>": then tmp is
 * fsync'ed and renamed onto path. On any failure tmp is removed and path is left as it was; on
 * SIGINT, SIGTERM or SIGHUP during the write tmp is removed, then the signal's previous action
 * runs (by default the process ends by that signal). path is first checked by cob__publish_target_of: a symbolic link publishes onto its target
 * (tmp beside the target), a character device gets write_fn(device) directly.
 * Returns COB_OK; write_fn's status; cob__publish_target_of's COB_ERR_IO; or COB_ERR_IO with a message naming path, the
 * temporary and strerror ("P: cannot sync temporary T: ...", "P: cannot rename temporary T
 * onto it: ..."). */
cob_status cob__publish(const char *path, cob__publish_fn write_fn, void *user, cob_err *err);

#define COB__PUBLISH_MAX_FILES 4 /* files one cob__publish_all publishes together */

/* One file of cob__publish_all: its path and what writes it. */
typedef struct {
    const char *path;
    cob__publish_fn write_fn;
    void *user;
} cob__publish_item;

/* Publish items[0 .. n) (1 <= n <= COB__PUBLISH_MAX_FILES) together, as cob__publish does one:
 * every path is checked first; each write_fn then runs in order (a later one may use what an
 * earlier one computed) on its own temporary; all are synced; then renamed onto their paths.
 * While n > 1 an existing path is kept as "<path>.old.<pid>" (a hard link; where the file system
 * has none, the file moved aside) until every rename has succeeded, so when a rename fails the ones already done are undone (the old file renamed back,
 * or the new file removed where there was none). On any failure every temporary is removed and
 * every path is left as it was (a device may have been written). Returns COB_OK; a write_fn's
 * status; COB_ERR_IO naming the path and strerror (a failed undo is added to the message); or
 * COB_ERR_INVALID when n is out of range. */
cob_status cob__publish_all(const cob__publish_item *items, int n, cob_err *err);

#endif
