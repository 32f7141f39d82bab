/* Fields: layout and alignment, views, fill and copy, physical boundary fill (every kind on
 * every face, with edges and corners, in 1-D, 2-D and 3-D) and the fingerprint (against a
 * serial sum over the whole grid, across process grids, and its sensitivity). Runs at
 * several rank counts and at 1 and 2 threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsr_test.h"

/* ---- helpers ------------------------------------------------------------------------------ */

/* Grid of @p dim dimensions with @p n cells, process grid @p procs (NULL: choose). */
static tsr_grid make_grid(int dim, const tsr_gidx n[3], const bool periodic[3], const int *procs,
                          int ghost) {
  tsr_grid grid = NULL;
  const bool none[3] = {0, 0, 0};
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), dim, n, &grid));
  TSR_ASSERT_OK(tsr_grid_set_periodic(grid, periodic ? periodic : none));
  if (procs) TSR_ASSERT_OK(tsr_grid_set_procs(grid, procs));
  TSR_ASSERT_OK(tsr_grid_set_ghost_width(grid, ghost));
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  return grid;
}

static tsr_field make_field(tsr_grid grid, const char *name, int ncomp, int ghost) {
  tsr_field f = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, name, ncomp, ghost, &f));
  TSR_ASSERT_OK(tsr_field_setup(f));
  return f;
}

/* A value per cell and component that differs between neighbours and components; dyadic, so
 * the boundary arithmetic below is exact. */
static double cell_value(const tsr_gidx g[3], int comp) {
  return 1.5 + 0.5 * (double)g[0] + 3.25 * (double)g[1] + 7.125 * (double)g[2] +
         0.0625 * (double)((g[0] * 5 + g[1] * 3 + g[2]) % 7) + 1000.0 * comp;
}

static double init_fn(const tsr_gidx idx[3], int comp, void *user) {
  return cell_value(idx, comp);
}

/* A distinct value for each ghost cell position, so misplaced writes show. */
static double sentinel(const int l[3], int comp) {
  return -100000.0 - (double)(l[0] + 37 * l[1] + 37 * 37 * l[2]) - 0.5 * comp;
}

/* Loop over the ghosted local box of view v. */
#define FOR_GHOSTED(v, i, j, k)                                                                    \
  for (int k = -(v).ghost[2]; k < (v).n[2] + (v).ghost[2]; k++)                                    \
    for (int j = -(v).ghost[1]; j < (v).n[1] + (v).ghost[1]; j++)                                  \
      for (int i = -(v).ghost[0]; i < (v).n[0] + (v).ghost[0]; i++)

static bool is_owned(const tsr_view *v, int i, int j, int k) {
  return i >= 0 && i < v->n[0] && j >= 0 && j < v->n[1] && k >= 0 && k < v->n[2];
}

/* Owned cells from cell_value, ghosts from sentinel(). */
static void paint(tsr_field f) {
  for (int c = 0; c < tsr_field_num_components(f); c++) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(f, c, &v));
    FOR_GHOSTED(v, i, j, k) {
      int l[3] = {i, j, k};
      tsr_gidx g[3] = {v.box.lo[0] + i, v.box.lo[1] + j, v.box.lo[2] + k};
      TSR_VIEW_AT(v, i, j, k) = is_owned(&v, i, j, k) ? cell_value(g, c) : sentinel(l, c);
    }
  }
}

