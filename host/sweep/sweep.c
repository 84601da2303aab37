/* host/sweep/sweep.c -- a sweep's points: loading and checking a sweep config (the `sweep:` block is
 * read by host/sweep/sweep_read.c), the K scaling law anchored through the mean-field library
 * (cob_theory_scale), and each point as a list of --set overrides applied after the
 * command-line ones, so a point's config passes every check of `cobalt run`. Running a point
 * and file names are in host/sweep/sweep_run.c. Pairs with include/cobalt/sweep.h.
 * Limits: the K of a config is the in-degree of its first recurrent excitatory projection
 * (pre == post, receptor E), or, in a config without projections out of lif populations
 * (unconnected neurons driven by Poisson input), of its first receptor-E projection; `g` takes
 * the E weight from the first receptor-E projection onto the same population. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/config.h"
#include "cobalt/models.h"
#include "sweep/sweep_int.h"

/* err = "FILE:LINE: sweep.KEY: message" for axis a (NULL: the block; line 0: from a --set). */
static cob_status axis_fail(const cob_sweep *sw, const cob_sweep_axis *a, cob_status st, cob_err *err, const char *fmt,
                            ...)
{
    char msg[COB_ERR_MSG_MAX], line[24] = ""; /* cut here, the whole is cut, and marked */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *sect = !a ? "sweep" : a->kind == COB_AXIS_K ? "sweep.k" : "sweep.set.";
    const char *key = a && a->kind != COB_AXIS_K ? a->name : "";
    if (a && a->line > 0)
        snprintf(line, sizeof line, ":%d", a->line);
    return cob_err_set(err, st, "%s%s: %s%s: %s", sw->base.path, line, sect, key, msg);
}

int cob__sweep_k_proj(const cob_config *c)
{
    int input_only = 1;
    for (int j = 0; j < c->n_projs; j++) {
        const cob_proj_spec *q = &c->projs[j];
        if (c->pops[q->pre].model != COB_MODEL_POISSON)
            input_only = 0;
        if (q->pre == q->post && q->receptor == COB_RECEPTOR_E && c->pops[q->pre].model != COB_MODEL_POISSON)
            return j;
    }
    for (int j = 0; input_only && j < c->n_projs; j++)
        if (c->projs[j].receptor == COB_RECEPTOR_E)
            return j;
    return -1;
}

/* Index of the first receptor-E projection onto population post, -1 if none. */
static int e_proj_onto(const cob_config *c, int post)
{
    for (int j = 0; j < c->n_projs; j++)
        if (c->projs[j].post == post && c->projs[j].receptor == COB_RECEPTOR_E)
            return j;
    return -1;
}

/* ---- the K law ----------------------------------------------------------------------------- */

/* The anchor of the law: the theory network of the base config at K = k0. Laws that are pure
 * formulas of K (none, sqrt, log) fall back to a bare network when the config does not map. */
static cob_status law_anchor(cob_sweep *sw, const cob_sweep_axis *a, cob_theory_net *n, cob_err *err)
{
    cob_err terr = {COB_OK, ""};
    const cob_proj_spec *q = &sw->base.projs[cob__sweep_k_proj(&sw->base)];
    memset(n, 0, sizeof *n);
    if (cob_theory_net_from_config(&sw->base, n, &terr) == COB_OK) {
        sw->w0 = n->model == COB_THEORY_COND ? n->a : n->j_mV;
        n->k_x *= sw->k0 / n->K;
    } else if (sw->law == COB_SCALE_SANZENI || sw->law == COB_SCALE_MATCHED) {
        return axis_fail(sw, a, COB_ERR_CONFIG, err,
                         "law %s needs a config that maps to the "
                         "mean-field theory (allowed here: none, sqrt, log): %s",
                         cob_scale_law_name(sw->law), terr.msg);
    } else { /* only K and w enter these laws; the rest is any valid network */
        cob_theory_model tm;
        if (!cob_theory_model_of(sw->base.pops[q->post].model, &tm))
            return axis_fail(sw, a, COB_ERR_CONFIG, err,
                             "k sweep: population %s has model %s, which no "
                             "scaling law covers",
                             sw->base.pops[q->post].name, cob_model_name(sw->base.pops[q->post].model));
        cob_theory_net_defaults(n, tm);
        n->k_x = sw->k0;
        sw->w0 = n->a = n->j_mV = q->weight;
    }
    n->K = sw->k0;
    return COB_OK;
}

