/* Cartesian decomposition: the process grid, each rank's tile, neighbours and ownership.
 *
 * Everything a rank knows about the decomposition is computed locally from the settings,
 * which every rank holds alike; so every error here is collective without communicating. */
#include "grid_impl.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tessera/mem.h"

tsr_err tsr_grid_create(tsr_ctx ctx, int dim, const tsr_gidx n[], tsr_grid *out) {
  *out = NULL;
  TSR_CHECK(ctx, TSR_ERR_ARG, "tsr_grid_create: the context is NULL");
  TSR_CHECK(dim >= 1 && dim <= TSR_MAX_DIM, TSR_ERR_ARG,
            "grid dimension %d is out of range: expected 1, 2 or 3", dim);
  for (int a = 0; a < dim; a++)
    TSR_CHECK(n[a] >= 1, TSR_ERR_ARG,
              "grid size %lld on axis %d is invalid: expected at least 1 cell", (long long)n[a], a);
  struct tsr_grid_s *g;
  TSR_CALL(TSR_CALLOC(1, &g));
  g->ctx = ctx;
  g->comm = tsr_ctx_comm(ctx);
  g->rank = tsr_ctx_rank(ctx);
  g->size = tsr_ctx_size(ctx);
  g->dim = dim;
  for (int a = 0; a < TSR_MAX_DIM; a++)
    g->n[a] = a < dim ? n[a] : 1;
  g->ghost_width = 1;
  *out = g;
  return TSR_SUCCESS;
}

tsr_err tsr_grid_destroy(tsr_grid *grid) {
  if (!grid || !*grid) return TSR_SUCCESS;
  TSR_CALL(tsr_free(grid));
  return TSR_SUCCESS;
}

/* Settings may change only before setup: the decomposition is fixed once fields exist. */
static tsr_err check_not_setup(tsr_grid grid, const char *what) {
  TSR_CHECK(grid, TSR_ERR_ARG, "%s: the grid is NULL", what);
  TSR_CHECK(!grid->is_setup, TSR_ERR_STATE, "%s: the grid is already set up", what);
  return TSR_SUCCESS;
}

tsr_err tsr_grid_set_periodic(tsr_grid grid, const bool periodic[]) {
  TSR_CALL(check_not_setup(grid, "tsr_grid_set_periodic"));
  for (int a = 0; a < TSR_MAX_DIM; a++)
    grid->periodic[a] = a < grid->dim && periodic[a];
  return TSR_SUCCESS;
}

tsr_err tsr_grid_set_procs(tsr_grid grid, const int procs[]) {
  TSR_CALL(check_not_setup(grid, "tsr_grid_set_procs"));
  for (int a = 0; a < TSR_MAX_DIM; a++)
    TSR_CHECK(procs[a] >= 0, TSR_ERR_ARG,
              "process grid entry %d on axis %d is invalid: expected 0 (choose) or more", procs[a],
              a);
  memcpy(grid->procs_req, procs, sizeof grid->procs_req);
  return TSR_SUCCESS;
}

tsr_err tsr_grid_set_ghost_width(tsr_grid grid, int width) {
  TSR_CALL(check_not_setup(grid, "tsr_grid_set_ghost_width"));
  TSR_CHECK(width >= 0, TSR_ERR_ARG, "ghost width %d is invalid: expected 0 or more", width);
  grid->ghost_width = width;
  return TSR_SUCCESS;
}

/* ---- options ---------------------------------------------------------------------------- */

/* Parse `--periodic`: a boolean for every axis, or a list like 1,0,1 (or 1x0x1). */
static tsr_err parse_periodic(const char *text, bool periodic[TSR_MAX_DIM]) {
  static const char *yes[] = {"1", "true", "yes", "on"};
  static const char *no[] = {"0", "false", "no", "off"};
  for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
    if (strcmp(text, yes[i]) == 0) {
      for (int a = 0; a < TSR_MAX_DIM; a++)
        periodic[a] = true;
      return TSR_SUCCESS;
    }
  for (size_t i = 0; i < sizeof no / sizeof *no; i++)
    if (strcmp(text, no[i]) == 0) {
      for (int a = 0; a < TSR_MAX_DIM; a++)
        periodic[a] = false;
      return TSR_SUCCESS;
    }
  int count = 0;
  for (const char *s = text;; s++) {
    TSR_CHECK((*s == '0' || *s == '1') && count < TSR_MAX_DIM, TSR_ERR_OPTION,
              "--periodic %s is invalid: expected true/false or a list of up to 3 flags 0/1 "
              "such as 1,0,1",
              text);
    periodic[count++] = *s == '1';
    s++;
    if (*s == '\0') break;
    TSR_CHECK(*s == ',' || *s == 'x', TSR_ERR_OPTION,
              "--periodic %s is invalid: expected flags 0/1 separated by ',' or 'x'", text);
  }
  for (int a = count; a < TSR_MAX_DIM; a++)
    periodic[a] = false;
  return TSR_SUCCESS;
}

