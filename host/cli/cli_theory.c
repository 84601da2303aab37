/* host/cli/cli_theory.c -- `cobalt theory CONFIG [--set key=value ...] [--k LIST] [--law LAWS]
 * [--cv-k X]`: the mean-field predictions (include/cobalt/theory.h, docs/theory.md) for a config:
 * every self-consistent state, the strong-coupling limits, the heterogeneous in-degree state,
 * and the weight and predictions of each scaling law at each K, with validity warnings.
 * Pairs with host/cli/cli_cmds.h (declaration) and host/cli/cli.c (dispatch). Deliberate limits: text
 * output only; the config must be an E/I/X network or a single neuron driven by Poisson input or
 * white noise (cob_theory_net_from_config), or two lif_curr populations (cob_theory_ei, seed
 * 001's Phi_sc). Exponential synapses add seed 004's Appendix G block (print_syn). Two white-noise
 * current-based populations also get seed 001's SSN (host/cli/cli_theory_ssn.c: --ratio,
 * --mu-scan, --regime-map, --target, --csv). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cobalt/cobalt.h"
#include "cobalt/models.h"
#include "cobalt/theory.h"
#include "cli/cli_cmds.h"
#include "cli/cli_util.h"

#define TH_MAX_K 64
#define TH_MAX_LAWS 5
#define TH_MAX_STATES 16

typedef struct {
    const char *config;
    const char *sets[COB_CLI_MAX_SETS + 1];
    int n_sets, n_k, n_laws;
    double k[TH_MAX_K];
    cob_scale_law laws[TH_MAX_LAWS];
    double cv_k; /* < 0: from the config */
    cob__ssn_opts ssn;
} theory_args;

static void theory_usage(FILE *f)
{
    fprintf(f,
            "usage: cobalt theory CONFIG [--set key=value ...] [--k K1,K2,...] [--law LAW[,LAW...]] [--cv-k X]\n"
            "       cobalt theory CONFIG [--ratio R] [--mu-scan FROM:TO:N [--scan-pop both|E|I] |\n"
            "                             --regime-map MU0:MU1:NMU,R0:R1:NR | --target FILE.csv] [--csv FILE]\n"
            "                             (two white-noise lif_curr populations)\n"
            "Mean-field predictions for an E/I network with Poisson input (docs/theory.md): every\n"
            "self-consistent rate, CV, mu, sigma, V statistics, tau_eff, the strong-coupling limits\n"
            "(Eqs. 20, 21) and, with --k, the weight of each scaling law at each K (laws: none, sqrt,\n"
            "log, sanzeni, matched; default sanzeni for lif_cond, sqrt for lif_curr) with the\n"
            "predicted state. --cv-k: heterogeneous in-degree (Appendix F; default: the config's\n"
            "cv_indegree when every projection has the same one). Also: a single neuron with Poisson\n"
            "input or white noise; lif_*_exp with one tau_S (Appendix G: G9, G10, G11 with their\n"
            "validity); two different lif_curr populations (seed 001's Phi_sc).\n"
            "Two lif_curr/lif_curr_exp populations under white noise (seed 001's SSN): the power-law fits\n"
            "and the regime facts at r = mu_I/mu_E (the config's final noise means, or --ratio R);\n"
            "--mu-scan: CSV method,mu_E,mu_I,branch,r_E,r_I,stable,isn (methods ssn, phi_sc; mu in mV/s,\n"
            "rates in Hz; --scan-pop E or I: that input alone, the other held at the config's value);\n"
            "--regime-map: CSV mu_E,ratio,regime (stable, isn, supersaturating, supersaturating+isn,\n"
            "bistable, none); --csv FILE: the CSV there, not on stdout; --target\n"
            "FILE.csv (header t_ms,nu_E,nu_I): a YAML fragment with the two noise mu_mV_per_s schedules.\n");
}

static int parse_k_list(const char *s, theory_args *a)
{
    char *end;
    while (*s) {
        double v = strtod(s, &end);
        if (end == s || !(v > 0.0) || a->n_k >= TH_MAX_K)
            return 0;
        a->k[a->n_k++] = v;
        s = end;
        if (*s == ',')
            ++s;
        else if (*s)
            return 0;
    }
    return a->n_k > 0;
}

