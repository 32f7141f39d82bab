/* Poisson solvers: the operator against a direct evaluation, reproducible dots, every solver
 * and preconditioner converging to the same solution, the multigrid preconditioner's symmetry,
 * multigrid iteration counts independent of N, and the error paths (indefinite operator,
 * maximum iterations, divergence, bad arguments). Run at 1 2 3 4 8 ranks. */
#include <math.h>
#include <string.h>

#include "tsr_test.h"
#include "tessera/kernels/krylov.h"

/* A small problem: grid, operator, right-hand side b, solution x. */
typedef struct {
  tsr_grid grid;
  tsr_poisson op;
  tsr_field b, x;
} problem;

static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Pseudo-random value in [-1, 1) from the global index and a seed. */
static double hash_value(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user) {
  const uint64_t seed = *(const uint64_t *)user;
  (void)comp;
  const uint64_t h = mix64(seed ^ mix64((uint64_t)idx[0] + 1000003ULL * (uint64_t)idx[1] +
                                        1000000007ULL * (uint64_t)idx[2]));
  return (double)(h >> 11) * 0x1.0p-52 - 1.0;
}

static void problem_create(problem *p, tsr_gidx n, double shift, uint64_t seed) {
  memset(p, 0, sizeof *p);
  const tsr_gidx size[3] = {n, n, n};
  TSR_ASSERT_OK(tsr_poisson_grid_create(tsr_test_ctx(), size, NULL, &p->grid));
  if (!p->grid) return; /* reported above; the test's later calls fail on NULL alike */
  TSR_ASSERT_OK(tsr_poisson_create(p->grid, &p->op));
  TSR_ASSERT_OK(tsr_poisson_set_shift(p->op, shift));
  TSR_ASSERT_OK(tsr_poisson_setup(p->op));
  TSR_ASSERT_OK(tsr_poisson_create_vector(p->op, "b", false, &p->b));
  TSR_ASSERT_OK(tsr_poisson_create_vector(p->op, "x", true, &p->x));
  TSR_ASSERT_OK(tsr_field_fill(p->b, hash_value, &seed));
}

static void problem_destroy(problem *p) {
  TSR_ASSERT_OK(tsr_poisson_destroy(&p->op));
  TSR_ASSERT_OK(tsr_grid_destroy(&p->grid));
}

static void zero(tsr_field f) {
  tsr_view v;
  TSR_ASSERT_OK(tsr_field_get_view(f, 0, &v));
  for (int k = 0; k < v.n[2]; k++)
    for (int j = 0; j < v.n[1]; j++)
      for (int i = 0; i < v.n[0]; i++)
        TSR_VIEW_AT(v, i, j, k) = 0.0;
}

/* Global max |a - b| over owned cells. */
static double max_diff(tsr_field a, tsr_field b) {
  tsr_view va, vb;
  TSR_ASSERT_OK(tsr_field_get_view(a, 0, &va));
  TSR_ASSERT_OK(tsr_field_get_view(b, 0, &vb));
  double d = 0, g = 0;
  for (int k = 0; k < va.n[2]; k++)
    for (int j = 0; j < va.n[1]; j++)
      for (int i = 0; i < va.n[0]; i++)
        d = fmax(d, fabs(TSR_VIEW_AT(va, i, j, k) - TSR_VIEW_AT(vb, i, j, k)));
  TSR_ASSERT_OK(tsr_reduce(tsr_test_ctx(), TSR_MAX, &d, &g, 1));
  return g;
}

/* The 7-point operator evaluated directly from the field values of a hashed x, with 0 outside
 * the grid, against tsr_poisson_apply(). */
