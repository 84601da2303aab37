/* host/cli/cli_util.h -- what the `cobalt` subcommands (host/cli/cli.c, cli_sweep.c,
 * cli_theory.c) share: the error exit, argument messages, --backend, the host name, JSON strings
 * on a stream, and the synopsis lines that both `cobalt help` and a subcommand's own usage
 * print. Implemented in host/cli/cli_util.c. Messages go to stderr, prefixed "cobalt: "; exit
 * codes as in README.md ("Exit codes"). */
#ifndef COBALT_CLI_UTIL_H
#define COBALT_CLI_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "cobalt/sim.h"
#include "cobalt/status.h"

#define COB_CLI_MAX_SETS 64 /* --set options per command */

/* Synopses printed after a 7-character prefix ("usage: " or seven spaces); continuation lines
 * carry their own indentation. */
#define COB_CLI_SYNOPSIS_SWEEP                                                                \
    "cobalt sweep CONFIG [--point I] [--dir DIR] [--out FILE.h5] [--backend auto|cpu|cuda]\n" \
    "                           [--set key=value ...] [--quiet] [--count | --list] [--checkpoint-every 30m]\n"
#define COB_CLI_SYNOPSIS_RATE "cobalt rate CONFIG [--out FILE | --no-out] [--set key=value ...]\n"
#define COB_CLI_SYNOPSIS_MERGE \
    "cobalt merge CONFIG [--dir DIR] [--out FILE.h5] [--set key=value ...] [--allow-missing]\n"

/* Print "cobalt: error: <err's message, else st's name>" and return st's exit code. */
int cob__cli_fail(cob_status st, const cob_err *err);

/* --backend VALUE: auto, cpu or cuda into *kind and 1; else 0 after "cobalt: --backend 'V':
 * allowed values are auto, cpu, cuda" (the caller exits 1). */
int cob__cli_backend(const char *value, cob_backend_kind *kind);

/* A positional argument: the CONFIG when *config is still NULL (returns 1), else 0 after
 * "cobalt: unexpected argument 'ARG'". */
int cob__cli_config_arg(const char **config, const char *arg);
/* 1 when config was given, else 0 after "cobalt: missing CONFIG". */
int cob__cli_need_config(const char *config);
/* 0 after "cobalt: unknown or incomplete option 'OPT'" followed by note (may be ""). */
int cob__cli_bad_option(const char *opt, const char *note);
/* The output options of run and rate: 0 (with the message) when --out and --no-out are both
 * given or --out is empty, else 1. */
int cob__cli_check_out(const char *out, int no_out);
/* --set VALUE (or run's --seed as "run.seed=N"): appended to sets[*n_sets] (room for
 * COB_CLI_MAX_SETS) and 1; 0 after "cobalt: at most 64 overrides ..." when full, never
 * dropped. */
int cob__cli_add_set(const char **sets, int *n_sets, const char *value);

/* --checkpoint-every VALUE: a positive number of seconds with an optional unit s, m or h into
 * *s and 1; else 0 after "cobalt: --checkpoint-every 'V': allowed ..." (the caller exits 1). */
int cob__cli_parse_every(const char *value, double *s);

/* From now on SIGTERM (kill, a Slurm time limit) and SIGUSR1 (sbatch --signal=B:USR1@120, passed
 * on by the job script) set the returned flag instead of ending the process: the run given it as
 * cob_sim_options.stop_request writes its checkpoint and stops (exit 8). */
volatile sig_atomic_t *cob__cli_catch_stop(void);

/* This machine's name into buf (len bytes, NUL-terminated); "unknown" when it cannot be read. */
void cob__cli_hostname(char *buf, size_t len);

/* s as a JSON string literal on f (NULL: null); escapes as host/util/json.h. */
void cob__cli_json_str(FILE *f, const char *s);

#endif
