/* tsr_heat: the heat equation u_t = kappa Laplacian(u) on the unit square or cube.
 *
 * Cell-centred finite volumes, the 5-point (2-D) or 7-point (3-D) Laplacian, forward Euler in
 * time, u = 0 on non-periodic faces. Each step overlaps the halo exchange with the interior:
 *
 *   begin exchange -> update the interior -> end exchange -> fill boundary ghosts
 *   -> update the boundary shell -> swap old and new.
 *
 * The sweeps are the event "heat.update" (declared flops and bytes); `--log-view` prints the
 * table of every event at the end, `--log-json FILE` writes it as JSON.
 *
 * Run `tsr_heat --help` for the options; e.g. `mpirun -n 4 tsr_heat --grid 512x512 --steps 200`.
 */
#include "heat_problem.h"

static tsr_err run(tsr_ctx ctx) {
  heat_problem hp;
  tsr_grid grid = NULL;
  bool stop = false;
  TSR_CALL(heat_problem_setup(ctx, &hp, &grid, &stop));
  if (stop) return tsr_grid_destroy(&grid); /* --help */
  TSR_CALL(heat_print_setup(ctx, &hp));
  heat_events ev;
  TSR_CALL(heat_events_setup(ctx, &ev));

  /* Two fields, old and new, swapped every step; one exchange plan each. */
  tsr_field u[2];
  tsr_halo halo[2];
  tsr_view view[2];
  for (int s = 0; s < 2; s++) {
    TSR_CALL(heat_field_create(grid, s == 0 ? "u" : "u_next", &u[s], &halo[s]));
    TSR_CALL(tsr_field_get_view(u[s], 0, &view[s]));
  }
  TSR_CALL(tsr_field_fill(u[0], heat_initial_value, &hp));

  tsr_box interior, shell[2 * TSR_MAX_DIM];
  int nshell;
  TSR_CALL(heat_split_tile(&hp, &interior, shell, &nshell));

  tsr_progress progress;
  TSR_CALL(tsr_progress_create(tsr_ctx_log(ctx), 0, hp.steps, &progress));
  TSR_CALL(tsr_progress_set_interval(progress, hp.progress_interval));
  int old = 0;
  const double start = tsr_wtime();
  for (int64_t step = 1; step <= hp.steps; step++) {
    const int new = 1 - old;
    TSR_CALL(tsr_halo_begin(halo[old]));
    TSR_CALL(heat_event_begin(&ev));
    TSR_CALL(tsr_stencil_heat(&view[old], &view[new], &hp.coef, &interior));
    TSR_CALL(heat_event_end(&ev, &hp, &interior, 1));
    TSR_CALL(tsr_halo_end(halo[old]));
    TSR_CALL(tsr_field_fill_boundary(u[old]));
    TSR_CALL(heat_event_begin(&ev));
    for (int s = 0; s < nshell; s++)
      TSR_CALL(tsr_stencil_heat(&view[old], &view[new], &hp.coef, &shell[s]));
    TSR_CALL(heat_event_end(&ev, &hp, shell, nshell));
    old = new;
    TSR_CALL(tsr_progress_update(progress, step, (double)step * hp.dt));
  }
  const double wall = tsr_wtime() - start;
  TSR_CALL(tsr_progress_destroy(&progress));

  TSR_CALL(heat_report(ctx, &hp, u[old], wall));
  for (int s = 0; s < 2; s++) {
    TSR_CALL(tsr_halo_destroy(&halo[s]));
    TSR_CALL(tsr_field_destroy(&u[s]));
  }
  return tsr_grid_destroy(&grid);
}

int main(int argc, char **argv) {
  tsr_ctx ctx = NULL;
  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  tsr_err err = run(ctx); /* errors end the run in the context's handler; this is a backstop */
  tsr_ctx_destroy(&ctx);
  return err == TSR_SUCCESS ? 0 : 1;
}
