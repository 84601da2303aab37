/* tests/test_lif_curr.c -- one current-based LIF neuron (include/cobalt/hd/lif_curr.h) with
 * propagators from host/models/lif_curr.c: relaxation to E_L + mu under a constant drive, the
 * deterministic inter-spike interval of a supra-threshold drive (exactly against the discrete
 * closed form, within one step against the continuous one), and the +J / -J jumps.
 *
 * Float tolerances follow the arithmetic of the step: u = 2^-24 is the unit roundoff of float;
 * ulp(x) the spacing of floats at |x|. */
#include <criterion/criterion.h>
#include "test_util.h"
#include <float.h>
#include <math.h>

#include "cobalt/net.h"
#include "cobalt/hd/lif_curr.h"
#include "models/lif.h"


/* One step with spike counts cnt and no drive; 1 if the neuron fired. */
static int step(cob_lif_state *n, const cob_lif_prop *p, const uint32_t *cnt)
{
    return test_lif_step(cob_lif_curr_step, n, p, cnt);
}

static double ulpf_at(double x)
{
    float f = (float)fabs(x);
    return nextafterf(f, INFINITY) - f;
}

static cob_lif_prop make(double mu_mV, double j_e, double j_i)
{
    cob_lif_params lp;
    cob_neuron_prop np;
    int rec[2] = {COB_RECEPTOR_E, COB_RECEPTOR_I};
    double w[2] = {j_e, j_i};
    cob_lif_params_defaults(&lp);
    lp.mu_ext_mV = mu_mV;
    cob__model_lif_curr.prop_make(&np, &lp, 0.1, COB_INTEGRATOR_GRID, 2, rec, w);
    return np.lif_curr;
}

Test(lif_curr, propagators)
{
    cob_lif_prop p = make(12.5, 0.2, 0.9);
    cr_expect_eq(p.v_leak_mV, -80.0f + 12.5f, "V relaxes to E_L + mu");
    cr_expect_eq(p.leak_decay, (float)exp(-0.1 / 20.0));
    cr_expect_eq(p.chan_factor[0], 0.2f, "E jump +J");
    cr_expect_eq(p.chan_factor[1], -0.9f, "I jump -J");
    cr_expect_eq(p.refr_steps, 20);
}

/* Sub-threshold drive mu = 20 mV < theta - E_L = 25 mV: from V_r, V(n) = v_inf + (V_r - v_inf) d^n
 * with v_inf = E_L + mu, and the neuron never fires. Rounding: at most ~1 ulp(80 mV) per step,
 * damped by d per step, so < ulp(80) / (1 - d) = 1.5e-3 mV in all. */
Test(lif_curr, relaxes_to_drive)
{
    cob_lif_prop p = make(20.0, 0.5, 0.5);
    uint32_t none[COB_MAX_CHANNELS] = {0, 0, 0, 0};
    cob_lif_state n = {p.v_reset_mV, 0};
    double d = p.leak_decay, tol = ulpf_at(80.0) / (1.0 - d);
    for (int k = 1; k <= 4000; ++k) {
        cr_assert_eq(step(&n, &p, none), 0, "sub-threshold drive fired at step %d", k);
        double ref = p.v_leak_mV + (p.v_reset_mV - p.v_leak_mV) * pow(d, k);
        cr_assert_leq(fabs(n.v_mV - ref), tol, "step %d: %.9g vs %.9g", k, n.v_mV, ref);
    }
    cr_expect_leq(fabs(n.v_mV - (-60.0)), 25.0 * exp(-20.0) + tol, "V after 20 tau: %.9g", n.v_mV);
}

/* Supra-threshold drive: after a spike the neuron is held R = round(tau_ref/dt) steps at V_r,
 * then V_n = v_inf + (V_r - v_inf) d^n; it fires at the first n with V_n >= theta, so the ISI is
 * R + n steps, exactly, as long as V_n at the crossing is farther from theta than the float
 * rounding bound ulp(80)/(1 - d) (checked). The continuous closed form
 * T = tau_ref + tau ln((v_inf - V_r)/(v_inf - theta)) lies in (ISI - dt, ISI]: the discrete
 * neuron fires at the end of the step in which the continuous one crosses. */
static void check_isi(double mu_mV)
{
    cob_lif_prop p = make(mu_mV, 0.5, 0.5);
    uint32_t none[COB_MAX_CHANNELS] = {0, 0, 0, 0};
    cob_lif_state n = {p.v_reset_mV, 0};
    const double dt = 0.1, tau = 20.0, tau_ref = 2.0;
    double d = p.leak_decay, vinf = p.v_leak_mV, vr = p.v_reset_mV, th = p.v_th_mV;
    double bound = ulpf_at(80.0) / (1.0 - d);
    int64_t k = 1, last = -1, n_spikes = 0;
    while (vinf + (vr - vinf) * pow(d, (double)k) < th) k += 1;
    cr_assert_gt(vinf + (vr - vinf) * pow(d, (double)k) - th, bound, "mu %.1f: crossing too close to call", mu_mV);
    cr_assert_gt(th - (vinf + (vr - vinf) * pow(d, (double)(k - 1))), bound, "mu %.1f: crossing too close", mu_mV);
    int64_t isi_discrete = p.refr_steps + k;
    double t_cont = tau_ref + tau * log((vinf - vr) / (vinf - th));
    cr_expect(isi_discrete * dt >= t_cont - 1e-9 && isi_discrete * dt < t_cont + dt,
              "mu %.1f: discrete ISI %lld steps = %.4f ms, continuous %.4f ms", mu_mV, (long long)isi_discrete,
              isi_discrete * dt, t_cont);
    for (int64_t t = 0; t < 20000 && n_spikes < 20; ++t)
        if (step(&n, &p, none)) {
            if (last < 0)
                cr_expect_eq(t + 1, k, "mu %.1f: first spike from V_r after %lld steps, expected %lld", mu_mV,
                             (long long)(t + 1), (long long)k);
            else
                cr_expect_eq(t - last, isi_discrete, "mu %.1f: ISI %lld steps, expected %lld", mu_mV,
                             (long long)(t - last), (long long)isi_discrete);
            last = t;
            n_spikes += 1;
        }
    cr_expect_eq(n_spikes, 20, "mu %.1f: %lld spikes", mu_mV, (long long)n_spikes);
}

