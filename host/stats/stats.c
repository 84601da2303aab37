/* host/stats/stats.c -- statistics accumulators (host/stats/stats_acc.h): allocation (the
 * per-population arrays by the descriptor table, host/stats/stats_desc.c), raster appends, and
 * the final reduction into cob_stats: rates, CV of ISI, histograms, V moments, input rates,
 * population-rate time series. Runs once at the end of a run, on the host. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats/stats_acc.h"
#include "stats/stats_fields.h"

#define ALLOC(p, n) ((p) = calloc((size_t)((n) > 0 ? (n) : 1), sizeof *(p)))

static int traces_alloc(cob_acc *a, const cob_net *net, const cob_plan *pl)
{
    int pop;
    int64_t k = 0, i;
    a->trace_n = pl->trace_n;
    a->trace_samples = pl->trace_samples;
    if (!ALLOC(a->trace_pop, a->trace_n) || !ALLOC(a->trace_neuron, a->trace_n) || !ALLOC(a->trace_gidx, a->trace_n) ||
        !ALLOC(a->trace_v, a->trace_n * a->trace_samples))
        return 0;
    for (pop = 0; pop < pl->n_pops; ++pop)
        for (i = 0; net->pop_offset[pop] >= 0 && i < pl->pop[pop].size && i < a->trace_neurons; ++i, ++k) {
            a->trace_pop[k] = pop;
            a->trace_neuron[k] = (int32_t)i;
            a->trace_gidx[k] = net->pop_offset[pop] + i;
        }
    return 1;
}

cob_status cob_acc_init(cob_acc *a, const cob_net *net, const cob_plan *pl, cob_err *err)
{
    int pop;
    memset(a, 0, sizeof *a);
    a->warmup_steps = pl->warmup_steps;
    a->measure_steps = pl->measure_steps;
    a->bin_steps = pl->bin_steps;
    a->n_bins_ts = pl->n_bins_ts;
    a->n_windows = pl->windows.steps.n;
    a->v_neurons = pl->v_neurons;
    a->windows = pl->windows.steps;
    a->v_stride = pl->v_stride;
    a->v_bins = pl->v_bins;
    a->v_min_mV = pl->v_min_mV;
    a->v_inv_width = pl->v_inv_width;
    a->raster_neurons = pl->raster_neurons;
    a->raster_cap = pl->raster_cap;
    a->trace_neurons = pl->trace_neurons;
    a->trace_stride = pl->trace_stride;
    for (pop = 0; pop < pl->n_pops; ++pop) {
        cob_acc_dims m = cob_acc_plan_dims(pl, pop);
        cob_status st = net->pop_offset[pop] >= 0 ? cob_acc_pop_alloc(&a->pop[pop], &m, pl->pop[pop].name, err)
                                                  : COB_OK;
        if (st != COB_OK) {
            cob_acc_free(a);
            return st;
        }
    }
    if (!ALLOC(a->raster_step, a->raster_cap) || !ALLOC(a->raster_pop, a->raster_cap) ||
        !ALLOC(a->raster_neuron, a->raster_cap) || !traces_alloc(a, net, pl))
        goto nomem;
    return COB_OK;
nomem:
    cob_acc_free(a);
    return cob_err_set(err, COB_ERR_NOMEM,
                       "out of host memory for the statistics accumulators "
                       "(raster.max_spikes = %lld, traces.neurons = %d)",
                       (long long)pl->reduce.raster_max_spikes, pl->reduce.trace_neurons);
}

void cob_acc_free(cob_acc *a)
{
    int pop;
    for (pop = 0; pop < COB_MAX_POPS; ++pop) cob_acc_pop_free(&a->pop[pop]);
    free(a->raster_step);
    free(a->raster_pop);
    free(a->raster_neuron);
    free(a->trace_pop);
    free(a->trace_neuron);
    free(a->trace_gidx);
    free(a->trace_v);
    memset(a, 0, sizeof *a);
}

void cob_acc_raster(cob_acc *a, int64_t step, int32_t pop, int32_t neuron)
{
    if (a->raster_n >= a->raster_cap) {
        a->raster_overflow += 1;
        return;
    }
    a->raster_step[a->raster_n] = step;
    a->raster_pop[a->raster_n] = pop;
    a->raster_neuron[a->raster_n] = neuron;
    a->raster_n += 1;
}

static void mean_sd(const double *x, int64_t n, double *mean, double *sd)
{
    double s = 0.0, ss = 0.0;
    int64_t i, k = 0;
    for (i = 0; i < n; ++i)
        if (!isnan(x[i])) {
            s += x[i];
            k += 1;
        }
    *mean = k ? s / (double)k : NAN;
    for (i = 0; i < n; ++i)
        if (!isnan(x[i]))
            ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = k ? sqrt(ss / (double)k) : NAN;
}

/* Rates, CV of ISI (population moments of the neuron's ISIs), quiescent fraction. */
static void reduce_rates(const cob_pop_acc *pa, const cob_stats_spec *ss, double t_s, cob_pop_stats *ps)
{
    int64_t i, quiet = 0;
    ps->n_cv = 0;
    for (i = 0; i < pa->n; ++i) {
        ps->spike_count[i] = pa->spike_count[i];
        ps->rate_hz[i] = t_s > 0 ? pa->spike_count[i] / t_s : NAN;
        ps->n_isi[i] = pa->n_isi[i];
        ps->cv_isi[i] = NAN;
        if (pa->n_isi[i] >= (uint32_t)ss->min_isi && pa->n_isi[i] > 0) {
            double n = pa->n_isi[i], m = pa->isi_sum[i] / n;
            double var = pa->isi_sumsq[i] / n - m * m;
            ps->cv_isi[i] = sqrt(var > 0 ? var : 0) / m;
            ps->n_cv += 1;
        }
        if (ps->rate_hz[i] <= ss->quiescent_max_hz)
            quiet += 1;
    }
    mean_sd(ps->rate_hz, pa->n, &ps->mean_rate_hz, &ps->sd_rate_hz);
    mean_sd(ps->cv_isi, pa->n, &ps->mean_cv, &ps->sd_cv);
    ps->frac_quiescent = pa->n ? (double)quiet / (double)pa->n : NAN;
}

