/* host/theory/theory_ssn_target.c -- seed 001's SSN from a config (cob_ssn_from_config: the power
 * law of each population's white-noise Phi, J = K j, and the Phi_sc description) and the
 * targeting inversion (cob_ssn_target: the drive that makes the SSN follow a rate trajectory).
 * Pairs with include/cobalt/theory.h, host/cli/cli_theory.c and tests/test_ssn.c. Deliberate
 * limits: two white-noise current-based populations and nothing else (no Poisson inputs); the
 * inversion differentiates the target by finite differences, so it needs a smooth, well-sampled
 * trajectory. */
#include <math.h>
#include <string.h>
#include "theory/theory_num.h"

static const char *cfg_name(const cob_config *c)
{
    return c->path[0] ? c->path : "config";
}

/* Population p is a current-based LIF population with constant white noise sigma > 0. */
static cob_status check_pop(const cob_config *c, int p, cob_err *err)
{
    const cob_pop_spec *q = &c->pops[p];
    const cob_sched_spec *sg = &q->noise.sigma_mV_per_sqrt_s;
    if (q->model != COB_MODEL_LIF_CURR && q->model != COB_MODEL_LIF_CURR_EXP)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: line %d: population %s: the SSN (seed 001) needs lif_curr or lif_curr_exp "
                           "populations only",
                           cfg_name(c), q->line, q->name);
    if (sg->n != 1 || !(sg->value[0] > 0.0))
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: line %d: population %s: the SSN needs white noise with a constant "
                           "noise.sigma_mV_per_sqrt_s > 0 (%s); the power law is fitted to Phi(mu; sigma, tau)",
                           cfg_name(c), q->line, q->name,
                           sg->n == 0  ? "none given"
                           : sg->n > 1 ? "a schedule given"
                                       : "0 given");
    return COB_OK;
}

cob_status cob_ssn_from_config(const cob_config *c, double nu_fit_max_hz, cob_ssn *s, cob_theory_ei *ei, double *ratio,
                               int pop_of[2], cob_err *err)
{
    cob_theory_ei e;
    int p, x, y, pop[2];
    cob_status st;
    if (c->n_pops != 2)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "%s: the SSN (seed 001) needs exactly two populations (E and I, lif_curr or "
                           "lif_curr_exp, white noise); found %d",
                           cfg_name(c), c->n_pops);
    for (p = 0; p < 2; ++p)
        if ((st = check_pop(c, p, err)) != COB_OK)
            return st;
    if ((st = cob__theory_ei_from_config(c, 1, &e, pop, err)) != COB_OK)
        return st;
    memset(s, 0, sizeof *s);
    for (x = 0; x < 2; ++x) {
        double sigma = c->pops[pop[x]].noise.sigma_mV_per_sqrt_s.value[0];
        cob_err fe = {COB_OK, ""};
        if (cob_theory_powerlaw_fit(&e.pop[x], sigma, nu_fit_max_hz, 80, &s->f[x], &fe) != COB_OK)
            return cob_err_set(err, COB_ERR_CONFIG, "%s: line %d: population %s: %s", cfg_name(c), c->pops[pop[x]].line,
                               c->pops[pop[x]].name, fe.msg);
        s->tau_s[x] = e.pop[x].tau_m_s;
        s->mu[x] = e.pop[x].noise_mu_mV_per_s;
        for (y = 0; y < 2; ++y) s->J_mV[x][y] = e.k[x][y] * e.j_mV[x][y];
    }
    if (s->J_mV[1][1] > 0.0)
        return cob_err_set(err, COB_ERR_CONFIG, "%s: the SSN's state search needs J_II <= 0", cfg_name(c));
    if (ratio)
        *ratio = s->mu[0] != 0.0 ? s->mu[1] / s->mu[0] : 1.0;
    if (ei)
        *ei = e;
    if (pop_of) {
        pop_of[0] = pop[0];
        pop_of[1] = pop[1];
    }
    return COB_OK;
}

/* f^-1(y) for y > 0; b (the edge of the silent range) otherwise, counted in *clip. */
static double f_inv(const cob_theory_powerlaw *f, double y, int *clip)
{
    if (!(y > 0.0)) {
        ++*clip;
        return f->b;
    }
    return f->b + pow(y / f->a, 1.0 / f->n);
}

cob_status cob_ssn_target(const cob_ssn *s, const double *t_s, const double *nu_e, const double *nu_i, int m,
                          double *mu_e, double *mu_i, int *n_clipped, cob_err *err)
{
    int k, x, clip = 0;
    if (m < 2 || !(s->f[0].a > 0.0) || !(s->f[1].a > 0.0))
        return cob_err_set(err, COB_ERR_INVALID, "targeting: %d points (>= 2) and power laws with a > 0 needed", m);
    for (k = 0; k < m; ++k) {
        if (!isfinite(t_s[k]) || !isfinite(nu_e[k]) || !isfinite(nu_i[k]))
            return cob_err_set(err, COB_ERR_INVALID, "targeting: point %d is not finite", k);
        if (k > 0 && !(t_s[k] > t_s[k - 1]))
            return cob_err_set(err, COB_ERR_INVALID, "targeting: t must increase (point %d: %g after %g s)", k, t_s[k],
                               t_s[k - 1]);
    }
    for (k = 0; k < m; ++k) {
        int a = k > 0 ? k - 1 : 0, b = k + 1 < m ? k + 1 : m - 1;
        double nu[2], dnu[2];
        nu[0] = nu_e[k];
        nu[1] = nu_i[k];
        dnu[0] = (nu_e[b] - nu_e[a]) / (t_s[b] - t_s[a]);
        dnu[1] = (nu_i[b] - nu_i[a]) / (t_s[b] - t_s[a]);
        for (x = 0; x < 2; ++x) {
            double v = f_inv(&s->f[x], nu[x] + s->tau_s[x] * dnu[x], &clip) - s->J_mV[x][0] * nu[0] -
                       s->J_mV[x][1] * nu[1];
            if (x == 0)
                mu_e[k] = v;
            else
                mu_i[k] = v;
        }
    }
    if (n_clipped)
        *n_clipped = clip;
    return COB_OK;
}
