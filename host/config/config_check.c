/* host/config/config_check.c -- defaults and cob_config_check: every per-key range from the key
 * tables (host/config/config_keys.c), then the rules that join keys (v_reset < v_th, references,
 * in-degree against population size, Poisson limits, delays, input channels, histogram
 * limits). Pairs with host/config/config.c (loading) and host/config/config_read.c (YAML -> struct).
 * Messages name file:line when the YAML document is at hand (during loading), else the line
 * of the population or projection. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config_keys.h"
#include "models/models.h"

/* Independent Poisson: expected input spikes per neuron per step (counts drawn per step). */
#define COB__INDEP_MAX_PER_STEP 16000.0
#define COB__DELAY_MAX_STEPS 65534
/* Warm-up plus measured steps: 2^53, so every step count and step * dt_ms stays exact in a double
 * and every sum of two step counts fits an int64. */
#define COB__RUN_MAX_STEPS 9007199254740992.0
#define COB__REFR_MAX_STEPS 2147483647.0 /* refractory steps are int32 */
/* The ordered integrator counts refractory time in ticks (1/COB_TICKS of a step) in int32, with
 * room for the offset of the spike within its step; its arrival draws hold the step in 48 bits. */
#define COB__REFR_MAX_STEPS_ORDERED 32766.0
#define COB__RUN_MAX_STEPS_ORDERED 281474976710656.0

void cob_lif_params_defaults(cob_lif_params *p)
{
    memset(p, 0, sizeof *p);
    p->tau_m_ms = 20.0;
    p->tau_ref_ms = 2.0;
    p->v_th_mV = -55.0;
    p->v_reset_mV = -65.0;
    p->e_l_mV = -80.0;
    p->e_e_mV = 0.0;
    p->e_i_mV = -75.0;
    p->mu_ext_mV = 0.0;
    p->v_init_min_mV = p->v_reset_mV;
    p->v_init_max_mV = p->v_th_mV;
    p->jump = COB_JUMP_LINEAR;
    p->tau_syn_e_ms = 2.0;
    p->tau_syn_i_ms = 2.0;
}

static void stats_defaults(cob_stats_spec *s)
{
    s->min_isi = 2;
    s->quiescent_max_hz = 0.0;
    s->rate_hist_bins = 60;
    s->rate_hist_min_hz = 0.01;
    s->rate_hist_max_hz = 500.0;
    s->cv_hist_bins = 50;
    s->cv_hist_max = 3.0;
    s->v_hist_bins = 200;
    s->v_hist_min_mV = -80.0;
    s->v_hist_max_mV = -50.0;
    s->v_sample_stride_steps = 10;
    s->v_neurons = 100;
    s->pop_rate_bin_ms = 1.0;
    s->raster_neurons = 0;
    s->raster_max_spikes = 10000000;
    s->trace_neurons = 0;
    s->trace_stride_steps = 1;
}

void cob_config_defaults(cob_config *c)
{
    memset(c, 0, sizeof *c);
    c->run.dt_ms = 0.1;
    c->run.t_sim_ms = 1000.0;
    c->run.t_warmup_ms = 200.0;
    c->run.seed = 1;
    c->run.integrator = COB_INTEGRATOR_GRID;
    stats_defaults(&c->stats);
    for (int i = 0; i < COB_MAX_POPS; i++) {
        cob_lif_params_defaults(&c->pops[i].lif);
        c->pops[i].noise.bridge = 1;
    }
}

void cob_config_free(cob_config *c)
{
    if (!c)
        return;
    free(c->text);
    c->text = NULL;
}

int64_t cob_config_bin_steps(const cob_config *c)
{
    int64_t b = cob_steps(c->stats.pop_rate_bin_ms, c->run.dt_ms);
    return b < 1 ? 1 : b;
}

int64_t cob_config_n_bins_ts(const cob_config *c)
{
    return COB_CEIL_DIV(cob_steps(c->run.t_sim_ms, c->run.dt_ms), cob_config_bin_steps(c));
}

int cob_pop_is_independent(const cob_pop_spec *p)
{
    return p->model == COB_MODEL_POISSON && p->input_mode == COB_INPUT_INDEPENDENT;
}

