/* host/config/config_protocol.c -- the stimulus protocol (key `protocol`): named windows of the
 * measurement and perturbations (a step or a ramp added to a population's rate, mu or sigma over a
 * window), compiled into the schedules they change, so the step loop only ever evaluates schedules
 * (include/cobalt/hd/schedule.h). Also what depends on that compilation: whether a Poisson rate
 * varies in time, its largest value, and the checks of the block (cob__check_protocol). Used by
 * host/config/config_check.c (checks) and host/sim/plan.c (the schedules of a run). Deliberate
 * limits: windows do not overlap (each step belongs to at most one window, which keeps the
 * per-window statistics one counter per step); a compiled schedule holds at most COB_SCHEDULE_MAX
 * points. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "config/config_keys.h"

/* Independent Poisson: expected input spikes per neuron per step (as config_check.c). */
#define COB__INDEP_MAX_PER_STEP 16000.0
/* Points a compiled schedule can need: the base's plus four per perturbation. */
#define COB__PROTO_POINTS (COB_SCHEDULE_MAX + 4 * COB_MAX_PERTURB)

static const char *const target_key[] = {"rate_hz", "noise.mu_mV_per_s", "noise.sigma_mV_per_sqrt_s"};

static int window_index(const cob_config *c, const char *name)
{
    for (int w = 0; w < c->protocol.n_windows; w++)
        if (strncmp(c->protocol.windows[w].name, name, COB_NAME_MAX) == 0)
            return w;
    return -1;
}

static int sched_varies(const cob_sched_spec *s)
{
    for (int i = 1; i < s->n; i++)
        if (s->value[i] != s->value[0])
            return 1;
    return 0;
}

/* Perturbation k applies to (pop, target) and names a window that exists. */
static int pert_applies(const cob_config *c, int k, int pop, int target)
{
    const cob_pert_spec *q = &c->protocol.perts[k];
    return q->pop == pop && q->target == target && window_index(c, q->window) >= 0;
}

/* Input target of population pop as written, or NULL when the population has none. A rate that
 * does not vary is rate_hz (so code that sets rate_hz on a loaded config is obeyed). */
static const cob_sched_spec *base_spec(const cob_config *c, int pop, int target, cob_sched_spec *one)
{
    const cob_pop_spec *p = &c->pops[pop];
    const int poisson = p->model == COB_MODEL_POISSON;
    const cob_sched_spec *s = NULL;
    if (target == COB_PERT_RATE && poisson) {
        if (sched_varies(&p->rate_sched))
            return &p->rate_sched;
        one->n = 1;
        one->t_ms[0] = 0.0;
        one->value[0] = p->rate_hz;
        return one;
    }
    if (target == COB_PERT_MU && !poisson)
        s = &p->noise.mu_mV_per_s;
    if (target == COB_PERT_SIGMA && !poisson)
        s = &p->noise.sigma_mV_per_sqrt_s;
    return s && s->n > 0 ? s : NULL;
}

/* Value at step x of the schedule (t, v, n) in double, as hd/schedule.h defines it. */
static double interp(const int64_t *t, const double *v, int n, int64_t x)
{
    int k = 0;
    if (x <= t[0])
        return v[0];
    if (x >= t[n - 1])
        return v[n - 1];
    while (t[k + 1] <= x) k++;
    return v[k] + (v[k + 1] - v[k]) * ((double)(x - t[k]) / (double)(t[k + 1] - t[k]));
}

static void window_steps(const cob_config *c, int w, int64_t *a, int64_t *b)
{
    *a = cob_steps(c->protocol.windows[w].start_ms, c->run.dt_ms);
    *b = cob_steps(c->protocol.windows[w].end_ms, c->run.dt_ms);
}

/* Sum of the perturbations of (pop, target) at step x: a step adds its value on [a, b), a ramp
 * from + (to - from) (x - a) / (b - a). */
static double pert_at(const cob_config *c, int pop, int target, int64_t x)
{
    double sum = 0.0;
    for (int k = 0; k < c->protocol.n_perts; k++) {
        const cob_pert_spec *q = &c->protocol.perts[k];
        int64_t a, b;
        if (!pert_applies(c, k, pop, target))
            continue;
        window_steps(c, window_index(c, q->window), &a, &b);
        if (x < a || x >= b)
            continue;
        sum += q->is_ramp ? q->ramp_from + (q->ramp_to - q->ramp_from) * ((double)(x - a) / (double)(b - a)) : q->step;
    }
    return sum;
}

