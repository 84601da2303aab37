/* host/python/python_api.c -- the flat C API of include/cobalt/pyapi.h for the Python package
 * (python/cobalt, through ctypes). Each function is the call sequence of the matching CLI
 * command (host/cli/cli.c cmd_run, cli_sweep.c, cli_theory.c) without its printing: messages go
 * to the caller's buffer, summaries to malloc'd strings. Deliberate limits: no checkpoints (the
 * CLI's --checkpoint/--resume); the sweep runs its points one after another in this thread. */
#define _POSIX_C_SOURCE 200809L
#include "cobalt/pyapi.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cobalt/cobalt.h"
#include "cobalt/models.h"
#include "cobalt/sweep.h"
#include "cobalt_version.h"
#include "util/json.h"
#include "util/publish.h"

#define PY_MAX_STATES 16
#define PY_MAX_LAWS 5

void cob_py_free(void *p)
{
    free(p);
}

const char *cob_py_version(void)
{
    return COBALT_VERSION;
}

const char *cob_py_commit(void)
{
    return COBALT_COMMIT;
}

/* The error's message into msg (COB_ERR_MSG_MAX bytes); returns st. */
static int fail(char *msg, cob_status st, const cob_err *err)
{
    if (msg)
        snprintf(msg, COB_ERR_MSG_MAX, "%s", err->msg[0] ? err->msg : cob_status_str(st));
    return (int)st;
}

