/* host/theory/theory_ssn_regime.c -- seed 001's operating regimes of the two-population SSN
 * (include/cobalt/theory.h, "seed 001's regimes"; docs/theory.md "Seed 001"): the closed-form
 * thresholds (ISN rate, supersaturation, balanced limit), continuation in mu with branch labels
 * (SSN and Phi_sc), fold points as double roots of the characteristic function, and the
 * classifier of a (mu, r) cell. Pairs with host/theory/theory_ssn.c (the states) and
 * tests/test_ssn.c. Deliberate limits: J_II <= 0 (one r_I for each r_E); states beyond r_max are
 * not seen (a runaway counts as "none"); two states closer than a grid step can be missed away
 * from the folds that cob_ssn_folds refines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "theory/theory_num.h"

#define SSN_GRID 2000 /* cob_ssn_states grid for the scans and the classifier */
#define SSN_MAX_STATES 16

/* The rate at which a power law's gain n a^(1/n) nu^((n-1)/n) reaches 1/w (w > 0). */
static double gain_threshold(const cob_theory_powerlaw *f, double w)
{
    if (!(w > 0.0) || !(f->a > 0.0))
        return INFINITY;
    if (f->n <= 1.0)
        return f->a * w > 1.0 ? 0.0 : INFINITY;
    return f->a * pow(f->a * f->n * w, -f->n / (f->n - 1.0));
}

double cob_ssn_isn_rate(const cob_ssn *s)
{
    return gain_threshold(&s->f[0], s->J_mV[0][0]);
}

double cob_ssn_supersat_rate(const cob_ssn *s, double ratio)
{
    return gain_threshold(&s->f[1], s->J_mV[1][1] - ratio * s->J_mV[0][1]);
}

double cob_ssn_det_j(const cob_ssn *s)
{
    return s->J_mV[0][0] * s->J_mV[1][1] - s->J_mV[0][1] * s->J_mV[1][0];
}

int cob_ssn_balanced(const cob_ssn *s, double ratio, double slope[2], int *stable)
{
    double det = cob_ssn_det_j(s);
    /* nu = -J^-1 (1, r) mu, J^-1 = [[J_II, -J_EI], [-J_IE, J_EE]] / det */
    slope[0] = det != 0.0 ? -(s->J_mV[1][1] - ratio * s->J_mV[0][1]) / det : NAN;
    slope[1] = det != 0.0 ? -(ratio * s->J_mV[0][0] - s->J_mV[1][0]) / det : NAN;
    if (stable)
        *stable = det > 0.0;
    return det != 0.0 && slope[0] > 0.0 && slope[1] > 0.0;
}

/* s with the drive (mu, ratio mu). */
static cob_ssn at_mu(const cob_ssn *s, double mu, double ratio)
{
    cob_ssn t = *s;
    t.mu[0] = mu;
    t.mu[1] = ratio * mu;
    return t;
}

/* ---- continuation ---- */

/* Phi_sc's states at (mu_E, mu_I) as rows; isn from dPhi_E/dnu_E > 1 (central differences). */
static int ei_rows(const cob_theory_ei *ei0, double mu_e, double mu_i, cob_ssn_row *r, int max)
{
    cob_theory_ei ei = *ei0;
    cob_theory_ei_state st[SSN_MAX_STATES];
    int k, n;
    ei.pop[0].noise_mu_mV_per_s = mu_e;
    ei.pop[1].noise_mu_mV_per_s = mu_i;
    n = cob_theory_ei_solve(&ei, st, SSN_MAX_STATES);
    for (k = 0; k < n && k < max; ++k) {
        double h = 1e-6 * (st[k].nu_hz[0] > 1.0 ? st[k].nu_hz[0] : 1.0), up[2], dn[2], g;
        up[0] = st[k].nu_hz[0] + h;
        dn[0] = st[k].nu_hz[0] - h > 0.0 ? st[k].nu_hz[0] - h : 0.0;
        up[1] = dn[1] = st[k].nu_hz[1];
        g = (cob_theory_rate(&ei.pop[0], cob_theory_ei_moments(&ei, 0, up)) -
             cob_theory_rate(&ei.pop[0], cob_theory_ei_moments(&ei, 0, dn))) /
            (up[0] - dn[0]);
        r[k].r_hz[0] = st[k].nu_hz[0];
        r[k].r_hz[1] = st[k].nu_hz[1];
        r[k].stable = st[k].stable;
        r[k].isn = g > 1.0;
    }
    return n < max ? n : max;
}

