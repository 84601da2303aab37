/* host/python/python_theory.c -- cob_py_theory_json (include/cobalt/pyapi.h): what `cobalt
 * theory` prints (host/cli/cli_theory.c), as one JSON object for the Python package's
 * cobalt.theory: the theory network, every self-consistent state, the strong-coupling limits,
 * the heterogeneous state and a table of (law, K) rows. Pairs with python/cobalt/api.py.
 * Deliberate limits: at most 16 states and 5 laws, as the CLI. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobalt/cobalt.h"
#include "cobalt/models.h"
#include "cobalt/pyapi.h"
#include "python/python_int.h"
#include "util/json.h"

#define PY_MAX_STATES 16
#define PY_MAX_LAWS 5

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
    cob_status st = cob__py_load(&c, path, text, name, sets, n_sets, &err);
    if (msg)
        msg[0] = '\0';
    *json_out = NULL;
    if (st == COB_OK)
        st = cob_theory_net_from_config(&c, &n, &err);
    if (st == COB_OK && n_k > 0)
        st = parse_laws(laws, &n, law, &n_laws, &err);
    if (st != COB_OK) {
        cob_config_free(&c);
        return cob__py_fail(msg, st, &err);
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
        return cob__py_fail(msg, cob_err_set(&err, COB_ERR_NOMEM, "out of memory for the theory summary"), &err);
    }
    *json_out = j.buf;
    return COB_OK;
}
