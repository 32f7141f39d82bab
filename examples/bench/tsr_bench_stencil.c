/* tsr_bench_stencil: sweep rates of Tessera's stencil kernels against the STREAM triad.
 *
 * 1. Reference: the STREAM triad a = b + s c (bench_triad.h) run by every rank at once on its
 *    own arrays, at the run's thread count, bandwidth summed over ranks (24 bytes/iteration as
 *    STREAM counts), with ordinary and with non-temporal stores.
 * 2. Each kernel sweeps every owned cell of a Tessera grid (each rank its own tile, no
 *    exchange): points/s, GB/s counted at 16 bytes/point (one read of the input, one write of
 *    the output), that bandwidth over the triad's, and GFlop/s from the flops per point of
 *    the kernel's formula.
 * 3. The 3-D heat update through the operator layer (tsr_op: exchange overlapped with the
 *    interior, and without overlap), with the share of the exchange hidden.
 * With --prk, instead, the Parallel Research Kernels' 2-D star stencil (bench_prk.h).
 *
 *   mpirun -n 2 tsr_bench_stencil --repeat 7 --json stencil.json
 *   mpirun -n 2 tsr_bench_stencil --prk --json prk.json
 */
#include <math.h>
#include <string.h>

#include "bench_prk.h"
#include "bench_triad.h"

/* ---- the kernels measured ---------------------------------------------------------------- */

typedef enum { KIND_LAPLACIAN, KIND_STAR, KIND_HEAT, KIND_DIFFUSION } kernel_kind;

typedef struct {
  const char *name;
  const char *what;
  int dim;
  kernel_kind kind;
  int points;        /* Laplacian table size, or star radius */
  double flops;      /* per point, from the kernel's formula (see docs/performance.md) */
  double bytes_need; /* compulsory bytes per point (inputs read once, output written once) */
} kernel_spec;

static const kernel_spec kernels[] = {
    {"lap7", "3-D 7-point Laplacian (apply)", 3, KIND_LAPLACIAN, 7, 13, 16},
    {"lap27", "3-D 27-point Laplacian (apply)", 3, KIND_LAPLACIAN, 27, 53, 16},
    {"star2", "3-D star Laplacian r=2, 13 points", 3, KIND_STAR, 2, 25, 16},
    {"varcoef", "3-D 7-point -div(k grad u)", 3, KIND_DIFFUSION, 0, 44, 24},
    {"heat3d", "3-D heat update (7-point)", 3, KIND_HEAT, 0, 15, 16},
    {"lap5", "2-D 5-point Laplacian (apply)", 2, KIND_LAPLACIAN, 5, 9, 16},
    {"lap9", "2-D 9-point Laplacian (apply)", 2, KIND_LAPLACIAN, 9, 17, 16},
    {"heat2d", "2-D heat update (5-point)", 2, KIND_HEAT, 0, 10, 16},
};
enum { NKERNELS = (int)(sizeof(kernels) / sizeof(kernels[0])) };

static const char *const stream_names[] = {"auto", "on", "off"};

typedef struct {
  bench_common common;
  int64_t triad_n;  /* elements per triad array, all ranks together */
  int64_t grid3[3]; /* 3-D grid */
  int64_t grid2[2]; /* 2-D grid */
  bool want[NKERNELS];
  tsr_stream_mode stream;
  bool op;            /* measure the operator layer */
  int64_t op_applies; /* applications per operator measurement */
  bool prk;
  bench_prk_options prk_opts;
} stencil_options;

/* One kernel sweep: the fields on one grid and what the kernel needs. */
typedef struct {
  const kernel_spec *spec;
  tsr_view in, out, k;
  tsr_box tile;
  tsr_stencil stencil;
  tsr_heat_coef heat;
  tsr_diffusion diffusion;
} sweep;

static tsr_err sweep_run(void *arg) {
  sweep *s = arg;
  switch (s->spec->kind) {
  case KIND_LAPLACIAN:
  case KIND_STAR:
    return tsr_stencil_apply(&s->stencil, &s->in, &s->out, &s->tile);
  case KIND_HEAT:
    return tsr_stencil_heat(&s->in, &s->out, &s->heat, &s->tile);
  case KIND_DIFFUSION:
  default:
    return tsr_diffusion_apply(&s->diffusion, &s->k, &s->in, &s->out, &s->tile);
  }
}

