/* The heat problem's set-up, initial conditions, tile split and closing report: the plumbing
 * that keeps heat.c a page of algorithm. */
#ifndef HEAT_PROBLEM_H
#define HEAT_PROBLEM_H

#include "tessera_kernels.h"

/* Initial conditions (--ic). */
typedef enum { HEAT_IC_SINE = 0, HEAT_IC_GAUSS = 1, HEAT_IC_HASH = 2 } heat_ic;

typedef struct {
  tsr_grid_info grid;       /* decomposition of the set-up grid */
  double h[TSR_MAX_DIM];    /* cell widths on the unit square / cube */
  double kappa;             /* diffusivity */
  double dt;                /* time step */
  double dt_stable;         /* forward-Euler limit 1 / (2 kappa sum 1/h^2) */
  int64_t steps;            /* steps to take */
  heat_ic ic;               /* initial condition */
  double progress_interval; /* seconds between progress lines */
  tsr_heat_coef coef;       /* kernel coefficients kappa dt / h^2 */
} heat_problem;

/* Read the options, create and set up the grid, and derive h, dt and the coefficients.
 * *stop is true after --help. Collective. */
tsr_err heat_problem_setup(tsr_ctx ctx, heat_problem *hp, tsr_grid *grid, bool *stop);

/* Create a ghosted field (width 1, Dirichlet 0 on non-periodic faces) and its star halo plan. */
tsr_err heat_field_create(tsr_grid grid, const char *name, tsr_field *field, tsr_halo *halo);

/* Initial value of a cell (a tsr_field_init_fn; user is the heat_problem). */
double heat_initial_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user);

/* Split the owned tile (local indices) into the interior, whose stencil needs no ghost, and
 * *nshell (up to 6) slabs covering the rest of the tile exactly once. */
tsr_err heat_split_tile(const heat_problem *hp, tsr_box *interior, tsr_box shell[2 * TSR_MAX_DIM],
                        int *nshell);

/* The "heat.update" event of the stencil sweeps. Collection is switched on for the run (a few
 * clock reads per step) so the closing report can give the communication share even without
 * --log-view. */
typedef struct {
  tsr_events events;
  tsr_event update;
} heat_events;

/* Register "heat.update" and switch collection on. Not collective. */
tsr_err heat_events_setup(tsr_ctx ctx, heat_events *ev);

/* Open "heat.update". Not collective. */
tsr_err heat_event_begin(const heat_events *ev);

/* Close "heat.update" after sweeping @p nbox boxes, declaring their flops (5 per axis per
 * cell: 2u, two adds, the product by c and the sum) and bytes (16 per cell: read u once and
 * write out once, the ideal of a cache-blocked sweep). Not collective. */
tsr_err heat_event_end(const heat_events *ev, const heat_problem *hp, const tsr_box *boxes,
                       int nbox);

/* Print the run header on rank 0: grid, process grid, tile sizes, ghost width, ranks x threads
 * and CPU binding. Collective (the binding summary gathers every rank's). */
tsr_err heat_print_setup(tsr_ctx ctx, const heat_problem *hp);

/* Print the closing report of the final field @p u after @p wall seconds on rank 0: steps,
 * times, rate, communication share and imbalance of the update (from the events), the
 * fingerprint and, for the sine initial condition, the errors against the exact discrete and
 * continuous solutions. Collective. */
tsr_err heat_report(tsr_ctx ctx, const heat_problem *hp, tsr_field u, double wall);

#endif
