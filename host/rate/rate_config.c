/* host/rate/rate_config.c -- a rate config (docs/rate.md) -> cob_rate_model. The file, the YAML
 * parse and the --set overrides are those of the network config (host/config/config.c:
 * cob__read_text, cob__parse_sets), and so are the messages ("file:line: rate.key: value \"v\"
 * out of range (allowed: ...)", unknown and duplicate keys, wrong types). Pairs with
 * host/rate/rate.c (cob_rate_backcompute) and rate_ring.c (cob_rate_ring_build).
 * Limits: the keys are listed here, not in host/config's key tables (a rate config shares no
 * key with a network config). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/rate.h"
#include "config/config_keys.h"

typedef struct {
    const cob__src *s;
    cob_err *err;
} rd;

static yaml_node_t *node(const rd *r, int id)
{
    return yaml_document_get_node(r->s->doc, id);
}

static const char *txt(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

static cob_status fail(const rd *r, int id, const char *path, const char *fmt, const char *a, const char *b)
{
    return cob__fail_node(r->s, r->err, id, path, fmt, a, b);
}

/* A plain scalar strtod reads whole into a finite number, within [lo, hi] (open ends by flags
 * COB__LO_OPEN / COB__HI_OPEN); allowed names the range in messages. */
static cob_status num(const rd *r, int id, const char *path, double lo, double hi, unsigned open, const char *allowed,
                      double *out)
{
    yaml_node_t *n = node(r, id);
    char *end = NULL;
    double v = 0.0;
    int ok = n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
             n->data.scalar.length > 0;
    if (ok) {
        v = strtod(txt(n), &end);
        ok = *end == '\0' && isfinite(v);
    }
    if (!ok)
        return fail(r, id, path, "wrong type: expected a number (%s), got \"%.80s\"", allowed, txt(n));
    if (v < lo || v > hi || ((open & COB__LO_OPEN) && v == lo) || ((open & COB__HI_OPEN) && v == hi))
        return fail(r, id, path, "value \"%.80s\" out of range (allowed: %s)", txt(n), allowed);
    *out = v;
    return COB_OK;
}

/* Walk mapping id: every key must be in keys (NULL-terminated); no duplicates. vals[k] gets the
 * value node of keys[k] (0 if absent). */
static cob_status walk(const rd *r, int id, const char *path, const char *const *keys, int *vals)
{
    yaml_node_t *m = node(r, id);
    char list[512] = "", sub[256];
    size_t used = 0;
    for (int k = 0; keys[k]; ++k) {
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", keys[k]);
        vals[k] = 0;
    }
    if (m->type != YAML_MAPPING_NODE)
        return fail(r, id, path, "wrong type: expected a mapping with keys %s%s", list, "");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; ++p) {
        const char *key = txt(node(r, p->key));
        snprintf(sub, sizeof sub, "%s%s%.80s", path, *path ? "." : "", key);
        int k = 0;
        while (keys[k] && strcmp(keys[k], key) != 0) ++k;
        if (!keys[k])
            return fail(r, p->key, sub, "unknown key (allowed: %s)%s", list, "");
        if (vals[k])
            return cob__fail_node(r->s, r->err, p->key, sub, "duplicate key (first at line %d)",
                                  cob__node_line(r->s, vals[k]));
        vals[k] = p->value;
    }
    return COB_OK;
}

static void sub_path(char *buf, size_t len, const char *path, const char *key)
{
    snprintf(buf, len, "%s.%s", path, key);
}

