/* host/output/output.c -- the result file of a run (HDF5); the JSON summary is in host/output/output_json.c.
 * Pairs with include/cobalt/output.h; the layout is documented in docs/results.md (keep the two
 * in step). The file is published by host/util/publish.c (written to "<path>.tmp.<pid>",
 * synced, renamed onto path), so a killed run leaves either the old file or the whole new one.
 * Every HDF5 return value is checked and every handle closed on all paths.
 * Limits: serial HDF5 (one writer thread); arrays are written from memory in one piece; the
 * directory is not fsync'ed after the rename. */
#define _POSIX_C_SOURCE 200809L

#include "cobalt/models.h"
#include "cobalt/output.h"
#include "cobalt/response.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <hdf5.h>

#include "stats/stats_fields.h"
#include "util/h5.h"
#include "util/publish.h"

/* What the group writers need. */
typedef struct {
    const cob_config *c;
    const cob_stats *s;
    const cob_sim_timing *t;
    const cob_run_meta *m;
    int i_pop;
    cob__h5w *w; /* the file being written */
} run_ctx;

/* ---- the groups ---------------------------------------------------------------------- */

static cob_status write_root(cob__h5w *w, hid_t f, const run_ctx *x)
{
    const cob_run_meta *m = x->m;
    const char *cfg_path = m->config_path ? m->config_path : x->c->path;
    const char *text = x->c->text ? x->c->text : "";
    const char *keys[6] = {"cobalt_version", "commit", "backend", "device", "config_path", "integrator"};
    const char *backend = m->backend ? m->backend : x->t->backend_name;
    const char *vals[6] = {m->version, m->commit, backend,
                           m->device,  cfg_path,  cob_integrator_name(x->c->run.integrator)};
    cob__h5_f64 f64[] = {{"dt_ms", x->c->run.dt_ms},
                         {"t_sim_ms", x->c->run.t_sim_ms},
                         {"t_warmup_ms", x->c->run.t_warmup_ms},
                         {"t_measured_s", x->s->t_measured_s}};
    cob__h5_i64 i64[] = {{"n_steps_measured", x->s->n_steps_measured}};
    cob_status st = COB_OK;
    for (int i = 0; i < 6 && st == COB_OK; i++) st = cob__h5_attr_str(w, f, keys[i], vals[i]);
    if (st == COB_OK)
        st = cob__h5_attr_created(w, f);
    if (st == COB_OK)
        st = cob__h5_attr_u64(w, f, "seed", m->seed);
    if (st == COB_OK)
        st = cob__h5_attrs_f64(w, f, f64, (int)(sizeof f64 / sizeof f64[0]));
    if (st == COB_OK)
        st = cob__h5_attrs_i64(w, f, i64, 1);
    if (st == COB_OK)
        st = cob__h5_dset(w, f, "config", w->str_t, w->str_t, 0, NULL, &text);
    return st;
}

static cob_status write_timing(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    const cob_sim_timing *t = x->t;
    /* dev_*: CUDA backend only (CUDA events; 0 on the CPU) */
    cob__h5_f64 f64[] = {
        {"build_s", t->build_s},
        {"init_s", t->init_s},
        {"run_s", t->run_s},
        {"dev_build_s", t->dev_build_s},
        {"dev_run_s", t->dev_run_s},
        {"dev_update_us_per_step", t->dev_update_us},
        {"dev_deliver_us_per_step", t->dev_deliver_us},
        {"dev_plan_us_per_step", t->dev_plan_us},
        {"dev_h2d_s", t->dev_h2d_s},
        {"dev_d2h_s", t->dev_d2h_s},
        {"dev_bytes_per_synapse", t->dev_bytes_per_synapse},
        {"run_cpu_s", t->run_cpu_s}};
    cob__h5_i64 i64[] = {{"n_steps", t->n_steps},           {"n_synapses", t->n_synapses},
                         {"n_neurons", t->n_neurons},       {"peak_rss_bytes", t->peak_rss_bytes},
                         {"syn_events", x->s->syn_events},  {"dev_timed_steps", t->dev_timed_steps},
                         {"device_bytes", t->device_bytes}, {"device_estimate_bytes", t->device_estimate_bytes},
                         {"threads", t->threads},           {"chunk_steps", t->chunk_steps}};
    cob_status st = cob__h5_attrs_f64(w, g, f64, 11);
    return st != COB_OK ? st : cob__h5_attrs_i64(w, g, i64, 10);
}

