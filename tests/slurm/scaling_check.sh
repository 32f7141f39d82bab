#!/usr/bin/env bash
# Smoke test of the scaling study: cluster/scaling.sh on tiny sizes (2 combinations, both
# series, 1 repeat), then check that cluster/scaling_report.py wrote a CSV with one row per
# series and combination, a JSON with every run, and the three plots (PNG files).
#
# usage: scaling_check.sh local|slurm TSR_HEAT CLUSTER_DIR WORK_DIR [SLURM_DIR]
#   local: runs with mpirun here; slurm: submits the job array (and report job) to the local
#   Slurm of SLURM_DIR (cluster/slurm-local.sh) and waits for them. Exit 77: no Slurm.
set -u
mode=$1 heat=$2 cluster=$3 work=$4 slurm_dir=${5:-}
rm -rf "$work"
mkdir -p "$work"
args=(--heat "$heat" --grid 32x24 --steps 20 --repeat 1 --combos "1x1 2x1" --out "$work/study")

if [[ "$mode" == slurm ]]; then
  if [[ ! -f "$slurm_dir/slurm.conf" ]]; then
    echo "skipped: no local Slurm in $slurm_dir (the slurm.setup test skipped or failed)"
    exit 77
  fi
  export SLURM_CONF=$slurm_dir/slurm.conf
  out=$("$cluster/scaling.sh" --mode slurm "${args[@]}") || {
    echo "FAIL: scaling.sh --mode slurm: $out"
    exit 1
  }
  echo "$out"
  report_job=$(sed -n 's/.*and report job \([0-9]*\).*/\1/p' <<<"$out")
  [[ -n "$report_job" ]] || { echo "FAIL: no report job submitted"; exit 1; }
  for ((i = 0; i < 600; i++)); do
    state=$(scontrol show job -o "$report_job" 2>/dev/null | tr ' ' '\n' | sed -n 's/^JobState=//p')
    [[ "$state" == PENDING || "$state" == RUNNING || "$state" == CONFIGURING ||
      "$state" == COMPLETING ]] || break
    sleep 0.2
  done
  echo "report job $report_job: $state"
  cat "$work/study/report.out" 2>/dev/null
  [[ "$state" == COMPLETED ]] || { echo "FAIL: report job $report_job ended $state"; exit 1; }
else
  "$cluster/scaling.sh" "${args[@]}" || { echo "FAIL: scaling.sh exited $?"; exit 1; }
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
d=$work/study
rows=$(($(wc -l <"$d/scaling.csv" 2>/dev/null || echo 0) - 1))
[[ "$rows" == 4 ]] || fail "scaling.csv has $rows rows, expected 4 (2 series x 2 combinations)"
for s in strong weak; do
  for c in "1,1" "2,1"; do
    grep -q "^$s,$c," "$d/scaling.csv" || fail "scaling.csv lacks the row $s ranks,threads $c"
  done
done
grep -q '^weak,2,1,2,64x24,' "$d/scaling.csv" || fail "the weak series did not double the grid"
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "tessera-scaling" and len(d["runs"]) == 4 and len(d["rows"]) == 4, d
for r in d["rows"]:
    assert r["time_per_step_s"] > 0 and r["efficiency"] > 0, r
' "$d/scaling.json" || fail "scaling.json is not as expected"
for p in time efficiency comm; do
  f=$d/scaling-$p.png
  if [[ "$(head -c 8 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]]; then
    fail "$f is missing or not a PNG"
  fi
done
((failures == 0)) || exit 1
echo "scaling study ($mode): CSV, JSON and 3 plots written"
