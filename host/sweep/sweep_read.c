/* host/sweep/sweep_read.c -- the `sweep:` block of a config (docs/sweeps.md) from the libyaml tree
 * that host/config/config.c parsed and applied the --set overrides to, so `--set sweep.k.law=log`
 * works and messages name FILE:LINE (or the --set) like every other config error.
 * Reads shapes and words only; counts, zip lengths and each point's config are checked by
 * host/sweep/sweep.c. Pairs with include/cobalt/sweep.h. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sweep/sweep_int.h"

typedef struct {
    cob_sweep *sw;
    const cob__src *s;
    cob_err *err;
} reader;

static yaml_node_t *node(const reader *r, int id)
{
    return yaml_document_get_node(r->s->doc, id);
}

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int is_plain(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* A plain scalar that strtod reads whole into a finite number. */
static int number_of(const yaml_node_t *n, double *out)
{
    char *end;
    if (!is_plain(n) || n->data.scalar.length == 0)
        return 0;
    double v = strtod(text(n), &end);
    if (*end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static const char *shape(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list" : "a value";
}

/* ---- values ------------------------------------------------------------------------------- */

/* The list at id: 1 .. COB_SWEEP_MAX_VALUES YAML scalars -> axis a (texts and numbers). */
static cob_status read_values(reader *r, int id, const char *path, cob_sweep_axis *a)
{
    yaml_node_t *q = node(r, id);
    if (q->type != YAML_SEQUENCE_NODE)
        return cob__fail_node(r->s, r->err, id, path,
                              "wrong type: expected a list of values "
                              "such as [100, 300, 1000], got %s",
                              shape(q));
    int n = (int)(q->data.sequence.items.top - q->data.sequence.items.start);
    if (n < 1 || n > COB_SWEEP_MAX_VALUES)
        return cob__fail_node(r->s, r->err, id, path, "list of %d values (allowed: 1 .. %d)", n, COB_SWEEP_MAX_VALUES);
    a->values = calloc((size_t)n, sizeof *a->values);
    a->num = calloc((size_t)n, sizeof *a->num);
    if (!a->values || !a->num)
        return cob_err_set(r->err, COB_ERR_NOMEM, "out of memory reading %s", path);
    a->n_values = n;
    a->numeric = 1;
    for (int i = 0; i < n; i++) {
        int item = q->data.sequence.items.start[i];
        yaml_node_t *v = node(r, item);
        if (v->type != YAML_SCALAR_NODE || v->data.scalar.length == 0)
            return cob__fail_node(r->s, r->err, item, path,
                                  "value %d is %s (allowed: one "
                                  "number or word per value)",
                                  i, v->type == YAML_SCALAR_NODE ? "empty" : shape(v));
        a->values[i] = strdup(text(v));
        if (!a->values[i])
            return cob_err_set(r->err, COB_ERR_NOMEM, "out of memory reading %s", path);
        if (!number_of(v, &a->num[i])) {
            a->num[i] = NAN;
            a->numeric = 0;
        }
    }
    return COB_OK;
}

/* Numbers required (k, g, nu_x, cv_k, seed): the first value that is not one is refused. */
static cob_status need_numbers(reader *r, int id, const char *path, const cob_sweep_axis *a, double lo, int lo_open)
{
    yaml_node_t *q = node(r, id);
    for (int i = 0; i < a->n_values; i++) {
        double v = a->num[i];
        if (!isnan(v) && (lo_open ? v > lo : v >= lo))
            continue;
        return cob__fail_node(r->s, r->err, q->data.sequence.items.start[i], path,
                              "value \"%s\" not allowed (allowed: numbers %s %g)", a->values[i],
                              lo_open ? ">" : ">=", lo);
    }
    return COB_OK;
}

/* ---- sweep.k ------------------------------------------------------------------------------ */

static cob_status new_axis(reader *r, int key_id, const char *path, const char *name, cob_sweep_axis **out)
{
    cob_sweep *sw = r->sw;
    if (sw->n_axes >= COB_SWEEP_MAX_AXES)
        return cob__fail_node(r->s, r->err, key_id, path, "too many swept keys (allowed: %d)", COB_SWEEP_MAX_AXES);
    cob_sweep_axis *a = &sw->axes[sw->n_axes++];
    snprintf(a->name, sizeof a->name, "%s", name);
    a->line = cob__node_line(r->s, key_id);
    *out = a;
    return COB_OK;
}

static cob_status read_law(reader *r, int id, const char *path)
{
    yaml_node_t *n = node(r, id);
    if (is_plain(n) && cob_scale_law_parse(text(n), &r->sw->law))
        return COB_OK;
    return cob__fail_node(r->s, r->err, id, path,
                          "unknown law \"%.80s\" (allowed: none, sqrt, "
                          "log, sanzeni, matched)",
                          n->type == YAML_SCALAR_NODE ? text(n) : "");
}

static cob_status read_k0(reader *r, int id, const char *path)
{
    yaml_node_t *n = node(r, id);
    if (number_of(n, &r->sw->k0) && r->sw->k0 > 0)
        return COB_OK;
    return cob__fail_node(r->s, r->err, id, path,
                          "value \"%.80s\" not allowed (allowed: a "
                          "number > 0)",
                          n->type == YAML_SCALAR_NODE ? text(n) : shape(n));
}

/* One entry of the k mapping: values, law or k0. */
static cob_status read_k_entry(reader *r, const char *key, int key_id, int val_id, cob_sweep_axis *a)
{
    char path[64];
    snprintf(path, sizeof path, "sweep.k.%.40s", key);
    if (strcmp(key, "values") == 0) {
        cob_status st = read_values(r, val_id, path, a);
        return st != COB_OK ? st : need_numbers(r, val_id, path, a, 0.0, 1);
    }
    if (strcmp(key, "law") == 0)
        return read_law(r, val_id, path);
    if (strcmp(key, "k0") == 0)
        return read_k0(r, val_id, path);
    return cob__fail_node(r->s, r->err, key_id, path, "unknown key (allowed: values, law, k0)");
}

/* sweep.k: {values: [...], law: ..., k0: ...}, or just the list of values (law none). */
static cob_status read_k(reader *r, int key_id, int id)
{
    cob_sweep_axis *a = NULL;
    cob_status st = new_axis(r, key_id, "sweep.k", "K", &a);
    yaml_node_t *m = node(r, id);
    if (st != COB_OK)
        return st;
    a->kind = COB_AXIS_K;
    r->sw->has_k = 1;
    if (m->type == YAML_SEQUENCE_NODE) {
        st = read_values(r, id, "sweep.k", a);
        return st != COB_OK ? st : need_numbers(r, id, "sweep.k", a, 0.0, 1);
    }
    if (m->type != YAML_MAPPING_NODE)
        return cob__fail_node(r->s, r->err, id, "sweep.k",
                              "wrong type: expected {values: [...], "
                              "law: none|sqrt|log|sanzeni|matched, k0: K0} or a list, got %s",
                              shape(m));
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return cob__fail_node(r->s, r->err, p->key, "sweep.k", "keys must be words");
        st = read_k_entry(r, text(k), p->key, p->value, a);
        if (st != COB_OK)
            return st;
    }
    if (a->n_values == 0)
        return cob__fail_node(r->s, r->err, id, "sweep.k", "missing required key \"values\"");
    return COB_OK;
}

/* ---- sweep.set ---------------------------------------------------------------------------- */

static cob_axis_kind kind_of(const char *name)
{
    static const char *const short_names[] = {"nu_x", "cv_k", "g", "seed"};
    static const cob_axis_kind kinds[] = {COB_AXIS_NU_X, COB_AXIS_CV_K, COB_AXIS_G, COB_AXIS_SEED};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, short_names[i]) == 0)
            return kinds[i];
    return COB_AXIS_KEY;
}