static cob_status write_overflow(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    cob__h5_i64 i64[] = {{"ring", x->s->ring_overflow},
                         {"raster", x->s->raster_overflow},
                         {"merged_spikes", x->s->spikes_merged}};
    return cob__h5_attrs_i64(w, g, i64, 3);
}

static cob_status write_raster(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    const cob_stats *s = x->s;
    hsize_t n = (hsize_t)s->raster_n;
    cob__h5_arr a[] = {{"step", H5T_STD_I64LE, H5T_NATIVE_INT64, n, s->raster_step},
                       {"pop", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->raster_pop},
                       {"neuron", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->raster_neuron}};
    return cob__h5_dsets(w, g, a, 3);
}

static cob_status write_traces(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    const cob_stats *s = x->s;
    hsize_t n = (hsize_t)s->trace_n;
    hsize_t dims[2] = {n, (hsize_t)s->trace_samples};
    cob__h5_arr a[] = {{"pop", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->trace_pop},
                       {"neuron", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->trace_neuron}};
    cob__h5_i64 stride[] = {{"stride_steps", x->c->stats.trace_stride_steps}};
    cob_status st = cob__h5_dsets(w, g, a, 2);
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "v_mV", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, s->trace_v_mV);
    return st != COB_OK ? st : cob__h5_attrs_i64(w, g, stride, 1);
}

/* HDF5 file and memory types of a numeric element type of the results table. 0 for the types
 * that are not numbers (model, name). */
static int h5_types(cob_sf_type t, hid_t *ft, hid_t *mt)
{
    switch (t) {
    case COB_SF_U32:
        *ft = H5T_STD_U32LE;
        *mt = H5T_NATIVE_UINT32;
        return 1;
    case COB_SF_U64:
        *ft = H5T_STD_U64LE;
        *mt = H5T_NATIVE_UINT64;
        return 1;
    case COB_SF_I32:
        *ft = H5T_STD_I32LE;
        *mt = H5T_NATIVE_INT32;
        return 1;
    case COB_SF_INT:
        *ft = H5T_STD_I32LE;
        *mt = H5T_NATIVE_INT;
        return 1;
    case COB_SF_I64:
        *ft = H5T_STD_I64LE;
        *mt = H5T_NATIVE_INT64;
        return 1;
    case COB_SF_F32:
        *ft = H5T_IEEE_F32LE;
        *mt = H5T_NATIVE_FLOAT;
        return 1;
    case COB_SF_F64:
        *ft = H5T_IEEE_F64LE;
        *mt = H5T_NATIVE_DOUBLE;
        return 1;
    default: return 0;
    }
}

/* One row of the results table (host/stats/stats_fields.c) for population p: a dataset, an
 * attribute, or nothing, as the table says. Adding a result adds a row there, not code here. */
static cob_status write_pop_field(cob__h5w *w, hid_t g, const cob_stats_field *f, const cob_pop_stats *p)
{
    int64_t dims[2] = {0, 0};
    hsize_t hd[2];
    hid_t ft, mt;
    int rank;
    const void *data;
    if (f->h5 == COB_SF_H5_NONE)
        return COB_OK;
    data = cob_stats_field_data(f, p);
    if (f->type == COB_SF_MODEL)
        return cob__h5_attr_str(w, g, f->h5_name, cob_model_name(*(const int *)data));
    if (!h5_types(f->type, &ft, &mt))
        return cob_err_set(w->err, COB_ERR_INVALID, "%s: internal: result field %s has no HDF5 type", w->path,
                           f->field);
    rank = cob_stats_field_shape(f, p, dims);
    hd[0] = (hsize_t)dims[0];
    hd[1] = (hsize_t)dims[1];
    if (f->h5 == COB_SF_H5_DATASET)
        return cob__h5_dset(w, g, f->h5_name, ft, mt, rank, hd, data);
    return cob__h5_attr(w, g, f->h5_name, ft, mt, rank, rank ? hd[0] : 0, data);
}

