/* The reference problem of tsr_poisson: -Laplacian(u) = f on the unit cube, u = 0 on the
 * boundary, u = q(x) q(y) q(z) with q(t) = t (1 - t) e^t, vertex-centred with N intervals per
 * axis (N - 1 unknowns). */
#ifndef TSR_POISSON_PROBLEM_H
#define TSR_POISSON_PROBLEM_H

#include "tessera_kernels.h"

typedef enum { SOLVER_CG = 0, SOLVER_PIPECG = 1, SOLVER_MG = 2 } poisson_solver;

/* Options and the manufactured solution's tables. */
typedef struct {
  tsr_gidx N[3];            /* intervals per axis */
  int procs[3];             /* process grid (0: choose) */
  poisson_solver solver;    /* --solver */
  tsr_pc_type pc;           /* --pc */
  tsr_mg_cycle cycle;       /* --mg-cycle */
  tsr_mg_smoother smoother; /* --mg-smoother */
  int pre, post;            /* --mg-pre, --mg-post */
  int levels;               /* --mg-levels */
  tsr_gidx gather;          /* --mg-gather */
  tsr_solve_params params;  /* --rtol --atol --max-it --monitor */
  double *q[3], *q2[3];     /* q and q'' at the nodes of each axis (index i: node i + 1) */
} poisson_problem;

/* Read the options; *stop on --help. Collective. */
tsr_err poisson_read_options(tsr_ctx ctx, poisson_problem *pp, bool *stop);

/* Tabulate q and q'' per axis. */
tsr_err poisson_tables(poisson_problem *pp);
void poisson_tables_free(poisson_problem *pp);

/* b = f at the unknowns. */
double poisson_rhs_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user);

/* Max |x - u| over the grid. Collective. */
tsr_err poisson_max_error(tsr_ctx ctx, const poisson_problem *pp, tsr_field x, double *err);

#endif
