/* tests/test_meanfield.c -- tier 2: whole CPU runs of a current-based population driven by
 * independent Poisson input (no recurrence) against theory.
 *  - Subthreshold: the discrete process V <- d (V + J n), n ~ Poisson(lambda) per step, has the
 *    exact stationary mean d J lambda / (1 - d) and variance d^2 J^2 lambda / (1 - d^2).
 *  - Suprathreshold: the rate against the Siegert formula (seed 004 Eqs. 8, 10-11). The theory
 *    issue brings the full library; this test carries its own small Siegert integral. */
#include <criterion/criterion.h>
#include "test_util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cobalt/sim.h"

static void driven_population(cob_config *c, double rate_hz, double t_sim_ms)
{
    cob_pop_spec *e = &c->pops[0], *x = &c->pops[1];
    cob_proj_spec *p = &c->projs[0];
    cob_config_defaults(c);
    c->run.dt_ms = 0.1;
    c->run.t_warmup_ms = 200;
    c->run.t_sim_ms = t_sim_ms;
    c->run.seed = 5;
    c->stats.v_sample_stride_steps = 10;
    c->stats.v_hist_min_mV = -10;
    c->stats.v_hist_max_mV = 20;
    c->n_pops = 2;
    snprintf(e->name, sizeof e->name, "E");
    e->model = COB_MODEL_LIF_CURR;
    e->size = 2000;
    cob_lif_params_defaults(&e->lif);
    e->lif.e_l_mV = 0; e->lif.v_th_mV = 20; e->lif.v_reset_mV = 10;
    e->lif.tau_m_ms = 20; e->lif.tau_ref_ms = 2;
    e->lif.v_init_min_mV = 0; e->lif.v_init_max_mV = 20;
    snprintf(x->name, sizeof x->name, "X");
    x->model = COB_MODEL_POISSON;
    x->size = 1000;
    x->rate_hz = rate_hz;
    x->input_mode = COB_INPUT_INDEPENDENT;
    c->n_projs = 1;
    memset(p, 0, sizeof *p);
    p->pre = 1; p->post = 0; p->receptor = COB_RECEPTOR_E;
    p->indegree = 1000; p->weight = 0.1;
    p->delay_min_ms = p->delay_max_ms = 0.1;
}

Test(meanfield, subthreshold_moments_exact)
{
    cob_config c;
    cob_stats s;
    double d = exp(-0.1 / 20.0), lambda = 1000 * 8.0 * 1e-4, J = 0.1;
    double mean = d * J * lambda / (1 - d), sd = sqrt(d * d * J * J * lambda / (1 - d * d));
    driven_population(&c, 8.0, 3000);
    run_cpu(&c, &s);
    /* mu = 16 mV, 4 sd below threshold: 0.005 Hz of resets, too few to move the moments.
     * Samples every 10 steps are correlated over tau/dt = 200 steps: about
     * 2000 * 30000 / 200 = 3e5 independent samples, standard error of the mean
     * 0.89 / sqrt(3e5) = 0.0016 mV; tolerance 0.01 mV (6 SE). The s.d. is a pooled
     * second moment: same sample count, relative SE ~ 1/sqrt(2 * 3e5); tolerance 1%. */
    cr_expect(fabs(s.pop[0].v_pop_mean_mV - mean) < 0.01, "mean %.5f vs exact %.5f", s.pop[0].v_pop_mean_mV, mean);
    cr_expect(fabs(s.pop[0].v_pop_sd_mV / sd - 1) < 0.01, "sd %.5f vs exact %.5f", s.pop[0].v_pop_sd_mV, sd);
    cob_stats_free(&s);
}

/* e^{x^2} (1 + erf x), finite for every x (asymptotic series where erfc underflows). */
static double siegert_integrand(double x)
{
    if (x < -25.0) return 1.0 / (sqrt(3.14159265358979323846) * -x) * (1.0 - 0.5 / (x * x));
    return exp(x * x) * erfc(-x);
}

static double siegert_rate(double mu, double sigma, double tau, double tau_rp, double v_r, double theta)
{
    double a = (v_r - mu) / sigma, b = (theta - mu) / sigma, h, sum;
    int k, n = 4000;
    h = (b - a) / n;
    sum = siegert_integrand(a) + siegert_integrand(b);
    for (k = 1; k < n; ++k) sum += (k % 2 ? 4.0 : 2.0) * siegert_integrand(a + k * h);
    return 1.0 / (tau_rp + tau * sqrt(3.14159265358979323846) * sum * h / 3.0);
}

Test(meanfield, siegert_rate)
{
    cob_config c;
    cob_stats s;
    double nu_x = 12.0, tau = 0.02, J = 0.1, K = 1000;
    double mu = tau * J * K * nu_x, sigma = sqrt(tau * J * J * K * nu_x);
    double nu = siegert_rate(mu, sigma, tau, 0.002, 10.0, 20.0);
    driven_population(&c, nu_x, 2000);
    run_cpu(&c, &s);
    /* Diffusion theory (nu = 37.8 Hz here) neglects the shot noise (J / sigma = 0.065) and the
     * time grid: both raise the effective threshold by about zeta(1/2)/sqrt(2) sigma sqrt(dt/tau)
     * ~ 0.1 mV (Brunel & Sergi 1998; Fourcaud & Brunel 2002), which lowers the rate by a few
     * percent at this point (observed -2.3%). Sampling error of the mean rate over 2000 neurons
     * x 2 s is < 0.3%. Tolerance: -8% .. +2%, so a rate that ignores the refractory period
     * (+8%) or loses an input step fails. */
    cr_expect(s.pop[0].mean_rate_hz > 0.92 * nu && s.pop[0].mean_rate_hz < 1.02 * nu,
              "rate %.3f Hz vs Siegert %.3f Hz", s.pop[0].mean_rate_hz, nu);
    cob_stats_free(&s);
}