static cob_status write_pop(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    const cob_pop_stats *p = &x->s->pop[x->i_pop];
    cob__h5_i64 index[] = {{"index", x->i_pop}};
    cob_status st = COB_OK;
    for (int k = 0; k < cob_pop_stats_n_fields && st == COB_OK; k++)
        st = write_pop_field(w, g, &cob_pop_stats_fields[k], p);
    return st != COB_OK ? st : cob__h5_attrs_i64(w, g, index, 1);
}

static cob_status write_pops(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    cob_status st = COB_OK;
    for (int i = 0; i < x->s->n_pops && st == COB_OK; i++) {
        run_ctx xi = *x;
        xi.i_pop = i;
        st = cob__h5_group(w, g, x->s->pop[i].name, write_pop, &xi);
    }
    return st;
}

/* ---- the file ------------------------------------------------------------------------ */

/* Lengths non-negative, channel counts in range, population names usable as group names. */
static cob_status check_stats(const char *path, const cob_stats *s, cob_err *err)
{
    if (s->n_pops < 0 || s->n_pops > COB_MAX_POPS || s->raster_n < 0 || s->trace_n < 0 || s->trace_samples < 0)
        return cob_err_set(err, COB_ERR_INVALID,
                           "%s: stats have n_pops %d (allowed 0..%d), "
                           "raster_n %" PRId64 ", trace %" PRId64 " x %" PRId64,
                           path, s->n_pops, COB_MAX_POPS, s->raster_n, s->trace_n, s->trace_samples);
    for (int i = 0; i < s->n_pops; i++) {
        const cob_pop_stats *p = &s->pop[i];
        size_t len = strnlen(p->name, COB_NAME_MAX);
        int bad_name = len == 0 || len == COB_NAME_MAX || strchr(p->name, '/') || strcmp(p->name, ".") == 0;
        if (bad_name || p->n < 0 || p->v_n < 0 || p->n_bins_ts < 0 || p->rate_bins < 0 || p->cv_bins < 0 ||
            p->v_bins < 0 || p->n_channels < 0 || p->n_channels > COB_MAX_CHANNELS)
            return cob_err_set(err, COB_ERR_INVALID,
                               "%s: population %d (\"%.*s\") has a bad "
                               "name (empty, '/' or too long) or a negative length or n_channels "
                               "%d outside 0..%d",
                               path, i, (int)len, p->name, p->n_channels, COB_MAX_CHANNELS);
    }
    return COB_OK;
}

/* /theory: the mean-field prediction beside the simulation (docs/results.md). */
static cob_status write_theory(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    const cob_theory_summary *th = x->m->theory;
    cob__h5_f64 f64[] = {{"rate_hz", th->rate_hz},       {"cv", th->cv},
                         {"mu_mV", th->mu_mV},           {"sigma_mV", th->sigma_mV},
                         {"tau_eff_ms", th->tau_eff_ms}, {"v_mean_mV", th->v_mean_mV},
                         {"v_sd_mV", th->v_sd_mV}};
    cob__h5_i64 i64[] = {{"stable", th->stable}, {"n_states", th->n_states}};
    cob__h5_arr a[] = {{"v_mV", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, COB_THEORY_PV_N, th->v_mV},
                       {"p_v", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, COB_THEORY_PV_N, th->p_v}};
    cob__h5_f64 syn[] = {{"tau_syn_ms", th->tau_syn_ms},   {"tau_syn_over_tau_eff", th->syn_ratio},
                         {"rate_g9_hz", th->rate_g9_hz},   {"rate_g10_hz", th->rate_g10_hz},
                         {"rate_g11_hz", th->rate_g11_hz}, {"v_sd_free_mV", th->v_sd_syn_mV}};
    cob__h5_i64 pick[] = {{"syn_pick", th->syn_pick}};
    cob_status st = cob__h5_attrs_f64(w, g, f64, 7);
    if (st == COB_OK)
        st = cob__h5_attrs_i64(w, g, i64, 2);
    if (st == COB_OK && th->tau_syn_ms > 0.0) /* exponential synapses only: other files unchanged */
        st = cob__h5_attrs_f64(w, g, syn, 6);
    if (st == COB_OK && th->tau_syn_ms > 0.0)
        st = cob__h5_attrs_i64(w, g, pick, 1);
    return st != COB_OK ? st : cob__h5_dsets(w, g, a, 2);
}

