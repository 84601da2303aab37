/* host/util/status.c -- cob_err_set and the status names and exit codes (see include/cobalt/status.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cobalt/status.h"

cob_status cob_err_set(cob_err *e, cob_status s, const char *fmt, ...)
{
    va_list ap;
    if (!e)
        return s;
    e->status = s;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    /* A message is cut only visibly: its end says so, so no one reads a cut path as whole. */
    if (n >= (int)sizeof e->msg)
        memcpy(e->msg + sizeof e->msg - sizeof COB_ERR_CUT, COB_ERR_CUT, sizeof COB_ERR_CUT);
    return s;
}

const char *cob_status_str(cob_status s)
{
    switch (s) {
    case COB_OK: return "ok";
    case COB_ERR_NOMEM: return "out of memory";
    case COB_ERR_CONFIG: return "config error";
    case COB_ERR_CUDA: return "CUDA error";
    case COB_ERR_NO_DEVICE: return "no CUDA device";
    case COB_ERR_OVERFLOW: return "overflow";
    case COB_ERR_INVALID: return "invalid";
    case COB_ERR_IO: return "I/O error";
    case COB_ERR_STOPPED: return "stopped (checkpoint written)";
    case COB_ERR_CANCELLED: return "cancelled";
    }
    return "unknown";
}

/* Exit codes, documented in README.md: 0 ok, 1 usage, 2 config, 3 I/O, 4 memory,
 * 5 device (no device / CUDA error), 6 overflow, 7 internal, 8 stopped by a signal with a
 * checkpoint written (resume with --resume); 130 cancelled (only library callers such as the
 * Python package cancel a run, the CLI never does). */
int cob_status_exit_code(cob_status s)
{
    switch (s) {
    case COB_OK: return 0;
    case COB_ERR_CONFIG: return 2;
    case COB_ERR_IO: return 3;
    case COB_ERR_NOMEM: return 4;
    case COB_ERR_CUDA:
    case COB_ERR_NO_DEVICE: return 5;
    case COB_ERR_OVERFLOW: return 6;
    case COB_ERR_INVALID: return 7;
    case COB_ERR_STOPPED: return 8;
    case COB_ERR_CANCELLED: return 130; /* as a shell reports a run ended by Ctrl-C (128 + SIGINT) */
    }
    return 7;
}
