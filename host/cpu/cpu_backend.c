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
#include "cobalt/estimate.h"
#include "cobalt/hd/stats.h"
#include "cpu/cpu_backend.h"
#include "cobalt/hd/poisson.h"
#include "util/clock.h"

/* Below this much work per step (neurons + stored synapses / 1000, about the events of a step
 * at 10 Hz and dt = 0.1 ms) a run without OMP_NUM_THREADS takes one thread: a barrier costs about
 * a microsecond on idle cores and far more on shared ones, more than splitting saves. */
#define COB_CPU_SERIAL_WORK 2048

/* Threads used by every parallel region of a run (capped at 256), from the run's request
 * (cob_sim_options.threads): a number, OpenMP's (0), or automatic: OpenMP's when OMP_NUM_THREADS
 * is set, else one for a network too small to pay for barriers. */
static int n_threads(const cob_net *net, int request)
{
#ifdef _OPENMP
    int n = request > 0 ? request : omp_get_max_threads(), p;
    const char *env = getenv("OMP_NUM_THREADS");
    if (request == COB_THREADS_AUTO && !(env && *env)) {
        double work = (double)net->n_neurons;
        for (p = 0; p < net->n_projs; ++p) work += (double)net->proj[p].n_syn / 1000.0;
        if (work < COB_CPU_SERIAL_WORK)
            n = 1;
    }
    omp_set_dynamic(0); /* the team is the size asked for: every bucket set has its emitter */
    return n > 256 ? 256 : n;
#else
    (void)net;
    (void)request;
    return 1;
#endif
}

int32_t cob_cpu_chunk_steps(int32_t min_arrival, int n_thr, int64_t inbuf_cells, int64_t spike_slots)
{
    const int64_t per_set = (int64_t)n_thr * inbuf_cells * 2 + spike_slots * 5; /* int32 spike, uint8 offset */
    int64_t c = min_arrival < COB_CPU_CHUNK_MAX ? min_arrival : COB_CPU_CHUNK_MAX;
    if (c < 1)
        c = 1;
    while (c > 1 && 2 * c * per_set > COB_CPU_CHUNK_BYTES) --c;
    return (int32_t)c;
}

/* Steps per chunk of this network: from the shortest arrival offset of any stored projection
 * with synapses (as cob_proj_spec_min_arrival). */
static int chunk_steps(const cob_net *net, int n_thr, int64_t inbuf_cells)
{
    int32_t d_min = COB_CPU_CHUNK_MAX;
    int64_t sizes = 0;
    int p, pop;
    for (p = 0; p < net->n_projs; ++p) {
        const cob_proj *pr = &net->proj[p];
        int32_t d = pr->min_delay < 1 ? 1 : pr->min_delay;
        if (!pr->independent && pr->n_syn > 0 && d < d_min)
            d_min = d;
    }
    for (pop = 0; pop < net->n_pops; ++pop) sizes += net->pop_size[pop];
    return cob_cpu_chunk_steps(d_min, n_thr, inbuf_cells, sizes);
}

static cob_status alloc_state(cob_cpu *s, cob_err *err)
{
    const cob_net *net = s->net;
    int pop;
    size_t n = (size_t)(net->n_neurons ? net->n_neurons : 1);
    int k;
    /* every state variable starts at 0; V is then drawn (init_voltage) */
    for (k = 0; k < net->n_state_f32; ++k)
        if (!(s->state.f[k] = calloc(n, sizeof *s->state.f[k])))
            goto nomem;
    for (k = 0; k < net->n_state_i32; ++k)
        if (!(s->state.i[k] = calloc(n, sizeof *s->state.i[k])))
            goto nomem;
    s->inbuf = calloc((size_t)s->n_thr * (size_t)s->n_sets * (size_t)s->inbuf_cells, sizeof *s->inbuf);
    s->bkt = calloc((size_t)s->n_thr * (size_t)net->ring_slots, sizeof *s->bkt);
    s->max_pieces = COB_CPU_PIECES * s->n_thr;
    s->blk_n = calloc((size_t)s->n_sets * (size_t)s->max_pieces * COB_MAX_POPS, sizeof *s->blk_n);
    s->ticket = calloc((size_t)s->n_sets, sizeof *s->ticket);
    s->spin = calloc((size_t)s->n_thr, sizeof *s->spin);
    if (!s->inbuf || !s->bkt || !s->blk_n || !s->ticket || !s->spin)
        goto nomem;
    for (k = 0; k < s->n_thr; ++k) s->spin[k].spin = COB_BARRIER_SPIN_MAX / 16;
    for (pop = 0; pop < net->n_pops; ++pop) {
        size_t m = (size_t)s->n_sets * (size_t)(s->net->pop_size[pop] ? s->net->pop_size[pop] : 1);
        s->spk[pop] = malloc(m * sizeof *s->spk[pop]);
        if (!s->spk[pop])
            goto nomem;
        if (net->dfrac_any && !(s->spk_tick[pop] = malloc(m)))
            goto nomem;
    }
    return COB_OK;
nomem:
    return cob_err_set(err, COB_ERR_NOMEM,
                       "out of host memory for the neuron state and input buffers "
                       "(%lld neurons, %d channels, %d threads)",
                       (long long)net->n_neurons, net->n_channels_max, s->n_thr);
}

