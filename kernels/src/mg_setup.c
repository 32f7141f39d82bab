/* Multigrid hierarchy: options, levels (distributed while their grids nest, then gathered),
 * smoother coefficients, gather plans. */
#include "mg_impl.h"

#include <math.h>
#include <string.h>

#include "tessera/mem.h"

/* Lower end of the Chebyshev smoother's interval as a fraction of lmax: the high-frequency
 * modes of D^-1 A (some axis wavenumber above pi/2) have eigenvalues above 1/3 ~ lmax/6; a
 * slightly wider interval, lmax/8, gave the fewest cycles (measured 1/6, 1/7.5, 1/8, 1/10). */
static const double cheb_fraction = 1.0 / 8.0;
static const double jacobi_omega = 6.0 / 7.0;

const char *tsr_mg_cycle_name(tsr_mg_cycle cycle) {
  switch (cycle) {
  case TSR_MG_V:
    return "v";
  case TSR_MG_F:
    return "f";
  case TSR_MG_W:
    return "w";
  }
  return "?";
}

const char *tsr_mg_smoother_name(tsr_mg_smoother smoother) {
  return smoother == TSR_MG_JACOBI ? "jacobi" : smoother == TSR_MG_CHEBYSHEV ? "chebyshev" : "?";
}

tsr_err tsr_mg_create(tsr_poisson op, tsr_mg *mg) {
  if (!op || !mg) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_mg_create: NULL argument");
  if (!op->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_mg_create: the operator is not set up");
  struct tsr_mg_s *m;
  TSR_CALL(tsr_calloc(1, sizeof *m, &m));
  m->ctx = op->ctx;
  m->op = op;
  m->cycle = TSR_MG_V;
  m->smoother = TSR_MG_CHEBYSHEV;
  m->pre = m->post = 2;
  m->gather_size = 15;
  m->params = tsr_solve_params_default();
  *mg = m;
  return TSR_SUCCESS;
}

static tsr_err check_not_setup(tsr_mg mg, const char *who) {
  if (mg->is_setup) TSR_ERROR(TSR_ERR_STATE, "%s: the multigrid is set up already", who);
  return TSR_SUCCESS;
}

tsr_err tsr_mg_set_cycle(tsr_mg mg, tsr_mg_cycle cycle) {
  TSR_CALL(check_not_setup(mg, "tsr_mg_set_cycle"));
  if (cycle < TSR_MG_V || cycle > TSR_MG_W)
    TSR_ERROR(TSR_ERR_ARG, "tsr_mg_set_cycle: cycle %d, expected V, F or W", (int)cycle);
  mg->cycle = cycle;
  return TSR_SUCCESS;
}

tsr_err tsr_mg_set_smoother(tsr_mg mg, tsr_mg_smoother smoother, int pre, int post) {
  TSR_CALL(check_not_setup(mg, "tsr_mg_set_smoother"));
  if (smoother != TSR_MG_JACOBI && smoother != TSR_MG_CHEBYSHEV)
    TSR_ERROR(TSR_ERR_ARG, "tsr_mg_set_smoother: smoother %d, expected Jacobi or Chebyshev",
              (int)smoother);
  if (pre < 0 || post < 0 || pre > MG_MAX_STEPS || post > MG_MAX_STEPS || pre + post < 1)
    TSR_ERROR(TSR_ERR_ARG,
              "tsr_mg_set_smoother: %d pre- and %d post-smoothing steps, expected 0..%d each "
              "and at least one in all",
              pre, post, MG_MAX_STEPS);
  mg->smoother = smoother;
  mg->pre = pre;
  mg->post = post;
  return TSR_SUCCESS;
}

tsr_err tsr_mg_set_levels(tsr_mg mg, int max_levels) {
  TSR_CALL(check_not_setup(mg, "tsr_mg_set_levels"));
  if (max_levels < 0 || max_levels > MG_MAX_LEVELS)
    TSR_ERROR(TSR_ERR_ARG, "tsr_mg_set_levels: %d levels, expected 0 (all) to %d", max_levels,
              MG_MAX_LEVELS);
  mg->max_levels = max_levels;
  return TSR_SUCCESS;
}

tsr_err tsr_mg_set_gather_size(tsr_mg mg, tsr_gidx n) {
  TSR_CALL(check_not_setup(mg, "tsr_mg_set_gather_size"));
  if (n < 0)
    TSR_ERROR(TSR_ERR_ARG, "tsr_mg_set_gather_size: %lld, expected 0 or more", (long long)n);
  mg->gather_size = n;
  return TSR_SUCCESS;
}

tsr_err tsr_mg_set_params(tsr_mg mg, const tsr_solve_params *params) {
  if (!params) TSR_ERROR_LOCAL(TSR_ERR_ARG, "tsr_mg_set_params: NULL");
  mg->params = *params;
  return TSR_SUCCESS;
}

void mg_poly_chebyshev(mg_poly *p, double lo, double hi, int steps) {
  const double theta = 0.5 * (hi + lo), delta = 0.5 * (hi - lo);
  p->steps = steps;
  p->alpha[0] = 1.0 / theta;
  p->beta[0] = 0.0;
  if (delta <= 1e-14 * theta) { /* one eigenvalue: the first step is exact */
    for (int s = 1; s < steps; s++) {
      p->alpha[s] = 1.0 / theta;
      p->beta[s] = 0.0;
    }
    return;
  }
  const double sigma = theta / delta;
  double rho = 1.0 / sigma;
  for (int s = 1; s < steps; s++) {
    const double next = 1.0 / (2.0 * sigma - rho);
    p->alpha[s] = 2.0 * next / delta;
    p->beta[s] = next * rho;
    rho = next;
  }
}

/* Eigenvalue range of D^-1 A for the 7-point operator on n cells per axis (spacing h):
 * modes sin(pi m x) give sum_a off_a (2 - 2 cos(pi m_a / (n_a + 1))) / diag. */
static void spectrum(const pk_coef *c, const tsr_gidx n[3], double *lmin, double *lmax) {
  double lo = 0, hi = 0;
  for (int a = 0; a < 3; a++) {
    const double t = cos(M_PI / (double)(n[a] + 1));
    lo += c->off[a] * (2.0 - 2.0 * t);
    hi += c->off[a] * (2.0 + 2.0 * t);
  }
  *lmin = lo / c->diag;
  *lmax = hi / c->diag;
}

static void level_smoother(tsr_mg mg, mg_level *L) {
  double lmin, lmax;
  spectrum(&L->coef, L->n, &lmin, &lmax);
  const int steps = mg->pre > mg->post ? mg->pre : mg->post;
  if (mg->smoother == TSR_MG_JACOBI) {
    L->smooth.steps = steps;
    for (int s = 0; s < steps; s++) {
      L->smooth.alpha[s] = jacobi_omega;
      L->smooth.beta[s] = 0.0;
    }
  } else {
    mg_poly_chebyshev(&L->smooth, cheb_fraction * lmax, lmax, steps);
  }
}

/* Chebyshev over the whole spectrum of the coarsest level, enough steps for a 1e-10 error
 * reduction: the bound 2 r^k with r = (sqrt(kappa) - 1) / (sqrt(kappa) + 1). */
static void bottom_solver(tsr_mg mg) {
  mg_level *L = &mg->level[mg->nlevels - 1];
  double lmin, lmax;
  spectrum(&L->coef, L->n, &lmin, &lmax);
  const double sk = sqrt(lmax / lmin), r = (sk - 1.0) / (sk + 1.0);
  int steps = r < 1e-12 ? 1 : (int)ceil(log(2e10) / -log(r));
  if (steps > MG_MAX_BOTTOM_STEPS) steps = MG_MAX_BOTTOM_STEPS;
  if (steps < 1) steps = 1;
  mg_poly_chebyshev(&mg->bottom, lmin, lmax, steps);
}

/* The coarse cells whose fine node 2I+1 lies in [lo, hi): [lo/2, hi/2). */
static tsr_box nested_box(const tsr_box *fine) {
  tsr_box c;
  for (int a = 0; a < 3; a++) {
    c.lo[a] = fine->lo[a] / 2;
    c.hi[a] = fine->hi[a] / 2;
  }
  return c;
}

/* Try to make level l (child of a distributed level l-1) a distributed one: its grid must
 * have tiles of at least 2 cells and nest in the fine grid. *ok false means gather. */
static tsr_err try_distributed(tsr_mg mg, int l, bool *ok) {
  mg_level *F = &mg->level[l - 1], *C = &mg->level[l];
  tsr_grid_info fi;
  TSR_CALL(tsr_grid_get_info(F->op->grid, &fi));
  *ok = false;
  for (int a = 0; a < 3; a++)
    if (C->n[a] <= mg->gather_size || C->n[a] < 2 * (tsr_gidx)fi.procs[a]) return TSR_SUCCESS;
  /* The same split rule on both grids: compute every rank's coarse box without a grid. */
  for (int r = 0; r < fi.size; r++) {
    tsr_box fb, want = {{0, 0, 0}, {0, 0, 0}};
    int coords[3];
    TSR_CALL(tsr_grid_rank_box(F->op->grid, r, &fb));
    TSR_CALL(tsr_grid_rank_coords(F->op->grid, r, coords));
    tsr_box nb = nested_box(&fb);
    for (int a = 0; a < 3; a++) { /* tiles of n/p or n/p + 1 cells, the larger first */
      const tsr_gidx q = C->n[a] / fi.procs[a], s = C->n[a] % fi.procs[a], c = coords[a];
      want.lo[a] = c * q + (c < s ? c : s);
      want.hi[a] = want.lo[a] + q + (c < s);
    }
    if (!tsr_box_equal(&nb, &want)) return TSR_SUCCESS;
  }
  TSR_CALL(tsr_poisson_grid_create(mg->ctx, C->n, fi.procs, &C->grid));
  *ok = true;
  return TSR_SUCCESS;
}

static tsr_err make_distributed(tsr_mg mg, int l, const double h[3]) {
  mg_level *L = &mg->level[l];
  L->distributed = true;
  TSR_CALL(tsr_poisson_create(L->grid, &L->op));
  TSR_CALL(tsr_poisson_set_spacing(L->op, h));
  TSR_CALL(tsr_poisson_set_shift(L->op, mg->op->shift));
  TSR_CALL(tsr_poisson_setup(L->op));
  tsr_field f[3];
  poisson_vec *rec;
  const char *names[3] = {"mg.x", "mg.t", "mg.b"};
  mg_buf *bufs[3] = {&L->P, &L->Q, &L->B};
  for (int i = 0; i < 3; i++) {
    TSR_CALL(tsr_poisson_create_vector(L->op, names[i], i < 2, &f[i]));
    TSR_CALL(poisson_vec_get(L->op, f[i], &rec));
    bufs[i]->view = rec->view;
    bufs[i]->halo = rec->halo;
  }
  L->coef = L->op->coef;
  L->owned = L->op->owned;
  return TSR_SUCCESS;
}

/* A level held whole on every rank: plain arrays with one ghost layer of zeros. */
static tsr_err make_gathered(tsr_mg mg, int l, const double h[3]) {
  mg_level *L = &mg->level[l];
  const ptrdiff_t sj = L->n[0] + 2, sk = sj * (L->n[1] + 2), size = sk * (L->n[2] + 2);
  TSR_CALL(TSR_CALLOC(3 * size, &L->mem));
  mg_buf *bufs[3] = {&L->P, &L->Q, &L->B};
  for (int i = 0; i < 3; i++) {
    tsr_view *v = &bufs[i]->view;
    v->data = L->mem + i * size + 1 + sj + sk;
    v->sj = sj;
    v->sk = sk;
    for (int a = 0; a < 3; a++) {
      v->n[a] = (int)L->n[a];
      v->ghost[a] = 1;
      v->box.lo[a] = 0;
      v->box.hi[a] = L->n[a];
    }
    bufs[i]->halo = NULL;
  }
  L->owned = bufs[0]->view.box;
  double diag = 0;
  for (int a = 0; a < 3; a++) {
    L->coef.off[a] = 1.0 / (h[a] * h[a]);
    diag += 2.0 * L->coef.off[a];
  }
  L->coef.diag = diag - mg->op->shift;
  L->coef.inv_diag = 1.0 / L->coef.diag;
  (void)mg;
  return TSR_SUCCESS;
}

/* Plan the gather into level l from the distributed level l-1. */
static tsr_err make_gather(tsr_mg mg, int l) {
  mg_level *F = &mg->level[l - 1], *C = &mg->level[l];
  tsr_grid_info fi;
  TSR_CALL(tsr_grid_get_info(F->op->grid, &fi));
  C->gather = true;
  C->nranks = fi.size;
  TSR_CALL(TSR_MALLOC(fi.size, &C->boxes));
  TSR_CALL(TSR_MALLOC(fi.size, &C->counts));
  TSR_CALL(TSR_MALLOC(fi.size, &C->displs));
  int64_t total = 0;
  for (int r = 0; r < fi.size; r++) {
    tsr_box fb;
    TSR_CALL(tsr_grid_rank_box(F->op->grid, r, &fb));
    C->boxes[r] = nested_box(&fb);
    TSR_CALL(tsr_cast_int(tsr_box_volume(&C->boxes[r]), "gathered cells", &C->counts[r]));
    TSR_CALL(tsr_cast_int(total, "gathered cells", &C->displs[r]));
    total += C->counts[r];
  }
  C->mine = C->boxes[fi.rank];
  TSR_CALL(TSR_MALLOC(C->counts[fi.rank] + 1, &C->sendbuf));
  TSR_CALL(TSR_MALLOC(total + 1, &C->recvbuf));
  return TSR_SUCCESS;
}

/* Level 0 uses the user's operator; its Q is a vector of that operator. */
static tsr_err make_top(tsr_mg mg) {
  mg_level *L = &mg->level[0];
  tsr_poisson op = mg->op;
  for (int a = 0; a < 3; a++)
    L->n[a] = op->info.n[a];
  L->distributed = true;
  L->op = op;
  L->coef = op->coef;
  L->owned = op->owned;
  TSR_CALL(tsr_poisson_create_vector(op, "mg.t0", true, &mg->t0));
  poisson_vec *rec;
  TSR_CALL(poisson_vec_get(op, mg->t0, &rec));
  L->Q.view = rec->view;
  L->Q.halo = rec->halo;
  return TSR_SUCCESS;
}

/* Can level l (n cells per axis, spacing from N = n + 1) be coarsened? */
static bool coarsens(const tsr_gidx n[3]) {
  for (int a = 0; a < 3; a++)
    if ((n[a] + 1) % 2 != 0 || n[a] + 1 < 4) return false;
  return true;
}

tsr_err tsr_mg_setup(tsr_mg mg) {
  if (mg->is_setup) return TSR_SUCCESS;
  TSR_CALL(make_top(mg));
  double h[3];
  memcpy(h, mg->op->h, sizeof h);
  const int max = mg->max_levels ? mg->max_levels : MG_MAX_LEVELS;
  mg->nlevels = 1;
  while (mg->nlevels < max && coarsens(mg->level[mg->nlevels - 1].n)) {
    const int l = mg->nlevels;
    mg_level *C = &mg->level[l];
    for (int a = 0; a < 3; a++) {
      C->n[a] = (mg->level[l - 1].n[a] + 1) / 2 - 1;
      h[a] *= 2.0;
    }
    bool ok = false;
    if (mg->level[l - 1].distributed) TSR_CALL(try_distributed(mg, l, &ok));
    mg->nlevels++; /* destroyed with the hierarchy from here on */
    if (ok) {
      TSR_CALL(make_distributed(mg, l, h));
    } else {
      TSR_CALL(make_gathered(mg, l, h));
      if (mg->level[l - 1].distributed) TSR_CALL(make_gather(mg, l));
    }
  }
  for (int l = 0; l < mg->nlevels; l++)
    level_smoother(mg, &mg->level[l]);
  bottom_solver(mg);
  mg->is_setup = true;
  return TSR_SUCCESS;
}

tsr_err tsr_mg_destroy(tsr_mg *mg) {
  if (!mg || !*mg) return TSR_SUCCESS;
  tsr_mg m = *mg;
  for (int l = 1; l < m->nlevels; l++) {
    mg_level *L = &m->level[l];
    TSR_CALL(tsr_poisson_destroy(&L->op));
    TSR_CALL(tsr_grid_destroy(&L->grid));
    TSR_CALL(tsr_free(&L->mem));
    TSR_CALL(tsr_free(&L->boxes));
    TSR_CALL(tsr_free(&L->counts));
    TSR_CALL(tsr_free(&L->displs));
    TSR_CALL(tsr_free(&L->sendbuf));
    TSR_CALL(tsr_free(&L->recvbuf));
  }
  TSR_CALL(tsr_poisson_destroy_vector(m->op, &m->t0));
  TSR_CALL(tsr_free(mg));
  return TSR_SUCCESS;
}

tsr_err tsr_mg_get_levels(tsr_mg mg, tsr_mg_level_info *levels, int max, int *nlevels) {
  if (!mg->is_setup) TSR_ERROR(TSR_ERR_STATE, "tsr_mg_get_levels: before setup");
  for (int l = 0; l < mg->nlevels && levels && l < max; l++) {
    levels[l].n = mg->level[l].n[0];
    levels[l].distributed = mg->level[l].distributed;
  }
  if (nlevels) *nlevels = mg->nlevels;
  return TSR_SUCCESS;
}

tsr_poisson tsr_mg_operator(tsr_mg mg) {
  return mg->op;
}
