/* tests/test_response.c -- the response report of a protocol run (include/cobalt/response.h,
 * host/stats/response.c): the choice of baseline windows, the step size and gain, the own-input
 * step (a noise mean, or a Poisson population that projects onto one population), the paradoxical
 * flag and its 2-s.e. threshold, on synthetic statistics with known answers; then a four-population
 * circuit (E, PV, SOM, VIP: configs/examples/circuit4.yaml) run on the CPU, whose responses have
 * signs fixed by its wiring, and its JSON summary; seed 002's case 1 as a spiking E/PV/SOM network
 * (configs/seed002/, both motifs, shortened); a circuit at the engine's limits (16 populations, 64
 * projections). */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_util.h"
#include "cobalt/config.h"
#include "cobalt/output.h"
#include "cobalt/response.h"

TestSuite(response, .init = test_one_thread, .timeout = 300);

/* E, PV, SOM and a Poisson X onto PV alone; windows of 500 ms from 100 ms. */
static const char *const SYNTH =
    "run: {dt_ms: 0.1, t_warmup_ms: 100, t_sim_ms: 2500}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 100, noise: {mu_mV_per_s: 500}}\n"
    "  - {name: PV, model: lif_curr, size: 100, noise: {mu_mV_per_s: 500}}\n"
    "  - {name: X, model: poisson, size: 100, rate_hz: 10}\n"
    "  - {name: SOM, model: lif_curr, size: 100, noise: {mu_mV_per_s: 500}}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 10, weight: 0.1}\n"
    "  - {pre: E, post: PV, receptor: E, indegree: 10, weight: 0.1}\n"
    "  - {pre: PV, post: E, receptor: I, indegree: 10, weight: 0.1}\n"
    "  - {pre: PV, post: PV, receptor: I, indegree: 10, weight: 0.1}\n"
    "  - {pre: SOM, post: E, receptor: I, indegree: 10, weight: 0.1}\n"
    "  - {pre: X, post: PV, receptor: E, indegree: 10, weight: 0.1}\n"
    "protocol:\n"
    "  windows:\n"
    "    - {name: base, start_ms: 100, end_ms: 600}\n"
    "    - {name: pv_up, start_ms: 600, end_ms: 1100}\n"
    "    - {name: som_up, start_ms: 1100, end_ms: 1600}\n"
    "    - {name: som_x, start_ms: 1600, end_ms: 2100}\n"
    "    - {name: mixed, start_ms: 2100, end_ms: 2600}\n"
    "  perturbations:\n"
    "    - {window: pv_up, population: PV, key: noise.mu_mV_per_s, step: 200}\n"
    "    - {window: som_up, population: SOM, key: noise.mu_mV_per_s, step: 50}\n"
    "    - {window: som_x, population: SOM, key: noise.mu_mV_per_s, step: 50}\n"
    "    - {window: som_x, population: X, key: rate_hz, step: 5}\n"
    "    - {window: mixed, population: E, key: noise.mu_mV_per_s, step: 10}\n"
    "    - {window: mixed, population: PV, key: noise.mu_mV_per_s, step: 20}\n";

/* Statistics of 3 neuron populations (E, PV, SOM) of 100 neurons with the given window rates
 * (5 windows) and a binned rate series of 100-ms bins from the end of the warm-up that holds
 * each window's rate, plus alternately -jit, +jit, ... Hz (in every 5-bin window three of one
 * sign and two of the other: sample variance 1.2 jit^2, so the s.e. of a window's mean is
 * sqrt(0.24) jit and that of a difference of two windows sqrt(0.48) jit). */
static void synth_stats(cob_stats *s, double rates[3][5], double jit)
{
    static const char *const names[] = {"E", "PV", "SOM"};
    memset(s, 0, sizeof *s);
    s->n_pops = 3;
    for (int i = 0; i < 3; i++) {
        cob_pop_stats *p = &s->pop[i];
        snprintf(p->name, sizeof p->name, "%s", names[i]);
        p->n = 100;
        p->n_windows = 5;
        p->win_rate_hz = calloc(5, sizeof(double));
        p->bin_ms = 100.0;
        p->n_bins_ts = 25;
        p->rate_ts_counts = calloc(25, sizeof(uint32_t));
        for (int w = 0; w < 5; w++) p->win_rate_hz[w] = rates[i][w];
        for (int b = 0; b < 25; b++) /* rate r Hz in a 100-ms bin of 100 neurons: 10 r spikes */
            p->rate_ts_counts[b] = (uint32_t)lround(10.0 * (rates[i][b / 5] + (b % 2 ? jit : -jit)));
    }
}

