#!/usr/bin/env bash
# Strong and weak scaling series of tsr_heat over ranks x threads combinations, run here with
# mpirun or on a cluster as one Slurm job array, every run's --log-json collected in one folder;
# cluster/scaling_report.py then writes scaling.csv, scaling.json and the plots.
#
#   cluster/scaling.sh [options] [-- extra tsr_heat arguments]
#
#   --mode local|slurm     run here, one run after the other (default), or submit a job array
#                          (one array task per run, then a dependent job writing the report)
#   --series strong|weak|both        (default both)
#   --grid NxM[xK]         strong: the global grid of every run; weak: the grid of the
#                          smallest run, whose first axis grows with the number of cores
#                          used (ranks x threads), so the cells per core stay the same
#                          (default 1024x1024)
#   --steps N              time steps per run (default 200)
#   --combos "RxT ..."     ranks x threads combinations (default: every R x T with R and T
#                          powers of two and R*T <= the cores here, e.g. "1x1 2x1 1x2" on 2)
#   --repeat N             runs of each combination; the report takes the median (default 3)
#   --out DIR              results folder (default scaling-YYYYmmdd-HHMMSS)
#   --heat PATH            the program (default build/release/examples/heat/tsr_heat)
#   --sbatch "OPTIONS"     slurm mode: options for every array task, e.g.
#                          "--partition=compute --time=00:10:00" (--exclusive is always added
#                          so no other job shares the node and disturbs the timing)
#   --nodes N              slurm mode: nodes per array task (default 1)
#   --no-report            do not run scaling_report.py at the end (local mode)
#
# Each run leaves in DIR: run-<series>-<R>x<T>-<k>.out (stdout), .json (--log-json) and .meta
# (series, ranks, threads, grid, steps). Binding: each rank gets T cores (mpirun --map-by
# slot:PE=T --bind-to core, srun --cpus-per-task=T --cpu-bind=cores) and its threads are
# OMP_PROC_BIND=close on them; combinations with more ranks x threads than cores run unbound
# and oversubscribed (fine for a smoke test, meaningless as a measurement).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
mode=local series=both grid=1024x1024 steps=200 combos='' repeat=3 out='' report=yes
heat=$root/build/release/examples/heat/tsr_heat sbatch_opts='' nodes=1 task=''
extra=()