static bool same_bits(double a, double b) {
  return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- layout ------------------------------------------------------------------------------- */

/* Rows start aligned, strides are whole lines, and every cell of the ghosted box of every
 * component has its own storage (write all, read all back). */
static void check_layout(tsr_field f, int ghost) {
  tsr_grid_info info;
  TSR_ASSERT_OK(tsr_grid_get_info(tsr_field_grid(f), &info));
  int ncomp = tsr_field_num_components(f);
  long bad_align = 0, bad_value = 0;
  for (int c = 0; c < ncomp; c++) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(f, c, &v));
    CU_ASSERT(tsr_box_equal(&v.box, &info.owned));
    CU_ASSERT_EQUAL(v.sj % 8, 0);
    CU_ASSERT_EQUAL(v.sk % 8, 0);
    for (int a = 0; a < 3; a++) {
      CU_ASSERT_EQUAL(v.n[a], tsr_box_extent(&info.owned, a));
      CU_ASSERT_EQUAL(v.ghost[a], a < info.dim ? ghost : 0);
    }
    for (int k = -v.ghost[2]; k < v.n[2] + v.ghost[2]; k++)
      for (int j = -v.ghost[1]; j < v.n[1] + v.ghost[1]; j++)
        bad_align += (uintptr_t)&TSR_VIEW_AT(v, 0, j, k) % TSR_ALIGN != 0;
    FOR_GHOSTED(v, i, j, k) {
      int l[3] = {i, j, k};
      TSR_VIEW_AT(v, i, j, k) = sentinel(l, c);
    }
  }
  for (int c = 0; c < ncomp; c++) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(f, c, &v));
    FOR_GHOSTED(v, i, j, k) {
      int l[3] = {i, j, k};
      bad_value += !same_bits(TSR_VIEW_AT(v, i, j, k), sentinel(l, c));
    }
  }
  CU_ASSERT_EQUAL(bad_align, 0);
  CU_ASSERT_EQUAL(bad_value, 0);
}

static void test_layout(void) {
  static const tsr_gidx sizes[3][3] = {{41, 1, 1}, {29, 27, 1}, {13, 9, 7}};
  for (int dim = 1; dim <= 3; dim++) {
    tsr_grid grid = make_grid(dim, sizes[dim - 1], NULL, NULL, 3);
    for (int ghost = 0; ghost <= 3; ghost++) {
      tsr_field f = make_field(grid, "u", 2, ghost);
      check_layout(f, ghost);
      TSR_ASSERT_OK(tsr_field_destroy(&f));
      CU_ASSERT_PTR_NULL(f);
    }
    TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  }
}

/* Storage starts at zero everywhere (first touch covers the whole block, pads included),
 * even when the allocator hands back dirty memory; setup is idempotent. */
static void test_setup_zero(void) {
  /* 3-D, flat 3-D (threads split axis 1, ghost planes around one cell), 2-D, 1-D */
  static const tsr_gidx sizes[4][3] = {{21, 19, 11}, {21, 19, 1}, {40, 33, 1}, {300, 1, 1}};
  static const int dims[4] = {3, 3, 2, 1}, ghosts[4] = {2, 1, 2, 2};
  for (int g = 0; g < 4; g++) {
    tsr_grid grid = make_grid(dims[g], sizes[g], NULL, NULL, ghosts[g]);
    for (int round = 0; round < 2; round++) {
      tsr_field f = make_field(grid, "z", 2, ghosts[g]);
      long nonzero = 0;
      for (int c = 0; c < 2; c++) {
        tsr_view v;
        TSR_ASSERT_OK(tsr_field_get_view(f, c, &v));
        FOR_GHOSTED(v, i, j, k) nonzero += !same_bits(TSR_VIEW_AT(v, i, j, k), 0.0);
        FOR_GHOSTED(v, i, j, k) TSR_VIEW_AT(v, i, j, k) = -1.0; /* dirty it for the next round */
      }
      CU_ASSERT_EQUAL(nonzero, 0);
      tsr_view before, after;
      TSR_ASSERT_OK(tsr_field_get_view(f, 1, &before));
      TSR_ASSERT_OK(tsr_field_setup(f));
      TSR_ASSERT_OK(tsr_field_get_view(f, 1, &after));
      CU_ASSERT_PTR_EQUAL(before.data, after.data);
      CU_ASSERT_EQUAL(TSR_VIEW_AT(after, 0, 0, 0), -1.0);
      TSR_ASSERT_OK(tsr_field_destroy(&f));
    }
    TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  }
}

/* ---- fill and copy ------------------------------------------------------------------------ */

/* 1-D, 2-D, 3-D and flat 3-D (one cell on axis 2), as dims[] and sizes[]. */
static const int case_dims[4] = {1, 2, 3, 3};
static const tsr_gidx case_sizes[4][3] = {{50, 1, 1}, {17, 23, 1}, {11, 6, 9}, {11, 16, 1}};

