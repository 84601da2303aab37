/* host/sim/sim.c -- the driver: choose a backend, check memory, build the network, run warm-up and
 * measurement in chunks (progress callback between chunks), reduce the statistics. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "cobalt/sim.h"
#include "cobalt/plan.h"
#include "cobalt/estimate.h"
#include "sim/checkpoint.h"
#include "util/hostmem.h"
#include "util/publish.h"
#include "util/clock.h"

#ifndef COBALT_VERSION
#define COBALT_VERSION "unknown"
#endif

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

/* What a run needs to write checkpoints (host/sim/checkpoint.h). */
typedef struct {
    const cob_config *c;
    const cob_sim_options *opt;
    const char *backend;
    uint64_t net_digest;
    double run_s_before; /* wall seconds of the segments before a resume */
} ckpt_ctx;

static cob_status write_checkpoint(const cob_backend_ops *ops, void *impl, const ckpt_ctx *cc, int64_t step,
                                   int64_t total, double run_s, cob_err *err)
{
    cob_ckpt_buf b = {0};
    cob__ckpt_meta m;
    cob_status st = ops->save(impl, &b, err);
    if (st == COB_OK) {
        m.version = COBALT_VERSION;
        m.commit = cc->opt->commit ? cc->opt->commit : "unknown";
        m.backend = cc->backend;
        m.config_text = cc->c->text ? cc->c->text : "";
        m.config_digest = cob__config_digest(cc->c->text);
        m.net_digest = cc->net_digest;
        m.step = step;
        m.total_steps = total;
        m.run_s = cc->run_s_before + run_s;
        st = cob__ckpt_write(cc->opt->checkpoint_path, &m, &b, err);
    }
    cob_ckpt_buf_free(&b);
    return st;
}

/* 1 when the run is asked to stop after `done` steps (a signal, or stop_at_step reached). */
static int stop_now(const cob_sim_options *opt, int64_t done)
{
    return opt && ((opt->stop_request && *opt->stop_request) || (opt->stop_at_step > 0 && done == opt->stop_at_step));
}

/* Run steps [start, total) in chunks sized to about 0.2 s, reporting progress between chunks and
 * writing checkpoints there when cc is given (every checkpoint_every_s, and on a stop request,
 * after which it returns COB_ERR_STOPPED). */
static cob_status run_chunks(const cob_backend_ops *ops, void *impl, const cob_net *net, int64_t start, int64_t total,
                             const cob_sim_options *opt, const ckpt_ctx *cc, cob_err *err)
{
    double t0 = cob__wall_s(), last = t0, last_ckpt = t0;
    double interval = opt && opt->progress_interval_s > 0 ? opt->progress_interval_s : 0.5;
    int64_t done = start, chunk = 16, since = 0;
    uint64_t spikes[COB_MAX_POPS];
    double rates[COB_MAX_POPS];
    cob_status st;
    while (done < total) {
        int64_t n = total - done < chunk ? total - done : chunk;
        double c0 = cob__wall_s(), dtw;
        if (cc && opt->stop_at_step > done && opt->stop_at_step - done < n)
            n = opt->stop_at_step - done;
        st = ops->run(impl, n, err);
        if (st != COB_OK)
            return st;
        done += n;
        since += n;
        if (opt && opt->cancel_request && *opt->cancel_request && done < total)
            return cob_err_set(err, COB_ERR_CANCELLED, "cancelled at step %lld of %lld", (long long)done,
                               (long long)total);
        dtw = cob__wall_s() - c0;
        if (dtw < 0.1 && chunk < (1 << 20))
            chunk *= 2;
        if (opt && opt->progress && (cob__wall_s() - last >= interval || done == total)) {
            int pop, k = 0;
            st = ops->poll(impl, spikes, err);
            if (st != COB_OK)
                return st;
            for (pop = 0; pop < net->n_pops; ++pop)
                if (net->pop_offset[pop] >= 0)
                    rates[k++] = (double)spikes[pop] / ((double)net->pop_size[pop] * since * net->dt_ms * 1e-3);
            opt->progress(opt->progress_user, done, total, cob__wall_s() - t0, rates, k);
            last = cob__wall_s();
            since = 0;
        }
        if (!cc)
            continue;
        if (stop_now(opt, done)) {
            st = write_checkpoint(ops, impl, cc, done, total, cob__wall_s() - t0, err);
            return st != COB_OK
                       ? st
                       : cob_err_set(err, COB_ERR_STOPPED,
                                     "stopped at step %lld of %lld; checkpoint written to %s (continue with "
                                     "--resume %s)",
                                     (long long)done, (long long)total, opt->checkpoint_path, opt->checkpoint_path);
        }
        if (opt->checkpoint_every_s > 0 && cob__wall_s() - last_ckpt >= opt->checkpoint_every_s && done < total) {
            st = write_checkpoint(ops, impl, cc, done, total, cob__wall_s() - t0, err);
            if (st != COB_OK)
                return st;
            last_ckpt = cob__wall_s();
        }
    }
    return COB_OK;
}

