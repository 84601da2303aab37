/* host/rate/rate_output.c -- the HDF5 file of `cobalt rate` (layout in docs/rate.md, "Output"),
 * written with the run file's helpers (host/util/h5.c) and published atomically
 * (host/util/publish.c), so a killed run leaves the old file or the whole new one and the file
 * ends with the same checksum trailer. Pairs with host/rate/rate_run.c (what it writes) and
 * tools/cobalt_plot_rate.py (what reads it). Limits: everything is written from memory in one
 * piece; a ring's units are one matrix (/ring), not one group each. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "cobalt/rate.h"
#include "util/h5.h"
#include "util/publish.h"

typedef struct {
    const cob_rate_model *m;
    const cob_rate_result *res;
    const char *config_path, *version, *commit;
    cob__h5w *w;
    int i;       /* population or epoch being written */
    double *col; /* n_rec scratch */
} rctx;

#define F64 H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE

static const char *f_name(const cob_rate_f *f)
{
    return f->type == COB_RATE_F_LINEAR ? "linear" : "power";
}

static cob_status write_pop(cob__h5w *w, hid_t g, void *user)
{
    const rctx *x = user;
    const cob_rate_model *m = x->m;
    const cob_rate_result *r = x->res;
    int i = x->i, n = m->n;
    hsize_t nr = (hsize_t)r->n_rec;
    cob__h5_f64 a[] = {{"tau_ms", m->tau_ms[i]},
                       {"f_k", m->f[i].k},
                       {"f_n", m->f[i].n},
                       {"f_threshold", m->f[i].threshold},
                       {"target_hz", m->target_hz[i] >= 0.0 ? m->target_hz[i] : NAN},
                       {"input", m->input[i]},
                       {"r0_hz", m->r0_hz[i]}};
    cob__h5_i64 idx = {"index", i};
    cob_status st = cob__h5_attrs_f64(w, g, a, (int)(sizeof a / sizeof a[0]));
    if (st == COB_OK)
        st = cob__h5_attrs_i64(w, g, &idx, 1);
    if (st == COB_OK)
        st = cob__h5_attr_str(w, g, "f_type", f_name(&m->f[i]));
    for (hsize_t k = 0; k < nr; ++k) x->col[k] = r->r_hz[k * n + i];
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "rate_ts_hz", F64, 1, &nr, x->col);
    for (hsize_t k = 0; k < nr; ++k) x->col[k] = r->input_ts[k * n + i];
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "input_ts", F64, 1, &nr, x->col);
    return st;
}

static cob_status write_pops(cob__h5w *w, hid_t g, void *user)
{
    rctx x = *(const rctx *)user;
    cob_status st = COB_OK;
    for (int i = 0; i < x.m->n && st == COB_OK; ++i) {
        x.i = i;
        st = cob__h5_group(w, g, x.m->names[i], write_pop, &x);
    }
    return st;
}

static cob_status write_epoch(cob__h5w *w, hid_t g, void *user)
{
    const rctx *x = user;
    const cob_rate_result *r = x->res;
    int e = x->i, n = r->n;
    hsize_t d1 = (hsize_t)n, d2[2] = {(hsize_t)n, (hsize_t)n};
    const cob_rate_stability *s = &r->epoch_st[e];
    cob__h5_f64 a[] = {{"t_ms", r->epoch_t_ms[e]},
                       {"max_re_per_ms", s->max_re_per_ms},
                       {"lead_im_per_ms", s->lead_im_per_ms},
                       {"lead_freq_hz", s->lead_im_per_ms * 1000.0 / (2.0 * COB_RATE_PI)},
                       {"paper_measure", s->paper_measure}};
    cob__h5_i64 b[] = {{"fixed_point_ok", r->epoch_fp_ok[e]}, {"stable", s->stable}, {"oscillatory", s->oscillatory}};
    cob__h5_arr v[] = {{"input", F64, d1, r->epoch_input + (size_t)e * n},
                       {"fixed_point_hz", F64, d1, r->epoch_fp + (size_t)e * n},
                       {"end_rate_hz", F64, d1, r->epoch_end_r + (size_t)e * n},
                       {"gain", F64, d1, r->epoch_b + (size_t)e * n},
                       {"eig_re_per_ms", F64, d1, r->epoch_eig_re + (size_t)e * n},
                       {"eig_im_per_ms", F64, d1, r->epoch_eig_im + (size_t)e * n}};
    cob_status st = cob__h5_attrs_f64(w, g, a, (int)(sizeof a / sizeof a[0]));
    if (st == COB_OK)
        st = cob__h5_attrs_i64(w, g, b, 3);
    if (st == COB_OK)
        st = cob__h5_dsets(w, g, v, (int)(sizeof v / sizeof v[0]));
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "L", F64, 2, d2, r->epoch_L + (size_t)e * n * n);
    return st;
}

static cob_status write_epochs(cob__h5w *w, hid_t g, void *user)
{
    rctx x = *(const rctx *)user;
    cob_status st = COB_OK;
    for (int e = 0; e < x.res->n_epochs && st == COB_OK; ++e) {
        char name[16];
        snprintf(name, sizeof name, "%d", e);
        x.i = e;
        st = cob__h5_group(w, g, name, write_epoch, &x);
    }
    return st;
}

