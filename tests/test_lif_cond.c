/* tests/test_lif_cond.c -- one conductance-based LIF neuron (include/cobalt/hd/lif_cond.h) with
 * propagators from host/models/lif_cond.c, against closed forms: the exact leak decay, the jump
 * composition V <- E + (V - E)(1 - a)^n (or e^{-a n}), the E-before-I order of the channels,
 * threshold and reset, and the refractory length in steps.
 *
 * Float tolerances are derived from the arithmetic the step performs: u = 2^-24 is the unit
 * roundoff of float, ulp(x) the spacing of floats at |x|. */
#include <criterion/criterion.h>
#include "test_util.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cobalt/net.h"
#include "cobalt/hd/lif_cond.h"
#include "models/lif.h"

#define U_FLT (FLT_EPSILON / 2.0) /* unit roundoff of float, 2^-24 */


/* One step with spike counts cnt and no drive; 1 if the neuron fired. */
static int step(cob_lif_state *n, const cob_lif_prop *p, const uint32_t *cnt)
{
    return test_lif_step(cob_lif_cond_step, n, p, cnt);
}

static double ulpf_at(double x)
{
    float f = (float)fabs(x);
    return nextafterf(f, INFINITY) - f;
}

/* Propagators of one population with channels (E, a_e) and (I, a_i). */
static cob_lif_prop make(const cob_lif_params *lp, double dt, double a_e, double a_i)
{
    cob_neuron_prop np;
    int rec[2] = {COB_RECEPTOR_E, COB_RECEPTOR_I};
    double w[2] = {a_e, a_i};
    cob__model_lif_cond.prop_make(&np, lp, dt, COB_INTEGRATOR_GRID, 2, rec, w);
    return np.lif_cond;
}

static cob_lif_params defaults(void)
{
    cob_lif_params lp;
    cob_lif_params_defaults(&lp);
    return lp;
}

/* A propagator whose leak is an exact identity in float: decay 1 and target 0 give
 * 0 + (v - 0) * 1 = v, so the jumps are seen alone. */
static cob_lif_prop no_leak(cob_lif_prop p)
{
    p.leak_decay = 1.0f;
    p.v_leak_mV = 0.0f;
    return p;
}

Test(lif_cond, propagators)
{
    cob_lif_params lp = defaults();
    lp.jump = COB_JUMP_LINEAR;
    cob_lif_prop p = make(&lp, 0.1, 0.01, 0.04);
    cr_expect_eq(p.leak_decay, (float)exp(-0.1 / 20.0));
    cr_expect_eq(p.v_leak_mV, -80.0f);
    cr_expect_eq(p.v_th_mV, -55.0f);
    cr_expect_eq(p.v_reset_mV, -65.0f);
    cr_expect_eq(p.refr_steps, 20);
    cr_expect_eq(p.n_channels, 2);
    cr_expect_eq(p.chan_factor[0], (float)(1.0 - 0.01));
    cr_expect_eq(p.chan_factor[1], (float)(1.0 - 0.04));
    cr_expect_eq(p.chan_rev_mV[0], 0.0f);
    cr_expect_eq(p.chan_rev_mV[1], -75.0f);
    lp.jump = COB_JUMP_EXP;
    p = make(&lp, 0.1, 0.01, 0.04);
    cr_expect_eq(p.chan_factor[0], (float)exp(-0.01));
    cr_expect_eq(p.chan_factor[1], (float)exp(-0.04));
}

/* No input: V(n) = E_L + (V0 - E_L) exp(-n dt / tau). Each step rounds three times (subtract,
 * multiply, add), at most ~1 ulp(E_L) in all; an error is damped by d = exp(-dt/tau) per step,
 * so the accumulated rounding is at most ulp(E_L) / (1 - d). The float leak factor differs from
 * d by at most u relatively, which puts n u |V0 - E_L| d^n on V(n). An Euler factor 1 - dt/tau
 * instead of the exact exp would be off by 2.3e-2 mV at n = tau/dt, 15x the bound. */
Test(lif_cond, exact_leak_decay)
{
    cob_lif_params lp = defaults();
    const double dt = 0.1, v0 = -55.5;
    cob_lif_prop p = make(&lp, dt, 0.01, 0.04);
    cob_lif_state n = {(float)v0, 0};
    uint32_t cnt[COB_MAX_CHANNELS] = {0, 0, 0, 0};
    double d = exp(-dt / lp.tau_m_ms), worst = 0.0;
    for (int k = 1; k <= 2000; ++k) {
        cr_assert_eq(step(&n, &p, cnt), 0, "fired without input at step %d", k);
        double ref = lp.e_l_mV + (v0 - lp.e_l_mV) * exp(-k * dt / lp.tau_m_ms);
        double tol = ulpf_at(lp.e_l_mV) / (1.0 - d) + k * U_FLT * fabs(v0 - lp.e_l_mV) * pow(d, k);
        worst = fmax(worst, fabs(n.v_mV - ref) / tol);
        cr_assert_leq(fabs(n.v_mV - ref), tol, "step %d: V = %.9g, closed form %.9g, tol %.3g", k, n.v_mV, ref, tol);
    }
    cr_log_info("exact_leak_decay: worst error / tolerance = %.3f", worst);
}

