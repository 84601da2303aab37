/* host/util/hostmem.c -- how much host memory this process can still allocate
 * (cob_host_memory_available) and the memory check with its message (cob_host_memory_check),
 * shared by `cobalt run` (host/sim/sim.c) and `cobalt validate` (host/cli/cli.c). The limit is
 * the smallest of: MemAvailable (/proc/meminfo), the cgroup v2 limit (memory.max minus
 * memory.current of this process's cgroup and each ancestor), the cgroup v1 limit
 * (memory.limit_in_bytes minus memory.usage_in_bytes, likewise), RLIMIT_AS minus the address
 * space in use (VmSize). A cgroup's usage counts its page cache, of which the inactive file
 * pages (memory.stat) are reclaimable and not counted as used, as MemAvailable does not. Pairs with include/cobalt/estimate.h and host/util/hostmem.h (the text
 * parsers). Limits: Linux files; elsewhere the physical memory; swap is not counted; another
 * process may take the memory between the check and the allocation. */
#define _POSIX_C_SOURCE 200809L
#include "util/hostmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cobalt/estimate.h"

#define TEXT_MAX 16384
#define CGROUP_ROOT "/sys/fs/cgroup"

/* ---- parsers ------------------------------------------------------------------------------ */

int64_t cob__kb_field_bytes(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, n) != 0 || line[n] != ':')
            continue;
        char *end;
        errno = 0;
        long long kb = strtoll(line + n + 1, &end, 10);
        while (*end == ' ' || *end == '\t') end++;
        if (errno || end == line + n + 1 || kb < 0 || strncmp(end, "kB", 2) != 0 || kb > INT64_MAX / 1024)
            return -1;
        return (int64_t)kb * 1024;
    }
    return -1;
}

/* The controllers field [c, c_end) lists "memory" (comma-separated). */
static int lists_memory(const char *c, const char *c_end)
{
    while (c < c_end) {
        const char *comma = memchr(c, ',', (size_t)(c_end - c));
        const char *e = comma ? comma : c_end;
        if (e - c == 6 && strncmp(c, "memory", 6) == 0)
            return 1;
        c = e + 1;
    }
    return 0;
}

int cob__cgroup_path(const char *text, int version, char *path, size_t len)
{
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *c = strchr(line, ':'), *eol = strchr(line, '\n');
        const char *p = c ? strchr(c + 1, ':') : NULL;
        if (!eol)
            eol = line + strlen(line);
        if (!c || !p || p > eol)
            continue;
        int match = version == 2 ? (c - line == 1 && line[0] == '0' && p == c + 1) : lists_memory(c + 1, p);
        size_t n = (size_t)(eol - (p + 1));
        if (!match || n == 0 || n >= len)
            continue;
        memcpy(path, p + 1, n);
        path[n] = '\0';
        return 1;
    }
    return 0;
}

int64_t cob__stat_field(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, n) != 0 || line[n] != ' ')
            continue;
        char *end;
        errno = 0;
        long long v = strtoll(line + n + 1, &end, 10);
        return errno || end == line + n + 1 || v < 0 || (*end != '\n' && *end != '\0') ? -1 : (int64_t)v;
    }
    return -1;
}

int64_t cob__cgroup_value(const char *text)
{
    char *end;
    if (strncmp(text, "max", 3) == 0 && (text[3] == '\0' || text[3] == '\n'))
        return INT64_MAX;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || (*end != '\0' && *end != '\n') || text[0] == '-')
        return -1;
    return v >= (1ull << 62) ? INT64_MAX : (int64_t)v;
}

/* ---- the limits of this process ----------------------------------------------------------- */

/* The file at path into buf (len bytes, NUL-terminated); 1 when it was read. */
static int read_text(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, len - 1, f);
    int ok = !ferror(f);
    fclose(f);
    buf[n] = '\0';
    return ok && n > 0;
}

/* Keep the smaller limit. */
static void take(cob_host_mem *m, int64_t bytes, const char *source)
{
    if (bytes < 0)
        bytes = 0; /* over its limit already: nothing is left */
    if (m->bytes < 0 || bytes < m->bytes) {
        m->bytes = bytes;
        snprintf(m->source, sizeof m->source, "%s", source);
    }
}

/* A cgroup version's files: the limit, the usage, and the usage's reclaimable page cache (the
 * inactive file pages in memory.stat, as docker counts them: a job that read big files would
 * otherwise look full). */
typedef struct {
    const char *limit_file, *usage_file, *cache_key, *source;
} cgroup_files;

