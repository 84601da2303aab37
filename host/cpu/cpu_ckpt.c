/* host/cpu/cpu_ckpt.c -- the CPU backend's run state in a checkpoint (cob_backend_ops.save/load):
 * the step counter, every neuron state array, the input counts still waiting, the arrival buckets,
 * the pool sources, the counters and the statistics accumulators (host/stats/stats_ckpt.c).
 * What is per thread (input buffers, buckets, V histograms, counters) is saved summed over the
 * threads and loaded into thread 0's copy, so a run may resume with another OMP_NUM_THREADS and
 * give the same counts (integer sums do not depend on which thread holds them). The connectivity
 * is not saved: it is rebuilt from the config (host/sim/checkpoint.c compares its digest).
 * Limit: a delay-ring cell that saturated (ring overflow > 0, already a failed run) may count its
 * overflow differently after a resume with another thread count. */
#include <stdlib.h>
#include <string.h>
#include "cpu/cpu_backend.h"

/* Input counts left for the next step (normally none: the neuron update reads and clears
 * them), summed over the threads. */
static void save_inbuf(const cob_cpu *s, cob_ckpt_buf *b)
{
    int64_t c;
    int k;
    uint16_t *sum = calloc((size_t)s->inbuf_cells, sizeof *sum);
    if (!sum) {
        b->failed = 1;
        return;
    }
    for (k = 0; k < s->n_thr; ++k)
        for (c = 0; c < s->inbuf_cells; ++c) sum[c] = (uint16_t)(sum[c] + s->inbuf[k * s->inbuf_cells + c]);
    cob_ckpt_put_i64(b, s->inbuf_cells);
    cob_ckpt_put(b, sum, (size_t)s->inbuf_cells * sizeof *sum);
    free(sum);
}

/* The events waiting in each arrival slot: all threads' buckets of the slot, one after another. */
static void save_buckets(const cob_cpu *s, cob_ckpt_buf *b)
{
    int64_t D = s->net->ring_slots, slot;
    int k;
    cob_ckpt_put_i64(b, D);
    for (slot = 0; slot < D; ++slot) {
        int64_t n = 0;
        for (k = 0; k < s->n_thr; ++k) n += s->bkt[k * D + slot].n;
        cob_ckpt_put_i64(b, n);
        for (k = 0; k < s->n_thr; ++k) {
            const cob_bucket *bk = &s->bkt[k * D + slot];
            cob_ckpt_put(b, bk->cell, (size_t)bk->n * sizeof *bk->cell);
        }
    }
}

static void save_pools(const cob_cpu *s, cob_ckpt_buf *b)
{
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        const cob_pool *pl = &s->pool[pop];
        int64_t n = pl->active ? s->plan->pop[pop].size : 0;
        cob_ckpt_put_i64(b, n);
        cob_ckpt_put(b, pl->next, (size_t)n * sizeof *pl->next);
        cob_ckpt_put(b, pl->n_draws, (size_t)n * sizeof *pl->n_draws);
    }
}

cob_status cob_cpu_save(void *impl, cob_ckpt_buf *b, cob_err *err)
{
    cob_cpu *s = impl;
    uint64_t sums[3] = {0, 0, 0};
    int k;
    (void)err;
    cob_ckpt_put_i64(b, s->t);
    cob_ckpt_put_i64(b, s->net->n_neurons);
    cob_ckpt_put_i64(b, s->net->n_state_f32);
    for (k = 0; k < s->net->n_state_f32; ++k) cob_ckpt_put(b, s->state.f[k], (size_t)s->net->n_neurons * sizeof(float));
    cob_ckpt_put_i64(b, s->net->n_state_i32);
    for (k = 0; k < s->net->n_state_i32; ++k)
        cob_ckpt_put(b, s->state.i[k], (size_t)s->net->n_neurons * sizeof(int32_t));
    save_inbuf(s, b);
    save_buckets(s, b);
    save_pools(s, b);
    for (k = 0; k < s->n_thr; ++k) {
        sums[0] += s->overflow_per_thread[k * 8];
        sums[1] += s->overflow_per_thread[k * 8 + 1];
        sums[2] += s->events_per_thread[k * 8];
    }
    cob_ckpt_put(b, sums, sizeof sums);
    /* the V histograms live in per-thread copies until read: their sum goes into acc's row */
    cob_acc_merge_thread_hist(&s->acc, s->net, s->vhist, s->n_thr);
    cob_acc_save(&s->acc, s->net, b);
    return COB_OK;
}

