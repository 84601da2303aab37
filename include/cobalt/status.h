/* include/cobalt/status.h -- errors as values. Every library function returns a cob_status;
 * the human-readable detail (file, line, key, value, allowed range) lives in a cob_err that the
 * caller owns. No library function prints or exits. */
#ifndef COBALT_STATUS_H
#define COBALT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    COB_OK = 0,
    COB_ERR_NOMEM,     /* host or device allocation failed, or the estimate does not fit */
    COB_ERR_CONFIG,    /* bad configuration: message names file, line, key, value, allowed */
    COB_ERR_CUDA,      /* a CUDA call failed: message names file:line, the call and CUDA's text */
    COB_ERR_NO_DEVICE, /* CUDA backend requested but not built or no device present */
    COB_ERR_OVERFLOW,  /* a counter or buffer overflowed; the count is in the message */
    COB_ERR_INVALID,   /* invalid argument or broken invariant */
    COB_ERR_IO,        /* file could not be read or written */
    COB_ERR_STOPPED,   /* the run was asked to stop (a signal) and wrote a checkpoint to resume from */
    COB_ERR_CANCELLED  /* the run was cancelled (cob_sim_options.cancel_request): no results, no checkpoint */
} cob_status;

#define COB_ERR_MSG_MAX 1024
#define COB_ERR_CUT "..." /* the end of a message cut to COB_ERR_MSG_MAX - 1 bytes */

typedef struct {
    cob_status status;
    char msg[COB_ERR_MSG_MAX];
} cob_err;

/* Record status s with a printf-style message in e (may be NULL); returns s. A message longer
 * than COB_ERR_MSG_MAX - 1 bytes is cut there and ends in COB_ERR_CUT ("..."). */
cob_status cob_err_set(cob_err *e, cob_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Short constant name of a status ("ok", "config", ...). */
const char *cob_status_str(cob_status s);

/* Process exit code for a status, as documented in README.md (0 ok, 2 config, ...). */
int cob_status_exit_code(cob_status s);

#ifdef __cplusplus
}
#endif
#endif
