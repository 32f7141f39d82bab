/* Options, initial conditions, the update operator, snapshots, checkpoints and restart,
 * and the report of tsr_heat. */
#include "heat_problem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ic_names[] = {"sine", "gauss", "hash"};

/* The program's own options; the grid reads --grid, --dim, --procs and --periodic. */
static tsr_err read_options(tsr_options opts, heat_problem *hp, double *dt_given) {
  int ic;
  TSR_CALL(tsr_options_get_int(opts, "steps",
                               "the final step: time steps to take from the start (a restarted "
                               "run continues up to it)",
                               100, 0, INT64_MAX, &hp->steps));
  TSR_CALL(tsr_options_get_real(opts, "kappa", "diffusivity", 1.0, 1e-12, 1e12, &hp->kappa));
  TSR_CALL(tsr_options_get_real(opts, "dt",
                                "time step; 0 means 0.9 of the forward-Euler limit "
                                "h^2/(2 dim kappa)",
                                0.0, 0.0, 1e12, dt_given));
  TSR_CALL(tsr_options_get_enum(opts, "ic",
                                "initial condition: sine (product of sin(m pi x), m = 1 on "
                                "Dirichlet axes, 2 on periodic ones: an exact discrete "
                                "eigenmode), gauss (a bump in the centre), hash (pseudo-random "
                                "from the global cell index)",
                                ic_names, 3, HEAT_IC_SINE, &ic));
  hp->ic = (heat_ic)ic;
  TSR_CALL(tsr_options_get_real(opts, "progress", "seconds between progress lines (0: every step)",
                                1.0, 0.0, 1e9, &hp->progress_interval));
  return TSR_SUCCESS;
}

/* The update operator's kernel: one forward-Euler step on a box of cells. */
static tsr_err heat_kernel(const tsr_op_views *v, const tsr_box *box, void *user) {
  const heat_problem *hp = user;
  return tsr_stencil_heat(&v->in[0], &v->out[0], &hp->coef, box);
}

tsr_err heat_problem_setup(tsr_ctx ctx, heat_problem *hp, tsr_grid *grid, bool *stop) {
  const tsr_gidx default_size[TSR_MAX_DIM] = {256, 256, 1};
  double dt_given;
  *hp = (heat_problem){0};
  TSR_CALL(tsr_grid_create(ctx, 2, default_size, grid));
  TSR_CALL(tsr_grid_set_from_options(*grid));
  TSR_CALL(read_options(tsr_ctx_options(ctx), hp, &dt_given));
  /* The writer and the checkpoints need a set-up grid, and must read their options before
   * tsr_options_finish() so that --help lists them and they count as known. */
  TSR_CALL(tsr_grid_setup(*grid));
  TSR_CALL(tsr_io_writer_create(*grid, "heat", &hp->writer));
  TSR_CALL(tsr_io_writer_set_from_options(hp->writer));
  TSR_CALL(tsr_checkpoint_create(*grid, &hp->ckpt));
  TSR_CALL(tsr_checkpoint_set_from_options(hp->ckpt));
  TSR_CALL(tsr_op_create(*grid, &hp->update));
  TSR_CALL(tsr_op_set_from_options(hp->update)); /* --op-overlap, --op-chunks, --halo-box ... */
  TSR_CALL(tsr_options_finish(tsr_ctx_options(ctx), stop));
  if (*stop) return TSR_SUCCESS;
  TSR_CALL(tsr_grid_get_info(*grid, &hp->grid));

  /* Forward Euler is stable for dt * kappa * sum_a 4/h_a^2 <= 2. */
  double inv_h2 = 0;
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    hp->h[a] = 1.0 / (double)hp->grid.n[a];
    if (a < hp->grid.dim) inv_h2 += 1.0 / (hp->h[a] * hp->h[a]);
  }
  hp->dt_stable = 1.0 / (2.0 * hp->kappa * inv_h2);
  hp->dt = dt_given > 0 ? dt_given : 0.9 * hp->dt_stable;
  hp->coef.dim = hp->grid.dim;
  for (int a = 0; a < hp->grid.dim; a++)
    hp->coef.c[a] = hp->kappa * hp->dt / (hp->h[a] * hp->h[a]);

  /* The update as an operator "heat" (events heat.interior, heat.shell, heat.progress): it
   * overlaps the exchange of the old state with the interior. 5 flops per axis per cell (2u,
   * two adds, the product by c and the sum); 16 bytes per cell (read u once, write once). */
  TSR_CALL(tsr_op_set_name(hp->update, "heat"));
  TSR_CALL(tsr_op_set_kernel(hp->update, heat_kernel, hp));
  TSR_CALL(tsr_op_set_work(hp->update, 5.0 * hp->grid.dim, 16.0));
  TSR_CALL(tsr_op_setup(hp->update));
  /* Events on for the whole run (a few clock reads per step), so the closing report gives
   * the communication share even without --log-view. */
  return tsr_events_set_active(tsr_ctx_events(ctx), true);
}

