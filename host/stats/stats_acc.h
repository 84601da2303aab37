/* host/stats/stats_acc.h -- internal: the on-line statistics accumulators of a run (what a backend
 * fills during the run) and their reduction into a cob_stats (host/stats/stats.c). The arrays of a
 * population are the rows of one descriptor table (cob_acc_table, host/stats/stats_desc.c): host
 * and device allocation, initial values, byte counts for both memory estimates, the merge of
 * per-thread copies and the device download all walk it. The CUDA backend copies its device
 * accumulators (cob_acc_arrays of device pointers) into this same layout at the end.
 * Adding a per-population accumulator: a field in cob_acc_arrays (include/cobalt/hd/stats.h) and
 * in cob_pop_acc, its COB_ACC_* row index here and its row in cob_acc_table; nothing else
 * allocates, sizes, zeroes, merges or copies it (tests/test_stats.c checks the table is complete). */
#ifndef COBALT_HOST_STATS_ACC_H
#define COBALT_HOST_STATS_ACC_H

#include "cobalt/net.h"
#include "cobalt/plan.h"
#include "cobalt/stats.h"
#include "cobalt/config.h"
#include "cobalt/hd/stats.h"
#include "cobalt/checkpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One population's accumulators on the host. The pointers are the rows of cob_acc_table (same
 * names as cob_acc_arrays). */
typedef struct {
    int64_t n;
    uint32_t *spike_count, *n_isi, *v_n;
    int64_t *last_spike;            /* step of the last spike in the window, -1 none */
    uint64_t *isi_sum, *isi_sumsq;  /* steps, steps^2 */
    double *v_sum, *v_sumsq;        /* over non-refractory samples */
    uint64_t *v_hist;               /* v_bins + 2: [0] below, [1 .. v_bins], [v_bins + 1] above */
    uint32_t *rate_ts;              /* n_bins_ts */
    uint64_t *win_spikes, *win_isi; /* per protocol window (hd/stats.h, cob_acc_arrays) */
    double *win_v;
    uint64_t chan_count[COB_MAX_CHANNELS]; /* spikes arrived per channel (all neurons) */
} cob_pop_acc;

typedef struct {
    cob_pop_acc pop[COB_MAX_POPS]; /* indexed by config population; poisson ones empty */
    int64_t warmup_steps, measure_steps;
    int64_t bin_steps, n_bins_ts, v_stride;
    int32_t n_windows;
    int64_t v_neurons;   /* stats.v_neurons (rows of win_v: the first min(n, v_neurons) neurons) */
    cob_windows windows; /* the protocol's windows in steps */
    float v_min_mV, v_inv_width;
    int32_t v_bins;
    int32_t raster_neurons, trace_neurons;
    int64_t raster_cap, raster_n, raster_overflow;
    int64_t *raster_step;
    int32_t *raster_pop, *raster_neuron;
    int64_t trace_n, trace_stride, trace_samples, trace_filled;
    int32_t *trace_pop, *trace_neuron;
    int64_t *trace_gidx; /* global neuron index of each trace */
    float *trace_v;      /* [trace_n][trace_samples] */
    uint64_t ring_overflow;
    uint64_t spikes_merged; /* ordered step: spikes beyond the first of a neuron in one step */
} cob_acc;

/* ---- the accumulator descriptor table (host/stats/stats_desc.c) ---------------------------- */

typedef enum { COB_ACC_U32, COB_ACC_I64, COB_ACC_U64, COB_ACC_F64 } cob_acc_type;
/* Length of a row in a population: n neurons, v_bins + 2 histogram cells, n_bins_ts time bins;
 * per protocol window W = max(1, n_windows): W, 4 W, and 3 W vn with vn = max(1, min(n, v_neurons)). */
typedef enum {
    COB_ACC_PER_NEURON,
    COB_ACC_PER_VHIST,
    COB_ACC_PER_TS_BIN,
    COB_ACC_PER_WINDOW,
    COB_ACC_PER_WINDOW4,
    COB_ACC_PER_WINDOW_VN
} cob_acc_shape;
/* How copies of a row combine (per-thread copies on the CPU, the device's copy): element-wise
 * sum, or none (one owner writes each element: per-neuron rows). */
typedef enum { COB_ACC_MERGE_NONE, COB_ACC_MERGE_SUM } cob_acc_merge;

/* Rows of cob_acc_table, in the order of cob_acc_arrays' fields. */
enum {
    COB_ACC_SPIKE_COUNT,
    COB_ACC_N_ISI,
    COB_ACC_V_N,
    COB_ACC_LAST_SPIKE,
    COB_ACC_ISI_SUM,
    COB_ACC_ISI_SUMSQ,
    COB_ACC_V_SUM,
    COB_ACC_V_SUMSQ,
    COB_ACC_V_HIST,
    COB_ACC_RATE_TS,
    COB_ACC_WIN_SPIKES,
    COB_ACC_WIN_ISI,
    COB_ACC_WIN_V,
    COB_ACC_N_ROWS
};

