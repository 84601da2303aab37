/* host/cpu/cpu_step.c -- the step loop of the CPU backend (see host/cpu/cpu_backend.h): inputs
 * (independent Poisson counts, arrivals), neuron updates with statistics and pool sources,
 * emission, in chunks of steps with one barrier each (cob_cpu_steps). The per-neuron and
 * per-synapse work is that of the CUDA kernels; only the iteration differs. */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cpu/cpu_backend.h"
#include "cobalt/hd/connect.h"
#include "cobalt/hd/models.h"
#include "cobalt/hd/noise.h"
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

static int team_size(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Pool sources [lo, hi) of population pop at step t: their spikes (and offsets) to spk/tick,
 * returns how many. Each source's state is its own, so any split over threads gives the same. */
static int64_t step_sources(cob_cpu *s, int pop, int64_t t, int64_t lo, int64_t hi, int32_t *spk, uint8_t *tick)
{
    cob_pool *pl = &s->pool[pop];
    const cob_plan_pop *pp = &s->plan->pop[pop];
    const uint32_t stream = COB_STREAM(COB_STREAM_SOURCE, pop);
    const cob_rate_sched *rs = &pp->rate_sched;
    const float rate = rs->on ? cob_schedule_at(&rs->rate, t) : 0.0f;
    int64_t j, k = 0;
    for (j = lo; j < hi; ++j)
        if (pl->next[j] == t) {
            if (rs->on &&
                !cob_pool_keep(s->net->seed, pop, (uint32_t)j, t, rate, rs->rate_max, cob_tuning_gain(&rs->tune, j))) {
                /* a thinned candidate: no spike, the next candidate as usual */
                pl->next[j] = cob_pool_next(s->net->seed, stream, (uint32_t)j, t, pp->p_step, &pl->n_draws[j],
                                            pp->gap_thr, pp->gap_len);
                continue;
            }
            if (tick)
                tick[k] = (uint8_t)cob_pool_spike_tick(s->net->seed, pop, (uint32_t)j, t);
            spk[k++] = (int32_t)j;
            pl->next[j] = cob_pool_next(s->net->seed, stream, (uint32_t)j, t, pp->p_step, &pl->n_draws[j], pp->gap_thr,
                                        pp->gap_len);
        }
    return k;
}

/* One arrival into a 16-bit input cell, saturating and counting the excess (cob_input_cap's rule,
 * applied per thread's cell): the bucket arrivals and the direct ones at emission. */
static inline void count_one(uint16_t *cell, uint64_t *overflow)
{
    if (*cell == COB_INPUT_COUNT_MAX)
        *overflow += 1;
    else
        *cell += 1;
}

static inline void ring_add(uint16_t *cell, uint32_t k, uint64_t *overflow)
{
    uint32_t v = (uint32_t)*cell + k;
    if (v > COB_INPUT_COUNT_MAX) {
        *overflow += v - COB_INPUT_COUNT_MAX;
        v = COB_INPUT_COUNT_MAX;
    }
    *cell = (uint16_t)v;
}

/* The words of Philox block t / 4 of targets [lo, hi) (fill), or nothing; word t % 4 is step t's
 * uniform of a one-chunk draw (cob_poisson_step). */
static inline void indep_words(uint64_t seed, uint32_t stream, uint32_t *w, int64_t i, int64_t t)
{
    cob_u32x4 b = cob_philox(seed, stream, (uint32_t)i, (uint64_t)t >> 2);
    memcpy(w + 4 * i, b.v, sizeof b.v);
}

/* Independent Poisson counts of this step for the calling thread's targets, into its buffer.
 * The same values as cob_poisson_step: a one-chunk draw takes its word from the cached block
 * (refilled when fill says the thread's block is stale) and, at a constant rate, searches the
 * in-degree's inversion table instead of looping. */
static void step_independent(cob_cpu *s, int p, int64_t t, int fill, uint16_t *inbuf, uint64_t *ovf)
{
    const cob_net *net = s->net;
    const cob_proj *pr = &net->proj[p];
    const cob_plan_proj *in = &s->plan->proj[p];
    const cob_indep *ix = &s->indep[p];
    uint16_t *cells = inbuf + (int64_t)pr->channel * net->n_neurons + net->pop_offset[pr->post];
    const uint32_t stream = in->stream, q = (uint32_t)(t & 3);
    uint32_t *restrict w = ix->w;
    int64_t lo, hi, i;
    thread_range(pr->n_post, &lo, &hi);
    if (in->sched) { /* a scheduled rate: lambda = K_i rate(t) dt, split once per distinct K_i in a row */
        const double lam = (double)cob_schedule_at(&s->plan->pop[in->pre].rate_sched.rate, t) * in->dt_s;
        int32_t k_prev = -1;
        uint32_t nc = 0;
        double chunk = 0.0, e = 1.0;
        for (i = lo; i < hi; ++i) {
            uint32_t n;
            if (fill)
                indep_words(net->seed, stream, w, i, t);
            if (in->tune.shape != COB_TUNE_NONE) { /* tuned: each target its own mean (hd/tuning.h) */
                uint32_t tnc;
                double tchunk, te;
                cob_poisson_split(cob_tuned_lambda(pr->indegree[i], lam, &in->tune, i), &tnc, &tchunk, &te);
                n = tnc == 1 ? cob_poisson_invert(cob_poisson_u(w[4 * i + q]), tchunk, te)
                             : cob_poisson_step(net->seed, stream, (uint32_t)i, (uint64_t)t, tnc, tchunk, te);
                if (n)
                    ring_add(&cells[i], n, ovf);
                continue;
            }
            if (pr->indegree[i] != k_prev) {
                k_prev = pr->indegree[i];
                cob_poisson_split((double)k_prev * lam, &nc, &chunk, &e);
            }
            n = nc == 1 ? cob_poisson_invert(cob_poisson_u(w[4 * i + q]), chunk, e)
                        : cob_poisson_step(net->seed, stream, (uint32_t)i, (uint64_t)t, nc, chunk, e);
            if (n)
                ring_add(&cells[i], n, ovf);
        }
        return;
    }
    for (i = lo; i < hi; ++i) {
        const int32_t k = pr->indegree[i];
        const uint32_t nc = in->n_chunks[k];
        uint32_t n;
        if (nc == 1) {
            const cob_ptab *tb = ix->tab ? ix->tab[k] : NULL;
            double u;
            if (fill)
                indep_words(net->seed, stream, w, i, t);
            u = cob_poisson_u(w[4 * i + q]);
            n = tb ? cob_poisson_cdf_draw(u, tb->f, tb->m, tb->guide)
                   : cob_poisson_invert(u, in->lambda_chunk[k], in->exp_neg[k]);
        } else {
            n = cob_poisson_step(net->seed, stream, (uint32_t)i, (uint64_t)t, nc, in->lambda_chunk[k], in->exp_neg[k]);
        }
        if (n)
            ring_add(&cells[i], n, ovf);
    }
}

/* Count the events of the calling thread's bucket for this slot into its input buffer. */
static void arrive(cob_cpu *s, cob_bucket *b, uint16_t *inbuf, uint64_t *ovf)
{
    int64_t e;
    for (e = 0; e < b->n; ++e) count_one(inbuf + b->cell[e], ovf);
    b->n = 0;
}

typedef struct {
    int64_t t, tm; /* step, and step within the measurement window */
    int measuring, sample_v;
    int32_t win;       /* protocol window of the step (measured steps only), -1 none */
    int64_t win_start; /* its first step */
    int set;           /* the step's input and spike set (cob_cpu.chunk) */
} step_ctx;

/* The inputs of step t, on the calling thread, into its buffer of the step's set: independent
 * input for its share of each projection's targets and the arrivals of its bucket set (those it
 * emitted itself; every set is drained even if the team is smaller than n_thr). */
static void step_inputs(cob_cpu *s, int64_t t, int set, int team)
{
    const int64_t slot = t % s->net->ring_slots, stride = (int64_t)s->n_sets * s->inbuf_cells;
    int tid = thread_id(), p, k;
    uint16_t *inbuf = s->inbuf + tid * stride + set * s->inbuf_cells;
    uint64_t ovf = 0;
    const int fill = s->indep_blk[tid * 8] != (t >> 2);
    for (p = 0; p < s->net->n_projs; ++p)
        if (s->net->proj[p].independent)
            step_independent(s, p, t, fill, inbuf, &ovf);
    s->indep_blk[tid * 8] = t >> 2;
    for (k = tid; k < s->n_thr; k += team)
        arrive(s, &s->bkt[k * s->net->ring_slots + slot], s->inbuf + k * stride + set * s->inbuf_cells, &ovf);
    s->overflow_per_thread[tid * 8] += ovf;
}

/* Sum and clear the per-thread input counts of neuron i (local index; in0 points at the
 * population's first cell of thread 0's buffer), then cap them (cob_input_cap): the overflow
 * count is that of one 16-bit ring cell whatever the thread count. */
static inline __attribute__((always_inline)) void gather_counts(
    uint16_t *restrict in0, int64_t i, int nch, int64_t N, int n_thr, int64_t thr_stride, cob_input *in, uint64_t *ovf)
{
    int c, th;
    for (c = 0; c < nch; ++c) {
        uint16_t *cell = in0 + c * N + i;
        uint32_t x = 0;
        for (th = 0; th < n_thr; ++th) {
            x += cell[th * thr_stride];
            cell[th * thr_stride] = 0;
        }
        in->count[c] = x;
    }
    *ovf += cob_input_cap(in, nch);
}

/* Update neurons [lo, hi) of population pop, of model m; spikes to spk[w..]; returns the new w.
 * Locals (a copy of the propagators and of the state-array table) keep the compiler from
 * reloading through s; always inlined with constant model, nch and n_thr by update_range, so
 * the registry's dispatch folds away and the common shapes get loops without inner counters. */
static inline __attribute__((always_inline)) int64_t update_loop(
    cob_cpu *s, int pop, const step_ctx *sc, int64_t lo, int64_t hi, uint64_t *chan, uint64_t *ovf, uint64_t *merged,
    const int model, const int nch, const int n_thr, const int noise)
{
    const cob_neuron_prop prop = s->net->prop[pop];
    const cob_state_arrays sa = s->state;
    const int64_t off = s->net->pop_offset[pop], N = s->net->n_neurons, thr_stride = s->n_sets * s->inbuf_cells;
    const uint64_t seed = s->net->seed;
    const cob_noise *nz = &s->plan->pop[pop].noise;
    float nz_a = 0.0f, nz_b = 0.0f;
    const int measuring = sc->measuring;
    uint16_t *restrict in0 = s->inbuf + sc->set * s->inbuf_cells + off;
    int32_t *restrict spk = s->spk[pop] + sc->set * s->net->pop_size[pop];
    uint8_t *restrict spk_tick = s->spk_tick[pop] ? s->spk_tick[pop] + sc->set * s->net->pop_size[pop] : NULL;
    const cob_acc_arrays acc = cob_acc_pop_arrays(&s->acc.pop[pop]);
    const cob_vhist_geom geom = {s->acc.v_min_mV, s->acc.v_inv_width, s->acc.v_bins};
    const int64_t vn = s->net->pop_size[pop] < s->acc.v_neurons ? s->net->pop_size[pop] : s->acc.v_neurons;
    uint64_t *vhist = s->vhist + ((int64_t)thread_id() * s->net->n_pops + pop) * (s->acc.v_bins + 2);
    int64_t i, w = lo;
    if (noise)
        cob_noise_coef(nz, sc->t, &nz_a, &nz_b);
    for (i = lo; i < hi; ++i) {
        cob_input in;
        float v;
        int flags;
        cob_input_clear(&in, seed, (uint64_t)sc->t, (uint32_t)(off + i));
        gather_counts(in0, i, nch, N, n_thr, thr_stride, &in, ovf);
        if (noise) /* a constant: without white noise drive and bridge_var stay 0 and fold away */
            cob_noise_input(nz, nz_a, nz_b, (uint32_t)i, &in);
        flags = cob_neuron_step(model, &prop, &sa, off + i, &in, nch, &v);
        if (flags & COB_STEP_FIRED) {
            if (spk_tick)
                spk_tick[w] = (uint8_t)cob_step_tick(flags);
            spk[w++] = (int32_t)i;
            *merged += (uint64_t)(flags >> COB_STEP_MERGED_SHIFT);
        }
        if (measuring) {
            int32_t k;
            if (sc->win >= 0) { /* per-window statistics: ISIs inside the window by integer atomics */
                uint64_t isi = cob_stats_window(&acc, i, sc->t, sc->win, sc->win_start, flags & COB_STEP_FIRED,
                                                flags & COB_STEP_REFRACTORY, sc->sample_v, v, vn);
                if (isi) {
                    uint64_t *wc = acc.win_isi + 4 * sc->win, sq = isi * isi;
                    __atomic_fetch_add(&wc[0], 1u, __ATOMIC_RELAXED);
                    __atomic_fetch_add(&wc[1], isi, __ATOMIC_RELAXED);
                    if (__atomic_fetch_add(&wc[2], sq, __ATOMIC_RELAXED) + sq < sq) /* the low word wrapped */
                        __atomic_fetch_add(&wc[3], 1u, __ATOMIC_RELAXED);
                }
            }
            /* the thread's own histogram copy: no atomics on the hot path (merged at read) */
            k = cob_stats_neuron(&acc, i, sc->t, flags & COB_STEP_FIRED, flags & COB_STEP_REFRACTORY, sc->sample_v, v,
                                 &geom);
            int c;
            for (c = 0; c < nch; ++c) chan[c] += in.count[c];
            if (k >= 0)
                vhist[k] += 1;
        }
    }
    return w;
}

/* The loop of one model, specialised for the common channel and thread counts without white
 * noise (the common case: the noise draw and the crossing test then fold away). */
static inline __attribute__((always_inline)) int64_t update_model(
    cob_cpu *s, int pop, const step_ctx *sc, int64_t lo, int64_t hi, uint64_t *chan, uint64_t *ovf, uint64_t *merged,
    const int model)
{
    const int nch = s->net->pop_channels[pop], n_thr = s->n_thr;
    if (s->plan->pop[pop].noise.on)
        return update_loop(s, pop, sc, lo, hi, chan, ovf, merged, model, nch, n_thr, 1);
    if (nch == 2 && n_thr == 2)
        return update_loop(s, pop, sc, lo, hi, chan, ovf, merged, model, 2, 2, 0);
    if (nch == 2 && n_thr == 1)
        return update_loop(s, pop, sc, lo, hi, chan, ovf, merged, model, 2, 1, 0);
    return update_loop(s, pop, sc, lo, hi, chan, ovf, merged, model, nch, n_thr, 0);
}

/* Dispatch on the population's model (generated from the registry); an id no entry has is an
 * internal error reported by the run (bad_model), never a silent default. */
static int64_t update_range(cob_cpu *s, int pop, const step_ctx *sc, int64_t lo, int64_t hi, uint64_t *chan,
                            uint64_t *ovf, uint64_t *merged)
{
    switch (s->net->pop_model[pop]) {
#define COB_X_UPDATE(ID, name) \
    case COB_MODEL_##ID: return update_model(s, pop, sc, lo, hi, chan, ovf, merged, COB_MODEL_##ID);
        COB_NEURON_MODELS(COB_X_UPDATE)
#undef COB_X_UPDATE
    default: s->bad_model = pop + 1; return lo;
    }
}

static inline int64_t *blk_count(const cob_cpu *s, int set, int q)
{
    return s->blk_n + ((int64_t)set * s->max_pieces + q) * COB_MAX_POPS;
}

/* Piece q of P of population pop at step sc->t on the calling thread: its neurons (with the trace
 * samples among them) or its pool sources, spikes into the piece's block of the step's set. */
static void update_piece(cob_cpu *s, const step_ctx *sc, int pop, int q, int P, uint64_t *ovf, uint64_t *merged)
{
    const int64_t size = s->net->pop_size[pop], lo = size * q / P, hi = size * (q + 1) / P;
    int64_t *found = blk_count(s, sc->set, q);
    int k;
    found[pop] = 0;
    if (s->net->pop_offset[pop] >= 0) {
        found[pop] = update_range(s, pop, sc, lo, hi, s->share[thread_id()].chan[pop], ovf, merged) - lo;
        if (sc->measuring && sc->tm % s->acc.trace_stride == 0)
            for (k = 0; k < s->acc.trace_n; ++k)
                if (s->acc.trace_pop[k] == pop && s->acc.trace_neuron[k] >= lo && s->acc.trace_neuron[k] < hi)
                    s->acc.trace_v[k * s->acc.trace_samples + sc->tm / s->acc.trace_stride] =
                        s->state.f[0][s->net->pop_offset[pop] + s->acc.trace_neuron[k]];
    } else if (s->pool[pop].active) {
        const int64_t base = (int64_t)sc->set * size + lo;
        found[pop] = step_sources(s, pop, sc->t, lo, hi, s->spk[pop] + base,
                                  s->spk_tick[pop] ? s->spk_tick[pop] + base : NULL);
    }
}

/* The update of step sc->t on the calling thread: piece `tid` of every population (s->pieces is
 * the team), or, dynamic, whatever pieces the set's ticket counter hands it. */
static void update_share(cob_cpu *s, const step_ctx *sc, int dynamic)
{
    const int tid = thread_id(), P = s->pieces;
    uint64_t ovf = 0, merged = 0;
    int pop;
    if (!dynamic) {
        for (pop = 0; pop < s->net->n_pops; ++pop) update_piece(s, sc, pop, tid, P, &ovf, &merged);
    } else {
        const int64_t n_tickets = (int64_t)P * s->net->n_pops;
        for (;;) {
            const int64_t x = atomic_fetch_add_explicit(&s->ticket[sc->set], 1, memory_order_relaxed);
            if (x >= n_tickets)
                break;
            update_piece(s, sc, (int)(x / P), (int)(x % P), P, &ovf, &merged);
        }
    }
    s->overflow_per_thread[tid * 8] += ovf;
    s->overflow_per_thread[tid * 8 + 1] += merged;
}

/* Serial per-step bookkeeping of a finished step (on thread 0, while the others run the next
 * chunk): population-rate bin, protocol-window count, raster, poll counters. The thread blocks of
 * a set, in thread order, are one ascending list. */
static void step_records(cob_cpu *s, const step_ctx *sc)
{
    cob_acc *a = &s->acc;
    const int P = s->pieces;
    int pop, k;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        const int64_t size = s->net->pop_size[pop];
        const int32_t *spk = s->spk[pop] + (int64_t)sc->set * size;
        uint64_t n = 0;
        int done = 0;
        if (s->net->pop_offset[pop] < 0)
            continue;
        for (k = 0; k < P; ++k) n += (uint64_t)blk_count(s, sc->set, k)[pop];
        s->poll_count[pop] += n;
        if (!sc->measuring)
            continue;
        a->pop[pop].rate_ts[sc->tm / a->bin_steps] += (uint32_t)n;
        if (sc->win >= 0)
            a->pop[pop].win_spikes[sc->win] += n;
        for (k = 0; k < P && !done; ++k) {
            int64_t lo = size * k / P, m = blk_count(s, sc->set, k)[pop], j;
            for (j = 0; j < m; ++j) {
                if (spk[lo + j] >= a->raster_neurons) {
                    done = 1;
                    break;
                }
                cob_acc_raster(a, sc->t, pop, spk[lo + j]);
            }
        }
    }
}

