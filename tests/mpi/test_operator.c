/* The operator layer (operator.h) and halo progress: an overlapped application gives the same
 * bits as exchanging first and applying the kernel to the whole tile, in 1-D to 3-D, periodic
 * or not, radius 1 and 2, star and box shapes, several components and a coefficient field,
 * thin tiles (interior empty), with and without overlap and calibration; the interior/shell
 * split covers any tile exactly once; info, events and error paths. */
#include <string.h>

#include "tessera_kernels.h"
#include "tsr_test.h"
#include "tsr_test_array.h"

/* ------------------------------------------------------------------------------------------ */
/* A test stencil: out_c = coef * sum over offsets (fixed order) of w(offset) * in_c(x + off)  */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  int dim, radius, ncomp;
  tsr_halo_shape shape;
  bool fail; /* make the kernel raise an error */
  int calls;
} stencil_user;

static double weight(int dx, int dy, int dz) {
  const int order = (dx != 0) + (dy != 0) + (dz != 0);
  return 1.0 + 0.1 * dx + 0.01 * dy + 0.001 * dz - 0.37 * order;
}

static bool offset_used(const stencil_user *s, int dx, int dy, int dz) {
  const int order = (dx != 0) + (dy != 0) + (dz != 0);
  return s->shape == TSR_SHAPE_BOX || order <= 1;
}

static tsr_err test_kernel(const tsr_op_views *v, const tsr_box *box, void *user) {
  stencil_user *s = user;
  s->calls++;
  if (s->fail) TSR_ERROR_LOCAL(TSR_ERR_INTERNAL, "test kernel: asked to fail");
  const int r[3] = {s->radius, s->dim > 1 ? s->radius : 0, s->dim > 2 ? s->radius : 0};
  const tsr_view *coef = &v->in[s->ncomp];
  for (int c = 0; c < s->ncomp; c++)
    for (tsr_gidx k = box->lo[2]; k < box->hi[2]; k++)
      for (tsr_gidx j = box->lo[1]; j < box->hi[1]; j++)
        for (tsr_gidx i = box->lo[0]; i < box->hi[0]; i++) {
          double acc = 0;
          for (int dz = -r[2]; dz <= r[2]; dz++)
            for (int dy = -r[1]; dy <= r[1]; dy++)
              for (int dx = -r[0]; dx <= r[0]; dx++)
                if (offset_used(s, dx, dy, dz))
                  acc += weight(dx, dy, dz) * TSR_VIEW_AT(v->in[c], i + dx, j + dy, k + dz);
          TSR_VIEW_AT(v->out[c], i, j, k) = TSR_VIEW_AT(*coef, i, j, k) * acc;
        }
  return TSR_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Fixtures                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  const char *name;
  int dim;
  tsr_gidx n[3]; /* entries below 0: -m means m cells per rank along that axis */
  bool periodic[3];
  bool thin; /* all ranks along axis 0 */
  int radius;
  tsr_halo_shape shape;
  int ncomp;
} op_case;

static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

static double hash_init(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  const uint64_t salt = *(const uint64_t *)user;
  const uint64_t h =
      mix(salt ^ mix((uint64_t)idx[0] + 1000 * ((uint64_t)idx[1] + 1000 * (uint64_t)idx[2]) +
                     (uint64_t)comp * 0x10000000ULL));
  return (double)(h >> 11) * 0x1.0p-53 - 0.5;
}

static double coef_init(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  return 1.0 + 0.25 * hash_init(idx, comp, user);
}

static tsr_err make_grid(const op_case *c, tsr_grid *grid) {
  const int size = tsr_test_size();
  tsr_gidx n[3];
  for (int a = 0; a < 3; a++)
    n[a] = c->n[a] < 0 ? -c->n[a] * size + (a == 0 && c->radius > 1) : c->n[a];
  TSR_CALL(tsr_grid_create(tsr_test_ctx(), c->dim, n, grid));
  TSR_CALL(tsr_grid_set_periodic(*grid, c->periodic));
  if (c->thin) {
    const int procs[3] = {size, 1, 1};
    TSR_CALL(tsr_grid_set_procs(*grid, procs));
  }
  TSR_CALL(tsr_grid_set_ghost_width(*grid, c->radius));
  TSR_CALL(tsr_grid_setup(*grid));
  return TSR_SUCCESS;
}

