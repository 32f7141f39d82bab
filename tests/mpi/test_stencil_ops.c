/* Constant-coefficient stencils (tsr_stencil_*) and the variable-coefficient diffusion
 * operator (tsr_diffusion_*): optimised against reference bit for bit, the references against
 * exact mathematics, and the error paths.
 *
 * Views are built by hand over padded blocks: odd pads (rows not aligned, so the streaming
 * head/tail paths run) or field-like rows whose first owned cell is 64-byte aligned; input,
 * right-hand side and output with different strides. Odd sizes, ghost widths from the reach
 * up, many sub-boxes, 1 and 2 threads, streaming stores on and off. Kernels are node-local,
 * so one rank suffices. */
#include <math.h>
#include <string.h>

#include "tessera_kernels.h"
#include "tsr_test.h"
#include "tsr_test_array.h"

/* Fill owned cells and ghosts from f(i, j, k, user). */
static void array_fill(tsr_test_array *a, double (*f)(int, int, int, const void *),
                       const void *user) {
  const tsr_view *v = &a->v;
  for (int k = -v->ghost[2]; k < v->n[2] + v->ghost[2]; k++)
    for (int j = -v->ghost[1]; j < v->n[1] + v->ghost[1]; j++)
      for (int i = -v->ghost[0]; i < v->n[0] + v->ghost[0]; i++)
        TSR_VIEW_AT(*v, i, j, k) = f(i, j, k, user);
}

static double random_cell(int i, int j, int k, const void *seed) {
  const uint64_t s = seed ? *(const uint64_t *)seed : 0;
  return tsr_test_unit_value(s + (uint64_t)(i + 16) +
                             4096 * ((uint64_t)(j + 16) + 4096 * (uint64_t)(k + 16)));
}

/* Positive coefficient in [0.5, 4). */
static double positive_cell(int i, int j, int k, const void *seed) {
  return 2.25 + 1.75 * random_cell(i, j, k, seed);
}

/* ---- The operations under test ------------------------------------------------------- */

typedef enum { OP_APPLY, OP_UPDATE, OP_RESIDUAL, OP_RESIDUAL_IN_PLACE, NUM_OPS } op_kind;

/* One kernel family: a constant stencil or the diffusion operator (with coefficient k). */
typedef struct {
  const tsr_stencil *st;
  const tsr_diffusion *df;
  const tsr_view *k;
} family;

static const double update_scale = 0.0703125 + 0.001; /* not a power of two */

/* Run op on (u, b) into out; for the in-place residual out already holds b. */
static tsr_err run_op(const family *f, op_kind op, bool ref, const tsr_view *u, const tsr_view *b,
                      const tsr_view *out, const tsr_box *box) {
  if (f->st) {
    switch (op) {
    case OP_APPLY:
      return ref ? tsr_stencil_apply_ref(f->st, u, out, box)
                 : tsr_stencil_apply(f->st, u, out, box);
    case OP_UPDATE:
      return ref ? tsr_stencil_update_ref(f->st, update_scale, u, out, box)
                 : tsr_stencil_update(f->st, update_scale, u, out, box);
    case OP_RESIDUAL:
      return ref ? tsr_stencil_residual_ref(f->st, b, u, out, box)
                 : tsr_stencil_residual(f->st, b, u, out, box);
    default:
      return ref ? tsr_stencil_residual_ref(f->st, out, u, out, box)
                 : tsr_stencil_residual(f->st, out, u, out, box);
    }
  }
  switch (op) {
  case OP_APPLY:
  case OP_UPDATE: /* the diffusion operator has no update form */
    return ref ? tsr_diffusion_apply_ref(f->df, f->k, u, out, box)
               : tsr_diffusion_apply(f->df, f->k, u, out, box);
  case OP_RESIDUAL:
    return ref ? tsr_diffusion_residual_ref(f->df, f->k, b, u, out, box)
               : tsr_diffusion_residual(f->df, f->k, b, u, out, box);
  default:
    return ref ? tsr_diffusion_residual_ref(f->df, f->k, out, u, out, box)
               : tsr_diffusion_residual(f->df, f->k, out, u, out, box);
  }
}

static void set_stream(const family *f, tsr_stream_mode m) {
  if (f->st) ((tsr_stencil *)f->st)->stream = m;
  if (f->df) ((tsr_diffusion *)f->df)->stream = m;
}

