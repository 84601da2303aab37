/* include/cobalt/rate.h -- the rate-model companion of cobalt (`cobalt rate CONFIG`, docs/rate.md):
 * tau_X dr_X/dt = -r_X + f_X(sum_Y W_XY r_Y + I_X(t)) for a few populations with threshold-linear
 * or threshold-power-law f (seed 002: f(x) = x_+^2 / 4), and the ring rate model of seed 003
 * (threshold-linear units, kernel (J0 + J1 cos(theta_i - theta_j)) / N, input I0 + I1 cos(theta -
 * theta0)), built as N populations. Fixed points (inputs back-computed from target rates, as
 * seed 002 does), linear response L = (1 - BW)^-1 B (= (B^-1 - W)^-1 where every gain b > 0),
 * seed 002's stability measure max Re eig(W - B^-1) over the active populations, the true
 * Jacobian T^-1(BW - 1), a Hopf search in one population's tau, and the ring's closed forms.
 * Host C in double; implemented in host/rate/rate*.c; tested by tests/test_rate.c.
 * Deliberate limits: constant inputs plus step changes (no noise, no schedules); at most
 * COB_RATE_MAX_POPS populations and COB_RATE_MAX_RING ring units (dense N x N algebra). */
#ifndef COBALT_RATE_H
#define COBALT_RATE_H

#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_RATE_MAX_POPS 16  /* populations of a population model */
#define COB_RATE_MAX_RING 512 /* units of a ring */
#define COB_RATE_MAX_STEPS 32 /* step perturbations */
#define COB_RATE_NAME_MAX 32
#define COB_RATE_PI 3.14159265358979323846

typedef enum { COB_RATE_F_LINEAR = 0, COB_RATE_F_POWER } cob_rate_f_type;

/* f(x) = k [x - threshold]_+^n (n = 1 for linear). */
typedef struct {
    cob_rate_f_type type;
    double k, n, threshold;
} cob_rate_f;

/* One step perturbation: at t_ms the input of population pop changes by delta (and stays). */
typedef struct {
    double t_ms, delta;
    int pop;
} cob_rate_step;

/* The ring of seed 003 (ring.n > 0 makes a config a ring model). */
typedef struct {
    int n;
    double tau_ms, j0, j1, i0, i1, theta0_deg;
    cob_rate_f f;
} cob_rate_ring;

/* A rate model: n populations (for a ring, its n units), each with a time constant, transfer
 * function, constant input and initial rate; W[post * n + pre]. */
typedef struct {
    int n;
    char (*names)[COB_RATE_NAME_MAX];
    double *tau_ms, *input, *r0_hz, *target_hz; /* target_hz[i] < 0: input given, not back-computed */
    cob_rate_f *f;
    double *w; /* n * n */
    double dt_ms, t_ms, record_ms;
    int n_steps;
    cob_rate_step steps[COB_RATE_MAX_STEPS];
    cob_rate_ring ring;
    int hopf_pop; /* -1: no Hopf search; else search tau_ms of this population in [hopf_lo, hopf_hi] */
    double hopf_lo_ms, hopf_hi_ms;
    char *text; /* the config text as read (may be NULL) */
} cob_rate_model;

/* f and its derivative at x. */
double cob_rate_f_eval(const cob_rate_f *f, double x);
double cob_rate_f_deriv(const cob_rate_f *f, double x);

/* Allocate a model of n populations (1 .. COB_RATE_MAX_RING), zeroed, tau 10 ms, f linear k 1,
 * dt 0.01 ms, t 100 ms, no Hopf search. COB_ERR_NOMEM / COB_ERR_INVALID. */
cob_status cob_rate_alloc(cob_rate_model *m, int n, cob_err *err);
void cob_rate_free(cob_rate_model *m);

/* Load a rate config (docs/rate.md) with --set overrides (key=value, as cobalt run). Populations
 * with rate_hz get their input back-computed (cob_rate_backcompute); a ring is built
 * (cob_rate_ring_build). COB_ERR_CONFIG "file:line: key: value (allowed: ...)", COB_ERR_IO,
 * COB_ERR_NOMEM. */
cob_status cob_rate_load(cob_rate_model *m, const char *path, const char *const *sets, int n_sets, cob_err *err);
cob_status cob_rate_load_string(cob_rate_model *m, const char *text, const char *name, const char *const *sets,
                                int n_sets, cob_err *err);

/* Ring units as populations: W_ij = (J0 + J1 cos(theta_i - theta_j)) / n, input I0 + I1 cos(theta_i -
 * theta0), theta_i = 2 pi i / n, names "u<i>", r0 = 0. m was allocated with ring.n populations. */
void cob_rate_ring_build(cob_rate_model *m);

/* Inputs from targets: I_X = f_X^-1(target_X) - sum_Y W_XY target_Y for every population with
 * target_hz > 0 (f^-1(r) = threshold + (r / k)^(1/n), the rising branch). COB_ERR_INVALID if a
 * target is 0 (a silent population's input is not determined). */
cob_status cob_rate_backcompute(cob_rate_model *m, cob_err *err);

/* dr/dt (Hz/ms) at rates r with inputs in (n each). */
void cob_rate_deriv(const cob_rate_model *m, const double *in, const double *r, double *drdt);
/* One classical Runge-Kutta step of dt_ms from r (in place); work holds 5 n doubles. */
void cob_rate_rk4_step(const cob_rate_model *m, const double *in, double *r, double dt_ms, double *work);

