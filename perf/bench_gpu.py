#!/usr/bin/env python3
"""GPU benchmark: whole simulations with the CUDA backend (`cobalt run CONFIG --backend cuda
--no-out --quiet --set ...`), one data row per run appended to perf/results/gpu.csv (columns:
FIELDS below, described in perf/README.md), with the bandwidth floor of each run (byte model
in perf/README.md) and the issue's targets. Python standard library only.

  perf/bench_gpu.py --suite                       # the whole suite (perf/run_gpu_suite.sh)
  perf/bench_gpu.py --suite --list                # what the suite runs, nothing run
  perf/bench_gpu.py CONFIG --k 1000 [--set k=v]   # one config, one row
  perf/bench_gpu.py --table FILE.csv              # the table of rows already in a CSV file

Test without a GPU: `--backend cpu --out /tmp/x.csv` runs the same harness on the CPU backend;
its rows say backend=cpu and gpu="none (cpu backend)", and it refuses to write them into
perf/results/gpu.csv.
"""
import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import time

from benchlib import COBALT, HERE, ROOT, append_rows, config_label, mean_rate, run_cobalt, utc_now

GPU_CSV = os.path.join(HERE, "results", "gpu.csv")

FIELDS = ["date", "commit", "backend", "gpu", "driver", "label", "config", "n", "k", "synapses",
          "dt_ms", "steps", "sim_s", "mean_rate_hz", "build_s", "dev_build_s", "build_syn_per_s",
          "run_s", "dev_run_s", "wall_s_per_sim_s", "us_per_step", "dev_update_us",
          "dev_deliver_us", "dev_plan_us", "neuron_updates_per_s", "syn_events_per_s", "device_mem_gib",
          "device_estimate_gib", "bytes_per_synapse", "peak_rss_mb", "channels", "bw_gbs",
          "bw_source", "floor_gb_per_sim_s", "floor_s_per_sim_s", "pct_floor", "targets", "status"]

# ---------------------------------------------------------------------------------------------
# Byte model of the bandwidth floor (perf/README.md, "The bandwidth floor"): bytes moved per
# simulated second by a perfect implementation, divided by the device's peak bandwidth.
STATE_BYTES = 8          # per neuron: V (float32) + refractory counter (int32), read and written
RING_BYTES = 4           # per neuron, channel and step: one uint32 ring slot, read and cleared
EVENT_BYTES = 8          # per synaptic event, beyond the stored connectivity: one 4-byte atomicAdd
                         # = a 4-byte read and a 4-byte write
BYTES_PER_SYN_FALLBACK = 4.0   # stored bytes per synapse read per event when the run reports none

# Nominal peak bandwidths (GB/s = 1e9 bytes/s) by GPU name, used only when perf/bandwidth.cu could
# not be run; first match wins (lower-case substrings of the nvidia-smi / CUDA device name).
NOMINAL_GBS = [
    (("h200",), 4800.0),
    (("h100", "pcie"), 2000.0),
    (("h100",), 3350.0),            # H100 SXM (nvidia-smi: "NVIDIA H100 80GB HBM3")
    (("a100", "80gb"), 2000.0),
]

# Targets of the issue. Each: name, applies(row values) -> bool, met(row values) -> bool or None.
TARGETS = [
    ("build<2s", lambda r: r["n"] >= 1e6 and r["k"] == 1000, lambda r: lt(r["build_s"], 2.0)),
    ("<1s/s", lambda r: r["n"] >= 1e6 and r["k"] == 1000, lambda r: lt(r["wall_s_per_sim_s"], 1.0)),
    ("<10us/step", lambda r: 0.8e5 <= r["n"] <= 1.25e5 and r["k"] is not None and r["k"] <= 1000,
     lambda r: lt(r["us_per_step"], 10.0)),
    ("<4.5B/syn", lambda r: (r["synapses"] or 0) > 0, lambda r: lt(r["bytes_per_synapse"], 4.5)),
]
TARGET_TEXT = [
    "N = 10^6, K = 1000: network build < 2 s (build<2s) and < 1.0 wall s per simulated s (<1s/s)",
    "~10^5 neurons (K <= 1000): < 10 us per step (<10us/step)",
    "stored connectivity < 4.5 bytes per synapse (<4.5B/syn)",
]
REFERENCE_TEXT = [
    "best published GPU simulators: ~27 us per 0.1 ms step for a 77k-neuron, 3e8-synapse network "
    "(consumer GPU); ~1.75 s to build 1e9 synapses on an A100 (5.7e8 synapses/s)",
]


