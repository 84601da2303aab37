#!/usr/bin/env python3
"""Tests of the GPU benchmark harness that run without a GPU (python3 perf/test_bench_gpu.py):
perf/bench_gpu.py and perf/run_gpu_suite.sh against a fake `cobalt` (prints CUDA-style JSON
summaries) and a fake `nvidia-smi`, and perf/bench_gpu.py --backend cpu against the real
build/cobalt (skipped when it is not built). Rows go to temporary files only, never to
perf/results/. Python standard library only."""
import csv
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH = os.path.join(HERE, "bench_gpu.py")
SUITE_SH = os.path.join(HERE, "run_gpu_suite.sh")
GPU_CSV = os.path.join(HERE, "results", "gpu.csv")
COBALT = os.environ.get("COBALT", os.path.join(ROOT, "build", "cobalt"))

FAKE_COBALT = r'''#!/usr/bin/env python3
# Fake `cobalt` for perf/test_bench_gpu.py: `info`, and `run` printing a JSON summary.
import json, os, sys
args = sys.argv[1:]
if args[:1] == ["info"]:
    print("cobalt 0.0.0 (fake)\ncuda backend: built (fake)")
    sys.exit(0)
sets = dict(a.split("=", 1) for a in args if "=" in a)
fail = os.environ.get("FAKE_FAIL")
if fail and fail in " ".join(args):
    sys.stderr.write("cobalt: error: no CUDA device (fake)\n")
    sys.exit(5)
n = int(sets.get("populations.E.size", 10000)) + int(sets.get("populations.I.size", 2500))
sim_s = (float(sets["run.t_sim_ms"]) + float(sets["run.t_warmup_ms"])) / 1000.0
steps = round(sim_s / 1e-4)
syn = n * 2250
events = int(n * sim_s * 20 * 2250)
j = {"status": "ok", "out": None, "backend": args[args.index("--backend") + 1], "seed": 1,
     "commit": "fakecommit12", "neurons": n, "synapses": syn, "steps": steps, "build_s": 1.5,
     "run_s": 0.5 * sim_s, "realtime_factor": 0.5, "syn_events": events, "peak_rss_bytes": 2**30,
     "ring_overflow": 0, "raster_overflow": 0,
     "populations": {"E": {"rate_hz": 19.0, "cv": 0.8}, "I": {"rate_hz": 21.0, "cv": 0.8}}}
if os.environ.get("FAKE_MODE", "full") == "full":
    j.update({"device": "NVIDIA H100 80GB HBM3", "dev_build_s": 1.2, "dev_run_s": 0.45 * sim_s,
              "dev_update_us": 12.5, "dev_deliver_us": 30.25, "device_bytes": 10 * 2**30,
              "device_estimate_bytes": 11 * 2**30, "bytes_per_synapse": 4.4})
print("some log line")
print(json.dumps(j))
'''

FAKE_SMI = r'''#!/bin/sh
# Fake nvidia-smi for perf/test_bench_gpu.py.
case "$*" in
  *-L*) echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-fake)";;
  *--query-gpu*) case "$*" in *memory*) echo "NVIDIA H100 80GB HBM3, 550.00.01, 81559 MiB";;
                                *) echo "NVIDIA H100 80GB HBM3, 550.00.01";; esac;;
  *) echo "fake nvidia-smi";;
esac
'''

NO_SMI = "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the driver' >&2\nexit 9\n"