static int parse_laws(const char *s, theory_args *a)
{
    char buf[256], *tok, *save = NULL;
    snprintf(buf, sizeof buf, "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (a->n_laws >= TH_MAX_LAWS || !cob_scale_law_parse(tok, &a->laws[a->n_laws])) {
            fprintf(stderr, "cobalt: --law '%s': allowed values are none, sqrt, log, sanzeni, matched\n", tok);
            return 0;
        }
        ++a->n_laws;
    }
    return a->n_laws > 0;
}

/* --regime-map MU0:MU1:NMU,R0:R1:NR */
static int parse_map(const char *s, theory_args *a)
{
    char buf[256], *comma;
    cob__ssn_opts *o = &a->ssn;
    snprintf(buf, sizeof buf, "%s", s);
    comma = strchr(buf, ',');
    if (comma)
        *comma = '\0';
    if (!comma || !cob__cli_parse_range(buf, &o->map_mu_lo, &o->map_mu_hi, &o->map_nmu) ||
        !cob__cli_parse_range(comma + 1, &o->map_r_lo, &o->map_r_hi, &o->map_nr)) {
        fprintf(stderr,
                "cobalt: --regime-map '%s': expected MU0:MU1:NMU,R0:R1:NR (mV/s and ratios, upper >= lower, "
                "counts in 1..100000)\n",
                s);
        o->map_nmu = 0;
        return 0;
    }
    return 1;
}

static int parse_option(int argc, char **argv, int *i, theory_args *a)
{
    const char *o = argv[*i];
    int has_val = *i + 1 < argc;
    if (!strcmp(o, "--set") && has_val) {
        return cob__cli_add_set(a->sets, &a->n_sets, argv[++*i]);
    } else if (!strcmp(o, "--k") && has_val) {
        if (!parse_k_list(argv[++*i], a)) {
            fprintf(stderr, "cobalt: --k '%s': expected a comma-separated list of up to %d in-degrees > 0\n", argv[*i],
                    TH_MAX_K);
            return 0;
        }
    } else if (!strcmp(o, "--law") && has_val) {
        return parse_laws(argv[++*i], a);
    } else if (!strcmp(o, "--ratio") && has_val) {
        char *end;
        a->ssn.ratio = strtod(argv[++*i], &end);
        if (*end || end == argv[*i] || !isfinite(a->ssn.ratio)) {
            fprintf(stderr, "cobalt: --ratio '%s': expected a number (mu_I / mu_E)\n", argv[*i]);
            return 0;
        }
    } else if (!strcmp(o, "--mu-scan") && has_val) {
        if (!cob__cli_parse_range(argv[++*i], &a->ssn.scan_lo, &a->ssn.scan_hi, &a->ssn.scan_n)) {
            fprintf(stderr, "cobalt: --mu-scan '%s': expected FROM:TO:N (mV/s, TO >= FROM, N in 1..100000)\n",
                    argv[*i]);
            return 0;
        }
    } else if (!strcmp(o, "--scan-pop") && has_val) {
        const char *v = argv[++*i];
        a->ssn.scan_pop = !strcmp(v, "both") ? 0 : !strcmp(v, "E") ? 1 : !strcmp(v, "I") ? 2 : -1;
        if (a->ssn.scan_pop < 0) {
            fprintf(stderr, "cobalt: --scan-pop '%s': expected both, E or I\n", v);
            return 0;
        }
    } else if (!strcmp(o, "--regime-map") && has_val) {
        return parse_map(argv[++*i], a);
    } else if (!strcmp(o, "--target") && has_val) {
        a->ssn.target = argv[++*i];
    } else if (!strcmp(o, "--csv") && has_val) {
        a->ssn.csv = argv[++*i];
    } else if (!strcmp(o, "--cv-k") && has_val) {
        char *end;
        a->cv_k = strtod(argv[++*i], &end);
        if (*end || !(a->cv_k >= 0.0)) {
            fprintf(stderr, "cobalt: --cv-k '%s': expected a number >= 0\n", argv[*i]);
            return 0;
        }
    } else {
        return cob__cli_bad_option(o, "");
    }
    return 1;
}

