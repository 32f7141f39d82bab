/* Shared by the comparison drivers: the reference problem's right-hand side and exact
 * solution, the slab decomposition, argument parsing and the report lines that
 * cluster/poisson-compare.sh reads (the same as tsr_poisson's). */
#ifndef TSR_POISSON_COMPARE_COMMON_H
#define TSR_POISSON_COMPARE_COMMON_H

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline double cmp_q(double t) {
  return t * (1.0 - t) * exp(t);
}

static inline double cmp_q2(double t) { /* q'' = -t (t + 3) e^t */
  return -t * (t + 3.0) * exp(t);
}

/* f = -Laplacian(u) at node (i, j, k) (1-based nodes: x = i / N). */
static inline double cmp_rhs(int i, int j, int k, int N) {
  const double x = (double)i / N, y = (double)j / N, z = (double)k / N;
  return -(cmp_q2(x) * cmp_q(y) * cmp_q(z) + cmp_q(x) * cmp_q2(y) * cmp_q(z) +
           cmp_q(x) * cmp_q(y) * cmp_q2(z));
}

static inline double cmp_exact(int i, int j, int k, int N) {
  return cmp_q((double)i / N) * cmp_q((double)j / N) * cmp_q((double)k / N);
}

/* --grid N from argv (default 128). */
static inline int cmp_grid(int argc, char **argv) {
  for (int a = 1; a + 1 < argc; a++)
    if (!strcmp(argv[a], "--grid")) return atoi(argv[a + 1]);
  return 128;
}

/* This rank's planes [lo, hi) of the n = N - 1 unknown planes along z (n/p or n/p + 1 each,
 * the larger first: Tessera's split). */
static inline void cmp_slab(int n, int rank, int size, int *lo, int *hi) {
  const int q = n / size, s = n % size;
  *lo = rank * q + (rank < s ? rank : s);
  *hi = *lo + q + (rank < s);
}

static inline void cmp_report(int rank, const char *name, int its, double rel, double setup,
                              double solve, double err) {
  if (rank) return;
  printf("poisson: solver %s\n", name);
  printf("poisson: iterations %d, residual reduction %.3e\n", its, rel);
  printf("poisson: setup %.4f s, solve %.4f s, total %.4f s\n", setup, solve, setup + solve);
  printf("poisson: max error %.6e\n", err);
}

#endif