/* One swept key of sweep.set: a shorthand or a dotted config key, with its values. */
static cob_status read_set_entry(reader *r, int key_id, int val_id)
{
    yaml_node_t *k = node(r, key_id);
    char path[COB_SWEEP_KEY_MAX + 16];
    cob_sweep_axis *a = NULL;
    if (!is_plain(k) || k->data.scalar.length == 0 || k->data.scalar.length >= COB_SWEEP_KEY_MAX ||
        strpbrk(text(k), "=/, \t"))
        return cob__fail_node(r->s, r->err, key_id, "sweep.set",
                              "key \"%.80s\" not allowed "
                              "(allowed: nu_x, cv_k, g, seed, or a dotted config key such as "
                              "populations.E.tau_m_ms, shorter than %d characters)",
                              k->type == YAML_SCALAR_NODE ? text(k) : shape(k), COB_SWEEP_KEY_MAX);
    snprintf(path, sizeof path, "sweep.set.%s", text(k));
    if (strcmp(text(k), "k") == 0 || strcmp(text(k), "K") == 0)
        return cob__fail_node(r->s, r->err, key_id, path,
                              "K is swept by sweep.k (values, law, "
                              "k0), not under sweep.set");
    for (int i = 0; i < r->sw->n_axes; i++)
        if (strcmp(r->sw->axes[i].name, text(k)) == 0)
            return cob__fail_node(r->s, r->err, key_id, path, "duplicate key");
    cob_status st = new_axis(r, key_id, path, text(k), &a);
    if (st != COB_OK)
        return st;
    a->kind = kind_of(a->name);
    st = read_values(r, val_id, path, a);
    if (st != COB_OK || a->kind == COB_AXIS_KEY)
        return st;
    return need_numbers(r, val_id, path, a, 0.0, a->kind == COB_AXIS_G);
}