/* A field with ghost width @p ghost and boundary conditions of every kind on its faces. */
static tsr_err make_field(tsr_grid grid, const char *name, int ncomp, int ghost, tsr_field *f) {
  TSR_CALL(tsr_field_create(grid, name, ncomp, ghost, f));
  static const tsr_bc_kind kind[6] = {TSR_BC_DIRICHLET, TSR_BC_NEUMANN0,  TSR_BC_NEUMANN0,
                                      TSR_BC_DIRICHLET, TSR_BC_DIRICHLET, TSR_BC_NEUMANN0};
  static const double value[6] = {0.75, 0, 0, -1.25, 2.0, 0};
  for (int face = 0; face < 6; face++)
    TSR_CALL(tsr_field_set_boundary(*f, face, kind[face], value[face], NULL, NULL));
  TSR_CALL(tsr_field_setup(*f));
  return TSR_SUCCESS;
}

/* Set every ghost of every component to a huge value, so only a real exchange or boundary
 * fill gives the right result. */
static tsr_err scramble_ghosts(tsr_field f) {
  for (int c = 0; c < tsr_field_num_components(f); c++) {
    tsr_view v;
    TSR_CALL(tsr_field_get_view(f, c, &v));
    for (int k = -v.ghost[2]; k < v.n[2] + v.ghost[2]; k++)
      for (int j = -v.ghost[1]; j < v.n[1] + v.ghost[1]; j++)
        for (int i = -v.ghost[0]; i < v.n[0] + v.ghost[0]; i++) {
          const bool owned = i >= 0 && i < v.n[0] && j >= 0 && j < v.n[1] && k >= 0 && k < v.n[2];
          if (!owned) TSR_VIEW_AT(v, i, j, k) = 1e300;
        }
  }
  return TSR_SUCCESS;
}

/* Owned cells (all components) of @p a and @p b whose bits differ. */
static long count_different(tsr_field a, tsr_field b) {
  long bad = 0;
  for (int c = 0; c < tsr_field_num_components(a); c++) {
    tsr_view va, vb;
    if (tsr_field_get_view(a, c, &va) || tsr_field_get_view(b, c, &vb)) return -1;
    for (int k = 0; k < va.n[2]; k++)
      for (int j = 0; j < va.n[1]; j++)
        for (int i = 0; i < va.n[0]; i++) {
          const double x = TSR_VIEW_AT(va, i, j, k), y = TSR_VIEW_AT(vb, i, j, k);
          if (memcmp(&x, &y, sizeof x) != 0) bad++;
        }
  }
  return bad;
}

/* The reference: exchange, fill the boundary, then the kernel on the whole tile. */
typedef struct {
  tsr_halo halo[2];
  tsr_field coef;
  stencil_user *user;
} reference;

static tsr_err apply_reference(reference *ref, int s, tsr_field x, tsr_field y) {
  TSR_CALL(tsr_halo_exchange(ref->halo[s]));
  TSR_CALL(tsr_field_fill_boundary(x));
  const int ncomp = tsr_field_num_components(x);
  tsr_view in[8], out[8];
  for (int c = 0; c < ncomp; c++) {
    TSR_CALL(tsr_field_get_view(x, c, &in[c]));
    TSR_CALL(tsr_field_get_view(y, c, &out[c]));
  }
  TSR_CALL(tsr_field_get_view(ref->coef, 0, &in[ncomp]));
  const tsr_op_views views = {in, ncomp + 1, out, ncomp};
  const tsr_box tile = {{0, 0, 0}, {out[0].n[0], out[0].n[1], out[0].n[2]}};
  TSR_CALL(test_kernel(&views, &tile, ref->user));
  return TSR_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Overlapped application equals exchange-then-apply                                           */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  tsr_grid grid;
  tsr_field a[2], r[2], coef;
  reference ref;
  tsr_op op;
  stencil_user user;
} fixture;

