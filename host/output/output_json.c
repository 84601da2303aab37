/* host/output/output_json.c -- the one-line JSON summary of a run (cob_output_json), beside the HDF5
 * result file of host/output/output.c. Pairs with include/cobalt/output.h; keys documented in
 * docs/results.md. Limits: strings are assumed to be UTF-8 and copied byte for byte apart from
 * the escapes JSON requires (host/util/json.c); numbers are printed with 10 significant digits. */
#include "cobalt/output.h"
#include "cobalt/models.h"
#include "cobalt/response.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

/* Output buffer; pos counts every byte asked for, so an overflow reports the size needed. */
typedef struct {
    char *buf;
    size_t len, pos;
} jbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
j_put(jbuf *j, const char *fmt, ...)
{
    size_t room = j->pos < j->len ? j->len - j->pos : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? j->buf + j->pos : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        j->pos += (size_t)n;
}

/* cob__json_put for a jbuf: append n bytes (truncated, NUL-terminated, when they do not fit);
 * pos counts them all. */
static void j_bytes(void *sink, const char *bytes, size_t n)
{
    jbuf *j = sink;
    if (j->pos < j->len) {
        size_t room = j->len - j->pos - 1, k = n < room ? n : room;
        memcpy(j->buf + j->pos, bytes, k);
        j->buf[j->pos + k] = '\0';
    }
    j->pos += n;
}

/* A JSON string of at most max bytes of s (NULL -> null), escaped by cob__json_str. */
static void j_str(jbuf *j, const char *s, size_t max)
{
    cob__json_str(j_bytes, j, s, max);
}

/* ,"key":v  (the comma left out when first); non-finite v as null. */
static void j_num(jbuf *j, int first, const char *key, double v)
{
    const char *sep = first ? "" : ",";
    if (isfinite(v))
        j_put(j, "%s\"%s\":%.10g", sep, key, v);
    else
        j_put(j, "%s\"%s\":null", sep, key);
}

/* ,"windows":{NAME:{rate_hz, cv, v_mean_mV, v_sd_mV}, ...} of a run with a protocol. */
static void j_windows(jbuf *j, const cob_config *c, const cob_pop_stats *p)
{
    if (p->n_windows <= 0)
        return;
    j_put(j, ",\"windows\":{");
    for (int64_t w = 0; w < p->n_windows && w < c->protocol.n_windows; w++) {
        j_put(j, w ? "," : "");
        j_str(j, c->protocol.windows[w].name, COB_NAME_MAX);
        j_put(j, ":{");
        j_num(j, 1, "rate_hz", p->win_rate_hz[w]);
        j_num(j, 0, "cv", p->win_cv_isi[w]);
        j_num(j, 0, "v_mean_mV", p->win_v_mean_mV[w]);
        j_num(j, 0, "v_sd_mV", p->win_v_sd_mV[w]);
        j_put(j, "}");
    }
    j_put(j, "}");
}

/* ,"response":[{window, baseline, key, d_input, populations: {NAME: {dr_hz, se_hz, gain,
 * paradoxical}}}, ...] of a run with a protocol (include/cobalt/response.h). */
static void j_response(jbuf *j, const cob_config *c, const cob_stats *s)
{
    static const char *const key_name[] = {"rate_hz", "noise.mu_mV_per_s", "noise.sigma_mV_per_sqrt_s"};
    cob_response r;
    if (c->protocol.n_windows <= 0)
        return;
    cob_response_compute(c, s, &r);
    j_put(j, ",\"response\":[");
    for (int k = 0; k < r.n_rows; k++) {
        const cob_response_row *row = &r.rows[k];
        j_put(j, "%s{\"window\":", k ? "," : "");
        j_str(j, c->protocol.windows[row->window].name, COB_NAME_MAX);
        j_put(j, ",\"baseline\":");
        j_str(j, c->protocol.windows[row->baseline].name, COB_NAME_MAX);
        j_put(j, ",\"key\":");
        j_str(j, row->key >= 0 ? key_name[row->key] : NULL, SIZE_MAX);
        j_num(j, 0, "d_input", row->d_input);
        j_put(j, ",\"populations\":{");
        for (int i = 0; i < r.n_pops; i++) {
            j_put(j, i ? "," : "");
            j_str(j, s->pop[i].name, COB_NAME_MAX);
            j_put(j, ":{");
            j_num(j, 1, "dr_hz", row->dr_hz[i]);
            j_num(j, 0, "se_hz", row->se_hz[i]);
            j_num(j, 0, "gain", row->gain_hz[i]);
            j_put(j, ",\"inhibitory\":%s,\"paradoxical\":%s}", r.inhibitory[i] ? "true" : "false",
                  row->paradoxical[i] ? "true" : "false");
        }
        j_put(j, "}}");
    }
    j_put(j, "]");
}

