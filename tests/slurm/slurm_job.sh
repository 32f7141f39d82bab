#!/usr/bin/env bash
# Run tsr_heat through the batch templates of cluster/slurm on the private local Slurm that
# cluster/slurm-local.sh started in SLURM_DIR, and check one behaviour (CASE):
#
#   finish-srun      a job ends normally, srun launcher, 2 ranks x 1 thread: its fingerprint
#                    equals a direct mpirun run's (1 rank; so for every case below)
#   finish-mpirun    the same with the mpirun launcher, 1 rank x 2 threads (hybrid placement)
#   signal-srun      scancel --signal=USR1 --batch: the batch shell forwards USR1, the run
#                    checkpoints and exits with the stopped status, the template requeues the
#                    job, the rerun resumes from the checkpoint to the uninterrupted fingerprint
#   signal-mpirun    scancel --full --signal=USR1 with requeueing off: the job ends with the
#                    stopped status (exit code 75) and leaves a checkpoint
#   requeue-srun     scontrol requeue of a running job: the job comes back, resumes from its
#                    newest checkpoint and ends with the uninterrupted run's fingerprint
#   limit-walltime   a 1-minute job: the program reads the job's end time from Slurm and
#                    checkpoints and stops (walltime) before the limit, exit 75, not TIMEOUT
#   limit-signal     a 1-minute job with --signal=B:USR1@45: Slurm's signal reaches the batch
#                    shell, which forwards it; the run stops (signal) before the limit
#
# usage: slurm_job.sh CASE SLURM_DIR TSR_HEAT CLUSTER_DIR WORK_DIR MPIEXEC
# Exit status: 0 pass, 1 fail, 77 skipped (no local Slurm running: see the setup test).
set -u
case_=$1 slurm_dir=$2 heat=$3 cluster=$4 work=$5 mpiexec=$6
stopped=75 # TSR_STOPPED_CODE of the templates (their default)

if [[ ! -f "$slurm_dir/slurm.conf" ]]; then
  echo "skipped: no local Slurm in $slurm_dir (the slurm.setup test skipped or failed)"
  exit 77
fi
export SLURM_CONF=$slurm_dir/slurm.conf
if ! scontrol ping >/dev/null 2>&1; then
  echo "skipped: the local Slurm in $slurm_dir does not answer (scontrol ping)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
out=$work/job.out
failures=0
jid=
ref_pid=
# Never leave a job behind: cancel it when the test ends early or fails.
cleanup() {
  [[ -z "$ref_pid" ]] || kill "$ref_pid" 2>/dev/null
  [[ -n "$jid" ]] && ! ended && scancel "$jid" 2>/dev/null
}
trap cleanup EXIT

# log MESSAGE: a progress line with the seconds since the test started.
log() { echo "[${SECONDS}s] $*"; }
fail() {
  log "FAIL: $*"
  failures=$((failures + 1))
}