static tsr_err fixture_setup(const op_case *c, fixture *f) {
  memset(f, 0, sizeof *f);
  TSR_CALL(make_grid(c, &f->grid));
  f->user = (stencil_user){c->dim, c->radius, c->ncomp, c->shape, false, 0};
  for (int s = 0; s < 2; s++) {
    TSR_CALL(make_field(f->grid, s ? "a1" : "a0", c->ncomp, c->radius, &f->a[s]));
    TSR_CALL(make_field(f->grid, s ? "r1" : "r0", c->ncomp, c->radius, &f->r[s]));
  }
  TSR_CALL(tsr_field_create(f->grid, "coef", 1, 0, &f->coef));
  TSR_CALL(tsr_field_setup(f->coef));
  uint64_t salt = 42;
  TSR_CALL(tsr_field_fill(f->coef, coef_init, &salt));
  salt = 7;
  TSR_CALL(tsr_field_fill(f->a[0], hash_init, &salt));
  TSR_CALL(tsr_field_fill(f->r[0], hash_init, &salt));
  f->ref.coef = f->coef;
  f->ref.user = &f->user;
  for (int s = 0; s < 2; s++) {
    TSR_CALL(tsr_halo_create(f->grid, &f->ref.halo[s]));
    TSR_CALL(tsr_halo_add_field(f->ref.halo[s], f->r[s]));
    TSR_CALL(tsr_halo_set_shape(f->ref.halo[s], c->shape));
    TSR_CALL(tsr_halo_set_width(f->ref.halo[s], c->radius));
    TSR_CALL(tsr_halo_setup(f->ref.halo[s]));
  }
  TSR_CALL(tsr_op_create(f->grid, &f->op));
  TSR_CALL(tsr_op_set_name(f->op, "test.op"));
  TSR_CALL(tsr_op_set_kernel(f->op, test_kernel, &f->user));
  TSR_CALL(tsr_op_set_radius(f->op, c->radius));
  TSR_CALL(tsr_op_set_shape(f->op, c->shape));
  TSR_CALL(tsr_op_add_coefficient(f->op, f->coef));
  TSR_CALL(tsr_op_set_chunks(f->op, 3));
  TSR_CALL(tsr_op_set_calibration(f->op, 2));
  TSR_CALL(tsr_op_set_from_options(f->op)); /* no --op-* given: keeps the values above */
  TSR_CALL(tsr_op_setup(f->op));
  return TSR_SUCCESS;
}

static void fixture_destroy(fixture *f) {
  tsr_op_destroy(&f->op);
  for (int s = 0; s < 2; s++) {
    tsr_halo_destroy(&f->ref.halo[s]);
    tsr_field_destroy(&f->a[s]);
    tsr_field_destroy(&f->r[s]);
  }
  tsr_field_destroy(&f->coef);
  tsr_grid_destroy(&f->grid);
}

/* Apply the operator @p steps times, old and new swapping like a time loop, next to the
 * reference; returns differing cells over all steps. */
static long run_steps(fixture *f, int steps, int *old) {
  long bad = 0;
  for (int step = 0; step < steps; step++) {
    const int o = *old, n = 1 - o;
    /* Both inputs lose their ghosts: each path must fill what it reads. (Both, because
     * exchange + boundary fill leave some edge ghosts unfilled: see the report.) */
    TSR_ASSERT_OK(scramble_ghosts(f->r[o]));
    TSR_ASSERT_OK(apply_reference(&f->ref, o, f->r[o], f->r[n]));
    TSR_ASSERT_OK(scramble_ghosts(f->a[o]));
    TSR_ASSERT_OK(tsr_op_apply(f->op, f->a[o], f->a[n]));
    bad += count_different(f->a[n], f->r[n]);
    *old = n;
  }
  return bad;
}

static void check_case(const op_case *c) {
  fixture f;
  TSR_ASSERT_OK(fixture_setup(c, &f));
  if (f.op) {
    int old = 0;
    long bad = run_steps(&f, 2, &old); /* application 1 overlapped, 2 calibrates */
    TSR_ASSERT_OK(tsr_op_set_overlap(f.op, false));
    bad += run_steps(&f, 1, &old);
    TSR_ASSERT_OK(tsr_op_set_overlap(f.op, true));
    TSR_ASSERT_OK(tsr_op_set_calibration(f.op, 0));
    bad += run_steps(&f, 1, &old);
    if (bad)
      fprintf(stderr, "[rank %d] case %s: %ld cells differ\n", tsr_test_rank(), c->name, bad);
    CU_ASSERT_EQUAL(bad, 0);

    tsr_op_info info;
    TSR_ASSERT_OK(tsr_op_get_info(f.op, &info));
    CU_ASSERT_EQUAL(info.applies, 4);
    CU_ASSERT_EQUAL(info.calibrations, 2); /* 2 and the one without overlap */
    CU_ASSERT_EQUAL(info.plans, 2);
    CU_ASSERT_EQUAL(info.radius, c->radius);
    tsr_grid_info g;
    TSR_ASSERT_OK(tsr_grid_get_info(f.grid, &g));
    CU_ASSERT_EQUAL(info.interior_cells + info.shell_cells, tsr_box_volume(&g.owned));
    CU_ASSERT_TRUE(info.exchange_time >= 0 && info.exposed_time >= 0);
    CU_ASSERT_TRUE(info.hidden_share >= 0 && info.hidden_share <= 1);
    CU_ASSERT_TRUE(info.interior_cells == 0 || info.chunks >= 1);
  }
  fixture_destroy(&f);
}

