#!/usr/bin/env python3
"""Compare two cobalt result files array by array (e.g. the CPU and CUDA backends' runs of one
config and seed): every dataset under /populations, /raster and /traces, and the /overflow
counters, must be equal bit for bit (NaN equal to NaN). Prints one line per difference (the
first differing index and the count of differing entries) and a summary; exit status 0 when
identical, 1 when not, 2 on a usage or file error. Needs numpy and h5py.

  tools/compare_results.py results/fig4_cpu.h5 results/fig4_cuda.h5
"""
import sys

import h5py
import numpy as np

GROUPS = ("populations", "raster", "traces")


def datasets(f):
    out = {}
    for g in GROUPS:
        if g in f:
            f[g].visititems(lambda n, o: out.__setitem__(f"{g}/{n}", o[()]) if isinstance(o, h5py.Dataset) else None)
    if "overflow" in f:
        for k, v in f["overflow"].attrs.items():
            out[f"overflow@{k}"] = np.asarray(v)
    return out


def same(a, b):
    if a.shape != b.shape:
        return False, f"shape {a.shape} vs {b.shape}"
    if a.dtype.kind == "f":
        diff = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    else:
        diff = a != b
    n = int(np.count_nonzero(diff))
    if n == 0:
        return True, ""
    i = np.unravel_index(int(np.flatnonzero(diff)[0]), a.shape)
    return False, f"{n} of {a.size} differ, first at {tuple(int(x) for x in i)}: {a[i]!r} vs {b[i]!r}"


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        with h5py.File(argv[1], "r") as fa, h5py.File(argv[2], "r") as fb:
            da, db = datasets(fa), datasets(fb)
            ba = fa.attrs.get("backend", b"?"), fb.attrs.get("backend", b"?")
    except OSError as e:
        sys.stderr.write(f"compare_results: {e}\n")
        return 2
    bad = 0
    for k in sorted(set(da) | set(db)):
        if k not in da or k not in db:
            print(f"{k}: only in {'the first' if k in da else 'the second'} file")
            bad += 1
            continue
        ok, why = same(np.asarray(da[k]), np.asarray(db[k]))
        if not ok:
            print(f"{k}: {why}")
            bad += 1
    spikes = sum(int(np.sum(v)) for k, v in da.items() if k.endswith("/spike_count"))
    print(f"{len(set(da) | set(db))} arrays compared ({spikes} spikes in the first file; backends "
          f"{ba[0]!r} / {ba[1]!r}): {'identical' if bad == 0 else f'{bad} differ'}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