static int parse_theory_args(int argc, char **argv, theory_args *a)
{
    int i;
    memset(a, 0, sizeof *a);
    a->cv_k = -1.0;
    a->ssn.ratio = NAN;
    a->ssn.fit_max_hz = 10.0;
    for (i = 2; i < argc; ++i) {
        if (argv[i][0] == '-') {
            if (!parse_option(argc, argv, &i, a))
                return 0;
        } else if (!cob__cli_config_arg(&a->config, argv[i])) {
            return 0;
        }
    }
    if ((a->ssn.scan_n > 0) + (a->ssn.map_nmu > 0) + (a->ssn.target != NULL) > 1) {
        fprintf(stderr, "cobalt: --mu-scan, --regime-map and --target: give one at a time\n");
        return 0;
    }
    if (a->ssn.scan_pop && !a->ssn.scan_n) {
        fprintf(stderr, "cobalt: --scan-pop goes with --mu-scan\n");
        return 0;
    }
    if (a->ssn.csv && !a->ssn.scan_n && !a->ssn.map_nmu) {
        fprintf(stderr, "cobalt: --csv goes with --mu-scan or --regime-map\n");
        return 0;
    }
    return cob__cli_need_config(a->config);
}

static int ssn_opt_given(const theory_args *a)
{
    return a->ssn.scan_n > 0 || a->ssn.map_nmu > 0 || a->ssn.target || !isnan(a->ssn.ratio);
}

/* The neuron model a mean-field model stands for (the inverse of cob_theory_model_of). */
static const char *theory_model_name(cob_theory_model m)
{
    switch (m) {
    case COB_THEORY_COND: return cob_model_name(COB_MODEL_LIF_COND);
    case COB_THEORY_CURR: return cob_model_name(COB_MODEL_LIF_CURR);
    default: return "?";
    }
}

static void print_net(const char *path, const cob_theory_net *n)
{
    int cond = n->model == COB_THEORY_COND;
    if (n->single && n->K == 0.0)
        printf("%s: single %s neuron driven by white noise alone (no synaptic input)\n", path,
               theory_model_name(n->model));
    else if (n->single)
        printf("%s: single %s neuron (fixed Poisson input, no recurrence), K_E = K = %g, K_I = gamma K = %g, g = %g, "
               "%s = %g%s, r_E = nu_X = %g Hz, r_I = eta nu_X = %g Hz (eta = %g)\n",
               path, theory_model_name(n->model), n->K, n->gamma * n->K, n->g, cond ? "a" : "J", cond ? n->a : n->j_mV,
               cond ? "" : " mV", n->nu_x_hz, n->eta * n->nu_x_hz, n->eta);
    else
        printf("%s: %s E/I network, K = %g, K_X = %g, gamma = %g, g = %g, %s = %g%s, nu_X = %g Hz\n", path,
               theory_model_name(n->model), n->K, n->k_x, n->gamma, n->g, cond ? "a" : "J", cond ? n->a : n->j_mV,
               cond ? "" : " mV", n->nu_x_hz);
    printf("  tau_L = %g ms, tau_rp = %g ms, theta = %g mV, V_r = %g mV, E_L = %g mV", n->tau_m_s * 1e3,
           n->tau_rp_s * 1e3, n->theta_mV, n->v_reset_mV, n->e_l_mV);
    if (cond)
        printf(", E_E = %g mV, E_I = %g mV\n", n->e_e_mV, n->e_i_mV);
    else
        printf(", mu_ext = %g mV\n", n->mu_ext_mV);
    if (n->tau_syn_s > 0.0)
        printf("  exponential synapses (%s_exp), tau_S = %g ms for E and I\n", theory_model_name(n->model),
               n->tau_syn_s * 1e3);
    if (n->noise_mu_mV_per_s != 0.0 || n->noise_sigma_mV_per_sqrt_s != 0.0)
        printf("  white noise: mu_w = %g mV/s, sigma_w = %g mV/sqrt(s) (seed 001's Phi_sc: mu += tau mu_w, "
               "sigma^2 += tau sigma_w^2)\n",
               n->noise_mu_mV_per_s, n->noise_sigma_mV_per_sqrt_s);
    if (!cond && n->tau_syn_s == 0.0 && n->noise_sigma_mV_per_sqrt_s > 0.0) {
        cob_theory_powerlaw f;
        cob_err err = {COB_OK, ""};
        if (cob_theory_powerlaw_fit(n, n->noise_sigma_mV_per_sqrt_s, 10.0, 80, &f, &err) == COB_OK)
            printf("  power law of Phi(mu; sigma_w, tau) below 10 Hz (seed 001's SSN): nu = a [mu - b]_+^n, a = %.4g, "
                   "b = %.4g mV/s, n = %.4g (rms %.2g Hz over %d points)\n",
                   f.a, f.b, f.n, f.rms_hz, f.n_points);
    }
}

