/* host/config/config_keys.c -- the key tables: every YAML key of a config once, with its type, its
 * field in cob_config, its allowed range and the models it applies to; and the helpers that
 * test a stored value against its key and write what is allowed. Used by host/config/config_read.c
 * (YAML -> struct) and host/config/config_check.c (ranges and cross-key rules). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config_keys.h"

#define INF HUGE_VAL
#define POP(f) offsetof(cob_pop_spec, f)
#define PRJ(f) offsetof(cob_proj_spec, f)
#define STA(f) offsetof(cob_stats_spec, f)
#define RUN(f) offsetof(cob_run_spec, f)
#define KEY(name, kind, off, lo, hi, flags, models)           \
    {                                                         \
        name, kind, off, 0, lo, hi, flags, models, NULL, NULL \
    }

/* Largest in-degree a target can hold (int32 per target). */
#define COB__INT_MAX_D 2147483647.0

/* Enum fields are read and written as int. */
_Static_assert(sizeof(cob_model) == sizeof(int) && sizeof(cob_receptor) == sizeof(int) &&
                   sizeof(cob_jump_form) == sizeof(int) && sizeof(cob_input_mode) == sizeof(int),
               "enums are int-sized");

static const char *const jump_names[] = {"linear", "exp", NULL};

#define NOI(f) offsetof(cob_noise_spec, f)
static const cob__key noise_keys[] = {
    KEY("mu_mV_per_s", COB__K_SCHED, NOI(mu_mV_per_s), -INF, INF, 0, COB__M_LIF),
    KEY("sigma_mV_per_sqrt_s", COB__K_SCHED, NOI(sigma_mV_per_sqrt_s), 0, INF, 0, COB__M_LIF),
    KEY("bridge", COB__K_BOOL, NOI(bridge), 0, 1, 0, COB__M_LIF),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};
static const char *const receptor_names[] = {"E", "I", NULL};

