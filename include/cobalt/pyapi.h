/* include/cobalt/pyapi.h -- a small flat C API for foreign-function callers: the Python package
 * (python/cobalt/_lib.py loads libcobalt.so with ctypes). Every function takes plain pointers,
 * integers and strings, so the caller mirrors no struct of the library; each one does what the
 * command line does for the same task (host/cli/cli.c run, cli_sweep.c sweep, cli_theory.c
 * theory) through the same library calls, so the results are those of the CLI.
 * Pairs with host/python/python_api.c and python/ (docs/python.md).
 *
 * A config source is (path, text, name, sets, n_sets): the YAML file at path, or when path is
 * NULL the YAML text (name stands for the file in messages, NULL for "config"), then the
 * overrides "dotted.key=value" sets[0 .. n_sets) as `--set` (cob_config_load).
 * msg: the caller's buffer of COB_ERR_MSG_MAX bytes, "" or the error message (file:line: key:
 * ..., as the CLI prints it after "cobalt: error: "). Strings returned through char ** are
 * malloc'd: free them with cob_py_free. Return values are cob_status numbers.
 * Deliberate limits: one run at a time per call; the progress callback is called from the
 * thread that runs the call. */
#ifndef COBALT_PYAPI_H
#define COBALT_PYAPI_H

#include <signal.h>
#include <stdint.h>
#include "sim.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Free a string or array that a cob_py_* function returned (NULL is fine). */
void cob_py_free(void *p);

/* Version and build commit of the library ("0.1.0", "414636d0c1ab" or "...-dirty"). */
const char *cob_py_version(void);
const char *cob_py_commit(void);

/* Load and check a config (cob_config_load / _string). On COB_OK *text_out (may be NULL) gets
 * the config text as a run records it: the YAML followed by one "# --set key=value" line per
 * override. */
int cob_py_config_check(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                        char **text_out, char *msg);

/* `cobalt run`: load, check out (NULL: no file) as `cobalt run --out` does before simulating,
 * run on backend (cob_backend_kind: 0 auto, 1 cpu, 2 cuda), write the HDF5 result (temporary +
 * rename) and the one-line JSON summary into *json_out (may be NULL). progress (may be NULL) is
 * called about every interval_s wall seconds (0: 0.5). When *cancel becomes non-zero (set from
 * another thread) the run ends at the next chunk of steps with COB_ERR_CANCELLED and writes
 * nothing. COB_ERR_OVERFLOW with the file written when a loss was counted (the CLI's exit 6). */
int cob_py_run(const char *path, const char *text, const char *name, const char *const *sets, int n_sets, int backend,
               const char *out, cob_progress_fn progress, void *user, double interval_s, volatile sig_atomic_t *cancel,
               char **json_out, char *msg);

/* The number of points of the config's sweep: block (cob_sweep_load: every point checked). */
int cob_py_sweep_count(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                       int64_t *n_points, char *msg);

/* `cobalt sweep`: run the points points[0 .. n_sel) (n_sel = 0: every point) into dir/point_<i>.h5
 * (a complete point file already there is kept, as the CLI does), then merge the points of dir into
 * out and csv (cob_sweep_merge; with a selection, missing points are NaN rows). dir, out, csv:
 * NULL for the CLI's defaults from the config path. progress and cancel as for cob_py_run (the
 * progress restarts at step 0 with each point); point_done (may be NULL) is called after each
 * point with its index. COB_ERR_OVERFLOW when a point overflowed (its file written, merged). */
typedef void (*cob_py_point_fn)(void *user, int64_t point, int64_t n_done, int64_t n_total);
int cob_py_sweep_run(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                     int backend, const int64_t *points, int64_t n_sel, const char *dir, const char *out,
                     const char *csv, cob_progress_fn progress, cob_py_point_fn point_done, void *user,
                     double interval_s, volatile sig_atomic_t *cancel, char *msg);

/* `cobalt theory` as JSON into *json_out: the theory network ("net"), every self-consistent state
 * ("states"), the strong-coupling gain and Eq. 21 rate, the heterogeneous state for cv_k (< 0:
 * the config's common cv_indegree, if any; "hetero" null when none), and for each law of laws
 * (comma-separated, NULL: the model's default) and each k[0 .. n_k) the weight and the lowest
 * stable state ("k_sweep"; a row that fails carries "error"). Non-finite numbers are null. */
int cob_py_theory_json(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                       const double *k, int n_k, const char *laws, double cv_k, char **json_out, char *msg);

/* The realised in-degree of every target neuron of projection i_proj of the config (drawn by
 * cob_net_layout, as the run draws it for the config's seed) into *out (malloc'd, *n_out
 * values); *n_projs gets the number of projections. COB_ERR_INVALID for i_proj out of range. */
int cob_py_indegrees(const char *path, const char *text, const char *name, const char *const *sets, int n_sets,
                     int i_proj, int32_t **out, int64_t *n_out, int *n_projs, char *msg);

#ifdef __cplusplus
}
#endif
#endif
