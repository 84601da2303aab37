"""Figures of one cobalt run (a result file, or one `/points/<i>` group of a sweep file):
per neuron population the rate histogram, the CV histogram, P(V) against theory and the
population rate over time; the spike raster and the voltage traces when the file holds them.

Pairs with cobalt_plot.py (command line), cobalt_plot_theory.py (theory curves) and
docs/results.md (the layout read here) and docs/plots.md. Deliberate limits: reads only what
cobalt writes (no recomputation from spikes); raster and traces show one time window.
"""
import os

import numpy as np
import matplotlib.pyplot as plt  # the backend is the caller's (cobalt_plot.py chooses Agg)

import cobalt_plot_theory as theory

THEORY_STYLE = {"color": "k", "ls": "--", "lw": 1.2}


class FigureWriteError(OSError):
    """A figure could not be written (full disk, file size limit, ...): errno, strerror and the
    figure's path as filename. The partial file is already removed."""


def save(fig, out_dir, name, fmt):
    """Write fig to out_dir/name.fmt, close it and return the path. On an OSError the partial
    file is removed and FigureWriteError is raised."""
    path = os.path.join(out_dir, f"{name}.{fmt}")
    try:
        fig.savefig(path, dpi=110)
    except OSError as e:
        try:
            os.remove(path)
        except OSError:
            pass
        raise FigureWriteError(e.errno, e.strerror or str(e), path) from None
    finally:
        plt.close(fig)
    return path


def populations(root):
    """[(name, group)] of the neuron populations in config order (attribute `index`)."""
    if "populations" not in root:
        return []
    return sorted(root["populations"].items(), key=lambda kv: int(kv[1].attrs["index"]))


def run_label(root):
    """One line naming the run: backend, seed, commit, measured time."""
    a = root.attrs
    parts = [theory.decode(a[k]) for k in ("backend",) if k in a]
    if "seed" in a:
        parts.append(f"seed {int(a['seed'])}")
    if "commit" in a:
        parts.append(theory.decode(a["commit"]))
    if "t_measured_s" in a:
        parts.append(f"{float(a['t_measured_s']):g} s measured")
    return ", ".join(parts)


def _rate_panel(ax, g, th):
    hist, edges = g["rate_hist"][()], g["rate_edges"][()]
    ax.set_xlabel("firing rate (Hz)")
    ax.set_ylabel("fraction of neurons")
    if len(hist) == 0:
        ax.set_title("rate histogram (no bins)")
        return
    ax.stairs(hist / max(hist.sum(), 1), edges, fill=True, alpha=0.5, label="simulation")
    ax.set_xscale("log")
    used = np.flatnonzero(hist)
    if len(used):  # zoom on the occupied bins (and the theory rate), a decade of margin
        lo, hi = edges[used[0]], edges[used[-1] + 1]
        if "rate_hz" in th and th["rate_hz"] > 0:
            lo, hi = min(lo, th["rate_hz"]), max(hi, th["rate_hz"])
        ax.set_xlim(max(lo / 10, edges[0]), min(hi * 10, edges[-1]))
    ax.axvline(g.attrs["mean_rate_hz"], color="C0", lw=1, label=f"mean {g.attrs['mean_rate_hz']:.3g} Hz")
    if "rate_hz" in th:
        ax.axvline(th["rate_hz"], **THEORY_STYLE, label=f"theory {th['rate_hz']:.3g} Hz")
    ax.set_title(f"rate (bin 1 holds rates < {edges[0]:g} Hz; "
                 f"quiescent {g.attrs['frac_quiescent']:.1%})", fontsize=9)
    ax.legend(fontsize=8)


def _cv_panel(ax, g, th):
    hist, edges = g["cv_hist"][()], g["cv_edges"][()]
    ax.set_xlabel("CV of ISI")
    ax.set_ylabel("fraction of neurons with a CV")
    if len(hist) == 0 or hist.sum() == 0:
        ax.set_title("CV histogram (empty)")
        return
    ax.stairs(hist / hist.sum(), edges, fill=True, alpha=0.5, color="C1", label="simulation")
    ax.axvline(g.attrs["mean_cv"], color="C1", lw=1, label=f"mean {g.attrs['mean_cv']:.3g}")
    if "cv" in th:
        ax.axvline(th["cv"], **THEORY_STYLE, label=f"theory (Eq. 15) {th['cv']:.3g}")
    ax.set_title(f"CV of ISI ({int(g.attrs['n_cv'])} neurons)", fontsize=9)
    ax.legend(fontsize=8)


def v_density(g):
    """(edges, density per mV) of V over all non-refractory samples (those outside the
    histogram range count in the normalisation), or None when there are none."""
    hist, edges = g["v_hist"][()].astype(float), g["v_edges"][()]
    total = hist.sum() + int(g.attrs.get("v_below", 0)) + int(g.attrs.get("v_above", 0))
    if len(hist) == 0 or total == 0:
        return None
    return edges, hist / (total * np.diff(edges))


