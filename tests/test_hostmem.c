/* tests/test_hostmem.c -- the host memory available to a run (include/cobalt/estimate.h,
 * host/util/hostmem.c): the parsers on sample contents of /proc/meminfo, /proc/self/status,
 * /proc/self/cgroup (cgroup v2, v1 and hybrid) and the cgroup memory files (limits, memory.stat); the smallest limit
 * applies and is named (RLIMIT_AS set here); the check's message gives the need, what is
 * available and which limit. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include "cobalt/estimate.h"
#include "util/hostmem.h"
#include "test_util.h"

static const char *meminfo = "MemTotal:       32795256 kB\n"
                             "MemFree:         1234567 kB\n"
                             "MemAvailable:   22364012 kB\n"
                             "Buffers:          204800 kB\n";

Test(hostmem, meminfo_and_status_fields)
{
    cr_expect_eq(cob__kb_field_bytes(meminfo, "MemAvailable"), 22364012LL * 1024);
    cr_expect_eq(cob__kb_field_bytes(meminfo, "MemTotal"), 32795256LL * 1024);
    cr_expect_eq(cob__kb_field_bytes(meminfo, "Mem"), -1, "a prefix of a key matched");
    cr_expect_eq(cob__kb_field_bytes(meminfo, "SwapTotal"), -1);
    cr_expect_eq(cob__kb_field_bytes("MemAvailable: lots\n", "MemAvailable"), -1);
    cr_expect_eq(cob__kb_field_bytes("", "MemAvailable"), -1);
    cr_expect_eq(cob__kb_field_bytes("Name:\tcobalt\nVmPeak:\t  300000 kB\nVmSize:\t  262144 kB\n", "VmSize"),
                 262144LL * 1024);
}

Test(hostmem, cgroup_paths)
{
    char path[256];
    const char *v2 = "0::/user.slice/user-1000.slice/session-3.scope\n";
    const char *hybrid = "9:name=systemd:/\n"
                         "4:memory:/process_api/c683c6787c12\n"
                         "3:cpuset:/\n"
                         "0::/\n";
    cr_expect_eq(cob__cgroup_path(v2, 2, path, sizeof path), 1);
    cr_expect_str_eq(path, "/user.slice/user-1000.slice/session-3.scope");
    cr_expect_eq(cob__cgroup_path(v2, 1, path, sizeof path), 0, "a v2 line taken for v1");
    cr_expect_eq(cob__cgroup_path(hybrid, 1, path, sizeof path), 1);
    cr_expect_str_eq(path, "/process_api/c683c6787c12");
    cr_expect_eq(cob__cgroup_path(hybrid, 2, path, sizeof path), 1);
    cr_expect_str_eq(path, "/");
    cr_expect_eq(cob__cgroup_path("5:cpu,memory,pids:/slurm/job_42\n", 1, path, sizeof path), 1);
    cr_expect_str_eq(path, "/slurm/job_42");
    cr_expect_eq(cob__cgroup_path("5:memoryx:/a\n6:cpu:/b\n", 1, path, sizeof path), 0);
    cr_expect_eq(cob__cgroup_path(v2, 2, path, 8), 0, "a path longer than the buffer");
}

Test(hostmem, cgroup_values)
{
    cr_expect_eq(cob__cgroup_value("max\n"), INT64_MAX);
    cr_expect_eq(cob__cgroup_value("2147483648\n"), 2147483648LL);
    cr_expect_eq(cob__cgroup_value("9223372036854771712\n"), INT64_MAX, "v1's 'no limit'");
    cr_expect_eq(cob__cgroup_value("0"), 0);
    cr_expect_eq(cob__cgroup_value("maximal\n"), -1);
    cr_expect_eq(cob__cgroup_value("-1\n"), -1);
    cr_expect_eq(cob__cgroup_value(""), -1);
}

Test(hostmem, cgroup_stat_fields)
{
    const char *v2 = "anon 1048576\nfile 8388608\nactive_file 2097152\ninactive_file 6291456\n";
    const char *v1 = "cache 12288\ninactive_file 12288\ntotal_cache 642924544\ntotal_inactive_file 640000000\n";
    cr_expect_eq(cob__stat_field(v2, "inactive_file"), 6291456);
    cr_expect_eq(cob__stat_field(v2, "file"), 8388608, "a suffix of a key matched");
    cr_expect_eq(cob__stat_field(v1, "total_inactive_file"), 640000000);
    cr_expect_eq(cob__stat_field(v1, "inactive_file"), 12288);
    cr_expect_eq(cob__stat_field(v2, "shmem"), -1);
    cr_expect_eq(cob__stat_field("inactive_file lots\n", "inactive_file"), -1);
}

/* RLIMIT_AS below what the machine has: it is the limit that applies, and it is named. */
Test(hostmem, smallest_limit_applies_and_is_named)
{
    cob_host_mem m;
    cob_err err = {COB_OK, ""};
    if (TEST_UNDER_ASAN)
        cr_skip_test("RLIMIT_AS: AddressSanitizer needs the address space");
    cob_host_memory_available(&m);
    cr_assert_gt(m.bytes, 0, "nothing found (source '%s')", m.source);
    cr_expect_neq(m.source[0], '\0');
    struct rlimit rl = {(rlim_t)m.bytes / 2 + ((rlim_t)256 << 20), RLIM_INFINITY};
    cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
    cob_host_memory_available(&m);
    cr_expect_str_eq(m.source, "RLIMIT_AS, ulimit -v");
    cr_expect_leq(m.bytes, (int64_t)rl.rlim_cur);
    cr_expect_eq(cob_host_memory_check(1, "one byte", NULL, &err), COB_OK, "%s", err.msg);
    cr_expect_eq(cob_host_memory_check((int64_t)rl.rlim_cur + 1, "the test", "ask less", &err), COB_ERR_NOMEM);
    cr_expect(strstr(err.msg, "the test needs about ") && strstr(err.msg, " GB of host memory; ") &&
                  strstr(err.msg, " GB available (RLIMIT_AS, ulimit -v): ask less"),
              "%s", err.msg);
}

