/* tests/test_philox.c -- the counter-based generator of include/cobalt/hd/philox.h.
 * The raw bijection against the Random123 known-answer vectors (tests/kat_vectors of
 * DEShawResearch/random123, the three "philox4x32 10" lines), cobalt's keying convention
 * (seed, stream, index, sub) -> (key, counter), the sequential lane reader, the bounded integer
 * draw (range, uniformity by chi-square, no modulo bias) and the (0, 1] conversion.
 *
 * Statistical checks use fixed seeds, so they are deterministic; their critical values are the
 * chi-square (or normal) quantiles at a false-alarm probability of 1e-6 for a perfect generator.
 * The faults they guard against (a missing rejection step, a wrong word or block order) give
 * statistics hundreds of times larger. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "cobalt/hd/philox.h"

typedef struct {
    uint32_t ctr[4], key[2], out[4];
} kat;

/* Random123 tests/kat_vectors, "philox4x32 10": CTR[4] KEY[2] -> EXPECTED[4]. */
static const kat kats[3] = {
    {{0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u},
     {0x00000000u, 0x00000000u},
     {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
    {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
     {0xffffffffu, 0xffffffffu},
     {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
    {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
     {0xa4093822u, 0x299f31d0u},
     {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
};

Test(philox, known_answer_vectors)
{
    for (int k = 0; k < 3; ++k) {
        cob_u32x4 c, r;
        for (int w = 0; w < 4; ++w) c.v[w] = kats[k].ctr[w];
        r = cob_philox4x32_10(c, kats[k].key[0], kats[k].key[1]);
        for (int w = 0; w < 4; ++w)
            cr_expect_eq(r.v[w], kats[k].out[w], "vector %d word %d: got 0x%08x, expected 0x%08x", k, w, r.v[w],
                         kats[k].out[w]);
    }
}

/* cob_philox(seed, stream, index, sub): key = (seed_lo, seed_hi), counter = {index, sub_lo,
 * sub_hi, stream}. The CUDA side must key cuRAND the same way, so the convention is pinned. */
Test(philox, keying_convention)
{
    uint64_t seed = 0x299f31d0a4093822ull, sub = 0x13198a2e85a308d3ull;
    cob_u32x4 r = cob_philox(seed, 0x03707344u, 0x243f6a88u, sub);
    for (int w = 0; w < 4; ++w) cr_expect_eq(r.v[w], kats[2].out[w], "word %d", w);
    /* Each argument changes the output. */
    cob_u32x4 base = cob_philox(7, 3, 11, 5);
    cob_u32x4 other[4] = {cob_philox(8, 3, 11, 5), cob_philox(7, 4, 11, 5), cob_philox(7, 3, 12, 5),
                          cob_philox(7, 3, 11, 6)};
    for (int a = 0; a < 4; ++a)
        cr_expect(base.v[0] != other[a].v[0] || base.v[1] != other[a].v[1], "argument %d ignored", a);
}

Test(philox, lane_reads_blocks_in_order)
{
    cob_rng_lane l;
    cob_rng_lane_init(&l, 42, COB_STREAM(COB_STREAM_PARTNERS, 3), 17);
    for (uint64_t b = 0; b < 5; ++b) {
        cob_u32x4 w = cob_philox(42, COB_STREAM(COB_STREAM_PARTNERS, 3), 17, b);
        for (int k = 0; k < 4; ++k)
            cr_assert_eq(cob_rng_lane_u32(&l), w.v[k], "block %llu word %d", (unsigned long long)b, k);
    }
}

Test(philox, streams_are_distinct)
{
    cr_expect_eq(COB_STREAM(COB_STREAM_DELAYS, 2), 3u + 32u);
    for (uint32_t a = 0; a < 64; ++a)
        for (uint32_t b = 0; b < 64; ++b)
            if (a != b)
                cr_assert_neq(COB_STREAM(1 + a % 6, a / 6), COB_STREAM(1 + b % 6, b / 6));
}

Test(philox, below_in_range)
{
    static const uint32_t ns[] = {1u, 2u, 3u, 7u, 10u, 1000u, 0x80000001u, 0xC0000000u, 0xFFFFFFFFu};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; ++k) {
        cob_rng_lane l;
        cob_rng_lane_init(&l, 99, 1, (uint32_t)k);
        for (int i = 0; i < 20000; ++i) {
            uint32_t x = cob_rng_lane_below(&l, ns[k]);
            cr_assert_lt(x, ns[k], "below(%u) returned %u", ns[k], x);
        }
    }
}

/* Pearson chi-square of counts against equal expectations. */
static double chi2_uniform(const uint64_t *cnt, int bins, double n)
{
    double e = n / bins, x = 0.0;
    for (int b = 0; b < bins; ++b) x += (cnt[b] - e) * (cnt[b] - e) / e;
    return x;
}

/* Ten values, 10^5 draws: chi-square with 9 d.o.f.; P(chi2_9 > 44.81) = 1e-6. */
Test(philox, below_uniform_small_n)
{
    uint64_t cnt[10] = {0};
    const int n = 100000;
    cob_rng_lane l;
    cob_rng_lane_init(&l, 12345, COB_STREAM(COB_STREAM_DELAYS, 0), 0);
    for (int i = 0; i < n; ++i) cnt[cob_rng_lane_below(&l, 10)] += 1;
    double x = chi2_uniform(cnt, 10, n);
    cr_expect_lt(x, 44.81, "chi-square %.2f over 10 values (9 d.o.f., 1e-6 critical value 44.81)", x);
}

/* A large range in ten equal bins, same critical value. */
Test(philox, below_uniform_large_n)
{
    uint64_t cnt[10] = {0};
    const uint32_t range = 4000000000u;
    const int n = 100000;
    cob_rng_lane l;
    cob_rng_lane_init(&l, 777, COB_STREAM(COB_STREAM_PARTNERS, 1), 5);
    for (int i = 0; i < n; ++i) cnt[cob_rng_lane_below(&l, range) / (range / 10)] += 1;
    double x = chi2_uniform(cnt, 10, n);
    cr_expect_lt(x, 44.81, "chi-square %.2f over 10 bins (9 d.o.f., 1e-6 critical value 44.81)", x);
}

/* n = 3 * 2^30: 2^32 / n = 4/3, so a multiply-shift without Lemire's rejection gives every value
 * j with j % 3 == 0 two preimages and the others one: P(j % 3 == 0) = 1/2 instead of 1/3. A
 * classes-mod-3 chi-square (2 d.o.f., 1e-6 critical value 27.63) would be ~ 2.5e4 then. */
Test(philox, below_no_bias)
{
    uint64_t cnt[3] = {0};
    const int n = 200000;
    cob_rng_lane l;
    cob_rng_lane_init(&l, 2024, COB_STREAM(COB_STREAM_PARTNERS, 0), 9);
    for (int i = 0; i < n; ++i) cnt[cob_rng_lane_below(&l, 0xC0000000u) % 3] += 1;
    double x = chi2_uniform(cnt, 3, n);
    cr_expect_lt(x, 27.63, "chi-square %.2f over residues mod 3 (2 d.o.f., 1e-6 critical value 27.63)", x);
}

Test(philox, u01_bounds)
{
    /* Extremes of the 53-bit mantissa: the smallest value is 2^-53, the largest exactly 1. */
    cr_expect_eq(cob_u01_double(0, 0), 1.0 / 9007199254740992.0);
    cr_expect_eq(cob_u01_double(0xFFFFFFFFu, 0xFFFFFFFFu), 1.0);
    double lo = 2.0, hi = -1.0, s = 0.0;
    const int n = 400000;
    for (int i = 0; i < n / 2; ++i) {
        cob_u32x4 w = cob_philox(5, COB_STREAM(COB_STREAM_VINIT, 0), (uint32_t)i, 0);
        double u[2] = {cob_u01_double(w.v[0], w.v[1]), cob_u01_double(w.v[2], w.v[3])};
        for (int k = 0; k < 2; ++k) {
            lo = fmin(lo, u[k]);
            hi = fmax(hi, u[k]);
            s += u[k];
        }
    }
    cr_expect_gt(lo, 0.0);
    cr_expect_leq(hi, 1.0);
    /* Mean of U(0, 1]: 1/2 with s.e. sqrt(1/12 / n) = 4.6e-4; bound 5 s.e. */
    double se = sqrt(1.0 / 12.0 / n);
    cr_expect_lt(fabs(s / n - 0.5), 5.0 * se, "mean %.6f", s / n);
}