int64_t cob_steps(double t_ms, double dt_ms)
{
    if (!(dt_ms > 0.0))
        return 0;
    double q = t_ms / dt_ms;
    if (!(q > 0.0))
        return 0;
    if (q >= 9.2e18)
        return INT64_MAX;
    return (int64_t)llround(q);
}


/* ---- ranges of single keys ---------------------------------------------------------------- */

static cob_status fail_range(const cob__src *s, const cob__key *k, const void *base, const char *path, cob_err *err)
{
    char val[96], allowed[256];
    cob__key_value(k, base, val, sizeof val);
    cob__key_allowed(k, allowed, sizeof allowed);
    return cob__fail_path(s, err, path, "value \"%s\" %s (allowed: %s)", val,
                          k->kind == COB__K_NAME ? "not allowed" : "out of range", allowed);
}

/* Every key of table keys valid for models, in the struct base; path: where base sits. */
static cob_status check_keys(const cob__src *s, const cob__key *keys, const void *base, unsigned models,
                             const char *path, cob_err *err)
{
    char sub[256];
    for (const cob__key *k = keys; k->name; k++) {
        if (!(k->models & models))
            continue;
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k->name);
        if (k->kind == COB__K_MAP) {
            cob_status st = check_keys(s, k->sub, (const char *)base + k->off, models, sub, err);
            if (st != COB_OK)
                return st;
        } else if (!cob__key_ok(k, base)) {
            return fail_range(s, k, base, sub, err);
        }
    }
    return COB_OK;
}

/* ---- populations -------------------------------------------------------------------------- */

static cob_status check_pool_rate(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_pop_spec *p = &c->pops[i];
    double per_step = p->rate_hz * c->run.dt_ms * 1e-3;
    if (p->model != COB_MODEL_POISSON || p->input_mode != COB_INPUT_POOL || per_step <= 1.0)
        return COB_OK;
    char path[64], v[32], dt[32], lim[32];
    snprintf(path, sizeof path, "populations[%d].rate_hz", i);
    cob__fmt_num(p->rate_hz, v, sizeof v);
    cob__fmt_num(c->run.dt_ms, dt, sizeof dt);
    cob__fmt_num(1e3 / c->run.dt_ms, lim, sizeof lim);
    return cob__fail_path(s, err, path,
                          "value \"%s\" too high for input: pool with dt_ms = %s, a source "
                          "would spike more than once per step (allowed: rate_hz * dt_ms * 1e-3 "
                          "<= 1, i.e. rate_hz <= %s; or input: independent)",
                          v, dt, lim);
}

cob_status cob__check_pop_names(const cob_config *c, const cob__src *s, int n, cob_err *err)
{
    char sub[64];
    for (int i = 1; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(c->pops[j].name, c->pops[i].name) == 0) {
                snprintf(sub, sizeof sub, "populations[%d].name", i);
                return cob__fail_path(s, err, sub,
                                      "duplicate population name \"%s\" (already used by "
                                      "populations[%d]; names must be unique)",
                                      c->pops[i].name, j);
            }
    return COB_OK;
}

