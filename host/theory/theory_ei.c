/* host/theory/theory_ei.c -- seed 001's self-consistent Ricciardi map Phi_sc for two current-based
 * populations E and I that may differ (membrane time constant, threshold, noise): per population X,
 * mu_X = E_L + mu_ext + tau_X (sum_Y K_XY j_XY nu_Y + mu_w,X), sigma_X^2 = tau_X (sum_Y K_XY
 * j_XY^2 nu_Y + sigma_w,X^2), with fixed Poisson inputs added like Y; nu_X = Siegert(mu_X,
 * sigma_X). Pairs with include/cobalt/theory.h (cob_theory_ei), tests/test_theory_syn.c,
 * docs/theory.md ("Two populations"). Deliberate limits: lif_curr (and lif_curr_exp, whose synaptic
 * filtering is ignored: the stationary mean drive does not depend on it);
 * at each nu_E the I equation is solved for one root (I -> I inhibition makes it decreasing in
 * the mean; a noise-driven second root is not searched); stability of the rate dynamics
 * tau_X dnu_X/dt = -nu_X + Phi_X (membrane time constants), not of oscillations. */
#include <math.h>
#include <string.h>
#include "theory/theory_num.h"

#define EI_GRID 400

cob_theory_moments cob_theory_ei_moments(const cob_theory_ei *n, int x, const double nu_hz[2])
{
    const cob_theory_net *p = &n->pop[x];
    double tau = p->tau_m_s, drive = p->noise_mu_mV_per_s, var = p->noise_sigma_mV_per_sqrt_s;
    cob_theory_moments m;
    int y;
    var *= var;
    for (y = 0; y < 2; ++y) {
        drive += n->k[x][y] * n->j_mV[x][y] * nu_hz[y];
        var += n->k[x][y] * n->j_mV[x][y] * n->j_mV[x][y] * nu_hz[y];
    }
    drive += n->ext_mean_mV_per_s[x];
    var += n->ext_var_mV2_per_s[x];
    m.tau_s = tau;
    m.mu_mV = p->e_l_mV + p->mu_ext_mV + tau * drive;
    m.sigma_mV = sqrt(tau * var);
    return m;
}

static double phi(const cob_theory_ei *n, int x, double nu_e, double nu_i)
{
    double nu[2];
    nu[0] = nu_e;
    nu[1] = nu_i;
    return cob_theory_rate(&n->pop[x], cob_theory_ei_moments(n, x, nu));
}

/* The largest rate searched: 1/tau_rp, or 1000 Hz without a refractory period. */
static double nu_max(const cob_theory_net *p)
{
    return p->tau_rp_s > 0.0 ? 1.0 / p->tau_rp_s : 1000.0;
}

typedef struct {
    const cob_theory_ei *n;
    double nu_e;
} ei_ctx;

static double i_residual(double nu_i, void *ctx)
{
    const ei_ctx *c = ctx;
    return phi(c->n, 1, c->nu_e, nu_i) - nu_i;
}

/* nu_I*(nu_E): the root of Phi_I(nu_E, nu_I) = nu_I in [0, nu_max] (residual >= 0 at 0, < 0 at
 * nu_max since Phi_I < 1/tau_rp). */
static double i_star(const cob_theory_ei *n, double nu_e)
{
    ei_ctx c;
    double hi = nu_max(&n->pop[1]), f0, f1;
    c.n = n;
    c.nu_e = nu_e;
    f0 = i_residual(0.0, &c);
    if (f0 <= 0.0)
        return 0.0;
    f1 = i_residual(hi, &c);
    if (f1 >= 0.0)
        return hi;
    return cob__brent(i_residual, &c, 0.0, hi, f0, f1, 1e-13, 1e-300);
}

static double e_residual(double nu_e, void *ctx)
{
    const cob_theory_ei *n = ((ei_ctx *)ctx)->n;
    return phi(n, 0, nu_e, i_star(n, nu_e)) - nu_e;
}

/* Grid in nu_E: logit(nu_E / nu_max) uniform in [log 1e-9, log 1e4], as cob_theory_solve. */
static double grid(double top, int i)
{
    double u = log(1e-9) + (log(1e4) - log(1e-9)) * i / (EI_GRID - 1);
    return top / (1.0 + exp(-u));
}

/* Stable when both eigenvalues of the Jacobian of tau_X^-1 (Phi_X - nu_X) have negative real
 * parts (trace < 0, determinant > 0); derivatives by central differences. */