/* f: {type: linear|power, k, n, threshold} */
static cob_status read_f(const rd *r, int id, const char *path, cob_rate_f *f)
{
    static const char *const keys[] = {"type", "k", "n", "threshold", NULL};
    int v[4];
    char p[256];
    cob_status st = walk(r, id, path, keys, v);
    if (st != COB_OK)
        return st;
    f->type = COB_RATE_F_LINEAR;
    f->k = 1.0;
    f->threshold = 0.0;
    if (v[0]) {
        const char *t = txt(node(r, v[0]));
        sub_path(p, sizeof p, path, "type");
        if (!strcmp(t, "power"))
            f->type = COB_RATE_F_POWER;
        else if (strcmp(t, "linear") != 0)
            return fail(r, v[0], p, "value \"%.80s\" not allowed (allowed: %s)", t, "linear, power");
    }
    f->n = f->type == COB_RATE_F_POWER ? 2.0 : 1.0;
    sub_path(p, sizeof p, path, "k");
    if (v[1] && (st = num(r, v[1], p, 0.0, INFINITY, COB__LO_OPEN, "number > 0", &f->k)) != COB_OK)
        return st;
    sub_path(p, sizeof p, path, "n");
    if (v[2] && f->type == COB_RATE_F_LINEAR)
        return fail(r, v[2], p, "key only valid for type power (allowed for linear: %s)%s", "type, k, threshold", "");
    if (v[2] && (st = num(r, v[2], p, 1.0, 10.0, 0, "number 1 .. 10", &f->n)) != COB_OK)
        return st;
    sub_path(p, sizeof p, path, "threshold");
    if (v[3] && (st = num(r, v[3], p, -INFINITY, INFINITY, 0, "finite number", &f->threshold)) != COB_OK)
        return st;
    return COB_OK;
}

static int find_pop(const cob_rate_model *m, const char *name)
{
    for (int i = 0; i < m->n; ++i)
        if (!strcmp(m->names[i], name))
            return i;
    return -1;
}

static cob_status pop_ref(const rd *r, const cob_rate_model *m, int id, const char *path, int *out)
{
    *out = find_pop(m, txt(node(r, id)));
    if (*out < 0)
        return fail(r, id, path, "no population named \"%.80s\"%s", txt(node(r, id)), "");
    return COB_OK;
}

static int seq_len(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE ? (int)(n->data.sequence.items.top - n->data.sequence.items.start) : -1;
}

static int seq_at(const yaml_node_t *n, int i)
{
    return n->data.sequence.items.start[i];
}

static cob_status read_pop(const rd *r, cob_rate_model *m, int i, int id, const char *path)
{
    static const char *const keys[] = {"name", "tau_ms", "f", "rate_hz", "input", "r0_hz", NULL};
    int v[6];
    char p[256];
    cob_status st = walk(r, id, path, keys, v);
    if (st != COB_OK)
        return st;
    if (!v[0])
        return fail(r, id, path, "missing required key \"%s\"%s", "name", "");
    const char *name = txt(node(r, v[0]));
    sub_path(p, sizeof p, path, "name");
    size_t len = strlen(name);
    int ok = len > 0 && len < COB_RATE_NAME_MAX &&
             strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789_") == len &&
             !(name[0] >= '0' && name[0] <= '9');
    if (!ok)
        return fail(r, v[0], p, "value \"%.80s\" not allowed (allowed: %s)", name,
                    "[A-Za-z_][A-Za-z0-9_]*, 1 to 31 characters");
    if (find_pop(m, name) >= 0 && find_pop(m, name) < i)
        return fail(r, v[0], p, "value \"%.80s\" not allowed (allowed: %s)", name,
                    "a name not used by another population");
    snprintf(m->names[i], COB_RATE_NAME_MAX, "%s", name);
    sub_path(p, sizeof p, path, "tau_ms");
    if (v[1] && (st = num(r, v[1], p, 0.0, INFINITY, COB__LO_OPEN, "number > 0", &m->tau_ms[i])) != COB_OK)
        return st;
    sub_path(p, sizeof p, path, "f");
    if (v[2] && (st = read_f(r, v[2], p, &m->f[i])) != COB_OK)
        return st;
    if (!!v[3] == !!v[4])
        return fail(r, id, path, "exactly one of %s is required (got %s)",
                    "rate_hz (a target: the input is back-computed), input", v[3] ? "both" : "neither");
    sub_path(p, sizeof p, path, "rate_hz");
    if (v[3] && (st = num(r, v[3], p, 0.0, INFINITY, COB__LO_OPEN, "number > 0", &m->target_hz[i])) != COB_OK)
        return st;
    sub_path(p, sizeof p, path, "input");
    if (v[4] && (st = num(r, v[4], p, -INFINITY, INFINITY, 0, "finite number", &m->input[i])) != COB_OK)
        return st;
    m->r0_hz[i] = v[3] ? m->target_hz[i] : 0.0;
    sub_path(p, sizeof p, path, "r0_hz");
    if (v[5] && (st = num(r, v[5], p, 0.0, INFINITY, 0, "number >= 0", &m->r0_hz[i])) != COB_OK)
        return st;
    return COB_OK;
}