/* The checkpoint options that fit together and with the backend (checked before the build). */
static cob_status check_ckpt_options(const cob_sim_options *opt, const cob_backend_ops *ops, cob_err *err)
{
    cob__publish_target t;
    if (!opt || (!opt->checkpoint_path && !opt->resume_path)) {
        if (opt && (opt->stop_at_step > 0 || opt->checkpoint_every_s > 0))
            return cob_err_set(err, COB_ERR_INVALID, "a checkpoint interval or stop step needs a checkpoint path");
        return COB_OK;
    }
    if (!ops->save || !ops->load)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "--checkpoint/--resume: the %s backend cannot write or read checkpoints in this version; "
                           "use --backend cpu",
                           ops->name);
    if (opt->checkpoint_path)
        return cob__publish_target_of(opt->checkpoint_path, &t, err);
    return COB_OK;
}

/* The checkpoint to resume from, read and checked against this binary and config before
 * anything is built: COB_ERR_IO for an unreadable or corrupted file, COB_ERR_CONFIG for a
 * checkpoint of another commit, config or backend. */
static cob_status open_resume(const cob_config *c, const cob_sim_options *opt, const cob_backend_ops *ops,
                              cob__ckpt_file *f, cob_err *err)
{
    const char *commit = opt->commit ? opt->commit : "unknown";
    cob_status st = cob__ckpt_read(opt->resume_path, f, err);
    if (st != COB_OK)
        return st;
    if (strcmp(f->commit, commit) != 0)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "--resume %s: written by cobalt commit %s, this binary is commit %s: resume with the "
                           "binary that wrote it (the steps of another build may differ)",
                           opt->resume_path, f->commit, commit);
    if (strcmp(f->backend, ops->name) != 0)
        return cob_err_set(err, COB_ERR_CONFIG, "--resume %s: written by the %s backend, this run uses %s",
                           opt->resume_path, f->backend, ops->name);
    if (f->config_digest != cob__config_digest(c->text) || strcmp(f->config_text, c->text ? c->text : "") != 0)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "--resume %s: the checkpoint was written for another config (or other --set/--seed "
                           "options) than %s: resume with the same config and options",
                           opt->resume_path, c->path[0] ? c->path : "this one");
    return COB_OK;
}

/* Replace the initial state by the checkpoint's, after checking the network is the one it was
 * written for. */
static cob_status load_resume(const cob_backend_ops *ops, void *impl, cob__ckpt_file *f, const ckpt_ctx *cc,
                              int64_t total, cob_err *err)
{
    cob_status st;
    if (f->net_digest != cc->net_digest || f->total_steps != total)
        return cob_err_set(err, COB_ERR_CONFIG,
                           "--resume %s: the network built from the config differs from the checkpoint's "
                           "(another build of the same commit?)",
                           cc->opt->resume_path);
    st = ops->load(impl, &f->state, err);
    if (st == COB_OK && (f->state.failed || f->state.pos != f->state.len))
        st = cob_err_set(err, COB_ERR_IO, "--resume %s: the state is %zu bytes, the backend read %zu",
                         cc->opt->resume_path, f->state.len, f->state.pos);
    return st;
}

