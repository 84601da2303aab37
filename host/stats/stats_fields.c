/* host/stats/stats_fields.c -- the descriptor tables of the reduced results (host/stats/stats_fields.h)
 * and what walks them: lengths and shapes, the byte count of a population's results (the host
 * memory estimate, host/net/estimate.c), and cob_stats_first_difference (include/cobalt/stats.h),
 * the bit-for-bit comparison of two runs' statistics that the determinism and CUDA tests use.
 * Names and units are those of docs/results.md; host/output/output.c writes the same names. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats/stats_fields.h"

#define POP(f, type, store, len, h5, name, units)                         \
    {                                                                     \
#f, offsetof(cob_pop_stats, f), type, store, len, h5, name, units \
    }
#define RUN(f, type, store, len, h5, name, units)                     \
    {                                                                 \
#f, offsetof(cob_stats, f), type, store, len, h5, name, units \
    }
#define DSET COB_SF_H5_DATASET
#define ATTR COB_SF_H5_ATTRIBUTE
#define NONE COB_SF_H5_NONE

const cob_stats_field cob_pop_stats_fields[] = {
    POP(name, COB_SF_NAME, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, NULL), /* the group's name */
    POP(model, COB_SF_MODEL, COB_SF_VALUE, COB_SF_ONE, ATTR, "model", NULL),
    POP(n, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, ATTR, "n", "neurons"),
    POP(spike_count, COB_SF_U32, COB_SF_OWNED, COB_SF_N, DSET, "spike_count", "spikes"),
    POP(rate_hz, COB_SF_F64, COB_SF_OWNED, COB_SF_N, DSET, "rate_hz", "Hz"),
    POP(n_isi, COB_SF_U32, COB_SF_OWNED, COB_SF_N, DSET, "n_isi", "intervals"),
    POP(cv_isi, COB_SF_F64, COB_SF_OWNED, COB_SF_N, DSET, "cv_isi", "1"),
    POP(mean_rate_hz, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "mean_rate_hz", "Hz"),
    POP(sd_rate_hz, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "sd_rate_hz", "Hz"),
    POP(mean_cv, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "mean_cv", "1"),
    POP(sd_cv, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "sd_cv", "1"),
    POP(n_cv, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, ATTR, "n_cv", "neurons"),
    POP(frac_quiescent, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "frac_quiescent", "1"),
    POP(rate_bins, COB_SF_INT, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "bins"),
    POP(cv_bins, COB_SF_INT, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "bins"),
    POP(v_bins, COB_SF_INT, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "bins"),
    POP(rate_hist, COB_SF_U64, COB_SF_OWNED, COB_SF_RATE_BINS, DSET, "rate_hist", "neurons"),
    POP(rate_edges, COB_SF_F64, COB_SF_OWNED, COB_SF_RATE_EDGES, DSET, "rate_edges", "Hz"),
    POP(cv_hist, COB_SF_U64, COB_SF_OWNED, COB_SF_CV_BINS, DSET, "cv_hist", "neurons"),
    POP(cv_edges, COB_SF_F64, COB_SF_OWNED, COB_SF_CV_EDGES, DSET, "cv_edges", "1"),
    POP(v_hist, COB_SF_U64, COB_SF_OWNED, COB_SF_V_BINS, DSET, "v_hist", "samples"),
    POP(v_edges, COB_SF_F64, COB_SF_OWNED, COB_SF_V_EDGES, DSET, "v_edges", "mV"),
    POP(v_below, COB_SF_U64, COB_SF_VALUE, COB_SF_ONE, ATTR, "v_below", "samples"),
    POP(v_above, COB_SF_U64, COB_SF_VALUE, COB_SF_ONE, ATTR, "v_above", "samples"),
    POP(v_n, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "neurons"),
    POP(v_mean_mV, COB_SF_F64, COB_SF_OWNED, COB_SF_V_N, DSET, "v_mean_mV", "mV"),
    POP(v_sd_mV, COB_SF_F64, COB_SF_OWNED, COB_SF_V_N, DSET, "v_sd_mV", "mV"),
    POP(v_pop_mean_mV, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "v_pop_mean_mV", "mV"),
    POP(v_pop_sd_mV, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "v_pop_sd_mV", "mV"),
    POP(n_channels, COB_SF_INT, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "channels"),
    POP(chan_receptor, COB_SF_INT, COB_SF_INLINE, COB_SF_N_CHANNELS, ATTR, "chan_receptor", "0 = E, 1 = I"),
    POP(chan_weight, COB_SF_F64, COB_SF_INLINE, COB_SF_N_CHANNELS, ATTR, "chan_weight",
        "1 (lif_cond: a) or mV (lif_curr: J)"),
    POP(chan_rate_hz, COB_SF_F64, COB_SF_INLINE, COB_SF_N_CHANNELS, ATTR, "chan_rate_hz", "Hz"),
    POP(chan_mean_input, COB_SF_F64, COB_SF_INLINE, COB_SF_N_CHANNELS, ATTR, "chan_mean_input",
        "1 (lif_cond: g/g_L) or mV (lif_curr)"),
    POP(n_bins_ts, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "bins"),
    POP(bin_ms, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "bin_ms", "ms"),
    POP(rate_ts_counts, COB_SF_U32, COB_SF_OWNED, COB_SF_N_BINS_TS, DSET, "rate_ts_counts", "spikes"),
    POP(pop_rate_cv, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "pop_rate_cv", "1"),
    POP(bal_n, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "neurons"),
    POP(bal_n_src, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "sources"),
    POP(bal_input_e, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_N, DSET, "balance_input_e", "mV/s"),
    POP(bal_input_i, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_N, DSET, "balance_input_i", "mV/s"),
    POP(bal_input_ext, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_N, DSET, "balance_input_ext", "mV/s"),
    POP(bal_factor, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_N, DSET, "balance_factor", "1"),
    POP(bal_input_src, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_SRC_CELLS, DSET, "balance_input_by_source", "mV/s"),
    POP(bal_g_e, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_N, DSET, "balance_g_e", "1 (g/g_L)"),
    POP(bal_g_i, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_N, DSET, "balance_g_i", "1 (g/g_L)"),
    POP(bal_g_ext, COB_SF_F64, COB_SF_OWNED, COB_SF_BAL_N, DSET, "balance_g_ext", "1 (g/g_L)"),
    POP(bal_factor_mean, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "balance_factor_mean", "1"),
    POP(bal_factor_sd, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "balance_factor_sd", "1"),
    POP(n_windows, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "windows"),
    POP(win_rate_hz, COB_SF_F64, COB_SF_OWNED, COB_SF_N_WINDOWS, DSET, "window_rate_hz", "Hz"),
    POP(win_n_isi, COB_SF_U64, COB_SF_OWNED, COB_SF_N_WINDOWS, DSET, "window_n_isi", "intervals"),
    POP(win_cv_isi, COB_SF_F64, COB_SF_OWNED, COB_SF_N_WINDOWS, DSET, "window_cv_isi", "1"),
    POP(win_v_samples, COB_SF_U64, COB_SF_OWNED, COB_SF_N_WINDOWS, DSET, "window_v_samples", "samples"),
    POP(win_v_mean_mV, COB_SF_F64, COB_SF_OWNED, COB_SF_N_WINDOWS, DSET, "window_v_mean_mV", "mV"),
    POP(win_v_sd_mV, COB_SF_F64, COB_SF_OWNED, COB_SF_N_WINDOWS, DSET, "window_v_sd_mV", "mV"),
};
const int cob_pop_stats_n_fields = (int)(sizeof cob_pop_stats_fields / sizeof cob_pop_stats_fields[0]);

