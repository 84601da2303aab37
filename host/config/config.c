/* host/config/config.c -- cob_config_load: read the file, parse it with libyaml into a node tree,
 * apply the --set overrides to that tree (so they pass the same type and range checks as the
 * file), then hand the tree to host/config/config_read.c and the result to host/config/config_check.c.
 * Also where errors are located: file:line of a node's start mark, or the --set that made the
 * node. Limits: one YAML document per file; overrides cannot add list items. */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cobalt/config.h"
#include "config/config_keys.h"

/* Index of the pair with scalar key (len bytes) in mapping id of d, -1 if none. */
static int find_pair(yaml_document_t *d, int id, const char *key, size_t len)
{
    yaml_node_t *m = yaml_document_get_node(d, id);
    if (!m || m->type != YAML_MAPPING_NODE)
        return -1;
    yaml_node_pair_t *pairs = m->data.mapping.pairs.start;
    for (int i = 0; pairs + i < m->data.mapping.pairs.top; i++) {
        yaml_node_t *k = yaml_document_get_node(d, pairs[i].key);
        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == len &&
            memcmp(k->data.scalar.value, key, len) == 0)
            return i;
    }
    return -1;
}

/* ---- error locations ---------------------------------------------------------------------- */

static yaml_node_t *get(const cob__src *s, int id)
{
    return s->doc ? yaml_document_get_node(s->doc, id) : NULL;
}

static const cob__span *span_of(const cob__src *s, int id)
{
    for (int i = 0; i < s->n_spans; i++)
        if (id >= s->spans[i].first && id <= s->spans[i].last)
            return &s->spans[i];
    return NULL;
}

int cob__node_line(const cob__src *s, int id)
{
    yaml_node_t *n = get(s, id);
    return (n && !span_of(s, id)) ? (int)n->start_mark.line + 1 : 0;
}

/* Line of the population or projection that path is under, when there is no document. */
static int spec_line(const cob_config *c, const char *path)
{
    int i;
    if (sscanf(path, "populations[%d]", &i) == 1 && i >= 0 && i < COB_MAX_POPS)
        return c->pops[i].line;
    if (sscanf(path, "projections[%d]", &i) == 1 && i >= 0 && i < COB_MAX_PROJS)
        return c->projs[i].line;
    if (sscanf(path, "protocol.windows[%d]", &i) == 1 && i >= 0 && i < COB_MAX_WINDOWS)
        return c->protocol.windows[i].line;
    if (sscanf(path, "protocol.perturbations[%d]", &i) == 1 && i >= 0 && i < COB_MAX_PERTURB)
        return c->protocol.perts[i].line;
    return 0;
}

static cob_status vfail(const cob__src *s, cob_err *err, int id, int line, const char *path, const char *fmt,
                        va_list ap)
{
    char msg[COB_ERR_MSG_MAX]; /* as long as err's: cut here, the whole is cut, and marked */
    vsnprintf(msg, sizeof msg, fmt, ap);
    const cob__span *sp = id > 0 ? span_of(s, id) : NULL;
    const char *sep = *path ? ": " : "";
    if (sp && strlen(path) == sp->key_len && strncmp(path, sp->set, sp->key_len) == 0)
        return cob_err_set(err, COB_ERR_CONFIG, "--set %s: %s", sp->set, msg);
    if (sp)
        return cob_err_set(err, COB_ERR_CONFIG, "--set %s: %s%s%s", sp->set, path, sep, msg);
    if (id > 0)
        line = cob__node_line(s, id);
    if (line > 0)
        return cob_err_set(err, COB_ERR_CONFIG, "%s:%d: %s%s%s", s->name, line, path, sep, msg);
    return cob_err_set(err, COB_ERR_CONFIG, "%s: %s%s%s", s->name, path, sep, msg);
}

cob_status cob__fail_node(const cob__src *s, cob_err *err, int id, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cob_status st = vfail(s, err, id, 0, path, fmt, ap);
    va_end(ap);
    return st;
}

int cob__map_value(const cob__src *s, int id, const char *key, size_t len)
{
    int i = s->doc ? find_pair(s->doc, id, key, len) : -1;
    return i < 0 ? 0 : get(s, id)->data.mapping.pairs.start[i].value;
}

static int seq_item(const cob__src *s, int id, long i)
{
    yaml_node_t *q = get(s, id);
    if (!q || q->type != YAML_SEQUENCE_NODE || i < 0 || i >= q->data.sequence.items.top - q->data.sequence.items.start)
        return 0;
    return q->data.sequence.items.start[i];
}

