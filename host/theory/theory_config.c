/* host/theory/theory_config.c -- the theory network of a config (cob_theory_net_from_config): finds
 * the E, I and X populations by role, checks that the config is the paper's E/I/X network with
 * identical E and I neurons, and reads K, gamma, g, a or J, k_x and nu_x from the projections;
 * or, for one lif population driven only by Poisson populations, the single neuron of the
 * paper's Secs. III-IV (K, gamma, g, a or J, nu_x, eta from the input projections), also one driven
 * by white noise alone (K = 0). lif_*_exp give tau_syn_s (one tau_S for E and I), `noise` the
 * white-noise terms (constant only).
 * Pairs with include/cobalt/theory.h and host/cli/cli_theory.c. Deliberate limits: a network has
 * exactly three populations and the six projections EE, EI, IE, II, XE, XI; a single neuron one
 * E weight and one I weight; in-degree heterogeneity (cv_indegree) is not part of
 * cob_theory_net (see cob_theory_heterogeneous); E and I with different neurons: theory_ei.c. */
#include <math.h>
#include <string.h>
#include "theory/theory_num.h"

int cob_theory_model_of(int model, cob_theory_model *out)
{
    switch (model) {
    case COB_MODEL_LIF_COND: *out = COB_THEORY_COND; return 1;
    case COB_MODEL_LIF_CURR: *out = COB_THEORY_CURR; return 1;
    case COB_MODEL_LIF_COND_EXP: *out = COB_THEORY_COND; return 1; /* + tau_syn_s, Appendix G */
    case COB_MODEL_LIF_CURR_EXP: *out = COB_THEORY_CURR; return 1;
    default: return 0; /* sources, and neuron models the mean field does not cover */
    }
}

/* A population the mean field covers (a "lif population" in the messages). */
static int is_lif(const cob_pop_spec *p)
{
    cob_theory_model tm;
    return cob_theory_model_of(p->model, &tm);
}

static const char *cfg_name(const cob_config *c)
{
    return c->path[0] ? c->path : "config";
}

/* Index of the projection pre -> post, -1 if none, -2 if more than one. */
static int find_proj(const cob_config *c, int pre, int post)
{
    int i, k = -1;
    for (i = 0; i < c->n_projs; ++i)
        if (c->projs[i].pre == pre && c->projs[i].post == post)
            k = k == -1 ? i : -2;
    return k;
}

/* Roles: X the only Poisson population; E the first lif population that X projects to; I the
 * lif population with receptor-I projections out. */
static cob_status find_roles(const cob_config *c, int *e, int *i, int *x, cob_err *err)
{
    int p, k;
    *e = *i = *x = -1;
    if (c->n_pops != 3)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: theory needs exactly three populations (E, I and a Poisson X), "
                           "found %d (or, for a single neuron, one lif population whose every "
                           "input projection comes from a Poisson population)",
                           cfg_name(c), c->n_pops);
    for (p = 0; p < c->n_pops; ++p)
        if (c->pops[p].model == COB_MODEL_POISSON)
            *x = p;
    for (k = 0; k < c->n_projs; ++k) {
        const cob_proj_spec *q = &c->projs[k];
        if (*x >= 0 && q->pre == *x && *e < 0 && is_lif(&c->pops[q->post]))
            *e = q->post;
        if (q->receptor == COB_RECEPTOR_I && is_lif(&c->pops[q->pre]))
            *i = q->pre;
    }
    if (*x < 0)
        return cob_err_set(err, COB_ERR_CONFIG, "%s: theory needs a Poisson (external) population", cfg_name(c));
    if (*i < 0)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: theory needs an inhibitory population (a lif population "
                           "with receptor-I projections out); found none",
                           cfg_name(c));
    if (*e < 0 || *e == *i)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: theory needs an excitatory population driven by %s and distinct "
                           "from the inhibitory one",
                           cfg_name(c), c->pops[*x].name);
    return COB_OK;
}

static int same_sched(const cob_sched_spec *a, const cob_sched_spec *b)
{
    int k;
    if (a->n != b->n)
        return 0;
    for (k = 0; k < a->n; ++k)
        if (a->t_ms[k] != b->t_ms[k] || a->value[k] != b->value[k])
            return 0;
    return 1;
}