/* Initial V uniform in [v_init_min, v_init_min + span], from (seed, VINIT(pop), i). */
static void init_voltage(cob_cpu *s)
{
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        const cob_plan_pop *pp = &s->plan->pop[pop];
        int64_t off = s->net->pop_offset[pop], i;
        if (off < 0)
            continue;
        for (i = 0; i < pp->size; ++i) {
            cob_u32x4 w = cob_philox(s->net->seed, COB_STREAM(COB_STREAM_VINIT, pop), (uint32_t)i, 0);
            double u = cob_u01_double(w.v[0], w.v[1]);
            s->state.f[0][off + i] = (float)(pp->v_init_min_mV + pp->v_init_span_mV * (1.0 - u));
        }
    }
}

/* Pool sources: the first spike step of every source. */
static cob_status init_sources(cob_cpu *s, cob_err *err)
{
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        const cob_plan_pop *pp = &s->plan->pop[pop];
        cob_pool *pl = &s->pool[pop];
        int64_t j;
        if (pp->model != COB_MODEL_POISSON || pp->input != COB_INPUT_POOL)
            continue;
        pl->active = 1;
        pl->next = malloc((size_t)(pp->size ? pp->size : 1) * sizeof *pl->next);
        pl->n_draws = calloc((size_t)(pp->size ? pp->size : 1), sizeof *pl->n_draws);
        if (!pl->next || !pl->n_draws)
            return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for Poisson population %s", pp->name);
        for (j = 0; j < pp->size; ++j)
            pl->next[j] = cob_pool_next(s->net->seed, COB_STREAM(COB_STREAM_SOURCE, pop), (uint32_t)j, -1, pp->p_step,
                                        &pl->n_draws[j], pp->gap_thr, pp->gap_len);
    }
    return COB_OK;
}

/* Most distinct one-chunk in-degrees of a projection that get inversion tables (each about
 * 1 KB of guide plus 8 bytes per term); beyond, the draws use the loop (same values). */
#define COB_PTAB_MAX 1024

/* Independent projections: the Philox-word cache, and the inversion tables of a constant rate
 * for every one-chunk in-degree present. */
static cob_status init_indep(cob_cpu *s, cob_err *err)
{
    int p;
    for (p = 0; p < s->net->n_projs; ++p) {
        const cob_proj *pr = &s->net->proj[p];
        const cob_plan_proj *in = &s->plan->proj[p];
        cob_indep *ix = &s->indep[p];
        int64_t i, n_tab = 0;
        int32_t k;
        if (!pr->independent)
            continue;
        if (!(ix->w = malloc((size_t)(pr->n_post ? pr->n_post : 1) * 4 * sizeof *ix->w)))
            goto nomem;
        if (in->sched)
            continue;
        if (!(ix->tab = calloc((size_t)in->k_max + 1, sizeof *ix->tab)))
            goto nomem;
        for (i = 0; i < pr->n_post; ++i) {
            cob_ptab *tb;
            int32_t m;
            k = pr->indegree[i];
            if (ix->tab[k] || in->n_chunks[k] != 1)
                continue;
            if (++n_tab > COB_PTAB_MAX) { /* too varied: the loop for all (the same values) */
                for (k = 0; k <= in->k_max; ++k) free(ix->tab[k]);
                free(ix->tab);
                ix->tab = NULL;
                break;
            }
            m = cob_poisson_cdf_terms(in->lambda_chunk[k], in->exp_neg[k]);
            if (!(tb = malloc(sizeof *tb + (size_t)m * sizeof tb->f[0])))
                goto nomem;
            tb->m = m;
            cob_poisson_cdf_fill(in->lambda_chunk[k], in->exp_neg[k], m, tb->f, tb->guide);
            ix->tab[k] = tb;
        }
    }
    if (!(s->indep_blk = malloc((size_t)s->n_thr * 8 * sizeof *s->indep_blk)))
        goto nomem;
    return COB_OK;
nomem:
    return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the independent Poisson inputs' draw tables");
}