static void test_overlap_equals_plain(void) {
  static const op_case cases[] = {
      {"2d", 2, {23, 17, 1}, {false, false, false}, false, 1, TSR_SHAPE_STAR, 2},
      {"2d.periodic.box.r2", 2, {23, 17, 1}, {true, true, false}, false, 2, TSR_SHAPE_BOX, 1},
      {"3d.periodic", 3, {11, 9, 7}, {true, false, true}, false, 1, TSR_SHAPE_STAR, 1},
      {"3d.box.r2", 3, {10, 9, 8}, {false, false, false}, false, 2, TSR_SHAPE_BOX, 2},
      {"3d.box.r1", 3, {9, 8, 7}, {false, true, false}, false, 1, TSR_SHAPE_BOX, 1},
      {"1d.periodic", 1, {-3, 1, 1}, {true, false, false}, false, 1, TSR_SHAPE_STAR, 1},
      {"thin.3d", 3, {-1, 5, 4}, {true, false, false}, true, 1, TSR_SHAPE_STAR, 1},
      {"thin.2d.r2", 2, {-2, 6, 1}, {false, false, false}, true, 2, TSR_SHAPE_BOX, 1},
      {"thin.3d.periodic.box", 3, {-1, 4, 3}, {true, true, true}, true, 1, TSR_SHAPE_BOX, 2},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    check_case(&cases[c]);
}

/* Box shapes in 3-D under both exchange strategies, chosen through --halo-box as a program
 * would (read by tsr_op_set_from_options()); the reference plans use the default (rounds). */
static void test_box_strategies(void) {
  const op_case c = {"3d.box.strategy", 3, {9, 8, 7}, {true, false, true}, false, 1,
                     TSR_SHAPE_BOX,     2};
  tsr_options opts = tsr_ctx_options(tsr_test_ctx());
  tsr_events ev = tsr_ctx_events(tsr_test_ctx());
  const bool was_active = tsr_events_active(ev);
  TSR_ASSERT_OK(tsr_events_set_active(ev, true));
  static const char *const names[2] = {"direct", "rounds"};
  int64_t messages[2];
  for (int s = 0; s < 2; s++) {
    tsr_event_stats before, after;
    TSR_ASSERT_OK(tsr_event_get_stats(ev, TSR_EV_HALO_POST, &before));
    TSR_ASSERT_OK(tsr_options_set_default(opts, "halo-box", names[s]));
    check_case(&c);
    TSR_ASSERT_OK(tsr_event_get_stats(ev, TSR_EV_HALO_POST, &after));
    messages[s] = after.messages - before.messages;
  }
  /* The option reached the operator's plans: with neighbours, one message per neighbour
   * (direct) outnumbers the face messages of three rounds. */
  if (tsr_test_size() > 1) CU_ASSERT_TRUE(messages[0] > messages[1]);
  TSR_ASSERT_OK(tsr_options_set_default(opts, "halo-box", "auto"));
  TSR_ASSERT_OK(tsr_events_set_active(ev, was_active));
}

/* The heat kernel through the operator (at 1 and 2 kernel threads, alternately) equals
 * exchange-then-apply on the whole tile. */
typedef struct {
  tsr_heat_coef coef;
} heat_user;

static tsr_err heat_kernel(const tsr_op_views *v, const tsr_box *box, void *user) {
  const heat_user *h = user;
  return tsr_stencil_heat(&v->in[0], &v->out[0], &h->coef, box);
}

static void test_heat_operator(void) {
  const op_case c = {"heat", 3, {17, 13, 11}, {false, true, false}, false, 1, TSR_SHAPE_STAR, 1};
  tsr_grid grid = NULL;
  tsr_field u[2] = {NULL, NULL}, w[2] = {NULL, NULL};
  tsr_halo halo[2] = {NULL, NULL};
  tsr_op op = NULL;
  heat_user hu = {.coef = {.dim = 3, .c = {0.1, 0.07, 0.05}}};
  TSR_ASSERT_OK(make_grid(&c, &grid));
  for (int s = 0; s < 2; s++) {
    TSR_ASSERT_OK(make_field(grid, s ? "u1" : "u0", 1, 1, &u[s]));
    TSR_ASSERT_OK(make_field(grid, s ? "w1" : "w0", 1, 1, &w[s]));
    TSR_ASSERT_OK(tsr_halo_create(grid, &halo[s]));
    TSR_ASSERT_OK(tsr_halo_add_field(halo[s], w[s]));
    TSR_ASSERT_OK(tsr_halo_setup(halo[s]));
  }
  uint64_t salt = 3;
  TSR_ASSERT_OK(tsr_field_fill(u[0], hash_init, &salt));
  TSR_ASSERT_OK(tsr_field_fill(w[0], hash_init, &salt));
  TSR_ASSERT_OK(tsr_op_create(grid, &op));
  TSR_ASSERT_OK(tsr_op_set_kernel(op, heat_kernel, &hu));
  TSR_ASSERT_OK(tsr_op_set_name(op, "heat"));
  TSR_ASSERT_OK(tsr_op_set_work(op, 15.0, 16.0));
  TSR_ASSERT_OK(tsr_op_setup(op));
  tsr_view wv[2];
  for (int s = 0; s < 2; s++)
    TSR_ASSERT_OK(tsr_field_get_view(w[s], 0, &wv[s]));
  tsr_grid_info g;
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &g));
  const tsr_box tile = {
      {0, 0, 0},
      {tsr_box_extent(&g.owned, 0), tsr_box_extent(&g.owned, 1), tsr_box_extent(&g.owned, 2)}};
  long bad = 0;
  int old = 0;
  const int saved_threads = tsr_test_threads();
  for (int step = 0; step < 6 && op; step++) {
    const int n = 1 - old;
    tsr_test_set_threads(1 +
                         step % 2); /* the kernel's threads: the result may not depend on them */
    TSR_ASSERT_OK(tsr_op_apply(op, u[old], u[n]));
    tsr_test_set_threads(saved_threads);
    TSR_ASSERT_OK(tsr_halo_exchange(halo[old]));
    TSR_ASSERT_OK(tsr_field_fill_boundary(w[old]));
    TSR_ASSERT_OK(tsr_stencil_heat(&wv[old], &wv[n], &hu.coef, &tile));
    bad += count_different(u[n], w[n]);
    old = n;
  }
  CU_ASSERT_EQUAL(bad, 0);
  uint64_t fu = 0, fw = 1;
  TSR_ASSERT_OK(tsr_field_fingerprint(u[old], &fu));
  TSR_ASSERT_OK(tsr_field_fingerprint(w[old], &fw));
  CU_ASSERT_EQUAL(fu, fw);
  tsr_op_destroy(&op);
  for (int s = 0; s < 2; s++) {
    tsr_halo_destroy(&halo[s]);
    tsr_field_destroy(&u[s]);
    tsr_field_destroy(&w[s]);
  }
  tsr_grid_destroy(&grid);
}

