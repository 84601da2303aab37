"""cobalt.run, cobalt.sweep, cobalt.theory: the CLI's `run`, `sweep` and `theory` in this
process, through the flat C API (include/cobalt/pyapi.h)."""
import ctypes
import json
import os
import shutil
import tempfile
import warnings
import weakref

import numpy as np

from . import _lib, _runner
from .config import Config, load_config
from .errors import CobaltError, raise_for


class OverflowWarning(UserWarning):
    """A run counted a loss (docs/results.md, /overflow): results are kept, as the CLI keeps
    them (its exit 6)."""


def _config(config, set=None, seed=None):
    cfg = config if isinstance(config, Config) and set is None else load_config(config, set=set)
    extra = [f"run.seed={int(seed)}"] if seed is not None else []
    return cfg, extra


def _backend(name):
    try:
        return _lib.BACKENDS[name]
    except KeyError:
        raise ValueError(f"backend {name!r}: allowed values are auto, cpu, cuda") from None


def _pop_names(cfg):
    """Neuron population names in config order (for the progress line), best effort."""
    try:
        return [p["name"] for p in cfg.to_dict().get("populations", []) if p.get("model") != "poisson"]
    except Exception:  # noqa: BLE001 (only labels)
        return []


def _dt_ms(cfg):
    try:
        return float(cfg.to_dict().get("run", {}).get("dt_ms", 0.1))
    except Exception:  # noqa: BLE001
        return 0.1


def run(config, backend="auto", seed=None, out=None, set=None, progress=None):
    """Run a config in this process, as `cobalt run CONFIG --backend B --seed S --out OUT
    --set ...` does, and return its Result.

    config: a path, dict, YAML text or Config (cobalt.load_config); set: more overrides;
    seed: run.seed (as --seed); out: the HDF5 result file to write (None: a temporary one,
    removed when the Result is). The GIL is released during the run (other threads run);
    Ctrl-C cancels it within a fraction of a second and raises KeyboardInterrupt, leaving no
    file. progress: None (a bar in a notebook or on a terminal), True or False.
    Raises ConfigError, CobaltError; warns OverflowWarning when the run counted a loss."""
    from .results import open as open_result
    cfg, extra = _config(config, set, seed)
    kind = _backend(backend)
    L = _lib.lib()
    tmpdir = None
    if out is None:
        tmpdir = tempfile.mkdtemp(prefix="cobalt-")
        path = os.path.join(tmpdir, "run.h5")
    else:
        path = os.fspath(out)
    prog = _runner.Progress(_runner.want_progress(progress), _dt_ms(cfg), _pop_names(cfg))
    cb = _lib.PROGRESS_FN(prog.callback)
    js = ctypes.c_void_p()
    msg = ctypes.create_string_buffer(_lib.ERR_MSG_MAX)
    args = cfg.args(extra)
    try:
        rc = _runner.call(L.cob_py_run, args + (kind, _lib.enc(path), cb, None, 0.5 if prog.enabled else 0.0),
                          (ctypes.byref(js), msg), prog if prog.enabled else None)
        summary = _lib.take_string(js)
        if rc not in (_lib.OK, _lib.OVERFLOW):
            raise_for(rc, msg.value.decode("utf-8", "replace"))
        if rc == _lib.OVERFLOW:
            warnings.warn(msg.value.decode("utf-8", "replace"), OverflowWarning, stacklevel=2)
        res = open_result(path)
    except BaseException:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    res.summary = json.loads(summary) if summary else None
    if tmpdir:  # the temporary file lives as long as the Result (for result.plot())
        weakref.finalize(res, shutil.rmtree, tmpdir, True)
    return res


