/* tests/test_lif_curr_exp.c -- the current-based LIF with exponential synaptic currents
 * (include/cobalt/hd/lif_curr_exp.h): one spike's PSP against the closed form at every step, the
 * area normalisation (tau_syn -> 0 is lif_curr's jump), a delta receptor beside an exponential
 * one, and the currents' decay through the refractory period. */
#include <criterion/criterion.h>
#include <math.h>
#include "cobalt/config.h"
#include "cobalt/hd/models.h"
#include "models/models.h"

static cob_lif_exp_prop make(double tau_e, double tau_i, double dt)
{
    cob_lif_params lp;
    cob_neuron_prop np;
    int rec[2] = {COB_RECEPTOR_E, COB_RECEPTOR_I};
    double w[2] = {0.5, 1.0};
    cob_lif_params_defaults(&lp);
    lp.e_l_mV = 0.0;
    lp.v_th_mV = 20.0;
    lp.v_reset_mV = 10.0;
    lp.tau_syn_e_ms = tau_e;
    lp.tau_syn_i_ms = tau_i;
    cob__model_lif_curr_exp.prop_make(&np, &lp, dt, COB_INTEGRATOR_GRID, 2, rec, w);
    return np.lif_curr_exp;
}

static int step(cob_lif_exp_state *n, const cob_lif_exp_prop *p, uint32_t ne, uint32_t ni)
{
    cob_input in;
    cob_input_clear(&in, 1, 0, 0);
    in.count[0] = ne;
    in.count[1] = ni;
    return cob_lif_curr_exp_step(n, p, &in, 2);
}

/* One E spike of J = 0.5 mV at t = 0: V(t) = J tau / (tau - tau_s) (e^{-t/tau} - e^{-t/tau_s})
 * after each step (tau_s = tau: J t / tau e^{-t/tau}), in double; float propagators and 400
 * steps of float rounding (V ~ 0.2 mV, a float ulp 1.5e-8) stay below 1e-5 mV (2e-5 J). */
Test(lif_curr_exp, psp_closed_form)
{
    const double taus[] = {0.5, 5.0, 20.0, 40.0}, tau = 20.0, dt = 0.1, j = 0.5;
    for (int k = 0; k < 4; ++k) {
        cob_lif_exp_prop p = make(taus[k], 2.0, dt);
        cob_lif_exp_state n = {0.0f, {0.0f, 0.0f}, 0};
        for (int s = 1; s <= 400; ++s) {
            step(&n, &p, s == 1, 0);
            double t = s * dt, ts = taus[k];
            double want = ts == tau ? j * t / tau * exp(-t / tau)
                                    : j * tau / (tau - ts) * (exp(-t / tau) - exp(-t / ts));
            cr_assert_lt(fabs(n.v_mV - want), 1e-5, "tau_s %g, t %.1f ms: V %.9g, closed form %.9g", ts, t, n.v_mV,
                         want);
        }
    }
}

/* Area normalisation: the PSP's time integral is J tau whatever tau_s (a delta jump's is too);
 * summed over 40 tau of steps it comes within 0.1% (the tail beyond and the step sum's O(dt)),
 * and as tau_s -> 0 V after one step approaches the delta synapse's J e^{-dt/tau}. */
Test(lif_curr_exp, area_normalised_and_delta_limit)
{
    const double taus[] = {0.01, 1.0, 10.0}, dt = 0.1;
    for (int k = 0; k < 3; ++k) {
        cob_lif_exp_prop p = make(taus[k], 2.0, dt);
        cob_lif_exp_state n = {0.0f, {0.0f, 0.0f}, 0};
        double area = 0;
        for (int s = 0; s < 8000; ++s) {
            step(&n, &p, s == 0, 0);
            area += n.v_mV * dt;
        }
        cr_expect_lt(fabs(area / (0.5 * 20.0) - 1), 1e-3 + 0.6 * dt / 20.0, "tau_s %g: area %.6f mV ms", taus[k], area);
    }
    cob_lif_exp_prop p = make(1e-4, 2.0, dt);
    cob_lif_exp_state n = {0.0f, {0.0f, 0.0f}, 0};
    step(&n, &p, 1, 0);
    cr_expect_lt(fabs(n.v_mV - 0.5 * exp(-dt / 20.0)), 5e-6, "tau_s 1e-4 ms: V %.9g", n.v_mV);
}

/* tau_syn_i_ms = 0: the I receptor keeps delta synapses (V -J at once) while E is filtered. */
Test(lif_curr_exp, delta_receptor_beside_exponential)
{
    cob_lif_exp_prop p = make(5.0, 0.0, 0.1);
    cob_lif_exp_state n = {15.0f, {0.0f, 0.0f}, 0};
    step(&n, &p, 0, 2);
    cr_expect_lt(fabs(n.v_mV - (15.0 - 2.0) * exp(-0.1 / 20.0)), 1e-5, "V %.9g", n.v_mV);
    cr_expect_eq(n.syn[1], 0.0f);
}

/* A refractory neuron stays at V_r while its currents take the step's arrivals and decay; the
 * current left when it resumes moves V as the closed form says. */
Test(lif_curr_exp, currents_evolve_while_refractory)
{
    cob_lif_exp_prop p = make(5.0, 2.0, 0.1);
    cob_lif_exp_state n = {10.0f, {0.0f, 0.0f}, 3};
    cr_expect_eq(step(&n, &p, 4, 0), COB_STEP_REFRACTORY);
    cr_expect_eq(n.v_mV, 10.0f);
    cr_expect_lt(fabs(n.syn[0] - 4 * 0.5 / 5.0 * exp(-0.1 / 5.0)), 1e-7, "I_E %.9g", n.syn[0]);
    step(&n, &p, 0, 0);
    step(&n, &p, 0, 0);
    cr_expect_eq(n.refr_steps, 0);
    cr_expect_eq(n.v_mV, 10.0f);
    double i0 = n.syn[0];
    step(&n, &p, 0, 0);
    double g = 20.0 * 5.0 / (20.0 - 5.0) * (exp(-0.1 / 20.0) - exp(-0.1 / 5.0));
    cr_expect_lt(fabs(n.v_mV - (10.0 * exp(-0.1 / 20.0) + i0 * g)), 1e-5, "V %.9g", n.v_mV);
}
