"""cobalt from Python: run configs and sweeps of the cobalt spiking-network engine in this
process and get the results as numpy arrays (docs/python.md).

    import cobalt
    cfg = cobalt.load_config("configs/quickstart.yaml", set={"run.t_sim_ms": 500})
    res = cobalt.run(cfg, seed=1)
    res.populations["E"].rate_hz          # Hz, one per neuron
    cobalt.open("results/quickstart.h5")  # any run or sweep file

Everything is computed by the C library (libcobalt.so, loaded with ctypes; include/cobalt/
pyapi.h): this package loads, checks, runs and reads, it does not simulate.
"""
from .api import OverflowWarning, Theory, indegrees, n_points, run, sweep, theory
from .config import Config, load_config
from .errors import CobaltError, ConfigError
from .results import Histogram, Population, Raster, Result, SweepResult, Traces, open


def library():
    """(path of the libcobalt.so in use, its version, the commit it was built from)."""
    from . import _lib
    L = _lib.lib()
    return L.cobalt_path, L.cob_py_version().decode(), L.cob_py_commit().decode()


__version__ = "0.1.0"
__all__ = ["load_config", "run", "sweep", "theory", "open", "indegrees", "n_points", "library", "Config",
           "Result", "SweepResult", "Population", "Histogram", "Raster", "Traces", "Theory", "CobaltError",
           "ConfigError", "OverflowWarning"]