/* Prepare out for op: sentinels, or the right-hand side for the in-place residual. */
static void prepare_out(op_kind op, tsr_test_array *out, const tsr_test_array *b) {
  tsr_test_array_reset(out);
  if (op != OP_RESIDUAL_IN_PLACE) return;
  const tsr_view *v = &out->v;
  for (int k = 0; k < v->n[2]; k++)
    for (int j = 0; j < v->n[1]; j++)
      for (int i = 0; i < v->n[0]; i++)
        TSR_VIEW_AT(*v, i, j, k) = TSR_VIEW_AT(b->v, i, j, k);
}

/* Compare every op, box, thread count and streaming choice with the reference on one
 * shape; @p nboxes boxes. The reference's update and residual are also checked against
 * their definitions from its own apply. */
static void check_shape(const family *f, int dim, const int n[3], int ghost, int out_pad,
                        int nboxes) {
  tsr_test_array u, b, ref, opt, app;
  const uint64_t seed_b = 99;
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, ghost, 3, &u));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 0, 1, &b));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, out_pad, &ref));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, out_pad, &opt));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, out_pad, &app));
  if (!u.block || !b.block || !ref.block || !opt.block || !app.block) goto done;
  array_fill(&u, random_cell, NULL);
  array_fill(&b, random_cell, &seed_b);
  tsr_box boxes[24];
  const int nb = tsr_test_boxes(dim, n, boxes, nboxes < 24 ? nboxes : 24);
  const int saved_threads = tsr_test_threads();
  long mismatches = 0, definition_errors = 0, touched = 0;
  for (int bx = 0; bx < nb; bx++) {
    tsr_test_array_reset(&app);
    TSR_ASSERT_OK(run_op(f, OP_APPLY, true, &u.v, &b.v, &app.v, &boxes[bx]));
    for (op_kind op = 0; op < NUM_OPS; op++) {
      if (!f->st && op == OP_UPDATE) continue;
      prepare_out(op, &ref, &b);
      TSR_ASSERT_OK(run_op(f, op, true, &u.v, &b.v, &ref.v, &boxes[bx]));
      if (op != OP_RESIDUAL_IN_PLACE) touched += tsr_test_array_touched_outside(&ref, &boxes[bx]);
      /* The reference against its definition. */
      for (tsr_gidx k = boxes[bx].lo[2]; k < boxes[bx].hi[2]; k++)
        for (tsr_gidx j = boxes[bx].lo[1]; j < boxes[bx].hi[1]; j++)
          for (tsr_gidx i = boxes[bx].lo[0]; i < boxes[bx].hi[0]; i++) {
            const double a = TSR_VIEW_AT(app.v, i, j, k);
            double expect = a;
            if (op == OP_UPDATE) expect = TSR_VIEW_AT(u.v, i, j, k) + update_scale * a;
            if (op >= OP_RESIDUAL) expect = TSR_VIEW_AT(b.v, i, j, k) - a;
            if (memcmp(&expect, &TSR_VIEW_AT(ref.v, i, j, k), sizeof expect)) definition_errors++;
          }
      for (int nt = 1; nt <= 2; nt++)
        for (int sm = TSR_STREAM_ON; sm <= TSR_STREAM_OFF; sm++) {
          tsr_test_set_threads(nt);
          set_stream(f, (tsr_stream_mode)sm);
          prepare_out(op, &opt, &b);
          TSR_ASSERT_OK(run_op(f, op, false, &u.v, &b.v, &opt.v, &boxes[bx]));
          if (memcmp(opt.block, ref.block, opt.len * sizeof(double)) != 0) {
            if (mismatches++ == 0)
              fprintf(stderr,
                      "kernel differs from ref: dim %d n %dx%dx%d ghost %d box %d op %d "
                      "threads %d stream %d\n",
                      dim, n[0], n[1], n[2], ghost, bx, (int)op, nt, sm);
          }
        }
      tsr_test_set_threads(saved_threads);
      set_stream(f, TSR_STREAM_AUTO);
    }
  }
  CU_ASSERT_EQUAL(mismatches, 0);
  CU_ASSERT_EQUAL(definition_errors, 0);
  CU_ASSERT_EQUAL(touched, 0);
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&b);
  tsr_test_array_destroy(&ref);
  tsr_test_array_destroy(&opt);
  tsr_test_array_destroy(&app);
}

/* Shapes with odd sizes (1, 2, 3, 17, 33 cells per axis). */
static const int shapes[3][5][3] = {
    {{1, 1, 1}, {2, 1, 1}, {3, 1, 1}, {17, 1, 1}, {33, 1, 1}},
    {{1, 1, 1}, {3, 2, 1}, {17, 3, 1}, {2, 33, 1}, {33, 17, 1}},
    {{1, 1, 1}, {2, 2, 2}, {17, 3, 2}, {3, 17, 5}, {33, 2, 3}},
};

