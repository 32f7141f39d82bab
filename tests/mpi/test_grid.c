/* The grid's decomposition, checked by its properties on many sizes, periodicities and
 * process grids at whatever rank count the test runs on:
 *  - the tiles of all ranks cover the grid exactly once, extents differ by at most one per
 *    axis with the larger tiles first, and coordinates follow r = c0 + p0 (c1 + p1 c2);
 *  - the neighbour relation is symmetric and neighbour boxes really touch (with wrap-around);
 *  - ownership queries agree with the boxes for every cell of small grids;
 *  - the automatic process grid fits when any factorisation fits and has the least surface;
 *  - refusals return the documented code and name the numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsr_test.h"

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct {
  int dim;
  tsr_gidx n[TSR_MAX_DIM];
  bool periodic[TSR_MAX_DIM];
  int procs[TSR_MAX_DIM]; /* 0 = choose */
  int ghost;
} grid_case;

/* Create and set up the grid of @p gc; returns setup's code (the grid exists either way). */
static tsr_err make_grid(const grid_case *gc, tsr_grid *grid) {
  tsr_err e = tsr_grid_create(tsr_test_ctx(), gc->dim, gc->n, grid);
  if (e) return e;
  if ((e = tsr_grid_set_periodic(*grid, gc->periodic))) return e;
  if ((e = tsr_grid_set_procs(*grid, gc->procs))) return e;
  if ((e = tsr_grid_set_ghost_width(*grid, gc->ghost))) return e;
  return tsr_grid_setup(*grid);
}

static void describe(const grid_case *gc, char *buf, size_t size) {
  snprintf(buf, size, "%dD %lldx%lldx%lld periodic %d%d%d procs %dx%dx%d ghost %d", gc->dim,
           (long long)gc->n[0], (long long)gc->n[1], (long long)gc->n[2], gc->periodic[0],
           gc->periodic[1], gc->periodic[2], gc->procs[0], gc->procs[1], gc->procs[2], gc->ghost);
}