static cob_status check_pop(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_pop_spec *p = &c->pops[i];
    char path[64], sub[96], v[32], w[32];
    snprintf(path, sizeof path, "populations[%d]", i);
    const cob__key *mk = cob__key_find(cob__pop_keys, "model");
    if (!cob__key_ok(mk, p)) {
        snprintf(sub, sizeof sub, "%s.model", path);
        return fail_range(s, mk, p, sub, err);
    }
    /* Before the table: the default v_init_mV, [v_reset_mV, v_th_mV], is wrong when this is. */
    if (cob_model_is_neuron(p->model) && isfinite(p->lif.v_reset_mV) && isfinite(p->lif.v_th_mV) &&
        !(p->lif.v_reset_mV < p->lif.v_th_mV)) {
        snprintf(sub, sizeof sub, "%s.v_reset_mV", path);
        cob__fmt_num(p->lif.v_reset_mV, v, sizeof v);
        cob__fmt_num(p->lif.v_th_mV, w, sizeof w);
        return cob__fail_path(s, err, sub, "value \"%s\" out of range (allowed: < v_th_mV = %s)", v, w);
    }
    cob_status st = check_keys(s, cob__pop_keys, p, 1u << p->model, path, err);
    if (st != COB_OK)
        return st;
    if (p->model == COB_MODEL_LIF_COND_EXP || p->model == COB_MODEL_LIF_CURR_EXP) {
        const double tau_r[2] = {p->lif.tau_syn_e_ms, p->lif.tau_syn_i_ms};
        for (int r = 0; r < 2; r++) {
            snprintf(sub, sizeof sub, "%s.%s", path, r ? "tau_syn_i_ms" : "tau_syn_e_ms");
            cob__fmt_num(tau_r[r], v, sizeof v);
            if (p->model == COB_MODEL_LIF_COND_EXP && !(tau_r[r] > 0.0))
                return cob__fail_path(s, err, sub,
                                      "value \"%s\" out of range (allowed: > 0 for lif_cond_exp; "
                                      "instantaneous conductances are model lif_cond)",
                                      v);
        }
        if (c->run.integrator == COB_INTEGRATOR_ORDERED) {
            snprintf(sub, sizeof sub, "%s.model", path);
            return cob__fail_path(s, err, sub,
                                  "value \"%s\" not allowed with run.integrator: ordered (allowed: the ordered step "
                                  "exists for lif_cond and lif_curr; use integrator: grid for synapses with time "
                                  "constants, whose continuous input the grid step integrates exactly)",
                                  cob_model_name(p->model));
        }
    }
    st = cob__check_pop_names(c, s, i + 1, err);
    if (st == COB_OK)
        st = cob__check_ring_pop(c, s, i, err);
    return st != COB_OK ? st : check_pool_rate(c, s, i, err);
}

/* ---- projections -------------------------------------------------------------------------- */

static cob_status check_ref(const cob_config *c, const cob__src *s, int i, const char *key, int ref, cob_err *err)
{
    char path[64];
    if (ref >= 0 && ref < c->n_pops)
        return COB_OK;
    snprintf(path, sizeof path, "projections[%d].%s", i, key);
    return cob__fail_path(s, err, path, "population index %d out of range (allowed: 0 .. %d)", ref, c->n_pops - 1);
}

/* Rules that depend on the post population: it takes input, and the weight fits its model. */
static cob_status check_post(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_proj_spec *q = &c->projs[i];
    const cob_pop_spec *post = &c->pops[q->post];
    char path[64], v[32];
    const cob__model_host *mh = cob__model_host_of(post->model);
    if (!mh) {
        char models[128];
        cob__neuron_model_list(models, sizeof models);
        snprintf(path, sizeof path, "projections[%d].post", i);
        return cob__fail_path(s, err, path,
                              "value \"%s\" is a %s population, which takes no input "
                              "(allowed: a %s population)",
                              post->name, cob_model_name(post->model), models);
    }
    if (!(q->weight < mh->weight_below)) {
        snprintf(path, sizeof path, "projections[%d].weight", i);
        cob__fmt_num(q->weight, v, sizeof v);
        return cob__fail_path(s, err, path,
                              "value \"%s\" out of range for post population \"%s\" (%s: "
                              "%s) (allowed: %s)",
                              v, post->name, cob_model_name(post->model), mh->weight_meaning, mh->weight_allowed);
    }
    return COB_OK;
}

/* Independent Poisson input is drawn as a count per neuron and step; the draw has a limit. */
static cob_status check_independent(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_proj_spec *q = &c->projs[i];
    const cob_pop_spec *pre = &c->pops[q->pre];
    double per_step = pre->rate_hz * c->run.dt_ms * 1e-3 * q->indegree;
    if (per_step <= COB__INDEP_MAX_PER_STEP)
        return COB_OK;
    char path[64], v[32], n[32];
    snprintf(path, sizeof path, "projections[%d].indegree", i);
    cob__fmt_num(q->indegree, v, sizeof v);
    cob__fmt_num(per_step, n, sizeof n);
    return cob__fail_path(s, err, path,
                          "value \"%s\" from independent population \"%s\" gives rate_hz * dt_ms "
                          "* 1e-3 * indegree = %s input spikes per neuron per step (allowed: <= "
                          "%.0f; use input: pool for such inputs)",
                          v, pre->name, n, COB__INDEP_MAX_PER_STEP);
}