# field NAME: the job's field NAME from scontrol (JobState, ExitCode, Restarts, ...).
field() {
  scontrol show job -o "$jid" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# wait_for SECONDS TEST...: poll TEST (a command) every 0.1 s until it succeeds.
wait_for() {
  local limit=$1 t0=$SECONDS
  shift
  until "$@"; do
    if ((SECONDS - t0 >= limit)); then
      return 1
    fi
    sleep 0.1
  done
}

in_state() { # in_state STATE...: the job is in one of these states
  local s
  s=$(field JobState)
  for want; do [[ "$s" == "$want" ]] && return 0; done
  return 1
}
ended() { in_state COMPLETED FAILED CANCELLED TIMEOUT NODE_FAIL OUT_OF_MEMORY PREEMPTED BOOT_FAIL DEADLINE; }
requeued() { in_state PENDING && (($(field Restarts) >= 1)); }
# No slurmstepd of this job is left on the node. A requeued job is PENDING for the controller
# while the node may still be ending its previous run; a rerun started before that is over
# can have its step (same id) aborted at launch.
steps_gone() { ! pgrep -f "^slurmstepd: \[$jid\." >/dev/null; }
# start_now: start the requeued job now instead of after Slurm's ~2 min hold. Not at once:
# the node revoked the job's credential when it killed the previous run, and it refuses a
# credential issued within the same second ("Job credential revoked": the job fails, exit 1).
start_now() {
  wait_for 30 steps_gone || fail "the previous run of job $jid did not end on the node"
  sleep 2
  scontrol update jobid="$jid" StartTime=now
}
has_checkpoint() { compgen -G "$work/checkpoints-heat/ckpt_*.h5" >/dev/null; }

# submit TEMPLATE ARGS EXPORTS [SBATCH OPTIONS...]: submit cluster/slurm/heat-TEMPLATE.sbatch
# with TSR_HEAT, TSR_ARGS and EXPORTS (NAME=VALUE,...) in its environment. They are set in
# sbatch's own environment, which jobs inherit: --export=ALL,NAME=VALUE would do the same but
# makes Slurm 22.05 load the user's login environment first, about 5 s per job.
submit() {
  local template=$1 args=$2 exports=$3 vars=()
  shift 3
  IFS=, read -r -a vars <<<"$exports"
  jid=$(env TSR_HEAT="$heat" TSR_ARGS="$args" "${vars[@]}" sbatch --parsable --chdir="$work" \
    --output="$out" --job-name=heat "$@" "$cluster/slurm/heat-$template.sbatch") || {
    echo "FAIL: sbatch refused the job"
    exit 1
  }
  jid=${jid%%;*}
  log "submitted heat-$template.sbatch as job $jid ($*)"
}

# finish: wait for the job's end and show its record and output.
finish() {
  wait_for "$1" ended || fail "job $jid did not end within $1 s (state $(field JobState))"
  log "job $jid: state $(field JobState), exit $(field ExitCode), restarts $(field Restarts)"
  echo "---- job output"
  cat "$out" 2>/dev/null
  echo "----"
}

# expect_stop_checkpoint: the checkpoint the program's stop line names exists.
expect_stop_checkpoint() {
  local path
  path=$(sed -n 's/^tessera: stopping at step .*; checkpoint: \([^;]*\);.*/\1/p' "$out" | tail -n 1)
  if [[ -z "$path" ]]; then
    fail "the stop line names no checkpoint"
  elif [[ ! -s "$path" ]]; then
    fail "the stop's checkpoint $path does not exist"
  else
    echo "the stop wrote $path"
  fi
}

fingerprint() { sed -n 's/^fingerprint: \(0x[0-9a-f]\{16\}\)$/\1/p' "$1" | tail -n 1; }

# reference_start ARGS: start, in the background, a direct uninterrupted mpirun run on 1 rank
# (another decomposition than the job's: fingerprints do not depend on it, and one rank costs
# least); reference_fingerprint waits for it and sets ref to its fingerprint.
reference_start() {
  # shellcheck disable=SC2086 # ARGS is a word list
  "$mpiexec" -q -n 1 "$heat" $1 --threads 1 --verbose 0 --checkpoint-dir "$work/reference-ckpt" \
    </dev/null >"$work/reference.out" 2>&1 &
  ref_pid=$!
}
reference_fingerprint() { # sets ref (waits in this shell: the run is its child)
  wait "$ref_pid"
  ref_pid=
  ref=$(fingerprint "$work/reference.out")
}

expect_fingerprint() { # expect_fingerprint REFERENCE
  local got
  got=$(fingerprint "$out")
  if [[ -z "$1" ]]; then
    fail "the direct reference run printed no fingerprint: $(cat "$work/reference.out")"
  elif [[ "$got" != "$1" ]]; then
    fail "fingerprint of the Slurm job '${got:-<none>}' differs from the direct run's '$1'"
  else
    echo "fingerprint $got equals the direct mpirun run's"
  fi
}

expect_state() { # expect_state STATE EXITCODE
  [[ "$(field JobState)" == "$1" ]] || fail "job state $(field JobState), expected $1"
  [[ "$(field ExitCode)" == "$2" ]] || fail "job exit code $(field ExitCode), expected $2"
}

expect_output() { # expect_output REGEX WHAT
  grep -Eq -- "$1" "$out" || fail "the job output lacks $2 (/$1/)"
}

# A run long enough to be interrupted after its first checkpoint (about 2 s on 2 idle cores).
long_args="--grid 96x96 --steps 20000 --ic hash --checkpoint-every 2000"
# The tests that signal a job wait for its first checkpoint, so the program is set up and
# catches signals: the templates need not hold a stop request back.
ready=TSR_SIGNAL_GRACE=0
# Runs that only stop by signal or time limit: far more steps than a minute allows.
endless_args="--grid 32x32 --steps 1000000000 --progress 5"

case "$case_" in
finish-srun | finish-mpirun)
  args="--grid 45x37 --steps 200 --ic hash"
  reference_start "$args"
  if [[ "$case_" == finish-srun ]]; then
    submit srun "$args" "" --ntasks-per-node=2 --cpus-per-task=1
    shape="2 ranks x 1 threads"
  else
    submit mpirun "$args" "" --ntasks-per-node=1 --cpus-per-task=2
    shape="1 ranks x 2 threads"
  fi
  finish 60
  expect_state COMPLETED 0:0
  expect_output "$shape" "the placement asked for ($shape)"
  expect_output "run 0: finished" "the template's 'finished' line"
  reference_fingerprint
  log "direct reference run (1 rank): fingerprint ${ref:-<none>}"
  expect_fingerprint "$ref"
  ;;