/* Read --dim and --grid; a single --grid size with a larger --dim means a cube. */
static tsr_err read_size_options(tsr_grid grid, tsr_options opts) {
  int64_t dim = grid->dim;
  bool dim_given = tsr_options_has(opts, "dim");
  TSR_CALL(tsr_options_get_int(opts, "dim", "number of spatial dimensions", grid->dim, 1,
                               TSR_MAX_DIM, &dim));
  int64_t n[TSR_MAX_DIM];
  int count = 0;
  bool grid_given = tsr_options_has(opts, "grid");
  TSR_CALL(tsr_options_get_ints(opts, "grid", "global grid size in cells, e.g. 256x128x64", grid->n,
                                grid->dim, TSR_MAX_DIM, 1, INT64_MAX, n, &count));
  if (!grid_given) {
    grid->dim = (int)dim;
    return TSR_SUCCESS;
  }
  if (!dim_given) dim = count;
  TSR_CHECK(count == dim || count == 1, TSR_ERR_OPTION,
            "--grid gives %d sizes but --dim is %lld: give 1 size (a cube) or %lld", count,
            (long long)dim, (long long)dim);
  grid->dim = (int)dim;
  for (int a = 0; a < TSR_MAX_DIM; a++)
    grid->n[a] = a < dim ? n[count == 1 ? 0 : a] : 1;
  return TSR_SUCCESS;
}

tsr_err tsr_grid_set_from_options(tsr_grid grid) {
  TSR_CALL(check_not_setup(grid, "tsr_grid_set_from_options"));
  tsr_options opts = tsr_ctx_options(grid->ctx);
  TSR_CALL(read_size_options(grid, opts));

  int64_t procs[TSR_MAX_DIM] = {0, 0, 0};
  int64_t def[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++)
    def[a] = grid->procs_req[a];
  int count = 0;
  bool procs_given = tsr_options_has(opts, "procs");
  TSR_CALL(tsr_options_get_ints(opts, "procs",
                                "process grid, e.g. 4x2x1 (0 on an axis: choose; default: choose "
                                "the one with the least tile surface)",
                                def, TSR_MAX_DIM, TSR_MAX_DIM, 0, INT_MAX, procs, &count));
  if (procs_given)
    for (int a = 0; a < TSR_MAX_DIM; a++)
      grid->procs_req[a] = a < count ? (int)procs[a] : 0;

  const char *periodic = NULL;
  TSR_CALL(tsr_options_get_string(opts, "periodic",
                                  "periodic axes: true/false for all, or a list such as 1,0,1",
                                  NULL, &periodic));
  if (periodic) TSR_CALL(parse_periodic(periodic, grid->periodic));
  return TSR_SUCCESS;
}

/* ---- choosing the process grid ------------------------------------------------------------ */

/* How well a process grid fits: 2 every tile at least as wide as the ghost width (and one
 * cell), 1 every tile has a cell, 0 some tile is empty. */
static int fit_level(const tsr_grid grid, const int p[TSR_MAX_DIM]) {
  int level = 2;
  for (int a = 0; a < grid->dim; a++) {
    tsr_gidx thinnest = grid->n[a] / p[a];
    if (thinnest < 1) return 0;
    if (thinnest < grid->ghost_width) level = 1;
  }
  return level;
}

/* Total tile surface divided by the cell count: sum over axes of p[a] / n[a]. (The tiles
 * along axis a together have 2 p[a] faces of the full cross-section N / n[a].) */
static long double surface(const tsr_grid grid, const int p[TSR_MAX_DIM]) {
  long double s = 0;
  for (int a = 0; a < grid->dim; a++)
    s += (long double)p[a] / (long double)grid->n[a];
  return s;
}

/* True when candidate @p p beats @p best: better fit, then less surface, then (for a
 * deterministic tie-break) more tiles on the outer axes, which keeps rows long. */
static bool better_procs(const tsr_grid grid, const int p[TSR_MAX_DIM],
                         const int best[TSR_MAX_DIM]) {
  int fp = fit_level(grid, p), fb = fit_level(grid, best);
  if (fp != fb) return fp > fb;
  long double sp = surface(grid, p), sb = surface(grid, best);
  if (sp != sb) return sp < sb;
  for (int a = TSR_MAX_DIM - 1; a >= 0; a--)
    if (p[a] != best[a]) return p[a] > best[a];
  return false;
}

/* Try every factorisation of the ranks that respects the fixed entries of procs_req and
 * splits only axes below dim; keep the best. The caller has checked that the fixed entries
 * divide the rank count. */
