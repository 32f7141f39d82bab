/* Halo exchange: every ghost cell of every case checked against the value of the cell it
 * mirrors (after periodic wrap), or against the sentinel where the halo must not write; info
 * counts against a count made here from the decomposition; reuse, split phase, two plans in
 * flight, no allocation on the hot path, options and error paths.
 *
 * Runs at 1 2 3 4 8 ranks and 1 and 2 threads. Every case is sized so that some process grid
 * satisfies the thin-tile rule for its ghost width (the grid module then picks one that does),
 * or fixes a process grid that does. */
#include <stdio.h>
#include <string.h>

#include "tsr_test.h"

#define MAX_FIELDS 3

/* One exchange scenario. */
typedef struct {
  int dim;
  tsr_gidx n[TSR_MAX_DIM];
  bool periodic[TSR_MAX_DIM];
  int procs[TSR_MAX_DIM]; /* all 0: let the grid choose */
  int width;              /* plan width */
  tsr_halo_shape shape;
  tsr_halo_strategy strategy;
  int nfields;
  int ncomp[MAX_FIELDS];
  int ghost[MAX_FIELDS]; /* field ghost widths, >= width (cells beyond width stay sentinel) */
  int iterations;        /* exchanges of one plan; odd ones split with a reduction between */
} halo_case;

typedef struct {
  tsr_grid grid;
  tsr_field fields[MAX_FIELDS];
  tsr_halo halo;
  tsr_grid_info info;
} case_objects;

/* The value of a cell: distinct for every cell, component, field and iteration of these
 * tests, and exact in double (all terms are multiples of 1/16 far below 2^53). */
static double cell_value(const tsr_gidx g[TSR_MAX_DIM], int comp, int field, int iter) {
  return 1000003.0 * (double)g[0] + 1009.0 * (double)g[1] + 7.0 * (double)g[2] + 0.5 * comp +
         0.0625 * field + 1.0e8 * iter;
}

static void describe(const halo_case *c, char *buf, size_t size) {
  snprintf(buf, size,
           "dim=%d n=%lldx%lldx%lld periodic=%d%d%d procs=%dx%dx%d width=%d shape=%s "
           "strategy=%s fields=%d",
           c->dim, (long long)c->n[0], (long long)c->n[1], (long long)c->n[2], c->periodic[0],
           c->periodic[1], c->periodic[2], c->procs[0], c->procs[1], c->procs[2], c->width,
           c->shape == TSR_SHAPE_BOX ? "box" : "star", tsr_halo_strategy_name(c->strategy),
           c->nfields);
}

static tsr_err make_grid(int dim, const tsr_gidx n[], const bool periodic[], const int procs[],
                         int ghost_width, tsr_grid *grid) {
  TSR_CALL(tsr_grid_create(tsr_test_ctx(), dim, n, grid));
  TSR_CALL(tsr_grid_set_periodic(*grid, periodic));
  TSR_CALL(tsr_grid_set_procs(*grid, procs));
  TSR_CALL(tsr_grid_set_ghost_width(*grid, ghost_width));
  TSR_CALL(tsr_grid_setup(*grid));
  return TSR_SUCCESS;
}

static tsr_err make_field(tsr_grid grid, const char *name, int ncomp, int ghost, tsr_field *f) {
  TSR_CALL(tsr_field_create(grid, name, ncomp, ghost, f));
  TSR_CALL(tsr_field_setup(*f));
  return TSR_SUCCESS;
}

static tsr_err build_case(const halo_case *c, case_objects *o) {
  int gw = 0;
  for (int f = 0; f < c->nfields; f++)
    gw = c->ghost[f] > gw ? c->ghost[f] : gw;
  TSR_CALL(make_grid(c->dim, c->n, c->periodic, c->procs, gw, &o->grid));
  TSR_CALL(tsr_grid_get_info(o->grid, &o->info));
  TSR_CALL(tsr_halo_create(o->grid, &o->halo));
  for (int f = 0; f < c->nfields; f++) {
    char name[16];
    snprintf(name, sizeof name, "f%d", f);
    TSR_CALL(make_field(o->grid, name, c->ncomp[f], c->ghost[f], &o->fields[f]));
    TSR_CALL(tsr_halo_add_field(o->halo, o->fields[f]));
  }
  TSR_CALL(tsr_halo_set_shape(o->halo, c->shape));
  TSR_CALL(tsr_halo_set_width(o->halo, c->width));
  TSR_CALL(tsr_halo_set_strategy(o->halo, c->strategy));
  TSR_CALL(tsr_halo_setup(o->halo));
  return TSR_SUCCESS;
}

