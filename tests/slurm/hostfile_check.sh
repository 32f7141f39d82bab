#!/usr/bin/env bash
# cluster/mpirun-hostfile.sh on a one-line hostfile (this machine, 2 slots), 2 ranks x 1 thread:
# after the first periodic checkpoint one rank gets SIGUSR1 (as from a time limit or an
# administrator), the run checkpoints and exits with the stopped status, the script restarts
# it from the checkpoint, and it finishes with the fingerprint of an uninterrupted run.
#
# usage: hostfile_check.sh TSR_HEAT CLUSTER_DIR WORK_DIR MPIEXEC
set -u
heat=$1 cluster=$2 work=$3 mpiexec=$4
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
args=(--grid 96x96 --steps 20000 --ic hash --checkpoint-every 2000)
fp() { sed -n 's/^fingerprint: \(0x[0-9a-f]\{16\}\)$/\1/p' "$1" | tail -n 1; }

# The uninterrupted reference on 1 rank, alongside.
"$mpiexec" -q -n 1 "$heat" "${args[@]}" --verbose 0 --checkpoint-dir ref-ckpt </dev/null \
  >ref.out 2>&1 &
ref_pid=$!
echo "localhost slots=2" >hosts
"$cluster/mpirun-hostfile.sh" --hostfile hosts --ranks-per-node 2 --threads 1 --no-bind \
  --heat "$heat" -- "${args[@]}" --progress 0.5 >run.out 2>&1 &
script=$!
for ((i = 0; i < 600; i++)); do
  compgen -G "checkpoints/ckpt_*.h5" >/dev/null && break
  sleep 0.05
done
# The first rank: a child of the script's mpirun (mpirun starts local ranks itself).
mpirun_pid=$(ps -o pid= --ppid "$script" | head -n 1 | tr -d ' ')
rank=$(ps -o pid= --ppid "${mpirun_pid:-0}" | head -n 1 | tr -d ' ')
if [[ -n "$rank" ]]; then
  kill -USR1 "$rank" && echo "sent USR1 to rank process $rank (mpirun $mpirun_pid)"
else
  echo "FAIL: no rank process found (did the run end before its first checkpoint?)"
fi
wait "$script"
rc=$?
wait "$ref_pid"
ref=$(fp ref.out)
cat run.out
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
((rc == 0)) || fail "mpirun-hostfile.sh exited $rc, expected 0 (finished)"
grep -q "stop signal .* arrived; checkpoint: " run.out || fail "no signal stop with a checkpoint"
grep -q "^mpirun-hostfile: run 1 (resuming from checkpoints)" run.out || fail "no resumed run"
got=$(fp run.out)
[[ -n "$ref" && "$got" == "$ref" ]] || fail "fingerprint '${got:-<none>}' differs from the direct run's '$ref'"
((failures == 0)) || exit 1
echo "restarted once from the checkpoint; fingerprint $got equals the uninterrupted run's"