static tsr_err choose_procs(tsr_grid grid, int best[TSR_MAX_DIM]) {
  int fixed[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++)
    fixed[a] = a >= grid->dim ? 1 : grid->procs_req[a];
  best[0] = 0;
  for (int p0 = 1; p0 <= grid->size; p0++) {
    if (grid->size % p0 || (fixed[0] && p0 != fixed[0])) continue;
    int rest = grid->size / p0;
    for (int p1 = 1; p1 <= rest; p1++) {
      if (rest % p1 || (fixed[1] && p1 != fixed[1])) continue;
      int p[TSR_MAX_DIM] = {p0, p1, rest / p1};
      if (fixed[2] && p[2] != fixed[2]) continue;
      if (best[0] == 0 || better_procs(grid, p, best)) memcpy(best, p, sizeof p);
    }
  }
  TSR_CHECK(best[0] > 0, TSR_ERR_INTERNAL, "no process grid found for %d ranks", grid->size);
  return TSR_SUCCESS;
}

/* Check the requested process grid against dim and the rank count, then fill procs. */
static tsr_err resolve_procs(tsr_grid grid) {
  const int *r = grid->procs_req;
  int64_t fixed_product = 1;
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    TSR_CHECK(a < grid->dim || r[a] <= 1, TSR_ERR_ARG,
              "process grid %dx%dx%d splits axis %d of a %d-D grid: expected 1 there", r[0], r[1],
              r[2], a, grid->dim);
    if (r[a] > 0) fixed_product *= r[a];
    if (fixed_product > INT_MAX) fixed_product = (int64_t)INT_MAX + 1; /* > any rank count */
  }
  bool complete = true;
  for (int a = 0; a < grid->dim; a++)
    complete = complete && r[a] > 0;
  if (complete) {
    TSR_CHECK(fixed_product == grid->size, TSR_ERR_DECOMP,
              "process grid %dx%dx%d has %lld tiles but the run has %d ranks: the product "
              "must equal the number of ranks",
              r[0] ? r[0] : 1, r[1] ? r[1] : 1, r[2] ? r[2] : 1, (long long)fixed_product,
              grid->size);
  } else {
    TSR_CHECK(grid->size % fixed_product == 0, TSR_ERR_DECOMP,
              "process grid %dx%dx%d (0 = choose) fixes %lld tiles, which does not divide the "
              "%d ranks",
              r[0], r[1], r[2], (long long)fixed_product, grid->size);
  }
  TSR_CALL(choose_procs(grid, grid->procs));
  return TSR_SUCCESS;
}

/* Refuse empty tiles and tiles thinner than the ghost width, naming the numbers. */
static tsr_err check_tiles(const tsr_grid grid) {
  const int *p = grid->procs;
  for (int a = 0; a < grid->dim; a++) {
    TSR_CHECK(grid->n[a] >= p[a], TSR_ERR_DECOMP,
              "process grid %dx%dx%d puts %d tiles on the %lld cells of axis %d: some tiles would "
              "have no cells",
              p[0], p[1], p[2], p[a], (long long)grid->n[a], a);
    tsr_gidx thinnest = grid->n[a] / p[a];
    TSR_CHECK(thinnest >= grid->ghost_width, TSR_ERR_DECOMP,
              "process grid %dx%dx%d gives tiles of %lld cells on axis %d (%lld cells over %d "
              "tiles), thinner than the ghost width %d",
              p[0], p[1], p[2], (long long)thinnest, a, (long long)grid->n[a], p[a],
              grid->ghost_width);
  }
  return TSR_SUCCESS;
}

/* Process coordinates of @p rank: rank = c0 + p0 * (c1 + p1 * c2). */
static void rank_to_coords(const tsr_grid grid, int rank, int c[TSR_MAX_DIM]) {
  c[0] = rank % grid->procs[0];
  c[1] = rank / grid->procs[0] % grid->procs[1];
  c[2] = rank / (grid->procs[0] * grid->procs[1]);
}

static tsr_box coords_box(const tsr_grid grid, const int c[TSR_MAX_DIM]) {
  tsr_box b;
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    b.lo[a] = tsr_grid_tile_start(grid->n[a], grid->procs[a], c[a]);
    b.hi[a] = tsr_grid_tile_start(grid->n[a], grid->procs[a], c[a] + 1);
  }
  return b;
}

/* Neighbour in direction @p dir: step the coordinates, wrap on periodic axes. */
static int neighbor_of(const tsr_grid grid, int dir) {
  int c[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    c[a] = grid->coords[a] + tsr_dir_offset(dir, a);
    if (c[a] >= 0 && c[a] < grid->procs[a]) continue;
    if (!grid->periodic[a]) return -1;
    c[a] = (c[a] + grid->procs[a]) % grid->procs[a];
  }
  return tsr_grid_coords_rank(grid, c);
}

