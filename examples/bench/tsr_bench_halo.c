/* tsr_bench_halo: Tessera's halo exchange against a hand-written MPI_Sendrecv exchange.
 *
 * For each tile size s (s^3 cells per rank, periodic in all three axes, so every rank has six
 * face neighbours) and ghost width w, the same field's face ghosts are filled
 *   - by tsr_halo_exchange() with a star plan of width w (one message per face neighbour,
 *     all in flight at once, packed by OpenMP threads), and
 *   - by the plain exchange a programmer writes by hand: for each axis, pack the two faces,
 *     two MPI_Sendrecv calls (to the upper neighbour, then to the lower one), unpack.
 * Both move the same bytes. Each timed sample is --inner exchanges; the table gives the
 * median time per exchange, its spread over --repeat samples and the ratio Tessera / hand.
 * Both exchanges are checked once against the expected ghost values before timing.
 *
 *   mpirun -n 2 tsr_bench_halo --sizes 32,64,128,256 --widths 1,2,4 --repeat 7 --json h.json
 */
#include <stdlib.h>

#include "bench_util.h"

/* One (size, width) case: grid, field, Tessera plan and the hand-written exchange's state. */
typedef struct {
  tsr_ctx ctx;
  tsr_grid grid;
  tsr_grid_info info;
  tsr_field field;
  tsr_view view;
  tsr_halo halo;
  int width;
  int inner;
  int nbr[TSR_MAX_DIM][2]; /* face neighbours per axis: low, high */
  int tag;                 /* two tags from the context: to the upper and to the lower side */
  double *send[2], *recv[2];
} halo_case;

/* The process grid MPI would choose for a cube; global size = tile * procs on each axis. */
static tsr_err case_setup(tsr_ctx ctx, int64_t tile, int width, halo_case *c) {
  *c = (halo_case){.ctx = ctx, .width = width};
  /* MPI_Dims_create lists the largest factor first; Tessera splits outer axes first (rows
   * stay long and contiguous), so the factors go to axes 2, 1, 0 in that order. */
  int dims[TSR_MAX_DIM] = {0, 0, 0};
  TSR_CALL_MPI(MPI_Dims_create(tsr_ctx_size(ctx), 3, dims));
  const int procs[TSR_MAX_DIM] = {dims[2], dims[1], dims[0]};
  tsr_gidx n[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++)
    n[a] = tile * procs[a];
  const bool periodic[TSR_MAX_DIM] = {true, true, true};
  TSR_CALL(tsr_grid_create(ctx, 3, n, &c->grid));
  TSR_CALL(tsr_grid_set_periodic(c->grid, periodic));
  TSR_CALL(tsr_grid_set_procs(c->grid, procs));
  TSR_CALL(tsr_grid_set_ghost_width(c->grid, width));
  TSR_CALL(tsr_grid_setup(c->grid));
  TSR_CALL(tsr_grid_get_info(c->grid, &c->info));
  TSR_CALL(tsr_field_create(c->grid, "u", 1, width, &c->field));
  TSR_CALL(tsr_field_setup(c->field));
  TSR_CALL(tsr_field_get_view(c->field, 0, &c->view));

  TSR_CALL(tsr_halo_create(c->grid, &c->halo));
  TSR_CALL(tsr_halo_add_field(c->halo, c->field));
  TSR_CALL(tsr_halo_set_shape(c->halo, TSR_SHAPE_STAR));
  TSR_CALL(tsr_halo_set_width(c->halo, width));
  TSR_CALL(tsr_halo_setup(c->halo));

  /* The hand-written exchange: neighbours, tags and buffers for the largest face. */
  int64_t face_max = 0;
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    int off[3] = {0, 0, 0};
    for (int side = 0; side < 2; side++) {
      off[a] = side ? 1 : -1;
      TSR_CALL(tsr_grid_neighbor(c->grid, tsr_dir_index(off[0], off[1], off[2]), &c->nbr[a][side]));
      if (c->nbr[a][side] < 0) c->nbr[a][side] = MPI_PROC_NULL;
    }
    const int64_t face = (int64_t)width * c->view.n[0] * c->view.n[1] * c->view.n[2] / c->view.n[a];
    if (face > face_max) face_max = face;
  }
  TSR_CALL(tsr_ctx_reserve_tags(ctx, 2, &c->tag));
  for (int s = 0; s < 2; s++) {
    TSR_CALL(TSR_MALLOC(face_max, &c->send[s]));
    TSR_CALL(TSR_MALLOC(face_max, &c->recv[s]));
  }
  return TSR_SUCCESS;
}