static void test_apply_matches_direct(void) {
  problem p;
  problem_create(&p, 13, 0.0, 1);
  tsr_field y;
  TSR_ASSERT_OK(tsr_poisson_create_vector(p.op, "y", false, &y));
  uint64_t seed = 7;
  TSR_ASSERT_OK(tsr_field_fill(p.x, hash_value, &seed));
  TSR_ASSERT_OK(tsr_poisson_apply(p.op, p.x, y));
  tsr_view vy;
  TSR_ASSERT_OK(tsr_field_get_view(y, 0, &vy));
  const double h = 1.0 / 14.0, c = 1.0 / (h * h);
  double worst = 0;
  for (int k = 0; k < vy.n[2]; k++)
    for (int j = 0; j < vy.n[1]; j++)
      for (int i = 0; i < vy.n[0]; i++) {
        const tsr_gidx g[3] = {vy.box.lo[0] + i, vy.box.lo[1] + j, vy.box.lo[2] + k};
        double sum = 6.0 * hash_value(g, 0, &seed);
        for (int a = 0; a < 3; a++)
          for (int s = -1; s <= 1; s += 2) {
            tsr_gidx nb[3] = {g[0], g[1], g[2]};
            nb[a] += s;
            if (nb[a] >= 0 && nb[a] < 13) sum -= hash_value(nb, 0, &seed);
          }
        worst = fmax(worst, fabs(c * sum - TSR_VIEW_AT(vy, i, j, k)) / c);
      }
  CU_ASSERT(worst < 1e-13);
  problem_destroy(&p);
}

/* Dots against a sum of the same products in double over all ranks' cells. */
static void test_dot(void) {
  problem p;
  problem_create(&p, 11, 0.0, 3);
  uint64_t seed = 5;
  TSR_ASSERT_OK(tsr_field_fill(p.x, hash_value, &seed));
  double dot;
  TSR_ASSERT_OK(tsr_poisson_dot(p.op, p.b, p.x, &dot));
  double want = 0, seed_b = 3;
  (void)seed_b;
  uint64_t sb = 3, sx = 5;
  for (tsr_gidx k = 0; k < 11; k++)
    for (tsr_gidx j = 0; j < 11; j++)
      for (tsr_gidx i = 0; i < 11; i++) {
        const tsr_gidx g[3] = {i, j, k};
        want += hash_value(g, 0, &sb) * hash_value(g, 0, &sx);
      }
  CU_ASSERT(fabs(dot - want) < 1e-12 * 1331);
  CU_ASSERT(tsr_poisson_reproducible(p.op));
  problem_destroy(&p);
}

/* Solve with one configuration; returns the status, iterations in *its. */
typedef struct {
  int method; /* 0 cg, 1 pipecg, 2 mg */
  tsr_pc_type pc;
  tsr_mg_cycle cycle;
  tsr_mg_smoother smoother;
} config;

static tsr_solve_status solve(problem *p, const config *c, const tsr_solve_params *prm,
                              tsr_solve_info *info) {
  tsr_mg mg = NULL;
  tsr_krylov ksp = NULL;
  zero(p->x);
  if (c->method == 2 || c->pc == TSR_PC_MG) {
    TSR_ASSERT_OK(tsr_mg_create(p->op, &mg));
    TSR_ASSERT_OK(tsr_mg_set_cycle(mg, c->cycle));
    TSR_ASSERT_OK(tsr_mg_set_smoother(mg, c->smoother, 2, 2));
    TSR_ASSERT_OK(tsr_mg_set_gather_size(mg, 3)); /* keep distributed coarse levels */
    TSR_ASSERT_OK(tsr_mg_set_params(mg, prm));
    TSR_ASSERT_OK(tsr_mg_setup(mg));
  }
  if (c->method == 2) {
    TSR_ASSERT_OK(tsr_mg_solve(mg, p->b, p->x, info));
  } else {
    TSR_ASSERT_OK(tsr_krylov_create(p->op, &ksp));
    TSR_ASSERT_OK(tsr_krylov_set_type(ksp, c->method ? TSR_KRYLOV_PIPECG : TSR_KRYLOV_CG));
    TSR_ASSERT_OK(tsr_krylov_set_pc(ksp, c->pc, mg));
    TSR_ASSERT_OK(tsr_krylov_set_params(ksp, prm));
    TSR_ASSERT_OK(tsr_krylov_setup(ksp));
    TSR_ASSERT_OK(tsr_krylov_solve(ksp, p->b, p->x, info));
  }
  TSR_ASSERT_OK(tsr_krylov_destroy(&ksp));
  TSR_ASSERT_OK(tsr_mg_destroy(&mg));
  return info->status;
}