static tsr_err sweep_prepare(const kernel_spec *spec, const tsr_grid_info *g,
                             tsr_stream_mode stream, sweep *s) {
  const double h[TSR_MAX_DIM] = {1.0 / (double)g->n[0], 1.0 / (double)g->n[1],
                                 1.0 / (double)g->n[2]};
  s->spec = spec;
  switch (spec->kind) {
  case KIND_LAPLACIAN:
    TSR_CALL(tsr_stencil_laplacian(spec->dim, spec->points, h, &s->stencil));
    s->stencil.stream = stream;
    break;
  case KIND_STAR:
    TSR_CALL(tsr_stencil_laplacian_star(spec->dim, spec->points, h, &s->stencil));
    s->stencil.stream = stream;
    break;
  case KIND_HEAT:
    s->heat = (tsr_heat_coef){.dim = spec->dim, .c = {0.1, 0.1, 0.1}, .stream = stream};
    break;
  case KIND_DIFFUSION:
    s->diffusion = (tsr_diffusion){.dim = spec->dim, .h = {h[0], h[1], h[2]}, .stream = stream};
    break;
  }
  return TSR_SUCCESS;
}

/* ---- options ------------------------------------------------------------------------------ */

static tsr_err read_kernel_list(tsr_options opts, bool want[NKERNELS]) {
  const char *list;
  TSR_CALL(tsr_options_get_string(opts, "kernels",
                                  "kernels to sweep, comma-separated, or 'all' (lap7, lap27, "
                                  "star2, varcoef, heat3d, lap5, lap9, heat2d)",
                                  "all", &list));
  for (int k = 0; k < NKERNELS; k++)
    want[k] = strcmp(list, "all") == 0;
  if (strcmp(list, "all") == 0) return TSR_SUCCESS;
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", list);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int found = -1;
    for (int k = 0; k < NKERNELS; k++)
      if (strcmp(tok, kernels[k].name) == 0) found = k;
    TSR_CHECK(found >= 0, TSR_ERR_OPTION,
              "--kernels: unknown kernel '%s' (expected lap7, lap27, star2, varcoef, heat3d, "
              "lap5, lap9, heat2d or all)",
              tok);
    want[found] = true;
  }
  return TSR_SUCCESS;
}

static tsr_err read_options(tsr_ctx ctx, stencil_options *o, bool *stop) {
  tsr_options opts = tsr_ctx_options(ctx);
  TSR_CALL(bench_read_common(opts, &o->common));
  TSR_CALL(tsr_options_get_int(opts, "triad-n",
                               "elements per triad array, all ranks together (3 arrays; "
                               "default 2^25: 768 MiB, far beyond any cache)",
                               (int64_t)1 << 25, 1024, INT64_MAX / 64, &o->triad_n));
  const int64_t def3[3] = {256, 256, 256}, def2[2] = {8192, 8192};
  int count;
  TSR_CALL(tsr_options_get_ints(opts, "grid3d", "3-D grid of the 3-D kernels (one number: cube)",
                                def3, 3, 3, 4, INT64_MAX / 4, o->grid3, &count));
  if (count == 1) o->grid3[1] = o->grid3[2] = o->grid3[0];
  TSR_CALL(tsr_options_get_ints(opts, "grid2d", "2-D grid of the 2-D kernels (one number: square)",
                                def2, 2, 2, 4, INT64_MAX / 4, o->grid2, &count));
  if (count == 1) o->grid2[1] = o->grid2[0];
  TSR_CALL(read_kernel_list(opts, o->want));
  int stream;
  TSR_CALL(tsr_options_get_enum(opts, "stream",
                                "kernels' output stores: auto (non-temporal above 16 MiB per "
                                "call), on, off",
                                stream_names, 3, 0, &stream));
  o->stream = stream == 0 ? TSR_STREAM_AUTO : stream == 1 ? TSR_STREAM_ON : TSR_STREAM_OFF;
  TSR_CALL(tsr_options_get_bool(opts, "op",
                                "also measure the 3-D heat update through the operator layer "
                                "(exchange overlapped, and not)",
                                true, &o->op));
  TSR_CALL(tsr_options_get_int(opts, "op-applies",
                               "operator applications per measurement (0: 8 x --repeat)", 0, 0,
                               BENCH_MAX_SAMPLES, &o->op_applies));
  TSR_CALL(tsr_options_get_bool(
      opts, "prk", "run the Parallel Research Kernels' 2-D star stencil instead", false, &o->prk));
  TSR_CALL(bench_prk_read_options(opts, &o->prk_opts));
  return tsr_options_finish(opts, stop);
}