static int ei_stable(const cob_theory_ei *n, const double nu[2])
{
    double jac[2][2], h[2];
    int x, y;
    for (y = 0; y < 2; ++y) h[y] = 1e-6 * (nu[y] > 1.0 ? nu[y] : 1.0);
    for (x = 0; x < 2; ++x)
        for (y = 0; y < 2; ++y) {
            double up[2] = {nu[0], nu[1]}, dn[2] = {nu[0], nu[1]};
            up[y] += h[y];
            dn[y] = dn[y] - h[y] > 0.0 ? dn[y] - h[y] : 0.0;
            jac[x][y] = (phi(n, x, up[0], up[1]) - phi(n, x, dn[0], dn[1])) / (up[y] - dn[y]);
            jac[x][y] = (jac[x][y] - (x == y)) / n->pop[x].tau_m_s;
        }
    return jac[0][0] + jac[1][1] < 0.0 && jac[0][0] * jac[1][1] - jac[0][1] * jac[1][0] > 0.0;
}

int cob_theory_ei_solve(const cob_theory_ei *n, cob_theory_ei_state *out, int max)
{
    ei_ctx c;
    double top = nu_max(&n->pop[0]), x0 = 0.0, x1, f0, f1;
    int i, k = 0;
    c.n = n;
    c.nu_e = 0.0;
    f0 = e_residual(0.0, &c);
    for (i = 0; i <= EI_GRID && k < max; ++i) {
        double root = NAN;
        x1 = i < EI_GRID ? grid(top, i) : top;
        f1 = e_residual(x1, &c);
        if (f0 == 0.0 && i == 0)
            root = 0.0;
        else if ((f0 > 0.0 && f1 <= 0.0) || (f0 < 0.0 && f1 >= 0.0))
            root = cob__brent(e_residual, &c, x0, x1, f0, f1, 1e-12, 1e-300);
        if (!isnan(root)) {
            out[k].nu_hz[0] = root;
            out[k].nu_hz[1] = i_star(n, root);
            out[k].m[0] = cob_theory_ei_moments(n, 0, out[k].nu_hz);
            out[k].m[1] = cob_theory_ei_moments(n, 1, out[k].nu_hz);
            out[k].stable = ei_stable(n, out[k].nu_hz);
            ++k;
        }
        x0 = x1;
        f0 = f1;
    }
    return k;
}

/* ---- config -> cob_theory_ei ---- */

static const char *ei_cfg_name(const cob_config *c)
{
    return c->path[0] ? c->path : "config";
}

/* The two lif_curr or lif_curr_exp populations in lif[0..2): 0 if there are not exactly two, or
 * another neuron model is present. Synaptic filtering does not change a stationary mean drive, so
 * lif_curr_exp is taken with the white-noise Phi (its filtering of the recurrent noise is not
 * modelled). */
static int ei_pops(const cob_config *c, int lif[2])
{
    int p, k = 0;
    for (p = 0; p < c->n_pops; ++p) {
        if (c->pops[p].model == COB_MODEL_POISSON)
            continue;
        if ((c->pops[p].model != COB_MODEL_LIF_CURR && c->pops[p].model != COB_MODEL_LIF_CURR_EXP) || k == 2)
            return 0;
        lif[k++] = p;
    }
    return k == 2;
}

/* Receptors of the projections out of population p onto lif populations: bit 1 E, bit 2 I. */
static int out_receptors(const cob_config *c, int p)
{
    int k, r = 0;
    for (k = 0; k < c->n_projs; ++k)
        if (c->projs[k].pre == p && c->pops[c->projs[k].post].model != COB_MODEL_POISSON)
            r |= c->projs[k].receptor == COB_RECEPTOR_E ? 1 : 2;
    return r;
}

