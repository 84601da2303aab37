/* host/sim/plan.c -- cob_plan_compile: a checked config and its network into the run plan
 * (include/cobalt/plan.h). Every duration becomes steps here, every Poisson table is made here,
 * once per run; the backends and the accumulators only read the result. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "cobalt/plan.h"
#include "cobalt/ring.h"
#include "cobalt/hd/philox.h"
#include "inputs/poisson_tables.h"

static void plan_stats(cob_plan *pl, const cob_config *c, const cob_net *net)
{
    const cob_stats_spec *ss = &c->stats;
    int pop;
    pl->bin_steps = cob_config_bin_steps(c);
    pl->n_bins_ts = cob_config_n_bins_ts(c);
    pl->v_stride = ss->v_sample_stride_steps;
    pl->v_bins = ss->v_hist_bins;
    pl->v_min_mV = (float)ss->v_hist_min_mV;
    pl->v_inv_width = (float)(ss->v_hist_bins / (ss->v_hist_max_mV - ss->v_hist_min_mV));
    pl->raster_neurons = ss->raster_neurons;
    pl->raster_cap = ss->raster_neurons > 0 ? ss->raster_max_spikes : 0;
    pl->trace_neurons = ss->trace_neurons;
    pl->trace_stride = ss->trace_stride_steps;
    pl->trace_n = 0;
    for (pop = 0; pop < c->n_pops; ++pop)
        if (net->pop_offset[pop] >= 0)
            pl->trace_n += c->pops[pop].size < ss->trace_neurons ? c->pops[pop].size : ss->trace_neurons;
    pl->trace_samples = pl->trace_n ? COB_CEIL_DIV(pl->measure_steps, pl->trace_stride) : 0;
    pl->reduce = *ss;
}

/* A schedule of the config in steps of dt_ms: times rounded to the nearest step; points that fall
 * on the same step merge (the later one wins), so the steps increase strictly. */
void cob_plan_schedule(cob_schedule *out, const cob_sched_spec *s, double dt_ms)
{
    int i;
    out->n = 0;
    for (i = 0; i < s->n && i < COB_SCHEDULE_MAX; ++i) {
        int64_t t = cob_steps(s->t_ms[i], dt_ms);
        if (out->n > 0 && out->t_steps[out->n - 1] == t)
            out->n -= 1;
        out->t_steps[out->n] = t;
        out->value[out->n] = (float)s->value[i];
        out->n += 1;
    }
}

/* Input target (cob_pert_target) of population pop as the run uses it: its schedule with the
 * protocol's perturbations, in steps (host/config/config_protocol.c; without perturbations the
 * same points as cob_plan_schedule). n = 0 when the population has no such input. */
static void plan_sched(cob_schedule *out, const cob_config *c, int pop, int target)
{
    int64_t t[COB_SCHEDULE_MAX];
    double v[COB_SCHEDULE_MAX];
    int n = cob_protocol_schedule(c, pop, target, t, v, COB_SCHEDULE_MAX), i;
    out->n = n < COB_SCHEDULE_MAX ? n : COB_SCHEDULE_MAX; /* more is refused by the config check */
    for (i = 0; i < out->n; ++i) {
        out->t_steps[i] = t[i];
        out->value[i] = (float)v[i];
    }
}

/* White noise: the exact propagators of the OU increment over a step (include/cobalt/hd/noise.h). */
static void plan_noise(cob_noise *nz, const cob_config *c, int pop)
{
    const cob_pop_spec *ps = &c->pops[pop];
    const double dt_ms = c->run.dt_ms, tau_s = ps->lif.tau_m_ms * 1e-3, d = exp(-dt_ms / ps->lif.tau_m_ms);
    memset(nz, 0, sizeof *nz);
    plan_sched(&nz->mu, c, pop, COB_PERT_MU);
    plan_sched(&nz->sigma, c, pop, COB_PERT_SIGMA);
    if (nz->mu.n <= 0 && nz->sigma.n <= 0)
        return;
    nz->on = 1;
    nz->bridge = ps->noise.bridge;
    nz->stream = COB_STREAM(COB_STREAM_NOISE, pop);
    nz->k_mu = (float)(tau_s * (1.0 - d));
    nz->k_sigma = (float)sqrt(tau_s * (1.0 - d * d) / 2.0);
    nz->tune = cob_tuning_of(c, pop, pop); /* a tuned mean (the checks require mu and a ring) */
}

/* A rate that varies: its schedule in steps and its largest value (float, as evaluated). */
static void plan_rate(cob_plan_pop *pp, const cob_config *c, int pop)
{
    cob_rate_sched *rs = &pp->rate_sched;
    const int tuned = c->pops[pop].tuning.shape != COB_TUNE_NONE;
    int i;
    memset(rs, 0, sizeof *rs);
    /* a tuned rate takes the scheduled paths (a constant is a one-point schedule): independent
     * targets draw with their own mean, pool sources thin at their own rate (hd/tuning.h) */
    if (!cob_pop_rate_varies(c, pop) && !tuned)
        return;
    plan_sched(&rs->rate, c, pop, COB_PERT_RATE);
    for (i = 0; i < rs->rate.n; ++i)
        if (rs->rate.value[i] > rs->rate_max)
            rs->rate_max = rs->rate.value[i];
    rs->on = rs->rate_max > 0.0f; /* a rate that is 0 throughout: the constant path at rate_hz = 0 */
    if (rs->on && tuned && c->pops[pop].input_mode == COB_INPUT_POOL) {
        double m;
        rs->tune = cob_tuning_of(c, pop, pop);
        m = (double)rs->rate_max * cob_tuning_gain_max(&rs->tune);
        rs->rate_max = (float)m;
        if ((double)rs->rate_max < m) /* candidates at least as fast as the fastest source */
            rs->rate_max = nextafterf(rs->rate_max, INFINITY);
    }
    pp->rate_hz = rs->on ? (double)rs->rate_max : 0.0;
}

