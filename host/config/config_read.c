/* host/config/config_read.c -- the libyaml node tree of a config -> cob_config, driven by the key
 * tables of host/config/config_keys.c: unknown keys, duplicate keys, keys of another model, wrong
 * types, names and population references are refused here; ranges are left to cob__check
 * (host/config/config_check.c), which reads the same tables. Pairs with host/config/config.c (file, YAML
 * parsing, --set, error locations). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config_keys.h"

typedef struct {
    const cob__src *s;
    cob_config *c;
    cob_err *err;
    int pops_node, projs_node;    /* value nodes of the two lists, read after the rest */
    int windows_node, perts_node; /* the protocol's lists, read after the populations */
} reader;

static yaml_node_t *get(const cob__src *s, int id)
{
    return yaml_document_get_node(s->doc, id);
}

/* ---- scalars ------------------------------------------------------------------------------ */

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* What node n is, for "got ..." in messages. */
static const char *describe(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE) {
        snprintf(buf, len, "a list of %d items", (int)(n->data.sequence.items.top - n->data.sequence.items.start));
        return buf;
    }
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        snprintf(buf, len, "the quoted string \"%.80s\"", text(n));
    else if (n->data.scalar.length == 0)
        return "an empty value";
    else
        snprintf(buf, len, "\"%.80s\"", text(n));
    return buf;
}

static cob_status wrong_type(const reader *r, int id, const char *path, const char *expected)
{
    char buf[128];
    return cob__fail_node(r->s, r->err, id, path, "wrong type: expected %s, got %s", expected,
                          describe(get(r->s, id), buf, sizeof buf));
}

static cob_status out_of_range(const reader *r, const cob__key *k, int id, const char *path)
{
    char allowed[256];
    cob__key_allowed(k, allowed, sizeof allowed);
    return cob__fail_node(r->s, r->err, id, path, "value \"%.80s\" %s (allowed: %s)", text(get(r->s, id)),
                          k->kind == COB__K_NAME ? "not allowed" : "out of range", allowed);
}

/* A plain scalar that strtod reads whole into a finite number. */
static int parse_num(const yaml_node_t *n, double *out)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || n->data.scalar.length == 0)
        return 0;
    char *end;
    double v = strtod(text(n), &end);
    if (*end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int word_is(const char *s, const char *word)
{
    for (; *s && *word; s++, word++)
        if ((*s | 0x20) != *word)
            return 0;
    return *s == *word;
}

static void *field(void *base, size_t off)
{
    return (char *)base + off;
}

/* ---- values by kind ----------------------------------------------------------------------- */

/* Integers: decimal text, or an exact-integer number such as 1e4. */
static cob_status read_int(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    double v;
    if (!parse_num(n, &v) || v != floor(v))
        return wrong_type(r, id, path, "an integer");
    if (fabs(v) > (k->kind == COB__K_INT ? 2147483647.0 : 9.2e18))
        return out_of_range(r, k, id, path);
    char *end;
    errno = 0;
    long long ll = strtoll(text(n), &end, 10);
    int64_t x = (*end == '\0' && errno == 0) ? (int64_t)ll : (int64_t)v;
    if (k->kind == COB__K_INT) {
        int i = (int)x;
        memcpy(field(base, k->off), &i, sizeof i);
    } else {
        memcpy(field(base, k->off), &x, sizeof x);
    }
    return COB_OK;
}

static cob_status read_u64(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    double v;
    if (!parse_num(n, &v) || v != floor(v))
        return wrong_type(r, id, path, "an integer");
    char *end;
    errno = 0;
    unsigned long long u = strtoull(text(n), &end, 10);
    if (strchr(text(n), '-') || *end != '\0' || errno != 0) {
        if (v < 0.0 || v >= 18446744073709551616.0)
            return out_of_range(r, k, id, path);
        u = (unsigned long long)v;
    }
    uint64_t x = (uint64_t)u;
    memcpy(field(base, k->off), &x, sizeof x);
    return COB_OK;
}

static cob_status read_bool(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    int b = -1;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (word_is(text(n), "true") || word_is(text(n), "yes"))
            b = 1;
        else if (word_is(text(n), "false") || word_is(text(n), "no"))
            b = 0;
    }
    if (b < 0)
        return wrong_type(r, id, path, "a boolean (true, false, yes, no)");
    memcpy(field(base, k->off), &b, sizeof b);
    return COB_OK;
}

