/* host/output/output.c -- the result file of a run (HDF5); the JSON summary is in host/output/output_json.c.
 * Pairs with include/cobalt/output.h; the layout is documented in docs/results.md (keep the two
 * in step). The file is published by host/util/publish.c (written to "<path>.tmp.<pid>",
 * synced, renamed onto path), so a killed run leaves either the old file or the whole new one.
 * Every HDF5 return value is checked and every handle closed on all paths.
 * Limits: serial HDF5 (one writer thread); arrays are written from memory in one piece; the
 * directory is not fsync'ed after the rename. */
#define _POSIX_C_SOURCE 200809L

#include "cobalt/output.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hdf5.h>

#include "util/publish.h"

#define COB_OUT_DEFLATE_MIN 4096   /* datasets with more elements are chunked and compressed */
#define COB_OUT_CHUNK_ELEMS 65536  /* target elements per chunk */
#define COB_OUT_DEFLATE_LEVEL 4

/* One file being written: what messages name, and the shared string type. */
typedef struct {
    const char *path;                 /* final path, named in every message */
    char where[32 + COB_NAME_MAX];    /* group being written, e.g. "/populations/E" */
    char detail[256];                 /* innermost HDF5 error of the first failure */
    hid_t str_t;                      /* variable-length UTF-8 string */
    int deflate;                      /* the deflate filter is available */
    cob_err *err;
} h5w;

/* What the group writers need. */
typedef struct {
    const cob_config *c;
    const cob_stats *s;
    const cob_sim_timing *t;
    const cob_run_meta *m;
    int i_pop;
    h5w *w;                           /* the file being written */
} run_ctx;

typedef struct { const char *name; double v; } f64_kv;
typedef struct { const char *name; int64_t v; } i64_kv;
typedef struct { const char *name; hid_t ftype, mtype; hsize_t n; const void *data; } h5_arr;
typedef cob_status (*h5_body)(h5w *w, hid_t g, const run_ctx *x);

/* ---- HDF5 helpers ------------------------------------------------------------------ */

static herr_t h5_walk_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc)
        snprintf((char *)data, 256, "%s", e->desc);
    return 0;
}

/* Keep the innermost message of the current HDF5 error stack (before any further API call
 * clears it); only the first failure is kept. */
static void h5_note(h5w *w)
{
    if (w->detail[0] == '\0' && H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, h5_walk_innermost,
                                         w->detail) < 0)
        snprintf(w->detail, sizeof w->detail, "no detail");
}

static cob_status h5_fail(h5w *w, const char *name)
{
    return cob_err_set(w->err, COB_ERR_IO, "%s: cannot write %s/%s (HDF5: %s)", w->path,
                       w->where, name, w->detail[0] ? w->detail : "no detail");
}

static void h5_close(h5w *w, herr_t (*fn)(hid_t), hid_t id, herr_t *rc)
{
    if (id >= 0 && fn(id) < 0) {
        h5_note(w);
        *rc = -1;
    }
}

/* One attribute: rank 0 a scalar, rank 1 an array of n (n may be 0). */
static cob_status h5_attr(h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                          int rank, hsize_t n, const void *v)
{
    hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = sp < 0 ? H5I_INVALID_HID
                     : H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : (rank == 1 && n == 0) ? 0 : H5Awrite(a, mtype, v);
    if (rc < 0)
        h5_note(w);
    h5_close(w, H5Aclose, a, &rc);
    h5_close(w, H5Sclose, sp, &rc);
    return rc < 0 ? h5_fail(w, name) : COB_OK;
}

static cob_status h5_attr_str(h5w *w, hid_t loc, const char *name, const char *v)
{
    const char *p = v ? v : "";
    return h5_attr(w, loc, name, w->str_t, w->str_t, 0, 0, &p);
}

static cob_status h5_attr_u64(h5w *w, hid_t loc, const char *name, uint64_t v)
{
    return h5_attr(w, loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, 0, &v);
}

