#!/bin/sh
# Run an example (tsr_heat, tsr_poisson) at several rank counts, thread counts and process grids
# and fail unless every run succeeds (exit 0) and prints the same, non-empty fingerprint: the
# last line "fingerprint: 0x..." or "<program>: fingerprint 0x...". A solver's
# "<program>: iterations N" line is shown too.
#
# usage: fingerprint_runs.sh MPIEXEC PROGRAM "COMMON ARGS" "NP NT [ARGS]" ["NP NT [ARGS]" ...]
#   e.g. fingerprint_runs.sh mpiexec ./tsr_heat "--grid 45x37 --steps 20" "1 1" "4 2" "4 1 --procs 1x4"
set -u
if [ $# -lt 4 ]; then
  echo "usage: $0 MPIEXEC PROGRAM \"COMMON ARGS\" \"NP NT [ARGS]\"..." >&2
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
  fp=$(printf '%s\n' "$output" |
    sed -n 's/^\([a-z_]*: \)\{0,1\}fingerprint:\{0,1\} \(0x[0-9a-f]\{16\}\)$/\2/p' | tail -n 1)
  its=$(printf '%s\n' "$output" | sed -n 's/^[a-z_]*: iterations \([0-9]*\),.*/, iterations \1/p')
  line="np $np nt $nt${*:+ $*}: exit $rc$its, fingerprint ${fp:-<none>}"
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