tsr_err heat_problem_destroy(heat_problem *hp) {
  TSR_CALL(tsr_op_destroy(&hp->update));
  TSR_CALL(tsr_checkpoint_destroy(&hp->ckpt));
  return tsr_io_writer_destroy(&hp->writer);
}

/* ---- snapshots, checkpoints, restart ------------------------------------------------------ */

/* The value of option @p option as the command line gives it: an --ic name, or a number in
 * the fewest digits that read back as @p x. */
static void describe(const char *option, double x, char *buf, size_t size) {
  if (strcmp(option, "ic") == 0) {
    snprintf(buf, size, "%s", x >= 0 && x < 3 ? ic_names[(int)x] : "?");
  } else {
    for (int digits = 6; digits <= 17; digits++) {
      snprintf(buf, size, "%.*g", digits, x);
      if (strtod(buf, NULL) == x) return;
    }
  }
}

/* Refuse to continue a run made with other parameters: its steps would not be this run's.
 * (The checkpoint module checks the grid: size, dim and periodicity, and the fields.) kappa
 * before dt: the default dt follows from kappa. */
static tsr_err check_continues(const heat_problem *hp, const char *path) {
  struct {
    const char *option;
    double saved, given;
  } params[] = {{"kappa", hp->saved_kappa, hp->kappa},
                {"dt", hp->saved_dt, hp->dt},
                {"ic", (double)hp->saved_ic, (double)hp->ic}};
  for (size_t p = 0; p < sizeof params / sizeof params[0]; p++) {
    if (params[p].saved == params[p].given) continue;
    char saved[64], given[64];
    describe(params[p].option, params[p].saved, saved, sizeof saved);
    describe(params[p].option, params[p].given, given, sizeof given);
    TSR_ERROR(TSR_ERR_OPTION,
              "heat: checkpoint '%s' was written by a run with --%s %s, but this run has --%s %s: "
              "a restart continues the same run, so give it the same --%s (or start afresh "
              "without --restart)",
              path, params[p].option, saved, params[p].option, given, params[p].option);
  }
  return TSR_SUCCESS;
}

/* What a checkpoint holds besides the step and time: the state u (whichever buffer holds it:
 * heat_step_done() points the checkpoint at it) and the parameters. */
static tsr_err register_state(heat_problem *hp, tsr_field u) {
  hp->saved_dt = hp->dt;
  hp->saved_kappa = hp->kappa;
  hp->saved_ic = hp->ic;
  TSR_CALL(tsr_checkpoint_add_field(hp->ckpt, u));
  TSR_CALL(tsr_checkpoint_add_real(hp->ckpt, "dt", &hp->saved_dt));
  TSR_CALL(tsr_checkpoint_add_real(hp->ckpt, "kappa", &hp->saved_kappa));
  return tsr_checkpoint_add_int(hp->ckpt, "ic", &hp->saved_ic);
}