static void reduce_hists(const cob_pop_acc *pa, const cob_stats_spec *ss, cob_pop_stats *ps)
{
    double lr = log(ss->rate_hist_max_hz / ss->rate_hist_min_hz);
    int64_t i;
    int b;
    for (b = 0; b <= ps->rate_bins; ++b) ps->rate_edges[b] = ss->rate_hist_min_hz * exp(lr * b / ps->rate_bins);
    for (b = 0; b <= ps->cv_bins; ++b) ps->cv_edges[b] = ss->cv_hist_max * b / ps->cv_bins;
    for (b = 0; b <= ps->v_bins; ++b)
        ps->v_edges[b] = ss->v_hist_min_mV + (ss->v_hist_max_mV - ss->v_hist_min_mV) * b / ps->v_bins;
    for (i = 0; i < pa->n; ++i) {
        double r = ps->rate_hz[i], cv = ps->cv_isi[i];
        long rb = r < ss->rate_hist_min_hz ? 0 : (long)floor(log(r / ss->rate_hist_min_hz) / lr * ps->rate_bins);
        ps->rate_hist[rb >= ps->rate_bins ? ps->rate_bins - 1 : rb] += 1;
        if (!isnan(cv)) {
            long cb = (long)floor(cv / ss->cv_hist_max * ps->cv_bins);
            ps->cv_hist[cb >= ps->cv_bins ? ps->cv_bins - 1 : cb] += 1;
        }
    }
    /* v_hist: [0] below, [1 .. v_bins], [v_bins + 1] above */
    memcpy(ps->v_hist, pa->v_hist + 1, (size_t)ps->v_bins * sizeof *ps->v_hist);
    ps->v_below = pa->v_hist[0];
    ps->v_above = pa->v_hist[ps->v_bins + 1];
}

static void reduce_voltage(const cob_pop_acc *pa, cob_pop_stats *ps)
{
    double s = 0.0, ss = 0.0, n = 0.0;
    int64_t i;
    for (i = 0; i < pa->n; ++i) {
        s += pa->v_sum[i];
        ss += pa->v_sumsq[i];
        n += pa->v_n[i];
        if (i < ps->v_n) {
            double m = pa->v_n[i] ? pa->v_sum[i] / pa->v_n[i] : NAN;
            double var = pa->v_n[i] ? pa->v_sumsq[i] / pa->v_n[i] - m * m : NAN;
            ps->v_mean_mV[i] = m;
            ps->v_sd_mV[i] = sqrt(var > 0 ? var : 0);
        }
    }
    ps->v_pop_mean_mV = n > 0 ? s / n : NAN;
    ps->v_pop_sd_mV = n > 0 ? sqrt(fmax(ss / n - ps->v_pop_mean_mV * ps->v_pop_mean_mV, 0.0)) : NAN;
}