def _v_panel(ax, g, th):
    ax.set_xlabel("V (mV)")
    ax.set_ylabel("P(V) (1/mV)")
    dens = v_density(g)
    if dens is None:
        ax.set_title("P(V) (no samples)")
        return
    ax.stairs(dens[1], dens[0], fill=True, alpha=0.5, color="C2",
              label=f"simulation {g.attrs['v_pop_mean_mV']:.2f} ± {g.attrs['v_pop_sd_mV']:.2f} mV")
    if "p_v" in th:
        v, p = th["v_mV"], th["p_v"]
        m = theory.trapezoid(p * v, v)
        sd = np.sqrt(theory.trapezoid(p * (v - m) ** 2, v))
        ax.plot(v, p, **THEORY_STYLE, label=f"theory (Eq. 17) {m:.2f} ± {sd:.2f} mV")
    ax.set_title("P(V), non-refractory samples", fontsize=9)
    ax.legend(fontsize=8)


def _ts_panel(ax, g, th):
    counts = g["rate_ts_counts"][()]
    bin_ms = float(g.attrs["bin_ms"])
    ax.set_xlabel("time in the measured window (ms)")
    ax.set_ylabel("population rate (Hz)")
    if len(counts) == 0:
        ax.set_title("population rate (no bins)")
        return
    rate = counts / (int(g.attrs["n"]) * bin_ms / 1000.0)
    ax.plot((np.arange(len(rate)) + 0.5) * bin_ms, rate, lw=0.6, color="C3")
    if "rate_hz" in th:
        ax.axhline(th["rate_hz"], **THEORY_STYLE, label="theory")
        ax.legend(fontsize=8)
    ax.set_title(f"population rate, {bin_ms:g} ms bins, CV {g.attrs['pop_rate_cv']:.3g}", fontsize=9)


