#!/usr/bin/env bash
# Build the release preset and run the heat example on every core of this machine:
#
#   cluster/run-heat.sh [heat options ...]      e.g. cluster/run-heat.sh --grid 1024x1024 --steps 500
#
# Arguments go to the program unchanged (`cluster/run-heat.sh --help` lists them); --grid and
# --steps default to a moderate run that finishes in seconds when neither they nor --config
# are given. Works from any
# folder; output files land in the current folder. Installs missing packages first.
#
# Environment: TSR_NP  number of MPI ranks (default: number of cores);
#              OMP_NUM_THREADS  threads per rank (default 1: one rank per core).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Cores available to us (GNU nproc would answer OMP_NUM_THREADS if that were set).
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
"$root/cluster/install-deps.sh"

heat="$root/build/release/examples/heat/tsr_heat"
log="$root/build/release.build.log"
mkdir -p "$root/build"
# Configure and build quietly; show the log only when something fails.
if ! (cd "$root" && cmake --preset release && cmake --build --preset release -j "$cores" \
  --target tsr_heat) >"$log" 2>&1; then
  cat "$log" >&2
  echo "run-heat: the release build failed (log: $log)" >&2
  exit 1
fi

args=("$@")
has_option() { # has_option NAME: true when --NAME or --NAME=... is among the arguments
  local a
  for a in "${args[@]}"; do
    [[ "$a" == "--$1" || "$a" == "--$1="* ]] && return 0
  done
  return 1
}
# A config file's values would lose to defaults on the command line, so add none then.
if ! has_option config; then
  has_option grid || args+=(--grid 256x256)
  has_option steps || args+=(--steps 1000)
fi

# Open MPI refuses root unless told otherwise; allow more ranks than cores if TSR_NP says so.
if ((EUID == 0)); then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
exec mpirun -q -n "${TSR_NP:-$cores}" "$heat" "${args[@]}"
