# Helpers shared by the restart tests (sourced by bash scripts that set MPIEXEC and HEAT).
#   heat NP NT ARGS...       run tsr_heat under mpirun; sets $out (stdout and stderr) and $rc
#   fingerprint              the last "fingerprint: 0x..." of $out
#   report_lines             the lines of the closing report that do not depend on timing
#   check DESCRIPTION CMD... run CMD; "ok: ..." or "FAILED: ..." (and remember the failure)
#   has REGEX                $out holds a line matching the extended REGEX
#   ckpt_name STEP           the file name of the checkpoint of STEP
#   newest_ckpt DIR          the file name of the newest complete checkpoint in DIR
#   wait_for GLOB SECONDS    poll until a file matches GLOB; false on timeout or when the
#                            background job $job (if any) has ended
#   finish                   print the verdict and exit 0 or 1
# A background job left in $job is killed (ranks and mpirun) whenever the script exits.
failed=0
job=""

cleanup() {
  if [ -n "$job" ] && kill -0 "$job" 2>/dev/null; then
    # shellcheck disable=SC2046
    kill -9 $(pgrep -P "$job") "$job" 2>/dev/null
  fi
}
trap cleanup EXIT

wait_for() {
  local tries=$(($2 * 100))
  while [ "$tries" -gt 0 ]; do
    compgen -G "$1" >/dev/null && return 0
    if [ -n "$job" ] && ! kill -0 "$job" 2>/dev/null; then
      compgen -G "$1" >/dev/null
      return
    fi
    sleep 0.01
    tries=$((tries - 1))
  done
  return 1
}

heat() {
  local np=$1 nt=$2
  shift 2
  out=$("$MPIEXEC" -q -n "$np" "$HEAT" --threads "$nt" --verbose 0 "$@" 2>&1)
  rc=$?
}

fingerprint() {
  printf '%s\n' "$out" | sed -n 's/^fingerprint: \(0x[0-9a-f]\{16\}\)$/\1/p' | tail -n 1
}

report_lines() {
  printf '%s\n' "$out" | grep -E '^(steps|simulated time|sine max error|fingerprint):'
}

check() {
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAILED: $what" >&2
    printf '  last output (exit %s):\n%s\n' "${rc:-?}" "${out:-}" | sed 's/^/  | /' >&2
    failed=1
  fi
}

has() {
  printf '%s\n' "$out" | grep -Eq -- "$1"
}

ckpt_name() {
  printf 'ckpt_%09d.h5' "$1"
}

newest_ckpt() {
  (cd "$1" && compgen -G 'ckpt_*.h5' | sort | tail -n 1)
}

finish() {
  if [ "$failed" -ne 0 ]; then
    echo "FAILED: $(basename "$0")" >&2
    exit 1
  fi
  echo "all checks passed: $(basename "$0")"
  exit 0
}