/* True residual |b - A x| / |b| of the current x. */
static double true_residual(problem *p, tsr_field r) {
  double rn, bn;
  TSR_ASSERT_OK(tsr_poisson_residual(p->op, p->b, p->x, r, &rn));
  TSR_ASSERT_OK(tsr_poisson_dot(p->op, p->b, p->b, &bn));
  return rn / sqrt(bn);
}

/* Every method reaches rtol on the true residual and the same solution as a tight CG. */
static void test_all_solvers_converge(void) {
  problem p;
  problem_create(&p, 15, 0.0, 11); /* N = 16: levels 15, 7, 3, 1 */
  tsr_field ref, r;
  TSR_ASSERT_OK(tsr_poisson_create_vector(p.op, "ref", false, &ref));
  TSR_ASSERT_OK(tsr_poisson_create_vector(p.op, "r", false, &r));
  tsr_solve_params prm = tsr_solve_params_default();
  tsr_solve_info info;
  prm.rtol = 1e-12;
  const config tight = {0, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV};
  CU_ASSERT_EQUAL(solve(&p, &tight, &prm, &info), TSR_CONVERGED_RTOL);
  TSR_ASSERT_OK(tsr_field_copy(p.x, ref));
  double xnorm;
  TSR_ASSERT_OK(tsr_poisson_dot(p.op, ref, ref, &xnorm));
  xnorm = sqrt(xnorm / (15.0 * 15 * 15));
  prm.rtol = 1e-8;
  const config configs[] = {
      {0, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV}, {0, TSR_PC_JACOBI, TSR_MG_V, TSR_MG_CHEBYSHEV},
      {0, TSR_PC_MG, TSR_MG_V, TSR_MG_CHEBYSHEV},   {0, TSR_PC_MG, TSR_MG_W, TSR_MG_JACOBI},
      {1, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV}, {1, TSR_PC_JACOBI, TSR_MG_V, TSR_MG_CHEBYSHEV},
      {1, TSR_PC_MG, TSR_MG_F, TSR_MG_CHEBYSHEV},   {2, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV},
      {2, TSR_PC_NONE, TSR_MG_F, TSR_MG_JACOBI},    {2, TSR_PC_NONE, TSR_MG_W, TSR_MG_CHEBYSHEV},
      {2, TSR_PC_NONE, TSR_MG_V, TSR_MG_JACOBI}};
  for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
    CU_ASSERT_EQUAL(solve(&p, &configs[c], &prm, &info), TSR_CONVERGED_RTOL);
    const double res = true_residual(&p, r);
    CU_ASSERT(res < 2e-8);
    CU_ASSERT(info.iterations > 0);
    /* |x - x*| <= |A^-1| |r| with |A^-1| = 1 / lambda_min ~ 1 / (3 pi^2) */
    CU_ASSERT(max_diff(p.x, ref) < 1e-6 * xnorm + 1e-7);
    if (res >= 2e-8 && tsr_test_rank() == 0)
      fprintf(stderr, "config %zu: status %d, %lld its, true residual %g\n", c, info.status,
              (long long)info.iterations, res);
  }
  problem_destroy(&p);
}