static void free_synth(cob_stats *s)
{
    for (int i = 0; i < s->n_pops; i++) {
        free(s->pop[i].win_rate_hz);
        free(s->pop[i].rate_ts_counts);
    }
}

/* Baselines, sizes, gains and own steps against values worked out by hand from SYNTH. */
Test(response, baselines_steps_and_gains)
{
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, SYNTH, "r.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    double rates[3][5] = {{5, 4, 3, 2.5, 6}, {5, 3, 5, 6, 7}, {2, 2, 4, 4, 2}};
    cob_stats s;
    synth_stats(&s, rates, 0.0);
    cob_response r;
    cob_response_compute(&c, &s, &r);
    cr_assert_eq(r.n_rows, 4);
    cr_expect_eq(r.n_pops, 3);
    cr_expect(!r.inhibitory[0] && r.inhibitory[1] && r.inhibitory[2], "E excitatory, PV and SOM inhibitory");
    /* pv_up against base: PV's own input +200 mV/s, PV -2 Hz: paradoxical (s.e. 0 here) */
    cr_expect_eq(r.rows[0].window, 1);
    cr_expect_eq(r.rows[0].baseline, 0);
    cr_expect_eq(r.rows[0].key, COB_PERT_MU);
    cr_expect_eq(r.rows[0].d_input, 200.0);
    cr_expect_float_eq(r.rows[0].dr_hz[1], -2.0, 1e-12);
    cr_expect_float_eq(r.rows[0].gain_hz[0], -1.0 / 200.0, 1e-15);
    cr_expect_eq(r.rows[0].d_own[1], 200.0);
    cr_expect_eq(r.rows[0].d_own[0], 0.0);
    cr_expect(r.rows[0].paradoxical[1] && !r.rows[0].paradoxical[0] && !r.rows[0].paradoxical[2]);
    /* som_up: pv_up's perturbation is not in it, so its baseline is base; SOM rises: not paradoxical */
    cr_expect_eq(r.rows[1].window, 2);
    cr_expect_eq(r.rows[1].baseline, 0);
    cr_expect_float_eq(r.rows[1].dr_hz[2], 2.0, 1e-12);
    cr_expect(!r.rows[1].paradoxical[2]);
    /* som_x contains som_up's step: baseline som_up, the difference is X's rate +5 Hz, which is PV's
     * own (excitatory) input; PV rises by 1 Hz */
    cr_expect_eq(r.rows[2].baseline, 2);
    cr_expect_eq(r.rows[2].key, COB_PERT_RATE);
    cr_expect_eq(r.rows[2].d_input, 5.0);
    cr_expect_eq(r.rows[2].d_own[1], 5.0);
    cr_expect_eq(r.rows[2].d_own[2], 0.0);
    cr_expect_float_eq(r.rows[2].gain_hz[1], 0.2, 1e-12);
    cr_expect(!r.rows[2].paradoxical[1]);
    /* mixed: two sizes (10 and 20), so no common step: d_input and the gain are NaN, dr is kept */
    cr_expect_eq(r.rows[3].baseline, 0);
    cr_expect(isnan(r.rows[3].d_input) && isnan(r.rows[3].gain_hz[0]));
    cr_expect_float_eq(r.rows[3].dr_hz[0], 1.0, 1e-12);
    cr_expect_eq(r.rows[3].d_own[1], 20.0);
    free_synth(&s);
    cob_config_free(&c);
}

/* The standard error from the bins (sqrt(0.48) jit for a difference) and the 2-s.e. threshold of
 * the paradoxical flag: PV's -3 Hz is flagged at jit = 2 (s.e. 1.39) and not at jit = 4 (2.77). */
