/* tests/test_plan.c -- the extension layer's pieces on their own: the run plan (every duration in
 * steps, Poisson tables by realised in-degree, pool gap tables), the model and input registries
 * (names, state sizes, the step dispatcher's loud default), the input struct's continuous drive,
 * and the piecewise-linear schedule against its closed form. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "test_util.h"
#include "cobalt/config.h"
#include "cobalt/models.h"
#include "cobalt/plan.h"
#include "cobalt/hd/schedule.h"
#include "models/models.h"

static void load(cob_config *c, const char *yaml, const char *const *sets, int n_sets)
{
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(c, yaml, "plan.yaml", sets, n_sets, &err), COB_OK, "%s", err.msg);
}

/* dt 0.1 ms: 50 ms warm-up = 500 steps, 300 ms = 3000 measured; 1 ms bins = 10 steps, 300 bins;
 * traces of 2 neurons in each of E and I every 5 steps: 600 samples. */
Test(plan, durations_in_steps)
{
    const char *sets[] = {"stats.traces.neurons=2", "stats.traces.stride_steps=5", "stats.raster.neurons=7"};
    cob_config c;
    cob_net net;
    cob_plan pl;
    cob_err err = {0};
    load(&c, TEST_SMALL_NET, sets, 3);
    cr_assert_eq(cob_net_layout(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_plan_compile(&pl, &c, &net, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(pl.warmup_steps, 500);
    cr_expect_eq(pl.measure_steps, 3000);
    cr_expect_eq(pl.total_steps, 3500);
    cr_expect_eq(pl.bin_steps, 10);
    cr_expect_eq(pl.n_bins_ts, 300);
    cr_expect_eq(pl.trace_n, 4);
    cr_expect_eq(pl.trace_samples, 600);
    cr_expect_eq(pl.raster_neurons, 7);
    cr_expect_eq(pl.raster_cap, c.stats.raster_max_spikes);
    /* the V histogram scale: 200 bins over [-80, -50] mV */
    cr_expect_eq(pl.v_bins, 200);
    cr_expect_eq(pl.v_min_mV, -80.0f);
    cr_expect_eq(pl.v_inv_width, (float)(200 / 30.0));
    /* X is a pool at 40 Hz: p = 40 * 0.1e-3 per step, with its gap table */
    cr_expect_eq(pl.pop[2].p_step, 40.0 * 0.1 * 1e-3);
    cr_expect_not_null(pl.pop[2].gap_thr);
    cr_expect_gt(pl.pop[2].gap_len, 0);
    cr_expect_null(pl.pop[0].gap_thr, "a neuron population has no gap table");
    cob_plan_free(&pl);
    cob_net_free(&net);
    cob_config_free(&c);
}

/* Independent input: one Poisson table entry per in-degree up to the largest one realised. */
Test(plan, independent_tables_cover_every_indegree)
{
    const char *sets[] = {"populations.X.input=independent", "projections.2.cv_indegree=0.3"};
    cob_config c;
    cob_net net;
    cob_plan pl;
    cob_err err = {0};
    load(&c, TEST_SMALL_NET, sets, 2);
    cr_assert_eq(cob_net_layout(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_plan_compile(&pl, &c, &net, &err), COB_OK, "%s", err.msg);
    const cob_proj *pr = &net.proj[2];
    const cob_plan_proj *pp = &pl.proj[2];
    int32_t k_max = 0;
    cr_assert(pr->independent && pp->independent);
    for (int64_t i = 0; i < pr->n_post; ++i) k_max = pr->indegree[i] > k_max ? pr->indegree[i] : k_max;
    cr_expect_eq(pp->k_max, k_max);
    cr_expect_gt(k_max, 50, "CV_K 0.3 around K = 50 should reach above 50");
    for (int32_t k = 0; k <= k_max; ++k) {
        double lambda = k * 40.0 * 0.1e-3;
        cr_assert_leq(fabs(pp->n_chunks[k] * pp->lambda_chunk[k] - lambda), 1e-12 * (1.0 + lambda), "k = %d", k);
        cr_assert_eq(pp->exp_neg[k], exp(-pp->lambda_chunk[k]), "k = %d", k);
    }
    cr_expect_null(pl.proj[0].n_chunks, "a stored projection has no Poisson table");
    cob_plan_free(&pl);
    cob_net_free(&net);
    cob_config_free(&c);
}

Test(registry, names_round_trip)
{
    for (int m = 0; m < (int)COB_N_MODELS; ++m) {
        cr_expect_eq(cob_model_from_name(cob_model_name(m)), m, "model %d (%s)", m, cob_model_name(m));
        if (cob_model_is_neuron(m)) {
            cr_expect_not_null(cob__model_host_of(m), "neuron model %s has no host entry", cob_model_name(m));
            cr_expect(cob_model_state_f32(m) >= 1 && cob_model_state_f32(m) <= COB_STATE_F_MAX, "%s",
                      cob_model_name(m));
            cr_expect(cob_model_state_i32(m) >= 0 && cob_model_state_i32(m) <= COB_STATE_I_MAX, "%s",
                      cob_model_name(m));
        } else {
            cr_expect_null(cob__model_host_of(m));
        }
    }
    cr_expect_str_eq(cob_model_name(COB_MODEL_LIF_COND), "lif_cond");
    cr_expect_str_eq(cob_model_name(COB_MODEL_POISSON), "poisson");
    cr_expect_str_eq(cob_model_name(-1), "?");
    cr_expect_str_eq(cob_model_name(COB_N_MODELS), "?");
    cr_expect_eq(cob_model_from_name("lif_exp"), -1);
    cr_expect_str_eq(cob_input_name(COB_INPUT_INDEPENDENT), "independent");
    cr_expect_str_eq(cob_input_name(COB_N_INPUTS), "?");
}

/* A model id no registry entry has is reported, never stepped as some other model. */
Test(registry, unknown_model_fails_loudly)
{
    float v = -60.0f, v_out = 0.0f;
    int32_t r = 0;
    cob_state_arrays sa = {{&v}, {&r}};
    cob_neuron_prop p;
    cob_input in;
    memset(&p, 0, sizeof p);
    cob_input_clear(&in, 1, 0, 0);
    cr_expect_eq(cob_neuron_step(COB_MODEL_POISSON, &p, &sa, 0, &in, 0, &v_out), COB_STEP_BAD_MODEL);
    cr_expect_eq(cob_neuron_step(99, &p, &sa, 0, &in, 0, &v_out), COB_STEP_BAD_MODEL);
    cr_expect_eq(v, -60.0f, "state touched by an unknown model");
}

/* The continuous drive (the exact integral of a continuous input over the step, hd/noise.h)
 * enters V after the leak, before the threshold, on both integrators: a step with drive d ends
 * at exactly the value of the same step without it, plus d (one float addition), and a drive
 * that lifts V over the threshold fires. */
Test(registry, drive_after_the_leak)
{
    cob_lif_params lp;
    cob_neuron_prop np;
    int rec[1] = {COB_RECEPTOR_E};
    double w[1] = {0.75};
    cob_lif_params_defaults(&lp);
    for (int integ = COB_INTEGRATOR_GRID; integ <= COB_INTEGRATOR_ORDERED; ++integ) {
        cob__model_lif_curr.prop_make(&np, &lp, 0.1, integ, 1, rec, w);
        for (int k = 0; k < 180; ++k) { /* V0 from -79 to -56.6 mV, below theta = -55 */
            float v0 = -79.0f + 0.125f * (float)k;
            cob_lif_state a = {v0, 0}, b = {v0, 0};
            cob_input none, drive;
            cob_input_clear(&none, 1, 0, 0);
            cob_input_clear(&drive, 1, 0, 0);
            drive.drive_mV = 0.75f;
            int fa = cob_lif_curr_step(&a, &np.lif_curr, &none, 1), fb = cob_lif_curr_step(&b, &np.lif_curr, &drive, 1);
            cr_assert_eq(fa, 0);
            if (a.v_mV + 0.75f >= (float)lp.v_th_mV) {
                cr_assert(fb & COB_STEP_FIRED, "%s, V0 = %g: %.9g + 0.75 did not fire", cob_integrator_name(integ), v0,
                          a.v_mV);
                cr_assert_eq(b.v_mV, (float)lp.v_reset_mV);
            } else {
                cr_assert_eq(fb, 0);
                cr_assert_eq(b.v_mV, a.v_mV + 0.75f, "%s, V0 = %g: %.9g vs %.9g + 0.75", cob_integrator_name(integ), v0,
                             b.v_mV, a.v_mV);
            }
        }
    }
}

/* Points (0, 1), (10, 3), (30, -1): constant outside, linear inside, exact at the points. */
Test(schedule, piecewise_linear_closed_form)
{
    cob_schedule s;
    memset(&s, 0, sizeof s);
    cr_expect_eq(cob_schedule_at(&s, 5), 0.0f, "empty schedule");
    s.n = 3;
    s.t_steps[0] = 0;
    s.value[0] = 1.0f;
    s.t_steps[1] = 10;
    s.value[1] = 3.0f;
    s.t_steps[2] = 30;
    s.value[2] = -1.0f;
    cr_expect_eq(cob_schedule_at(&s, -5), 1.0f);
    cr_expect_eq(cob_schedule_at(&s, 0), 1.0f);
    cr_expect_eq(cob_schedule_at(&s, 10), 3.0f);
    cr_expect_eq(cob_schedule_at(&s, 30), -1.0f);
    cr_expect_eq(cob_schedule_at(&s, 1000), -1.0f);
    for (int64_t t = 0; t <= 30; ++t) {
        double want = t <= 10 ? 1.0 + 2.0 * t / 10.0 : 3.0 - 4.0 * (t - 10) / 20.0;
        /* three float roundings (the fraction, the product, the sum) of values of size <= 4:
         * at most 3 * 2^-24 * 4 plus the fraction's error times the slope */
        cr_expect_leq(fabs(cob_schedule_at(&s, t) - want), 1e-6, "t = %lld", (long long)t);
    }
    /* the midpoint of a segment whose fraction is exact in float */
    cr_expect_eq(cob_schedule_at(&s, 5), 2.0f);
    cr_expect_eq(cob_schedule_at(&s, 20), 1.0f);
}

/* Many segments: the binary search finds the right one everywhere. */
Test(schedule, many_segments)
{
    cob_schedule s;
    memset(&s, 0, sizeof s);
    s.n = COB_SCHEDULE_MAX;
    for (int k = 0; k < s.n; ++k) {
        s.t_steps[k] = 7 * (int64_t)k;
        s.value[k] = (float)(k % 2 ? k : -k);
    }
    for (int k = 0; k + 1 < s.n; ++k)
        for (int64_t j = 0; j < 7; ++j) {
            float a = s.value[k], b = s.value[k + 1];
            float want = a + (b - a) * ((float)j / 7.0f);
            cr_assert_eq(cob_schedule_at(&s, 7 * (int64_t)k + j), want, "segment %d, step %lld", k, (long long)j);
        }
}