/* ---- triad ---------------------------------------------------------------------------------- */

/* The bandwidth reference: the triad's arrays stay allocated so that each kernel's samples can
 * be paired with triad samples taken just before them (on a shared machine the load drifts
 * between the triad section and a kernel's). */
typedef struct {
  bench_triad t;
  double bytes;  /* counted bytes of one triad over all ranks */
  double gbs;    /* median GB/s of the triad section */
  double nt_gbs; /* median GB/s of the non-temporal triad (NaN without it) */
} reference;

static tsr_err measure_triad(tsr_ctx ctx, const stencil_options *o, bench_report *rep,
                             reference *ref) {
  const int size = tsr_ctx_size(ctx), rank = tsr_ctx_rank(ctx);
  const int64_t n = o->triad_n / size + (rank < o->triad_n % size);
  bench_triad *t = &ref->t;
  TSR_CALL(bench_triad_setup(n, t));
  ref->bytes = 24.0 * (double)o->triad_n;
  ref->nt_gbs = NAN;
  double *samples;
  TSR_CALL(TSR_MALLOC(o->common.repeat, &samples));
  for (int nt = 0; nt < 2; nt++) {
    if (nt && !bench_triad_has_nontemporal()) break;
    t->nontemporal = nt;
    TSR_CALL(bench_triad_run(t)); /* warm-up */
    TSR_CALL(bench_time(ctx, o->common.repeat, bench_triad_run, t, samples));
    double bad;
    TSR_CALL(bench_sum(ctx, (double)bench_triad_errors(t), &bad));
    const bench_stats gbs = bench_rate_stats(samples, o->common.repeat, ref->bytes * 1e-9);
    bench_row *row;
    TSR_CALL(bench_add_row(rep, "triad", nt ? "triad-nt" : "triad", &row));
    TSR_CALL(bench_num(row, "elements", (double)o->triad_n));
    TSR_CALL(bench_num(row, "bytes_per_iter", 24));
    TSR_CALL(bench_put_stats(row, "gbs", gbs));
    const bench_stats ts = bench_stats_of(samples, o->common.repeat);
    TSR_CALL(
        bench_put_stats(row, "time_ms", (bench_stats){ts.med * 1e3, ts.min * 1e3, ts.max * 1e3}));
    TSR_CALL(bench_num(row, "verified", bad == 0));
    *(nt ? &ref->nt_gbs : &ref->gbs) = gbs.med;
  }
  t->nontemporal = false; /* the paired samples use STREAM's own triad */
  return tsr_free(&samples);
}

/* ---- kernel sweeps -------------------------------------------------------------------------- */

/* A smooth input (so no kernel meets denormals or NaN) and a positive coefficient. */
static double input_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  return 1.0 + 1e-3 * (double)((idx[0] + 3 * idx[1] + 7 * idx[2]) % 101);
}

static double coef_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  return 1.0 + 0.5 * (double)((idx[0] + idx[1] + idx[2]) % 3);
}

/* Fields of one grid: input (ghost 2), output, coefficient (ghost 1). */
typedef struct {
  tsr_grid grid;
  tsr_grid_info info;
  tsr_field in, out, k;
} grid_fields;

static tsr_err fields_create(tsr_ctx ctx, int dim, const int64_t *n, bool with_k, grid_fields *f) {
  *f = (grid_fields){0};
  tsr_gidx size[TSR_MAX_DIM] = {1, 1, 1};
  for (int a = 0; a < dim; a++)
    size[a] = n[a];
  TSR_CALL(tsr_grid_create(ctx, dim, size, &f->grid));
  TSR_CALL(tsr_grid_set_ghost_width(f->grid, 2));
  TSR_CALL(tsr_grid_setup(f->grid));
  TSR_CALL(tsr_grid_get_info(f->grid, &f->info));
  TSR_CALL(tsr_field_create(f->grid, "in", 1, 2, &f->in));
  TSR_CALL(tsr_field_create(f->grid, "out", 1, 1, &f->out));
  TSR_CALL(tsr_field_setup(f->in));
  TSR_CALL(tsr_field_setup(f->out));
  TSR_CALL(tsr_field_fill(f->in, input_value, NULL));
  if (with_k) {
    TSR_CALL(tsr_field_create(f->grid, "k", 1, 1, &f->k));
    TSR_CALL(tsr_field_setup(f->k));
    TSR_CALL(tsr_field_fill(f->k, coef_value, NULL));
  }
  /* Ghosts keep the zeros of setup: the sweeps cover the whole tile without an exchange
   * (measured separately), and zeros are as cheap to compute with as any value. */
  return TSR_SUCCESS;
}

