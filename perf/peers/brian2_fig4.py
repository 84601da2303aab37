#!/usr/bin/python3
"""Peer benchmark: the network of configs/sanzeni2020_fig4.yaml simulated by Brian2 (2.5, Debian
`python3-brian`) in C++ standalone mode with OpenMP. Prints one JSON line (simulator, network,
threads, n_neurons, n_synapses, build_s, sim_s_per_sim_s, rate_E_hz, rate_I_hz, cv_E, cv_I, ...).

  /usr/bin/python3 perf/peers/brian2_fig4.py --threads 2 --t-sim-ms 1000 --t-warmup-ms 200

The model is cobalt's `lif_cond` grid step (docs/models/lif_cond.md), written out so that both
simulators integrate the same discrete map, not two discretisations of one ODE:
- E and I share every parameter (cobalt's defaults): tau_m 20 ms, E_L -80, theta -55, V_r -65,
  E_E 0, E_I -75 mV, tau_ref 2 ms, V_0 uniform on [V_r, theta]; dt = 50 us.
- Synapses only count arrivals per neuron and channel (`cE_post += 1`, as cobalt's integer delay
  ring). Once per step (run_regularly in the `groups` slot) each neuron: if refractory, stays at
  V_r, drops the step's arrivals and counts down; else jumps V <- E_E + (V - E_E)(1 - a)^nE, then
  V <- E_I + (V - E_I)(1 - a_I)^nI (a = 1.6e-3, a_I = g a = 0.032: the jump a (E_c - V) per
  spike with V just before it, i.e. a conductance pulse of integral a tau_L), then the exact leak
  to E_L. Threshold V >= theta; reset V = V_r and round(tau_ref/dt) = 40 further refractory steps.
- Delays: cobalt draws whole steps uniform on [1, 200] (E and X synapses, [0, 10] ms) and
  [1, 20] (I synapses, [0, 1] ms). Brian2 applies arrivals in the `synapses` slot, after that
  step's neuron update and threshold, i.e. one step later than cobalt, so its delays are one step
  shorter: int(rand() * 200) * dt and int(rand() * 20) * dt (0 allowed).
- Connectivity: fixed in-degree without multapses (and without autapses within E and within I):
  1000 from E, 250 from I, 1000 from the pool X of 10^4 Poisson sources at 25 Hz shared by E and I,
  drawn here with numpy (Brian2's generator syntax draws fixed out-degrees) and passed as arrays.
Random streams differ from cobalt's, so the spikes agree in statistics only.

Times: build_s = importing brian2, Python-side network construction (numpy draws, Brian2
objects, code generation), compilation, and the binary's work outside its step loop (loading
arrays, creating synapses, initialising the spike queues; writing the results at the end) = the
script's wall time up to the end of `device.build`, minus the step loop; sim_s_per_sim_s =
Brian2's own wall time of the step loop (Network::_last_run_time, omp_get_wtime) of one run over
warm-up + measured time, divided by that simulated time: warm-up INCLUDED, like cobalt's
run_s / (t_warmup + t_sim) in perf/bench_sim.py. The SpikeMonitor (all 12 500 neurons) is inside
the loop. Rates and CVs (mean of per-neuron CVs over neurons with >= 3 spikes, as cobalt's
stats.min_isi = 2) are over the measured part only.
"""
import json
import os
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerlib import peer_args, rate_cv  # noqa: E402

N_E, N_I, N_X, K_E, K_I, K_X = 10000, 2500, 10000, 1000, 250, 1000
RATE_X_HZ, A_E, A_I = 25.0, 1.6e-3, 3.2e-2
DT_MS, TAU_M_MS, TAU_REF_MS = 0.05, 20.0, 2.0
E_L, V_TH, V_R, E_E, E_I = -80.0, -55.0, -65.0, 0.0, -75.0
D_EX_STEPS, D_I_STEPS = 200, 20  # delays [0, 10] ms and [0, 1] ms at dt = 50 us, at least 1 step

STEP = """
r = int(ref > 0)
vj = E_I + (E_E + (v - E_E) * fE ** cE - E_I) * fI ** cI
v = r * V_R + (1 - r) * (E_L + (vj - E_L) * decay)
ref = ref - r
cE = 0
cI = 0
"""