const cob_stats_field cob_run_stats_fields[] = {
    RUN(n_pops, COB_SF_INT, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "populations"), /* groups in /populations */
    RUN(n_steps_measured, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, ATTR, "n_steps_measured", "steps"),
    RUN(t_measured_s, COB_SF_F64, COB_SF_VALUE, COB_SF_ONE, ATTR, "t_measured_s", "s"),
    RUN(raster_n, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "spikes"),
    RUN(raster_step, COB_SF_I64, COB_SF_OWNED, COB_SF_RASTER_N, DSET, "raster/step", "steps"),
    RUN(raster_pop, COB_SF_I32, COB_SF_OWNED, COB_SF_RASTER_N, DSET, "raster/pop", "population index"),
    RUN(raster_neuron, COB_SF_I32, COB_SF_OWNED, COB_SF_RASTER_N, DSET, "raster/neuron", "neuron index"),
    RUN(raster_overflow, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, ATTR, "overflow/raster", "spikes"),
    RUN(trace_n, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "traces"),
    RUN(trace_samples, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, NONE, NULL, "samples"),
    RUN(trace_pop, COB_SF_I32, COB_SF_OWNED, COB_SF_TRACE_N, DSET, "traces/pop", "population index"),
    RUN(trace_neuron, COB_SF_I32, COB_SF_OWNED, COB_SF_TRACE_N, DSET, "traces/neuron", "neuron index"),
    RUN(trace_v_mV, COB_SF_F32, COB_SF_OWNED, COB_SF_TRACE_CELLS, DSET, "traces/v_mV", "mV"),
    RUN(ring_overflow, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, ATTR, "overflow/ring", "spike counts"),
    RUN(spikes_merged, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, ATTR, "overflow/merged_spikes", "spikes"),
    RUN(syn_events, COB_SF_I64, COB_SF_VALUE, COB_SF_ONE, ATTR, "timing/syn_events", "spikes"),
};
const int cob_run_stats_n_fields = (int)(sizeof cob_run_stats_fields / sizeof cob_run_stats_fields[0]);