tsr_err tsr_grid_setup(tsr_grid grid) {
  TSR_CHECK(grid, TSR_ERR_ARG, "tsr_grid_setup: the grid is NULL");
  if (grid->is_setup) return TSR_SUCCESS;
  TSR_CHECK(grid->dim >= 1 && grid->dim <= TSR_MAX_DIM, TSR_ERR_ARG,
            "grid dimension %d is out of range: expected 1, 2 or 3", grid->dim);
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    if (a >= grid->dim) {
      grid->n[a] = 1;
      grid->periodic[a] = false;
    }
    TSR_CHECK(grid->n[a] >= 1, TSR_ERR_ARG,
              "grid size %lld on axis %d is invalid: expected at least 1 cell",
              (long long)grid->n[a], a);
  }
  TSR_CALL(resolve_procs(grid));
  TSR_CALL(check_tiles(grid));
  rank_to_coords(grid, grid->rank, grid->coords);
  grid->owned = coords_box(grid, grid->coords);
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    grid->tile_min[a] = grid->n[a] / grid->procs[a];
    grid->tile_max[a] = grid->tile_min[a] + (grid->n[a] % grid->procs[a] != 0);
  }
  for (int dir = 0; dir < TSR_NUM_DIRS; dir++)
    grid->neighbors[dir] = neighbor_of(grid, dir);
  grid->is_setup = true;
  return TSR_SUCCESS;
}

/* ---- queries ------------------------------------------------------------------------------ */

static tsr_err check_setup(tsr_grid grid, const char *what) {
  TSR_CHECK(grid, TSR_ERR_ARG, "%s: the grid is NULL", what);
  TSR_CHECK(grid->is_setup, TSR_ERR_STATE, "%s: the grid is not set up (call tsr_grid_setup)",
            what);
  return TSR_SUCCESS;
}

tsr_err tsr_grid_get_info(tsr_grid grid, tsr_grid_info *info) {
  TSR_CALL(check_setup(grid, "tsr_grid_get_info"));
  info->dim = grid->dim;
  info->rank = grid->rank;
  info->size = grid->size;
  info->ghost_width = grid->ghost_width;
  info->owned = grid->owned;
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    info->n[a] = grid->n[a];
    info->periodic[a] = grid->periodic[a];
    info->procs[a] = grid->procs[a];
    info->coords[a] = grid->coords[a];
    info->tile_min[a] = grid->tile_min[a];
    info->tile_max[a] = grid->tile_max[a];
  }
  return TSR_SUCCESS;
}

tsr_ctx tsr_grid_ctx(tsr_grid grid) {
  return grid ? grid->ctx : NULL;
}

/* Queries may differ between ranks, so a bad argument to one is a rank-local error. */
static tsr_err check_rank(tsr_grid grid, int rank, const char *what) {
  TSR_CALL(check_setup(grid, what));
  if (rank < 0 || rank >= grid->size)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: rank %d is out of range: expected 0 to %d", what, rank,
                    grid->size - 1);
  return TSR_SUCCESS;
}

tsr_err tsr_grid_rank_box(tsr_grid grid, int rank, tsr_box *box) {
  TSR_CALL(check_rank(grid, rank, "tsr_grid_rank_box"));
  int c[TSR_MAX_DIM];
  rank_to_coords(grid, rank, c);
  *box = coords_box(grid, c);
  return TSR_SUCCESS;
}

tsr_err tsr_grid_rank_coords(tsr_grid grid, int rank, int coords[TSR_MAX_DIM]) {
  TSR_CALL(check_rank(grid, rank, "tsr_grid_rank_coords"));
  rank_to_coords(grid, rank, coords);
  return TSR_SUCCESS;
}

tsr_err tsr_grid_neighbor(tsr_grid grid, int dir, int *rank) {
  TSR_CALL(check_setup(grid, "tsr_grid_neighbor"));
  if (dir < 0 || dir >= TSR_NUM_DIRS)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "direction %d is out of range: expected 0 to %d", dir,
                    TSR_NUM_DIRS - 1);
  *rank = grid->neighbors[dir];
  return TSR_SUCCESS;
}

tsr_err tsr_grid_owner(tsr_grid grid, const tsr_gidx idx[TSR_MAX_DIM], int *rank) {
  TSR_CALL(check_setup(grid, "tsr_grid_owner"));
  int c[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    if (idx[a] < 0 || idx[a] >= grid->n[a])
      TSR_ERROR_LOCAL(TSR_ERR_ARG,
                      "cell index %lld on axis %d lies outside the grid: expected 0 to %lld",
                      (long long)idx[a], a, (long long)grid->n[a] - 1);
    c[a] = tsr_grid_tile_of(grid->n[a], grid->procs[a], idx[a]);
  }
  *rank = tsr_grid_coords_rank(grid, c);
  return TSR_SUCCESS;
}
