/* host/sweep/sweep_summary.c -- the summary table of a sweep: one row per point with its K, E weight
 * and swept values, the simulated rate, CV and voltage of each neuron population (read back
 * from the point's result file) and the mean-field prediction for the point's config
 * (cob_theory_net_from_config + cob_theory_solve: the stable state closest to the simulated
 * rate). Written as /summary in the sweep file (host/sweep/sweep_merge.c) and as CSV (here,
 * published by host/util/publish.c).
 * Pairs with host/sweep/sweep_int.h; columns documented in docs/sweeps.md.
 * Limits: the theory describes identical E and I neurons, so every neuron population of a
 * config that maps gets the same set of states; NaN where the config does not map. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sweep/sweep_int.h"

#define N_POP_COLS 8
static const char *const pop_cols[N_POP_COLS] = {"rate_hz",        "cv",        "v_mean_mV",        "v_sd_mV",
                                                 "theory_rate_hz", "theory_cv", "theory_v_mean_mV", "theory_v_sd_mV"};
/* Attributes of /populations/<P> behind the first four. */
static const char *const pop_attrs[4] = {"mean_rate_hz", "mean_cv", "v_pop_mean_mV", "v_pop_sd_mV"};
#define MAX_STATES 16

/* Column name, and storage: numbers (NaN) or, for a non-numeric axis, texts (""). */
static cob_status add_col(cob__sweep_table *t, const char *name, int text, cob_err *err)
{
    cob__sweep_col *col = &t->cols[t->n_cols++];
    snprintf(col->name, sizeof col->name, "%s", name);
    if (text) {
        col->txt = calloc((size_t)t->n_rows, sizeof *col->txt);
        for (int64_t i = 0; col->txt && i < t->n_rows; i++) col->txt[i] = "";
    } else {
        col->num = malloc((size_t)t->n_rows * sizeof *col->num);
        for (int64_t i = 0; col->num && i < t->n_rows; i++) col->num[i] = NAN;
    }
    return (col->txt || col->num) ? COB_OK : cob_err_set(err, COB_ERR_NOMEM, "out of memory: sweep summary");
}

cob_status cob__sweep_table_init(cob__sweep_table *t, const cob_sweep *sw, cob_err *err)
{
    const cob_config *c = &sw->base;
    char name[COB_SWEEP_KEY_MAX + 32];
    memset(t, 0, sizeof *t);
    t->n_rows = sw->n_points;
    t->cols = calloc((size_t)(3 + sw->n_axes + N_POP_COLS * COB_MAX_POPS), sizeof *t->cols);
    if (!t->cols)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory: sweep summary");
    const char *fixed[3] = {"point", "K", "weight_E"};
    cob_status st = COB_OK;
    for (int k = 0; k < 3 && st == COB_OK; k++) st = add_col(t, fixed[k], 0, err);
    for (int a = sw->has_k; a < sw->n_axes && st == COB_OK; a++)
        st = add_col(t, sw->axes[a].name, !sw->axes[a].numeric, err);
    for (int k = 0; k < c->n_pops && st == COB_OK; k++)
        for (int j = 0; j < N_POP_COLS && st == COB_OK && c->pops[k].model != COB_MODEL_POISSON; j++) {
            snprintf(name, sizeof name, "%s_%s", c->pops[k].name, pop_cols[j]);
            st = add_col(t, name, 0, err);
        }
    if (st != COB_OK)
        cob__sweep_table_free(t);
    return st;
}

void cob__sweep_table_free(cob__sweep_table *t)
{
    for (int k = 0; t->cols && k < t->n_cols; k++) {
        free(t->cols[k].num);
        free(t->cols[k].txt);
    }
    free(t->cols);
    memset(t, 0, sizeof *t);
}

/* ---- one row ------------------------------------------------------------------------------- */