/* Deepest node of the document on key path ("populations[1].v_hist.bins"). */
static int locate(const cob__src *s, const char *path)
{
    int best = 1;
    const char *p = path;
    while (*p) {
        int id;
        if (*p == '[') {
            char *end;
            id = seq_item(s, best, strtol(p + 1, &end, 10));
            p = *end == ']' ? end + 1 : end;
        } else {
            size_t len = strcspn(p, ".[");
            id = cob__map_value(s, best, p, len);
            p += len;
        }
        if (*p == '.')
            p++;
        if (!id)
            break;
        best = id;
    }
    return best;
}

cob_status cob__fail_path(const cob__src *s, cob_err *err, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int id = s->doc ? locate(s, path) : 0;
    cob_status st = vfail(s, err, id, id ? 0 : spec_line(s->c, path), path, fmt, ap);
    va_end(ap);
    return st;
}


/* ---- YAML parsing ------------------------------------------------------------------------- */

static int n_nodes(const yaml_document_t *d)
{
    return (int)(d->nodes.top - d->nodes.start);
}

/* libyaml's problem as "message (context at line N)"; returns the 1-based line. */
static int yaml_problem(const yaml_parser_t *p, char *buf, size_t len)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->context)
        snprintf(buf, len, "%s (%s at line %d)", problem, p->context, (int)p->context_mark.line + 1);
    else
        snprintf(buf, len, "%s", problem);
    return (int)p->problem_mark.line + 1;
}

/* The line (1-based) where text first nests mappings and lists deeper than COB_CONFIG_DEPTH_MAX,
 * else 0 (also on a syntax error, which the loader then reports). An event pass that stops
 * there: libyaml's loader takes time quadratic in the depth (100k levels: 30 s). */
static int too_deep(const char *text)
{
    yaml_parser_t p;
    yaml_event_t e;
    int depth = 0, line = 0, done = 0;
    if (!yaml_parser_initialize(&p))
        return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    while (!done && !line && yaml_parser_parse(&p, &e)) {
        if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) {
            if (++depth > COB_CONFIG_DEPTH_MAX)
                line = (int)e.start_mark.line + 1;
        } else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
            --depth;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    return line;
}

/* Parse the single YAML document in text into doc (empty: no root node). On COB_OK the caller
 * deletes doc; on error msg holds "LINE: problem" and doc needs no cleanup. */
static cob_status parse_yaml(const char *text, yaml_document_t *doc, char *msg, size_t len)
{
    yaml_parser_t p;
    yaml_document_t extra;
    char problem[384];
    if (!yaml_parser_initialize(&p))
        return COB_ERR_NOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    cob_status st = COB_OK;
    int deep = too_deep(text);
    if (deep > 0) {
        snprintf(msg, len, "%d: YAML nested deeper than %d levels (allowed: at most %d nested mappings and lists)",
                 deep, COB_CONFIG_DEPTH_MAX, COB_CONFIG_DEPTH_MAX);
        st = COB_ERR_CONFIG;
    } else if (!yaml_parser_load(&p, doc)) {
        int line = yaml_problem(&p, problem, sizeof problem);
        snprintf(msg, len, "%d: YAML syntax error: %s", line, problem);
        st = p.error == YAML_MEMORY_ERROR ? COB_ERR_NOMEM : COB_ERR_CONFIG;
    } else if (yaml_document_get_root_node(doc)) {
        if (!yaml_parser_load(&p, &extra)) {
            int line = yaml_problem(&p, problem, sizeof problem);
            snprintf(msg, len, "%d: YAML syntax error: %s", line, problem);
            st = COB_ERR_CONFIG;
        } else {
            if (yaml_document_get_root_node(&extra)) {
                snprintf(msg, len, "%d: a second YAML document (allowed: one per file)",
                         (int)extra.start_mark.line + 1);
                st = COB_ERR_CONFIG;
            }
            yaml_document_delete(&extra);
        }
        if (st != COB_OK)
            yaml_document_delete(doc);
    }
    yaml_parser_delete(&p);
    return st;
}

/* ---- overrides ---------------------------------------------------------------------------- */

