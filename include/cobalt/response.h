/* include/cobalt/response.h -- the response report of a protocol run: per perturbed window, the
 * change of every population's rate against a baseline window, the gain as a finite difference and
 * the paradoxical response of inhibitory populations (seed 002, issue 14 item 4). Computed after
 * the run from the per-window rates and the config's protocol (host/stats/response.c); written as
 * /protocol/response and "response" in the JSON summary (docs/results.md).
 * Limits: only step perturbations have a size (a ramp's window gets no gain); the standard error
 * treats the bins of the population-rate series as independent. */
#ifndef COBALT_RESPONSE_H
#define COBALT_RESPONSE_H

#include "config.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One perturbed window against its baseline. Population arrays are indexed like cob_stats.pop
 * (neuron populations, config order). */
typedef struct {
    int window;                    /* index in protocol.windows */
    int baseline;                  /* index of its baseline window */
    int key;                       /* cob_pert_target of the inputs that differ, -1 when they differ in several keys */
    double d_input;                /* the one step size (key's unit) by which every differing input
                                          * differs; NaN when sizes differ, or with a ramp */
    double dr_hz[COB_MAX_POPS];    /* rate(window) - rate(baseline) */
    double se_hz[COB_MAX_POPS];    /* its standard error from the binned population rate; NaN with < 2 bins */
    double gain_hz[COB_MAX_POPS];  /* dr_hz / d_input (Hz per key unit); NaN without d_input */
    double d_own[COB_MAX_POPS];    /* step of the population's own input (key `key`), 0 if not perturbed */
    int paradoxical[COB_MAX_POPS]; /* 1: inhibitory, own input stepped, rate moved the other way by > 2 se */
} cob_response_row;

typedef struct {
    int n_rows;
    int n_pops;                   /* as cob_stats.n_pops */
    int inhibitory[COB_MAX_POPS]; /* 1: projects, only onto receptor I */
    cob_response_row rows[COB_MAX_WINDOWS];
} cob_response;

/* The response report of a run of config c with statistics s. The baseline of a perturbed window
 * is the nearest earlier window all of whose perturbations are also in it (same population, key
 * and step); a window with no such window, and an unperturbed window, has no row. The difference
 * of the two windows' perturbations is the stimulus: d_input is its common step size. Fills out
 * (n_rows 0 without a protocol). Never fails for a checked config and its stats. */
void cob_response_compute(const cob_config *c, const cob_stats *s, cob_response *out);

#ifdef __cplusplus
}
#endif
#endif