def fixed_indegree(rng, n_pre, n_post, k, self_offset=None):
    """Presynaptic indices (int32, n_post x k, k distinct per target) and postsynaptic indices.
    self_offset: target j must not draw pre j - self_offset (autapses within one population)."""
    pre = np.empty((n_post, k), dtype=np.int32)
    rows = max(1, (1 << 22) // n_pre)
    for s in range(0, n_post, rows):
        e = min(n_post, s + rows)
        r = rng.random((e - s, n_pre), dtype=np.float32)
        if self_offset is not None:
            j = np.arange(s, e)
            ok = (j - self_offset >= 0) & (j - self_offset < n_pre)
            r[np.flatnonzero(ok), (j - self_offset)[ok]] = 2.0
        pre[s:e] = np.argpartition(r, k - 1, axis=1)[:, :k]
    post = np.repeat(np.arange(n_post, dtype=np.int32), k)
    return pre.ravel(), post


def spike_stats(i, t_ms, lo, n, t0_ms, t1_ms):
    """Rate (Hz) and mean per-neuron CV of ISIs of neurons lo .. lo+n-1 over [t0, t1)."""
    m = (i >= lo) & (i < lo + n) & (t_ms >= t0_ms) & (t_ms < t1_ms)
    return rate_cv(i[m] - lo, t_ms[m], n, t1_ms - t0_ms)


def main():
    ap = peer_args(__doc__)
    ap.add_argument("--dir", default="/tmp/brian2_fig4_standalone", help="standalone build directory")
    ap.add_argument("--keep", action="store_true", help="keep the build directory afterwards")
    x = ap.parse_args()

    t_start = time.perf_counter()
    import brian2 as b2
    b2.set_device("cpp_standalone", build_on_run=False, directory=x.dir)
    b2.prefs.devices.cpp_standalone.openmp_threads = x.threads
    b2.prefs.logging.console_log_level = "WARNING"
    b2.defaultclock.dt = DT_MS * b2.ms
    b2.seed(x.seed)
    rng = np.random.default_rng(x.seed)

    ns = dict(E_L=E_L, V_R=V_R, V_TH=V_TH, E_E=E_E, E_I=E_I, fE=1.0 - A_E, fI=1.0 - A_I,
              decay=float(np.exp(-DT_MS / TAU_M_MS)), n_ref=int(round(TAU_REF_MS / DT_MS)))
    g = b2.NeuronGroup(N_E + N_I, "v : 1\nref : integer\ncE : integer\ncI : integer",
                       threshold="v >= V_TH", reset="v = V_R\nref = n_ref", namespace=ns, name="EI")
    g.v = "V_R + (V_TH - V_R) * rand()"
    g.run_regularly(STEP, dt=b2.defaultclock.dt, when="groups")
    pool = b2.PoissonGroup(N_X, RATE_X_HZ * b2.Hz, name="X")
    ge, gi = g[:N_E], g[N_E:]

    syns = []
    for name, src, n_pre, k, off, chan, dmax in (("EtoEI", ge, N_E, K_E, 0, "cE", D_EX_STEPS),
                                                 ("ItoEI", gi, N_I, K_I, N_E, "cI", D_I_STEPS),
                                                 ("XtoEI", pool, N_X, K_X, None, "cE", D_EX_STEPS)):
        s = b2.Synapses(src, g, on_pre=f"{chan}_post += 1", name=name)
        pre, post = fixed_indegree(rng, n_pre, N_E + N_I, k, off)
        s.connect(i=pre, j=post)
        s.delay = f"int(rand() * {dmax}) * dt"
        syns.append((s, pre.size))
    mon = b2.SpikeMonitor(g, name="spikes")
    net = b2.Network(g, pool, mon, *(s for s, _ in syns))
    net.run((x.t_warmup_ms + x.t_sim_ms) * b2.ms)
    if os.path.isdir(x.dir):
        shutil.rmtree(x.dir)
    b2.device.build(directory=x.dir, compile=True, run=True, debug=False, clean=True)
    total_s = time.perf_counter() - t_start
    loop_s = float(b2.device._last_run_time)

    i = np.asarray(mon.i[:])
    t_ms = np.asarray(mon.t[:] / b2.ms)
    t0, t1 = x.t_warmup_ms, x.t_warmup_ms + x.t_sim_ms
    rate_e, cv_e = spike_stats(i, t_ms, 0, N_E, t0, t1)
    rate_i, cv_i = spike_stats(i, t_ms, N_E, N_I, t0, t1)
    timers = {k: round(v, 3) for k, v in b2.device.timers.items() if isinstance(v, (int, float))}
    if not x.keep:
        shutil.rmtree(x.dir, ignore_errors=True)
    sim_s = (x.t_warmup_ms + x.t_sim_ms) / 1000.0
    print(json.dumps({
        "simulator": f"brian2 {b2.__version__} cpp_standalone", "network": "sanzeni2020_fig4",
        "threads": x.threads, "seed": x.seed, "t_sim_s": x.t_sim_ms / 1000.0, "t_warmup_s": x.t_warmup_ms / 1000.0,
        "n_neurons": N_E + N_I, "n_synapses": int(sum(n for _, n in syns)),
        "build_s": round(total_s - loop_s, 3), "loop_s": round(loop_s, 3),
        "sim_s_per_sim_s": round(loop_s / sim_s, 4), "warmup_included": True,
        "rate_E_hz": round(rate_e, 4), "rate_I_hz": round(rate_i, 4),
        "cv_E": round(cv_e, 4), "cv_I": round(cv_i, 4), "brian2_timers": timers}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