typedef struct {
    const char *name; /* field name in cob_acc_arrays */
    const char *what; /* what it holds, for messages ("spike counts") */
    size_t host_off;  /* offsetof(cob_pop_acc, field) */
    size_t arr_off;   /* offsetof(cob_acc_arrays, field) */
    cob_acc_type type;
    int32_t elem_bytes;
    cob_acc_shape shape;
    int32_t init; /* every element starts at 0, or at -1 (last_spike): all bytes 0x00 or 0xFF */
    cob_acc_merge merge;
} cob_acc_desc;

extern const cob_acc_desc cob_acc_table[COB_ACC_N_ROWS];

/* What the row lengths of one population depend on. */
typedef struct {
    int64_t n, v_bins, n_bins_ts;
    int64_t n_windows, v_neurons; /* protocol windows; stats.v_neurons */
} cob_acc_dims;

/* Dimensions of population pop of config c (size, stats.v_hist.bins, rate bins). */
cob_acc_dims cob_acc_config_dims(const cob_config *c, int pop);
/* The same from a run plan (what the backends and the device estimate see). */
cob_acc_dims cob_acc_plan_dims(const cob_plan *plan, int pop);

/* Elements and bytes of row d in a population of dimensions m. */
int64_t cob_acc_row_len(const cob_acc_desc *d, const cob_acc_dims *m);
int64_t cob_acc_row_bytes(const cob_acc_desc *d, const cob_acc_dims *m);
/* Bytes of all accumulator arrays of one population (what host and device allocate for it). */
int64_t cob_acc_pop_bytes(const cob_acc_dims *m);
/* The byte a memset writes to give row d its initial value (0x00 or 0xFF). */
int cob_acc_fill_byte(const cob_acc_desc *d);

/* Where row d's array pointer is in a host accumulator / in a cob_acc_arrays. */
void **cob_acc_host_slot(cob_pop_acc *pa, const cob_acc_desc *d);
void **cob_acc_arrays_slot(cob_acc_arrays *x, const cob_acc_desc *d);
/* pa's arrays as the cob_acc_arrays that cob_stats_neuron (include/cobalt/hd/stats.h) takes. */
cob_acc_arrays cob_acc_pop_arrays(const cob_pop_acc *pa);

/* Allocate every row of pa for dimensions m (pa->n = m->n) and set the initial values. On
 * failure frees what was allocated and returns COB_ERR_NOMEM naming the row and population. */
cob_status cob_acc_pop_alloc(cob_pop_acc *pa, const cob_acc_dims *m, const char *pop_name, cob_err *err);
/* Every row of pa back to its initial value (chan_count and the transitional scalars to 0). */
void cob_acc_pop_reset(cob_pop_acc *pa, const cob_acc_dims *m);
/* Free every row of pa (NULL-safe) and clear its pointers. */
void cob_acc_pop_free(cob_pop_acc *pa);

/* Sum n_copies copies of row `row` (a COB_ACC_MERGE_SUM row) into every neuron population of a,
 * replacing what it held. copies: [n_copies][net->n_pops][row length] elements of the row's type
 * (the slots of populations without neurons are skipped). COB_ERR_INVALID if the row does not
 * merge by summing. */
cob_status cob_acc_merge_copies(cob_acc *a, const cob_net *net, int row, const void *copies, int n_copies,
                                cob_err *err);
/* The CPU backend's per-thread V histograms, [n_thr][net->n_pops][v_bins + 2] (cob_cpu.vhist), summed
 * into a's v_hist. */
void cob_acc_merge_thread_hist(cob_acc *a, const cob_net *net, const uint64_t *thread_hist, int n_thr);

/* ---- the run's accumulators (host/stats/stats.c) ------------------------------------------- */

cob_status cob_acc_init(cob_acc *a, const cob_net *net, const cob_plan *plan, cob_err *err);
void cob_acc_free(cob_acc *a);
/* Append a raster spike (counted as overflow when full). */
void cob_acc_raster(cob_acc *a, int64_t step, int32_t pop, int32_t neuron);
/* Reduce into out (allocates; free with cob_stats_free). */
cob_status cob_acc_reduce(const cob_acc *a, const cob_net *net, const cob_plan *plan, cob_stats *out, cob_err *err);

/* ---- checkpoints (host/stats/stats_ckpt.c) ------------------------------------------------ */

/* Append what a run has accumulated so far to b: every row of cob_acc_table of every neuron
 * population (walked from the table, so a new row is saved without a change here), the channel
 * counts, the raster so far, the traces, the overflow counts. The fixed layout (sizes, strides)
 * comes from the plan and is only checked on load. */
void cob_acc_save(const cob_acc *a, const cob_net *net, cob_ckpt_buf *b);
/* Read what cob_acc_save wrote into a, which cob_acc_init made for the same network and plan.
 * COB_ERR_CONFIG when a length differs (another run's checkpoint), COB_ERR_IO when r ends early. */
cob_status cob_acc_load(cob_acc *a, const cob_net *net, cob_ckpt_reader *r, cob_err *err);

#ifdef __cplusplus
}
#endif

#endif
