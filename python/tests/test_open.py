"""cobalt.open on every layout cobalt ships: a run file (raster, traces, /theory), a run file
without /theory, a sweep point file, a merged sweep file, a sweep merged with missing points,
the synthetic files of tools/synth_results.py; and a foreign HDF5 file refused."""
import subprocess
import sys

import h5py
import numpy as np
import pytest

import cobalt
from conftest import run_cli

# A noise schedule of several points: the mean field is stationary and refuses it (a constant
# noise maps to the single-neuron theory since issue 12, docs/theory.md).
NO_THEORY = """run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 200, seed: 1}
populations:
  - name: N
    model: lif_curr
    size: 20
    noise: {mu_mV_per_s: [[0, 1200], [100, 1300]], sigma_mV_per_sqrt_s: 40}
    v_th_mV: 20
    v_reset_mV: 10
    e_l_mV: 0
stats: {raster: {neurons: 5}}
"""


def check_run(res, n_pops=2):
    assert isinstance(res, cobalt.Result)
    assert len(res.populations) == n_pops
    for pop in res.populations.values():
        assert pop.rate_hz.shape == (pop.n,) and pop.cv_isi.shape == (pop.n,) and pop.spike_count.dtype == np.uint32
        for h in (pop.rate_hist, pop.cv_hist, pop.v_hist):
            assert len(h.edges) == len(h.counts) + 1
        assert pop.rate_ts_hz.shape == pop.rate_ts_t_ms.shape == pop.rate_ts_counts.shape
        assert pop.mean_rate_hz == pytest.approx(pop.rate_hz.mean())
    assert res.dt_ms > 0 and res.commit and res.config.text is not None


def test_run_file_with_raster_traces_theory(cli, quickstart, small_sets, tmp_path):
    out = tmp_path / "run.h5"
    run_cli(cli, "run", quickstart, "--out", out, "--quiet", *sum((["--set", s] for s in small_sets), []))
    res = cobalt.open(out)
    check_run(res)
    assert res.path == str(out) and res.summary is None
    assert len(res.raster.t_ms) > 0 and res.raster.t_ms.min() >= res.t_warmup_ms
    t, ids = res.populations["I"].raster
    assert np.all(ids < 50) and len(t) == np.count_nonzero(res.raster.pop == 1)
    assert res.traces.v_mV.shape[0] == 4 and res.traces.v_mV.shape[1] == len(res.traces.t_ms)
    assert res.theory["rate_hz"] > 0 and res.theory["v_mV"].shape == res.theory["p_v"].shape
    deg = res.populations["E"].indegrees()
    assert set(deg) == {"E->E (E)", "I->E (I)", "X->E (E)"} and deg["E->E (E)"].shape == (800,)
    assert np.all(deg["E->E (E)"] == 100)  # fixed in-degree (cv_indegree 0)


def test_run_file_without_theory(cli, tmp_path):
    cfg = tmp_path / "noise.yaml"
    cfg.write_text(NO_THEORY)
    run_cli(cli, "run", cfg, "--out", tmp_path / "n.h5", "--quiet")
    res = cobalt.open(tmp_path / "n.h5")
    check_run(res, 1)
    assert res.theory is None and res.traces is None and res.indegrees() == {}


PROTOCOL = """run: {dt_ms: 0.1, t_warmup_ms: 20, t_sim_ms: 200, seed: 2}
populations:
  - {name: N, model: lif_curr, size: 50, v_th_mV: 20, v_reset_mV: 10, e_l_mV: 0}
  - {name: X, model: poisson, size: 1, rate_hz: [[0, 100], [120, 300]], input: independent}
projections:
  - {pre: X, post: N, receptor: E, indegree: 100, weight: 0.5}
protocol:
  windows:
    - {name: low, start_ms: 20, end_ms: 100}
    - {name: up, start_ms: 100, end_ms: 220}
  perturbations:
    - {window: up, population: X, key: rate_hz, ramp: [0, 200]}
"""