/* Explicit synapses: enough partners without replacement, delays that fit the ring. */
static cob_status check_synapses(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_proj_spec *q = &c->projs[i];
    const cob_pop_spec *pre = &c->pops[q->pre];
    char path[64], v[48], dt[32];
    int64_t n_avail = pre->size - (q->pre == q->post && !q->allow_autapses);
    /* each target draws round(indegree) partners (hd/connect.h): under 0.5 the projection
     * would exist in the config and hold not one synapse */
    if (q->cv_indegree == 0.0 && q->indegree < 0.5) {
        snprintf(path, sizeof path, "projections[%d].indegree", i);
        cob__fmt_num(q->indegree, v, sizeof v);
        return cob__fail_path(s, err, path,
                              "value \"%s\" rounds to 0 synapses per target (allowed: >= 0.5 -- each target "
                              "gets round(indegree) synapses --, or cv_indegree > 0 for a mean in-degree)",
                              v);
    }
    if (!q->allow_multapses && q->indegree > (double)n_avail) {
        snprintf(path, sizeof path, "projections[%d].indegree", i);
        cob__fmt_num(q->indegree, v, sizeof v);
        return cob__fail_path(s, err, path,
                              "value \"%s\" exceeds the %lld presynaptic neurons available in "
                              "\"%s\" without multapses (allowed: indegree <= %lld, or "
                              "multapses: true)",
                              v, (long long)n_avail, pre->name, (long long)n_avail);
    }
    int64_t steps = cob_steps(q->delay_max_ms, c->run.dt_ms);
    if (steps > COB__DELAY_MAX_STEPS) {
        snprintf(path, sizeof path, "projections[%d].delay_ms", i);
        cob__key_value(cob__key_find(cob__proj_keys, "delay_ms"), q, v, sizeof v);
        cob__fmt_num(c->run.dt_ms, dt, sizeof dt);
        return cob__fail_path(s, err, path,
                              "value \"%s\" is %lld steps of dt_ms = %s (allowed: max delay of "
                              "at most %d steps)",
                              v, (long long)steps, dt, COB__DELAY_MAX_STEPS);
    }
    return COB_OK;
}

static cob_status check_proj(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_proj_spec *q = &c->projs[i];
    char path[64];
    cob_status st = check_ref(c, s, i, "pre", q->pre, err);
    if (st == COB_OK)
        st = check_ref(c, s, i, "post", q->post, err);
    snprintf(path, sizeof path, "projections[%d]", i);
    if (st == COB_OK)
        st = check_keys(s, cob__proj_keys, q, COB__M_ALL, path, err);
    if (st == COB_OK)
        st = check_post(c, s, i, err);
    if (st != COB_OK)
        return st;
    if (q->allow_autapses && q->pre != q->post) {
        snprintf(path, sizeof path, "projections[%d].autapses", i);
        return cob__fail_path(s, err, path,
                              "value \"true\" not allowed: pre \"%s\" and post \"%s\" differ "
                              "(allowed: true only when pre == post)",
                              c->pops[q->pre].name, c->pops[q->post].name);
    }
    const cob_pop_spec *pre = &c->pops[q->pre];
    st = cob_pop_is_independent(pre) ? check_independent(c, s, i, err) : check_synapses(c, s, i, err);
    return st != COB_OK ? st : cob__check_ring_proj(c, s, i, err);
}

/* ---- input channels ----------------------------------------------------------------------- */