static tsr_err fields_destroy(grid_fields *f) {
  TSR_CALL(tsr_field_destroy(&f->k));
  TSR_CALL(tsr_field_destroy(&f->out));
  TSR_CALL(tsr_field_destroy(&f->in));
  return tsr_grid_destroy(&f->grid);
}

static tsr_err put_rates(bench_row *row, const double *samples, int repeat, double points,
                         double flops, const reference *ref) {
  const bench_stats t = bench_stats_of(samples, repeat);
  TSR_CALL(bench_put_stats(row, "time_ms", (bench_stats){t.med * 1e3, t.min * 1e3, t.max * 1e3}));
  TSR_CALL(bench_put_stats(row, "mpts", bench_rate_stats(samples, repeat, points * 1e-6)));
  const bench_stats gbs = bench_rate_stats(samples, repeat, 16.0 * points * 1e-9);
  TSR_CALL(bench_put_stats(row, "gbs", gbs));
  TSR_CALL(bench_num(row, "ratio_triad", gbs.med / ref->gbs));
  TSR_CALL(bench_num(row, "ratio_triad_nt", gbs.med / ref->nt_gbs));
  TSR_CALL(
      bench_put_stats(row, "gflops", bench_rate_stats(samples, repeat, flops * points * 1e-9)));
  return TSR_SUCCESS;
}

/* Each repeat times one triad and then one sweep: the sweep's bandwidth over the triad's of the
 * same repeat is the paired ratio, which the load's drift affects far less. */
static tsr_err time_paired(tsr_ctx ctx, int repeat, sweep *s, reference *ref, double points,
                           double *samples, bench_stats *paired) {
  double *ratio;
  TSR_CALL(TSR_MALLOC(repeat, &ratio));
  for (int r = 0; r < repeat; r++) {
    double t_triad;
    TSR_CALL(bench_time(ctx, 1, bench_triad_run, &ref->t, &t_triad));
    TSR_CALL(bench_time(ctx, 1, sweep_run, s, &samples[r]));
    ratio[r] = (16.0 * points / samples[r]) / (ref->bytes / t_triad);
  }
  *paired = bench_stats_of(ratio, repeat);
  return tsr_free(&ratio);
}

static tsr_err measure_kernel(tsr_ctx ctx, const stencil_options *o, const kernel_spec *spec,
                              grid_fields *f, reference *ref, bench_report *rep) {
  sweep s = {0};
  TSR_CALL(tsr_field_get_view(f->in, 0, &s.in));
  TSR_CALL(tsr_field_get_view(f->out, 0, &s.out));
  if (f->k) TSR_CALL(tsr_field_get_view(f->k, 0, &s.k));
  s.tile = (tsr_box){{0, 0, 0}, {s.in.n[0], s.in.n[1], s.in.n[2]}};
  TSR_CALL(sweep_prepare(spec, &f->info, o->stream, &s));
  TSR_CALL(sweep_run(&s)); /* warm-up */
  double *samples;
  bench_stats paired;
  const double points = (double)f->info.n[0] * (double)f->info.n[1] * (double)f->info.n[2];
  TSR_CALL(TSR_MALLOC(o->common.repeat, &samples));
  TSR_CALL(time_paired(ctx, o->common.repeat, &s, ref, points, samples, &paired));
  char grid[64];
  snprintf(grid, sizeof(grid), spec->dim == 3 ? "%lldx%lldx%lld" : "%lldx%lld",
           (long long)f->info.n[0], (long long)f->info.n[1], (long long)f->info.n[2]);
  bench_row *row;
  TSR_CALL(bench_add_row(rep, "kernel", spec->name, &row));
  TSR_CALL(bench_str(row, "what", spec->what));
  TSR_CALL(bench_str(row, "grid", grid));
  TSR_CALL(bench_num(row, "points", points));
  TSR_CALL(bench_num(row, "flops_per_point", spec->flops));
  TSR_CALL(bench_num(row, "bytes_per_point", 16));
  TSR_CALL(bench_num(row, "bytes_compulsory", spec->bytes_need));
  TSR_CALL(bench_num(row, "intensity", spec->flops / 16.0));
  TSR_CALL(put_rates(row, samples, o->common.repeat, points, spec->flops, ref));
  TSR_CALL(bench_put_stats(row, "ratio_paired", paired));
  return tsr_free(&samples);
}