/* ------------------------------------------------------------------------------------------ */
/* Split                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Check one split of a small tile cell by cell; returns the number of violations. */
static long check_split(const tsr_box *tile, int dim, int radius) {
  tsr_op_split sp;
  if (tsr_op_split_tile(tile, dim, radius, &sp) != TSR_SUCCESS) return 1;
  long bad = 0;
  /* Interior: exactly the cells at least radius away from the tile's faces on axes < dim. */
  for (tsr_gidx k = tile->lo[2]; k < tile->hi[2]; k++)
    for (tsr_gidx j = tile->lo[1]; j < tile->hi[1]; j++)
      for (tsr_gidx i = tile->lo[0]; i < tile->hi[0]; i++) {
        const tsr_gidx idx[3] = {i, j, k};
        bool deep = true;
        for (int a = 0; a < dim; a++)
          deep = deep && idx[a] - tile->lo[a] >= radius && tile->hi[a] - 1 - idx[a] >= radius;
        int covered = tsr_box_contains(&sp.interior, idx);
        if (covered != deep) bad++;
        for (int s = 0; s < sp.nshell; s++)
          covered += tsr_box_contains(&sp.shell[s], idx);
        if (covered != 1) bad++;
      }
  /* Every piece lies in the tile, no slab is empty or wider than radius on its axis. */
  tsr_gidx volume = tsr_box_volume(&sp.interior);
  for (int s = 0; s < sp.nshell; s++) {
    const tsr_box in_tile = tsr_box_intersect(&sp.shell[s], tile);
    if (!tsr_box_equal(&in_tile, &sp.shell[s]) || tsr_box_is_empty(&sp.shell[s])) bad++;
    volume += tsr_box_volume(&sp.shell[s]);
  }
  if (volume != tsr_box_volume(tile)) bad++;
  if (sp.nshell > 2 * dim) bad++;
  return bad;
}