static int same_neurons(const cob_pop_spec *a, const cob_pop_spec *b)
{
    const cob_lif_params *p = &a->lif, *q = &b->lif;
    return a->model == b->model && p->tau_m_ms == q->tau_m_ms && p->tau_ref_ms == q->tau_ref_ms &&
           p->v_th_mV == q->v_th_mV && p->v_reset_mV == q->v_reset_mV && p->e_l_mV == q->e_l_mV &&
           p->e_e_mV == q->e_e_mV && p->e_i_mV == q->e_i_mV && p->mu_ext_mV == q->mu_ext_mV &&
           p->tau_syn_e_ms == q->tau_syn_e_ms && p->tau_syn_i_ms == q->tau_syn_i_ms &&
           same_sched(&a->noise.mu_mV_per_s, &b->noise.mu_mV_per_s) &&
           same_sched(&a->noise.sigma_mV_per_sqrt_s, &b->noise.sigma_mV_per_sqrt_s);
}

/* The six projections (pre, post, receptor) in the order EE, EI, IE, II, XE, XI. */
static cob_status find_projs(const cob_config *c, int e, int i, int x, int idx[6], cob_err *err)
{
    const int pre[6] = {e, e, i, i, x, x}, post[6] = {e, i, e, i, e, i};
    const cob_receptor rec[6] = {COB_RECEPTOR_E, COB_RECEPTOR_E, COB_RECEPTOR_I,
                                 COB_RECEPTOR_I, COB_RECEPTOR_E, COB_RECEPTOR_E};
    int k;
    if (c->n_projs != 6)
        return cob_err_set(err, COB_ERR_CONFIG, "%s: theory needs the six projections EE, EI, IE, II, XE, XI; found %d",
                           cfg_name(c), c->n_projs);
    for (k = 0; k < 6; ++k) {
        idx[k] = find_proj(c, pre[k], post[k]);
        if (idx[k] < 0)
            return cob_err_set(err, COB_ERR_CONFIG, "%s: theory needs exactly one projection %s -> %s", cfg_name(c),
                               c->pops[pre[k]].name, c->pops[post[k]].name);
        if (c->projs[idx[k]].receptor != rec[k])
            return cob_err_set(err, COB_ERR_CONFIG, "%s: line %d: projection %s -> %s must use receptor %s",
                               cfg_name(c), c->projs[idx[k]].line, c->pops[pre[k]].name, c->pops[post[k]].name,
                               rec[k] == COB_RECEPTOR_E ? "E" : "I");
    }
    return COB_OK;
}

/* Both targets of one source must see the same in-degree and weight (identical E and I cells). */
static cob_status check_pair(const cob_config *c, const int idx[6], int k, const char *what, cob_err *err)
{
    const cob_proj_spec *p = &c->projs[idx[k]], *q = &c->projs[idx[k + 1]];
    if (p->indegree != q->indegree || p->weight != q->weight)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: lines %d and %d: the %s projections onto E and I differ (in-degree "
                           "%g vs %g, weight %g vs %g); theory needs identical E and I neurons",
                           cfg_name(c), p->line, q->line, what, p->indegree, q->indegree, p->weight, q->weight);
    return COB_OK;
}

/* A constant noise value (0 when not given); COB_ERR_CONFIG for a schedule of several points. */
static cob_status noise_value(const cob_config *c, const cob_pop_spec *p, const cob_sched_spec *s, const char *key,
                              double *v, cob_err *err)
{
    *v = s->n > 0 ? s->value[0] : 0.0;
    if (s->n > 1)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: line %d: population %s: noise.%s is a schedule of %d points; theory "
                           "needs a constant (the stationary state)",
                           cfg_name(c), p->line, p->name, key, (int)s->n);
    return COB_OK;
}

/* The synaptic time constant and white noise of population p (issue 12: lif_*_exp and `noise`). */
static cob_status fill_syn_noise(const cob_config *c, const cob_pop_spec *p, cob_theory_net *n, cob_err *err)
{
    const cob_lif_params *l = &p->lif;
    cob_status st = noise_value(c, p, &p->noise.mu_mV_per_s, "mu_mV_per_s", &n->noise_mu_mV_per_s, err);
    if (st == COB_OK)
        st = noise_value(c, p, &p->noise.sigma_mV_per_sqrt_s, "sigma_mV_per_sqrt_s", &n->noise_sigma_mV_per_sqrt_s,
                         err);
    if (st != COB_OK || (p->model != COB_MODEL_LIF_COND_EXP && p->model != COB_MODEL_LIF_CURR_EXP))
        return st;
    if (l->tau_syn_e_ms != l->tau_syn_i_ms)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: line %d: population %s: tau_syn_e_ms = %g and tau_syn_i_ms = %g differ; the "
                           "finite-tau_S theory (seed 004, Appendix G) takes one synaptic time constant",
                           cfg_name(c), p->line, p->name, l->tau_syn_e_ms, l->tau_syn_i_ms);
    n->tau_syn_s = l->tau_syn_e_ms * 1e-3;
    return COB_OK;
}

