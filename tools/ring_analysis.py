#!/usr/bin/env python3
"""Ring analyses of cobalt result files (issue 14, item 3; docs/config.md "Rings").

For every population of a run with `ring_period_deg` (read from the config text the result file
holds, its `--set` lines applied): the firing-rate profile against the preferred angle
phi_i = period i / N (mean of the per-neuron `rate_hz` in equal angle bins) and its Fourier modes
n = 0, 1, 2 over the neurons,

    c_n = mean_i r_i exp(+i 2 pi n phi_i / period),
    amplitude A_0 = c_0, A_n = 2 |c_n| (n >= 1), phase psi_n = arg(c_n) period / (2 pi n) degrees,

so that r(phi) ~ A_0 + A_1 cos(2 pi (phi - psi_1) / period) + A_2 cos(4 pi (phi - psi_2) / period);
psi_1 is the angle the population's activity peaks at (the bump, or the response to a stimulus).

Given several runs of one network that differ in the stimulus angle (a `tuning.theta_deg` of the
population named by --stim, e.g. the points of a sweep over it), also each neuron's orientation
selectivity OSI_i = |sum_k r_ik e^{i 2 pi theta_k / period}| / sum_k r_ik (1 - circular variance;
0: untuned, 1: responds at one angle only) and preferred angle. Per-neuron rates per protocol
window are not in result files (windows hold population totals), so the OSI comes from one run
per angle, not from windows of one run.

Prints one JSON object (indented with --pretty); --out writes it to a file as well. Needs numpy,
h5py and PyYAML. Exit codes: 0 ok, 1 a package missing, 2 bad arguments or files.

  tools/ring_analysis.py run.h5
  tools/ring_analysis.py theta0.h5 theta45.h5 theta90.h5 theta135.h5 --stim X --bins 18
  tools/ring_analysis.py --self-test
"""
import argparse
import json
import math
import sys

try:
    import numpy as np
except ImportError:  # pragma: no cover
    sys.stderr.write("ring_analysis: needs numpy\n")
    sys.exit(1)


def fail(msg, code=2):
    sys.stderr.write(f"ring_analysis: error: {msg}\n")
    sys.exit(code)


# ---- the config of a run ------------------------------------------------------------------------


def _set_path(tree, path, value):
    """Apply one `--set a.b.c=v` to the YAML tree (populations by name or index)."""
    keys = path.split(".")
    node = tree
    for i, k in enumerate(keys):
        last = i == len(keys) - 1
        if isinstance(node, list):
            idx = next((j for j, it in enumerate(node) if isinstance(it, dict) and it.get("name") == k), None)
            if idx is None:
                idx = int(k)
            if last:
                node[idx] = value
            else:
                node = node[idx]
        else:
            if last:
                node[k] = value
            else:
                node = node.setdefault(k, {})


def config_of(text):
    """The config of a result file: its YAML with the `# --set k=v` lines applied in order."""
    import yaml

    tree = yaml.safe_load(text) or {}
    for line in text.splitlines():
        if line.startswith("# --set ") and "=" in line:
            key, val = line[len("# --set "):].split("=", 1)
            _set_path(tree, key.strip(), yaml.safe_load(val))
    return tree


def ring_pops(tree):
    """{name: (index, period_deg, tuning dict or None)} of the populations with a ring."""
    out = {}
    for i, p in enumerate(tree.get("populations") or []):
        period = float(p.get("ring_period_deg", 0) or 0)
        out[p["name"]] = (i, period, p.get("tuning"))
    return out


# ---- the analyses -------------------------------------------------------------------------------


def angles(n, period):
    return period * np.arange(n) / n