static cob_status load_buckets(cob_cpu *s, cob_ckpt_reader *r, cob_err *err)
{
    int64_t D = s->net->ring_slots, slot;
    if (!cob_ckpt_expect(r, D, "delay-ring slots", err))
        return err->status;
    for (slot = 0; slot < D; ++slot) {
        cob_bucket *bk = &s->bkt[slot]; /* thread 0's */
        int64_t n = cob_ckpt_get_i64(r);
        if (r->failed || n < 0 || (uint64_t)n > (r->len - r->pos) / sizeof *bk->cell)
            return cob_err_set(err, COB_ERR_IO, "checkpoint ends inside the spikes waiting for arrival");
        if (n > bk->cap) {
            uint32_t *grown = realloc(bk->cell, (size_t)n * sizeof *grown);
            if (!grown)
                return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the spikes waiting for arrival");
            bk->cell = grown;
            bk->cap = n;
        }
        cob_ckpt_get(r, bk->cell, (size_t)n * sizeof *bk->cell);
        bk->n = n;
    }
    return COB_OK;
}

static cob_status load_pools(cob_cpu *s, cob_ckpt_reader *r, cob_err *err)
{
    int pop;
    for (pop = 0; pop < s->net->n_pops; ++pop) {
        cob_pool *pl = &s->pool[pop];
        int64_t n = pl->active ? s->plan->pop[pop].size : 0;
        if (!cob_ckpt_expect(r, n, "pool sources", err))
            return err->status;
        cob_ckpt_get(r, pl->next, (size_t)n * sizeof *pl->next);
        cob_ckpt_get(r, pl->n_draws, (size_t)n * sizeof *pl->n_draws);
    }
    return COB_OK;
}

/* Thread 0 holds the loaded V histograms, counters and input counts; the others start empty. */
static void load_thread_copies(cob_cpu *s, const uint64_t sums[3])
{
    const int64_t row = s->acc.v_bins + 2;
    int pop;
    memset(s->vhist, 0, (size_t)s->n_thr * (size_t)s->net->n_pops * (size_t)row * sizeof *s->vhist);
    for (pop = 0; pop < s->net->n_pops; ++pop)
        if (s->net->pop_offset[pop] >= 0)
            memcpy(s->vhist + pop * row, s->acc.pop[pop].v_hist, (size_t)row * sizeof *s->vhist);
    memset(s->overflow_per_thread, 0, (size_t)s->n_thr * 8 * sizeof *s->overflow_per_thread);
    memset(s->events_per_thread, 0, (size_t)s->n_thr * 8 * sizeof *s->events_per_thread);
    s->overflow_per_thread[0] = sums[0];
    s->overflow_per_thread[1] = sums[1];
    s->events_per_thread[0] = sums[2];
}

cob_status cob_cpu_load(void *impl, cob_ckpt_reader *r, cob_err *err)
{
    cob_cpu *s = impl;
    uint64_t sums[3];
    int64_t t = cob_ckpt_get_i64(r);
    int k;
    cob_status st;
    if (t < 0 || t > s->plan->total_steps)
        return cob_err_set(err, COB_ERR_CONFIG, "checkpoint at step %lld, but this run has %lld steps", (long long)t,
                           (long long)s->plan->total_steps);
    if (!cob_ckpt_expect(r, s->net->n_neurons, "neurons", err) ||
        !cob_ckpt_expect(r, s->net->n_state_f32, "float state arrays", err))
        return err->status;
    for (k = 0; k < s->net->n_state_f32; ++k) cob_ckpt_get(r, s->state.f[k], (size_t)s->net->n_neurons * sizeof(float));
    if (!cob_ckpt_expect(r, s->net->n_state_i32, "integer state arrays", err))
        return err->status;
    for (k = 0; k < s->net->n_state_i32; ++k)
        cob_ckpt_get(r, s->state.i[k], (size_t)s->net->n_neurons * sizeof(int32_t));
    if (!cob_ckpt_expect(r, s->inbuf_cells, "input cells", err))
        return err->status;
    memset(s->inbuf, 0, (size_t)(s->n_thr * s->inbuf_cells) * sizeof *s->inbuf);
    cob_ckpt_get(r, s->inbuf, (size_t)s->inbuf_cells * sizeof *s->inbuf);
    for (k = 0; k < s->n_thr * s->net->ring_slots; ++k) s->bkt[k].n = 0;
    st = load_buckets(s, r, err);
    if (st == COB_OK)
        st = load_pools(s, r, err);
    if (st != COB_OK)
        return st;
    cob_ckpt_get(r, sums, sizeof sums);
    st = cob_acc_load(&s->acc, s->net, r, err);
    if (st != COB_OK)
        return st;
    load_thread_copies(s, sums);
    memset(s->poll_count, 0, sizeof s->poll_count);
    s->t = t;
    return COB_OK;
}
