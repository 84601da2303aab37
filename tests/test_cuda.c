/* tests/test_cuda.c -- the GPU tier: the CUDA backend against the CPU backend, which is the
 * reference it must match bit for bit (docs/numerics.md).
 *
 *  - single kernels (host/sim/cuda_test.h) against the CPU loop around the same
 *    include/cobalt/hd/ function, on random inputs of sizes that are not multiples of a block
 *    (1, 31, 257, 1000, 100003): Philox (ours and cuRAND's bijection), one LIF step of both
 *    models, independent Poisson counts, pool-source geometric gaps, the voltage-histogram bin,
 *    and spike delivery into the delay ring (expected ring computed from the CSR);
 *  - the network built on the device (cob_cuda_net_build) against cob_net_build, array by
 *    array, for fixed and heterogeneous in-degrees, multapses, autapses, dense and large
 *    projections, one and many delays, independent inputs;
 *  - whole runs (cob_sim_run, backend CUDA vs CPU): every field of cob_stats, both neuron
 *    models, pool and independent input, CV_K > 0, raster (and its overflow) and traces; the
 *    Fig. 4 network shortened; saturated 16-bit input cells (same overflow count and error);
 *    a network too big for the device refused with COB_ERR_NOMEM;
 *  - always, without a device: the device-memory estimate (host/net/cuda_mem.c) and
 *    `cobalt run --backend cuda` (exit code 5 and a message without a device).
 *
 * Every comparison is exact: integers equal, floats and doubles equal as bit patterns (memcmp),
 * so NaN == NaN where both are the same NaN. The design promises bit-identity (integer spike
 * counts in the ring, float + - * only in the neuron step, propagators made once on the host);
 * the one documented exception (Box-Muller in-degrees, docs/numerics.md) cannot trip at these
 * sizes: a target's K + CV_K K z would have to land within ~1e-13 of a half-integer.
 *
 * GPU tests skip with the reason (cob_cuda_describe) when no device is usable; Criterion
 * reports them as [SKIP] and the binary still exits 0, so CTest counts it as passed. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include "test_util.h"
#include "cobalt/models.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cobalt/config.h"
#include "cobalt/net.h"
#include "cobalt/estimate.h"
#include "cobalt/sim.h"
#include "cobalt/hd/lif_curr.h"
#include "cobalt/hd/poisson.h"
#include "cobalt/hd/stats.h"
#include "sim/cuda_test.h"
#include "inputs/poisson_tables.h"

TestSuite(cuda, .init = test_one_thread);

/* For the two big CPU references (GPU machines only): half the cores, as two tests run at once. */
static void half_the_cores(void)
{
#ifdef _OPENMP
    int n = omp_get_num_procs() / 2;
    omp_set_num_threads(n > 1 ? n : 1);
#endif
}

/* Skip the calling test, with the reason, when the CUDA backend has no usable device. */
static void need_device(void)
{
    char buf[512] = "";
    size_t n;
    if (cob_cuda_available())
        return;
    cob_cuda_describe(buf, sizeof buf);
    n = strcspn(buf, "\n");
    buf[n] = '\0';
    if (!buf[0])
        snprintf(buf, sizeof buf, "cob_cuda_available() returned 0");
    /* Criterion prints [SKIP] only with --verbose, and a cr_log_warn would make the binary exit 1;
     * a plain line on stderr shows in the default CTest log (ctest -V, --output-on-failure) */
    fprintf(stderr, "[SKIP] %s::%s: no CUDA device: %s\n", criterion_current_test->category,
            criterion_current_test->name, buf);
    cr_skip_test("no CUDA device: %s", buf);
}

/* Kernel sizes: 1, below one warp, just above a 256-thread block, and not a multiple of any
 * power of two beyond 8 (1000), a prime above 10^5. */
static const int64_t sizes[] = {1, 31, 257, 1000, 100003};
#define N_SIZES ((int)(sizeof sizes / sizeof sizes[0]))

/* Deterministic test inputs: word w of Philox block (key, i) under a seed of the tests' own. */
static uint32_t rnd(uint32_t key, uint64_t i, int w)
{
    return cob_philox(0x7e57c0dau, key, (uint32_t)i, i >> 32).v[w & 3];
}

static double rnd01(uint32_t key, uint64_t i)
{
    return cob_u01_double(rnd(key, i, 0), rnd(key, i, 1));
}

/* Index of the first element where a and b differ as bytes, -1 if none (n elements of sz). */
static int64_t first_diff(const void *a, const void *b, int64_t n, size_t sz)
{
    const unsigned char *x = a, *y = b;
    if (n <= 0 || !memcmp(x, y, (size_t)n * sz))
        return -1;
    for (int64_t k = 0; k < n; ++k)
        if (memcmp(x + k * sz, y + k * sz, sz))
            return k;
    return -1;
}
#define FIRST_DIFF(a, b, n) first_diff((a), (b), (int64_t)(n), sizeof *(a))

static void *xcalloc(int64_t n, size_t sz)
{
    void *p = calloc((size_t)(n > 0 ? n : 1), sz);
    cr_assert_not_null(p, "out of host memory (%lld x %zu bytes)", (long long)n, sz);
    return p;
}

static uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static void load_yaml(cob_config *c, const char *yaml)
{
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(c, yaml, "test.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
}

/* ---- single kernels ----------------------------------------------------------------------- */

/* out[4 i + w] = word w of cob_philox(seed, stream, i, sub), on the device with our Philox and
 * with cuRAND's; keys with both halves set, sub-counters with both halves set. */
Test(cuda, philox_matches_host)
{
    static const uint64_t seeds[] = {1, 0x0123456789abcdefull};
    static const uint64_t subs[] = {0, 7, 0x100000003ull, (1ull << 62) | (12345ull << 8) | 7};
    const uint32_t streams[] = {COB_STREAM(COB_STREAM_PARTNERS, 5), COB_STREAM(COB_STREAM_INDEP, 63)};
    need_device();
    for (int z = 0; z < N_SIZES; ++z) {
        int64_t n = sizes[z];
        uint32_t *ref = xcalloc(4 * n, sizeof *ref), *dev = xcalloc(4 * n, sizeof *dev);
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 4; ++b) {
                uint32_t stream = streams[(a + b) & 1];
                for (int64_t i = 0; i < n; ++i) {
                    cob_u32x4 w = cob_philox(seeds[a], stream, (uint32_t)i, subs[b]);
                    memcpy(ref + 4 * i, w.v, sizeof w.v);
                }
                for (int curand = 0; curand <= 1; ++curand) {
                    cob_err err = {0};
                    memset(dev, 0xA5, (size_t)(4 * n) * sizeof *dev);
                    cr_assert_eq(cob_cuda_test_philox(seeds[a], stream, subs[b], n, curand, dev, &err), COB_OK, "%s",
                                 err.msg);
                    int64_t k = FIRST_DIFF(ref, dev, 4 * n);
                    cr_assert_eq(k, -1,
                                 "%s Philox, n %lld, seed %#llx, stream %u, sub %#llx: word %lld is %#010x on "
                                 "the device, %#010x on the host",
                                 curand ? "cuRAND's" : "our", (long long)n, (unsigned long long)seeds[a], stream,
                                 (unsigned long long)subs[b], (long long)k, k >= 0 ? dev[k] : 0, k >= 0 ? ref[k] : 0);
                }
            }
        free(ref);
        free(dev);
    }
}

/* Propagators of a real population, made by the host code (cob_net_layout -> make_props). */
static const char *lif_cond_yaml =
    "run: {dt_ms: 0.1}\n"
    "populations:\n"
    "  - {name: A, model: lif_cond, size: 10}\n"
    "  - {name: B, model: lif_cond, size: 10, jump: exp, tau_ref_ms: 0.5}\n"
    "  - {name: X, model: poisson, size: 10, rate_hz: 10}\n"
    "projections:\n"
    "  - {pre: A, post: A, receptor: E, indegree: 5, weight: 0.01}\n"
    "  - {pre: X, post: A, receptor: E, indegree: 5, weight: 0.03}\n"
    "  - {pre: B, post: A, receptor: I, indegree: 5, weight: 0.1}\n"
    "  - {pre: X, post: A, receptor: I, indegree: 5, weight: 0.25}\n"
    "  - {pre: A, post: B, receptor: E, indegree: 5, weight: 0.02}\n";

static const char *lif_curr_yaml =
    "run: {dt_ms: 0.1}\n"
    "populations:\n"
    "  - {name: A, model: lif_curr, size: 10, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10}\n"
    "  - {name: B, model: lif_curr, size: 10, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, mu_ext_mV: 24}\n"
    "  - {name: X, model: poisson, size: 10, rate_hz: 10}\n"
    "projections:\n"
    "  - {pre: A, post: A, receptor: E, indegree: 5, weight: 0.1}\n"
    "  - {pre: X, post: A, receptor: E, indegree: 5, weight: 0.35}\n"
    "  - {pre: A, post: A, receptor: I, indegree: 5, weight: 0.5}\n";

/* One input count: 0 half the time, else small (table), above the pow table, or extreme. */
static uint32_t lif_count(uint64_t i)
{
    uint32_t r = rnd(2, i, 0), u = rnd(2, i, 1);
    switch (r % 20) {
    case 0: return 65535u;
    case 1: return COB_POW_TABLE;
    case 2: return COB_POW_TABLE - 1;
    case 3:
    case 4:
    case 5: return COB_POW_TABLE + u % 2000; /* cob_powi path */
    case 6: return u % 65536u;
    default: return r % 20 < 13 ? 1 + u % (COB_POW_TABLE - 1) : 0;
    }
}

/* One neuron step of n neurons on the device against the registry's step (cob_neuron_step) on
 * the host. */