static void cpu_destroy(void *impl)
{
    cob_cpu *s = impl;
    int i;
    if (!s)
        return;
    for (i = 0; i < COB_STATE_F_MAX; ++i) free(s->state.f[i]);
    for (i = 0; i < COB_STATE_I_MAX; ++i) free(s->state.i[i]);
    free(s->inbuf);
    free(s->blk_n);
    free((void *)s->ticket);
    free(s->spin);
    if (s->bkt)
        for (i = 0; i < s->n_thr * s->net->ring_slots; ++i) free(s->bkt[i].cell);
    free(s->bkt);
    for (i = 0; i < COB_MAX_POPS; ++i) {
        free(s->spk[i]);
        free(s->spk_tick[i]);
        free(s->pool[i].next);
        free(s->pool[i].n_draws);
    }
    for (i = 0; i < s->net->n_projs; ++i) {
        if (s->indep[i].tab)
            for (int32_t k = 0; k <= s->plan->proj[i].k_max; ++k) free(s->indep[i].tab[k]);
        free(s->indep[i].tab);
        free(s->indep[i].w);
    }
    free(s->indep_blk);
    free(s->overflow_per_thread);
    free(s->events_per_thread);
    free(s->share);
    free(s->vhist);
    cob_acc_free(&s->acc);
    free(s);
}

static cob_status cpu_init(void **impl, const cob_net *net, const cob_plan *plan, cob_err *err)
{
    cob_cpu *s = calloc(1, sizeof *s);
    cob_status st;
    *impl = NULL;
    if (!s)
        return cob_err_set(err, COB_ERR_NOMEM, "out of host memory");
    s->net = net;
    s->plan = plan;
    s->n_thr = n_threads(net, plan->threads);
    s->inbuf_cells = (int64_t)(net->n_channels_max ? net->n_channels_max : 1) * (net->n_neurons ? net->n_neurons : 1);
    s->chunk = chunk_steps(net, s->n_thr, s->inbuf_cells);
    s->n_sets = 2 * s->chunk;
    s->team = s->n_thr;
    s->tune.state = COB_TEAM_FULL;
    s->tune.backoff = COB_TEAM_BACKOFF0;
    s->tune.seg_steps = s->chunk > 16 ? s->chunk : 16;
    {
        const char *cyc = getenv("COBALT_CPU_TEAM_CYCLE"); /* testing aid: see cob_team_tuner */
        s->tune.cycle = cyc && *cyc && *cyc != '0';
    }
    if (s->inbuf_cells > (int64_t)UINT32_MAX) {
        free(s);
        return cob_err_set(err, COB_ERR_INVALID,
                           "%lld neurons x %d input channels exceed the CPU backend's "
                           "32-bit input-cell index",
                           (long long)net->n_neurons, net->n_channels_max);
    }
    s->overflow_per_thread = calloc((size_t)s->n_thr * 8, sizeof *s->overflow_per_thread);
    s->events_per_thread = calloc((size_t)s->n_thr * 8, sizeof *s->events_per_thread);
    s->share = calloc((size_t)s->n_thr, sizeof *s->share);
    s->vhist = calloc((size_t)s->n_thr * (size_t)net->n_pops * (size_t)(plan->v_bins + 2), sizeof *s->vhist);
    st = s->overflow_per_thread && s->events_per_thread && s->share && s->vhist
             ? COB_OK
             : cob_err_set(err, COB_ERR_NOMEM, "out of host memory");
    if (st == COB_OK)
        st = alloc_state(s, err);
    if (st == COB_OK)
        st = cob_acc_init(&s->acc, net, plan, err);
    if (st == COB_OK)
        st = init_sources(s, err);
    if (st == COB_OK)
        st = init_indep(s, err);
    if (st != COB_OK) {
        cpu_destroy(s);
        return st;
    }
    init_voltage(s);
    *impl = s;
    return COB_OK;
}

/* The team on shared cores. With other busy processes on the machine a thread is often
 * descheduled, and the others wait for it at every barrier; one thread then goes faster. cpu_run
 * runs its steps in segments of about COB_TEAM_SEG_S and watches the barrier: when more than
 * COB_TEAM_SLEEP_FRAC of the waits of a segment had to sleep (a sibling was not running), the next
 * segment is a probe on one thread; if that is COB_TEAM_GAIN faster per step, one thread it is,
 * with a probe of the full team after `backoff` segments (doubled after each probe that loses, up
 * to COB_TEAM_BACKOFF_MAX: a few seconds). On idle cores the waits end while spinning, so no probe
 * ever runs. The team never changes a result (any split gives the same counts). */

static void team_set(cob_cpu *s, int team)
{
    if (team != s->team)
        s->tune.switches += 1;
    s->team = team;
}

/* A probe lost: wait twice as long before the next (up to COB_TEAM_BACKOFF_MAX segments). */
static void team_backoff(cob_team_tuner *tu)
{
    tu->backoff = tu->backoff * 2 < COB_TEAM_BACKOFF_MAX ? tu->backoff * 2 : COB_TEAM_BACKOFF_MAX;
}