static int max_reach(const tsr_stencil *s) {
  int r = 0;
  for (int a = 0; a < TSR_MAX_DIM; a++)
    r = s->reach[a] > r ? s->reach[a] : r;
  return r;
}

/* Sub-boxes per shape. */
enum { BOXES_PER_SHAPE = 10 };

static void check_stencil_all_shapes(tsr_stencil *s) {
  const family f = {s, NULL, NULL};
  const int r = max_reach(s);
  for (int sh = 0; sh < 5; sh++)
    for (int g = r; g <= r + 1; g++)
      check_shape(&f, s->dim, shapes[s->dim - 1][sh], g, (sh + g) % 2 ? 5 : -1, BOXES_PER_SHAPE);
}

/* A general table with @p npoints pseudo-random offsets within @p reach and weights. */
static void random_table(int dim, int npoints, const int reach[3], uint64_t seed, tsr_stencil *s) {
  int off[TSR_STENCIL_MAX_POINTS][TSR_MAX_DIM];
  double w[TSR_STENCIL_MAX_POINTS];
  for (int p = 0; p < npoints; p++) {
    for (int a = 0; a < 3; a++) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      off[p][a] = (int)((seed >> 40) % (uint64_t)(2 * reach[a] + 1)) - reach[a];
    }
    w[p] = tsr_test_unit_value(seed);
  }
  /* Make sure the full reach is used, so the ghost checks see it. */
  for (int a = 0; a < dim; a++)
    off[a][a] = reach[a];
  TSR_ASSERT_OK(tsr_stencil_init(dim, npoints, (const int(*)[TSR_MAX_DIM])off, w, s));
}

static void test_opt_equals_ref(void) {
  const double h[3] = {0.7, 1.3, 0.9};
  tsr_stencil s;
  static const int lap[][2] = {{1, 3}, {2, 5}, {2, 9}, {3, 7}, {3, 27}};
  for (size_t l = 0; l < sizeof lap / sizeof lap[0]; l++) {
    TSR_ASSERT_OK(tsr_stencil_laplacian(lap[l][0], lap[l][1], h, &s));
    check_stencil_all_shapes(&s);
  }
  for (int dim = 1; dim <= 3; dim++)
    for (int r = 2; r <= 4; r++) { /* 5..25 points: fast paths and the general loop */
      TSR_ASSERT_OK(tsr_stencil_laplacian_star(dim, r, h, &s));
      check_stencil_all_shapes(&s);
    }
  const int reach1[3] = {2, 0, 0}, reach2[3] = {2, 1, 0}, reach3[3] = {2, 2, 1};
  random_table(1, 6, reach1, 1, &s);
  check_stencil_all_shapes(&s);
  random_table(2, 11, reach2, 2, &s);
  check_stencil_all_shapes(&s);
  random_table(3, 40, reach3, 3, &s);
  check_stencil_all_shapes(&s);
}

/* Sizes that exercise row pieces (rows longer than the streaming buffer), 1-D row chunks
 * and cache blocking along j (3 input planes larger than the blocking budget). */
static void test_large_shapes(void) {
  const double h[3] = {1.0, 1.0, 1.0};
  tsr_stencil s;
  const int n1[3] = {2501, 1, 1}, n2[3] = {1100, 5, 1}, n3[3] = {700, 40, 4};
  TSR_ASSERT_OK(tsr_stencil_laplacian(1, 3, h, &s));
  const family f1 = {&s, NULL, NULL};
  check_shape(&f1, 1, n1, 1, -1, 4);
  TSR_ASSERT_OK(tsr_stencil_laplacian(2, 5, h, &s));
  check_shape(&f1, 2, n2, 1, 3, 4);
  TSR_ASSERT_OK(tsr_stencil_laplacian(3, 7, h, &s));
  check_shape(&f1, 3, n3, 1, -1, 3);
  TSR_ASSERT_OK(tsr_stencil_laplacian_star(3, 4, h, &s)); /* reach 4 along k: 9 live planes */
  check_shape(&f1, 3, n3, 4, 1, 2);
}

static void test_diffusion_opt_equals_ref(void) {
  for (int dim = 1; dim <= 3; dim++) {
    tsr_diffusion d = {dim, {0.7, 1.3, 0.9}, TSR_STREAM_AUTO};
    for (int sh = 0; sh < 5; sh++) {
      const int *n = shapes[dim - 1][sh];
      tsr_test_array k;
      const uint64_t seed = 7;
      TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, 2, &k));
      if (!k.block) continue;
      array_fill(&k, positive_cell, &seed);
      const family f = {NULL, &d, &k.v};
      for (int g = 1; g <= 2; g++)
        check_shape(&f, dim, n, g, sh % 2 ? 5 : -1, BOXES_PER_SHAPE);
      tsr_test_array_destroy(&k);
    }
  }
}