static tsr_err case_destroy(halo_case *c) {
  for (int s = 0; s < 2; s++) {
    TSR_CALL(tsr_free(&c->send[s]));
    TSR_CALL(tsr_free(&c->recv[s]));
  }
  TSR_CALL(tsr_halo_destroy(&c->halo));
  TSR_CALL(tsr_field_destroy(&c->field));
  return tsr_grid_destroy(&c->grid);
}

/* The w layers of axis a next to side `side`: owned cells (ghost = 0) or ghosts (ghost = 1);
 * full owned extent on the other axes (star shape: no edges or corners). */
static tsr_box face_box(const tsr_view *v, int a, int side, int w, bool ghost) {
  tsr_box b = {{0, 0, 0}, {v->n[0], v->n[1], v->n[2]}};
  if (side == 0) {
    b.lo[a] = ghost ? -w : 0;
    b.hi[a] = ghost ? 0 : w;
  } else {
    b.lo[a] = ghost ? v->n[a] : v->n[a] - w;
    b.hi[a] = ghost ? v->n[a] + w : v->n[a];
  }
  return b;
}

static int64_t pack(const tsr_view *v, const tsr_box *b, double *buf) {
  int64_t m = 0;
  for (tsr_gidx k = b->lo[2]; k < b->hi[2]; k++)
    for (tsr_gidx j = b->lo[1]; j < b->hi[1]; j++)
      for (tsr_gidx i = b->lo[0]; i < b->hi[0]; i++)
        buf[m++] = TSR_VIEW_AT(*v, i, j, k);
  return m;
}

static void unpack(const tsr_view *v, const tsr_box *b, const double *buf) {
  int64_t m = 0;
  for (tsr_gidx k = b->lo[2]; k < b->hi[2]; k++)
    for (tsr_gidx j = b->lo[1]; j < b->hi[1]; j++)
      for (tsr_gidx i = b->lo[0]; i < b->hi[0]; i++)
        TSR_VIEW_AT(*v, i, j, k) = buf[m++];
}

/* The hand-written exchange: per axis, upper face to the upper neighbour (which stores it in
 * its lower ghosts), then lower face to the lower neighbour. */
static tsr_err hand_exchange(halo_case *c) {
  const tsr_view *v = &c->view;
  const MPI_Comm comm = tsr_ctx_comm(c->ctx);
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    for (int side = 0; side < 2; side++) {
      const int to = c->nbr[a][1 - side], from = c->nbr[a][side];
      const tsr_box out = face_box(v, a, 1 - side, c->width, false);
      const tsr_box in = face_box(v, a, side, c->width, true);
      int count;
      TSR_CALL(tsr_cast_int(pack(v, &out, c->send[0]), "face size", &count));
      TSR_CALL_MPI(MPI_Sendrecv(c->send[0], count, MPI_DOUBLE, to, c->tag + side, c->recv[0], count,
                                MPI_DOUBLE, from, c->tag + side, comm, MPI_STATUS_IGNORE));
      if (from != MPI_PROC_NULL) unpack(v, &in, c->recv[0]);
    }
  }
  return TSR_SUCCESS;
}

static tsr_err tessera_work(void *arg) {
  halo_case *c = arg;
  for (int r = 0; r < c->inner; r++)
    TSR_CALL(tsr_halo_exchange(c->halo));
  return TSR_SUCCESS;
}

static tsr_err hand_work(void *arg) {
  halo_case *c = arg;
  for (int r = 0; r < c->inner; r++)
    TSR_CALL(hand_exchange(c));
  return TSR_SUCCESS;
}

/* Value of global cell g (wrapped into the periodic grid): its linear index. */
static double cell_value(const tsr_grid_info *g, const tsr_gidx idx[TSR_MAX_DIM]) {
  tsr_gidx w[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++)
    w[a] = (idx[a] % g->n[a] + g->n[a]) % g->n[a];
  return (double)(w[0] + g->n[0] * (w[1] + g->n[1] * w[2]));
}