static void check_lif(int model, const cob_neuron_prop *np, int nch, const char *what)
{
    const cob_lif_prop *p = &np->lif_cond; /* both LIF models' propagators are cob_lif_prop */
    for (int z = 0; z < N_SIZES; ++z) {
        int64_t n = sizes[z];
        float *v_in = xcalloc(n, sizeof *v_in), *v_ref = xcalloc(n, sizeof *v_ref), *v_dev = xcalloc(n, sizeof *v_dev);
        int32_t *r_in = xcalloc(n, sizeof *r_in), *r_ref = xcalloc(n, sizeof *r_ref),
                *r_dev = xcalloc(n, sizeof *r_dev);
        uint8_t *f_ref = xcalloc(n, 1), *f_dev = xcalloc(n, 1);
        uint32_t *cnt = xcalloc(n * nch, sizeof *cnt); /* at least one element when nch == 0 */
        int64_t fired = 0, refr = 0;
        cob_err err = {0};
        for (int64_t i = 0; i < n; ++i) {
            float lo = p->v_reset_mV - 10.0f, hi = p->v_th_mV + 0.5f;
            switch (rnd(1, i, 0) % 16) {
            case 0: v_in[i] = p->v_th_mV; break;
            case 1: v_in[i] = nextafterf(p->v_th_mV, -INFINITY); break;
            case 2: v_in[i] = p->v_reset_mV; break;
            default: v_in[i] = lo + (hi - lo) * (float)rnd01(1, i);
            }
            /* the ordered step counts refractory time in ticks and walks every arrival: counts up
             * to 3000 per channel cover its sorted (<= 32) and merged paths at a bearable cost */
            const uint32_t r_max = p->integrator == COB_INTEGRATOR_ORDERED ? (uint32_t)p->refr_ticks
                                                                           : (uint32_t)p->refr_steps;
            r_in[i] = rnd(1, i, 2) % 4 == 0 ? (int32_t)(rnd(1, i, 3) % (r_max + 1)) : 0;
            for (int c = 0; c < nch; ++c) {
                uint32_t k = lif_count((uint64_t)i * COB_MAX_CHANNELS + (uint64_t)c);
                cnt[i * nch + c] = p->integrator == COB_INTEGRATOR_ORDERED ? k % 3001u : k;
            }
            cob_input in;
            cob_state_arrays sa = {{v_ref}, {r_ref}};
            float v_after;
            cob_input_clear(&in, COB_TEST_LIF_SEED, COB_TEST_LIF_STEP, (uint32_t)i);
            for (int c = 0; c < nch; ++c) in.count[c] = cnt[i * nch + c];
            v_ref[i] = v_in[i];
            r_ref[i] = r_in[i];
            f_ref[i] = (uint8_t)(cob_neuron_step(model, np, &sa, i, &in, nch, &v_after) & COB_STEP_FIRED);
            fired += f_ref[i];
            refr += r_in[i] > 0;
        }
        memset(f_dev, 0xFF, (size_t)n);
        cr_assert_eq(cob_cuda_test_lif(model, np, nch, n, v_in, r_in, cnt, v_dev, r_dev, f_dev, &err), COB_OK, "%s: %s",
                     what, err.msg);
        int64_t k = FIRST_DIFF(v_ref, v_dev, n);
        cr_assert_eq(k, -1,
                     "%s, n %lld: neuron %lld V = %.9g (%#010x) on the device, %.9g (%#010x) on the host "
                     "(V_in %.9g, refractory %d)",
                     what, (long long)n, (long long)k, k >= 0 ? v_dev[k] : 0.0f, k >= 0 ? f2u(v_dev[k]) : 0u,
                     k >= 0 ? v_ref[k] : 0.0f, k >= 0 ? f2u(v_ref[k]) : 0u, k >= 0 ? v_in[k] : 0.0f,
                     k >= 0 ? r_in[k] : 0);
        k = FIRST_DIFF(r_ref, r_dev, n);
        cr_assert_eq(k, -1, "%s, n %lld: neuron %lld refractory counter %d on the device, %d on the host", what,
                     (long long)n, (long long)k, k >= 0 ? r_dev[k] : 0, k >= 0 ? r_ref[k] : 0);
        k = FIRST_DIFF(f_ref, f_dev, n);
        cr_assert_eq(k, -1, "%s, n %lld: neuron %lld fired = %u on the device, %u on the host", what, (long long)n,
                     (long long)k, k >= 0 ? f_dev[k] : 0, k >= 0 ? f_ref[k] : 0);
        if (n >= 1000) {
            /* the inputs must exercise every branch, or equality proves little */
            cr_assert(fired > 0 && fired < n && refr > 0, "%s: %lld of %lld fired, %lld refractory", what,
                      (long long)fired, (long long)n, (long long)refr);
        }
        free(v_in);
        free(v_ref);
        free(v_dev);
        free(r_in);
        free(r_ref);
        free(r_dev);
        free(f_ref);
        free(f_dev);
        free(cnt);
    }
}

static void check_lif_config(const char *yaml, int model, int integrator)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    char what[96];
    load_yaml(&c, yaml);
    c.run.integrator = integrator;
    cr_assert_eq(cob_net_layout(&net, &c, &err), COB_OK, "%s", err.msg);
    for (int pop = 0; pop < 2; ++pop) {
        snprintf(what, sizeof what, "%s population %s (%d channels, %s step)", cob_model_name(model), c.pops[pop].name,
                 net.pop_channels[pop], cob_integrator_name(integrator));
        check_lif(model, &net.prop[pop], net.pop_channels[pop], what);
    }
    cob_net_free(&net);
    cob_config_free(&c);
}

/* A: four channels (two E weights, two I weights), linear jumps, 20 refractory steps;
 * B: one channel, exp jumps, 5 refractory steps. */
Test(cuda, lif_cond_step_matches_host)
{
    need_device();
    check_lif_config(lif_cond_yaml, COB_MODEL_LIF_COND, COB_INTEGRATOR_GRID);
}

/* The same populations with the ordered step (run.integrator: ordered): arrival offsets from
 * Philox, both arrival paths, refractory time in ticks. */
Test(cuda, lif_cond_ordered_step_matches_host)
{
    need_device();
    check_lif_config(lif_cond_yaml, COB_MODEL_LIF_COND, COB_INTEGRATOR_ORDERED);
}

/* A: three channels; B: no input channel at all, driven by mu_ext above threshold. */
Test(cuda, lif_curr_step_matches_host)
{
    need_device();
    check_lif_config(lif_curr_yaml, COB_MODEL_LIF_CURR, COB_INTEGRATOR_GRID);
}

Test(cuda, lif_curr_ordered_step_matches_host)
{
    need_device();
    check_lif_config(lif_curr_yaml, COB_MODEL_LIF_CURR, COB_INTEGRATOR_ORDERED);
}

/* Per-neuron means spanning no input, the one-word path (<= 64) and the chunked path, up to
 * 16000 per step (the config limit, 250 chunks). */
static double poisson_lambda(uint64_t i)
{
    uint32_t r = rnd(3, i, 0);
    double u = rnd01(4, i);
    switch (r % 16) {
    case 0: return 0.0;
    case 1: return 64.0;
    case 2: return 64.0 * (1.0 + 1e-15); /* just into two chunks */
    case 3: return 16000.0 * u;
    case 4:
    case 5:
    case 6: return 64.0 + 400.0 * u;
    default: return 1e-3 * exp(log(64.0 / 1e-3) * u); /* log-uniform on [1e-3, 64] */
    }
}

Test(cuda, poisson_counts_match_host)
{
    static const uint64_t steps[] = {0, 1, 3, 6, 1000001, (1ull << 33) + 5};
    const uint64_t seed = 0xfeedfacecafebeefull;
    const uint32_t stream = COB_STREAM(COB_STREAM_INDEP, 2);
    need_device();
    for (int z = 0; z < N_SIZES; ++z) {
        int64_t n = sizes[z];
        uint32_t *nc = xcalloc(n, sizeof *nc), *ref = xcalloc(n, sizeof *ref), *dev = xcalloc(n, sizeof *dev);
        double *lc = xcalloc(n, sizeof *lc), *en = xcalloc(n, sizeof *en);
        for (int64_t i = 0; i < n; ++i) cob_poisson_chunks(poisson_lambda((uint64_t)i), &nc[i], &lc[i], &en[i]);
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; ++s) {
            /* the largest size only at two steps: its host reference is the slow part */
            if (n > 10000 && s % 3 != 0)
                continue;
            cob_err err = {0};
            for (int64_t i = 0; i < n; ++i)
                ref[i] = cob_poisson_step(seed, stream, (uint32_t)i, steps[s], nc[i], lc[i], en[i]);
            memset(dev, 0xA5, (size_t)n * sizeof *dev);
            cr_assert_eq(cob_cuda_test_poisson(seed, stream, steps[s], n, nc, lc, en, dev, &err), COB_OK, "%s",
                         err.msg);
            int64_t k = FIRST_DIFF(ref, dev, n);
            cr_assert_eq(k, -1,
                         "n %lld, step %llu: neuron %lld (%u chunks of %.17g) draws %u on the device, %u on "
                         "the host",
                         (long long)n, (unsigned long long)steps[s], (long long)k, k >= 0 ? nc[k] : 0,
                         k >= 0 ? lc[k] : 0.0, k >= 0 ? dev[k] : 0, k >= 0 ? ref[k] : 0);
        }
        free(nc);
        free(ref);
        free(dev);
        free(lc);
        free(en);
    }
}

/* n_gaps successive gaps per source for spike probabilities from 0.001 to 0.9, with the
 * host's table and with a 16-entry table (the redraw path beyond the table). */
Test(cuda, geometric_gaps_match_host)
{
    static const double ps[] = {0.001, 0.05, 0.3, 0.9};
    const int32_t n_gaps = 7;
    const uint32_t stream = COB_STREAM(COB_STREAM_SOURCE, 3);
    need_device();
    for (size_t q = 0; q < sizeof ps / sizeof ps[0]; ++q)
        for (int shortened = 0; shortened <= 1; ++shortened) {
            int32_t len = 0;
            if (shortened && ps[q] < 0.01)
                continue; /* ~60 redraws a gap: slow on the host, nothing new */
            uint64_t *thr = cob_geometric_table(ps[q], &len);
            cr_assert_not_null(thr);
            if (shortened)
                len = len < 16 ? len : 16;
            for (int z = 0; z < N_SIZES; ++z) {
                int64_t n = sizes[z];
                int64_t *ref = xcalloc(n * n_gaps, sizeof *ref), *dev = xcalloc(n * n_gaps, sizeof *dev);
                cob_err err = {0};
                for (int64_t i = 0; i < n; ++i) {
                    uint32_t draws = 0;
                    for (int32_t g = 0; g < n_gaps; ++g)
                        ref[i * n_gaps + g] = cob_geometric_gap(42 + q, stream, (uint32_t)i, &draws, thr, len);
                }
                cr_assert_eq(cob_cuda_test_geometric(42 + q, stream, n, thr, len, n_gaps, dev, &err), COB_OK, "%s",
                             err.msg);
                int64_t k = FIRST_DIFF(ref, dev, n * n_gaps);
                cr_assert_eq(k, -1,
                             "p %g, table of %d, n %lld: source %lld gap %lld is %lld on the device, %lld on "
                             "the host",
                             ps[q], len, (long long)n, (long long)(k / n_gaps), (long long)(k % n_gaps),
                             (long long)(k >= 0 ? dev[k] : 0), (long long)(k >= 0 ? ref[k] : 0));
                free(ref);
                free(dev);
            }
            free(thr);
        }
}

/* Voltages around and on every bin edge (the float just below and above too), outside the
 * range, +-inf and NaN; the histogram geometry as host/stats/stats.c makes it. */
