"""Figures of a cobalt sweep file: the simulated summary columns against the swept ones,
each beside its mean-field column (`P_theory_<quantity>`).

Layout read (written by `cobalt sweep`): root attributes `n_points`, `swept` (comma-separated
swept column names), `law`; `/summary/<column>` 1-D datasets (`point`, `K`, `weight_E`, one
per swept key, and per population P `P_rate_hz`, `P_cv`, `P_v_mean_mV`, `P_v_sd_mV` with
their `P_theory_*` twins); `/points/<i>` the full run content of point i.

Pairs with cobalt_plot.py (command line), cobalt_plot_run.py (per-point figures, `save`) and
docs/plots.md. Deliberate limits: with several swept columns, the points of one figure are
grouped by the values of the other swept columns (one line per group); columns are plotted
as stored, nothing is recomputed.
"""
import numpy as np

from cobalt_plot_run import plt, save

QUANTITIES = (("rate_hz", "rate (Hz)"), ("cv", "CV of ISI"),
              ("v_mean_mV", "mean V (mV)"), ("v_sd_mV", "s.d. of V (mV)"))


def read_summary(f):
    """{column: 1-D float array} of the numeric datasets in /summary."""
    cols = {}
    for k, v in f["summary"].items():
        if v.dtype.kind in "iufb" and v.ndim == 1:
            cols[k] = np.asarray(v[()], dtype=float)
    return cols


def swept_columns(f, cols):
    """Summary columns of the swept names (root attribute `swept`, comma-separated); a name
    with no column of its exact spelling takes the one that differs only in case (`k` -> `K`)."""
    raw = f.attrs.get("swept", "")
    raw = raw.decode() if isinstance(raw, bytes) else str(raw)
    lower = {c.lower(): c for c in cols}
    out = []
    for name in (s.strip() for s in raw.split(",") if s.strip()):
        col = name if name in cols else lower.get(name.lower())
        if col and col not in out:
            out.append(col)
    return out


def population_names(cols):
    """Populations P with a `P_rate_hz` column (theory columns excluded)."""
    return sorted(c[:-len("_rate_hz")] for c in cols
                  if c.endswith("_rate_hz") and not c.endswith("_theory_rate_hz"))


def simulated_quantities(cols, pops, swept):
    """[(quantity, label)] of the simulated columns: per-population quantities (the part after
    `P_`), the four standard ones first, then any other column that is not swept, `point` or
    a theory column."""
    known = [q for q, _ in QUANTITIES]
    found, other = [], []
    for c in sorted(cols):
        if c in swept or c == "point" or "_theory_" in c:
            continue
        pop = next((p for p in pops if c.startswith(p + "_")), None)
        q = c[len(pop) + 1:] if pop else c
        if q not in known and q not in other:
            other.append(q)
        elif q in known and q not in found:
            found.append(q)
    labels = dict(QUANTITIES)
    return [(q, labels[q]) for q in known if q in found] + [(q, q) for q in other]


def groups(cols, swept, x):
    """[(label, index array)]: the points split by the values of the swept columns other
    than x, each sorted by x. When every point would be its own group and every point has its
    own x (the other columns move with x, as in a zip sweep of K with dt), the points are one
    group: one curve."""
    rest = [s for s in swept if s != x]
    keys = [tuple(cols[s][i] for s in rest) for i in range(len(cols[x]))]
    if len(keys) > 1 and len(set(keys)) == len(keys) == len(set(cols[x])):
        rest, keys = [], [()] * len(keys)
    out = []
    for key in sorted(set(keys)):
        idx = np.array([i for i, k in enumerate(keys) if k == key])
        idx = idx[np.argsort(cols[x][idx], kind="stable")]
        out.append((", ".join(f"{s} = {v:g}" for s, v in zip(rest, key)), idx))
    return out


MARKERS = "osD^v<>p"


def _plot_quantity(ax, cols, pops, swept, x, q):
    """One quantity of every population against x: simulation as markers (one shape per
    population, one colour per group of the other swept columns, or per population when there
    is one group), theory as a dashed line of the same colour. Returns whether it drew."""
    drawn = False
    series = [(p, f"{p}_{q}", f"{p}_theory_{q}") for p in pops] if any(f"{p}_{q}" in cols for p in pops) \
        else [("", q, f"theory_{q}")]
    grouped = groups(cols, swept, x)
    for j, (label, idx) in enumerate(grouped):
        for k, (p, col, tcol) in enumerate(series):
            if col not in cols:
                continue
            c = f"C{(j if len(grouped) > 1 else k) % 10}"
            name = ", ".join(s for s in (p, label) if s) or col
            ax.plot(cols[x][idx], cols[col][idx], MARKERS[k % len(MARKERS)], color=c, ms=5,
                    mfc=c if k == 0 else "none", label=name)
            if tcol in cols and np.any(np.isfinite(cols[tcol][idx])):
                ax.plot(cols[x][idx], cols[tcol][idx], color=c, ls="--", lw=1.2)
            drawn = True
    return drawn


