#!/usr/bin/env bash
# Install the Debian 12 packages Tessera needs to build, test and run, if any are missing.
#
#   cluster/install-deps.sh [extra-package ...]
#
# Idempotent and silent when everything is present: dpkg-query decides what is missing, and
# only then does the script run `apt-get update` and `apt-get install`. Extra package names
# given as arguments are checked and installed the same way (e.g. slurm-wlm munge).
# Needs root (or sudo) only when something has to be installed.
set -euo pipefail

packages=(
  openmpi-bin libopenmpi-dev          # MPI compiler wrappers, mpirun, headers
  libhdf5-openmpi-dev hdf5-tools      # parallel HDF5 and h5dump
  libcunit1-dev                       # unit test framework
  pkg-config cmake make gcc           # build tools
  clang libomp-dev libclang-rt-14-dev # clang with OpenMP and sanitizer/fuzzer runtimes
  valgrind doxygen python3-h5py       # memory checks, API docs, reading output in Python
  slurm-wlm munge                     # a local Slurm for the batch-template tests (tests/slurm)
  python3-matplotlib lua5.4           # scaling-study plots; checking the Lmod modulefile
)
packages+=("$@")

# A package counts as present only when dpkg reports it fully installed ("ii").
missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != ii* ]]; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or install sudo) to install them" >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-deps: done"