/* ---- the operator layer -----------------------------------------------------------------------
 */

static tsr_err heat_kernel(const tsr_op_views *views, const tsr_box *box, void *user) {
  return tsr_stencil_heat(&views->in[0], &views->out[0], user, box);
}

typedef struct {
  tsr_op op;
  tsr_field x, y;
} op_run;

static tsr_err op_apply(void *arg) {
  op_run *r = arg;
  return tsr_op_apply(r->op, r->x, r->y);
}

static tsr_err measure_op(tsr_ctx ctx, const stencil_options *o, grid_fields *f, bool overlap,
                          const reference *ref, bench_report *rep) {
  tsr_heat_coef coef = {.dim = 3, .c = {0.1, 0.1, 0.1}, .stream = o->stream};
  op_run r = {.x = f->in, .y = f->out};
  TSR_CALL(tsr_op_create(f->grid, &r.op));
  TSR_CALL(tsr_op_set_name(r.op, overlap ? "heat.overlap" : "heat.plain"));
  TSR_CALL(tsr_op_set_kernel(r.op, heat_kernel, &coef));
  TSR_CALL(tsr_op_set_radius(r.op, 1));
  TSR_CALL(tsr_op_set_calibration(r.op, 4));
  TSR_CALL(tsr_op_set_overlap(r.op, overlap));
  TSR_CALL(tsr_op_setup(r.op));
  TSR_CALL(op_apply(&r)); /* builds the exchange plan; MPI connection set-up */
  const int n = o->op_applies > 0                          ? (int)o->op_applies
                : 8 * o->common.repeat < BENCH_MAX_SAMPLES ? 8 * o->common.repeat
                                                           : BENCH_MAX_SAMPLES;
  double *samples;
  TSR_CALL(TSR_MALLOC(n, &samples));
  TSR_CALL(bench_time(ctx, n, op_apply, &r, samples));
  tsr_op_info info;
  TSR_CALL(tsr_op_get_info(r.op, &info));
  double sums[3] = {info.exchange_time, info.exposed_time, info.hidden_share};
  TSR_CALL(tsr_reduce(ctx, TSR_SUM, sums, sums, 3));
  const double per_rank = 1.0 / tsr_ctx_size(ctx);

  const double points = (double)f->info.n[0] * (double)f->info.n[1] * (double)f->info.n[2];
  bench_row *row;
  TSR_CALL(bench_add_row(rep, "op", overlap ? "heat3d op overlap" : "heat3d op no-overlap", &row));
  TSR_CALL(bench_num(row, "points", points));
  TSR_CALL(bench_num(row, "applies", n));
  TSR_CALL(bench_num(row, "calibrations", (double)info.calibrations));
  TSR_CALL(put_rates(row, samples, n, points, 15, ref));
  TSR_CALL(bench_num(row, "exchange_ms", sums[0] * per_rank * 1e3));
  TSR_CALL(bench_num(row, "exposed_ms", sums[1] * per_rank * 1e3));
  TSR_CALL(bench_num(row, "hidden_share", overlap ? sums[2] * per_rank : 0.0));
  TSR_CALL(tsr_free(&samples));
  return tsr_op_destroy(&r.op);
}

/* ---- main -------------------------------------------------------------------------------------
 */

