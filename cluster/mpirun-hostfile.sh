#!/usr/bin/env bash
# Run tsr_heat with Open MPI's mpirun on the nodes of a hostfile (clusters or workstations
# without a batch scheduler), hybrid MPI + OpenMP, checkpointed, and restarted from the newest
# checkpoint after a stop or a failure until it has finished:
#
#   cluster/mpirun-hostfile.sh --hostfile FILE [options] [-- tsr_heat arguments]
#   e.g. cluster/mpirun-hostfile.sh --hostfile hosts --ranks-per-node 2 --threads 8 \
#          -- --grid 8192x8192 --steps 100000
#
#   --hostfile FILE        one node per line: "node01 slots=16" (slots = cores to use there);
#                          '#' starts a comment. Default: this machine only.
#   --ranks-per-node R     MPI ranks on each node (default 1; one per socket or NUMA domain
#                          is usually fastest for memory-bound stencils)
#   --threads T            OpenMP threads per rank = cores per rank (default: slots / R of the
#                          first node, else 1)
#   --heat PATH            the program (default build/release/examples/heat/tsr_heat)
#   --checkpoint-dir DIR   checkpoint folder (default checkpoints); a checkpoint found there
#                          is resumed (--restart latest)
#   --checkpoint-minutes M periodic checkpoints (default 30)
#   --walltime T           stop each run after T (seconds or HH:MM:SS) with a checkpoint, then
#                          start the next one (default: none)
#   --max-restarts N       give up after N restarts (default 10)
#   --no-bind              do not pin ranks and threads (shared machines)
#
# Ranks of a node are pinned to R consecutive groups of T cores (--map-by ppr:R:node:PE=T
# --bind-to core), their threads to those cores (OMP_PLACES=cores, OMP_PROC_BIND=close).
# Ctrl-C (or SIGTERM) asks the run to checkpoint and stop, and ends the loop. Exit status: 0
# finished, 75 stopped by you (resume by running the same command), else the last failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
hostfile='' rpn=1 threads='' heat=$root/build/release/examples/heat/tsr_heat
ckpt_dir=checkpoints ckpt_minutes=30 walltime='' max_restarts=10 bind=yes
stopped=75 # exit status the program uses for "stopped with a checkpoint"
args=()
die() {
  echo "mpirun-hostfile: $*" >&2
  exit 2
}
while (($#)); do
  case $1 in
  --hostfile) hostfile=$2 ;;
  --ranks-per-node) rpn=$2 ;;
  --threads) threads=$2 ;;
  --heat) heat=$2 ;;
  --checkpoint-dir) ckpt_dir=$2 ;;
  --checkpoint-minutes) ckpt_minutes=$2 ;;
  --walltime) walltime=$2 ;;
  --max-restarts) max_restarts=$2 ;;
  --no-bind) bind=no && shift && continue ;;
  --) shift && args=("$@") && break ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' && exit 0 ;;
  *) die "unknown option '$1' (see --help)" ;;
  esac
  (($# >= 2)) || die "option $1 needs a value"
  shift 2
done
[[ -x "$heat" ]] || die "no program $heat (build it, or give --heat)"

if [[ -z "$hostfile" ]]; then
  hostfile=$(mktemp)
  trap 'rm -f "$hostfile"' EXIT
  echo "localhost slots=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)" >"$hostfile"
fi
[[ -r "$hostfile" ]] || die "cannot read the hostfile $hostfile"
nodes=$(grep -cvE '^[[:space:]]*(#|$)' "$hostfile" || true)
((nodes > 0)) || die "no node in $hostfile"
if [[ -z "$threads" ]]; then
  slots=$(grep -vE '^[[:space:]]*(#|$)' "$hostfile" | head -n 1 | sed -n 's/.*slots=\([0-9]*\).*/\1/p')
  threads=$((${slots:-1} / rpn))
  ((threads >= 1)) || threads=1
fi
ranks=$((nodes * rpn))

export OMP_NUM_THREADS=$threads OMP_PLACES=cores
launcher=(mpirun -q --hostfile "$hostfile" -n "$ranks" -x OMP_NUM_THREADS -x OMP_PLACES
  -x OMP_PROC_BIND)
[[ -z "${LD_LIBRARY_PATH:-}" ]] || launcher+=(-x LD_LIBRARY_PATH) # e.g. set by `module load`
if [[ "$bind" == yes ]]; then
  export OMP_PROC_BIND=close
  launcher+=(--map-by "ppr:$rpn:node:PE=$threads" --bind-to core)
else
  export OMP_PROC_BIND=false
  launcher+=(--map-by "ppr:$rpn:node" --bind-to none --oversubscribe)
fi
((EUID != 0)) || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Ctrl-C / SIGTERM: ask the ranks (through mpirun, which forwards USR1) to checkpoint and stop.
pid='' interrupted=0
on_signal() {
  interrupted=1
  echo "mpirun-hostfile: stopping: the run writes a checkpoint first" >&2
  [[ -n "$pid" ]] && kill -USR1 "$pid" 2>/dev/null
  return 0
}
trap on_signal INT TERM

echo "mpirun-hostfile: $nodes node(s) x $rpn rank(s) x $threads thread(s) = $ranks ranks"
for ((run = 0; ; run++)); do
  restart=()
  if compgen -G "$ckpt_dir/ckpt_*.h5" >/dev/null; then
    restart=(--restart latest)
  fi
  echo "mpirun-hostfile: run $run$( ((${#restart[@]})) && echo " (resuming from $ckpt_dir)")"
  "${launcher[@]}" "$heat" "${args[@]}" --checkpoint-dir "$ckpt_dir" \
    --checkpoint-minutes "$ckpt_minutes" --stopped-exit-code "$stopped" \
    ${walltime:+--walltime "$walltime"} "${restart[@]}" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do wait "$pid" || true; done
  rc=0
  wait "$pid" || rc=$?
  pid=
  if ((rc == 0)); then
    echo "mpirun-hostfile: finished after $run restart(s)"
    exit 0
  fi
  if ((interrupted)); then
    echo "mpirun-hostfile: stopped (exit $rc); run the same command again to resume"
    exit "$rc"
  fi
  if ((run >= max_restarts)); then
    echo "mpirun-hostfile: giving up after $run restarts (last exit $rc)" >&2
    exit "$rc"
  fi
  if ((rc == stopped)); then
    echo "mpirun-hostfile: stopped with a checkpoint (time limit or signal): restarting"
  else
    # A crash or a lost node: the periodic checkpoints limit what is lost. Pause a little so
    # a node that is rebooting or a file system that is catching up has time.
    echo "mpirun-hostfile: the run failed (exit $rc): restarting from the newest checkpoint in 5 s" >&2
    sleep 5
  fi
done