/* The schedule of an input the protocol perturbs, as the run used it (compiled, in steps): dataset
 * input_<population>_<key>, n x 2 of (t_ms, value), so that a rate can be plotted against it. */
static cob_status write_input_schedule(cob__h5w *w, hid_t g, const cob_config *c, int pop, int target)
{
    static const char *const key[] = {"rate_hz", "noise.mu_mV_per_s", "noise.sigma_mV_per_sqrt_s"};
    int64_t t[COB_SCHEDULE_MAX];
    double v[COB_SCHEDULE_MAX], tv[2 * COB_SCHEDULE_MAX];
    char name[96];
    int perturbed = 0, n;
    for (int k = 0; k < c->protocol.n_perts; k++)
        perturbed |= c->protocol.perts[k].pop == pop && c->protocol.perts[k].target == target;
    n = perturbed ? cob_protocol_schedule(c, pop, target, t, v, COB_SCHEDULE_MAX) : 0;
    if (n <= 0)
        return COB_OK;
    if (n > COB_SCHEDULE_MAX)
        n = COB_SCHEDULE_MAX; /* refused by the config check; not reached for a checked config */
    for (int i = 0; i < n; i++) {
        tv[2 * i] = (double)t[i] * c->run.dt_ms;
        tv[2 * i + 1] = v[i];
    }
    hsize_t dims[2] = {(hsize_t)n, 2};
    snprintf(name, sizeof name, "input_%s_%s", c->pops[pop].name, key[target]);
    return cob__h5_dset(w, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, tv);
}

/* /protocol/response: per perturbed window, each population's rate change against its baseline
 * window, the gain and the paradoxical flag (include/cobalt/response.h). Rows x populations. */
static cob_status write_response(cob__h5w *w, hid_t g, void *user)
{
    static const char *const key_name[] = {"rate_hz", "noise.mu_mV_per_s", "noise.sigma_mV_per_sqrt_s"};
    const run_ctx *x = user;
    const cob_protocol_spec *p = &x->c->protocol;
    cob_response r; /* about 25 KB */
    cob_response_compute(x->c, x->s, &r);
    int nr = r.n_rows, np = r.n_pops;
    const char *win[COB_MAX_WINDOWS], *base[COB_MAX_WINDOWS], *key[COB_MAX_WINDOWS], *names[COB_MAX_POPS];
    double d_input[COB_MAX_WINDOWS], m[4][COB_MAX_WINDOWS * COB_MAX_POPS];
    int32_t para[COB_MAX_WINDOWS * COB_MAX_POPS], inhib[COB_MAX_POPS];
    for (int i = 0; i < np; i++) {
        names[i] = x->s->pop[i].name;
        inhib[i] = r.inhibitory[i];
    }
    for (int k = 0; k < nr; k++) {
        const cob_response_row *row = &r.rows[k];
        win[k] = p->windows[row->window].name;
        base[k] = p->windows[row->baseline].name;
        key[k] = row->key >= 0 ? key_name[row->key] : "";
        d_input[k] = row->d_input;
        for (int i = 0; i < np; i++) {
            m[0][k * np + i] = row->dr_hz[i];
            m[1][k * np + i] = row->se_hz[i];
            m[2][k * np + i] = row->gain_hz[i];
            m[3][k * np + i] = row->d_own[i];
            para[k * np + i] = row->paradoxical[i];
        }
    }
    static const char *const mat[] = {"dr_hz", "dr_se_hz", "gain", "d_own_input"};
    hsize_t n1 = (hsize_t)nr, npop = (hsize_t)np, dims[2] = {(hsize_t)nr, (hsize_t)np};
    cob_status st = cob__h5_dset(w, g, "window", w->str_t, w->str_t, 1, &n1, win);
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "baseline", w->str_t, w->str_t, 1, &n1, base);
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "key", w->str_t, w->str_t, 1, &n1, key);
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "d_input", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n1, d_input);
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "population", w->str_t, w->str_t, 1, &npop, names);
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "inhibitory", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &npop, inhib);
    for (int k = 0; k < 4 && st == COB_OK; k++)
        st = cob__h5_dset(w, g, mat[k], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, m[k]);
    return st != COB_OK ? st : cob__h5_dset(w, g, "paradoxical", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, dims, para);
}