#undef POP
#undef RUN
#undef DSET
#undef ATTR
#undef NONE

int cob_stats_type_bytes(cob_sf_type t)
{
    switch (t) {
    case COB_SF_U32:
    case COB_SF_I32:
    case COB_SF_F32: return 4;
    case COB_SF_U64:
    case COB_SF_I64:
    case COB_SF_F64: return 8;
    case COB_SF_INT:
    case COB_SF_MODEL: return (int)sizeof(int);
    case COB_SF_NAME: return COB_NAME_MAX;
    }
    abort(); /* a type without a size: the enum and this switch disagree */
}

static int64_t edges(int bins)
{
    return bins > 0 ? (int64_t)bins + 1 : 0;
}

int64_t cob_stats_field_len(const cob_stats_field *f, const void *owner)
{
    const cob_pop_stats *p = (const cob_pop_stats *)owner;
    const cob_stats *s = (const cob_stats *)owner;
    switch (f->len) {
    case COB_SF_ONE: return 1;
    case COB_SF_N: return p->n;
    case COB_SF_V_N: return p->v_n;
    case COB_SF_RATE_BINS: return p->rate_bins;
    case COB_SF_RATE_EDGES: return edges(p->rate_bins);
    case COB_SF_CV_BINS: return p->cv_bins;
    case COB_SF_CV_EDGES: return edges(p->cv_bins);
    case COB_SF_V_BINS: return p->v_bins;
    case COB_SF_V_EDGES: return edges(p->v_bins);
    case COB_SF_N_CHANNELS: return p->n_channels;
    case COB_SF_N_BINS_TS: return p->n_bins_ts;
    case COB_SF_RASTER_N: return s->raster_n;
    case COB_SF_TRACE_N: return s->trace_n;
    case COB_SF_TRACE_CELLS: return s->trace_n * s->trace_samples;
    case COB_SF_BAL_N: return p->bal_n;
    case COB_SF_BAL_SRC_CELLS: return p->bal_n * p->bal_n_src;
    case COB_SF_N_WINDOWS: return p->n_windows;
    }
    abort(); /* a length without a count: the enum and this switch disagree */
}

int cob_stats_field_shape(const cob_stats_field *f, const void *owner, int64_t dims[2])
{
    const cob_stats *s = (const cob_stats *)owner;
    if (f->len == COB_SF_ONE)
        return 0;
    if (f->len == COB_SF_TRACE_CELLS) {
        dims[0] = s->trace_n;
        dims[1] = s->trace_samples;
        return 2;
    }
    if (f->len == COB_SF_BAL_SRC_CELLS) {
        const cob_pop_stats *p = (const cob_pop_stats *)owner;
        dims[0] = p->bal_n;
        dims[1] = p->bal_n_src;
        return 2;
    }
    dims[0] = cob_stats_field_len(f, owner);
    return 1;
}

const void *cob_stats_field_data(const cob_stats_field *f, const void *owner)
{
    const char *at = (const char *)owner + f->off;
    return f->store == COB_SF_OWNED ? *(const void *const *)at : (const void *)at;
}

void **cob_stats_field_slot(const cob_stats_field *f, void *owner)
{
    return (void **)((char *)owner + f->off);
}

int64_t cob_stats_pop_bytes(const cob_pop_stats *shape)
{
    int64_t b = 0;
    int k;
    for (k = 0; k < cob_pop_stats_n_fields; ++k) {
        const cob_stats_field *f = &cob_pop_stats_fields[k];
        if (f->store == COB_SF_OWNED)
            b += cob_stats_field_len(f, shape) * cob_stats_type_bytes(f->type);
    }
    return b;
}

/* ---- comparison ---------------------------------------------------------------------------- */

/* One element as text: the value, and for floats also its bits (two NaNs or 0 and -0 differ only
 * there). */