/* K of the base config, k0, the anchor weight and the E weight at every k value. */
static cob_status setup_k(cob_sweep *sw, cob_err *err)
{
    const cob_sweep_axis *a = &sw->axes[0];
    int j = cob__sweep_k_proj(&sw->base);
    if (j < 0)
        return axis_fail(sw, a, COB_ERR_CONFIG, err,
                         "the config has no recurrent excitatory "
                         "projection (pre == post, receptor E) whose in-degree is K, nor, if "
                         "its neurons are unconnected (driven only by Poisson populations), a "
                         "receptor-E input projection");
    sw->k_cfg = sw->base.projs[j].indegree;
    snprintf(sw->e_pop, sizeof sw->e_pop, "%s", sw->base.pops[sw->base.projs[j].post].name);
    if (sw->k0 <= 0)
        sw->k0 = sw->k_cfg;
    sw->k_weight = calloc((size_t)a->n_values, sizeof *sw->k_weight);
    if (!sw->k_weight)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory setting up sweep.k");
    cob_theory_net n;
    cob_status st = law_anchor(sw, a, &n, err);
    for (int i = 0; i < a->n_values && st == COB_OK; i++) {
        char warn[512] = "";
        cob_err terr = {COB_OK, ""};
        sw->k_weight[i] = sw->w0;
        if (sw->law == COB_SCALE_NONE || a->num[i] == sw->k0) /* the anchor holds exactly */
            continue;
        if (cob_theory_scale(&n, sw->law, a->num[i], &sw->k_weight[i], warn, sizeof warn, &terr) != COB_OK)
            st = axis_fail(sw, a, terr.status == COB_ERR_NOMEM ? COB_ERR_NOMEM : COB_ERR_CONFIG, err,
                           "law %s at K = %s: %s", cob_scale_law_name(sw->law), a->values[i], terr.msg);
        else if (warn[0] && !sw->law_warning[0])
            snprintf(sw->law_warning, sizeof sw->law_warning, "sweep.k: K = %.40s: %.400s", a->values[i], warn);
    }
    return st;
}

/* ---- counts and shorthands ------------------------------------------------------------------ */

static cob_status count_points(cob_sweep *sw, cob_err *err)
{
    double n = 1;
    for (int i = 0; i < sw->n_axes; i++) {
        const cob_sweep_axis *a = &sw->axes[i];
        if (sw->combine == COB_SWEEP_ZIP && a->n_values != sw->axes[0].n_values)
            return axis_fail(sw, a, COB_ERR_CONFIG, err,
                             "%d values, but %s has %d (combine: zip "
                             "needs lists of one length)",
                             a->n_values, sw->axes[0].name, sw->axes[0].n_values);
        n = sw->combine == COB_SWEEP_ZIP ? a->n_values : n * a->n_values;
    }
    if (n > COB_SWEEP_MAX_POINTS)
        return axis_fail(sw, NULL, COB_ERR_CONFIG, err, "%.0f points (allowed: at most %d)", n, COB_SWEEP_MAX_POINTS);
    sw->n_points = (int64_t)n;
    return COB_OK;
}

/* Index of the one Poisson population (nu_x), -1 when there is not exactly one. */
static int poisson_pop(const cob_config *c, int *count)
{
    int found = -1;
    *count = 0;
    for (int i = 0; i < c->n_pops; i++)
        if (c->pops[i].model == COB_MODEL_POISSON && (*count)++ == 0)
            found = i;
    return *count == 1 ? found : -1;
}

