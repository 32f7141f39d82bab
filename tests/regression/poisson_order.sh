#!/bin/sh
# tsr_poisson on the reference problem: second-order accuracy and the reference error.
#
# The maximum nodal error of the 7-point solution against u = q(x) q(y) q(z) must fall by about
# 4 each time h halves (N = 16, 32, 64: ratios in [3.6, 4.4]); with LARGE=1 also N = 128, whose
# error must be 2.46e-6 to three digits (the figure hypre and PETSc give on the same problem).
# Multigrid iterations must not grow with N (within 2), for CG + V-cycle and for the default
# (multigrid F-cycles as the solver). Also checks the failure path: a solve
# stopped by --max-it exits 3 and says it did not converge.
#
# usage: poisson_order.sh MPIEXEC TSR_POISSON NP [LARGE]
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 MPIEXEC TSR_POISSON NP [LARGE]" >&2
  exit 2
fi
mpiexec=$1 exe=$2 np=$3 large=${4:-0}
failed=0

# run N ARGS...: sets $err and $its (empty on failure).
run() {
  n=$1
  shift
  output=$("$mpiexec" -q -n "$np" "$exe" --grid "$n" --threads 1 --verbose 0 "$@" 2>&1)
  rc=$?
  err=$(printf '%s\n' "$output" | sed -n 's/^poisson: max error \(.*\)$/\1/p')
  its=$(printf '%s\n' "$output" | sed -n 's/^poisson: iterations \([0-9]*\),.*/\1/p')
  if [ "$rc" -ne 0 ] || [ -z "$err" ] || [ -z "$its" ]; then
    printf 'N = %s %s: run failed (exit %s):\n%s\n' "$n" "$*" "$rc" "$output" >&2
    failed=1 err=1 its=0
  fi
  echo "N = $n $*: max error $err, $its iterations"
}

check() {
  if awk "BEGIN { exit !($2) }"; then
    echo "ok: $1"
  else
    echo "FAILED: $1 ($2)" >&2
    failed=1
  fi
}

pcg="--solver cg --pc mg --mg-cycle v"
# shellcheck disable=SC2086
run 16 $pcg
e16=$err i16=$its
# shellcheck disable=SC2086
run 32 $pcg
e32=$err
# shellcheck disable=SC2086
run 64 $pcg
e64=$err i64=$its
check "error ratio 16/32 = $e16 / $e32 near 4" "$e16 / $e32 > 3.6 && $e16 / $e32 < 4.4"
check "error ratio 32/64 = $e32 / $e64 near 4" "$e32 / $e64 > 3.6 && $e32 / $e64 < 4.4"
check "CG + multigrid iterations $i16, $i64 do not grow with N" "$i64 <= $i16 + 2"
run 16 # the default: multigrid F-cycles
m16=$its
run 64
check "multigrid cycles $m16, $its do not grow with N" "$its <= $m16 + 2"
check "multigrid reaches the same error at N = 64 ($err vs $e64)" "$err / $e64 > 0.999 && $err / $e64 < 1.001"
if [ "$large" = 1 ]; then
  run 128
  check "N = 128 error $err is 2.46e-6 to three digits" "$err >= 2.455e-6 && $err < 2.465e-6"
fi

# A solve cut short reports it and fails.
output=$("$mpiexec" -q -n "$np" "$exe" --grid 16 --solver cg --pc none --max-it 2 --verbose 0 2>&1)
rc=$?
check "--max-it 2 exits 3 (exit $rc)" "$rc == 3"
if printf '%s\n' "$output" | grep -q "maximum iterations reached"; then
  echo "ok: the status names the reason"
else
  echo "FAILED: no 'maximum iterations reached' in:" >&2
  printf '%s\n' "$output" >&2
  failed=1
fi
exit "$failed"