def plot_population(stem, name, g, th, note, label):
    """Figure of one population: rate and CV histograms, P(V), population rate."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    for panel, ax in zip((_rate_panel, _cv_panel, _v_panel, _ts_panel), axes.flat):
        panel(ax, g, th)
    extra = note or th.get("source", "")
    fig.suptitle(f"{stem}: population {name} ({theory.decode(g.attrs['model'])}, n = {int(g.attrs['n'])})"
                 f"\n{label}" + (f"; {extra}" if extra else ""), fontsize=10)
    fig.tight_layout()
    return fig


def _window(root, window_ms):
    """[t0, t1) in ms from the run start: window_ms from the end of the warm-up."""
    t0 = float(root.attrs.get("t_warmup_ms", 0.0))
    t_sim = float(root.attrs.get("t_sim_ms", window_ms))
    return t0, t0 + min(window_ms, t_sim) if window_ms > 0 else t0 + t_sim


def plot_raster(stem, root, names, window_ms, label):
    """Raster of the recorded neurons (populations stacked), or None when there is none."""
    if "raster" not in root or root["raster/step"].shape[0] == 0:
        return None
    t = root["raster/step"][()] * float(root.attrs["dt_ms"])
    pop, neuron = root["raster/pop"][()], root["raster/neuron"][()]
    t0, t1 = _window(root, window_ms)
    keep = (t >= t0) & (t < t1)
    fig, ax = plt.subplots(figsize=(11, 6))
    offset, ticks = 0, []
    for idx, name in enumerate(names):
        sel = keep & (pop == idx)
        n_rec = int(neuron[pop == idx].max()) + 1 if np.any(pop == idx) else 0
        ax.scatter(t[sel], neuron[sel] + offset, s=6, color=f"C{idx}", label=name, marker="|", lw=0.8)
        ticks.append((offset + n_rec / 2, name))
        offset += n_rec
    ax.set_yticks([p for p, _ in ticks], [n for _, n in ticks])
    ax.set_xlim(t0, t1)
    ax.set_xlabel("time from run start (ms)")
    ax.set_ylabel("neuron (by population)")
    ax.set_title(f"{stem}: spike raster, {t1 - t0:g} ms after the warm-up\n{label}", fontsize=10)
    fig.tight_layout()
    return fig


def plot_traces(stem, root, names, window_ms, label):
    """Voltage traces of the recorded neurons, or None when there are none."""
    if "traces" not in root or root["traces/v_mV"].shape[0] == 0:
        return None
    v = root["traces/v_mV"]
    stride = int(root["traces"].attrs["stride_steps"])
    dt = float(root.attrs["dt_ms"])
    t0, t1 = _window(root, window_ms)
    n_show = min(v.shape[1], int(np.ceil((t1 - t0) / (stride * dt))))
    t = t0 + np.arange(n_show) * stride * dt
    pop, neuron = root["traces/pop"][()], root["traces/neuron"][()]
    n_tr = v.shape[0]
    fig, axes = plt.subplots(n_tr, 1, figsize=(11, 1.6 * n_tr + 1), sharex=True, squeeze=False)
    for k, ax in enumerate(axes[:, 0]):
        name = names[pop[k]] if 0 <= pop[k] < len(names) else str(pop[k])
        ax.plot(t, v[k, :n_show], lw=0.6, color=f"C{pop[k]}")
        ax.set_ylabel(f"{name}:{neuron[k]}\nV (mV)", fontsize=8)
    axes[-1, 0].set_xlabel("time from run start (ms)")
    fig.suptitle(f"{stem}: membrane voltage, {t1 - t0:g} ms after the warm-up\n{label}", fontsize=10)
    fig.tight_layout()
    return fig


def _decode_all(a):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a]


def plot_protocol(stem, root, names, label):
    """A run with a protocol (docs/config.md, `protocol`): the population rates over the whole
    measurement with the windows marked (top), and for every perturbed input the rate of each
    population against that input's value, bin by bin, in one colour while the input rises and
    another while it falls (an up-then-down ramp draws a hysteresis loop). None without /protocol."""
    if "protocol" not in root:
        return None
    prot = root["protocol"]
    inputs = sorted(k for k in prot if k.startswith("input_"))
    t0 = float(root.attrs.get("t_warmup_ms", 0.0))
    wn = _decode_all(prot["window_names"][()]) if "window_names" in prot else []
    ws = prot["window_start_ms"][()] if "window_start_ms" in prot else []
    we = prot["window_end_ms"][()] if "window_end_ms" in prot else []
    ncol = max(1, len(inputs))
    fig = plt.figure(figsize=(max(8.0, 4.2 * ncol), 7.5))
    gs = fig.add_gridspec(2, ncol)
    top = fig.add_subplot(gs[0, :])
    series = {}
    for name in names:
        g = root["populations"][name]
        counts = g["rate_ts_counts"][()]
        bin_ms = float(g.attrs["bin_ms"])
        if len(counts) == 0:
            continue
        t = t0 + (np.arange(len(counts)) + 0.5) * bin_ms
        series[name] = (t, counts / (int(g.attrs["n"]) * bin_ms / 1000.0), bin_ms)
        top.plot(t, series[name][1], lw=0.7, label=name)
    for k, (a, b) in enumerate(zip(ws, we)):
        top.axvspan(a, b, color="0.92" if k % 2 == 0 else "0.85", zorder=0)
        top.text(0.5 * (a + b), 1.0, wn[k] if k < len(wn) else "", transform=top.get_xaxis_transform(),
                 ha="center", va="bottom", fontsize=7)
    top.set_xlabel("time from the run start (ms)")
    top.set_ylabel("population rate (Hz)")
    if series:
        top.legend(fontsize=8)
    for c, key in enumerate(inputs):
        ax = fig.add_subplot(gs[1, c])
        tab = prot[key][()]
        for k, (name, (t, rate, bin_ms)) in enumerate(series.items()):
            x = np.interp(t, tab[:, 0], tab[:, 1])
            dx = np.interp(t + 0.5 * bin_ms, tab[:, 0], tab[:, 1]) - np.interp(t - 0.5 * bin_ms, tab[:, 0], tab[:, 1])
            for sel, style, what in ((dx > 0, "^", "rising"), (dx < 0, "v", "falling")):
                if np.any(sel):
                    ax.plot(x[sel], rate[sel], style, ms=3, alpha=0.7, color=f"C{k}",
                            mfc="none" if what == "falling" else f"C{k}", label=f"{name}, input {what}")
        ax.set_xlabel(key[len("input_"):].replace("_", " ", 1))
        ax.set_ylabel("population rate (Hz)")
        ax.set_title(f"rate against {key[len('input_'):]} (bins while it changes)", fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle(f"{stem}: protocol windows and rate against input\n{label}", fontsize=10)
    fig.tight_layout()
    return fig


def run_figures(root, stem, window_ms=1000.0, compute_theory=True):
    """Every figure of a run group, in order: {name: Figure} (names as the files' suffixes:
    the population names, "raster", "traces"). The caller closes them (or saves with save)."""
    pops = populations(root)
    names = [n for n, _ in pops]
    th_all, note = theory.for_run(root, dict(pops), compute_theory)
    label = run_label(root)
    figs = {}
    for name, g in pops:
        th = th_all.get(name, {})
        pop_note = note or ("" if th else "no theory for this population")
        figs[name] = plot_population(stem, name, g, th, pop_note, label)
    for kind, fn in (("raster", plot_raster), ("traces", plot_traces)):
        fig = fn(stem, root, names, window_ms, label)
        if fig is not None:
            figs[kind] = fig
    fig = plot_protocol(stem, root, names, label)
    if fig is not None:
        figs["protocol"] = fig
    return figs


def plot_run(root, out_dir, stem, fmt="png", window_ms=1000.0, compute_theory=True):
    """Write every figure of a run group; returns the paths written, in order."""
    figs = run_figures(root, stem, window_ms, compute_theory)
    paths = []
    for k, (name, fig) in enumerate(figs.items()):
        try:
            paths.append(save(fig, out_dir, f"{stem}_{name}", fmt))
        except FigureWriteError:
            for rest in list(figs.values())[k + 1:]:
                plt.close(rest)
            raise
    return paths
