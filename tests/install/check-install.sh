#!/usr/bin/env bash
# Install tests: does an installed Tessera work for a program outside the source tree?
#
#   check-install.sh install   BUILD_DIR WORK_DIR
#       Install BUILD_DIR into WORK_DIR/staging, then move it to WORK_DIR/prefix, so the
#       consumers below also prove the installed CMake package and tessera.pc relocatable.
#   check-install.sh cmake     WORK_DIR LIBDIR CC MPIEXEC VERSION
#       Build tests/install/consumer with find_package(Tessera) and run it on 2 ranks.
#   check-install.sh pkgconfig WORK_DIR LIBDIR CC MPIEXEC VERSION
#       Compile consumer/main.c with CC and `pkg-config --cflags --libs tessera` alone, run it.
#
# LIBDIR is the install libdir relative to the prefix (CMAKE_INSTALL_LIBDIR). mpirun's root
# and oversubscription settings come from the environment (ctest sets them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)

fail() {
  echo "check-install: FAIL: $*" >&2
  exit 1
}

# quietly LOG CMD...: run CMD with its output in LOG, printed only when CMD fails.
quietly() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "command failed: $*"
  fi
}

do_install() {
  local build=$1 work=$2
  rm -rf "$work/staging" "$work/prefix"
  mkdir -p "$work"
  quietly "$work/install.log" cmake --install "$build" --prefix "$work/staging"
  mv "$work/staging" "$work/prefix"
  # Nothing installed may point back into the source or build tree.
  if grep -rIl -e "$source_dir" -e "$(cd "$build" && pwd)" "$work/prefix"; then
    fail "the installed files above name the source or build folder"
  fi
  echo "installed into $work/prefix"
}

# check_run VERSION EXE: run EXE on 2 ranks; rank 0 must print exactly one line saying that
# 2 ranks own all the cells of the grid.
check_run() {
  local version=$1 exe=$2 out lines
  out=$("$mpiexec" -q -n 2 "$exe") || fail "$exe exited with $?: $out"
  echo "$out"
  lines=$(grep -c '^tessera .* consumer:' <<<"$out" || true)
  [[ "$lines" == 1 ]] || fail "expected one consumer line from rank 0, got $lines"
  local re="^tessera ${version//./\\.} consumer: 2 ranks, grid ([0-9]+)x([0-9]+) split [0-9]+x[0-9]+, ([0-9]+) of ([0-9]+) cells owned$"
  [[ "$out" =~ $re ]] || fail "output does not match: $re"
  local nx=${BASH_REMATCH[1]} ny=${BASH_REMATCH[2]} owned=${BASH_REMATCH[3]} total=${BASH_REMATCH[4]}
  ((total == nx * ny)) || fail "total cells $total is not $nx x $ny"
  ((owned == total)) || fail "the ranks own $owned cells, not all $total"
}

do_cmake() {
  local work=$1 libdir=$2 cc=$3 version=$5 prefix=$1/prefix build=$1/cmake-consumer
  rm -rf "$build"
  quietly "$build.configure.log" cmake -S "$here/consumer" -B "$build" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  local found
  found=$(sed -n 's/^Tessera_DIR:PATH=//p' "$build/CMakeCache.txt")
  [[ "$found" == "$prefix/$libdir/cmake/Tessera" ]] || fail "find_package found Tessera in '$found'"
  quietly "$build.build.log" cmake --build "$build"
  check_run "$version" "$build/tsr_consumer"
}

do_pkgconfig() {
  local work=$1 libdir=$2 cc=$3 version=$5 prefix=$1/prefix out=$1/pkgconfig-consumer
  export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
  local pc_prefix cflags libs
  pc_prefix=$(pkg-config --variable=prefix tessera) || fail "pkg-config does not find tessera"
  [[ "$(cd "$pc_prefix" && pwd -P)" == "$(cd "$prefix" && pwd -P)" ]] ||
    fail "tessera.pc says prefix=$pc_prefix, installed in $prefix"
  [[ "$(pkg-config --modversion tessera)" == "$version" ]] || fail "tessera.pc version"
  cflags=$(pkg-config --cflags tessera)
  libs=$(pkg-config --libs tessera)
  echo "pkg-config --cflags --libs tessera: $cflags $libs"
  # Word splitting of the flags is intended: that is how a Makefile would use them.
  # shellcheck disable=SC2086
  quietly "$out.build.log" "$cc" $cflags "$here/consumer/main.c" -o "$out" $libs
  check_run "$version" "$out"
}

mode=${1:-}
shift || true
case "$mode" in
  install) do_install "$@" ;;
  cmake | pkgconfig)
    (($# == 5)) || fail "usage: $0 $mode WORK_DIR LIBDIR CC MPIEXEC VERSION"
    mpiexec=$4
    "do_$mode" "$@"
    ;;
  *) fail "usage: $0 install|cmake|pkgconfig ..." ;;
esac