Test(response, paradoxical_needs_two_standard_errors)
{
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, SYNTH, "r.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    double rates[3][5] = {{9, 8, 7, 6.5, 10}, {8, 5, 8, 9, 10}, {5, 5, 7, 7, 5}};
    const double jits[] = {2.0, 4.0};
    for (int k = 0; k < 2; k++) {
        cob_stats s;
        cob_response r;
        synth_stats(&s, rates, jits[k]);
        cob_response_compute(&c, &s, &r);
        cr_expect_float_eq(r.rows[0].se_hz[1], sqrt(0.48) * jits[k], 1e-9, "jit %g: s.e. %g", jits[k],
                           r.rows[0].se_hz[1]);
        cr_expect_eq(r.rows[0].paradoxical[1], k == 0, "jit %g", jits[k]);
        free_synth(&s);
    }
    cob_config_free(&c);
}

/* Without a protocol there are no rows, and a protocol whose windows are all unperturbed neither. */
Test(response, no_rows_without_perturbations)
{
    cob_config c;
    cob_err err = {0};
    const char *sets[] = {"protocol.perturbations=[]"};
    cr_assert_eq(cob_config_load_string(&c, SYNTH, "r.yaml", sets, 1, &err), COB_OK, "%s", err.msg);
    double rates[3][5] = {{5, 5, 5, 5, 5}, {5, 5, 5, 5, 5}, {5, 5, 5, 5, 5}};
    cob_stats s;
    cob_response r;
    synth_stats(&s, rates, 0.0);
    cob_response_compute(&c, &s, &r);
    cr_expect_eq(r.n_rows, 0);
    free_synth(&s);
    cob_config_free(&c);
}

/* The four-population circuit (E, PV, SOM, VIP with the canonical block matrix, 1.8 s, about 2 s
 * on one core). Signs fixed by the wiring, each asserted at 4 s.e. (a wrong sign that far out has
 * a chance below 1e-4 per population; the seed is fixed, so the run is the same every time; the
 * smallest margin is 4.4 s.e.): a VIP step raises VIP, silences SOM (VIP -> SOM) and so raises E
 * and PV (disinhibition); a SOM step raises SOM and lowers PV and VIP (SOM -> PV, VIP). No
 * inhibitory population is paradoxical here (each rises with its own input). The JSON summary
 * carries the rows. */
Test(response, four_population_circuit)
{
    cob_config c;
    cob_err err = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/configs/examples/circuit4.yaml", COBALT_SOURCE_DIR);
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_OK, "%s", err.msg);
    cob_stats s;
    run_cpu(&c, &s);
    cr_assert_eq(s.n_pops, 4);
    cob_response r;
    cob_response_compute(&c, &s, &r);
    cr_assert_eq(r.n_rows, 2);
    const cob_response_row *vip = &r.rows[0], *som = &r.rows[1];
    cr_expect_eq(vip->baseline, 0);
    cr_expect_eq(som->baseline, 0);
    cr_expect_eq(vip->d_input, 400.0);
    for (int i = 0; i < 4; i++) {
        cr_log_info("%s: VIP step dr %+.3f (s.e. %.3f), SOM step dr %+.3f (s.e. %.3f)", s.pop[i].name, vip->dr_hz[i],
                    vip->se_hz[i], som->dr_hz[i], som->se_hz[i]);
        cr_expect(!vip->paradoxical[i] && !som->paradoxical[i], "%s", s.pop[i].name);
    }
    const double vip_sign[] = {+1, +1, -1, +1}, som_sign[] = {0, -1, +1, -1}; /* E, PV, SOM, VIP */
    for (int i = 0; i < 4; i++) {
        if (vip_sign[i] != 0)
            cr_expect_gt(vip_sign[i] * vip->dr_hz[i], 4.0 * vip->se_hz[i], "VIP step, %s", s.pop[i].name);
        if (som_sign[i] != 0)
            cr_expect_gt(som_sign[i] * som->dr_hz[i], 4.0 * som->se_hz[i], "SOM step, %s", s.pop[i].name);
    }
    cob_sim_timing t = {0};
    cob_run_meta m = {0};
    static char buf[262144];
    cr_assert_eq(cob_output_json(buf, sizeof buf, NULL, &c, &s, &t, &m, &err), COB_OK, "%s", err.msg);
    cr_expect_not_null(strstr(buf, "\"response\":[{\"window\":\"vip_up\",\"baseline\":\"baseline\","
                                   "\"key\":\"noise.mu_mV_per_s\",\"d_input\":400,\"populations\":{\"E\":{\"dr_hz\":"),
                       "%.400s", strstr(buf, "\"response\"") ? strstr(buf, "\"response\"") : buf);
    cob_stats_free(&s);
    cob_config_free(&c);
}

