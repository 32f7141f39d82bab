/* Operator lifecycle and settings, the interior/shell split of a tile, and the report. The
 * application itself (plans, overlap, timing) lives in operator_apply.c. */
#include <stdio.h>
#include <string.h>

#include "operator_impl.h"
#include "tessera/mem.h"
#include "tessera/reduce.h"

/* ---------------------------------------------------------------------------------------- */
/* Split                                                                                      */
/* ---------------------------------------------------------------------------------------- */

tsr_err tsr_op_split_tile(const tsr_box *tile, int dim, int radius, tsr_op_split *split) {
  TSR_CHECK(tile && split, TSR_ERR_ARG, "tsr_op_split_tile: NULL tile or split");
  TSR_CHECK(dim >= 1 && dim <= TSR_MAX_DIM, TSR_ERR_ARG,
            "tsr_op_split_tile: dim %d, expected 1, 2 or 3", dim);
  TSR_CHECK(radius >= 0, TSR_ERR_ARG, "tsr_op_split_tile: radius %d is negative", radius);
  /* On each axis below dim, [lo, ilo) [ilo, ihi) [ihi, hi) partition the tile's range, the
   * outer two at most radius wide; a range thinner than 2 radius + 1 has an empty middle. */
  tsr_box in = *tile;
  for (int a = 0; a < dim; a++) {
    const tsr_gidx n = tsr_box_extent(tile, a);
    in.lo[a] = tile->lo[a] + (n < radius ? n : radius);
    in.hi[a] = tile->hi[a] - radius > in.lo[a] ? tile->hi[a] - radius : in.lo[a];
  }
  split->interior = in;
  /* A cell outside the interior belongs to the slab of the first axis on which it lies
   * outside: that slab spans the interior range on earlier axes and the tile on later ones. */
  int count = 0;
  for (int a = 0; a < dim; a++) {
    tsr_box slab = *tile;
    for (int b = 0; b < a; b++) {
      slab.lo[b] = in.lo[b];
      slab.hi[b] = in.hi[b];
    }
    tsr_box low = slab, high = slab;
    low.hi[a] = in.lo[a];
    high.lo[a] = in.hi[a];
    if (!tsr_box_is_empty(&low)) split->shell[count++] = low;
    if (!tsr_box_is_empty(&high)) split->shell[count++] = high;
  }
  for (int s = count; s < 2 * TSR_MAX_DIM; s++)
    split->shell[s] = (tsr_box){{0, 0, 0}, {0, 0, 0}};
  split->nshell = count;
  return TSR_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Lifecycle and settings                                                                     */
/* ---------------------------------------------------------------------------------------- */

tsr_err tsr_op_create(tsr_grid grid, tsr_op *op) {
  TSR_CHECK(op, TSR_ERR_ARG, "tsr_op_create: the output handle pointer is NULL");
  *op = NULL;
  TSR_CHECK(grid, TSR_ERR_ARG, "tsr_op_create: the grid is NULL");
  tsr_op o;
  TSR_CALL(TSR_CALLOC(1, &o));
  o->grid = grid;
  o->ctx = tsr_grid_ctx(grid);
  o->events = tsr_ctx_events(o->ctx);
  strcpy(o->name, "op");
  o->radius = 1;
  o->shape = TSR_SHAPE_STAR;
  o->overlap = true;
  o->chunks = 4;
  o->calibrate_every = 50;
  o->strategy = TSR_HALO_AUTO;
  *op = o;
  return TSR_SUCCESS;
}

tsr_err tsr_op_destroy(tsr_op *op) {
  if (!op || !*op) return TSR_SUCCESS;
  tsr_op o = *op;
  TSR_CALL(tsr_op_free_plans_(o));
  TSR_CALL(tsr_free(&o->out));
  TSR_CALL(tsr_free(&o->coefs));
  TSR_CALL(tsr_free(&o));
  *op = NULL;
  return TSR_SUCCESS;
}

static tsr_err check_not_setup(tsr_op op, const char *func) {
  TSR_CHECK(op, TSR_ERR_ARG, "%s: the operator is NULL", func);
  TSR_CHECK(!op->is_setup, TSR_ERR_STATE,
            "%s: the operator is already set up; configure it before tsr_op_setup()", func);
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_kernel(tsr_op op, tsr_op_kernel_fn fn, void *user) {
  TSR_CALL(check_not_setup(op, __func__));
  TSR_CHECK(fn, TSR_ERR_ARG, "tsr_op_set_kernel: the kernel function is NULL");
  op->fn = fn;
  op->user = user;
  return TSR_SUCCESS;
}

static bool name_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

tsr_err tsr_op_set_name(tsr_op op, const char *name) {
  TSR_CALL(check_not_setup(op, __func__));
  TSR_CHECK(name, TSR_ERR_ARG, "tsr_op_set_name: the name is NULL");
  const size_t len = strlen(name);
  TSR_CHECK(len >= 1 && len <= OP_NAME_MAX, TSR_ERR_ARG,
            "tsr_op_set_name: name '%s' has %zu characters, expected 1 to %d", name, len,
            OP_NAME_MAX);
  for (size_t c = 0; c < len; c++)
    TSR_CHECK(name_char_ok(name[c]), TSR_ERR_ARG,
              "tsr_op_set_name: name '%s' has character '%c'; use letters, digits, '_', '.', '-'",
              name, name[c]);
  memcpy(op->name, name, len + 1);
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_radius(tsr_op op, int radius) {
  TSR_CALL(check_not_setup(op, __func__));
  TSR_CHECK(radius >= 1, TSR_ERR_ARG, "tsr_op_set_radius: radius %d, expected at least 1", radius);
  op->radius = radius;
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_shape(tsr_op op, tsr_halo_shape shape) {
  TSR_CALL(check_not_setup(op, __func__));
  TSR_CHECK(shape == TSR_SHAPE_STAR || shape == TSR_SHAPE_BOX, TSR_ERR_ARG,
            "tsr_op_set_shape: shape %d is neither TSR_SHAPE_STAR (0) nor TSR_SHAPE_BOX (1)",
            (int)shape);
  op->shape = shape;
  return TSR_SUCCESS;
}

tsr_err tsr_op_add_coefficient(tsr_op op, tsr_field coef) {
  TSR_CALL(check_not_setup(op, __func__));
  TSR_CHECK(coef, TSR_ERR_ARG, "tsr_op_add_coefficient: the field is NULL");
  TSR_CHECK(tsr_field_grid(coef) == op->grid, TSR_ERR_ARG,
            "tsr_op_add_coefficient: field '%s' lives on another grid than the operator",
            tsr_field_name(coef));
  tsr_field *grown;
  TSR_CALL(TSR_MALLOC(op->ncoefs + 1, &grown));
  for (int i = 0; i < op->ncoefs; i++)
    grown[i] = op->coefs[i];
  grown[op->ncoefs] = coef;
  TSR_CALL(tsr_free(&op->coefs));
  op->coefs = grown;
  op->ncoefs++;
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_overlap(tsr_op op, bool overlap) {
  TSR_CHECK(op, TSR_ERR_ARG, "tsr_op_set_overlap: the operator is NULL");
  op->overlap = overlap;
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_chunks(tsr_op op, int chunks) {
  TSR_CALL(check_not_setup(op, __func__));
  TSR_CHECK(chunks >= 1 && chunks <= OP_MAX_CHUNKS, TSR_ERR_ARG,
            "tsr_op_set_chunks: %d chunks, expected 1 to %d", chunks, OP_MAX_CHUNKS);
  op->chunks = chunks;
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_calibration(tsr_op op, int every) {
  TSR_CHECK(op, TSR_ERR_ARG, "tsr_op_set_calibration: the operator is NULL");
  TSR_CHECK(every >= 0, TSR_ERR_ARG, "tsr_op_set_calibration: every %d is negative", every);
  op->calibrate_every = every;
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_work(tsr_op op, double flops_per_cell, double bytes_per_cell) {
  TSR_CHECK(op, TSR_ERR_ARG, "tsr_op_set_work: the operator is NULL");
  TSR_CHECK(flops_per_cell >= 0 && bytes_per_cell >= 0, TSR_ERR_ARG,
            "tsr_op_set_work: flops %g and bytes %g per cell must not be negative", flops_per_cell,
            bytes_per_cell);
  op->flops_per_cell = flops_per_cell;
  op->bytes_per_cell = bytes_per_cell;
  return TSR_SUCCESS;
}

tsr_err tsr_op_set_from_options(tsr_op op) {
  TSR_CALL(check_not_setup(op, __func__));
  tsr_options opts = tsr_ctx_options(op->ctx);
  int64_t chunks, every;
  TSR_CALL(tsr_options_get_bool(opts, "op-overlap",
                                "overlap operators' halo exchanges with their interior",
                                op->overlap, &op->overlap));
  TSR_CALL(tsr_options_get_int(opts, "op-chunks",
                               "interior chunks of an operator application (the halo progresses "
                               "between them)",
                               op->chunks, 1, OP_MAX_CHUNKS, &chunks));
  TSR_CALL(tsr_options_get_int(opts, "op-calibrate",
                               "time a bare (non-overlapped) halo exchange once every N operator "
                               "applications (0: never)",
                               op->calibrate_every, 0, INT32_MAX, &every));
  op->chunks = (int)chunks;
  op->calibrate_every = (int)every;
  /* Plans are built at the first application, after tsr_options_finish(): read the halo's
   * own option now, so that it counts as known and reaches those plans. */
  const char *const strategies[3] = {tsr_halo_strategy_name(TSR_HALO_AUTO),
                                     tsr_halo_strategy_name(TSR_HALO_DIRECT),
                                     tsr_halo_strategy_name(TSR_HALO_ROUNDS)};
  int strategy = (int)op->strategy;
  TSR_CALL(tsr_options_get_enum(opts, "halo-box",
                                "how box-shaped halo exchanges travel: auto (rounds in 3-D, "
                                "direct otherwise), direct (one message per neighbour) or rounds "
                                "(three dimension-ordered rounds of face messages)",
                                strategies, 3, strategy, &strategy));
  op->strategy = (tsr_halo_strategy)strategy;
  return TSR_SUCCESS;
}

/* Cut the interior into chunks along the axis inside its outermost one (so each chunk still
 * spans the planes the threads first touched), or along its only axis. */
static void cut_chunks(tsr_op op) {
  const tsr_box *in = &op->split.interior;
  op->nchunk = 0;
  if (tsr_box_is_empty(in)) return;
  int outer = 0;
  for (int a = 0; a < TSR_MAX_DIM; a++)
    if (tsr_box_extent(in, a) > 1) outer = a;
  int axis = outer;
  for (int a = outer - 1; a >= 0; a--)
    if (tsr_box_extent(in, a) > 1) {
      axis = a;
      break;
    }
  const tsr_gidx n = tsr_box_extent(in, axis);
  const int nchunk = n < op->chunks ? (int)n : op->chunks;
  for (int c = 0; c < nchunk; c++) {
    tsr_box b = *in;
    b.lo[axis] = in->lo[axis] + n * c / nchunk;
    b.hi[axis] = in->lo[axis] + n * (c + 1) / nchunk;
    op->chunk[op->nchunk++] = b;
  }
}

static tsr_err register_events(tsr_op op) {
  char name[TSR_EVENT_NAME_MAX + 1];
  snprintf(name, sizeof name, "%s.interior", op->name);
  TSR_CALL(tsr_event_register(op->events, name, TSR_EVENT_COMPUTE, &op->ev_interior));
  snprintf(name, sizeof name, "%s.shell", op->name);
  TSR_CALL(tsr_event_register(op->events, name, TSR_EVENT_COMPUTE, &op->ev_shell));
  snprintf(name, sizeof name, "%s.progress", op->name);
  TSR_CALL(tsr_event_register(op->events, name, TSR_EVENT_COMM, &op->ev_progress));
  return TSR_SUCCESS;
}

tsr_err tsr_op_setup(tsr_op op) {
  TSR_CHECK(op, TSR_ERR_ARG, "tsr_op_setup: the operator is NULL");
  if (op->is_setup) return TSR_SUCCESS;
  TSR_CHECK(op->fn, TSR_ERR_ARG,
            "tsr_op_setup: operator '%s' has no kernel; call "
            "tsr_op_set_kernel() first",
            op->name);
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(op->grid, &g)); /* refuses a grid that is not set up */
  op->dim = g.dim;
  TSR_CHECK(op->radius <= g.ghost_width, TSR_ERR_ARG,
            "tsr_op_setup: operator '%s' has radius %d but the grid allows ghost width %d; "
            "raise it with tsr_grid_set_ghost_width()",
            op->name, op->radius, g.ghost_width);
  for (int a = 0; a < g.dim; a++)
    TSR_CHECK(g.tile_min[a] >= op->radius, TSR_ERR_DECOMP,
              "tsr_op_setup: operator '%s' has radius %d, thicker than the thinnest tile (%lld "
              "cells on axis %d)",
              op->name, op->radius, (long long)g.tile_min[a], a);
  for (int c = 0; c < op->ncoefs; c++) {
    tsr_view v;
    TSR_CALL(tsr_field_get_view(op->coefs[c], 0, &v)); /* refuses a field not set up */
  }
  const tsr_box tile = {
      {0, 0, 0},
      {tsr_box_extent(&g.owned, 0), tsr_box_extent(&g.owned, 1), tsr_box_extent(&g.owned, 2)}};
  TSR_CALL(tsr_op_split_tile(&tile, g.dim, op->radius, &op->split));
  cut_chunks(op);
  TSR_CALL(register_events(op));
  op->is_setup = true;
  return TSR_SUCCESS;
}

/* ---------------------------------------------------------------------------------------- */
/* Information                                                                                */
/* ---------------------------------------------------------------------------------------- */

static double hidden_share(double exchange, double exposed) {
  if (exchange <= 0 || exposed < 0) return 0.0;
  const double share = 1.0 - exposed / exchange;
  return share < 0 ? 0.0 : share > 1 ? 1.0 : share;
}

tsr_err tsr_op_get_info(tsr_op op, tsr_op_info *info) {
  TSR_CHECK(op && info, TSR_ERR_ARG, "tsr_op_get_info: NULL operator or info pointer");
  *info = (tsr_op_info){0};
  info->applies = op->applies;
  info->calibrations = op->calibrations;
  info->exchange_time = op->calibrations ? op->exchange_sum / (double)op->calibrations : 0.0;
  info->exposed_time = op->overlapped ? op->exposed_sum / (double)op->overlapped : 0.0;
  if (op->calibrations && op->overlapped)
    info->hidden_share = hidden_share(info->exchange_time, info->exposed_time);
  info->interior_time = op->interior_time;
  info->shell_time = op->shell_time;
  info->radius = op->radius;
  info->chunks = op->is_setup ? op->nchunk : op->chunks;
  info->plans = op->nplans;
  if (op->is_setup) {
    info->interior_cells = tsr_box_volume(&op->split.interior);
    for (int s = 0; s < op->split.nshell; s++)
      info->shell_cells += tsr_box_volume(&op->split.shell[s]);
  }
  return TSR_SUCCESS;
}

tsr_err tsr_op_print_summary(tsr_op op, int level) {
  TSR_CHECK(op, TSR_ERR_ARG, "tsr_op_print_summary: the operator is NULL");
  tsr_op_info info;
  TSR_CALL(tsr_op_get_info(op, &info));
  double local[4] = {info.exchange_time, info.exposed_time, info.interior_time, info.shell_time};
  double avg[4];
  TSR_CALL(tsr_reduce(op->ctx, TSR_SUM, local, avg, 4));
  const double ranks = (double)tsr_ctx_size(op->ctx);
  for (int v = 0; v < 4; v++)
    avg[v] /= ranks;
  const bool known = info.calibrations > 0 && op->overlapped > 0;
  char share[32] = "unknown";
  if (known) snprintf(share, sizeof share, "%.1f %%", 100 * hidden_share(avg[0], avg[1]));
  TSR_CALL(tsr_log_printf(tsr_ctx_log(op->ctx), level,
                          "operator %s: %lld applications (%lld calibrations); exchange %.3e s "
                          "bare, %.3e s exposed when overlapped; hidden %s (avg over ranks)\n",
                          op->name, (long long)info.applies, (long long)info.calibrations, avg[0],
                          avg[1], share));
  return TSR_SUCCESS;
}
