/**
 * @file field.h
 * @brief Ghosted distributed arrays of doubles on a grid, views for kernels, physical
 *        boundary fill and the decomposition-independent fingerprint.
 *
 * Storage: each component is its own block (structure of arrays). In a block, axis 0 is
 * fastest; each row holds a leading pad, the ghost cells, the owned cells and the trailing
 * ghosts, and rows are padded so that the first owned cell of every row is 64-byte aligned.
 * Axes at or beyond the grid's dim carry no ghosts. Storage is first touched inside an OpenMP
 * loop with the same static schedule over the outermost axis that kernels use, so pages land
 * near the threads that compute on them: `parallel for schedule(static)` over the owned range
 * of the outermost axis with more than one owned cell (k in 3-D, j in 2-D, i in 1-D); the
 * first and last iterations also touch the ghosts and pads before and after.
 */
#ifndef TESSERA_FIELD_H
#define TESSERA_FIELD_H

#include "tessera/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a field. */
typedef struct tsr_field_s *tsr_field;

/**
 * A kernel's window on one component of a field on this rank. Cell (i, j, k) in local
 * indices (0 <= i < n[0] for owned cells; -ghost[0] <= i < n[0] + ghost[0] including ghosts)
 * is at data[i + j * sj + k * sk].
 */
typedef struct {
  double *data;           /**< the first owned cell (local index 0,0,0) */
  ptrdiff_t sj;           /**< stride between consecutive j (in doubles) */
  ptrdiff_t sk;           /**< stride between consecutive k (in doubles) */
  int n[TSR_MAX_DIM];     /**< owned cells per axis */
  int ghost[TSR_MAX_DIM]; /**< ghost width per axis (0 on axes beyond dim) */
  tsr_box box;            /**< owned cells in global indices */
} tsr_view;

/** Element (i, j, k) of view @p v, ghosts at negative indices and at n and beyond. */
#define TSR_VIEW_AT(v, i, j, k) ((v).data[(i) + (ptrdiff_t)(j) * (v).sj + (ptrdiff_t)(k) * (v).sk])

/** Kind of physical boundary condition on a non-periodic face. */
typedef enum {
  TSR_BC_NONE = 0, /**< ghosts left untouched (default) */
  TSR_BC_DIRICHLET =
      1, /**< cell-centred: ghost(-1-m) = 2 value - owned(m), i.e. value on the face */
  TSR_BC_NEUMANN0 = 2, /**< zero gradient: ghost(-1-m) = owned(m) (mirror) */
  TSR_BC_CALLBACK = 3  /**< the user's function gives each ghost cell's value */
} tsr_bc_kind;

/**
 * User boundary function: value of component @p comp at ghost cell @p idx (global index,
 * outside the grid on the face's axis; for edges and corners possibly outside or between
 * tiles on other axes too), given @p owned, the value of the cell mirrored through the face
 * (for edge and corner ghosts this mirror is itself a ghost: filled by the halo exchange, by
 * a lower axis, or not yet filled when it lies outside on a later axis, which then overwrites
 * this value). Time or other state travels
 * in @p user. Called from one thread. Ghosts outside on several axes are visited once per
 * axis; the last visit's value stays.
 */
typedef double (*tsr_bc_fn)(const tsr_gidx idx[TSR_MAX_DIM], int comp, double owned, void *user);

/** Function giving a cell's initial value from its global index and component. */
typedef double (*tsr_field_init_fn)(const tsr_gidx idx[TSR_MAX_DIM], int comp, void *user);

/**
 * Create a field named @p name with @p ncomp components and ghost width @p ghost on @p grid
 * (which must be set up). Not collective.
 * Errors: TSR_ERR_ARG (ncomp < 1, ghost < 0 or above the grid's ghost width, empty name),
 * TSR_ERR_STATE (grid not set up), TSR_ERR_SIZE (a tile too large for int local indices).
 */
TSR_EXTERN tsr_err tsr_field_create(tsr_grid grid, const char *name, int ncomp, int ghost,
                                    tsr_field *field);