/* ---- Exactness ------------------------------------------------------------------------ */

/* u = x^2 + 2 y^2 + 3 z^2 + x y at cell centres x = i h0 etc.: Laplacian 2 + 4 + 6 (first
 * dim terms). h are powers of two, so star stencils are exact; the compact ones carry
 * weights 1/12, 10/12 and are checked to a few ulps. */
static double quadratic_cell(int i, int j, int k, const void *hp) {
  const double *h = hp;
  const double x = i * h[0], y = j * h[1], z = k * h[2];
  return x * x + 2.0 * y * y + 3.0 * z * z + x * y;
}

static void check_laplacian_quadratic(int dim, int npoints, bool ref) {
  const double h[3] = {0.5, 0.25, 2.0};
  const int n[3] = {9, dim > 1 ? 7 : 1, dim > 2 ? 5 : 1};
  tsr_stencil s;
  TSR_ASSERT_OK(tsr_stencil_laplacian(dim, npoints, h, &s));
  tsr_test_array u, out;
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, 1, &u));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, -1, &out));
  if (!u.block || !out.block) goto done;
  array_fill(&u, quadratic_cell, h);
  const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  TSR_ASSERT_OK(ref ? tsr_stencil_apply_ref(&s, &u.v, &out.v, &whole)
                    : tsr_stencil_apply(&s, &u.v, &out.v, &whole));
  const double expect = dim == 1 ? 2.0 : dim == 2 ? 6.0 : 12.0;
  const bool compact = npoints == 9 || npoints == 27;
  double worst = 0.0;
  for (int k = 0; k < n[2]; k++)
    for (int j = 0; j < n[1]; j++)
      for (int i = 0; i < n[0]; i++) {
        const double e = fabs(TSR_VIEW_AT(out.v, i, j, k) - expect);
        worst = e > worst ? e : worst;
      }
  if (compact) {
    CU_ASSERT(worst < 1e-11); /* |u| <= ~150, weights <= 64: rounding only */
  } else {
    CU_ASSERT_EQUAL(worst, 0.0);
  }
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&out);
}

static void test_laplacian_exact_on_quadratic(void) {
  static const int lap[][2] = {{1, 3}, {2, 5}, {2, 9}, {3, 7}, {3, 27}};
  for (size_t l = 0; l < sizeof lap / sizeof lap[0]; l++) {
    check_laplacian_quadratic(lap[l][0], lap[l][1], true);
    check_laplacian_quadratic(lap[l][0], lap[l][1], false);
  }
}

/* Polynomial p(x) = sum_m a_m x^m of degree q along each axis, u = p(x) + p(y) + p(z). */
typedef struct {
  int q;
  double h;
  double a[2 * TSR_STENCIL_MAX_RADIUS + 3];
} poly;

static double poly_at(const poly *p, double x) {
  double v = 0.0;
  for (int m = p->q; m >= 0; m--)
    v = v * x + p->a[m];
  return v;
}

static double poly_second(const poly *p, double x) {
  double v = 0.0;
  for (int m = p->q; m >= 2; m--)
    v = v * x + m * (m - 1) * p->a[m];
  return v;
}

static double poly_cell(int i, int j, int k, const void *pp) {
  const poly *p = pp;
  const double s = p->h;
  return poly_at(p, (i - 3) * s) + poly_at(p, (j - 3) * s) + poly_at(p, (k - 3) * s);
}

/* The star Laplacian of radius r reproduces the Laplacian of a degree 2r+1 polynomial, to
 * rounding; it must not for degree 2r+2 (so the check has teeth). */
