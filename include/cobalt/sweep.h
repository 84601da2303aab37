/* include/cobalt/sweep.h -- parameter sweeps: the `sweep:` block of a config (docs/sweeps.md)
 * turned into a list of points, each the base config plus a list of --set overrides, so every
 * point passes exactly the checks of `cobalt run --set ...`. One result file per point
 * (DIR/point_<i>.h5, as cobalt run writes it); cob_sweep_merge joins them into one sweep file
 * with a summary table (and a CSV copy) that sets each point's simulated rate, CV and voltage
 * beside the mean-field prediction (theory.h).
 * Pairs with host/sweep/sweep_read.c (the spec), host/sweep/sweep.c (points, running one),
 * host/sweep/sweep_merge.c (the sweep file), host/sweep/sweep_summary.c (summary columns, CSV) and
 * host/cli/cli_sweep.c (`cobalt sweep`, `cobalt merge`).
 * Deliberate limits: values of swept keys are YAML scalars (no lists such as delay_ms pairs);
 * `nested: true` makes every projection nested (docs/config.md), so the graph at a smaller K is a
 * subgraph of the graph at a larger one; every point builds its network
 * from scratch (no allocations reused between points). */
#ifndef COBALT_SWEEP_H
#define COBALT_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "output.h"
#include "sim.h"
#include "status.h"
#include "theory.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COB_SWEEP_MAX_AXES 16        /* swept keys, k included */
#define COB_SWEEP_MAX_VALUES 100000  /* values of one key */
#define COB_SWEEP_MAX_POINTS 1000000 /* points of a whole sweep */
#define COB_SWEEP_KEY_MAX 128        /* bytes of a swept key's name */

typedef enum { COB_SWEEP_PRODUCT = 0, COB_SWEEP_ZIP } cob_sweep_combine;

/* What a swept key changes. */
typedef enum {
    COB_AXIS_K = 0, /* k: every in-degree scaled, weights by the law */
    COB_AXIS_NU_X,  /* nu_x: rate_hz of the (one) Poisson population */
    COB_AXIS_CV_K,  /* cv_k: cv_indegree of every projection */
    COB_AXIS_G,     /* g: receptor-I weight = g x receptor-E weight onto the same population */
    COB_AXIS_SEED,  /* seed: run.seed */
    COB_AXIS_KEY    /* any other dotted config key, as for --set */
} cob_axis_kind;

/* One swept key and its values (YAML scalars, as written). */
typedef struct {
    char name[COB_SWEEP_KEY_MAX]; /* "k", "nu_x", "populations.E.tau_m_ms", ... */
    cob_axis_kind kind;
    int line; /* line of the key in the config file, 0 if from --set */
    int n_values;
    char **values; /* n_values YAML texts (owned) */
    double *num;   /* n_values numbers, NaN where a value is not a number */
    int numeric;   /* 1 when every value is a number */
} cob_sweep_axis;

/* A parsed, checked sweep. */
typedef struct {
    cob_config base; /* the config with the command-line overrides (owned) */
    char *text;      /* the config file's text as read (owned) */
    char **cli_sets; /* the command-line overrides, copied; applied before a point's */
    int n_cli_sets;
    cob_sweep_axis axes[COB_SWEEP_MAX_AXES]; /* axes[0] is k when has_k */
    int n_axes;
    int has_k;
    cob_scale_law law; /* for k (COB_SCALE_NONE without k) */
    double k_cfg;      /* the base config's K: E->E (or E input) in-degree */
    double k0;         /* anchor of the law: the base weight holds at K = k0 */
    double w0;         /* the base E weight (a, or J in mV) */
    double *k_weight;  /* E weight at each k value (n = axes[0].n_values) */
    cob_sweep_combine combine;
    int nested; /* nested: true -> every point sets nested on every projection */
    int64_t n_points;
    char law_warning[512];    /* "" or the theory's warning on the law's validity */
    char e_pop[COB_NAME_MAX]; /* the population whose E->E (or E input) in-degree is K */
} cob_sweep;

/* One point: its own overrides ("key=value", applied after the command-line ones). */
typedef struct {
    int64_t index;
    int n_sets;
    char **sets;                         /* owned */
    int *set_axis;                       /* n_sets: the axis that made each override */
    int value_index[COB_SWEEP_MAX_AXES]; /* index into each axis' values */
    double k, weight_e;                  /* K and the E weight (a or J) of the point */
} cob_sweep_point;

/* Load the config at path with the overrides sets[0 .. n_sets) and its `sweep:` block into sw
 * (sw need not be initialised), then build and check every point's config, so a bad spec is
 * refused before anything runs. Errors name file:line, the key (sweep.set.nu_x, ...), the
 * value and what is allowed; a point's config that fails its checks is named by the sweep key
 * that made it and the override. A config without `sweep:` is COB_ERR_CONFIG.
 * Returns COB_OK (free with cob_sweep_free), COB_ERR_IO, COB_ERR_CONFIG or COB_ERR_NOMEM;
 * on error sw holds nothing that needs freeing. */