def lt(v, limit):
    return None if v is None else v < limit


# ---------------------------------------------------------------------------------------------
# The suite. E/I networks: N = N_E + N_I, N_I = N/5, K_E = K_X = K, K_I = K/4 (gamma = 1/4),
# dt = 0.1 ms. Parameters tuned on the CPU backend at N = 10^4 (perf/README.md, "The suite").
N_SERIES = [10**4, 10**5, 3 * 10**5, 10**6]     # at K = 1000
K_SERIES = [100, 300, 1000, 3000, 10**4]        # at N = 10^5
WARMUP_MS, SIM_MS = 200.0, 1000.0

# Conductance-based (perf/configs/ei_cond.yaml): pool input, nu_X = 20 Hz, g = 20, a_E(K) from
# the `matched` law anchored at a = 1.6e-3, K = 1000 (`cobalt theory perf/configs/ei_cond.yaml
# --k 100,300,1000,3000,10000 --law matched`: the a whose mean-field rate stays 21.65 Hz).
COND_G = 20.0
COND_A = {100: 8.8911e-3, 300: 3.9356e-3, 1000: 1.6e-3, 3000: 6.9897e-4, 10000: 2.7914e-4}
# Current-based (perf/configs/ei_curr.yaml): independent input, nu_X = 5 Hz, mu_ext = 15 mV, g = 5,
# J_E(K) = 0.1 mV sqrt(1000 / K).
CURR_G = 5.0
CURR_J0, CURR_K0 = 0.1, 1000


def ei_sets(model, n, k):
    """--set overrides of perf/configs/ei_{cond,curr}.yaml for N neurons and in-degree K."""
    n_i = n // 5
    n_e = n - n_i
    k_i = k // 4
    if model == "cond":
        w_e = COND_A[k]
        w_i = COND_G * w_e
    else:
        w_e = CURR_J0 * math.sqrt(CURR_K0 / k)
        w_i = CURR_G * w_e
    sets = [f"populations.E.size={n_e}", f"populations.I.size={n_i}", f"populations.X.size={n_e}"]
    # projections: 0 E->E, 1 E->I, 2 I->E, 3 I->I, 4 X->E, 5 X->I
    for p in (0, 1, 4, 5):
        sets += [f"projections.{p}.indegree={k}", f"projections.{p}.weight={w_e:.6g}"]
    for p in (2, 3):
        sets += [f"projections.{p}.indegree={k_i}", f"projections.{p}.weight={w_i:.6g}"]
    return sets


def fmt_n(n):
    e = int(round(math.log10(n)))
    if n == 10**e:
        return f"1e{e}"
    return f"{n / 10**e:g}e{e}"


def suite():
    """The suite's runs, in order: dicts with label, config, n, k, sets, channels."""
    runs = [dict(label="fig4", config="configs/sanzeni2020_fig4.yaml", n=12500, k=1000, sets=[],
                 channels=2)]
    for model in ("cond", "curr"):
        cfg = f"perf/configs/ei_{model}.yaml"
        points = [(n, 1000) for n in N_SERIES] + [(10**5, k) for k in K_SERIES if k != 1000]
        for n, k in points:
            runs.append(dict(label=f"{model} N={fmt_n(n)} K={k}", config=cfg, n=n, k=k,
                             sets=ei_sets(model, n, k), channels=2))
    return runs


# ---------------------------------------------------------------------------------------------
def gpu_info():
    """(name, driver) of the first GPU from nvidia-smi, or ("", "") without one."""
    try:
        r = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "", ""
    lines = [l for l in r.stdout.splitlines() if l.strip()] if r.returncode == 0 else []
    if not lines:
        return "", ""
    parts = [p.strip() for p in lines[0].rsplit(",", 1)]
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


def nominal_gbs(name):
    low = (name or "").lower()
    for keys, gbs in NOMINAL_GBS:
        if all(k in low for k in keys):
            return gbs
    return None


def bandwidth(a, gpu_name):
    """(GB/s, source) from --peak-gbs, --bandwidth-json (perf/bandwidth.cu's output) or the
    nominal table; (None, "") when none applies."""
    if a.peak_gbs:
        return a.peak_gbs, "given"
    if a.bandwidth_json:
        try:
            with open(a.bandwidth_json) as f:
                for line in reversed(f.read().splitlines()):
                    if line.strip().startswith("{"):
                        v = json.loads(line).get("peak_gbs")
                        if isinstance(v, (int, float)) and v > 0:
                            return float(v), "measured"
                        break
        except (OSError, ValueError):
            pass
    g = nominal_gbs(gpu_name)
    return (g, "nominal") if g else (None, "")