/* n spikes in one step equal n single-spike linear jumps V <- V + a (E - V), which compose to
 * E + (V - E)(1 - a)^n. Float error: (1 - a) is rounded once (relative u), its n-th power by
 * binary exponentiation takes < 2 log2(n) + 1 further roundings, so f^n carries < (2n + 1) u
 * relative error (a loose count that covers both); times |V - E| <= 80 mV, plus one ulp for the
 * final subtraction and addition. */
Test(lif_cond, jump_composition_linear)
{
    cob_lif_params lp = defaults();
    const double a_e = 0.013, a_i = 0.07;
    cob_lif_prop p = no_leak(make(&lp, 0.1, a_e, a_i));
    p.v_th_mV = 1e9f; /* no threshold: only the jumps are tested */
    for (int ch = 0; ch < 2; ++ch) {
        double e = ch == 0 ? lp.e_e_mV : lp.e_i_mV, a = ch == 0 ? a_e : a_i;
        for (uint32_t k = 1; k <= 40; ++k) {
            const double v0 = -62.25;
            uint32_t cnt[COB_MAX_CHANNELS] = {0, 0, 0, 0};
            cob_lif_state one = {(float)v0, 0}, seq = {(float)v0, 0};
            double v_lin = v0;
            cnt[ch] = k;
            step(&one, &p, cnt);
            cnt[ch] = 1;
            for (uint32_t m = 0; m < k; ++m) {
                step(&seq, &p, cnt);
                v_lin += a * (e - v_lin);
            }
            double closed = e + (v0 - e) * pow(1.0 - a, k);
            double tol = (2.0 * k + 1.0) * U_FLT * fabs(v0 - e) + 2.0 * ulpf_at(80.0);
            cr_expect_leq(fabs(one.v_mV - v_lin), tol,
                          "channel %d, %u spikes in one step: %.9g, %u linear "
                          "jumps in double %.9g",
                          ch, k, one.v_mV, k, v_lin);
            cr_expect_leq(fabs(one.v_mV - closed), tol, "channel %d, %u spikes in one step: %.9g vs %.9g", ch, k,
                          one.v_mV, closed);
            cr_expect_leq(fabs(one.v_mV - seq.v_mV), 2.0 * tol,
                          "channel %d: %u spikes in one step %.9g, "
                          "one per step %.9g",
                          ch, k, one.v_mV, seq.v_mV);
        }
    }
}

/* Exact delta-conductance pulses: f = e^{-a}, so n spikes give E + (V - E) e^{-a n}; same
 * float error budget as the linear form. (1 - a)^n and e^{-a n} differ by ~ n a^2 / 2 relative:
 * about 0.16 mV at n = 20 on both channels here, against a tolerance < 1e-3 mV, so the test
 * really tells the two forms apart. */
Test(lif_cond, jump_composition_exp)
{
    cob_lif_params lp = defaults();
    lp.jump = COB_JUMP_EXP;
    const double a_e = 0.02, a_i = 0.07;
    cob_lif_prop p = no_leak(make(&lp, 0.1, a_e, a_i));
    p.v_th_mV = 1e9f;
    for (int ch = 0; ch < 2; ++ch) {
        double e = ch == 0 ? lp.e_e_mV : lp.e_i_mV, a = ch == 0 ? a_e : a_i;
        for (uint32_t k = 1; k <= 20; ++k) {
            const double v0 = -61.0;
            uint32_t cnt[COB_MAX_CHANNELS] = {0, 0, 0, 0};
            cob_lif_state n = {(float)v0, 0};
            cnt[ch] = k;
            step(&n, &p, cnt);
            double closed = e + (v0 - e) * exp(-a * k);
            double tol = (2.0 * k + 1.0) * U_FLT * fabs(v0 - e) + 2.0 * ulpf_at(80.0);
            cr_expect_leq(fabs(n.v_mV - closed), tol, "channel %d, %u spikes: %.9g vs %.9g", ch, k, n.v_mV, closed);
        }
    }
}

/* In one step E channels act before I channels, then the leak acts on the result:
 * V1 = E_I + (E_E + (V0 - E_E) f_e - E_I) f_i, V = E_L + (V1 - E_L) d. The opposite order gives
 * a value 1.5 mV away for these numbers; the tolerance is a few ulp of the float arithmetic. */
Test(lif_cond, channel_order_and_leak)
{
    cob_lif_params lp = defaults();
    const double a_e = 0.1, a_i = 0.2, v0 = -60.0, dt = 0.1;
    cob_lif_prop p = make(&lp, dt, a_e, a_i);
    uint32_t cnt[COB_MAX_CHANNELS] = {1, 1, 0, 0};
    cob_lif_state n = {(float)v0, 0};
    cr_assert_eq(step(&n, &p, cnt), 0);
    double v1 = lp.e_i_mV + (lp.e_e_mV + (v0 - lp.e_e_mV) * (1 - a_e) - lp.e_i_mV) * (1 - a_i);
    double ref = lp.e_l_mV + (v1 - lp.e_l_mV) * exp(-dt / lp.tau_m_ms);
    cr_expect_leq(fabs(n.v_mV - ref), 8.0 * ulpf_at(80.0), "V = %.9g, expected %.9g", n.v_mV, ref);
}

