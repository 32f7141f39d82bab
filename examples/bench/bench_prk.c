/* The PRK 2-D star stencil on a Tessera grid (see bench_prk.h for the rules). */
#include "bench_prk.h"

#include <math.h>

tsr_err bench_prk_read_options(tsr_options opts, bench_prk_options *o) {
  TSR_CALL(tsr_options_get_int(opts, "prk-n", "PRK stencil: grid edge n (n x n points)", 8000, 5,
                               INT64_MAX / 4, &o->n));
  TSR_CALL(tsr_options_get_int(opts, "prk-iterations",
                               "PRK stencil: timed iterations (plus one untimed warm-up)", 100, 1,
                               1000000, &o->iterations));
  TSR_CALL(tsr_options_get_int(opts, "prk-radius", "PRK stencil: star radius r", 2, 1,
                               TSR_STENCIL_MAX_RADIUS, &o->radius));
  return TSR_SUCCESS;
}

typedef struct {
  tsr_ctx ctx;
  const bench_prk_options *o;
  tsr_grid grid;
  tsr_grid_info info;
  tsr_field in, out;
  tsr_view vin, vout;
  tsr_halo halo;
  tsr_stencil minus_star; /* -A, so that out - (-A) in = out + A in */
  tsr_box active;         /* local cells at least r from the grid's edge */
} prk;

static double prk_initial(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  return (double)(idx[0] + idx[1]); /* cx i + cy j with cx = cy = 1 */
}

static double prk_zero(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  return 0.0;
}

static tsr_err prk_setup(tsr_ctx ctx, const bench_prk_options *o, prk *p) {
  *p = (prk){.ctx = ctx, .o = o};
  const int r = (int)o->radius;
  const tsr_gidx n[TSR_MAX_DIM] = {o->n, o->n, 1};
  TSR_CALL(tsr_grid_create(ctx, 2, n, &p->grid));
  TSR_CALL(tsr_grid_set_ghost_width(p->grid, r));
  TSR_CALL(tsr_grid_setup(p->grid));
  TSR_CALL(tsr_grid_get_info(p->grid, &p->info));
  TSR_CALL(tsr_field_create(p->grid, "in", 1, r, &p->in));
  TSR_CALL(tsr_field_create(p->grid, "out", 1, 0, &p->out));
  TSR_CALL(tsr_field_setup(p->in));
  TSR_CALL(tsr_field_setup(p->out));
  TSR_CALL(tsr_field_get_view(p->in, 0, &p->vin));
  TSR_CALL(tsr_field_get_view(p->out, 0, &p->vout));
  TSR_CALL(tsr_halo_create(p->grid, &p->halo));
  TSR_CALL(tsr_halo_add_field(p->halo, p->in));
  TSR_CALL(tsr_halo_set_shape(p->halo, TSR_SHAPE_STAR));
  TSR_CALL(tsr_halo_set_width(p->halo, r));
  TSR_CALL(tsr_halo_setup(p->halo));

  /* PRK's weights along each axis: +-1/(2 d r) at offsets +-d, 0 in the centre. */
  double w[2 * (2 * TSR_STENCIL_MAX_RADIUS + 1)] = {0};
  for (int a = 0; a < 2; a++)
    for (int d = 1; d <= r; d++) {
      w[a * (2 * r + 1) + r + d] = 1.0 / (2.0 * d * r);
      w[a * (2 * r + 1) + r - d] = -1.0 / (2.0 * d * r);
    }
  TSR_CALL(tsr_stencil_star(2, r, w, &p->minus_star));
  TSR_CALL(tsr_stencil_scale(&p->minus_star, -1.0));

  const tsr_box *own = &p->info.owned;
  p->active = (tsr_box){{0, 0, 0}, {0, 0, 1}};
  for (int a = 0; a < 2; a++) {
    const tsr_gidx lo = own->lo[a] > r ? own->lo[a] : r;
    const tsr_gidx hi = own->hi[a] < o->n - r ? own->hi[a] : o->n - r;
    p->active.lo[a] = lo - own->lo[a];
    p->active.hi[a] = hi > lo ? hi - own->lo[a] : lo - own->lo[a];
  }
  return TSR_SUCCESS;
}

static tsr_err prk_destroy(prk *p) {
  TSR_CALL(tsr_halo_destroy(&p->halo));
  TSR_CALL(tsr_field_destroy(&p->out));
  TSR_CALL(tsr_field_destroy(&p->in));
  return tsr_grid_destroy(&p->grid);
}

/* in += 1 on every owned point, rows shared with the first-touch schedule. */
static void add_one(const tsr_view *v) {
  const int ni = v->n[0], nj = v->n[1];
  double *data = v->data;
  const ptrdiff_t sj = v->sj;
  TSR_OMP(parallel for schedule(static))
  for (int j = 0; j < nj; j++)
    for (int i = 0; i < ni; i++)
      data[i + j * sj] += 1.0;
}

static double l1_norm_local(const tsr_view *v, const tsr_box *b) {
  double sum = 0.0;
  TSR_OMP(parallel for schedule(static) reduction(+ : sum))
  for (tsr_gidx j = b->lo[1]; j < b->hi[1]; j++)
    for (tsr_gidx i = b->lo[0]; i < b->hi[0]; i++)
      sum += fabs(TSR_VIEW_AT(*v, i, j, 0));
  return sum;
}