/* After a segment of n steps in w wall seconds: the next segment's team. */
static void team_adapt(cob_cpu *s, int64_t n, double w)
{
    cob_team_tuner *tu = &s->tune;
    const double per = w / (double)n;
    uint64_t waits = 0, sleeps = 0;
    int k;
    for (k = 0; k < s->n_thr; ++k) {
        waits += s->spin[k].waits;
        sleeps += s->spin[k].sleeps;
        s->spin[k].waits = s->spin[k].sleeps = 0;
    }
    tu->segs += 1;
    if (w > 0)
        tu->seg_steps = (int64_t)((double)n * COB_TEAM_SEG_S / w) + 1;
    if (tu->seg_steps < s->chunk)
        tu->seg_steps = s->chunk;
    if (s->n_thr == 1)
        return;
    if (tu->cycle) {
        team_set(s, s->team == 1 ? s->n_thr : 1);
        return;
    }
    switch (tu->state) {
    case COB_TEAM_FULL:
        tu->step_s[0] = per;
        if (tu->segs >= tu->next_probe && waits > 0 && (double)sleeps > COB_TEAM_SLEEP_FRAC * (double)waits) {
            tu->state = COB_TEAM_PROBE_ONE;
            team_set(s, 1);
        }
        break;
    case COB_TEAM_PROBE_ONE:
        tu->step_s[1] = per;
        if (per < COB_TEAM_GAIN * tu->step_s[0]) {
            tu->state = COB_TEAM_ONE;
            tu->next_probe = tu->segs + tu->backoff;
        } else { /* the full team was not slower: stay, and look again later */
            tu->state = COB_TEAM_FULL;
            team_set(s, s->n_thr);
            tu->next_probe = tu->segs + tu->backoff;
            team_backoff(tu);
        }
        break;
    case COB_TEAM_ONE:
        tu->step_s[1] = per;
        if (tu->segs >= tu->next_probe) {
            tu->state = COB_TEAM_PROBE_FULL;
            team_set(s, s->n_thr);
        }
        break;
    default: /* COB_TEAM_PROBE_FULL */
        tu->step_s[0] = per;
        if (per < COB_TEAM_GAIN * tu->step_s[1]) { /* the cores are free again */
            tu->state = COB_TEAM_FULL;
            tu->backoff = COB_TEAM_BACKOFF0;
            tu->next_probe = tu->segs + COB_TEAM_BACKOFF0;
        } else {
            tu->state = COB_TEAM_ONE;
            team_set(s, 1);
            tu->next_probe = tu->segs + tu->backoff;
            team_backoff(tu);
        }
        break;
    }
}

static cob_status cpu_run(void *impl, int64_t n_steps, cob_err *err)
{
    cob_cpu *s = impl;
    while (n_steps > 0 && !s->bad_model && !s->bkt_failed) {
        const int64_t m = n_steps < s->tune.seg_steps ? n_steps : s->tune.seg_steps;
        const double t0 = cob__wall_s();
        cob_cpu_steps(s, m);
        team_adapt(s, m, cob__wall_s() - t0);
        n_steps -= m;
    }
    if (s->bad_model)
        return cob_err_set(err, COB_ERR_INVALID,
                           "internal: population %s has model %d, which the CPU backend's "
                           "step does not know",
                           s->plan->pop[s->bad_model - 1].name, s->net->pop_model[s->bad_model - 1]);
    if (s->bkt_failed)
        return cob_err_set(err, COB_ERR_NOMEM,
                           "out of host memory for the spike-delivery buckets "
                           "(before step %lld)",
                           (long long)s->t);
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

static cob_status cpu_read(void *impl, cob_stats *out, cob_err *err)
{
    cob_cpu *s = impl;
    uint64_t events = 0;
    int k;
    cob_status st;
    s->acc.ring_overflow = 0;
    s->acc.spikes_merged = 0;
    for (k = 0; k < s->n_thr; ++k) {
        s->acc.ring_overflow += s->overflow_per_thread[k * 8];
        s->acc.spikes_merged += s->overflow_per_thread[k * 8 + 1];
        events += s->events_per_thread[k * 8];
    }
    cob_acc_merge_thread_hist(&s->acc, s->net, s->vhist, s->n_thr);
    st = cob_acc_reduce(&s->acc, s->net, s->plan, out, err);
    out->syn_events = (int64_t)events;
    return st;
}

static void cpu_timing(void *impl, cob_sim_timing *t)
{
    const cob_cpu *s = impl;
    t->threads = s->n_thr;
    t->chunk_steps = s->chunk;
    t->team_switches = s->tune.switches;
}

static const cob_backend_ops cpu_ops = {"cpu",       cpu_init, cpu_run,    cpu_poll,     cpu_read,
                                        cpu_destroy, 0,        cpu_timing, cob_cpu_save, cob_cpu_load};

const cob_backend_ops *cob_cpu_backend(void)
{
    return &cpu_ops;
}
