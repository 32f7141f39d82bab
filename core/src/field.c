/* Ghosted distributed arrays: layout, first-touch storage, views, physical boundary fill and
 * the decomposition-independent fingerprint. The block layout is described in field_impl.h. */
#include "field_impl.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tessera/mem.h"

/* Doubles per 64-byte line: rows are padded to this so owned rows start aligned. */
#define LINE_DOUBLES (TSR_ALIGN / (int)sizeof(double))

static ptrdiff_t round_up_line(ptrdiff_t x) {
  return (x + LINE_DOUBLES - 1) / LINE_DOUBLES * LINE_DOUBLES;
}

static tsr_err copy_string(const char *s, char **out) {
  size_t len = strlen(s) + 1;
  TSR_CALL(tsr_malloc(len, out));
  memcpy(*out, s, len);
  return TSR_SUCCESS;
}

/* Strides, pads and the block size of this rank's tile; data pointers come at setup. */
static tsr_err compute_layout(tsr_field f) {
  const struct tsr_grid_s *g = f->grid;
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    f->gw[a] = a < g->dim ? f->ghost : 0;
    f->n[a] = (int)tsr_box_extent(&g->owned, a); /* fits: create checked tile_max */
  }
  f->lead = round_up_line(f->gw[0]);
  f->sj = round_up_line(f->lead + f->n[0] + f->gw[0]);
  size_t rows = (size_t)f->n[1] + 2 * (size_t)f->gw[1];
  size_t planes = (size_t)f->n[2] + 2 * (size_t)f->gw[2];
  size_t sk, len;
  if (__builtin_mul_overflow((size_t)f->sj, rows, &sk) || sk > PTRDIFF_MAX ||
      __builtin_mul_overflow(sk, planes, &len) || len > PTRDIFF_MAX / sizeof(double))
    TSR_ERROR_LOCAL(TSR_ERR_SIZE, "field '%s': a tile of %d x %d x %d cells is too large to store",
                    f->name, f->n[0], f->n[1], f->n[2]);
  f->sk = (ptrdiff_t)sk;
  f->block_len = len;
  f->origin = f->lead + f->gw[1] * f->sj + f->gw[2] * f->sk;
  for (int c = 0; c < f->ncomp; c++) {
    tsr_view *v = &f->comp[c].view;
    v->data = NULL;
    v->sj = f->sj;
    v->sk = f->sk;
    v->box = g->owned;
    for (int a = 0; a < TSR_MAX_DIM; a++) {
      v->n[a] = f->n[a];
      v->ghost[a] = f->gw[a];
    }
  }
  return TSR_SUCCESS;
}

static tsr_err check_create_args(tsr_grid grid, const char *name, int ncomp, int ghost) {
  TSR_CHECK(grid, TSR_ERR_ARG, "tsr_field_create: the grid is NULL");
  TSR_CHECK(grid->is_setup, TSR_ERR_STATE,
            "tsr_field_create: the grid is not set up (call tsr_grid_setup first)");
  TSR_CHECK(name && name[0], TSR_ERR_ARG, "tsr_field_create: the field name is empty");
  TSR_CHECK(ncomp >= 1, TSR_ERR_ARG, "field '%s': %d components is invalid: expected 1 or more",
            name, ncomp);
  TSR_CHECK(ghost >= 0 && ghost <= grid->ghost_width, TSR_ERR_ARG,
            "field '%s': ghost width %d is invalid: expected 0 to the grid's ghost width %d", name,
            ghost, grid->ghost_width);
  for (int a = 0; a < grid->dim; a++)
    TSR_CHECK(grid->tile_max[a] <= INT_MAX - 2 * LINE_DOUBLES - 2 * ghost, TSR_ERR_SIZE,
              "field '%s': tiles of %lld cells on axis %d exceed the local index range (int)", name,
              (long long)grid->tile_max[a], a);
  return TSR_SUCCESS;
}