static void test_fill_views(void) {
  for (int cs = 0; cs < 4; cs++) {
    tsr_grid grid = make_grid(case_dims[cs], case_sizes[cs], NULL, NULL, 1);
    tsr_field f = make_field(grid, "u", 3, 1);
    TSR_ASSERT_OK(tsr_field_fill(f, init_fn, NULL));
    long bad = 0;
    for (int c = 0; c < 3; c++) {
      tsr_view v;
      TSR_ASSERT_OK(tsr_field_get_view(f, c, &v));
      FOR_GHOSTED(v, i, j, k) {
        tsr_gidx g[3] = {v.box.lo[0] + i, v.box.lo[1] + j, v.box.lo[2] + k};
        double want = is_owned(&v, i, j, k) ? cell_value(g, c) : 0.0; /* ghosts untouched */
        bad += !same_bits(TSR_VIEW_AT(v, i, j, k), want);
        bad += &TSR_VIEW_AT(v, i, j, k) != v.data + i + j * v.sj + k * v.sk;
      }
    }
    CU_ASSERT_EQUAL(bad, 0);
    TSR_ASSERT_OK(tsr_field_destroy(&f));
    TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  }
}

static void test_copy(void) {
  for (int cs = 0; cs < 4; cs++) {
    tsr_grid grid = make_grid(case_dims[cs], case_sizes[cs], NULL, NULL, 1);
    tsr_field src = make_field(grid, "src", 2, 0), dst = make_field(grid, "dst", 2, 1);
    TSR_ASSERT_OK(tsr_field_fill(src, init_fn, NULL));
    paint(dst);
    for (int c = 0; c < 2; c++) { /* owned cells of dst differ before the copy */
      tsr_view d;
      TSR_ASSERT_OK(tsr_field_get_view(dst, c, &d));
      TSR_VIEW_AT(d, 0, 0, 0) = -7.0;
    }
    TSR_ASSERT_OK(tsr_field_copy(src, dst));
    long bad = 0;
    for (int c = 0; c < 2; c++) {
      tsr_view d;
      TSR_ASSERT_OK(tsr_field_get_view(dst, c, &d));
      FOR_GHOSTED(d, i, j, k) {
        int l[3] = {i, j, k};
        tsr_gidx g[3] = {d.box.lo[0] + i, d.box.lo[1] + j, d.box.lo[2] + k};
        double want = is_owned(&d, i, j, k) ? cell_value(g, c) : sentinel(l, c);
        bad += !same_bits(TSR_VIEW_AT(d, i, j, k), want);
      }
    }
    CU_ASSERT_EQUAL(bad, 0);
    tsr_field one = make_field(grid, "one", 1, 1);
    TSR_ASSERT_ERR(tsr_field_copy(src, one), TSR_ERR_ARG);
    TSR_ASSERT_OK(tsr_field_copy(src, src));
    TSR_ASSERT_OK(tsr_field_destroy(&one));
    TSR_ASSERT_OK(tsr_field_destroy(&src));
    TSR_ASSERT_OK(tsr_field_destroy(&dst));
    TSR_ASSERT_OK(tsr_grid_destroy(&grid));
  }
}

/* ---- physical boundary fill --------------------------------------------------------------- */

typedef struct {
  tsr_bc_kind kind[6];
  double value[6];
  long calls; /* callback invocations */
} bc_setup;

/* The callback's value: depends on the ghost's position, the component and the mirror. */
static double callback_value(const tsr_gidx idx[3], int comp, double owned) {
  return 0.5 * owned + (double)idx[0] + 8.0 * (double)idx[1] + 64.0 * (double)idx[2] + 0.25 * comp;
}

static double bc_callback(const tsr_gidx idx[3], int comp, double owned, void *user) {
  ((bc_setup *)user)->calls++;
  return callback_value(idx, comp, owned);
}

/* True when local cell @p l lies outside the tile on axis @p a through a physical face that
 * has a condition; its face in *face. */
static bool outside_filled(const tsr_grid_info *info, const tsr_view *v, const bc_setup *bc,
                           const int l[3], int a, int *face) {
  if (l[a] >= 0 && l[a] < v->n[a]) return false;
  int side = l[a] >= 0;
  *face = 2 * a + side;
  bool physical = !info->periodic[a] && info->coords[a] == (side ? info->procs[a] - 1 : 0);
  return physical && bc->kind[*face] != TSR_BC_NONE;
}

/* What a cell holds once the faces of axes 0 .. @p upto are filled, by the definition in
 * field.h: axes are filled in order, each over the whole ghosted range of the others, so the
 * highest such axis through a physical face with a condition decides; its value follows from
 * the mirror image as it was before that axis was filled. A cell no fill reaches keeps what
 * it had (its painted value). */