static void check_star_polynomial(int dim, int r, int q, bool expect_exact) {
  poly p = {q, 0.375, {0}};
  for (int m = 0; m <= q; m++)
    p.a[m] = 1.0 / (1.0 + m);
  const double h[3] = {p.h, p.h, p.h};
  tsr_stencil s;
  TSR_ASSERT_OK(tsr_stencil_laplacian_star(dim, r, h, &s));
  const int n[3] = {7, dim > 1 ? 6 : 1, dim > 2 ? 5 : 1};
  tsr_test_array u, out;
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, r, 1, &u));
  TSR_ASSERT_OK(tsr_test_array_create(dim, n, 0, 1, &out));
  if (!u.block || !out.block) goto done;
  array_fill(&u, poly_cell, &p);
  for (int pass = 0; pass < 2; pass++) {
    const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
    TSR_ASSERT_OK(pass ? tsr_stencil_apply(&s, &u.v, &out.v, &whole)
                       : tsr_stencil_apply_ref(&s, &u.v, &out.v, &whole));
    long wrong = 0;
    for (int k = 0; k < n[2]; k++)
      for (int j = 0; j < n[1]; j++)
        for (int i = 0; i < n[0]; i++) {
          double expect = 0.0, scale = 0.0;
          const int idx[3] = {i, j, k};
          for (int a = 0; a < dim; a++)
            expect += poly_second(&p, (idx[a] - 3) * p.h);
          for (int q2 = 0; q2 < s.npoints; q2++) /* rounding bound: eps * sum |w u| */
            scale += fabs(s.weight[q2] * TSR_VIEW_AT(u.v, i + s.offset[q2][0], j + s.offset[q2][1],
                                                     k + s.offset[q2][2]));
          const double err = fabs(TSR_VIEW_AT(out.v, i, j, k) - expect);
          if (err > 64 * 0x1.0p-52 * scale) wrong++;
        }
    if (expect_exact) {
      CU_ASSERT_EQUAL(wrong, 0);
    } else {
      CU_ASSERT(wrong > 0);
    }
  }
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&out);
}

static void test_star_reproduces_polynomials(void) {
  for (int dim = 1; dim <= 3; dim++)
    for (int r = 1; r <= 4; r++) {
      check_star_polynomial(dim, r, 2 * r + 1, true);
      check_star_polynomial(dim, r, 2 * r + 2, false);
    }
  for (int r = 6; r <= TSR_STENCIL_MAX_RADIUS; r += 2) { /* wider stars, 1-D */
    check_star_polynomial(1, r, 2 * r + 1, true);
    check_star_polynomial(1, r, 2 * r + 2, false);
  }
}

/* The weights of the named stencils, against the textbook tables. */
static void test_named_weights(void) {
  const double h1[3] = {1.0, 1.0, 1.0};
  tsr_stencil s;
  TSR_ASSERT_OK(tsr_stencil_laplacian(2, 9, h1, &s));
  CU_ASSERT_EQUAL(s.npoints, 9);
  for (int p = 0; p < s.npoints; p++) {
    const int nz = (s.offset[p][0] != 0) + (s.offset[p][1] != 0);
    const double expect = (nz == 0 ? -20.0 : nz == 1 ? 4.0 : 1.0) / 6.0;
    CU_ASSERT(fabs(s.weight[p] - expect) < 1e-15);
  }
  TSR_ASSERT_OK(tsr_stencil_laplacian_star(1, 2, h1, &s)); /* -1/12 4/3 -5/2 4/3 -1/12 */
  CU_ASSERT_EQUAL(s.npoints, 5);
  CU_ASSERT(fabs(s.weight[0] + 2.5) < 1e-15);
  CU_ASSERT(fabs(s.weight[1] - 4.0 / 3.0) < 1e-15 && fabs(s.weight[2] - 4.0 / 3.0) < 1e-15);
  CU_ASSERT(fabs(s.weight[3] + 1.0 / 12.0) < 1e-15 && fabs(s.weight[4] + 1.0 / 12.0) < 1e-15);
  CU_ASSERT_EQUAL(s.offset[3][0], -2);
  CU_ASSERT_EQUAL(s.reach[0], 2);
  CU_ASSERT_EQUAL(s.reach[1], 0);
  TSR_ASSERT_OK(tsr_stencil_laplacian(3, 27, h1, &s));
  CU_ASSERT_EQUAL(s.npoints, 27);
  double sum = 0.0;
  for (int p = 0; p < s.npoints; p++)
    sum += s.weight[p];
  CU_ASSERT(fabs(sum) < 1e-14); /* constants are in the kernel */
  TSR_ASSERT_OK(tsr_stencil_scale(&s, -1.0));
  CU_ASSERT(s.weight[13] > 0.0); /* centre of -Laplacian */
}

/* Constant k = kappa: -div(k grad u) is -kappa times the 5/7-point Laplacian, exact on a
 * quadratic with power-of-two kappa and h. */
