/* host/stats/stats_desc.c -- the accumulator descriptor table (host/stats/stats_acc.h) and what
 * is derived from it: row lengths and byte counts (host/net/estimate.c, host/net/cuda_mem.c),
 * host allocation, initial values and free (host/stats/stats.c's cob_acc_init), and the merge of
 * per-thread copies (the CPU backend). The CUDA backend (kernels/cuda_backend.cu) allocates and
 * downloads its device copies by walking the same table. Rows only: the per-run arrays (raster,
 * traces) are not per population and stay in stats.c. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "stats/stats_acc.h"

#define ROW(f, host_f, what, type, ctype, shape, init, merge)                                                      \
    {                                                                                                              \
#f, what, offsetof(cob_pop_acc, host_f), offsetof(cob_acc_arrays, f), type, (int32_t)sizeof(ctype), shape, \
            init, merge                                                                                            \
    }

const cob_acc_desc cob_acc_table[COB_ACC_N_ROWS] = {
    [COB_ACC_SPIKE_COUNT] = ROW(spike_count, spike_count, "spike counts", COB_ACC_U32, uint32_t, COB_ACC_PER_NEURON, 0,
                                COB_ACC_MERGE_NONE),
    [COB_ACC_N_ISI] = ROW(n_isi, n_isi, "ISI counts", COB_ACC_U32, uint32_t, COB_ACC_PER_NEURON, 0, COB_ACC_MERGE_NONE),
    [COB_ACC_V_N] = ROW(v_n, v_n, "V sample counts", COB_ACC_U32, uint32_t, COB_ACC_PER_NEURON, 0, COB_ACC_MERGE_NONE),
    [COB_ACC_LAST_SPIKE] = ROW(last_spike, last_spike, "last spike steps", COB_ACC_I64, int64_t, COB_ACC_PER_NEURON, -1,
                               COB_ACC_MERGE_NONE),
    [COB_ACC_ISI_SUM] = ROW(isi_sum, isi_sum, "ISI sums", COB_ACC_U64, uint64_t, COB_ACC_PER_NEURON, 0,
                            COB_ACC_MERGE_NONE),
    [COB_ACC_ISI_SUMSQ] = ROW(isi_sumsq, isi_sumsq, "ISI sums of squares", COB_ACC_U64, uint64_t, COB_ACC_PER_NEURON, 0,
                              COB_ACC_MERGE_NONE),
    [COB_ACC_V_SUM] = ROW(v_sum, v_sum, "V sums", COB_ACC_F64, double, COB_ACC_PER_NEURON, 0, COB_ACC_MERGE_NONE),
    [COB_ACC_V_SUMSQ] = ROW(v_sumsq, v_sumsq, "V sums of squares", COB_ACC_F64, double, COB_ACC_PER_NEURON, 0,
                            COB_ACC_MERGE_NONE),
    [COB_ACC_V_HIST] = ROW(v_hist, v_hist, "V histogram", COB_ACC_U64, uint64_t, COB_ACC_PER_VHIST, 0,
                           COB_ACC_MERGE_SUM),
    [COB_ACC_RATE_TS] = ROW(rate_ts, rate_ts, "population rate series", COB_ACC_U32, uint32_t, COB_ACC_PER_TS_BIN, 0,
                            COB_ACC_MERGE_SUM),
    [COB_ACC_WIN_SPIKES] = ROW(win_spikes, win_spikes, "spikes per window", COB_ACC_U64, uint64_t, COB_ACC_PER_WINDOW,
                               0, COB_ACC_MERGE_SUM),
    /* 128-bit sums of squares (low, high): updated in place by atomics, never summed as copies */
    [COB_ACC_WIN_ISI] = ROW(win_isi, win_isi, "ISI sums per window", COB_ACC_U64, uint64_t, COB_ACC_PER_WINDOW4, 0,
                            COB_ACC_MERGE_NONE),
    [COB_ACC_WIN_V] = ROW(win_v, win_v, "V sums per window", COB_ACC_F64, double, COB_ACC_PER_WINDOW_VN, 0,
                          COB_ACC_MERGE_NONE),
};