static double value_after(const tsr_grid_info *info, const tsr_view *v, const bc_setup *bc,
                          int comp, const int l[3], int upto) {
  int a = -1, face = -1;
  for (int b = upto; b >= 0 && a < 0; b--)
    if (outside_filled(info, v, bc, l, b, &face)) a = b;
  if (a < 0) {
    if (is_owned(v, l[0], l[1], l[2])) {
      tsr_gidx g[3] = {v->box.lo[0] + l[0], v->box.lo[1] + l[1], v->box.lo[2] + l[2]};
      return cell_value(g, comp);
    }
    return sentinel(l, comp);
  }
  int side = face % 2;
  int m = side ? l[a] - v->n[a] : -1 - l[a];
  int lm[3] = {l[0], l[1], l[2]};
  lm[a] = side ? v->n[a] - 1 - m : m;
  double owned = value_after(info, v, bc, comp, lm, a - 1);
  switch (bc->kind[face]) {
  case TSR_BC_DIRICHLET:
    return 2.0 * bc->value[face] - owned;
  case TSR_BC_NEUMANN0:
    return owned;
  case TSR_BC_CALLBACK: {
    tsr_gidx g[3] = {v->box.lo[0] + l[0], v->box.lo[1] + l[1], v->box.lo[2] + l[2]};
    return callback_value(g, comp, owned);
  }
  default:
    return sentinel(l, comp);
  }
}

static double expected(const tsr_grid_info *info, const tsr_view *v, const bc_setup *bc, int comp,
                       const int l[3]) {
  return value_after(info, v, bc, comp, l, 2);
}

/* Fill the boundary of one field with conditions @p bc and compare every cell. */
static void check_boundary(tsr_grid grid, int ghost, bc_setup *bc) {
  tsr_field f = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "b", 2, ghost, &f));
  for (int face = 0; face < 6; face++)
    TSR_ASSERT_OK(
        tsr_field_set_boundary(f, face, bc->kind[face], bc->value[face], bc_callback, bc));
  TSR_ASSERT_OK(tsr_field_setup(f));
  paint(f);
  bc->calls = 0;
  TSR_ASSERT_OK(tsr_field_fill_boundary(f));
  tsr_grid_info info;
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  long bad = 0, filled = 0;
  for (int c = 0; c < 2; c++) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(f, c, &v));
    FOR_GHOSTED(v, i, j, k) {
      int l[3] = {i, j, k};
      double want = expected(&info, &v, bc, c, l);
      bad += !same_bits(TSR_VIEW_AT(v, i, j, k), want);
      filled += !is_owned(&v, i, j, k) && !same_bits(want, sentinel(l, c));
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
  if (bad)
    fprintf(stderr,
            "[rank %d] boundary fill: %ld wrong cells (dim %d, ghost %d, kinds %d%d%d%d%d%d)\n",
            tsr_test_rank(), bad, info.dim, ghost, bc->kind[0], bc->kind[1], bc->kind[2],
            bc->kind[3], bc->kind[4], bc->kind[5]);
  /* The callback ran once per callback ghost cell and axis it lies outside on. */
  long cb_expected = 0;
  for (int c = 0; c < 2; c++) {
    tsr_view v;
    TSR_ASSERT_OK(tsr_field_get_view(f, c, &v));
    FOR_GHOSTED(v, i, j, k) {
      int l[3] = {i, j, k}, face;
      for (int a = 0; a < 3; a++)
        cb_expected +=
            outside_filled(&info, &v, bc, l, a, &face) && bc->kind[face] == TSR_BC_CALLBACK;
    }
  }
  CU_ASSERT_EQUAL(bc->calls, cb_expected);
  /* Somewhere on the grid a ghost was filled (unless every axis is periodic). */
  long filled_all = 0;
  MPI_Allreduce(&filled, &filled_all, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  bool any_open = false;
  for (int a = 0; a < info.dim; a++)
    any_open |= !info.periodic[a];
  bool any_bc = false;
  for (int face = 0; face < 2 * info.dim; face++)
    any_bc |= bc->kind[face] != TSR_BC_NONE;
  if (any_open && any_bc) CU_ASSERT(filled_all > 0);
  TSR_ASSERT_OK(tsr_field_destroy(&f));
}

static void test_boundary_fill(void) {
  /* 1-D, 2-D, 3-D with ghosts up to 2, and flat 3-D (one cell on axis 2) with ghost 1 */
  static const int dims[4] = {1, 2, 3, 3}, max_ghost[4] = {2, 2, 2, 1};
  static const tsr_gidx sizes[4][3] = {{20, 1, 1}, {12, 10, 1}, {8, 8, 6}, {9, 8, 1}};
  static const bool periodic[3][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 1}};
  for (int cs = 0; cs < 4; cs++)
    for (int p = 0; p < 3; p++) {
      tsr_grid grid = make_grid(dims[cs], sizes[cs], periodic[p], NULL, max_ghost[cs]);
      for (int ghost = 1; ghost <= max_ghost[cs]; ghost++)
        for (int kind = TSR_BC_DIRICHLET; kind <= TSR_BC_CALLBACK + 1; kind++) {
          bc_setup bc = {.calls = 0};
          for (int face = 0; face < 6; face++) {
            /* kind past CALLBACK: a different condition on every face, one face left NONE */
            bc.kind[face] =
                kind <= TSR_BC_CALLBACK ? (tsr_bc_kind)kind : (tsr_bc_kind)((face + dims[cs]) % 4);
            bc.value[face] = 0.5 + face;
          }
          check_boundary(grid, ghost, &bc);
        }
      TSR_ASSERT_OK(tsr_grid_destroy(&grid));
    }
}