static double init_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  return cell_value(user, idx);
}

/* Set every face ghost to -1, run one exchange, count face ghosts that do not hold their
 * cell's value; summed over ranks. */
static tsr_err check_exchange(halo_case *c, bench_work exchange, double *bad) {
  const tsr_view *v = &c->view;
  int64_t wrong = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (int a = 0; a < TSR_MAX_DIM; a++) {
      for (int side = 0; side < 2; side++) {
        const tsr_box b = face_box(v, a, side, c->width, true);
        for (tsr_gidx k = b.lo[2]; k < b.hi[2]; k++)
          for (tsr_gidx j = b.lo[1]; j < b.hi[1]; j++)
            for (tsr_gidx i = b.lo[0]; i < b.hi[0]; i++) {
              const tsr_gidx g[3] = {i + v->box.lo[0], j + v->box.lo[1], k + v->box.lo[2]};
              if (pass == 0)
                TSR_VIEW_AT(*v, i, j, k) = -1.0;
              else
                wrong += TSR_VIEW_AT(*v, i, j, k) != cell_value(&c->info, g);
            }
      }
    }
    if (pass == 0) {
      const int inner = c->inner;
      c->inner = 1;
      TSR_CALL(exchange(c));
      c->inner = inner;
    }
  }
  return bench_sum(c->ctx, (double)wrong, bad);
}

/* Exchanges per timed sample: about 2^24 cells of tile volume per sample, at least 2. */
static int auto_inner(int64_t tile) {
  const int64_t vol = tile * tile * tile;
  const int64_t k = ((int64_t)1 << 24) / vol;
  return (int)(k < 2 ? 2 : k > 4096 ? 4096 : k);
}

static tsr_err run_case(tsr_ctx ctx, const bench_common *common, int64_t tile, int width,
                        int64_t inner, bench_report *rep) {
  halo_case c;
  TSR_CALL(case_setup(ctx, tile, width, &c));
  c.inner = inner > 0 ? (int)inner : auto_inner(tile);
  TSR_CALL(tsr_field_fill(c.field, init_value, &c.info));
  double bad_tsr, bad_hand;
  TSR_CALL(check_exchange(&c, tessera_work, &bad_tsr));
  TSR_CALL(check_exchange(&c, hand_work, &bad_hand));

  double *t_tsr, *t_hand;
  TSR_CALL(TSR_MALLOC(common->repeat, &t_tsr));
  TSR_CALL(TSR_MALLOC(common->repeat, &t_hand));
  TSR_CALL(tessera_work(&c)); /* warm-up: first-use costs of both paths */
  TSR_CALL(hand_work(&c));
  /* Interleaved, so both see the same machine load. */
  for (int r = 0; r < common->repeat; r++) {
    TSR_CALL(bench_time(ctx, 1, tessera_work, &c, &t_tsr[r]));
    TSR_CALL(bench_time(ctx, 1, hand_work, &c, &t_hand[r]));
    t_tsr[r] /= c.inner;
    t_hand[r] /= c.inner;
  }
  tsr_halo_info hi;
  TSR_CALL(tsr_halo_get_info(c.halo, &hi));
  const bench_stats s_tsr = bench_stats_of(t_tsr, common->repeat);
  const bench_stats s_hand = bench_stats_of(t_hand, common->repeat);
  /* Ratio of the two samples of each repeat: the spread of the comparison itself. */
  for (int r = 0; r < common->repeat; r++)
    t_hand[r] = t_tsr[r] / t_hand[r];
  const bench_stats s_ratio = bench_stats_of(t_hand, common->repeat);

  char name[64];
  snprintf(name, sizeof(name), "%lld^3 w%d", (long long)tile, width);
  bench_row *row;
  TSR_CALL(bench_add_row(rep, "halo", name, &row));
  TSR_CALL(bench_num(row, "tile", (double)tile));
  TSR_CALL(bench_num(row, "width", width));
  TSR_CALL(bench_num(row, "bytes", (double)hi.bytes));
  TSR_CALL(bench_num(row, "messages", hi.messages));
  TSR_CALL(bench_num(row, "local_copies", hi.local_copies));
  TSR_CALL(bench_num(row, "inner", c.inner));
  TSR_CALL(bench_put_stats(row, "tessera_us",
                           (bench_stats){s_tsr.med * 1e6, s_tsr.min * 1e6, s_tsr.max * 1e6}));
  TSR_CALL(bench_put_stats(row, "hand_us",
                           (bench_stats){s_hand.med * 1e6, s_hand.min * 1e6, s_hand.max * 1e6}));
  TSR_CALL(bench_num(row, "ratio", s_tsr.med / s_hand.med));
  /* On a busy machine the fastest sample of each is the closest to its own cost. */
  TSR_CALL(bench_num(row, "ratio_of_min", s_tsr.min / s_hand.min));
  TSR_CALL(bench_put_stats(row, "pair_ratio", s_ratio));
  TSR_CALL(bench_num(row, "tessera_gbs", (double)hi.bytes / s_tsr.med * 1e-9));
  TSR_CALL(bench_num(row, "verified", bad_tsr == 0 && bad_hand == 0));
  TSR_CALL(tsr_free(&t_tsr));
  TSR_CALL(tsr_free(&t_hand));
  return case_destroy(&c);
}