/* Zeroes n and sets the model and neuron parameters of population p. */
static void fill_neuron(const cob_pop_spec *p, cob_theory_net *n)
{
    const cob_lif_params *l = &p->lif;
    memset(n, 0, sizeof *n);
    cob_theory_model_of(p->model, &n->model); /* the callers chose p with is_lif */
    n->tau_m_s = l->tau_m_ms * 1e-3;
    n->tau_rp_s = l->tau_ref_ms * 1e-3;
    n->theta_mV = l->v_th_mV;
    n->v_reset_mV = l->v_reset_mV;
    n->e_l_mV = l->e_l_mV;
    n->e_e_mV = l->e_e_mV;
    n->e_i_mV = l->e_i_mV;
    n->mu_ext_mV = l->mu_ext_mV;
}

static void fill_net(const cob_config *c, int e, const int idx[6], cob_theory_net *n)
{
    const cob_proj_spec *ee = &c->projs[idx[0]], *ie = &c->projs[idx[2]], *xe = &c->projs[idx[4]];
    fill_neuron(&c->pops[e], n);
    n->K = ee->indegree;
    n->gamma = ie->indegree / ee->indegree;
    n->g = ie->weight / ee->weight;
    n->k_x = xe->indegree;
    n->nu_x_hz = c->pops[xe->pre].rate_hz;
    if (n->model == COB_THEORY_COND)
        n->a = ee->weight;
    else
        n->j_mV = ee->weight;
}

/* A single neuron: exactly one lif population (*post), at least one projection, all from Poisson
 * populations (so none is recurrent). */
static int single_neuron(const cob_config *c, int *post)
{
    int p, k, n_lif = 0;
    for (p = 0; p < c->n_pops; ++p)
        if (is_lif(&c->pops[p])) {
            ++n_lif;
            *post = p;
        }
    if (n_lif != 1)
        return 0;
    if (c->n_projs == 0) /* white noise alone drives it (seed 001's E1) */
        return c->pops[*post].noise.mu_mV_per_s.n > 0 || c->pops[*post].noise.sigma_mV_per_sqrt_s.n > 0;
    for (k = 0; k < c->n_projs; ++k)
        if (c->pops[c->projs[k].pre].model != COB_MODEL_POISSON)
            return 0;
    return 1;
}

/* Every projection of receptor rec must have the weight of the first one (*first: its index). */
static cob_status one_weight(const cob_config *c, cob_receptor rec, int *first, cob_err *err)
{
    int k;
    *first = -1;
    for (k = 0; k < c->n_projs; ++k) {
        const cob_proj_spec *q = &c->projs[k];
        if (q->receptor != rec)
            continue;
        if (*first < 0) {
            *first = k;
            continue;
        }
        if (q->weight != c->projs[*first].weight)
            return cob_err_set(err, COB_ERR_CONFIG,
                               "%s: lines %d and %d: the %s input weights differ (%g vs %g); the "
                               "single-neuron theory needs one %s weight",
                               cfg_name(c), c->projs[*first].line, q->line,
                               rec == COB_RECEPTOR_E ? "excitatory" : "inhibitory", c->projs[*first].weight, q->weight,
                               rec == COB_RECEPTOR_E ? "E" : "I");
    }
    return COB_OK;
}

/* The single neuron of population post (Secs. III-IV): R_E = sum K_j nu_j over receptor-E
 * projections = K nu_x, R_I over receptor-I ones = gamma K eta nu_x. */
