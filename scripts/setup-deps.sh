#!/usr/bin/env bash
# Installs what cobalt needs to build, test and plot on Debian/Ubuntu: compiler, CMake, libyaml,
# HDF5 (serial), Criterion, OpenMP (with gcc), clang-format (scripts/check-format.sh); Slurm
# (slurmctld, slurmd, client) for the job-array integration test; Python
# numpy/h5py/matplotlib/scipy/yaml for tools/ and the Python package, and for the package's tests
# pytest, pandas and tqdm (python/tests, docs/python.md). Skips apt when everything is there. If the python3
# on PATH is not Debian's and lacks the Python packages, they are installed into it with pip
# (the plot tests skip, with a reason, if that fails).
# With --demo: only what building cobalt and plotting need (scripts/demo.sh), without
# Criterion, clang-format and Slurm, which only the tests and the format check use.
set -euo pipefail
build_pkgs="build-essential cmake pkg-config libyaml-dev libhdf5-dev"
python_pkgs="python3-numpy python3-h5py python3-matplotlib python3-scipy python3-yaml"
if [ "${1:-}" = "--demo" ]; then
    pkgs="$build_pkgs $python_pkgs"
else
    pkgs="$build_pkgs libcriterion-dev clang-format slurmctld slurmd slurm-client $python_pkgs"
    pkgs="$pkgs python3-pytest python3-pandas python3-tqdm"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
if command -v python3 >/dev/null && ! python3 -c "import numpy, h5py, matplotlib, scipy, yaml" 2>/dev/null; then
    python3 -m pip install --quiet numpy h5py matplotlib scipy pyyaml ||
        echo "setup-deps: could not install the Python packages for tools/ (plot tests will skip)" >&2
fi
# The pytest suite (CTest python_pytest) runs on /usr/bin/python3 when there is one (Debian's,
# with the packages above), else on the python3 on PATH: give that one pytest and pandas too.
if [ "${1:-}" != "--demo" ] && [ ! -x /usr/bin/python3 ] && command -v python3 >/dev/null &&
    ! python3 -c "import pytest, pandas" 2>/dev/null; then
    python3 -m pip install --quiet pytest pandas tqdm ||
        echo "setup-deps: could not install pytest/pandas (the Python package's tests will skip)" >&2
fi