static cob_status fail_channels(const cob_config *c, const cob__src *s, int i, const int *rec, const double *w,
                                cob_err *err)
{
    const cob_proj_spec *q = &c->projs[i];
    char path[64], list[256], v[32];
    size_t used = 0;
    list[0] = '\0';
    for (int k = 0; k < COB_MAX_CHANNELS; k++) {
        cob__fmt_num(w[k], v, sizeof v);
        used += (size_t)snprintf(list + used, sizeof list - used, "%s(%s, %s)", k ? ", " : "",
                                 rec[k] == COB_RECEPTOR_E ? "E" : "I", v);
    }
    cob__fmt_num(q->weight, v, sizeof v);
    snprintf(path, sizeof path, "projections[%d]", i);
    return cob__fail_path(s, err, path,
                          "(receptor %s, weight %s) would be input channel %d of post population "
                          "\"%s\", which already has %s (allowed: at most %d distinct (receptor, "
                          "weight) pairs per post population)",
                          q->receptor == COB_RECEPTOR_E ? "E" : "I", v, COB_MAX_CHANNELS + 1, c->pops[q->post].name,
                          list, COB_MAX_CHANNELS);
}

/* Spikes are counted per (target, channel) and scaled at the neuron, so one channel holds one
 * (receptor, weight) pair: a post population has at most COB_MAX_CHANNELS distinct pairs. */
static cob_status check_channels(const cob_config *c, const cob__src *s, cob_err *err)
{
    for (int post = 0; post < c->n_pops; post++) {
        int rec[COB_MAX_CHANNELS], n = 0;
        double w[COB_MAX_CHANNELS];
        for (int i = 0; i < c->n_projs; i++) {
            const cob_proj_spec *q = &c->projs[i];
            if (q->post != post)
                continue;
            int k = 0;
            while (k < n && !(rec[k] == (int)q->receptor && w[k] == q->weight)) k++;
            if (k < n)
                continue;
            if (n == COB_MAX_CHANNELS)
                return fail_channels(c, s, i, rec, w, err);
            rec[n] = (int)q->receptor;
            w[n++] = q->weight;
        }
    }
    return COB_OK;
}

/* ---- durations in steps ------------------------------------------------------------------- */

/* Duration t_ms at path, in steps of dt_ms, must be at most max_steps; the message's allowed part
 * reads "<what> at most <max_steps> steps<note>". */
static cob_status check_steps(const cob__src *s, const char *path, double t_ms, double dt_ms, double max_steps,
                              const char *what, const char *note, cob_err *err)
{
    double q = t_ms / dt_ms;
    if (q <= max_steps)
        return COB_OK;
    char v[32], n[32], dt[32];
    cob__fmt_num(t_ms, v, sizeof v);
    cob__fmt_num(q, n, sizeof n);
    cob__fmt_num(dt_ms, dt, sizeof dt);
    return cob__fail_path(s, err, path, "value \"%s\" is %s steps of dt_ms = %s (allowed: %s at most %.0f steps%s)", v,
                          n, dt, what, max_steps, note);
}

/* Every duration becomes a step count (cob_steps) that must fit where it is stored, and a run
 * measures at least one step. Called after the single-key ranges (dt_ms > 0, durations >= 0). */
static cob_status check_durations(const cob_config *c, const cob__src *s, cob_err *err)
{
    const cob_run_spec *r = &c->run;
    const int ordered = r->integrator == COB_INTEGRATOR_ORDERED;
    const double max_steps = ordered ? COB__RUN_MAX_STEPS_ORDERED : COB__RUN_MAX_STEPS;
    char path[64], v[32], dt[32];
    cob_status st = check_steps(s, "run.t_warmup_ms", r->t_warmup_ms, r->dt_ms, max_steps, "warm-up plus measurement",
                                ordered ? " with integrator: ordered" : "", err);
    if (st == COB_OK)
        st = check_steps(s, "run.t_sim_ms", r->t_sim_ms, r->dt_ms,
                         max_steps - (double)cob_steps(r->t_warmup_ms, r->dt_ms), "measurement",
                         ordered ? " after the warm-up: warm-up plus measurement at most 2^48 steps with integrator: "
                                   "ordered"
                                 : " after the warm-up: warm-up plus measurement at most 2^53 steps",
                         err);
    if (st == COB_OK && cob_steps(r->t_sim_ms, r->dt_ms) < 1) {
        cob__fmt_num(r->t_sim_ms, v, sizeof v);
        cob__fmt_num(r->dt_ms, dt, sizeof dt);
        return cob__fail_path(s, err, "run.t_sim_ms",
                              "value \"%s\" is 0 steps of dt_ms = %s (allowed: at least one measured step, "
                              "t_sim_ms of about dt_ms or more)",
                              v, dt);
    }
    if (st == COB_OK)
        st = check_steps(s, "stats.pop_rate_bin_ms", c->stats.pop_rate_bin_ms, r->dt_ms, COB__RUN_MAX_STEPS, "a bin of",
                         "", err);
    for (int i = 0; st == COB_OK && i < c->n_pops; i++) {
        if (!cob_model_is_neuron(c->pops[i].model))
            continue;
        snprintf(path, sizeof path, "populations[%d].tau_ref_ms", i);
        st = check_steps(s, path, c->pops[i].lif.tau_ref_ms, r->dt_ms,
                         ordered ? COB__REFR_MAX_STEPS_ORDERED : COB__REFR_MAX_STEPS, "a refractory period of",
                         ordered ? " with integrator: ordered (it counts refractory time in 1/65536 of a step in "
                                   "int32; integrator: grid allows 2^31 - 1 steps)"
                                 : "",
                         err);
    }
    return st;
}