/* One PRK run: warm-up iteration, then the timed ones; returns the time and the norm. */
static tsr_err prk_once(prk *p, double *seconds, double *norm) {
  TSR_CALL(tsr_field_fill(p->in, prk_initial, NULL));
  TSR_CALL(tsr_field_fill(p->out, prk_zero, NULL));
  double t0 = 0.0;
  for (int64_t iter = 0; iter <= p->o->iterations; iter++) {
    if (iter == 1) {
      TSR_CALL(bench_barrier(p->ctx));
      t0 = tsr_wtime();
    }
    TSR_CALL(tsr_halo_exchange(p->halo));
    if (!tsr_box_is_empty(&p->active))
      TSR_CALL(tsr_stencil_residual(&p->minus_star, &p->vout, &p->vin, &p->vout, &p->active));
    add_one(&p->vin);
  }
  TSR_CALL(bench_max(p->ctx, tsr_wtime() - t0, seconds));
  TSR_CALL(bench_sum(p->ctx, l1_norm_local(&p->vout, &p->active), norm));
  const double active = (double)(p->o->n - 2 * p->o->radius) * (double)(p->o->n - 2 * p->o->radius);
  *norm /= active;
  return TSR_SUCCESS;
}

tsr_err bench_prk_run(tsr_ctx ctx, const bench_common *common, const bench_prk_options *o,
                      bench_report *rep) {
  TSR_CHECK(o->n > 2 * o->radius, TSR_ERR_OPTION, "--prk-n %lld must exceed twice the radius %lld",
            (long long)o->n, (long long)o->radius);
  prk p;
  TSR_CALL(prk_setup(ctx, o, &p));
  const int repeat = common->repeat;
  double *t, norm = 0.0;
  TSR_CALL(TSR_MALLOC(repeat, &t));
  bool ok = true;
  const double reference = (double)(o->iterations + 1) * 2.0;
  for (int r = 0; r < repeat; r++) {
    TSR_CALL(prk_once(&p, &t[r], &norm));
    ok = ok && fabs(norm - reference) <= 1e-8;
    t[r] /= (double)o->iterations; /* mean time per iteration */
  }
  const double active = (double)(o->n - 2 * o->radius) * (double)(o->n - 2 * o->radius);
  const double flops = (double)(2 * (4 * o->radius + 1) + 1) * active;
  const double points = (double)o->n * (double)o->n;

  char name[32];
  snprintf(name, sizeof(name), "prk-star-r%lld", (long long)o->radius);
  bench_row *row;
  TSR_CALL(bench_add_row(rep, "prk", name, &row));
  TSR_CALL(bench_num(row, "n", (double)o->n));
  TSR_CALL(bench_num(row, "iterations", (double)o->iterations));
  TSR_CALL(bench_num(row, "radius", (double)o->radius));
  char procs[32];
  snprintf(procs, sizeof(procs), "%dx%d", p.info.procs[0], p.info.procs[1]);
  TSR_CALL(bench_str(row, "procs", procs));
  TSR_CALL(bench_num(row, "flops_per_iter", flops));
  TSR_CALL(bench_put_stats(row, "mflops", bench_rate_stats(t, repeat, flops * 1e-6)));
  const bench_stats ts = bench_stats_of(t, repeat);
  TSR_CALL(
      bench_put_stats(row, "iter_ms", (bench_stats){ts.med * 1e3, ts.min * 1e3, ts.max * 1e3}));
  /* Memory traffic model: stencil reads in, reads and writes out; in += 1 reads and writes in:
   * 40 bytes per point per iteration (halo traffic and ghost rows neglected). */
  TSR_CALL(bench_num(row, "bytes_per_point", 40));
  TSR_CALL(bench_num(row, "gbs_model_med", 40.0 * points / ts.med * 1e-9));
  TSR_CALL(bench_num(row, "intensity", flops / (40.0 * points)));
  TSR_CALL(bench_num(row, "norm", norm));
  TSR_CALL(bench_num(row, "reference_norm", reference));
  TSR_CALL(bench_num(row, "verified", ok));
  TSR_CALL(tsr_free(&t));

  char title[160];
  snprintf(title, sizeof(title),
           "PRK star stencil (MPI1 rules), n = %lld, r = %lld, %lld iterations, %d ranks x %d "
           "threads (median of %d runs, min-max)",
           (long long)o->n, (long long)o->radius, (long long)o->iterations, tsr_ctx_size(ctx),
           tsr_ctx_num_threads(ctx), repeat);
  const bench_col cols[] = {{"name", "kernel", "%s"},
                            {"procs", "procs", "%s"},
                            {"mflops_med", "MFlop/s", "%.1f"},
                            {"mflops_min", "min", "%.1f"},
                            {"mflops_max", "max", "%.1f"},
                            {"iter_ms_med", "ms/iter", "%.2f"},
                            {"gbs_model_med", "GB/s@40B", "%.2f"},
                            {"norm", "L1 norm", "%.6f"},
                            {"verified", "ok", "%.0f"}};
  bench_print_table(ctx, rep, "prk", title, cols, 9);
  return prk_destroy(&p);
}