static void destroy_case(case_objects *o) {
  TSR_ASSERT_OK(tsr_halo_destroy(&o->halo));
  CU_ASSERT_PTR_NULL(o->halo);
  for (int f = 0; f < MAX_FIELDS; f++)
    TSR_ASSERT_OK(tsr_field_destroy(&o->fields[f]));
  TSR_ASSERT_OK(tsr_grid_destroy(&o->grid));
}

/* What a ghost holds before the exchange: a negative value (owned values are not) distinct
 * for every rank, field, component and cell, so that a ghost the halo must leave alone reads
 * wrong even if it were overwritten by another ghost's sentinel. */
static double sentinel(const tsr_view *v, const int l[3], int comp, int fieldno) {
  int64_t cell = 0;
  for (int a = 2; a >= 0; a--)
    cell = cell * (v->n[a] + 2 * v->ghost[a]) + l[a] + v->ghost[a];
  int64_t owner = ((int64_t)tsr_test_rank() * 16 + fieldno) * 16 + comp;
  return -1.0 - (double)(owner * (INT64_C(1) << 24) + cell);
}

/* Owned cells get cell_value(), every ghost its sentinel. */
static void fill_field(tsr_field field, int fieldno, int iter) {
  for (int comp = 0; comp < tsr_field_num_components(field); comp++) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(field, comp, &v));
    int l[3];
    for (l[2] = -v.ghost[2]; l[2] < v.n[2] + v.ghost[2]; l[2]++)
      for (l[1] = -v.ghost[1]; l[1] < v.n[1] + v.ghost[1]; l[1]++)
        for (l[0] = -v.ghost[0]; l[0] < v.n[0] + v.ghost[0]; l[0]++) {
          bool owned = true;
          tsr_gidx g[3];
          for (int a = 0; a < 3; a++) {
            owned = owned && l[a] >= 0 && l[a] < v.n[a];
            g[a] = v.box.lo[a] + l[a];
          }
          TSR_VIEW_AT(v, l[0], l[1], l[2]) =
              owned ? cell_value(g, comp, fieldno, iter) : sentinel(&v, l, comp, fieldno);
        }
  }
}

/*
 * What cell (local index l) must hold after an exchange: owned cells their own value; ghosts
 * within the plan width whose global index (wrapped on periodic axes) lies in the grid and
 * which the shape needs (star: one axis outside the owned box; box: any) the value of the
 * wrapped cell; every other ghost its own sentinel, untouched.
 */
static double expected_value(const halo_case *c, const tsr_grid_info *info, const tsr_view *v,
                             const int l[3], int comp, int fieldno, int iter) {
  int outside = 0;
  bool within = true, in_grid = true;
  tsr_gidx g[3];
  for (int a = 0; a < 3; a++) {
    if (l[a] < 0 || l[a] >= v->n[a]) {
      outside++;
      int dist = l[a] < 0 ? -l[a] : l[a] - v->n[a] + 1;
      if (dist > c->width) within = false;
    }
    g[a] = v->box.lo[a] + l[a];
    if (g[a] < 0 || g[a] >= info->n[a]) {
      if (info->periodic[a])
        g[a] = (g[a] + info->n[a]) % info->n[a];
      else
        in_grid = false;
    }
  }
  if (outside == 0) return cell_value(g, comp, fieldno, iter);
  bool needed = c->shape == TSR_SHAPE_BOX ? true : outside == 1;
  if (within && in_grid && needed) return cell_value(g, comp, fieldno, iter);
  return sentinel(v, l, comp, fieldno);
}

/* Check every cell of every component; report the first wrong one with its indices. */
static void check_field(const halo_case *c, const tsr_grid_info *info, tsr_field field, int fieldno,
                        int iter) {
  long wrong = 0;
  for (int comp = 0; comp < tsr_field_num_components(field); comp++) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(field, comp, &v));
    int l[3];
    for (l[2] = -v.ghost[2]; l[2] < v.n[2] + v.ghost[2]; l[2]++)
      for (l[1] = -v.ghost[1]; l[1] < v.n[1] + v.ghost[1]; l[1]++)
        for (l[0] = -v.ghost[0]; l[0] < v.n[0] + v.ghost[0]; l[0]++) {
          double want = expected_value(c, info, &v, l, comp, fieldno, iter);
          double got = TSR_VIEW_AT(v, l[0], l[1], l[2]);
          if (got == want) continue;
          if (wrong++ == 0) {
            char what[256];
            describe(c, what, sizeof what);
            fprintf(stderr,
                    "[rank %d] %s iter=%d: field %d comp %d local (%d,%d,%d) holds %.17g, "
                    "expected %.17g\n",
                    info->rank, what, iter, fieldno, comp, l[0], l[1], l[2], got, want);
          }
        }
  }
  CU_ASSERT_EQUAL(wrong, 0);
}