static void test_diffusion_constant_coefficient(void) {
  const double kappa = 4.0, h[3] = {0.5, 0.25, 2.0};
  for (int dim = 1; dim <= 3; dim++) {
    const int n[3] = {9, dim > 1 ? 7 : 1, dim > 2 ? 5 : 1};
    tsr_test_array u, k, out;
    TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, 1, &u));
    TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, 2, &k));
    TSR_ASSERT_OK(tsr_test_array_create(dim, n, 1, -1, &out));
    if (!u.block || !k.block || !out.block) continue;
    array_fill(&u, quadratic_cell, h);
    for (size_t e = 0; e < k.len; e++)
      k.block[e] = kappa;
    tsr_diffusion d = {dim, {h[0], h[1], h[2]}, TSR_STREAM_AUTO};
    const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
    const double expect = -kappa * (dim == 1 ? 2.0 : dim == 2 ? 6.0 : 12.0);
    for (int pass = 0; pass < 2; pass++) {
      TSR_ASSERT_OK(pass ? tsr_diffusion_apply(&d, &k.v, &u.v, &out.v, &whole)
                         : tsr_diffusion_apply_ref(&d, &k.v, &u.v, &out.v, &whole));
      long wrong = 0;
      for (int kk = 0; kk < n[2]; kk++)
        for (int j = 0; j < n[1]; j++)
          for (int i = 0; i < n[0]; i++)
            if (TSR_VIEW_AT(out.v, i, j, kk) != expect) wrong++;
      CU_ASSERT_EQUAL(wrong, 0);
    }
    tsr_test_array_destroy(&u);
    tsr_test_array_destroy(&k);
    tsr_test_array_destroy(&out);
  }
}

/* A coefficient jumping from 1 to 4 along axis 0, and u built so that the discrete flux
 * through every face is the same (harmonic mean 1.6 at the jump): A u = 0 everywhere inside.
 * An arithmetic mean (2.5) at the jump would leave a residual of order 1 there. */
static void test_diffusion_harmonic_jump(void) {
  const int n[3] = {12, 3, 3}, jump = 6;
  tsr_test_array u, k, out;
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 1, &u));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 1, &k));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 1, &out));
  if (!u.block || !k.block || !out.block) goto done;
  const double flux = 8.0;
  for (int kk = -1; kk <= n[2]; kk++)
    for (int j = -1; j <= n[1]; j++) {
      double value = 0.0;
      for (int i = -1; i <= n[0]; i++) {
        TSR_VIEW_AT(k.v, i, j, kk) = i < jump ? 1.0 : 4.0;
        TSR_VIEW_AT(u.v, i, j, kk) = value;
        const double kf = i + 1 < jump ? 1.0 : i + 1 == jump ? 1.6 : 4.0; /* face i | i+1 */
        value += flux / kf;
      }
    }
  tsr_diffusion d = {3, {1.0, 1.0, 1.0}, TSR_STREAM_AUTO};
  const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  for (int pass = 0; pass < 2; pass++) {
    TSR_ASSERT_OK(pass ? tsr_diffusion_apply(&d, &k.v, &u.v, &out.v, &whole)
                       : tsr_diffusion_apply_ref(&d, &k.v, &u.v, &out.v, &whole));
    double worst = 0.0;
    for (int kk = 0; kk < n[2]; kk++)
      for (int j = 0; j < n[1]; j++)
        for (int i = 0; i < n[0]; i++)
          worst = fmax(worst, fabs(TSR_VIEW_AT(out.v, i, j, kk)));
    CU_ASSERT(worst < 1e-12);
  }
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&k);
  tsr_test_array_destroy(&out);
}

/* With zero ghosts in v and w, <v, A w> = <w, A v>: the face coefficient is the same seen
 * from both sides. */
static void test_diffusion_symmetric(void) {
  const int n[3] = {7, 6, 5};
  tsr_test_array v, w, k, av, aw;
  const uint64_t s1 = 1, s2 = 2, s3 = 3;
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 0, &v));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 1, &w));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 2, &k));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 0, 0, &av));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 0, 0, &aw));
  if (!v.block || !w.block || !k.block || !av.block || !aw.block) goto done;
  for (size_t e = 0; e < v.len; e++)
    v.block[e] = 0.0;
  for (size_t e = 0; e < w.len; e++)
    w.block[e] = 0.0;
  const tsr_box whole = {{0, 0, 0}, {n[0], n[1], n[2]}};
  for (int kk = 0; kk < n[2]; kk++)
    for (int j = 0; j < n[1]; j++)
      for (int i = 0; i < n[0]; i++) {
        TSR_VIEW_AT(v.v, i, j, kk) = random_cell(i, j, kk, &s1);
        TSR_VIEW_AT(w.v, i, j, kk) = random_cell(i, j, kk, &s2);
      }
  array_fill(&k, positive_cell, &s3);
  tsr_diffusion d = {3, {0.7, 1.3, 0.9}, TSR_STREAM_AUTO};
  TSR_ASSERT_OK(tsr_diffusion_apply(&d, &k.v, &v.v, &av.v, &whole));
  TSR_ASSERT_OK(tsr_diffusion_apply(&d, &k.v, &w.v, &aw.v, &whole));
  double vaw = 0.0, wav = 0.0, norm = 0.0;
  for (int kk = 0; kk < n[2]; kk++)
    for (int j = 0; j < n[1]; j++)
      for (int i = 0; i < n[0]; i++) {
        vaw += TSR_VIEW_AT(v.v, i, j, kk) * TSR_VIEW_AT(aw.v, i, j, kk);
        wav += TSR_VIEW_AT(w.v, i, j, kk) * TSR_VIEW_AT(av.v, i, j, kk);
        norm += fabs(TSR_VIEW_AT(v.v, i, j, kk) * TSR_VIEW_AT(aw.v, i, j, kk));
      }
  CU_ASSERT(fabs(vaw - wav) < 1e-13 * norm);
  CU_ASSERT(norm > 0.0); /* the check compared something */
