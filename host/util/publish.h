/* host/util/publish.h -- atomic publication of a file: its whole content is written to a
 * temporary "<path>.tmp.<pid>" beside it, synced, then renamed onto path, so a killed or failed
 * writer leaves either the old file or the whole new one (DESIGN.md, principle 9). Internal to
 * libcobalt (included as "util/publish.h"); implemented in host/util/publish.c; used by the run
 * file (host/output/output.c), the sweep file (host/sweep/sweep_merge.c) and the sweep CSV
 * (host/sweep/sweep_summary.c).
 * Limits: the directory is not fsync'ed after the rename (a power loss right after it may
 * forget the rename, never leave a half file); two writers of one path in one process would
 * share the temporary's name. */
#ifndef COBALT_UTIL_PUBLISH_H
#define COBALT_UTIL_PUBLISH_H

#include "cobalt/status.h"

/* Writes the whole new content of the file to the path tmp (creating it) and closes it.
 * Returns COB_OK, or a status with a message in err that names the final path (the temporary
 * may be left behind: cob__publish removes it). */
typedef cob_status (*cob__publish_fn)(const char *tmp, void *user, cob_err *err);

/* Replace path by what write_fn(tmp, user, err) writes to tmp = "<path>.tmp.<pid>": then tmp is
 * fsync'ed and renamed onto path. On any failure tmp is removed and path is left as it was.
 * Returns COB_OK; write_fn's status; COB_ERR_NOMEM; or COB_ERR_IO with a message naming path, the
 * temporary and strerror ("P: cannot sync temporary T: ...", "P: cannot rename temporary T
 * onto it: ..."). */
cob_status cob__publish(const char *path, cob__publish_fn write_fn, void *user, cob_err *err);

#endif