/* Process coordinate of the neighbour at offset @p o along axis @p a, -1 past a
 * non-periodic end. */
static int neighbor_coord(const tsr_grid_info *info, int a, int o) {
  int c = info->coords[a] + o;
  if (c >= 0 && c < info->procs[a]) return c;
  return info->periodic[a] ? (c + info->procs[a]) % info->procs[a] : -1;
}

/* Tally one neighbour: a local copy when it is this rank, else a message of @p cells. */
static void tally(const tsr_grid_info *info, const int o[3], int64_t cells, int nviews,
                  tsr_halo_info *want) {
  bool self = true;
  for (int a = 0; a < info->dim; a++) {
    int c = neighbor_coord(info, a, o[a]);
    if (c < 0) return;
    if (c != info->coords[a]) self = false;
  }
  if (self) {
    want->local_copies++;
  } else {
    want->messages++;
    want->bytes += cells * nviews * (int64_t)sizeof(double);
  }
}

static tsr_halo_strategy expected_strategy(const halo_case *c) {
  if (c->shape == TSR_SHAPE_STAR) return TSR_HALO_DIRECT;
  if (c->strategy != TSR_HALO_AUTO) return c->strategy;
  return c->dim == 3 ? TSR_HALO_ROUNDS : TSR_HALO_DIRECT;
}

/* Messages, bytes and copies per exchange, counted from the process grid alone. */
static tsr_halo_info expected_info(const halo_case *c, const tsr_grid_info *info, int nviews) {
  tsr_halo_info want = {expected_strategy(c), c->width, 0, 0, 0};
  int64_t n[3], w = c->width;
  for (int a = 0; a < 3; a++)
    n[a] = tsr_box_extent(&info->owned, a);
  if (want.strategy == TSR_HALO_DIRECT) {
    int hi[3] = {info->dim > 0, info->dim > 1, info->dim > 2};
    for (int dz = -hi[2]; dz <= hi[2]; dz++)
      for (int dy = -hi[1]; dy <= hi[1]; dy++)
        for (int dx = -hi[0]; dx <= hi[0]; dx++) {
          int o[3] = {dx, dy, dz}, order = (dx != 0) + (dy != 0) + (dz != 0);
          if (order == 0 || (c->shape == TSR_SHAPE_STAR && order != 1)) continue;
          int64_t cells = 1;
          for (int a = 0; a < 3; a++)
            cells *= o[a] ? w : n[a];
          tally(info, o, cells, nviews, &want);
        }
    return want;
  }
  /* Rounds: the slab of axis a spans the ghosts of lower axes that have a neighbour. */
  for (int a = 0; a < info->dim; a++)
    for (int side = -1; side <= 1; side += 2) {
      int o[3] = {0, 0, 0};
      o[a] = side;
      int64_t cells = w;
      for (int b = 0; b < 3; b++) {
        if (b == a) continue;
        int64_t extent = n[b];
        if (b < a)
          extent += w * (neighbor_coord(info, b, -1) >= 0) + w * (neighbor_coord(info, b, 1) >= 0);
        cells *= extent;
      }
      tally(info, o, cells, nviews, &want);
    }
  return want;
}

static void check_info(const halo_case *c, const case_objects *o) {
  int nviews = 0;
  for (int f = 0; f < c->nfields; f++)
    nviews += c->ncomp[f];
  tsr_halo_info got, want = expected_info(c, &o->info, nviews);
  TSR_ASSERT_OK(tsr_halo_get_info(o->halo, &got));
  CU_ASSERT_EQUAL(got.strategy, want.strategy);
  CU_ASSERT_EQUAL(got.width, want.width);
  CU_ASSERT_EQUAL(got.messages, want.messages);
  CU_ASSERT_EQUAL(got.bytes, want.bytes);
  CU_ASSERT_EQUAL(got.local_copies, want.local_copies);
  if (got.messages != want.messages || got.bytes != want.bytes ||
      got.local_copies != want.local_copies) {
    char what[256];
    describe(c, what, sizeof what);
    fprintf(stderr, "[rank %d] %s: info messages %d bytes %lld copies %d, expected %d %lld %d\n",
            o->info.rank, what, got.messages, (long long)got.bytes, got.local_copies, want.messages,
            (long long)want.bytes, want.local_copies);
  }
}