/* W: {POST: {PRE: weight}} */
static cob_status read_w(const rd *r, cob_rate_model *m, int id)
{
    yaml_node_t *w = node(r, id);
    char p[256];
    if (w->type != YAML_MAPPING_NODE)
        return fail(r, id, "rate.W", "wrong type: expected %s%s", "a mapping {POST: {PRE: weight}}", "");
    for (yaml_node_pair_t *a = w->data.mapping.pairs.start; a < w->data.mapping.pairs.top; ++a) {
        int post;
        snprintf(p, sizeof p, "rate.W.%.80s", txt(node(r, a->key)));
        cob_status st = pop_ref(r, m, a->key, p, &post);
        if (st != COB_OK)
            return st;
        for (yaml_node_pair_t *q = w->data.mapping.pairs.start; q < a; ++q)
            if (!strcmp(txt(node(r, q->key)), txt(node(r, a->key))))
                return cob__fail_node(r->s, r->err, a->key, p, "duplicate key (first at line %d)",
                                      cob__node_line(r->s, q->key));
        yaml_node_t *row = node(r, a->value);
        if (row->type != YAML_MAPPING_NODE)
            return fail(r, a->value, p, "wrong type: expected %s%s", "a mapping {PRE: weight}", "");
        for (yaml_node_pair_t *b = row->data.mapping.pairs.start; b < row->data.mapping.pairs.top; ++b) {
            int pre;
            char pp[300];
            snprintf(pp, sizeof pp, "%s.%.80s", p, txt(node(r, b->key)));
            if ((st = pop_ref(r, m, b->key, pp, &pre)) != COB_OK)
                return st;
            for (yaml_node_pair_t *q = row->data.mapping.pairs.start; q < b; ++q)
                if (!strcmp(txt(node(r, q->key)), txt(node(r, b->key))))
                    return cob__fail_node(r->s, r->err, b->key, pp, "duplicate key (first at line %d)",
                                          cob__node_line(r->s, q->key));
            if ((st = num(r, b->value, pp, -INFINITY, INFINITY, 0, "finite number",
                          &m->w[(size_t)post * m->n + pre])) != COB_OK)
                return st;
        }
    }
    return COB_OK;
}

static cob_status read_steps(const rd *r, cob_rate_model *m, int id)
{
    static const char *const keys[] = {"t_ms", "pop", "delta", NULL};
    yaml_node_t *l = node(r, id);
    int n = seq_len(l);
    char p[64], q[96], cnt[16];
    snprintf(cnt, sizeof cnt, "%d", n);
    if (n < 0)
        return fail(r, id, "rate.steps", "wrong type: expected %s%s", "a list of {t_ms, pop, delta}", "");
    if (n > COB_RATE_MAX_STEPS)
        return fail(r, id, "rate.steps", "%s steps (allowed: at most %s)", cnt, "32");
    for (int i = 0; i < n; ++i) {
        int v[3];
        snprintf(p, sizeof p, "rate.steps[%d]", i);
        cob_status st = walk(r, seq_at(l, i), p, keys, v);
        if (st != COB_OK)
            return st;
        for (int k = 0; k < 3; ++k)
            if (!v[k])
                return fail(r, seq_at(l, i), p, "missing required key \"%s\"%s", keys[k], "");
        cob_rate_step *s = &m->steps[i];
        snprintf(q, sizeof q, "%s.t_ms", p);
        if ((st = num(r, v[0], q, 0.0, m->t_ms, 0, "number 0 .. rate.t_ms", &s->t_ms)) != COB_OK)
            return st;
        snprintf(q, sizeof q, "%s.pop", p);
        if ((st = pop_ref(r, m, v[1], q, &s->pop)) != COB_OK)
            return st;
        snprintf(q, sizeof q, "%s.delta", p);
        if ((st = num(r, v[2], q, -INFINITY, INFINITY, 0, "finite number", &s->delta)) != COB_OK)
            return st;
    }
    m->n_steps = n;
    return COB_OK;
}