static cob_status h5_attrs_f64(h5w *w, hid_t loc, const f64_kv *kv, int n)
{
    for (int i = 0; i < n; i++) {
        cob_status st = h5_attr(w, loc, kv[i].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, 0,
                                &kv[i].v);
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}

static cob_status h5_attrs_i64(h5w *w, hid_t loc, const i64_kv *kv, int n)
{
    for (int i = 0; i < n; i++) {
        cob_status st = h5_attr(w, loc, kv[i].name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 0,
                                &kv[i].v);
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}

/* Creation properties: chunked + shuffle + deflate above COB_OUT_DEFLATE_MIN elements. */
static hid_t h5_dcpl(h5w *w, int rank, const hsize_t *dims, hsize_t n_el)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0 || n_el <= COB_OUT_DEFLATE_MIN || !w->deflate)
        return p;
    hsize_t chunk[2] = { dims[0], 1 };
    if (rank == 1) {
        chunk[0] = dims[0] < COB_OUT_CHUNK_ELEMS ? dims[0] : COB_OUT_CHUNK_ELEMS;
    } else {
        chunk[1] = dims[1] < COB_OUT_CHUNK_ELEMS ? dims[1] : COB_OUT_CHUNK_ELEMS;
        hsize_t rows = COB_OUT_CHUNK_ELEMS / chunk[1];
        chunk[0] = rows < 1 ? 1 : rows < dims[0] ? rows : dims[0];
    }
    if (H5Pset_chunk(p, rank, chunk) < 0 || H5Pset_shuffle(p) < 0 ||
        H5Pset_deflate(p, COB_OUT_DEFLATE_LEVEL) < 0) {
        h5_note(w);
        H5Pclose(p);
        return H5I_INVALID_HID;
    }
    return p;
}

/* One dataset of rank 0 (scalar), 1 or 2; zero-length datasets are created and not written. */
static cob_status h5_dset(h5w *w, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                          int rank, const hsize_t *dims, const void *data)
{
    hsize_t n_el = rank == 0 ? 1 : rank == 1 ? dims[0] : dims[0] * dims[1];
    if (n_el > 0 && !data)
        return cob_err_set(w->err, COB_ERR_INVALID, "%s: %s/%s has %llu elements but no data",
                           w->path, w->where, name, (unsigned long long)n_el);
    hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = sp < 0 ? H5I_INVALID_HID : h5_dcpl(w, rank, dims, n_el);
    hid_t d = dcpl < 0 ? H5I_INVALID_HID
                       : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    herr_t rc = d < 0 ? -1 : n_el == 0 ? 0 : H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (rc < 0)
        h5_note(w);
    h5_close(w, H5Dclose, d, &rc);
    h5_close(w, H5Pclose, dcpl, &rc);
    h5_close(w, H5Sclose, sp, &rc);
    return rc < 0 ? h5_fail(w, name) : COB_OK;
}

static cob_status h5_dsets(h5w *w, hid_t loc, const h5_arr *a, int n)
{
    for (int i = 0; i < n; i++) {
        cob_status st = h5_dset(w, loc, a[i].name, a[i].ftype, a[i].mtype, 1, &a[i].n, a[i].data);
        if (st != COB_OK)
            return st;
    }
    return COB_OK;
}

/* Create group name in loc, run body in it (w->where names it meanwhile), close it. */
static cob_status h5_group(h5w *w, hid_t loc, const char *name, h5_body body, const run_ctx *x)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
        h5_note(w);
        return h5_fail(w, name);
    }
    char saved[sizeof w->where];
    memcpy(saved, w->where, sizeof saved);
    size_t used = strlen(w->where);
    snprintf(w->where + used, sizeof w->where - used, "/%s", name);
    cob_status st = body(w, g, x);
    memcpy(w->where, saved, sizeof saved);
    herr_t rc = 0;
    h5_close(w, H5Gclose, g, &rc);
    return st == COB_OK && rc < 0 ? h5_fail(w, name) : st;
}

/* ---- the groups ---------------------------------------------------------------------- */

static void iso8601_utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm utc;
    if (now == (time_t)-1 || !gmtime_r(&now, &utc) ||
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        snprintf(buf, len, "unknown");
}

static cob_status write_root(h5w *w, hid_t f, const run_ctx *x)
{
    const cob_run_meta *m = x->m;
    char created[32];
    iso8601_utc_now(created, sizeof created);
    const char *cfg_path = m->config_path ? m->config_path : x->c->path;
    const char *text = x->c->text ? x->c->text : "";
    const char *keys[6] = { "cobalt_version", "commit", "backend", "device", "config_path",
                            "created" };
    const char *backend = m->backend ? m->backend : x->t->backend_name;
    const char *vals[6] = { m->version, m->commit, backend, m->device, cfg_path, created };
    f64_kv f64[] = { { "dt_ms", x->c->run.dt_ms }, { "t_sim_ms", x->c->run.t_sim_ms },
                     { "t_warmup_ms", x->c->run.t_warmup_ms },
                     { "t_measured_s", x->s->t_measured_s } };
    i64_kv i64[] = { { "n_steps_measured", x->s->n_steps_measured } };
    cob_status st = COB_OK;
    for (int i = 0; i < 6 && st == COB_OK; i++)
        st = h5_attr_str(w, f, keys[i], vals[i]);
    if (st == COB_OK)
        st = h5_attr_u64(w, f, "seed", m->seed);
    if (st == COB_OK)
        st = h5_attrs_f64(w, f, f64, (int)(sizeof f64 / sizeof f64[0]));
    if (st == COB_OK)
        st = h5_attrs_i64(w, f, i64, 1);
    if (st == COB_OK)
        st = h5_dset(w, f, "config", w->str_t, w->str_t, 0, NULL, &text);
    return st;
}