/* allow_mu_sched: a noise mean schedule is taken at its final value (the caller supplies mu). */
static cob_status ei_neuron(const cob_config *c, const cob_pop_spec *p, int allow_mu_sched, cob_theory_net *n,
                            cob_err *err)
{
    int m = p->noise.mu_mV_per_s.n;
    const cob_lif_params *l = &p->lif;
    memset(n, 0, sizeof *n);
    n->model = COB_THEORY_CURR;
    n->tau_m_s = l->tau_m_ms * 1e-3;
    n->tau_rp_s = l->tau_ref_ms * 1e-3;
    n->theta_mV = l->v_th_mV;
    n->v_reset_mV = l->v_reset_mV;
    n->e_l_mV = l->e_l_mV;
    n->mu_ext_mV = l->mu_ext_mV;
    if ((m > 1 && !allow_mu_sched) || p->noise.sigma_mV_per_sqrt_s.n > 1)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: line %d: population %s: noise.%s is a schedule of several points; theory needs a "
                           "constant (the stationary state)",
                           ei_cfg_name(c), p->line, p->name,
                           m > 1 && !allow_mu_sched ? "mu_mV_per_s" : "sigma_mV_per_sqrt_s");
    n->noise_mu_mV_per_s = m ? p->noise.mu_mV_per_s.value[m - 1] : 0.0;
    n->noise_sigma_mV_per_sqrt_s = p->noise.sigma_mV_per_sqrt_s.n ? p->noise.sigma_mV_per_sqrt_s.value[0] : 0.0;
    return COB_OK;
}

/* Which of the two is E: 1 if lif[1] is E (so the roles are swapped), 0 if lif[0]; -1 if a
 * population sends both receptors or both send the same one. */
static int ei_order(const cob_config *c, const int lif[2])
{
    int r0 = out_receptors(c, lif[0]), r1 = out_receptors(c, lif[1]);
    if (r0 == 3 || r1 == 3 || (r0 && r0 == r1))
        return -1;
    return r0 == 2 || r1 == 1;
}

cob_status cob__theory_ei_from_config(const cob_config *c, int allow_mu_sched, cob_theory_ei *n, int pop_of[2],
                                      cob_err *err)
{
    int lif[2], idx[COB_MAX_POPS], k, x, swap;
    cob_status st;
    if (!ei_pops(c, lif))
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: the two-population theory (Phi_sc) needs exactly two lif_curr or lif_curr_exp "
                           "populations besides Poisson ones",
                           ei_cfg_name(c));
    if ((swap = ei_order(c, lif)) < 0)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: populations %s and %s: one must project with receptor E only, the other "
                           "with receptor I only",
                           ei_cfg_name(c), c->pops[lif[0]].name, c->pops[lif[1]].name);
    memset(n, 0, sizeof *n);
    if (pop_of) {
        pop_of[0] = lif[swap];
        pop_of[1] = lif[1 - swap];
    }
    for (k = 0; k < COB_MAX_POPS; ++k) idx[k] = -1;
    idx[lif[swap]] = 0;
    idx[lif[1 - swap]] = 1;
    for (x = 0; x < 2; ++x)
        if ((st = ei_neuron(c, &c->pops[lif[x == 0 ? swap : 1 - swap]], allow_mu_sched, &n->pop[x], err)) != COB_OK)
            return st;
    for (k = 0; k < c->n_projs; ++k) {
        const cob_proj_spec *q = &c->projs[k];
        double j = q->receptor == COB_RECEPTOR_E ? q->weight : -q->weight;
        int post = idx[q->post], pre = idx[q->pre];
        if (post < 0)
            continue; /* onto a Poisson population: not possible, kept for safety */
        if (pre < 0) {
            n->ext_mean_mV_per_s[post] += q->indegree * j * c->pops[q->pre].rate_hz;
            n->ext_var_mV2_per_s[post] += q->indegree * j * j * c->pops[q->pre].rate_hz;
        } else if (n->k[post][pre] != 0.0) {
            return cob_err_set(err, COB_ERR_CONFIG, "%s: line %d: a second projection %s -> %s; Phi_sc takes one",
                               ei_cfg_name(c), q->line, c->pops[q->pre].name, c->pops[q->post].name);
        } else {
            n->k[post][pre] = q->indegree;
            n->j_mV[post][pre] = j;
        }
    }
    for (x = 0; x < 2; ++x)
        if (!(n->pop[x].tau_m_s > 0.0 && n->pop[x].tau_rp_s >= 0.0 && n->pop[x].theta_mV > n->pop[x].v_reset_mV))
            return cob_err_set(err, COB_ERR_CONFIG, "%s: Phi_sc needs tau_m > 0, tau_ref >= 0 and theta > V_r",
                               ei_cfg_name(c));
    return COB_OK;
}

cob_status cob_theory_ei_from_config(const cob_config *c, cob_theory_ei *n, cob_err *err)
{
    return cob__theory_ei_from_config(c, 0, n, NULL, err);
}
