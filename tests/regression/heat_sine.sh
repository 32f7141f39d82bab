#!/bin/sh
# Check tsr_heat's sine mode against the exact solutions.
#
# With cell-centred Dirichlet-0 (mirror) ghosts, sin(pi x) sin(pi y) is an exact eigenvector of
# the discrete Laplacian, so the computed field must equal u0 (1 - dt kappa lambda_h)^steps to
# rounding (relative error below 1e-12; also for the periodic sin(2 pi x) mode and in 3-D).
# Against the continuous solution u0 exp(-kappa lambda t) the error is O(h^2) when dt ~ h^2:
# halving h at a fixed final time must divide it by about 4.
#
# usage: heat_sine.sh MPIEXEC TSR_HEAT NP
set -u
if [ $# -ne 3 ]; then
  echo "usage: $0 MPIEXEC TSR_HEAT NP" >&2
  exit 2
fi
mpiexec=$1 exe=$2 np=$3
failed=0

# run NAME ARGS...: run the example; sets $discrete and $continuous (relative errors).
run() {
  name=$1
  shift
  output=$("$mpiexec" -q -n "$np" "$exe" --ic sine --threads 1 --verbose 0 "$@" 2>&1)
  rc=$?
  discrete=$(printf '%s\n' "$output" | sed -n 's/^sine max error vs discrete solution: .*(relative \(.*\))$/\1/p')
  continuous=$(printf '%s\n' "$output" | sed -n 's/^sine max error vs continuous solution: .*(relative \(.*\))$/\1/p')
  if [ "$rc" -ne 0 ] || [ -z "$discrete" ] || [ -z "$continuous" ]; then
    printf '%s: run failed (exit %s) or printed no errors:\n%s\n' "$name" "$rc" "$output" >&2
    failed=1
    discrete=1 continuous=1
  fi
  echo "$name: relative error vs discrete $discrete, vs continuous $continuous"
}

# check DESCRIPTION AWK-CONDITION: fail unless the condition holds.
check() {
  if awk "BEGIN { exit !($2) }"; then
    echo "ok: $1"
  else
    echo "FAILED: $1 ($2)" >&2
    failed=1
  fi
}

# 2-D Dirichlet: final time 2^-7 with kappa dt / h^2 = 1/8 at h = 1/32 and 1/64.
run "2-D 32x32" --grid 32x32 --dt 0.0001220703125 --steps 64
d32=$discrete c32=$continuous
run "2-D 64x64" --grid 64x64 --dt 0.000030517578125 --steps 256
d64=$discrete c64=$continuous
check "2-D 32x32 equals the discrete solution" "$d32 < 1e-12"
check "2-D 64x64 equals the discrete solution" "$d64 < 1e-12"
check "2-D error vs continuous is small" "$c32 < 1e-2 && $c64 > 0"
check "2-D error vs continuous falls as h^2 (ratio $c32 / $c64 near 4)" \
  "$c32 / $c64 > 3.6 && $c32 / $c64 < 4.4"

# The periodic mode sin(2 pi x) and the 3-D mode are exact discrete eigenmodes too.
run "2-D periodic in x" --grid 40x24 --periodic 1,0 --steps 50
check "2-D periodic equals the discrete solution" "$discrete < 1e-12"
run "3-D 16x12x10" --grid 16x12x10 --steps 40
check "3-D equals the discrete solution" "$discrete < 1e-12"

exit "$failed"