static void reduce_inputs_ts(const cob_pop_acc *pa, const cob_net *net, int pop, const cob_plan *pl, double t_s,
                             cob_pop_stats *ps)
{
    double tau_s = pl->pop[pop].tau_m_ms * 1e-3, s = 0.0, ss = 0.0, m;
    int64_t b;
    int ch;
    ps->n_channels = net->pop_channels[pop];
    for (ch = 0; ch < ps->n_channels; ++ch) {
        ps->chan_receptor[ch] = net->chan_receptor[pop][ch];
        ps->chan_weight[ch] = net->chan_weight[pop][ch];
        ps->chan_rate_hz[ch] = (pa->n && t_s > 0) ? pa->chan_count[ch] / ((double)pa->n * t_s) : NAN;
        ps->chan_mean_input[ch] = ps->chan_weight[ch] * tau_s * ps->chan_rate_hz[ch];
    }
    for (b = 0; b < ps->n_bins_ts; ++b) {
        ps->rate_ts_counts[b] = pa->rate_ts[b];
        s += pa->rate_ts[b];
        ss += (double)pa->rate_ts[b] * pa->rate_ts[b];
    }
    m = ps->n_bins_ts ? s / ps->n_bins_ts : NAN;
    ps->pop_rate_cv = (ps->n_bins_ts && m > 0) ? sqrt(fmax(ss / ps->n_bins_ts - m * m, 0.0)) / m : NAN;
}

/* Per protocol window: the population rate from its spike count, the CV of the ISIs inside it
 * pooled over the population (integer sums), and V mean and s.d. pooled over the samples of the
 * first v_n neurons (their sums, added in neuron order). */
static void reduce_windows(const cob_acc *a, const cob_pop_acc *pa, const cob_plan *pl, cob_pop_stats *ps)
{
    const cob_acc_dims one = {pa->n, 0, 0, 1, a->v_neurons};
    const int64_t vn = cob_acc_row_len(&cob_acc_table[COB_ACC_WIN_V], &one) / 3; /* rows of win_v per window */
    int64_t w, i;
    for (w = 0; w < ps->n_windows; ++w) {
        const double dur_s = (double)(a->windows.end[w] - a->windows.start[w]) * pl->dt_ms * 1e-3;
        const uint64_t *isi = pa->win_isi + 4 * w;
        const double isi_sq = (double)isi[3] * 18446744073709551616.0 + (double)isi[2]; /* 128-bit sum */
        double n = 0.0, sum = 0.0, sumsq = 0.0, m;
        ps->win_rate_hz[w] = pa->n > 0 && dur_s > 0 ? (double)pa->win_spikes[w] / ((double)pa->n * dur_s) : NAN;
        ps->win_n_isi[w] = isi[0];
        m = isi[0] ? (double)isi[1] / (double)isi[0] : NAN;
        ps->win_cv_isi[w] = isi[0] >= (uint64_t)pl->reduce.min_isi && isi[0] > 0
                                ? sqrt(fmax(isi_sq / (double)isi[0] - m * m, 0.0)) / m
                                : NAN;
        for (i = 0; i < ps->v_n && i < vn; ++i) {
            const double *c = pa->win_v + (w * vn + i) * 3;
            n += c[0];
            sum += c[1];
            sumsq += c[2];
        }
        ps->win_v_samples[w] = (uint64_t)n;
        ps->win_v_mean_mV[w] = n > 0 ? sum / n : NAN;
        ps->win_v_sd_mV[w] = n > 0 ? sqrt(fmax(sumsq / n - (sum / n) * (sum / n), 0.0)) : NAN;
    }
}

/* The counts of ps, then every owned array of the population results table at its length. */
static int pop_stats_alloc(cob_pop_stats *ps, int64_t n, const cob_stats_spec *ss, int64_t n_bins_ts, int n_pops)
{
    int k;
    ps->n = n;
    ps->rate_bins = ss->rate_hist_bins;
    ps->cv_bins = ss->cv_hist_bins;
    ps->v_bins = ss->v_hist_bins;
    ps->v_n = n < ss->v_neurons ? n : ss->v_neurons;
    ps->bal_n = n < ss->balance_neurons ? n : ss->balance_neurons;
    ps->bal_n_src = ps->bal_n > 0 ? n_pops + 1 : 0;
    ps->bal_factor_mean = ps->bal_factor_sd = NAN;
    ps->n_bins_ts = n_bins_ts;
    for (k = 0; k < cob_pop_stats_n_fields; ++k) {
        const cob_stats_field *f = &cob_pop_stats_fields[k];
        int64_t len = cob_stats_field_len(f, ps);
        void **slot;
        if (f->store != COB_SF_OWNED)
            continue;
        slot = cob_stats_field_slot(f, ps);
        *slot = calloc((size_t)(len > 0 ? len : 1), (size_t)cob_stats_type_bytes(f->type));
        if (!*slot)
            return 0;
    }
    return 1;
}