Test(cuda, vbin_matches_host)
{
    static const struct {
        int32_t bins;
        double lo, hi;
    } h[] = {{200, -80.0, -50.0}, {120, -10.0, 20.0}, {1, -70.0, -69.0}};
    need_device();
    for (size_t q = 0; q < sizeof h / sizeof h[0]; ++q) {
        float v_min = (float)h[q].lo, inv_w = (float)(h[q].bins / (h[q].hi - h[q].lo));
        for (int z = 0; z < N_SIZES; ++z) {
            int64_t n = sizes[z];
            float *v = xcalloc(n, sizeof *v);
            int32_t *ref = xcalloc(n, sizeof *ref), *dev = xcalloc(n, sizeof *dev);
            cob_err err = {0};
            for (int64_t i = 0; i < n; ++i) {
                uint32_t r = rnd(5, i, 0);
                uint32_t e = rnd(5, i, 1) % (uint32_t)(h[q].bins + 1);
                float edge = (float)(h[q].lo + (h[q].hi - h[q].lo) * (double)e / h[q].bins);
                switch (r % 12) {
                case 0: v[i] = edge; break;
                case 1: v[i] = nextafterf(edge, -INFINITY); break;
                case 2: v[i] = nextafterf(edge, INFINITY); break;
                case 3: v[i] = r % 36 == 3 ? NAN : (r % 36 == 15 ? INFINITY : -INFINITY); break;
                default: v[i] = (float)(h[q].lo - 5.0 + (h[q].hi - h[q].lo + 10.0) * rnd01(6, i));
                }
                ref[i] = cob_stats_vbin(v[i], v_min, inv_w, h[q].bins);
            }
            cr_assert_eq(cob_cuda_test_vbin(n, v, v_min, inv_w, h[q].bins, dev, &err), COB_OK, "%s", err.msg);
            int64_t k = FIRST_DIFF(ref, dev, n);
            cr_assert_eq(k, -1,
                         "%d bins on [%g, %g], n %lld: V = %.9g (%#010x) in bin %d on the device, %d on the "
                         "host",
                         h[q].bins, h[q].lo, h[q].hi, (long long)n, k >= 0 ? v[k] : 0.0f, k >= 0 ? f2u(v[k]) : 0u,
                         k >= 0 ? dev[k] : 0, k >= 0 ? ref[k] : 0);
            free(v);
            free(ref);
            free(dev);
        }
    }
}

/* ---- spike delivery ------------------------------------------------------------------------ */

/* Three neuron populations (the ring's neuron index is global: pop_offset + target) and a pool;
 * delays from one step to 20, a single delay, multapses (many arrivals in one cell). */
static const char *deliver_yaml =
    "run: {dt_ms: 0.1, seed: 77}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 1000}\n"
    "  - {name: I, model: lif_cond, size: 257}\n"
    "  - {name: S, model: lif_cond, size: 1}\n"
    "  - {name: X, model: poisson, size: 31, rate_hz: 10}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 80, weight: 0.01, delay_ms: [0, 2]}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 900, weight: 0.01, delay_ms: [0.3, 0.7]}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 40, weight: 0.1, delay_ms: 1.5}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 300, weight: 0.02, delay_ms: [0.1, 0.4], multapses: true}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 256, weight: 0.1, delay_ms: [0.1, 0.2]}\n"
    "  - {pre: E, post: S, receptor: E, indegree: 1000, weight: 0.01, delay_ms: [0.1, 1.9]}\n"
    "  - {pre: S, post: E, receptor: I, indegree: 1, weight: 0.1, delay_ms: [0.1, 1.0]}\n";

/* Expected ring: for each spike j, delay group g of row j arrives in slot (t + min_delay + g)
 * mod ring_slots, channel of the projection, neuron pop_offset[post] + target. */
static void deliver_host(const cob_net *net, int p, int64_t t, const int32_t *spk, int64_t n_spk, uint32_t *ring)
{
    const cob_proj *pr = &net->proj[p];
    int64_t base = net->pop_offset[pr->post];
    for (int64_t k = 0; k < n_spk; ++k) {
        int64_t j = spk[k];
        const uint32_t *off = pr->dgrp_off + j * (pr->n_dgrp + 1);
        for (int32_t g = 0; g < pr->n_dgrp; ++g) {
            int64_t slot = (t + pr->min_delay + g) % net->ring_slots;
            for (int64_t s = pr->row_ptr[j] + off[g]; s < pr->row_ptr[j] + off[g + 1]; ++s) {
                cr_assert_eq(pr->delay_steps[s], pr->min_delay + g);
                ring[(slot * net->n_channels_max + pr->channel) * net->n_neurons + base + pr->target[s]] += 1;
            }
        }
    }
}

Test(cuda, deliver_matches_host)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    need_device();
    load_yaml(&c, deliver_yaml);
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    int64_t cells = (int64_t)net.ring_slots * net.n_channels_max * net.n_neurons;
    uint32_t *ref = xcalloc(cells, sizeof *ref), *dev = xcalloc(cells, sizeof *dev);
    for (int p = 0; p < net.n_projs; ++p) {
        const cob_proj *pr = &net.proj[p];
        int32_t *spk = xcalloc(pr->n_pre, sizeof *spk);
        /* steps: the start, a wrap of the ring within the delays, a step far into a long run */
        const int64_t steps[] = {0, 5 * (int64_t)net.ring_slots - 2, 1000000007};
        for (int pattern = 0; pattern < 4; ++pattern)
            for (size_t s = 0; s < sizeof steps / sizeof steps[0]; ++s) {
                int64_t n_spk = 0;
                /* no spike, one (the last neuron), about 30 %, every neuron (ascending, like a step's list) */
                for (int64_t j = 0; j < pr->n_pre; ++j)
                    if ((pattern == 1 && j == pr->n_pre - 1) || pattern == 3 ||
                        (pattern == 2 && rnd(7 + p, (uint64_t)j + 7919 * s, 0) % 10 < 3))
                        spk[n_spk++] = (int32_t)j;
                memset(ref, 0, (size_t)cells * sizeof *ref);
                memset(dev, 0xA5, (size_t)cells * sizeof *dev);
                deliver_host(&net, p, steps[s], spk, n_spk, ref);
                cr_assert_eq(cob_cuda_test_deliver(&net, p, steps[s], spk, n_spk, dev, &err), COB_OK,
                             "projection %d: %s", p, err.msg);
                int64_t k = FIRST_DIFF(ref, dev, cells);
                int64_t per_slot = (int64_t)net.n_channels_max * net.n_neurons, slot = k / per_slot,
                        rest = k % per_slot;
                cr_assert_eq(k, -1,
                             "projection %d, step %lld, %lld spikes: ring slot %lld channel %lld neuron %lld "
                             "holds %u on the device, %u expected",
                             p, (long long)steps[s], (long long)n_spk, (long long)slot,
                             (long long)(rest / net.n_neurons), (long long)(rest % net.n_neurons), k >= 0 ? dev[k] : 0,
                             k >= 0 ? ref[k] : 0);
            }
        free(spk);
    }
    free(ref);
    free(dev);
    cob_net_free(&net);
    cob_config_free(&c);
}

/* ---- network construction on the device -------------------------------------------------- */

/* The device-built network must be cob_net_build's, array by array. */
static void check_same_net(const cob_config *c, const char *what)
{
    cob_net h, d;
    cob_err err = {0};
    cr_assert_eq(cob_config_check(c, &err), COB_OK, "%s: %s", what, err.msg);
    cr_assert_eq(cob_net_build(&h, c, &err), COB_OK, "%s: host build: %s", what, err.msg);
    cr_assert_eq(cob_cuda_net_build(&d, c, &err), COB_OK, "%s: device build: %s", what, err.msg);
    cr_assert_eq(d.n_projs, h.n_projs, "%s", what);
    cr_expect_eq(d.n_neurons, h.n_neurons, "%s", what);
    cr_expect_eq(d.ring_slots, h.ring_slots, "%s", what);
    cr_expect_eq(d.n_channels_max, h.n_channels_max, "%s", what);
    for (int pop = 0; pop < h.n_pops; ++pop) {
        cr_expect(d.pop_offset[pop] == h.pop_offset[pop] && d.pop_size[pop] == h.pop_size[pop], "%s, population %d",
                  what, pop);
        if (h.pop_offset[pop] >= 0)
            cr_expect(!memcmp(&d.prop[pop], &h.prop[pop], sizeof h.prop[pop]), "%s, population %d: propagators differ",
                      what, pop);
    }
    for (int p = 0; p < h.n_projs; ++p) {
        const cob_proj *a = &h.proj[p], *b = &d.proj[p];
        int64_t k;
        cr_assert(a->pre == b->pre && a->post == b->post && a->channel == b->channel &&
                      a->independent == b->independent,
                  "%s, projection %d: pre/post/channel/independent differ", what, p);
        cr_assert(a->n_pre == b->n_pre && a->n_post == b->n_post, "%s, projection %d: sizes differ", what, p);
        k = FIRST_DIFF(a->indegree, b->indegree, a->n_post);
        cr_assert_eq(k, -1, "%s, projection %d: in-degree of target %lld is %d on the device, %d on the host", what, p,
                     (long long)k, k >= 0 ? b->indegree[k] : 0, k >= 0 ? a->indegree[k] : 0);
        cr_assert_eq(b->n_syn, a->n_syn, "%s, projection %d: %lld synapses on the device, %lld on the host", what, p,
                     (long long)b->n_syn, (long long)a->n_syn);
        cr_assert(a->min_delay == b->min_delay && a->max_delay == b->max_delay && a->n_dgrp == b->n_dgrp,
                  "%s, projection %d: delay range [%u, %u] (%d groups) on the device, [%u, %u] (%d) on the host", what,
                  p, b->min_delay, b->max_delay, b->n_dgrp, a->min_delay, a->max_delay, a->n_dgrp);
        if (a->independent) {
            cr_expect(b->n_syn == 0 && b->row_ptr == NULL && b->target == NULL,
                      "%s, projection %d: an independent input must store no synapses", what, p);
            continue;
        }
        cr_assert(b->row_ptr && b->dgrp_off && (b->n_syn == 0 || (b->target && b->delay_steps)),
                  "%s, projection %d: device build left arrays NULL", what, p);
        k = FIRST_DIFF(a->row_ptr, b->row_ptr, a->n_pre + 1);
        cr_assert_eq(k, -1, "%s, projection %d: row_ptr[%lld] = %lld on the device, %lld on the host", what, p,
                     (long long)k, (long long)(k >= 0 ? b->row_ptr[k] : 0), (long long)(k >= 0 ? a->row_ptr[k] : 0));
        k = FIRST_DIFF(a->dgrp_off, b->dgrp_off, a->n_pre * (a->n_dgrp + 1));
        cr_assert_eq(k, -1, "%s, projection %d: dgrp_off of row %lld group %lld is %u on the device, %u on the host",
                     what, p, (long long)(k / (a->n_dgrp + 1)), (long long)(k % (a->n_dgrp + 1)),
                     k >= 0 ? b->dgrp_off[k] : 0, k >= 0 ? a->dgrp_off[k] : 0);
        k = FIRST_DIFF(a->target, b->target, a->n_syn);
        cr_assert_eq(k, -1, "%s, projection %d: target of synapse %lld is %d on the device, %d on the host", what, p,
                     (long long)k, k >= 0 ? b->target[k] : 0, k >= 0 ? a->target[k] : 0);
        k = FIRST_DIFF(a->delay_steps, b->delay_steps, a->n_syn);
        cr_assert_eq(k, -1, "%s, projection %d: delay of synapse %lld is %u on the device, %u on the host", what, p,
                     (long long)k, k >= 0 ? b->delay_steps[k] : 0, k >= 0 ? a->delay_steps[k] : 0);
        cr_expect_eq(cob_csr_validate(&d, p, c, &err), COB_OK, "%s, projection %d: %s", what, p, err.msg);
    }
    cob_net_free(&h);
    cob_net_free(&d);
}

static cob_proj_spec *add_proj(cob_config *c, int pre, int post, cob_receptor r, double k, double d_min, double d_max)
{
    cob_proj_spec *q = &c->projs[c->n_projs++];
    memset(q, 0, sizeof *q);
    q->pre = pre;
    q->post = post;
    q->receptor = r;
    q->indegree = k;
    q->weight = r == COB_RECEPTOR_E ? 0.01 : 0.05;
    q->delay_min_ms = d_min;
    q->delay_max_ms = d_max;
    return q;
}

