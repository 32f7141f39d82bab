/* Private body of tsr_mg (mg_setup.c builds the hierarchy, mg_cycle.c runs the cycles). */
#ifndef TESSERA_MG_IMPL_H
#define TESSERA_MG_IMPL_H

#include "tessera/kernels/mg.h"

#include "poisson_impl.h"

enum {
  MG_MAX_LEVELS = 24,
  MG_MAX_STEPS = 20,        /* smoothing steps before or after the coarse correction */
  MG_MAX_BOTTOM_STEPS = 400 /* Chebyshev steps of the coarsest solve */
};

/* Chebyshev (or Jacobi) step coefficients: step s is x += beta[s] (x - x_prev) +
 * alpha[s] D^-1 (b - A x). */
typedef struct {
  int steps;
  double alpha[MG_MAX_BOTTOM_STEPS];
  double beta[MG_MAX_BOTTOM_STEPS];
} mg_poly;

/* Buffers of a level: P holds the level's solution at the end of a visit, Q is the other
 * smoothing buffer and the residual; B the right-hand side. */
typedef struct {
  tsr_view view;
  tsr_halo halo; /* NULL on gathered levels */
} mg_buf;

typedef struct {
  tsr_gidx n[3];
  bool distributed;
  tsr_grid grid;  /* distributed levels above 0: owned */
  tsr_poisson op; /* distributed: the level's operator (level 0: the user's, borrowed) */
  pk_coef coef;
  tsr_box owned; /* local indices */
  mg_buf P, Q, B;
  double *mem;    /* gathered levels: storage of P, Q, B */
  mg_poly smooth; /* pre/post steps use alpha[0..] */
  /* Gathered level below a distributed one: each rank restricts the coarse cells whose fine
   * node it owns (box mine), then all boxes are exchanged with MPI_Allgatherv. */
  bool gather;
  tsr_box mine;
  int nranks;
  tsr_box *boxes; /* every rank's box */
  int *counts, *displs;
  double *sendbuf, *recvbuf;
} mg_level;

struct tsr_mg_s {
  tsr_ctx ctx;
  tsr_poisson op;
  tsr_mg_cycle cycle;
  tsr_mg_smoother smoother;
  int pre, post;
  int max_levels;
  tsr_gidx gather_size;
  tsr_solve_params params;
  bool is_setup;
  int nlevels;
  mg_level level[MG_MAX_LEVELS];
  mg_poly bottom;
  tsr_field t0; /* level 0's Q */
};

/* Visit level l with the given cycle: on return the level's P holds its new iterate. zero:
 * the iterate starts at 0 (not read); else it is in P. pre_done > 0: that many pre-smoothing
 * steps were done already (tsr_mg_solve() does the first, which also gives the residual norm),
 * so the iterate is in Q when pre_done is odd. */
tsr_err mg_visit(tsr_mg mg, int l, tsr_mg_cycle cycle, bool zero, int pre_done);

/* Point level 0's P and B at the given vectors. */
tsr_err mg_bind_top(tsr_mg mg, tsr_field b, tsr_field x);

/* Run smoothing steps first..last-1 of poly on level l; *cur_q tells where the iterate is
 * (true: Q); zero means the iterate is 0 (not read). prr (may be NULL) receives the plane
 * partials of |b - A x|^2 of the first step. */
tsr_err mg_smooth(tsr_mg mg, int l, const mg_poly *poly, int first, int last, bool zero,
                  bool *cur_q, double *prr);

/* Chebyshev coefficients over [lo, hi] (eigenvalues of D^-1 A) for @p steps steps; a single
 * eigenvalue (lo == hi) gives steps of alpha = 1/hi, the exact solve. */
void mg_poly_chebyshev(mg_poly *p, double lo, double hi, int steps);

#endif
