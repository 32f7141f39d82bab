#!/usr/bin/env bash
# Run Tessera's benchmark programs over rank x thread combinations, collect their JSON in one
# folder and plot them:
#
#   cluster/bench.sh [OUTDIR]        (default: build/bench-results/<UTC time>)
#
# For each configuration PxT (P ranks of T threads; by default every P*T <= cores with P and T
# powers of two, e.g. 1x1 1x2 2x1 on 2 cores) it runs
#   tsr_bench_stencil          (triad reference, kernel sweeps, operator layer)
#   tsr_bench_stencil --prk    (Parallel Research Kernels' star stencil)
#   tsr_bench_halo             (Tessera's exchange against a hand-written one)
# writing OUTDIR/{stencil,prk,halo}_PxT.json and .txt, OUTDIR/machine.json, then
# cluster/plot_bench.py draws OUTDIR/*.png and OUTDIR/summary.md.
#
# Binding: one thread per rank runs pinned (--bind-to core); several threads per rank run with
# --bind-to none and OMP_PROC_BIND=close, OMP_PLACES=cores when there is one rank, and with
# --map-by slot:PE=T --bind-to core (each rank its own T cores, threads close inside) when
# there are several.
#
# Environment:
#   TSR_BENCH_CONFIGS   e.g. "1x1 2x1 1x2" (default: see above)
#   TSR_BENCH_REPEAT    repeats of each measurement (default 7)
#   TSR_BENCH_PRK_REPEAT repeats of the PRK run (default 3; each is 101 iterations)
#   TSR_BENCH_ARGS, TSR_BENCH_PRK_ARGS, TSR_BENCH_HALO_ARGS  extra arguments per program
#   TSR_BENCH_BUILD     build folder (default build/release, configured with the release preset)
#   TSR_BENCH_QUICK=1   tiny problems (a check that the pipeline works, not a measurement)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
out=${1:-$root/build/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
build=${TSR_BENCH_BUILD:-$root/build/release}
repeat=${TSR_BENCH_REPEAT:-7}
prk_repeat=${TSR_BENCH_PRK_REPEAT:-3}

"$root/cluster/install-deps.sh" python3-matplotlib

mkdir -p "$out" "$root/build"
log="$out/build.log"
if [[ -z "${TSR_BENCH_BUILD:-}" ]]; then
  configure=(cmake --preset release)
else
  configure=(cmake -S "$root" -B "$build")
fi
if ! (cd "$root" && "${configure[@]}" && cmake --build "$build" -j "$cores" \
  --target tsr_bench_stencil tsr_bench_halo) >"$log" 2>&1; then
  cat "$log" >&2
  echo "bench: the build failed (log: $log)" >&2
  exit 1
fi
bin="$build/examples/bench"

if [[ -n "${TSR_BENCH_CONFIGS:-}" ]]; then
  read -r -a configs <<<"$TSR_BENCH_CONFIGS"
else
  configs=()
  for ((p = 1; p <= cores; p *= 2)); do
    for ((t = 1; p * t <= cores; t *= 2)); do
      configs+=("${p}x${t}")
    done
  done
fi

stencil_args=(--repeat "$repeat")
prk_args=(--prk --repeat "$prk_repeat")
halo_args=(--repeat "$repeat")
if [[ "${TSR_BENCH_QUICK:-0}" == 1 ]]; then
  stencil_args+=(--triad-n 2000000 --grid3d 64 --grid2d 512)
  prk_args+=(--prk-n 500 --prk-iterations 10)
  halo_args+=(--sizes "16,32" --widths "1,2")
fi
# shellcheck disable=SC2206 # word splitting of the extra arguments is wanted
stencil_args+=(${TSR_BENCH_ARGS:-})
# shellcheck disable=SC2206
prk_args+=(${TSR_BENCH_PRK_ARGS:-})
# shellcheck disable=SC2206
halo_args+=(${TSR_BENCH_HALO_ARGS:-})

if ((EUID == 0)); then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
unset OMP_PROC_BIND OMP_PLACES

# launch P T PROGRAM ARGS...: mpirun with the binding described above.
launch() {
  local p=$1 t=$2
  shift 2
  local bind=(--bind-to core --map-by core)
  local env=(OMP_NUM_THREADS="$t")
  if ((t > 1)); then
    env+=(OMP_PROC_BIND=close OMP_PLACES=cores)
    if ((p == 1)); then
      bind=(--bind-to none)
    else
      bind=(--map-by "slot:PE=$t" --bind-to core)
    fi
  fi
  env "${env[@]}" mpirun -q -n "$p" "${bind[@]}" "$@"
}

# Machine facts for the plots' ceilings (peak flops estimate; see plot_bench.py).
mhz=$(awk -F: '/^cpu MHz/ {print $2; exit}' /proc/cpuinfo | tr -d ' ')
flags=$(awk -F: '/^flags/ {print $2; exit}' /proc/cpuinfo)
model=$(awk -F: '/^model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')
isa=sse2
[[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]] && isa=avx2-fma
[[ " $flags " == *" avx512f "* ]] && isa=avx512f
cat >"$out/machine.json" <<EOF
{"cores": $cores, "mhz": ${mhz:-0}, "cpu_isa": "$isa", "model": "$model",
 "build_flags": "$(grep -o 'CMAKE_C_FLAGS_RELEASE:STRING=.*' "$build/CMakeCache.txt" | cut -d= -f2-)",
 "native": "$(grep -o 'TSR_NATIVE:BOOL=.*' "$build/CMakeCache.txt" | cut -d= -f2-)",
 "configs": "${configs[*]}", "utc": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"}
EOF

for cfg in "${configs[@]}"; do
  p=${cfg%x*} t=${cfg#*x}
  echo "bench: ${p} ranks x ${t} threads"
  launch "$p" "$t" "$bin/tsr_bench_stencil" "${stencil_args[@]}" --json "$out/stencil_$cfg.json" \
    | tee "$out/stencil_$cfg.txt"
  launch "$p" "$t" "$bin/tsr_bench_stencil" "${prk_args[@]}" --json "$out/prk_$cfg.json" \
    | tee "$out/prk_$cfg.txt"
  launch "$p" "$t" "$bin/tsr_bench_halo" "${halo_args[@]}" --json "$out/halo_$cfg.json" \
    | tee "$out/halo_$cfg.txt"
done

/usr/bin/python3 "$root/cluster/plot_bench.py" "$out"
echo "bench: results in $out"
