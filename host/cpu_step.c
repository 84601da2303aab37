/* host/cpu_step.c -- one time step of the CPU backend (see host/cpu_backend.h): sources,
 * independent input, neuron updates with statistics, delivery. The order and the per-neuron
 * and per-synapse work are those of the CUDA kernels; only the iteration differs. */
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cpu_backend.h"
#include "cobalt/hd/lif_curr.h"
#include "cobalt/hd/poisson.h"
#include "cobalt/hd/stats.h"

static void thread_range(int64_t n, int64_t *lo, int64_t *hi)
{
#ifdef _OPENMP
    int tid = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    int tid = 0, nt = 1;
#endif
    *lo = n * tid / nt;
    *hi = n * (tid + 1) / nt;
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static void step_sources(cob_cpu *s, int pop, int64_t t)
{
    cob_pool *pl = &s->pool[pop];
    int64_t j, n = s->c->pops[pop].size, k = 0;
    for (j = 0; j < n; ++j)
        if (pl->next[j] == t) {
            s->spk[pop][k++] = (int32_t)j;
            pl->next[j] = cob_cpu_next_spike(s, pop, j, t);
        }
    s->n_spk[pop] = k;
}

static inline void ring_add(uint16_t *cell, uint32_t k, uint64_t *overflow)
{
    uint32_t v = (uint32_t)*cell + k;
    if (v > 0xFFFFu) { *overflow += v - 0xFFFFu; v = 0xFFFFu; }
    *cell = (uint16_t)v;
}

/* Independent Poisson counts of this step, added to the target's channel cell. */
static void step_independent(cob_cpu *s, int p, int64_t t, uint16_t *slot_base)
{
    const cob_net *net = s->net;
    const cob_proj *pr = &net->proj[p];
    const cob_indep *in = &s->indep[p];
    uint16_t *cells = slot_base + (int64_t)pr->channel * net->n_neurons + net->pop_offset[pr->post];
    uint32_t stream = COB_STREAM(COB_STREAM_INDEP, p);
#pragma omp parallel num_threads(s->n_thr)
    {
        int64_t lo, hi, i;
        uint64_t ovf = 0;
        thread_range(pr->n_post, &lo, &hi);
        for (i = lo; i < hi; ++i) {
            int32_t k = pr->indegree[i];
            uint32_t n = cob_poisson_step(net->seed, stream, (uint32_t)i, (uint64_t)t, in->n_chunks[k],
                                          in->lambda_chunk[k], in->exp_neg[k]);
            if (n) ring_add(&cells[i], n, &ovf);
        }
        s->overflow_per_thread[thread_id() * 8] += ovf;
    }
}

typedef struct {
    int64_t t, tm;            /* step, and step within the measurement window */
    int measuring, sample_v;
} step_ctx;

/* Statistics of one neuron after its update (only inside the measurement window). */
static inline void neuron_stats(cob_cpu *s, cob_pop_acc *pa, int64_t i, const step_ctx *sc, int fired,
                                int was_refr, float v, const uint32_t *cnt, int nch, uint64_t *chan)
{
    int c;
    for (c = 0; c < nch; ++c) chan[c] += cnt[c];
    if (fired)
        cob_stats_spike(sc->t, &pa->spike_count[i], &pa->last_spike[i], &pa->n_isi[i], &pa->isi_sum[i],
                        &pa->isi_sumsq[i]);
    else if (sc->sample_v && !was_refr) {
        int32_t b = cob_stats_vbin(v, s->acc.v_min_mV, s->acc.v_inv_width, s->acc.v_bins);
        pa->v_sum[i] += v;
        pa->v_sumsq[i] += (double)v * (double)v;
        pa->v_n[i] += 1;
        if (b < 0) {
#pragma omp atomic
            pa->v_below += 1;
        } else if (b >= s->acc.v_bins) {
#pragma omp atomic
            pa->v_above += 1;
        } else {
#pragma omp atomic
            pa->v_hist[b] += 1;
        }
    }
}

/* Update every neuron of population pop; spikes go to spk[pop] in ascending order. */
static void update_pop(cob_cpu *s, int pop, const step_ctx *sc, uint16_t *slot_base)
{
    const cob_net *net = s->net;
    const cob_lif_prop *p = &net->prop[pop];
    int64_t off = net->pop_offset[pop], n = s->c->pops[pop].size, N = net->n_neurons;
    int nch = p->n_channels, is_cond = s->c->pops[pop].model == COB_MODEL_LIF_COND;
    int64_t found[256], start[256];
    uint64_t chan_tot[COB_MAX_CHANNELS] = {0, 0, 0, 0};
    cob_pop_acc *pa = &s->acc.pop[pop];
    int nt_used = 1, k;
#pragma omp parallel num_threads(s->n_thr)
    {
        int64_t lo, hi, i, w;
        uint64_t chan[COB_MAX_CHANNELS] = {0, 0, 0, 0};
        int tid = thread_id(), c;
        thread_range(n, &lo, &hi);
        w = lo;
        for (i = lo; i < hi; ++i) {
            uint32_t cnt[COB_MAX_CHANNELS] = {0, 0, 0, 0};
            cob_lif_state st;
            int fired, was_refr;
            for (c = 0; c < nch; ++c) {
                uint16_t *cell = slot_base + c * N + off + i;
                cnt[c] = *cell;
                *cell = 0;
            }
            st.v_mV = s->v[off + i];
            st.refr_steps = s->refr[off + i];
            was_refr = st.refr_steps > 0;
            fired = is_cond ? cob_lif_cond_step(&st, p, cnt) : cob_lif_curr_step(&st, p, cnt);
            s->v[off + i] = st.v_mV;
            s->refr[off + i] = st.refr_steps;
            if (fired) s->spk[pop][w++] = (int32_t)i;
            if (sc->measuring) neuron_stats(s, pa, i, sc, fired, was_refr, st.v_mV, cnt, nch, chan);
        }
        if (tid < 256) { found[tid] = w - lo; start[tid] = lo; }
#pragma omp critical
        for (c = 0; c < nch; ++c) chan_tot[c] += chan[c];
#ifdef _OPENMP
#pragma omp single
        nt_used = omp_get_num_threads();
#endif
    }
    s->n_spk[pop] = 0;
    for (k = 0; k < nt_used && k < 256; ++k) {
        if (start[k] != s->n_spk[pop])
            memmove(s->spk[pop] + s->n_spk[pop], s->spk[pop] + start[k], (size_t)found[k] * sizeof(int32_t));
        s->n_spk[pop] += found[k];
    }
    for (k = 0; k < nch; ++k) pa->chan_count[k] += chan_tot[k];
}

/* Serial per-step bookkeeping: population-rate bin, raster, traces, poll counters. */
static void step_records(cob_cpu *s, int pop, const step_ctx *sc)
{
    cob_acc *a = &s->acc;
    int64_t k, off = s->net->pop_offset[pop];
    s->poll_count[pop] += (uint64_t)s->n_spk[pop];
    if (!sc->measuring) return;
    a->pop[pop].rate_ts[sc->tm / a->bin_steps] += (uint32_t)s->n_spk[pop];
    for (k = 0; k < s->n_spk[pop] && s->spk[pop][k] < a->raster_neurons; ++k)
        cob_acc_raster(a, sc->t, pop, s->spk[pop][k]);
    if (sc->tm % a->trace_stride == 0)
        for (k = 0; k < a->trace_n; ++k)
            if (a->trace_pop[k] == pop)
                a->trace_v[k * a->trace_samples + sc->tm / a->trace_stride] = s->v[off + a->trace_neuron[k]];
}

/* First synapse in [s0, s1) whose target is >= x (rows are sorted by target). */
static inline int64_t lower_bound(const int32_t *target, int64_t s0, int64_t s1, int64_t x)
{
    while (s0 < s1) {
        int64_t m = s0 + (s1 - s0) / 2;
        if (target[m] < x) s0 = m + 1; else s1 = m;
    }
    return s0;
}

/* Add this step's spikes of projection p's presynaptic population into the ring; each
 * thread owns the target range [lo, hi). */
static void deliver_proj(cob_cpu *s, int p, int64_t t, int64_t lo, int64_t hi, int whole, uint64_t *ovf,
                         uint64_t *events)
{
    const cob_net *net = s->net;
    const cob_proj *pr = &net->proj[p];
    int64_t D = net->ring_slots, slot0 = t % D, k;
    int64_t slot_stride = (int64_t)net->n_channels_max * net->n_neurons;
    uint16_t *base = s->ring + (int64_t)pr->channel * net->n_neurons + net->pop_offset[pr->post];
    for (k = 0; k < s->n_spk[pr->pre]; ++k) {
        int32_t j = s->spk[pr->pre][k];
        int64_t a = pr->row_ptr[j], b = pr->row_ptr[j + 1], syn;
        if (!whole) {
            a = lower_bound(pr->target, a, b, lo);
            b = lower_bound(pr->target, a, b, hi);
        }
        *events += (uint64_t)(b - a);
        for (syn = a; syn < b; ++syn) {
            int64_t slot = slot0 + pr->delay_steps[syn];
            uint16_t *cell;
            if (slot >= D) slot -= D;
            cell = base + slot * slot_stride + pr->target[syn];
            if (*cell == 0xFFFFu) *ovf += 1; else *cell += 1;
        }
    }
}

static void deliver(cob_cpu *s, int64_t t)
{
#pragma omp parallel num_threads(s->n_thr)
    {
        int p;
        uint64_t ovf = 0, events = 0;
#ifdef _OPENMP
        int whole = omp_get_num_threads() == 1;
#else
        int whole = 1;
#endif
        for (p = 0; p < s->net->n_projs; ++p) {
            int64_t lo, hi;
            if (s->net->proj[p].independent || s->n_spk[s->net->proj[p].pre] == 0) continue;
            thread_range(s->net->proj[p].n_post, &lo, &hi);
            deliver_proj(s, p, t, lo, hi, whole, &ovf, &events);
        }
        s->overflow_per_thread[thread_id() * 8] += ovf;
        s->events_per_thread[thread_id() * 8] += events;
    }
}

void cob_cpu_step(cob_cpu *s)
{
    const cob_net *net = s->net;
    int64_t t = s->t, warm = s->acc.warmup_steps;
    uint16_t *slot_base = s->ring + (t % net->ring_slots) * (int64_t)net->n_channels_max * net->n_neurons;
    step_ctx sc;
    int pop, p;
    sc.t = t;
    sc.tm = t - warm;
    sc.measuring = t >= warm && sc.tm < s->acc.measure_steps;
    sc.sample_v = sc.measuring && sc.tm % s->acc.v_stride == 0;
    for (pop = 0; pop < net->n_pops; ++pop)
        if (s->pool[pop].active) step_sources(s, pop, t);
    for (p = 0; p < net->n_projs; ++p)
        if (net->proj[p].independent) step_independent(s, p, t, slot_base);
    for (pop = 0; pop < net->n_pops; ++pop)
        if (net->pop_offset[pop] >= 0) {
            update_pop(s, pop, &sc, slot_base);
            step_records(s, pop, &sc);
        }
    deliver(s, t);
    s->t = t + 1;
}
