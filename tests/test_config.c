/* tests/test_config.c -- the YAML config loader (host/config*.c): a valid config gives the
 * right values and defaults; every kind of bad input is refused with COB_ERR_CONFIG (or
 * COB_ERR_IO) and a message that names the file, the line, the key path and the value;
 * --set overrides pass the same checks and are recorded in c->text. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "cobalt/config.h"
#include "cobalt/net.h"
#include "test_util.h"

/* Line numbers below refer to this text. */
static const char *good_yaml =
    "run:\n"                                            /* 1 */
    "  dt_ms: 0.05\n"                                   /* 2 */
    "  t_sim_ms: 500\n"                                 /* 3 */
    "  seed: 7\n"                                       /* 4 */
    "populations:\n"                                    /* 5 */
    "  - name: E\n"                                     /* 6 */
    "    model: lif_cond\n"                             /* 7 */
    "    size: 800\n"                                   /* 8 */
    "    jump: exp\n"                                   /* 9 */
    "  - name: I\n"                                     /* 10 */
    "    model: lif_curr\n"                             /* 11 */
    "    size: 200\n"                                   /* 12 */
    "    mu_ext_mV: 5\n"                                /* 13 */
    "    v_init_mV: [-70, -60]\n"                       /* 14 */
    "  - name: X\n"                                     /* 15 */
    "    model: poisson\n"                              /* 16 */
    "    size: 1e3\n"                                   /* 17 */
    "    rate_hz: 10\n"                                 /* 18 */
    "projections:\n"                                    /* 19 */
    "  - pre: X\n"                                      /* 20 */
    "    post: E\n"                                     /* 21 */
    "    receptor: E\n"                                 /* 22 */
    "    indegree: 100\n"                               /* 23 */
    "    weight: 0.01\n"                                /* 24 */
    "    delay_ms: [0.5, 2]\n"                          /* 25 */
    "  - pre: E\n"                                      /* 26 */
    "    post: I\n"                                     /* 27 */
    "    receptor: I\n"                                 /* 28 */
    "    indegree: 50\n"                                /* 29 */
    "    weight: 0.2\n"                                 /* 30 */
    "    multapses: yes\n"                              /* 31 */
    "stats:\n"                                          /* 32 */
    "  v_hist: {bins: 20, min_mV: -90, max_mV: -40}\n"; /* 33 */

/* A one-population config with extra lines for population E appended. */
static char *one_pop(const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "populations:\n"        /* 1 */
             "  - name: E\n"         /* 2 */
             "    model: lif_cond\n" /* 3 */
             "    size: 100\n"       /* 4 */
             "%s",                   /* 5 ... */
             extra);
    return buf;
}

static void assert_has(const char *msg, const char *needle)
{
    cr_assert(strstr(msg, needle) != NULL, "message \"%s\" lacks \"%s\"", msg, needle);
}

/* Load text as name with n_sets overrides; expect status want; return the message. */
static const char *load_fails(const char *text, const char *name, const char *const *sets, int n_sets, cob_status want)
{
    static cob_err err;
    cob_config c;
    memset(&err, 0, sizeof err);
    cob_status st = cob_config_load_string(&c, text, name, sets, n_sets, &err);
    cr_assert_eq(st, want, "status %d, want %d: %s", st, want, err.msg);
    cr_assert_null(c.text, "failed load leaves text allocated");
    return err.msg;
}

