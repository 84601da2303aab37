/* include/cobalt/output.h -- results as data: one HDF5 file per run and a one-line JSON summary.
 * Pairs with host/output/output.c; the file layout and the JSON keys are documented in docs/results.md.
 * Limits: serial HDF5 (call from one thread at a time); the whole cob_stats is written at the end
 * of a run, not streamed. */
#ifndef COBALT_OUTPUT_H
#define COBALT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "sim.h"
#include "stats.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_THEORY_PV_N 400

/* The mean-field prediction of a run (include/cobalt/theory.h), written as the /theory group:
 * the self-consistent state nearest the simulated rate and its P(V) (Eq. 17) on a grid from
 * min(V_r, mu - 6 sigma) to theta. Filled by cob_output_theory(). */
typedef struct {
    double rate_hz, cv, mu_mV, sigma_mV, tau_eff_ms, v_mean_mV, v_sd_mV;
    int stable, n_states;
    double v_mV[COB_THEORY_PV_N], p_v[COB_THEORY_PV_N];
    /* Exponential synapses (tau_syn_ms > 0; 0 otherwise and nothing more is written): the rates
     * of seed 004's Appendix G at the state's moments (G9 Fourcaud-Brunel, G10 Rice, G11
     * adiabatic), tau_S/tau_eff, the free membrane's s.d. of V (G8) and the applicable one
     * (cob_theory_syn_pick: 0 Eq. 10, 1 G9, 2 G10, 3 G11). rate_hz above stays Eq. 10's. */
    double tau_syn_ms, syn_ratio, rate_g9_hz, rate_g10_hz, rate_g11_hz, v_sd_syn_mV;
    int syn_pick;
} cob_theory_summary;

/* Provenance of a run. Any string may be NULL (written as "" in HDF5, null in JSON). */
typedef struct {
    const char *commit; /* build commit */
    const char *version;
    const char *backend; /* "cpu" / "cuda" */
    const char *device;  /* e.g. host name or GPU name */
    uint64_t seed;
    const char *config_path;
    const cob_theory_summary *theory; /* NULL: no /theory group (config not an E/I/X network) */
} cob_run_meta;

/* The theory summary of config c for the simulated stats s (state nearest the mean simulated
 * rate). COB_OK, or COB_ERR_INVALID with the reason in err when c does not map to the theory
 * (cob_theory_net_from_config) or has no self-consistent state. */
cob_status cob_output_theory(const cob_config *c, const cob_stats *s, cob_theory_summary *out, cob_err *err);

/* Write one HDF5 result file at path: to "<path>.tmp.<pid>" first, then rename(2) onto path,
 * so a killed run never leaves a half file; on any error the temporary is removed and path is
 * untouched. c, s, t, m must be non-NULL; s's arrays must have the lengths stats.h gives
 * (NULL allowed only where the length is 0).
 * Returns COB_OK, COB_ERR_INVALID (bad arguments or inconsistent stats) or COB_ERR_IO (message
 * names path and the object that failed). Turns HDF5's automatic error printing off. */
cob_status cob_output_write_h5(const char *path, const cob_config *c, const cob_stats *s, const cob_sim_timing *t,
                               const cob_run_meta *m, cob_err *err);

/* One-line JSON summary (no trailing newline; caller prints it), written NUL-terminated into buf
 * (len bytes). Keys: "status" ("ok", or "overflow" when s->ring_overflow > 0), "out": out_path or null, "backend", "seed", "commit",
 * "neurons", "synapses", "steps", "build_s", "run_s", "realtime_factor" (run_s / simulated s),
 * "ring_overflow", "raster_overflow", and "populations": {name: {"rate_hz", "sd_rate_hz",
 * "cv", "frac_quiescent", "v_mean_mV", "v_sd_mV"}}. Strings are escaped; non-finite numbers
 * are written as null. Returns COB_ERR_OVERFLOW (message gives the size needed) if buf is too
 * small, COB_ERR_INVALID on NULL arguments (out_path may be NULL). */
cob_status cob_output_json(char *buf, size_t len, const char *out_path, const cob_config *c, const cob_stats *s,
                           const cob_sim_timing *t, const cob_run_meta *m, cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