static cob_status write_ring(cob__h5w *w, hid_t g, void *user)
{
    const rctx *x = user;
    const cob_rate_model *m = x->m;
    const cob_rate_result *r = x->res;
    const cob_rate_ring *ring = &m->ring;
    const cob_rate_ring_theory *t = &r->ring;
    int n = m->n;
    hsize_t d1 = (hsize_t)n, d2[2] = {(hsize_t)r->n_rec, (hsize_t)n};
    double *theta = malloc(2 * (size_t)n * sizeof *theta);
    if (!theta)
        return cob_err_set(w->err, COB_ERR_NOMEM, "out of memory writing the ring");
    double *prof = theta + n;
    for (int i = 0; i < n; ++i) {
        theta[i] = 2.0 * COB_RATE_PI * i / n;
        prof[i] = cob_rate_ring_profile(ring, t, theta[i]);
    }
    cob__h5_f64 a[] = {
        {"J0", ring->j0},
        {"J1", ring->j1},
        {"I0", ring->i0},
        {"I1", ring->i1},
        {"theta0_deg", ring->theta0_deg},
        {"tau_ms", ring->tau_ms},
        {"m0_uniform_hz", t->m0_uniform},
        {"lambda0_per_ms", t->lambda0},
        {"lambda1_per_ms", t->lambda1},
        {"amplification", t->amplification},
        {"profile_a_hz", t->a},
        {"theta_c_rad", t->theta_c},
        {"r0_hz", t->r0},
        {"r1_hz", t->r1}};
    cob__h5_i64 b[] = {{"n", n}, {"uniform_stable", t->uniform_stable}, {"bounded", t->bounded}};
    cob__h5_arr v[] = {{"theta_rad", F64, d1, theta}, {"profile_theory_hz", F64, d1, prof}};
    cob_status st = cob__h5_attrs_f64(w, g, a, (int)(sizeof a / sizeof a[0]));
    if (st == COB_OK)
        st = cob__h5_attrs_i64(w, g, b, 3);
    if (st == COB_OK)
        st = cob__h5_dsets(w, g, v, 2);
    if (st == COB_OK)
        st = cob__h5_dset(w, g, "rate_ts_hz", F64, 2, d2, r->r_hz);
    free(theta);
    return st;
}

static cob_status write_hopf(cob__h5w *w, hid_t g, void *user)
{
    const rctx *x = user;
    cob__h5_f64 a[] = {{"tau_ms", x->res->hopf_tau_ms},
                       {"freq_hz", x->res->hopf_freq_hz},
                       {"search_lo_ms", x->m->hopf_lo_ms},
                       {"search_hi_ms", x->m->hopf_hi_ms}};
    cob_status st = cob__h5_attr_str(w, g, "pop", x->m->names[x->m->hopf_pop]);
    return st != COB_OK ? st : cob__h5_attrs_f64(w, g, a, 4);
}

static cob_status write_body(cob__h5w *w, hid_t f, void *user)
{
    const rctx *x = user;
    const cob_rate_model *m = x->m;
    const char *text = m->text ? m->text : "";
    const char *keys[5] = {"kind", "cobalt_version", "commit", "config_path", "model"};
    const char *vals[5] = {"rate", x->version, x->commit, x->config_path, m->ring.n > 0 ? "ring" : "populations"};
    cob__h5_f64 a[] = {{"dt_ms", m->dt_ms}, {"t_ms", m->t_ms}, {"record_ms", m->record_ms}, {"run_s", x->res->run_s}};
    cob__h5_i64 b[] = {{"n_populations", m->n}, {"n_epochs", x->res->n_epochs}};
    hsize_t nr = (hsize_t)x->res->n_rec, d2[2] = {(hsize_t)m->n, (hsize_t)m->n};
    cob_status st = COB_OK;
    for (int k = 0; k < 5 && st == COB_OK; ++k) st = cob__h5_attr_str(w, f, keys[k], vals[k] ? vals[k] : "");
    if (st == COB_OK)
        st = cob__h5_attr_created(w, f);
    if (st == COB_OK)
        st = cob__h5_attrs_f64(w, f, a, 4);
    if (st == COB_OK)
        st = cob__h5_attrs_i64(w, f, b, 2);
    if (st == COB_OK)
        st = cob__h5_dset(w, f, "config", w->str_t, w->str_t, 0, NULL, &text);
    if (st == COB_OK)
        st = cob__h5_dset(w, f, "time_ms", F64, 1, &nr, x->res->t_ms);
    if (st == COB_OK)
        st = cob__h5_dset(w, f, "W", F64, 2, d2, m->w);
    if (st == COB_OK && m->ring.n == 0)
        st = cob__h5_group(w, f, "populations", write_pops, user);
    if (st == COB_OK && m->ring.n > 0)
        st = cob__h5_group(w, f, "ring", write_ring, user);
    if (st == COB_OK)
        st = cob__h5_group(w, f, "epochs", write_epochs, user);
    if (st == COB_OK && m->hopf_pop >= 0)
        st = cob__h5_group(w, f, "hopf", write_hopf, user);
    return st;
}

static cob_status write_file(const char *tmp, void *user, cob_err *err)
{
    const rctx *x = user;
    return cob__h5_file(x->w, tmp, "rate file", write_body, user);
}

cob_status cob_rate_write_h5(const char *path, const char *config_path, const char *version, const char *commit,
                             const cob_rate_model *m, const cob_rate_result *res, cob_err *err)
{
    cob__h5w w;
    cob_status st = cob__h5w_init(&w, path, 1, err);
    if (st != COB_OK)
        return st;
    double *col = malloc(((size_t)res->n_rec + 1) * sizeof *col);
    if (!col)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory writing %s", path);
    rctx x = {m, res, config_path ? config_path : "", version, commit, &w, 0, col};
    st = cob__publish(path, write_file, &x, err);
    free(col);
    return st;
}