/* Sum over the whole grid of cell_value(comp 0, field 0): the "work" done between begin and
 * end is a global reduction that must see the owned values untouched. */
static double grid_sum(const tsr_grid_info *info, int iter) {
  double cells = (double)(info->n[0] * info->n[1] * info->n[2]), s = 0;
  const double coef[3] = {1000003.0, 1009.0, 7.0};
  for (int a = 0; a < 3; a++)
    s += coef[a] * (double)(info->n[a] * (info->n[a] - 1) / 2) * (cells / (double)info->n[a]);
  return s + 1.0e8 * iter * cells;
}

static double owned_sum(tsr_field field) {
  tsr_view v;
  double s = 0;
  TSR_ASSERT_OK(tsr_field_get_view(field, 0, &v));
  for (int k = 0; k < v.n[2]; k++)
    for (int j = 0; j < v.n[1]; j++)
      for (int i = 0; i < v.n[0]; i++)
        s += TSR_VIEW_AT(v, i, j, k);
  return s;
}

/* Exchange, split with a global reduction in between on odd iterations. */
static void exchange(const case_objects *o, int iter) {
  if (iter % 2 == 0) {
    TSR_ASSERT_OK(tsr_halo_exchange(o->halo));
    return;
  }
  TSR_ASSERT_OK(tsr_halo_begin(o->halo));
  double local = owned_sum(o->fields[0]), total = 0;
  TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), TSR_SUM, &local, &total, 1));
  CU_ASSERT_EQUAL(total, grid_sum(&o->info, iter));
  TSR_ASSERT_OK(tsr_halo_end(o->halo));
}

static void run_case(const halo_case *c) {
  case_objects o;
  memset(&o, 0, sizeof o);
  tsr_err e = build_case(c, &o);
  if (e != TSR_SUCCESS) {
    char what[256];
    describe(c, what, sizeof what);
    fprintf(stderr, "[rank %d] %s: set-up failed: %s\n%s", tsr_test_rank(), what,
            tsr_error_message(), tsr_error_traceback());
    tsr_error_clear();
  }
  CU_ASSERT_EQUAL(e, TSR_SUCCESS);
  if (e == TSR_SUCCESS) { /* set-up errors are collective: every rank skips alike */
    check_info(c, &o);
    int iterations = c->iterations > 0 ? c->iterations : 2;
    for (int iter = 0; iter < iterations; iter++) {
      for (int f = 0; f < c->nfields; f++)
        fill_field(o.fields[f], f, iter);
      exchange(&o, iter);
      for (int f = 0; f < c->nfields; f++)
        check_field(c, &o.info, o.fields[f], f, iter);
    }
  }
  destroy_case(&o);
}

/* The four ways a plan can be asked to run: star, and box in each strategy. */
static const struct {
  tsr_halo_shape shape;
  tsr_halo_strategy strategy;
} kinds[] = {{TSR_SHAPE_STAR, TSR_HALO_AUTO},
             {TSR_SHAPE_BOX, TSR_HALO_DIRECT},
             {TSR_SHAPE_BOX, TSR_HALO_ROUNDS},
             {TSR_SHAPE_BOX, TSR_HALO_AUTO}};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };
/* The kinds without box-AUTO, which the sweeps cover; the other tests skip it to stay quick. */
enum { NKINDS_EXPLICIT = NKINDS - 1 };

static void set_kind(halo_case *c, int kind) {
  c->shape = kinds[kind].shape;
  c->strategy = kinds[kind].strategy;
}

static void set_periodic_mask(halo_case *c, int mask) {
  for (int a = 0; a < 3; a++)
    c->periodic[a] = a < c->dim && (mask >> a) & 1;
}

/* Whether some process grid of @p P ranks over the first @p dim axes leaves every tile at
 * least @p w cells wide (then the grid module picks such a one). */
static bool fits(int dim, const tsr_gidx n[3], int P, int w) {
  for (int p0 = 1; p0 <= P; p0++)
    for (int p1 = 1; P % p0 == 0 && p1 <= P / p0; p1++) {
      if ((P / p0) % p1) continue;
      int p[3] = {p0, p1, P / p0 / p1};
      bool ok = true;
      for (int a = 0; a < 3; a++)
        if (a >= dim ? p[a] != 1 : n[a] / p[a] < w) ok = false;
      if (ok) return true;
    }
  return false;
}