/* Appendix G at state s: every approximation with its validity and whether tau_S/tau_eff is in
 * its range. The moments are the instantaneous ones (G8); a network state is not re-solved. */
static void print_syn(const cob_theory_net *n, const cob_theory_state *s)
{
    double r = n->tau_syn_s / s->m.tau_s;
    int k;
    printf("  finite tau_S (Appendix G) at nu = %.4g Hz%s: tau_S/tau_eff = %.3g, v_max = %.3g, s.d. of V "
           "without threshold %.3g mV (G8; %.3g at tau_S = 0)\n",
           s->nu_hz, n->single ? "" : " (the Eq. 19 state's moments, not re-solved)", r,
           (n->theta_mV - s->m.mu_mV) / s->m.sigma_mV, cob_theory_sd_v_syn(s->m, n->tau_syn_s),
           cob_theory_sd_v_syn(s->m, 0.0));
    for (k = COB_SYN_EQ10; k <= COB_SYN_G11; ++k)
        printf("    %-32s %10.4g Hz  %s: %s\n", cob_theory_syn_name((cob_theory_syn)k),
               cob_theory_rate_syn(n, s->m, n->tau_syn_s, (cob_theory_syn)k),
               cob_theory_syn_validity((cob_theory_syn)k),
               cob_theory_syn_in_range((cob_theory_syn)k, r) ? "in range" : "outside");
    printf("    applicable here: %s\n", cob_theory_syn_name(cob_theory_syn_pick(r)));
}

static void print_state(const cob_theory_state *s)
{
    printf("  nu = %.4g Hz (%s): CV = %.3f, mu = %.4g mV, sigma = %.4g mV, tau_eff = %.4g ms, "
           "V mean %.4g mV, s.d. %.3g mV (Eq. 17, non-refractory)\n",
           s->nu_hz, s->stable ? "stable" : "unstable", s->cv, s->m.mu_mV, s->m.sigma_mV, s->m.tau_s * 1e3,
           s->v_mean_mV, s->v_sd_mV);
}

/* A single lif_cond neuron (Sec. IV): Eq. 13 with the fixed eta, and how far it is from Eq. 14's
 * regime. */
static void print_strong_single(const cob_theory_net *n)
{
    cob_theory_bars b = cob_theory_strong_bars(n, 0.0);
    if (n->model != COB_THEORY_COND || n->K == 0.0)
        return;
    printf("strong coupling (Eq. 13): tau_bar = %.4g, mu_bar = %.4g mV, sigma_bar = %.4g mV, vbar = %.4g; "
           "vbar^2/a = %.3g, a K nu_X tau_L = %.3g (Eqs. 12-14 assume both >> 1)\n",
           b.tau_bar, b.mu_bar_mV, b.sigma_bar_mV, b.v_bar, b.v_bar * b.v_bar / n->a,
           n->a * n->K * n->nu_x_hz * n->tau_m_s);
}

