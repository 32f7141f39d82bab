#!/bin/bash
# shellcheck disable=SC2086,SC2317 # argument lists split on purpose; functions run via check
# SIGKILL of a whole job (every rank and mpirun at once) at random moments, one of them inside
# a checkpoint write: `--restart latest` must then always succeed, skip nothing (a checkpoint
# under its final name is always complete) and end with the straight run's fingerprint.
#
# usage: restart_kill.sh MPIEXEC TSR_HEAT WORKDIR SEED ROUNDS
#   SEED makes the kill moments and rank counts reproducible (printed with each round).
#   Round 1 kills while a checkpoint is being written (its temporary file exists);
#   TSR_CHECKPOINT_TEST_DELAY_MS widens that window. Later rounds kill at a random moment.
set -u
if [ $# -ne 5 ]; then
  echo "usage: $0 MPIEXEC TSR_HEAT WORKDIR SEED ROUNDS" >&2
  exit 2
fi
MPIEXEC=$1 HEAT=$2 work=$3 seed=$4 rounds=$5
. "$(dirname "$0")/lib.sh"
mkdir -p "$work" || exit 2
RANDOM=$seed
common="--grid 48x40 --ic hash --progress 1000"
steps=150
counts=(1 2 3 4)

heat 2 1 $common --steps "$steps"
reference=$(fingerprint)
check "straight run: fingerprint ${reference:-<none>}" test "$rc" -eq 0 -a -n "$reference"

for round in $(seq 1 "$rounds"); do
  dir=$work/kill$round
  rm -rf "$dir"
  np=${counts[RANDOM % 4]}
  np2=${counts[RANDOM % 4]}
  delay_ms=$((RANDOM % 700))
  # Every 3 steps a checkpoint whose commit waits 30 ms: the job spends most of its time in
  # checkpoint writes, and a kill lands anywhere in them. Round 1 waits 500 ms, so that the
  # kill surely lands in the write whose temporary file it saw, even on a loaded machine.
  commit_ms=30
  if [ "$round" -eq 1 ]; then commit_ms=500; fi
  TSR_CHECKPOINT_TEST_DELAY_MS=$commit_ms "$MPIEXEC" -q -n "$np" "$HEAT" $common --steps "$steps" \
    --verbose 0 --threads 1 --checkpoint-every 3 --checkpoint-dir "$dir" >"$dir.log" 2>&1 &
  job=$!
  # Kill only once a first checkpoint is complete: before that there is nothing to resume.
  wait_for "$dir/ckpt_*.h5" 30
  if [ "$round" -eq 1 ]; then
    wait_for "$dir/.ckpt_*.tmp" 30
    moment="during a checkpoint write"
  else
    sleep "$(printf '0.%03d' "$delay_ms")"
    moment="$delay_ms ms after the first checkpoint"
  fi
  ranks=$(pgrep -P "$job")
  tmp_seen=$(compgen -G "$dir/.ckpt_*.tmp" >/dev/null && echo yes || echo no)
  # shellcheck disable=SC2086
  kill -9 $ranks "$job" 2>/dev/null
  wait "$job" 2>/dev/null
  job=""
  # No rank may survive its mpirun.
  for r in $ranks; do
    while kill -0 "$r" 2>/dev/null; do sleep 0.01; done
  done
  newest=$(newest_ckpt "$dir")
  echo "round $round (seed $seed): $np ranks killed $moment (temporary file: $tmp_seen)," \
    "newest checkpoint ${newest:-<none>}; restart on $np2 ranks"
  if [ "$round" -eq 1 ]; then
    check "round 1: the kill landed inside a checkpoint write" test "$tmp_seen" = yes
  fi
  heat "$np2" 1 $common --steps "$steps" --checkpoint-dir "$dir" --restart latest
  check "round $round: --restart latest succeeds" test "$rc" -eq 0
  check "round $round: restarted from the newest checkpoint ($newest), none skipped" \
    has "^restarted from $dir/$newest at step [0-9]+ \(skipped 0 damaged\)$"
  check "round $round: the straight run's fingerprint" test "$(fingerprint)" = "$reference"
  check "round $round: the stale temporary file was removed" \
    test -z "$(compgen -G "$dir/.ckpt_*.tmp")"
done
finish
