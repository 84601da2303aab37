/* tests/test_arrivals.c -- the ordered step's parts (include/cobalt/hd/arrivals.h,
 * hd/ieee_math.h, the ordered steps of hd/lif_cond.h and hd/lif_curr.h): arrivals come out in
 * time order, as many per channel as delivered, uniform within the step on both generation paths;
 * the libm-free log2/exp2 against double libm; the step against closed forms (one arrival, the
 * leak of an empty step, refractory time within a step, a crossing undone later in the step). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/config.h"
#include "cobalt/hd/arrivals.h"
#include "cobalt/hd/lif_cond.h"
#include "cobalt/hd/lif_curr.h"
#include "models/models.h"

static cob_input make_input(uint64_t t, uint32_t neuron, const uint32_t *cnt, int nch)
{
    cob_input in;
    cob_input_clear(&in, 42, t, neuron);
    for (int c = 0; c < nch; ++c) in.count[c] = cnt[c];
    return in;
}

/* Walk one step's arrivals: ticks ascending, the counts per channel as given; ticks[] and
 * chans[] receive them (n at most cap). Returns the number walked. */
static uint32_t walk(const cob_input *in, int nch, uint32_t *ticks, int32_t *chans, uint32_t cap)
{
    cob_arrivals a;
    uint32_t n = 0, tick, seen[COB_MAX_CHANNELS] = {0}, prev = 0;
    int32_t c;
    cob_arrivals_begin(&a, in->seed, in->neuron, in->t, in, nch);
    while (cob_arrivals_next(&a, &tick, &c)) {
        cr_assert(c >= 0 && c < nch, "channel %d of %d", c, nch);
        cr_assert_lt(tick, COB_TICKS);
        cr_assert_geq(tick, prev, "arrival %u at tick %u after one at %u", n, tick, prev);
        prev = tick;
        seen[c] += 1;
        if (n < cap) {
            ticks[n] = tick;
            chans[n] = c;
        }
        ++n;
    }
    for (c = 0; c < nch; ++c)
        cr_assert_eq(seen[c], in->count[c], "channel %d: %u arrivals of %u", c, seen[c], in->count[c]);
    return n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The sorted path is the documented definition: arrival e's tick is 16 bits of Philox block e / 8
 * of stream (COB_STREAM_ARRIVAL, 0), the keys tick << 16 | e in ascending order. Recomputed here
 * independently and sorted with qsort. */
Test(arrivals, sorted_path_is_the_definition)
{
    uint32_t ticks[COB_ARRIVALS_SORT_MAX], keys[COB_ARRIVALS_SORT_MAX];
    int32_t chans[COB_ARRIVALS_SORT_MAX];
    for (uint32_t trial = 0; trial < 2000; ++trial) {
        uint32_t cnt[4] = {trial % 9, (trial / 9) % 7, (trial / 63) % 5, (trial / 315) % 13}, n = 0, end[4];
        int nch = 1 + (int)(trial % 4);
        for (int c = 0; c < nch; ++c) end[c] = (n += cnt[c]);
        if (n > COB_ARRIVALS_SORT_MAX)
            continue;
        cob_input in = make_input(1000 + trial, trial * 7919u, cnt, nch);
        cr_assert_eq(walk(&in, nch, ticks, chans, COB_ARRIVALS_SORT_MAX), n);
        for (uint32_t e = 0; e < n; ++e) {
            cob_u32x4 b = cob_philox(in.seed, COB_STREAM(COB_STREAM_ARRIVAL, 0), in.neuron, (in.t << 16) | (e >> 3));
            uint32_t w = b.v[(e >> 1) & 3];
            keys[e] = (((e & 1) ? w >> 16 : w & 0xFFFF) << 16) | e;
        }
        qsort(keys, n, sizeof keys[0], cmp_u32);
        for (uint32_t k = 0; k < n; ++k) {
            uint32_t e = keys[k] & 0xFFFF;
            int32_t c = 0;
            while (e >= end[c]) ++c;
            cr_assert(ticks[k] == keys[k] >> 16 && chans[k] == c,
                      "trial %u arrival %u: tick %u channel %d, expected %u %d", trial, k, ticks[k], chans[k],
                      keys[k] >> 16, c);
        }
    }
}

/* Offsets pooled over many steps are uniform on both paths (chi-square over 32 bins: for 31
 * degrees of freedom the 1e-4 quantile is 68), and on the merged path the channels interleave
 * as independent uniform processes do: the fraction of channel-0 arrivals in each half of the
 * step is that channel's share (binomial, 5 s.e.). */
static void check_uniform(const uint32_t *cnt, int nch, int steps)
{
    enum { BINS = 32 };
    double hist[BINS] = {0}, n_tot = 0, first_half = 0, first_half_c0 = 0, c0 = 0;
    uint32_t *ticks = malloc(sizeof(uint32_t) * 300000);
    int32_t *chans = malloc(sizeof(int32_t) * 300000);
    for (int s = 0; s < steps; ++s) {
        cob_input in = make_input((uint64_t)s * 31 + 5, 77 + (uint32_t)s, cnt, nch);
        uint32_t n = walk(&in, nch, ticks, chans, 300000);
        for (uint32_t k = 0; k < n; ++k) {
            hist[ticks[k] * BINS / COB_TICKS] += 1;
            if (ticks[k] < COB_TICKS / 2) {
                first_half += 1;
                first_half_c0 += chans[k] == 0;
            }
            c0 += chans[k] == 0;
        }
        n_tot += n;
    }
    double chi2 = 0, e = n_tot / BINS;
    for (int b = 0; b < BINS; ++b) chi2 += (hist[b] - e) * (hist[b] - e) / e;
    cr_expect_lt(chi2, 68.0, "counts %u/%u/%u/%u: chi-square %.1f over %d bins (%.0f arrivals)", cnt[0], cnt[1], cnt[2],
                 cnt[3], chi2, BINS, n_tot);
    double p = c0 / n_tot, q = first_half_c0 / first_half, se = sqrt(p * (1 - p) / first_half);
    cr_expect(fabs(q - p) < 5 * se + 1e-12, "channel 0 is %.4f of the first half, %.4f overall (s.e. %.4f)", q, p, se);
    free(ticks);
    free(chans);
}

Test(arrivals, uniform_sorted_path)
{
    uint32_t cnt[4] = {3, 2, 1, 0};
    check_uniform(cnt, 3, 40000);
}

Test(arrivals, uniform_merged_path)
{
    uint32_t cnt[4] = {60, 25, 1, 7};
    check_uniform(cnt, 4, 3000);
}

/* The largest step a channel can deliver (4 x 65535 arrivals) is walked in O(M) without a
 * buffer; the last arrival of a channel of n lies, on average, at n / (n + 1) of the step. */
Test(arrivals, saturated_channels)
{
    uint32_t cnt[4] = {65535, 65535, 65535, 65535};
    uint32_t *ticks = malloc(sizeof(uint32_t) * 4 * 65535);
    int32_t *chans = malloc(sizeof(int32_t) * 4 * 65535);
    cob_input in = make_input(3, 9, cnt, 4);
    cr_assert_eq(walk(&in, 4, ticks, chans, 4 * 65535), 4u * 65535u);
    cr_expect_gt(ticks[4 * 65535 - 1], COB_TICKS - 64, "last arrival at tick %u", ticks[4 * 65535 - 1]);
    cr_expect_lt(ticks[0], 64, "first arrival at tick %u", ticks[0]);
    free(ticks);
    free(chans);
}

/* hd/ieee_math.h against double libm: log2 within about 1.5 float ulps of its result on
 * [2^-24, 1] (what the merged path feeds it: 2e-7 + 1.3e-7 |log2 x| absolute), exp2 within 4
 * float ulps (relative 5e-7) on [-30, 0]. */
Test(arrivals, ieee_log2_exp2)
{
    double worst_l = 0, worst_e = 0;
    for (int k = 0; k <= 200000; ++k) {
        float x = (float)ldexp(1.0 + (double)k / 200000.0, -1 - k % 24);
        if (x > 1.0f)
            x = 1.0f;
        double el = fabs((double)cob_log2f(x) - log2((double)x)) / (2e-7 + 1.3e-7 * fabs(log2((double)x)));
        if (el > worst_l)
            worst_l = el;
        float y = -30.0f * (float)k / 200000.0f;
        double ee = fabs((double)cob_exp2f(y) / exp2((double)y) - 1.0);
        if (ee > worst_e)
            worst_e = ee;
    }
    cr_expect_lt(worst_l, 1.0, "log2: worst error %.3g of the bound", worst_l);
    cr_expect_lt(worst_e, 5e-7, "exp2: worst relative error %.3g", worst_e);
    cr_expect_eq(cob_log2f(1.0f), 0.0f);
    cr_expect_eq(cob_exp2f(-200.0f), 0.0f);
}

/* ---- the ordered step against closed forms ---------------------------------------------- */

static cob_lif_prop curr_prop(double tau_ref_ms, double dt_ms, double j_e, double j_i)
{
    cob_lif_params lp;
    cob_neuron_prop np;
    int rec[2] = {COB_RECEPTOR_E, COB_RECEPTOR_I};
    double w[2] = {j_e, j_i};
    cob_lif_params_defaults(&lp);
    lp.e_l_mV = 0.0;
    lp.v_th_mV = 20.0;
    lp.v_reset_mV = 10.0;
    lp.tau_ref_ms = tau_ref_ms;
    cob__model_lif_curr.prop_make(&np, &lp, dt_ms, COB_INTEGRATOR_ORDERED, 2, rec, w);
    return np.lif_curr;
}

/* The leak tables: exp(-k dt / (COB_TICKS tau)) within 3 float ulps for every k, and exactly
 * the grid step's leak_decay for the whole step, so an empty step is the grid step. */
Test(arrivals, subthreshold_leak_tables)
{
    cob_lif_prop p = curr_prop(2.0, 0.1, 0.2, 1.0);
    for (uint32_t k = 0; k <= COB_TICKS; ++k) {
        double want = exp(-0.1 / 20.0 * (double)k / COB_TICKS);
        cr_assert_lt(fabs(cob_lif_decay_ticks(&p, k) / want - 1.0), 3.6e-7, "k = %u", k);
    }
    cr_assert_eq(cob_lif_decay_ticks(&p, COB_TICKS), p.leak_decay);
    cob_lif_state a = {15.0f, 0}, b = {15.0f, 0};
    uint32_t none[2] = {0, 0};
    cob_input in = make_input(5, 1, none, 2);
    p.integrator = COB_INTEGRATOR_GRID;
    cob_lif_curr_step(&a, &p, &in, 2);
    p.integrator = COB_INTEGRATOR_ORDERED;
    cob_lif_curr_step(&b, &p, &in, 2);
    cr_assert_eq(a.v_mV, b.v_mV, "empty step: grid %.9g, ordered %.9g", a.v_mV, b.v_mV);
}

/* One arrival at tick s: V = ((V0 e^{-s} + J) e^{-(T - s)}) in units of the leak (E_L = 0),
 * computed in double; float rounding of four operations bounds the difference (1e-5 mV). */
Test(arrivals, one_arrival_closed_form)
{
    cob_lif_prop p = curr_prop(2.0, 0.1, 0.5, 1.0);
    for (uint32_t neuron = 0; neuron < 500; ++neuron) {
        uint32_t cnt[2] = {1, 0}, tick;
        int32_t c;
        cob_input in = make_input(17, neuron, cnt, 2);
        cob_arrivals a;
        cob_arrivals_begin(&a, in.seed, in.neuron, in.t, &in, 2);
        cr_assert(cob_arrivals_next(&a, &tick, &c));
        double k = 0.1 / 20.0 / COB_TICKS;
        double want = (12.0 * exp(-k * tick) + 0.5) * exp(-k * (COB_TICKS - tick));
        cob_lif_state n = {12.0f, 0};
        cr_assert_eq(cob_lif_curr_step(&n, &p, &in, 2), 0);
        cr_assert_lt(fabs(n.v_mV - want), 1e-5, "tick %u: V %.9g, closed form %.9g", tick, n.v_mV, want);
    }
}

/* A crossing undone later in the step: V0 just below threshold, one E arrival that crosses it
 * and one I arrival that, arriving first, keeps it below. The grid step composes both and never
 * fires; the ordered step fires exactly when the E arrival comes first: half of the neurons
 * (binomial over 20000 neurons: 5 s.e. = 0.018). */
Test(arrivals, crossing_then_inhibition)
{
    cob_lif_prop p = curr_prop(2.0, 0.1, 0.5, 1.0);
    int fired_grid = 0, fired_ord = 0, n = 20000;
    for (int i = 0; i < n; ++i) {
        uint32_t cnt[2] = {1, 1};
        cob_input in = make_input(99, (uint32_t)i, cnt, 2);
        cob_lif_state a = {19.8f, 0}, b = {19.8f, 0};
        p.integrator = COB_INTEGRATOR_GRID;
        fired_grid += cob_lif_curr_step(&a, &p, &in, 2) & COB_STEP_FIRED;
        p.integrator = COB_INTEGRATOR_ORDERED;
        int f = cob_lif_curr_step(&b, &p, &in, 2);
        fired_ord += f & COB_STEP_FIRED;
        if (f & COB_STEP_FIRED) /* refractory for 2 ms from the spike's offset: 20 steps less that offset */
            cr_assert(b.refr_steps >= 19 * (int32_t)COB_TICKS && b.refr_steps < 20 * (int32_t)COB_TICKS, "%d",
                      b.refr_steps);
    }
    cr_expect_eq(fired_grid, 0);
    cr_expect(fabs(fired_ord / (double)n - 0.5) < 0.018, "%d of %d fired", fired_ord, n);
}

/* Refractory time in ticks: a neuron refractory for 2.5 steps is held at V_r through two whole
 * steps (counter down by one step each), then free from the middle of the third: an E arrival
 * before mid-step is discarded, one after it counts. */
Test(arrivals, refractory_within_a_step)
{
    cob_lif_prop p = curr_prop(2.0, 0.1, 0.5, 1.0);
    const int32_t r0 = 2 * (int32_t)COB_TICKS + (int32_t)COB_TICKS / 2;
    int early = 0, late = 0;
    for (uint32_t neuron = 0; neuron < 400; ++neuron) {
        uint32_t cnt[2] = {1, 0}, tick;
        int32_t c;
        cob_input in = make_input(7, neuron, cnt, 2);
        cob_lif_state n = {10.0f, r0};
        cr_assert_eq(cob_lif_curr_step(&n, &p, &in, 2), COB_STEP_REFRACTORY);
        cr_assert_eq(n.refr_steps, r0 - (int32_t)COB_TICKS);
        cr_assert_eq(cob_lif_curr_step(&n, &p, &in, 2), COB_STEP_REFRACTORY);
        cr_assert_eq(n.refr_steps, (int32_t)COB_TICKS / 2);
        cr_assert_eq(n.v_mV, 10.0f);
        cob_arrivals a;
        cob_arrivals_begin(&a, in.seed, in.neuron, in.t, &in, 2);
        cr_assert(cob_arrivals_next(&a, &tick, &c));
        cr_assert_eq(cob_lif_curr_step(&n, &p, &in, 2), 0);
        cr_assert_eq(n.refr_steps, 0);
        double k = 0.1 / 20.0 / COB_TICKS;
        double want = tick < COB_TICKS / 2
                          ? 10.0 * exp(-k * (COB_TICKS / 2))
                          : (10.0 * exp(-k * (tick - COB_TICKS / 2)) + 0.5) * exp(-k * (COB_TICKS - tick));
        early += tick < COB_TICKS / 2;
        late += tick >= COB_TICKS / 2;
        cr_assert_lt(fabs(n.v_mV - want), 1e-5, "tick %u: V %.9g, expected %.9g", tick, n.v_mV, want);
    }
    cr_assert(early > 100 && late > 100, "%d early, %d late", early, late);
}

/* With no refractory period a neuron can cross twice in one step: one spike is reported, the
 * others are counted (COB_STEP_MERGED_SHIFT), never dropped silently. */
Test(arrivals, merged_spikes_counted)
{
    cob_lif_prop p = curr_prop(0.0, 0.1, 6.0, 1.0);
    uint32_t cnt[2] = {10, 0};
    cob_input in = make_input(1, 1, cnt, 2);
    cob_lif_state n = {15.0f, 0};
    int f = cob_lif_curr_step(&n, &p, &in, 2);
    cr_assert(f & COB_STEP_FIRED);
    /* from V_r = 10 every second 6 mV jump crosses 20: 10 arrivals make at least 4 spikes */
    cr_expect_geq(f >> COB_STEP_MERGED_SHIFT, 3, "flags %#x", f);
}

/* The spike's offset within the step, which continuous delays carry to the arrival
 * (hd/connect.h): a neuron just below threshold crosses at its one E arrival, so the flags give
 * that arrival's tick in 1/256 of the step; a crossing at the end of the step (by the drive) is
 * at 255/256. */
Test(arrivals, spike_offset_in_flags)
{
    cob_lif_prop p = curr_prop(2.0, 0.1, 1.0, 1.0);
    int seen_low = 0, seen_high = 0;
    for (uint32_t neuron = 0; neuron < 200; ++neuron) {
        uint32_t cnt[2] = {1, 0}, tick;
        int32_t c;
        cob_input in = make_input(3, neuron, cnt, 2);
        cob_lif_state n = {19.9f, 0};
        cob_arrivals a;
        cob_arrivals_begin(&a, in.seed, in.neuron, in.t, &in, 2);
        cr_assert(cob_arrivals_next(&a, &tick, &c));
        int f = cob_lif_curr_step(&n, &p, &in, 2);
        cr_assert(f & COB_STEP_FIRED, "neuron %u: flags %#x", neuron, f);
        cr_assert_eq(cob_step_tick(f), tick >> 8, "neuron %u: offset %u/256, arrival at tick %u", neuron,
                     cob_step_tick(f), tick);
        cr_assert_eq(f >> COB_STEP_MERGED_SHIFT, 0, "one spike, flags %#x", f);
        seen_low += tick < COB_TICKS / 2;
        seen_high += tick >= COB_TICKS / 2;
    }
    cr_assert(seen_low > 50 && seen_high > 50, "%d early, %d late arrivals", seen_low, seen_high);
    /* no arrival, drive above threshold: the crossing is tested at the end of the step */
    uint32_t none[2] = {0, 0};
    cob_input in = make_input(3, 1, none, 2);
    in.drive_mV = 5.0f;
    cob_lif_state n = {19.0f, 0};
    int f = cob_lif_curr_step(&n, &p, &in, 2);
    cr_assert(f & COB_STEP_FIRED, "flags %#x", f);
    cr_assert_eq(cob_step_tick(f), 255u);
}

/* lif_cond: one arrival at tick s is V <- E + (V - E)(1 - a) at s, with the leak to E_L before
 * and after, as the closed form in double. */
Test(arrivals, lif_cond_one_arrival)
{
    cob_lif_params lp;
    cob_neuron_prop np;
    int rec[2] = {COB_RECEPTOR_E, COB_RECEPTOR_I};
    double w[2] = {0.01, 0.12};
    cob_lif_params_defaults(&lp);
    cob__model_lif_cond.prop_make(&np, &lp, 0.05, COB_INTEGRATOR_ORDERED, 2, rec, w);
    for (uint32_t neuron = 0; neuron < 300; ++neuron) {
        uint32_t cnt[2] = {0, 1}, tick;
        int32_t c;
        cob_input in = make_input(3, neuron, cnt, 2);
        cob_arrivals a;
        cob_arrivals_begin(&a, in.seed, in.neuron, in.t, &in, 2);
        cr_assert(cob_arrivals_next(&a, &tick, &c));
        cr_assert_eq(c, 1);
        double k = 0.05 / 20.0 / COB_TICKS, v = -80.0 + (-60.0 + 80.0) * exp(-k * tick);
        v = -75.0 + (v + 75.0) * (1.0 - 0.12);
        v = -80.0 + (v + 80.0) * exp(-k * (COB_TICKS - tick));
        cob_lif_state n = {-60.0f, 0};
        cob_lif_cond_step(&n, &np.lif_cond, &in, 2);
        cr_assert_lt(fabs(n.v_mV - v), 2e-5, "tick %u: V %.9g, closed form %.9g", tick, n.v_mV, v);
    }
}