static cob_status read_hopf(const rd *r, cob_rate_model *m, int id)
{
    static const char *const keys[] = {"pop", "tau_ms", NULL};
    int v[2];
    cob_status st = walk(r, id, "rate.hopf", keys, v);
    if (st != COB_OK)
        return st;
    if (!v[0] || !v[1])
        return fail(r, id, "rate.hopf", "missing required key \"%s\"%s", v[0] ? "tau_ms" : "pop", "");
    if ((st = pop_ref(r, m, v[0], "rate.hopf.pop", &m->hopf_pop)) != COB_OK)
        return st;
    yaml_node_t *l = node(r, v[1]);
    if (seq_len(l) != 2)
        return fail(r, v[1], "rate.hopf.tau_ms", "wrong type: expected %s%s", "[lo, hi] (two numbers > 0, lo < hi)",
                    "");
    if ((st = num(r, seq_at(l, 0), "rate.hopf.tau_ms", 0.0, INFINITY, COB__LO_OPEN, "number > 0", &m->hopf_lo_ms)) !=
            COB_OK ||
        (st = num(r, seq_at(l, 1), "rate.hopf.tau_ms", m->hopf_lo_ms, INFINITY, COB__LO_OPEN, "number > lo",
                  &m->hopf_hi_ms)) != COB_OK)
        return st;
    return COB_OK;
}

/* ring: {n, tau_ms, J0, J1, I0, I1, theta0_deg, f} read into g */
static cob_status read_ring(const rd *r, int id, cob_rate_ring *g)
{
    static const char *const keys[] = {"n", "tau_ms", "J0", "J1", "I0", "I1", "theta0_deg", "f", NULL};
    int v[8];
    char p[64];
    cob_status st = walk(r, id, "rate.ring", keys, v);
    if (st != COB_OK)
        return st;
    double n = 0.0;
    if (!v[0])
        return fail(r, id, "rate.ring", "missing required key \"%s\"%s", "n", "");
    if ((st = num(r, v[0], "rate.ring.n", 3.0, COB_RATE_MAX_RING, 0, "integer 3 .. 512", &n)) != COB_OK)
        return st;
    if (n != floor(n))
        return fail(r, v[0], "rate.ring.n", "value \"%.80s\" out of range (allowed: %s)", txt(node(r, v[0])),
                    "integer 3 .. 512");
    g->n = (int)n;
    g->tau_ms = 10.0;
    g->f = (cob_rate_f){COB_RATE_F_LINEAR, 1.0, 1.0, 0.0};
    double *dst[6] = {&g->tau_ms, &g->j0, &g->j1, &g->i0, &g->i1, &g->theta0_deg};
    for (int k = 1; k <= 6; ++k) {
        snprintf(p, sizeof p, "rate.ring.%s", keys[k]);
        if (v[k] && (st = k == 1 ? num(r, v[k], p, 0.0, INFINITY, COB__LO_OPEN, "number > 0", dst[0])
                                 : num(r, v[k], p, -INFINITY, INFINITY, 0, "finite number", dst[k - 1])) != COB_OK)
            return st;
    }
    if (v[7] && (st = read_f(r, v[7], "rate.ring.f", &g->f)) != COB_OK)
        return st;
    if (g->f.type != COB_RATE_F_LINEAR)
        return fail(r, v[7], "rate.ring.f.type", "value \"%s\" not allowed (allowed: %s)", "power",
                    "linear (the ring's closed forms are threshold-linear)");
    return COB_OK;
}