/* E (1001), I (257), X pool (333); every projection onto E and I. */
static void build_config(cob_config *c, uint64_t seed)
{
    cob_config_defaults(c);
    c->run.seed = seed;
    int e = test_add_pop(c, "E", COB_MODEL_LIF_COND, 1001);
    int i = test_add_pop(c, "I", COB_MODEL_LIF_COND, 257);
    int x = test_add_pop(c, "X", COB_MODEL_POISSON, 333);
    add_proj(c, e, e, COB_RECEPTOR_E, 100, 0.0, 5.0);
    add_proj(c, i, e, COB_RECEPTOR_I, 25, 0.0, 1.0);
    add_proj(c, x, e, COB_RECEPTOR_E, 100, 0.0, 5.0);
    add_proj(c, e, i, COB_RECEPTOR_E, 100, 0.0, 5.0);
    add_proj(c, i, i, COB_RECEPTOR_I, 25, 0.0, 1.0);
    add_proj(c, x, i, COB_RECEPTOR_E, 100, 0.0, 5.0);
}

Test(cuda, net_build_fixed_indegree)
{
    cob_config c;
    need_device();
    build_config(&c, 1);
    check_same_net(&c, "fixed in-degree");
    build_config(&c, 0xffffffffffffffffull); /* both key halves */
    check_same_net(&c, "fixed in-degree, seed 2^64 - 1");
}

Test(cuda, net_build_heterogeneous_indegree)
{
    cob_config c;
    need_device();
    build_config(&c, 5);
    for (int p = 0; p < c.n_projs; ++p)
        c.projs[p].cv_indegree = p % 3 == 1 ? 0.8 : 0.25; /* 0.8 clips at 0 and n_avail */
    check_same_net(&c, "heterogeneous in-degree");
}

/* Multapses: K = 300 from 31 sources (many repeats) and K = 1500 > 1000 available on E -> E,
 * also with CV_K (the clip at 65535 is not reached). */
Test(cuda, net_build_multapses)
{
    cob_config c;
    need_device();
    cob_config_defaults(&c);
    c.run.seed = 9;
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 1000);
    int x = test_add_pop(&c, "X", COB_MODEL_POISSON, 31);
    add_proj(&c, x, e, COB_RECEPTOR_E, 300, 0.1, 1.0)->allow_multapses = 1;
    cob_proj_spec *q = add_proj(&c, e, e, COB_RECEPTOR_E, 1500, 0.1, 3.0);
    q->allow_multapses = 1;
    q->cv_indegree = 0.3;
    check_same_net(&c, "multapses");
}

/* Recurrent E -> E with autapses excluded (candidate c -> c + (c >= i)) and allowed, and
 * dense projections: K = N - 1 (every other neuron), K = N - 3, K = N_pre of a pool. */
Test(cuda, net_build_autapses_and_dense)
{
    cob_config c;
    need_device();
    cob_config_defaults(&c);
    c.run.seed = 21;
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 300);
    int i = test_add_pop(&c, "I", COB_MODEL_LIF_COND, 257);
    int x = test_add_pop(&c, "X", COB_MODEL_POISSON, 200);
    add_proj(&c, e, e, COB_RECEPTOR_E, 40, 0.1, 2.0);                     /* sparse, no autapses */
    add_proj(&c, i, i, COB_RECEPTOR_I, 40, 0.1, 2.0)->allow_autapses = 1; /* sparse, autapses */
    add_proj(&c, e, i, COB_RECEPTOR_E, 297, 0.1, 2.0);                    /* dense, K = N - 3 */
    add_proj(&c, i, e, COB_RECEPTOR_I, 256, 0.1, 0.1);                    /* dense, K = N_pre - 1, one delay */
    add_proj(&c, x, e, COB_RECEPTOR_E, 200, 0.1, 2.0);                    /* every source */
    check_same_net(&c, "autapses and dense");
    cob_config_defaults(&c);
    c.run.seed = 22;
    e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 300);
    add_proj(&c, e, e, COB_RECEPTOR_E, 299, 0.1, 2.0); /* K = N - 1: all but itself */
    check_same_net(&c, "K = N - 1 without autapses");
}

/* One delay for every synapse, and 2000 delay groups (1 .. 2000 steps at dt = 0.05 ms). */
Test(cuda, net_build_delay_ranges)
{
    cob_config c;
    need_device();
    build_config(&c, 3);
    for (int p = 0; p < c.n_projs; ++p) c.projs[p].delay_min_ms = c.projs[p].delay_max_ms = 1.5;
    check_same_net(&c, "single delay");
    build_config(&c, 4);
    c.run.dt_ms = 0.05;
    c.projs[0].delay_min_ms = 0.0;
    c.projs[0].delay_max_ms = 100.0;
    c.projs[2].delay_min_ms = 0.05;
    c.projs[2].delay_max_ms = 0.1;
    check_same_net(&c, "wide delay range");
}

/* Rows of 70000 synapses (one pool source onto 70000 neurons) need 32-bit delay-group offsets
 * on the device; a nested recurrent projection draws its partners the other way (connect.h).
 * The device build and the delivery of those rows must match the host. */
static const char *wide_yaml =
    "run: {dt_ms: 0.1, seed: 5}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 70000}\n"
    "  - {name: X, model: poisson, size: 1, rate_hz: 10}\n"
    "projections:\n"
    "  - {pre: X, post: E, receptor: E, indegree: 1, weight: 0.01, delay_ms: [0.1, 1.0]}\n"
    "  - {pre: E, post: E, receptor: E, indegree: 30, weight: 0.02, delay_ms: [0.1, 2.0], nested: true}\n";

Test(cuda, net_build_wide_rows_and_nested)
{
    cob_config c;
    cob_net net;
    cob_err err = {0};
    need_device();
    load_yaml(&c, wide_yaml);
    check_same_net(&c, "rows of 70000 synapses, nested E -> E");
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(net.proj[0].row_ptr[1], 70000, "the pool source's row");
    int64_t cells = (int64_t)net.ring_slots * net.n_channels_max * net.n_neurons;
    uint32_t *ref = xcalloc(cells, sizeof *ref), *dev = xcalloc(cells, sizeof *dev);
    int32_t spk[1] = {0};
    deliver_host(&net, 0, 3, spk, 1, ref);
    cr_assert_eq(cob_cuda_test_deliver(&net, 0, 3, spk, 1, dev, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(FIRST_DIFF(ref, dev, cells), -1, "delivery of a 70000-synapse row (32-bit offsets) differs");
    free(ref);
    free(dev);
    cob_net_free(&net);
    cob_config_free(&c);
}

/* The sampled layout (cob_dlayout, include/cobalt/estimate.h): rows of ~333 in 200 delay groups
 * (a sample every 8th group), rows of ~9 with one delay (no offsets), a nested E -> E, and one
 * source's row of 70000 synapses in 5000 groups (multapses: 32-bit sampled offsets). The device
 * build, decoded by the device's accessors (net_download), must be the host's CSR. */
static const char *sampled_yaml =
    "run: {dt_ms: 0.1, seed: 12}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 300}\n"
    "  - {name: I, model: lif_cond, size: 1000}\n"
    "  - {name: X, model: poisson, size: 1, rate_hz: 10}\n"
    "projections:\n"
    "  - {pre: E, post: I, receptor: E, indegree: 100, weight: 0.01, delay_ms: [0.1, 20]}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 30, weight: 0.05, delay_ms: 1.0}\n"
    "  - {pre: E, post: E, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0.1, 3.0], nested: true}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 70, weight: 0.01, delay_ms: [0.1, 500], multapses: true}\n";

Test(cuda, net_build_sampled_layout)
{
    static const int32_t shift[] = {3, 1, 3, 1}, n_off[] = {24, 0, 3, 2499}, off_bytes[] = {2, 2, 2, 4};
    cob_config c;
    cob_net net;
    cob_err err = {0};
    need_device();
    load_yaml(&c, sampled_yaml);
    cr_assert_eq(cob_net_build(&net, &c, &err), COB_OK, "%s", err.msg);
    for (int p = 0; p < net.n_projs; ++p) { /* the forms meant, as the builder chooses them */
        const cob_proj *pr = &net.proj[p];
        int64_t max_row = 0;
        cob_dlayout l;
        for (int64_t j = 0; j < pr->n_pre; ++j)
            if (pr->row_ptr[j + 1] - pr->row_ptr[j] > max_row)
                max_row = pr->row_ptr[j + 1] - pr->row_ptr[j];
        cob_dlayout_choose(pr->n_pre, pr->n_post, pr->n_syn, pr->n_dgrp, max_row, &l);
        cr_assert(l.shift == shift[p] && l.n_off == n_off[p] && l.off_bytes == off_bytes[p],
                  "projection %d: shift %d, %d offsets a row of %d bytes", p, l.shift, l.n_off, l.off_bytes);
    }
    cob_net_free(&net);
    check_same_net(&c, "sampled layouts");
    cob_config_free(&c);
}

/* Ring kernels (hd/ring.h): the device's rejection draws with hash sets give the host's graph,
 * for rings of different sizes, each kernel shape, heterogeneous in-degree, nesting and
 * multapses, one delay and many. */
static const char *ring_yaml =
    "run: {dt_ms: 0.1, seed: 9}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 800, ring_period_deg: 360}\n"
    "  - {name: I, model: lif_cond, size: 230, ring_period_deg: 360}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 60, weight: 0.01, delay_ms: [0.1, 3.0],\n"
    "     ring_kernel: {shape: von_mises, kappa: 4}}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 30, cv_indegree: 0.3, weight: 0.04, delay_ms: [0.1, 1.0],\n"
    "     ring_kernel: {shape: cosine, p_c: -0.7}}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 80, weight: 0.01, delay_ms: 1.0,\n"
    "     ring_kernel: {shape: wrapped_exp, lambda_deg: 25}}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 40, weight: 0.04, delay_ms: [0.1, 2.0], nested: true,\n"
    "     ring_kernel: {shape: von_mises, kappa: 1}}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 50, weight: 0.02, delay_ms: [0.1, 2.0], multapses: true,\n"
    "     ring_kernel: {shape: cosine, p_c: 1}}\n";

Test(cuda, net_build_ring)
{
    cob_config c;
    need_device();
    load_yaml(&c, ring_yaml);
    check_same_net(&c, "ring kernels");
    cob_config_free(&c);
}

/* Independent Poisson inputs (in-degrees only, also heterogeneous and above the source count)
 * beside stored projections. */
Test(cuda, net_build_independent_input)
{
    cob_config c;
    need_device();
    build_config(&c, 8);
    c.pops[2].input_mode = COB_INPUT_INDEPENDENT;
    c.projs[5].cv_indegree = 0.3;
    c.projs[2].indegree = 1000; /* more inputs than the 333 sources: not clipped */
    check_same_net(&c, "independent input");
}

/* A larger network: 2 x 10^7 synapses and in-degrees up to ~900, big enough for a device
 * builder to work in several batches of targets. */
Test(cuda, net_build_large)
{
    cob_config c;
    need_device();
    half_the_cores(); /* the host reference is the slow part */
    cob_config_defaults(&c);
    c.run.seed = 31;
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 40001);
    add_proj(&c, e, e, COB_RECEPTOR_E, 500, 0.1, 10.0)->cv_indegree = 0.2;
    check_same_net(&c, "large");
}

/* ---- whole runs ----------------------------------------------------------------------------- */

/* Run c on both backends; both must return `expect`; the statistics must be identical. The CPU
 * run must have spikes in every population (else equality would prove little). The CPU
 * statistics go to cpu_out if not NULL (caller frees). */
static void compare_backends(const cob_config *c, cob_status expect, const char *what, cob_stats *cpu_out)
{
    cob_sim_options opt = {0};
    cob_sim_timing tc, tg;
    cob_stats a, b;
    cob_err ec = {0}, eg = {0};
    char msg[512];
    cob_status sc, sg;
    opt.backend = COB_BACKEND_CPU;
    sc = cob_sim_run(c, &opt, &a, &tc, &ec);
    cr_assert_eq(sc, expect, "%s: the CPU run returned %s: %s", what, cob_status_str(sc), ec.msg);
    for (int p = 0; p < a.n_pops; ++p) {
        cr_log_info("%s: pop %s %.2f Hz, CV %.3f", what, a.pop[p].name, a.pop[p].mean_rate_hz, a.pop[p].mean_cv);
        cr_assert_gt(test_pop_spikes(&a, p), 0, "%s: population %s silent on the CPU", what, a.pop[p].name);
    }
    opt.backend = COB_BACKEND_CUDA;
    sg = cob_sim_run(c, &opt, &b, &tg, &eg);
    cr_assert_eq(sg, sc, "%s: the CUDA run returned %s (%s), the CPU run %s", what, cob_status_str(sg), eg.msg,
                 cob_status_str(sc));
    cr_assert_not_null(tg.backend_name);
    cr_expect_str_eq(tg.backend_name, cob_cuda_backend()->name, "%s: ran on %s", what, tg.backend_name);
    cr_expect_eq(tg.n_synapses, tc.n_synapses, "%s", what);
    cr_expect_eq(tg.n_steps, tc.n_steps, "%s", what);
    cr_expect_gt(tg.device_bytes, 0, "%s: no device memory reported", what);
    cr_expect_geq(tg.device_estimate_bytes, tg.device_bytes, "%s: %lld bytes allocated on the device, estimate %lld",
                  what, (long long)tg.device_bytes, (long long)tg.device_estimate_bytes);
    cr_log_info("%s: cpu %.2f s, cuda %.2f s on %s (%lld device bytes)", what, tc.run_s, tg.run_s, tg.device_name,
                (long long)tg.device_bytes);
    cr_expect_not(cob_stats_first_difference(&a, &b, msg, sizeof msg),
                  "%s: CUDA and CPU statistics differ (cpu vs cuda): %s", what, msg);
    if (cpu_out)
        *cpu_out = a;
    else
        cob_stats_free(&a);
    cob_stats_free(&b);
}

/* Conductance-based E/I with a Poisson pool, CV_K > 0 on two projections, two excitatory
 * channels on E (X weighs more than E), raster and traces. ~0.4 s on one CPU thread. */
static const char *cond_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 50, t_sim_ms: 300, seed: 11}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 401}\n"
    "  - {name: I, model: lif_cond, size: 103}\n"
    "  - {name: X, model: poisson, size: 397, rate_hz: 40, input: %s}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 50, cv_indegree: 0.2, weight: 0.01, delay_ms: [0, 5]}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 12, weight: 0.2, delay_ms: [0, 1]}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 50, cv_indegree: 0.3, weight: 0.011, delay_ms: [0, 5]}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 12, weight: 0.2, delay_ms: [0, 1]}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 50, weight: 0.01, delay_ms: [0, 5]}\n"
    "stats:\n"
    "  v_neurons: 37\n"
    "  raster: {neurons: 60, max_spikes: %s}\n"
    "  traces: {neurons: 3, stride_steps: 7}\n";