/* Found by tests/test_fuzz.c under UBSan: cv_indegree 1e300 (allowed: any number >= 0) made the
 * estimate's synapse count overflow int64 (negative: "fits"), and so could in-degree x size near
 * their limits. Such needs saturate, far above any machine, and are refused. */
Test(hostmem, estimate_saturates_instead_of_overflowing)
{
    static const char *fmt = "run: {dt_ms: 0.1, t_warmup_ms: 0, t_sim_ms: 10, seed: 1}\n"
                             "populations:\n"
                             "  - {name: E, model: lif_cond, size: %s}\n"
                             "projections:\n"
                             "  - {pre: E, post: E, receptor: E, indegree: %s, weight: 0.01, multapses: true%s}\n";
    const char *cases[][3] = {{"60", "10", ", cv_indegree: 1e300"},
                              {"2147483647", "2147483647", ""},
                              {"2147483647", "2147483647", ", cv_indegree: 1e300"}};
    for (int i = 0; i < 3; i++) {
        char text[512];
        cob_config c;
        cob_err err = {COB_OK, ""};
        snprintf(text, sizeof text, fmt, cases[i][0], cases[i][1], cases[i][2]);
        cr_assert_eq(cob_config_load_string(&c, text, "e.yaml", NULL, 0, &err), COB_OK, "%d: %s", i, err.msg);
        int64_t need = cob_config_memory_estimate(&c);
        cr_expect_gt(need, (int64_t)1e16, "case %d: %lld bytes", i, (long long)need);
        cr_expect_eq(cob__host_memory_check_config(&c, need, "the network", NULL, &err), COB_ERR_NOMEM, "case %d", i);
        cr_expect(strncmp(err.msg, "e.yaml:3: the network needs about ", 34) == 0, "case %d: %s", i, err.msg);
        cob_config_free(&c);
    }
}
