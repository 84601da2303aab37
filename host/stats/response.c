/* host/stats/response.c -- the response report of a protocol run (include/cobalt/response.h):
 * per perturbed window, each population's rate change against a baseline window, the gain as a
 * finite difference, and the paradoxical response of inhibitory populations. Pure post-processing
 * of cob_stats and the config; written by host/output/output.c and output_json.c.
 * Limits: the standard error treats the population-rate bins inside a window as independent
 * (bins shorter than the rate's correlation time underestimate it); a Poisson population's rate
 * step counts as its target's own input only when it projects onto that one population. */
#include "cobalt/response.h"

#include <math.h>
#include <string.h>

/* 1 when perturbations a and b change the same input by the same step or ramp. */
static int same_pert(const cob_pert_spec *a, const cob_pert_spec *b)
{
    if (a->pop != b->pop || a->target != b->target || a->is_ramp != b->is_ramp)
        return 0;
    return a->is_ramp ? a->ramp_from == b->ramp_from && a->ramp_to == b->ramp_to : a->step == b->step;
}

/* 1 when every perturbation of window b is also one of window w (an unperturbed b always is). */
static int is_subset(const cob_protocol_spec *p, int b, int w)
{
    for (int i = 0; i < p->n_perts; i++) {
        if (strcmp(p->perts[i].window, p->windows[b].name) != 0)
            continue;
        int found = 0;
        for (int j = 0; j < p->n_perts && !found; j++)
            found = !strcmp(p->perts[j].window, p->windows[w].name) && same_pert(&p->perts[i], &p->perts[j]);
        if (!found)
            return 0;
    }
    return 1;
}

static int n_perts_in(const cob_protocol_spec *p, int w)
{
    int n = 0;
    for (int i = 0; i < p->n_perts; i++) n += !strcmp(p->perts[i].window, p->windows[w].name);
    return n;
}

/* 1 when window w has a perturbation equal to q. */
static int has_pert(const cob_protocol_spec *p, int w, const cob_pert_spec *q)
{
    for (int j = 0; j < p->n_perts; j++)
        if (!strcmp(p->perts[j].window, p->windows[w].name) && same_pert(&p->perts[j], q))
            return 1;
    return 0;
}

/* Sum of the steps of window w into d[pop][target] with sign; a ramp of w that baseline b does not
 * have (b < 0: none) sets *ramp and marks its input in ramped. */
static void add_steps(const cob_protocol_spec *p, int w, int b, double sign, double d[][3], int ramped[][3], int *ramp)
{
    for (int i = 0; i < p->n_perts; i++) {
        const cob_pert_spec *q = &p->perts[i];
        if (strcmp(q->window, p->windows[w].name) != 0)
            continue;
        if (!q->is_ramp)
            d[q->pop][q->target] += sign * q->step;
        else if (b >= 0 && !has_pert(p, b, q))
            *ramp = ramped[q->pop][q->target] = 1;
    }
}

/* 1 for a neuron population with at least one projection, all onto receptor I. */
static int is_inhibitory(const cob_config *c, int pop)
{
    int n = 0, n_i = 0;
    for (int k = 0; k < c->n_projs; k++)
        if (c->projs[k].pre == pop) {
            n++;
            n_i += c->projs[k].receptor == COB_RECEPTOR_I;
        }
    return cob_model_is_neuron(c->pops[pop].model) && n > 0 && n == n_i;
}

/* The step of population pop's own input: its noise mean, or the rate of a Poisson population that
 * projects onto pop alone (signed by the receptor). In the unit of key. */
static double own_step(const cob_config *c, int pop, int key, double d[][3])
{
    if (key == COB_PERT_MU || key == COB_PERT_SIGMA)
        return d[pop][key];
    double s = 0.0;
    for (int x = 0; x < c->n_pops; x++) {
        if (d[x][COB_PERT_RATE] == 0.0)
            continue;
        int only = 1, sign = 0;
        for (int k = 0; k < c->n_projs; k++)
            if (c->projs[k].pre == x) {
                only &= c->projs[k].post == pop;
                sign = c->projs[k].receptor == COB_RECEPTOR_E ? 1 : -1;
            }
        if (only && sign)
            s += sign * d[x][COB_PERT_RATE];
    }
    return s;
}

