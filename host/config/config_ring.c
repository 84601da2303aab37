/* host/config/config_ring.c -- the checks of the ring keys (docs/config.md, "Rings"): a
 * population's ring_period_deg, and a projection's ring_kernel against its populations, its
 * parameters and the in-degree the rejection draw can reach (include/cobalt/ring.h). Called by
 * cob__check (host/config/config_check.c) after the key ranges. */
#include <math.h>
#include <stdio.h>
#include "config/config_keys.h"
#include "cobalt/ring.h"

/* The tuning's parameters: those of its shape only. */
static cob_status check_tuning_keys(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_tuning_spec *ts = &c->pops[i].tuning;
    char path[96], v[32];
    if (ts->shape == COB_TUNE_COSINE && ts->kappa_mu != 0.0) {
        snprintf(path, sizeof path, "populations[%d].tuning.kappa_mu", i);
        cob__fmt_num(ts->kappa_mu, v, sizeof v);
        return cob__fail_path(s, err, path,
                              "value \"%s\": key only valid with shape von_mises, not cosine (allowed for cosine: "
                              "mu_c, theta_deg)",
                              v);
    }
    if (ts->shape == COB_TUNE_VON_MISES && ts->mu_c != 0.0) {
        snprintf(path, sizeof path, "populations[%d].tuning.mu_c", i);
        cob__fmt_num(ts->mu_c, v, sizeof v);
        return cob__fail_path(s, err, path,
                              "value \"%s\": key only valid with shape cosine, not von_mises (allowed for "
                              "von_mises: kappa_mu, theta_deg)",
                              v);
    }
    return COB_OK;
}

/* The rings the tuning needs and the input it scales: a pool's own ring, every target ring of an
 * independent input, a neuron population's ring and white-noise mean. */
static cob_status check_tuning_rings(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_pop_spec *p = &c->pops[i];
    char path[96];
    snprintf(path, sizeof path, "populations[%d].tuning", i);
    if (cob_pop_is_independent(p)) {
        for (int q = 0; q < c->n_projs; q++) {
            const cob_pop_spec *post = &c->pops[c->projs[q].post];
            if (c->projs[q].pre == i && c->projs[q].post >= 0 && c->projs[q].post < c->n_pops &&
                post->ring_period_deg == 0.0)
                return cob__fail_path(s, err, path,
                                      "independent input \"%s\" is tuned to its targets' angles, but projection %d "
                                      "reaches \"%s\", which has no ring (allowed: targets with ring_period_deg)",
                                      p->name, q, post->name);
        }
        return COB_OK;
    }
    if (p->ring_period_deg == 0.0)
        return cob__fail_path(s, err, path,
                              "population \"%s\" has no ring (allowed: tuning on a population with "
                              "ring_period_deg 180 or 360%s)",
                              p->name, p->model == COB_MODEL_POISSON ? ", or an independent input" : "");
    if (p->model != COB_MODEL_POISSON && cob_protocol_schedule(c, i, COB_PERT_MU, NULL, NULL, 0) == 0)
        return cob__fail_path(s, err, path,
                              "population \"%s\" has no white-noise mean to tune (allowed: with "
                              "noise.mu_mV_per_s, which the tuning scales)",
                              p->name);
    return COB_OK;
}

/* A pool's fastest source still fires at most once per step; an independent input's largest
 * mean count per step stays within the draw's limit. */
static cob_status check_tuning_rate(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_pop_spec *p = &c->pops[i];
    cob_tuning tu = cob_tuning_of(c, i, i);
    double g, top;
    char path[96], v[32];
    if (p->model != COB_MODEL_POISSON)
        return COB_OK;
    tu.shape = p->tuning.shape; /* an independent input has no ring of its own: the gain's maximum only */
    if (tu.shape == COB_TUNE_COSINE)
        tu.c1 = p->tuning.mu_c;
    else
        tu.c0 = 1.0 / cob_bessel_i0e(p->tuning.kappa_mu);
    g = cob_tuning_gain_max(&tu);
    top = cob__pop_rate_max(c, i) * g;
    snprintf(path, sizeof path, "populations[%d].tuning", i);
    cob__fmt_num(g, v, sizeof v);
    if (p->input_mode == COB_INPUT_POOL && top * c->run.dt_ms * 1e-3 > 1.0)
        return cob__fail_path(s, err, path,
                              "the tuning's peak gain %s makes the fastest source of \"%s\" fire at %g Hz, more "
                              "than once per step of %g ms (allowed: rate_hz * gain * dt_ms * 1e-3 <= 1)",
                              v, p->name, top, c->run.dt_ms);
    for (int q = 0; p->input_mode == COB_INPUT_INDEPENDENT && q < c->n_projs; q++)
        if (c->projs[q].pre == i && top * c->run.dt_ms * 1e-3 * c->projs[q].indegree > 16000.0)
            return cob__fail_path(s, err, path,
                                  "the tuning's peak gain %s gives projection %d a mean of %g input spikes per "
                                  "neuron and step (allowed: rate_hz * gain * dt_ms * 1e-3 * indegree <= 16000)",
                                  v, q, top * c->run.dt_ms * 1e-3 * c->projs[q].indegree);
    return COB_OK;
}

cob_status cob__check_ring_pop(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const double t = c->pops[i].ring_period_deg;
    char path[64], v[32];
    if (!(t == 0.0 || t == 180.0 || t == 360.0)) {
        snprintf(path, sizeof path, "populations[%d].ring_period_deg", i);
        cob__fmt_num(t, v, sizeof v);
        return cob__fail_path(s, err, path,
                              "value \"%s\" out of range (allowed: 180, a ring of orientations (pi), or 360, a "
                              "ring of directions (2 pi); 0 or absent: no ring)",
                              v);
    }
    return COB_OK;
}