/* Names and layout of a zeroed field body; on error the caller destroys the partial body. */
static tsr_err init_field(tsr_field f, tsr_grid grid, const char *name, int ncomp, int ghost) {
  f->grid = grid;
  f->ncomp = ncomp;
  f->ghost = ghost;
  TSR_CALL(copy_string(name, &f->name));
  TSR_CALL(TSR_CALLOC(ncomp, &f->comp));
  for (int c = 0; c < ncomp; c++) {
    char label[16];
    snprintf(label, sizeof label, "%d", c);
    TSR_CALL(copy_string(label, &f->comp[c].name));
  }
  TSR_CALL(compute_layout(f));
  return TSR_SUCCESS;
}

tsr_err tsr_field_create(tsr_grid grid, const char *name, int ncomp, int ghost, tsr_field *out) {
  *out = NULL;
  TSR_CALL(check_create_args(grid, name, ncomp, ghost));
  struct tsr_field_s *f;
  TSR_CALL(TSR_CALLOC(1, &f));
  tsr_err e = init_field(f, grid, name, ncomp, ghost);
  if (e != TSR_SUCCESS) {
    tsr_field_destroy(&f);
    return tsr_error_frame(e, __FILE__, __LINE__, __func__);
  }
  *out = f;
  return TSR_SUCCESS;
}

tsr_err tsr_field_destroy(tsr_field *field) {
  if (!field || !*field) return TSR_SUCCESS;
  tsr_field f = *field;
  for (int c = 0; f->comp && c < f->ncomp; c++) {
    TSR_CALL(tsr_free(&f->comp[c].name));
    TSR_CALL(tsr_free(&f->comp[c].block));
  }
  TSR_CALL(tsr_free(&f->comp));
  TSR_CALL(tsr_free(&f->name));
  TSR_CALL(tsr_free(field));
  return TSR_SUCCESS;
}

static tsr_err check_comp(tsr_field f, int comp, const char *what) {
  TSR_CHECK(f, TSR_ERR_ARG, "%s: the field is NULL", what);
  TSR_CHECK(comp >= 0 && comp < f->ncomp, TSR_ERR_ARG,
            "%s: field '%s' has no component %d: expected 0 to %d", what, f->name, comp,
            f->ncomp - 1);
  return TSR_SUCCESS;
}

tsr_err tsr_field_set_component_name(tsr_field field, int comp, const char *name) {
  TSR_CALL(check_comp(field, comp, "tsr_field_set_component_name"));
  TSR_CHECK(name && name[0], TSR_ERR_ARG, "field '%s': component %d: the name is empty",
            field->name, comp);
  char *copy;
  TSR_CALL(copy_string(name, &copy));
  TSR_CALL(tsr_free(&field->comp[comp].name));
  field->comp[comp].name = copy;
  return TSR_SUCCESS;
}

tsr_err tsr_field_set_boundary(tsr_field field, int face, tsr_bc_kind kind, double value,
                               tsr_bc_fn fn, void *user) {
  TSR_CHECK(field, TSR_ERR_ARG, "tsr_field_set_boundary: the field is NULL");
  TSR_CHECK(face >= 0 && face < TSR_NUM_FACES, TSR_ERR_ARG,
            "field '%s': face %d is invalid: expected 0 to 5 (2 * axis + side)", field->name, face);
  TSR_CHECK(kind >= TSR_BC_NONE && kind <= TSR_BC_CALLBACK, TSR_ERR_ARG,
            "field '%s': boundary kind %d is invalid", field->name, (int)kind);
  TSR_CHECK(kind != TSR_BC_CALLBACK || fn, TSR_ERR_ARG,
            "field '%s': face %d: a callback boundary needs a function", field->name, face);
  field->bc[face] = (tsr_field_bc){.kind = kind, .value = value, .fn = fn, .user = user};
  return TSR_SUCCESS;
}

/* ---- storage ------------------------------------------------------------------------------ */

/* Axis the threads split: the outermost axis with more than one owned cell (k in 3-D, j in
 * 2-D, i in 1-D, unless the tile is flat), which is the axis kernels parallelise with
 * schedule(static), so pages land near the threads that use them. */