/* Strong coupling: Eq. 20, Eq. 21 and, for lif_cond, how far the network is from their regime. */
static void print_strong(const cob_theory_net *n, const cob_theory_state *first_stable)
{
    double rho = cob_theory_gain_rho(n), nu21 = cob_theory_eq21_rate(n);
    if (n->single) {
        print_strong_single(n);
        return;
    }
    if (isnan(rho))
        printf("strong coupling: gain rho (Eq. 20): none (no balanced state, the network saturates)");
    else
        printf("strong coupling: gain rho (Eq. 20) = %.4g -> nu = %.4g Hz", rho, rho * n->nu_x_hz);
    if (n->model == COB_THEORY_CURR)
        printf(" (balanced state, 1/(g gamma - 1) scaled by K_X/K)\n");
    else if (isnan(nu21))
        printf("; Eq. 21: none (theta (1 + g gamma) <= E_E + g gamma E_I)\n");
    else
        printf("; Eq. 21: nu = %.4g Hz\n", nu21);
    if (n->model == COB_THEORY_COND && first_stable) {
        cob_theory_bars b = cob_theory_strong_bars(n, first_stable->nu_hz / n->nu_x_hz);
        double q = b.v_bar * b.v_bar / n->a, l = n->a * n->k_x * n->nu_x_hz * n->tau_m_s;
        printf("  at this state: vbar^2/a = %.3g, a K_X nu_X tau_L = %.3g (Eqs. 12-14, 20 assume both >> 1)%s\n", q, l,
               q < 2.0 || l < 5.0 ? ": outside the strong-coupling regime, trust the full solution above" : "");
    }
}

/* CV_K from --cv-k or from the config (every projection the same); -1 if none applies. */
static double config_cv_k(const cob_config *c, const theory_args *a)
{
    int i;
    if (a->cv_k >= 0.0)
        return a->cv_k;
    for (i = 1; i < c->n_projs; ++i)
        if (c->projs[i].cv_indegree != c->projs[0].cv_indegree) {
            printf("heterogeneous: the projections have different cv_indegree; the theory takes one CV_K (--cv-k)\n");
            return -1.0;
        }
    return c->n_projs > 0 && c->projs[0].cv_indegree > 0.0 ? c->projs[0].cv_indegree : -1.0;
}

static void print_hetero(const cob_theory_net *n, double cv_k)
{
    cob_theory_hetero h;
    cob_err err = {COB_OK, ""};
    if (cv_k < 0.0)
        return;
    if (cob_theory_heterogeneous(n, cv_k, 1e-3, &h, &err) != COB_OK) {
        printf("heterogeneous (CV_K = %g): %s\n", cv_k, err.msg);
        return;
    }
    printf("heterogeneous (CV_K = %g, Eqs. F1-F3): mean %.4g Hz, s.d. %.4g Hz (Delta nu/nu = %.3g), "
           "below 1e-3 Hz %.3g, below 0.1 Hz %.3g, below 1 Hz %.3g\n",
           cv_k, h.mean_hz, h.sd_hz, h.sd_hz / h.mean_hz, h.frac_silent, cob_theory_hetero_cdf(n, cv_k, &h, 0.1),
           cob_theory_hetero_cdf(n, cv_k, &h, 1.0));
}

static void print_sweep_row(const cob_theory_net *n, cob_scale_law law, double k)
{
    cob_theory_net t;
    cob_theory_state s[TH_MAX_STATES];
    cob_err err = {COB_OK, ""};
    char warn[1024];
    double w;
    int i, n_s;
    if (cob_theory_scale(n, law, k, &w, warn, sizeof warn, &err) != COB_OK) {
        printf("  %-8s %9g  -- %s\n", cob_scale_law_name(law), k, err.msg);
        return;
    }
    cob_theory_net_at_k(n, k, w, &t);
    n_s = cob_theory_solve(&t, s, TH_MAX_STATES);
    for (i = 0; i < n_s && !s[i].stable; ++i) continue;
    if (i == n_s)
        printf("  %-8s %9g %11.5g  no stable state (%d unstable)\n", cob_scale_law_name(law), k, w, n_s);
    else
        printf("  %-8s %9g %11.5g %10.4g %7.3f %9.4g %9.4g %8.4g %6d\n", cob_scale_law_name(law), k, w, s[i].nu_hz,
               s[i].cv, s[i].m.mu_mV, s[i].m.sigma_mV, s[i].m.tau_s * 1e3, n_s);
    if (warn[0])
        printf("      warning: %s\n", warn);
}