/* /protocol: the windows the per-window statistics of /populations/NAME refer to. */
static cob_status write_protocol(cob__h5w *w, hid_t g, void *user)
{
    const run_ctx *x = user;
    const cob_protocol_spec *p = &x->c->protocol;
    const char *names[COB_MAX_WINDOWS];
    double start[COB_MAX_WINDOWS], end[COB_MAX_WINDOWS];
    hsize_t n = (hsize_t)p->n_windows;
    for (int k = 0; k < p->n_windows; k++) {
        names[k] = p->windows[k].name;
        start[k] = p->windows[k].start_ms;
        end[k] = p->windows[k].end_ms;
    }
    cob__h5_arr a[] = {{"window_start_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, start},
                       {"window_end_ms", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, end}};
    cob_status st = cob__h5_dset(w, g, "window_names", w->str_t, w->str_t, 1, &n, names);
    if (st == COB_OK)
        st = cob__h5_dsets(w, g, a, 2);
    for (int pop = 0; pop < x->c->n_pops && st == COB_OK; pop++)
        for (int target = COB_PERT_RATE; target <= COB_PERT_SIGMA && st == COB_OK; target++)
            st = write_input_schedule(w, g, x->c, pop, target);
    return st != COB_OK ? st : cob__h5_group(w, g, "response", write_response, user);
}

static cob_status write_body(cob__h5w *w, hid_t f, void *user)
{
    const run_ctx *x = user;
    cob_status st = write_root(w, f, x);
    if (st == COB_OK)
        st = cob__h5_group(w, f, "timing", write_timing, user);
    if (st == COB_OK)
        st = cob__h5_group(w, f, "overflow", write_overflow, user);
    if (st == COB_OK)
        st = cob__h5_group(w, f, "populations", write_pops, user);
    if (st == COB_OK)
        st = cob__h5_group(w, f, "raster", write_raster, user);
    if (st == COB_OK && x->m->theory)
        st = cob__h5_group(w, f, "theory", write_theory, user);
    if (st == COB_OK && x->c->protocol.n_windows > 0)
        st = cob__h5_group(w, f, "protocol", write_protocol, user);
    return st != COB_OK ? st : cob__h5_group(w, f, "traces", write_traces, user);
}

/* What cob__publish calls: the whole file at tmp (user: the run_ctx). */
static cob_status write_file(const char *tmp, void *user, cob_err *err)
{
    const run_ctx *x = user;
    return cob__h5_file(x->w, tmp, "result file", write_body, user);
}

cob_status cob_output_write_h5(const char *path, const cob_config *c, const cob_stats *s, const cob_sim_timing *t,
                               const cob_run_meta *m, cob_err *err)
{
    if (!path || !path[0] || !c || !s || !t || !m)
        return cob_err_set(err, COB_ERR_INVALID,
                           "cob_output_write_h5: path, config, stats, "
                           "timing and meta must be given");
    cob_status st = check_stats(path, s, err);
    if (st != COB_OK)
        return st;
    cob__h5w w;
    st = cob__h5w_init(&w, path, 1, err);
    if (st != COB_OK)
        return st;
    run_ctx x = {c, s, t, m, 0, &w};
    return cob__publish(path, write_file, &x, err);
}
