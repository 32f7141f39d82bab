/* Private body of tsr_poisson and the helpers the solvers share (cg.c, pcg_pipelined.c,
 * mg_*.c). */
#ifndef TESSERA_POISSON_IMPL_H
#define TESSERA_POISSON_IMPL_H

#include "tessera/kernels/poisson.h"
#include "tessera/reduce.h"

#include "poisson_kernels.h"

enum {
  POISSON_MAX_VEC = 32, /* vectors per operator */
  POISSON_MAX_SUMS = 4  /* sums per reduction */
};

/* A vector: its field, exchange plan and view. */
typedef struct {
  tsr_field field;
  tsr_halo halo;
  tsr_view view;
} poisson_vec;

/* A global sum of up to POISSON_MAX_SUMS values, possibly in flight. */
typedef struct {
  double *buf; /* plane partials (reproducible: all global planes; else the local ones) */
  int m;       /* sums per plane */
  tsr_reduce_req req;
  double local[POISSON_MAX_SUMS]; /* non-reproducible mode: this rank's totals, reduced */
  bool active;
} poisson_sumbuf;

/* Events of the solvers (--log-view), registered once per operator (same ids for all). */
typedef enum {
  PEV_APPLY,    /* "poisson.apply": y = A x (with fused sums) */
  PEV_RESIDUAL, /* "poisson.residual" */
  PEV_SMOOTH,   /* "mg.smooth": one smoothing step on any level */
  PEV_RESTRICT, /* "mg.restrict" */
  PEV_PROLONG,  /* "mg.prolong" */
  PEV_GATHER,   /* "mg.gather": the Allgatherv of a gathered level's right-hand side */
  PEV_UPDATE,   /* "krylov.update": the fused vector updates */
  PEV_COUNT
} poisson_event;

struct tsr_poisson_s {
  tsr_ctx ctx;
  tsr_events events;
  tsr_event ev[PEV_COUNT];
  tsr_grid grid;
  tsr_grid_info info;
  double h[3];
  bool h_set;
  double shift;
  bool is_setup;
  pk_coef coef;
  tsr_box owned;    /* local indices */
  tsr_box interior; /* cells whose stencil reads no ghost filled by a neighbour */
  tsr_box shell[2 * TSR_MAX_DIM];
  int nshell;
  bool reproducible;
  tsr_gidx nplanes; /* planes in a sum buffer */
  tsr_gidx k0;      /* plane of local k = 0 in the sum buffer */
  poisson_sumbuf sums[2];
  poisson_vec vec[POISSON_MAX_VEC];
  int nvec;
};

/* The vector record of field v, or an error naming it. */
tsr_err poisson_vec_get(tsr_poisson op, tsr_field v, poisson_vec **rec);

/* Start a sum: zero slot's buffer for m values per plane and return the pointer kernels add
 * their partials into (local k = 0). */
double *poisson_sum_partials(tsr_poisson op, int slot, int m);
/* Start reducing the slot's partials (split phase). */
tsr_err poisson_sum_begin(tsr_poisson op, int slot);
/* Finish: out[c] for c < m. */
tsr_err poisson_sum_end(tsr_poisson op, int slot, double *out);
/* Both. */
tsr_err poisson_sum(tsr_poisson op, int slot, double *out);

/* Kernel sweep kinds that poisson_sweep() overlaps with x's exchange. */
typedef enum {
  SWEEP_APPLY,    /* y = A x; partials x.y (and r.x, r.r with r) */
  SWEEP_RESIDUAL, /* y = b - A x; partials y.y */
  SWEEP_SMOOTH    /* y = x + beta (x - xp) + alpha D^-1 (b - A x); partials |b - A x|^2 */
} sweep_kind;

typedef struct {
  sweep_kind kind;
  const tsr_view *x, *y, *b, *xp, *r;
  double alpha, beta;
  double *partial; /* may be NULL */
} sweep_args;

/* Run a sweep over the owned cells, exchanging x's ghosts (plan @p halo, may be NULL: no
 * exchange) behind the interior. */
tsr_err poisson_sweep(tsr_poisson op, tsr_halo halo, const sweep_args *a);

/* Open and close one of the solver events. */
tsr_err poisson_event_begin(tsr_poisson op, poisson_event e);
tsr_err poisson_event_end(tsr_poisson op, poisson_event e);

/* Print one monitor line on rank 0. */
tsr_err poisson_monitor(tsr_poisson op, const char *who, int64_t it, double rnorm, double bnorm);

/* Decide whether to stop after computing rnorm at iteration it; sets info->status. */
bool poisson_converged(const tsr_solve_params *p, tsr_solve_info *info, int64_t it, double rnorm);

#endif
