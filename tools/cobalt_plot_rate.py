"""Figures of one `cobalt rate` file (docs/rate.md, "Output"): the rates of every population over
time with each epoch's fixed point marked (dashed) and the step times (dotted); for a ring, the
rates of all units over time (image) and the last sample's profile against the closed form.

Pairs with cobalt_plot.py (command line: a file whose root attribute kind is "rate" comes here)
and cobalt_plot_run.py (save, FigureWriteError). Deliberate limits: one figure per file kind; no
recomputation (what is drawn is what cobalt wrote).
"""
import numpy as np
import matplotlib.pyplot as plt  # the backend is the caller's (cobalt_plot.py chooses Agg)

from cobalt_plot_run import save


def _decode(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def epochs(root):
    """[(t_ms, group)] of /epochs in time order."""
    g = root["epochs"]
    return sorted(((float(g[k].attrs["t_ms"]), g[k]) for k in g), key=lambda x: x[0])


def label(root):
    a = root.attrs
    return f"cobalt rate, {_decode(a.get('model', ''))}, {_decode(a.get('commit', ''))}"


def rate_figures(root, stem):
    """{name: Figure} for a rate file (h5py root)."""
    t = root["time_ms"][:]
    eps = epochs(root)
    figs = {}
    if _decode(root.attrs.get("model", "populations")) == "ring":
        g = root["ring"]
        r = g["rate_ts_hz"][:]
        th = np.degrees(g["theta_rad"][:])
        fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 4))
        im = a0.imshow(r.T, aspect="auto", origin="lower", extent=[t[0], t[-1], th[0], th[-1]], cmap="viridis")
        fig.colorbar(im, ax=a0, label="rate (Hz)")
        a0.set_xlabel("time (ms)")
        a0.set_ylabel("preferred angle (deg)")
        a1.plot(th, r[-1], "o", ms=3, label=f"units at t = {t[-1]:g} ms")
        a1.plot(th, g["profile_theory_hz"][:], "k--", label="closed form")
        a1.set_xlabel("preferred angle (deg)")
        a1.set_ylabel("rate (Hz)")
        a1.legend(fontsize=8)
        a = g.attrs
        a1.set_title(f"J0 {a['J0']:g}, J1 {a['J1']:g}, I0 {a['I0']:g}, I1 {a['I1']:g}", fontsize=9)
        fig.suptitle(label(root), fontsize=9)
        fig.tight_layout()
        figs["ring"] = fig
        return figs
    pops = sorted(root["populations"].items(), key=lambda kv: int(kv[1].attrs["index"]))
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, (name, g) in enumerate(pops):
        line, = ax.plot(t, g["rate_ts_hz"][:], label=name)
        idx = int(g.attrs["index"])
        for k, (t0, e) in enumerate(eps):
            t1 = eps[k + 1][0] if k + 1 < len(eps) else t[-1]
            if int(e.attrs["fixed_point_ok"]):
                ax.plot([t0, t1], [e["fixed_point_hz"][idx]] * 2, ls="--", lw=0.8, color=line.get_color())
    for t0, _ in eps[1:]:
        ax.axvline(t0, color="0.5", ls=":", lw=0.8)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("rate (Hz)")
    ax.legend(fontsize=8)
    ax.set_title("rates (solid) and each epoch's fixed point (dashed)", fontsize=9)
    fig.suptitle(label(root), fontsize=9)
    figs["rates"] = fig
    return figs


def plot_rate(root, out_dir, stem, fmt="png"):
    """Write the figures of a rate file; returns their paths."""
    return [save(fig, out_dir, f"{stem}_{name}", fmt) for name, fig in rate_figures(root, stem).items()]
