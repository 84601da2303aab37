/* host/stats/balance.c -- the input balance of sampled neurons (stats.balance_neurons): for the
 * first bal_n neurons of each population, the time-averaged input from each kind of source, and
 * seed 001's balance factor BF = -I_I / (I_E + I_ext). Computed after the run from what every
 * backend returns: the spike counts of the presynaptic neurons in the measured window, each
 * sampled neuron's partners (drawn again from the layout, cob_net_partners, so a backend that
 * built its synapses on a device needs no download), the sources' rates and the white-noise mean
 * (schedules, protocols included, averaged over the measured window).
 * Arrivals in the window are the partners' spikes in the window, up to the spikes within one
 * delay of its edges (a relative error of at most max delay / window, e.g. 0.1% for 10 ms in 10 s). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/stats.h"
#include "models/models.h"

/* Mean over [a, b] ms of the piecewise-linear function through (t_steps[k] dt, value[k]),
 * k < n (constant before the first point and after the last; include/cobalt/hd/schedule.h). */
static double pl_mean(const int64_t *t_steps, const double *value, int n, double dt, double a, double b)
{
    double area = 0.0;
    int k;
    if (n <= 0)
        return 0.0;
    if (n == 1)
        return value[0];
    if (!(b > a))
        b = a + 1e-9; /* an empty window: the value at a */
    for (k = -1; k < n; ++k) {
        double lo = k < 0 ? -INFINITY : (double)t_steps[k] * dt;
        double hi = k + 1 < n ? (double)t_steps[k + 1] * dt : INFINITY;
        double u = fmax(lo, a), v = fmin(hi, b), fu, fv;
        if (!(v > u))
            continue;
        if (k < 0) {
            fu = fv = value[0];
        } else if (k + 1 >= n) {
            fu = fv = value[n - 1];
        } else {
            double sl = (value[k + 1] - value[k]) / (hi - lo);
            fu = value[k] + sl * (u - lo);
            fv = value[k] + sl * (v - lo);
        }
        area += 0.5 * (fu + fv) * (v - u);
    }
    return area / (b - a);
}

/* Mean over the measured window of input `target` (cob_pert_target) of population pop as the run
 * used it (its schedule with the protocol's perturbations, cob_protocol_schedule); 0 if absent. */
static double input_mean(const cob_config *c, int pop, int target)
{
    int64_t t_steps[COB_SCHEDULE_MAX];
    double value[COB_SCHEDULE_MAX];
    int n = cob_protocol_schedule(c, pop, target, t_steps, value, COB_SCHEDULE_MAX);
    if (n > COB_SCHEDULE_MAX)
        n = COB_SCHEDULE_MAX; /* refused by the config check; never reached */
    return pl_mean(t_steps, value, n, c->run.dt_ms, c->run.t_warmup_ms, c->run.t_warmup_ms + c->run.t_sim_ms);
}

/* Index in s->pop[] of config population q (neuron populations only, in config order); -1. */
static int stats_index(const cob_config *c, int q)
{
    int k, i = 0;
    if (!cob_model_is_neuron(c->pops[q].model))
        return -1;
    for (k = 0; k < q; ++k) i += cob_model_is_neuron(c->pops[k].model) ? 1 : 0;
    return i;
}

