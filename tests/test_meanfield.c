/* tests/test_meanfield.c -- tier 2: whole CPU runs of a current-based population driven by
 * independent Poisson input (no recurrence) against theory.
 *  - Subthreshold: the discrete process V <- d (V + J n), n ~ Poisson(lambda) per step, has the
 *    exact stationary mean d J lambda / (1 - d) and variance d^2 J^2 lambda / (1 - d^2).
 *  - Suprathreshold: the rate against the Siegert formula (seed 004 Eqs. 8, 10-11). The theory
 *    issue brings the full library; this test carries its own small Siegert integral.
 *  - A conductance-based single neuron (seed 004, Fig. 2): rate and V against an event-driven
 *    simulation of the same model (no time step), V against Eq. 17 (include/cobalt/theory.h). */
#include <criterion/criterion.h>
#include "test_util.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "cobalt/config.h"
#include "cobalt/sim.h"
#include "cobalt/theory.h"

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
    e->lif.e_l_mV = 0;
    e->lif.v_th_mV = 20;
    e->lif.v_reset_mV = 10;
    e->lif.tau_m_ms = 20;
    e->lif.tau_ref_ms = 2;
    e->lif.v_init_min_mV = 0;
    e->lif.v_init_max_mV = 20;
    snprintf(x->name, sizeof x->name, "X");
    x->model = COB_MODEL_POISSON;
    x->size = 1000;
    x->rate_hz = rate_hz;
    x->input_mode = COB_INPUT_INDEPENDENT;
    c->n_projs = 1;
    memset(p, 0, sizeof *p);
    p->pre = 1;
    p->post = 0;
    p->receptor = COB_RECEPTOR_E;
    p->indegree = 1000;
    p->weight = 0.1;
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
    if (x < -25.0)
        return 1.0 / (sqrt(3.14159265358979323846) * -x) * (1.0 - 0.5 / (x * x));
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
    cr_expect(s.pop[0].mean_rate_hz > 0.92 * nu && s.pop[0].mean_rate_hz < 1.02 * nu, "rate %.3f Hz vs Siegert %.3f Hz",
              s.pop[0].mean_rate_hz, nu);
    cob_stats_free(&s);
}

/* ---- a conductance-based single neuron (seed 004, Fig. 2's anchor) ------------------------ */

/* Event-driven reference of the same model (docs/models/lif_cond.md, jump: linear), no time
 * step: Poisson input of rate r_e + r_i per neuron (each spike E with probability
 * r_e / (r_e + r_i)), exact leak between input spikes, threshold tested after each input, reset
 * and input ignored for tau_rp. Returns the rate (Hz); v_mean, v_sd: exact time averages over
 * the non-refractory time after the warm-up (what cobalt samples). The same algorithm as
 * tools/event_neuron.py, with its own generator (splitmix64). */
