/* host/util/json.h -- JSON string escaping, written once for the library's run summary
 * (host/output/output_json.c) and the command line's sweep and merge summaries
 * (host/cli/cli_sweep.c through host/cli/cli_util.c). Internal (included as "util/json.h");
 * implemented in host/util/json.c.
 * Limits: bytes >= 0x20 are copied unchanged (UTF-8 is assumed, not checked). */
#ifndef COBALT_UTIL_JSON_H
#define COBALT_UTIL_JSON_H

#include <stddef.h>

/* Receives the next n bytes of output (n may be 0; bytes is not NUL-terminated). */
typedef void (*cob__json_put)(void *sink, const char *bytes, size_t n);

/* s as a JSON string literal, at most max bytes of s (SIZE_MAX: up to its NUL), given to put in
 * pieces: '"' and '\' backslash-escaped, newline and tab as \n and \t, other bytes below 0x20
 * as \u00XX. NULL s gives the JSON null. */
void cob__json_str(cob__json_put put, void *sink, const char *s, size_t max);

#endif