/* The V-cycle preconditioner is symmetric: <M a, c> = <a, M c>. */
static void test_mg_symmetric(void) {
  problem p;
  problem_create(&p, 15, 0.0, 21);
  tsr_field a, c, ma, mc;
  TSR_ASSERT_OK(tsr_poisson_create_vector(p.op, "a", false, &a));
  TSR_ASSERT_OK(tsr_poisson_create_vector(p.op, "c", false, &c));
  TSR_ASSERT_OK(tsr_poisson_create_vector(p.op, "ma", true, &ma));
  TSR_ASSERT_OK(tsr_poisson_create_vector(p.op, "mc", true, &mc));
  uint64_t sa = 31, sc = 32;
  TSR_ASSERT_OK(tsr_field_fill(a, hash_value, &sa));
  TSR_ASSERT_OK(tsr_field_fill(c, hash_value, &sc));
  for (int sm = 0; sm < 2; sm++) {
    tsr_mg mg;
    TSR_ASSERT_OK(tsr_mg_create(p.op, &mg));
    TSR_ASSERT_OK(tsr_mg_set_smoother(mg, sm ? TSR_MG_CHEBYSHEV : TSR_MG_JACOBI, 2, 2));
    TSR_ASSERT_OK(tsr_mg_set_gather_size(mg, 0));
    TSR_ASSERT_OK(tsr_mg_setup(mg));
    TSR_ASSERT_OK(tsr_mg_apply(mg, a, ma));
    TSR_ASSERT_OK(tsr_mg_apply(mg, c, mc));
    double d1, d2, n1;
    TSR_ASSERT_OK(tsr_poisson_dot(p.op, ma, c, &d1));
    TSR_ASSERT_OK(tsr_poisson_dot(p.op, a, mc, &d2));
    TSR_ASSERT_OK(tsr_poisson_dot(p.op, ma, a, &n1));
    CU_ASSERT(fabs(d1 - d2) <= 1e-12 * fabs(n1));
    CU_ASSERT(n1 > 0); /* positive definite */
    TSR_ASSERT_OK(tsr_mg_destroy(&mg));
  }
  problem_destroy(&p);
}

/* Multigrid cycles to 1e-8 do not grow with N (15, 31, 63 cells per axis). */
static void test_mg_iterations_independent_of_n(void) {
#ifdef TSR_SOLVER_QUICK /* sanitizer builds: the same check on smaller grids */
  const tsr_gidx sizes[] = {7, 15, 31};
#else
  const tsr_gidx sizes[] = {15, 31, 63};
#endif
  int64_t its[3][2];
  for (int s = 0; s < 3; s++) {
    problem p;
    problem_create(&p, sizes[s], 0.0, 41);
    tsr_solve_params prm = tsr_solve_params_default();
    tsr_solve_info info;
    const config mgv = {2, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV};
    const config pcg = {0, TSR_PC_MG, TSR_MG_V, TSR_MG_CHEBYSHEV};
    CU_ASSERT_EQUAL(solve(&p, &mgv, &prm, &info), TSR_CONVERGED_RTOL);
    its[s][0] = info.iterations;
    CU_ASSERT_EQUAL(solve(&p, &pcg, &prm, &info), TSR_CONVERGED_RTOL);
    its[s][1] = info.iterations;
    problem_destroy(&p);
  }
  for (int m = 0; m < 2; m++) {
    CU_ASSERT(its[2][m] <= its[0][m] + 2);
    CU_ASSERT(its[2][m] <= 14);
  }
}

/* A shift beyond the smallest eigenvalue makes A indefinite: CG must report it. */
static void test_indefinite(void) {
  problem p;
  /* lambda_min = 3 (2 - 2 cos(pi/16)) 256 ~ 29.6; shift 200 puts several modes below 0 */
  problem_create(&p, 15, 200.0, 51);
  tsr_solve_params prm = tsr_solve_params_default();
  tsr_solve_info info;
  for (int method = 0; method < 2; method++) {
    const config c = {method, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV};
    CU_ASSERT_EQUAL(solve(&p, &c, &prm, &info), TSR_DIVERGED_INDEFINITE);
    CU_ASSERT(info.iterations < 100);
  }
  /* Jacobi's D^-1 is still positive: the same breakdown. */
  const config j = {0, TSR_PC_JACOBI, TSR_MG_V, TSR_MG_CHEBYSHEV};
  CU_ASSERT_EQUAL(solve(&p, &j, &prm, &info), TSR_DIVERGED_INDEFINITE);
  problem_destroy(&p);
}