static cob_status write_timing(h5w *w, hid_t g, const run_ctx *x)
{
    const cob_sim_timing *t = x->t;
    /* dev_*: CUDA backend only (CUDA events; 0 on the CPU) */
    f64_kv f64[] = { { "build_s", t->build_s }, { "init_s", t->init_s }, { "run_s", t->run_s },
                     { "dev_build_s", t->dev_build_s }, { "dev_run_s", t->dev_run_s },
                     { "dev_update_us_per_step", t->dev_update_us }, { "dev_deliver_us_per_step", t->dev_deliver_us },
                     { "dev_h2d_s", t->dev_h2d_s }, { "dev_d2h_s", t->dev_d2h_s },
                     { "dev_bytes_per_synapse", t->dev_bytes_per_synapse } };
    i64_kv i64[] = { { "n_steps", t->n_steps }, { "n_synapses", t->n_synapses },
                     { "n_neurons", t->n_neurons }, { "peak_rss_bytes", t->peak_rss_bytes },
                     { "syn_events", x->s->syn_events }, { "dev_timed_steps", t->dev_timed_steps },
                     { "device_bytes", t->device_bytes }, { "device_estimate_bytes", t->device_estimate_bytes } };
    cob_status st = h5_attrs_f64(w, g, f64, 10);
    return st != COB_OK ? st : h5_attrs_i64(w, g, i64, 8);
}

static cob_status write_overflow(h5w *w, hid_t g, const run_ctx *x)
{
    i64_kv i64[] = { { "ring", x->s->ring_overflow }, { "raster", x->s->raster_overflow } };
    return h5_attrs_i64(w, g, i64, 2);
}

static cob_status write_raster(h5w *w, hid_t g, const run_ctx *x)
{
    const cob_stats *s = x->s;
    hsize_t n = (hsize_t)s->raster_n;
    h5_arr a[] = { { "step", H5T_STD_I64LE, H5T_NATIVE_INT64, n, s->raster_step },
                   { "pop", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->raster_pop },
                   { "neuron", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->raster_neuron } };
    return h5_dsets(w, g, a, 3);
}

static cob_status write_traces(h5w *w, hid_t g, const run_ctx *x)
{
    const cob_stats *s = x->s;
    hsize_t n = (hsize_t)s->trace_n;
    hsize_t dims[2] = { n, (hsize_t)s->trace_samples };
    h5_arr a[] = { { "pop", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->trace_pop },
                   { "neuron", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s->trace_neuron } };
    i64_kv stride[] = { { "stride_steps", x->c->stats.trace_stride_steps } };
    cob_status st = h5_dsets(w, g, a, 2);
    if (st == COB_OK)
        st = h5_dset(w, g, "v_mV", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, s->trace_v_mV);
    return st != COB_OK ? st : h5_attrs_i64(w, g, stride, 1);
}

static hsize_t edges_len(int bins)
{
    return bins > 0 ? (hsize_t)bins + 1 : 0;
}

static cob_status write_pop_arrays(h5w *w, hid_t g, const cob_pop_stats *p)
{
    hsize_t n = (hsize_t)p->n, vn = (hsize_t)p->v_n;
    hid_t u32 = H5T_STD_U32LE, u64 = H5T_STD_U64LE, f64 = H5T_IEEE_F64LE;
    hid_t mu32 = H5T_NATIVE_UINT32, mu64 = H5T_NATIVE_UINT64, mf64 = H5T_NATIVE_DOUBLE;
    h5_arr a[] = {
        { "spike_count", u32, mu32, n, p->spike_count }, { "rate_hz", f64, mf64, n, p->rate_hz },
        { "n_isi", u32, mu32, n, p->n_isi }, { "cv_isi", f64, mf64, n, p->cv_isi },
        { "rate_hist", u64, mu64, (hsize_t)p->rate_bins, p->rate_hist },
        { "rate_edges", f64, mf64, edges_len(p->rate_bins), p->rate_edges },
        { "cv_hist", u64, mu64, (hsize_t)p->cv_bins, p->cv_hist },
        { "cv_edges", f64, mf64, edges_len(p->cv_bins), p->cv_edges },
        { "v_hist", u64, mu64, (hsize_t)p->v_bins, p->v_hist },
        { "v_edges", f64, mf64, edges_len(p->v_bins), p->v_edges },
        { "v_mean_mV", f64, mf64, vn, p->v_mean_mV }, { "v_sd_mV", f64, mf64, vn, p->v_sd_mV },
        { "rate_ts_counts", u32, mu32, (hsize_t)p->n_bins_ts, p->rate_ts_counts },
    };
    return h5_dsets(w, g, a, (int)(sizeof a / sizeof a[0]));
}