/* True when every rank got the same int array (so decisions were made alike). */
static bool same_on_all_ranks(const int *v, int count) {
  int lo[32], hi[32];
  MPI_Allreduce(v, lo, count, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(v, hi, count, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return memcmp(lo, hi, (size_t)count * sizeof(int)) == 0;
}

/* Brute force over factorisations of @p size: does one give every tile >= need cells? */
static bool some_procs_fit(const grid_case *gc, int size, tsr_gidx need) {
  for (int p0 = 1; p0 <= size; p0++)
    for (int p1 = 1; p1 <= size / p0; p1++) {
      if (size % (p0 * p1)) continue;
      int p[3] = {p0, p1, size / (p0 * p1)};
      bool ok = true;
      for (int a = 0; a < 3; a++) {
        if (gc->procs[a] && p[a] != gc->procs[a]) ok = false;
        if (a >= gc->dim && p[a] != 1) ok = false;
        if (a < gc->dim && gc->n[a] / p[a] < need) ok = false;
      }
      if (ok) return true;
    }
  return false;
}

/* Exact total tile surface (faces between and around tiles) for small grids. */
static long long tile_surface(const tsr_gidx n[3], const int p[3]) {
  return 2 * ((long long)p[0] * n[1] * n[2] + (long long)p[1] * n[0] * n[2] +
              (long long)p[2] * n[0] * n[1]);
}

/* The chosen process grid has the least surface among those that fit at least as well. */
static void check_least_surface(const grid_case *gc, const tsr_grid_info *info) {
  tsr_gidx need = gc->ghost > 1 ? gc->ghost : 1;
  if (!some_procs_fit(gc, info->size, need)) return;
  long long chosen = tile_surface(info->n, info->procs);
  for (int p0 = 1; p0 <= info->size; p0++)
    for (int p1 = 1; p1 <= info->size / p0; p1++) {
      if (info->size % (p0 * p1)) continue;
      int p[3] = {p0, p1, info->size / (p0 * p1)};
      bool ok = true;
      for (int a = 0; a < 3; a++) {
        if (gc->procs[a] && p[a] != gc->procs[a]) ok = false;
        if (a >= gc->dim && p[a] != 1) ok = false;
        if (a < gc->dim && gc->n[a] / p[a] < need) ok = false;
      }
      if (ok) CU_ASSERT(chosen <= tile_surface(info->n, p));
    }
}

/* The tiles of all ranks: exact cover, no overlap, extents by the remainder rule. */
static void check_tiles(tsr_grid grid, const tsr_grid_info *info, tsr_box *boxes) {
  tsr_gidx total = info->n[0] * info->n[1] * info->n[2], sum = 0;
  for (int r = 0; r < info->size; r++) {
    TSR_ASSERT_OK(tsr_grid_rank_box(grid, r, &boxes[r]));
    int c[3];
    TSR_ASSERT_OK(tsr_grid_rank_coords(grid, r, c));
    CU_ASSERT_EQUAL(r, c[0] + info->procs[0] * (c[1] + info->procs[1] * c[2]));
    sum += tsr_box_volume(&boxes[r]);
    for (int a = 0; a < 3; a++) {
      tsr_gidx e = tsr_box_extent(&boxes[r], a);
      tsr_gidx q = info->n[a] / info->procs[a], rem = info->n[a] % info->procs[a];
      CU_ASSERT_EQUAL(e, q + (c[a] < rem)); /* larger tiles first */
      CU_ASSERT(e >= info->tile_min[a] && e <= info->tile_max[a]);
      CU_ASSERT(info->tile_max[a] - info->tile_min[a] <= 1);
      CU_ASSERT(boxes[r].lo[a] >= 0 && boxes[r].hi[a] <= info->n[a]);
    }
    for (int s = 0; s < r; s++) {
      tsr_box x = tsr_box_intersect(&boxes[r], &boxes[s]);
      CU_ASSERT(tsr_box_is_empty(&x));
    }
  }
  CU_ASSERT_EQUAL(sum, total);
  CU_ASSERT(tsr_box_equal(&boxes[info->rank], &info->owned));
  /* tile_min/tile_max are attained by some tile. */
  for (int a = 0; a < 3; a++) {
    bool has_min = false, has_max = false;
    for (int r = 0; r < info->size; r++) {
      has_min |= tsr_box_extent(&boxes[r], a) == info->tile_min[a];
      has_max |= tsr_box_extent(&boxes[r], a) == info->tile_max[a];
    }
    CU_ASSERT(has_min && has_max);
  }
}

/* Does box @p nb sit next to @p me in direction offset @p d on axis a (with wrap)? */
static bool adjacent_on_axis(const tsr_grid_info *info, const tsr_box *me, const tsr_box *nb, int a,
                             int d) {
  if (d == 0) return nb->lo[a] == me->lo[a] && nb->hi[a] == me->hi[a];
  if (d > 0)
    return me->hi[a] < info->n[a] ? nb->lo[a] == me->hi[a] : info->periodic[a] && nb->lo[a] == 0;
  return me->lo[a] > 0 ? nb->hi[a] == me->lo[a] : info->periodic[a] && nb->hi[a] == info->n[a];
}

/* Neighbours: -1 exactly where the domain ends, boxes adjacent, relation symmetric. */
static void check_neighbors(tsr_grid grid, const tsr_grid_info *info, const tsr_box *boxes) {
  int mine[TSR_NUM_DIRS];
  for (int dir = 0; dir < TSR_NUM_DIRS; dir++)
    TSR_ASSERT_OK(tsr_grid_neighbor(grid, dir, &mine[dir]));
  CU_ASSERT_EQUAL(mine[TSR_DIR_SELF], info->rank);
  int *all = calloc((size_t)info->size * TSR_NUM_DIRS, sizeof(int));
  MPI_Allgather(mine, TSR_NUM_DIRS, MPI_INT, all, TSR_NUM_DIRS, MPI_INT, MPI_COMM_WORLD);
  const tsr_box *me = &boxes[info->rank];
  for (int dir = 0; dir < TSR_NUM_DIRS; dir++) {
    bool ends = false;
    for (int a = 0; a < 3; a++) {
      int d = tsr_dir_offset(dir, a);
      if (info->periodic[a]) continue;
      ends |= (d < 0 && me->lo[a] == 0) || (d > 0 && me->hi[a] == info->n[a]);
    }
    int nb = mine[dir];
    CU_ASSERT_EQUAL(nb == -1, ends);
    if (nb < 0) continue;
    CU_ASSERT(nb < info->size);
    if (nb >= info->size) continue;
    for (int a = 0; a < 3; a++)
      CU_ASSERT(adjacent_on_axis(info, me, &boxes[nb], a, tsr_dir_offset(dir, a)));
    CU_ASSERT_EQUAL(all[nb * TSR_NUM_DIRS + tsr_dir_opposite(dir)], info->rank);
  }
  free(all);
}

/* Every cell of a small grid: the owner query names the rank whose box holds it. */
static void check_owners(tsr_grid grid, const tsr_grid_info *info, const tsr_box *boxes) {
  if (info->n[0] * info->n[1] * info->n[2] > 3000) return;
  tsr_gidx idx[3];
  int bad = 0;
  for (idx[2] = 0; idx[2] < info->n[2]; idx[2]++)
    for (idx[1] = 0; idx[1] < info->n[1]; idx[1]++)
      for (idx[0] = 0; idx[0] < info->n[0]; idx[0]++) {
        int owner = -1, holders = 0;
        if (tsr_grid_owner(grid, idx, &owner) != TSR_SUCCESS) bad++;
        for (int r = 0; r < info->size; r++)
          if (tsr_box_contains(&boxes[r], idx)) holders += r == owner ? 1 : 100;
        bad += holders != 1;
      }
  CU_ASSERT_EQUAL(bad, 0);
}

/* Every check on one decomposition; an unfit case must be refused only when nothing fits. */
static void check_case(const grid_case *gc) {
  char what[160];
  describe(gc, what, sizeof what);
  tsr_grid grid = NULL;
  tsr_err e = make_grid(gc, &grid);
  int size = tsr_test_size();
  tsr_gidx need = gc->ghost > 1 ? gc->ghost : 1;
  bool fits = some_procs_fit(gc, size, need);
  if (e != TSR_SUCCESS) {
    CU_ASSERT_EQUAL(e, TSR_ERR_DECOMP);
    CU_ASSERT(!fits);
    if (fits)
      fprintf(stderr, "[rank %d] %s refused: %s\n", tsr_test_rank(), what, tsr_error_message());
    tsr_error_clear();
    TSR_ASSERT_OK(tsr_grid_destroy(&grid));
    return;
  }
  tsr_grid_info info;
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  CU_ASSERT_EQUAL(info.size, size);
  CU_ASSERT_EQUAL(info.rank, tsr_test_rank());
  CU_ASSERT_EQUAL(info.dim, gc->dim);
  CU_ASSERT_EQUAL(info.ghost_width, gc->ghost);
  CU_ASSERT_EQUAL(info.procs[0] * info.procs[1] * info.procs[2], size);
  for (int a = 0; a < 3; a++) {
    CU_ASSERT_EQUAL(info.n[a], a < gc->dim ? gc->n[a] : 1);
    CU_ASSERT_EQUAL(info.periodic[a], a < gc->dim && gc->periodic[a]);
    if (a >= gc->dim) CU_ASSERT_EQUAL(info.procs[a], 1);
    if (gc->procs[a] && a < gc->dim) CU_ASSERT_EQUAL(info.procs[a], gc->procs[a]);
    if (fits) CU_ASSERT(a >= gc->dim || info.tile_min[a] >= need);
  }
  CU_ASSERT(fits); /* success means every tile is at least as wide as the ghost */
  CU_ASSERT(same_on_all_ranks(info.procs, 3));
  check_least_surface(gc, &info);
  tsr_box *boxes = calloc((size_t)size, sizeof *boxes);
  check_tiles(grid, &info, boxes);
  check_neighbors(grid, &info, boxes);
  check_owners(grid, &info, boxes);
  free(boxes);
  TSR_ASSERT_OK(tsr_grid_setup(grid)); /* idempotent */
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  CU_ASSERT_PTR_NULL(grid);
}

/* Each size under three periodicities. */
static void check_sizes(int dim, const tsr_gidx (*sizes)[3], int count, int ghost) {
  static const bool periodic[3][3] = {{0, 0, 0}, {1, 1, 1}, {1, 0, 1}};
  for (int s = 0; s < count; s++)
    for (int p = 0; p < 3; p++) {
      grid_case gc = {.dim = dim, .ghost = ghost};
      memcpy(gc.n, sizes[s], sizeof gc.n);
      memcpy(gc.periodic, periodic[p], sizeof gc.periodic);
      check_case(&gc);
    }
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_auto_1d(void) {
  static const tsr_gidx sizes[][3] = {{1, 1, 1}, {2, 1, 1},  {3, 1, 1},  {7, 1, 1},
                                      {8, 1, 1}, {17, 1, 1}, {100, 1, 1}};
  check_sizes(1, sizes, 7, 1);
  check_sizes(1, sizes, 7, 0);
}

static void test_auto_2d(void) {
  static const tsr_gidx sizes[][3] = {{1, 1, 1}, {2, 2, 1},   {3, 1, 1},    {1, 5, 1},
                                      {8, 8, 1}, {10, 7, 1},  {64, 3, 1},   {5, 64, 1},
                                      {2, 3, 1}, {33, 17, 1}, {1000, 10, 1}};
  check_sizes(2, sizes, 11, 1);
}

static void test_auto_3d(void) {
  static const tsr_gidx sizes[][3] = {{1, 1, 1},  {2, 2, 2},  {10, 7, 5}, {4, 4, 4},
                                      {12, 6, 3}, {1, 1, 9},  {3, 1, 2},  {9, 8, 7},
                                      {2, 1, 1},  {16, 2, 2}, {5, 5, 40}};
  check_sizes(3, sizes, 11, 1);
}

/* Wider ghosts: the automatic choice avoids tiles thinner than the ghost when it can. */
static void test_auto_wide_ghost(void) {
  static const tsr_gidx sizes[][3] = {{8, 8, 8}, {16, 3, 3}, {6, 6, 1}, {10, 7, 5}, {3, 3, 3}};
  check_sizes(3, sizes, 5, 2);
  check_sizes(2, sizes, 5, 3);
}

/* User process grids: all tiles on one axis, and partly fixed grids. */
static void test_user_procs(void) {
  int size = tsr_test_size();
  static const tsr_gidx n3[] = {16, 12, 10};
  const int user[][3] = {{1, 1, size}, {size, 1, 1}, {1, size, 1}, {0, 1, 0}, {1, 0, 0}, {0, 0, 1}};
  for (int u = 0; u < 6; u++)
    for (int dim = 1; dim <= 3; dim++) {
      grid_case gc = {.dim = dim, .ghost = 1, .periodic = {dim > 1, 0, 1}};
      memcpy(gc.n, n3, sizeof gc.n);
      bool valid = true;
      for (int a = 0; a < 3; a++) {
        gc.procs[a] = user[u][a];
        if (a >= dim && user[u][a] > 1) valid = false;
      }
      if (valid) check_case(&gc);
    }
}

/* Ties go to the outer axes, and the choice follows the aspect ratio. */
static void test_auto_choice_examples(void) {
  int size = tsr_test_size();
  tsr_grid grid = NULL;
  tsr_grid_info info;
  /* Square 2-D grid on 2 or 8 ranks: 1x2 beats 2x1 (tie) and 2x4 beats 4x2 (tie). */
  grid_case sq = {.dim = 2, .n = {64, 64, 1}, .ghost = 1};
  TSR_ASSERT_OK(make_grid(&sq, &grid));
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  if (size == 2) CU_ASSERT(info.procs[0] == 1 && info.procs[1] == 2);
  if (size == 8) CU_ASSERT(info.procs[0] == 2 && info.procs[1] == 4);
  if (size == 4) CU_ASSERT(info.procs[0] == 2 && info.procs[1] == 2);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  /* Long thin grid: split along the long axis only. */
  grid_case thin = {.dim = 2, .n = {4000, 10, 1}, .ghost = 1};
  TSR_ASSERT_OK(make_grid(&thin, &grid));
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  CU_ASSERT_EQUAL(info.procs[0], size);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  /* Cube on 8 ranks: 2x2x2. */
  grid_case cube = {.dim = 3, .n = {32, 32, 32}, .ghost = 1};
  TSR_ASSERT_OK(make_grid(&cube, &grid));
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  if (size == 8) CU_ASSERT(info.procs[0] == 2 && info.procs[1] == 2 && info.procs[2] == 2);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* 64-bit sizes: boxes and owners beyond 2^32 cells per axis (no storage involved). */
static void test_huge_sizes(void) {
  const tsr_gidx big = (tsr_gidx)1 << 40;
  grid_case gc = {.dim = 3, .n = {big + 3, 3, 2}, .ghost = 1, .procs = {0, 1, 1}};
  tsr_grid grid = NULL;
  TSR_ASSERT_OK(make_grid(&gc, &grid));
  tsr_grid_info info;
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  int size = tsr_test_size();
  tsr_gidx sum = 0;
  tsr_box last;
  for (int r = 0; r < size; r++) {
    tsr_box b;
    TSR_ASSERT_OK(tsr_grid_rank_box(grid, r, &b));
    sum += tsr_box_extent(&b, 0);
    int owner = -1;
    tsr_gidx probe[3][3] = {{b.lo[0], 0, 0}, {b.hi[0] - 1, 2, 1}, {(b.lo[0] + b.hi[0]) / 2, 1, 0}};
    for (int p = 0; p < 3; p++) {
      TSR_ASSERT_OK(tsr_grid_owner(grid, probe[p], &owner));
      CU_ASSERT_EQUAL(owner, r);
    }
    last = b;
  }
  CU_ASSERT_EQUAL(sum, big + 3);
  CU_ASSERT_EQUAL(last.hi[0], big + 3);
  CU_ASSERT_EQUAL(info.tile_min[0], (big + 3) / size);
  tsr_gidx outside[3] = {big + 3, 0, 0};
  int owner;
  TSR_ASSERT_ERR(tsr_grid_owner(grid, outside, &owner), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* Assert that @p e is @p code and that the recorded message holds every string in @p parts. */
static void expect_error(tsr_err e, tsr_err code, const char *const *parts, int nparts) {
  CU_ASSERT_EQUAL(e, code);
  const char *msg = tsr_error_message();
  for (int i = 0; i < nparts; i++) {
    bool found = strstr(msg, parts[i]) != NULL;
    CU_ASSERT(found);
    if (!found)
      fprintf(stderr, "[rank %d] message \"%s\" lacks \"%s\"\n", tsr_test_rank(), msg, parts[i]);
  }
  tsr_error_clear();
}

static tsr_err setup_case(const grid_case *gc) {
  tsr_grid grid = NULL;
  tsr_err e = make_grid(gc, &grid);
  tsr_grid_destroy(&grid);
  return e;
}

static void test_refuse_decompositions(void) {
  int size = tsr_test_size();
  char a[64], b[64], c[64];
  /* Product of the process grid is not the rank count. */
  grid_case wrong = {.dim = 3, .n = {16, 16, 16}, .ghost = 1, .procs = {size + 1, 1, 1}};
  snprintf(a, sizeof a, "%dx1x1", size + 1);
  snprintf(b, sizeof b, "%d ranks", size);
  expect_error(setup_case(&wrong), TSR_ERR_DECOMP, (const char *[]){a, b}, 2);
  /* Fixed entries that do not divide the rank count. */
  grid_case nodiv = {.dim = 3, .n = {16, 16, 16}, .ghost = 1, .procs = {0, size + 1, 0}};
  expect_error(setup_case(&nodiv), TSR_ERR_DECOMP, (const char *[]){b}, 1);
  /* A thin tile: 2 size - 1 cells over size tiles leaves a tile of one cell < ghost 2. */
  grid_case thin = {.dim = 2, .n = {2 * size - 1, 8, 1}, .ghost = 2, .procs = {size, 1, 1}};
  snprintf(a, sizeof a, "tiles of 1 cells on axis 0");
  snprintf(b, sizeof b, "ghost width 2");
  snprintf(c, sizeof c, "%d cells over %d tiles", 2 * size - 1, size);
  expect_error(setup_case(&thin), TSR_ERR_DECOMP, (const char *[]){a, b, c}, 3);
  /* The automatic choice cannot avoid a thin tile either: one cell per rank, ghost 2. */
  grid_case tiny = {.dim = 1, .n = {size, 1, 1}, .ghost = 2};
  expect_error(setup_case(&tiny), TSR_ERR_DECOMP, (const char *[]){"ghost width 2"}, 1);
  if (size > 1) {
    /* A tile with no cells. */
    grid_case empty = {.dim = 2, .n = {8, size - 1, 1}, .ghost = 0, .procs = {1, size, 1}};
    snprintf(a, sizeof a, "%d tiles on the %d cells of axis 1", size, size - 1);
    expect_error(setup_case(&empty), TSR_ERR_DECOMP, (const char *[]){a, "no cells"}, 2);
    grid_case auto_empty = {.dim = 1, .n = {size - 1, 1, 1}, .ghost = 0};
    expect_error(setup_case(&auto_empty), TSR_ERR_DECOMP, (const char *[]){"no cells"}, 1);
  }
  /* Splitting an axis the grid does not have. */
  grid_case beyond = {.dim = 2, .n = {8, 8, 1}, .ghost = 1, .procs = {size, 1, 2}};
  expect_error(setup_case(&beyond), TSR_ERR_ARG, (const char *[]){"axis 2", "2-D"}, 2);
  grid_case beyond1 = {.dim = 1, .n = {8, 1, 1}, .ghost = 1, .procs = {1, 3, 1}};
  expect_error(setup_case(&beyond1), TSR_ERR_ARG, (const char *[]){"axis 1", "1-D"}, 2);
}

static void test_refuse_arguments(void) {
  tsr_ctx ctx = tsr_test_ctx();
  tsr_grid grid = (tsr_grid)&grid; /* create must reset it */
  const tsr_gidx n[3] = {8, 8, 8}, zero[3] = {8, 0, 8}, neg[3] = {-4, 8, 8};
  expect_error(tsr_grid_create(ctx, 0, n, &grid), TSR_ERR_ARG, (const char *[]){"dimension 0"}, 1);
  CU_ASSERT_PTR_NULL(grid);
  expect_error(tsr_grid_create(ctx, 4, n, &grid), TSR_ERR_ARG, (const char *[]){"dimension 4"}, 1);
  expect_error(tsr_grid_create(ctx, 3, zero, &grid), TSR_ERR_ARG,
               (const char *[]){"size 0 on axis 1"}, 1);
  expect_error(tsr_grid_create(ctx, 3, neg, &grid), TSR_ERR_ARG,
               (const char *[]){"size -4 on axis 0"}, 1);
  /* A zero beyond dim is ignored. */
  const tsr_gidx n2[3] = {8, 8, 0};
  TSR_ASSERT_OK(tsr_grid_create(ctx, 2, n2, &grid));
  const int neg_procs[3] = {1, -2, 1};
  expect_error(tsr_grid_set_procs(grid, neg_procs), TSR_ERR_ARG, (const char *[]){"-2"}, 1);
  expect_error(tsr_grid_set_ghost_width(grid, -1), TSR_ERR_ARG, (const char *[]){"-1"}, 1);
  tsr_grid_info info;
  TSR_ASSERT_ERR(tsr_grid_get_info(grid, &info), TSR_ERR_STATE);
  tsr_box box;
  TSR_ASSERT_ERR(tsr_grid_rank_box(grid, 0, &box), TSR_ERR_STATE);
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  CU_ASSERT_EQUAL(info.n[2], 1);
  const bool per[3] = {1, 1, 1};
  TSR_ASSERT_ERR(tsr_grid_set_periodic(grid, per), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_grid_set_ghost_width(grid, 1), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_grid_rank_box(grid, -1, &box), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_grid_rank_box(grid, tsr_test_size(), &box), TSR_ERR_ARG);
  int c[3], r;
  TSR_ASSERT_ERR(tsr_grid_rank_coords(grid, tsr_test_size(), c), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_grid_neighbor(grid, TSR_NUM_DIRS, &r), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_grid_neighbor(grid, -1, &r), TSR_ERR_ARG);
  const tsr_gidx outside[3][3] = {{8, 0, 0}, {0, -1, 0}, {0, 0, 1}};
  for (int i = 0; i < 3; i++)
    TSR_ASSERT_ERR(tsr_grid_owner(grid, outside[i], &r), TSR_ERR_ARG);
  CU_ASSERT_PTR_EQUAL(tsr_grid_ctx(grid), ctx);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid)); /* NULL is fine */
  TSR_ASSERT_OK(tsr_grid_destroy(NULL));
}

/* A single tile on a periodic axis is its own neighbour; non-periodic it has none. */
static void test_self_neighbor(void) {
  grid_case gc = {.dim = 3,
                  .n = {6, 16, 4},
                  .periodic = {1, 0, 1},
                  .ghost = 1,
                  .procs = {1, tsr_test_size(), 1}};
  tsr_grid grid = NULL;
  TSR_ASSERT_OK(make_grid(&gc, &grid));
  int me = tsr_test_rank(), r;
  TSR_ASSERT_OK(tsr_grid_neighbor(grid, tsr_dir_index(1, 0, 0), &r));
  CU_ASSERT_EQUAL(r, me);
  TSR_ASSERT_OK(tsr_grid_neighbor(grid, tsr_dir_index(-1, 0, -1), &r));
  CU_ASSERT_EQUAL(r, me);
  TSR_ASSERT_OK(tsr_grid_neighbor(grid, tsr_dir_index(0, -1, 0), &r));
  CU_ASSERT_EQUAL(r, me == 0 ? -1 : me - 1);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {{"auto 1-D sizes", test_auto_1d},
                                        {"auto 2-D sizes", test_auto_2d},
                                        {"auto 3-D sizes", test_auto_3d},
                                        {"auto with wide ghosts", test_auto_wide_ghost},
                                        {"user process grids", test_user_procs},
                                        {"automatic choice examples", test_auto_choice_examples},
                                        {"64-bit sizes", test_huge_sizes},
                                        {"refused decompositions", test_refuse_decompositions},
                                        {"refused arguments", test_refuse_arguments},
                                        {"periodic self-neighbour", test_self_neighbor},
                                        TSR_TEST_END};
  return tsr_test_main(argc, argv, "grid", cases);
}