static cob_status single_from_config(const cob_config *c, int post, cob_theory_net *n, cob_err *err)
{
    double re = 0.0, ri = 0.0, ki = 0.0;
    int e0, i0, k;
    cob_status st;
    if (c->n_projs == 0) { /* white noise only: K = 0, no weights (cob_theory_net_validate) */
        fill_neuron(&c->pops[post], n);
        n->single = 1;
        return fill_syn_noise(c, &c->pops[post], n, err);
    }
    if ((st = one_weight(c, COB_RECEPTOR_E, &e0, err)) != COB_OK)
        return st;
    if (e0 < 0)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: single neuron %s: theory needs an excitatory (receptor E) input "
                           "projection",
                           cfg_name(c), c->pops[post].name);
    if ((st = one_weight(c, COB_RECEPTOR_I, &i0, err)) != COB_OK)
        return st;
    for (k = 0; k < c->n_projs; ++k) {
        const cob_proj_spec *q = &c->projs[k];
        double r = q->indegree * c->pops[q->pre].rate_hz;
        if (q->receptor == COB_RECEPTOR_E)
            re += r;
        else {
            ri += r;
            ki += q->indegree;
        }
    }
    if (!(re > 0.0))
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: single neuron %s: the excitatory input rate (in-degree x rate_hz "
                           "summed over receptor-E projections) is 0; theory needs it > 0",
                           cfg_name(c), c->pops[post].name);
    fill_neuron(&c->pops[post], n);
    n->single = 1;
    n->K = n->k_x = c->projs[e0].indegree;
    n->nu_x_hz = re / n->K;
    n->gamma = ki / n->K;
    n->g = i0 >= 0 ? c->projs[i0].weight / c->projs[e0].weight : 0.0;
    n->eta = ki > 0.0 ? ri / (ki * n->nu_x_hz) : 0.0;
    if (n->model == COB_THEORY_COND)
        n->a = c->projs[e0].weight;
    else
        n->j_mV = c->projs[e0].weight;
    return fill_syn_noise(c, &c->pops[post], n, err);
}

static cob_status validated(const cob_config *c, const cob_theory_net *n, cob_err *err)
{
    cob_err v = {COB_OK, ""};
    if (cob_theory_net_validate(n, &v) != COB_OK)
        return cob_err_set(err, COB_ERR_CONFIG, "%s: %s", cfg_name(c), v.msg);
    return COB_OK;
}

cob_status cob_theory_net_from_config(const cob_config *c, cob_theory_net *n, cob_err *err)
{
    int e = -1, i, x, idx[6], k;
    cob_status st;
    for (k = 0; k < c->n_pops; ++k) /* a stationary theory: inputs constant in time */
        if (cob_pop_rate_varies(c, k))
            return cob_err_set(err, COB_ERR_CONFIG,
                               "%s: population %s (line %d): its rate_hz varies in time (a schedule or a protocol "
                               "perturbation); theory needs constant input rates",
                               cfg_name(c), c->pops[k].name, c->pops[k].line);
    if (single_neuron(c, &e)) {
        st = single_from_config(c, e, n, err);
        return st == COB_OK ? validated(c, n, err) : st;
    }
    if ((st = find_roles(c, &e, &i, &x, err)) != COB_OK)
        return st;
    if (!same_neurons(&c->pops[e], &c->pops[i]))
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: populations %s (line %d) and %s (line %d) differ in model or neuron "
                           "parameters; theory needs identical E and I neurons",
                           cfg_name(c), c->pops[e].name, c->pops[e].line, c->pops[i].name, c->pops[i].line);
    if ((st = find_projs(c, e, i, x, idx, err)) != COB_OK)
        return st;
    for (k = 0; k < 6; k += 2)
        if ((st = check_pair(c, idx, k, k == 0 ? "E" : k == 2 ? "I" : "external", err)) != COB_OK)
            return st;
    if (c->projs[idx[4]].weight != c->projs[idx[0]].weight)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: line %d: the external weight %g differs from the recurrent E weight "
                           "%g; theory uses one E weight",
                           cfg_name(c), c->projs[idx[4]].line, c->projs[idx[4]].weight, c->projs[idx[0]].weight);
    if (!(c->projs[idx[0]].indegree > 0.0))
        return cob_err_set(err, COB_ERR_CONFIG, "%s: theory needs K > 0 (E -> E in-degree)", cfg_name(c));
    fill_net(c, e, idx, n);
    if ((st = fill_syn_noise(c, &c->pops[e], n, err)) != COB_OK)
        return st;
    return validated(c, n, err);
}