#undef ROW

cob_acc_dims cob_acc_config_dims(const cob_config *c, int pop)
{
    cob_acc_dims m;
    m.n = c->pops[pop].size;
    m.v_bins = c->stats.v_hist_bins;
    m.n_bins_ts = cob_config_n_bins_ts(c);
    m.n_windows = c->protocol.n_windows;
    m.v_neurons = c->stats.v_neurons;
    return m;
}

cob_acc_dims cob_acc_plan_dims(const cob_plan *pl, int pop)
{
    cob_acc_dims m;
    m.n = pl->pop[pop].size;
    m.v_bins = pl->v_bins;
    m.n_bins_ts = pl->n_bins_ts;
    m.n_windows = pl->windows.steps.n;
    m.v_neurons = pl->v_neurons;
    return m;
}

/* Rows per window exist even without windows (one element), so no allocation is empty. */
static int64_t windows(const cob_acc_dims *m)
{
    return m->n_windows > 1 ? m->n_windows : 1;
}

/* Neurons with per-window V sums: min(n, v_neurons), at least 1. */
static int64_t window_v_neurons(const cob_acc_dims *m)
{
    int64_t vn = m->n < m->v_neurons ? m->n : m->v_neurons;
    return vn > 1 ? vn : 1;
}

int64_t cob_acc_row_len(const cob_acc_desc *d, const cob_acc_dims *m)
{
    switch (d->shape) {
    case COB_ACC_PER_NEURON: return m->n;
    case COB_ACC_PER_VHIST: return m->v_bins + 2;
    case COB_ACC_PER_TS_BIN: return m->n_bins_ts;
    case COB_ACC_PER_WINDOW: return windows(m);
    case COB_ACC_PER_WINDOW4: return 4 * windows(m);
    case COB_ACC_PER_WINDOW_VN: return 3 * windows(m) * window_v_neurons(m);
    }
    abort(); /* a shape without a length: the table and this switch disagree */
}

int64_t cob_acc_row_bytes(const cob_acc_desc *d, const cob_acc_dims *m)
{
    return cob_acc_row_len(d, m) * d->elem_bytes;
}

int64_t cob_acc_pop_bytes(const cob_acc_dims *m)
{
    int64_t b = 0;
    int r;
    for (r = 0; r < COB_ACC_N_ROWS; ++r) b += cob_acc_row_bytes(&cob_acc_table[r], m);
    return b;
}

int cob_acc_fill_byte(const cob_acc_desc *d)
{
    return d->init ? 0xFF : 0x00;
}

void **cob_acc_host_slot(cob_pop_acc *pa, const cob_acc_desc *d)
{
    return (void **)((char *)pa + d->host_off);
}

void **cob_acc_arrays_slot(cob_acc_arrays *x, const cob_acc_desc *d)
{
    return (void **)((char *)x + d->arr_off);
}

cob_acc_arrays cob_acc_pop_arrays(const cob_pop_acc *pa)
{
    cob_acc_arrays x;
    int r;
    for (r = 0; r < COB_ACC_N_ROWS; ++r)
        *cob_acc_arrays_slot(&x, &cob_acc_table[r]) = *cob_acc_host_slot((cob_pop_acc *)pa, &cob_acc_table[r]);
    return x;
}

void cob_acc_pop_reset(cob_pop_acc *pa, const cob_acc_dims *m)
{
    int r;
    for (r = 0; r < COB_ACC_N_ROWS; ++r) {
        const cob_acc_desc *d = &cob_acc_table[r];
        void *p = *cob_acc_host_slot(pa, d);
        if (p)
            memset(p, cob_acc_fill_byte(d), (size_t)cob_acc_row_bytes(d, m));
    }
    memset(pa->chan_count, 0, sizeof pa->chan_count);
}