/*
 * Every dimension, every combination of periodic axes, widths 1-3, every kind. Two fields in
 * one plan: one scalar with ghost = width, one with 3 components and a wider ghost (whose
 * outer ghosts must stay untouched). Sizes start at {3, 1, 2} cells more than that ghost and
 * grow until some process grid fits, so tiles are as thin as the rule allows and splits are
 * uneven.
 */
static void sweep_dim(int dim) {
  int P = tsr_test_size();
  for (int width = 1; width <= 3; width++) {
    int gw = width < 3 ? width + 1 : 3;
    tsr_gidx n[3];
    const int extra[3] = {3, 1, 2};
    for (int a = 0; a < 3; a++)
      n[a] = a < dim ? gw + extra[a] : 1;
    while (!fits(dim, n, P, gw))
      for (int a = 0; a < dim; a++)
        n[a]++;
    for (int mask = 0; mask < (1 << dim); mask++)
      for (int kind = 0; kind < NKINDS; kind++) {
        halo_case c = {
            .dim = dim, .width = width, .nfields = 2, .ncomp = {1, 3}, .ghost = {width, gw}};
        memcpy(c.n, n, sizeof n);
        set_periodic_mask(&c, mask);
        set_kind(&c, kind);
        run_case(&c);
      }
  }
}

static void test_sweep_1d(void) {
  sweep_dim(1);
}

static void test_sweep_2d(void) {
  sweep_dim(2);
}

static void test_sweep_3d(void) {
  sweep_dim(3);
}

/* The uneven 10x7x5 grid (and its 2-D and 1-D cuts) at widths 1 and 2 where the rank count
 * allows them, three fields (the last with a wider ghost where that fits too). */
static void test_uneven_10x7x5(void) {
  const tsr_gidx sizes[3] = {10, 7, 5};
  int P = tsr_test_size();
  for (int dim = 1; dim <= 3; dim++)
    for (int width = 1; width <= 2; width++)
      for (int mask = 0; mask < (1 << dim); mask++)
        for (int kind = 0; kind < NKINDS_EXPLICIT; kind++) {
          if (!fits(dim, sizes, P, width)) continue;
          int wide = fits(dim, sizes, P, width + 1) ? width + 1 : width;
          halo_case c = {.dim = dim,
                         .width = width,
                         .nfields = 3,
                         .ncomp = {2, 1, 1},
                         .ghost = {width, width, wide}};
          for (int a = 0; a < 3; a++)
            c.n[a] = a < dim ? sizes[a] : 1;
          set_periodic_mask(&c, mask);
          set_kind(&c, kind);
          run_case(&c);
        }
}

/* User process grids that put every rank along one axis: 1x1xP, 1xPx1, Px1x1 (3-D), Px1 and
 * 1xP (2-D). With P = 2 and a periodic split axis the same rank is the neighbour on both
 * sides; with P = 1 every neighbour is this rank. */
static void test_user_process_grids(void) {
  int P = tsr_test_size();
  for (int dim = 2; dim <= 3; dim++)
    for (int split = 0; split < dim; split++)
      for (int mask = 0; mask < (1 << dim); mask++)
        for (int kind = 0; kind < NKINDS_EXPLICIT; kind++) {
          int width = 1 + (mask + kind) % 3;
          halo_case c = {
              .dim = dim, .width = width, .nfields = 2, .ncomp = {1, 2}, .ghost = {width, 3}};
          const tsr_gidx base[3] = {7, 5, 4};
          for (int a = 0; a < 3; a++) {
            c.n[a] = a >= dim ? 1 : a == split ? 3 * P + 1 : base[a];
            c.procs[a] = a == split ? P : 1;
          }
          set_periodic_mask(&c, mask);
          set_kind(&c, kind);
          run_case(&c);
        }
}

/* One plan used many times with changing values, alternating plain and split exchanges. */
static void test_repeated_exchanges(void) {
  int P = tsr_test_size();
  for (int kind = 0; kind < NKINDS; kind++) {
    halo_case c = {.dim = 3,
                   .n = {2 * P + 3, 2 * P + 2, 2 * P + 1},
                   .periodic = {1, 0, 1},
                   .width = 2,
                   .nfields = 3,
                   .ncomp = {1, 2, 3},
                   .ghost = {2, 2, 3},
                   .iterations = 6};
    set_kind(&c, kind);
    run_case(&c);
  }
}

