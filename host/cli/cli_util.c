/* host/cli/cli_util.c -- helpers shared by the `cobalt` subcommands: error exit, argument
 * messages, --backend, host name, JSON strings on a stream. Pairs with host/cli/cli_util.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli_util.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"

int cob__cli_fail(cob_status st, const cob_err *err)
{
    fprintf(stderr, "cobalt: error: %s\n", err->msg[0] ? err->msg : cob_status_str(st));
    return cob_status_exit_code(st);
}

int cob__cli_backend(const char *value, cob_backend_kind *kind)
{
    if (!strcmp(value, "auto"))
        *kind = COB_BACKEND_AUTO;
    else if (!strcmp(value, "cpu"))
        *kind = COB_BACKEND_CPU;
    else if (!strcmp(value, "cuda"))
        *kind = COB_BACKEND_CUDA;
    else {
        fprintf(stderr, "cobalt: --backend '%s': allowed values are auto, cpu, cuda\n", value);
        return 0;
    }
    return 1;
}

int cob__cli_config_arg(const char **config, const char *arg)
{
    if (!*config) {
        *config = arg;
        return 1;
    }
    fprintf(stderr, "cobalt: unexpected argument '%s'\n", arg);
    return 0;
}

int cob__cli_need_config(const char *config)
{
    if (!config)
        fprintf(stderr, "cobalt: missing CONFIG\n");
    return config != NULL;
}

int cob__cli_bad_option(const char *opt, const char *note)
{
    fprintf(stderr, "cobalt: unknown or incomplete option '%s'%s\n", opt, note);
    return 0;
}

int cob__cli_check_out(const char *out, int no_out)
{
    if (out && no_out) {
        fprintf(stderr, "cobalt: --out and --no-out contradict each other: give one\n");
        return 0;
    }
    if (out && !out[0]) {
        fprintf(stderr, "cobalt: --out '': empty path (give a file name, or --no-out)\n");
        return 0;
    }
    return 1;
}

int cob__cli_add_set(const char **sets, int *n_sets, const char *value)
{
    if (*n_sets >= COB_CLI_MAX_SETS) {
        fprintf(stderr, "cobalt: at most %d overrides (--set, and run's --seed); '%.80s' is one more\n",
                COB_CLI_MAX_SETS, value);
        return 0;
    }
    sets[(*n_sets)++] = value;
    return 1;
}

void cob__cli_hostname(char *buf, size_t len)
{
    if (gethostname(buf, len) != 0)
        snprintf(buf, len, "unknown");
    buf[len - 1] = '\0';
}

static void put_file(void *f, const char *bytes, size_t n)
{
    fwrite(bytes, 1, n, f);
}

void cob__cli_json_str(FILE *f, const char *s)
{
    cob__json_str(put_file, f, s, SIZE_MAX);
}

int cob__cli_parse_every(const char *v, double *s)
{
    char *end;
    double x = strtod(v, &end), unit = 1.0;
    if (end != v && *end && !end[1])
        unit = *end == 's' ? 1.0 : *end == 'm' ? 60.0 : *end == 'h' ? 3600.0 : -1.0;
    else if (end == v || *end)
        unit = -1.0;
    if (unit < 0 || !(x > 0) || x * unit > 1e9) {
        fprintf(stderr,
                "cobalt: --checkpoint-every '%.60s': allowed a positive duration in seconds, e.g. 60, 60s, 10m "
                "or 2h\n",
                v);
        return 0;
    }
    *s = x * unit;
    return 1;
}

static volatile sig_atomic_t stop_request;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_request = 1;
}

volatile sig_atomic_t *cob__cli_catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    return &stop_request;
}
