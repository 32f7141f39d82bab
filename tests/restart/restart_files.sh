#!/bin/bash
# shellcheck disable=SC2086,SC2317 # argument lists split on purpose; functions run via check
# The files of a run and of its restarts, as other tools see them: snapshots, XDMF sidecars,
# the time series index and a checkpoint open with h5dump and h5py; the index of a restarted
# run lists the earlier run's snapshots up to the restart step (later ones dropped) and then
# its own; the last snapshot holds exactly the field heat's fingerprint describes.
#
# usage: restart_files.sh MPIEXEC TSR_HEAT WORKDIR PYTHON H5DUMP
set -u
if [ $# -ne 5 ]; then
  echo "usage: $0 MPIEXEC TSR_HEAT WORKDIR PYTHON H5DUMP" >&2
  exit 2
fi
MPIEXEC=$1 HEAT=$2 work=$3 python=$4 h5dump=$5
here=$(dirname "$0")
. "$here/lib.sh"
rm -rf "$work"
mkdir -p "$work" || exit 2
common="--grid 20x16 --ic hash --progress 1000 --out $work/out --output-every 2"
ckpt=$work/ckpt
c5=$ckpt/$(ckpt_name 5) c10=$ckpt/$(ckpt_name 10)

# py STEPS [FINGERPRINT [CHECKPOINT]]: heat_files.py on the output folder.
py() {
  out=$("$python" "$here/heat_files.py" "$work/out" "$1" 20 16 "${@:2}" 2>&1)
  rc=$?
  printf '%s\n' "$out" | tail -n 1
  test "$rc" -eq 0
}

heat 3 1 $common --steps 10 --checkpoint-every 5 --checkpoint-dir "$ckpt"
straight=$(fingerprint)
check "run 1 (3 ranks): 10 steps, snapshots every 2, checkpoints 5 and 10" \
  test "$rc" -eq 0 -a -n "$straight" -a -f "$c5" -a -f "$c10"
check "run 1: h5py and XML see snapshots 0..10, the last one heat's field, and checkpoint 10" \
  py 0,2,4,6,8,10 "$straight" "$c10"

# Back to step 5, ending at 7: the index drops 6, 8 and 10 of run 1, then lists this run's 6.
heat 2 1 $common --steps 7 --checkpoint-dir "$ckpt" --restart "$c5"
check "run 2 (2 ranks): restarted at step 5" has "^restarted from $c5 at step 5 "
check "run 2: the index lists 0 2 4 (run 1) and 6 (run 2) only" py 0,2,4,6

# Back to step 5 again, to the end: snapshots 6, 8, 10 rewritten, the last one as run 1's.
heat 1 2 $common --steps 10 --checkpoint-dir "$ckpt" --restart "$c5"
check "run 3 (1 rank, 2 threads): run 1's fingerprint" test "$rc" -eq 0 -a "$(fingerprint)" = "$straight"
check "run 3: the index lists 0..10 again, and snapshot 10 holds run 1's field" \
  py 0,2,4,6,8,10 "$straight"

out=$("$h5dump" -A "$work/out/heat_000010.h5" 2>&1) rc=$?
check "h5dump reads snapshot 10" test "$rc" -eq 0
check "h5dump: snapshot 10 has dataset u/0" has '^ *DATASET "0" \{$'
check "h5dump: of 16 x 20 doubles" has '^ *DATASPACE  SIMPLE \{ \( 16, 20 \) / \( 16, 20 \) \}$'
out=$("$h5dump" -A "$c10" 2>&1) rc=$?
check "h5dump reads checkpoint 10" test "$rc" -eq 0
check "h5dump: checkpoint 10 holds checkpoint_version and the options" \
  test -n "$(printf '%s\n' "$out" | grep 'ATTRIBUTE "checkpoint_version"')" -a \
  -n "$(printf '%s\n' "$out" | grep 'ATTRIBUTE "options"')"
finish
