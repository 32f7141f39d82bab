#!/bin/bash
# expect_exit.sh NP CODE [CHECK]... -- PROGRAM [ARGS...]
# Run PROGRAM on NP ranks under mpirun ($TSR_MPIEXEC, default mpirun) and pass when it exits
# with CODE and every check holds on its combined stdout and stderr:
#   --once REGEX       exactly one line matches the extended regular expression REGEX
#   --none REGEX       no line matches
#   --count N REGEX    exactly N lines match
# A collective error must be printed once (by rank 0), whatever the number of ranks.
set -u
np=$1 code=$2
shift 2
checks=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --once) checks+=("1" "$2"); shift 2 ;;
    --none) checks+=("0" "$2"); shift 2 ;;
    --count) checks+=("$2" "$3"); shift 3 ;;
    *) echo "expect_exit.sh: unknown check '$1'"; exit 1 ;;
  esac
done
[ $# -gt 1 ] && [ "$1" = "--" ] || { echo "expect_exit.sh: missing -- PROGRAM"; exit 1; }
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 60 "${TSR_MPIEXEC:-mpirun}" -q -n "$np" "$@" >"$out" 2>&1
rc=$?
problems=()
[ "$rc" -eq "$code" ] || problems+=("exit code $rc, expected $code")
for ((i = 0; i < ${#checks[@]}; i += 2)); do
  want=${checks[i]} regex=${checks[i + 1]}
  n=$(grep -cE -- "$regex" "$out")
  [ "$n" -eq "$want" ] || problems+=("$n lines match '$regex', expected $want")
done
if [ ${#problems[@]} -gt 0 ]; then
  echo "FAIL: $* on $np ranks:"
  printf '  %s\n' "${problems[@]}"
  echo "--- output ---"
  cat "$out"
  exit 1
fi
echo "PASS: $* on $np ranks"