static int outer_axis(const tsr_field f) {
  for (int a = TSR_MAX_DIM - 1; a > 0; a--)
    if (f->n[a] > 1) return a;
  return 0;
}

/* Zero a block so that each page is first written by the thread that a kernel's
 * `parallel for schedule(static)` over the owned range of the outer axis gives it. Slice t
 * is the memory of owned index t on the outer axis; the first and last slices also take the
 * ghosts and pads before and after them. */
static void first_touch(const tsr_field f, double *block) {
  int a = outer_axis(f);
  const ptrdiff_t strides[TSR_MAX_DIM] = {1, f->sj, f->sk};
  ptrdiff_t stride = strides[a];
  /* Where slice 0 starts: owned index 0 on axes >= a, the start of the padded row below. */
  ptrdiff_t start = a == 0 ? f->lead : 0;
  for (int b = a > 0 ? a : 1; b < TSR_MAX_DIM; b++)
    start += (ptrdiff_t)f->gw[b] * strides[b];
  ptrdiff_t len = (ptrdiff_t)f->block_len;
  int n = f->n[a];
  TSR_OMP(parallel for schedule(static))
  for (int t = 0; t < n; t++) {
    ptrdiff_t lo = t == 0 ? 0 : start + t * stride;
    ptrdiff_t hi = t == n - 1 ? len : start + (t + 1) * stride;
    memset(block + lo, 0, (size_t)(hi - lo) * sizeof(double));
  }
}

tsr_err tsr_field_setup(tsr_field field) {
  TSR_CHECK(field, TSR_ERR_ARG, "tsr_field_setup: the field is NULL");
  if (field->is_setup) return TSR_SUCCESS;
  for (int c = 0; c < field->ncomp; c++) {
    tsr_field_comp *comp = &field->comp[c];
    TSR_CALL(TSR_MALLOC(field->block_len, &comp->block));
    first_touch(field, comp->block);
    comp->view.data = comp->block + field->origin;
  }
  field->is_setup = true;
  return TSR_SUCCESS;
}

static tsr_err check_setup(tsr_field f, const char *what) {
  TSR_CHECK(f, TSR_ERR_ARG, "%s: the field is NULL", what);
  TSR_CHECK(f->is_setup, TSR_ERR_STATE, "%s: field '%s' is not set up (call tsr_field_setup)", what,
            f->name);
  return TSR_SUCCESS;
}

tsr_err tsr_field_get_view(tsr_field field, int comp, tsr_view *view) {
  TSR_CALL(check_comp(field, comp, "tsr_field_get_view"));
  TSR_CALL(check_setup(field, "tsr_field_get_view"));
  *view = field->comp[comp].view;
  return TSR_SUCCESS;
}

const char *tsr_field_name(tsr_field field) {
  return field ? field->name : NULL;
}

const char *tsr_field_component_name(tsr_field field, int comp) {
  return field && comp >= 0 && comp < field->ncomp ? field->comp[comp].name : NULL;
}

int tsr_field_num_components(tsr_field field) {
  return field ? field->ncomp : 0;
}

int tsr_field_ghost_width(tsr_field field) {
  return field ? field->ghost : 0;
}

tsr_grid tsr_field_grid(tsr_field field) {
  return field ? field->grid : NULL;
}

/* ---- whole-field operations --------------------------------------------------------------- */

/* Owned cells of outer-axis slice t: [lo, hi) in local indices. */
static void slice_range(const tsr_field f, int t, int lo[TSR_MAX_DIM], int hi[TSR_MAX_DIM]) {
  for (int b = 0; b < TSR_MAX_DIM; b++) {
    lo[b] = 0;
    hi[b] = f->n[b];
  }
  lo[outer_axis(f)] = t;
  hi[outer_axis(f)] = t + 1;
}