/* Copy node id of src, and all below it, into dst; the new id, 0 when out of memory. */
static int copy_node(yaml_document_t *dst, yaml_document_t *src, int id, int depth)
{
    yaml_node_t *n = yaml_document_get_node(src, id);
    int out = 0;
    if (depth > 64)
        return 0;
    if (n->type == YAML_SCALAR_NODE)
        return yaml_document_add_scalar(dst, n->tag, n->data.scalar.value, (int)n->data.scalar.length,
                                        n->data.scalar.style);
    if (n->type == YAML_SEQUENCE_NODE) {
        out = yaml_document_add_sequence(dst, n->tag, n->data.sequence.style);
        for (yaml_node_item_t *it = n->data.sequence.items.start; out && it < n->data.sequence.items.top; it++) {
            int item = copy_node(dst, src, *it, depth + 1);
            if (!item || !yaml_document_append_sequence_item(dst, out, item))
                return 0;
        }
        return out;
    }
    out = yaml_document_add_mapping(dst, n->tag, n->data.mapping.style);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; out && p < n->data.mapping.pairs.top; p++) {
        int k = copy_node(dst, src, p->key, depth + 1);
        int v = k ? copy_node(dst, src, p->value, depth + 1) : 0;
        if (!v || !yaml_document_append_mapping_pair(dst, out, k, v))
            return 0;
    }
    return out;
}

/* The value of an override, parsed as YAML ("3", "[1, 5]", "independent"), as a node of doc. */
static cob_status value_node(yaml_document_t *doc, const char *set, const char *value, int *id, cob_err *err)
{
    yaml_document_t v;
    char msg[512];
    cob_status st = parse_yaml(value, &v, msg, sizeof msg);
    if (st == COB_ERR_CONFIG)
        return cob_err_set(err, st, "--set %s: value: %s", set, strchr(msg, ' ') + 1);
    if (st != COB_OK)
        return cob_err_set(err, st, "--set %s: out of memory", set);
    yaml_node_t *root = yaml_document_get_root_node(&v);
    *id = root ? copy_node(doc, &v, 1, 0)
               : yaml_document_add_scalar(doc, NULL, (const yaml_char_t *)"", 0, YAML_PLAIN_SCALAR_STYLE);
    yaml_document_delete(&v);
    return *id ? COB_OK : cob_err_set(err, COB_ERR_NOMEM, "--set %s: out of memory", set);
}

/* One step down mapping id by key seg (n bytes): to its value, or set the value to vid when
 * vid != 0 (the last key of the path). A missing key is added (an empty mapping on the way). */
static int step_map(yaml_document_t *doc, int id, const char *seg, size_t n, int vid)
{
    int i = find_pair(doc, id, seg, n);
    if (i >= 0) {
        yaml_node_pair_t *pair = yaml_document_get_node(doc, id)->data.mapping.pairs.start + i;
        if (vid)
            pair->value = vid;
        return vid ? vid : pair->value;
    }
    int k = yaml_document_add_scalar(doc, NULL, (const yaml_char_t *)seg, (int)n, YAML_PLAIN_SCALAR_STYLE);
    int v = vid ? vid : yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    if (!k || !v || !yaml_document_append_mapping_pair(doc, id, k, v))
        return 0;
    return v;
}

/* The scalar "name" of list item id, NULL if it has none. */
static yaml_node_t *item_name(yaml_document_t *doc, int item)
{
    int k = find_pair(doc, item, "name", 4);
    if (k < 0)
        return NULL;
    yaml_node_t *m = yaml_document_get_node(doc, item);
    yaml_node_t *v = yaml_document_get_node(doc, m->data.mapping.pairs.start[k].value);
    return v && v->type == YAML_SCALAR_NODE ? v : NULL;
}

/* Item of list id named seg (its "name" key) or with index seg; -1 if none. */
static int seq_find(yaml_document_t *doc, int id, const char *seg, size_t n)
{
    yaml_node_t *q = yaml_document_get_node(doc, id);
    int n_items = (int)(q->data.sequence.items.top - q->data.sequence.items.start);
    if (strspn(seg, "0123456789") >= n) {
        long i = strtol(seg, NULL, 10);
        return i < n_items ? (int)i : -1;
    }
    for (int i = 0; i < n_items; i++) {
        yaml_node_t *v = item_name(doc, q->data.sequence.items.start[i]);
        if (v && v->data.scalar.length == n && memcmp(v->data.scalar.value, seg, n) == 0)
            return i;
    }
    return -1;
}

static cob_status no_item(yaml_document_t *doc, int id, const char *set, const char *seg, size_t n, cob_err *err)
{
    yaml_node_t *q = yaml_document_get_node(doc, id);
    int n_items = (int)(q->data.sequence.items.top - q->data.sequence.items.start);
    char names[512];
    size_t used = 0;
    names[0] = '\0';
    for (int i = 0; i < n_items && used < sizeof names; i++) {
        yaml_node_t *v = item_name(doc, q->data.sequence.items.start[i]);
        if (v)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "names ",
                                     (const char *)v->data.scalar.value);
    }
    return cob_err_set(err, COB_ERR_CONFIG, "--set %s: no list item \"%.*s\" (allowed: %s%san index 0 .. %d)", set,
                       (int)n, seg, names, used ? ", or " : "", n_items - 1);
}