static int ssn_rows(const cob_ssn *s, double r_max_hz, cob_ssn_row *r, int max)
{
    cob_ssn_state st[SSN_MAX_STATES];
    int k, n = cob_ssn_states(s, r_max_hz, SSN_GRID, st, SSN_MAX_STATES);
    n = n < SSN_MAX_STATES ? n : SSN_MAX_STATES;
    for (k = 0; k < n && k < max; ++k) {
        r[k].r_hz[0] = st[k].r_hz[0];
        r[k].r_hz[1] = st[k].r_hz[1];
        r[k].stable = st[k].stable;
        r[k].isn = st[k].isn;
    }
    return n < max ? n : max;
}

static double row_dist(const cob_ssn_row *a, const cob_ssn_row *b)
{
    return fabs(a->r_hz[0] - b->r_hz[0]) / (1.0 + a->r_hz[0]) + fabs(a->r_hz[1] - b->r_hz[1]) / (1.0 + a->r_hz[1]);
}

/* Branch ids for cur[0..nc) from prev[0..np): greedy matching by distance (each pair used once),
 * new ids (from *next_id) for the unmatched. */
static void match_branches(const cob_ssn_row *prev, int np, cob_ssn_row *cur, int nc, int *next_id)
{
    int used_p[SSN_MAX_STATES] = {0}, done[SSN_MAX_STATES] = {0}, k, it;
    for (it = 0; it < nc; ++it) {
        double best = INFINITY;
        int bi = -1, bj = -1, i, j;
        for (i = 0; i < nc; ++i)
            for (j = 0; j < np && !done[i]; ++j)
                if (!used_p[j] && row_dist(&prev[j], &cur[i]) < best) {
                    best = row_dist(&prev[j], &cur[i]);
                    bi = i;
                    bj = j;
                }
        if (bi < 0)
            break;
        done[bi] = used_p[bj] = 1;
        cur[bi].branch = prev[bj].branch;
    }
    for (k = 0; k < nc; ++k)
        if (!done[k])
            cur[k].branch = (*next_id)++;
}

int cob_ssn_scan_line(const cob_ssn *s, const cob_theory_ei *ei, cob_ssn_method method, const double *mu_e,
                      const double *mu_i, int n_mu, double r_max_hz, cob_ssn_row *rows, int max_rows)
{
    cob_ssn_row prev[SSN_MAX_STATES], cur[SSN_MAX_STATES];
    int np = 0, next_id = 0, total = 0, i, k;
    for (i = 0; i < n_mu; ++i) {
        double mi = mu_i[i];
        int nc;
        if (method == COB_SSN_METHOD_PHI_SC) {
            if (!ei)
                return 0;
            nc = ei_rows(ei, mu_e[i], mi, cur, SSN_MAX_STATES);
        } else {
            cob_ssn t = *s;
            t.mu[0] = mu_e[i];
            t.mu[1] = mi;
            nc = ssn_rows(&t, r_max_hz, cur, SSN_MAX_STATES);
        }
        match_branches(prev, np, cur, nc, &next_id);
        for (k = 0; k < nc; ++k) {
            cur[k].mu[0] = mu_e[i];
            cur[k].mu[1] = mi;
            if (total < max_rows)
                rows[total] = cur[k];
            ++total;
        }
        memcpy(prev, cur, sizeof cur);
        np = nc;
    }
    return total;
}

int cob_ssn_scan(const cob_ssn *s, const cob_theory_ei *ei, cob_ssn_method method, double ratio, const double *mu_e,
                 int n_mu, double r_max_hz, cob_ssn_row *rows, int max_rows)
{
    double *mu_i = malloc((size_t)(n_mu > 0 ? n_mu : 1) * sizeof *mu_i);
    int i, total;
    if (!mu_i)
        return 0;
    for (i = 0; i < n_mu; ++i) mu_i[i] = ratio * mu_e[i];
    total = cob_ssn_scan_line(s, ei, method, mu_e, mu_i, n_mu, r_max_hz, rows, max_rows);
    free(mu_i);
    return total;
}

/* ---- folds: double roots of F(r_E; mu) ---- */

static int n_states(const cob_ssn *s, double mu, double ratio, double r_max_hz)
{
    cob_ssn t = at_mu(s, mu, ratio);
    cob_ssn_state st[SSN_MAX_STATES];
    return cob_ssn_states(&t, r_max_hz, SSN_GRID, st, SSN_MAX_STATES);
}