static int copy_raster_traces(const cob_acc *a, cob_stats *out)
{
    out->raster_n = a->raster_n;
    out->raster_overflow = a->raster_overflow;
    out->trace_n = a->trace_n;
    out->trace_samples = a->trace_samples;
    if (!ALLOC(out->raster_step, a->raster_n) || !ALLOC(out->raster_pop, a->raster_n) ||
        !ALLOC(out->raster_neuron, a->raster_n) || !ALLOC(out->trace_pop, a->trace_n) ||
        !ALLOC(out->trace_neuron, a->trace_n) || !ALLOC(out->trace_v_mV, a->trace_n * a->trace_samples))
        return 0;
    memcpy(out->raster_step, a->raster_step, (size_t)a->raster_n * sizeof *a->raster_step);
    memcpy(out->raster_pop, a->raster_pop, (size_t)a->raster_n * sizeof *a->raster_pop);
    memcpy(out->raster_neuron, a->raster_neuron, (size_t)a->raster_n * sizeof *a->raster_neuron);
    memcpy(out->trace_pop, a->trace_pop, (size_t)a->trace_n * sizeof *a->trace_pop);
    memcpy(out->trace_neuron, a->trace_neuron, (size_t)a->trace_n * sizeof *a->trace_neuron);
    memcpy(out->trace_v_mV, a->trace_v, (size_t)(a->trace_n * a->trace_samples) * sizeof *a->trace_v);
    return 1;
}

cob_status cob_acc_reduce(const cob_acc *a, const cob_net *net, const cob_plan *pl, cob_stats *out, cob_err *err)
{
    double dt_s = pl->dt_ms * 1e-3, t_s = a->measure_steps * dt_s;
    int pop;
    memset(out, 0, sizeof *out);
    out->n_steps_measured = a->measure_steps;
    out->t_measured_s = t_s;
    out->ring_overflow = (int64_t)a->ring_overflow;
    out->spikes_merged = (int64_t)a->spikes_merged;
    for (pop = 0; pop < pl->n_pops; ++pop) {
        cob_pop_stats *ps;
        if (net->pop_offset[pop] < 0)
            continue;
        ps = &out->pop[out->n_pops++];
        snprintf(ps->name, sizeof ps->name, "%s", pl->pop[pop].name);
        ps->model = (int)pl->pop[pop].model;
        ps->bin_ms = a->bin_steps * pl->dt_ms;
        ps->n_windows = a->n_windows;
        if (!pop_stats_alloc(ps, a->pop[pop].n, &pl->reduce, a->n_bins_ts, pl->n_pops))
            goto nomem;
        reduce_windows(a, &a->pop[pop], pl, ps);
        reduce_rates(&a->pop[pop], &pl->reduce, t_s, ps);
        reduce_hists(&a->pop[pop], &pl->reduce, ps);
        reduce_voltage(&a->pop[pop], ps);
        reduce_inputs_ts(&a->pop[pop], net, pop, pl, t_s, ps);
    }
    if (!copy_raster_traces(a, out))
        goto nomem;
    return COB_OK;
nomem:
    cob_stats_free(out);
    return cob_err_set(err, COB_ERR_NOMEM, "out of host memory while reducing the statistics");
}

/* Every owned array of the rows of tab in owner. */
static void free_owned(const cob_stats_field *tab, int n_rows, void *owner)
{
    int k;
    for (k = 0; k < n_rows; ++k)
        if (tab[k].store == COB_SF_OWNED)
            free(*cob_stats_field_slot(&tab[k], owner));
}

void cob_stats_free(cob_stats *s)
{
    int p;
    for (p = 0; p < COB_MAX_POPS; ++p) free_owned(cob_pop_stats_fields, cob_pop_stats_n_fields, &s->pop[p]);
    free_owned(cob_run_stats_fields, cob_run_stats_n_fields, s);
    memset(s, 0, sizeof *s);
}