def _legend(ax):
    """Legend of the simulated series plus one entry for the dashed theory lines."""
    handles, labels = ax.get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="k", ls="--", lw=1.2))
    labels.append("theory")
    ax.legend(handles, labels, fontsize=7)


def _log_if_wide(ax, values, axis="y"):
    v = values[np.isfinite(values)]
    if len(v) and np.all(v > 0) and v.max() / v.min() > 20:
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")


def plot_against(stem, cols, pops, swept, x, quantities, title):
    """Figure: one panel per quantity against swept column x."""
    n = len(quantities)
    ncol = 2 if n > 1 else 1
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.5 * ncol, 4 * nrow), squeeze=False)
    legend_done = False
    for ax, (q, qlabel) in zip(axes.flat, quantities):
        drawn = _plot_quantity(ax, cols, pops, swept, x, q)
        ax.set_xlabel(x)
        ax.set_ylabel(qlabel)
        _log_if_wide(ax, cols[x], "x")
        if q == "rate_hz":
            _log_if_wide(ax, np.concatenate([cols.get(f"{p}_rate_hz", np.array([])) for p in pops]))
        if drawn and not legend_done:
            _legend(ax)
            legend_done = True
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_weight_law(stem, cols, swept, law):
    """a(K): weight_E against K on log axes, with 1/sqrt(K) and 1/log(K) through the first
    point for reference."""
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for label, idx in groups(cols, swept, "K"):
        k, w = cols["K"][idx], cols["weight_E"][idx]
        ax.plot(k, w, "o-", ms=4, label=f"weight_E ({law})" + (f", {label}" if label else ""))
    order = np.argsort(cols["K"])
    k0, w0 = cols["K"][order[0]], cols["weight_E"][order[0]]
    kk = np.geomspace(cols["K"].min(), cols["K"].max(), 100)
    ax.plot(kk, w0 * np.sqrt(k0 / kk), color="0.5", ls=":", label="∝ 1/√K")
    if k0 > 1:
        ax.plot(kk, w0 * np.log(k0) / np.log(kk), color="0.5", ls="--", label="∝ 1/log K")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("K")
    ax.set_ylabel("weight_E (a, or J in mV)")
    ax.set_title(f"{stem}: synaptic weight against K, law {law}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_nu_x(stem, cols, pops, swept):
    """Rate against the external rate nu_x, simulation and theory."""
    fig = plot_against(stem, cols, pops, swept, "nu_x", [("rate_hz", "rate (Hz)")],
                       f"{stem}: rate against the external rate nu_x (Hz)")
    fig.set_size_inches(6.5, 5)
    fig.tight_layout()
    return fig


def sweep_figures(f, stem):
    """Every sweep figure, in order: {name: Figure} (names as the files' suffixes: "K",
    "weight_K", "rate_nu_x", "vs_<key>"). The caller closes them (or saves with save)."""
    cols = read_summary(f)
    swept = swept_columns(f, cols)
    if not swept:
        raise ValueError("no swept column of the root attribute 'swept' is in /summary")
    pops = population_names(cols)
    law = f.attrs.get("law", "")
    law = (law.decode() if isinstance(law, bytes) else str(law)) or "none"
    quantities = simulated_quantities(cols, pops, swept + ["K", "weight_E"])
    figs = {}
    if "K" in swept:
        figs["K"] = plot_against(stem, cols, pops, swept, "K", quantities,
                                 f"{stem}: against K (weights by law {law})")
        if "weight_E" in cols:
            figs["weight_K"] = plot_weight_law(stem, cols, swept, law)
    if "nu_x" in swept:
        figs["rate_nu_x"] = plot_nu_x(stem, cols, pops, swept)
    extra = [c for c in ("K", "weight_E") if c in cols and c not in swept and np.ptp(cols[c]) > 0]
    everything = quantities + [(c, c) for c in extra]
    for x in (s for s in swept if s != "K"):  # the K figure already holds every quantity
        figs[f"vs_{x}"] = plot_against(stem, cols, pops, swept, x, everything,
                                       f"{stem}: every simulated column against {x}")
    return figs


def plot_sweep(f, out_dir, stem, fmt="png"):
    """Write the sweep figures; returns the paths written, in order."""
    figs = sweep_figures(f, stem)
    paths = []
    for k, (name, fig) in enumerate(figs.items()):
        try:
            paths.append(save(fig, out_dir, f"{stem}_{name}", fmt))
        except Exception:
            for rest in list(figs.values())[k + 1:]:
                plt.close(rest)
            raise
    return paths
