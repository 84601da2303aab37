/* host/cpu/cpu_backend.c -- the CPU backend: a plain loop around the shared step functions of
 * include/cobalt/hd/ (one physics, two launchers). Per step: pool-source spikes and
 * independent Poisson counts, arrival of the events due now, neuron updates (+ statistics),
 * emission of this step's spikes into arrival buckets (host/cpu/cpu_backend.h). Every phase runs
 * on OpenMP threads with integer counts only, so results do not depend on the thread count. Pairs with kernels/ (the CUDA launcher of the same functions). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cobalt/sim.h"
#include "cobalt/hd/stats.h"
#include "cpu/cpu_backend.h"
#include "inputs/poisson_tables.h"

/* Threads used by every parallel region of a run (capped at 256). */
static int n_threads(void)
{
#ifdef _OPENMP
    int n = omp_get_max_threads();
    return n > 256 ? 256 : n;
#else
    return 1;
#endif
}

static cob_status alloc_state(cob_cpu *s, cob_err *err)
{
    const cob_net *net = s->net;
    int pop;
    size_t n = (size_t)(net->n_neurons ? net->n_neurons : 1);
    int k;
    /* every state variable starts at 0; V is then drawn (init_voltage) */
    for (k = 0; k < net->n_state_f32; ++k)
        if (!(s->state.f[k] = calloc(n, sizeof *s->state.f[k]))) goto nomem;
    for (k = 0; k < net->n_state_i32; ++k)
        if (!(s->state.i[k] = calloc(n, sizeof *s->state.i[k]))) goto nomem;
    s->inbuf = calloc((size_t)(s->n_thr * s->inbuf_cells), sizeof *s->inbuf);
    s->bkt = calloc((size_t)s->n_thr * (size_t)net->ring_slots, sizeof *s->bkt);
    if (!s->inbuf || !s->bkt) goto nomem;
    for (pop = 0; pop < net->n_pops; ++pop) {
        s->spk[pop] = malloc((size_t)s->c->pops[pop].size * sizeof *s->spk[pop]);
        if (!s->spk[pop]) goto nomem;
    }
    return COB_OK;
nomem:
    return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the neuron state and input buffers "
                       "(%lld neurons, %d channels, %d threads)", (long long)net->n_neurons,
                       net->n_channels_max, s->n_thr);
}

/* Initial V uniform in [v_init_min, v_init_max], from (seed, VINIT(pop), i). */
static void init_voltage(cob_cpu *s)
{
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        const cob_lif_params *lp = &s->c->pops[pop].lif;
        int64_t off = s->net->pop_offset[pop], i;
        if (off < 0) continue;
        for (i = 0; i < s->c->pops[pop].size; ++i) {
            cob_u32x4 w = cob_philox(s->net->seed, COB_STREAM(COB_STREAM_VINIT, pop), (uint32_t)i, 0);
            double u = cob_u01_double(w.v[0], w.v[1]);
            s->state.f[0][off + i] = (float)(lp->v_init_min_mV + (lp->v_init_max_mV - lp->v_init_min_mV) * (1.0 - u));
        }
    }
}

/* Pool sources: inversion tables and the first spike step of every source. */
static cob_status init_sources(cob_cpu *s, cob_err *err)
{
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        const cob_pop_spec *ps = &s->c->pops[pop];
        cob_pool *pl = &s->pool[pop];
        double p = ps->rate_hz * s->c->run.dt_ms * 1e-3;
        int64_t j;
        if (ps->model != COB_MODEL_POISSON || ps->input_mode != COB_INPUT_POOL) continue;
        pl->active = 1;
        pl->p = p;
        pl->next = malloc((size_t)ps->size * sizeof *pl->next);
        pl->n_draws = calloc((size_t)ps->size, sizeof *pl->n_draws);
        if (p > 0.0 && p < 1.0) pl->thr = cob_geometric_table(p, &pl->len);
        if (!pl->next || !pl->n_draws || (p > 0.0 && p < 1.0 && !pl->thr))
            return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for Poisson population %s", ps->name);
        for (j = 0; j < ps->size; ++j) pl->next[j] = cob_cpu_next_spike(s, pop, j, -1);
    }
    return COB_OK;
}

int64_t cob_cpu_next_spike(cob_cpu *s, int pop, int64_t j, int64_t t_last)
{
    cob_pool *pl = &s->pool[pop];
    if (pl->p <= 0.0) return INT64_MAX;
    if (pl->p >= 1.0) return t_last + 1;
    return t_last + cob_geometric_gap(s->net->seed, COB_STREAM(COB_STREAM_SOURCE, pop), (uint32_t)j,
                                      &pl->n_draws[j], pl->thr, pl->len);
}

/* Independent inputs: Poisson parameters per distinct in-degree. */
static cob_status init_independent(cob_cpu *s, cob_err *err)
{
    int p;
    for (p = 0; p < s->net->n_projs; ++p) {
        const cob_proj *pr = &s->net->proj[p];
        cob_indep *in = &s->indep[p];
        double rate = s->c->pops[pr->pre].rate_hz, dt_s = s->c->run.dt_ms * 1e-3;
        int32_t k_max = 0, k;
        int64_t i;
        if (!pr->independent) continue;
        for (i = 0; i < pr->n_post; ++i) if (pr->indegree[i] > k_max) k_max = pr->indegree[i];
        in->n_chunks = malloc(((size_t)k_max + 1) * sizeof *in->n_chunks);
        in->lambda_chunk = malloc(((size_t)k_max + 1) * sizeof *in->lambda_chunk);
        in->exp_neg = malloc(((size_t)k_max + 1) * sizeof *in->exp_neg);
        if (!in->n_chunks || !in->lambda_chunk || !in->exp_neg)
            return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for independent input %d", p);
        for (k = 0; k <= k_max; ++k)
            cob_poisson_chunks(k * rate * dt_s, &in->n_chunks[k], &in->lambda_chunk[k], &in->exp_neg[k]);
    }
    return COB_OK;
}

