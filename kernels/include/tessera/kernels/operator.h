/**
 * @file operator.h
 * @brief Operators: a box kernel applied to a field with its halo exchange overlapped.
 *
 * An operator is a node-local kernel (a callback on views and a box, e.g. the heat update or
 * y = A x for a Laplacian) plus what it needs from its neighbours: a stencil radius r and a
 * ghost shape. tsr_op_apply(op, x, y) computes y from x on every owned cell, hiding the
 * exchange of x's ghosts behind the interior:
 *
 *   tsr_halo_begin(x) -> interior, in chunks, with tsr_halo_progress() between them
 *   -> tsr_halo_end(x) -> tsr_field_fill_boundary(x) -> boundary shell.
 *
 * The interior is the cells whose stencil reads no ghost (the tile shrunk by r on each axis
 * below the grid's dim); the shell is the rest, in up to 2 dim slabs (tsr_op_split_tile()).
 * The kernel computes each cell from the same inputs whichever box it belongs to, so the
 * result is bit for bit that of exchanging first and applying the kernel to the whole tile
 * (kernels must be pointwise in this sense: a cell's value may not depend on the box).
 *
 * Progress: between interior chunks the master thread calls tsr_halo_progress() (outside any
 * parallel region: MPI_THREAD_FUNNELED) so that large messages (rendezvous protocol) move
 * while the interior is computed.
 *
 * Measurement: every so often (tsr_op_set_calibration()) an application runs without
 * overlap, timing the bare exchange (begin then end); overlapped applications time what stays
 * exposed (begin + progress + end). The share of the exchange hidden is
 * 1 - exposed / bare (tsr_op_get_info(), tsr_op_print_summary()). Events (class in
 * brackets): "<name>.interior" [comp], "<name>.shell" [comp: boundary fill and shell],
 * "<name>.progress" [comm]; the exchange itself records the halo.* events.
 *
 * Exchange plans: one per input field, built the first time the operator is applied to that
 * field (collective, allocates); later applications allocate nothing. Lifecycle:
 * create -> set_* -> setup -> apply ... -> destroy.
 */
#ifndef TESSERA_KERNELS_OPERATOR_H
#define TESSERA_KERNELS_OPERATOR_H

#include "tessera/halo.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of an operator. */
typedef struct tsr_op_s *tsr_op;

/** The views a kernel callback receives. */
typedef struct {
  const tsr_view *in;  /**< the input field's components, then each coefficient field's */
  int nin;             /**< number of input views */
  const tsr_view *out; /**< the output field's components */
  int nout;            /**< number of output views */
} tsr_op_views;

/**
 * A box kernel: compute the output views on the cells of @p box (local indices, inside the
 * owned tile) from the input views, reading at most r cells away along each axis below dim
 * (r the operator's radius; star or box shape as set). Called from the master thread outside
 * any parallel region (it may open its own), several times per application with disjoint
 * boxes. Return TSR_SUCCESS or an error raised with TSR_ERROR_LOCAL / propagated by TSR_CALL.
 */
typedef tsr_err (*tsr_op_kernel_fn)(const tsr_op_views *views, const tsr_box *box, void *user);

/** The split of a tile into interior and shell. */
typedef struct {
  tsr_box interior;               /**< cells whose stencil reads no ghost (may be empty) */
  tsr_box shell[2 * TSR_MAX_DIM]; /**< the other cells, each exactly once */
  int nshell;                     /**< number of non-empty shell slabs */
} tsr_op_split;

/**
 * Split @p tile into the interior (the tile shrunk by @p radius cells on both sides of each
 * axis below @p dim; empty on an axis thinner than 2 radius + 1) and the shell: for each axis
 * a below dim a low and a high slab, of at most radius cells along a, spanning the interior's
 * range on axes before a and the whole tile on axes after a. Interior and slabs cover the
 * tile exactly once; empty slabs are left out. Not collective.
 * Errors (TSR_ERR_ARG): NULL pointers, dim outside 1..3, radius < 0.
 */
TSR_EXTERN tsr_err tsr_op_split_tile(const tsr_box *tile, int dim, int radius, tsr_op_split *split);

/** Counters and timings of an operator on this rank. */
typedef struct {
  int64_t applies;         /**< applications completed */
  int64_t calibrations;    /**< of them, run without overlap to time the bare exchange */
  double exchange_time;    /**< mean seconds of a bare exchange (begin + end); 0 if none yet */
  double exposed_time;     /**< mean seconds of exchange left exposed in an overlapped
                                application (begin + progress + end); 0 if none yet */
  double hidden_share;     /**< 1 - exposed / exchange, clamped to [0, 1]; 0 until both are known */
  double interior_time;    /**< total seconds in interior kernels */
  double shell_time;       /**< total seconds in boundary fill and shell kernels */
  int radius;              /**< stencil radius = halo width */
  int chunks;              /**< interior chunks per application */
  int plans;               /**< exchange plans built (one per input field seen) */
  tsr_gidx interior_cells; /**< owned cells in the interior */
  tsr_gidx shell_cells;    /**< owned cells in the shell */
} tsr_op_info;

