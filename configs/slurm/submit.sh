#!/bin/bash
# configs/slurm/submit.sh -- submit a cobalt sweep to Slurm: a job array of one task per point
# (sweep.sbatch) and the merge (merge.sbatch) that runs when every task has succeeded.
# usage: configs/slurm/submit.sh CONFIG [DIR [OUT]] [-- sbatch options for both jobs]
#   DIR: the point files (default <config stem>_sweep_points), OUT: the sweep file (default
#   <config stem>_sweep.h5); both relative to the current folder, where the jobs run.
# Environment: COBALT (binary, default `cobalt`), SETS ("--set k=v ..." for every point and
# the merge), BACKEND, ARRAY_LIMIT (at most this many tasks at once: --array=0-N%LIMIT).
# Prints "<array job id> <merge job id>".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 1 ] || { sed -n '3,10p' "$0" >&2; exit 1; }
CONFIG="$1"; shift
stem="$(basename "${CONFIG%.*}")"
DIR="${stem}_sweep_points"; OUT="${stem}_sweep.h5"
if [ $# -ge 1 ] && [ "$1" != "--" ]; then DIR="$1"; shift; fi
if [ $# -ge 1 ] && [ "$1" != "--" ]; then OUT="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
COBALT="${COBALT:-cobalt}"
# shellcheck disable=SC2086
n="$("$COBALT" sweep "$CONFIG" --count ${SETS:-})"
export CONFIG DIR OUT COBALT SETS="${SETS:-}" BACKEND="${BACKEND:-auto}"
array="$(sbatch --parsable --array="0-$((n - 1))${ARRAY_LIMIT:+%$ARRAY_LIMIT}" --export=ALL "$@" \
         "$here/sweep.sbatch")"
merge="$(sbatch --parsable --dependency="afterok:${array%%;*}" --kill-on-invalid-dep=yes \
         --export=ALL "$@" "$here/merge.sbatch")"
echo "${array%%;*} ${merge%%;*}"