Test(config, valid_values_and_defaults)
{
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, good_yaml, "good.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_assert_float_eq(c.run.dt_ms, 0.05, 1e-15);
    cr_assert_float_eq(c.run.t_sim_ms, 500.0, 1e-12);
    cr_assert_float_eq(c.run.t_warmup_ms, 200.0, 1e-12); /* default */
    cr_assert_eq(c.run.seed, 7);
    cr_assert_eq(c.n_pops, 3);
    cr_assert_str_eq(c.pops[0].name, "E");
    cr_assert_eq(c.pops[0].model, COB_MODEL_LIF_COND);
    cr_assert_eq(c.pops[0].size, 800);
    cr_assert_eq(c.pops[0].lif.jump, COB_JUMP_EXP);
    cr_assert_float_eq(c.pops[0].lif.tau_m_ms, 20.0, 1e-12);
    cr_assert_float_eq(c.pops[0].lif.e_i_mV, -75.0, 1e-12);
    cr_assert_float_eq(c.pops[0].lif.v_init_min_mV, -65.0, 1e-12); /* [v_reset, v_th] */
    cr_assert_float_eq(c.pops[0].lif.v_init_max_mV, -55.0, 1e-12);
    cr_assert_eq(c.pops[0].line, 6);
    cr_assert_eq(c.pops[1].model, COB_MODEL_LIF_CURR);
    cr_assert_float_eq(c.pops[1].lif.mu_ext_mV, 5.0, 1e-12);
    cr_assert_float_eq(c.pops[1].lif.v_init_min_mV, -70.0, 1e-12);
    cr_assert_float_eq(c.pops[1].lif.v_init_max_mV, -60.0, 1e-12);
    cr_assert_eq(c.pops[2].model, COB_MODEL_POISSON);
    cr_assert_eq(c.pops[2].size, 1000); /* 1e3 is an exact integer */
    cr_assert_float_eq(c.pops[2].rate_hz, 10.0, 1e-12);
    cr_assert_eq(c.pops[2].input_mode, COB_INPUT_POOL);
    cr_assert_eq(c.n_projs, 2);
    cr_assert_eq(c.projs[0].pre, 2);
    cr_assert_eq(c.projs[0].post, 0);
    cr_assert_eq(c.projs[0].receptor, COB_RECEPTOR_E);
    cr_assert_float_eq(c.projs[0].indegree, 100.0, 1e-12);
    cr_assert_float_eq(c.projs[0].weight, 0.01, 1e-15);
    cr_assert_float_eq(c.projs[0].delay_min_ms, 0.5, 1e-12);
    cr_assert_float_eq(c.projs[0].delay_max_ms, 2.0, 1e-12);
    cr_assert_eq(c.projs[0].line, 20);
    cr_assert_eq(c.projs[1].receptor, COB_RECEPTOR_I);
    cr_assert_float_eq(c.projs[1].delay_min_ms, 0.05, 1e-15); /* default [dt, dt] */
    cr_assert_float_eq(c.projs[1].delay_max_ms, 0.05, 1e-15);
    cr_assert_eq(c.projs[1].allow_multapses, 1);
    cr_assert_eq(c.projs[1].allow_autapses, 0);
    cr_assert_eq(c.stats.v_hist_bins, 20);
    cr_assert_float_eq(c.stats.v_hist_min_mV, -90.0, 1e-12);
    cr_assert_eq(c.stats.rate_hist_bins, 60); /* defaults */
    cr_assert_eq(c.stats.raster_max_spikes, 10000000);
    cr_assert_eq(c.stats.v_sample_stride_steps, 10);
    cr_assert_str_eq(c.path, "good.yaml");
    cr_assert_str_eq(c.text, good_yaml);
    cr_assert_eq(cob_config_check(&c, &err), COB_OK, "%s", err.msg);
    cob_config_free(&c);
    cr_assert_null(c.text);
}

Test(config, steps_round_and_clamp)
{
    cr_assert_eq(cob_steps(1000.0, 0.1), 10000);
    cr_assert_eq(cob_steps(0.26, 0.1), 3);
    cr_assert_eq(cob_steps(-5.0, 0.1), 0);
    cr_assert_eq(cob_steps(1.0, 0.0), 0);
}

/* Every duration becomes steps with an overflow check, and a run measures at least one step:
 * t_warmup_ms = 1e300 ran with a negative step count, t_sim_ms = 1e300 failed later naming a
 * population, a t_sim_ms under one step measured nothing; all exited as if fine. */