/* Insert x into the ascending list t[0 .. n) unless present; returns the new n. */
static int add_point(int64_t *t, int n, int64_t x)
{
    int i = n;
    if (x < 0)
        return n;
    for (int k = 0; k < n; k++)
        if (t[k] == x)
            return n;
    while (i > 0 && t[i - 1] > x) {
        t[i] = t[i - 1];
        i--;
    }
    t[i] = x;
    return n + 1;
}

int cob_protocol_schedule(const cob_config *c, int pop, int target, int64_t *t_steps, double *value, int max)
{
    cob_sched_spec one;
    const cob_sched_spec *s = base_spec(c, pop, target, &one);
    int64_t bt[COB_SCHEDULE_MAX], pt[COB__PROTO_POINTS];
    double bv[COB_SCHEDULE_MAX];
    int nb = 0, n, any = 0;
    for (int k = 0; k < c->protocol.n_perts; k++) any |= pert_applies(c, k, pop, target);
    if (!s && !any)
        return 0;
    if (!s) { /* an input the population does not have yet: 0 plus the perturbations */
        one.n = 1;
        one.t_ms[0] = 0.0;
        one.value[0] = 0.0;
        s = &one;
    }
    /* the base in steps: points on one step merge, the later one winning (cob_plan_schedule) */
    for (int i = 0; i < s->n && i < COB_SCHEDULE_MAX; i++) {
        int64_t x = cob_steps(s->t_ms[i], c->run.dt_ms);
        if (nb > 0 && bt[nb - 1] == x)
            nb--;
        bt[nb] = x;
        bv[nb++] = s->value[i];
    }
    if (!any) {
        for (int i = 0; i < nb && i < max; i++) {
            t_steps[i] = bt[i];
            value[i] = bv[i];
        }
        return nb;
    }
    /* base and perturbations are linear between these steps: the base's points and, per window,
     * the steps just before and at its start and its end */
    memcpy(pt, bt, (size_t)nb * sizeof *pt);
    n = nb;
    for (int k = 0; k < c->protocol.n_perts; k++) {
        int64_t a, b;
        if (!pert_applies(c, k, pop, target))
            continue;
        window_steps(c, window_index(c, c->protocol.perts[k].window), &a, &b);
        n = add_point(pt, n, a - 1);
        n = add_point(pt, n, a);
        n = add_point(pt, n, b - 1);
        n = add_point(pt, n, b);
    }
    for (int i = 0; i < n && i < max; i++) {
        t_steps[i] = pt[i];
        value[i] = interp(bt, bv, nb, pt[i]) + pert_at(c, pop, target, pt[i]);
    }
    return n;
}

int cob_pop_rate_varies(const cob_config *c, int pop)
{
    const cob_pop_spec *p = &c->pops[pop];
    if (p->model != COB_MODEL_POISSON)
        return 0;
    if (sched_varies(&p->rate_sched))
        return 1;
    for (int k = 0; k < c->protocol.n_perts; k++)
        if (pert_applies(c, k, pop, COB_PERT_RATE))
            return 1;
    return 0;
}

double cob__pop_rate_max(const cob_config *c, int pop)
{
    int64_t t[COB__PROTO_POINTS];
    double v[COB__PROTO_POINTS], m = 0.0;
    int n = cob_protocol_schedule(c, pop, COB_PERT_RATE, t, v, COB__PROTO_POINTS);
    for (int i = 0; i < n; i++)
        if (i == 0 || v[i] > m)
            m = v[i];
    return m;
}

/* ---- checks ------------------------------------------------------------------------------- */