/* A shift so large that diag < 0 makes Jacobi's M negative: breakdown of the preconditioner. */
static void test_indefinite_pc(void) {
  problem p;
  problem_create(&p, 9, 1e4, 52); /* diag = 6 * 100 - 1e4 < 0 */
  tsr_solve_params prm = tsr_solve_params_default();
  tsr_solve_info info;
  const config j = {0, TSR_PC_JACOBI, TSR_MG_V, TSR_MG_CHEBYSHEV};
  CU_ASSERT_EQUAL(solve(&p, &j, &prm, &info), TSR_DIVERGED_INDEFINITE_PC);
  problem_destroy(&p);
}

/* max_it stops every solver with the status saying so, after exactly max_it iterations. */
static void test_max_iterations(void) {
  problem p;
  problem_create(&p, 15, 0.0, 61);
  tsr_solve_params prm = tsr_solve_params_default();
  prm.max_it = 3;
  tsr_solve_info info;
  const config configs[] = {{0, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV},
                            {1, TSR_PC_JACOBI, TSR_MG_V, TSR_MG_CHEBYSHEV},
                            {2, TSR_PC_NONE, TSR_MG_V, TSR_MG_CHEBYSHEV}};
  for (int c = 0; c < 3; c++) {
    CU_ASSERT_EQUAL(solve(&p, &configs[c], &prm, &info), TSR_DIVERGED_MAX_IT);
    CU_ASSERT_EQUAL(info.iterations, 3);
    CU_ASSERT(info.rnorm > prm.rtol * info.bnorm);
  }
  /* an absolute tolerance above |b| stops at once */
  prm.max_it = 100;
  prm.atol = 1e300;
  CU_ASSERT_EQUAL(solve(&p, &configs[0], &prm, &info), TSR_CONVERGED_ATOL);
  CU_ASSERT_EQUAL(info.iterations, 0);
  problem_destroy(&p);
}

/* Multigrid on an indefinite operator diverges: reported as growth (or NaN), not success. */
static void test_mg_diverges(void) {
  problem p;
  problem_create(&p, 15, 500.0, 71);
  tsr_solve_params prm = tsr_solve_params_default();
  prm.dtol = 1e3;
  prm.max_it = 500;
  tsr_solve_info info;
  const config c = {2, TSR_PC_NONE, TSR_MG_V, TSR_MG_JACOBI};
  const tsr_solve_status st = solve(&p, &c, &prm, &info);
  CU_ASSERT(st == TSR_DIVERGED_DTOL || st == TSR_DIVERGED_NAN);
  CU_ASSERT(info.iterations < 500);
  problem_destroy(&p);
}

static void test_bad_arguments(void) {
  problem p;
  problem_create(&p, 9, 0.0, 81);
  tsr_krylov ksp;
  tsr_mg mg;
  tsr_solve_info info;
  tsr_field foreign;
  TSR_ASSERT_OK(tsr_field_create(p.grid, "foreign", 1, 1, &foreign));
  TSR_ASSERT_OK(tsr_field_setup(foreign));
  TSR_ASSERT_OK(tsr_krylov_create(p.op, &ksp));
  TSR_ASSERT_ERR(tsr_krylov_solve(ksp, p.b, p.x, &info), TSR_ERR_STATE); /* before setup */
  TSR_ASSERT_ERR(tsr_krylov_set_pc(ksp, TSR_PC_MG, NULL), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_krylov_set_type(ksp, (tsr_krylov_type)7), TSR_ERR_ARG);
  tsr_solve_params bad = tsr_solve_params_default();
  bad.rtol = -1;
  TSR_ASSERT_ERR(tsr_krylov_set_params(ksp, &bad), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_krylov_setup(ksp));
  TSR_ASSERT_ERR(tsr_krylov_solve(ksp, p.b, foreign, &info), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_krylov_solve(ksp, p.b, p.b, &info), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_krylov_destroy(&ksp));
  CU_ASSERT_PTR_NULL(ksp);
  TSR_ASSERT_OK(tsr_mg_create(p.op, &mg));
  TSR_ASSERT_ERR(tsr_mg_set_smoother(mg, TSR_MG_JACOBI, 0, 0), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_mg_set_smoother(mg, TSR_MG_JACOBI, 21, 1), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_mg_set_levels(mg, -1), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_mg_apply(mg, p.b, p.x), TSR_ERR_STATE);
  TSR_ASSERT_OK(tsr_mg_setup(mg));
  TSR_ASSERT_ERR(tsr_mg_set_cycle(mg, TSR_MG_W), TSR_ERR_STATE);
  TSR_ASSERT_ERR(tsr_mg_apply(mg, p.b, p.b), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_mg_destroy(&mg));
  TSR_ASSERT_OK(tsr_mg_destroy(&mg)); /* NULL is fine */
  TSR_ASSERT_OK(tsr_field_destroy(&foreign));
  problem_destroy(&p);
  tsr_grid g2d;
  const tsr_gidx n2[3] = {8, 8, 1};
  tsr_poisson op;
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 2, n2, &g2d));
  TSR_ASSERT_OK(tsr_grid_setup(g2d));
  TSR_ASSERT_ERR(tsr_poisson_create(g2d, &op), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_grid_destroy(&g2d));
}