static void test_split_tile(void) {
  if (tsr_test_rank() != 0) return; /* not collective: one rank is enough */
  long bad = 0;
  for (int dim = 1; dim <= 3; dim++)
    for (int radius = 0; radius <= 3; radius++)
      for (int nx = 1; nx <= 8; nx++)
        for (int ny = 1; ny <= (dim > 1 ? 7 : 1); ny += 2)
          for (int nz = 1; nz <= (dim > 2 ? 6 : 1); nz += 5) {
            const tsr_box tile = {{2, -1, 5}, {2 + nx, -1 + ny, 5 + nz}};
            bad += check_split(&tile, dim, radius);
          }
  CU_ASSERT_EQUAL(bad, 0);
  /* Radius 0: everything is interior. */
  const tsr_box tile = {{0, 0, 0}, {4, 3, 2}};
  tsr_op_split sp;
  TSR_ASSERT_OK(tsr_op_split_tile(&tile, 3, 0, &sp));
  CU_ASSERT_EQUAL(sp.nshell, 0);
  CU_ASSERT_TRUE(tsr_box_equal(&sp.interior, &tile));
  TSR_ASSERT_ERR(tsr_op_split_tile(&tile, 0, 1, &sp), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_split_tile(&tile, 4, 1, &sp), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_split_tile(&tile, 2, -1, &sp), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_split_tile(NULL, 2, 1, &sp), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_split_tile(&tile, 2, 1, NULL), TSR_ERR_ARG);
}

/* ------------------------------------------------------------------------------------------ */
/* Halo progress                                                                                */
/* ------------------------------------------------------------------------------------------ */

