#!/usr/bin/env bash
# Check a modulefile template of cluster/packaging against a fake install prefix:
#   check_modulefile.sh lua|tcl MODULEFILE WORK_DIR
# 1. evaluate it with stubs of the module commands (check_modulefile.lua with lua5.4, or
#    check_modulefile.tcl with tclsh) and check the environment changes it asks for;
# 2. when Lmod is installed, also load it for real (`module load`) and check the variables.
# Exit 77 (skipped) when the interpreter is missing.
set -u
kind=$1 modulefile=$2 work=$3
rm -rf "$work"
mkdir -p "$work/prefix/bin" "$work/prefix/lib/pkgconfig" "$work/modulefiles/tessera"
prefix=$work/prefix

case "$kind" in
lua)
  lua=$(command -v lua5.4 || command -v lua5.3 || command -v lua || true)
  [[ -n "$lua" ]] || { echo "skipped: no lua5.4/lua5.3/lua (cluster/install-deps.sh installs lua5.4)"; exit 77; }
  "$lua" "$(dirname "$0")/check_modulefile.lua" "$modulefile" "$prefix" || exit 1
  sed "s|^local root = .*|local root = \"$prefix\"|" "$modulefile" >"$work/modulefiles/tessera/1.0.lua"
  ;;
tcl)
  command -v tclsh >/dev/null || { echo "skipped: no tclsh"; exit 77; }
  tclsh "$(dirname "$0")/check_modulefile.tcl" "$modulefile" "$prefix" || exit 1
  sed "s|^set root .*|set root $prefix|" "$modulefile" >"$work/modulefiles/tessera/1.0"
  ;;
*)
  echo "usage: $0 lua|tcl MODULEFILE WORK_DIR" >&2
  exit 2
  ;;
esac

lmod_init=/usr/share/lmod/lmod/init/bash
if [[ ! -f "$lmod_init" ]]; then
  echo "note: Lmod is not installed: the stub evaluation above is the whole check"
  exit 0
fi
# shellcheck disable=SC2016 # expanded by the inner shell
out=$(env -i PATH=/usr/bin:/bin HOME="$work" bash -c '
  source '"$lmod_init"' >/dev/null 2>&1
  module use '"$work/modulefiles"' && module load tessera/1.0 || exit 1
  echo "PATH=$PATH"; echo "TESSERA_ROOT=$TESSERA_ROOT"; echo "PKG_CONFIG_PATH=$PKG_CONFIG_PATH"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"; echo "CMAKE_PREFIX_PATH=$CMAKE_PREFIX_PATH"' 2>&1)
echo "Lmod: $out" | head -n 6
for want in "PATH=$prefix/bin:" "TESSERA_ROOT=$prefix" "PKG_CONFIG_PATH=$prefix/lib/pkgconfig" \
  "LD_LIBRARY_PATH=$prefix/lib" "CMAKE_PREFIX_PATH=$prefix"; do
  grep -q "^$want" <<<"$out" || { echo "FAIL: after 'module load' (Lmod) no $want"; exit 1; }
done
echo "ok   Lmod loads it and sets PATH, TESSERA_ROOT, PKG_CONFIG_PATH, LD_LIBRARY_PATH, CMAKE_PREFIX_PATH"