die() {
  echo "scaling: $*" >&2
  exit 2
}
while (($#)); do
  case $1 in
  --mode) mode=$2 ;;
  --series) series=$2 ;;
  --grid) grid=$2 ;;
  --steps) steps=$2 ;;
  --combos) combos=$2 ;;
  --repeat) repeat=$2 ;;
  --out) out=$2 ;;
  --heat) heat=$2 ;;
  --sbatch) sbatch_opts=$2 ;;
  --nodes) nodes=$2 ;;
  --no-report) report=no && shift && continue ;;
  --task) task=$2 ;; # internal: run line SLURM_ARRAY_TASK_ID of DIR/plan.txt
  --) shift && extra=("$@") && break ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' && exit 0 ;;
  *) die "unknown option '$1' (see --help)" ;;
  esac
  (($# >= 2)) || die "option $1 needs a value"
  shift 2
done

# run_one SERIES R T K GRID LAUNCHER: one run of the plan, results into the current folder.
run_one() {
  local series=$1 r=$2 t=$3 k=$4 g=$5 launcher=$6 base cmd
  shift 6
  base=run-$series-${r}x$t-$k
  printf 'series=%s\nranks=%s\nthreads=%s\ngrid=%s\nsteps=%s\nrepeat=%s\nlauncher=%s\n' \
    "$series" "$r" "$t" "$g" "$steps" "$k" "$launcher" >"$base.meta"
  # TSR_OMP_PROC_BIND=false where the launcher cannot bind ranks (e.g. Slurm's task/none).
  export OMP_NUM_THREADS=$t OMP_PLACES=cores OMP_PROC_BIND=${TSR_OMP_PROC_BIND:-close}
  if [[ "$launcher" == srun ]]; then
    cmd=(srun --mpi=pmix -n "$r" --cpus-per-task="$t" --cpu-bind=cores)
  elif ((r * t <= cores)); then
    cmd=(mpirun -q -n "$r" --map-by "slot:PE=$t" --bind-to core -x OMP_NUM_THREADS -x OMP_PLACES
      -x OMP_PROC_BIND)
  else # oversubscribed: pinning would stack ranks and threads on the same cores
    export OMP_PROC_BIND=false
    cmd=(mpirun -q -n "$r" --oversubscribe --bind-to none -x OMP_NUM_THREADS -x OMP_PROC_BIND)
  fi
  if "${cmd[@]}" "$heat" --grid "$g" --steps "$steps" --threads "$t" --progress 0 --verbose 1 \
    --log-json "$base.json" "$@" </dev/null >"$base.out" 2>&1; then
    echo "scaling: $base: $(sed -n 's/^time per step: *//p' "$base.out")"
  else
    echo "scaling: $base FAILED (see $(pwd)/$base.out)" >&2
    return 1
  fi
}

# Array task (slurm mode): run the plan's line for this task.
if [[ -n "$task" ]]; then
  cd "$task"
  line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" plan.txt)
  [[ -n "$line" ]] || die "no line $SLURM_ARRAY_TASK_ID in $task/plan.txt"
  read -r -a words <<<"$line"
  steps=${words[5]}
  heat=${words[6]}
  run_one "${words[0]}" "${words[1]}" "${words[2]}" "${words[3]}" "${words[4]}" srun \
    "${words[@]:7}"
  exit
fi

[[ "$mode" == local || "$mode" == slurm ]] || die "--mode must be local or slurm"
[[ "$series" =~ ^(strong|weak|both)$ ]] || die "--series must be strong, weak or both"
[[ "$grid" =~ ^[0-9]+(x[0-9]+){0,2}$ ]] || die "--grid must look like 1024x1024"
[[ -x "$heat" ]] || die "no program $heat (build it: cmake --preset release && cmake --build --preset release)"
if [[ -z "$combos" ]]; then
  for ((r = 1; r <= cores; r *= 2)); do
    for ((t = 1; r * t <= cores; t *= 2)); do combos+="${r}x$t "; done
  done
fi
out=${out:-scaling-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
heat=$(cd "$(dirname "$heat")" && pwd)/$(basename "$heat")

# The plan: one line per run: series R T k grid steps heat [extra...]. The weak series scales
# the first axis of --grid by R*T / (R*T of its smallest combination).
min_workers=
for c in $combos; do
  [[ "$c" =~ ^[0-9]+x[0-9]+$ ]] || die "bad combination '$c' (want RANKSxTHREADS)"
  w=$((${c%x*} * ${c#*x}))
  ((min_workers == 0 || w < min_workers)) && min_workers=$w
done
: >"$out/plan.txt"
for s in strong weak; do
  [[ "$series" == both || "$series" == "$s" ]] || continue
  for c in $combos; do
    r=${c%x*} t=${c#*x}
    g=$grid
    if [[ "$s" == weak ]]; then
      first=${grid%%x*}
      rest=${grid#"$first"}
      g=$((first * r * t / min_workers))$rest
    fi
    for ((k = 1; k <= repeat; k++)); do
      echo "$s $r $t $k $g $steps $heat ${extra[*]}" >>"$out/plan.txt"
    done
  done
done
nruns=$(wc -l <"$out/plan.txt")
echo "scaling: $nruns runs ($series; combinations: $combos; $repeat each) into $out"

if [[ "$mode" == slurm ]]; then
  max_cpus=0
  for c in $combos; do
    w=$((${c%x*} * ${c#*x}))
    ((w > max_cpus)) && max_cpus=$w
  done
  # shellcheck disable=SC2086 # sbatch_opts is a word list
  array=$(sbatch --parsable --job-name=tsr-scaling --array="0-$((nruns - 1))" --exclusive \
    --nodes="$nodes" --ntasks="$max_cpus" --cpus-per-task=1 --output="$out/slurm-%A_%a.out" \
    $sbatch_opts --wrap "'$root/cluster/scaling.sh' --task '$out'")
  array=${array%%;*}
  # shellcheck disable=SC2086
  rep=$(sbatch --parsable --job-name=tsr-scaling-report --dependency="afterany:$array" \
    --ntasks=1 --output="$out/report.out" $sbatch_opts \
    --wrap "/usr/bin/python3 '$root/cluster/scaling_report.py' '$out'")
  echo "scaling: submitted array job $array ($nruns tasks) and report job ${rep%%;*}"
  echo "scaling: results in $out when job ${rep%%;*} has finished (squeue -j $array,${rep%%;*})"
  exit 0
fi

if ((EUID == 0)); then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
cd "$out"
failed=0
while read -r -a words; do
  steps=${words[5]}
  run_one "${words[0]}" "${words[1]}" "${words[2]}" "${words[3]}" "${words[4]}" mpirun \
    "${words[@]:7}" || failed=1
done <plan.txt
((failed == 0)) || die "some runs failed"
if [[ "$report" == yes ]]; then
  /usr/bin/python3 "$root/cluster/scaling_report.py" "$out"
fi