static cob_status read_enum(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    char allowed[256];
    cob__key_allowed(k, allowed, sizeof allowed);
    if (n->type != YAML_SCALAR_NODE)
        return wrong_type(r, id, path, "one word");
    for (int i = 0; k->names[i]; i++)
        if (strcmp(text(n), k->names[i]) == 0) {
            memcpy(field(base, k->off), &i, sizeof i);
            return COB_OK;
        }
    return cob__fail_node(r->s, r->err, id, path, "unknown value \"%.80s\" (allowed: %s)", text(n), allowed);
}

static cob_status read_name(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    if (n->type != YAML_SCALAR_NODE)
        return wrong_type(r, id, path, "a name");
    if (n->data.scalar.length >= COB_NAME_MAX)
        return out_of_range(r, k, id, path);
    memcpy(field(base, k->off), text(n), n->data.scalar.length + 1);
    /* Checked now, not only in cob__check: projections refer to populations by name. */
    return cob__key_ok(k, base) ? COB_OK : out_of_range(r, k, id, path);
}

/* A population name -> its index among the populations read so far (all, for projections). */
static cob_status read_pop_ref(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    if (n->type != YAML_SCALAR_NODE)
        return wrong_type(r, id, path, "a population name");
    /* a duplicate name is the error, not the reference it makes ambiguous or leaves unmatched */
    cob_status st = cob__check_pop_names(r->c, r->s, r->c->n_pops, r->err);
    if (st != COB_OK)
        return st;
    char names[COB_MAX_POPS * (COB_NAME_MAX + 2)];
    size_t used = 0;
    names[0] = '\0';
    for (int i = 0; i < r->c->n_pops; i++) {
        if (strcmp(r->c->pops[i].name, text(n)) == 0) {
            memcpy(field(base, k->off), &i, sizeof i);
            return COB_OK;
        }
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", r->c->pops[i].name);
    }
    return cob__fail_node(r->s, r->err, id, path, "unknown population \"%.80s\" (defined: %s)", text(n), names);
}

/* [min, max], or one number for both when the key allows it. */
static cob_status read_pair(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    double v[2];
    char sub[280];
    int one = (k->flags & COB__ONE_OK) != 0;
    if (one && parse_num(n, &v[0])) {
        v[1] = v[0];
    } else if (n->type == YAML_SEQUENCE_NODE && n->data.sequence.items.top - n->data.sequence.items.start == 2) {
        for (int i = 0; i < 2; i++) {
            int item = n->data.sequence.items.start[i];
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
            if (!parse_num(get(r->s, item), &v[i]))
                return wrong_type(r, item, sub, "a number");
        }
    } else {
        return wrong_type(r, id, path, one ? "[min, max] or a number" : "[min, max]");
    }
    memcpy(field(base, k->off), &v[0], sizeof v[0]);
    memcpy(field(base, k->off2), &v[1], sizeof v[1]);
    return COB_OK;
}

/* A constant (one number) or a schedule: [[t_ms, value], ...], t_ms >= 0 strictly increasing,
 * at most COB_SCHEDULE_MAX points (the values' range is checked with the other keys). */