/* Put value node vid at the key path set[0 .. key_len) of doc. */
static cob_status graft(yaml_document_t *doc, const char *set, size_t key_len, int vid, cob_err *err)
{
    int id = 1;
    const char *p = set, *end = set + key_len;
    for (;;) {
        size_t n = 0;
        while (p + n < end && p[n] != '.') n++;
        int last = p + n == end;
        yaml_node_t *node = yaml_document_get_node(doc, id);
        if (n == 0)
            return cob_err_set(err, COB_ERR_CONFIG, "--set %s: empty part in the key", set);
        if (node->type == YAML_SEQUENCE_NODE) {
            int i = seq_find(doc, id, p, n);
            if (i < 0)
                return no_item(doc, id, set, p, n, err);
            yaml_node_item_t *item = node->data.sequence.items.start + i;
            if (last)
                *item = vid;
            id = *item;
        } else if (node->type == YAML_MAPPING_NODE) {
            id = step_map(doc, id, p, n, last ? vid : 0);
            if (!id)
                return cob_err_set(err, COB_ERR_NOMEM, "--set %s: out of memory", set);
        } else {
            int at = p > set ? (int)(p - 1 - set) : 0;
            return cob_err_set(err, COB_ERR_CONFIG,
                               "--set %s: %.*s%s is a value, not a mapping "
                               "or a list, so it has no key \"%.*s\"",
                               set, at, set, at ? "" : "the config", (int)n, p);
        }
        if (last)
            return COB_OK;
        p += n + 1;
    }
}

/* Apply override set ("key=value") to doc; the nodes it makes are recorded in sp. */
static cob_status apply_set(yaml_document_t *doc, const char *set, cob__span *sp, cob_err *err)
{
    const char *eq = set ? strchr(set, '=') : NULL;
    if (!eq || eq == set)
        return cob_err_set(err, COB_ERR_CONFIG, "--set %s: expected key=value (e.g. run.seed=3)", set ? set : "(null)");
    sp->set = set;
    sp->key_len = (size_t)(eq - set);
    sp->first = n_nodes(doc) + 1;
    int vid = 0;
    cob_status st = value_node(doc, set, eq + 1, &vid, err);
    if (st == COB_OK)
        st = graft(doc, set, sp->key_len, vid, err);
    sp->last = n_nodes(doc);
    return st;
}

/* ---- loading ------------------------------------------------------------------------------ */

static cob_status too_long_path(const char *path, cob_err *err)
{
    return cob_err_set(err, COB_ERR_CONFIG, "config path \"%.200s...\" is %zu bytes long (allowed: at most %d)", path,
                       strlen(path), COB_CONFIG_PATH_MAX - 1);
}

static cob_status too_big(const char *path, cob_err *err)
{
    return cob_err_set(err, COB_ERR_CONFIG, "config \"%s\" is larger than %d bytes (allowed: at most %d MiB of YAML)",
                       path, COB_CONFIG_TEXT_MAX, COB_CONFIG_TEXT_MAX >> 20);
}


/* c->text: the file text, then "# --set key=value" per override, so result files record them. */
static cob_status keep_text(cob_config *c, const char *text, const char *const *sets, int n_sets, cob_err *err)
{
    size_t n = strlen(text), total = n + 2;
    for (int i = 0; i < n_sets; i++) total += strlen(sets[i]) + 9;
    char *t = malloc(total);
    if (!t)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory keeping the config text");
    memcpy(t, text, n);
    if (n > 0 && t[n - 1] != '\n')
        t[n++] = '\n';
    for (int i = 0; i < n_sets; i++) {
        memcpy(t + n, "# --set ", 8);
        n += 8;
        for (const char *q = sets[i]; *q; q++) t[n++] = (*q == '\n' || *q == '\r') ? ' ' : *q;
        t[n++] = '\n';
    }
    t[n] = '\0';
    c->text = t;
    return COB_OK;
}

/* Apply the overrides to doc; *spans receives one entry per override. */
static cob_status apply_sets(yaml_document_t *doc, const char *name, const char *const *sets, int n_sets,
                             cob__span **spans, cob_err *err)
{
    *spans = calloc((size_t)(n_sets > 0 ? n_sets : 1), sizeof **spans);
    if (!*spans)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory reading config \"%s\"", name);
    cob_status st = COB_OK;
    for (int i = 0; i < n_sets && st == COB_OK; i++) st = apply_set(doc, sets[i], &(*spans)[i], err);
    return st;
}