/* Seed 002, Fig. 1D case 1 in the spiking E/PV/SOM network (configs/seed002/, docs/validation.md,
 * "Seed 002: spiking E/PV/SOM"), shortened to windows of 1 s: the sign of E's response to the SOM
 * step follows the motif (SOM -> E: E falls; SOM -> PV: E rises), and PV responds paradoxically to
 * a step of its own input (the rate model's L_PP < 0 in both). The steps are read from the
 * configs. Bounds: E's sign at 4 s.e. (the 4-s windows of the validation give s.e. 0.12-0.16 Hz
 * for E, so about 0.25-0.35 Hz here, against |dE| = 2.1 and 1.7 Hz there), PV's paradoxical fall
 * (-0.9 Hz there) at 3 s.e.; base rates within 10% of the targets (5, 5, 2.5 Hz; 1.6-2% low over
 * 4 s, and a 1-s window of E has a sampling s.e. of about 4%, of SOM about 3%); SOM, which has no
 * recurrent input, rises by the rate model's 1.83 Hz within 0.3 Hz (3 s.e. of its 1-s windows).
 * About 3.6 s simulated per case. */
static void seed002_case1(const char *stem, double sign_e)
{
    char path[1024], w[512], p[512];
    cob_config c;
    cob_err err = {0};
    snprintf(path, sizeof path, "%s/configs/seed002/%s.yaml", COBALT_SOURCE_DIR, stem);
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_OK, "%s", err.msg);
    double som = NAN, pv = NAN;
    for (int k = 0; k < c.protocol.n_perts; k++) {
        const cob_pert_spec *q = &c.protocol.perts[k];
        if (!strcmp(c.pops[q->pop].name, "SOM"))
            som = q->step;
        else if (!strcmp(c.pops[q->pop].name, "PV"))
            pv = q->step;
    }
    cob_config_free(&c);
    cr_assert(isfinite(som) && isfinite(pv), "%s: the SOM and PV steps", stem);
    snprintf(w, sizeof w,
             "protocol.windows=[{name: base, start_ms: 300, end_ms: 1300}, {name: som_settle, start_ms: 1300, "
             "end_ms: 1500}, {name: som, start_ms: 1500, end_ms: 2500}, {name: pv_settle, start_ms: 2500, "
             "end_ms: 2700}, {name: pv, start_ms: 2700, end_ms: 3700}]");
    snprintf(p, sizeof p,
             "protocol.perturbations=[{window: som_settle, population: SOM, key: noise.mu_mV_per_s, step: %.17g}, "
             "{window: som, population: SOM, key: noise.mu_mV_per_s, step: %.17g}, {window: pv_settle, population: "
             "PV, key: noise.mu_mV_per_s, step: %.17g}, {window: pv, population: PV, key: noise.mu_mV_per_s, "
             "step: %.17g}]",
             som, som, pv, pv);
    const char *sets[] = {"run.t_sim_ms=3400", w, p};
    cr_assert_eq(cob_config_load(&c, path, sets, 3, &err), COB_OK, "%s", err.msg);
    cob_stats s;
    run_cpu(&c, &s);
    cob_response r;
    cob_response_compute(&c, &s, &r);
    cr_assert_eq(r.n_rows, 4); /* som_settle, som, pv_settle, pv: all against base */
    const cob_response_row *rs = &r.rows[1], *rp = &r.rows[3];
    const double target[] = {5.0, 5.0, 2.5};
    for (int i = 0; i < 3; i++) {
        double base = s.pop[i].win_rate_hz[0];
        cr_log_info("%s %s: base %.3f Hz, SOM step dr %+.3f (s.e. %.3f), PV step dr %+.3f (s.e. %.3f)", stem,
                    s.pop[i].name, base, rs->dr_hz[i], rs->se_hz[i], rp->dr_hz[i], rp->se_hz[i]);
        cr_expect_lt(fabs(base / target[i] - 1.0), 0.10, "%s %s: base rate %g Hz", stem, s.pop[i].name, base);
    }
    cr_expect_eq(rs->baseline, 0);
    cr_expect_eq(rp->baseline, 0);
    cr_expect_gt(sign_e * rs->dr_hz[0], 4.0 * rs->se_hz[0], "%s: E response %g", stem, rs->dr_hz[0]);
    cr_expect_lt(fabs(rs->dr_hz[2] - 1.83), 0.3, "%s: SOM response %g", stem, rs->dr_hz[2]);
    cr_expect(r.inhibitory[1] && r.inhibitory[2] && !r.inhibitory[0]);
    cr_expect(rp->paradoxical[1], "%s: PV's response to its own step %g (s.e. %g)", stem, rp->dr_hz[1], rp->se_hz[1]);
    cr_expect_lt(rp->dr_hz[1], -3.0 * rp->se_hz[1], "%s: PV", stem);
    cob_stats_free(&s);
    cob_config_free(&c);
}

