#!/bin/bash
# ctx_probe_check.sh MODE NP PROBE: run the context probe under mpirun and check the outcome.
#   local:      rank NP-1 fails an allocation -> non-zero exit, its rank and a backtrace shown
#   collective: every rank fails a check -> exit 2 and the message exactly once
#   banner:     --banner -> one header line and one binding line per rank
set -u
mode=$1 np=$2 probe=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL ($mode, $np ranks): $*"; echo "--- output ---"; cat "$out"; exit 1; }
case $mode in
  local)
    timeout 60 mpirun -q -n "$np" "$probe" --fail-on-rank $((np - 1)) >"$out" 2>&1; rc=$?
    [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "exit code $rc, expected an abort"
    grep -q "\[rank $((np - 1))\] tessera: error (TSR_ERR_MEM): out of memory\|\[rank $((np - 1))\] tessera: error (TSR_ERR_MEM): cannot allocate" "$out" \
      || fail "no rank-local error line naming rank $((np - 1))"
    grep -q "  at tsr_malloc (.*mem.c:[0-9]*)" "$out" || fail "no traceback frame"
    grep -q "backtrace:" "$out" || fail "no backtrace" ;;
  collective)
    timeout 60 mpirun -q -n "$np" "$probe" --collective-error >"$out" 2>&1; rc=$?
    [ $rc -eq 2 ] || fail "exit code $rc, expected 2"
    n=$(grep -c "^tessera: error: value must be positive, got -5$" "$out")
    [ "$n" -eq 1 ] || fail "message printed $n times, expected once" ;;
  banner)
    # Unbound ranks without OMP_NUM_THREADS share the node's cores: nproc / np threads, at least 1.
    want=$(( $(nproc) / np )); [ "$want" -ge 1 ] || want=1
    timeout 60 env -u OMP_NUM_THREADS mpirun -q --bind-to none -n "$np" "$probe" --banner \
      >"$out" 2>&1; rc=$?
    [ $rc -eq 0 ] || fail "exit code $rc"
    grep -q "^Tessera .*: $np ranks x $want threads, MPI_THREAD_" "$out" \
      || fail "no header, or not $want threads per rank"
    for ((r = 0; r < np; r++)); do
      grep -q "^\[$r\] host .*, cpus [0-9]" "$out" || fail "no binding line for rank $r"
    done ;;
  *) fail "unknown mode" ;;
esac
echo "PASS ($mode, $np ranks)"