/* Targeted checks of the formulas on a single rank-independent face: Dirichlet puts the
 * value on the face, the mirror copies, and a 2-D corner is the two conditions composed. */
static void test_boundary_formulas(void) {
  const tsr_gidx n[3] = {9, 7, 1};
  tsr_grid grid = make_grid(2, n, NULL, NULL, 2);
  tsr_grid_info info;
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &info));
  tsr_field f = NULL;
  TSR_ASSERT_OK(tsr_field_create(grid, "d", 1, 2, &f));
  TSR_ASSERT_OK(tsr_field_set_boundary(f, 0, TSR_BC_DIRICHLET, 3.0, NULL, NULL));
  TSR_ASSERT_OK(tsr_field_set_boundary(f, 2, TSR_BC_NEUMANN0, 0.0, NULL, NULL));
  TSR_ASSERT_OK(tsr_field_setup(f));
  paint(f);
  TSR_ASSERT_OK(tsr_field_fill_boundary(f));
  tsr_view v;
  TSR_ASSERT_OK(tsr_field_get_view(f, 0, &v));
  if (info.coords[0] == 0)
    for (int j = 0; j < v.n[1]; j++)
      for (int m = 0; m < 2; m++)
        CU_ASSERT_EQUAL(0.5 * (TSR_VIEW_AT(v, -1 - m, j, 0) + TSR_VIEW_AT(v, m, j, 0)), 3.0);
  if (info.coords[1] == 0)
    for (int i = 0; i < v.n[0]; i++)
      for (int m = 0; m < 2; m++)
        CU_ASSERT_EQUAL(TSR_VIEW_AT(v, i, -1 - m, 0), TSR_VIEW_AT(v, i, m, 0));
  if (info.coords[0] == 0 && info.coords[1] == 0) {
    /* corner (-1,-1): mirror in y of the x-ghost (-1,0) = 2*3 - u(0,0) */
    CU_ASSERT_EQUAL(TSR_VIEW_AT(v, -1, -1, 0), 6.0 - TSR_VIEW_AT(v, 0, 0, 0));
    CU_ASSERT_EQUAL(TSR_VIEW_AT(v, -2, -2, 0), 6.0 - TSR_VIEW_AT(v, 1, 1, 0));
  }
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* ---- fingerprint -------------------------------------------------------------------------- */

/* The fingerprint of cell_value on the whole grid, summed serially on this rank. */
static uint64_t serial_fingerprint(const tsr_gidx n[3], int ncomp) {
  uint64_t sum = 0;
  tsr_gidx g[3];
  for (int c = 0; c < ncomp; c++)
    for (g[2] = 0; g[2] < n[2]; g[2]++)
      for (g[1] = 0; g[1] < n[1]; g[1]++)
        for (g[0] = 0; g[0] < n[0]; g[0]++)
          sum += tsr_fingerprint_cell(g[0] + n[0] * (g[1] + n[1] * g[2]), c, cell_value(g, c));
  return sum;
}