static tsr_err measure_grid(tsr_ctx ctx, const stencil_options *o, int dim, reference *ref,
                            bench_report *rep) {
  bool any = false, with_k = false;
  for (int k = 0; k < NKERNELS; k++) {
    if (kernels[k].dim != dim || !o->want[k]) continue;
    any = true;
    with_k |= kernels[k].kind == KIND_DIFFUSION;
  }
  const bool op = dim == 3 && o->op;
  if (!any && !op) return TSR_SUCCESS;
  grid_fields f;
  TSR_CALL(fields_create(ctx, dim, dim == 3 ? o->grid3 : o->grid2, with_k, &f));
  for (int k = 0; k < NKERNELS; k++)
    if (kernels[k].dim == dim && o->want[k])
      TSR_CALL(measure_kernel(ctx, o, &kernels[k], &f, ref, rep));
  if (op) {
    TSR_CALL(measure_op(ctx, o, &f, true, ref, rep));
    TSR_CALL(measure_op(ctx, o, &f, false, ref, rep));
  }
  return fields_destroy(&f);
}

static void print_tables(tsr_ctx ctx, const stencil_options *o, const bench_report *rep) {
  char title[320];
  snprintf(title, sizeof(title),
           "STREAM triad, %d ranks x %d threads, all ranks at once (24 B/iteration; median of "
           "%d, min-max)",
           tsr_ctx_size(ctx), tsr_ctx_num_threads(ctx), o->common.repeat);
  const bench_col triad_cols[] = {{"name", "reference", "%s"},   {"gbs_med", "GB/s", "%.2f"},
                                  {"gbs_min", "min", "%.2f"},    {"gbs_max", "max", "%.2f"},
                                  {"time_ms_med", "ms", "%.2f"}, {"verified", "ok", "%.0f"}};
  bench_print_table(ctx, rep, "triad", title, triad_cols, 6);
  snprintf(title, sizeof(title),
           "Kernel sweeps, each rank its own tile, no exchange (16 B/point; median of %d, "
           "min-max; /triad: over the triad section's GB/s; paired: median of each repeat's "
           "sweep over a triad run just before it)",
           o->common.repeat);
  const bench_col cols[] = {{"name", "kernel", "%s"},
                            {"grid", "grid", "%s"},
                            {"mpts_med", "Mpts/s", "%.1f"},
                            {"gbs_med", "GB/s", "%.2f"},
                            {"gbs_min", "min", "%.2f"},
                            {"gbs_max", "max", "%.2f"},
                            {"ratio_triad", "/triad", "%.2f"},
                            {"ratio_triad_nt", "/triad-nt", "%.2f"},
                            {"ratio_paired_med", "paired", "%.2f"},
                            {"gflops_med", "GFlop/s", "%.2f"}};
  bench_print_table(ctx, rep, "kernel", title, cols, 10);
  const bench_col op_cols[] = {
      {"name", "operator", "%s"},         {"time_ms_med", "ms/apply", "%.2f"},
      {"time_ms_min", "min", "%.2f"},     {"time_ms_max", "max", "%.2f"},
      {"gbs_med", "GB/s", "%.2f"},        {"ratio_triad", "/triad", "%.2f"},
      {"exchange_ms", "exch ms", "%.3f"}, {"exposed_ms", "exposed ms", "%.3f"},
      {"hidden_share", "hidden", "%.2f"}};
  bench_print_table(ctx, rep, "op", "Operator layer: 3-D heat update with its exchange", op_cols,
                    9);
}

static tsr_err run(tsr_ctx ctx) {
  stencil_options o = {0};
  bool stop;
  TSR_CALL(read_options(ctx, &o, &stop));
  if (stop) return TSR_SUCCESS;
  bench_report rep;
  TSR_CALL(bench_report_create(ctx, o.prk ? "prk-stencil" : "stencil", &o.common, &rep));
  if (o.prk) {
    TSR_CALL(bench_prk_run(ctx, &o.common, &o.prk_opts, &rep));
  } else {
    reference ref;
    TSR_CALL(measure_triad(ctx, &o, &rep, &ref));
    TSR_CALL(measure_grid(ctx, &o, 3, &ref, &rep));
    TSR_CALL(measure_grid(ctx, &o, 2, &ref, &rep));
    TSR_CALL(bench_triad_free(&ref.t));
    print_tables(ctx, &o, &rep);
  }
  TSR_CALL(bench_write_json(ctx, &rep, o.common.json_path));
  return bench_report_destroy(&rep);
}

int main(int argc, char **argv) {
  tsr_ctx ctx = NULL;
  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  tsr_err err = run(ctx);
  tsr_ctx_destroy(&ctx);
  return err == TSR_SUCCESS ? 0 : 1;
}