const cob__key cob__run_keys[] = {
    KEY("dt_ms", COB__K_NUM, RUN(dt_ms), 0, 1, COB__LO_OPEN, COB__M_ALL),
    KEY("t_sim_ms", COB__K_NUM, RUN(t_sim_ms), 0, INF, COB__LO_OPEN, COB__M_ALL),
    KEY("t_warmup_ms", COB__K_NUM, RUN(t_warmup_ms), 0, INF, 0, COB__M_ALL),
    KEY("seed", COB__K_U64, RUN(seed), 0, 18446744073709551615.0, 0, COB__M_ALL),
    {"integrator", COB__K_ENUM, RUN(integrator), 0, 0, 0, 0, COB__M_ALL, cob_integrator_names, NULL},
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

#define TUN(f) offsetof(cob_tuning_spec, f)
const char *const cob__tuning_shape_names[] = {"none", "cosine", "von_mises", NULL};
static const cob__key tuning_keys[] = {
    {"shape", COB__K_ENUM, TUN(shape), 0, 0, 0, COB__REQUIRED, COB__M_ALL, cob__tuning_shape_names, NULL},
    KEY("mu_c", COB__K_NUM, TUN(mu_c), -1, 1, 0, COB__M_ALL),
    KEY("kappa_mu", COB__K_NUM, TUN(kappa_mu), 0, 500, 0, COB__M_ALL),
    KEY("theta_deg", COB__K_NUM, TUN(theta_deg), -INF, INF, 0, COB__M_ALL),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

const cob__key cob__pop_keys[] = {
    KEY("name", COB__K_NAME, POP(name), 0, 0, COB__REQUIRED, COB__M_ALL),
    {"model", COB__K_ENUM, POP(model), 0, 0, 0, COB__REQUIRED, COB__M_ALL, cob_model_names, NULL},
    KEY("size", COB__K_INT64, POP(size), 1, 2147483647.0, COB__REQUIRED, COB__M_ALL),
    KEY("tau_m_ms", COB__K_NUM, POP(lif.tau_m_ms), 0, INF, COB__LO_OPEN, COB__M_LIF),
    KEY("tau_ref_ms", COB__K_NUM, POP(lif.tau_ref_ms), 0, INF, 0, COB__M_LIF),
    KEY("v_th_mV", COB__K_NUM, POP(lif.v_th_mV), -INF, INF, 0, COB__M_LIF),
    KEY("v_reset_mV", COB__K_NUM, POP(lif.v_reset_mV), -INF, INF, 0, COB__M_LIF),
    KEY("e_l_mV", COB__K_NUM, POP(lif.e_l_mV), -INF, INF, 0, COB__M_LIF),
    KEY("e_e_mV", COB__K_NUM, POP(lif.e_e_mV), -INF, INF, 0, COB__M_LIF_COND | COB__M_LIF_COND_EXP),
    KEY("e_i_mV", COB__K_NUM, POP(lif.e_i_mV), -INF, INF, 0, COB__M_LIF_COND | COB__M_LIF_COND_EXP),
    KEY("mu_ext_mV", COB__K_NUM, POP(lif.mu_ext_mV), -INF, INF, 0, COB__M_LIF_CURR | COB__M_LIF_CURR_EXP),
    KEY("tau_syn_e_ms", COB__K_NUM, POP(lif.tau_syn_e_ms), 0, INF, 0, COB__M_LIF_COND_EXP | COB__M_LIF_CURR_EXP),
    KEY("tau_syn_i_ms", COB__K_NUM, POP(lif.tau_syn_i_ms), 0, INF, 0, COB__M_LIF_COND_EXP | COB__M_LIF_CURR_EXP),
    {"v_init_mV", COB__K_PAIR, POP(lif.v_init_min_mV), POP(lif.v_init_max_mV), -INF, INF, 0, COB__M_LIF, NULL, NULL},
    {"jump", COB__K_ENUM, POP(lif.jump), 0, 0, 0, 0, COB__M_LIF_COND, jump_names, NULL},
    {"noise", COB__K_MAP, POP(noise), 0, 0, 0, 0, COB__M_LIF, NULL, noise_keys},
    KEY("rate_hz", COB__K_SCHED, POP(rate_sched), 0, INF, COB__REQUIRED, COB__M_POISSON),
    {"input", COB__K_ENUM, POP(input_mode), 0, 0, 0, 0, COB__M_POISSON, cob_input_names, NULL},
    KEY("ring_period_deg", COB__K_NUM, POP(ring_period_deg), 0, 360, 0, COB__M_ALL),
    {"tuning", COB__K_MAP, POP(tuning), 0, 0, 0, 0, COB__M_ALL, NULL, tuning_keys},
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

#define RK(f) offsetof(cob_ring_kernel_spec, f)
const char *const cob__ring_shape_names[] = {"none", "cosine", "von_mises", "wrapped_exp", NULL};
const cob__key cob__ring_kernel_keys[] = {
    {"shape", COB__K_ENUM, RK(shape), 0, 0, 0, COB__REQUIRED, COB__M_ALL, cob__ring_shape_names, NULL},
    KEY("p_c", COB__K_NUM, RK(p_c), -1, 1, 0, COB__M_ALL),
    KEY("kappa", COB__K_NUM, RK(kappa), 0, INF, 0, COB__M_ALL),
    KEY("lambda_deg", COB__K_NUM, RK(lambda_deg), 0, INF, 0, COB__M_ALL),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

const cob__key cob__proj_keys[] = {
    KEY("pre", COB__K_POP, PRJ(pre), 0, 0, COB__REQUIRED, COB__M_ALL),
    KEY("post", COB__K_POP, PRJ(post), 0, 0, COB__REQUIRED, COB__M_ALL),
    {"receptor", COB__K_ENUM, PRJ(receptor), 0, 0, 0, COB__REQUIRED, COB__M_ALL, receptor_names, NULL},
    KEY("indegree", COB__K_NUM, PRJ(indegree), 0, COB__INT_MAX_D, COB__LO_OPEN | COB__REQUIRED, COB__M_ALL),
    KEY("cv_indegree", COB__K_NUM, PRJ(cv_indegree), 0, INF, 0, COB__M_ALL),
    KEY("weight", COB__K_NUM, PRJ(weight), 0, INF, COB__LO_OPEN | COB__REQUIRED, COB__M_ALL),
    {"delay_ms", COB__K_PAIR, PRJ(delay_min_ms), PRJ(delay_max_ms), 0, INF, COB__ONE_OK, COB__M_ALL, NULL, NULL},
    KEY("autapses", COB__K_BOOL, PRJ(allow_autapses), 0, 1, 0, COB__M_ALL),
    KEY("multapses", COB__K_BOOL, PRJ(allow_multapses), 0, 1, 0, COB__M_ALL),
    KEY("nested", COB__K_BOOL, PRJ(nested), 0, 1, 0, COB__M_ALL),
    {"ring_kernel", COB__K_MAP, PRJ(ring_kernel), 0, 0, 0, 0, COB__M_ALL, NULL, cob__ring_kernel_keys},
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

static const cob__key rate_hist_keys[] = {
    KEY("bins", COB__K_INT, STA(rate_hist_bins), 1, 1000000, 0, COB__M_ALL),
    KEY("min_hz", COB__K_NUM, STA(rate_hist_min_hz), 0, INF, COB__LO_OPEN, COB__M_ALL),
    KEY("max_hz", COB__K_NUM, STA(rate_hist_max_hz), 0, INF, COB__LO_OPEN, COB__M_ALL),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};
static const cob__key cv_hist_keys[] = {KEY("bins", COB__K_INT, STA(cv_hist_bins), 1, 1000000, 0, COB__M_ALL),
                                        KEY("max", COB__K_NUM, STA(cv_hist_max), 0, INF, COB__LO_OPEN, COB__M_ALL),
                                        {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};
static const cob__key v_hist_keys[] = {
    KEY("bins", COB__K_INT, STA(v_hist_bins), 1, 1000000, 0, COB__M_ALL),
    KEY("min_mV", COB__K_NUM, STA(v_hist_min_mV), -INF, INF, 0, COB__M_ALL),
    KEY("max_mV", COB__K_NUM, STA(v_hist_max_mV), -INF, INF, 0, COB__M_ALL),
    KEY("stride_steps", COB__K_INT, STA(v_sample_stride_steps), 1, INT_MAX, 0, COB__M_ALL),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};
static const cob__key raster_keys[] = {
    KEY("neurons", COB__K_INT, STA(raster_neurons), 0, INT_MAX, 0, COB__M_ALL),
    KEY("max_spikes", COB__K_INT64, STA(raster_max_spikes), 0, 9007199254740992.0, 0, COB__M_ALL),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};
static const cob__key traces_keys[] = {
    KEY("neurons", COB__K_INT, STA(trace_neurons), 0, INT_MAX, 0, COB__M_ALL),
    KEY("stride_steps", COB__K_INT, STA(trace_stride_steps), 1, INT_MAX, 0, COB__M_ALL),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

const cob__key cob__stats_keys[] = {
    KEY("min_isi", COB__K_INT, STA(min_isi), 2, INT_MAX, 0, COB__M_ALL),
    KEY("quiescent_max_hz", COB__K_NUM, STA(quiescent_max_hz), 0, INF, 0, COB__M_ALL),
    {"rate_hist", COB__K_MAP, 0, 0, 0, 0, 0, COB__M_ALL, NULL, rate_hist_keys},
    {"cv_hist", COB__K_MAP, 0, 0, 0, 0, 0, COB__M_ALL, NULL, cv_hist_keys},
    {"v_hist", COB__K_MAP, 0, 0, 0, 0, 0, COB__M_ALL, NULL, v_hist_keys},
    KEY("v_neurons", COB__K_INT, STA(v_neurons), 0, INT_MAX, 0, COB__M_ALL),
    KEY("balance_neurons", COB__K_INT, STA(balance_neurons), 0, INT_MAX, 0, COB__M_ALL),
    KEY("pop_rate_bin_ms", COB__K_NUM, STA(pop_rate_bin_ms), 0, INF, COB__LO_OPEN, COB__M_ALL),
    {"raster", COB__K_MAP, 0, 0, 0, 0, 0, COB__M_ALL, NULL, raster_keys},
    {"traces", COB__K_MAP, 0, 0, 0, 0, 0, COB__M_ALL, NULL, traces_keys},
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

#define WIN(f) offsetof(cob_window_spec, f)
#define PRT(f) offsetof(cob_pert_spec, f)
static const char *const pert_key_names[] = {"rate_hz", "noise.mu_mV_per_s", "noise.sigma_mV_per_sqrt_s", NULL};
const cob__key cob__window_keys[] = {KEY("name", COB__K_NAME, WIN(name), 0, 0, COB__REQUIRED, COB__M_ALL),
                                     KEY("start_ms", COB__K_NUM, WIN(start_ms), 0, INF, COB__REQUIRED, COB__M_ALL),
                                     KEY("end_ms", COB__K_NUM, WIN(end_ms), 0, INF, COB__REQUIRED, COB__M_ALL),
                                     {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};
const cob__key cob__pert_keys[] = {
    KEY("window", COB__K_NAME, PRT(window), 0, 0, COB__REQUIRED, COB__M_ALL),
    KEY("population", COB__K_POP, PRT(pop), 0, 0, COB__REQUIRED, COB__M_ALL),
    {"key", COB__K_ENUM, PRT(target), 0, 0, 0, COB__REQUIRED, COB__M_ALL, pert_key_names, NULL},
    KEY("step", COB__K_NUM, PRT(step), -INF, INF, 0, COB__M_ALL),
    {"ramp", COB__K_PAIR, PRT(ramp_from), PRT(ramp_to), -INF, INF, COB__ANY_ORDER, COB__M_ALL, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};
static const cob__key protocol_keys[] = {KEY("windows", COB__K_WINDOWS, 0, 0, 0, COB__REQUIRED, COB__M_ALL),
                                         KEY("perturbations", COB__K_PERTS, 0, 0, 0, 0, COB__M_ALL),
                                         {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

const cob__key cob__top_keys[] = {
    {"run", COB__K_MAP, offsetof(cob_config, run), 0, 0, 0, 0, COB__M_ALL, NULL, cob__run_keys},
    KEY("populations", COB__K_POPS, 0, 0, 0, COB__REQUIRED, COB__M_ALL),
    KEY("projections", COB__K_PROJS, 0, 0, 0, 0, COB__M_ALL),
    {"stats", COB__K_MAP, offsetof(cob_config, stats), 0, 0, 0, 0, COB__M_ALL, NULL, cob__stats_keys},
    {"protocol", COB__K_MAP, offsetof(cob_config, protocol), 0, 0, 0, 0, COB__M_ALL, NULL, protocol_keys},
    KEY("sweep", COB__K_SKIP, 0, 0, 0, 0, COB__M_ALL),
    {NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL}};

const cob__key *cob__key_find(const cob__key *keys, const char *name)
{
    for (const cob__key *k = keys; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static int n_names(const char *const *names)
{
    int n = 0;
    while (names[n]) n++;
    return n;
}

static int in_range(const cob__key *k, double v)
{
    if (!isfinite(v))
        return 0;
    if ((k->flags & COB__LO_OPEN) ? v <= k->lo : v < k->lo)
        return 0;
    if ((k->flags & COB__HI_OPEN) ? v >= k->hi : v > k->hi)
        return 0;
    return 1;
}

static int name_ok(const char *s)
{
    const char *nul = memchr(s, '\0', COB_NAME_MAX);
    size_t n = nul ? (size_t)(nul - s) : COB_NAME_MAX;
    if (n == 0 || n >= COB_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
        if (!alpha && !(i > 0 && ch >= '0' && ch <= '9'))
            return 0;
    }
    return 1;
}

int cob__key_ok(const cob__key *k, const void *base)
{
    const char *p = (const char *)base + k->off;
    double d, d2;
    int i;
    int64_t l;
    switch (k->kind) {
    case COB__K_NUM: memcpy(&d, p, sizeof d); return in_range(k, d);
    case COB__K_INT: memcpy(&i, p, sizeof i); return in_range(k, i);
    case COB__K_INT64: memcpy(&l, p, sizeof l); return in_range(k, (double)l);
    case COB__K_BOOL: memcpy(&i, p, sizeof i); return i == 0 || i == 1;
    case COB__K_ENUM: memcpy(&i, p, sizeof i); return i >= 0 && i < n_names(k->names);
    case COB__K_NAME: return name_ok(p);
    case COB__K_PAIR:
        memcpy(&d, p, sizeof d);
        memcpy(&d2, (const char *)base + k->off2, sizeof d2);
        return in_range(k, d) && in_range(k, d2) && (d <= d2 || (k->flags & COB__ANY_ORDER));
    case COB__K_SCHED: return cob__sched_first_bad(k, (const cob_sched_spec *)(const void *)p) < 0;
    default: return 1;
    }
}

int cob__sched_first_bad(const cob__key *k, const cob_sched_spec *s)
{
    if (s->n < 0 || s->n > COB_SCHEDULE_MAX)
        return 0;
    for (int i = 0; i < s->n; i++)
        if (!in_range(k, s->value[i]) || !isfinite(s->t_ms[i]) || s->t_ms[i] < 0.0 ||
            (i > 0 && !(s->t_ms[i] > s->t_ms[i - 1])))
            return i;
    return -1;
}

void cob__fmt_num(double v, char *buf, size_t len)
{
    /* %g's 6 digits first: "-50", not "-5e+01"; more only where needed to read back exactly. */
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* "number > 0 and <= 1", "number >= 0", "any finite number" (pre: prefix such as "number "). */
static void num_range(const cob__key *k, const char *pre, char *buf, size_t len)
{
    char lo[32], hi[32];
    cob__fmt_num(k->lo, lo, sizeof lo);
    cob__fmt_num(k->hi, hi, sizeof hi);
    const char *los = (k->flags & COB__LO_OPEN) ? ">" : ">=";
    const char *his = (k->flags & COB__HI_OPEN) ? "<" : "<=";
    if (isinf(k->lo) && isinf(k->hi))
        snprintf(buf, len, "any finite %s", pre);
    else if (isinf(k->hi))
        snprintf(buf, len, "%s %s %s", pre, los, lo);
    else if (isinf(k->lo))
        snprintf(buf, len, "%s %s %s", pre, his, hi);
    else
        snprintf(buf, len, "%s %s %s and %s %s", pre, los, lo, his, hi);
}

static void join_names(const char *const *names, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

void cob__key_allowed(const cob__key *k, char *buf, size_t len)
{
    char r[96];
    switch (k->kind) {
    case COB__K_NUM: num_range(k, "number", buf, len); break;
    case COB__K_INT:
    case COB__K_INT64: snprintf(buf, len, "integer %.0f .. %.0f", k->lo, k->hi); break;
    case COB__K_U64: snprintf(buf, len, "integer 0 .. %llu", (unsigned long long)UINT64_MAX); break;
    case COB__K_BOOL: snprintf(buf, len, "true, false, yes, no"); break;
    case COB__K_ENUM: join_names(k->names, buf, len); break;
    case COB__K_NAME:
        snprintf(buf, len, "a name [A-Za-z_][A-Za-z0-9_]* of 1 .. %d characters", COB_NAME_MAX - 1);
        break;
    case COB__K_PAIR:
        if (k->flags & COB__ANY_ORDER) {
            snprintf(buf, len, "[from, to], two finite numbers");
            break;
        }
        num_range(k, "both", r, sizeof r);
        snprintf(buf, len, "[min, max]%s with min <= max%s%s", (k->flags & COB__ONE_OK) ? " or one number," : "",
                 isinf(k->lo) && isinf(k->hi) ? "" : ", ", isinf(k->lo) && isinf(k->hi) ? "" : r);
        break;
    case COB__K_SCHED:
        num_range(k, "values", r, sizeof r);
        snprintf(buf, len, "a number or a list of 1 .. %d [t_ms, value] points, t_ms >= 0 increasing; %s",
                 COB_SCHEDULE_MAX, r);
        break;
    default: snprintf(buf, len, "see docs/config.md"); break;
    }
}

void cob__key_value(const cob__key *k, const void *base, char *buf, size_t len)
{
    const char *p = (const char *)base + k->off;
    double d, d2;
    int i;
    int64_t l;
    uint64_t u;
    char a[32], b[32];
    switch (k->kind) {
    case COB__K_NUM:
        memcpy(&d, p, sizeof d);
        cob__fmt_num(d, buf, len);
        break;
    case COB__K_INT64:
        memcpy(&l, p, sizeof l);
        snprintf(buf, len, "%lld", (long long)l);
        break;
    case COB__K_U64:
        memcpy(&u, p, sizeof u);
        snprintf(buf, len, "%llu", (unsigned long long)u);
        break;
    case COB__K_BOOL:
        memcpy(&i, p, sizeof i);
        snprintf(buf, len, "%s", i ? "true" : "false");
        break;
    case COB__K_ENUM:
        memcpy(&i, p, sizeof i);
        if (i >= 0 && i < n_names(k->names))
            snprintf(buf, len, "%s", k->names[i]);
        else
            snprintf(buf, len, "%d", i);
        break;
    case COB__K_NAME: snprintf(buf, len, "%.*s", COB_NAME_MAX, p); break;
    case COB__K_PAIR:
        memcpy(&d, p, sizeof d);
        memcpy(&d2, (const char *)base + k->off2, sizeof d2);
        cob__fmt_num(d, a, sizeof a);
        cob__fmt_num(d2, b, sizeof b);
        snprintf(buf, len, "[%s, %s]", a, b);
        break;
    case COB__K_SCHED: { /* the first point out of range (or the first point) */
        const cob_sched_spec *s = (const cob_sched_spec *)(const void *)p;
        int bad = cob__sched_first_bad(k, s);
        if (bad < 0)
            bad = 0;
        if (s->n <= 0 || s->n > COB_SCHEDULE_MAX) {
            snprintf(buf, len, "%d points", s->n);
            break;
        }
        cob__fmt_num(s->t_ms[bad], a, sizeof a);
        cob__fmt_num(s->value[bad], b, sizeof b);
        if (s->n == 1 && s->t_ms[0] == 0.0)
            snprintf(buf, len, "%s", b);
        else
            snprintf(buf, len, "point %d: [%s, %s]", bad, a, b);
        break;
    }
    default:
        memcpy(&i, p, sizeof i);
        snprintf(buf, len, "%d", i);
        break;
    }
}

void cob__key_list(const cob__key *keys, unsigned models, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const cob__key *k = keys; k->name && used < len; k++)
        if (k->models & models)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", k->name);
}