/* What the shorthands need from the base config is there. */
static cob_status check_shorthands(const cob_sweep *sw, cob_err *err)
{
    const cob_config *c = &sw->base;
    for (int i = 0; i < sw->n_axes; i++) {
        const cob_sweep_axis *a = &sw->axes[i];
        int n_poisson;
        if (a->kind == COB_AXIS_NU_X && poisson_pop(c, &n_poisson) < 0)
            return axis_fail(sw, a, COB_ERR_CONFIG, err,
                             "nu_x needs exactly one poisson "
                             "population, the config has %d (sweep populations.NAME.rate_hz "
                             "instead)",
                             n_poisson);
        if (a->kind == COB_AXIS_CV_K && c->n_projs == 0)
            return axis_fail(sw, a, COB_ERR_CONFIG, err, "the config has no projections");
        for (int j = 0; a->kind == COB_AXIS_G && j < c->n_projs; j++)
            if (c->projs[j].receptor == COB_RECEPTOR_I && e_proj_onto(c, c->projs[j].post) < 0)
                return axis_fail(sw, a, COB_ERR_CONFIG, err,
                                 "population %s has inhibitory input "
                                 "but no excitatory projection whose weight g multiplies",
                                 c->pops[c->projs[j].post].name);
    }
    return COB_OK;
}

/* ---- points ----------------------------------------------------------------------------- */

static cob_status add_set(cob_sweep_point *p, int axis, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap); /* sized to the text: a long value is never cut */
    va_end(ap);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf)
        vsnprintf(buf, (size_t)n + 1, fmt, again);
    va_end(again);
    char **sets = buf ? realloc(p->sets, (size_t)(p->n_sets + 1) * sizeof *sets) : NULL;
    int *ax = sets ? realloc(p->set_axis, (size_t)(p->n_sets + 1) * sizeof *ax) : NULL;
    if (sets)
        p->sets = sets;
    if (ax)
        p->set_axis = ax;
    if (!sets || !ax) {
        free(buf);
        return COB_ERR_NOMEM;
    }
    sets[p->n_sets] = buf;
    p->set_axis[p->n_sets++] = axis;
    return COB_OK;
}

/* One projection key set to a number, in the shortest text that reads back exactly. */
static cob_status set_proj(cob_sweep_point *p, int axis, int j, const char *key, double v)
{
    char num[40];
    cob__fmt_num(v, num, sizeof num);
    return add_set(p, axis, "projections.%d.%s=%s", j, key, num);
}

/* k: every in-degree x K/K_cfg; every weight x w(K)/w0 (I keeps its ratio g to E). */
static cob_status k_sets(const cob_sweep *sw, cob_sweep_point *p, double *f)
{
    const cob_config *c = &sw->base;
    int v = p->value_index[0];
    cob_status st = COB_OK;
    p->k = sw->axes[0].num[v];
    p->weight_e = sw->k_weight[v];
    *f = p->weight_e / sw->w0;
    for (int j = 0; j < c->n_projs && st == COB_OK; j++)
        st = set_proj(p, 0, j, "indegree", c->projs[j].indegree * (p->k / sw->k_cfg));
    for (int j = 0; j < c->n_projs && st == COB_OK && sw->law != COB_SCALE_NONE; j++)
        st = set_proj(p, 0, j, "weight", c->projs[j].weight * *f);
    return st;
}

/* The overrides of one non-k axis at value v; f: the weight factor of the K law. */
static cob_status axis_sets(const cob_sweep *sw, cob_sweep_point *p, int ax, double f)
{
    const cob_sweep_axis *a = &sw->axes[ax];
    const cob_config *c = &sw->base;
    const char *val = a->values[p->value_index[ax]];
    int n_poisson;
    cob_status st = COB_OK;
    switch (a->kind) {
    case COB_AXIS_NU_X:
        return add_set(p, ax, "populations.%s.rate_hz=%s", c->pops[poisson_pop(c, &n_poisson)].name, val);
    case COB_AXIS_CV_K:
        for (int j = 0; j < c->n_projs && st == COB_OK; j++)
            st = add_set(p, ax, "projections.%d.cv_indegree=%s", j, val);
        return st;
    case COB_AXIS_G:
        for (int j = 0; j < c->n_projs && st == COB_OK; j++)
            if (c->projs[j].receptor == COB_RECEPTOR_I)
                st = set_proj(p, ax, j, "weight",
                              a->num[p->value_index[ax]] * f * c->projs[e_proj_onto(c, c->projs[j].post)].weight);
        return st;
    case COB_AXIS_SEED: return add_set(p, ax, "run.seed=%s", val);
    default: return add_set(p, ax, "%s=%s", a->name, val);
    }
}