tsr_err heat_start(tsr_ctx ctx, heat_problem *hp, tsr_field u) {
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(register_state(hp, u));
  TSR_CALL(tsr_checkpoint_setup(hp->ckpt)); /* the folder is checked before the first step */
  tsr_restart_info info;
  TSR_CALL(tsr_checkpoint_restart(hp->ckpt, &info));
  if (info.restarted) {
    TSR_CALL(check_continues(hp, info.path));
    hp->first_step = info.step;
    TSR_CALL(tsr_log_printf(log, 0, "restarted from %s at step %lld (skipped %d damaged)\n",
                            info.path, (long long)info.step, info.skipped));
    if (info.step > hp->steps) {
      TSR_CALL(tsr_log_printf(log, 0,
                              "heat: the checkpoint is at step %lld, beyond --steps %lld: no "
                              "step to take\n",
                              (long long)info.step, (long long)hp->steps));
      hp->steps = info.step;
    }
  }
  /* Step 0 is due whenever there is a cadence: without one, no folder is made. */
  TSR_CALL(tsr_io_writer_is_due(hp->writer, 0, &hp->output));
  if (!hp->output) return TSR_SUCCESS;
  TSR_CALL(tsr_io_writer_add_field(hp->writer, u));
  TSR_CALL(tsr_io_writer_set_first_step(hp->writer, info.restarted ? info.step : -1));
  TSR_CALL(tsr_io_writer_setup(hp->writer)); /* the folder is checked before the first step */
  if (!info.restarted) TSR_CALL(tsr_io_writer_write(hp->writer, 0, 0.0));
  return TSR_SUCCESS;
}

tsr_err heat_step_done(heat_problem *hp, const tsr_field u[2], int *state, int64_t step,
                       tsr_stop_reason *stop) {
  const double time = (double)step * hp->dt;
  bool due = false;
  if (hp->output) TSR_CALL(tsr_io_writer_is_due(hp->writer, step, &due));
  if (due && *state != 0) { /* snapshots are written from u[0]: a copy on output steps only */
    TSR_CALL(tsr_field_copy(u[1], u[0]));
    *state = 0;
  }
  if (due) TSR_CALL(tsr_io_writer_write(hp->writer, step, time));
  TSR_CALL(tsr_checkpoint_set_field(hp->ckpt, 0, u[*state])); /* a checkpoint saves the state */
  return tsr_checkpoint_step(hp->ckpt, step, time, stop);
}

tsr_err heat_field_create(tsr_grid grid, tsr_field *field) {
  TSR_CALL(tsr_field_create(grid, "u", 1, 1, field));
  for (int face = 0; face < 2 * TSR_MAX_DIM; face++) /* periodic faces are ignored */
    TSR_CALL(tsr_field_set_boundary(*field, face, TSR_BC_DIRICHLET, 0.0, NULL, NULL));
  return tsr_field_setup(*field);
}

/* Wave number of the sine mode on axis a: sin(pi x) vanishes on both faces of [0, 1];
 * a periodic axis needs a whole period, sin(2 pi x). */
static double sine_mode(const heat_problem *hp, int a) {
  return (hp->grid.periodic[a] ? 2.0 : 1.0) * M_PI;
}

static double sine_value(const heat_problem *hp, const tsr_gidx idx[TSR_MAX_DIM]) {
  double v = 1.0;
  for (int a = 0; a < hp->grid.dim; a++)
    v *= sin(sine_mode(hp, a) * ((double)idx[a] + 0.5) * hp->h[a]);
  return v;
}

