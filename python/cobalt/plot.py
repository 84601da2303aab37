"""result.plot(): the figures of `cobalt plot`, made by the same code (tools/cobalt_plot_run.py
and tools/cobalt_plot_sweep.py, found as in cobalt._lib.tools_dir), returned as matplotlib
figures instead of written to files."""
import os
import sys


def _tools():
    from ._lib import tools_dir
    d = str(tools_dir())
    if d not in sys.path:
        sys.path.insert(0, d)
    import cobalt_plot_run
    import cobalt_plot_sweep
    return cobalt_plot_run, cobalt_plot_sweep


def _open_group(path):
    """(h5py file, group) of a Result's path ("file.h5" or "file.h5:/points/3")."""
    import h5py
    fname, _, group = path.partition(":")
    f = h5py.File(fname, "r")
    return f, (f[group] if group else f)


def run_figures(result, window_ms=1000.0, theory=True):
    run_mod, _ = _tools()
    f, root = _open_group(result.path)
    with f:
        stem = os.path.splitext(os.path.basename(result.path.partition(":")[0]))[0]
        return run_mod.run_figures(root, stem, window_ms, theory)


def sweep_figures(sweep):
    _, sweep_mod = _tools()
    import h5py
    with h5py.File(sweep.path, "r") as f:
        stem = os.path.splitext(os.path.basename(sweep.path))[0]
        return sweep_mod.sweep_figures(f, stem)


__all__ = ["run_figures", "sweep_figures"]