static cob_status check_window(const cob_config *c, const cob__src *s, int w, cob_err *err)
{
    const cob_window_spec *win = &c->protocol.windows[w];
    const int64_t warm = cob_steps(c->run.t_warmup_ms, c->run.dt_ms);
    const int64_t end = warm + cob_steps(c->run.t_sim_ms, c->run.dt_ms);
    int64_t a, b;
    char path[64], sub[96], v[32], lo[32], hi[32];
    snprintf(path, sizeof path, "protocol.windows[%d]", w);
    snprintf(sub, sizeof sub, "%s.name", path);
    for (const cob__key *k = cob__window_keys; k->name; k++)
        if (!cob__key_ok(k, win)) {
            char allowed[128];
            snprintf(sub, sizeof sub, "%s.%s", path, k->name);
            cob__key_value(k, win, v, sizeof v);
            cob__key_allowed(k, allowed, sizeof allowed);
            return cob__fail_path(s, err, sub, "value \"%s\" out of range (allowed: %s)", v, allowed);
        }
    for (int j = 0; j < w; j++)
        if (strcmp(c->protocol.windows[j].name, win->name) == 0) {
            snprintf(sub, sizeof sub, "%s.name", path);
            return cob__fail_path(s, err, sub,
                                  "duplicate window name \"%s\" (already used by protocol.windows[%d]; "
                                  "names must be unique)",
                                  win->name, j);
        }
    window_steps(c, w, &a, &b);
    cob__fmt_num(c->run.t_warmup_ms, lo, sizeof lo);
    cob__fmt_num((double)end * c->run.dt_ms, hi, sizeof hi);
    if (a < warm || a >= end) {
        snprintf(sub, sizeof sub, "%s.start_ms", path);
        cob__fmt_num(win->start_ms, v, sizeof v);
        return cob__fail_path(s, err, sub,
                              "value \"%s\" outside the measurement (allowed: t_warmup_ms = %s <= start_ms < end_ms "
                              "<= %s, the end of the run; times count from the start of the warm-up, as schedules)",
                              v, lo, hi);
    }
    if (b <= a || b > end) {
        snprintf(sub, sizeof sub, "%s.end_ms", path);
        cob__fmt_num(win->end_ms, v, sizeof v);
        return cob__fail_path(s, err, sub,
                              "value \"%s\" out of range (allowed: at least one step of dt_ms after start_ms and at "
                              "most %s, the end of the run)",
                              v, hi);
    }
    if (w > 0) {
        int64_t pa, pb;
        window_steps(c, w - 1, &pa, &pb);
        if (a < pb) {
            snprintf(sub, sizeof sub, "%s.start_ms", path);
            cob__fmt_num(win->start_ms, v, sizeof v);
            return cob__fail_path(s, err, sub,
                                  "value \"%s\" overlaps window \"%s\" before it (allowed: windows listed in time "
                                  "order, each starting at or after the end_ms of the one before)",
                                  v, c->protocol.windows[w - 1].name);
        }
    }
    return COB_OK;
}

static cob_status check_pert(const cob_config *c, const cob__src *s, int k, cob_err *err)
{
    const cob_pert_spec *q = &c->protocol.perts[k];
    char path[64], sub[96], names[COB_MAX_WINDOWS * (COB_NAME_MAX + 2)];
    size_t used = 0;
    snprintf(path, sizeof path, "protocol.perturbations[%d]", k);
    if (window_index(c, q->window) < 0) {
        names[0] = '\0';
        for (int w = 0; w < c->protocol.n_windows; w++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", w ? ", " : "",
                                     c->protocol.windows[w].name);
        snprintf(sub, sizeof sub, "%s.window", path);
        return cob__fail_path(s, err, sub, "unknown window \"%.*s\" (defined: %s)", COB_NAME_MAX, q->window,
                              c->protocol.n_windows ? names : "none");
    }
    if (q->pop < 0 || q->pop >= c->n_pops || q->target < COB_PERT_RATE || q->target > COB_PERT_SIGMA) {
        snprintf(sub, sizeof sub, "%s.population", path);
        return cob__fail_path(s, err, sub,
                              "no such population or key (allowed: a population and one of rate_hz, "
                              "noise.mu_mV_per_s, noise.sigma_mV_per_sqrt_s)");
    }
    const cob_pop_spec *p = &c->pops[q->pop];
    if ((q->target == COB_PERT_RATE) != (p->model == COB_MODEL_POISSON)) {
        snprintf(sub, sizeof sub, "%s.key", path);
        return cob__fail_path(s, err, sub, "value \"%s\" not an input of population \"%s\" of model %s (allowed: %s)",
                              target_key[q->target], p->name, cob_model_name(p->model),
                              p->model == COB_MODEL_POISSON ? "rate_hz"
                                                            : "noise.mu_mV_per_s, noise.sigma_mV_per_sqrt_s");
    }
    if (!isfinite(q->step) || !isfinite(q->ramp_from) || !isfinite(q->ramp_to)) {
        snprintf(sub, sizeof sub, "%s.%s", path, q->is_ramp ? "ramp" : "step");
        return cob__fail_path(s, err, sub, "value not finite (allowed: finite numbers)");
    }
    return COB_OK;
}