static void j_pops(jbuf *j, const cob_config *c, const cob_stats *s)
{
    j_put(j, ",\"populations\":{");
    for (int i = 0; i < s->n_pops; i++) {
        const cob_pop_stats *p = &s->pop[i];
        j_put(j, i ? "," : "");
        j_str(j, p->name, COB_NAME_MAX);
        j_put(j, ":{");
        j_num(j, 1, "rate_hz", p->mean_rate_hz);
        j_num(j, 0, "sd_rate_hz", p->sd_rate_hz);
        j_num(j, 0, "cv", p->mean_cv);
        j_num(j, 0, "frac_quiescent", p->frac_quiescent);
        j_num(j, 0, "v_mean_mV", p->v_pop_mean_mV);
        j_num(j, 0, "v_sd_mV", p->v_pop_sd_mV);
        if (p->bal_n > 0) {
            j_num(j, 0, "balance_factor_mean", p->bal_factor_mean);
            j_num(j, 0, "balance_factor_sd", p->bal_factor_sd);
        }
        j_windows(j, c, p);
        j_put(j, "}");
    }
    j_put(j, "}");
}

cob_status cob_output_json(char *buf, size_t len, const char *out_path, const cob_config *c, const cob_stats *s,
                           const cob_sim_timing *t, const cob_run_meta *m, cob_err *err)
{
    if (!buf || len == 0 || !c || !s || !t || !m)
        return cob_err_set(err, COB_ERR_INVALID,
                           "cob_output_json: buffer, config, stats, "
                           "timing and meta must be given");
    jbuf j = {buf, len, 0};
    double sim_s = t->n_steps > 0 ? (double)t->n_steps * c->run.dt_ms / 1000.0
                                  : (c->run.t_warmup_ms + c->run.t_sim_ms) / 1000.0;
    /* a run whose results are summarised either succeeded or counted a loss (exit code 6) */
    j_put(&j, "{\"status\":\"%s\",\"out\":", cob_stats_overflowed(s) ? "overflow" : "ok");
    j_str(&j, out_path, SIZE_MAX);
    j_put(&j, ",\"backend\":");
    j_str(&j, m->backend ? m->backend : t->backend_name, SIZE_MAX);
    j_put(&j, ",\"seed\":%" PRIu64 ",\"commit\":", m->seed);
    j_str(&j, m->commit, SIZE_MAX);
    j_put(&j, ",\"neurons\":%" PRId64 ",\"synapses\":%" PRId64 ",\"steps\":%" PRId64, t->n_neurons, t->n_synapses,
          t->n_steps);
    j_num(&j, 0, "build_s", t->build_s);
    j_num(&j, 0, "run_s", t->run_s);
    j_num(&j, 0, "realtime_factor", t->run_s / sim_s);
    if (t->threads > 0) { /* CPU backend: its threads, steps per barrier and the run's CPU time */
        j_put(&j, ",\"threads\":%d,\"chunk_steps\":%d,\"team_switches\":%" PRId64, (int)t->threads, (int)t->chunk_steps,
              t->team_switches);
        j_num(&j, 0, "run_cpu_s", t->run_cpu_s);
    }
    j_put(&j, ",\"syn_events\":%" PRId64 ",\"peak_rss_bytes\":%" PRId64, s->syn_events, t->peak_rss_bytes);
    if (t->device_name[0]) { /* CUDA backend: device-side timings (CUDA events) and memory */
        j_put(&j, ",\"device\":");
        j_str(&j, t->device_name, sizeof t->device_name);
        j_num(&j, 0, "dev_build_s", t->dev_build_s);
        j_num(&j, 0, "dev_run_s", t->dev_run_s);
        j_num(&j, 0, "dev_update_us", t->dev_update_us);
        j_num(&j, 0, "dev_deliver_us", t->dev_deliver_us);
        j_num(&j, 0, "dev_plan_us", t->dev_plan_us);
        j_num(&j, 0, "dev_h2d_s", t->dev_h2d_s);
        j_num(&j, 0, "dev_d2h_s", t->dev_d2h_s);
        j_put(&j, ",\"device_bytes\":%" PRId64 ",\"device_estimate_bytes\":%" PRId64, t->device_bytes,
              t->device_estimate_bytes);
        j_num(&j, 0, "bytes_per_synapse", t->dev_bytes_per_synapse);
    }
    j_put(&j, ",\"ring_overflow\":%" PRId64 ",\"raster_overflow\":%" PRId64 ",\"merged_spikes\":%" PRId64,
          s->ring_overflow, s->raster_overflow, s->spikes_merged);
    j_put(&j, ",\"integrator\":");
    j_str(&j, cob_integrator_name(c->run.integrator), SIZE_MAX);
    j_pops(&j, c, s);
    j_response(&j, c, s);
    j_put(&j, "}");
    if (j.pos < len)
        return COB_OK;
    buf[0] = '\0';
    return cob_err_set(err, COB_ERR_OVERFLOW, "JSON summary needs %zu bytes, buffer has %zu", j.pos + 1, len);
}