static void cond_run_with(const char *input, const char *raster_max, int integrator, const char *what,
                          cob_stats *cpu_out)
{
    char yaml[4096];
    cob_config c;
    snprintf(yaml, sizeof yaml, cond_yaml, input, raster_max);
    load_yaml(&c, yaml);
    c.run.integrator = integrator;
    compare_backends(&c, COB_OK, what, cpu_out);
    cob_config_free(&c);
}

static void cond_run(const char *input, const char *raster_max, const char *what, cob_stats *cpu_out)
{
    cond_run_with(input, raster_max, COB_INTEGRATOR_GRID, what, cpu_out);
}

/* The ordered step in a whole network: pool and independent input, raster and traces. */
Test(cuda, run_lif_cond_ordered)
{
    need_device();
    cond_run_with("pool", "1000000", COB_INTEGRATOR_ORDERED, "lif_cond, pool input, ordered step", NULL);
    cond_run_with("independent", "1000000", COB_INTEGRATOR_ORDERED, "lif_cond, independent input, ordered step", NULL);
}

Test(cuda, run_lif_cond_pool)
{
    need_device();
    cond_run("pool", "1000000", "lif_cond, pool input", NULL);
}

Test(cuda, run_lif_cond_independent)
{
    need_device();
    cond_run("independent", "1000000", "lif_cond, independent input", NULL);
}

/* A raster too small for the run: the first 500 spikes in time order and the overflow count. */
Test(cuda, run_raster_overflow)
{
    cob_stats a;
    need_device();
    cond_run("pool", "500", "lif_cond, raster of 500 spikes", &a);
    cr_expect(a.raster_n == 500 && a.raster_overflow > 0, "the raster did not overflow: %lld spikes, %lld over",
              (long long)a.raster_n, (long long)a.raster_overflow);
    cob_stats_free(&a);
}

/* Current-based Brunel-type network (J = 0.2 mV, g = 5, external drive 2 nu_thr) with
 * independent input and a small pool on I, exponential-free arithmetic; dt = 0.05 ms. */
static const char *curr_yaml =
    "run: {dt_ms: 0.05, t_warmup_ms: 20, t_sim_ms: 200, seed: 13}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 800, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20]}\n"
    "  - {name: I, model: lif_curr, size: 200, e_l_mV: 0, v_th_mV: 20, v_reset_mV: 10, v_init_mV: [0, 20], mu_ext_mV: 5}\n"
    "  - {name: X, model: poisson, size: 1000, rate_hz: 100, input: independent}\n"
    "  - {name: P, model: poisson, size: 50, rate_hz: 30, input: pool}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 100, cv_indegree: 0.1, weight: 0.2, delay_ms: 1.5}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 100, weight: 0.2, delay_ms: [0.5, 2]}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 25, weight: 1.0, delay_ms: 1.5}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 25, weight: 1.0, delay_ms: [0, 1.5]}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 100, cv_indegree: 0.2, weight: 0.2}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 80, weight: 0.2}\n"
    "  - {pre: P, post: I, receptor: E, indegree: 10, weight: 0.3, delay_ms: [0.1, 0.5]}\n"
    "stats:\n"
    "  v_hist: {bins: 120, min_mV: -10, max_mV: 20, stride_steps: 3}\n"
    "  raster: {neurons: 25}\n"
    "  traces: {neurons: 2, stride_steps: 1}\n";

/* CPU against CUDA on the config in yaml, with the grid step and then the ordered one. */
static void compare_both_steps(const char *yaml, const char *what)
{
    cob_config c;
    char label[160];
    need_device();
    load_yaml(&c, yaml);
    snprintf(label, sizeof label, "%s, grid step", what);
    compare_backends(&c, COB_OK, label, NULL);
    c.run.integrator = COB_INTEGRATOR_ORDERED;
    snprintf(label, sizeof label, "%s, ordered step", what);
    compare_backends(&c, COB_OK, label, NULL);
    cob_config_free(&c);
}

Test(cuda, run_lif_curr)
{
    compare_both_steps(curr_yaml, "lif_curr, independent and pool input");
}

/* Time-varying inputs (issue 12): an independent Poisson population whose rate is a schedule
 * (heterogeneous in-degrees, so the per-step mean differs per neuron), a pool whose constant rate
 * the protocol perturbs (thinning), white noise whose mean the protocol perturbs, and protocol
 * windows (per-window statistics); a current-based E/I network with recurrent input. */
static const char *sched_yaml = TEST_SCHED_NET;

Test(cuda, run_scheduled_inputs)
{
    cob_config c;
    cob_stats a;
    need_device();
    load_yaml(&c, sched_yaml);
    compare_backends(&c, COB_OK, "scheduled rates and a protocol, grid step", &a);
    for (int p = 0; p < a.n_pops; ++p)
        for (int w = 0; w < 3; ++w)
            cr_expect(a.pop[p].win_n_isi[w] > 0, "pop %s window %d: no ISIs (the windows guard too little)",
                      a.pop[p].name, w);
    cob_stats_free(&a);
    c.run.integrator = COB_INTEGRATOR_ORDERED;
    compare_backends(&c, COB_OK, "scheduled rates and a protocol, ordered step", NULL);
    cob_config_free(&c);
}

/* A ring network with tuned inputs (issue 14): kernel projections, a tuned pool on its own ring
 * (thinning with the source's gain), an independent input tuned to its targets' angles (per-target
 * means), a tuned white-noise mean; both integrators. */
static const char *ring_tuned_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 80, seed: 13}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 300, ring_period_deg: 180, noise: {mu_mV_per_s: 300},\n"
    "     tuning: {shape: cosine, mu_c: 0.5, theta_deg: 100}}\n"
    "  - {name: I, model: lif_curr, size: 80, ring_period_deg: 180}\n"
    "  - {name: X, model: poisson, size: 300, rate_hz: 100, ring_period_deg: 180,\n"
    "     tuning: {shape: von_mises, kappa_mu: 2, theta_deg: 30}}\n"
    "  - {name: Y, model: poisson, size: 10, rate_hz: 150, input: independent,\n"
    "     tuning: {shape: cosine, mu_c: -0.8, theta_deg: 60}}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 30, weight: 0.5, delay_ms: [0.5, 2],\n"
    "     ring_kernel: {shape: von_mises, kappa: 2}}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 30, weight: 0.5, delay_ms: [0.5, 2],\n"
    "     ring_kernel: {shape: cosine, p_c: 0.6}}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 10, weight: 2, delay_ms: 1,\n"
    "     ring_kernel: {shape: wrapped_exp, lambda_deg: 40}}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 20, weight: 0.4}\n"
    "  - {pre: Y, post: E, receptor: E, indegree: 20, cv_indegree: 0.2, weight: 0.4}\n"
    "  - {pre: Y, post: I, receptor: E, indegree: 20, weight: 0.4}\n";

Test(cuda, run_ring_tuned_inputs)
{
    compare_both_steps(ring_tuned_yaml, "ring kernels and tuned inputs");
}

/* White-noise input with schedules (a mean ramp, a sigma step) and the threshold-crossing draw on
 * a current-based E/I network with recurrent input, and on an unconnected conductance-based
 * population; both integrators. */
static const char *noise_yaml = TEST_NOISE_NET;

Test(cuda, run_white_noise)
{
    compare_both_steps(noise_yaml, "white noise");
}

