/* host/cli/cli_plot.c -- `cobalt plot FILE [options]`: figures of a result or sweep file, made by
 * tools/cobalt_plot.py (matplotlib) run as `python3 <tools>/cobalt_plot.py FILE options...`
 * through fork + execvp, no shell, so file names reach the script unchanged.
 * Pairs with tools/cobalt_plot.py, host/cli/cli_cmds.h (declaration), host/cli/cli.c (dispatch),
 * tests/test_plot.c and docs/plots.md.
 * Deliberate limits: the tools folder is COBALT_TOOLS_DIR, else found from /proc/self/exe
 * (Linux); python3 is whatever PATH gives; options are not checked here (the script does). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli_cmds.h"

#define PLOT_SCRIPT "cobalt_plot.py"
#define PLOT_PATH_LEN 4096
#define PLOT_N_CANDIDATES 2

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Folder of the running executable into dir (len bytes); 0 when /proc/self/exe is unreadable. */
static int exe_dir(char *dir, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", dir, len - 1);
    char *slash;
    if (n <= 0 || (size_t)n >= len - 1)
        return 0;
    dir[n] = '\0';
    slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    slash[slash == dir ? 1 : 0] = '\0';
    return 1;
}

/* The tools folders to try, in order, into cand[PLOT_N_CANDIDATES][len] with a word on where
 * each came from; returns how many. COBALT_TOOLS_DIR, when set, is the only one: a user who
 * names a folder means that folder. */
static int tool_dirs(char cand[][PLOT_PATH_LEN], const char *why[], size_t len)
{
    const char *env = getenv("COBALT_TOOLS_DIR");
    char dir[PLOT_PATH_LEN];
    int n = 0;
    if (env && env[0]) {
        why[0] = "from COBALT_TOOLS_DIR";
        return (size_t)snprintf(cand[0], len, "%s", env) < len;
    }
    if (!exe_dir(dir, sizeof dir))
        return 0;
    if ((size_t)snprintf(cand[n], len, "%s/../tools", dir) < len)
        why[n++] = "build folder inside the source tree";
    if ((size_t)snprintf(cand[n], len, "%s/../share/cobalt/tools", dir) < len)
        why[n++] = "installed";
    return n;
}

/* Path of cobalt_plot.py into script (len bytes); 1 if found, else 0 after printing what was
 * tried. */
static int find_script(char *script, size_t len)
{
    char cand[PLOT_N_CANDIDATES][PLOT_PATH_LEN];
    const char *why[PLOT_N_CANDIDATES];
    int n = tool_dirs(cand, why, PLOT_PATH_LEN), i;
    for (i = 0; i < n; ++i)
        if ((size_t)snprintf(script, len, "%s/%s", cand[i], PLOT_SCRIPT) < len && is_file(script))
            return 1;
    fprintf(stderr, "cobalt plot: cannot find %s; tried:\n", PLOT_SCRIPT);
    if (n == 0)
        fprintf(stderr, "  (nothing: COBALT_TOOLS_DIR is not set or too long, and /proc/self/exe is unreadable)\n");
    for (i = 0; i < n; ++i) fprintf(stderr, "  %s/%s (%s)\n", cand[i], PLOT_SCRIPT, why[i]);
    fprintf(stderr, "Set COBALT_TOOLS_DIR to the tools/ folder of the cobalt sources.\n");
    return 0;
}

/* Run args (NULL-terminated, args[0] = program looked up on PATH) and wait. Returns its exit
 * status; -1 after a message when it cannot be started or dies of a signal. */
static int spawn_wait(char **args)
{
    int fd[2], exec_errno = 0, status;
    ssize_t got;
    pid_t pid;
    if (pipe(fd) != 0) {
        perror("cobalt plot: pipe");
        return -1;
    }
    /* The write end closes on a successful exec; a failed exec sends errno through it. */
    fcntl(fd[1], F_SETFD, FD_CLOEXEC);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        perror("cobalt plot: fork");
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        execvp(args[0], args);
        exec_errno = errno;
        if (write(fd[1], &exec_errno, sizeof exec_errno) < 0)
            _exit(127);
        _exit(127);
    }
    close(fd[1]);
    do got = read(fd[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(fd[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            perror("cobalt plot: waitpid");
            return -1;
        }
    if (got == (ssize_t)sizeof exec_errno) {
        fprintf(stderr,
                "cobalt plot: cannot run %s (%s): plotting needs python3 on PATH with numpy, h5py and "
                "matplotlib (Debian/Ubuntu: apt install python3-numpy python3-h5py python3-matplotlib)\n",
                args[0], strerror(exec_errno));
        return -1;
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "cobalt plot: %s killed by signal %d\n", args[0], WTERMSIG(status));
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cob_cli_plot(int argc, char **argv)
{
    char script[PLOT_PATH_LEN];
    char **args;
    int i, rc;
    if (argc < 3) {
        fprintf(stderr, "usage: cobalt plot FILE [--out DIR] [--format png|pdf|svg] [--window-ms MS]\n"
                        "                        [--no-theory] [--points]\n"
                        "Figures of a result or sweep file (docs/plots.md); `cobalt plot --help` for more.\n");
        return 1;
    }
    if (!find_script(script, sizeof script))
        return 1;
    args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        fprintf(stderr, "cobalt plot: out of memory\n");
        return 1;
    }
    args[0] = "python3";
    args[1] = script;
    for (i = 2; i < argc; ++i) args[i] = argv[i];
    rc = spawn_wait(args);
    free(args);
    return rc < 0 ? 1 : rc;
}
