/* tests/test_regimes.c -- seed 001's spiking networks (configs/ekelmans2023/) against the
 * self-consistent mean field Phi_sc of two current-based populations (host/theory/theory_ei.c),
 * at an operating point far from every regime boundary (docs/validation.md, "Seed 001"). */
#include <criterion/criterion.h>
#include <math.h>

#include "cobalt/config.h"
#include "cobalt/sim.h"
#include "cobalt/stats.h"
#include "cobalt/theory.h"
#include "test_util.h"

/* The supersaturating network of Fig. 2 at a constant mu_ext = 10 mV/s (r = 1): on the rising
 * side of the E peak (19 mV/s), with one steady state, nu_E well below the SSN's ISN threshold
 * (5.3 Hz) and no fold anywhere, so neither a small error in the input nor a finite-size
 * fluctuation can move the network to another regime.
 *
 * Tolerance. The simulation measures 3 s after a 0.5 s warm-up: 3000 E neurons at about 1.8 Hz
 * give about 16000 spikes (Poisson error 0.8%), 1000 I neurons at about 0.13 Hz about 400 (5%).
 * Beyond sampling, Phi_sc neglects (i) the shot noise of the delta synapses (jumps of 0.01-0.06
 * mV against theta = 1 mV: the diffusion approximation's error is of order j/theta, a few %) and
 * (ii) the one-step synaptic delay and the discrete step (0.1 ms; the bridge test removes the
 * sqrt(dt) bias of the white noise). The E rate must agree within 8% and the I rate within
 * 20% (4 standard errors of its sampling); the measured deviations are logged. A Phi_sc off by a
 * factor (e.g. the noise variance forgotten: Phi_sc would then be below 0.5 Hz for E) or a
 * simulation with the wrong noise or weights fails by far. */
Test(regimes, supersaturating_network_against_phi_sc, .init = test_one_thread, .timeout = 600)
{
    const char *sets[] = {"populations.E.noise.mu_mV_per_s=10", "populations.I.noise.mu_mV_per_s=10",
                          "run.t_warmup_ms=500", "run.t_sim_ms=3000", "stats.balance_neurons=0"};
    cob_config c;
    cob_err err = {COB_OK, ""};
    cob_theory_ei ei;
    cob_theory_ei_state st[4];
    cob_stats s;
    cr_assert_eq(cob_config_load(&c, COBALT_SOURCE_DIR "/configs/ekelmans2023/ss_peak.yaml", sets, 5, &err), COB_OK,
                 "%s", err.msg);
    cr_assert_eq(cob_theory_ei_from_config(&c, &ei, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_theory_ei_solve(&ei, st, 4), 1, "one Phi_sc state expected at mu = 10 mV/s");
    cr_assert(st[0].stable);
    run_cpu(&c, &s);
    cob_config_free(&c);
    double e = s.pop[0].mean_rate_hz, i = s.pop[1].mean_rate_hz;
    cr_log_info("mu = 10 mV/s: simulated E %.4f I %.4f Hz, Phi_sc E %.4f I %.4f Hz (%+.1f%%, %+.1f%%)", e, i,
                st[0].nu_hz[0], st[0].nu_hz[1], 100 * (e / st[0].nu_hz[0] - 1), 100 * (i / st[0].nu_hz[1] - 1));
    cr_expect(fabs(e / st[0].nu_hz[0] - 1) < 0.08, "E: simulated %.4f Hz, Phi_sc %.4f Hz", e, st[0].nu_hz[0]);
    cr_expect(fabs(i / st[0].nu_hz[1] - 1) < 0.20, "I: simulated %.4f Hz, Phi_sc %.4f Hz", i, st[0].nu_hz[1]);
    cob_stats_free(&s);
}