static void print_sweep(const cob_theory_net *n, const theory_args *a)
{
    int l, i, cond = n->model == COB_THEORY_COND;
    if (a->n_k == 0)
        return;
    printf("K sweep from the anchor K0 = %g (%s0 = %g), %s; the lowest stable state at each K:\n", n->K,
           cond ? "a" : "J", cond ? n->a : n->j_mV, n->single ? "input rates fixed" : "K_X/K fixed");
    printf("  %-8s %9s %11s %10s %7s %9s %9s %8s %6s\n", "law", "K", cond ? "a" : "J (mV)", "nu (Hz)", "CV", "mu (mV)",
           "sigma", "tau (ms)", "states");
    for (l = 0; l < a->n_laws; ++l)
        for (i = 0; i < a->n_k; ++i) print_sweep_row(n, a->laws[l], a->k[i]);
}

static int law_check(const cob_theory_net *n, theory_args *a)
{
    int l;
    if (a->n_laws == 0)
        a->laws[a->n_laws++] = n->model == COB_THEORY_COND ? COB_SCALE_SANZENI : COB_SCALE_SQRT;
    for (l = 0; l < a->n_laws; ++l)
        if (a->laws[l] == COB_SCALE_SANZENI && n->model != COB_THEORY_COND) {
            fprintf(stderr, "cobalt: --law sanzeni: Eq. 14 is for lif_cond networks; use sqrt, log or matched\n");
            return 0;
        }
    return 1;
}

/* A network with exponential synapses: the self-consistent rates with each transfer function of
 * Appendix G in place of Eq. 10 (Fig. 6B), with tau_S/tau_eff at each and whether it is in range. */
static void print_syn_network(const cob_theory_net *n)
{
    double nu[TH_MAX_STATES];
    int st[TH_MAX_STATES], k, i, n_s;
    if (n->single || !(n->tau_syn_s > 0.0))
        return;
    printf("self-consistent with Appendix G's transfer functions (Eq. 19 with G9, G10 or G11 for Eq. 10; Fig. 6B):\n");
    for (k = COB_SYN_G9; k <= COB_SYN_G11; ++k) {
        n_s = cob_theory_solve_syn(n, (cob_theory_syn)k, nu, st, TH_MAX_STATES);
        printf("  %-32s", cob_theory_syn_name((cob_theory_syn)k));
        if (n_s == 0)
            printf(" no state");
        for (i = 0; i < n_s; ++i) {
            double r = n->tau_syn_s / cob_theory_moments_net(n, nu[i]).tau_s;
            printf("%s %.4g Hz (%s, tau_S/tau_eff = %.3g, %s)", i ? ";" : "", nu[i], st[i] ? "stable" : "unstable", r,
                   cob_theory_syn_in_range((cob_theory_syn)k, r) ? "in range" : "outside");
        }
        printf("\n");
    }
}

static void print_theory(const char *path, const cob_config *c, const cob_theory_net *n, const theory_args *a)
{
    cob_theory_state s[TH_MAX_STATES];
    const cob_theory_state *first = NULL;
    int i, n_s = cob_theory_solve(n, s, TH_MAX_STATES);
    print_net(path, n);
    if (n->single)
        printf("single-neuron state at the fixed input rates (Eqs. %s, 10, 15, 17):\n",
               n->model == COB_THEORY_COND ? "5" : "8");
    else
        printf("self-consistent states (Eq. 19 with Eqs. %s, 10, 15, 17): %d\n",
               n->model == COB_THEORY_COND ? "5" : "8", n_s);
    for (i = 0; i < n_s; ++i) {
        print_state(&s[i]);
        if (n->tau_syn_s > 0.0)
            print_syn(n, &s[i]);
        if (!first && s[i].stable)
            first = &s[i];
    }
    print_syn_network(n);
    print_strong(n, first);
    print_hetero(n, config_cv_k(c, a));
    print_sweep(n, a);
}

/* Seed 001's Phi_sc for two current-based populations that may differ (the fallback when the
 * config is not the identical-neuron E/I/X network or a single neuron). */