/**
 * Create an operator on @p grid, which must be set up before tsr_op_setup() (not before: a
 * program reads the operator's options with the grid's, then sets the grid up). Not
 * collective. Errors: TSR_ERR_ARG.
 */
TSR_EXTERN tsr_err tsr_op_create(tsr_grid grid, tsr_op *op);

/**
 * Destroy the operator and its exchange plans; sets @p *op to NULL; accepts NULL. Not
 * collective.
 */
TSR_EXTERN tsr_err tsr_op_destroy(tsr_op *op);

/** Set the kernel and its user data (required). Before setup only. */
TSR_EXTERN tsr_err tsr_op_set_kernel(tsr_op op, tsr_op_kernel_fn fn, void *user);

/**
 * Set the name (default "op"; 1 to 38 characters, letters, digits, '_', '.', '-'); events are
 * "<name>.interior", "<name>.shell" and "<name>.progress". Before setup only.
 */
TSR_EXTERN tsr_err tsr_op_set_name(tsr_op op, const char *name);

/**
 * Set the stencil radius r >= 1 (default 1), which is also the halo width; input fields need
 * a ghost width of at least r. Before setup only.
 */
TSR_EXTERN tsr_err tsr_op_set_radius(tsr_op op, int radius);

/** Set the ghost shape the stencil needs (default TSR_SHAPE_STAR). Before setup only. */
TSR_EXTERN tsr_err tsr_op_set_shape(tsr_op op, tsr_halo_shape shape);

/**
 * Append a read-only coefficient field; its components follow the input's in
 * tsr_op_views::in. Its ghosts are not exchanged by the operator: fill them once (exchange
 * and tsr_field_fill_boundary()) if the kernel reads them. Before setup only.
 */
TSR_EXTERN tsr_err tsr_op_add_coefficient(tsr_op op, tsr_field coef);

/**
 * Set whether the exchange is overlapped with the interior (default true). Without overlap
 * every application exchanges first and then computes (and counts as a calibration).
 */
TSR_EXTERN tsr_err tsr_op_set_overlap(tsr_op op, bool overlap);

/** Set the number of interior chunks (default 4; 1 = no progress calls). Before setup only. */
TSR_EXTERN tsr_err tsr_op_set_chunks(tsr_op op, int chunks);

/**
 * Run one application in @p every without overlap to time the bare exchange: applications
 * number 2, 2 + every, 2 + 2 every, ... (the first is skipped: it may pay MPI's connection
 * set-up). 0 never calibrates. Default 50. Ranks must agree (they do if they apply alike).
 */
TSR_EXTERN tsr_err tsr_op_set_calibration(tsr_op op, int every);

/**
 * Declare the work of the kernel per cell, added to the interior and shell events
 * (tsr_event_add_flops(), tsr_event_add_bytes_moved()). Default 0, 0.
 */
TSR_EXTERN tsr_err tsr_op_set_work(tsr_op op, double flops_per_cell, double bytes_per_cell);

/**
 * Read `--op-overlap BOOL`, `--op-chunks N` and `--op-calibrate N` from the context's options
 * (shared by every operator of the run), and the halo's `--halo-box` for the operator's
 * exchange plans (see halo.h). Call it before tsr_options_finish(). Before setup only.
 */
TSR_EXTERN tsr_err tsr_op_set_from_options(tsr_op op);

/**
 * Validate and freeze the settings, split the tile and register the events. Idempotent. Not
 * collective. Errors: TSR_ERR_STATE (grid not set up, a coefficient field not set up),
 * TSR_ERR_ARG (no kernel, radius above the grid's ghost width), TSR_ERR_DECOMP (a tile thinner
 * than the radius).
 */
TSR_EXTERN tsr_err tsr_op_setup(tsr_op op);

/**
 * y = op(x) on every owned cell of @p y, x's exchange overlapped with the interior. Fills x's
 * ghosts (exchange within the radius and physical boundary; y's ghosts are not touched).
 * The first application to a given @p x builds its exchange plan, kept until the operator is
 * destroyed and found again by the field handle: destroy the operator before destroying a
 * field it was applied to (a new field could reuse the handle's address). With a box shape
 * exchanged in rounds (3-D, see halo.h) only the first round overlaps the interior; the others
 * run inside tsr_halo_end(). Collective.
 * Errors: TSR_ERR_STATE (not set up), TSR_ERR_ARG (NULL fields, x == y, another grid, ghost
 * width of x below the radius), the kernel's own errors, TSR_ERR_MPI. An error leaves no
 * exchange in flight.
 */
TSR_EXTERN tsr_err tsr_op_apply(tsr_op op, tsr_field x, tsr_field y);

/** Fill @p info with this rank's counters. Not collective. Errors: TSR_ERR_ARG. */
TSR_EXTERN tsr_err tsr_op_get_info(tsr_op op, tsr_op_info *info);

/**
 * Print on rank 0 (log level @p level) one line: applications, bare and exposed exchange time
 * and the hidden share, averaged over ranks. Collective.
 */
TSR_EXTERN tsr_err tsr_op_print_summary(tsr_op op, int level);

#ifdef __cplusplus
}
#endif
#endif