cob_status cob_sweep_point_make(const cob_sweep *sw, int64_t i, cob_sweep_point *p, cob_err *err)
{
    memset(p, 0, sizeof *p);
    if (i < 0 || i >= sw->n_points)
        return cob_err_set(err, COB_ERR_INVALID,
                           "point %lld out of range (the sweep has %lld "
                           "points)",
                           (long long)i, (long long)sw->n_points);
    p->index = i;
    for (int a = sw->n_axes - 1; a >= 0; a--) { /* product: the last key varies fastest */
        int64_t n = sw->axes[a].n_values;
        p->value_index[a] = (int)(sw->combine == COB_SWEEP_ZIP ? i : i % n);
        if (sw->combine == COB_SWEEP_PRODUCT)
            i /= n;
    }
    int j = cob__sweep_k_proj(&sw->base);
    double f = 1.0;
    p->k = j >= 0 ? sw->base.projs[j].indegree : NAN;
    p->weight_e = j >= 0 ? sw->base.projs[j].weight : NAN;
    cob_status st = sw->has_k ? k_sets(sw, p, &f) : COB_OK;
    for (int a = sw->has_k; a < sw->n_axes && st == COB_OK; a++) st = axis_sets(sw, p, a, f);
    for (int q = 0; sw->nested && q < sw->base.n_projs && st == COB_OK; q++)
        st = add_set(p, -1, "projections.%d.nested=true", q);
    if (st != COB_OK) {
        cob_sweep_point_free(p);
        return cob_err_set(err, st, "out of memory making sweep point %lld", (long long)i);
    }
    return COB_OK;
}

void cob_sweep_point_free(cob_sweep_point *p)
{
    for (int i = 0; i < p->n_sets; i++) free(p->sets[i]);
    free(p->sets);
    free(p->set_axis);
    memset(p, 0, sizeof *p);
}

void cob_sweep_point_label(const cob_sweep *sw, const cob_sweep_point *p, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int a = 0; a < sw->n_axes && used < len; a++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", a ? " " : "", sw->axes[a].name,
                                 sw->axes[a].values[p->value_index[a]]);
}

/* The axis whose override the loader's message names ("--set KEY=VALUE: ..."), -1 if none. */
static int blamed_axis(const cob_sweep_point *p, const char *msg)
{
    if (strncmp(msg, "--set ", 6) != 0)
        return -1;
    for (int i = 0; i < p->n_sets; i++) {
        size_t n = strlen(p->sets[i]);
        if (strncmp(msg + 6, p->sets[i], n) == 0 && msg[6 + n] == ':')
            return p->set_axis[i];
    }
    return -1;
}

cob_status cob_sweep_point_config(const cob_sweep *sw, const cob_sweep_point *p, cob_config *c, cob_err *err)
{
    int n = sw->n_cli_sets + p->n_sets;
    const char **sets = malloc((size_t)(n > 0 ? n : 1) * sizeof *sets);
    cob_err lerr = {COB_OK, ""};
    char label[512];
    cob_config_defaults(c);
    if (!sets)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory loading sweep point %lld", (long long)p->index);
    for (int i = 0; i < n; i++) sets[i] = i < sw->n_cli_sets ? sw->cli_sets[i] : p->sets[i - sw->n_cli_sets];
    cob_status st = cob_config_load_string(c, sw->text, sw->base.path, sets, n, &lerr);
    free(sets);
    if (st == COB_OK)
        return COB_OK;
    int a = blamed_axis(p, lerr.msg);
    cob_sweep_point_label(sw, p, label, sizeof label);
    return axis_fail(sw, a >= 0 ? &sw->axes[a] : NULL, st, err, "point %lld (%s): %s", (long long)p->index, label,
                     lerr.msg);
}