static const cgroup_files cgroup_v2 = {"memory.max", "memory.current", "inactive_file", "cgroup memory.max"};
static const cgroup_files cgroup_v1 = {"memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file",
                                       "cgroup v1 memory.limit_in_bytes"};

/* Usage minus reclaimable cache of the cgroup at dir (-1 when unreadable). */
static int64_t cgroup_used(const char *dir, const cgroup_files *cf)
{
    char path[1200], text[8192];
    snprintf(path, sizeof path, "%s/%s", dir, cf->usage_file);
    int64_t used = read_text(path, text, sizeof text) ? cob__cgroup_value(text) : -1;
    if (used < 0 || used == INT64_MAX)
        return -1;
    snprintf(path, sizeof path, "%s/memory.stat", dir);
    int64_t cache = read_text(path, text, sizeof text) ? cob__stat_field(text, cf->cache_key) : -1;
    return cache > 0 && cache < used ? used - cache : used;
}

/* The cgroup of this process at root + rel and each ancestor up to root: the smallest limit
 * minus what is used (cgroup_used), named cf->source; a folder without the files is passed. */
static void cgroup_limits(cob_host_mem *m, const char *root, const char *rel, const cgroup_files *cf)
{
    char dir[1024], path[1200], text[128];
    if ((size_t)snprintf(dir, sizeof dir, "%s%s", root, strcmp(rel, "/") ? rel : "") >= sizeof dir)
        return;
    for (;;) {
        snprintf(path, sizeof path, "%s/%s", dir, cf->limit_file);
        int64_t limit = read_text(path, text, sizeof text) ? cob__cgroup_value(text) : -1;
        int64_t used = limit >= 0 && limit < INT64_MAX ? cgroup_used(dir, cf) : -1;
        if (used >= 0)
            take(m, limit - used, cf->source);
        char *slash = strrchr(dir, '/');
        if (strlen(dir) <= strlen(root) || !slash)
            return;
        *slash = '\0';
    }
}

void cob_host_memory_available(cob_host_mem *m)
{
    char text[TEXT_MAX], rel[512];
    struct rlimit rl;
    m->bytes = -1;
    m->source[0] = '\0';
    if (read_text("/proc/meminfo", text, sizeof text))
        take(m, cob__kb_field_bytes(text, "MemAvailable"), "MemAvailable");
    if (m->bytes < 0) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
        if (pages > 0 && page > 0)
            take(m, (int64_t)pages * page, "physical memory");
    }
    /* each walk ends at the mount root: in a container /proc/self/cgroup may give the host's
     * path, which does not exist here, and the container's own cgroup is that root */
    if (read_text("/proc/self/cgroup", text, sizeof text)) {
        if (cob__cgroup_path(text, 2, rel, sizeof rel))
            cgroup_limits(m, CGROUP_ROOT, rel, &cgroup_v2);
        if (cob__cgroup_path(text, 1, rel, sizeof rel))
            cgroup_limits(m, CGROUP_ROOT "/memory", rel, &cgroup_v1);
    }
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        int64_t used = read_text("/proc/self/status", text, sizeof text) ? cob__kb_field_bytes(text, "VmSize") : 0;
        int64_t cap = rl.rlim_cur > (rlim_t)INT64_MAX ? INT64_MAX : (int64_t)rl.rlim_cur;
        take(m, cap - (used > 0 ? used : 0), "RLIMIT_AS, ulimit -v");
    }
}

cob_status cob_host_memory_check(int64_t need, const char *what, const char *advice, cob_err *err)
{
    cob_host_mem m;
    cob_host_memory_available(&m);
    if (m.bytes < 0 || need <= m.bytes)
        return COB_OK;
    return cob_err_set(err, COB_ERR_NOMEM, "%s needs about %.2f GB of host memory; %.2f GB available (%s)%s%s", what,
                       need / 1e9, m.bytes / 1e9, m.source, advice ? ": " : "", advice ? advice : "");
}

cob_status cob__host_memory_check_config(const cob_config *c, int64_t need, const char *what, const char *advice,
                                         cob_err *err)
{
    char msg[COB_ERR_MSG_MAX];
    int64_t biggest = -1;
    int line = 0;
    cob_status st = cob_host_memory_check(need, what, advice, err);
    if (st == COB_OK || !c->path[0])
        return st;
    for (int p = 0; p < c->n_pops; ++p)
        if (c->pops[p].size > biggest) {
            biggest = c->pops[p].size;
            line = c->pops[p].line;
        }
    if (line <= 0)
        return st;
    snprintf(msg, sizeof msg, "%s", err->msg);
    return cob_err_set(err, st, "%s:%d: %s", c->path, line, msg);
}