/* Checkpoint and resume on the device (docs/results.md, "Checkpoints"): the run stopped after a
 * step (inside the warm-up, at its end, within a graph chunk of the measurement, after the last
 * step), saved (device state copied to the host) and resumed in a new backend instance gives the
 * uninterrupted device run's statistics bit for bit; pool input with raster and traces, white noise,
 * the ordered step. Emulated: two stops per config. */
static void cuda_stop_and_resume(const cob_config *c, const char *what)
{
    cob_sim_options opt = {0};
    cob_sim_timing t;
    cob_stats full, s;
    cob_err err = {0};
    char ck[128], msg[512];
    int64_t warm = cob_steps(c->run.t_warmup_ms, c->run.dt_ms);
    int64_t total = warm + cob_steps(c->run.t_sim_ms, c->run.dt_ms);
#ifdef COBALT_CUDA_EMULATED
    const int64_t stops[] = {warm / 2 + 1, warm + (total - warm) / 2 + 3, 0};
#else
    const int64_t stops[] = {1, warm / 2 + 1, warm, warm + (total - warm) / 2 + 3, total, 0};
#endif
    snprintf(ck, sizeof ck, "/tmp/cobalt_cuda_ckpt_%d.ckpt", (int)getpid());
    opt.backend = COB_BACKEND_CUDA;
    opt.commit = "test";
    cr_assert_eq(cob_sim_run(c, &opt, &full, &t, &err), COB_OK, "%s: %s", what, err.msg);
    for (int k = 0; stops[k]; ++k) {
        cob_sim_options o = opt;
        o.checkpoint_path = ck;
        o.stop_at_step = stops[k];
        cr_assert_eq(cob_sim_run(c, &o, &s, &t, &err), COB_ERR_STOPPED, "%s: %s", what, err.msg);
        o.checkpoint_path = NULL;
        o.stop_at_step = 0;
        o.resume_path = ck;
        cr_assert_eq(cob_sim_run(c, &o, &s, &t, &err), COB_OK, "%s: resume: %s", what, err.msg);
        cr_expect_eq(cob_stats_first_difference(&full, &s, msg, sizeof msg), 0, "%s, stopped after step %lld: %s", what,
                     (long long)stops[k], msg);
        cob_stats_free(&s);
    }
    /* a CUDA checkpoint is refused by the CPU backend (another state layout) */
    opt.backend = COB_BACKEND_CPU;
    opt.resume_path = ck;
    cr_expect_eq(cob_sim_run(c, &opt, &s, &t, &err), COB_ERR_CONFIG, "%s", err.msg);
    cr_expect(strstr(err.msg, "written by the cuda backend") != NULL, "%s", err.msg);
    remove(ck);
    cob_stats_free(&full);
}

Test(cuda, checkpoint_resume_bit_identical)
{
    cob_config c;
    need_device();
    load_yaml(&c, TEST_SMALL_NET "stats: {raster: {neurons: 30}, traces: {neurons: 3, stride_steps: 7}}\n");
#ifdef COBALT_CUDA_EMULATED
    c.run.t_sim_ms = 60;
#endif
    cuda_stop_and_resume(&c, "pool input, grid step");
    c.run.integrator = COB_INTEGRATOR_ORDERED;
    cuda_stop_and_resume(&c, "pool input, ordered step");
    cob_config_free(&c);
    load_yaml(&c, noise_yaml);
#ifdef COBALT_CUDA_EMULATED
    c.run.t_sim_ms = 60;
#endif
    cuda_stop_and_resume(&c, "white noise");
    cob_config_free(&c);
}

/* Synapses with time constants: lif_cond_exp (E and I filtered) and lif_curr_exp (E filtered, I
 * delta) with recurrent, pool and independent input and white noise on one population. */
static const char *exp_yaml = TEST_EXP_NET;

Test(cuda, run_exp_synapses)
{
    cob_config c;
    need_device();
    load_yaml(&c, exp_yaml);
    c.stats.balance_neurons = 40; /* from the device run's counts and the host layout's partner draws */
    compare_backends(&c, COB_OK, "lif_cond_exp and lif_curr_exp, input balance", NULL);
    cob_config_free(&c);
}

/* Checkpoint and resume with synaptic state arrays on the device (as checkpoint_resume_bit_identical). */
Test(cuda, checkpoint_exp_synapses)
{
    cob_config c;
    need_device();
    load_yaml(&c, exp_yaml);
#ifdef COBALT_CUDA_EMULATED
    c.run.t_sim_ms = 60;
#endif
    cuda_stop_and_resume(&c, "lif_cond_exp and lif_curr_exp");
    cob_config_free(&c);
}

/* The per-phase kernel times come from the measured steps: with 300 warm-up steps and 40
 * measured ones, only those 40 are timed (the warm-up's steps replay the graph); without a
 * warm-up, the first 64 of 100 measured steps are. */
Test(cuda, timed_steps_are_measured_steps)
{
    static const char *const sets[2][2] = {{"run.t_warmup_ms=30", "run.t_sim_ms=4"},
                                           {"run.t_warmup_ms=0", "run.t_sim_ms=10"}};
    need_device();
    for (int k = 0; k < 2; ++k) {
        cob_config c;
        cob_stats st;
        cob_sim_timing tm;
        cob_sim_options opt = {0};
        cob_err err = {0};
        cr_assert_eq(cob_config_load_string(&c, TEST_SMALL_NET, "test.yaml", sets[k], 2, &err), COB_OK, "%s", err.msg);
        opt.backend = COB_BACKEND_CUDA;
        cr_assert_eq(cob_sim_run(&c, &opt, &st, &tm, &err), COB_OK, "%s", err.msg);
        cr_expect_eq(tm.dev_timed_steps, k == 0 ? 40 : 64, "%s: %lld timed steps", sets[k][1],
                     (long long)tm.dev_timed_steps);
        cr_expect_gt(tm.dev_update_us, 0.0);
        cr_expect_gt(tm.dev_deliver_us, 0.0);
        cr_expect_gt(tm.dev_plan_us, 0.0);
        cr_expect_leq(tm.dev_plan_us, tm.dev_deliver_us, "the plan kernel is part of delivery");
        cob_stats_free(&st);
        cob_config_free(&c);
    }
}

/* The Fig. 4 network (N = 22500 neurons, K = 1000, 2.9 x 10^7 synapses), shortened. Emulated
 * (COBALT_CUDA_EMULATED), 5 + 10 ms instead of 100 + 200 (300 steps; each emulated step takes
 * ~70 ms of CPU, so the full length would take minutes): E fires, and the whole network is built. */
Test(cuda, run_sanzeni2020_fig4_short)
{
#ifdef COBALT_CUDA_EMULATED
    static const char *const sets[] = {"run.t_sim_ms=10", "run.t_warmup_ms=5"};
#else
    static const char *const sets[] = {"run.t_sim_ms=200", "run.t_warmup_ms=100"};
#endif
    cob_config c;
    cob_err err = {0};
    need_device();
    half_the_cores(); /* the CPU reference is the slow part */
    cr_assert_eq(cob_config_load(&c, COBALT_SOURCE_DIR "/configs/sanzeni2020_fig4.yaml", sets, 2, &err), COB_OK, "%s",
                 err.msg);
    compare_backends(&c, COB_OK, "sanzeni2020_fig4, 100 + 200 ms", NULL);
    cob_config_free(&c);
}

/* The scale paths at a size the emulated tier can run (issue 11, build item 3). On a device the
 * builder's partner hash sets take COB_CUDA_HASH_BUDGET (1 GiB) per batch of targets, and the
 * expansion's one wave has ~2.7x10^5 threads, so only networks of 10^8 synapses and more take the
 * multi-batch build and many tiles of segments a block (perf/configs/check_scale.yaml, in
 * scripts/gpu-check.sh). The emulated build lowers the budget to 64 KiB (tests/CMakeLists.txt)
 * and its occupancy answers give 2 blocks of 256 threads, so this network of 8050 neurons takes
 * both: E -> E in 125 batches of 64 targets, and ~3x10^4 segments a step (a spike's row once for
 * each lag) for 512 threads, so every block takes many tiles. Its segments are of every shape:
 * ~1 synapse of ~100 in 101 delay groups, ~800 of 8000 in 11 groups, a whole row of one group (X
 * -> I). The builder sorts with 64-bit keys (COBALT_CUDA_KEYS=64, cob_cuda_key_bytes). E fires
 * fast (~130 Hz): a test of the paths, not a network state. The test checks the statistics are
 * identical, then that both paths were taken. Emulated: ~4 s (CPU backend 0.1 s). */
static void layout_ok(cob_net *net, const cob_config *c);

static const char *scale_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 5, t_sim_ms: 15, seed: 29}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 8000}\n"
    "  - {name: I, model: lif_cond, size: 50}\n"
    "  - {name: X, model: poisson, size: 4000, rate_hz: 250, input: pool}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 100, weight: 1.6e-3, delay_ms: [0, 10]}\n"
    "  - {pre: E, post: I, receptor: E, indegree: 100, weight: 1.6e-3, delay_ms: [0, 10]}\n"
    "  - {pre: I, post: E, receptor: I, indegree: 50, weight: 2.0e-2, delay_ms: [0, 1]}\n"
    "  - {pre: I, post: I, receptor: I, indegree: 40, weight: 8.0e-2, delay_ms: [0, 1]}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 100, weight: 2.0e-3, delay_ms: [0, 10]}\n"
    "  - {pre: X, post: I, receptor: E, indegree: 100, weight: 1.6e-3, delay_ms: 0.5}\n";

Test(cuda, run_scale_paths)
{
    cob_config c;
    cob_stats cpu;
    cob_err err = {0};
    int64_t threads = 0, cap = 32, batch, steps, segs = 0;
    cob_net lay;
    need_device();
    load_yaml(&c, scale_yaml);
    /* with 64-bit sort keys: a network takes them only past 2^32 (source, group) pairs */
    layout_ok(&lay, &c);
    cr_expect_eq(cob_cuda_key_bytes(&lay.proj[0]), 4, "E -> E: 8000 x 101 (source, group) pairs fit 32 bits");
    cr_assert_eq(setenv("COBALT_CUDA_KEYS", "64", 1), 0);
    cr_expect_eq(cob_cuda_key_bytes(&lay.proj[0]), 8, "COBALT_CUDA_KEYS=64 does not force 64-bit keys");
    compare_backends(&c, COB_OK, "scale paths (multi-batch build, many tiles, 64-bit keys)", &cpu);
    unsetenv("COBALT_CUDA_KEYS");
    cob_net_free(&lay);
    /* the builder's batches of E -> E (kernels/connect.cu: cap = 2 k_max rounded up to a power of
     * two, COB_CUDA_HASH_BUDGET / (4 cap) targets a batch); in-degree fixed at 100 */
    while (cap < 2 * 100) cap *= 2;
    batch = COB_CUDA_HASH_BUDGET / (cap * 4);
    cr_assert_eq(cob_cuda_test_expand_threads(&threads, &err), COB_OK, "%s", err.msg);
    steps = cob_steps(c.run.t_sim_ms, c.run.dt_ms);
    /* a spike is a segment once for each lag (delay group) of each stored projection out of its
     * population; the statistics have E and I, the pool X draws 4000 x 250 Hz x 0.1 ms = 100
     * spikes a step on average */
    layout_ok(&lay, &c);
    for (int p = 0; p < lay.n_projs; ++p) {
        const int pre = lay.proj[p].pre;
        const double spk = pre < cpu.n_pops && lay.pop_offset[pre] >= 0 ? (double)test_pop_spikes(&cpu, pre)
                                                                        : 100.0 * (double)steps;
        segs += (int64_t)(spk * lay.proj[p].n_dgrp);
    }
    cob_net_free(&lay);
    cr_log_info("scale paths: %lld build batches, %.1f segments per step for %lld threads",
                (long long)((8000 + batch - 1) / batch), (double)segs / (double)steps, (long long)threads);
#ifdef COBALT_CUDA_EMULATED
    cr_expect_gt(8000 / batch, 3, "E -> E built in %lld batch(es) only", (long long)((8000 + batch - 1) / batch));
    cr_expect_gt(segs, 4 * threads * steps, "%.1f segments per step for %lld threads: the blocks take one tile",
                 (double)segs / (double)steps, (long long)threads);
#endif
    cob_stats_free(&cpu);
    cob_config_free(&c);
}