tsr_err tsr_field_fill(tsr_field field, tsr_field_init_fn fn, void *user) {
  TSR_CALL(check_setup(field, "tsr_field_fill"));
  TSR_CHECK(fn, TSR_ERR_ARG, "tsr_field_fill: field '%s': the function is NULL", field->name);
  const tsr_gidx *o = field->grid->owned.lo;
  int nouter = field->n[outer_axis(field)];
  for (int c = 0; c < field->ncomp; c++) {
    tsr_view v = field->comp[c].view;
    TSR_OMP(parallel for schedule(static))
    for (int t = 0; t < nouter; t++) {
      int lo[TSR_MAX_DIM], hi[TSR_MAX_DIM];
      slice_range(field, t, lo, hi);
      for (int k = lo[2]; k < hi[2]; k++)
        for (int j = lo[1]; j < hi[1]; j++)
          for (int i = lo[0]; i < hi[0]; i++) {
            tsr_gidx idx[TSR_MAX_DIM] = {o[0] + i, o[1] + j, o[2] + k};
            TSR_VIEW_AT(v, i, j, k) = fn(idx, c, user);
          }
    }
  }
  return TSR_SUCCESS;
}

tsr_err tsr_field_copy(tsr_field src, tsr_field dst) {
  TSR_CALL(check_setup(src, "tsr_field_copy"));
  TSR_CALL(check_setup(dst, "tsr_field_copy"));
  TSR_CHECK(src->grid == dst->grid && src->ncomp == dst->ncomp, TSR_ERR_ARG,
            "tsr_field_copy: fields '%s' (%d components) and '%s' (%d components) must share "
            "the grid and the number of components",
            src->name, src->ncomp, dst->name, dst->ncomp);
  if (src == dst) return TSR_SUCCESS;
  int nouter = src->n[outer_axis(src)];
  size_t row_bytes = (size_t)src->n[0] * sizeof(double);
  for (int c = 0; c < src->ncomp; c++) {
    tsr_view s = src->comp[c].view, d = dst->comp[c].view;
    if (outer_axis(src) == 0) { /* 1-D: one row */
      memcpy(d.data, s.data, row_bytes);
      continue;
    }
    TSR_OMP(parallel for schedule(static))
    for (int t = 0; t < nouter; t++) {
      int lo[TSR_MAX_DIM], hi[TSR_MAX_DIM];
      slice_range(src, t, lo, hi);
      for (int k = lo[2]; k < hi[2]; k++)
        for (int j = lo[1]; j < hi[1]; j++)
          memcpy(&TSR_VIEW_AT(d, 0, j, k), &TSR_VIEW_AT(s, 0, j, k), row_bytes);
    }
  }
  return TSR_SUCCESS;
}

/* ---- physical boundary fill --------------------------------------------------------------- */

/* True when this rank's tile touches the physical (non-periodic) face 2 a + side. */
static bool on_physical_face(const tsr_field f, int a, int side) {
  const struct tsr_grid_s *g = f->grid;
  if (a >= g->dim || g->periodic[a]) return false;
  return side == 0 ? g->coords[a] == 0 : g->coords[a] == g->procs[a] - 1;
}

/* Fill ghost layers of face (a, side) of component c. The other axes span the owned range,
 * widened by the ghosts on axes below a (already filled by the earlier axes), so edges and
 * corners come out as the boundary condition applied axis by axis. */