def num(j, key):
    """j[key] as a float, or None when missing, null or not a number."""
    v = j.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def floor_s(n_neurons, dt_s, syn_events_per_sim_s, bytes_per_syn, channels, bw_gbs):
    """(GB per simulated s, floor wall s per simulated s) of the byte model (perf/README.md)."""
    if None in (n_neurons, dt_s, syn_events_per_sim_s) or not dt_s:
        return None, None
    b_syn = bytes_per_syn if bytes_per_syn else BYTES_PER_SYN_FALLBACK
    updates = n_neurons / dt_s
    total = updates * (2 * STATE_BYTES + 2 * RING_BYTES * channels) + syn_events_per_sim_s * (b_syn + EVENT_BYTES)
    return total / 1e9, (total / (bw_gbs * 1e9) if bw_gbs else None)


def make_row(j, run, meta, t_warmup_ms, t_sim_ms, status="ok"):
    """The CSV row (strings) and the values behind it (floats or None) of one run's summary.
    Missing keys give empty fields."""
    sim_s = (t_warmup_ms + t_sim_ms) / 1000.0
    steps = num(j, "steps")
    run_s = num(j, "run_s")
    neurons = num(j, "neurons")
    syn = num(j, "synapses")
    events = num(j, "syn_events")
    build_s = num(j, "build_s")
    dt_s = sim_s / steps if steps else None
    bps = num(j, "bytes_per_synapse")
    v = dict(n=neurons if neurons is not None else run.get("n"), k=run.get("k"), synapses=syn,
             build_s=build_s, bytes_per_synapse=bps)
    v["wall_s_per_sim_s"] = run_s / sim_s if run_s is not None else None
    v["us_per_step"] = run_s / steps * 1e6 if run_s is not None and steps else None
    gb, fl = floor_s(neurons, dt_s, events / sim_s if events is not None else None, bps,
                     run.get("channels", 2), meta["bw_gbs"])
    v["floor_s_per_sim_s"] = fl
    v["pct_floor"] = fl / v["wall_s_per_sim_s"] * 100 if fl and v["wall_s_per_sim_s"] else None
    v["targets"] = []
    for name, applies, met in TARGETS:
        if v["n"] is not None and applies(v):
            m = met(v)
            v["targets"].append((name, m))

    def f(x, spec):
        return "" if x is None else format(x, spec)

    def per_s(x):
        return f(x / run_s, ".3e") if x is not None and run_s else ""

    dev_bytes, est_bytes, rss = num(j, "device_bytes"), num(j, "device_estimate_bytes"), num(j, "peak_rss_bytes")
    rate = mean_rate(j)
    row = {
        "date": utc_now(), "commit": j.get("commit", ""), "backend": j.get("backend", meta["backend"]),
        "gpu": j.get("device") or meta["gpu"], "driver": meta["driver"], "label": run.get("label", ""),
        "config": config_label(run["config"], run.get("sets", [])),
        "n": f(v["n"], ".0f"), "k": "" if v["k"] is None else v["k"], "synapses": f(syn, ".0f"),
        "dt_ms": f(dt_s * 1e3 if dt_s else None, ".6g"), "steps": f(steps, ".0f"), "sim_s": f"{sim_s:g}",
        "mean_rate_hz": f(rate, ".3f"), "build_s": f(build_s, ".3f"), "dev_build_s": f(num(j, "dev_build_s"), ".4f"),
        "build_syn_per_s": f(syn / build_s if syn and build_s else None, ".3e"),
        "run_s": f(run_s, ".3f"), "dev_run_s": f(num(j, "dev_run_s"), ".4f"),
        "wall_s_per_sim_s": f(v["wall_s_per_sim_s"], ".4f"), "us_per_step": f(v["us_per_step"], ".3f"),
        "dev_update_us": f(num(j, "dev_update_us"), ".3f"), "dev_deliver_us": f(num(j, "dev_deliver_us"), ".3f"),
        "dev_plan_us": f(num(j, "dev_plan_us"), ".3f"),
        "neuron_updates_per_s": per_s(neurons * steps if neurons is not None and steps else None),
        "syn_events_per_s": per_s(events),
        "device_mem_gib": f(dev_bytes / 2**30 if dev_bytes else None, ".3f"),
        "device_estimate_gib": f(est_bytes / 2**30 if est_bytes else None, ".3f"),
        "bytes_per_synapse": f(bps, ".3f"), "peak_rss_mb": f(rss / 2**20 if rss else None, ".1f"),
        "channels": run.get("channels", 2), "bw_gbs": f(meta["bw_gbs"], ".1f"), "bw_source": meta["bw_source"],
        "floor_gb_per_sim_s": f(gb, ".2f"), "floor_s_per_sim_s": f(fl, ".4f"), "pct_floor": f(v["pct_floor"], ".1f"),
        "targets": " ".join(f"{n}:{'?' if m is None else 'yes' if m else 'no'}" for n, m in v["targets"]),
        "status": status,
    }
    return row