static uint64_t fingerprint_of(tsr_grid grid, int ncomp, int ghost) {
  tsr_field f = make_field(grid, "fp", ncomp, ghost);
  TSR_ASSERT_OK(tsr_field_fill(f, init_fn, NULL));
  uint64_t fp = 0;
  TSR_ASSERT_OK(tsr_field_fingerprint(f, &fp));
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  return fp;
}

/* Equal to the serial sum and across process grids (which needs no knowledge of the mix). */
static void test_fingerprint_decomposition(void) {
  int size = tsr_test_size();
  static const tsr_gidx sizes[3][3] = {{37, 1, 1}, {13, 11, 1}, {9, 10, 8}};
  for (int dim = 1; dim <= 3; dim++) {
    const tsr_gidx *n = sizes[dim - 1];
    tsr_gidx full[3] = {n[0], dim > 1 ? n[1] : 1, dim > 2 ? n[2] : 1};
    uint64_t want = serial_fingerprint(full, 2);
    const int layouts[3][3] = {{0, 0, 0}, {size, 1, 1}, {1, dim > 1 ? size : 1, 1}};
    for (int lay = 0; lay < 3; lay++) {
      if (dim == 1 && lay == 2 && size > 1) continue;
      tsr_grid grid = make_grid(dim, n, NULL, layouts[lay][0] ? layouts[lay] : NULL, 1);
      uint64_t got = fingerprint_of(grid, 2, lay % 2);
      CU_ASSERT_EQUAL(got, want);
      TSR_ASSERT_OK(tsr_grid_destroy(&grid));
    }
  }
  /* Two components are not interchangeable: one component alone gives another sum. */
  CU_ASSERT_NOT_EQUAL(serial_fingerprint(sizes[2], 1), serial_fingerprint(sizes[2], 2));
}

/* Set global cell @p g of component @p comp to @p value on its owner. */
static void set_cell(tsr_field f, const tsr_gidx g[3], int comp, double value) {
  tsr_view v;
  TSR_ASSERT_OK(tsr_field_get_view(f, comp, &v));
  if (tsr_box_contains(&v.box, g))
    TSR_VIEW_AT(v, g[0] - v.box.lo[0], g[1] - v.box.lo[1], g[2] - v.box.lo[2]) = value;
}

static uint64_t fp(tsr_field f) {
  uint64_t x = 0;
  TSR_ASSERT_OK(tsr_field_fingerprint(f, &x));
  return x;
}

static double flip_bit(double x, int bit) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  u ^= (uint64_t)1 << bit;
  memcpy(&x, &u, sizeof x);
  return x;
}

