/* Private body of tsr_field, shared by field.c, halo.c and io.
 *
 * Layout of one component block (doubles, axis 0 fastest):
 *   row   = [lead pad | ghost[0] ghosts ... | n[0] owned | ghost[0] ghosts | tail pad]
 *   lead  = ghost[0] rounded up to a multiple of 8, so the first owned cell of a row is
 *           64-byte aligned; sj = row length rounded up to a multiple of 8.
 *   plane = (n[1] + 2 ghost[1]) rows;      sk = sj * (n[1] + 2 ghost[1]).
 *   block = (n[2] + 2 ghost[2]) planes;    block_len = sk * (n[2] + 2 ghost[2]).
 * Local cell (i, j, k), ghosts at negative indices, is at
 *   comp[c].view.data[i + j * sj + k * sk]   (view.data = block + origin).
 * The layout (everything except the data pointers) is valid from create; the data pointers
 * from setup. */
#ifndef TESSERA_FIELD_IMPL_H
#define TESSERA_FIELD_IMPL_H

#include "tessera/field.h"

#include "grid_impl.h"

/* Number of faces: face = 2 * axis + side (side 0 low, 1 high). */
#define TSR_NUM_FACES 6

/* Boundary condition of one face, applied to all components. */
typedef struct {
  tsr_bc_kind kind;
  double value; /* Dirichlet value */
  tsr_bc_fn fn; /* TSR_BC_CALLBACK */
  void *user;
} tsr_field_bc;

/* One component: its own aligned block and the view kernels use. */
typedef struct {
  char *name;    /* component name */
  double *block; /* start of the allocation (tsr_malloc, 64-byte aligned); NULL before setup */
  tsr_view view; /* data = first owned cell (NULL before setup), sj, sk, n, ghost, box */
} tsr_field_comp;

struct tsr_field_s {
  tsr_grid grid; /* the (set-up) grid; borrowed */
  char *name;
  int ncomp;
  int ghost;            /* ghost width asked for at create */
  int gw[TSR_MAX_DIM];  /* ghost width per axis: ghost on axes < dim, 0 beyond */
  int n[TSR_MAX_DIM];   /* owned cells per axis on this rank */
  ptrdiff_t sj, sk;     /* strides in doubles, equal for all components */
  ptrdiff_t lead;       /* leading pad of a row in doubles (multiple of 8) */
  ptrdiff_t origin;     /* offset of local cell (0,0,0) from the block start */
  size_t block_len;     /* doubles per component block */
  tsr_field_comp *comp; /* ncomp entries */
  tsr_field_bc bc[TSR_NUM_FACES];
  bool is_setup;
};

#endif