static const char *model_name(int model)
{
    switch (model) {
    case COB_MODEL_LIF_COND: return "lif_cond";
    case COB_MODEL_LIF_CURR: return "lif_curr";
    case COB_MODEL_POISSON: return "poisson";
    default: return "unknown";
    }
}

static cob_status write_pop_summary(h5w *w, hid_t g, const cob_pop_stats *p, int i_pop)
{
    f64_kv f64[] = { { "mean_rate_hz", p->mean_rate_hz }, { "sd_rate_hz", p->sd_rate_hz },
                     { "mean_cv", p->mean_cv }, { "sd_cv", p->sd_cv },
                     { "frac_quiescent", p->frac_quiescent },
                     { "v_pop_mean_mV", p->v_pop_mean_mV }, { "v_pop_sd_mV", p->v_pop_sd_mV },
                     { "bin_ms", p->bin_ms }, { "pop_rate_cv", p->pop_rate_cv } };
    i64_kv i64[] = { { "n", p->n }, { "n_cv", p->n_cv }, { "index", i_pop } };
    cob_status st = h5_attrs_f64(w, g, f64, (int)(sizeof f64 / sizeof f64[0]));
    if (st == COB_OK)
        st = h5_attrs_i64(w, g, i64, 3);
    if (st == COB_OK)
        st = h5_attr_u64(w, g, "v_below", p->v_below);
    if (st == COB_OK)
        st = h5_attr_u64(w, g, "v_above", p->v_above);
    return st != COB_OK ? st : h5_attr_str(w, g, "model", model_name(p->model));
}

static cob_status write_pop_channels(h5w *w, hid_t g, const cob_pop_stats *p)
{
    hsize_t n = (hsize_t)p->n_channels;
    cob_status st = h5_attr(w, g, "chan_receptor", H5T_STD_I32LE, H5T_NATIVE_INT, 1, n,
                            p->chan_receptor);
    const char *names[3] = { "chan_weight", "chan_rate_hz", "chan_mean_input" };
    const double *vals[3] = { p->chan_weight, p->chan_rate_hz, p->chan_mean_input };
    for (int i = 0; i < 3 && st == COB_OK; i++)
        st = h5_attr(w, g, names[i], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, n, vals[i]);
    return st;
}

static cob_status write_pop(h5w *w, hid_t g, const run_ctx *x)
{
    const cob_pop_stats *p = &x->s->pop[x->i_pop];
    cob_status st = write_pop_arrays(w, g, p);
    if (st == COB_OK)
        st = write_pop_summary(w, g, p, x->i_pop);
    return st != COB_OK ? st : write_pop_channels(w, g, p);
}

static cob_status write_pops(h5w *w, hid_t g, const run_ctx *x)
{
    cob_status st = COB_OK;
    for (int i = 0; i < x->s->n_pops && st == COB_OK; i++) {
        run_ctx xi = *x;
        xi.i_pop = i;
        st = h5_group(w, g, x->s->pop[i].name, write_pop, &xi);
    }
    return st;
}

/* ---- the file ------------------------------------------------------------------------ */