static tsr_err run(tsr_ctx ctx) {
  tsr_options opts = tsr_ctx_options(ctx);
  bench_common common;
  TSR_CALL(bench_read_common(opts, &common));
  const int64_t def_sizes[] = {32, 64, 128, 256}, def_widths[] = {1, 2, 4};
  int64_t sizes[16], widths[8], inner;
  int nsizes, nwidths;
  TSR_CALL(tsr_options_get_ints(opts, "sizes", "tile edges to measure (s^3 cells per rank)",
                                def_sizes, 4, 16, 4, 4096, sizes, &nsizes));
  TSR_CALL(tsr_options_get_ints(opts, "widths", "ghost widths to measure", def_widths, 3, 8, 1, 16,
                                widths, &nwidths));
  TSR_CALL(tsr_options_get_int(opts, "inner",
                               "exchanges per timed sample (0: about 2^24 tile cells' worth)", 0, 0,
                               1000000, &inner));
  bool stop;
  TSR_CALL(tsr_options_finish(opts, &stop));
  if (stop) return TSR_SUCCESS;

  bench_report rep;
  TSR_CALL(bench_report_create(ctx, "halo", &common, &rep));
  for (int s = 0; s < nsizes; s++)
    for (int w = 0; w < nwidths; w++)
      if (widths[w] <= sizes[s])
        TSR_CALL(run_case(ctx, &common, sizes[s], (int)widths[w], inner, &rep));

  char title[160];
  snprintf(title, sizeof(title),
           "Halo exchange, star shape, periodic, %d ranks x %d threads: time per exchange "
           "(median of %d; min-max), Tessera / hand-written MPI_Sendrecv",
           tsr_ctx_size(ctx), tsr_ctx_num_threads(ctx), common.repeat);
  const bench_col cols[] = {{"name", "case", "%s"},
                            {"bytes", "bytes/rank", "%.0f"},
                            {"messages", "msgs", "%.0f"},
                            {"tessera_us_med", "tessera us", "%.1f"},
                            {"tessera_us_min", "min", "%.1f"},
                            {"tessera_us_max", "max", "%.1f"},
                            {"hand_us_med", "hand us", "%.1f"},
                            {"hand_us_min", "min", "%.1f"},
                            {"hand_us_max", "max", "%.1f"},
                            {"ratio", "ratio", "%.3f"},
                            {"ratio_of_min", "min/min", "%.3f"},
                            {"verified", "ok", "%.0f"}};
  bench_print_table(ctx, &rep, "halo", title, cols, (int)(sizeof(cols) / sizeof(cols[0])));
  TSR_CALL(bench_write_json(ctx, &rep, common.json_path));
  return bench_report_destroy(&rep);
}

int main(int argc, char **argv) {
  tsr_ctx ctx = NULL;
  if (tsr_ctx_create(&argc, &argv, MPI_COMM_WORLD, &ctx) != TSR_SUCCESS) return 1;
  tsr_err err = run(ctx);
  tsr_ctx_destroy(&ctx);
  return err == TSR_SUCCESS ? 0 : 1;
}