cob_status cob__parse_sets(const char *text, const char *name, const char *const *sets, int n_sets,
                           yaml_document_t *doc, cob__span **spans, cob_err *err)
{
    char msg[512];
    *spans = NULL;
    cob_status st = parse_yaml(text, doc, msg, sizeof msg);
    if (st == COB_ERR_CONFIG)
        return cob_err_set(err, st, "%s:%s", name, msg);
    if (st != COB_OK)
        return cob_err_set(err, st, "out of memory reading config \"%s\"", name);
    if (!yaml_document_get_root_node(doc))
        /* located at line 1 like every other config error (file:line:), found by tests/test_fuzz.c */
        st = cob_err_set(err, COB_ERR_CONFIG, "%s:1: empty config (at least populations is required)", name);
    if (st == COB_OK)
        st = apply_sets(doc, name, sets, n_sets, spans, err);
    if (st != COB_OK) {
        yaml_document_delete(doc);
        free(*spans);
        *spans = NULL;
    }
    return st;
}

cob_status cob_config_load_string(cob_config *c, const char *text, const char *name, const char *const *sets,
                                  int n_sets, cob_err *err)
{
    yaml_document_t doc;
    cob__span *spans = NULL;
    cob_config_defaults(c);
    if (!text || n_sets < 0 || (n_sets > 0 && !sets))
        return cob_err_set(err, COB_ERR_INVALID, "cob_config_load_string: invalid arguments");
    name = name ? name : "config";
    if (strlen(name) >= sizeof c->path)
        return too_long_path(name, err);
    cob_status st = cob__parse_sets(text, name, sets, n_sets, &doc, &spans, err);
    if (st != COB_OK)
        return st;
    cob__src src = {name, &doc, spans, n_sets, c};
    st = cob__read(c, &src, err);
    if (st == COB_OK)
        st = cob__check(c, &src, err);
    free(spans);
    yaml_document_delete(&doc);
    if (st == COB_OK)
        st = keep_text(c, text, sets, n_sets, err);
    if (st != COB_OK) {
        cob_config_defaults(c);
        return st;
    }
    snprintf(c->path, sizeof c->path, "%s", name);
    return COB_OK;
}

/* Read f's whole text into *out, refusing more than COB_CONFIG_TEXT_MAX bytes (a FIFO or a
 * device such as /dev/zero has no size to check first). */
static cob_status read_capped(FILE *f, const char *path, char **out, cob_err *err)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (n < cap - 1 || n > COB_CONFIG_TEXT_MAX)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f), e = errno;
    if (buf && (failed || n > COB_CONFIG_TEXT_MAX)) {
        free(buf);
        return failed ? cob_err_set(err, COB_ERR_IO, "cannot read config \"%s\": %s", path, strerror(e))
                      : too_big(path, err);
    }
    if (!buf)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory reading config \"%s\"", path);
    buf[n] = '\0';
    *out = buf;
    return COB_OK;
}

cob_status cob__read_text(const char *path, char **out, cob_err *err)
{
    struct stat sb;
    if (strlen(path) >= COB_CONFIG_PATH_MAX)
        return too_long_path(path, err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cob_err_set(err, COB_ERR_IO, "cannot read config \"%s\": %s", path, strerror(errno));
    cob_status st = COB_OK;
    if (fstat(fileno(f), &sb) != 0)
        st = cob_err_set(err, COB_ERR_IO, "cannot read config \"%s\": %s", path, strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        st = cob_err_set(err, COB_ERR_IO, "cannot read config \"%s\": is a directory (allowed: a YAML file)", path);
    else if (S_ISREG(sb.st_mode) && sb.st_size > COB_CONFIG_TEXT_MAX)
        st = too_big(path, err);
    else
        st = read_capped(f, path, out, err);
    fclose(f);
    return st;
}

cob_status cob_config_load(cob_config *c, const char *path, const char *const *sets, int n_sets, cob_err *err)
{
    char *text = NULL;
    cob_config_defaults(c);
    if (!path)
        return cob_err_set(err, COB_ERR_INVALID, "cob_config_load: no path");
    cob_status st = cob__read_text(path, &text, err);
    if (st == COB_OK)
        st = cob_config_load_string(c, text, path, sets, n_sets, err);
    free(text);
    return st;
}
