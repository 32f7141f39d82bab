#!/bin/bash
# shellcheck disable=SC2086,SC2317 # argument lists split on purpose; functions run via check
# SIGUSR1 and SIGTERM stop a run cleanly: a checkpoint of the step it stopped at, the stop
# line, exit status 0 (or --stopped-exit-code), and a resumed run (on another rank count)
# that ends with the straight run's fingerprint. Paths that work with Open MPI 4.1's mpirun:
#   - SIGUSR1 to mpirun, which forwards it to every rank;
#   - SIGUSR1 or SIGTERM to the ranks themselves (found as mpirun's children).
# (SIGTERM or SIGINT to mpirun aborts the job: mpirun forwards the signal but kills the
# ranks one second later and exits 1; see docs/output-and-restart.md.) A second signal while
# the checkpoint is being written must still leave a complete checkpoint. (Resuming is checked
# after the stops of term-ranks, on 4 ranks, and twice, on 2: the other stops end alike.)
#
# usage: restart_signal.sh MPIEXEC TSR_HEAT WORKDIR [CASE...]
#   cases: usr1-mpirun term-ranks usr1-ranks-code twice (default: all)
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 MPIEXEC TSR_HEAT WORKDIR [CASE...]" >&2
  exit 2
fi
MPIEXEC=$1 HEAT=$2 work=$3
shift 3
cases=${*:-usr1-mpirun term-ranks usr1-ranks-code twice}
. "$(dirname "$0")/lib.sh"
mkdir -p "$work" || exit 2
common="--grid 40x32 --ic gauss --progress 1000"
steps=400

heat 2 1 $common --steps "$steps"
reference=$(fingerprint)
check "straight run: fingerprint ${reference:-<none>}" test "$rc" -eq 0 -a -n "$reference"

# start NP DELAY_MS ARGS...: start a run in the background with a checkpoint every 20 steps
# whose commit waits DELAY_MS; return once its handlers are in place (a first checkpoint
# exists). Sets $job (mpirun) and $ranks.
start() {
  local np=$1 delay=$2
  shift 2
  rm -rf "$dir"
  TSR_CHECKPOINT_TEST_DELAY_MS=$delay "$MPIEXEC" -q -n "$np" "$HEAT" $common --steps "$steps" \
    --verbose 0 --threads 1 --checkpoint-every 20 --checkpoint-dir "$dir" "$@" >"$dir.log" 2>&1 &
  job=$!
  wait_for "$dir/ckpt_*.h5" 30
  ranks=$(pgrep -P "$job")
}

# finish_case NAME CODE [NP2]: the stopped run's status, line and checkpoint; then resume on
# NP2 ranks to the end.
finish_case() {
  local name=$1 code=$2 np2=${3:-}
  wait "$job"
  rc=$? out=$(cat "$dir.log") job=""
  check "$name: exit status $code" test "$rc" -eq "$code"
  local line step file
  line=$(printf '%s\n' "$out" | grep -E '^tessera: stopping at step [0-9]+: ')
  step=$(printf '%s\n' "$line" | sed -n 's/^tessera: stopping at step \([0-9]*\): .*/\1/p')
  file=$dir/$(ckpt_name "${step:-0}")
  check "$name: prints one stop line ($line)" test "$(printf '%s\n' "$out" | grep -c stop)" = 1
  check "$name: the stop line says why, where and how to continue" \
    has "^tessera: stopping at step $step: a stop signal \(SIGUSR1, SIGTERM or SIGINT\) arrived; checkpoint: $file; continue with --restart latest$"
  check "$name: the checkpoint of step $step is the newest" \
    test -n "$step" -a "$(newest_ckpt "$dir")" = "$(basename "$file")"
  check "$name: no temporary file is left" test -z "$(compgen -G "$dir/.ckpt_*.tmp")"
  [ -n "$np2" ] || return 0
  heat "$np2" 1 $common --steps "$steps" --checkpoint-dir "$dir" --restart latest
  check "$name: resumed on $np2 ranks from step $step" \
    has "^restarted from $file at step $step \(skipped 0 damaged\)$"
  check "$name: the straight run's fingerprint" test "$(fingerprint)" = "$reference"
}

for c in $cases; do
  dir=$work/$c
  case $c in
  usr1-mpirun)
    start 3 50
    kill -USR1 "$job"
    finish_case "SIGUSR1 to mpirun" 0
    ;;
  term-ranks)
    start 2 50
    # shellcheck disable=SC2086
    kill -TERM $ranks
    finish_case "SIGTERM to the ranks" 0 4
    ;;
  usr1-ranks-code)
    start 4 50 --stopped-exit-code 3
    # shellcheck disable=SC2086
    kill -USR1 $ranks
    finish_case "SIGUSR1 to the ranks, --stopped-exit-code 3" 3
    ;;
  twice)
    # A long commit; the second signal arrives while a checkpoint is being written.
    start 3 400
    kill -USR1 "$job"
    wait_for "$dir/.ckpt_*.tmp" 30
    during=$(compgen -G "$dir/.ckpt_*.tmp" >/dev/null && echo yes || echo no)
    # shellcheck disable=SC2086
    kill -TERM $ranks
    check "the second signal was sent while a checkpoint was being written" test "$during" = yes
    finish_case "a second signal during the checkpoint write" 0 2
    ;;
  *)
    echo "unknown case $c" >&2
    exit 2
    ;;
  esac
done
finish