cob_status cob_acc_pop_alloc(cob_pop_acc *pa, const cob_acc_dims *m, const char *pop_name, cob_err *err)
{
    int r;
    pa->n = m->n;
    for (r = 0; r < COB_ACC_N_ROWS; ++r) {
        const cob_acc_desc *d = &cob_acc_table[r];
        int64_t len = cob_acc_row_len(d, m);
        void *p = calloc((size_t)(len > 0 ? len : 1), (size_t)d->elem_bytes);
        if (!p) {
            cob_acc_pop_free(pa);
            return cob_err_set(err, COB_ERR_NOMEM, "out of host memory for the %s of population %s (%lld bytes)",
                               d->what, pop_name, (long long)cob_acc_row_bytes(d, m));
        }
        *cob_acc_host_slot(pa, d) = p;
    }
    cob_acc_pop_reset(pa, m);
    return COB_OK;
}

void cob_acc_pop_free(cob_pop_acc *pa)
{
    int r;
    for (r = 0; r < COB_ACC_N_ROWS; ++r) {
        void **slot = cob_acc_host_slot(pa, &cob_acc_table[r]);
        free(*slot);
        *slot = NULL;
    }
}

/* dst[k] += src[k] for k < len, in the row's element type. */
static void add_row(const cob_acc_desc *d, void *dst, const void *src, int64_t len)
{
    int64_t k;
    switch (d->type) {
    case COB_ACC_U32:
        for (k = 0; k < len; ++k) ((uint32_t *)dst)[k] += ((const uint32_t *)src)[k];
        return;
    case COB_ACC_I64:
        for (k = 0; k < len; ++k) ((int64_t *)dst)[k] += ((const int64_t *)src)[k];
        return;
    case COB_ACC_U64:
        for (k = 0; k < len; ++k) ((uint64_t *)dst)[k] += ((const uint64_t *)src)[k];
        return;
    case COB_ACC_F64:
        for (k = 0; k < len; ++k) ((double *)dst)[k] += ((const double *)src)[k];
        return;
    }
    abort(); /* an element type without an addition: the table and this switch disagree */
}

/* Sum the copies of a summing row into a (the row is known to merge by summing). */
static void merge_sum(cob_acc *a, const cob_net *net, const cob_acc_desc *d, const void *copies, int n_copies)
{
    int pop, k;
    for (pop = 0; pop < net->n_pops; ++pop) {
        cob_pop_acc *pa = &a->pop[pop];
        cob_acc_dims m;
        int64_t len;
        void *dst;
        if (net->pop_offset[pop] < 0)
            continue;
        m.n = pa->n;
        m.v_bins = a->v_bins;
        m.n_bins_ts = a->n_bins_ts;
        m.n_windows = a->n_windows;
        m.v_neurons = a->v_neurons;
        len = cob_acc_row_len(d, &m);
        dst = *cob_acc_host_slot(pa, d);
        memset(dst, 0, (size_t)(len * d->elem_bytes));
        for (k = 0; k < n_copies; ++k)
            add_row(d, dst, (const char *)copies + ((int64_t)k * net->n_pops + pop) * len * d->elem_bytes, len);
    }
}

cob_status cob_acc_merge_copies(cob_acc *a, const cob_net *net, int row, const void *copies, int n_copies, cob_err *err)
{
    if (row < 0 || row >= COB_ACC_N_ROWS || cob_acc_table[row].merge != COB_ACC_MERGE_SUM)
        return cob_err_set(err, COB_ERR_INVALID, "accumulator row %d (%s) has no copies to sum", row,
                           row >= 0 && row < COB_ACC_N_ROWS ? cob_acc_table[row].name : "out of range");
    merge_sum(a, net, &cob_acc_table[row], copies, n_copies);
    return COB_OK;
}

void cob_acc_merge_thread_hist(cob_acc *a, const cob_net *net, const uint64_t *thread_hist, int n_thr)
{
    merge_sum(a, net, &cob_acc_table[COB_ACC_V_HIST], thread_hist, n_thr);
}