/* Variance of the mean of the binned population rate (Hz) over the bins wholly inside window w;
 * NaN with fewer than 2 such bins. */
static double window_var(const cob_config *c, const cob_pop_stats *ps, int w)
{
    double dt = c->run.dt_ms, bin_steps = round(ps->bin_ms / dt);
    int64_t warm = cob_steps(c->run.t_warmup_ms, dt);
    int64_t ws = cob_steps(c->protocol.windows[w].start_ms, dt), we = cob_steps(c->protocol.windows[w].end_ms, dt);
    double s = 0.0, ss = 0.0, scale = ps->n > 0 && ps->bin_ms > 0 ? 1e3 / ((double)ps->n * ps->bin_ms) : NAN;
    int64_t nb = 0;
    for (int64_t b = 0; b < ps->n_bins_ts; b++) {
        double lo = (double)warm + (double)b * bin_steps;
        if (lo < (double)ws || lo + bin_steps > (double)we)
            continue;
        double r = ps->rate_ts_counts[b] * scale;
        s += r;
        ss += r * r;
        nb++;
    }
    if (nb < 2)
        return NAN;
    double m = s / (double)nb, var = (ss - (double)nb * m * m) / (double)(nb - 1);
    return fmax(var, 0.0) / (double)nb;
}

/* The row of window w against baseline b. */
static void fill_row(const cob_config *c, const cob_stats *s, const int *inhib, int w, int b, cob_response_row *r)
{
    double d[COB_MAX_POPS][3];
    int ramped[COB_MAX_POPS][3], ramp = 0, key = -2, equal = 1;
    double size = NAN;
    memset(d, 0, sizeof d);
    memset(ramped, 0, sizeof ramped);
    add_steps(&c->protocol, w, b, 1.0, d, ramped, &ramp);
    add_steps(&c->protocol, b, -1, -1.0, d, ramped, &ramp);
    for (int pop = 0; pop < c->n_pops; pop++)
        for (int t = 0; t < 3; t++) {
            if (d[pop][t] == 0.0 && !ramped[pop][t])
                continue;
            key = key == -2 || key == t ? t : -1;
            if (d[pop][t] != 0.0) {
                equal &= isnan(size) || size == d[pop][t];
                size = d[pop][t];
            }
        }
    r->window = w;
    r->baseline = b;
    r->key = key < 0 ? -1 : key;
    r->d_input = !ramp && key >= 0 && equal ? size : NAN;
    for (int i = 0; i < s->n_pops; i++) {
        const cob_pop_stats *ps = &s->pop[i];
        int pop = 0;
        while (pop < c->n_pops && strcmp(c->pops[pop].name, ps->name) != 0) pop++;
        r->dr_hz[i] = ps->n_windows > w ? ps->win_rate_hz[w] - ps->win_rate_hz[b] : NAN;
        r->se_hz[i] = ps->n_windows > w ? sqrt(window_var(c, ps, w) + window_var(c, ps, b)) : NAN;
        r->gain_hz[i] = r->dr_hz[i] / r->d_input;
        r->d_own[i] = pop < c->n_pops && r->key >= 0 ? own_step(c, pop, r->key, d) : 0.0;
        r->paradoxical[i] = inhib[i] && r->d_own[i] != 0.0 && r->dr_hz[i] * r->d_own[i] < 0.0 &&
                            (isnan(r->se_hz[i]) || fabs(r->dr_hz[i]) > 2.0 * r->se_hz[i]);
    }
}

void cob_response_compute(const cob_config *c, const cob_stats *s, cob_response *out)
{
    const cob_protocol_spec *p = &c->protocol;
    memset(out, 0, sizeof *out);
    out->n_pops = s->n_pops;
    for (int i = 0; i < s->n_pops; i++)
        for (int pop = 0; pop < c->n_pops; pop++)
            if (!strcmp(c->pops[pop].name, s->pop[i].name))
                out->inhibitory[i] = is_inhibitory(c, pop);
    for (int w = 0; w < p->n_windows; w++) {
        if (n_perts_in(p, w) == 0)
            continue;
        int b = w - 1;
        while (b >= 0 && !(is_subset(p, b, w) && n_perts_in(p, b) < n_perts_in(p, w))) b--;
        if (b >= 0)
            fill_row(c, s, out->inhibitory, w, b, &out->rows[out->n_rows++]);
    }
}