/* Attribute name of the group at path in f, as a double (NaN when absent). */
static double read_attr(hid_t f, const char *path, const char *name)
{
    double v = NAN;
    hid_t a = H5Aopen_by_name(f, path, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
        v = NAN;
    if (a >= 0)
        H5Aclose(a);
    return v;
}

/* The stable state closest to rate_hz (any stable one when rate_hz is NaN); NULL if none. */
static const cob_theory_state *closest_stable(const cob_theory_state *s, int n, double rate_hz)
{
    const cob_theory_state *best = NULL;
    for (int k = 0; k < n; k++)
        if (s[k].stable && (!best || fabs(s[k].nu_hz - rate_hz) < fabs(best->nu_hz - rate_hz)))
            best = &s[k];
    return best;
}

/* Columns of population P (first column col) in row i: simulated from f, theory from states. */
static void pop_row(cob__sweep_table *t, int col, int64_t i, const char *pop, hid_t f, const cob_theory_state *states,
                    int n_states)
{
    char path[64 + COB_NAME_MAX];
    snprintf(path, sizeof path, "/populations/%s", pop);
    for (int j = 0; j < 4 && f >= 0; j++) t->cols[col + j].num[i] = read_attr(f, path, pop_attrs[j]);
    const cob_theory_state *s = closest_stable(states, n_states, t->cols[col].num[i]);
    if (!s)
        return;
    t->cols[col + 4].num[i] = s->nu_hz;
    t->cols[col + 5].num[i] = s->cv;
    t->cols[col + 6].num[i] = s->v_mean_mV;
    t->cols[col + 7].num[i] = s->v_sd_mV;
}

/* K and E weight of config c: its K projection (cob__sweep_k_proj). */
static void k_and_weight(const cob_config *c, double *k, double *w)
{
    int j = cob__sweep_k_proj(c);
    *k = j >= 0 ? c->projs[j].indegree : NAN;
    *w = j >= 0 ? c->projs[j].weight : NAN;
}

cob_status cob__sweep_table_row(cob__sweep_table *t, const cob_sweep *sw, int64_t i, const cob_sweep_point *p,
                                const cob_config *c, hid_t f, cob_err *err)
{
    cob_theory_state states[MAX_STATES];
    cob_theory_net n;
    cob_err terr = {COB_OK, ""};
    int n_states = 0, col = 3;
    t->cols[0].num[i] = (double)i;
    k_and_weight(c, &t->cols[1].num[i], &t->cols[2].num[i]);
    for (int a = sw->has_k; a < sw->n_axes; a++, col++) {
        if (t->cols[col].num)
            t->cols[col].num[i] = sw->axes[a].num[p->value_index[a]];
        else
            t->cols[col].txt[i] = sw->axes[a].values[p->value_index[a]];
    }
    if (f >= 0 && cob_theory_net_from_config(c, &n, &terr) == COB_OK)
        n_states = cob_theory_solve(&n, states, MAX_STATES);
    for (int k = 0; k < c->n_pops; k++) {
        if (c->pops[k].model == COB_MODEL_POISSON)
            continue;
        pop_row(t, col, i, c->pops[k].name, f, states, n_states < 0 ? 0 : n_states);
        col += N_POP_COLS;
    }
    (void)err;
    return COB_OK;
}

/* ---- CSV ------------------------------------------------------------------------------------ */

/* One field: numbers with 10 significant digits (NaN empty), texts quoted when needed. */
static void csv_field(FILE *f, const cob__sweep_col *col, int64_t i)
{
    if (col->num) {
        if (!isnan(col->num[i]))
            fprintf(f, "%.10g", col->num[i]);
        return;
    }
    const char *s = col->txt[i];
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int csv_write(FILE *f, const cob__sweep_table *t)
{
    for (int k = 0; k < t->n_cols; k++) fprintf(f, "%s%s", k ? "," : "", t->cols[k].name);
    fputc('\n', f);
    for (int64_t i = 0; i < t->n_rows; i++) {
        for (int k = 0; k < t->n_cols; k++) {
            if (k)
                fputc(',', f);
            csv_field(f, &t->cols[k], i);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* What cob__publish_all calls: the CSV at tmp (user: a cob__sweep_csv_job). */
cob_status cob__sweep_csv_file(const char *tmp, void *user, cob_err *err)
{
    const cob__sweep_csv_job *job = user;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return cob_err_set(err, COB_ERR_IO, "%s: cannot create %s: %s", job->path, tmp, strerror(errno));
    errno = 0;
    int bad = csv_write(f, job->t) != 0 || fflush(f) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad)
        return COB_OK;
    return cob_err_set(err, COB_ERR_IO, "%s: cannot write the summary CSV (as temporary %s): %s", job->path, tmp,
                       e ? strerror(e) : "write error");
}