/* Two plans over different fields of one grid in flight at the same time, ended in the
 * opposite order: their tags must keep the messages apart. */
static void test_two_plans_in_flight(void) {
  int P = tsr_test_size();
  halo_case a = {.dim = 3,
                 .n = {P + 4, P + 3, P + 2},
                 .periodic = {1, 1, 1},
                 .width = 1,
                 .shape = TSR_SHAPE_BOX,
                 .strategy = TSR_HALO_DIRECT,
                 .nfields = 1,
                 .ncomp = {2},
                 .ghost = {1}};
  halo_case b = a;
  b.shape = TSR_SHAPE_STAR;
  tsr_grid grid = NULL;
  tsr_field fa = NULL, fb = NULL;
  tsr_halo ha = NULL, hb = NULL;
  tsr_grid_info info;
  TSR_ASSERT_OK(make_grid(3, a.n, a.periodic, a.procs, 1, &grid));
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  TSR_ASSERT_OK(make_field(grid, "a", 2, 1, &fa));
  TSR_ASSERT_OK(make_field(grid, "b", 2, 1, &fb));
  TSR_ASSERT_OK(tsr_halo_create(grid, &ha));
  TSR_ASSERT_OK(tsr_halo_create(grid, &hb));
  TSR_ASSERT_OK(tsr_halo_add_field(ha, fa));
  TSR_ASSERT_OK(tsr_halo_add_field(hb, fb));
  TSR_ASSERT_OK(tsr_halo_set_shape(ha, a.shape));
  TSR_ASSERT_OK(tsr_halo_set_strategy(ha, a.strategy));
  TSR_ASSERT_OK(tsr_halo_setup(ha));
  TSR_ASSERT_OK(tsr_halo_setup(hb));
  for (int iter = 0; iter < 3; iter++) {
    fill_field(fa, 0, iter);
    fill_field(fb, 0, iter + 10);
    TSR_ASSERT_OK(tsr_halo_begin(ha));
    TSR_ASSERT_OK(tsr_halo_begin(hb));
    TSR_ASSERT_OK(tsr_halo_end(hb));
    TSR_ASSERT_OK(tsr_halo_end(ha));
    check_field(&a, &info, fa, 0, iter);
    check_field(&b, &info, fb, 0, iter + 10);
  }
  TSR_ASSERT_OK(tsr_halo_destroy(&ha));
  TSR_ASSERT_OK(tsr_halo_destroy(&hb));
  TSR_ASSERT_OK(tsr_field_destroy(&fa));
  TSR_ASSERT_OK(tsr_field_destroy(&fb));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* Exchanges allocate nothing: the allocation counter does not move over many of them. */
static void test_no_allocation_on_hot_path(void) {
  int P = tsr_test_size();
  for (int kind = 0; kind < NKINDS; kind++) {
    halo_case c = {.dim = 3,
                   .n = {P + 5, P + 4, P + 3},
                   .periodic = {1, 1, 0},
                   .width = 1,
                   .nfields = 2,
                   .ncomp = {1, 2},
                   .ghost = {1, 1}};
    set_kind(&c, kind);
    case_objects o;
    memset(&o, 0, sizeof o);
    TSR_ASSERT_OK(build_case(&c, &o));
    tsr_mem_stats before, after;
    tsr_mem_get_stats(&before);
    for (int iter = 0; iter < 4; iter++) {
      TSR_ASSERT_OK(tsr_halo_begin(o.halo));
      TSR_ASSERT_OK(tsr_halo_end(o.halo));
      TSR_ASSERT_OK(tsr_halo_exchange(o.halo));
    }
    tsr_mem_get_stats(&after);
    CU_ASSERT_EQUAL(after.total_allocs, before.total_allocs);
    CU_ASSERT_EQUAL(after.bytes_in_use, before.bytes_in_use);
    destroy_case(&o);
  }
}

/* --halo-box overrides AUTO in both directions, and bad values are option errors. */
static void test_option_halo_box(void) {
  tsr_options opts = tsr_ctx_options(tsr_test_ctx());
  const struct {
    const char *value;
    int dim;
    tsr_halo_strategy want;
  } runs[] = {{"rounds", 2, TSR_HALO_ROUNDS},
              {"direct", 3, TSR_HALO_DIRECT},
              {"auto", 3, TSR_HALO_ROUNDS},
              {"auto", 2, TSR_HALO_DIRECT}};
  int P = tsr_test_size();
  const tsr_gidx n[3] = {P + 2, 3, 3};
  const bool periodic[3] = {true, true, true};
  const int procs[3] = {0, 0, 0};
  for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
    tsr_grid grid = NULL;
    tsr_field f = NULL;
    tsr_halo h = NULL;
    tsr_halo_info info = {0};
    TSR_ASSERT_OK(tsr_options_set_default(opts, "halo-box", runs[r].value));
    TSR_ASSERT_OK(make_grid(runs[r].dim, n, periodic, procs, 1, &grid));
    TSR_ASSERT_OK(make_field(grid, "u", 1, 1, &f));
    TSR_ASSERT_OK(tsr_halo_create(grid, &h));
    TSR_ASSERT_OK(tsr_halo_add_field(h, f));
    TSR_ASSERT_OK(tsr_halo_set_shape(h, TSR_SHAPE_BOX));
    TSR_ASSERT_OK(tsr_halo_set_from_options(h));
    TSR_ASSERT_OK(tsr_halo_setup(h));
    TSR_ASSERT_OK(tsr_halo_get_info(h, &info));
    CU_ASSERT_EQUAL(info.strategy, runs[r].want);
    if (r == 0) {
      /* A value outside the choices names them. */
      tsr_halo h2 = NULL;
      TSR_ASSERT_OK(tsr_options_set_default(opts, "halo-box", "diagonal"));
      TSR_ASSERT_OK(tsr_halo_create(grid, &h2));
      tsr_err e = tsr_halo_set_from_options(h2);
      CU_ASSERT_EQUAL(e, TSR_ERR_OPTION);
      CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "rounds"));
      tsr_error_clear();
      TSR_ASSERT_OK(tsr_halo_destroy(&h2));
    }
    TSR_ASSERT_OK(tsr_halo_destroy(&h));
    TSR_ASSERT_OK(tsr_field_destroy(&f));
    TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  }
  TSR_ASSERT_OK(tsr_options_set_default(opts, "halo-box", "auto"));
}