static void fill_face(const tsr_field f, int c, int a, int side) {
  const tsr_field_bc *bc = &f->bc[2 * a + side];
  tsr_view v = f->comp[c].view;
  const ptrdiff_t stride[TSR_MAX_DIM] = {1, f->sj, f->sk};
  const tsr_gidx *o = f->grid->owned.lo;
  int lo[TSR_MAX_DIM], hi[TSR_MAX_DIM];
  /* Span the ghosts of every other axis too: an edge ghost outside the grid on axis a and
   * between tiles on another axis mirrors a halo ghost, which the exchange has filled. Where
   * two physical faces meet, the later axis overwrites the earlier one's value. */
  for (int b = 0; b < TSR_MAX_DIM; b++) {
    int w = b != a ? f->gw[b] : 0;
    lo[b] = -w;
    hi[b] = f->n[b] + w;
  }
  for (int m = 0; m < f->gw[a]; m++) {
    int ghost = side ? f->n[a] + m : -1 - m;
    int mirror = side ? f->n[a] - 1 - m : m;
    ptrdiff_t to_mirror = (ptrdiff_t)(mirror - ghost) * stride[a];
    lo[a] = ghost;
    hi[a] = ghost + 1;
    for (int k = lo[2]; k < hi[2]; k++)
      for (int j = lo[1]; j < hi[1]; j++)
        for (int i = lo[0]; i < hi[0]; i++) {
          double *cell = &TSR_VIEW_AT(v, i, j, k);
          double owned = cell[to_mirror];
          switch (bc->kind) {
          case TSR_BC_DIRICHLET:
            *cell = 2.0 * bc->value - owned;
            break;
          case TSR_BC_NEUMANN0:
            *cell = owned;
            break;
          case TSR_BC_CALLBACK: {
            tsr_gidx idx[TSR_MAX_DIM] = {o[0] + i, o[1] + j, o[2] + k};
            *cell = bc->fn(idx, c, owned, bc->user);
            break;
          }
          case TSR_BC_NONE:
            return;
          }
        }
  }
}

tsr_err tsr_field_fill_boundary(tsr_field field) {
  TSR_CALL(check_setup(field, "tsr_field_fill_boundary"));
  for (int a = 0; a < field->grid->dim; a++)
    for (int side = 0; side < 2; side++) {
      if (!on_physical_face(field, a, side) || field->bc[2 * a + side].kind == TSR_BC_NONE)
        continue;
      for (int c = 0; c < field->ncomp; c++)
        fill_face(field, c, a, side);
    }
  return TSR_SUCCESS;
}

/* ---- fingerprint -------------------------------------------------------------------------- */

/* The splitmix64 finaliser: a bijection of 64-bit words with strong avalanche. */
static inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t tsr_fingerprint_cell(tsr_gidx linear, int comp, double value) {
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  uint64_t where = mix64((uint64_t)linear * 0x9E3779B97F4A7C15ULL + (uint64_t)comp + 1);
  /* For a fixed cell this is a bijection of the value bits, so changing any one value always
   * changes the sum; the nonlinear mix makes swapping two values change it too. */
  return mix64(mix64(bits) ^ where);
}

/* Sum of the cell mixes over this rank's owned cells of component c. */
static uint64_t local_fingerprint(const tsr_field f, int c) {
  tsr_view v = f->comp[c].view;
  const tsr_gidx *o = f->grid->owned.lo;
  const tsr_gidx *n = f->grid->n;
  int nouter = f->n[outer_axis(f)];
  uint64_t sum = 0;
  TSR_OMP(parallel for schedule(static) reduction(+ : sum))
  for (int t = 0; t < nouter; t++) {
    int lo[TSR_MAX_DIM], hi[TSR_MAX_DIM];
    slice_range(f, t, lo, hi);
    for (int k = lo[2]; k < hi[2]; k++)
      for (int j = lo[1]; j < hi[1]; j++) {
        tsr_gidx row = (o[0]) + n[0] * ((o[1] + j) + n[1] * (o[2] + k));
        for (int i = lo[0]; i < hi[0]; i++)
          sum += tsr_fingerprint_cell(row + i, c, TSR_VIEW_AT(v, i, j, k));
      }
  }
  return sum;
}

tsr_err tsr_field_fingerprint(tsr_field field, uint64_t *fingerprint) {
  TSR_CALL(check_setup(field, "tsr_field_fingerprint"));
  uint64_t local = 0; /* unsigned: the sum wraps modulo 2^64, in any order */
  for (int c = 0; c < field->ncomp; c++)
    local += local_fingerprint(field, c);
  TSR_CALL_MPI(MPI_Allreduce(&local, fingerprint, 1, MPI_UINT64_T, MPI_SUM, field->grid->comm));
  return TSR_SUCCESS;
}
