#!/bin/bash
# shellcheck disable=SC2086,SC2317 # argument lists split on purpose; functions run via check
# A run of N steps and a run of N/2 steps + checkpoint + restart on another rank count,
# process grid or thread count for the rest must end alike: the same fingerprint and the same
# report (steps, simulated time, sine errors), and the restart must say where it came from.
#
# usage: restart_pairs.sh MPIEXEC TSR_HEAT WORKDIR "COMMON ARGS" N "NP NT [ARGS]" \
#          "NP NT [ARGS] / NP NT [ARGS]"...
#   The first spec runs the N steps straight; each pair runs the first half, then the rest.
#   Pairs alternate between --restart latest and --restart PATH.
set -u
if [ $# -lt 6 ]; then
  echo "usage: $0 MPIEXEC TSR_HEAT WORKDIR \"COMMON ARGS\" N \"NP NT [ARGS]\" \"FIRST / SECOND\"..." >&2
  exit 2
fi
MPIEXEC=$1 HEAT=$2 work=$3 common=$4 steps=$5 straight=$6
shift 6
. "$(dirname "$0")/lib.sh"
half=$((steps / 2))
mkdir -p "$work" || exit 2

# shellcheck disable=SC2086 # specs and common arguments are word lists on purpose
heat $straight $common --steps "$steps"
reference=$(report_lines) reference_fp=$(fingerprint)
check "straight run ($straight): $steps steps, fingerprint ${reference_fp:-<none>}" \
  test "$rc" -eq 0 -a -n "$reference_fp"

n=0
for pair in "$@"; do
  n=$((n + 1))
  first=${pair%% / *} second=${pair#* / }
  dir=$work/pair$n
  rm -rf "$dir"
  # shellcheck disable=SC2086
  heat $first $common --steps "$half" --checkpoint-every "$half" --checkpoint-dir "$dir"
  file=$dir/$(ckpt_name "$half")
  check "[$pair] first half on $first: exit 0, checkpoint $file" test "$rc" -eq 0 -a -f "$file"
  if [ $((n % 2)) -eq 1 ]; then from=latest; else from=$file; fi
  # shellcheck disable=SC2086
  heat $second $common --steps "$steps" --checkpoint-dir "$dir" --restart "$from"
  check "[$pair] rest on $second (--restart $from): exit 0" test "$rc" -eq 0
  check "[$pair] says: restarted from $file at step $half (skipped 0 damaged)" \
    has "^restarted from $file at step $half \(skipped 0 damaged\)$"
  check "[$pair] report and fingerprint equal the straight run's ($(fingerprint))" \
    test "$(report_lines)" = "$reference"
done
finish