static void test_halo_progress(void) {
  const op_case c = {"progress", 3, {12, 10, 9}, {true, false, true}, false, 1, TSR_SHAPE_BOX, 1};
  tsr_grid grid = NULL;
  tsr_field f[2] = {NULL, NULL};
  tsr_halo halo[2] = {NULL, NULL};
  TSR_ASSERT_OK(make_grid(&c, &grid));
  uint64_t salt = 11;
  for (int s = 0; s < 2; s++) {
    TSR_ASSERT_OK(make_field(grid, s ? "p1" : "p0", 1, 1, &f[s]));
    TSR_ASSERT_OK(tsr_field_fill(f[s], hash_init, &salt));
    TSR_ASSERT_OK(tsr_halo_create(grid, &halo[s]));
    TSR_ASSERT_OK(tsr_halo_add_field(halo[s], f[s]));
    TSR_ASSERT_OK(tsr_halo_set_shape(halo[s], TSR_SHAPE_BOX));
    TSR_ASSERT_OK(tsr_halo_setup(halo[s]));
  }
  TSR_ASSERT_ERR(tsr_halo_progress(NULL, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_halo_progress(halo[0], NULL), TSR_ERR_STATE); /* nothing in flight */
  TSR_ASSERT_OK(scramble_ghosts(f[0]));
  TSR_ASSERT_OK(scramble_ghosts(f[1]));
  /* Progress until the messages are in (every rank progresses, so they arrive), then end;
   * the ghosts equal those of a plain exchange. */
  TSR_ASSERT_OK(tsr_halo_begin(halo[0]));
  bool done = false;
  const double deadline = tsr_wtime() + 20.0;
  while (!done && tsr_wtime() < deadline)
    TSR_ASSERT_OK(tsr_halo_progress(halo[0], &done));
  CU_ASSERT_TRUE(done);
  TSR_ASSERT_OK(tsr_halo_progress(halo[0], NULL)); /* again after completion: harmless */
  TSR_ASSERT_OK(tsr_halo_end(halo[0]));
  TSR_ASSERT_OK(tsr_halo_exchange(halo[1]));
  long bad = 0;
  tsr_view v0, v1;
  TSR_ASSERT_OK(tsr_field_get_view(f[0], 0, &v0));
  TSR_ASSERT_OK(tsr_field_get_view(f[1], 0, &v1));
  for (int k = -1; k <= v0.n[2]; k++)
    for (int j = -1; j <= v0.n[1]; j++)
      for (int i = -1; i <= v0.n[0]; i++)
        if (memcmp(&TSR_VIEW_AT(v0, i, j, k), &TSR_VIEW_AT(v1, i, j, k), sizeof(double))) bad++;
  CU_ASSERT_EQUAL(bad, 0);
  TSR_ASSERT_ERR(tsr_halo_progress(halo[0], &done), TSR_ERR_STATE); /* ended */
  for (int s = 0; s < 2; s++) {
    tsr_halo_destroy(&halo[s]);
    tsr_field_destroy(&f[s]);
  }
  tsr_grid_destroy(&grid);
}

/* ------------------------------------------------------------------------------------------ */
/* Events and error paths                                                                       */
/* ------------------------------------------------------------------------------------------ */

static int64_t event_count(const char *name, tsr_event_class cls) {
  tsr_events ev = tsr_ctx_events(tsr_test_ctx());
  tsr_event id;
  tsr_event_stats st;
  if (tsr_event_register(ev, name, cls, &id) || tsr_event_get_stats(ev, id, &st)) return -1;
  return st.count;
}

static void test_events_and_summary(void) {
  const op_case c = {"events", 2, {40, 30, 1}, {false, false, false}, false, 1, TSR_SHAPE_STAR, 1};
  fixture f;
  TSR_ASSERT_OK(fixture_setup(&c, &f));
  tsr_events ev = tsr_ctx_events(tsr_test_ctx());
  const bool was_active = tsr_events_active(ev);
  TSR_ASSERT_OK(tsr_events_set_active(ev, true));
  const int64_t before[3] = {event_count("test.op.interior", TSR_EVENT_COMPUTE),
                             event_count("test.op.shell", TSR_EVENT_COMPUTE),
                             event_count("test.op.progress", TSR_EVENT_COMM)};
  int old = 0;
  long bad = f.op ? run_steps(&f, 3, &old) : 1;
  CU_ASSERT_EQUAL(bad, 0);
  tsr_op_info info;
  TSR_ASSERT_OK(tsr_op_get_info(f.op, &info));
  /* Two overlapped applications (1 and 3): chunks interior events each; one calibration. */
  CU_ASSERT_EQUAL(event_count("test.op.interior", TSR_EVENT_COMPUTE) - before[0],
                  2 * info.chunks + 1);
  CU_ASSERT_EQUAL(event_count("test.op.shell", TSR_EVENT_COMPUTE) - before[1], 3);
  if (info.chunks > 1)
    CU_ASSERT_TRUE(event_count("test.op.progress", TSR_EVENT_COMM) - before[2] >= 2);
  TSR_ASSERT_OK(tsr_op_print_summary(f.op, 2)); /* collective; quiet at the default level */
  TSR_ASSERT_OK(tsr_events_set_active(ev, was_active));
  fixture_destroy(&f);
}

static tsr_err noop_kernel(const tsr_op_views *v, const tsr_box *box, void *user) {
  (void)v, (void)box, (void)user;
  return TSR_SUCCESS;
}

static void test_errors(void) {
  const op_case c = {"errors", 2, {16, 12, 1}, {false, false, false}, false, 1, TSR_SHAPE_STAR, 1};
  fixture f;
  TSR_ASSERT_OK(fixture_setup(&c, &f));
  tsr_op op = NULL;
  tsr_field flat = NULL;
  TSR_ASSERT_ERR(tsr_op_create(f.grid, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_create(NULL, &op), TSR_ERR_ARG);
  /* An operator may be created and configured before its grid is set up, not set up. */
  tsr_grid early = NULL;
  const tsr_gidx en[3] = {8, 8, 1};
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 2, en, &early));
  TSR_ASSERT_OK(tsr_op_create(early, &op));
  TSR_ASSERT_OK(tsr_op_set_kernel(op, noop_kernel, NULL));
  TSR_ASSERT_OK(tsr_op_set_from_options(op));
  TSR_ASSERT_ERR(tsr_op_setup(op), TSR_ERR_STATE);
  TSR_ASSERT_OK(tsr_grid_setup(early));
  TSR_ASSERT_OK(tsr_op_setup(op));
  TSR_ASSERT_OK(tsr_op_destroy(&op));
  tsr_grid_destroy(&early);
  TSR_ASSERT_OK(tsr_op_create(f.grid, &op));
  TSR_ASSERT_ERR(tsr_op_apply(op, f.a[0], f.a[1]), TSR_ERR_STATE); /* not set up */
  TSR_ASSERT_ERR(tsr_op_setup(op), TSR_ERR_ARG);                   /* no kernel */
  TSR_ASSERT_ERR(tsr_op_set_kernel(op, NULL, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_radius(op, 0), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_chunks(op, 0), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_calibration(op, -1), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_shape(op, (tsr_halo_shape)5), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_name(op, "has space"), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_name(op, ""), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_name(op, "a-name-that-is-far-too-long-for-the-event-names"),
                 TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_op_set_work(op, -1, 0), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_op_set_kernel(op, noop_kernel, NULL));
  TSR_ASSERT_OK(tsr_op_set_radius(op, 2)); /* the grid allows ghost width 1 only */
  CU_ASSERT_EQUAL(tsr_op_setup(op), TSR_ERR_ARG);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "radius 2"));
  tsr_error_clear();
  TSR_ASSERT_OK(tsr_op_set_radius(op, 1));
  TSR_ASSERT_OK(tsr_op_setup(op));
  TSR_ASSERT_OK(tsr_op_setup(op)); /* idempotent */
  TSR_ASSERT_ERR(tsr_op_set_radius(op, 1), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_op_add_coefficient(op, f.coef), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_op_apply(op, f.a[0], f.a[0]), TSR_ERR_ARG); /* in place */
  TSR_ASSERT_ERR(tsr_op_apply(op, NULL, f.a[0]), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_field_create(f.grid, "flat", 1, 0, &flat));
  TSR_ASSERT_OK(tsr_field_setup(flat));
  TSR_ASSERT_ERR(tsr_op_apply(op, flat, f.a[0]), TSR_ERR_ARG); /* no ghosts */
  TSR_ASSERT_OK(tsr_op_apply(op, f.a[0], flat));               /* output needs none */
  tsr_op_info info;
  TSR_ASSERT_ERR(tsr_op_get_info(op, NULL), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_op_get_info(op, &info));
  CU_ASSERT_EQUAL(info.applies, 1);
  /* A failing kernel: its error comes back, and no exchange is left in flight, so the next
   * application works. Every rank fails alike, so the ranks stay in step.
   * With events collected, the failed application also leaves no event open. */
  tsr_events ev = tsr_ctx_events(tsr_test_ctx());
  const bool was_active = tsr_events_active(ev);
  TSR_ASSERT_OK(tsr_events_set_active(ev, true));
  f.user.fail = true;
  CU_ASSERT_EQUAL(tsr_op_apply(f.op, f.a[0], f.a[1]), TSR_ERR_INTERNAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(tsr_error_message(), "asked to fail"));
  tsr_error_clear();
  tsr_event interior;
  TSR_ASSERT_OK(tsr_event_register(ev, "test.op.interior", TSR_EVENT_COMPUTE, &interior));
  TSR_ASSERT_ERR(tsr_event_end(ev, interior), TSR_ERR_STATE); /* it is not open */
  f.user.fail = false;
  int old = 0;
  CU_ASSERT_EQUAL(run_steps(&f, 2, &old), 0);
  TSR_ASSERT_OK(tsr_events_set_active(ev, was_active));
  TSR_ASSERT_OK(tsr_op_destroy(&op));
  CU_ASSERT_PTR_NULL(op);
  TSR_ASSERT_OK(tsr_op_destroy(&op)); /* NULL is fine */
  TSR_ASSERT_OK(tsr_op_destroy(NULL));
  tsr_field_destroy(&flat);
  fixture_destroy(&f);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"overlapped application equals exchange-then-apply, bit for bit", test_overlap_equals_plain},
      {"box shapes under both exchange strategies (--halo-box)", test_box_strategies},
      {"heat kernel through the operator equals the plain step, 1 and 2 threads",
       test_heat_operator},
      {"interior and shell cover any tile exactly once", test_split_tile},
      {"halo progress completes the exchange without changing it", test_halo_progress},
      {"operator events count interior chunks, shells and progress", test_events_and_summary},
      {"operator errors", test_errors},
      TSR_TEST_END,
  };
  return tsr_test_main(argc, argv, "operator", cases);
}