static void print_ei(const char *path, const cob_theory_ei *n, const theory_args *a)
{
    cob_theory_ei_state s[TH_MAX_STATES];
    int x, i, n_s = cob_theory_ei_solve(n, s, TH_MAX_STATES);
    printf("%s: two current-based populations E and I (seed 001's Phi_sc: mu_X = mu_ext + sum_Y J_XY nu_Y, "
           "sigma_X^2 = sigma_ext^2 + sum_Y K_XY j_XY^2 nu_Y)\n",
           path);
    for (x = 0; x < 2; ++x) {
        const cob_theory_net *p = &n->pop[x];
        printf("  %s: tau = %g ms, tau_rp = %g ms, theta = %g mV, V_r = %g mV, E_L + mu_ext = %g mV, white noise "
               "mu_w = %g mV/s, sigma_w = %g mV/sqrt(s); K from E, I = %g, %g with j = %g, %g mV; Poisson input "
               "%g mV/s (variance %g mV^2/s)\n",
               x ? "I" : "E", p->tau_m_s * 1e3, p->tau_rp_s * 1e3, p->theta_mV, p->v_reset_mV, p->e_l_mV + p->mu_ext_mV,
               p->noise_mu_mV_per_s, p->noise_sigma_mV_per_sqrt_s, n->k[x][0], n->k[x][1], n->j_mV[x][0], n->j_mV[x][1],
               n->ext_mean_mV_per_s[x], n->ext_var_mV2_per_s[x]);
    }
    printf("self-consistent states (Phi_sc with Eqs. 8, 10): %d\n", n_s);
    for (i = 0; i < n_s; ++i)
        printf("  nu_E = %.4g Hz, nu_I = %.4g Hz (%s): mu_E = %.4g mV, sigma_E = %.4g mV, mu_I = %.4g mV, "
               "sigma_I = %.4g mV\n",
               s[i].nu_hz[0], s[i].nu_hz[1], s[i].stable ? "stable" : "unstable", s[i].m[0].mu_mV, s[i].m[0].sigma_mV,
               s[i].m[1].mu_mV, s[i].m[1].sigma_mV);
    if (a->n_k > 0 || a->n_laws > 0 || a->cv_k >= 0.0)
        printf("(--k, --law and --cv-k apply to the identical-neuron E/I/X network and the single neuron only)\n");
}

int cob_cli_theory(int argc, char **argv)
{
    theory_args a;
    cob_config c;
    cob_theory_net n;
    cob_err err = {COB_OK, ""};
    cob_status st;
    if (!parse_theory_args(argc, argv, &a)) {
        theory_usage(stderr);
        return 1;
    }
    st = cob_config_load(&c, a.config, a.sets, a.n_sets, &err);
    if (st == COB_OK && (c.n_pops == 2 || ssn_opt_given(&a))) { /* seed 001's SSN */
        cob_ssn s;
        cob_theory_ei ei;
        cob_err e2 = {COB_OK, ""};
        int rc;
        cob_status s2 = cob_ssn_from_config(&c, a.ssn.fit_max_hz, &s, &ei, NULL, NULL, &e2);
        if (s2 == COB_OK) {
            if (!ssn_opt_given(&a) || (!a.ssn.scan_n && !a.ssn.map_nmu && !a.ssn.target))
                print_ei(a.config, &ei, &a);
            rc = cob__cli_theory_ssn(&c, a.config, &a.ssn);
            cob_config_free(&c);
            return rc;
        }
        if (ssn_opt_given(&a)) {
            cob_config_free(&c);
            return cob__cli_fail(s2, &e2);
        }
    }
    if (st == COB_OK)
        st = cob_theory_net_from_config(&c, &n, &err);
    if (st == COB_ERR_CONFIG) { /* not the E/I/X network nor a single neuron: Phi_sc of two populations? */
        cob_theory_ei ei;
        cob_err e2 = {COB_OK, ""};
        if (cob_theory_ei_from_config(&c, &ei, &e2) == COB_OK) {
            print_ei(a.config, &ei, &a);
            cob_config_free(&c);
            return 0;
        }
    }
    if (st != COB_OK) {
        cob_config_free(&c);
        return cob__cli_fail(st, &err);
    }
    if (!law_check(&n, &a)) {
        cob_config_free(&c);
        return 1;
    }
    print_theory(a.config, &c, &n, &a);
    cob_config_free(&c);
    return 0;
}