def sweep(config, points=None, out=None, dir=None, backend="auto", set=None, progress=None):  # noqa: A002
    """Run the config's sweep: block in this process, as `cobalt sweep` does, and return the
    SweepResult of the merged file.

    points: None for every point, or a list of point indices (the others are NaN rows, merged
    as `cobalt merge --allow-missing` does). out: the sweep file (its CSV beside it) and dir:
    the folder of point files; both None: a temporary folder that lives as long as the
    returned SweepResult. A complete point file already in dir is kept, not run again."""
    from .results import SweepResult
    cfg, _ = _config(config, set)
    kind = _backend(backend)
    L = _lib.lib()
    tmpdir = None
    if out is None and dir is None:
        tmpdir = tempfile.mkdtemp(prefix="cobalt-sweep-")
        out, dir = os.path.join(tmpdir, "sweep.h5"), os.path.join(tmpdir, "points")
    elif out is None or dir is None:
        base = os.path.splitext(os.fspath(out))[0] if out is not None else os.fspath(dir).rstrip("/")
        out = out if out is not None else base + "_sweep.h5"
        dir = dir if dir is not None else base + "_points"
    sel = None if points is None else [int(p) for p in points]
    arr = (ctypes.c_int64 * max(len(sel or []), 1))(*(sel or []))
    prog = _runner.Progress(_runner.want_progress(progress), _dt_ms(cfg), _pop_names(cfg))
    n_total = len(sel) if sel is not None else n_points(cfg)

    def point_done(user, i, n_done, n_all):
        prog.label = f"point {n_done + 1}/{n_all}"  # the bar of the next point

    cb = _lib.PROGRESS_FN(prog.callback)
    pcb = _lib.POINT_FN(point_done)
    msg = ctypes.create_string_buffer(_lib.ERR_MSG_MAX)
    prog.label = f"point 1/{n_total}"
    try:
        rc = _runner.call(L.cob_py_sweep_run,
                          cfg.args() + (kind, arr, len(sel or []), _lib.enc(dir), _lib.enc(out), None, cb, pcb, None,
                                        0.5 if prog.enabled else 0.0),
                          (msg,), prog if prog.enabled else None)
        if rc not in (_lib.OK, _lib.OVERFLOW):
            raise_for(rc, msg.value.decode("utf-8", "replace"))
        if rc == _lib.OVERFLOW:
            warnings.warn(msg.value.decode("utf-8", "replace"), OverflowWarning, stacklevel=2)
        res = SweepResult(out)
    except BaseException:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    if tmpdir:
        weakref.finalize(res, shutil.rmtree, tmpdir, True)
    return res


def n_points(config, set=None):
    """The number of points of the config's sweep: block (every point's config is checked)."""
    cfg, _ = _config(config, set)
    n = ctypes.c_int64(0)
    msg = ctypes.create_string_buffer(_lib.ERR_MSG_MAX)
    rc = _lib.lib().cob_py_sweep_count(*cfg.args(), ctypes.byref(n), msg)
    if rc != _lib.OK:
        raise_for(rc, msg.value.decode("utf-8", "replace"))
    return int(n.value)


class TheoryState(dict):
    """A self-consistent state: nu_hz, stable, cv, mu_mV, sigma_mV, tau_eff_ms, v_mean_mV,
    v_sd_mV (also as attributes)."""
    __getattr__ = dict.get