/* Spike histories at their bound (cob_cuda_hist_capacity): E is driven so hard (mu_ext 20 V: one
 * step from reset crosses threshold) that every neuron fires as soon as its refractory period
 * ends, so a history of ~81 steps holds ceil(81 / gap) spikes a neuron, its capacity, with the
 * grid step (gap 3: 2 refractory steps, then the step that fires); the ordered step's gap is 2
 * steps of ticks and a spike's tick drifts, so some gaps are 3. A pool at 5 kHz (half the steps)
 * fills its statistical bound's mean. A capacity one spike short fails the CUDA run (the spikes
 * beyond it are counted as an internal error), and CPU and CUDA must agree. E's rate is checked
 * against the maximum 1 / (gap dt) (within 2% for the grid step, 10% for the ordered), so the
 * bound is reached, not merely approached. */
static const char *max_rate_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 2, t_sim_ms: 12, seed: 31}\n"
    "populations:\n"
    "  - {name: E, model: lif_curr, size: 150, tau_ref_ms: 0.2, mu_ext_mV: 20000}\n"
    "  - {name: X, model: poisson, size: 500, rate_hz: 5000, input: pool}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 20, weight: 0.01, delay_ms: [0.1, 8]}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 20, weight: 0.01, delay_ms: [0.1, 8]}\n";

Test(cuda, spike_history_at_capacity)
{
    cob_config c;
    cob_stats cpu;
    need_device();
    load_yaml(&c, max_rate_yaml);
    for (int ordered = 0; ordered < 2; ++ordered) {
        /* grid: 2 refractory steps follow a spike (gap 3 steps); ordered: 2 steps of ticks (gap 2) */
        const double gap = ordered ? 2.0 : 3.0, max_hz = 1e3 / (gap * c.run.dt_ms);
        c.run.integrator = ordered ? COB_INTEGRATOR_ORDERED : COB_INTEGRATOR_GRID;
        compare_backends(&c, COB_OK,
                         ordered ? "spike histories at capacity, ordered step"
                                 : "spike histories at capacity, grid step",
                         &cpu);
        cr_expect_gt(cpu.pop[0].mean_rate_hz, (ordered ? 0.9 : 0.98) * max_hz,
                     "E fires at %.1f Hz, the maximum is %.1f Hz", cpu.pop[0].mean_rate_hz, max_hz);
        cob_stats_free(&cpu);
    }
    cob_config_free(&c);
}

/* Five independent inputs onto one channel of E (same receptor and weight), 13100 expected
 * arrivals each per step: the sum is Poisson with mean 65500 (s.d. 256) plus the recurrent
 * arrivals on the same channel, so about half of the 16-bit cells saturate, by varying
 * amounts. Both backends must cap each (step, channel, neuron) count at 65535 and count the
 * same excess (docs/numerics.md, Overflow), and end with COB_ERR_OVERFLOW and full statistics. */
static const char *overflow_yaml =
    "run: {dt_ms: 0.1, t_warmup_ms: 0.5, t_sim_ms: 2, seed: 17}\n"
    "populations:\n"
    "  - {name: E, model: lif_cond, size: 37}\n"
    "  - {name: X, model: poisson, size: 1000, rate_hz: 131000, input: independent}\n"
    "projections:\n"
    "  - {pre: E, post: E, receptor: E, indegree: 36, weight: 0.001, delay_ms: [0.1, 0.3]}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 1000, weight: 0.001}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 1000, weight: 0.001}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 1000, weight: 0.001}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 1000, weight: 0.001}\n"
    "  - {pre: X, post: E, receptor: E, indegree: 1000, weight: 0.001}\n";

Test(cuda, overflow_counted_alike)
{
    cob_config c;
    cob_sim_options opt = {0};
    cob_sim_timing tm;
    cob_stats a, b;
    cob_err ec = {0}, eg = {0};
    char count[32], msg[512];
    need_device();
    load_yaml(&c, overflow_yaml);
    opt.backend = COB_BACKEND_CPU;
    cr_assert_eq(cob_sim_run(&c, &opt, &a, &tm, &ec), COB_ERR_OVERFLOW, "CPU: %s", ec.msg);
    /* the setting: cells saturate by ~100 arrivals on average (half of them by 0); a mean excess
     * of 1000 would mean every cell saturates by far and the cap is no longer probed at its edge */
    int64_t cells = (cob_steps(c.run.t_warmup_ms, c.run.dt_ms) + cob_steps(c.run.t_sim_ms, c.run.dt_ms)) * a.pop[0].n;
    cr_log_info("overflow: %lld arrivals lost over %lld cells", (long long)a.ring_overflow, (long long)cells);
    cr_assert_gt(a.ring_overflow, 0);
    cr_assert_lt(a.ring_overflow, cells * 1000, "%lld arrivals lost in %lld cells", (long long)a.ring_overflow,
                 (long long)cells);
    opt.backend = COB_BACKEND_CUDA;
    cr_assert_eq(cob_sim_run(&c, &opt, &b, &tm, &eg), COB_ERR_OVERFLOW, "CUDA: %s", eg.msg);
    cr_expect_eq(b.ring_overflow, a.ring_overflow, "lost arrivals: cuda %lld, cpu %lld", (long long)b.ring_overflow,
                 (long long)a.ring_overflow);
    snprintf(count, sizeof count, "%lld", (long long)a.ring_overflow);
    cr_expect(strstr(eg.msg, count) != NULL, "the CUDA message does not give the count %s: %s", count, eg.msg);
    cr_expect_not(cob_stats_first_difference(&a, &b, msg, sizeof msg), "statistics differ (cpu vs cuda): %s", msg);
    cob_stats_free(&a);
    cob_stats_free(&b);
    cob_config_free(&c);
}

/* 10^7 neurons with K = 10^4: 10^11 synapses, 400 GB of targets alone. The CUDA run must be
 * refused before allocating, with the estimate and the free device memory in GB; afterwards the
 * device must still run a small network. */
Test(cuda, too_big_for_device_refused)
{
    cob_config c;
    cob_sim_options opt = {0};
    cob_sim_timing tm;
    cob_stats st;
    cob_err err = {0};
    need_device();
    load_yaml(&c, "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 1}\n"
                  "populations:\n"
                  "  - {name: E, model: lif_cond, size: 10000000}\n"
                  "projections:\n"
                  "  - {pre: E, post: E, receptor: E, indegree: 10000, weight: 0.001, delay_ms: [0.1, 2]}\n");
    opt.backend = COB_BACKEND_CUDA;
    cob_status s = cob_sim_run(&c, &opt, &st, &tm, &err);
    cr_assert_eq(s, COB_ERR_NOMEM, "status %s: %s", cob_status_str(s), err.msg);
    cr_log_info("refusal: %s", err.msg);
    cr_expect(strstr(err.msg, "GB") != NULL, "the message gives no sizes in GB: %s", err.msg);
    cr_expect(strstr(err.msg, "device") != NULL, "the message does not say it is device memory: %s", err.msg);
    cr_expect_eq(st.n_pops, 0, "statistics left after a refused run");
    cob_config_free(&c);
    /* the refusal left the backend usable */
    load_yaml(&c, TEST_SMALL_NET);
    c.run.t_sim_ms = 20.0;
    cr_assert_eq(cob_sim_run(&c, &opt, &st, &tm, &err), COB_OK, "a small run after the refusal: %s", err.msg);
    cob_stats_free(&st);
    cob_config_free(&c);
}

/* ---- device memory estimate (host arithmetic, always runs) -------------------------------- */

