/* host/python/python_int.h -- what host/python/python_api.c and python_theory.c share (the
 * flat API of include/cobalt/pyapi.h). Internal. */
#ifndef COBALT_PYTHON_INT_H
#define COBALT_PYTHON_INT_H

#include "cobalt/config.h"
#include "cobalt/status.h"

/* Load a config source (include/cobalt/pyapi.h): the file at path, else the text. */
cob_status cob__py_load(cob_config *c, const char *path, const char *text, const char *name, const char *const *sets,
                        int n_sets, cob_err *err);
/* err's message (or st's name) into msg (COB_ERR_MSG_MAX bytes, may be NULL); returns st. */
int cob__py_fail(char *msg, cob_status st, const cob_err *err);

#endif
