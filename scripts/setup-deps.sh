#!/usr/bin/env bash
# Installs what cobalt needs to build and test on Debian/Ubuntu: compiler, CMake, libyaml,
# HDF5 (serial), Criterion, OpenMP (with gcc). Skips apt when everything is already there.
set -euo pipefail
pkgs="build-essential cmake pkg-config libyaml-dev libhdf5-dev libcriterion-dev"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