static cob_status read_sched(const reader *r, const cob__key *k, int id, const char *path, void *base)
{
    yaml_node_t *n = get(r->s, id);
    cob_sched_spec *sp = field(base, k->off);
    char sub[300];
    double v;
    if (parse_num(n, &v)) {
        sp->n = 1;
        sp->t_ms[0] = 0.0;
        sp->value[0] = v;
        return COB_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return wrong_type(r, id, path, "a number or a list of [t_ms, value] points");
    int m = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (m < 1 || m > COB_SCHEDULE_MAX)
        return cob__fail_node(r->s, r->err, id, path, "%d points (allowed: 1 .. %d [t_ms, value] points)", m,
                              COB_SCHEDULE_MAX);
    for (int i = 0; i < m; i++) {
        int item = n->data.sequence.items.start[i];
        yaml_node_t *p = get(r->s, item);
        snprintf(sub, sizeof sub, "%s[%d]", path, i);
        if (p->type != YAML_SEQUENCE_NODE || p->data.sequence.items.top - p->data.sequence.items.start != 2)
            return wrong_type(r, item, sub, "a [t_ms, value] point");
        for (int j = 0; j < 2; j++)
            if (!parse_num(get(r->s, p->data.sequence.items.start[j]), j ? &sp->value[i] : &sp->t_ms[i]))
                return wrong_type(r, p->data.sequence.items.start[j], sub, "a [t_ms, value] point of two numbers");
        if (sp->t_ms[i] < 0.0 || (i > 0 && !(sp->t_ms[i] > sp->t_ms[i - 1]))) {
            char t[32];
            cob__fmt_num(sp->t_ms[i], t, sizeof t);
            return cob__fail_node(r->s, r->err, item, sub,
                                  "time \"%s\" out of order (allowed: t_ms >= 0, strictly increasing point by point)",
                                  t);
        }
    }
    sp->n = m;
    return COB_OK;
}

static cob_status read_map(reader *r, int id, const char *path, const cob__key *keys, void *base, unsigned models,
                           unsigned *seen);

static cob_status read_value(reader *r, const cob__key *k, int id, const char *path, void *base)
{
    unsigned seen;
    switch (k->kind) {
    case COB__K_NUM: {
        double v;
        if (!parse_num(get(r->s, id), &v))
            return wrong_type(r, id, path, "a number");
        memcpy(field(base, k->off), &v, sizeof v);
        return COB_OK;
    }
    case COB__K_INT:
    case COB__K_INT64: return read_int(r, k, id, path, base);
    case COB__K_U64: return read_u64(r, k, id, path, base);
    case COB__K_BOOL: return read_bool(r, k, id, path, base);
    case COB__K_ENUM: return read_enum(r, k, id, path, base);
    case COB__K_PAIR: return read_pair(r, k, id, path, base);
    case COB__K_NAME: return read_name(r, k, id, path, base);
    case COB__K_POP: return read_pop_ref(r, k, id, path, base);
    case COB__K_MAP: return read_map(r, id, path, k->sub, field(base, k->off), COB__M_ALL, &seen);
    case COB__K_POPS: r->pops_node = id; return COB_OK;
    case COB__K_PROJS: r->projs_node = id; return COB_OK;
    case COB__K_SKIP: return COB_OK;
    case COB__K_SCHED: return read_sched(r, k, id, path, base);
    case COB__K_WINDOWS: r->windows_node = id; return COB_OK;
    case COB__K_PERTS: r->perts_node = id; return COB_OK;
    }
    return COB_OK;
}

/* ---- mappings ----------------------------------------------------------------------------- */

static void model_list(unsigned models, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int m = 0; cob_model_names[m]; m++)
        if (models & (1u << m))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " and " : "", cob_model_names[m]);
}

