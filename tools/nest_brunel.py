#!/usr/bin/env python3
"""Brunel (2000) model A, configs/brunel2000.yaml, simulated by NEST 3.10 (PyPI nest-simulator,
in a venv) for docs/validation.md: with the precise-timing neuron iaf_psc_delta_ps fed by
poisson_generator_ps (spike times off the grid; the reference for cobalt's ordered step) or the
grid neuron iaf_psc_delta. Same network as the config: N_E = 10^4, N_I = 2500, fixed in-degree
1000 E / 250 I without autapses or multapses, J = 0.1 mV, g = 5, D = 1.5 ms, 1000 independent
Poisson inputs at 20 Hz (one generator of 20 kHz per neuron), V_0 uniform in [0, 20] mV;
0.3 s warm-up, 1 s measured. Appends a row to the CSV that tools/dt_convergence.py plots.

  /path/to/venv/bin/python tools/nest_brunel.py --model ps --dt-us 100 --csv docs/figures/dt_convergence.csv
"""
import argparse
import csv
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["ps", "grid", "exp"], default="ps")
    ap.add_argument("--tau-syn-ms", type=float, default=2.0, help="--model exp: synaptic time constant")
    ap.add_argument("--dt-us", type=float, default=100.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--csv", required=True)
    x = ap.parse_args()
    import nest
    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": x.dt_us / 1000.0, "local_num_threads": x.threads, "rng_seed": x.seed})
    neuron = {"ps": "iaf_psc_delta_ps", "grid": "iaf_psc_delta", "exp": "iaf_psc_exp"}[x.model]
    gen = "poisson_generator_ps" if x.model == "ps" else "poisson_generator"
    params = {"tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_th": 20.0, "V_reset": 10.0, "C_m": 250.0}
    # iaf_psc_exp: a weight is the PSC amplitude in pA; J mV of charge (cobalt's lif_curr_exp, J / tau_s
    # per spike) is J C_m / tau_s
    scale = 1.0
    if x.model == "exp":
        params.update({"tau_syn_ex": x.tau_syn_ms, "tau_syn_in": x.tau_syn_ms})
        scale = params["C_m"] / x.tau_syn_ms
    n_e, n_i, warm, t_meas = 10000, 2500, 300.0, 1000.0
    pop_e = nest.Create(neuron, n_e, params=params)
    pop_i = nest.Create(neuron, n_i, params=params)
    for p in (pop_e, pop_i):
        p.V_m = nest.random.uniform(0.0, 20.0)
    noise = nest.Create(gen, params={"rate": 1000 * 20.0})
    t0 = time.time()
    conn = {"allow_autapses": False, "allow_multapses": False}
    for pre, k, w in ((pop_e, 1000, 0.1), (pop_i, 250, -0.5)):
        for post in (pop_e, pop_i):
            nest.Connect(pre, post, dict(conn, rule="fixed_indegree", indegree=k), {"weight": w * scale, "delay": 1.5})
    nest.Connect(noise, pop_e + pop_i, syn_spec={"weight": 0.1 * scale, "delay": x.dt_us / 1000.0})
    rec = nest.Create("spike_recorder", params={"start": warm, "stop": warm + t_meas})
    nest.Connect(pop_e, rec)
    nest.Simulate(warm + t_meas)
    ev = rec.events
    senders, times = np.asarray(ev["senders"]), np.asarray(ev["times"])
    rate = senders.size / (n_e * t_meas * 1e-3)
    order = np.lexsort((times, senders))
    s, t = senders[order], times[order]
    cvs = []
    bounds = np.flatnonzero(np.diff(s)) + 1
    for chunk in np.split(t, bounds):
        if chunk.size >= 3:  # at least 2 ISIs, as cobalt's stats.min_isi
            isi = np.diff(chunk)
            cvs.append(isi.std() / isi.mean())
    case = "brunel" if x.model != "exp" else f"brunel_exp{x.tau_syn_ms:g}"
    row = dict(case=case, integrator={"ps": "nest_ps", "grid": "nest", "exp": "nest"}[x.model], dt_us=x.dt_us,
               seed=x.seed, pop="E", rate_hz=rate, cv=float(np.mean(cvs)) if cvs else float("nan"), v_mean_mV="",
               v_sd_mV="", run_s=round(time.time() - t0, 2), commit=f"nest {nest.__version__}")
    fields = ["case", "integrator", "dt_us", "seed", "pop", "rate_hz", "cv", "v_mean_mV", "v_sd_mV", "run_s",
              "commit"]
    new = not os.path.exists(x.csv)
    with open(x.csv, "a", newline="") as f:
        w = csv.DictWriter(f, fields)
        if new:
            w.writeheader()
        w.writerow(row)
    print(row, flush=True)


if __name__ == "__main__":
    main()