def test_run_file_with_protocol(cli, tmp_path):
    cfg = tmp_path / "protocol.yaml"
    cfg.write_text(PROTOCOL)
    run_cli(cli, "run", cfg, "--out", tmp_path / "p.h5", "--quiet")
    res = cobalt.open(tmp_path / "p.h5")
    check_run(res, 1)
    assert res.theory is None  # a rate that varies in time has no stationary theory
    p = res.protocol
    assert p["window_names"] == ["low", "up"]
    assert list(p["window_start_ms"]) == [20, 100] and list(p["window_end_ms"]) == [100, 220]
    sched = p["input_X_rate_hz"]
    assert sched.shape[1] == 2 and sched[0, 1] == 100 and sched[-1, 1] == 300
    rates = res.populations["N"].window_rate_hz
    assert rates.shape == (2,) and rates[1] > rates[0] > 0
    # the response report (docs/results.md, /protocol/response): "up" against "low"; a ramp has no
    # step size, so no gain; N is excitatory and rises
    r = p["response"]
    assert r["window"] == ["up"] and r["baseline"] == ["low"] and r["key"] == ["rate_hz"]
    assert r["population"] == ["N"] and list(r["inhibitory"]) == [0]
    assert np.isnan(r["d_input"][0]) and np.isnan(r["gain"][0, 0])
    assert r["dr_hz"][0, 0] == rates[1] - rates[0] and r["paradoxical"][0, 0] == 0
    # cobalt plot's protocol figure: the rate time series, then rate against the ramped input
    import matplotlib.pyplot as plt
    figs = res.plot(theory=False)
    assert "protocol" in figs and len(figs["protocol"].axes) == 2
    for f in figs.values():
        plt.close(f)


def test_sweep_files_point_files_and_missing_points(cli, src, tmp_path):
    sets = ["run.t_sim_ms=100", "run.t_warmup_ms=20", "populations.E.size=800", "populations.I.size=200",
            "sweep.k.values=[50, 100]"]
    args = sum((["--set", s] for s in sets), [])
    cfg = src / "configs" / "sweep_k_small.yaml"
    run_cli(cli, "sweep", cfg, "--dir", tmp_path / "pts", "--out", tmp_path / "sw.h5", "--quiet", *args)
    sw = cobalt.open(tmp_path / "sw.h5")
    assert isinstance(sw, cobalt.SweepResult) and len(sw) == 2 and sw.swept == ["K"] and sw.law == "matched"
    df = sw.summary
    assert list(df["K"]) == [50.0, 100.0] and {"E_rate_hz", "E_theory_rate_hz", "I_cv"} <= set(df.columns)
    p1 = sw[1]
    check_run(p1)
    assert df.loc[1, "E_rate_hz"] == p1.populations["E"].mean_rate_hz
    check_run(cobalt.open(tmp_path / "pts" / "point_0.h5"))  # a point file is a run file
    # merged with a point missing
    (tmp_path / "pts" / "point_1.h5").unlink()
    run_cli(cli, "merge", cfg, "--dir", tmp_path / "pts", "--out", tmp_path / "part.h5", "--allow-missing", *args)
    part = cobalt.open(tmp_path / "part.h5")
    assert part.missing == [1] and np.isnan(part.summary.loc[1, "E_rate_hz"])
    with pytest.raises(KeyError):
        part.point(1)
    assert len(list(part)) == 1


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_synthetic_layouts(src, tmp_path, kind):
    out = tmp_path / f"{kind}.h5"
    extra = ["--theory"] if kind == "run" else ["--swept", "K,nu_x", "--points", "4"]
    subprocess.run([sys.executable, str(src / "tools" / "synth_results.py"), kind, str(out), *extra], check=True)
    res = cobalt.open(out)
    if kind == "run":
        check_run(res)
    else:
        assert len(res) == 4 and {"K", "nu_x"} <= set(res.summary.columns)


def test_foreign_file_refused(tmp_path):
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f["data"] = np.arange(3)
    with pytest.raises(ValueError, match="not a cobalt"):
        cobalt.open(tmp_path / "x.h5")


def test_indegrees_are_those_of_the_run(quickstart):
    """Heterogeneous in-degrees drawn by the library for the run's config and seed: they vary,
    and together they are every synapse the run stored (its /timing n_synapses)."""
    sets = {f"projections.{i}.cv_indegree": 0.3 for i in range(6)}
    from conftest import SMALL
    res = cobalt.run(quickstart, set={**SMALL, **sets, "run.t_sim_ms": 20}, seed=11, progress=False)
    deg = res.indegrees()
    assert len(deg) == 6 and all(d.std() > 5 for d in deg.values())
    assert sum(int(d.sum()) for d in deg.values()) == res.timing["n_synapses"]
    other = cobalt.run(quickstart, set={**SMALL, **sets, "run.t_sim_ms": 20}, seed=12, progress=False)
    assert not np.array_equal(other.indegrees()["E->E (E)"], deg["E->E (E)"])