signal-srun)
  reference_start "$long_args"
  submit srun "$long_args" "$ready" --ntasks-per-node=2 --cpus-per-task=1
  wait_for 60 has_checkpoint || fail "no checkpoint appeared within 60 s"
  ended && fail "job $jid ended before it could be signalled: make the run longer"
  scancel --signal=USR1 --batch "$jid"
  log "sent USR1 to the batch shell of job $jid"
  if wait_for 60 requeued; then
    log "job $jid requeued itself (restarts $(field Restarts)); starting it now"
    start_now
  else
    fail "job $jid did not requeue itself (state $(field JobState))"
  fi
  finish 60
  expect_state COMPLETED 0:0
  expect_output "run 0: got SIGUSR1" "the batch shell's trap of USR1"
  expect_output "stopping at step [0-9]+: a stop signal" "the program's stop line"
  expect_output "run 0: stopped with a checkpoint \(exit $stopped\): requeueing" \
    "the template's requeue line"
  expect_output "run 1: resuming from" "the rerun's resume line"
  expect_output "restarted from .*ckpt_[0-9]+\.h5 at step [1-9]" "the program's restart line"
  reference_fingerprint
  log "direct reference run (1 rank): fingerprint ${ref:-<none>}"
  expect_fingerprint "$ref"
  ;;

signal-mpirun)
  submit mpirun "$long_args" "TSR_REQUEUE=no,$ready" --ntasks-per-node=2 --cpus-per-task=1
  wait_for 60 has_checkpoint || fail "no checkpoint appeared within 60 s"
  ended && fail "job $jid ended before it could be signalled: make the run longer"
  scancel --full --signal=USR1 "$jid"
  log "sent USR1 to every process of job $jid (--full)"
  finish 60
  expect_state FAILED "$stopped:0"
  expect_output "stopping at step [0-9]+: a stop signal" "the program's stop line"
  expect_output "run 0: stopped with a checkpoint \(exit $stopped\): not requeued" \
    "the template's 'not requeued' line"
  expect_stop_checkpoint
  ;;

requeue-srun)
  reference_start "$long_args"
  submit srun "$long_args" "$ready" --ntasks-per-node=2 --cpus-per-task=1
  wait_for 60 has_checkpoint || fail "no checkpoint appeared within 60 s"
  ended && fail "job $jid ended before it could be requeued: make the run longer"
  scontrol requeue "$jid" || fail "scontrol requeue $jid refused"
  log "requeued job $jid"
  if wait_for 60 requeued; then
    log "job $jid is pending again (restarts $(field Restarts)); starting it now"
    start_now
  else
    fail "job $jid did not come back to pending (state $(field JobState))"
  fi
  finish 60
  expect_state COMPLETED 0:0
  expect_output "run 1: resuming from" "the rerun's resume line"
  expect_output "restarted from .*ckpt_[0-9]+\.h5 at step [1-9]" "the program's restart line"
  reference_fingerprint
  log "direct reference run (1 rank): fingerprint ${ref:-<none>}"
  expect_fingerprint "$ref"
  ;;

limit-walltime)
  # The run's margin (57 s) is the job's whole minute but 3 s: the program itself must find
  # the job's end time (squeue) and stop about 3 s in.
  submit srun "$endless_args" "TSR_REQUEUE=no,TSR_MARGIN=57" --ntasks-per-node=1 \
    --cpus-per-task=1 --time=1
  finish 75
  expect_state FAILED "$stopped:0"
  expect_output "stopping at step [0-9]+: the wall-time limit" "the program's walltime stop"
  expect_stop_checkpoint
  ;;

limit-signal)
  # Slurm sends USR1 to the batch shell when at most 45 s are left, give or take its time-limit
  # check interval (it may come up to 60 s early, i.e. right at the start: the template holds
  # it back for TSR_SIGNAL_GRACE, 15 s, so that the program can catch it). The program's own
  # margin (5 s) would stop it only at 55 s, so the stop must be the signal's.
  submit srun "$endless_args" "TSR_REQUEUE=no,TSR_MARGIN=5" --ntasks-per-node=1 \
    --cpus-per-task=1 --time=1 --signal=B:USR1@45
  finish 75
  expect_state FAILED "$stopped:0"
  expect_output "run 0: got SIGUSR1" "the batch shell's trap of Slurm's USR1"
  expect_output "stopping at step [0-9]+: a stop signal" "the program's signal stop"
  expect_stop_checkpoint
  ;;

*)
  echo "unknown case '$case_'" >&2
  exit 2
  ;;
esac

if ((failures)); then
  echo "---- the local Slurm's log lines about job $jid"
  grep -hE "(JobId=|job |StepId=|\[)$jid([^0-9]|$)" "$slurm_dir"/log/slurm*.log | tail -n 40
  echo "$case_: $failures check(s) failed"
  exit 1
fi
echo "$case_: passed"