/* ---- loading ------------------------------------------------------------------------------ */

/* The sweep block (with the command-line overrides applied to it) -> sw's axes. */
static cob_status read_spec(cob_sweep *sw, const char *name, cob_err *err)
{
    yaml_document_t doc;
    cob__span *spans;
    cob_status st = cob__parse_sets(sw->text, name, (const char *const *)sw->cli_sets, sw->n_cli_sets, &doc, &spans,
                                    err);
    if (st != COB_OK)
        return st;
    cob__src src = {name, &doc, spans, sw->n_cli_sets, &sw->base};
    st = cob__sweep_read(sw, &src, err);
    yaml_document_delete(&doc);
    free(spans);
    return st;
}

/* Every point's config, built and checked before anything runs. */
static cob_status check_points(const cob_sweep *sw, cob_err *err)
{
    cob_status st = COB_OK;
    for (int64_t i = 0; i < sw->n_points && st == COB_OK; i++) {
        cob_sweep_point p;
        cob_config c;
        st = cob_sweep_point_make(sw, i, &p, err);
        if (st == COB_OK)
            st = cob_sweep_point_config(sw, &p, &c, err);
        if (st == COB_OK)
            cob_config_free(&c);
        cob_sweep_point_free(&p);
    }
    return st;
}

static cob_status copy_sets(cob_sweep *sw, const char *const *sets, int n_sets, cob_err *err)
{
    sw->cli_sets = calloc((size_t)(n_sets > 0 ? n_sets : 1), sizeof *sw->cli_sets);
    if (!sw->cli_sets)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory copying --set");
    for (int i = 0; i < n_sets; i++, sw->n_cli_sets++)
        if (!(sw->cli_sets[i] = strdup(sets[i])))
            return cob_err_set(err, COB_ERR_NOMEM, "out of memory copying --set");
    return COB_OK;
}

cob_status cob_sweep_load_string(cob_sweep *sw, const char *text, const char *name, const char *const *sets, int n_sets,
                                 cob_err *err)
{
    memset(sw, 0, sizeof *sw);
    cob_status st = cob_config_load_string(&sw->base, text, name, sets, n_sets, err);
    if (st != COB_OK)
        return st;
    sw->text = strdup(text);
    st = sw->text ? copy_sets(sw, sets, n_sets, err) : cob_err_set(err, COB_ERR_NOMEM, "out of memory loading a sweep");
    if (st == COB_OK)
        st = read_spec(sw, sw->base.path, err);
    if (st == COB_OK)
        st = count_points(sw, err);
    if (st == COB_OK)
        st = check_shorthands(sw, err);
    if (st == COB_OK && sw->has_k)
        st = setup_k(sw, err);
    if (st == COB_OK)
        st = check_points(sw, err);
    if (st != COB_OK)
        cob_sweep_free(sw);
    return st;
}

cob_status cob_sweep_load(cob_sweep *sw, const char *path, const char *const *sets, int n_sets, cob_err *err)
{
    char *text = NULL;
    memset(sw, 0, sizeof *sw);
    if (!path)
        return cob_err_set(err, COB_ERR_INVALID, "cob_sweep_load: no path");
    cob_status st = cob__read_text(path, &text, err);
    if (st == COB_OK)
        st = cob_sweep_load_string(sw, text, path, sets, n_sets, err);
    free(text);
    return st;
}

void cob_sweep_free(cob_sweep *sw)
{
    for (int a = 0; a < sw->n_axes; a++) {
        for (int i = 0; sw->axes[a].values && i < sw->axes[a].n_values; i++) free(sw->axes[a].values[i]);
        free(sw->axes[a].values);
        free(sw->axes[a].num);
    }
    for (int i = 0; i < sw->n_cli_sets; i++) free(sw->cli_sets[i]);
    free(sw->cli_sets);
    free(sw->k_weight);
    free(sw->text);
    cob_config_free(&sw->base);
    memset(sw, 0, sizeof *sw);
}
