"""cobalt.run: the same arrays, bit for bit, as `cobalt run` of the same config and seed; the
GIL is released during the run; Ctrl-C cancels it and leaves no file."""
import _thread
import threading
import time

import h5py
import numpy as np
import pytest

import cobalt
from conftest import SMALL, run_cli

# root attributes that differ between two runs of the same config by nature
VOLATILE = {"created", "device", "config_path"}


def walk(f):
    """{path: array or value} of every dataset and attribute of an HDF5 file, timings excepted."""
    out = {}

    def visit(name, obj):
        if name.startswith("timing"):
            return
        for k, v in obj.attrs.items():
            if not (name == "" and k in VOLATILE):
                out[f"{name}@{k}"] = v
        if isinstance(obj, h5py.Dataset):
            out[name] = obj[()]

    visit("", f)
    f.visititems(visit)
    return out


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "OSU":
        return a.tolist() == b.tolist()
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_run_matches_cli_bit_for_bit(cli, quickstart, small_sets, tmp_path):
    seed = 7
    args = sum((["--set", s] for s in small_sets), [])
    # --seed last: cobalt.run adds run.seed after the other overrides, and the config text records them in order
    run_cli(cli, "run", quickstart, "--backend", "cpu", *args, "--seed", seed, "--out", tmp_path / "cli.h5", "--quiet")
    res = cobalt.run(cobalt.load_config(quickstart, set=SMALL), backend="cpu", seed=seed, out=tmp_path / "py.h5",
                     progress=False)
    with h5py.File(tmp_path / "cli.h5", "r") as a, h5py.File(tmp_path / "py.h5", "r") as b:
        wa, wb = walk(a), walk(b)
    assert sorted(wa) == sorted(wb)
    assert len(wa) > 60
    diff = [k for k in wa if not same_bits(wa[k], wb[k])]
    assert not diff, f"differ: {diff[:5]}"
    # and the Result's arrays are the file's
    cli_res = cobalt.open(tmp_path / "cli.h5")
    for name, pop in res.populations.items():
        other = cli_res.populations[name]
        for k in ("spike_count", "rate_hz", "n_isi", "cv_isi", "v_mean_mV", "v_sd_mV", "rate_ts_counts"):
            assert same_bits(getattr(pop, k), getattr(other, k)), (name, k)
        assert same_bits(pop.v_hist.counts, other.v_hist.counts)
    assert same_bits(res.raster.t_ms, cli_res.raster.t_ms) and len(res.raster.t_ms) > 100
    assert res.seed == seed and res.summary["seed"] == seed and res.summary["out"] == str(tmp_path / "py.h5")


def test_run_in_memory(quickstart):
    res = cobalt.run(quickstart, set=SMALL, seed=2, progress=False)
    assert res.path and res.path.endswith(".h5")  # a temporary kept while res lives
    e = res.populations["E"]
    assert e.rate_hz.shape == (800,) and e.rate_hz.dtype == np.float64
    assert np.array_equal(e.rate_hz, e.spike_count / res.t_measured_s)
    assert e.rate_ts_hz.shape == e.rate_ts_t_ms.shape
    assert res.theory is not None and res.theory["p_v"].shape == (400,)
    assert res.commit == cobalt.library()[2]


def test_input_balance_arrays(quickstart):
    """stats.balance_neurons: the balance arrays of the first n neurons (docs/results.md); BF is
    -I_I / (I_E + I_ext) of the stored inputs, and without sampling the arrays are empty."""
    res = cobalt.run(quickstart, set={**SMALL, "stats.balance_neurons": 25}, seed=3, progress=False)
    e = res.populations["E"]
    assert e.balance_factor.shape == (25,) and e.balance_g_e.shape == (25,)
    bf = -e.balance_input_i / (e.balance_input_e + e.balance_input_ext)
    assert np.array_equal(bf, e.balance_factor)
    assert np.all(e.balance_input_e > 0) and np.all(e.balance_input_i < 0) and np.all(e.balance_g_i > 0)
    plain = cobalt.run(quickstart, set=SMALL, seed=3, progress=False)
    assert plain.populations["E"].balance_factor.shape == (0,)


def test_gil_released_during_run(quickstart):
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        t0 = time.monotonic()
        cobalt.run(quickstart, set=dict(SMALL, **{"run.t_sim_ms": 3000}), seed=1, progress=False)
        t1 = time.monotonic()
    finally:
        stop.set()
        t.join()
    during = [x for x in ticks if t0 + 0.05 < x < t1 - 0.05]
    assert t1 - t0 > 0.2, "the run was too short to tell"
    # a thread held off by the GIL would not tick at all during the C call
    assert len(during) > 0.2 * (t1 - t0 - 0.1) / 0.001, f"{len(during)} ticks in {t1 - t0:.2f} s"
    gaps = np.diff(during)
    assert gaps.max() < 0.25, f"the counting thread stalled {gaps.max():.2f} s"


def test_ctrl_c_cancels_and_leaves_no_file(quickstart, tmp_path):
    out = tmp_path / "cancelled.h5"
    long = dict(SMALL, **{"run.t_sim_ms": 200000})
    timer = threading.Timer(0.5, _thread.interrupt_main)  # what Ctrl-C does in the main thread
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        cobalt.run(quickstart, set=long, seed=1, out=out, progress=False)
    assert time.monotonic() - t0 < 10
    assert list(tmp_path.iterdir()) == []


def test_progress_line(quickstart, capsys):
    cobalt.run(quickstart, set=SMALL, seed=1, progress=True)
    err = capsys.readouterr().err
    assert "cobalt" in err and ("step" in err or "s/s" in err)


def test_bad_backend_and_io_errors(quickstart, tmp_path):
    with pytest.raises(ValueError, match="auto, cpu, cuda"):
        cobalt.run(quickstart, set=SMALL, backend="gpu")
    with pytest.raises(cobalt.CobaltError) as e:
        cobalt.run(quickstart, set=SMALL, out=tmp_path / "no" / "such" / "dir.h5", progress=False)
    assert e.value.status == "io" and "dir.h5" in e.value.message


def test_out_cannot_be_the_config(quickstart, tmp_path):
    cfg = tmp_path / "q.yaml"
    cfg.write_text(open(quickstart).read())
    with pytest.raises(cobalt.CobaltError, match="is the config file"):
        cobalt.run(cfg, set=SMALL, out=cfg, progress=False)
    assert cfg.read_text().startswith("# Quickstart")