Test(config, durations_fit_in_steps)
{
    struct {
        const char *set, *want;
    } bad[] = {
        {"run.t_warmup_ms=1e300", "--set run.t_warmup_ms=1e300: value \"1e+300\" is 2e+301 steps of dt_ms = 0.05 "
                                  "(allowed: warm-up plus measurement at most 9007199254740992 steps)"},
        {"run.t_sim_ms=1e300", "--set run.t_sim_ms=1e300: value \"1e+300\" is 2e+301 steps of dt_ms = 0.05"},
        {"run.t_sim_ms=0.01", "--set run.t_sim_ms=0.01: value \"0.01\" is 0 steps of dt_ms = 0.05 (allowed: at "
                              "least one measured step"},
        {"stats.pop_rate_bin_ms=1e300", "--set stats.pop_rate_bin_ms=1e300: value \"1e+300\" is 2e+301 steps"},
        {"populations.E.tau_ref_ms=1e300", "populations[0].tau_ref_ms: value \"1e+300\" is 2e+301 steps of dt_ms = "
                                           "0.05 (allowed: a refractory period of at most 2147483647 steps)"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *sets[] = {bad[k].set};
        assert_has(load_fails(good_yaml, "d.yaml", sets, 1, COB_ERR_CONFIG), bad[k].want);
    }
    const char *sum[] = {"run.t_warmup_ms=2e14", "run.t_sim_ms=2.6e14"}; /* 4e15 + 5.2e15 steps > 2^53 */
    assert_has(load_fails(good_yaml, "d.yaml", sum, 2, COB_ERR_CONFIG),
               "--set run.t_sim_ms=2.6e14: value \"2.6e+14\" is 5.2e+15 steps of dt_ms = 0.05 (allowed: measurement "
               "at most 5007199254740992 steps after the warm-up");
    const char *fine[] = {"run.t_sim_ms=0.05", "run.t_warmup_ms=4.4e14"}; /* one step; 8.8e15 steps */
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, good_yaml, "d.yaml", fine, 2, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(cob_steps(c.run.t_sim_ms, c.run.dt_ms), 1);
    cob_config_free(&c);
}

Test(config, unknown_key)
{
    const char *m = load_fails("run:\n  dtms: 0.1\n"
                               "populations: []\n",
                               "u.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "u.yaml:2: run.dtms: unknown key (allowed: dt_ms, t_sim_ms, "
                        "t_warmup_ms, seed, integrator)");
    m = load_fails(one_pop("    colour: red\n"), "u.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "u.yaml:5: populations[0].colour: unknown key (allowed: name, model, size,");
    m = load_fails(one_pop("stat:\n  min_isi: 3\n"), "u.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "u.yaml:5: stat: unknown key (allowed: run, populations, projections, stats, protocol, sweep)");
}

Test(config, wrong_type)
{
    const char *m = load_fails(one_pop("run:\n  seed: abc\n"), "w.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "w.yaml:6: run.seed: wrong type: expected an integer, got \"abc\"");
    m = load_fails("populations:\n  - name: E\n    model: lif_cond\n    size: 2.5\n", "w.yaml", NULL, 0,
                   COB_ERR_CONFIG);
    cr_assert_str_eq(m, "w.yaml:4: populations[0].size: wrong type: expected an integer, got "
                        "\"2.5\"");
    m = load_fails(one_pop("    tau_m_ms: {a: 1}\n"), "w.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "w.yaml:5: populations[0].tau_m_ms: wrong type: expected a number, got a "
                  "mapping");
    m = load_fails(one_pop("    tau_m_ms: \"20\"\n"), "w.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "w.yaml:5: populations[0].tau_m_ms: wrong type: expected a number, got the "
                  "quoted string \"20\"");
    m = load_fails(one_pop("run: 5\n"), "w.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "w.yaml:5: run: wrong type: expected a mapping with keys dt_ms,");
}

Test(config, out_of_range)
{
    const char *m = load_fails("populations:\n  - name: E\n    model: lif_cond\n    size: -5\n", "r.yaml", NULL, 0,
                               COB_ERR_CONFIG);
    cr_assert_str_eq(m, "r.yaml:4: populations[0].size: value \"-5\" out of range (allowed: "
                        "integer 1 .. 2147483647)");
    m = load_fails(one_pop("run: {dt_ms: 0}\n"), "r.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "r.yaml:5: run.dt_ms: value \"0\" out of range (allowed: number > 0 "
                        "and <= 1)");
    m = load_fails(one_pop("    v_reset_mV: -50\n"), "r.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "r.yaml:5: populations[0].v_reset_mV: value \"-50\" out of range "
                        "(allowed: < v_th_mV = -55)");
    m = load_fails(one_pop("stats:\n  rate_hist: {min_hz: 0}\n"), "r.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "r.yaml:6: stats.rate_hist.min_hz: value \"0\" out of range (allowed: number "
                  "> 0)");
    m = load_fails("populations:\n  - {name: E, size: 1,\n     model: lif}\n", "r.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "r.yaml:3: populations[0].model: unknown value \"lif\" (allowed: "
                        "lif_cond, lif_curr, lif_cond_exp, lif_curr_exp, poisson)");
}

Test(config, missing_required_key)
{
    const char *m = load_fails("run: {seed: 1}\n", "q.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "q.yaml:1: missing required key \"populations\"");
    m = load_fails("populations:\n  - name: E\n    model: lif_cond\n", "q.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "q.yaml:2: populations[0]: missing required key \"size\"");
    m = load_fails(one_pop("  - {name: X, model: poisson, size: 10}\n"), "q.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "q.yaml:5: populations[1]: missing required key \"rate_hz\"");
}

Test(config, duplicate_key)
{
    const char *m = load_fails(one_pop("    size: 200\n"), "d.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "d.yaml:5: populations[0].size: duplicate key (first at line 4)");
    m = load_fails(one_pop("  - {name: E, model: lif_curr, size: 5}\n"), "d.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "d.yaml:5: populations[1].name: duplicate population name \"E\"");
}

Test(config, unknown_population)
{
    const char *m = load_fails(
        one_pop("  - {name: I, model: lif_cond, size: 10}\n"
                "  - {name: X, model: poisson, size: 10, rate_hz: 1}\n"
                "projections:\n"
                "  - {pre: X, post: E, receptor: E, indegree: 1, "
                "weight: 0.1}\n"
                "  - pre: Q\n"
                "    post: E\n"),
        "p.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "p.yaml:9: projections[1].pre: unknown population \"Q\" (defined: E, "
                        "I, X)");
}

/* A duplicate name is reported as such even when a projection then refers to a name that only
 * the duplicate's first spelling would have had (it was "unknown population"). */
Test(config, duplicate_name_before_references)
{
    const char *m = load_fails(one_pop("  - {name: E, model: lif_cond, size: 10}\n"
                                       "  - {name: X, model: poisson, size: 10, rate_hz: 1}\n"
                                       "projections:\n"
                                       "  - {pre: X, post: I, receptor: E, indegree: 1, weight: 0.1}\n"),
                               "p.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "p.yaml:5: populations[1].name: duplicate population name \"E\" (already used by "
                        "populations[0]; names must be unique)");
    const char *sets[] = {"populations.I.name=E"};
    m = load_fails(one_pop("  - {name: I, model: lif_cond, size: 10}\n"
                           "  - {name: X, model: poisson, size: 10, rate_hz: 1}\n"
                           "projections:\n"
                           "  - {pre: X, post: I, receptor: E, indegree: 1, weight: 0.1}\n"),
                   "p.yaml", sets, 1, COB_ERR_CONFIG);
    assert_has(m, "--set populations.I.name=E: populations[1].name: duplicate population name \"E\"");
}

Test(config, key_of_other_model)
{
    const char *m = load_fails("populations:\n"
                               "  - name: E\n"
                               "    model: lif_curr\n"
                               "    size: 100\n"
                               "    e_e_mV: 0\n",
                               "k.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "k.yaml:5: populations[0].e_e_mV: key only valid for model lif_cond and lif_cond_exp, not "
                  "lif_curr (allowed for lif_curr: name, model, size,");
    m = load_fails(one_pop("    rate_hz: 5\n"), "k.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "k.yaml:5: populations[0].rate_hz: key only valid for model poisson");
}

Test(config, cross_key_rules)
{
    const char *sets[] = {"projections.0.weight=1.5"};
    const char *m = load_fails(good_yaml, "g.yaml", sets, 1, COB_ERR_CONFIG);
    assert_has(m, "--set projections.0.weight=1.5: projections[0].weight: value \"1.5\"");
    assert_has(m, "(allowed: 0 < a < 1)");
    const char *indeg[] = {"projections.1.multapses=false", "projections.1.indegree=900"};
    m = load_fails(good_yaml, "g.yaml", indeg, 2, COB_ERR_CONFIG);
    assert_has(m, "projections[1].indegree: value \"900\" exceeds the 800 presynaptic neurons");
    const char *indep[] = {"populations.X.input=independent", "populations.X.rate_hz=1e6",
                           "projections.0.indegree=1000", "projections.0.multapses=true"};
    m = load_fails(good_yaml, "g.yaml", indep, 4, COB_ERR_CONFIG);
    assert_has(m, "projections[0].indegree: value \"1000\" from independent population \"X\"");
    assert_has(m, "use input: pool");
    const char *delay[] = {"projections.0.delay_ms=4000"};
    m = load_fails(good_yaml, "g.yaml", delay, 1, COB_ERR_CONFIG);
    assert_has(m, "projections[0].delay_ms: value \"[4000, 4000]\" is 80000 steps");
    const char *aut[] = {"projections.0.autapses=true"};
    m = load_fails(good_yaml, "g.yaml", aut, 1, COB_ERR_CONFIG);
    assert_has(m, "projections[0].autapses: value \"true\" not allowed");
    m = load_fails(one_pop("  - {name: X, model: poisson, size: 10, rate_hz: 1}\n"
                           "projections:\n"
                           "  - {pre: E, post: X, receptor: E, indegree: 1, weight: 0.1}\n"),
                   "g.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "g.yaml:7: projections[0].post: value \"X\" is a poisson population");
}

Test(config, channel_limit)
{
    static char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", one_pop("projections:\n"));
    for (int i = 0; i < 5; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "  - {pre: E, post: E, receptor: E, indegree: 1, weight: 0.0%d}\n", i + 1);
    const char *m = load_fails(text, "ch.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "ch.yaml:10: projections[4]: (receptor E, weight 0.05) would be input channel "
                  "5 of post population \"E\"");
}

Test(config, syntax_error)
{
    const char *m = load_fails("run:\n  seed: 1\n populations: [\n", "s.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "s.yaml:3: YAML syntax error: ");
    /* an empty file, or one of comments only: file:line: as every config error (the config
     * fuzzer, tests/test_fuzz.c, found "e.yaml: empty config" without a line) */
    m = load_fails("", "e.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "e.yaml:1: empty config");
    m = load_fails("# nothing\n\n# here\n", "c.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "c.yaml:1: empty config");
}

Test(config, overrides)
{
    const char *sets[] = {"run.seed=3",
                          "populations.E.size=500",
                          "projections.0.weight=0.002",
                          "stats.v_hist.bins=100",
                          "stats.raster.neurons=5",
                          "populations.X.input=independent",
                          "projections.1.delay_ms=[1, 2]"};
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, good_yaml, "o.yaml", sets, 7, &err), COB_OK, "%s", err.msg);
    cr_assert_eq(c.run.seed, 3);
    cr_assert_eq(c.pops[0].size, 500);
    cr_assert_float_eq(c.projs[0].weight, 0.002, 1e-15);
    cr_assert_eq(c.stats.v_hist_bins, 100);
    cr_assert_eq(c.stats.raster_neurons, 5);
    cr_assert_eq(c.pops[2].input_mode, COB_INPUT_INDEPENDENT);
    cr_assert_float_eq(c.projs[1].delay_max_ms, 2.0, 1e-12);
    cr_assert(strncmp(c.text, good_yaml, strlen(good_yaml)) == 0, "file text kept");
    assert_has(c.text, "\n# --set run.seed=3\n# --set populations.E.size=500\n");
    assert_has(c.text, "# --set projections.1.delay_ms=[1, 2]\n");
    cob_config_free(&c);
}

Test(config, bad_overrides)
{
    const char *unknown[] = {"run.sed=3"};
    const char *m = load_fails(good_yaml, "o.yaml", unknown, 1, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "--set run.sed=3: unknown key (allowed: dt_ms, t_sim_ms, t_warmup_ms, "
                        "seed, integrator)");
    const char *range[] = {"populations.E.size=-5"};
    m = load_fails(good_yaml, "o.yaml", range, 1, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "--set populations.E.size=-5: populations[0].size: value \"-5\" out of "
                        "range (allowed: integer 1 .. 2147483647)");
    const char *type[] = {"run.seed=abc"};
    m = load_fails(good_yaml, "o.yaml", type, 1, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "--set run.seed=abc: wrong type: expected an integer, got \"abc\"");
    const char *item[] = {"populations.Q.size=5"};
    m = load_fails(good_yaml, "o.yaml", item, 1, COB_ERR_CONFIG);
    assert_has(m, "--set populations.Q.size=5: no list item \"Q\" (allowed: names E, I, X");
    const char *noeq[] = {"run.seed"};
    m = load_fails(good_yaml, "o.yaml", noeq, 1, COB_ERR_CONFIG);
    assert_has(m, "--set run.seed: expected key=value");
    const char *top[] = {"runn.seed=1"};
    m = load_fails(good_yaml, "o.yaml", top, 1, COB_ERR_CONFIG);
    assert_has(m, "--set runn.seed=1: runn: unknown key (allowed: run, populations,");
}

Test(config, check_on_struct_uses_spec_lines)
{
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, good_yaml, "good.yaml", NULL, 0, &err), COB_OK, "%s", err.msg);
    c.pops[1].size = 0;
    cr_assert_eq(cob_config_check(&c, &err), COB_ERR_CONFIG);
    cr_assert_str_eq(err.msg, "good.yaml:10: populations[1].size: value \"0\" out of range "
                              "(allowed: integer 1 .. 2147483647)");
    cob_config_free(&c);
    cob_config_defaults(&c);
    cr_assert_eq(cob_config_check(&c, &err), COB_ERR_CONFIG, "no populations is an error");
    assert_has(err.msg, "config: populations: 0 populations (allowed: 1 .. 16)");
}

/* ---- files -------------------------------------------------------------------------------- */

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/cobalt_test_config_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    unlink(path);
    rmdir(dir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(config, load_file, .init = make_dir, .fini = remove_dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    write_file(path, good_yaml);
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_assert_str_eq(c.path, path);
    cr_assert_str_eq(c.text, good_yaml);
    cr_assert_eq(c.projs[1].line, 26);
    cob_config_free(&c);
}

Test(config, file_errors_name_the_file, .init = make_dir, .fini = remove_dir)
{
    char path[128], want[256];
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    write_file(path, one_pop("    tau_m_ms: -1\n"));
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_ERR_CONFIG);
    snprintf(want, sizeof want,
             "%s:5: populations[0].tau_m_ms: value \"-1\" out of range "
             "(allowed: number > 0)",
             path);
    cr_assert_str_eq(err.msg, want);
    cr_assert_null(c.text);
}

Test(config, missing_file, .init = make_dir, .fini = remove_dir)
{
    char path[128], want[256];
    snprintf(path, sizeof path, "%s/nope.yaml", dir);
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_ERR_IO);
    snprintf(want, sizeof want, "cannot read config \"%s\": No such file or directory", path);
    cr_assert_str_eq(err.msg, want);
    cr_assert_null(c.text);
}

/* ---- limits: refused with a message, never cut silently ------------------------------------- */

Test(config, long_message_cut_visibly)
{
    cob_err err = {0};
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cob_err_set(&err, COB_ERR_CONFIG, "%s", big);
    cr_assert_eq(strlen(err.msg), COB_ERR_MSG_MAX - 1);
    cr_assert_str_eq(err.msg + COB_ERR_MSG_MAX - 4, "...", "a cut message must end in '...': %s",
                     err.msg + COB_ERR_MSG_MAX - 20);
    cob_err_set(&err, COB_ERR_CONFIG, "%s", "short");
    cr_assert_str_eq(err.msg, "short", "an uncut message is unchanged");
    /* a config message cut at the first buffer (the key path of a --set) is marked too */
    static char set[2100];
    snprintf(set, sizeof set, "run.%s=1", big + 400);
    const char *sets[] = {set};
    const char *m = load_fails(good_yaml, "o.yaml", sets, 1, COB_ERR_CONFIG);
    cr_assert_eq(strlen(m), COB_ERR_MSG_MAX - 1);
    cr_assert_str_eq(m + COB_ERR_MSG_MAX - 4, "...");
}

Test(config, name_too_long_refused)
{
    char name[COB_CONFIG_PATH_MAX + 10];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    const char *m = load_fails(good_yaml, name, NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "bytes long (allowed: at most 511)");
    name[COB_CONFIG_PATH_MAX - 1] = '\0'; /* 511 bytes: fits, kept whole */
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load_string(&c, good_yaml, name, NULL, 0, &err), COB_OK, "%s", err.msg);
    cr_assert_str_eq(c.path, name);
    cob_config_free(&c);
}

Test(config, nesting_depth_capped)
{
    /* 100k levels took 30 s in libyaml's loader before the cap */
    int n = 100000;
    char *text = malloc((size_t)2 * n + 16);
    cr_assert_not_null(text);
    memcpy(text, "run: ", 5);
    memset(text + 5, '[', (size_t)n);
    memset(text + 5 + n, ']', (size_t)n);
    strcpy(text + 5 + 2 * n, "\n");
    const char *m = load_fails(text, "deep.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "deep.yaml:1: YAML nested deeper than 64 levels (allowed: at most 64 nested mappings and "
                        "lists)");
    free(text);
    /* 64 levels are allowed (and then refused for what they are, a wrong type) */
    text = malloc(200);
    snprintf(text, 200, "run: %.63s%.63s\n", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
    m = load_fails(text, "deep.yaml", NULL, 0, COB_ERR_CONFIG);
    assert_has(m, "wrong type");
    free(text);
}

Test(config, indegree_rounding_to_zero_refused)
{
    static const char *fmt = "populations:\n"
                             "  - {name: E, model: lif_cond, size: 10}\n"
                             "projections:\n"
                             "  - {pre: E, post: E, receptor: E, weight: 0.1, indegree: %s}\n";
    char text[512];
    snprintf(text, sizeof text, fmt, "0.3");
    const char *m = load_fails(text, "k.yaml", NULL, 0, COB_ERR_CONFIG);
    cr_assert_str_eq(m, "k.yaml:4: projections[0].indegree: value \"0.3\" rounds to 0 synapses per target "
                        "(allowed: >= 0.5 -- each target gets round(indegree) synapses --, or cv_indegree > 0 "
                        "for a mean in-degree)");
    const char *ok[] = {"2.5", "0.3, cv_indegree: 1"};
    for (int i = 0; i < 2; i++) {
        cob_config c;
        cob_err err = {0};
        snprintf(text, sizeof text, fmt, ok[i]);
        cr_assert_eq(cob_config_load_string(&c, text, "k.yaml", NULL, 0, &err), COB_OK, "%s: %s", ok[i], err.msg);
        cob_config_free(&c);
    }
}

Test(config, big_or_odd_files_refused, .init = make_dir, .fini = remove_dir)
{
    /* /dev/zero was read until memory ran out: bound this process so a regression fails fast */
    struct rlimit lim = {(rlim_t)1 << 30, (rlim_t)1 << 30};
    if (!TEST_UNDER_ASAN) /* ASan needs the address space (its shadow memory) */
        cr_assert_eq(setrlimit(RLIMIT_AS, &lim), 0);
    cob_config c;
    cob_err err = {0};
    cr_assert_eq(cob_config_load(&c, "/dev/zero", NULL, 0, &err), COB_ERR_CONFIG, "%s", err.msg);
    cr_assert_str_eq(err.msg, "config \"/dev/zero\" is larger than 16777216 bytes (allowed: at most 16 MiB of YAML)");
    cr_assert_eq(cob_config_load(&c, dir, NULL, 0, &err), COB_ERR_IO, "%s", err.msg);
    assert_has(err.msg, "is a directory");
    /* a regular file one byte over the cap: a valid config after 16 MiB of comment */
    char path[128];
    snprintf(path, sizeof path, "%s/net.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    size_t body = strlen(good_yaml), pad = COB_CONFIG_TEXT_MAX + 1 - body;
    fputc('#', f);
    for (size_t i = 1; i + 1 < pad; i++) fputc(' ', f);
    fputc('\n', f);
    fputs(good_yaml, f);
    fclose(f);
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_ERR_CONFIG, "%s", err.msg);
    assert_has(err.msg, "is larger than 16777216 bytes");
    cr_assert_eq(truncate(path, (off_t)COB_CONFIG_TEXT_MAX), 0); /* without the last newline: at the cap, read */
    cr_assert_eq(cob_config_load(&c, path, NULL, 0, &err), COB_OK, "%s", err.msg);
    cob_config_free(&c);
}