# ---------------------------------------------------------------------------------------------
TABLE_COLS = [("label", "config", 18), ("n", "N", 8), ("k", "K", 6), ("synapses", "synapses", 9),
              ("build_s", "build s", 8), ("wall_s_per_sim_s", "wall s/sim s", 12),
              ("us_per_step", "us/step", 9), ("syn_events_per_s", "events/s", 9),
              ("device_mem_gib", "dev GiB", 8), ("bytes_per_synapse", "B/syn", 6),
              ("pct_floor", "% floor", 7), ("mean_rate_hz", "rate Hz", 7), ("targets", "targets", 0)]


def short(key, val):
    if val in ("", None):
        return "-"
    if key in ("n", "synapses"):
        x = float(val)
        return f"{x:.3g}".replace("e+0", "e").replace("e+", "e") if x >= 1e5 else f"{x:.0f}"
    if key == "syn_events_per_s":
        return f"{float(val):.2e}"
    return str(val)


def print_table(rows, out=sys.stdout):
    head = "  ".join(f"{h:<{w}}" if w else h for _, h, w in TABLE_COLS)
    out.write(head + "\n" + "-" * len(head) + "\n")
    for r in rows:
        out.write("  ".join(f"{short(k, r.get(k)):<{w}}" if w else short(k, r.get(k)) for k, _, w in TABLE_COLS) + "\n")


def print_header(meta, out=sys.stdout):
    out.write(f"GPU: {meta['gpu'] or '-'}  driver: {meta['driver'] or '-'}  backend: {meta['backend']}\n")
    bw = f"{meta['bw_gbs']:.0f} GB/s ({meta['bw_source']})" if meta["bw_gbs"] else "unknown (no % floor)"
    out.write(f"peak bandwidth: {bw}\n")


def print_targets(rows, out=sys.stdout):
    out.write("targets: " + "; ".join(TARGET_TEXT) + "\n")
    out.write("reference: " + "; ".join(REFERENCE_TEXT) + "\n")
    res = [(r["label"], t.rsplit(":", 1)) for r in rows for t in r.get("targets", "").split()]
    if res:
        bad = [f"{l} {t}" for l, (t, m) in res if m != "yes"]
        out.write(f"targets met: {len(res) - len(bad)} of {len(res)}" +
                  (f"; not met or unknown: {', '.join(bad)}" if bad else "") + "\n")


