#!/bin/bash
# expect_exit_grid.sh NP CODE REGEX PROGRAM [ARGS...]
# Run PROGRAM on NP ranks; pass when it exits with CODE and exactly one output line matches
# the extended regular expression REGEX (a collective error is printed once, by rank 0).
set -u
np=$1 code=$2 regex=$3
shift 3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 60 mpirun -q -n "$np" "$@" >"$out" 2>&1
rc=$?
n=$(grep -cE -- "$regex" "$out")
if [ "$rc" -ne "$code" ] || [ "$n" -ne 1 ]; then
  echo "FAIL: $* on $np ranks: exit code $rc (expected $code), $n lines match '$regex' (expected 1)"
  echo "--- output ---"
  cat "$out"
  exit 1
fi
echo "PASS: $* on $np ranks"
