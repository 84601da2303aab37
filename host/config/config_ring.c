/* host/config/config_ring.c -- the checks of the ring keys (docs/config.md, "Rings"): a
 * population's ring_period_deg, and a projection's ring_kernel against its populations, its
 * parameters and the in-degree the rejection draw can reach (include/cobalt/ring.h). Called by
 * cob__check (host/config/config_check.c) after the key ranges. */
#include <math.h>
#include <stdio.h>
#include "config/config_keys.h"
#include "cobalt/ring.h"

cob_status cob__check_ring_pop(const cob_config *c, const cob__src *s, int i, cob_err *err)
{
    const double t = c->pops[i].ring_period_deg;
    char path[64], v[32];
    if (t == 0.0 || t == 180.0 || t == 360.0)
        return COB_OK;
    snprintf(path, sizeof path, "populations[%d].ring_period_deg", i);
    cob__fmt_num(t, v, sizeof v);
    return cob__fail_path(s, err, path,
                          "value \"%s\" out of range (allowed: 180, a ring of orientations (pi), or 360, a ring "
                          "of directions (2 pi); 0 or absent: no ring)",
                          v);
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