/* The extremum of sign * F over [lo, hi] by golden section (F unimodal there): its value, the
 * position in *x. */
static double extremum(const cob_ssn *t, double sign, double lo, double hi, double *x)
{
    const double g = 0.6180339887498949;
    double a = lo, b = hi, c = b - g * (b - a), d = a + g * (b - a);
    double fc = sign * cob__ssn_residual_e(t, c), fd = sign * cob__ssn_residual_e(t, d);
    int it;
    for (it = 0; it < 200 && b - a > 1e-13 * (1.0 + fabs(b)); ++it) {
        if (fc > fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = sign * cob__ssn_residual_e(t, c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = sign * cob__ssn_residual_e(t, d);
        }
    }
    *x = 0.5 * (a + b);
    return sign * cob__ssn_residual_e(t, *x);
}

/* Refine the fold between mu_a (more states) and mu_b (fewer): the two states of mu_a that do
 * not survive to mu_b merge; F's extremum between them is followed while bisecting mu on its
 * sign. Returns the fold's mu, *r_e the double root. */
static double refine_fold(const cob_ssn *s, double ratio, double mu_a, double mu_b, double r_max_hz, double *r_e)
{
    cob_ssn ta = at_mu(s, mu_a, ratio), tb = at_mu(s, mu_b, ratio);
    cob_ssn_state sa[SSN_MAX_STATES], sb[SSN_MAX_STATES];
    int na = cob_ssn_states(&ta, r_max_hz, SSN_GRID, sa, SSN_MAX_STATES), nb, k, j, pick = 0, it;
    double lo, hi, w, sign, best = -INFINITY;
    nb = cob_ssn_states(&tb, r_max_hz, SSN_GRID, sb, SSN_MAX_STATES);
    na = na < SSN_MAX_STATES ? na : SSN_MAX_STATES;
    nb = nb < SSN_MAX_STATES ? nb : SSN_MAX_STATES;
    /* the adjacent pair of mu_a's states farthest from every state of mu_b merges */
    for (k = 0; k + 1 < na; ++k) {
        double d = INFINITY, m = 0.5 * (sa[k].r_hz[0] + sa[k + 1].r_hz[0]);
        for (j = 0; j < nb; ++j) d = fmin(d, fabs(sb[j].r_hz[0] - m));
        if (d > best) {
            best = d;
            pick = k;
        }
    }
    if (na < 2) {
        *r_e = NAN;
        return 0.5 * (mu_a + mu_b);
    }
    w = sa[pick + 1].r_hz[0] - sa[pick].r_hz[0];
    lo = fmax(0.0, sa[pick].r_hz[0] - 0.5 * w);
    hi = sa[pick + 1].r_hz[0] + 0.5 * w;
    sign = cob__ssn_residual_e(&ta, 0.5 * (sa[pick].r_hz[0] + sa[pick + 1].r_hz[0])) > 0.0 ? 1.0 : -1.0;
    *r_e = 0.5 * (lo + hi);
    for (it = 0; it < 100 && fabs(mu_b - mu_a) > 1e-12 * (1.0 + fabs(mu_a)); ++it) {
        double mid = 0.5 * (mu_a + mu_b), x;
        cob_ssn t = at_mu(s, mid, ratio);
        if (extremum(&t, sign, lo, hi, &x) > 0.0) /* the two roots still exist at mid */
            mu_a = mid;
        else
            mu_b = mid;
        *r_e = x;
    }
    return 0.5 * (mu_a + mu_b);
}

int cob_ssn_folds(const cob_ssn *s, double ratio, double mu_lo, double mu_hi, int n_mu, double r_max_hz,
                  double *fold_mu, double *fold_r_e, int max)
{
    int i, n = 0, c_prev = n_states(s, mu_lo, ratio, r_max_hz);
    double m_prev = mu_lo;
    for (i = 1; i < n_mu; ++i) {
        double m = mu_lo + (mu_hi - mu_lo) * i / (n_mu - 1), r = NAN, f;
        int c = n_states(s, m, ratio, r_max_hz);
        if (c != c_prev) {
            f = c > c_prev ? refine_fold(s, ratio, m, m_prev, r_max_hz, &r)
                           : refine_fold(s, ratio, m_prev, m, r_max_hz, &r);
            if (n < max) {
                fold_mu[n] = f;
                fold_r_e[n] = r;
            }
            ++n;
        }
        c_prev = c;
        m_prev = m;
    }
    return n;
}

/* ---- classifier ---- */

int cob_ssn_classify(const cob_ssn *s, double mu, double ratio, double r_max_hz)
{
    cob_ssn t = at_mu(s, mu, ratio);
    cob_ssn_state st[SSN_MAX_STATES];
    int n = cob_ssn_states(&t, r_max_hz, SSN_GRID, st, SSN_MAX_STATES), k, n_stable = 0, one = -1, reg;
    n = n < SSN_MAX_STATES ? n : SSN_MAX_STATES;
    for (k = 0; k < n; ++k)
        if (st[k].stable) {
            ++n_stable;
            one = k;
        }
    if (n_stable == 0)
        return COB_SSN_NONE;
    if (n_stable > 1)
        return COB_SSN_BISTABLE;
    reg = st[one].isn ? COB_SSN_ISN : COB_SSN_STABLE;
    if (st[one].gain[0] > 0.0 && st[one].gain[1] * (s->J_mV[1][1] - ratio * s->J_mV[0][1]) > 1.0)
        reg |= COB_SSN_SUPERSAT;
    return reg;
}

const char *cob_ssn_regime_name(int regime)
{
    if (regime & COB_SSN_NONE)
        return "none";
    if (regime & COB_SSN_BISTABLE)
        return "bistable";
    switch (regime & (COB_SSN_ISN | COB_SSN_SUPERSAT)) {
    case COB_SSN_ISN: return "isn";
    case COB_SSN_SUPERSAT: return "supersaturating";
    case COB_SSN_ISN | COB_SSN_SUPERSAT: return "supersaturating+isn";
    default: return "stable";
    }
}

/* ---- facts along mu ---- */

/* The lowest stable state at mu (0 if none). */
static int lowest_stable(const cob_ssn *s, double mu, double ratio, double r_max_hz, cob_ssn_state *out)
{
    cob_ssn t = at_mu(s, mu, ratio);
    cob_ssn_state st[SSN_MAX_STATES];
    int n = cob_ssn_states(&t, r_max_hz, SSN_GRID, st, SSN_MAX_STATES), k;
    for (k = 0; k < n && k < SSN_MAX_STATES; ++k)
        if (st[k].stable) {
            *out = st[k];
            return 1;
        }
    return 0;
}

/* Whether some stable state at mu is ISN. */
static int any_isn(const cob_ssn *s, double mu, double ratio, double r_max_hz)
{
    cob_ssn t = at_mu(s, mu, ratio);
    cob_ssn_state st[SSN_MAX_STATES];
    int n = cob_ssn_states(&t, r_max_hz, SSN_GRID, st, SSN_MAX_STATES), k;
    for (k = 0; k < n && k < SSN_MAX_STATES; ++k)
        if (st[k].stable && st[k].isn)
            return 1;
    return 0;
}

/* Sign of d nu_E / d mu at a stable state (det(1 - G J) > 0 there): of g_E (1 + g_I (r J_EI - J_II)). */
static double slope_sign(const cob_ssn *s, const cob_ssn_state *st, double ratio)
{
    if (!(st->gain[0] > 0.0))
        return 0.0;
    return 1.0 + st->gain[1] * (ratio * s->J_mV[0][1] - s->J_mV[1][1]);
}

static void find_isn_mu(const cob_ssn *s, double ratio, const double *mu, int n_mu, double r_max_hz, cob_ssn_facts *f)
{
    int i, it;
    f->isn_mu = NAN;
    for (i = 0; i < n_mu; ++i)
        if (any_isn(s, mu[i], ratio, r_max_hz))
            break;
    if (i == n_mu)
        return;
    if (i == 0) {
        f->isn_mu = mu[0];
        return;
    }
    double a = mu[i - 1], b = mu[i];
    for (it = 0; it < 60 && b - a > 1e-9 * (1.0 + fabs(b)); ++it) {
        double m = 0.5 * (a + b);
        if (any_isn(s, m, ratio, r_max_hz))
            b = m;
        else
            a = m;
    }
    f->isn_mu = b;
    /* an ISN state born at a fold: the fold itself (the scan sees the pair only a little after it) */
    for (it = 0; it < f->n_folds && it < 8; ++it)
        if (f->fold_mu[it] >= mu[i - 1] && f->fold_mu[it] <= b && f->fold_r_e_hz[it] > f->isn_rate_hz)
            f->isn_mu = fmin(f->isn_mu, f->fold_mu[it]);
}

static void find_peak(const cob_ssn *s, double ratio, const double *mu, int n_mu, double r_max_hz, cob_ssn_facts *f)
{
    cob_ssn_state st;
    double prev = 0.0;
    int i, it;
    f->peak_mu = f->peak_r_e_hz = f->peak_r_i_hz = NAN;
    for (i = 0; i < n_mu; ++i) {
        double sg = lowest_stable(s, mu[i], ratio, r_max_hz, &st) ? slope_sign(s, &st, ratio) : 0.0;
        if (i > 0 && prev > 0.0 && sg < 0.0) {
            double a = mu[i - 1], b = mu[i];
            for (it = 0; it < 60 && b - a > 1e-9 * (1.0 + fabs(b)); ++it) {
                double m = 0.5 * (a + b);
                if (lowest_stable(s, m, ratio, r_max_hz, &st) && slope_sign(s, &st, ratio) > 0.0)
                    a = m;
                else
                    b = m;
            }
            f->peak_mu = 0.5 * (a + b);
            if (lowest_stable(s, f->peak_mu, ratio, r_max_hz, &st)) {
                f->peak_r_e_hz = st.r_hz[0];
                f->peak_r_i_hz = st.r_hz[1];
            }
            return;
        }
        prev = sg;
    }
}

/* Number of stable states at mu. */
static int n_stable(const cob_ssn *s, double mu, double ratio, double r_max_hz)
{
    cob_ssn t = at_mu(s, mu, ratio);
    cob_ssn_state st[SSN_MAX_STATES];
    int n = cob_ssn_states(&t, r_max_hz, SSN_GRID, st, SSN_MAX_STATES), k, c = 0;
    for (k = 0; k < n && k < SSN_MAX_STATES; ++k) c += st[k].stable;
    return c;
}

void cob_ssn_regime_facts(const cob_ssn *s, double ratio, double mu_lo, double mu_hi, int n_mu, double r_max_hz,
                          cob_ssn_facts *f)
{
    double *mu = malloc((size_t)(n_mu > 2 ? n_mu : 2) * sizeof *mu);
    int i, k, in = 0;
    memset(f, 0, sizeof *f);
    n_mu = n_mu > 2 ? n_mu : 2;
    f->isn_rate_hz = cob_ssn_isn_rate(s);
    f->ss_rate_hz = cob_ssn_supersat_rate(s, ratio);
    f->det_j = cob_ssn_det_j(s);
    f->bal_exists = cob_ssn_balanced(s, ratio, f->bal_slope, &f->bal_stable);
    f->bistable_lo = f->bistable_hi = NAN;
    f->isn_mu = f->peak_mu = f->peak_r_e_hz = f->peak_r_i_hz = NAN;
    if (!mu)
        return;
    for (i = 0; i < n_mu; ++i) mu[i] = mu_lo + (mu_hi - mu_lo) * i / (n_mu - 1);
    f->n_folds = cob_ssn_folds(s, ratio, mu_lo, mu_hi, n_mu, r_max_hz, f->fold_mu, f->fold_r_e_hz, 8);
    find_isn_mu(s, ratio, mu, n_mu, r_max_hz, f);
    find_peak(s, ratio, mu, n_mu, r_max_hz, f);
    /* the first window with two stable states: between the folds that bound it (or the range) */
    for (i = 0; i < n_mu; ++i) {
        int two = n_stable(s, mu[i], ratio, r_max_hz) >= 2;
        if (two && !in) {
            f->bistable_lo = mu[i];
            for (k = 0; k < f->n_folds && k < 8; ++k)
                if (f->fold_mu[k] <= mu[i] && (i == 0 || f->fold_mu[k] >= mu[i - 1]))
                    f->bistable_lo = f->fold_mu[k];
            in = 1;
        } else if (!two && in) {
            f->bistable_hi = mu[i];
            for (k = 0; k < f->n_folds && k < 8; ++k)
                if (f->fold_mu[k] >= mu[i - 1] && f->fold_mu[k] <= mu[i])
                    f->bistable_hi = f->fold_mu[k];
            break;
        }
    }
    if (in && isnan(f->bistable_hi))
        f->bistable_hi = mu_hi;
    free(mu);
}
