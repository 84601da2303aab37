/* host/sim/sim.c -- the driver: choose a backend, check memory, build the network, run warm-up and
 * measurement in chunks (progress callback between chunks), reduce the statistics. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include "cobalt/sim.h"
#include "cobalt/plan.h"
#include "cobalt/estimate.h"
#include "util/hostmem.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static cob_status pick_backend(cob_backend_kind kind, const cob_backend_ops **ops, cob_err *err)
{
    const cob_backend_ops *cuda = cob_cuda_backend();
    if (kind == COB_BACKEND_CPU || (kind == COB_BACKEND_AUTO && !(cuda && cob_cuda_available()))) {
        *ops = cob_cpu_backend();
        return COB_OK;
    }
    if (!cuda)
        return cob_err_set(err, COB_ERR_NO_DEVICE,
                           "--backend cuda: the CUDA backend is not part of this "
                           "build (see `cobalt info`); use --backend cpu or auto");
    if (!cob_cuda_available())
        return cob_err_set(err, COB_ERR_NO_DEVICE,
                           "--backend cuda: no usable CUDA device (see `cobalt info`); "
                           "use --backend cpu or auto");
    *ops = cuda;
    return COB_OK;
}

/* Refuse a CPU run whose estimate exceeds the host memory available (cob_host_memory_check:
 * MemAvailable, cgroup, RLIMIT_AS); name the population-rate series when it is most of the need
 * (a long t_sim_ms with short bins, not the network). */
static cob_status check_host_memory(const cob_config *c, cob_err *err)
{
    char advice[320];
    int64_t need = cob_config_memory_estimate(c);
    cob_config one_bin = *c; /* the same run with a one-bin series: the rest of the need */
    one_bin.stats.pop_rate_bin_ms = c->run.t_sim_ms;
    double series = (double)(need - cob_config_memory_estimate(&one_bin));
    if (series > 0.5 * (double)need) {
        snprintf(advice, sizeof advice,
                 "%.2f GB of it for the population-rate series (run.t_sim_ms = %g in bins of stats.pop_rate_bin_ms = "
                 "%g): shorten run.t_sim_ms or raise stats.pop_rate_bin_ms",
                 series / 1e9, c->run.t_sim_ms, c->stats.pop_rate_bin_ms);
        return cob__host_memory_check_config(c, need, "the run", advice, err);
    }
    return cob__host_memory_check_config(c, need, "the network",
                                         "lower the population sizes or in-degrees, or shorten the delays", err);
}

static int64_t peak_rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return (int64_t)ru.ru_maxrss * 1024;
}

/* Run total steps in chunks sized to about 0.2 s, reporting progress between chunks. */
static cob_status run_chunks(const cob_backend_ops *ops, void *impl, const cob_net *net, int64_t total,
                             const cob_sim_options *opt, cob_err *err)
{
    double t0 = wall_now(), last = t0, interval = opt && opt->progress_interval_s > 0 ? opt->progress_interval_s : 0.5;
    int64_t done = 0, chunk = 16, since = 0;
    uint64_t spikes[COB_MAX_POPS];
    double rates[COB_MAX_POPS];
    cob_status st;
    while (done < total) {
        int64_t n = total - done < chunk ? total - done : chunk;
        double c0 = wall_now(), dtw;
        st = ops->run(impl, n, err);
        if (st != COB_OK)
            return st;
        done += n;
        since += n;
        dtw = wall_now() - c0;
        if (dtw < 0.1 && chunk < (1 << 20))
            chunk *= 2;
        if (opt && opt->progress && (wall_now() - last >= interval || done == total)) {
            int pop, k = 0;
            st = ops->poll(impl, spikes, err);
            if (st != COB_OK)
                return st;
            for (pop = 0; pop < net->n_pops; ++pop)
                if (net->pop_offset[pop] >= 0)
                    rates[k++] = (double)spikes[pop] / ((double)net->pop_size[pop] * since * net->dt_ms * 1e-3);
            opt->progress(opt->progress_user, done, total, wall_now() - t0, rates, k);
            last = wall_now();
            since = 0;
        }
    }
    return COB_OK;
}

cob_status cob_sim_run(const cob_config *c, const cob_sim_options *opt, cob_stats *stats, cob_sim_timing *timing,
                       cob_err *err)
{
    const cob_backend_ops *ops = NULL;
    cob_net net;
    cob_plan plan;
    void *impl = NULL;
    double t0;
    int64_t total;
    cob_status st;
    memset(stats, 0, sizeof *stats);
    memset(timing, 0, sizeof *timing);
    st = cob_config_check(c, err);
    if (st == COB_OK)
        st = pick_backend(opt ? opt->backend : COB_BACKEND_AUTO, &ops, err);
    if (st == COB_OK && ops == cob_cpu_backend())
        st = check_host_memory(c, err);
    else if (st == COB_OK && ops->builds_network) /* the layout (in-degrees) is drawn on the host */
        st = cob__host_memory_check_config(c, cob_layout_memory_estimate(c), "laying out the network on the host",
                                           "lower the population sizes", err);
    if (st != COB_OK)
        return st;
    timing->backend_name = ops->name;
    t0 = wall_now();
    /* a backend that builds on its device gets the layout only (sizes, channels, in-degrees) */
    st = ops->builds_network ? cob_net_layout(&net, c, err) : cob_net_build(&net, c, err);
    if (st != COB_OK)
        return st;
    timing->build_s = wall_now() - t0;
    timing->n_synapses = cob_net_n_synapses(&net);
    timing->n_neurons = net.n_neurons;
    t0 = wall_now();
    /* from here on the backend sees the plan and the network, not the config */
    st = cob_plan_compile(&plan, c, &net, err);
    if (st != COB_OK) {
        cob_net_free(&net);
        return st;
    }
    st = ops->init(&impl, &net, &plan, err);
    timing->init_s = wall_now() - t0;
    if (ops->builds_network)
        timing->build_s += timing->init_s; /* the synapses are made in init */
    total = plan.total_steps;
    t0 = wall_now();
    if (st == COB_OK)
        st = run_chunks(ops, impl, &net, total, opt, err);
    timing->run_s = wall_now() - t0;
    timing->n_steps = total;
    if (st == COB_OK)
        st = ops->read(impl, stats, err);
    if (impl && ops->timing)
        ops->timing(impl, timing);
    if (impl)
        ops->destroy(impl);
    cob_plan_free(&plan);
    cob_net_free(&net);
    timing->peak_rss_bytes = peak_rss_bytes();
    if (st == COB_OK && stats->ring_overflow > 0)
        st = cob_err_set(err, COB_ERR_OVERFLOW,
                         "%lld spike arrivals were lost to saturated 16-bit delay-ring "
                         "cells (independent Poisson input too strong for one step); lower rate_hz*indegree*dt",
                         (long long)stats->ring_overflow);
    if (st == COB_OK && stats->spikes_merged > 0)
        st = cob_err_set(err, COB_ERR_OVERFLOW,
                         "%lld spikes were merged into an earlier spike of the same neuron in the same step "
                         "(integrator ordered, tau_ref_ms below dt_ms): only one spike per neuron and step is "
                         "delivered; lower dt_ms to at most tau_ref_ms",
                         (long long)stats->spikes_merged);
    return st;
}
