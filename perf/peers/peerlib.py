"""Code shared by the peer scripts (perf/peers/): the spike statistics every peer reports, computed
the same way for all of them. numpy only (numpy 1.24 compatible: Debian's python3 runs Brian2, a
venv runs NEST)."""
import argparse

import numpy as np


def peer_args(doc):
    """The options every peer script takes: --threads, --t-sim-ms, --t-warmup-ms, --seed."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--t-sim-ms", type=float, default=1000.0)
    ap.add_argument("--t-warmup-ms", type=float, default=200.0)
    ap.add_argument("--seed", type=int, default=1)
    return ap


def rate_cv(ids, times, n, t_ms):
    """Rate (Hz) of n neurons over t_ms, and the mean over neurons with at least 3 spikes of the
    CV of their ISIs, from spike ids (0 .. n-1) and times."""
    rate = ids.size / (n * t_ms * 1e-3)
    order = np.lexsort((times, ids))
    s, t = ids[order], times[order]
    cvs = []
    for chunk in np.split(t, np.flatnonzero(np.diff(s)) + 1):
        if chunk.size >= 3:
            isi = np.diff(chunk)
            cvs.append(isi.std() / isi.mean())
    return rate, (float(np.mean(cvs)) if cvs else float("nan"))
