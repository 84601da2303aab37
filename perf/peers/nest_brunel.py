#!/usr/bin/env python3
"""Peer benchmark: Brunel (2000) model A, the network of configs/brunel2000.yaml, simulated by
NEST 3.10 with the grid neuron iaf_psc_delta. Prints one JSON line (simulator, network, threads,
n_neurons, n_synapses, build_s, sim_s_per_sim_s, rate_E_hz, rate_I_hz, cv_E, cv_I, ...).

NEST is not a dependency of cobalt; run this with a Python that has it, e.g. a venv:

  python3 -m venv /tmp/nestvenv && /tmp/nestvenv/bin/pip install nest-simulator   # NEST 3.10 wheel
  /tmp/nestvenv/bin/python perf/peers/nest_brunel.py --threads 2 --t-sim-ms 1000 --t-warmup-ms 200

The network (as the config and tools/nest_brunel.py): N_E = 10^4, N_I = 2500, iaf_psc_delta with
tau_m 20 ms, t_ref 2 ms, E_L 0, V_th 20, V_reset 10 mV, C_m 250 pF (a delta synapse's weight is
the voltage jump in mV), V_0 uniform on [0, 20] mV; fixed in-degree without autapses or
multapses, 1000 from E at +0.1 mV and 250 from I at -0.5 mV (g = 5), delay 1.5 ms; external
input: one poisson_generator of C_ext nu_ext = 1000 x 20 Hz connected all-to-all at 0.1 mV (NEST
draws an independent train per target), delay dt; dt = 0.1 ms.
Differences from cobalt's lif_curr grid step (docs/models/lif_curr.md): iaf_psc_delta adds a
step's arriving input after the step's leak, cobalt before it (so in cobalt an arrival has decayed
by exp(-dt/tau_m) = 0.995 when the threshold is tested); NEST's and cobalt's conventions for the
step in which a 15-step delay delivers may differ by one step. Refractoriness is the same (20
further steps at V_reset, inputs arriving then dropped). The random streams differ, so the spikes
agree in statistics only.

Times: build_s = Create + Connect (network construction; NEST builds its connection
infrastructure lazily in the first Simulate call, which is therefore in the simulation time);
sim_s_per_sim_s = wall time of one nest.Simulate(t_warmup + t_sim) divided by (t_warmup + t_sim)
in seconds: warm-up INCLUDED, like cobalt's run_s / (t_warmup + t_sim) in perf/bench_sim.py.
Spike recorders on all neurons record from t_warmup on; rates and CVs (mean of per-neuron CVs over
neurons with >= 3 spikes, as cobalt's stats.min_isi = 2) are over the measured part only.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerlib import peer_args, rate_cv  # noqa: E402

N_E, N_I, K_E, K_I, J_MV, G, D_MS = 10000, 2500, 1000, 250, 0.1, 5.0, 1.5
NU_EXT_HZ, C_EXT, DT_MS = 20.0, 1000, 0.1


def main():
    ap = peer_args(__doc__)
    x = ap.parse_args()
    import nest
    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": DT_MS, "local_num_threads": x.threads, "rng_seed": x.seed})
    params = {"tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_th": 20.0, "V_reset": 10.0, "C_m": 250.0}

    t0 = time.perf_counter()
    pop_e = nest.Create("iaf_psc_delta", N_E, params=params)
    pop_i = nest.Create("iaf_psc_delta", N_I, params=params)
    for p in (pop_e, pop_i):
        p.V_m = nest.random.uniform(0.0, 20.0)
    noise = nest.Create("poisson_generator", params={"rate": C_EXT * NU_EXT_HZ})
    conn = {"allow_autapses": False, "allow_multapses": False}
    for pre, k, w in ((pop_e, K_E, J_MV), (pop_i, K_I, -G * J_MV)):
        for post in (pop_e, pop_i):
            nest.Connect(pre, post, dict(conn, rule="fixed_indegree", indegree=k), {"weight": w, "delay": D_MS})
    nest.Connect(noise, pop_e + pop_i, syn_spec={"weight": J_MV, "delay": DT_MS})
    rec_e = nest.Create("spike_recorder", params={"start": x.t_warmup_ms})
    rec_i = nest.Create("spike_recorder", params={"start": x.t_warmup_ms})
    nest.Connect(pop_e, rec_e)
    nest.Connect(pop_i, rec_i)
    build_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    nest.Simulate(x.t_warmup_ms + x.t_sim_ms)
    loop_s = time.perf_counter() - t1

    stats = []
    for rec, n in ((rec_e, N_E), (rec_i, N_I)):
        ev = rec.events
        stats.append(rate_cv(np.asarray(ev["senders"]), np.asarray(ev["times"]), n, x.t_sim_ms))
    n_syn = (N_E + N_I) * (K_E + K_I)
    sim_s = (x.t_warmup_ms + x.t_sim_ms) / 1000.0
    print(json.dumps({
        "simulator": f"nest {nest.__version__} iaf_psc_delta", "network": "brunel2000",
        "threads": x.threads, "seed": x.seed, "t_sim_s": x.t_sim_ms / 1000.0, "t_warmup_s": x.t_warmup_ms / 1000.0,
        "n_neurons": N_E + N_I, "n_synapses": n_syn, "n_synapses_with_poisson": n_syn + N_E + N_I,
        "build_s": round(build_s, 3), "loop_s": round(loop_s, 3),
        "sim_s_per_sim_s": round(loop_s / sim_s, 4), "warmup_included": True,
        "rate_E_hz": round(stats[0][0], 4), "rate_I_hz": round(stats[1][0], 4),
        "cv_E": round(stats[0][1], 4), "cv_I": round(stats[1][1], 4)}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
