"""Fixtures of the cobalt package's tests: the source tree, the CLI of the same build (COBALT_CLI,
else <source>/build/cobalt), and a small fast config (the quickstart network at 1000 neurons
and 300 ms, with a raster and voltage traces)."""
import os
import subprocess
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import cobalt  # noqa: E402

SRC = Path(__file__).resolve().parents[2]
SMALL = {"run.t_sim_ms": 300, "run.t_warmup_ms": 50, "populations.E.size": 800, "populations.I.size": 200,
         "populations.X.size": 800, "projections.0.indegree": 100, "projections.1.indegree": 100,
         "projections.2.indegree": 25, "projections.3.indegree": 25, "projections.4.indegree": 100,
         "projections.5.indegree": 100, "projections.0.weight": 0.0075, "projections.1.weight": 0.0075,
         "projections.4.weight": 0.0075, "projections.5.weight": 0.0075, "projections.2.weight": 0.15,
         "projections.3.weight": 0.15}


@pytest.fixture(scope="session")
def src():
    return SRC


@pytest.fixture(scope="session")
def cli():
    path = Path(os.environ.get("COBALT_CLI") or SRC / "build" / "cobalt")
    if not path.is_file():
        pytest.skip(f"no cobalt executable at {path} (set COBALT_CLI)")
    return str(path)


@pytest.fixture(scope="session")
def small_sets():
    """The overrides that make configs/quickstart.yaml small, as --set arguments."""
    return [f"{k}={v}" for k, v in SMALL.items()]


@pytest.fixture(scope="session")
def quickstart(src):
    return str(src / "configs" / "quickstart.yaml")


def run_cli(cli, *args, cwd=None):
    """Run the CLI; returns its CompletedProcess (stdout, stderr as text), asserting exit 0."""
    p = subprocess.run([cli, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert p.returncode == 0, f"{cli} {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}"
    return p
