/* tests/test_lif_cond_exp.c -- the conductance-based LIF with exponential synaptic conductances
 * (include/cobalt/hd/lif_cond_exp.h): the charge of a spike (a tau_L / tau_s, so tau_s -> 0 is
 * lif_cond's exact pulse), a slow conductance holding V at its closed-form equilibrium, and the
 * conductances' decay through the refractory period. */
#include <criterion/criterion.h>
#include <math.h>
#include "cobalt/config.h"
#include "cobalt/hd/models.h"
#include "models/models.h"

static cob_neuron_prop make(int model, double tau_s, double dt)
{
    cob_lif_params lp;
    cob_neuron_prop np;
    int rec[2] = {COB_RECEPTOR_E, COB_RECEPTOR_I};
    double w[2] = {0.01, 0.12};
    cob_lif_params_defaults(&lp);
    lp.tau_syn_e_ms = lp.tau_syn_i_ms = tau_s;
    lp.jump = COB_JUMP_EXP;
    cob__model_host_of(model)->prop_make(&np, &lp, dt, COB_INTEGRATOR_GRID, 2, rec, w);
    return np;
}

/* tau_s -> 0: n E spikes move V like lif_cond's exact pulse, V <- E_E + (V - E_E) e^{-n a}, with
 * the leak over the step. The difference shrinks with tau_s; at tau_s = 1e-4 ms and dt = 10 us it is
 * the pulse's overlap with the step's leak, O(a dt / tau_L): below 2e-3 mV. */
Test(lif_cond_exp, fast_conductance_is_the_exact_pulse)
{
    const double dt = 0.01;
    cob_neuron_prop pe = make(COB_MODEL_LIF_COND_EXP, 1e-4, dt), pc = make(COB_MODEL_LIF_COND, 2.0, dt);
    for (uint32_t ne = 1; ne <= 20; ++ne) {
        cob_lif_exp_state a = {-60.0f, {0.0f, 0.0f}, 0};
        cob_lif_state b = {-60.0f, 0};
        cob_input in;
        cob_input_clear(&in, 1, 0, 0);
        in.count[0] = ne;
        cob_lif_cond_exp_step(&a, &pe.lif_cond_exp, &in, 2);
        cob_lif_cond_step(&b, &pc.lif_cond, &in, 2);
        cr_expect_lt(fabs(a.v_mV - b.v_mV), 2e-3, "%u spikes: V %.6f (tau_s 1e-4 ms) vs %.6f (pulse)", ne, a.v_mV,
                     b.v_mV);
    }
}

/* A nearly constant conductance (tau_s = 1e6 ms) of g = n a tau_L / tau_s per spike: V relaxes to
 * (E_L + g E_E) / (1 + g) with time constant tau_L / (1 + g), the closed form. */
Test(lif_cond_exp, slow_conductance_equilibrium)
{
    const double dt = 0.1, tau_s = 1e6, g = 5e7 * 0.01 * 20.0 / tau_s; /* 5e7 spikes: g = 10 */
    cob_neuron_prop p = make(COB_MODEL_LIF_COND_EXP, tau_s, dt);
    cob_lif_exp_state n = {-70.0f, {0.0f, 0.0f}, 0};
    cob_input in;
    cob_input_clear(&in, 1, 0, 0);
    n.syn[0] = (float)g; /* as if the spikes had arrived */
    double v_inf = (-80.0 + g * 0.0) / (1.0 + g), tau_eff = 20.0 / (1.0 + g);
    for (int s = 1; s <= 30; ++s) {
        cob_lif_cond_exp_step(&n, &p.lif_cond_exp, &in, 2);
        double want = v_inf + (-70.0 - v_inf) * exp(-s * dt / tau_eff);
        if (want >= -55.0)
            break;
        cr_assert_lt(fabs(n.v_mV - want), 2e-4, "step %d: V %.6f, closed form %.6f", s, n.v_mV, want);
    }
}

/* Refractory: V held at V_r, the conductances take the step's arrivals (a tau_L / tau_s each) and
 * decay. */
Test(lif_cond_exp, conductances_evolve_while_refractory)
{
    cob_neuron_prop p = make(COB_MODEL_LIF_COND_EXP, 5.0, 0.1);
    cob_lif_exp_state n = {-65.0f, {0.0f, 0.0f}, 2};
    cob_input in;
    cob_input_clear(&in, 1, 0, 0);
    in.count[1] = 3;
    cr_expect_eq(cob_lif_cond_exp_step(&n, &p.lif_cond_exp, &in, 2), COB_STEP_REFRACTORY);
    cr_expect_eq(n.v_mV, -65.0f);
    cr_expect_lt(fabs(n.syn[1] - 3 * 0.12 * 20.0 / 5.0 * exp(-0.1 / 5.0)), 1e-6, "g_I %.9g", n.syn[1]);
}