/* The compiled schedule of (pop, target), first perturbed by perturbation k: its size and the
 * range of its values. */
static cob_status check_compiled(const cob_config *c, const cob__src *s, int k, cob_err *err)
{
    const cob_pert_spec *q = &c->protocol.perts[k];
    int64_t t[COB__PROTO_POINTS];
    double v[COB__PROTO_POINTS], lo = 0.0, hi = 0.0, t_lo = 0.0;
    char path[64], a[32], b[32], d[32];
    int n = cob_protocol_schedule(c, q->pop, q->target, t, v, COB__PROTO_POINTS);
    const char *pop = c->pops[q->pop].name;
    snprintf(path, sizeof path, "protocol.perturbations[%d]", k);
    if (n > COB_SCHEDULE_MAX)
        return cob__fail_path(s, err, path,
                              "the schedule of %s of population \"%s\" with the protocol's perturbations has %d "
                              "points (allowed: at most %d; each perturbed window adds up to 4 points to the "
                              "schedule's own)",
                              target_key[q->target], pop, n, COB_SCHEDULE_MAX);
    for (int i = 0; i < n; i++) {
        if (i == 0 || v[i] < lo) {
            lo = v[i];
            t_lo = (double)t[i] * c->run.dt_ms;
        }
        if (i == 0 || v[i] > hi)
            hi = v[i];
    }
    cob__fmt_num(lo, a, sizeof a);
    cob__fmt_num(t_lo, b, sizeof b);
    if (q->target != COB_PERT_MU && lo < 0.0)
        return cob__fail_path(s, err, path,
                              "the perturbations make %s of population \"%s\" negative (%s at t = %s ms) (allowed: "
                              "%s >= 0 at every step)",
                              target_key[q->target], pop, a, b, target_key[q->target]);
    if (q->target != COB_PERT_RATE)
        return COB_OK;
    cob__fmt_num(hi, a, sizeof a);
    cob__fmt_num(c->run.dt_ms, d, sizeof d);
    if (c->pops[q->pop].input_mode == COB_INPUT_POOL && hi * c->run.dt_ms * 1e-3 > 1.0)
        return cob__fail_path(s, err, path,
                              "the perturbations raise rate_hz of pool population \"%s\" to %s Hz, more than one "
                              "spike per step at dt_ms = %s (allowed: rate_hz * dt_ms * 1e-3 <= 1 at every step)",
                              pop, a, d);
    for (int j = 0; j < c->n_projs; j++) {
        double per_step = hi * c->run.dt_ms * 1e-3 * c->projs[j].indegree;
        if (c->projs[j].pre != q->pop || c->pops[q->pop].input_mode != COB_INPUT_INDEPENDENT ||
            per_step <= COB__INDEP_MAX_PER_STEP)
            continue;
        cob__fmt_num(per_step, b, sizeof b);
        return cob__fail_path(s, err, path,
                              "the perturbations raise rate_hz of independent population \"%s\" to %s Hz: "
                              "projections[%d] then draws %s input spikes per neuron per step (allowed: <= %.0f)",
                              pop, a, j, b, COB__INDEP_MAX_PER_STEP);
    }
    return COB_OK;
}

cob_status cob__check_protocol(const cob_config *c, const cob__src *s, cob_err *err)
{
    const cob_protocol_spec *pr = &c->protocol;
    cob_status st = COB_OK;
    if (pr->n_windows < 0 || pr->n_windows > COB_MAX_WINDOWS || pr->n_perts < 0 || pr->n_perts > COB_MAX_PERTURB)
        return cob__fail_path(s, err, "protocol", "%d windows and %d perturbations (allowed: at most %d and %d)",
                              pr->n_windows, pr->n_perts, COB_MAX_WINDOWS, COB_MAX_PERTURB);
    for (int w = 0; st == COB_OK && w < pr->n_windows; w++) st = check_window(c, s, w, err);
    for (int k = 0; st == COB_OK && k < pr->n_perts; k++) st = check_pert(c, s, k, err);
    for (int k = 0; st == COB_OK && k < pr->n_perts; k++) {
        int first = 1;
        for (int j = 0; j < k; j++)
            if (pr->perts[j].pop == pr->perts[k].pop && pr->perts[j].target == pr->perts[k].target)
                first = 0;
        if (first)
            st = check_compiled(c, s, k, err);
    }
    return st;
}