Test(response, seed002_inhibitory_motif_lowers_e)
{
    seed002_case1("fig1d_case1_inhibition", -1.0);
}

Test(response, seed002_disinhibitory_motif_raises_e)
{
    seed002_case1("fig1d_case1_disinhibition", +1.0);
}

/* The engine's limits as a circuit: 16 named populations (P0 .. P15; odd ones inhibitory) and 64
 * projections, each population onto the next four, run for 100 ms with a step on P1's input: every
 * population has statistics, the report has one row with all 16 columns, P1 is classified
 * inhibitory and P0 not, the JSON summary fits the CLI's buffer and the result file is written. */
Test(response, sixteen_populations_64_projections)
{
    static char yaml[16384];
    size_t n = 0;
    n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                          "run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 100, seed: 5}\npopulations:\n");
    for (int k = 0; k < COB_MAX_POPS; k++)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                              "  - {name: P%d, model: lif_curr, size: 40, noise: {mu_mV_per_s: 1300, "
                              "sigma_mV_per_sqrt_s: 40}}\n",
                              k);
    n += (size_t)snprintf(yaml + n, sizeof yaml - n, "projections:\n");
    for (int k = 0; k < COB_MAX_POPS; k++)
        for (int j = 1; j <= 4; j++)
            n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                                  "  - {pre: P%d, post: P%d, receptor: %s, indegree: 10, weight: 0.2}\n", k,
                                  (k + j) % COB_MAX_POPS, k % 2 ? "I" : "E");
    n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                          "protocol:\n  windows:\n    - {name: a, start_ms: 20, end_ms: 70}\n"
                          "    - {name: b, start_ms: 70, end_ms: 120}\n  perturbations:\n"
                          "    - {window: b, population: P1, key: noise.mu_mV_per_s, step: 100}\n");
    cr_assert_lt(n, sizeof yaml);
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, yaml, "limits.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(c.n_pops, COB_MAX_POPS);
    cr_assert_eq(c.n_projs, COB_MAX_PROJS);
    cob_stats s;
    run_cpu(&c, &s);
    cr_assert_eq(s.n_pops, COB_MAX_POPS);
    cob_response r;
    cob_response_compute(&c, &s, &r);
    cr_assert_eq(r.n_rows, 1);
    cr_expect_eq(r.n_pops, COB_MAX_POPS);
    for (int i = 0; i < COB_MAX_POPS; i++) {
        cr_expect_eq(r.inhibitory[i], i % 2, "P%d", i);
        cr_expect(isfinite(r.rows[0].dr_hz[i]), "P%d", i);
        cr_expect_eq(r.rows[0].d_own[i], i == 1 ? 100.0 : 0.0, "P%d", i);
    }
    cob_sim_timing t = {0};
    cob_run_meta m = {0};
    static char buf[262144];
    cr_assert_eq(cob_output_json(buf, sizeof buf, NULL, &c, &s, &t, &m, &err), COB_OK, "%s", err.msg);
    cr_expect_not_null(strstr(buf, "\"P15\":{\"dr_hz\":"));
    char path[] = "/tmp/cobalt_response_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_expect_eq(cob_output_write_h5(path, &c, &s, &t, &m, &err), COB_OK, "%s", err.msg);
    remove(path);
    cob_stats_free(&s);
    cob_config_free(&c);
}