static cob_status plan_pop(cob_plan *pl, const cob_config *c, int pop, cob_err *err)
{
    const cob_pop_spec *ps = &c->pops[pop];
    cob_plan_pop *pp = &pl->pop[pop];
    snprintf(pp->name, sizeof pp->name, "%s", ps->name);
    pp->model = (int32_t)ps->model;
    pp->size = ps->size;
    pp->v_init_min_mV = ps->lif.v_init_min_mV;
    pp->v_init_span_mV = ps->lif.v_init_max_mV - ps->lif.v_init_min_mV;
    pp->tau_m_ms = ps->lif.tau_m_ms;
    pp->input = (int32_t)ps->input_mode;
    pp->rate_hz = ps->rate_hz;
    if (ps->model != COB_MODEL_POISSON) {
        plan_noise(&pp->noise, c, pop);
        return COB_OK;
    }
    plan_rate(pp, c, pop);
    pp->p_step = pp->rate_hz * c->run.dt_ms * 1e-3;
    if (ps->input_mode == COB_INPUT_POOL && pp->p_step > 0.0 && pp->p_step < 1.0) {
        pp->gap_thr = cob_geometric_table(pp->p_step, &pp->gap_len);
        if (!pp->gap_thr)
            return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the gap table of Poisson population %s",
                               ps->name);
    }
    return COB_OK;
}

/* Independent input: Poisson(k rate dt) by chunks for every realised in-degree k. */
static cob_status plan_proj(cob_plan *pl, const cob_config *c, const cob_net *net, int p, cob_err *err)
{
    const cob_proj *pr = &net->proj[p];
    cob_plan_proj *pp = &pl->proj[p];
    double rate = pl->pop[pr->pre].rate_hz, dt_s = c->run.dt_ms * 1e-3;
    int32_t k;
    pp->independent = pr->independent;
    pp->stream = COB_STREAM(COB_STREAM_INDEP, p);
    if (!pr->independent)
        return COB_OK;
    pp->sched = pl->pop[pr->pre].rate_sched.on;
    if (pp->sched)
        pp->tune = cob_tuning_of(c, pr->pre, pr->post); /* on the target's ring */
    pp->pre = pr->pre;
    pp->dt_s = dt_s;
    pp->k_max = pr->k_max;
    pp->n_chunks = malloc(((size_t)pp->k_max + 1) * sizeof *pp->n_chunks);
    pp->lambda_chunk = malloc(((size_t)pp->k_max + 1) * sizeof *pp->lambda_chunk);
    pp->exp_neg = malloc(((size_t)pp->k_max + 1) * sizeof *pp->exp_neg);
    if (!pp->n_chunks || !pp->lambda_chunk || !pp->exp_neg)
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the Poisson tables of projection %d", p);
    for (k = 0; k <= pp->k_max; ++k)
        cob_poisson_chunks(k * rate * dt_s, &pp->n_chunks[k], &pp->lambda_chunk[k], &pp->exp_neg[k]);
    return COB_OK;
}

cob_status cob_plan_compile(cob_plan *pl, const cob_config *c, const cob_net *net, cob_err *err)
{
    cob_status st = COB_OK;
    int i;
    memset(pl, 0, sizeof *pl);
    pl->dt_ms = c->run.dt_ms;
    pl->seed = c->run.seed;
    pl->warmup_steps = cob_steps(c->run.t_warmup_ms, c->run.dt_ms);
    pl->measure_steps = cob_steps(c->run.t_sim_ms, c->run.dt_ms);
    pl->total_steps = pl->warmup_steps + pl->measure_steps;
    pl->n_pops = c->n_pops;
    pl->n_projs = c->n_projs;
    plan_stats(pl, c, net);
    pl->v_neurons = c->stats.v_neurons;
    pl->windows.steps.n = c->protocol.n_windows;
    for (i = 0; i < c->protocol.n_windows; ++i) {
        pl->windows.steps.start[i] = cob_steps(c->protocol.windows[i].start_ms, c->run.dt_ms);
        pl->windows.steps.end[i] = cob_steps(c->protocol.windows[i].end_ms, c->run.dt_ms);
        snprintf(pl->windows.name[i], COB_NAME_MAX, "%s", c->protocol.windows[i].name);
    }
    for (i = 0; i < c->n_pops && st == COB_OK; ++i) st = plan_pop(pl, c, i, err);
    for (i = 0; i < c->n_projs && st == COB_OK; ++i) st = plan_proj(pl, c, net, i, err);
    if (st != COB_OK)
        cob_plan_free(pl);
    return st;
}

void cob_plan_free(cob_plan *pl)
{
    int i;
    for (i = 0; i < COB_MAX_POPS; ++i) free(pl->pop[i].gap_thr);
    for (i = 0; i < COB_MAX_PROJS; ++i) {
        free(pl->proj[i].n_chunks);
        free(pl->proj[i].lambda_chunk);
        free(pl->proj[i].exp_neg);
    }
    memset(pl, 0, sizeof *pl);
}