static cob_status read_set(reader *r, int id)
{
    yaml_node_t *m = node(r, id);
    if (m->type != YAML_MAPPING_NODE)
        return cob__fail_node(r->s, r->err, id, "sweep.set",
                              "wrong type: expected a mapping of "
                              "keys to lists (nu_x: [5, 10]), got %s",
                              shape(m));
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        cob_status st = read_set_entry(r, p->key, p->value);
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}

/* ---- sweep.combine, sweep.nested, the block ------------------------------------------------ */

static cob_status read_combine(reader *r, int id)
{
    yaml_node_t *n = node(r, id);
    if (is_plain(n) && strcmp(text(n), "product") == 0)
        r->sw->combine = COB_SWEEP_PRODUCT;
    else if (is_plain(n) && strcmp(text(n), "zip") == 0)
        r->sw->combine = COB_SWEEP_ZIP;
    else
        return cob__fail_node(r->s, r->err, id, "sweep.combine",
                              "unknown value \"%.80s\" "
                              "(allowed: product, zip)",
                              n->type == YAML_SCALAR_NODE ? text(n) : shape(n));
    return COB_OK;
}

static cob_status read_nested(reader *r, int id)
{
    yaml_node_t *n = node(r, id);
    const char *t = is_plain(n) ? text(n) : "";
    if (!strcmp(t, "false") || !strcmp(t, "no")) {
        r->sw->nested = 0;
        return COB_OK;
    }
    if (!strcmp(t, "true") || !strcmp(t, "yes")) {
        r->sw->nested = 1;
        return COB_OK;
    }
    return cob__fail_node(r->s, r->err, id, "sweep.nested",
                          "wrong type: expected a boolean, "
                          "got \"%.80s\"",
                          n->type == YAML_SCALAR_NODE ? text(n) : shape(n));
}

/* k first (it is axes[0]), then the rest in the order written. */
static cob_status read_block(reader *r, int id)
{
    yaml_node_t *m = node(r, id);
    cob_status st = COB_OK;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        if (is_plain(node(r, p->key)) && !strcmp(text(node(r, p->key)), "k")) {
            st = read_k(r, p->key, p->value);
            break;
        }
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; st == COB_OK && p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key);
        const char *key = k->type == YAML_SCALAR_NODE ? text(k) : "";
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p && st == COB_OK; q++)
            if (node(r, q->key)->type == YAML_SCALAR_NODE && !strcmp(text(node(r, q->key)), key))
                st = cob__fail_node(r->s, r->err, p->key, "sweep", "duplicate key \"%s\"", key);
        if (st != COB_OK || !strcmp(key, "k"))
            continue;
        if (!strcmp(key, "set"))
            st = read_set(r, p->value);
        else if (!strcmp(key, "combine"))
            st = read_combine(r, p->value);
        else if (!strcmp(key, "nested"))
            st = read_nested(r, p->value);
        else
            st = cob__fail_node(r->s, r->err, p->key, "sweep",
                                "unknown key \"%.80s\" (allowed: "
                                "k, set, combine, nested)",
                                key);
    }
    return st;
}

cob_status cob__sweep_read(cob_sweep *sw, const cob__src *s, cob_err *err)
{
    reader r = {sw, s, err};
    int id = cob__map_value(s, 1, "sweep", 5);
    if (!id)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: no sweep: block (a sweep config is a normal "
                           "config with a top-level sweep: key, see docs/sweeps.md)",
                           s->name);
    if (node(&r, id)->type != YAML_MAPPING_NODE)
        return cob__fail_node(s, err, id, "sweep",
                              "wrong type: expected a mapping with keys k, "
                              "set, combine, nested, got %s",
                              shape(node(&r, id)));
    sw->law = COB_SCALE_NONE;
    sw->combine = COB_SWEEP_PRODUCT;
    cob_status st = read_block(&r, id);
    if (st == COB_OK && sw->n_axes == 0)
        st = cob__fail_node(s, err, id, "sweep",
                            "nothing to sweep (give k: or set: with at "
                            "least one key)");
    return st;
}