# ---------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config", nargs="?", help="one config (omit with --suite or --table)")
    ap.add_argument("--suite", action="store_true", help="run the suite (see --list)")
    ap.add_argument("--list", action="store_true", help="print the suite's runs and commands, run nothing")
    ap.add_argument("--only", help="suite runs whose label matches this regular expression")
    ap.add_argument("--table", metavar="CSV", help="print the table of the rows in CSV and exit")
    ap.add_argument("--set", action="append", default=[], help="--set key=value for cobalt (one config)")
    ap.add_argument("--k", type=int, help="K of the one config, for the targets and the table")
    ap.add_argument("--label", help="label of the one config's row (default: its file name)")
    ap.add_argument("--channels", type=int, default=2, help="input channels per neuron (byte model; default 2)")
    ap.add_argument("--backend", choices=["cuda", "cpu"], default="cuda",
                    help="cpu: test the harness without a GPU (rows labelled cpu; never into gpu.csv)")
    ap.add_argument("--cobalt", default=COBALT)
    ap.add_argument("--out", default=GPU_CSV)
    ap.add_argument("--t-sim-ms", type=float, help=f"measured ms (default {SIM_MS:g})")
    ap.add_argument("--t-warmup-ms", type=float, help=f"warm-up ms (default {WARMUP_MS:g})")
    ap.add_argument("--timeout-s", type=float, default=240.0, help="per run (default 240)")
    ap.add_argument("--budget-s", type=float, default=0.0,
                    help="skip the runs left once this many seconds have passed, and cut each run's "
                         "timeout to what is left (0: no limit)")
    ap.add_argument("--peak-gbs", type=float, help="peak bandwidth in GB/s (overrides the rest)")
    ap.add_argument("--bandwidth-json", help="output of build/bandwidth (perf/bandwidth.cu)")
    a = ap.parse_args()

    if a.table:
        with open(a.table, newline="") as f:
            print_table(list(csv.DictReader(f)))
        return 0
    if a.suite == bool(a.config):
        ap.error("give one CONFIG or --suite")
    if a.backend != "cuda" and os.path.realpath(a.out) == os.path.realpath(GPU_CSV):
        ap.error(f"--backend {a.backend} rows must not go into {os.path.relpath(GPU_CSV, ROOT)}: give --out")

    if a.suite:
        runs = suite()
        if a.only:
            runs = [r for r in runs if re.search(a.only, r["label"])]
            if not runs:
                ap.error(f"--only {a.only!r} matches no suite run (--list shows them)")
    else:
        runs = [dict(label=a.label or os.path.splitext(os.path.basename(a.config))[0], config=a.config,
                     n=None, k=a.k, sets=a.set, channels=a.channels)]
    t_warm = a.t_warmup_ms if a.t_warmup_ms is not None else WARMUP_MS
    t_sim = a.t_sim_ms if a.t_sim_ms is not None else SIM_MS

    if a.list:
        for r in runs:
            sets = " ".join(f"--set {s}" for s in [f"run.t_sim_ms={t_sim:g}", f"run.t_warmup_ms={t_warm:g}"] + r["sets"])
            print(f"{r['label']}:\n  {os.path.relpath(a.cobalt, ROOT)} run {r['config']} --backend {a.backend} "
                  f"--no-out --quiet {sets}")
        return 0

    if a.backend == "cuda":
        gpu, driver = gpu_info()
    else:
        gpu, driver = "none (cpu backend)", ""
    bw, bw_src = bandwidth(a, gpu) if a.backend == "cuda" else (a.peak_gbs, "given" if a.peak_gbs else "")
    meta = dict(backend=a.backend, gpu=gpu, driver=driver, bw_gbs=bw, bw_source=bw_src)
    print_header(meta)

    t0 = time.monotonic()
    rows, failed = [], []
    for i, r in enumerate(runs):
        timeout = a.timeout_s
        if a.budget_s:
            left = a.budget_s - (time.monotonic() - t0)
            if left < 5:
                for s in runs[i:]:
                    failed.append((s["label"], f"skipped: the {a.budget_s:g} s budget was spent"))
                break
            timeout = min(timeout, left)
        cfg = r["config"] if os.path.isabs(r["config"]) or os.path.exists(r["config"]) else os.path.join(ROOT, r["config"])
        t1 = time.monotonic()
        rc, j, err = run_cobalt(a.cobalt, cfg, a.backend, t_sim, t_warm, r["sets"], timeout=timeout)
        took = time.monotonic() - t1
        why = None
        if rc is None:
            why = f"timed out after {timeout:.0f} s"
        elif rc != 0:
            why = f"exit status {rc}"
        elif j is None:
            why = "no JSON summary on stdout"
        elif j.get("backend") not in (None, a.backend):
            why = f"ran on backend {j.get('backend')!r}, not {a.backend!r}"
        if j is not None and not (why or "").startswith("ran on backend"):
            row = make_row(j, dict(r, config=cfg), meta, t_warm, t_sim, status="ok" if why is None else why)
            append_rows(a.out, FIELDS, [row])
            rows.append(row)
        if why:
            tail = " | ".join(l for l in err.strip().splitlines()[-3:])
            failed.append((r["label"], why + (f": {tail}" if tail else "")))
            print(f"[{i + 1}/{len(runs)}] {r['label']}: FAILED ({why}) after {took:.1f} s", flush=True)
        else:
            print(f"[{i + 1}/{len(runs)}] {r['label']}: {took:.1f} s, wall {row['wall_s_per_sim_s']} s/sim s, "
                  f"build {row['build_s']} s, {row['mean_rate_hz']} Hz", flush=True)

    print()
    print_header(meta)
    print_table(rows)
    print_targets(rows)
    print(f"rows appended to {a.out}: {len(rows)}; runs {time.monotonic() - t0:.1f} s")
    if failed:
        print(f"FAILED: {len(failed)} of {len(runs)} runs", file=sys.stderr)
        for label, why in failed:
            print(f"  {label}: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