cob_status cob_sweep_load(cob_sweep *sw, const char *path, const char *const *sets, int n_sets, cob_err *err);
/* Same from the YAML text; name stands for the file in messages and result files. */
cob_status cob_sweep_load_string(cob_sweep *sw, const char *text, const char *name, const char *const *sets, int n_sets,
                                 cob_err *err);
void cob_sweep_free(cob_sweep *sw);

/* Point i (0 .. n_points-1) of sw: its overrides, K and E weight. Free with
 * cob_sweep_point_free. COB_ERR_INVALID for i out of range, COB_ERR_NOMEM. */
cob_status cob_sweep_point_make(const cob_sweep *sw, int64_t i, cob_sweep_point *p, cob_err *err);
void cob_sweep_point_free(cob_sweep_point *p);
/* "K=300 nu_x=10" (the swept values of p), for progress lines. */
void cob_sweep_point_label(const cob_sweep *sw, const cob_sweep_point *p, char *buf, size_t len);
/* The config of point p: the base file with the command-line and the point's overrides
 * (free with cob_config_free). A refusal names the sweep key and the override. */
cob_status cob_sweep_point_config(const cob_sweep *sw, const cob_sweep_point *p, cob_config *c, cob_err *err);

/* Which point a job runs: point_arg (--point, may be NULL) else env_task_id (the value of
 * SLURM_ARRAY_TASK_ID, may be NULL). *selected = 0 when neither is given (run them all).
 * COB_ERR_CONFIG when the text is not an integer in 0 .. n_points-1 (message names which). */
cob_status cob_sweep_select(const char *point_arg, const char *env_task_id, int64_t n_points, int64_t *i, int *selected,
                            cob_err *err);

#define COB_SWEEP_PATH_MAX 4096 /* bytes of a sweep's file and folder names, NUL included */

/* File names: the point file "DIR/point_<i>.h5"; and the defaults from the config path
 * ("configs/x.yaml": out "x_sweep.h5", csv "x_sweep.csv", dir "x_sweep_points", in the
 * current directory). out_opt / dir_opt (may be NULL) replace the defaults; the CSV always sits
 * beside out with ".csv" for ".h5". COB_ERR_INVALID if a name does not fit in len bytes (for
 * cob_sweep_paths: if out or its CSV does not, or dir leaves no room in len for point names),
 * with a message naming the option and the limit. */
cob_status cob_sweep_point_path(const char *dir, int64_t i, char *buf, size_t len, cob_err *err);
cob_status cob_sweep_paths(const char *config_path, const char *out_opt, const char *dir_opt, char *out, char *csv,
                           char *dir, size_t len, cob_err *err);

/* What running one point gave, for the progress line and the JSON summary. */
typedef struct {
    char path[COB_SWEEP_PATH_MAX]; /* the point file */
    int n_pops;
    char pop_name[COB_MAX_POPS][COB_NAME_MAX];
    double rate_hz[COB_MAX_POPS]; /* mean rate of each neuron population */
    double wall_s;                /* build + init + run */
    cob_status run_status;        /* COB_OK or COB_ERR_OVERFLOW (file written, counts in it) */
    int kept; /* 1: the point's complete file was already there and was kept (nothing run; no rates) */
} cob_sweep_point_result;

/* Run point i with opt (backend, progress) and write its file into dir (created if missing)
 * with cob_output_write_h5 (temporary + rename). A point whose file is already complete (it
 * opens and its /config is the point's config) is not run again: res->kept = 1. meta gives commit, version and device (its
 * seed, backend and config_path are filled in here). An overflow still writes the file and
 * returns COB_OK with res->run_status = COB_ERR_OVERFLOW. */
cob_status cob_sweep_run_point(const cob_sweep *sw, int64_t i, const char *dir, const cob_sim_options *opt,
                               const cob_run_meta *meta, cob_sweep_point_result *res, cob_err *err);

/* Which point files of sw exist in dir: present[i] = 1 or 0 (n_points entries, caller's).
 * Returns the number missing. */
int64_t cob_sweep_scan(const cob_sweep *sw, const char *dir, unsigned char *present);

/* Join the point files in dir into the sweep file out and write the summary CSV csv (may be
 * NULL: none), both to temporaries first and then renamed: both files are replaced or neither
 * (on any failure, a full disk included, no temporary is left and out and csv are as they
 * were). Each point file must have been written
 * for that point (its /config is compared with the point's config text). Missing points:
 * COB_ERR_IO naming them and nothing written, unless allow_missing (their rows are NaN and the
 * root attribute `missing` lists them). Layout: docs/sweeps.md. */
cob_status cob_sweep_merge(const cob_sweep *sw, const char *dir, const char *out, const char *csv, int allow_missing,
                           cob_err *err);

#ifdef __cplusplus
}
#endif
#endif
