"""Reading cobalt's HDF5 files into Python objects: a run file (or a sweep's /points/<i>
group) into a Result, a sweep file into a SweepResult. The layout is docs/results.md and
docs/sweeps.md, written by host/output/output.c and host/sweep/sweep_merge.c; this module only
reads it (h5py) and names what it finds: nothing is recomputed here, except the derived axes
documented on each property (population rate in Hz, bin times, raster times)."""
import os
from collections import namedtuple

import numpy as np

Histogram = namedtuple("Histogram", "counts edges")
Histogram.__doc__ = "A histogram: counts (bins) and edges (bins + 1), in the units of the name."
Raster = namedtuple("Raster", "t_ms pop neuron")
Raster.__doc__ = ("Spikes of the recorded neurons in time order: t_ms from the run start (warm-up included), "
                  "pop (population index, config order) and neuron (index within the population).")
Traces = namedtuple("Traces", "t_ms v_mV pop neuron")
Traces.__doc__ = "Voltage traces: t_ms (samples), v_mV (traces x samples), pop and neuron of each trace."


def _decode(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.dtype.kind in "OS":
        return [_decode(x) for x in v.tolist()]
    if isinstance(v, np.generic):
        return v.item()
    return v


def _attrs(obj):
    return {k: _decode(v) for k, v in obj.attrs.items()}


def _tree(group):
    """A group as a dict: its attributes, its datasets as arrays, its subgroups as dicts (the
    /theory group: one state for the network; per-population subgroups are read too)."""
    import h5py
    out = _attrs(group)
    for k, v in group.items():
        out[k] = _tree(v) if isinstance(v, h5py.Group) else v[()]
    return out


class Population:
    """One neuron population of a run: per-neuron arrays, histograms, the population rate.

    Arrays (numpy, one per neuron): spike_count, rate_hz, n_isi, cv_isi (NaN where too few
    ISIs); v_mean_mV, v_sd_mV (the first stats.v_neurons neurons). Histograms (counts, edges):
    rate_hist (Hz), cv_hist, v_hist (mV). Population rate: rate_ts_counts (spikes per bin),
    rate_ts_hz and rate_ts_t_ms (bin centres from the run start). Input balance of the first
    stats.balance_neurons neurons (empty without): balance_input_e, balance_input_i,
    balance_input_ext (mV/s), balance_factor, balance_g_e, balance_g_i, balance_g_ext (g/g_L,
    NaN for current-based models), balance_input_by_source (neurons x (populations + 1): by
    config population, then the white-noise mean; docs/results.md). Per protocol window (in the
    order of Result.protocol["window_names"]; empty without a protocol): window_rate_hz,
    window_n_isi, window_cv_isi (pooled), window_v_samples, window_v_mean_mV, window_v_sd_mV.
    Every attribute of the
    file's group (mean_rate_hz, sd_rate_hz, mean_cv, frac_quiescent, v_pop_mean_mV, bin_ms,
    chan_rate_hz, ...) is an attribute here too; attrs holds them all."""

    ARRAYS = ("spike_count", "rate_hz", "n_isi", "cv_isi", "v_mean_mV", "v_sd_mV", "rate_ts_counts")
    # written since the input balance (stats.balance_neurons); empty when a file has none
    OPTIONAL = ("balance_input_e", "balance_input_i", "balance_input_ext", "balance_factor", "balance_g_e",
                "balance_g_i", "balance_g_ext", "balance_input_by_source")
    # one per protocol window (length 0 without a protocol, absent from files of older versions)
    WINDOW_ARRAYS = ("window_rate_hz", "window_n_isi", "window_cv_isi", "window_v_samples", "window_v_mean_mV",
                     "window_v_sd_mV")

    def __init__(self, name, group, result):
        self.name = name
        self.attrs = _attrs(group)
        self.index = int(self.attrs["index"])
        self.model = self.attrs.get("model")
        self.n = int(self.attrs["n"])
        self._result = result
        for k in self.ARRAYS:
            setattr(self, k, group[k][()])
        for k in self.OPTIONAL + self.WINDOW_ARRAYS:
            setattr(self, k, group[k][()] if k in group else np.zeros(0))
        self.rate_hist = Histogram(group["rate_hist"][()], group["rate_edges"][()])
        self.cv_hist = Histogram(group["cv_hist"][()], group["cv_edges"][()])
        self.v_hist = Histogram(group["v_hist"][()], group["v_edges"][()])

    def __getattr__(self, key):
        attrs = self.__dict__.get("attrs", {})
        if key in attrs:
            return attrs[key]
        raise AttributeError(f"population {self.__dict__.get('name')!r} has no {key!r}")

    @property
    def bin_ms(self):
        return float(self.attrs["bin_ms"])

    @property
    def rate_ts_hz(self):
        """Population rate per bin, Hz: rate_ts_counts / (n * bin_ms / 1000)."""
        return self.rate_ts_counts / (self.n * self.bin_ms / 1000.0) if self.n else self.rate_ts_counts * 0.0

    @property
    def rate_ts_t_ms(self):
        """Centres of the population-rate bins, ms from the run start (the measurement window
        starts after the warm-up)."""
        return self._result.t_warmup_ms + (np.arange(len(self.rate_ts_counts)) + 0.5) * self.bin_ms

    @property
    def raster(self):
        """(t_ms, neuron) of this population's recorded spikes."""
        r = self._result.raster
        sel = r.pop == self.index
        return r.t_ms[sel], r.neuron[sel]

    def indegrees(self):
        """{projection label "PRE->POST": in-degree of every neuron of this population} (see
        Result.indegrees)."""
        return {k: v for k, v in self._result.indegrees().items() if k.split("->")[1].split(" ")[0] == self.name}

    def __repr__(self):
        return (f"<Population {self.name} {self.model} n={self.n} rate {self.attrs.get('mean_rate_hz', np.nan):.3g} Hz "
                f"CV {self.attrs.get('mean_cv', np.nan):.3g}>")


class Result:
    """One run: what a cobalt result file holds (docs/results.md), in memory.

    populations: {name: Population} in config order; raster: Raster(t_ms, pop, neuron);
    traces: Traces or None; theory: the /theory group as a dict (the mean-field state nearest
    the simulated rate: rate_hz, cv, mu_mV, sigma_mV, tau_eff_ms, v_mean_mV, v_sd_mV, stable,
    n_states, and the P(V) arrays v_mV, p_v) or None when the config does not map to the theory;
    protocol: the /protocol group as a dict (window_names, window_start_ms, window_end_ms and the
    input_<population>_<key> schedules; the per-window statistics are the window_* arrays of each
    population) or None without a protocol; config: the Config of the run (its text is config.text); commit,
    backend, seed, dt_ms, t_sim_ms, t_warmup_ms, t_measured_s; attrs: every root attribute;
    timing, overflow: dicts; summary: the one-line JSON summary as a dict (runs made in this
    process; None for files opened)."""

    def __init__(self, root, path=None, summary=None):
        from .config import config_from_text
        self.path = path
        self.summary = summary
        self.attrs = _attrs(root)
        a = self.attrs
        self.commit = a.get("commit")
        self.backend = a.get("backend")
        self.seed = int(a["seed"]) if "seed" in a else None
        self.dt_ms = float(a.get("dt_ms", np.nan))
        self.t_sim_ms = float(a.get("t_sim_ms", np.nan))
        self.t_warmup_ms = float(a.get("t_warmup_ms", 0.0))
        self.t_measured_s = float(a.get("t_measured_s", np.nan))
        self.config_text = _decode(root["config"][()]) if "config" in root else ""
        name = os.path.basename(a.get("config_path") or "") or "config.yaml"
        self.config = config_from_text(self.config_text, name)
        self.timing = _attrs(root["timing"]) if "timing" in root else {}
        self.overflow = _attrs(root["overflow"]) if "overflow" in root else {}
        pops = sorted(root["populations"].items(), key=lambda kv: int(kv[1].attrs["index"])) \
            if "populations" in root else []
        self.populations = {n: Population(n, g, self) for n, g in pops}
        if "raster" in root:
            r = root["raster"]
            self.raster = Raster(r["step"][()] * self.dt_ms, r["pop"][()], r["neuron"][()])
        else:
            self.raster = Raster(np.zeros(0), np.zeros(0, np.int32), np.zeros(0, np.int32))
        self.traces = None
        if "traces" in root and root["traces/v_mV"].shape[0] > 0:
            tr = root["traces"]
            stride = int(tr.attrs["stride_steps"])
            v = tr["v_mV"][()]
            t = self.t_warmup_ms + np.arange(v.shape[1]) * stride * self.dt_ms
            self.traces = Traces(t, v, tr["pop"][()], tr["neuron"][()])
        self.theory = _tree(root["theory"]) if "theory" in root else None
        self.protocol = _tree(root["protocol"]) if "protocol" in root else None
        if self.protocol is not None and "window_names" in self.protocol:
            self.protocol["window_names"] = [_decode(x) for x in self.protocol["window_names"]]
        resp = self.protocol.get("response") if self.protocol is not None else None
        if resp is not None:  # /protocol/response (docs/results.md): names as str
            for k in ("window", "baseline", "key", "population"):
                if k in resp:
                    resp[k] = [_decode(x) for x in resp[k]]
        self._indegrees = None

    def __getitem__(self, name):
        return self.populations[name]

    def __repr__(self):
        pops = ", ".join(f"{p.name} {p.attrs.get('mean_rate_hz', np.nan):.3g} Hz" for p in self.populations.values())
        src = self.path or "in memory"
        return f"<cobalt.Result {src}: {self.backend}, seed {self.seed}, commit {self.commit}; {pops}>"

    def indegrees(self):
        """{"PRE->POST (E|I)": realised in-degree of every target neuron} for every projection,
        drawn by the C library (cob_net_layout) from the run's config and seed: the in-degrees
        of the network this run simulated (by the library loaded now, so for a file of another
        commit only while the drawing rule is unchanged). Computed on first use (result files do
        not store them)."""
        if self._indegrees is None:
            from .api import indegrees
            self._indegrees = indegrees(self.config)
        return self._indegrees

    def plot(self, window_ms=1000.0, theory=True):
        """The figures `cobalt plot` makes of this run (tools/cobalt_plot_run.py), as matplotlib
        figures: {name: Figure} with one per population, then "raster" and "traces" when the
        file has them. Needs the result file (path) or makes one from memory."""
        from .plot import run_figures
        return run_figures(self, window_ms, theory)


class SweepResult:
    """A sweep file (docs/sweeps.md): summary, a pandas DataFrame of /summary (one row per point:
    point, K, weight_E, the swept keys, and per population P the simulated P_rate_hz, P_cv,
    P_v_mean_mV, P_v_sd_mV beside P_theory_*); columns, the same as {name: numpy array};
    point(i) / [i], the Result of point i (read on demand); n_points, swept, law, missing,
    attrs, config."""

    def __init__(self, path):
        import h5py
        from .config import config_from_text
        self.path = os.fspath(path)
        with h5py.File(self.path, "r") as f:
            self.attrs = _attrs(f)
            self.columns = {}
            for k in f["summary"]:  # HDF5 lists them by name; the CSV order is kept below
                v = f["summary"][k][()]
                self.columns[k] = np.array(_decode(v)) if v.dtype.kind in "OS" else v
            text = _decode(f["config"][()]) if "config" in f else ""
            self.points_present = sorted(int(k) for k in f["points"]) if "points" in f else []
            self.overrides = {i: _decode(f["points"][str(i)].attrs.get("overrides", np.zeros(0, "S1")))
                              for i in self.points_present}
        self.config = config_from_text(text, os.path.basename(self.attrs.get("config_path") or "") or "config.yaml")
        self.n_points = int(self.attrs["n_points"])
        self.swept = [s for s in str(self.attrs.get("swept", "")).split(",") if s]
        self.law = self.attrs.get("law", "")
        self.missing = list(np.atleast_1d(self.attrs.get("missing", [])))
        self._cache = {}

    def _order(self):
        """Column order: point, K, weight_E, the swept keys, then per population each simulated
        quantity beside its theory column, then anything else."""
        cols = self.columns
        order = [c for c in ("point", "K", "weight_E") if c in cols]
        order += [s for s in self.swept if s in cols and s not in order]
        pops = [c[:-len("_rate_hz")] for c in cols if c.endswith("_rate_hz") and "_theory_" not in c]
        for p in pops:
            for q in ("rate_hz", "cv", "v_mean_mV", "v_sd_mV"):
                order += [c for c in (f"{p}_{q}", f"{p}_theory_{q}") if c in cols and c not in order]
        return order + sorted(c for c in cols if c not in order)

    @property
    def summary(self):
        """The summary table as a pandas DataFrame indexed by point (simulation beside theory)."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("SweepResult.summary needs pandas (apt install python3-pandas, or pip install "
                              "pandas); the same columns are in SweepResult.columns") from e
        df = pd.DataFrame({c: self.columns[c] for c in self._order()})
        if "point" in df:
            df.index = df["point"].astype(int)
            df.index.name = "point"
        return df

    def point(self, i):
        """The Result of point i (KeyError for a missing point)."""
        import h5py
        i = int(i)
        if i not in self._cache:
            if i not in self.points_present:
                raise KeyError(f"point {i} is not in {self.path} (missing: {self.missing})")
            with h5py.File(self.path, "r") as f:
                self._cache[i] = Result(f["points"][str(i)], path=f"{self.path}:/points/{i}")
        return self._cache[i]

    __getitem__ = point

    def __len__(self):
        return self.n_points

    def __iter__(self):
        return (self.point(i) for i in self.points_present)

    def __repr__(self):
        return f"<cobalt.SweepResult {self.path}: {self.n_points} points, swept {','.join(self.swept)}>"

    def plot(self):
        """The figures `cobalt plot` makes of a sweep file (tools/cobalt_plot_sweep.py): {name:
        Figure}."""
        from .plot import sweep_figures
        return sweep_figures(self)


def open(path):  # noqa: A001 (cobalt.open, as the issue names it)
    """Read a cobalt run file into a Result or a sweep file into a SweepResult (arrays in
    memory; a sweep's points on demand). ValueError when the file is not cobalt's."""
    import h5py
    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        if "summary" in f and "n_points" in f.attrs:
            kind = "sweep"
        elif "populations" in f and "dt_ms" in f.attrs:
            return Result(f, path=path)
        else:
            raise ValueError(f"{path}: not a cobalt result or sweep file (no /populations with root attribute "
                             f"dt_ms, no /summary with n_points; docs/results.md)")
    assert kind == "sweep"
    return SweepResult(path)