/* A process grid that splits planes still converges, to within rounding of the slab run. */
static void test_other_process_grid(void) {
  problem slab;
  problem_create(&slab, 15, 0.0, 91);
  tsr_solve_params prm = tsr_solve_params_default();
  tsr_solve_info info;
  const config pcg = {0, TSR_PC_MG, TSR_MG_V, TSR_MG_CHEBYSHEV};
  CU_ASSERT_EQUAL(solve(&slab, &pcg, &prm, &info), TSR_CONVERGED_RTOL);
  const int64_t its = info.iterations;
  /* the same problem on a process grid chosen freely (2x2x2 at 8 ranks) */
  problem q;
  memset(&q, 0, sizeof q);
  const tsr_gidx n[3] = {15, 15, 15};
  const int any[3] = {0, 0, 0};
  uint64_t seed = 91;
  TSR_ASSERT_OK(tsr_poisson_grid_create(tsr_test_ctx(), n, any, &q.grid));
  TSR_ASSERT_OK(tsr_poisson_create(q.grid, &q.op));
  TSR_ASSERT_OK(tsr_poisson_setup(q.op));
  TSR_ASSERT_OK(tsr_poisson_create_vector(q.op, "b", false, &q.b));
  TSR_ASSERT_OK(tsr_poisson_create_vector(q.op, "x", true, &q.x));
  TSR_ASSERT_OK(tsr_field_fill(q.b, hash_value, &seed));
  CU_ASSERT_EQUAL(solve(&q, &pcg, &prm, &info), TSR_CONVERGED_RTOL);
  CU_ASSERT(info.iterations >= its - 1 && info.iterations <= its + 1);
  /* compare the solutions' norms (the grids differ, so compare global quantities) */
  double n1, n2;
  TSR_ASSERT_OK(tsr_poisson_dot(slab.op, slab.x, slab.x, &n1));
  TSR_ASSERT_OK(tsr_poisson_dot(q.op, q.x, q.x, &n2));
  CU_ASSERT(fabs(n1 - n2) <= 1e-7 * n1);
  problem_destroy(&q);
  problem_destroy(&slab);
}

int main(int argc, char **argv) {
  const tsr_test_case cases[] = {
      {"apply matches a direct evaluation", test_apply_matches_direct},
      {"dot", test_dot},
      {"every solver converges", test_all_solvers_converge},
      {"mg preconditioner is symmetric", test_mg_symmetric},
      {"mg iterations independent of N", test_mg_iterations_independent_of_n},
      {"indefinite operator", test_indefinite},
      {"indefinite preconditioner", test_indefinite_pc},
      {"max iterations", test_max_iterations},
      {"mg divergence", test_mg_diverges},
      {"bad arguments", test_bad_arguments},
      {"other process grids", test_other_process_grid},
      TSR_TEST_END};
  return tsr_test_main(argc, argv, "solvers", cases);
}