def profile(rates, period, bins):
    """Bin centres (degrees) and mean rate per bin of the preferred angle."""
    n = len(rates)
    b = np.minimum((np.arange(n) * bins) // n, bins - 1)
    sums = np.bincount(b, weights=rates, minlength=bins)
    counts = np.bincount(b, minlength=bins)
    centres = (np.arange(bins) + 0.5) * period / bins
    with np.errstate(invalid="ignore"):
        return centres, sums / counts


def modes(rates, period, n_max=2):
    """Fourier modes n = 0 .. n_max: [{"n", "amplitude_hz", "phase_deg"}]."""
    phi = angles(len(rates), period)
    out = []
    for n in range(n_max + 1):
        c = np.mean(rates * np.exp(2j * math.pi * n * phi / period))
        amp = abs(c) if n == 0 else 2.0 * abs(c)
        phase = 0.0 if n == 0 else (math.atan2(c.imag, c.real) * period / (2 * math.pi * n)) % (period / n)
        out.append({"n": n, "amplitude_hz": float(amp), "phase_deg": float(phase)})
    return out


def osi(rate_matrix, thetas, period):
    """Per neuron OSI (1 - circular variance over the stimulus angles) and preferred angle (deg).
    rate_matrix: stimuli x neurons."""
    r = np.asarray(rate_matrix, dtype=float)
    z = np.exp(2j * math.pi * np.asarray(thetas, dtype=float) / period)[:, None]
    s = r.sum(axis=0)
    v = (r * z).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        o = np.where(s > 0, np.abs(v) / s, np.nan)
    pref = (np.angle(v) * period / (2 * math.pi)) % period
    return o, pref


# ---- files --------------------------------------------------------------------------------------


def read_run(path):
    import h5py

    try:
        with h5py.File(path, "r") as f:
            text = f["config"][()]
            text = text.decode() if isinstance(text, bytes) else str(text)
            tree = config_of(text)
            rates = {}
            for name, (i, period, tun) in ring_pops(tree).items():
                if period > 0 and name in f["populations"] and "rate_hz" in f["populations"][name]:
                    rates[name] = np.asarray(f["populations"][name]["rate_hz"][()], dtype=float)
    except (OSError, KeyError) as e:
        fail(f"{path}: not a readable cobalt result file ({e})")
    return tree, rates


def analyse(paths, stim, bins):
    runs = [read_run(p) for p in paths]
    tree0 = runs[0][0]
    rp = ring_pops(tree0)
    out = {"files": paths, "populations": {}}
    for name, rates in runs[0][1].items():
        period = rp[name][1]
        centres, prof = profile(rates, period, bins)
        out["populations"][name] = {
            "period_deg": period,
            "n": len(rates),
            "bins_deg": [float(x) for x in centres],
            "rate_profile_hz": [None if math.isnan(x) else float(x) for x in prof],
            "modes": modes(rates, period),
        }
    if stim:
        thetas = []
        for p, (tree, _) in zip(paths, runs):
            tun = ring_pops(tree).get(stim, (0, 0, None))[2]
            if not tun:
                fail(f"{p}: population {stim!r} has no tuning (its theta_deg is the stimulus angle)")
            thetas.append(float(tun.get("theta_deg", 0) or 0))
        out["stimulus_deg"] = thetas
        for name, res in out["populations"].items():
            mat = [r[1][name] for r in runs]
            o, pref = osi(mat, thetas, res["period_deg"])
            res["osi_mean"] = float(np.nanmean(o)) if np.any(~np.isnan(o)) else None
            res["osi_median"] = float(np.nanmedian(o)) if np.any(~np.isnan(o)) else None
            res["osi"] = [None if math.isnan(x) else float(x) for x in o]
            res["preferred_deg"] = [float(x) for x in pref]
    return out


# ---- self-test ----------------------------------------------------------------------------------


def self_test():
    period, n = 180.0, 720
    phi = angles(n, period)
    r = 5 + 3 * np.cos(2 * math.pi * (phi - 30) / period) + np.cos(4 * math.pi * (phi - 10) / period)
    m = modes(r, period)
    assert abs(m[0]["amplitude_hz"] - 5) < 1e-12 and abs(m[1]["amplitude_hz"] - 3) < 1e-12
    assert abs(m[2]["amplitude_hz"] - 1) < 1e-12
    assert abs(m[1]["phase_deg"] - 30) < 1e-9 and abs(m[2]["phase_deg"] - 10) < 1e-9, m
    c, p = profile(r, period, 720)
    assert np.allclose(p, r)
    c, p = profile(np.arange(8.0), 360.0, 4)
    assert list(c) == [45, 135, 225, 315] and list(p) == [0.5, 2.5, 4.5, 6.5]
    # OSI: a neuron responding to one angle only -> 1; an untuned one -> 0; a cosine-tuned one with
    # r = 1 + 0.5 cos over 4 angles -> 0.25, preferred angle recovered
    thetas = [0, 45, 90, 135]
    mat = np.array([[1, 2, 1 + 0.5 * math.cos(2 * math.pi * (t - 90) / 180)] for t in [0, 45, 90, 135]])
    mat[:, 0] = [0, 0, 3, 0]
    o, pref = osi(mat, thetas, 180)
    assert abs(o[0] - 1) < 1e-12 and abs(pref[0] - 90) < 1e-9
    assert abs(o[1]) < 1e-12
    assert abs(o[2] - 0.25) < 1e-12 and abs(pref[2] - 90) < 1e-9, (o, pref)
    text = "populations:\n  - {name: E, model: lif_cond, size: 4}\n# --set populations.E.ring_period_deg=180\n"
    assert ring_pops(config_of(text))["E"][1] == 180
    text += "# --set populations.0.tuning={shape: cosine, theta_deg: 45}\n"
    assert ring_pops(config_of(text))["E"][2]["theta_deg"] == 45
    print("ring_analysis self-test: ok")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="result files (cobalt run --out); several: one per stimulus angle")
    ap.add_argument("--bins", type=int, default=36, help="angle bins of the rate profile (default 36)")
    ap.add_argument("--stim", help="population whose tuning.theta_deg is each file's stimulus angle (for the OSI)")
    ap.add_argument("--out", help="also write the JSON here")
    ap.add_argument("--pretty", action="store_true", help="indented JSON")
    ap.add_argument("--self-test", action="store_true", help="check the analyses on synthetic data and exit")
    a = ap.parse_args(argv)
    if a.self_test:
        self_test()
        return 0
    if not a.files:
        fail("no result file given")
    if a.bins < 1:
        fail(f"--bins {a.bins} (allowed: >= 1)")
    if a.stim and len(a.files) < 2:
        fail("--stim needs at least two result files (one per stimulus angle)")
    try:
        import h5py  # noqa: F401
        import yaml  # noqa: F401
    except ImportError as e:
        sys.stderr.write(f"ring_analysis: needs h5py and PyYAML ({e})\n")
        return 1
    res = analyse(a.files, a.stim, a.bins)
    text = json.dumps(res, indent=2 if a.pretty else None)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
