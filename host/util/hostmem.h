/* host/util/hostmem.h -- the parsers behind cob_host_memory_available (include/cobalt/estimate.h)
 * and the memory check located in a config file (cob__host_memory_check_config). The parsers:
 * each takes the text of one kernel file, so that tests give them sample contents. Internal to
 * libcobalt (included as "util/hostmem.h"); implemented in host/util/hostmem.c.
 * Limits: Linux formats (/proc/meminfo, /proc/self/status, /proc/self/cgroup, cgroup v1 and v2
 * memory files); other systems fall back to the physical memory. */
#ifndef COBALT_UTIL_HOSTMEM_H
#define COBALT_UTIL_HOSTMEM_H

#include <stddef.h>
#include <stdint.h>
#include "cobalt/config.h"
#include "cobalt/status.h"

/* Bytes of the "KEY:   N kB" line of /proc/meminfo or /proc/self/status text (key e.g.
 * "MemAvailable", "VmSize"; matched at the start of a line, whole word). -1 when absent or
 * malformed. */
int64_t cob__kb_field_bytes(const char *text, const char *key);

/* The cgroup path of the memory controller in /proc/self/cgroup text: version 2 the "0::PATH"
 * line, version 1 the "N:CONTROLLERS:PATH" line whose comma-separated CONTROLLERS include
 * "memory". Copies PATH (e.g. "/user.slice/x.scope") into path (len bytes); 1 when found and it
 * fits, else 0. */
int cob__cgroup_path(const char *text, int version, char *path, size_t len);

/* The value of the "KEY N" line of a cgroup memory.stat text (bytes, e.g. "inactive_file",
 * v1 "total_inactive_file"); -1 when absent or malformed. */
int64_t cob__stat_field(const char *text, const char *key);

/* A cgroup memory file's value: "max" (v2) or a number at or above 2^62 (v1's "no limit",
 * 9223372036854771712) is INT64_MAX; a number is itself; anything else -1. */
int64_t cob__cgroup_value(const char *text);

/* cob_host_memory_check for the run or layout of config c, its refusal located in the file as
 * config errors are: "PATH:LINE: " of the largest population (the usual cause) before the
 * message, when c came from a file. Used by `cobalt run` (host/sim/sim.c) and `cobalt validate`. */
cob_status cob__host_memory_check_config(const cob_config *c, int64_t need, const char *what, const char *advice,
                                         cob_err *err);

#endif