/* Pair i of mapping id: a known key, not seen before, valid for models; then its value. */
static cob_status read_entry(reader *r, int id, int i, const char *path, const cob__key *keys, void *base,
                             unsigned models, unsigned *seen)
{
    yaml_node_pair_t *pairs = get(r->s, id)->data.mapping.pairs.start;
    yaml_node_t *kn = get(r->s, pairs[i].key);
    char sub[256], list[512], mine[64], other[64];
    if (kn->type != YAML_SCALAR_NODE)
        return wrong_type(r, pairs[i].key, path, "a key (one word)");
    snprintf(sub, sizeof sub, "%s%s%.80s", path, *path ? "." : "", text(kn));
    for (int j = 0; j < i; j++) {
        yaml_node_t *kj = get(r->s, pairs[j].key);
        if (kj->type == YAML_SCALAR_NODE && strcmp(text(kj), text(kn)) == 0)
            return cob__fail_node(r->s, r->err, pairs[i].key, sub, "duplicate key (first at line %d)",
                                  cob__node_line(r->s, pairs[j].key));
    }
    const cob__key *k = cob__key_find(keys, text(kn));
    cob__key_list(keys, models, list, sizeof list);
    if (!k)
        return cob__fail_node(r->s, r->err, pairs[i].key, sub, "unknown key (allowed: %s)", list);
    if (!(k->models & models)) {
        model_list(k->models, other, sizeof other);
        model_list(models, mine, sizeof mine);
        return cob__fail_node(r->s, r->err, pairs[i].key, sub,
                              "key only valid for model %s, not %s (allowed for %s: %s)", other, mine, mine, list);
    }
    *seen |= 1u << (k - keys);
    return read_value(r, k, pairs[i].value, sub, base);
}

static cob_status read_map(reader *r, int id, const char *path, const cob__key *keys, void *base, unsigned models,
                           unsigned *seen)
{
    yaml_node_t *m = get(r->s, id);
    char expected[512];
    if (m->type != YAML_MAPPING_NODE) {
        size_t used = (size_t)snprintf(expected, sizeof expected, "a mapping with keys ");
        cob__key_list(keys, models, expected + used, sizeof expected - used);
        return wrong_type(r, id, path, expected);
    }
    *seen = 0;
    int n = (int)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    for (int i = 0; i < n; i++) {
        cob_status st = read_entry(r, id, i, path, keys, base, models, seen);
        if (st != COB_OK)
            return st;
    }
    for (const cob__key *k = keys; k->name; k++)
        if ((k->flags & COB__REQUIRED) && (k->models & models) && !(*seen & (1u << (k - keys))))
            return cob__fail_node(r->s, r->err, id, path, "missing required key \"%s\"", k->name);
    return COB_OK;
}

/* ---- populations, projections, the whole document ----------------------------------------- */

