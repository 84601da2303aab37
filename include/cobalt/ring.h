/* include/cobalt/ring.h -- host side of the ring structure (include/cobalt/hd/ring.h has the draw):
 * a projection's kernel from its config, and the largest in-degree the rejection draw can reach
 * at an acceptance of at least COB_RING_ACCEPT_MIN. Implemented in host/net/ring.c; used by the
 * config checks (host/config/config_check.c), the builders (host/net/net.c) and tests. */
#ifndef COBALT_RING_H
#define COBALT_RING_H

#include <stdint.h>
#include "config.h"
#include "hd/ring.h"
#include "hd/tuning.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Below this expected acceptance per candidate a draw is refused: at most 1/COB_RING_ACCEPT_MIN
 * candidates per synapse. */
#define COB_RING_ACCEPT_MIN 1e-3

/* The draw's kernel of projection p of config c (shape COB_RING_NONE without `ring_kernel`);
 * c must have passed the key ranges (pre and post rings, kernel parameters). */
cob_ring_kern cob_ring_kern_of(const cob_config *c, int p);

/* The largest in-degree K for which every candidate of a target's draw without replacement is
 * accepted with probability >= COB_RING_ACCEPT_MIN, even when the K - 1 partners already taken
 * are the most likely ones; 0 when even the first candidate is not (a kernel too peaked).
 * n_avail: candidates per target; multapses: draws with replacement (no depletion: n_max or 0).
 * Evaluated on min(n_pre, 65536) points of the ring at two target offsets (on a presynaptic
 * neuron and halfway between two). *mean_accept (may be NULL): the acceptance of the first
 * candidate, i.e. the kernel's mean over the ring relative to its maximum (the smaller of the
 * two offsets). */
int64_t cob_ring_k_cap(const cob_ring_kern *k, int64_t n_avail, int multapses, int64_t n_max, double *mean_accept);

/* The tuning of population pop's input (its `tuning`) on the ring of population ring_pop (whose
 * neurons' angles count: pop itself for a pool or a noise mean, the target for an independent
 * input); shape COB_TUNE_NONE when pop has none. */
cob_tuning cob_tuning_of(const cob_config *c, int pop, int ring_pop);
/* The largest gain of a tuning over any angle (1 + |mu_c|, or e^kappa / I0(kappa)); 1 when off. */
double cob_tuning_gain_max(const cob_tuning *tu);
/* e^-x I0(x) for 0 <= x <= 700 (the scaled modified Bessel function; series summed in log space). */
double cob_bessel_i0e(double x);

#ifdef __cplusplus
}
#endif
#endif
