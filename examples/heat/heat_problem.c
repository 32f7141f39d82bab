/* Options, initial conditions, the interior/shell split and the report of tsr_heat. */
#include "heat_problem.h"

#include <math.h>

static const char *const ic_names[] = {"sine", "gauss", "hash"};

/* The program's own options; the grid reads --grid, --dim, --procs and --periodic. */
static tsr_err read_options(tsr_options opts, heat_problem *hp, double *dt_given) {
  int ic;
  TSR_CALL(tsr_options_get_int(opts, "steps", "time steps to take", 100, 0, INT64_MAX, &hp->steps));
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

tsr_err heat_problem_setup(tsr_ctx ctx, heat_problem *hp, tsr_grid *grid, bool *stop) {
  const tsr_gidx default_size[TSR_MAX_DIM] = {256, 256, 1};
  double dt_given;
  *hp = (heat_problem){0};
  TSR_CALL(tsr_grid_create(ctx, 2, default_size, grid));
  TSR_CALL(tsr_grid_set_from_options(*grid));
  TSR_CALL(read_options(tsr_ctx_options(ctx), hp, &dt_given));
  TSR_CALL(tsr_options_finish(tsr_ctx_options(ctx), stop));
  if (*stop) return TSR_SUCCESS;
  TSR_CALL(tsr_grid_setup(*grid));
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
  return TSR_SUCCESS;
}

tsr_err heat_field_create(tsr_grid grid, const char *name, tsr_field *field, tsr_halo *halo) {
  TSR_CALL(tsr_field_create(grid, name, 1, 1, field));
  for (int face = 0; face < 2 * TSR_MAX_DIM; face++) /* periodic faces are ignored */
    TSR_CALL(tsr_field_set_boundary(*field, face, TSR_BC_DIRICHLET, 0.0, NULL, NULL));
  TSR_CALL(tsr_field_setup(*field));
  TSR_CALL(tsr_halo_create(grid, halo));
  TSR_CALL(tsr_halo_add_field(*halo, *field));
  TSR_CALL(tsr_halo_set_shape(*halo, TSR_SHAPE_STAR));
  TSR_CALL(tsr_halo_setup(*halo));
  return TSR_SUCCESS;
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

tsr_err heat_split_tile(const heat_problem *hp, tsr_box *interior, tsr_box shell[2 * TSR_MAX_DIM],
                        int *nshell) {
  const int dim = hp->grid.dim;
  tsr_gidx n[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++)
    n[a] = tsr_box_extent(&hp->grid.owned, a);
  tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  const int shrink[TSR_MAX_DIM] = {-1, dim > 1 ? -1 : 0, dim > 2 ? -1 : 0};
  *interior = tsr_box_grow(&whole, shrink);

  /* Slab pair of axis a: the first and last layer along a, restricted to the interior range
   * on the axes before a (those cells belong to earlier slabs), whole on the axes after. */
  int count = 0;
  for (int a = 0; a < dim; a++) {
    tsr_box slab = whole;
    for (int b = 0; b < a; b++) {
      slab.lo[b] = interior->lo[b];
      slab.hi[b] = interior->hi[b];
    }
    tsr_box low = slab, high = slab;
    low.hi[a] = 1;
    high.lo[a] = n[a] > 2 ? n[a] - 1 : 1; /* a one-cell tile has only the low layer */
    if (!tsr_box_is_empty(&low)) shell[count++] = low;
    if (!tsr_box_is_empty(&high)) shell[count++] = high;
  }
  /* The pieces lie in the tile; equal volumes mean they cover it exactly once. */
  tsr_gidx volume = tsr_box_volume(interior);
  for (int s = 0; s < count; s++)
    volume += tsr_box_volume(&shell[s]);
  if (volume != tsr_box_volume(&whole))
    TSR_ERROR_LOCAL(TSR_ERR_INTERNAL, "heat: interior and shell hold %lld cells, the tile %lld",
                    (long long)volume, (long long)tsr_box_volume(&whole));
  *nshell = count;
  return TSR_SUCCESS;
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

tsr_err heat_events_setup(tsr_ctx ctx, heat_events *ev) {
  ev->events = tsr_ctx_events(ctx);
  TSR_CALL(tsr_event_register(ev->events, "heat.update", TSR_EVENT_COMPUTE, &ev->update));
  TSR_CALL(tsr_events_set_active(ev->events, true));
  return TSR_SUCCESS;
}

tsr_err heat_event_begin(const heat_events *ev) {
  return tsr_event_begin(ev->events, ev->update);
}

tsr_err heat_event_end(const heat_events *ev, const heat_problem *hp, const tsr_box *boxes,
                       int nbox) {
  double cells = 0;
  for (int b = 0; b < nbox; b++)
    cells += (double)tsr_box_volume(&boxes[b]);
  TSR_CALL(tsr_event_add_flops(ev->events, ev->update, 5.0 * hp->grid.dim * cells));
  TSR_CALL(tsr_event_add_bytes_moved(ev->events, ev->update, 16.0 * cells));
  return tsr_event_end(ev->events, ev->update);
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

tsr_err heat_report(tsr_ctx ctx, const heat_problem *hp, tsr_field u, double wall) {
  double slowest;
  TSR_CALL(tsr_reduce(ctx, TSR_MAX, &wall, &slowest, 1));
  uint64_t fingerprint;
  TSR_CALL(tsr_field_fingerprint(u, &fingerprint));
  const double cells = (double)hp->grid.n[0] * (double)hp->grid.n[1] * (double)hp->grid.n[2];
  const double steps = (double)hp->steps;
  tsr_log log = tsr_ctx_log(ctx);
  TSR_CALL(tsr_log_printf(log, 0, "steps:           %lld\n", (long long)hp->steps));
  TSR_CALL(tsr_log_printf(log, 0, "simulated time:  %.9g\n", steps * hp->dt));
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
  if (sum.main_imbalance > 0)
    TSR_CALL(tsr_log_printf(log, 0,
                            "imbalance:       %s max/min %.3f over ranks, slowest rank %d\n",
                            sum.main_event, sum.main_imbalance, sum.slowest_rank));
  if (hp->ic == HEAT_IC_SINE) TSR_CALL(report_sine(ctx, hp, u));
  TSR_CALL(tsr_log_printf(log, 0, "fingerprint: 0x%016llx\n", (unsigned long long)fingerprint));
  return TSR_SUCCESS;
}