/* The rate: mapping of the document. */
static cob_status read_rate(const rd *r, cob_rate_model *m, int id)
{
    static const char *const keys[] = {"dt_ms", "t_ms", "record_ms", "populations", "W", "steps", "hopf", "ring", NULL};
    int v[8];
    cob_status st = walk(r, id, "rate", keys, v);
    if (st != COB_OK)
        return st;
    double dt = 0.01, t = 100.0, rec = 0.1;
    if ((v[0] && (st = num(r, v[0], "rate.dt_ms", 0.0, 1.0, COB__LO_OPEN, "number > 0 and <= 1", &dt)) != COB_OK) ||
        (v[1] && (st = num(r, v[1], "rate.t_ms", 0.0, 1e7, COB__LO_OPEN, "number > 0 and <= 1e7", &t)) != COB_OK) ||
        (v[2] && (st = num(r, v[2], "rate.record_ms", 0.0, 1e7, COB__LO_OPEN, "number > 0", &rec)) != COB_OK))
        return st;
    if (t / dt > 1e9) { /* either key may be the default: name the one given */
        int at = v[1] ? v[1] : v[0];
        return fail(r, at, v[1] ? "rate.t_ms" : "rate.dt_ms", "value \"%.80s\" out of range (allowed: %s)",
                    txt(node(r, at)), "t_ms / dt_ms at most 1e9 steps");
    }
    if (!!v[3] == !!v[7])
        return fail(r, id, "rate", "exactly one of %s is required (got %s)", "populations, ring",
                    v[3] ? "both" : "neither");
    if (v[7] && v[4])
        return fail(r, v[4], "rate.W", "key not allowed with ring (allowed: %s)%s",
                    "dt_ms, t_ms, record_ms, ring, steps, hopf; the ring's weights come from J0 and J1", "");
    if (v[7]) {
        cob_rate_ring g = {0};
        if ((st = read_ring(r, v[7], &g)) != COB_OK || (st = cob_rate_alloc(m, g.n, r->err)) != COB_OK)
            return st;
        m->ring = g;
        cob_rate_ring_build(m);
    } else {
        yaml_node_t *l = node(r, v[3]);
        int n = seq_len(l);
        char cnt[16];
        snprintf(cnt, sizeof cnt, "%d", n);
        if (n < 1 || n > COB_RATE_MAX_POPS)
            return fail(r, v[3], "rate.populations", "wrong type: expected a list of 1 to 16 populations, got %s%s",
                        n < 0 ? "no list" : cnt, n < 0 ? "" : " items");
        if ((st = cob_rate_alloc(m, n, r->err)) != COB_OK)
            return st;
        for (int i = 0; i < n; ++i) {
            char p[64];
            snprintf(p, sizeof p, "rate.populations[%d]", i);
            if ((st = read_pop(r, m, i, seq_at(l, i), p)) != COB_OK)
                return st;
        }
        if (v[4] && (st = read_w(r, m, v[4])) != COB_OK)
            return st;
    }
    m->dt_ms = dt;
    m->t_ms = t;
    m->record_ms = rec;
    if (v[5] && (st = read_steps(r, m, v[5])) != COB_OK)
        return st;
    if (v[6] && (st = read_hopf(r, m, v[6])) != COB_OK)
        return st;
    if ((st = cob_rate_backcompute(m, r->err)) != COB_OK) /* only "target 0", refused above */
        return st;
    return COB_OK;
}

cob_status cob_rate_load_string(cob_rate_model *m, const char *text, const char *name, const char *const *sets,
                                int n_sets, cob_err *err)
{
    yaml_document_t doc;
    cob__span *spans = NULL;
    memset(m, 0, sizeof *m);
    cob_status st = cob__parse_sets(text, name, sets, n_sets, &doc, &spans, err);
    if (st != COB_OK)
        return st;
    cob__src src = {name, &doc, spans, n_sets, NULL};
    rd r = {&src, err};
    static const char *const top[] = {"rate", NULL};
    int v[1];
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int root_id = (int)(root - doc.nodes.start) + 1;
    st = walk(&r, root_id, "", top, v);
    if (st == COB_OK && !v[0])
        st = fail(&r, root_id, "", "missing required key \"%s\"%s", "rate", "");
    if (st == COB_OK)
        st = read_rate(&r, m, v[0]);
    free(spans);
    yaml_document_delete(&doc);
    if (st == COB_OK && !(m->text = strdup(text)))
        st = cob_err_set(err, COB_ERR_NOMEM, "out of memory keeping the config text");
    if (st != COB_OK)
        cob_rate_free(m);
    return st;
}

cob_status cob_rate_load(cob_rate_model *m, const char *path, const char *const *sets, int n_sets, cob_err *err)
{
    char *text = NULL;
    memset(m, 0, sizeof *m);
    cob_status st = cob__read_text(path, &text, err);
    if (st != COB_OK)
        return st;
    st = cob_rate_load_string(m, text, path, sets, n_sets, err);
    free(text);
    return st;
}