static cob_status load(cob_config *c, const char *path, const char *text, const char *name, const char *const *sets,
                       int n_sets, cob_err *err)
{
    if (path)
        return cob_config_load(c, path, sets, n_sets, err);
    return cob_config_load_string(c, text, name, sets, n_sets, err);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int cob_py_config_check(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                        char **text_out, char *msg)
{
    cob_config c;
    cob_err err = {COB_OK, ""};
    cob_status st = load(&c, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    if (st != COB_OK)
        return fail(msg, st, &err);
    if (text_out) {
        *text_out = dup_str(c.text ? c.text : "");
        if (!*text_out)
            st = cob_err_set(&err, COB_ERR_NOMEM, "out of memory copying the config text");
    }
    cob_config_free(&c);
    return st == COB_OK ? COB_OK : fail(msg, st, &err);
}

/* Provenance as the CLI records it (host/cli/cli.c write_results): host name, and the GPU's. */
static void run_meta(cob_run_meta *m, char *device, size_t len, const cob_config *c, const cob_sim_timing *t)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    memset(m, 0, sizeof *m);
    m->commit = COBALT_COMMIT;
    m->version = COBALT_VERSION;
    if (t) {
        m->backend = t->backend_name;
        if (t->device_name[0])
            snprintf(device, len, "%s, %s", host, t->device_name);
        else
            snprintf(device, len, "%s", host);
    } else {
        snprintf(device, len, "%s", host);
    }
    m->device = device;
    if (c) {
        m->seed = c->run.seed;
        m->config_path = c->path;
    }
}

static cob_status write_run(const char *out, const cob_config *c, const cob_stats *s, const cob_sim_timing *t,
                            char **json_out, cob_err *err)
{
    char device[400];
    cob_run_meta m;
    cob_theory_summary th;
    cob_err th_err = {COB_OK, ""};
    cob_status st = COB_OK;
    size_t len = 65536;
    run_meta(&m, device, sizeof device, c, t);
    m.theory = cob_output_theory(c, s, &th, &th_err) == COB_OK ? &th : NULL;
    if (out)
        st = cob_output_write_h5(out, c, s, t, &m, err);
    if (st != COB_OK || !json_out)
        return st;
    *json_out = malloc(len);
    if (!*json_out)
        return cob_err_set(err, COB_ERR_NOMEM, "out of memory for the JSON summary");
    st = cob_output_json(*json_out, len, out, c, s, t, &m, err);
    if (st != COB_OK) {
        free(*json_out);
        *json_out = NULL;
    }
    return st;
}

/* A result path checked before anything runs, as the CLI checks --out: publishable
 * (util/publish.h: COB_ERR_IO when not) and not the config file (COB_ERR_INVALID). */
static cob_status check_target(const char *out, const char *config_path, cob_err *err)
{
    cob__publish_target t;
    struct stat so, sc;
    cob_status st = cob__publish_target_of(out, &t, err);
    if (st != COB_OK)
        return st;
    if (config_path && config_path[0] && stat(t.path, &so) == 0 && stat(config_path, &sc) == 0 &&
        so.st_dev == sc.st_dev && so.st_ino == sc.st_ino)
        return cob_err_set(err, COB_ERR_INVALID, "out '%s' is the config file %s: choose another result path", out,
                           config_path);
    return COB_OK;
}

int cob_py_run(const char *path, const char *text, const char *name, const char *const *sets, int n_sets, int backend,
               const char *out, cob_progress_fn progress, void *user, double interval_s, volatile sig_atomic_t *cancel,
               char **json_out, char *msg)
{
    cob_config c;
    cob_stats s;
    cob_sim_timing t;
    cob_sim_options opt;
    cob_err err = {COB_OK, ""};
    cob_status st, run_st;
    if (msg)
        msg[0] = '\0';
    if (json_out)
        *json_out = NULL;
    if (backend < COB_BACKEND_AUTO || backend > COB_BACKEND_CUDA)
        return fail(msg, cob_err_set(&err, COB_ERR_INVALID, "backend %d: allowed 0 (auto), 1 (cpu), 2 (cuda)", backend),
                    &err);
    st = load(&c, path, text, name, sets, n_sets, &err);
    if (st != COB_OK)
        return fail(msg, st, &err);
    /* the result path is checked before the simulation, as `cobalt run` does */
    if (out && (st = check_target(out, path, &err)) != COB_OK) {
        cob_config_free(&c);
        return fail(msg, st, &err);
    }
    memset(&opt, 0, sizeof opt);
    opt.backend = (cob_backend_kind)backend;
    opt.progress = progress;
    opt.progress_user = user;
    opt.progress_interval_s = interval_s;
    opt.commit = COBALT_COMMIT;
    opt.cancel_request = cancel;
    run_st = cob_sim_run(&c, &opt, &s, &t, &err);
    /* only an overflow counted during the run comes with results to write */
    if (run_st != COB_OK && !(run_st == COB_ERR_OVERFLOW && cob_stats_overflowed(&s))) {
        cob_config_free(&c);
        return fail(msg, run_st, &err);
    }
    {
        cob_err werr = {COB_OK, ""};
        st = write_run(out, &c, &s, &t, json_out, &werr);
        if (st != COB_OK)
            err = werr;
    }
    cob_stats_free(&s);
    cob_config_free(&c);
    if (st != COB_OK)
        return fail(msg, st, &err);
    return run_st == COB_OK ? COB_OK : fail(msg, run_st, &err);
}

static cob_status sweep_load(cob_sweep *sw, const char *path, const char *text, const char *name,
                             const char *const *sets, int n_sets, cob_err *err)
{
    if (path)
        return cob_sweep_load(sw, path, sets, n_sets, err);
    return cob_sweep_load_string(sw, text, name ? name : "config", sets, n_sets, err);
}

int cob_py_sweep_count(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                       int64_t *n_points, char *msg)
{
    cob_sweep sw;
    cob_err err = {COB_OK, ""};
    cob_status st = sweep_load(&sw, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    if (st != COB_OK)
        return fail(msg, st, &err);
    *n_points = sw.n_points;
    cob_sweep_free(&sw);
    return COB_OK;
}

/* Run the selected points (all when n_sel == 0) of sw into dir; counts the overflowed ones. */
static cob_status sweep_points(const cob_sweep *sw, const int64_t *points, int64_t n_sel, const char *dir,
                               const cob_sim_options *opt, cob_py_point_fn point_done, void *user, int *n_overflow,
                               cob_err *err)
{
    char device[400];
    cob_run_meta meta;
    int64_t n = n_sel > 0 ? n_sel : sw->n_points;
    run_meta(&meta, device, sizeof device, NULL, NULL);
    for (int64_t k = 0; k < n; k++) {
        cob_sweep_point_result r;
        int64_t i = n_sel > 0 ? points[k] : k;
        cob_status st;
        if (i < 0 || i >= sw->n_points)
            return cob_err_set(err, COB_ERR_INVALID, "point %lld: allowed 0 .. %lld", (long long)i,
                               (long long)sw->n_points - 1);
        st = cob_sweep_run_point(sw, i, dir, opt, &meta, &r, err);
        if (st != COB_OK)
            return st;
        *n_overflow += r.run_status == COB_ERR_OVERFLOW;
        if (point_done)
            point_done(user, i, k + 1, n);
    }
    return COB_OK;
}

int cob_py_sweep_run(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                     int backend, const int64_t *points, int64_t n_sel, const char *dir, const char *out,
                     const char *csv, cob_progress_fn progress, cob_py_point_fn point_done, void *user,
                     double interval_s, volatile sig_atomic_t *cancel, char *msg)
{
    char out_d[COB_SWEEP_PATH_MAX], csv_d[COB_SWEEP_PATH_MAX], dir_d[COB_SWEEP_PATH_MAX];
    cob_sweep sw;
    cob_sim_options opt;
    cob_err err = {COB_OK, ""};
    int n_overflow = 0;
    cob_status st;
    if (msg)
        msg[0] = '\0';
    if (backend < COB_BACKEND_AUTO || backend > COB_BACKEND_CUDA || n_sel < 0 || (n_sel > 0 && !points))
        return fail(msg, cob_err_set(&err, COB_ERR_INVALID, "cob_py_sweep_run: invalid arguments"), &err);
    st = sweep_load(&sw, path, text, name, sets, n_sets, &err);
    if (st != COB_OK)
        return fail(msg, st, &err);
    st = cob_sweep_paths(sw.base.path, out, dir, out_d, csv_d, dir_d, sizeof out_d, &err);
    /* the merged files, checked before the points run, as `cobalt sweep` does */
    if (st == COB_OK)
        st = check_target(out_d, path, &err);
    if (st == COB_OK)
        st = check_target(csv ? csv : csv_d, path, &err);
    memset(&opt, 0, sizeof opt);
    opt.backend = (cob_backend_kind)backend;
    opt.progress = progress;
    opt.progress_user = user;
    opt.progress_interval_s = interval_s;
    opt.cancel_request = cancel;
    if (st == COB_OK)
        st = sweep_points(&sw, points, n_sel, dir_d, &opt, point_done, user, &n_overflow, &err);
    if (st == COB_OK)
        st = cob_sweep_merge(&sw, dir_d, out_d, csv ? csv : csv_d, n_sel > 0, &err);
    cob_sweep_free(&sw);
    if (st == COB_OK && n_overflow)
        st = cob_err_set(&err, COB_ERR_OVERFLOW, "%d point(s) counted a loss (their files are written and merged)",
                         n_overflow);
    return st == COB_OK ? COB_OK : fail(msg, st, &err);
}

/* ---- theory as JSON ------------------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
    int nomem;
} jtext;

static void jt_raw(void *sink, const char *bytes, size_t n)
{
    jtext *j = sink;
    if (j->nomem)
        return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = (j->cap ? j->cap : 4096) * 2;
        while (cap < j->len + n + 1) cap *= 2;
        char *b = realloc(j->buf, cap);
        if (!b) {
            j->nomem = 1;
            return;
        }
        j->buf = b;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, bytes, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void jt(jtext *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void jt(jtext *j, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    jt_raw(j, b, n < 0 ? 0 : (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

/* "key":number (null when not finite), with a leading comma unless first. */
static void jt_num(jtext *j, const char *key, double v, int first)
{
    if (isfinite(v))
        jt(j, "%s\"%s\":%.17g", first ? "" : ",", key, v);
    else
        jt(j, "%s\"%s\":null", first ? "" : ",", key);
}

static void jt_state(jtext *j, const cob_theory_state *s)
{
    jt_num(j, "nu_hz", s->nu_hz, 1);
    jt(j, ",\"stable\":%s", s->stable ? "true" : "false");
    jt_num(j, "cv", s->cv, 0);
    jt_num(j, "mu_mV", s->m.mu_mV, 0);
    jt_num(j, "sigma_mV", s->m.sigma_mV, 0);
    jt_num(j, "tau_eff_ms", s->m.tau_s * 1e3, 0);
    jt_num(j, "v_mean_mV", s->v_mean_mV, 0);
    jt_num(j, "v_sd_mV", s->v_sd_mV, 0);
}

static void jt_net(jtext *j, const cob_theory_net *n)
{
    int cond = n->model == COB_THEORY_COND;
    jt(j, "\"model\":\"%s\",\"single\":%s", cob_model_name(cond ? COB_MODEL_LIF_COND : COB_MODEL_LIF_CURR),
       n->single ? "true" : "false");
    jt(j, ",\"net\":{");
    jt_num(j, "K", n->K, 1);
    jt_num(j, "k_x", n->k_x, 0);
    jt_num(j, "gamma", n->gamma, 0);
    jt_num(j, "g", n->g, 0);
    jt_num(j, cond ? "a" : "j_mV", cond ? n->a : n->j_mV, 0);
    jt_num(j, "nu_x_hz", n->nu_x_hz, 0);
    jt_num(j, "eta", n->eta, 0);
    jt_num(j, "tau_m_ms", n->tau_m_s * 1e3, 0);
    jt_num(j, "tau_rp_ms", n->tau_rp_s * 1e3, 0);
    jt_num(j, "theta_mV", n->theta_mV, 0);
    jt_num(j, "v_reset_mV", n->v_reset_mV, 0);
    jt_num(j, "e_l_mV", n->e_l_mV, 0);
    if (cond) {
        jt_num(j, "e_e_mV", n->e_e_mV, 0);
        jt_num(j, "e_i_mV", n->e_i_mV, 0);
    } else {
        jt_num(j, "mu_ext_mV", n->mu_ext_mV, 0);
    }
    jt(j, "}");
}

static void jt_k_row(jtext *j, const cob_theory_net *n, cob_scale_law law, double k)
{
    cob_theory_net t;
    cob_theory_state s[PY_MAX_STATES];
    cob_err err = {COB_OK, ""};
    char warn[1024] = "";
    double w = NAN;
    int i, n_s;
    jt(j, "{\"law\":\"%s\"", cob_scale_law_name(law));
    jt_num(j, "K", k, 0);
    if (cob_theory_scale(n, law, k, &w, warn, sizeof warn, &err) != COB_OK) {
        jt(j, ",\"weight\":null,\"n_states\":0,\"state\":null,\"warning\":null,\"error\":");
        cob__json_str(jt_raw, j, err.msg, SIZE_MAX);
        jt(j, "}");
        return;
    }
    cob_theory_net_at_k(n, k, w, &t);
    n_s = cob_theory_solve(&t, s, PY_MAX_STATES);
    for (i = 0; i < n_s && !s[i].stable; ++i) continue;
    jt_num(j, "weight", w, 0);
    jt(j, ",\"n_states\":%d,\"state\":", n_s);
    if (i == n_s) {
        jt(j, "null");
    } else {
        jt(j, "{");
        jt_state(j, &s[i]);
        jt(j, "}");
    }
    jt(j, ",\"warning\":");
    cob__json_str(jt_raw, j, warn[0] ? warn : NULL, SIZE_MAX);
    jt(j, ",\"error\":null}");
}

/* The laws to tabulate: the comma-separated names, or the model's default (as `cobalt theory`). */
static cob_status parse_laws(const char *laws, const cob_theory_net *n, cob_scale_law *out, int *n_laws, cob_err *err)
{
    char buf[256], *tok, *save = NULL;
    *n_laws = 0;
    if (!laws || !laws[0]) {
        out[(*n_laws)++] = n->model == COB_THEORY_COND ? COB_SCALE_SANZENI : COB_SCALE_SQRT;
        return COB_OK;
    }
    snprintf(buf, sizeof buf, "%s", laws);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n_laws >= PY_MAX_LAWS || !cob_scale_law_parse(tok, &out[*n_laws]))
            return cob_err_set(err, COB_ERR_INVALID, "law '%s': allowed values are none, sqrt, log, sanzeni, matched",
                               tok);
        if (out[*n_laws] == COB_SCALE_SANZENI && n->model != COB_THEORY_COND)
            return cob_err_set(err, COB_ERR_INVALID,
                               "law sanzeni: Eq. 14 is for lif_cond networks; use sqrt, log or matched");
        ++*n_laws;
    }
    return COB_OK;
}