/* Assert @p expr fails with @p code and a message containing @p text. */
#define ASSERT_ERR_MSG(expr, code, text)                                                           \
  do {                                                                                             \
    tsr_err e_ = (expr);                                                                           \
    CU_ASSERT_EQUAL(e_, (code));                                                                   \
    CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), (text)));                                   \
    tsr_error_clear();                                                                             \
  } while (0)

static void test_errors(void) {
  int P = tsr_test_size();
  const tsr_gidx n[3] = {2 * P + 2, 5, 4};
  const bool periodic[3] = {true, false, true};
  const int procs[3] = {0, 0, 0};
  tsr_grid grid = NULL, other = NULL;
  tsr_field f = NULL, g = NULL, alien = NULL, unset = NULL;
  tsr_halo h = NULL, empty = NULL;
  TSR_ASSERT_OK(make_grid(3, n, periodic, procs, 2, &grid));
  TSR_ASSERT_OK(make_grid(3, n, periodic, procs, 2, &other));
  TSR_ASSERT_OK(make_field(grid, "pressure", 1, 1, &f));
  TSR_ASSERT_OK(make_field(grid, "velocity", 3, 2, &g));
  TSR_ASSERT_OK(make_field(other, "alien", 1, 1, &alien));

  TSR_ASSERT_ERR(tsr_halo_create(NULL, &h), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_halo_create(grid, NULL), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_halo_create(grid, &h));
  ASSERT_ERR_MSG(tsr_halo_add_field(h, alien), TSR_ERR_ARG, "alien");
  TSR_ASSERT_ERR(tsr_halo_add_field(h, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_halo_set_width(h, 0), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_halo_set_shape(h, (tsr_halo_shape)5), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_halo_set_strategy(h, (tsr_halo_strategy)-1), TSR_ERR_ARG);
  ASSERT_ERR_MSG(tsr_halo_get_info(h, &(tsr_halo_info){0}), TSR_ERR_STATE, "tsr_halo_setup");
  ASSERT_ERR_MSG(tsr_halo_begin(h), TSR_ERR_STATE, "not set up");
  ASSERT_ERR_MSG(tsr_halo_end(h), TSR_ERR_STATE, "no exchange is in flight");
  ASSERT_ERR_MSG(tsr_halo_setup(h), TSR_ERR_ARG, "no fields");

  /* Width above a field's ghost width: the message names the field and both widths. */
  TSR_ASSERT_OK(tsr_halo_add_field(h, g));
  TSR_ASSERT_OK(tsr_halo_add_field(h, f));
  ASSERT_ERR_MSG(tsr_halo_add_field(h, f), TSR_ERR_ARG, "already");
  TSR_ASSERT_OK(tsr_halo_set_width(h, 2));
  ASSERT_ERR_MSG(tsr_halo_setup(h), TSR_ERR_ARG,
                 "width 2 exceeds the ghost width 1 of field "
                 "'pressure'");
  /* After fixing the width the same plan sets up; the default width is the smallest ghost. */
  TSR_ASSERT_OK(tsr_halo_set_width(h, 1));
  TSR_ASSERT_OK(tsr_halo_setup(h));
  TSR_ASSERT_OK(tsr_halo_setup(h)); /* idempotent */
  tsr_halo_info info;
  TSR_ASSERT_OK(tsr_halo_get_info(h, &info));
  CU_ASSERT_EQUAL(info.width, 1);

  /* Configuration after setup. */
  ASSERT_ERR_MSG(tsr_halo_set_width(h, 1), TSR_ERR_STATE, "already set up");
  TSR_ASSERT_ERR(tsr_halo_set_shape(h, TSR_SHAPE_BOX), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_halo_set_strategy(h, TSR_HALO_DIRECT), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_halo_set_from_options(h), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_halo_add_field(h, f), TSR_ERR_STATE);

  /* Begin/end pairing: errors leave the exchange in flight intact. */
  ASSERT_ERR_MSG(tsr_halo_end(h), TSR_ERR_STATE, "no exchange is in flight");
  TSR_ASSERT_OK(tsr_halo_begin(h));
  ASSERT_ERR_MSG(tsr_halo_begin(h), TSR_ERR_STATE, "already in flight");
  TSR_ASSERT_OK(tsr_halo_end(h));
  TSR_ASSERT_ERR(tsr_halo_end(h), TSR_ERR_STATE);
  TSR_ASSERT_OK(tsr_halo_exchange(h));
  /* Destroying a plan in flight completes the exchange first. */
  TSR_ASSERT_OK(tsr_halo_begin(h));
  TSR_ASSERT_OK(tsr_halo_destroy(&h));
  CU_ASSERT_PTR_NULL(h);
  TSR_ASSERT_OK(tsr_halo_destroy(&h));
  TSR_ASSERT_OK(tsr_halo_destroy(NULL));

  /* Default width from the fields (smallest ghost), and a field not set up. */
  TSR_ASSERT_OK(tsr_halo_create(grid, &h));
  TSR_ASSERT_OK(tsr_halo_add_field(h, g));
  TSR_ASSERT_OK(tsr_halo_setup(h));
  TSR_ASSERT_OK(tsr_halo_get_info(h, &info));
  CU_ASSERT_EQUAL(info.width, 2);
  TSR_ASSERT_OK(tsr_field_create(grid, "unset", 1, 1, &unset));
  TSR_ASSERT_OK(tsr_halo_create(grid, &empty));
  TSR_ASSERT_OK(tsr_halo_add_field(empty, unset));
  TSR_ASSERT_ERR(tsr_halo_setup(empty), TSR_ERR_STATE);

  TSR_ASSERT_OK(tsr_halo_destroy(&empty));
  TSR_ASSERT_OK(tsr_halo_destroy(&h));
  TSR_ASSERT_OK(tsr_field_destroy(&unset));
  TSR_ASSERT_OK(tsr_field_destroy(&alien));
  TSR_ASSERT_OK(tsr_field_destroy(&g));
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  TSR_ASSERT_OK(tsr_grid_destroy(&other));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  CU_ASSERT_STRING_EQUAL(tsr_halo_strategy_name(TSR_HALO_ROUNDS), "rounds");
  CU_ASSERT_STRING_EQUAL(tsr_halo_strategy_name(TSR_HALO_DIRECT), "direct");
  CU_ASSERT_STRING_EQUAL(tsr_halo_strategy_name(TSR_HALO_AUTO), "auto");
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"sweep_1d", test_sweep_1d},
      {"sweep_2d", test_sweep_2d},
      {"sweep_3d", test_sweep_3d},
      {"uneven_10x7x5", test_uneven_10x7x5},
      {"user_process_grids", test_user_process_grids},
      {"repeated_exchanges", test_repeated_exchanges},
      {"two_plans_in_flight", test_two_plans_in_flight},
      {"no_allocation_on_hot_path", test_no_allocation_on_hot_path},
      {"option_halo_box", test_option_halo_box},
      {"errors", test_errors},
      TSR_TEST_END};
  return tsr_test_main(argc, argv, "halo", cases);
}
