/* host/cli/cli_cmds.h -- subcommands of the `cobalt` command line that live in their own
 * host/cli_<cmd>.c; host/cli/cli.c dispatches argv[1] to them. Each takes main's argc/argv
 * (argv[1] is the subcommand's name), prints its own messages and returns the exit code. */
#ifndef COBALT_CLI_CMDS_H
#define COBALT_CLI_CMDS_H

#include "cobalt/config.h"

/* `cobalt plot FILE [options]` (host/cli/cli_plot.c): runs python3 tools/cobalt_plot.py FILE
 * options... (tools folder: COBALT_TOOLS_DIR, else <exe dir>/../tools, else
 * <exe dir>/../share/cobalt/tools). Returns the script's exit code (0 ok, 1 missing Python
 * package, 2 bad file or option), or 1 when python3 or the script cannot be found. */
int cob_cli_plot(int argc, char **argv);

/* `cobalt sweep CONFIG [options]` (host/cli/cli_sweep.c): runs the points of the config's sweep:
 * block (all, or one by --point / SLURM_ARRAY_TASK_ID) into point files and, after a full run,
 * merges them (docs/sweeps.md). Exit codes as for run (README.md). */
int cob_cli_sweep(int argc, char **argv);
/* `cobalt merge CONFIG [options]` (host/cli/cli_sweep.c): joins the point files into the sweep file
 * and its CSV; exit 3 naming the missing points unless --allow-missing. */
int cob_cli_merge(int argc, char **argv);

/* `cobalt theory CONFIG [--set key=value ...] [--k LIST] [--law LAWS] [--cv-k X]`
 * (host/cli/cli_theory.c): mean-field predictions for the config's E/I/X network and, with --k,
 * each scaling law's weight and predicted state at each K (docs/theory.md). Exit codes as for
 * run (README.md): 1 usage, 2 config (also: not an E/I/X network). */
int cob_cli_theory(int argc, char **argv);

/* Seed 001's SSN options of `cobalt theory` (host/cli/cli_theory_ssn.c). scan_n, map_nmu = 0 and
 * target = NULL: not given; ratio NAN: the config's. */
typedef struct {
    double ratio, fit_max_hz;
    double scan_lo, scan_hi;
    int scan_n;
    int scan_pop; /* --scan-pop: 0 both (mu_I = r mu_E), 1 E alone, 2 I alone (the other held at the config's) */
    double map_mu_lo, map_mu_hi, map_r_lo, map_r_hi;
    int map_nmu, map_nr;
    const char *target, *csv;
} cob__ssn_opts;
/* FROM:TO:N (N in [1, 100000], TO >= FROM, N = 1 only for FROM = TO): 1, or 0 when malformed. */
int cob__cli_parse_range(const char *s, double *lo, double *hi, int *n);
/* The SSN part of `cobalt theory` for config c (path for messages): facts, or the CSV/YAML of
 * the option given. Returns the exit code (2 when c is not a two-population white-noise
 * current-based config, 3 for an unwritable --csv). */
int cob__cli_theory_ssn(const cob_config *c, const char *path, const cob__ssn_opts *o);

/* `cobalt rate CONFIG [--out FILE | --no-out] [--set key=value ...]` (host/cli/cli_rate.c): integrates a
 * rate model (docs/rate.md), writes its HDF5 file and a JSON line. Exit codes as for run
 * (README.md): 1 usage, 2 config, 3 I/O, 4 memory. */
int cob_cli_rate(int argc, char **argv);

#endif