static uint64_t sm_state;
static double sm_u01(void)
{
    uint64_t z = (sm_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1.0p-53;
}

typedef struct {
    double r_e, r_i, a_e, a_i, t_s, warm_s;
    int n;
} event_input;

static double event_driven(const cob_lif_params *p, const event_input *in, double *v_mean, double *v_sd)
{
    const double tau = p->tau_m_ms * 1e-3, trp = p->tau_ref_ms * 1e-3, el = p->e_l_mV, end = in->warm_s + in->t_s;
    const double rate = in->r_e + in->r_i, p_e = in->r_e / rate;
    double sv = 0, sv2 = 0, st = 0;
    long spikes = 0;
    sm_state = 12345;
    for (int k = 0; k < in->n; ++k) {
        double t = 0, v = p->v_reset_mV + (p->v_th_mV - p->v_reset_mV) * sm_u01(), refr_end = -1;
        while (t < end) {
            double t1 = fmin(t - log(sm_u01()) / rate, end);
            double start = fmax(t, refr_end), v0 = refr_end > t ? p->v_reset_mV : v;
            double lo = fmax(start, in->warm_s), s = fmax(t1 - lo, 0), d = (v0 - el) * exp(-fmax(lo - start, 0) / tau);
            double e1 = exp(-s / tau);
            sv += el * s + d * tau * (1 - e1);
            sv2 += el * el * s + 2 * el * d * tau * (1 - e1) + d * d * tau / 2 * (1 - e1 * e1);
            st += s;
            v = el + (v0 - el) * exp(-fmax(t1 - start, 0) / tau);
            t = t1;
            if (t >= end || t < refr_end)
                continue;
            v += sm_u01() < p_e ? in->a_e * (p->e_e_mV - v) : in->a_i * (p->e_i_mV - v);
            if (v >= p->v_th_mV) {
                spikes += t >= in->warm_s;
                v = p->v_reset_mV;
                refr_end = t + trp;
            }
        }
    }
    *v_mean = sv / st;
    *v_sd = sqrt(sv2 / st - *v_mean * *v_mean);
    return spikes / (in->n * in->t_s);
}

/* configs/validation/single_neuron_k.yaml at its anchor (K = 1000, a = 0.01, g = 12, gamma = 1/4,
 * nu_X = 25 Hz, eta = 1.8; dt = 2 us), 400 neurons for 0.3 s (many neurons, few steps: the
 * cost of so short a step is the per-step synchronisation), against (1) the event-driven
 * process of the same model and (2) the mean-field theory (include/cobalt/theory.h). */
Test(meanfield, cond_single_neuron_event_driven_and_eq17)
{
    const char *sets[] = {"populations.N.size=400", "stats.v_neurons=400", "run.t_sim_ms=300"};
    char path[1024];
    cob_config c;
    cob_stats s;
    cob_theory_net n;
    cob_theory_state th;
    cob_err err = {0};
    double vm, vsd;
    snprintf(path, sizeof path, "%s/configs/validation/single_neuron_k.yaml", COBALT_SOURCE_DIR);
    cr_assert_eq(cob_config_load(&c, path, sets, 3, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_theory_net_from_config(&c, &n, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_theory_solve(&n, &th, 1), 1);
    event_input in = {n.K * n.nu_x_hz, n.gamma * n.K * n.eta * n.nu_x_hz, n.a, n.g * n.a, 2.0, 0.02, 400};
    double rate = event_driven(&c.pops[0].lif, &in, &vm, &vsd);
    run_cpu(&c, &s);
    const cob_pop_stats *q = &s.pop[0];
    /* (1) Same model, no time step (39.85 Hz, V -64.056 / 2.880 mV with 2000 neurons x 2 s).
     * Rate: sampling error 1.3% for cobalt's 4700 spikes (CV 0.88), 0.5% for the reference's
     * 31000; the step (0.07 input spikes per step) loses the crossings that an I spike of the same
     * step undoes: -2.0% at 2 us, -4.8% at 5 us, -7.8% at 10 us (1000 neurons x 2 s,
     * docs/validation.md). Tolerance -7% .. +3% (about 4 s.e. around -2%). V: about 2e5
     * independent samples (tau_eff = 0.6 ms): s.e. 0.007 mV and 0.2% of the s.d. (the step moves
     * them by 0.01 mV and 0.1%); tolerance 0.05 mV and 1.5%. */
    cr_expect(q->mean_rate_hz > 0.93 * rate && q->mean_rate_hz < 1.03 * rate, "rate %.3f Hz vs event-driven %.3f Hz",
              q->mean_rate_hz, rate);
    cr_expect(fabs(q->v_pop_mean_mV - vm) < 0.05, "V mean %.4f vs event-driven %.4f mV", q->v_pop_mean_mV, vm);
    cr_expect(fabs(q->v_pop_sd_mV / vsd - 1) < 0.015, "V s.d. %.4f vs event-driven %.4f mV", q->v_pop_sd_mV, vsd);
    /* (2) Eq. 17 with the effective-time-constant approximation (Eq. 5) drops the voltage
     * dependence of the noise and the shot noise: here -63.94 / 2.942 mV against the process's
     * -64.06 / 2.880 (0.12 mV, 2.2%); tolerance 0.25 mV and 4.5%. The rate is a rare escape
     * (v_max^2 = 4.2) and much more sensitive: Siegert 23.8 Hz against 39.85 (docs/validation.md,
     * "Single neuron"); it is only checked to lie between it and twice it. */
    cr_expect(fabs(q->v_pop_mean_mV - th.v_mean_mV) < 0.25, "V mean %.4f vs Eq. 17 %.4f mV", q->v_pop_mean_mV,
              th.v_mean_mV);
    cr_expect(fabs(q->v_pop_sd_mV / th.v_sd_mV - 1) < 0.045, "V s.d. %.4f vs Eq. 17 %.4f mV", q->v_pop_sd_mV,
              th.v_sd_mV);
    cr_expect(th.nu_hz < q->mean_rate_hz && q->mean_rate_hz < 2 * th.nu_hz, "rate %.3f Hz vs Siegert %.3f Hz",
              q->mean_rate_hz, th.nu_hz);
    cob_stats_free(&s);
    cob_config_free(&c);
}

/* The same neuron with the ordered step (run.integrator: ordered) at dt = 50 us, 25 times the
 * grid step's 2 us above. The ordered step is the event-driven process up to the 1/65536-step
 * quantisation of the offsets and float rounding, so its rate must agree within sampling error
 * at any step: 400 neurons x 0.6 s give about 9600 spikes (CV 0.88): s.e. 0.9%, plus the
 * reference's 0.5% (31000 spikes): tolerance +-4% (about 4 combined s.e.). The grid step at this
 * dt is 6-8% low (docs/validation.md). V moments: tolerance as above. */
Test(meanfield, cond_single_neuron_ordered_coarse_step)
{
    const char *sets[] = {"populations.N.size=400", "stats.v_neurons=400",    "run.t_sim_ms=600",
                          "run.dt_ms=0.05",         "run.integrator=ordered", "stats.v_hist.stride_steps=1"};
    char path[1024];
    cob_config c;
    cob_stats s;
    cob_theory_net n;
    cob_err err = {0};
    double vm, vsd;
    snprintf(path, sizeof path, "%s/configs/validation/single_neuron_k.yaml", COBALT_SOURCE_DIR);
    cr_assert_eq(cob_config_load(&c, path, sets, 6, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_theory_net_from_config(&c, &n, &err), COB_OK, "%s", err.msg);
    event_input in = {n.K * n.nu_x_hz, n.gamma * n.K * n.eta * n.nu_x_hz, n.a, n.g * n.a, 2.0, 0.02, 400};
    double rate = event_driven(&c.pops[0].lif, &in, &vm, &vsd);
    run_cpu(&c, &s);
    const cob_pop_stats *q = &s.pop[0];
    cr_log_info("ordered, dt 50 us: %.3f Hz, V %.4f / %.4f mV; event-driven %.3f Hz, %.4f / %.4f mV", q->mean_rate_hz,
                q->v_pop_mean_mV, q->v_pop_sd_mV, rate, vm, vsd);
    cr_expect(fabs(q->mean_rate_hz / rate - 1) < 0.04, "rate %.3f Hz vs event-driven %.3f Hz", q->mean_rate_hz, rate);
    cr_expect(fabs(q->v_pop_mean_mV - vm) < 0.05, "V mean %.4f vs event-driven %.4f mV", q->v_pop_mean_mV, vm);
    cr_expect(fabs(q->v_pop_sd_mV / vsd - 1) < 0.015, "V s.d. %.4f vs event-driven %.4f mV", q->v_pop_sd_mV, vsd);
    cob_stats_free(&s);
    cob_config_free(&c);
}