/* Room for m more events in every bucket of the set (one thread's ring_slots buckets), so the
 * emission loop needs no check per group. Capacity that is never written costs address space,
 * not memory. 0 (and bkt_failed) when a bucket cannot grow. */
/* Cells emit_proj copies at once (and may write past a group's end). */
#define EMIT_LANES 8

static int buckets_reserve(cob_cpu *s, cob_bucket *bkt, int64_t m)
{
    int64_t k;
    for (k = 0; k < s->net->ring_slots; ++k) {
        cob_bucket *b = &bkt[k];
        int64_t cap;
        uint32_t *grown;
        if (b->n + m <= b->cap)
            continue;
        cap = b->cap ? b->cap : 1024;
        while (cap < b->n + m) cap *= 2;
        grown = realloc(b->cell, (size_t)cap * sizeof *grown);
        if (!grown) {
            s->bkt_failed = 1;
            return 0;
        }
        b->cell = grown;
        b->cap = cap;
    }
    return 1;
}

/* Events the calling thread will emit for projection p: the row lengths of its spikes sp[0, n). */
static int64_t emit_count(const cob_cpu *s, int p, const int32_t *sp, int64_t n)
{
    const cob_proj *pr = &s->net->proj[p];
    int64_t k, m = 0;
    for (k = 0; k < n; ++k) m += pr->row_ptr[sp[k] + 1] - pr->row_ptr[sp[k]];
    return m;
}