static cob_status read_pop(reader *r, int i, int id)
{
    cob_pop_spec *p = &r->c->pops[i];
    char path[48], sub[64];
    unsigned seen = 0;
    snprintf(path, sizeof path, "populations[%d]", i);
    memset(p, 0, sizeof *p);
    cob_lif_params_defaults(&p->lif);
    p->noise.bridge = 1;
    p->input_mode = COB_INPUT_POOL;
    p->line = cob__node_line(r->s, id);
    int model = cob__map_value(r->s, id, "model", 5);
    if (get(r->s, id)->type == YAML_MAPPING_NODE && !model) {
        char names[256];
        size_t used = 0;
        names[0] = '\0';
        for (int m = 0; cob_model_names[m] && used < sizeof names; m++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", m ? ", " : "", cob_model_names[m]);
        return cob__fail_node(r->s, r->err, id, path, "missing required key \"model\" (allowed: %s)", names);
    }
    snprintf(sub, sizeof sub, "%s.model", path);
    cob_status st = model ? read_value(r, cob__key_find(cob__pop_keys, "model"), model, sub, p) : COB_OK;
    if (st == COB_OK)
        st = read_map(r, id, path, cob__pop_keys, p, 1u << p->model, &seen);
    if (st == COB_OK && p->model == COB_MODEL_POISSON) /* rate_hz: the constant, or the schedule's largest value */
        for (int k = 0; k < p->rate_sched.n; k++)
            if (k == 0 || p->rate_sched.value[k] > p->rate_hz)
                p->rate_hz = p->rate_sched.value[k];
    const cob__key *vi = cob__key_find(cob__pop_keys, "v_init_mV");
    if (st == COB_OK && !(seen & (1u << (vi - cob__pop_keys)))) {
        p->lif.v_init_min_mV = p->lif.v_reset_mV;
        p->lif.v_init_max_mV = p->lif.v_th_mV;
    }
    return st;
}

static cob_status read_proj(reader *r, int i, int id)
{
    cob_proj_spec *q = &r->c->projs[i];
    char path[48];
    unsigned seen;
    snprintf(path, sizeof path, "projections[%d]", i);
    memset(q, 0, sizeof *q);
    q->delay_min_ms = q->delay_max_ms = r->c->run.dt_ms;
    q->line = cob__node_line(r->s, id);
    return read_map(r, id, path, cob__proj_keys, q, COB__M_ALL, &seen);
}

static cob_status read_window(reader *r, int i, int id)
{
    cob_window_spec *w = &r->c->protocol.windows[i];
    char path[48];
    unsigned seen;
    snprintf(path, sizeof path, "protocol.windows[%d]", i);
    memset(w, 0, sizeof *w);
    w->line = cob__node_line(r->s, id);
    return read_map(r, id, path, cob__window_keys, w, COB__M_ALL, &seen);
}

/* A perturbation: exactly one of step and ramp. */
static cob_status read_pert(reader *r, int i, int id)
{
    cob_pert_spec *q = &r->c->protocol.perts[i];
    char path[48];
    unsigned seen;
    snprintf(path, sizeof path, "protocol.perturbations[%d]", i);
    memset(q, 0, sizeof *q);
    q->line = cob__node_line(r->s, id);
    cob_status st = read_map(r, id, path, cob__pert_keys, q, COB__M_ALL, &seen);
    if (st != COB_OK)
        return st;
    unsigned step = 1u << (cob__key_find(cob__pert_keys, "step") - cob__pert_keys);
    unsigned ramp = 1u << (cob__key_find(cob__pert_keys, "ramp") - cob__pert_keys);
    if (!(seen & step) == !(seen & ramp))
        return cob__fail_node(r->s, r->err, id, path,
                              "%s (allowed: exactly one of step: VALUE, a constant added over the window, and ramp: "
                              "[FROM, TO], linear over the window)",
                              (seen & step) ? "both step and ramp given" : "neither step nor ramp given");
    q->is_ramp = (seen & ramp) != 0;
    return COB_OK;
}

/* The populations or projections list: a sequence of at most max mappings. */
static cob_status read_list(reader *r, int id, const char *path, int min, int max,
                            cob_status (*item)(reader *, int, int), int *n_out)
{
    yaml_node_t *q = get(r->s, id);
    if (q->type == YAML_SCALAR_NODE && q->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (q->data.scalar.length == 0 || strcmp(text(q), "~") == 0 || word_is(text(q), "null")) && min == 0)
        return COB_OK;
    if (q->type != YAML_SEQUENCE_NODE)
        return wrong_type(r, id, path, "a list");
    int n = (int)(q->data.sequence.items.top - q->data.sequence.items.start);
    if (n < min || n > max)
        return cob__fail_node(r->s, r->err, id, path, "list of %d items (allowed: %d .. %d)", n, min, max);
    for (int i = 0; i < n; i++) {
        cob_status st = item(r, i, q->data.sequence.items.start[i]);
        *n_out = i + 1;
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}

cob_status cob__read(cob_config *c, const cob__src *s, cob_err *err)
{
    reader r = {s, c, err, 0, 0, 0, 0};
    unsigned seen;
    if (!get(s, 1))
        return cob__fail_node(s, err, 0, "", "empty config (at least populations is required)");
    cob_status st = read_map(&r, 1, "", cob__top_keys, c, COB__M_ALL, &seen);
    if (st == COB_OK)
        st = read_list(&r, r.pops_node, "populations", 1, COB_MAX_POPS, read_pop, &c->n_pops);
    if (st == COB_OK && r.projs_node)
        st = read_list(&r, r.projs_node, "projections", 0, COB_MAX_PROJS, read_proj, &c->n_projs);
    /* after the populations, which perturbations name */
    if (st == COB_OK && r.windows_node)
        st = read_list(&r, r.windows_node, "protocol.windows", 1, COB_MAX_WINDOWS, read_window, &c->protocol.n_windows);
    if (st == COB_OK && r.perts_node)
        st = read_list(&r, r.perts_node, "protocol.perturbations", 0, COB_MAX_PERTURB, read_pert, &c->protocol.n_perts);
    return st;
}
