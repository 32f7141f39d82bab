#!/bin/bash
# shellcheck disable=SC2086,SC2317 # argument lists split on purpose; functions run via check
# Bad restart input and unusable folders: each case must end with exit status 2 and one error
# line from rank 0 naming the file or folder and what is wrong, before the first step, and
# leave every checkpoint on disk as it was (same names, same bytes). A newer damaged
# checkpoint is skipped by --restart latest, which then resumes from the older one.
#
# usage: restart_errors.sh MPIEXEC TSR_HEAT WORKDIR PYTHON
#   PYTHON: an interpreter with h5py (to find the data bytes to flip).
# The cases run at once (each mostly waits for mpirun to notice its failed ranks).
set -u
if [ $# -ne 4 ]; then
  echo "usage: $0 MPIEXEC TSR_HEAT WORKDIR PYTHON" >&2
  exit 2
fi
MPIEXEC=$1 HEAT=$2 work=$3 python=$4
. "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work" || exit 2
common="--grid 24x20 --ic hash --progress 1000"
steps=8

# Checkpoints of steps 3 and 6 of an 8-step run, whose fingerprint the fallback must reach.
good=$work/good
heat 2 1 $common --steps "$steps" --checkpoint-every 3 --checkpoint-dir "$good"
reference=$(fingerprint) c3=$good/$(ckpt_name 3) c6=$good/$(ckpt_name 6)
check "setup: checkpoints 3 and 6, fingerprint $reference" test "$rc" -eq 0 -a -f "$c3" -a -f "$c6"

# Damaged copies, each alone in a folder, or beside a good older one.
mkdir -p "$work/trunc" "$work/fallback" "$work/flip" "$work/nothdf5" "$work/empty"
size=$(stat -c %s "$c6")
head -c $((size / 2)) "$c6" >"$work/trunc/$(ckpt_name 6)"
cp "$c3" "$work/fallback/"
head -c $((size / 2)) "$c6" >"$work/fallback/$(ckpt_name 6)"
cp "$c6" "$work/flip/"
offset=$("$python" -c 'import h5py, sys
with h5py.File(sys.argv[1], "r") as f:
    d = f["fields/u/0"]
    print(d.id.get_offset() + d.id.get_storage_size() // 2)' "$c6")
check "found the data of u in the checkpoint (offset ${offset:-?})" test -n "$offset"
printf '\377\377\377\377\377\377\377\377' |
  dd of="$work/flip/$(ckpt_name 6)" bs=1 seek="${offset:-0}" conv=notrunc status=none
check "flipped 8 data bytes" test -n "$(cmp "$c6" "$work/flip/$(ckpt_name 6)")"
echo "not an HDF5 file" >"$work/nothdf5/$(ckpt_name 6)"
: >"$work/blocker" # a regular file: no folder can be made under it, even by root

# Every checkpoint-like file before the runs: names and contents.
# Names and bytes of every checkpoint; a damaged one that a successful fallback set aside
# (ckpt_<step>.h5.damaged) counts under its old name, with its bytes unchanged.
inventory() {
  (cd "$work" && find . -name '*.h5' -o -name '*.h5.damaged' | sort | xargs md5sum |
    sed 's/\.damaged$//' | sort -k2)
}
before=$(inventory)

# launch NAME NP ARGS...: run a case in the background into $work/NAME.{out,rc}.
launch() {
  local name=$1 np=$2
  shift 2
  ("$MPIEXEC" -q -n "$np" "$HEAT" --verbose 0 --threads 1 $common --steps "$steps" "$@" \
    >"$work/$name.out" 2>&1
  echo $? >"$work/$name.rc") &
}
launch truncated 1 --restart "$work/trunc/$(ckpt_name 6)"
launch fallback 2 --checkpoint-dir "$work/fallback" --restart latest
launch flipped 1 --restart "$work/flip/$(ckpt_name 6)"
launch flipped_latest 1 --checkpoint-dir "$work/flip" --restart latest
launch not_hdf5 1 --restart "$work/nothdf5/$(ckpt_name 6)"
launch other_grid 2 --grid 24x22 --restart "$c6"
launch ckpt_dir 1 --checkpoint-dir "$work/blocker/sub" --out "$work/ckpt_dir_out" --output-every 1
launch out_dir 1 --out "$work/blocker/out" --output-every 1 --checkpoint-dir "$good" \
  --checkpoint-every 1 --restart latest
launch missing 1 --restart "$work/missing/$(ckpt_name 6)"
launch empty 1 --checkpoint-dir "$work/empty" --restart latest
launch dt 1 --restart "$c6" --dt 1e-5
launch kappa 1 --restart "$c6" --kappa 2
launch ic 1 --restart "$c6" --ic gauss
launch periodic 1 --restart "$c6" --periodic 0,1
launch periodic_latest 2 --checkpoint-dir "$good" --restart latest --periodic 1,1
wait

# expect NAME CODE REGEX: the case's exit status and one line matching REGEX; for status 2,
# exactly one error line.
expect() {
  rc=$(cat "$work/$1.rc") out=$(cat "$work/$1.out")
  check "$1: exit status $2" test "$rc" = "$2"
  check "$1: says /$3/" has "$3"
  if [ "$2" = 2 ]; then
    check "$1: one error line" test "$(printf '%s\n' "$out" | grep -c '^tessera: error: ')" = 1
  fi
}
expect truncated 2 "^tessera: error: .*'$work/trunc/$(ckpt_name 6)'.* damaged.*truncated"
expect fallback 0 "^restarted from $work/fallback/$(ckpt_name 3) at step 3 \(skipped 1 damaged\)$"
check "fallback: warns about the damaged newer checkpoint" \
  has "warning: .*'$work/fallback/$(ckpt_name 6)'.*damaged"
check "fallback: ends with the straight run's fingerprint" test "$(fingerprint)" = "$reference"
check "fallback: the damaged checkpoint is set aside, so keep-K no longer counts it" \
  test -f "$work/fallback/$(ckpt_name 6).damaged" -a ! -e "$work/fallback/$(ckpt_name 6)"
expect flipped 2 "^tessera: error: .*'$work/flip/$(ckpt_name 6)'.*field 'u' does not match its fingerprint"
expect flipped_latest 2 "^tessera: error: .*no valid checkpoint in folder '$work/flip'"
expect not_hdf5 2 "^tessera: error: .*'$work/nothdf5/$(ckpt_name 6)' is not an HDF5 file"
expect other_grid 2 "^tessera: error: .*'$c6'.* 24x20 grid.* 24x22 grid"
expect ckpt_dir 2 "^tessera: error: cannot create checkpoint folder '$work/blocker/sub': Not a directory$"
check "ckpt_dir: no step was taken (no snapshot)" test ! -e "$work/ckpt_dir_out/heat_000001.h5"
expect out_dir 2 "^tessera: error: cannot create output folder '$work/blocker/out': Not a directory$"
expect missing 2 "^tessera: error: .*'$work/missing/$(ckpt_name 6)': No such file or directory$"
expect empty 2 "^tessera: error: --restart latest: no checkpoint .*in folder '$work/empty'$"
expect dt 2 "^tessera: error: heat: checkpoint '$c6' was written by a run with --dt [0-9.e-]+, but this run has --dt 1e-05"
expect kappa 2 "^tessera: error: heat: checkpoint '$c6' was written by a run with --kappa 1, but this run has --kappa 2"
expect ic 2 "^tessera: error: heat: checkpoint '$c6' was written by a run with --ic hash, but this run has --ic gauss"
expect periodic 2 "^tessera: error: cannot restart from '$c6': checkpoint '$c6' is of a grid with periodic axes 0,0, but this run's grid has periodic axes 0,1"
expect periodic_latest 2 "^tessera: error: cannot restart: checkpoint '$c6' is of a grid with periodic axes 0,0, but this run's grid has periodic axes 1,1 .*older checkpoints were not tried"

# No case wrote, removed or changed a checkpoint (out_dir would have written ckpt_7 had it
# taken a step).
after=$(inventory)
check "every checkpoint file is unchanged (names and bytes)" test "$before" = "$after"
if [ "$before" != "$after" ]; then diff <(echo "$before") <(echo "$after") >&2; fi
finish