/** Destroy the field and set @p *field to NULL; accepts NULL. Not collective. */
TSR_EXTERN tsr_err tsr_field_destroy(tsr_field *field);

/** Name component @p comp (default "0", "1", ...). Errors: TSR_ERR_ARG (bad comp, empty). */
TSR_EXTERN tsr_err tsr_field_set_component_name(tsr_field field, int comp, const char *name);

/**
 * Set the boundary condition on face @p face (2*axis + side, side 0 = low, 1 = high) for all
 * components. Faces on periodic axes and on axes at or beyond the grid's dim are ignored.
 * @p value is the Dirichlet value; @p fn and @p user are used by TSR_BC_CALLBACK.
 * Errors: TSR_ERR_ARG (face outside 0..5, unknown kind, callback kind without @p fn).
 */
TSR_EXTERN tsr_err tsr_field_set_boundary(tsr_field field, int face, tsr_bc_kind kind, double value,
                                          tsr_bc_fn fn, void *user);

/** Allocate and first-touch the storage (values zero). Idempotent. Not collective. */
TSR_EXTERN tsr_err tsr_field_setup(tsr_field field);

/** View of component @p comp. Errors: TSR_ERR_STATE before setup, TSR_ERR_ARG. */
TSR_EXTERN tsr_err tsr_field_get_view(tsr_field field, int comp, tsr_view *view);

/** Name, components, ghost width and grid of the field. */
TSR_EXTERN const char *tsr_field_name(tsr_field field);
TSR_EXTERN const char *tsr_field_component_name(tsr_field field, int comp);
TSR_EXTERN int tsr_field_num_components(tsr_field field);
TSR_EXTERN int tsr_field_ghost_width(tsr_field field);
TSR_EXTERN tsr_grid tsr_field_grid(tsr_field field);

/**
 * Set every owned cell from @p fn, called from several OpenMP threads at once (so @p fn must
 * be thread-safe), with the same static schedule as the first touch. Not collective.
 */
TSR_EXTERN tsr_err tsr_field_fill(tsr_field field, tsr_field_init_fn fn, void *user);

/**
 * Copy owned values of @p src into @p dst (same grid handle and number of components; the
 * ghost widths may differ; ghosts of @p dst are left alone). Threaded. Not collective.
 */
TSR_EXTERN tsr_err tsr_field_copy(tsr_field src, tsr_field dst);

/**
 * Fill the ghost cells lying outside the grid on non-periodic faces from the boundary
 * conditions. Faces are filled axis by axis (0, then 1, then 2), each over the whole ghosted
 * range of the other axes: an edge ghost outside the grid on one axis and between tiles on
 * another mirrors a ghost the halo exchange filled (box shape), and where two physical faces
 * meet the later axis's value wins, consistent with the face values. Only faces on the
 * physical domain boundary are touched (ghosts between tiles are the halo's). Call after a
 * halo exchange. Not collective.
 */
TSR_EXTERN tsr_err tsr_field_fill_boundary(tsr_field field);

/**
 * Decomposition-independent fingerprint of all owned cells of all components: the sum modulo
 * 2^64 over cells of a 64-bit mix of (global linear index, component, exact value bits).
 * Equal on any rank count and process grid for equal values. Collective.
 */
TSR_EXTERN tsr_err tsr_field_fingerprint(tsr_field field, uint64_t *fingerprint);

/**
 * The term one cell adds to a fingerprint: a 64-bit mix (splitmix64 finaliser) of its
 * global linear index @p linear = i + n0 (j + n1 k), component @p comp and the exact bits of
 * @p value (so -0.0 and 0.0 differ). For a fixed cell it is a bijection of the value bits, so
 * changing one value always changes the fingerprint. Exposed so that io, checkpoints and
 * tests can compute the same fingerprint from data held elsewhere. Not collective.
 */
TSR_EXTERN uint64_t tsr_fingerprint_cell(tsr_gidx linear, int comp, double value);

#ifdef __cplusplus
}
#endif
#endif
