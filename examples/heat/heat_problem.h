/* The heat problem's set-up, initial conditions, update operator, snapshots, checkpoints and
 * restart, and closing report: the plumbing that keeps heat.c a page of algorithm. */
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
  int64_t steps;            /* the final step (--steps); a restarted run ends there too */
  int64_t first_step;       /* the step the run starts from: 0, or the restart's step */
  heat_ic ic;               /* initial condition */
  double progress_interval; /* seconds between progress lines */
  tsr_heat_coef coef;       /* kernel coefficients kappa dt / h^2 */
  tsr_io_writer writer;     /* snapshots of u (--out, --output-every) */
  bool output;              /* --output-every > 0: the writer is set up and writes */
  tsr_checkpoint ckpt;      /* checkpoints, restart and stops (--checkpoint-*, --restart) */
  tsr_op update;            /* the step u_old -> u_new, exchange overlapped (--op-*) */
  /* Saved with every checkpoint and restored by a restart: the parameters a continued run
   * must share (checked at restart; the checkpoint module checks the grid itself). */
  double saved_dt, saved_kappa;
  int64_t saved_ic;
} heat_problem;

/* Read the options (the program's, the grid's, the snapshot writer's and the checkpoints'),
 * create and set up the grid, and derive h, dt and the coefficients. *stop is true after
 * --help. Collective. */
tsr_err heat_problem_setup(tsr_ctx ctx, heat_problem *hp, tsr_grid *grid, bool *stop);

/* Destroy the update operator, the writer and the checkpointing (restoring the signal
 * handlers). Not collective. */
tsr_err heat_problem_destroy(heat_problem *hp);

/* Set up checkpoints, and snapshots when --output-every asks for them, of the state held in
 * @p u (the initial state) and, with --restart, load a checkpoint into @p u: hp->first_step
 * becomes its step. Prints the restart; refuses a checkpoint made with another kappa, dt or
 * initial condition; writes the snapshot of the initial state of a fresh run. Both folders are
 * checked here, before the first step. Collective. */
tsr_err heat_start(tsr_ctx ctx, heat_problem *hp, tsr_field u);

/* End of step @p step, whose state is in u[*state] (u[0] and u[1] are both named "u"): write
 * the snapshot when due (from u[0]: the state is copied there first if needed, and *state
 * becomes 0), point the checkpoint at u[*state] and agree on a checkpoint and on stopping
 * (tsr_checkpoint_step). *stop is the reason to end the run now. Collective. */
tsr_err heat_step_done(heat_problem *hp, const tsr_field u[2], int *state, int64_t step,
                       tsr_stop_reason *stop);

/* Create a ghosted field named "u" (width 1, Dirichlet 0 on non-periodic faces). */
tsr_err heat_field_create(tsr_grid grid, tsr_field *field);

/* Initial value of a cell (a tsr_field_init_fn; user is the heat_problem). */
double heat_initial_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user);

/* Print the run header on rank 0: grid, process grid, tile sizes, ghost width, ranks x threads
 * and CPU binding. Collective (the binding summary gathers every rank's). */
tsr_err heat_print_setup(tsr_ctx ctx, const heat_problem *hp);

/* Print the closing report of the final field @p u after @p wall seconds on rank 0: steps,
 * times, rate (of the steps this run took), communication share and imbalance of the update
 * (from the events), the fingerprint and, for the sine initial condition, the errors against
 * the exact discrete and continuous solutions. Nothing when @p stop is not TSR_STOP_NONE: the
 * run was stopped to be resumed, and the checkpoint module printed where and how.
 * Collective. */
tsr_err heat_report(tsr_ctx ctx, const heat_problem *hp, tsr_field u, double wall,
                    tsr_stop_reason stop);

#endif