static void cpu_destroy(void *impl)
{
    cob_cpu *s = impl;
    int i;
    if (!s) return;
    for (i = 0; i < COB_STATE_F_MAX; ++i) free(s->state.f[i]);
    for (i = 0; i < COB_STATE_I_MAX; ++i) free(s->state.i[i]);
    free(s->inbuf);
    if (s->bkt)
        for (i = 0; i < s->n_thr * s->net->ring_slots; ++i) free(s->bkt[i].cell);
    free(s->bkt);
    for (i = 0; i < COB_MAX_POPS; ++i) {
        free(s->spk[i]);
        free(s->pool[i].next); free(s->pool[i].n_draws); free(s->pool[i].thr);
    }
    for (i = 0; i < COB_MAX_PROJS; ++i) {
        free(s->indep[i].n_chunks); free(s->indep[i].lambda_chunk); free(s->indep[i].exp_neg);
    }
    free(s->overflow_per_thread);
    free(s->events_per_thread);
    free(s->share);
    free(s->vhist);
    cob_acc_free(&s->acc);
    free(s);
}

static cob_status cpu_init(void **impl, const cob_net *net, const cob_config *c, cob_err *err)
{
    cob_cpu *s = calloc(1, sizeof *s);
    cob_status st;
    *impl = NULL;
    if (!s) return cob_err_set(err, COB_ERR_NOMEM, "out of host memory");
    s->net = net; s->c = c;
    s->n_thr = n_threads();
    s->inbuf_cells = (int64_t)(net->n_channels_max ? net->n_channels_max : 1) * (net->n_neurons ? net->n_neurons : 1);
    if (s->inbuf_cells > (int64_t)UINT32_MAX) {
        free(s);
        return cob_err_set(err, COB_ERR_INVALID, "%lld neurons x %d input channels exceed the CPU backend's "
                           "32-bit input-cell index", (long long)net->n_neurons, net->n_channels_max);
    }
    s->overflow_per_thread = calloc((size_t)s->n_thr * 8, sizeof *s->overflow_per_thread);
    s->events_per_thread = calloc((size_t)s->n_thr * 8, sizeof *s->events_per_thread);
    s->share = calloc((size_t)s->n_thr, sizeof *s->share);
    s->vhist = calloc((size_t)s->n_thr * (size_t)net->n_pops * (size_t)(c->stats.v_hist_bins + 2), sizeof *s->vhist);
    st = s->overflow_per_thread && s->events_per_thread && s->share && s->vhist ? COB_OK : cob_err_set(err, COB_ERR_NOMEM, "out of host memory");
    if (st == COB_OK) st = alloc_state(s, err);
    if (st == COB_OK) st = cob_acc_init(&s->acc, net, c, err);
    if (st == COB_OK) st = init_sources(s, err);
    if (st == COB_OK) st = init_independent(s, err);
    if (st != COB_OK) { cpu_destroy(s); return st; }
    init_voltage(s);
    *impl = s;
    return COB_OK;
}

static cob_status cpu_run(void *impl, int64_t n_steps, cob_err *err)
{
    cob_cpu *s = impl;
    cob_cpu_steps(s, n_steps);
    if (s->bad_model)
        return cob_err_set(err, COB_ERR_INVALID, "internal: population %s has model %d, which the CPU backend's "
                           "step does not know", s->c->pops[s->bad_model - 1].name, s->net->pop_model[s->bad_model - 1]);
    if (s->bkt_failed)
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the spike-delivery buckets "
                           "(before step %lld)", (long long)s->t);
    return COB_OK;
}

static cob_status cpu_poll(void *impl, uint64_t *spikes_per_pop, cob_err *err)
{
    cob_cpu *s = impl;
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        spikes_per_pop[pop] = s->poll_count[pop];
        s->poll_count[pop] = 0;
    }
    return COB_OK;
}

/* Sum the per-thread voltage histograms into the accumulators (once, at read). */
static void merge_vhist(cob_cpu *s)
{
    int64_t bins = s->acc.v_bins, k, b;
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        cob_pop_acc *pa = &s->acc.pop[pop];
        if (s->net->pop_offset[pop] < 0) continue;
        pa->v_below = pa->v_above = 0;
        memset(pa->v_hist, 0, (size_t)bins * sizeof *pa->v_hist);
        for (k = 0; k < s->n_thr; ++k) {
            const uint64_t *h = s->vhist + (k * s->net->n_pops + pop) * (bins + 2);
            pa->v_below += h[0];
            for (b = 0; b < bins; ++b) pa->v_hist[b] += h[b + 1];
            pa->v_above += h[bins + 1];
        }
    }
}

static cob_status cpu_read(void *impl, cob_stats *out, cob_err *err)
{
    cob_cpu *s = impl;
    uint64_t events = 0;
    int k;
    cob_status st;
    s->acc.ring_overflow = 0;
    for (k = 0; k < s->n_thr; ++k) {
        s->acc.ring_overflow += s->overflow_per_thread[k * 8];
        events += s->events_per_thread[k * 8];
    }
    merge_vhist(s);
    st = cob_acc_reduce(&s->acc, s->net, s->c, out, err);
    out->syn_events = (int64_t)events;
    return st;
}

static const cob_backend_ops cpu_ops = {"cpu", cpu_init, cpu_run, cpu_poll, cpu_read, cpu_destroy, 0, NULL};

const cob_backend_ops *cob_cpu_backend(void) { return &cpu_ops; }