class Theory:
    """Mean-field predictions of a config (docs/theory.md), as `cobalt theory` prints them.

    model ("lif_cond"/"lif_curr"), single (a single neuron with fixed input), net (the theory's
    parameters: K, k_x, gamma, g, a or j_mV, nu_x_hz, ...), states (every self-consistent
    state, ascending rate), stable (the lowest stable one, or None), gain_rho and eq21_rate_hz
    (strong coupling; None when there is none), hetero (the heterogeneous in-degree state, or
    None), k_sweep (one TheoryState-like dict per (law, K): law, K, weight, n_states, state,
    warning, error) and, with pandas, k_table() as a DataFrame."""

    def __init__(self, d):
        self.raw = d
        self.model = d["model"]
        self.single = d["single"]
        self.net = d["net"]
        self.states = [TheoryState(s) for s in d["states"]]
        self.stable = next((s for s in self.states if s["stable"]), None)
        self.gain_rho = d["gain_rho"]
        self.eq21_rate_hz = d["eq21_rate_hz"]
        self.hetero = d["hetero"]
        self.k_sweep = d["k_sweep"]

    def k_table(self):
        """The K rows as a DataFrame: law, K, weight, and the lowest stable state's columns."""
        import pandas as pd
        rows = []
        for r in self.k_sweep:
            row = {"law": r["law"], "K": r["K"], "weight": r["weight"], "n_states": r["n_states"]}
            row.update(r["state"] or {"nu_hz": np.nan})
            row["warning"], row["error"] = r["warning"], r["error"]
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self):
        st = ", ".join(f"{s['nu_hz']:.4g} Hz ({'stable' if s['stable'] else 'unstable'})" for s in self.states)
        return f"<cobalt.Theory {self.model}{' single neuron' if self.single else ''}: K = {self.net['K']:g}; {st}>"


def theory(config, k=None, law=None, cv_k=None, set=None):
    """Mean-field predictions for config (an E/I/X network or a single neuron with Poisson
    input), as `cobalt theory CONFIG --k K1,K2 --law LAW --cv-k X` computes them: a Theory.
    k: an in-degree or a list of them; law: "none", "sqrt", "log", "sanzeni", "matched" or a
    list (default: sanzeni for lif_cond, sqrt for lif_curr); cv_k: heterogeneous in-degree
    (default: the config's common cv_indegree)."""
    cfg, _ = _config(config, set)
    ks = [] if k is None else [float(x) for x in np.atleast_1d(k)]
    laws = None if law is None else (law if isinstance(law, str) else ",".join(law))
    karr = (ctypes.c_double * max(len(ks), 1))(*ks)
    js = ctypes.c_void_p()
    msg = ctypes.create_string_buffer(_lib.ERR_MSG_MAX)
    rc = _lib.lib().cob_py_theory_json(*cfg.args(), karr, len(ks), _lib.enc(laws), -1.0 if cv_k is None else cv_k,
                                       ctypes.byref(js), msg)
    if rc != _lib.OK:
        raise_for(rc, msg.value.decode("utf-8", "replace"))
    return Theory(json.loads(_lib.take_string(js)))


def indegrees(config, set=None):
    """{"PRE->POST (E|I)": in-degree of every target neuron} of every projection of the config,
    as cob_net_layout draws them for its seed (the network a run of it simulates)."""
    cfg, _ = _config(config, set)
    L = _lib.lib()
    try:
        projs = cfg.to_dict()["projections"]
    except Exception:  # noqa: BLE001 (labels only)
        projs = None
    out = {}
    i, n_projs = 0, 1
    while i < n_projs:
        ptr = ctypes.POINTER(ctypes.c_int32)()
        n = ctypes.c_int64(0)
        np_ = ctypes.c_int(0)
        msg = ctypes.create_string_buffer(_lib.ERR_MSG_MAX)
        rc = L.cob_py_indegrees(*cfg.args(), i, ctypes.byref(ptr), ctypes.byref(n), ctypes.byref(np_), msg)
        if rc != _lib.OK:
            if rc == _lib.INVALID and np_.value == 0:
                break  # a config without projections
            raise_for(rc, msg.value.decode("utf-8", "replace"))
        n_projs = np_.value
        try:
            arr = np.ctypeslib.as_array(ptr, shape=(n.value,)).copy() if n.value else np.zeros(0, np.int32)
        finally:
            L.cob_py_free(ptr)
        if projs and i < len(projs):
            p = projs[i]
            label = f"{p['pre']}->{p['post']} ({p.get('receptor', '?')})"
        else:
            label = f"projection {i}"
        if label in out:
            label = f"{label} #{i}"
        out[label] = arr
        i += 1
    return out


__all__ = ["run", "sweep", "theory", "n_points", "indegrees", "Theory", "OverflowWarning", "CobaltError"]
