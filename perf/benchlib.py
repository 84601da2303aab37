"""Shared helpers of the perf/ benchmarks (bench_sim.py: CPU, bench_gpu.py: CUDA): running
`cobalt run` and reading its one-line JSON summary, labelling a run, appending CSV rows.
Python standard library only."""
import csv
import datetime
import json
import os
import platform
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COBALT = os.path.join(ROOT, "build", "cobalt")


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def config_label(config, sets=()):
    """The config path relative to the repository root, followed by its --set overrides."""
    return os.path.relpath(os.path.abspath(config), ROOT) + "".join(" --set " + s for s in sets)


def parse_summary(stdout):
    """The JSON summary of `cobalt run`: the last stdout line that is a JSON object, or None."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if isinstance(j, dict):
                return j
    return None


def run_cobalt(cobalt, config, backend, t_sim_ms, t_warmup_ms, sets=(), env=None, timeout=None):
    """Runs `cobalt run CONFIG --backend B --no-out --quiet` with the durations and overrides.
    Returns (exit status, summary dict or None, stderr text); exit status None on a timeout."""
    cmd = [cobalt, "run", config, "--backend", backend, "--no-out", "--quiet",
           "--set", f"run.t_sim_ms={t_sim_ms:g}", "--set", f"run.t_warmup_ms={t_warmup_ms:g}"]
    for s in sets:
        cmd += ["--set", s]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, None, err + f"\ntimed out after {timeout:g} s"
    except OSError as e:
        return 127, None, f"cannot run {cobalt}: {e}"
    return res.returncode, parse_summary(res.stdout), res.stderr


def mean_rate(j):
    """Mean of the population rates in a summary (unweighted, as in cpu.csv), or None."""
    rates = [p.get("rate_hz") for p in (j.get("populations") or {}).values()]
    rates = [r for r in rates if isinstance(r, (int, float))]
    return sum(rates) / len(rates) if rates else None


def append_rows(path, fields, rows):
    """Appends rows (dicts) to the CSV file at path, writing the header when the file is new."""
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        if new:
            w.writeheader()
        for r in rows:
            w.writerow(r)
