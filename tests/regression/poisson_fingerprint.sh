#!/bin/sh
# Run tsr_poisson at several rank counts, thread counts and process grids and fail unless every
# run converges (exit 0) and prints the same, non-empty fingerprint of the solution.
#
# usage: poisson_fingerprint.sh MPIEXEC TSR_POISSON "COMMON ARGS" "NP NT [ARGS]" ["NP NT [ARGS]" ...]
#   e.g. poisson_fingerprint.sh mpiexec ./tsr_poisson "--grid 32 --solver mg" "1 1" "3 1" "8 1"
set -u
if [ $# -lt 4 ]; then
  echo "usage: $0 MPIEXEC TSR_POISSON \"COMMON ARGS\" \"NP NT [ARGS]\"..." >&2
  exit 2
fi
mpiexec=$1 exe=$2 common=$3
shift 3

reference="" failed=0 summary=""
for run in "$@"; do
  # shellcheck disable=SC2086 # the run spec and common arguments are word lists on purpose
  set -- $run
  np=$1 nt=$2
  shift 2
  # shellcheck disable=SC2086
  output=$("$mpiexec" -q -n "$np" "$exe" $common --threads "$nt" --verbose 0 "$@" 2>&1)
  rc=$?
  fp=$(printf '%s\n' "$output" | sed -n 's/^poisson: fingerprint \(0x[0-9a-f]\{16\}\)$/\1/p')
  its=$(printf '%s\n' "$output" | sed -n 's/^poisson: iterations \([0-9]*\),.*/\1/p')
  line="np $np nt $nt${*:+ $*}: exit $rc, iterations ${its:-?}, fingerprint ${fp:-<none>}"
  summary="$summary$line
"
  if [ "$rc" -ne 0 ] || [ -z "$fp" ]; then
    failed=1
    printf '%s\n%s\n' "$line" "$output" >&2
  elif [ -z "$reference" ]; then
    reference=$fp
  elif [ "$fp" != "$reference" ]; then
    failed=1
  fi
done

printf '%s' "$summary"
if [ "$failed" -ne 0 ]; then
  echo "FAILED: fingerprints differ or runs failed (common arguments: $common)" >&2
  exit 1
fi
echo "all $(printf '%s' "$summary" | wc -l | tr -d ' ') runs agree: $reference"
