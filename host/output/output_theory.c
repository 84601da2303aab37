/* host/output/output_theory.c -- the mean-field prediction stored beside a run's statistics (/theory
 * group, include/cobalt/output.h): the self-consistent state of include/cobalt/theory.h nearest
 * the simulated mean rate, and its P(V) on a grid covering the density's support. */
#include <math.h>
#include "cobalt/output.h"
#include "cobalt/theory.h"

#define MAX_STATES 8

/* Mean rate over the neuron populations of s (the theory has nu_E = nu_I). */
static double simulated_rate(const cob_stats *s)
{
    double sum = 0.0;
    int p, n = 0;
    for (p = 0; p < s->n_pops; ++p)
        if (!isnan(s->pop[p].mean_rate_hz)) {
            sum += s->pop[p].mean_rate_hz;
            n += 1;
        }
    return n ? sum / n : NAN;
}

static const cob_theory_state *nearest(const cob_theory_state *st, int n, double nu)
{
    const cob_theory_state *best = &st[0];
    int k;
    for (k = 1; k < n; ++k)
        if (isnan(nu) ? st[k].stable && !best->stable : fabs(st[k].nu_hz - nu) < fabs(best->nu_hz - nu))
            best = &st[k];
    return best;
}

/* Appendix G (exponential synapses) at state b; zeros without them. */
static void syn_summary(const cob_theory_net *n, const cob_theory_state *b, cob_theory_summary *out)
{
    double ts = n->tau_syn_s;
    out->tau_syn_ms = ts * 1e3;
    out->syn_ratio = ts / b->m.tau_s;
    out->rate_g9_hz = ts > 0.0 ? cob_theory_rate_syn(n, b->m, ts, COB_SYN_G9) : 0.0;
    out->rate_g10_hz = ts > 0.0 ? cob_theory_rate_syn(n, b->m, ts, COB_SYN_G10) : 0.0;
    out->rate_g11_hz = ts > 0.0 ? cob_theory_rate_syn(n, b->m, ts, COB_SYN_G11) : 0.0;
    out->v_sd_syn_mV = cob_theory_sd_v_syn(b->m, ts);
    out->syn_pick = (int)cob_theory_syn_pick(out->syn_ratio);
}

cob_status cob_output_theory(const cob_config *c, const cob_stats *s, cob_theory_summary *out, cob_err *err)
{
    cob_theory_net n;
    cob_theory_state st[MAX_STATES];
    const cob_theory_state *b;
    double lo, hi;
    int k, n_st;
    cob_status rc = cob_theory_net_from_config(c, &n, err);
    if (rc != COB_OK)
        return rc;
    n_st = cob_theory_solve(&n, st, MAX_STATES);
    if (n_st <= 0)
        return cob_err_set(err, COB_ERR_INVALID, "no self-consistent mean-field state in (0, 1/tau_rp)");
    b = nearest(st, n_st, simulated_rate(s));
    out->rate_hz = b->nu_hz;
    out->cv = b->cv;
    out->stable = b->stable;
    out->n_states = n_st;
    out->mu_mV = b->m.mu_mV;
    out->sigma_mV = b->m.sigma_mV;
    out->tau_eff_ms = b->m.tau_s * 1e3;
    out->v_mean_mV = b->v_mean_mV;
    out->v_sd_mV = b->v_sd_mV;
    hi = n.theta_mV;
    lo = fmin(n.v_reset_mV, b->m.mu_mV - 6.0 * b->m.sigma_mV);
    for (k = 0; k < COB_THEORY_PV_N; ++k) out->v_mV[k] = lo + (hi - lo) * k / (COB_THEORY_PV_N - 1);
    cob_theory_pv(&n, b->m, b->nu_hz, out->v_mV, COB_THEORY_PV_N, out->p_v);
    syn_summary(&n, b, out);
    return COB_OK;
}