/* ---- stats and the whole config ----------------------------------------------------------- */

/* value at path must be > (or >= when or_equal) the limit named lim_name. */
static cob_status check_above(const cob__src *s, const char *path, double value, double lim, const char *lim_name,
                              int or_equal, cob_err *err)
{
    if (or_equal ? value >= lim : value > lim)
        return COB_OK;
    char v[32], l[32];
    cob__fmt_num(value, v, sizeof v);
    cob__fmt_num(lim, l, sizeof l);
    return cob__fail_path(s, err, path, "value \"%s\" out of range (allowed: %s %s = %s)", v, or_equal ? ">=" : ">",
                          lim_name, l);
}

static cob_status check_stats(const cob_config *c, const cob__src *s, cob_err *err)
{
    const cob_stats_spec *t = &c->stats;
    cob_status st = check_keys(s, cob__stats_keys, t, COB__M_ALL, "stats", err);
    if (st == COB_OK)
        st = check_above(s, "stats.rate_hist.max_hz", t->rate_hist_max_hz, t->rate_hist_min_hz,
                         "stats.rate_hist.min_hz", 0, err);
    if (st == COB_OK)
        st = check_above(s, "stats.v_hist.max_mV", t->v_hist_max_mV, t->v_hist_min_mV, "stats.v_hist.min_mV", 0, err);
    if (st == COB_OK)
        st = check_above(s, "stats.pop_rate_bin_ms", t->pop_rate_bin_ms, c->run.dt_ms, "run.dt_ms", 1, err);
    return st;
}

cob_status cob__check(const cob_config *c, const cob__src *s, cob_err *err)
{
    if (c->n_pops < 1 || c->n_pops > COB_MAX_POPS)
        return cob__fail_path(s, err, "populations", "%d populations (allowed: 1 .. %d)", c->n_pops, COB_MAX_POPS);
    if (c->n_projs < 0 || c->n_projs > COB_MAX_PROJS)
        return cob__fail_path(s, err, "projections", "%d projections (allowed: 0 .. %d)", c->n_projs, COB_MAX_PROJS);
    cob_status st = check_keys(s, cob__run_keys, &c->run, COB__M_ALL, "run", err);
    for (int i = 0; st == COB_OK && i < c->n_pops; i++) st = check_pop(c, s, i, err);
    for (int i = 0; st == COB_OK && i < c->n_projs; i++) st = check_proj(c, s, i, err);
    if (st == COB_OK)
        st = check_channels(c, s, err);
    if (st == COB_OK)
        st = check_stats(c, s, err);
    if (st == COB_OK)
        st = check_durations(c, s, err);
    if (st == COB_OK)
        st = cob__check_protocol(c, s, err);
    for (int i = 0; st == COB_OK && i < c->n_pops; i++) st = cob__check_tuning(c, s, i, err);
    return st;
}

cob_status cob_config_check(const cob_config *c, cob_err *err)
{
    cob__src s = {c->path[0] ? c->path : "config", NULL, NULL, 0, c};
    return cob__check(c, &s, err);
}
