#!/usr/bin/env bash
# Run Tessera's whole test suite, as CI does:
#   1. preset ci-release: optimised build with -Werror, every test (unit, MPI, install);
#   2. preset ci-asan: AddressSanitizer + UndefinedBehaviorSanitizer build, every test again
#      (MPI tests included) so memory errors and undefined behaviour fail the run.
# Build folders: build/ci-release and build/ci-asan in the repository. Works from any folder.
# Exits 0 only when both builds and all their tests pass. Installs missing packages first.
#
# Environment: TSR_TEST_JOBS  tests run at once by ctest (default 2);
#              TSR_BUILD_JOBS compile jobs (default: number of cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/cluster/install-deps.sh"

test_jobs=${TSR_TEST_JOBS:-2}
build_jobs=${TSR_BUILD_JOBS:-$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)}
summary=()
failed=0

# run_preset NAME: configure, build and test one preset; record one summary line.
run_preset() {
  local preset=$1 start step=configure counts=
  rm -f "build/$preset/Testing/Temporary/LastTestsFailed.log"
  start=$(date +%s)
  echo "==> [$preset] configure"
  if cmake --preset "$preset" >"build/$preset.configure.log" 2>&1; then
    step="build"
    echo "==> [$preset] build"
    if cmake --build --preset "$preset" -j "$build_jobs"; then
      step="test"
      echo "==> [$preset] test"
      if ctest --test-dir "build/$preset" -j "$test_jobs" --output-on-failure --no-tests=error |
        tee "build/$preset.test.log"; then
        step=
      fi
      counts=$(grep -E '^[0-9]+% tests passed' "build/$preset.test.log" || true)
    fi
  else
    cat "build/$preset.configure.log"
  fi
  local secs=$(($(date +%s) - start))
  if [[ -z "$step" ]]; then
    summary+=("$(printf '  %-11s PASS  (%d s) %s' "$preset" "$secs" "$counts")")
  else
    summary+=("$(printf '  %-11s FAIL  at %s (%d s) %s' "$preset" "$step" "$secs" "$counts")")
    failed=1
    # Name the failed tests (ctest lists them as "number:name").
    local list="build/$preset/Testing/Temporary/LastTestsFailed.log"
    if [[ "$step" == test && -f "$list" ]]; then
      while IFS=: read -r _ name; do
        summary+=("                failed: $name")
      done <"$list"
    fi
  fi
}

mkdir -p build
total_start=$(date +%s)
run_preset ci-release
run_preset ci-asan

echo
echo "==> Tessera test summary ($(($(date +%s) - total_start)) s)"
printf '%s\n' "${summary[@]}"
if ((failed)); then
  echo "==> FAILED"
  exit 1
fi
echo "==> ALL PASSED"