static void test_fingerprint_sensitivity(void) {
  const tsr_gidx n[3] = {10, 9, 8};
  tsr_grid grid = make_grid(3, n, NULL, NULL, 1);
  tsr_field f = make_field(grid, "s", 2, 1);
  TSR_ASSERT_OK(tsr_field_fill(f, init_fn, NULL));
  uint64_t base = fp(f);
  const tsr_gidx a[3] = {3, 4, 5}, b[3] = {7, 1, 2};
  double va = cell_value(a, 0), vb = cell_value(b, 0);
  CU_ASSERT(va != vb);
  /* Every single bit of one value matters. */
  int unchanged = 0;
  for (int bit = 0; bit < 64; bit++) {
    set_cell(f, a, 0, flip_bit(va, bit));
    unchanged += fp(f) == base;
    set_cell(f, a, 0, va);
  }
  CU_ASSERT_EQUAL(unchanged, 0);
  CU_ASSERT_EQUAL(fp(f), base);
  /* Swapping two values (same multiset of values) changes it. */
  set_cell(f, a, 0, vb);
  set_cell(f, b, 0, va);
  CU_ASSERT_NOT_EQUAL(fp(f), base);
  set_cell(f, a, 0, va);
  set_cell(f, b, 0, vb);
  /* Swapping the two components of one cell changes it. */
  set_cell(f, a, 0, cell_value(a, 1));
  set_cell(f, a, 1, va);
  CU_ASSERT_NOT_EQUAL(fp(f), base);
  set_cell(f, a, 0, va);
  set_cell(f, a, 1, cell_value(a, 1));
  /* Exact bits: -0.0 and 0.0 differ. */
  set_cell(f, a, 0, 0.0);
  uint64_t plus = fp(f);
  set_cell(f, a, 0, -0.0);
  CU_ASSERT_NOT_EQUAL(fp(f), plus);
  set_cell(f, a, 0, va);
  CU_ASSERT_EQUAL(fp(f), base);
  /* Ghost cells do not count. */
  tsr_view v;
  TSR_ASSERT_OK(tsr_field_get_view(f, 0, &v));
  TSR_VIEW_AT(v, -1, 0, 0) = 12345.0;
  TSR_VIEW_AT(v, v.n[0], v.n[1] - 1, v.n[2]) = -3.0;
  CU_ASSERT_EQUAL(fp(f), base);
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* ---- errors and accessors ----------------------------------------------------------------- */

static void test_errors_and_names(void) {
  const tsr_gidx n[3] = {16, 16, 1};
  tsr_grid raw = NULL;
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 2, n, &raw));
  tsr_field f = (tsr_field)&f;
  TSR_ASSERT_ERR(tsr_field_create(raw, "u", 1, 1, &f), TSR_ERR_STATE);
  CU_ASSERT_PTR_NULL(f);
  TSR_ASSERT_OK(tsr_grid_set_ghost_width(raw, 2));
  TSR_ASSERT_OK(tsr_grid_setup(raw));
  TSR_ASSERT_ERR(tsr_field_create(raw, "u", 0, 1, &f), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_create(raw, "u", 1, 3, &f), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_create(raw, "u", 1, -1, &f), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_create(raw, "", 1, 1, &f), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_create(raw, NULL, 1, 1, &f), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_create(NULL, "u", 1, 1, &f), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_field_create(raw, "velocity", 3, 2, &f));
  tsr_view v;
  uint64_t x;
  TSR_ASSERT_ERR(tsr_field_get_view(f, 0, &v), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_field_fill(f, init_fn, NULL), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_field_fill_boundary(f), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_field_fingerprint(f, &x), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_field_set_boundary(f, 6, TSR_BC_NEUMANN0, 0, NULL, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_set_boundary(f, -1, TSR_BC_NEUMANN0, 0, NULL, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_set_boundary(f, 0, (tsr_bc_kind)9, 0, NULL, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_set_boundary(f, 0, TSR_BC_CALLBACK, 0, NULL, NULL), TSR_ERR_ARG);
  CU_ASSERT_STRING_EQUAL(tsr_field_name(f), "velocity");
  CU_ASSERT_STRING_EQUAL(tsr_field_component_name(f, 0), "0");
  CU_ASSERT_STRING_EQUAL(tsr_field_component_name(f, 2), "2");
  TSR_ASSERT_OK(tsr_field_set_component_name(f, 1, "vy"));
  CU_ASSERT_STRING_EQUAL(tsr_field_component_name(f, 1), "vy");
  TSR_ASSERT_ERR(tsr_field_set_component_name(f, 3, "vw"), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_set_component_name(f, 0, ""), TSR_ERR_ARG);
  CU_ASSERT_PTR_NULL(tsr_field_component_name(f, 3));
  CU_ASSERT_EQUAL(tsr_field_num_components(f), 3);
  CU_ASSERT_EQUAL(tsr_field_ghost_width(f), 2);
  CU_ASSERT_PTR_EQUAL(tsr_field_grid(f), raw);
  TSR_ASSERT_OK(tsr_field_setup(f));
  TSR_ASSERT_ERR(tsr_field_get_view(f, 3, &v), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_get_view(f, -1, &v), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_field_fill(f, NULL, NULL), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  TSR_ASSERT_OK(tsr_field_destroy(&f));
  TSR_ASSERT_OK(tsr_field_destroy(NULL));
  TSR_ASSERT_OK(tsr_grid_destroy(&raw));
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"layout and alignment", test_layout},
      {"setup zeroes everything", test_setup_zero},
      {"fill and views", test_fill_views},
      {"copy", test_copy},
      {"boundary fill, all kinds", test_boundary_fill},
      {"boundary formulas", test_boundary_formulas},
      {"fingerprint across decompositions", test_fingerprint_decomposition},
      {"fingerprint sensitivity", test_fingerprint_sensitivity},
      {"errors and names", test_errors_and_names},
      TSR_TEST_END};
  return tsr_test_main(argc, argv, "field", cases);
}
