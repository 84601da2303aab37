"""cobalt.sweep against `cobalt sweep` (the same summary, bit for bit), a sweep of some points,
cobalt.theory against `cobalt theory`, and the plotting helpers."""
import re

import matplotlib.figure
import numpy as np
import pytest

import cobalt
from conftest import run_cli

SWEEP_SETS = {"run.t_sim_ms": 100, "run.t_warmup_ms": 20, "populations.E.size": 800, "populations.I.size": 200,
              "sweep.k.values": [50, 100, 200]}


@pytest.fixture(scope="module")
def sweep_cfg(src):
    return cobalt.load_config(src / "configs" / "sweep_k_small.yaml", set=SWEEP_SETS)


def test_sweep_matches_cli(cli, sweep_cfg, tmp_path):
    args = sum((["--set", s] for s in sweep_cfg.sets), [])
    run_cli(cli, "sweep", sweep_cfg.path, "--backend", "cpu", "--dir", tmp_path / "cli_pts", "--out",
            tmp_path / "cli.h5", "--quiet", *args)
    sw = cobalt.sweep(sweep_cfg, backend="cpu", out=tmp_path / "py.h5", dir=tmp_path / "py_pts", progress=False)
    ref = cobalt.open(tmp_path / "cli.h5")
    assert sw.n_points == cobalt.n_points(sweep_cfg) == 3
    a, b = sw.summary, ref.summary
    assert list(a.columns) == list(b.columns)
    for c in a.columns:
        assert a[c].to_numpy().tobytes() == b[c].to_numpy().tobytes(), c
    assert (tmp_path / "py.csv").read_text() == (tmp_path / "cli.csv").read_text()
    for i in range(3):
        assert np.array_equal(sw[i].populations["E"].spike_count, ref[i].populations["E"].spike_count)
    assert a["E_rate_hz"].notna().all() and a["E_theory_rate_hz"].notna().all()


def test_sweep_some_points_in_a_temporary_folder(sweep_cfg):
    sw = cobalt.sweep(sweep_cfg, points=[2], progress=False)
    df = sw.summary
    assert sw.missing == [0, 1] and np.isnan(df.loc[0, "E_rate_hz"]) and df.loc[2, "E_rate_hz"] > 0
    assert sw[2].populations["I"].n == 200
    with pytest.raises(cobalt.CobaltError, match="point 7"):
        cobalt.sweep(sweep_cfg, points=[7], progress=False)


def test_theory_matches_cli(cli, quickstart):
    th = cobalt.theory(quickstart, k=[100, 400, 1600], law=["matched", "sqrt"])
    text = run_cli(cli, "theory", quickstart, "--k", "100,400,1600", "--law", "matched,sqrt").stdout
    printed = [float(x) for x in re.findall(r"^  nu = ([0-9.e+-]+) Hz", text, re.M)]
    assert [float(f"{s['nu_hz']:.4g}") for s in th.states] == printed and th.stable is not None
    assert th.model == "lif_cond" and th.net["K"] == 400 and th.net["a"] == 2.5e-3
    assert len(th.k_sweep) == 6 and th.k_sweep[0]["law"] == "matched" and th.k_sweep[3]["law"] == "sqrt"
    row = re.search(r"^  matched\s+100\s+(\S+)\s+(\S+)", text, re.M)
    assert float(row[1]) == float(f"{th.k_sweep[0]['weight']:.5g}")
    assert float(row[2]) == float(f"{th.k_sweep[0]['state']['nu_hz']:.4g}")
    table = th.k_table()
    assert list(table["K"]) == [100, 400, 1600] * 2
    with pytest.raises(cobalt.CobaltError, match="allowed values"):
        cobalt.theory(quickstart, k=100, law="cubic")


def test_plots_return_figures(quickstart, sweep_cfg, small_sets):
    res = cobalt.run(quickstart, set=[*small_sets, "run.t_sim_ms=100"], seed=1, progress=False)
    figs = res.plot()
    assert list(figs) == ["E", "I", "raster", "traces"]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs.values())
    sw = cobalt.sweep(sweep_cfg, points=[0, 1], progress=False)
    sfigs = sw.plot()
    assert "K" in sfigs and isinstance(sfigs["K"], matplotlib.figure.Figure)
    assert list(sw[1].plot()) == ["E", "I"]
    import matplotlib.pyplot as plt
    plt.close("all")