def write_exe(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Harness(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bench_gpu_test_")
        self.bin = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin)
        self.fake = os.path.join(self.bin, "cobalt")
        write_exe(self.fake, FAKE_COBALT)
        write_exe(os.path.join(self.bin, "nvidia-smi"), FAKE_SMI)
        self.out = os.path.join(self.tmp, "rows.csv")
        self.env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ.get("PATH", ""))
        self.env.pop("FAKE_FAIL", None)
        self.env.pop("FAKE_MODE", None)
        self.gpu_csv_before = open(GPU_CSV).read() if os.path.exists(GPU_CSV) else None

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        after = open(GPU_CSV).read() if os.path.exists(GPU_CSV) else None
        self.assertEqual(after, self.gpu_csv_before, "a test changed perf/results/gpu.csv")

    def bench(self, *args, env=None):
        return subprocess.run([sys.executable, BENCH, *args], capture_output=True, text=True,
                              env=env or self.env, cwd=ROOT)

    def test_full_cuda_summary(self):
        r = self.bench("--suite", "--only", "^cond N=1e6", "--cobalt", self.fake, "--out", self.out,
                       "--peak-gbs", "3000")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rows = read_rows(self.out)
        self.assertEqual(len(rows), 1)
        w = rows[0]
        self.assertEqual(w["backend"], "cuda")
        self.assertEqual(w["gpu"], "NVIDIA H100 80GB HBM3")
        self.assertEqual(w["driver"], "550.00.01")
        self.assertEqual((w["n"], w["k"], w["steps"], w["dt_ms"]), ("1000000", "1000", "12000", "0.1"))
        self.assertEqual(w["dev_update_us"], "12.500")
        self.assertEqual(w["dev_deliver_us"], "30.250")
        self.assertEqual(w["device_mem_gib"], "10.000")
        self.assertEqual(w["bytes_per_synapse"], "4.400")
        self.assertEqual(w["wall_s_per_sim_s"], "0.5000")
        self.assertAlmostEqual(float(w["us_per_step"]), 0.6e6 / 12000, places=3)
        # byte model: N/dt x (2 x 8 + 2 x 4 x 2) + events/s x (4.4 + 8)
        n, events = 1e6, 1e6 * 1.2 * 20 * 2250
        gb = (n / 1e-4 * 32 + events / 1.2 * 12.4) / 1e9
        self.assertAlmostEqual(float(w["floor_gb_per_sim_s"]), gb, places=1)
        self.assertAlmostEqual(float(w["pct_floor"]), gb / 3000 / 0.5 * 100, places=0)
        self.assertEqual(w["targets"], "build<2s:yes <1s/s:yes <4.5B/syn:yes")
        self.assertEqual(w["status"], "ok")
        self.assertIn("cond N=1e6 K=1000", r.stdout)      # the table
        self.assertIn("targets:", r.stdout)

    def test_missing_keys_give_empty_fields(self):
        env = dict(self.env, FAKE_MODE="minimal")
        r = self.bench("--suite", "--only", "^curr N=1e5 K=1000", "--cobalt", self.fake, "--out", self.out,
                       env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        w = read_rows(self.out)[0]
        for key in ("dev_build_s", "dev_run_s", "dev_update_us", "dev_deliver_us", "device_mem_gib",
                    "device_estimate_gib", "bytes_per_synapse"):
            self.assertEqual(w[key], "", key)
        self.assertEqual(w["gpu"], "NVIDIA H100 80GB HBM3")           # from nvidia-smi
        self.assertEqual((w["bw_gbs"], w["bw_source"]), ("3350.0", "nominal"))
        self.assertNotEqual(w["pct_floor"], "")                       # fallback 4 B per synapse
        self.assertEqual(w["targets"], "<10us/step:no <4.5B/syn:?")   # fake: 50 us per step

    def test_measured_bandwidth_file(self):
        bw = os.path.join(self.tmp, "bw.txt")
        with open(bw, "w") as f:
            f.write("NVIDIA H100\n" + json.dumps({"device": "NVIDIA H100", "peak_gbs": 3012.5}) + "\n")
        r = self.bench("--suite", "--only", "^fig4$", "--cobalt", self.fake, "--out", self.out,
                       "--bandwidth-json", bw)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        w = read_rows(self.out)[0]
        self.assertEqual((w["bw_gbs"], w["bw_source"]), ("3012.5", "measured"))

    def test_failed_run_keeps_going_and_fails(self):
        env = dict(self.env, FAKE_FAIL="populations.E.size=80000 ")
        r = self.bench("--suite", "--only", "^cond N=1e[45] K=1000", "--cobalt", self.fake, "--out",
                       self.out, env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cond N=1e5 K=1000: exit status 5", r.stderr)
        self.assertIn("no CUDA device (fake)", r.stderr)
        rows = read_rows(self.out)
        self.assertEqual([w["label"] for w in rows], ["cond N=1e4 K=1000"])

    def test_cpu_rows_never_go_to_gpu_csv(self):
        r = self.bench("--suite", "--backend", "cpu", "--cobalt", self.fake)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("must not go into", r.stderr)

    def test_list(self):
        r = self.bench("--suite", "--list")
        self.assertEqual(r.returncode, 0, r.stderr)
        labels = [l[:-1] for l in r.stdout.splitlines() if not l.startswith(" ")]
        self.assertEqual(len(labels), 17)
        self.assertIn("curr N=1e5 K=10000", labels)
        self.assertIn("--set projections.2.indegree=2500", r.stdout)

    @unittest.skipUnless(os.access(COBALT, os.X_OK), f"{COBALT} not built")
    def test_cpu_backend_real_run(self):
        r = self.bench("--suite", "--backend", "cpu", "--only", "N=1e4", "--cobalt", COBALT, "--out", self.out,
                       "--t-sim-ms", "40", "--t-warmup-ms", "10", "--peak-gbs", "100")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rows = read_rows(self.out)
        self.assertEqual([w["label"] for w in rows], ["cond N=1e4 K=1000", "curr N=1e4 K=1000"])
        for w in rows:
            self.assertEqual((w["backend"], w["gpu"], w["n"], w["steps"]), ("cpu", "none (cpu backend)", "10000", "500"))
            self.assertGreater(float(w["wall_s_per_sim_s"]), 0)
            self.assertNotEqual(w["pct_floor"], "")
            self.assertEqual(w["dev_update_us"], "")
        self.assertEqual(rows[0]["synapses"], "22500000")
        self.assertEqual(rows[1]["synapses"], "12500000")

    def suite_sh(self, *args, env=None):
        return subprocess.run(["bash", SUITE_SH, *args], capture_output=True, text=True, env=env or self.env,
                              cwd=ROOT)

    def test_suite_script_refuses_without_gpu(self):
        write_exe(os.path.join(self.bin, "nvidia-smi"), NO_SMI)
        r = self.suite_sh("--no-build", "--csv", self.out)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("no NVIDIA GPU here", r.stderr)
        self.assertFalse(os.path.exists(self.out))

    def test_suite_script_with_fake_gpu(self):
        env = dict(self.env, COBALT=self.fake, NVCC="false")
        r = self.suite_sh("--no-build", "--csv", self.out, "--", "--only", "^fig4$|N=1e4", env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("total wall time:", r.stdout)
        self.assertIn("nominal bandwidth", r.stderr)
        self.assertEqual(len(read_rows(self.out)), 3)
        env["FAKE_FAIL"] = "ei_curr"
        r = self.suite_sh("--no-build", "--csv", self.out, "--", "--only", "^fig4$|N=1e4", env=env)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("curr N=1e4 K=1000: exit status 5", r.stderr)
        self.assertIn("FAILED", r.stderr)
        self.assertEqual(len(read_rows(self.out)), 5)


if __name__ == "__main__":
    unittest.main()