cob_status cob__check_tuning(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    cob_status st;
    if (c->pops[i].tuning.shape == COB_TUNE_NONE)
        return COB_OK;
    st = check_tuning_keys(c, s, i, err);
    if (st == COB_OK)
        st = check_tuning_rings(c, s, i, err);
    if (st == COB_OK)
        st = check_tuning_rate(c, s, i, err);
    return st;
}

/* A parameter of another shape given (nonzero): the key is refused by name. */
static cob_status check_shape_keys(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_ring_kernel_spec *rk = &c->projs[i].ring_kernel;
    const char *names[3] = {"p_c", "kappa", "lambda_deg"};
    const double vals[3] = {rk->p_c, rk->kappa, rk->lambda_deg};
    const int owner[3] = {COB_RING_COSINE, COB_RING_VON_MISES, COB_RING_WRAPPED_EXP};
    char path[96], v[32];
    for (int k = 0; k < 3; k++) {
        if (vals[k] == 0.0 || owner[k] == rk->shape)
            continue;
        snprintf(path, sizeof path, "projections[%d].ring_kernel.%s", i, names[k]);
        cob__fmt_num(vals[k], v, sizeof v);
        return cob__fail_path(s, err, path, "value \"%s\": key only valid with shape %s, not %s (allowed for %s: %s)",
                              v, cob__ring_shape_names[owner[k]], cob__ring_shape_names[rk->shape],
                              cob__ring_shape_names[rk->shape],
                              rk->shape == COB_RING_COSINE      ? "p_c"
                              : rk->shape == COB_RING_VON_MISES ? "kappa"
                                                                : "lambda_deg");
    }
    if (rk->shape == COB_RING_WRAPPED_EXP && !(rk->lambda_deg > 0.0)) {
        snprintf(path, sizeof path, "projections[%d].ring_kernel", i);
        return cob__fail_path(s, err, path,
                              "shape wrapped_exp needs lambda_deg (allowed: lambda_deg > 0, the decay length "
                              "in degrees)");
    }
    return COB_OK;
}

/* Both ends on rings of one period, synapses to draw. */
static cob_status check_ends(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_proj_spec *q = &c->projs[i];
    const cob_pop_spec *pre = &c->pops[q->pre], *post = &c->pops[q->post];
    char path[96];
    snprintf(path, sizeof path, "projections[%d].ring_kernel.shape", i);
    if (cob_pop_is_independent(pre))
        return cob__fail_path(s, err, path,
                              "value \"%s\" not allowed: pre \"%s\" is independent Poisson input, which draws no "
                              "partners (allowed: none; or input: pool)",
                              cob__ring_shape_names[q->ring_kernel.shape], pre->name);
    for (int end = 0; end < 2; end++) {
        const cob_pop_spec *p = end ? post : pre;
        if (p->ring_period_deg == 0.0)
            return cob__fail_path(s, err, path,
                                  "value \"%s\" not allowed: %s population \"%s\" has no ring (allowed: a "
                                  "ring_kernel between populations with ring_period_deg 180 or 360)",
                                  cob__ring_shape_names[q->ring_kernel.shape], end ? "post" : "pre", p->name);
    }
    if (pre->ring_period_deg != post->ring_period_deg)
        return cob__fail_path(s, err, path,
                              "value \"%s\" not allowed: pre \"%s\" has ring_period_deg %g, post \"%s\" %g "
                              "(allowed: both rings of one period)",
                              cob__ring_shape_names[q->ring_kernel.shape], pre->name, pre->ring_period_deg, post->name,
                              post->ring_period_deg);
    return COB_OK;
}

/* The draw stays O(K): the kernel's acceptance, and the in-degree against what it allows. */
static cob_status check_cost(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const cob_proj_spec *q = &c->projs[i];
    int64_t n_avail = c->pops[q->pre].size - (q->pre == q->post && !q->allow_autapses);
    cob_ring_kern k = cob_ring_kern_of(c, i);
    double mean;
    int64_t cap = cob_ring_k_cap(&k, n_avail, q->allow_multapses, INT32_MAX, &mean);
    char path[96], v[32];
    if (cap < 1) {
        snprintf(path, sizeof path, "projections[%d].ring_kernel", i);
        return cob__fail_path(s, err, path,
                              "kernel too peaked for \"%s\" (%lld neurons): a candidate is accepted with "
                              "probability %.3g (allowed: >= %g; widen the kernel -- smaller kappa, larger "
                              "lambda_deg -- or use more presynaptic neurons)",
                              c->pops[q->pre].name, (long long)c->pops[q->pre].size, mean, COB_RING_ACCEPT_MIN);
    }
    if (floor(q->indegree + 0.5) > (double)cap) {
        snprintf(path, sizeof path, "projections[%d].indegree", i);
        cob__fmt_num(q->indegree, v, sizeof v);
        return cob__fail_path(s, err, path,
                              "value \"%s\" too large for the ring kernel on \"%s\": drawing that many partners "
                              "without replacement would accept fewer than %g of the candidates (allowed: "
                              "indegree <= %lld for this kernel and population size)",
                              v, c->pops[q->pre].name, COB_RING_ACCEPT_MIN, (long long)cap);
    }
    return COB_OK;
}

cob_status cob__check_ring_proj(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    cob_status st;
    if (c->projs[i].ring_kernel.shape == COB_RING_NONE)
        return COB_OK;
    st = check_shape_keys(c, s, i, err);
    if (st == COB_OK)
        st = check_ends(c, s, i, err);
    if (st == COB_OK)
        st = check_cost(c, s, i, err);
    return st;
}
