#!/bin/sh
# cluster/poisson-compare.sh end to end on small grids: the table must list both Tessera
# solvers at every N, and every row (hypre's and PETSc's too, when their optional drivers are
# built) must give the same maximum error to 3 significant digits, with a finite time.
#
# usage: poisson_compare_check.sh SOURCE_DIR BUILD_DIR
set -u
src=$1 build=$2
grids="16 32"
# The test runs what the build made; it must never make the script configure a build itself.
if [ ! -x "$build/examples/poisson/tsr_poisson" ]; then
  echo "$build/examples/poisson/tsr_poisson is not built" >&2
  exit 1
fi
out=$("$src/cluster/poisson-compare.sh" --build "$build" --grids "$grids" --repeat 1 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
  echo "poisson-compare.sh exited $rc" >&2
  exit 1
fi
failed=0
for n in $grids; do
  for solver in tessera.mg-f tessera.cg+mg-v; do
    if ! printf '%s\n' "$out" | awk -v s="$solver" -v n="$n" '$1 == s && $2 == n { f = 1 }
        END { exit !f }'; then
      echo "no row for $solver at N = $n" >&2
      failed=1
    fi
  done
  # Rows: solver N its setup solve total error ...; every error at this N within 5e-4
  # (relative) of the first row's.
  if ! printf '%s\n' "$out" | awk -v n="$n" '
      $2 == n && $1 ~ /^(tessera|hypre|petsc)/ {
        rows++
        if ($6 <= 0 || $4 < 0 || $5 < 0) bad = bad " " $1 ":time"
        if (rows == 1) ref = $7
        else if (!(ref > 0) || ($7 - ref) / ref > 5e-4 || (ref - $7) / ref > 5e-4)
          bad = bad " " $1 ":" $7 "!=" ref
      }
      END { if (rows < 2 || bad != "") { print "N = " n ":" bad > "/dev/stderr"; exit 1 } }'; then
    failed=1
  fi
done
exit $failed