/* Linearisation at rates r with inputs in: gains b (n), L = (1 - BW)^-1 B (n x n), eigenvalues of the
 * true Jacobian T^-1(BW - 1) in 1/ms (re, im), the paper's measure max Re eig(W - B^-1) over the
 * populations with b > 0 (dimensionless; -inf when none), stable (all Re < 0), hopf (the
 * leading eigenvalues are a complex pair). Any output pointer may be NULL. COB_ERR_INVALID if
 * 1 - BW is singular (L then NaN) or the eigenvalue iteration fails. */
typedef struct {
    double max_re_per_ms, lead_im_per_ms; /* leading eigenvalue of the true Jacobian */
    double paper_measure;                 /* max Re eig(W - B^-1) over active populations */
    int stable, oscillatory;              /* all Re < 0; the leading eigenvalue has Im != 0 */
} cob_rate_stability;
cob_status cob_rate_linearize(const cob_rate_model *m, const double *in, const double *r, double *b, double *L,
                              double *eig_re, double *eig_im, cob_rate_stability *st, cob_err *err);

/* Fixed point r = f(W r + in) near r (in place): for threshold-linear networks of up to 12
 * populations the nearest of all fixed points (every active set solved exactly, unstable ones
 * included), then damped Newton (at most 200 iterations, until |F| < 1e-12 (1 + |r|)). Returns
 * COB_OK, or COB_ERR_INVALID when Newton does not converge (r is then the last iterate). */
cob_status cob_rate_fixed_point(const cob_rate_model *m, const double *in, double *r, cob_err *err);

/* Hopf point in the tau of population pop: the tau in [lo_ms, hi_ms] where the leading eigenvalue
 * pair of the Jacobian at the fixed point r (held fixed: tau does not move a fixed point) crosses
 * Re = 0, by bisection to 1e-10 ms; freq_hz = Im / 2 pi there. COB_ERR_INVALID if the leading
 * eigenvalue's real part has the same sign at both ends or is real at the crossing. */
cob_status cob_rate_hopf_tau(const cob_rate_model *m, const double *in, const double *r, int pop, double lo_ms,
                             double hi_ms, double *tau_ms, double *freq_hz, cob_err *err);

/* Ring closed forms (seed 003, continuum limit, f threshold-linear with k = 1, threshold 0). */
typedef struct {
    double m0_uniform;       /* I0 / (1 - J0): uniform state under uniform input */
    double lambda0, lambda1; /* growth rates of the uniform and cos modes: (J0 - 1) / tau, (J1/2 - 1) / tau, 1/ms */
    int uniform_stable;      /* J0 < 1 and J1 < 2 */
    double amplification;    /* (1 - J0) / (1 - J1/2): (m1/m0) / (I1/I0) of the linear response */
    double a, theta_c, r0,
        r1;      /* profile m(theta) = a [cos(theta - theta0) - cos theta_c]_+ (theta_c = pi: m0 + m1 cos) */
    int bounded; /* 0: no bounded stationary profile (the activity grows without bound) */
} cob_rate_ring_theory;
void cob_rate_ring_closed_form(const cob_rate_ring *g, cob_rate_ring_theory *t);
/* Closed-form profile at theta (radians). */
double cob_rate_ring_profile(const cob_rate_ring *g, const cob_rate_ring_theory *t, double theta);

/* Dense helpers (host/rate/rate_linalg.c): a (n x n, row-major) inverted in place by Gauss-Jordan
 * with partial pivoting (COB_ERR_INVALID if singular); eigenvalues of a general real matrix
 * (copied) by Hessenberg reduction and shifted QR (COB_ERR_INVALID if it does not converge). */
cob_status cob_rate_invert(double *a, int n, cob_err *err);
cob_status cob_rate_eig(const double *a, int n, double *re, double *im, cob_err *err);

/* A run's results: time series (n_rec samples of every population), one entry per epoch (the
 * start and each step): the fixed point with the epoch's inputs, its linearisation. */
typedef struct {
    int n, n_rec, n_epochs;
    double *t_ms;     /* n_rec */
    double *r_hz;     /* n_rec x n */
    double *input_ts; /* n_rec x n */
    double *epoch_t_ms, *epoch_input, *epoch_fp, *epoch_b, *epoch_L, *epoch_eig_re, *epoch_eig_im, *epoch_end_r;
    cob_rate_stability *epoch_st;
    int *epoch_fp_ok;
    double hopf_tau_ms, hopf_freq_hz; /* NaN when no search */
    cob_rate_ring_theory ring;        /* ring models only */
    double run_s;
} cob_rate_result;

/* Integrate m from r0 for t_ms (RK4, dt_ms; the step times rounded to the step grid), record
 * every record_ms, and analyse every epoch. COB_ERR_NOMEM; a fixed point that does not converge
 * is recorded (epoch_fp_ok 0), not an error. */
cob_status cob_rate_run(const cob_rate_model *m, cob_rate_result *res, cob_err *err);
void cob_rate_result_free(cob_rate_result *res);

/* Write res as an HDF5 file (docs/rate.md, "Output"), published atomically like a run file
 * (written to "<path>.tmp.<pid>", then renamed); version and commit are recorded as root
 * attributes. COB_ERR_IO (message names the path), COB_ERR_NOMEM. */
cob_status cob_rate_write_h5(const char *path, const char *config_path, const char *version, const char *commit,
                             const cob_rate_model *m, const cob_rate_result *res, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