done:
  tsr_test_array_destroy(&v);
  tsr_test_array_destroy(&w);
  tsr_test_array_destroy(&k);
  tsr_test_array_destroy(&av);
  tsr_test_array_destroy(&aw);
}

/* ---- Errors --------------------------------------------------------------------------- */

static void test_bad_arguments(void) {
  const int n[3] = {6, 5, 4};
  const double h[3] = {1.0, 1.0, 1.0}, bad_h[3] = {1.0, 0.0, 1.0};
  tsr_test_array u, out, thin, k;
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 2, 0, &u));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 0, &out));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 0, &thin));
  TSR_ASSERT_OK(tsr_test_array_create(3, n, 1, 0, &k));
  if (!u.block || !out.block || !thin.block || !k.block) goto done;
  array_fill(&u, random_cell, NULL);
  array_fill(&thin, random_cell, NULL);
  array_fill(&k, positive_cell, NULL);
  tsr_stencil s7, s_r2;
  TSR_ASSERT_OK(tsr_stencil_laplacian(3, 7, h, &s7));
  TSR_ASSERT_OK(tsr_stencil_laplacian_star(3, 2, h, &s_r2));
  const tsr_box whole = {{0, 0, 0}, {6, 5, 4}}, too_far = {{0, 0, 0}, {6, 6, 4}},
                negative = {{0, 0, -1}, {6, 5, 4}}, empty = {{0, 3, 0}, {6, 3, 4}};
  for (int ref = 0; ref < 2; ref++) {
    tsr_err (*apply)(const tsr_stencil *, const tsr_view *, const tsr_view *, const tsr_box *) =
        ref ? tsr_stencil_apply_ref : tsr_stencil_apply;
    tsr_err (*resid)(const tsr_stencil *, const tsr_view *, const tsr_view *, const tsr_view *,
                     const tsr_box *) = ref ? tsr_stencil_residual_ref : tsr_stencil_residual;
    TSR_ASSERT_ERR(apply(NULL, &u.v, &out.v, &whole), TSR_ERR_ARG);
    TSR_ASSERT_ERR(apply(&s7, NULL, &out.v, &whole), TSR_ERR_ARG);
    TSR_ASSERT_ERR(apply(&s7, &u.v, NULL, &whole), TSR_ERR_ARG);
    TSR_ASSERT_ERR(apply(&s7, &u.v, &out.v, NULL), TSR_ERR_ARG);
    TSR_ASSERT_ERR(apply(&s7, &u.v, &out.v, &too_far), TSR_ERR_ARG);
    TSR_ASSERT_ERR(apply(&s7, &u.v, &out.v, &negative), TSR_ERR_ARG);
    TSR_ASSERT_ERR(apply(&s_r2, &thin.v, &out.v, &whole), TSR_ERR_ARG); /* ghost 1 < reach 2 */
    TSR_ASSERT_ERR(apply(&s7, &u.v, &u.v, &whole), TSR_ERR_ARG);        /* in place */
    tsr_view shifted = u.v;                                             /* overlapping */
    shifted.data += 1;
    TSR_ASSERT_ERR(apply(&s7, &u.v, &shifted, &whole), TSR_ERR_ARG);
    tsr_view other = out.v;
    other.n[1] = 4;
    TSR_ASSERT_ERR(apply(&s7, &u.v, &other, &whole), TSR_ERR_ARG); /* extents differ */
    tsr_stencil broken = s7;
    broken.reach[2] = 0; /* edited by hand: inconsistent with its offsets */
    TSR_ASSERT_ERR(apply(&broken, &u.v, &out.v, &whole), TSR_ERR_ARG);
    broken = s7;
    broken.npoints = 0;
    TSR_ASSERT_ERR(apply(&broken, &u.v, &out.v, &whole), TSR_ERR_ARG);
    /* Residual: r may be b itself, but not overlap it otherwise, nor overlap x. */
    TSR_ASSERT_ERR(resid(&s7, NULL, &u.v, &out.v, &whole), TSR_ERR_ARG);
    TSR_ASSERT_ERR(resid(&s7, &out.v, &u.v, &u.v, &whole), TSR_ERR_ARG);
    tsr_view out_shifted = out.v;
    out_shifted.data += 1;
    TSR_ASSERT_ERR(resid(&s7, &out_shifted, &u.v, &out.v, &whole), TSR_ERR_ARG);
    TSR_ASSERT_OK(resid(&s7, &out.v, &u.v, &out.v, &whole));
    /* An empty box is a no-op. */
    tsr_test_array_reset(&out);
    TSR_ASSERT_OK(apply(&s7, &u.v, &out.v, &empty));
    CU_ASSERT_EQUAL(tsr_test_array_touched_outside(&out, &empty), 0);
    /* Diffusion. */
    tsr_diffusion d = {3, {1.0, 1.0, 1.0}, TSR_STREAM_AUTO}, bad_d = {3, {1.0, -1.0, 1.0}, 0};
    tsr_err (*dapply)(const tsr_diffusion *, const tsr_view *, const tsr_view *, const tsr_view *,
                      const tsr_box *) = ref ? tsr_diffusion_apply_ref : tsr_diffusion_apply;
    TSR_ASSERT_ERR(dapply(&bad_d, &k.v, &u.v, &out.v, &whole), TSR_ERR_ARG);
    TSR_ASSERT_ERR(dapply(&d, NULL, &u.v, &out.v, &whole), TSR_ERR_ARG);
    TSR_ASSERT_ERR(dapply(&d, &k.v, &u.v, &k.v, &whole), TSR_ERR_ARG); /* out is k */
    TSR_ASSERT_ERR(dapply(&d, &k.v, &u.v, &out.v, &too_far), TSR_ERR_ARG);
    tsr_view k_flat = out.v; /* no ghosts */
    k_flat.ghost[0] = 0;
    TSR_ASSERT_ERR(dapply(&d, &k_flat, &u.v, &thin.v, &whole), TSR_ERR_ARG);
    TSR_ASSERT_OK(dapply(&d, &k.v, &u.v, &out.v, &whole));
  }
  /* Constructors. */
  tsr_stencil s;
  TSR_ASSERT_ERR(tsr_stencil_laplacian(2, 7, h, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_laplacian(3, 9, h, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_laplacian(2, 5, bad_h, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_laplacian(2, 5, NULL, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_laplacian_star(3, 0, h, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_laplacian_star(3, TSR_STENCIL_MAX_RADIUS + 1, h, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_laplacian_star(4, 1, h, &s), TSR_ERR_ARG);
  const int off_bad[1][TSR_MAX_DIM] = {{0, 1, 0}}; /* axis 1 in a 1-D stencil */
  const int off_far[1][TSR_MAX_DIM] = {{TSR_STENCIL_MAX_RADIUS + 1, 0, 0}};
  const double w1[1] = {1.0};
  TSR_ASSERT_ERR(tsr_stencil_init(1, 1, off_bad, w1, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_init(1, 1, off_far, w1, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_init(1, 0, off_far, w1, &s), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_stencil_scale(NULL, 2.0), TSR_ERR_ARG);
done:
  tsr_test_array_destroy(&u);
  tsr_test_array_destroy(&out);
  tsr_test_array_destroy(&thin);
  tsr_test_array_destroy(&k);
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"stencils: optimised equals reference bit for bit", test_opt_equals_ref},
      {"stencils: row pieces, chunks and cache blocks equal reference", test_large_shapes},
      {"diffusion: optimised equals reference bit for bit", test_diffusion_opt_equals_ref},
      {"laplacians are exact on quadratics", test_laplacian_exact_on_quadratic},
      {"star laplacians reproduce polynomials of degree 2r+1", test_star_reproduces_polynomials},
      {"named stencils carry the textbook weights", test_named_weights},
      {"diffusion with constant k is -k Laplacian", test_diffusion_constant_coefficient},
      {"diffusion uses the harmonic face mean", test_diffusion_harmonic_jump},
      {"diffusion operator is symmetric", test_diffusion_symmetric},
      {"stencil kernels refuse bad arguments", test_bad_arguments},
      TSR_TEST_END,
  };
  return tsr_test_main(argc, argv, "stencil_ops", cases);
}