Test(lif_curr, deterministic_isi)
{
    check_isi(27.0);
    check_isi(30.0);
    check_isi(40.0);
    check_isi(80.0);
}

/* Jumps: n_E spikes add n_E J_E, n_I spikes subtract n_I J_I, then the leak. With the leak made
 * an exact identity (decay 1, target 0) and dyadic values the result is exact. */
Test(lif_curr, jumps_exact)
{
    cob_lif_prop p = make(0.0, 0.5, 1.25);
    p.leak_decay = 1.0f;
    p.v_leak_mV = 0.0f;
    uint32_t cnt[COB_MAX_CHANNELS] = {3, 2, 0, 0};
    cob_lif_state n = {-70.0f, 0};
    cr_assert_eq(step(&n, &p, cnt), 0);
    cr_expect_eq(n.v_mV, -70.0f + 1.5f - 2.5f, "V = %.9g", n.v_mV);
    cnt[0] = 0;
    cnt[1] = 4;
    cr_assert_eq(step(&n, &p, cnt), 0);
    cr_expect_eq(n.v_mV, -76.0f, "V = %.9g", n.v_mV);
}

/* With the leak: V = v_inf + (V0 + n_E J_E - n_I J_I - v_inf) d; four roundings of values below
 * 128 mV in magnitude: 4 ulp(80) covers them. */
Test(lif_curr, jumps_with_leak)
{
    const double je = 0.137, ji = 0.61;
    cob_lif_prop p = make(10.0, je, ji);
    for (uint32_t ne = 0; ne <= 60; ne += 7)
        for (uint32_t ni = 0; ni <= 20; ni += 3) {
            uint32_t cnt[COB_MAX_CHANNELS] = {ne, ni, 0, 0};
            cob_lif_state n = {-66.0f, 0};
            double v = -66.0 + ne * (double)(float)je - ni * (double)(float)ji;
            double ref = p.v_leak_mV + (v - p.v_leak_mV) * (double)p.leak_decay;
            int fired = step(&n, &p, cnt);
            if (ref >= p.v_th_mV + 4.0 * ulpf_at(80.0)) {
                cr_expect_eq(fired, 1, "n_E %u n_I %u: V would be %.6g", ne, ni, ref);
                cr_expect_eq(n.v_mV, p.v_reset_mV);
            } else if (ref < p.v_th_mV - 4.0 * ulpf_at(80.0)) {
                cr_expect_eq(fired, 0, "n_E %u n_I %u", ne, ni);
                cr_expect_leq(fabs(n.v_mV - ref), 4.0 * ulpf_at(80.0), "n_E %u n_I %u: %.9g vs %.9g", ne, ni, n.v_mV,
                              ref);
            }
        }
}

/* Refractory: held at V_r for R steps whatever the input, as in lif_cond. */
Test(lif_curr, refractory_ignores_input)
{
    cob_lif_prop p = make(0.0, 5.0, 5.0);
    uint32_t kick[COB_MAX_CHANNELS] = {10, 0, 0, 0};
    cob_lif_state n = {-60.0f, 0};
    cr_assert_eq(step(&n, &p, kick), 1);
    for (int k = 1; k <= p.refr_steps; ++k) {
        cr_assert_eq(step(&n, &p, kick), 0, "fired in refractory step %d", k);
        cr_assert_eq(n.v_mV, p.v_reset_mV);
    }
    cr_expect_eq(step(&n, &p, kick), 1, "not integrating after %d steps", p.refr_steps);
}

/* Threshold is V >= theta after the leak: theta itself fires, the float just below does not. */
Test(lif_curr, threshold_inclusive)
{
    cob_lif_prop p = make(0.0, 0.5, 0.5);
    uint32_t none[COB_MAX_CHANNELS] = {0, 0, 0, 0};
    p.leak_decay = 1.0f;
    p.v_leak_mV = 0.0f;
    cob_lif_state n = {p.v_th_mV, 0};
    cr_expect_eq(step(&n, &p, none), 1);
    cr_expect_eq(n.v_mV, p.v_reset_mV);
    cr_expect_eq(n.refr_steps, p.refr_steps);
    n.v_mV = nextafterf(p.v_th_mV, -INFINITY);
    n.refr_steps = 0;
    cr_expect_eq(step(&n, &p, none), 0);
}