cob_status cob_sim_run(const cob_config *c, const cob_sim_options *opt, cob_stats *stats, cob_sim_timing *timing,
                       cob_err *err)
{
    const cob_backend_ops *ops = NULL;
    cob_net net;
    cob_plan plan;
    void *impl = NULL;
    double t0, c0 = 0.0;
    int64_t total, start = 0;
    cob__ckpt_file resume;
    ckpt_ctx cc;
    int use_ckpt = opt && (opt->checkpoint_path || opt->resume_path);
    cob_status st;
    memset(stats, 0, sizeof *stats);
    memset(timing, 0, sizeof *timing);
    memset(&resume, 0, sizeof resume);
    st = cob_config_check(c, err);
    if (st == COB_OK)
        st = pick_backend(opt ? opt->backend : COB_BACKEND_AUTO, &ops, err);
    if (st == COB_OK)
        st = check_ckpt_options(opt, ops, err);
    if (st == COB_OK && use_ckpt && opt->resume_path)
        st = open_resume(c, opt, ops, &resume, err);
    if (st == COB_OK && ops == cob_cpu_backend())
        st = check_host_memory(c, err);
    else if (st == COB_OK && ops->builds_network) /* the layout (in-degrees) is drawn on the host */
        st = cob__host_memory_check_config(c, cob_layout_memory_estimate(c), "laying out the network on the host",
                                           "lower the population sizes", err);
    if (st != COB_OK) {
        cob__ckpt_file_free(&resume);
        return st;
    }
    timing->backend_name = ops->name;
    t0 = cob__wall_s();
    /* a backend that builds on its device gets the layout only (sizes, channels, in-degrees) */
    st = ops->builds_network ? cob_net_layout(&net, c, err) : cob_net_build(&net, c, err);
    if (st != COB_OK) {
        cob__ckpt_file_free(&resume);
        return st;
    }
    timing->build_s = cob__wall_s() - t0;
    timing->n_synapses = cob_net_n_synapses(&net);
    timing->n_neurons = net.n_neurons;
    t0 = cob__wall_s();
    /* from here on the backend sees the plan and the network, not the config */
    st = cob_plan_compile(&plan, c, &net, err);
    if (st != COB_OK) {
        cob_net_free(&net);
        cob__ckpt_file_free(&resume);
        return st;
    }
    plan.threads = opt->threads;
    st = ops->init(&impl, &net, &plan, err);
    timing->init_s = cob__wall_s() - t0;
    if (ops->builds_network)
        timing->build_s += timing->init_s; /* the synapses are made in init */
    total = plan.total_steps;
    if (use_ckpt) {
        cc.c = c;
        cc.opt = opt;
        cc.backend = ops->name;
        cc.net_digest = cob__net_digest(&net);
        cc.run_s_before = opt->resume_path ? resume.run_s : 0.0;
        if (st == COB_OK && opt->resume_path) {
            st = load_resume(ops, impl, &resume, &cc, total, err);
            start = resume.step;
        }
        cob__ckpt_file_free(&resume);
    }
    t0 = cob__wall_s();
    c0 = cob__cpu_s();
    if (st == COB_OK)
        st = run_chunks(ops, impl, &net, start, total, opt, use_ckpt && opt->checkpoint_path ? &cc : NULL, err);
    timing->run_s = cob__wall_s() - t0 + (use_ckpt ? cc.run_s_before : 0.0);
    timing->run_cpu_s = cob__cpu_s() - c0;
    timing->n_steps = total;
    if (st == COB_OK)
        st = ops->read(impl, stats, err);
    if (st == COB_OK)
        st = cob_stats_balance(stats, &net, c, err);
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