/* The network builder numbers channels E first whatever the order of the projections. */
Test(lif_cond, builder_puts_e_channels_first)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    cob_config_defaults(&c);
    c.n_pops = 2;
    snprintf(c.pops[0].name, COB_NAME_MAX, "E");
    c.pops[0].model = COB_MODEL_LIF_COND;
    c.pops[0].size = 20;
    snprintf(c.pops[1].name, COB_NAME_MAX, "I");
    c.pops[1].model = COB_MODEL_LIF_COND;
    c.pops[1].size = 20;
    c.n_projs = 2;
    for (int k = 0; k < 2; ++k) {
        cob_proj_spec *q = &c.projs[k];
        q->pre = 1 - k; /* I -> E listed first */
        q->post = 0;
        q->receptor = k == 0 ? COB_RECEPTOR_I : COB_RECEPTOR_E;
        q->indegree = 5;
        q->weight = k == 0 ? 0.05 : 0.01;
        q->delay_min_ms = q->delay_max_ms = 1.0;
    }
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(net.chan_receptor[0][0], COB_RECEPTOR_E);
    cr_expect_eq(net.chan_receptor[0][1], COB_RECEPTOR_I);
    cr_expect_eq(net.proj[1].channel, 0);
    cr_expect_eq(net.proj[0].channel, 1);
    cr_expect_eq(net.prop[0].lif_cond.chan_factor[0], (float)(1.0 - 0.01));
    cr_expect_eq(net.prop[0].lif_cond.chan_rev_mV[1], (float)c.pops[0].lif.e_i_mV);
    cob_net_free(&net);
}

/* Threshold is V >= theta after the leak: theta itself fires, the float just below does not. */
Test(lif_cond, threshold_and_reset)
{
    cob_lif_params lp = defaults();
    cob_lif_prop p = no_leak(make(&lp, 0.1, 0.01, 0.04));
    uint32_t none[COB_MAX_CHANNELS] = {0, 0, 0, 0};
    cob_lif_state n = {p.v_th_mV, 0};
    cr_expect_eq(step(&n, &p, none), 1);
    cr_expect_eq(n.v_mV, p.v_reset_mV);
    cr_expect_eq(n.refr_steps, p.refr_steps);
    n.v_mV = nextafterf(p.v_th_mV, -INFINITY);
    n.refr_steps = 0;
    cr_expect_eq(step(&n, &p, none), 0);
    cr_expect_eq(n.v_mV, nextafterf(p.v_th_mV, -INFINITY));
    /* Crossing by a jump fires in the same step (with the real leak). */
    cob_lif_prop q = make(&lp, 0.1, 0.01, 0.04);
    uint32_t kick[COB_MAX_CHANNELS] = {50, 0, 0, 0};
    cob_lif_state m = {-56.0f, 0};
    cr_expect_eq(step(&m, &q, kick), 1);
    cr_expect_eq(m.v_mV, q.v_reset_mV);
}

/* After a spike at step t the neuron is held at V_r for steps t+1 .. t+R, R = round(tau_ref/dt),
 * discarding any input, and integrates again at step t+R+1. */
static void check_refractory(double tau_ref_ms, double dt, int32_t r_expected)
{
    cob_lif_params lp = defaults();
    lp.tau_ref_ms = tau_ref_ms;
    cob_lif_prop p = make(&lp, dt, 0.01, 0.04);
    uint32_t kick[COB_MAX_CHANNELS] = {1000, 0, 0, 0}, none[COB_MAX_CHANNELS] = {0, 0, 0, 0};
    cob_lif_state n = {-56.0f, 0};
    cr_assert_eq(p.refr_steps, r_expected, "tau_ref %.3f ms, dt %.3f ms: %d steps", tau_ref_ms, dt, p.refr_steps);
    cr_assert_eq(step(&n, &p, kick), 1);
    for (int32_t k = 1; k <= r_expected; ++k) {
        cr_assert_eq(step(&n, &p, kick), 0, "fired during refractory step %d", k);
        cr_assert_eq(n.v_mV, p.v_reset_mV, "refractory step %d: V = %.9g", k, n.v_mV);
    }
    /* First free step: with no input V leaves V_r towards E_L by exactly one leak step. */
    cob_lif_state free_n = n;
    cr_assert_eq(step(&free_n, &p, none), 0);
    cr_expect_eq(free_n.v_mV, p.v_leak_mV + (p.v_reset_mV - p.v_leak_mV) * p.leak_decay);
    /* ... and a strong kick fires it again: minimum ISI is R + 1 steps. */
    cr_expect_eq(step(&n, &p, kick), 1, "not integrating after %d refractory steps", r_expected);
}

Test(lif_cond, refractory_length)
{
    check_refractory(2.0, 0.1, 20);
    check_refractory(0.96, 0.1, 10);
    check_refractory(0.5, 0.05, 10);
    check_refractory(0.0, 0.1, 0);
}