/* CV_K: the argument, else the one cv_indegree every projection shares (> 0), else none (-1). */
static double theory_cv_k(const cob_config *c, double cv_k)
{
    if (cv_k >= 0.0)
        return cv_k;
    for (int i = 1; i < c->n_projs; ++i)
        if (c->projs[i].cv_indegree != c->projs[0].cv_indegree)
            return -1.0;
    return c->n_projs > 0 && c->projs[0].cv_indegree > 0.0 ? c->projs[0].cv_indegree : -1.0;
}

static void jt_hetero(jtext *j, const cob_theory_net *n, double cv_k)
{
    cob_theory_hetero h;
    cob_err err = {COB_OK, ""};
    jt(j, ",\"hetero\":");
    if (cv_k < 0.0) {
        jt(j, "null");
        return;
    }
    jt(j, "{");
    jt_num(j, "cv_k", cv_k, 1);
    if (cob_theory_heterogeneous(n, cv_k, 1e-3, &h, &err) != COB_OK) {
        jt(j, ",\"error\":");
        cob__json_str(jt_raw, j, err.msg, SIZE_MAX);
    } else {
        jt_num(j, "mean_hz", h.mean_hz, 0);
        jt_num(j, "sd_hz", h.sd_hz, 0);
        jt_num(j, "frac_below_1e-3_hz", h.frac_silent, 0);
        jt_num(j, "frac_below_0.1_hz", cob_theory_hetero_cdf(n, cv_k, &h, 0.1), 0);
        jt_num(j, "frac_below_1_hz", cob_theory_hetero_cdf(n, cv_k, &h, 1.0), 0);
        jt(j, ",\"error\":null");
    }
    jt(j, "}");
}