/* splitmix64: a well-mixed 64-bit hash, so "hash" depends on the global index alone. */
static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double heat_initial_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  const heat_problem *hp = user;
  switch (hp->ic) {
  case HEAT_IC_SINE:
    return sine_value(hp, idx);
  case HEAT_IC_GAUSS: {
    const double width = 0.1;
    double r2 = 0;
    for (int a = 0; a < hp->grid.dim; a++) {
      double x = ((double)idx[a] + 0.5) * hp->h[a] - 0.5;
      r2 += x * x;
    }
    return exp(-r2 / (2 * width * width));
  }
  case HEAT_IC_HASH:
  default: {
    const tsr_gidx *n = hp->grid.n;
    uint64_t linear = (uint64_t)(idx[0] + n[0] * (idx[1] + n[1] * idx[2]));
    return (double)(mix64(linear) >> 11) * 0x1.0p-53; /* uniform in [0, 1) */
  }
  }
}

tsr_err heat_print_setup(tsr_ctx ctx, const heat_problem *hp) {
  const tsr_grid_info *g = &hp->grid;
  char size[96], procs[64], periodic[16];
  int ls = 0, lp = 0;
  for (int a = 0; a < g->dim; a++) {
    ls += snprintf(size + ls, sizeof size - (size_t)ls, "%s%lld", a ? "x" : "", (long long)g->n[a]);
    lp += snprintf(procs + lp, sizeof procs - (size_t)lp, "%s%d", a ? "x" : "", g->procs[a]);
    periodic[a] = g->periodic[a] ? 'p' : '-';
  }
  periodic[g->dim] = '\0';
  char tiles[128], binding[128];
  int lt = 0;
  for (int a = 0; a < g->dim; a++)
    lt += snprintf(tiles + lt, sizeof tiles - (size_t)lt, "%s%lld..%lld", a ? " x " : "",
                   (long long)g->tile_min[a], (long long)g->tile_max[a]);
  TSR_CALL(tsr_ctx_binding_summary(ctx, binding, sizeof binding));
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(tsr_log_printf(log, 1,
                          "heat: %d-D grid %s (periodic axes: %s), %d ranks as %s, %d threads "
                          "per rank\n",
                          g->dim, size, periodic, g->size, procs, tsr_ctx_num_threads(ctx)));
  TSR_CALL(tsr_log_printf(log, 1,
                          "heat: tiles %s cells, ghost width 1, %d ranks x %d threads, %s\n", tiles,
                          g->size, tsr_ctx_num_threads(ctx), binding));
  TSR_CALL(tsr_log_printf(log, 1,
                          "heat: ic %s, kappa %g, dt %.6g (%.3g of the stable limit), %lld "
                          "steps\n",
                          ic_names[hp->ic], hp->kappa, hp->dt, hp->dt / hp->dt_stable,
                          (long long)hp->steps));
  if (hp->dt > hp->dt_stable)
    TSR_CALL(tsr_log_printf(log, 0, "heat: warning: dt %g exceeds the stable limit %g\n", hp->dt,
                            hp->dt_stable));
  return TSR_SUCCESS;
}

/* Max errors of @p u against the sine mode with amplitudes @p amp[0] (exact discrete) and
 * @p amp[1] (continuous), and the max of each exact solution, over all ranks. */
static tsr_err sine_errors(tsr_ctx ctx, const heat_problem *hp, tsr_field u, const double amp[2],
                           double result[4]) {
  tsr_view v;
  TSR_CALL(tsr_field_get_view(u, 0, &v));
  double local[4] = {0, 0, 0, 0}; /* error discrete, error continuous, max of each exact */
  for (int k = 0; k < v.n[2]; k++)
    for (int j = 0; j < v.n[1]; j++)
      for (int i = 0; i < v.n[0]; i++) {
        const tsr_gidx idx[TSR_MAX_DIM] = {v.box.lo[0] + i, v.box.lo[1] + j, v.box.lo[2] + k};
        const double mode = sine_value(hp, idx), value = TSR_VIEW_AT(v, i, j, k);
        for (int e = 0; e < 2; e++) {
          local[e] = fmax(local[e], fabs(value - amp[e] * mode));
          local[2 + e] = fmax(local[2 + e], fabs(amp[e] * mode));
        }
      }
  return tsr_reduce(ctx, TSR_MAX, local, result, 4);
}