static void layout_ok(cob_net *net, const cob_config *c)
{
    cob_err err = {0};
    cr_assert_eq(cob_config_check(c, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(cob_net_layout(net, c, &err), COB_OK, "%s", err.msg);
    cr_assert_null(net->proj[0].target, "cob_net_layout stored synapses");
}

/* The device estimate of config c on layout net (through its run plan). */
static void estimate(const cob_net *net, const cob_config *c, cob_cuda_mem *m)
{
    cob_plan plan;
    cob_err err = {0};
    cr_assert_eq(cob_plan_compile(&plan, c, net, &err), COB_OK, "%s", err.msg);
    cob_cuda_memory_estimate(net, &plan, m);
    cob_plan_free(&plan);
}

static void check_estimate_parts(const cob_config *c, const char *what)
{
    cob_net net;
    cob_cuda_mem m;
    layout_ok(&net, c);
    memset(&m, 0xA5, sizeof m);
    estimate(&net, c, &m);
    int64_t n_syn = cob_net_n_synapses(&net);
    cr_log_info("%s: connectivity %lld, state %lld, delivery %lld, stats %lld, resident %lld, build peak %lld "
                "bytes; %lld synapses",
                what, (long long)m.connectivity, (long long)m.state, (long long)m.delivery, (long long)m.stats,
                (long long)m.resident, (long long)m.build_peak, (long long)n_syn);
    cr_expect_eq(m.resident, m.connectivity + m.state + m.delivery + m.stats,
                 "%s: resident is not the sum of the parts", what);
    cr_expect_geq(m.connectivity, 4 * n_syn, "%s: %lld bytes of connectivity for %lld int32 targets", what,
                  (long long)m.connectivity, (long long)n_syn);
    {
        /* delivery: one step's counts (channels x neurons x 4) at least; at most that plus every
         * population's worst-case history (a spike a step for ring_slots steps, 5 bytes with
         * offsets), its slots' counts and starts, and 16 bytes a (projection, lag) pair */
        const int64_t acc = (int64_t)net.n_channels_max * net.n_neurons * 4;
        int64_t worst = acc + 8 + 16 * (int64_t)cob_cuda_arrival_pairs(&net);
        for (int p = 0; p < net.n_pops; ++p) worst += (int64_t)net.ring_slots * (5 * net.pop_size[p] + 12);
        cr_expect_geq(m.delivery, acc, "%s: delivery %lld bytes, less than one step's counts (%lld)", what,
                      (long long)m.delivery, (long long)acc);
        cr_expect_leq(m.delivery, worst, "%s: delivery %lld bytes, more than the worst case %lld", what,
                      (long long)m.delivery, (long long)worst);
    }
    cr_expect_gt(m.state, 0, "%s", what);
    cr_expect_gt(m.stats, 0, "%s", what);
    if (n_syn > 0)
        cr_expect_gt(m.build_peak, m.resident, "%s: building %lld synapses needs no transient memory?", what,
                     (long long)n_syn);
    else
        cr_expect_geq(m.build_peak, m.resident, "%s", what);
    cob_net_free(&net);
}

Test(cuda, memory_estimate_parts)
{
    cob_config c;
    load_yaml(&c, TEST_SMALL_NET);
    check_estimate_parts(&c, "small E/I/X network");
    cob_config_free(&c);
    build_config(&c, 1);
    c.pops[2].input_mode = COB_INPUT_INDEPENDENT;
    c.projs[0].cv_indegree = 0.3;
    c.stats.raster_neurons = 10;
    c.stats.trace_neurons = 2;
    check_estimate_parts(&c, "independent input, raster and traces");
}

/* More synapses, more connectivity bytes (at least 4 per added target); a raster costs
 * statistics memory. */
Test(cuda, memory_estimate_grows)
{
    cob_config c;
    cob_net net;
    cob_cuda_mem m1, m2, m3;
    int64_t n1, n2;
    build_config(&c, 1);
    layout_ok(&net, &c);
    estimate(&net, &c, &m1);
    n1 = cob_net_n_synapses(&net);
    cob_net_free(&net);
    for (int p = 0; p < c.n_projs; ++p) c.projs[p].indegree *= 2;
    layout_ok(&net, &c);
    estimate(&net, &c, &m2);
    n2 = cob_net_n_synapses(&net);
    cob_net_free(&net);
    cr_assert_gt(n2, n1);
    cr_expect_geq(m2.connectivity - m1.connectivity, 4 * (n2 - n1),
                  "doubling K (%lld -> %lld synapses): "
                  "connectivity %lld -> %lld bytes",
                  (long long)n1, (long long)n2, (long long)m1.connectivity, (long long)m2.connectivity);
    build_config(&c, 1);
    c.stats.raster_neurons = 100;
    layout_ok(&net, &c);
    estimate(&net, &c, &m3);
    cob_net_free(&net);
    cr_expect_gt(m3.stats, m1.stats, "a raster costs no memory: %lld vs %lld bytes", (long long)m3.stats,
                 (long long)m1.stats);
}

/* K = 1000 onto 4000 neurons from 4000 sources with delays of 1 .. 10 steps: the CSR holds 4-byte
 * targets plus per-row pointers and 11 delay-group offsets, amortised over ~1000 synapses a row:
 * about 4.06 bytes per synapse; under 4.5 leaves room for a compressed form, not for a second
 * per-synapse array. Layout only (in-degrees), so it is cheap. */
Test(cuda, bytes_per_synapse)
{
    cob_config c;
    cob_net net;
    cob_config_defaults(&c);
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, 4000);
    int x = test_add_pop(&c, "X", COB_MODEL_POISSON, 4000);
    add_proj(&c, e, e, COB_RECEPTOR_E, 1000, 0.1, 1.0);
    add_proj(&c, x, e, COB_RECEPTOR_E, 1000, 0.1, 1.0);
    layout_ok(&net, &c);
    double b = cob_cuda_bytes_per_synapse(&net);
    cr_log_info("bytes per synapse: %.4f", b);
    cr_expect_geq(b, 4.0, "%.4f bytes per synapse: less than an int32 target", b);
    cr_expect_lt(b, 4.5, "%.4f bytes per synapse for K = 1000 with 10 delays", b);
    cob_net_free(&net);
    /* no stored synapses: 0 */
    c.pops[x].input_mode = COB_INPUT_INDEPENDENT;
    c.n_projs = 1;
    c.projs[0].pre = x;
    layout_ok(&net, &c);
    cr_expect_eq(cob_cuda_bytes_per_synapse(&net), 0.0);
    cob_net_free(&net);
}

/* Bytes per synapse of E -> I (n neurons each, so rows of about K) with delays of 1 .. 200 steps
 * (delay_ms [0.1, 20] at dt = 0.1 ms), from the layout. */
static double ei_bytes_per_synapse(int64_t n, double k)
{
    cob_config c;
    cob_net net;
    double b;
    cob_config_defaults(&c);
    c.run.dt_ms = 0.1;
    int e = test_add_pop(&c, "E", COB_MODEL_LIF_COND, n);
    int i = test_add_pop(&c, "I", COB_MODEL_LIF_COND, n);
    add_proj(&c, e, i, COB_RECEPTOR_E, k, 0.1, 20.0);
    layout_ok(&net, &c);
    cr_assert_eq(net.proj[0].n_dgrp, 200, "%d delay groups", net.proj[0].n_dgrp);
    b = cob_cuda_bytes_per_synapse(&net);
    cob_net_free(&net);
    cob_config_free(&c);
    return b;
}

/* Issue 11: 200 delay groups in rows of K = 100 would cost 2 x 201 / 100 = 4.02 bytes a synapse
 * in dense 16-bit offsets (7.1 in all); the sampled layout (cob_dlayout_choose) stays under 4.5
 * at K = 100, 300 and 1000, for 10-bit (n = 1000) and 17-bit (n = 10^5) targets. */
Test(cuda, bytes_per_synapse_many_delays)
{
    static const struct {
        int64_t n;
        double k;
    } cases[] = {{1000, 100}, {1000, 300}, {100000, 100}, {100000, 300}, {100000, 1000}};
    for (size_t q = 0; q < sizeof cases / sizeof cases[0]; ++q) {
        double b = ei_bytes_per_synapse(cases[q].n, cases[q].k);
        cr_log_info("E -> I, n = %lld, K = %g, 200 delay groups: %.4f bytes per synapse", (long long)cases[q].n,
                    cases[q].k, b);
        cr_expect_geq(b, 4.0, "n = %lld, K = %g: %.4f bytes per synapse, less than a 4-byte word",
                      (long long)cases[q].n, cases[q].k, b);
        cr_expect_lt(b, 4.5, "n = %lld, K = %g: %.4f bytes per synapse with 200 delay groups", (long long)cases[q].n,
                     cases[q].k, b);
    }
}

/* The layout choice on its own: each form and its limits. */
Test(cuda, dlayout_choice)
{
    cob_dlayout l;
    /* K = 1000, 11 offsets a row: 0.02 bytes a synapse, dense */
    cob_dlayout_choose(4000, 4000, 4000000, 10, -1, &l);
    cr_expect(l.shift == 0 && l.n_off == 11 && l.off_bytes == 2, "K = 1000, 10 delays: shift %d, %d offsets a row",
              l.shift, l.n_off);
    /* rows of 100 in 200 groups: samples every 16th group, 12 a row (0.24 bytes a synapse) */
    cob_dlayout_choose(1000, 1000, 100000, 200, -1, &l);
    cr_expect(l.shift == 4 && l.n_off == 12 && l.off_bytes == 2 && l.tbits == 10,
              "K = 100, 200 delays: shift %d, %d offsets a row of %d bytes, %d target bits", l.shift, l.n_off,
              l.off_bytes, l.tbits);
    /* one delay group in rows of 10: the two offsets would cost 0.4 bytes a synapse; none kept */
    cob_dlayout_choose(1000, 1000, 10000, 1, -1, &l);
    cr_expect(l.shift == 1 && l.n_off == 0, "one delay, K = 10: shift %d, %d offsets a row", l.shift, l.n_off);
    /* the real longest row picks 32-bit offsets; 5000 groups in a row of 70000 still sampled */
    cob_dlayout_choose(1, 1000, 70000, 5000, 70000, &l);
    cr_expect(l.shift == 1 && l.n_off == 2499 && l.off_bytes == 4, "a row of 70000: shift %d, %d offsets of %d bytes",
              l.shift, l.n_off, l.off_bytes);
    cob_dlayout_choose(1, 1000, 70000, 5000, 60000, &l);
    cr_expect_eq(l.off_bytes, 2, "a longest row of 60000 needs only 16-bit offsets");
    /* 25 target bits and 8 group bits do not fit one word: dense */
    cob_dlayout_choose(1000, 1 << 25, 100000, 256, -1, &l);
    cr_expect(l.shift == 0 && l.n_off == 257, "2^25 targets, 256 delays: shift %d, %d offsets a row", l.shift, l.n_off);
    cob_dlayout_choose(1000, 1 << 24, 100000, 256, -1, &l);
    cr_expect(l.shift > 0 && l.tbits == 24, "2^24 targets, 256 delays: shift %d, %d target bits", l.shift, l.tbits);
}

/* ---- the command line (always runs) ----------------------------------------------------- */

/* Run `cobalt ARGS` in dir; stdout and stderr into out/err (caller frees); returns the exit code. */
static int run_cli(const char *dir, const char *args, char **out, char **err)
{
    char cmd[2048], po[512], pe[512];
    int rc;
    snprintf(po, sizeof po, "%s/stdout", dir);
    snprintf(pe, sizeof pe, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && OMP_NUM_THREADS=1 '%s' %s > '%s' 2> '%s'", dir, COBALT_CLI, args, po, pe);
    rc = system(cmd);
    cr_assert(WIFEXITED(rc), "%s did not exit", COBALT_CLI);
    for (int k = 0; k < 2; ++k) {
        char **dst = k ? err : out;
        FILE *f = fopen(k ? pe : po, "r");
        long n;
        cr_assert_not_null(f);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        *dst = calloc((size_t)n + 1, 1);
        cr_assert_not_null(*dst);
        cr_assert_eq(fread(*dst, 1, (size_t)n, f), (size_t)n);
        fclose(f);
    }
    return WEXITSTATUS(rc);
}

/* `cobalt run --backend cuda`: without a usable device, exit code 5 (README: no CUDA device or
 * CUDA error), a message naming the option and the problem, no result file; with one, a run
 * on the CUDA backend. */
Test(cuda, cli_backend_cuda)
{
    char dir[64] = "/tmp/cobalt_cuda_XXXXXX", path[128], cmd[160], *out, *err;
    struct stat sb;
    FILE *f;
    int rc;
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(TEST_SMALL_NET, f);
    fclose(f);
    rc = run_cli(dir, "run net.yaml --backend cuda --set run.t_sim_ms=50 --out res.h5", &out, &err);
    snprintf(path, sizeof path, "%s/res.h5", dir);
    if (cob_cuda_available()) {
        char want[96];
        cr_expect_eq(rc, 0, "exit code %d: %s", rc, err);
        snprintf(want, sizeof want, "\"backend\":\"%s\"", cob_cuda_backend()->name);
        cr_expect(strstr(out, want) != NULL, "no %s in the summary: %s", want, out);
        cr_expect_eq(stat(path, &sb), 0, "no result file");
    } else {
        cr_expect_eq(rc, cob_status_exit_code(COB_ERR_NO_DEVICE), "exit code %d: %s", rc, err);
        cr_expect_eq(rc, 5, "README documents exit code 5 for a missing CUDA device, got %d", rc);
        cr_expect(strstr(err, "--backend cuda") != NULL, "the message does not name the option: %s", err);
        cr_expect(strstr(err, "CUDA") != NULL, "the message does not name the problem: %s", err);
        cr_expect_eq(out[0], '\0', "stdout not empty: %s", out);
        cr_expect_neq(stat(path, &sb), 0, "a result file was written");
    }
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}