/* Direct delivery (emit_proj): the calling thread's input buffer of step t_first (the next
 * chunk's first step), and the end of that chunk; in = NULL: none (the region's last chunk, whose
 * next chunk belongs to another call: its inputs must all be in the buckets). */
typedef struct {
    uint16_t *in;
    int64_t t_first, t_end;
} emit_direct;

static inline int64_t cob__clamp64(int64_t x, int64_t lo, int64_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* out[0, 8) = base + in[0, 8): one fixed-length copy the compiler makes two vector adds. */
static inline __attribute__((always_inline)) void copy8(uint32_t *restrict out, const int32_t *restrict in,
                                                        uint32_t base)
{
    uint32_t v[EMIT_LANES];
    int q;
    memcpy(v, in, sizeof v);
    for (q = 0; q < EMIT_LANES; ++q) v[q] += base;
    memcpy(out, v, sizeof v);
}

/* Emit spikes sp[0, n) of projection p's presynaptic population at step t: each delay group
 * of each row appends its input cells to the bucket of its arrival slot (room reserved, with
 * EMIT_LANES to spare). Groups are short (about 5 synapses at dt = 50 us with delays over 10 ms),
 * so a loop per group would mispredict its exit once per group: instead each group is copied in
 * whole blocks of EMIT_LANES, writing past its end into the bucket's spare room (the next group
 * of that bucket overwrites it; b->n counts only the real cells) and reading past its end within
 * the projection's target array; a row too near the array's end takes the exact loop. */
static void emit_proj(cob_cpu *s, int p, int64_t t, const int32_t *sp, int64_t n, cob_bucket *bkt,
                      const emit_direct *dr, uint64_t *ovf)
{
    const cob_net *net = s->net;
    const cob_proj *pr = &net->proj[p];
    const int64_t D = net->ring_slots, stride = pr->n_dgrp + 1, n_dgrp = pr->n_dgrp;
    const uint32_t base = (uint32_t)((int64_t)pr->channel * net->n_neurons + net->pop_offset[pr->post]);
    /* groups [0, g_direct) arrive inside the next chunk: counted at once into its inputs */
    const int64_t g_direct = dr->in ? cob__clamp64(dr->t_end - (t + pr->min_delay), 0, n_dgrp) : 0;
    int64_t k, g;
    for (k = 0; k < n; ++k) {
        int32_t j = sp[k];
        const uint32_t *off = pr->dgrp_off + j * stride;
        const int32_t *tgt = pr->target + pr->row_ptr[j];
        int64_t slot = (t + pr->min_delay + g_direct) % D; /* the first bucketed group's */
        if (k + 1 < n) {                                   /* the next row's first lines, while this one is copied */
            __builtin_prefetch(pr->dgrp_off + sp[k + 1] * stride);
            __builtin_prefetch(pr->target + pr->row_ptr[sp[k + 1]]);
        }
        for (g = 0; g < g_direct; ++g) {
            uint16_t *cells = dr->in + (t + pr->min_delay + g - dr->t_first) * s->inbuf_cells + base;
            uint32_t a;
            for (a = off[g]; a < off[g + 1]; ++a) count_one(cells + tgt[a], ovf);
        }
        if (g_direct == n_dgrp)
            continue;
        if (pr->row_ptr[j + 1] + EMIT_LANES > pr->n_syn) {
            for (g = g_direct; g < n_dgrp; ++g) {
                cob_bucket *b = &bkt[slot];
                uint32_t a = off[g], e = off[g + 1];
                uint32_t *out = b->cell + b->n;
                b->n += e - a;
                for (; a < e; ++a) *out++ = base + (uint32_t)tgt[a];
                slot = slot + 1 == D ? 0 : slot + 1;
            }
            continue;
        }
        for (g = g_direct; g < n_dgrp; ++g) {
            cob_bucket *b = &bkt[slot];
            const uint32_t a = off[g], len = off[g + 1] - a;
            uint32_t *out = b->cell + b->n, q;
            b->n += len;
            copy8(out, tgt + a, base);
            for (q = EMIT_LANES; q < len; q += EMIT_LANES) copy8(out + q, tgt + a + q, base);
            slot = slot + 1 == D ? 0 : slot + 1;
        }
    }
}

/* emit_proj for a projection with delay fractions (hd/connect.h): each arrival goes to the slot
 * cob_arrival_steps gives from the spike's offset (tick) and the synapse's fraction. */
static void emit_proj_frac(cob_cpu *s, int p, int64_t t, const int32_t *sp, const uint8_t *tick, int64_t n,
                           cob_bucket *bkt)
{
    const cob_net *net = s->net;
    const cob_proj *pr = &net->proj[p];
    const int64_t D = net->ring_slots, stride = pr->n_dgrp + 1, n_dgrp = pr->n_dgrp;
    const uint32_t base = (uint32_t)((int64_t)pr->channel * net->n_neurons + net->pop_offset[pr->post]);
    const uint32_t key = pr->dfrac_key;
    const int hash = pr->dfrac_mode == COB_DFRAC_HASH;
    int64_t k, g;
    for (k = 0; k < n; ++k) {
        int32_t j = sp[k];
        const uint32_t s8 = tick[k];
        const uint32_t *off = pr->dgrp_off + j * stride;
        const int32_t *tgt = pr->target + pr->row_ptr[j];
        const uint32_t kj = cob_mix32(key ^ (uint32_t)j); /* cob_delay_frac's first round, once per row */
        for (g = 0; g < n_dgrp; ++g) {
            const int32_t d = pr->min_delay + (int32_t)g;
            cob_bucket *b0 = &bkt[(t + cob_arrival_steps(d, 0, 0)) % D];   /* s8 + f < 256 */
            cob_bucket *b1 = &bkt[(t + cob_arrival_steps(d, 0, 256)) % D]; /* s8 + f >= 256 */
            uint32_t a = off[g], e = off[g + 1];
            uint32_t *o0, *o1;
            if (!hash || b0 == b1) { /* one fraction, or D = 0: the whole group arrives in one step */
                cob_bucket *b = hash ? b0 : &bkt[(t + cob_arrival_steps(d, s8, pr->dfrac_const)) % D];
                for (; a < e; ++a) b->cell[b->n++] = base + (uint32_t)tgt[a];
                continue;
            }
            /* two write heads, advanced without a branch on the (random) carry */
            o0 = b0->cell + b0->n;
            o1 = b1->cell + b1->n;
            for (; a < e; ++a) {
                const uint32_t carry = (s8 + (cob_mix32(kj + (uint32_t)tgt[a]) >> 24)) >> 8;
                uint32_t *o = carry ? o1 : o0;
                *o = base + (uint32_t)tgt[a];
                o0 += 1 - carry;
                o1 += carry;
            }
            b0->n = o0 - b0->cell;
            b1->n = o1 - b1->cell;
        }
    }
}

/* Emit spikes sp[0, n) (offsets tk) of projection p at step sc->t into the calling thread's buckets. */
static void emit_piece(cob_cpu *s, int p, const step_ctx *sc, const int32_t *sp, const uint8_t *tk, int64_t n,
                       cob_bucket *bkt, const emit_direct *dr, uint64_t *events, uint64_t *ovf)
{
    const int64_t m = n > 0 ? emit_count(s, p, sp, n) : 0;
    if (m == 0 || !buckets_reserve(s, bkt, m + EMIT_LANES))
        return;
    if (s->net->proj[p].dfrac_mode != COB_DFRAC_NONE)
        emit_proj_frac(s, p, sc->t, sp, tk, n, bkt);
    else
        emit_proj(s, p, sc->t, sp, n, bkt, dr, ovf);
    *events += (uint64_t)m;
}

/* The emission of step sc->t on the calling thread, into its own buckets (which only it drains).
 * own: the spikes of its own blocks (neurons it updated, sources it drew: no barrier needed);
 * else its equal share of every projection's spikes of the whole team (the blocks in thread
 * order), for a step whose spikes are all known (after a barrier): the same events, spread
 * evenly when the threads' own spike counts differ. */
static void emit_share(cob_cpu *s, const step_ctx *sc, const emit_direct *dr, int own)
{
    const int P = s->pieces;
    int tid = thread_id(), p, k;
    uint64_t events = 0, ovf = 0;
    cob_bucket *bkt = s->bkt + tid * s->net->ring_slots;
    for (p = 0; p < s->net->n_projs; ++p) {
        const cob_proj *pr = &s->net->proj[p];
        const int64_t size = s->net->pop_size[pr->pre];
        int32_t *spk = s->spk[pr->pre] + (int64_t)sc->set * size;
        uint8_t *tick = s->spk_tick[pr->pre] ? s->spk_tick[pr->pre] + (int64_t)sc->set * size : NULL;
        int64_t lo, hi, total = 0, cum = 0;
        if (pr->independent)
            continue;
        if (own) {
            thread_range(size, &lo, &hi);
            emit_piece(s, p, sc, spk + lo, tick ? tick + lo : NULL, blk_count(s, sc->set, tid)[pr->pre], bkt, dr,
                       &events, &ovf);
            continue;
        }
        for (k = 0; k < P; ++k) total += blk_count(s, sc->set, k)[pr->pre];
        thread_range(total, &lo, &hi); /* this thread's share [lo, hi) of the team's list */
        for (k = 0; k < P && cum < hi; ++k) {
            const int64_t nk = blk_count(s, sc->set, k)[pr->pre], start = size * k / P;
            const int64_t a = lo > cum ? lo - cum : 0, e = hi - cum < nk ? hi - cum : nk;
            if (e > a)
                emit_piece(s, p, sc, spk + start + a, tick ? tick + start + a : NULL, e - a, bkt, dr, &events, &ovf);
            cum += nk;
        }
    }
    s->events_per_thread[tid * 8] += events;
    s->overflow_per_thread[tid * 8] += ovf;
}

static void step_context(const cob_cpu *s, int64_t t, int set, step_ctx *sc)
{
    sc->t = t;
    sc->tm = t - s->acc.warmup_steps;
    sc->measuring = t >= s->acc.warmup_steps && sc->tm < s->acc.measure_steps;
    sc->sample_v = sc->measuring && sc->tm % s->acc.v_stride == 0;
    sc->win = sc->measuring ? cob_window_of(&s->acc.windows, t) : -1;
    sc->win_start = sc->win >= 0 ? s->acc.windows.start[sc->win] : 0;
    sc->set = set;
}

/* The records of chunk [t0, t0 + len) whose sets start at set0, on thread 0. */
static void chunk_records(cob_cpu *s, int64_t t0, int64_t len, int set0)
{
    int64_t j;
    for (j = 0; j < len; ++j) {
        step_ctx sc;
        step_context(s, t0 + j, set0 + (int)j, &sc);
        step_records(s, &sc);
    }
}

/* n steps in one parallel region, in chunks of at most s->chunk steps (the shortest arrival
 * offset, so every arrival of a chunk comes from a spike emitted before it) and one barrier per
 * chunk. A thread fills the inputs of a chunk's steps from its own buckets (those it emitted,
 * which only it drains, so no barrier is needed between its emission and its arrivals), meets
 * the others at the barrier (after it, every thread's inputs of the chunk are complete and the
 * previous chunk is finished everywhere), then updates its share of the neurons and emits its
 * own spikes, step by step. Chunks alternate between two halves of the sets, so the inputs of
 * the next chunk never overwrite counts another thread may still be reading, and thread 0 keeps
 * the records of the previous chunk while the others move on. */
void cob_cpu_steps(cob_cpu *s, int64_t n)
{
    int k0;
    for (k0 = 0; k0 < s->n_thr; ++k0) s->indep_blk[k0 * 8] = -1; /* the team's shares may differ from the last */
    if (n <= 0)
        return;
#pragma omp parallel num_threads(s->team)
    {
        const int team = team_size(), tid = thread_id(), C = s->chunk;
        /* one-step chunks: a second barrier per step, after the updates, lets the threads share
         * the emission evenly; with a thread's own spikes alone (about 20 per step on the Fig. 4
         * network, +- 20%) the others waited about 12% of the time for the busiest */
        const int split = C == 1 && team > 1;
        int64_t c0, j;
        int half = 0;
#pragma omp single
        {
            cob_barrier_init(&s->bar, (uint32_t)team);
            /* with one-step chunks the neurons go in COB_CPU_PIECES pieces per thread, taken in
             * turn, so that a core that runs slower takes fewer (the threads' own work is equal,
             * but their speed is not: 5-8% of waits per thread measured on this VM) */
            s->pieces = split ? COB_CPU_PIECES * team : team;
            for (j = 0; j < s->n_sets; ++j) atomic_store(&s->ticket[j], 0);
        }
        for (j = 0; j < C && j < n; ++j) step_inputs(s, s->t + j, (int)j, team);
        for (c0 = 0; c0 < n; c0 += C, half ^= 1) {
            const int64_t len = n - c0 < C ? n - c0 : C, t0 = s->t + c0;
            const int set0 = half * C;
            cob_barrier_wait(&s->bar, &s->spin[tid]);
            if (tid == 0 && c0 > 0) {
                chunk_records(s, t0 - C, C, (half ^ 1) * C);
                if (split) /* the previous step's pieces are all taken: its counter is free */
                    atomic_store_explicit(&s->ticket[(half ^ 1) * C], 0, memory_order_relaxed);
            }
            /* arrivals inside the next chunk of this region go straight into its inputs (the other
             * half, free since the barrier); the fill below then adds the buckets' and the
             * independent counts. Not in the last chunk: the next call starts from buckets. */
            emit_direct dr = {NULL, t0 + C, t0 + C + (n - c0 - len < C ? n - c0 - len : C)};
            if (c0 + len < n)
                dr.in = s->inbuf + (int64_t)tid * s->n_sets * s->inbuf_cells + (int64_t)(half ^ 1) * C * s->inbuf_cells;
            for (j = 0; j < len; ++j) {
                step_ctx sc;
                step_context(s, t0 + j, set0 + (int)j, &sc);
                update_share(s, &sc, split);
                if (split) { /* meet, then emit an equal share of everyone's spikes */
                    cob_barrier_wait(&s->bar, &s->spin[tid]);
                    emit_share(s, &sc, &dr, 0);
                } else {
                    emit_share(s, &sc, &dr, 1);
                }
            }
            if (c0 + len < n) { /* the next chunk's inputs, into the other half */
                const int64_t next = n - c0 - len < C ? n - c0 - len : C;
                for (j = 0; j < next; ++j) step_inputs(s, t0 + len + j, (half ^ 1) * C + (int)j, team);
            }
        }
        cob_barrier_wait(&s->bar, &s->spin[tid]);
        if (tid == 0) {
            const int64_t last = (n - 1) / C * C; /* the last chunk's first step (relative) */
            chunk_records(s, s->t + last, n - last, ((int)((n - 1) / C) & 1) * C);
        }
    }
    /* the threads' channel counts into the statistics */
    for (k0 = 0; k0 < s->n_thr; ++k0) {
        int pop, c;
        for (pop = 0; pop < s->net->n_pops; ++pop)
            for (c = 0; c < COB_MAX_CHANNELS; ++c) {
                s->acc.pop[pop].chan_count[c] += s->share[k0].chan[pop][c];
                s->share[k0].chan[pop][c] = 0;
            }
    }
    s->t += n;
}