int cob_py_theory_json(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                       const double *k, int n_k, const char *laws, double cv_k, char **json_out, char *msg)
{
    cob_config c;
    cob_theory_net n;
    cob_theory_state s[PY_MAX_STATES];
    cob_scale_law law[PY_MAX_LAWS];
    cob_err err = {COB_OK, ""};
    jtext j = {NULL, 0, 0, 0};
    int n_laws = 0, n_s;
    cob_status st = load(&c, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    *json_out = NULL;
    if (st == COB_OK)
        st = cob_theory_net_from_config(&c, &n, &err);
    if (st == COB_OK && n_k > 0)
        st = parse_laws(laws, &n, law, &n_laws, &err);
    if (st != COB_OK) {
        cob_config_free(&c);
        return fail(msg, st, &err);
    }
    jt(&j, "{");
    jt_net(&j, &n);
    n_s = cob_theory_solve(&n, s, PY_MAX_STATES);
    jt(&j, ",\"states\":[");
    for (int i = 0; i < n_s; ++i) {
        jt(&j, i ? ",{" : "{");
        jt_state(&j, &s[i]);
        jt(&j, "}");
    }
    jt(&j, "]");
    jt_num(&j, "gain_rho", cob_theory_gain_rho(&n), 0);
    jt_num(&j, "eq21_rate_hz", cob_theory_eq21_rate(&n), 0);
    jt_hetero(&j, &n, theory_cv_k(&c, cv_k));
    jt(&j, ",\"k_sweep\":[");
    for (int l = 0; l < n_laws; ++l)
        for (int i = 0; i < n_k; ++i) {
            if (l || i)
                jt(&j, ",");
            jt_k_row(&j, &n, law[l], k[i]);
        }
    jt(&j, "]}");
    cob_config_free(&c);
    if (j.nomem || !j.buf) {
        free(j.buf);
        return fail(msg, cob_err_set(&err, COB_ERR_NOMEM, "out of memory for the theory summary"), &err);
    }
    *json_out = j.buf;
    return COB_OK;
}

int cob_py_indegrees(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                     int i_proj, int32_t **out, int64_t *n_out, int *n_projs, char *msg)
{
    cob_config c;
    cob_net net;
    cob_err err = {COB_OK, ""};
    cob_status st = load(&c, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    *out = NULL;
    *n_out = 0;
    if (st != COB_OK)
        return fail(msg, st, &err);
    *n_projs = c.n_projs;
    if (i_proj < 0 || i_proj >= c.n_projs) {
        cob_config_free(&c);
        return fail(msg, cob_err_set(&err, COB_ERR_INVALID, "projection %d: allowed 0 .. %d", i_proj, c.n_projs - 1),
                    &err);
    }
    st = cob_net_layout(&net, &c, &err);
    cob_config_free(&c);
    if (st != COB_OK)
        return fail(msg, st, &err);
    {
        const cob_proj *p = &net.proj[i_proj];
        size_t bytes = (size_t)(p->n_post > 0 ? p->n_post : 1) * sizeof(int32_t);
        *out = malloc(bytes);
        if (*out) {
            if (p->n_post > 0)
                memcpy(*out, p->indegree, (size_t)p->n_post * sizeof(int32_t));
            *n_out = p->n_post;
        } else {
            st = cob_err_set(&err, COB_ERR_NOMEM, "out of memory for %lld in-degrees", (long long)p->n_post);
        }
    }
    cob_net_free(&net);
    return st == COB_OK ? COB_OK : fail(msg, st, &err);
}