/* Lengths non-negative, channel counts in range, population names usable as group names. */
static cob_status check_stats(const char *path, const cob_stats *s, cob_err *err)
{
    if (s->n_pops < 0 || s->n_pops > COB_MAX_POPS || s->raster_n < 0 || s->trace_n < 0 ||
        s->trace_samples < 0)
        return cob_err_set(err, COB_ERR_INVALID, "%s: stats have n_pops %d (allowed 0..%d), "
                           "raster_n %" PRId64 ", trace %" PRId64 " x %" PRId64, path,
                           s->n_pops, COB_MAX_POPS, s->raster_n, s->trace_n, s->trace_samples);
    for (int i = 0; i < s->n_pops; i++) {
        const cob_pop_stats *p = &s->pop[i];
        size_t len = strnlen(p->name, COB_NAME_MAX);
        int bad_name = len == 0 || len == COB_NAME_MAX || strchr(p->name, '/') ||
                       strcmp(p->name, ".") == 0;
        if (bad_name || p->n < 0 || p->v_n < 0 || p->n_bins_ts < 0 || p->rate_bins < 0 ||
            p->cv_bins < 0 || p->v_bins < 0 || p->n_channels < 0 ||
            p->n_channels > COB_MAX_CHANNELS)
            return cob_err_set(err, COB_ERR_INVALID, "%s: population %d (\"%.*s\") has a bad "
                               "name (empty, '/' or too long) or a negative length or n_channels "
                               "%d outside 0..%d", path, i, (int)len, p->name, p->n_channels,
                               COB_MAX_CHANNELS);
    }
    return COB_OK;
}

/* /theory: the mean-field prediction beside the simulation (docs/results.md). */
static cob_status write_theory(h5w *w, hid_t g, const run_ctx *x)
{
    const cob_theory_summary *th = x->m->theory;
    f64_kv f64[] = { { "rate_hz", th->rate_hz }, { "cv", th->cv }, { "mu_mV", th->mu_mV },
                     { "sigma_mV", th->sigma_mV }, { "tau_eff_ms", th->tau_eff_ms },
                     { "v_mean_mV", th->v_mean_mV }, { "v_sd_mV", th->v_sd_mV } };
    i64_kv i64[] = { { "stable", th->stable }, { "n_states", th->n_states } };
    h5_arr a[] = { { "v_mV", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, COB_THEORY_PV_N, th->v_mV },
                   { "p_v", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, COB_THEORY_PV_N, th->p_v } };
    cob_status st = h5_attrs_f64(w, g, f64, 7);
    if (st == COB_OK) st = h5_attrs_i64(w, g, i64, 2);
    return st != COB_OK ? st : h5_dsets(w, g, a, 2);
}

static cob_status write_body(h5w *w, hid_t f, const run_ctx *x)
{
    cob_status st = write_root(w, f, x);
    if (st == COB_OK)
        st = h5_group(w, f, "timing", write_timing, x);
    if (st == COB_OK)
        st = h5_group(w, f, "overflow", write_overflow, x);
    if (st == COB_OK)
        st = h5_group(w, f, "populations", write_pops, x);
    if (st == COB_OK)
        st = h5_group(w, f, "raster", write_raster, x);
    if (st == COB_OK && x->m->theory)
        st = h5_group(w, f, "theory", write_theory, x);
    return st != COB_OK ? st : h5_group(w, f, "traces", write_traces, x);
}

/* What cob__publish calls: the whole file at tmp (user: the run_ctx). */
static cob_status write_file(const char *tmp, void *user, cob_err *err)
{
    const run_ctx *x = user;
    h5w *w = x->w;
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        h5_note(w);
        return cob_err_set(w->err, COB_ERR_IO, "%s: cannot create result file (as temporary %s; "
                           "HDF5: %s)", w->path, tmp, w->detail);
    }
    w->str_t = H5Tcopy(H5T_C_S1);
    herr_t rc = w->str_t < 0 || H5Tset_size(w->str_t, H5T_VARIABLE) < 0 ||
                        H5Tset_cset(w->str_t, H5T_CSET_UTF8) < 0 ? -1 : 0;
    if (rc < 0)
        h5_note(w);
    cob_status st = rc < 0 ? h5_fail(w, "(string type)") : write_body(w, f, x);
    rc = 0;
    h5_close(w, H5Tclose, w->str_t, &rc);
    h5_close(w, H5Fclose, f, &rc);
    return st == COB_OK && rc < 0 ? h5_fail(w, "(closing the file)") : st;
}

cob_status cob_output_write_h5(const char *path, const cob_config *c, const cob_stats *s,
                               const cob_sim_timing *t, const cob_run_meta *m, cob_err *err)
{
    if (!path || !path[0] || !c || !s || !t || !m)
        return cob_err_set(err, COB_ERR_INVALID, "cob_output_write_h5: path, config, stats, "
                           "timing and meta must be given");
    cob_status st = check_stats(path, s, err);
    if (st != COB_OK)
        return st;
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0)
        return cob_err_set(err, COB_ERR_IO, "%s: cannot initialise HDF5", path);
    h5w w = { .path = path, .where = "", .detail = "", .str_t = H5I_INVALID_HID, .err = err };
    w.deflate = H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0;
    run_ctx x = { c, s, t, m, 0, &w };
    return cob__publish(path, write_file, &x, err);
}
