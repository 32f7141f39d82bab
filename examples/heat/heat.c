/* tsr_heat: the heat equation u_t = kappa Laplacian(u) on the unit square or cube.
 *
 * Cell-centred finite volumes, the 5-point (2-D) or 7-point (3-D) Laplacian, forward Euler in
 * time, u = 0 on non-periodic faces. Each step is one application of the update operator,
 * which overlaps the halo exchange with the interior:
 *
 *   begin exchange -> update the interior (in chunks, the exchange progressing between them)
 *   -> end exchange -> fill boundary ghosts -> update the boundary shell; then swap old and new.
 *
 * The sweeps are the events "heat.interior" and "heat.shell" (declared flops and bytes);
 * `--log-view` prints the table of every event at the end, `--log-json FILE` writes it as JSON;
 * the closing report says how much of the exchange time the interior hid.
 *
 * At the end of every step the run writes a snapshot when due (`--out`, `--output-every`) and
 * a checkpoint when due or asked by a signal (`--checkpoint-*`); a signal or the time limit
 * stops the run there, to be continued with `--restart latest` up to the same `--steps`.
 *
 * Run `tsr_heat --help` for the options; e.g. `mpirun -n 4 tsr_heat --grid 512x512 --steps 200`.
 */
#include "heat_problem.h"

static tsr_err run(tsr_ctx ctx, int *exit_code) {
  heat_problem hp;
  tsr_grid grid = NULL;
  bool help = false;
  TSR_CALL(heat_problem_setup(ctx, &hp, &grid, &help));
  if (help) {
    TSR_CALL(heat_problem_destroy(&hp));
    return tsr_grid_destroy(&grid);
  }
  TSR_CALL(heat_print_setup(ctx, &hp));

  /* Two buffers of u, old and new, swapped every step. */
  tsr_field u[2];
  for (int s = 0; s < 2; s++)
    TSR_CALL(heat_field_create(grid, &u[s]));
  int old = 0; /* u[old] holds the state: the initial one, or a checkpoint's after --restart */
  TSR_CALL(tsr_field_fill(u[old], heat_initial_value, &hp));
  TSR_CALL(heat_start(ctx, &hp, u[old]));

  tsr_progress progress;
  TSR_CALL(tsr_progress_create(tsr_ctx_log(ctx), hp.first_step, hp.steps, &progress));
  TSR_CALL(tsr_progress_set_interval(progress, hp.progress_interval));
  tsr_stop_reason stop = TSR_STOP_NONE;
  int64_t step = hp.first_step;
  const double start = tsr_wtime();
  while (step < hp.steps && stop == TSR_STOP_NONE) {
    step++;
    const int new = 1 - old;
    TSR_CALL(tsr_op_apply(hp.update, u[old], u[new])); /* exchange, interior, shell */
    old = new;
    TSR_CALL(tsr_progress_update(progress, step, (double)step * hp.dt));
    TSR_CALL(heat_step_done(&hp, u, &old, step, &stop)); /* snapshot, checkpoint, stop? */
  }
  const double wall = tsr_wtime() - start;
  TSR_CALL(tsr_progress_destroy(&progress));

  TSR_CALL(heat_report(ctx, &hp, u[old], wall, stop));
  *exit_code = tsr_checkpoint_exit_code(hp.ckpt, stop);
  TSR_CALL(heat_problem_destroy(&hp));
  for (int s = 0; s < 2; s++)
    TSR_CALL(tsr_field_destroy(&u[s]));
  return tsr_grid_destroy(&grid);
}

int main(int argc, char **argv) {
  tsr_ctx ctx = NULL;
  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  int exit_code = 0; /* a run stopped by a signal or the time limit may ask for another */
  tsr_err err = run(ctx, &exit_code); /* errors end the run in the handler; this is a backstop */
  tsr_ctx_destroy(&ctx);
  return err == TSR_SUCCESS ? exit_code : 1;
}