/* Print the sine errors: the discrete solution u0 (1 - dt kappa lambda_h)^steps, with
 * lambda_h = sum_a (4/h_a^2) sin^2(m_a h_a / 2), and the continuous u0 exp(-kappa t sum m_a^2). */
static tsr_err report_sine(tsr_ctx ctx, const heat_problem *hp, tsr_field u) {
  double lambda_h = 0, lambda = 0;
  for (int a = 0; a < hp->grid.dim; a++) {
    const double m = sine_mode(hp, a), s = sin(m * hp->h[a] / 2);
    lambda_h += 4.0 / (hp->h[a] * hp->h[a]) * s * s;
    lambda += m * m;
  }
  const double t = (double)hp->steps * hp->dt;
  const double amp[2] = {pow(1.0 - hp->dt * hp->kappa * lambda_h, (double)hp->steps),
                         exp(-hp->kappa * lambda * t)};
  double r[4];
  TSR_CALL(sine_errors(ctx, hp, u, amp, r));
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(tsr_log_printf(log, 0, "sine max error vs discrete solution:   %.6e (relative %.6e)\n",
                          r[0], r[2] > 0 ? r[0] / r[2] : 0.0));
  TSR_CALL(tsr_log_printf(log, 0, "sine max error vs continuous solution: %.6e (relative %.6e)\n",
                          r[1], r[3] > 0 ? r[1] / r[3] : 0.0));
  return TSR_SUCCESS;
}

tsr_err heat_report(tsr_ctx ctx, const heat_problem *hp, tsr_field u, double wall,
                    tsr_stop_reason stop) {
  if (stop != TSR_STOP_NONE) return TSR_SUCCESS; /* tsr_checkpoint_step() said where and how */
  double slowest;
  TSR_CALL(tsr_reduce(ctx, TSR_MAX, &wall, &slowest, 1));
  uint64_t fingerprint;
  TSR_CALL(tsr_field_fingerprint(u, &fingerprint));
  const double cells = (double)hp->grid.n[0] * (double)hp->grid.n[1] * (double)hp->grid.n[2];
  const double steps = (double)(hp->steps - hp->first_step); /* taken by this run */
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(tsr_log_printf(log, 0, "steps:           %lld\n", (long long)hp->steps));
  TSR_CALL(tsr_log_printf(log, 0, "simulated time:  %.9g\n", (double)hp->steps * hp->dt));
  TSR_CALL(tsr_log_printf(log, 0, "wall time:       %.6f s\n", slowest));
  TSR_CALL(tsr_log_printf(log, 0, "time per step:   %.6e s\n", steps > 0 ? slowest / steps : 0.0));
  TSR_CALL(tsr_log_printf(log, 0, "cell updates/s:  %.4e\n",
                          slowest > 0 ? cells * steps / slowest : 0.0));
  tsr_event_summary sum;
  TSR_CALL(tsr_events_get_summary(tsr_ctx_events(ctx), &sum));
  TSR_CALL(tsr_log_printf(log, 0,
                          "communication:   %.1f %% of run time (halo + reductions, avg "
                          "over ranks)\n",
                          100 * sum.comm_share));
  TSR_CALL(tsr_op_print_summary(hp->update, 0)); /* how much of the exchange was hidden */
  if (sum.main_imbalance > 0)
    TSR_CALL(tsr_log_printf(log, 0,
                            "imbalance:       %s max/min %.3f over ranks, slowest rank %d\n",
                            sum.main_event, sum.main_imbalance, sum.slowest_rank));
  if (hp->ic == HEAT_IC_SINE) TSR_CALL(report_sine(ctx, hp, u));
  TSR_CALL(tsr_log_printf(log, 0, "fingerprint: 0x%016llx\n", (unsigned long long)fingerprint));
  return TSR_SUCCESS;
}