static void balance_pop(cob_pop_stats *ps, const cob_stats *s, const cob_net *net, const cob_config *c, int q,
                        uint8_t *marks, int32_t *part)
{
    const cob__model_host *mh = cob__model_host_of(c->pops[q].model);
    const cob_lif_params *lp = &c->pops[q].lif;
    const double T = s->t_measured_s, mu = input_mean(c, q, COB_PERT_MU);
    double sum = 0.0, sum2 = 0.0, g_kind, src_rate[COB_MAX_POPS];
    int r, pop_stats[COB_MAX_POPS]; /* stats index of every population, -1 for Poisson ones */
    int64_t i, n_ok = 0;
    if (!mh || !mh->mean_input)
        return; /* a model without the hook: its balance stays unset (bal arrays 0, mean NaN) */
    mh->mean_input(lp, COB_RECEPTOR_E, 0.0, 0.0, 0.0, &g_kind); /* NaN: a current-based model */
    for (r = 0; r < c->n_pops; ++r) {
        src_rate[r] = cob_model_is_neuron(c->pops[r].model) ? 0.0 : input_mean(c, r, COB_PERT_RATE);
        pop_stats[r] = stats_index(c, r);
    }
    for (i = 0; i < ps->bal_n; ++i) {
        double v = i < ps->v_n && isfinite(ps->v_mean_mV[i]) ? ps->v_mean_mV[i] : ps->v_pop_mean_mV;
        double in[3] = {0.0, 0.0, mu}, g[3] = {0.0, 0.0, 0.0};
        int p;
        for (p = 0; p < net->n_projs; ++p) {
            const cob_proj *pr = &net->proj[p];
            const cob_proj_spec *sp = &c->projs[p];
            int pre_stats = pop_stats[pr->pre], kind;
            double rate_in = 0.0, gi, x;
            if (pr->post != q)
                continue;
            if (pre_stats < 0) { /* a Poisson population: K_i sources at its mean rate over the window */
                rate_in = pr->indegree[i] * src_rate[pr->pre];
                kind = 2;
            } else {
                const uint32_t *cnt = s->pop[pre_stats].spike_count;
                int32_t m, k = pr->indegree[i];
                double spikes = 0.0;
                cob_net_partners(net, p, i, marks, part);
                for (m = 0; m < k; ++m) spikes += cnt[part[m]];
                rate_in = T > 0 ? spikes / T : NAN;
                kind = sp->receptor == COB_RECEPTOR_E ? 0 : 1;
            }
            x = mh->mean_input(lp, (int)sp->receptor, sp->weight, rate_in, v, &gi);
            in[kind] += x;
            ps->bal_input_src[i * ps->bal_n_src + pr->pre] += x;
            g[kind] += gi;
        }
        ps->bal_input_src[i * ps->bal_n_src + ps->bal_n_src - 1] = mu;
        ps->bal_input_e[i] = in[0];
        ps->bal_input_i[i] = in[1];
        ps->bal_input_ext[i] = in[2];
        ps->bal_factor[i] = -in[1] / (in[0] + in[2]);
        ps->bal_g_e[i] = isnan(g_kind) ? NAN : g[0];
        ps->bal_g_i[i] = isnan(g_kind) ? NAN : g[1];
        ps->bal_g_ext[i] = isnan(g_kind) ? NAN : g[2];
        if (isfinite(ps->bal_factor[i])) {
            sum += ps->bal_factor[i];
            sum2 += ps->bal_factor[i] * ps->bal_factor[i];
            n_ok += 1;
        }
    }
    ps->bal_factor_mean = n_ok ? sum / n_ok : NAN;
    ps->bal_factor_sd = n_ok ? sqrt(fmax(sum2 / n_ok - ps->bal_factor_mean * ps->bal_factor_mean, 0.0)) : NAN;
}

cob_status cob_stats_balance(cob_stats *s, const cob_net *net, const cob_config *c, cob_err *err)
{
    int64_t n_avail_max = 1, k_max = 1;
    uint8_t *marks;
    int32_t *part;
    int q, p;
    if (c->stats.balance_neurons <= 0)
        return COB_OK;
    for (p = 0; p < net->n_projs; ++p) {
        if (net->proj[p].n_avail > n_avail_max)
            n_avail_max = net->proj[p].n_avail;
        if (net->proj[p].k_max > k_max)
            k_max = net->proj[p].k_max;
    }
    marks = calloc((size_t)n_avail_max, 1);
    part = malloc((size_t)k_max * sizeof *part);
    if (!marks || !part) {
        free(marks);
        free(part);
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the input balance (%lld partners)",
                           (long long)k_max);
    }
    for (q = 0; q < c->n_pops; ++q) {
        int k = stats_index(c, q);
        if (k < 0 || k >= s->n_pops || strcmp(s->pop[k].name, c->pops[q].name) != 0)
            continue;
        balance_pop(&s->pop[k], s, net, c, q, marks, part);
    }
    free(marks);
    free(part);
    return COB_OK;
}