static void fmt_elem(char *buf, size_t len, cob_sf_type t, const void *p)
{
    switch (t) {
    case COB_SF_U32: {
        uint32_t v;
        memcpy(&v, p, 4);
        snprintf(buf, len, "%" PRIu32, v);
        return;
    }
    case COB_SF_U64: {
        uint64_t v;
        memcpy(&v, p, 8);
        snprintf(buf, len, "%" PRIu64, v);
        return;
    }
    case COB_SF_I32: {
        int32_t v;
        memcpy(&v, p, 4);
        snprintf(buf, len, "%" PRId32, v);
        return;
    }
    case COB_SF_I64: {
        int64_t v;
        memcpy(&v, p, 8);
        snprintf(buf, len, "%" PRId64, v);
        return;
    }
    case COB_SF_INT:
    case COB_SF_MODEL: {
        int v;
        memcpy(&v, p, sizeof v);
        snprintf(buf, len, "%d", v);
        return;
    }
    case COB_SF_F32: {
        float v;
        uint32_t u;
        memcpy(&v, p, 4);
        memcpy(&u, p, 4);
        snprintf(buf, len, "%.9g (0x%08" PRIx32 ")", (double)v, u);
        return;
    }
    case COB_SF_F64: {
        double v;
        uint64_t u;
        memcpy(&v, p, 8);
        memcpy(&u, p, 8);
        snprintf(buf, len, "%.17g (0x%016" PRIx64 ")", v, u);
        return;
    }
    case COB_SF_NAME: snprintf(buf, len, "\"%.*s\"", COB_NAME_MAX, (const char *)p); return;
    }
    abort(); /* a type without a format: the enum and this switch disagree */
}

/* Element k of both sides differs: the message names the field, the index (arrays) and both values. */
static int report(const char *where, const cob_stats_field *f, int64_t k, const void *x, const void *y, char *msg,
                  size_t len)
{
    char vx[64], vy[64];
    fmt_elem(vx, sizeof vx, f->type, x);
    fmt_elem(vy, sizeof vy, f->type, y);
    if (f->store == COB_SF_VALUE)
        snprintf(msg, len, "%s%s: %s vs %s", where, f->field, vx, vy);
    else
        snprintf(msg, len, "%s%s[%" PRId64 "]: %s vs %s", where, f->field, k, vx, vy);
    return 1;
}

/* Values first (the counts that are the lengths of the arrays among them), then the arrays. */
static int first_diff_in(const cob_stats_field *tab, int n_rows, const void *a, const void *b, const char *where,
                         char *msg, size_t len)
{
    int pass, r;
    for (pass = 0; pass < 2; ++pass)
        for (r = 0; r < n_rows; ++r) {
            const cob_stats_field *f = &tab[r];
            const char *x, *y;
            int64_t n, k, sz = cob_stats_type_bytes(f->type);
            if ((f->store == COB_SF_VALUE) != (pass == 0))
                continue;
            n = cob_stats_field_len(f, a);
            if (n != cob_stats_field_len(f, b)) {
                snprintf(msg, len, "%s%s: length %" PRId64 " vs %" PRId64, where, f->field, n,
                         cob_stats_field_len(f, b));
                return 1;
            }
            x = cob_stats_field_data(f, a);
            y = cob_stats_field_data(f, b);
            if (n > 0 && (!x || !y)) {
                snprintf(msg, len, "%s%s: array missing (%s vs %s)", where, f->field, x ? "present" : "NULL",
                         y ? "present" : "NULL");
                return 1;
            }
            if (f->type == COB_SF_NAME) {
                if (strncmp(x, y, COB_NAME_MAX))
                    return report(where, f, 0, x, y, msg, len);
                continue;
            }
            if (n <= 0 || !memcmp(x, y, (size_t)(n * sz)))
                continue;
            for (k = 0; !memcmp(x + k * sz, y + k * sz, (size_t)sz); ++k) {}
            return report(where, f, k, x + k * sz, y + k * sz, msg, len);
        }
    return 0;
}

int cob_stats_first_difference(const cob_stats *a, const cob_stats *b, char *msg, size_t len)
{
    char where[COB_NAME_MAX + 16];
    int p;
    if (len)
        msg[0] = '\0';
    if (first_diff_in(cob_run_stats_fields, cob_run_stats_n_fields, a, b, "", msg, len))
        return 1;
    for (p = 0; p < a->n_pops && p < COB_MAX_POPS; ++p) {
        snprintf(where, sizeof where, "pop %.*s: ", COB_NAME_MAX, a->pop[p].name);
        if (first_diff_in(cob_pop_stats_fields, cob_pop_stats_n_fields, &a->pop[p], &b->pop[p], where, msg, len))
            return 1;
    }
    return 0;
}
