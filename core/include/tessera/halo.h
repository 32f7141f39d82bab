/**
 * @file halo.h
 * @brief Ghost-cell exchange plans: built once, aggregated, persistent, split-phase.
 *
 * A plan serves a fixed set of fields on one grid, a shape and a width. At setup it computes
 * for each neighbour the send and receive boxes, allocates one pack buffer per neighbour that
 * holds all components of all fields, and creates persistent MPI requests. Exchanging then
 * allocates nothing and creates no request:
 *   tsr_halo_begin(): start the receives, pack (OpenMP threads) and start the sends;
 *   tsr_halo_end():   wait, unpack, and do the local copies for periodic self-neighbours.
 * Between begin and end the caller computes on cells that need no ghost, and must not write
 * the plan's fields (owned cells may still be read by the exchange). Ghosts on non-periodic
 * outer faces are never touched (see tsr_field_fill_boundary()), nor are ghosts farther than
 * the plan's width, nor (star shape) edge and corner ghosts.
 *
 * Messages: one per neighbour direction and round, carrying every component of every field.
 * A rank can be the neighbour in several directions (a periodic axis split in two); each
 * round reserves 27 tags from the context and a message carries the tag of its sender's
 * direction, so such messages never mix. A neighbour that is this rank itself (a periodic
 * axis with one tile) is served by a local copy, without MPI.
 *
 * Box shapes need edge and corner ghosts. Two strategies exist:
 *   TSR_HALO_DIRECT: one round of messages to all (up to 26) neighbours;
 *   TSR_HALO_ROUNDS: three dimension-ordered rounds of face messages (2 per axis), each
 *     round's boxes extended over the ghosts filled by the previous rounds, so edges and
 *     corners travel along; fewer, larger messages but three latencies, and only the first
 *     round overlaps with the caller's work.
 * Rule of TSR_HALO_AUTO: ROUNDS for box shapes in 3-D (26 messages, 20 of them small edge and
 * corner messages, become 6), DIRECT otherwise (star shapes always need faces only). The option
 * `--halo-box direct|rounds|auto` overrides it (read by tsr_halo_set_from_options()). The
 * strategy only concerns box shapes: a star plan always runs one DIRECT round. A ROUNDS plan
 * on a D-dimensional grid has D rounds: tsr_halo_begin() starts the first, tsr_halo_end()
 * finishes it and runs the others.
 */
#ifndef TESSERA_HALO_H
#define TESSERA_HALO_H

#include "tessera/field.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of an exchange plan. */
typedef struct tsr_halo_s *tsr_halo;

/** Which ghost cells a stencil needs. */
typedef enum {
  TSR_SHAPE_STAR = 0, /**< faces only (5/7-point and star stencils) */
  TSR_SHAPE_BOX = 1   /**< faces, edges and corners (9/27-point stencils) */
} tsr_halo_shape;

/** How box-shaped exchanges are done. */
typedef enum {
  TSR_HALO_AUTO = 0,   /**< choose by the rule in halo.h */
  TSR_HALO_DIRECT = 1, /**< one round, one message per neighbour */
  TSR_HALO_ROUNDS = 2  /**< three dimension-ordered rounds of two messages */
} tsr_halo_strategy;

/** What a plan does per exchange, for reports and tests. */
typedef struct {
  tsr_halo_strategy strategy; /**< the strategy in use (never AUTO after setup) */
  int width;                  /**< ghost width exchanged */
  int messages;               /**< MPI messages this rank sends per exchange */
  int64_t bytes;              /**< bytes this rank sends per exchange */
  int local_copies;           /**< periodic self-neighbour copies done without MPI */
} tsr_halo_info;

/** Create an empty plan on @p grid. Not collective until setup. */
TSR_EXTERN tsr_err tsr_halo_create(tsr_grid grid, tsr_halo *halo);

/**
 * Destroy the plan (frees requests and buffers) and set @p *halo to NULL; accepts NULL. An
 * exchange still in flight is waited for first (its ghosts are not unpacked). Not collective
 * unless an exchange is in flight.
 */
TSR_EXTERN tsr_err tsr_halo_destroy(tsr_halo *halo);

/**
 * Add a field (all its components) to the plan; fields must live on the plan's grid and have
 * a ghost width at least the plan's width (checked at setup), and must be set up before the
 * plan is. Before setup only.
 * Errors: TSR_ERR_ARG (NULL, another grid, added twice), TSR_ERR_STATE (after setup).
 */
TSR_EXTERN tsr_err tsr_halo_add_field(tsr_halo halo, tsr_field field);

/** Set the shape (default star). Before setup only. Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_halo_set_shape(tsr_halo halo, tsr_halo_shape shape);

/**
 * Set the width (default: the smallest ghost width of the fields). Before setup only.
 * Errors: TSR_ERR_ARG (width < 1), TSR_ERR_STATE (after setup).
 */
TSR_EXTERN tsr_err tsr_halo_set_width(tsr_halo halo, int width);

/** Set the box strategy (default AUTO). Before setup only. Errors: ARG, STATE. */
TSR_EXTERN tsr_err tsr_halo_set_strategy(tsr_halo halo, tsr_halo_strategy strategy);

/** Read `--halo-box direct|rounds|auto` from the context's options. Before setup only. */
TSR_EXTERN tsr_err tsr_halo_set_from_options(tsr_halo halo);

/**
 * Build the plan: boxes, buffers, persistent requests, tags. Collective on the grid's
 * communicator; idempotent. Errors: TSR_ERR_ARG (no fields, width above a field's ghost
 * width), TSR_ERR_STATE (a field not set up), TSR_ERR_MPI.
 */
TSR_EXTERN tsr_err tsr_halo_setup(tsr_halo halo);

/**
 * Start an exchange. Collective. Errors: TSR_ERR_STATE before setup or if one is already in
 * flight.
 */
TSR_EXTERN tsr_err tsr_halo_begin(tsr_halo halo);

/**
 * Complete the exchange started by tsr_halo_begin(). Collective.
 * Errors: TSR_ERR_STATE when no exchange is in flight.
 */
TSR_EXTERN tsr_err tsr_halo_end(tsr_halo halo);

/**
 * Let the exchange in flight progress: test (MPI_Testall) the first round's requests, so that
 * MPI moves large messages (rendezvous protocol) while the caller computes between
 * tsr_halo_begin() and tsr_halo_end(). Call it now and then from the master thread, outside
 * OpenMP parallel regions; it never waits and unpacks nothing (tsr_halo_end() does). Calling it
 * is optional, and how often does not change any result. @p done (may be NULL) is set to true
 * when the first round's messages have all arrived. Not collective.
 * Errors: TSR_ERR_ARG (NULL plan), TSR_ERR_STATE (no exchange in flight), TSR_ERR_MPI.
 */
TSR_EXTERN tsr_err tsr_halo_progress(tsr_halo halo, bool *done);

/** tsr_halo_begin() then tsr_halo_end(). Collective. */
TSR_EXTERN tsr_err tsr_halo_exchange(tsr_halo halo);

/** Fill @p info. Errors: TSR_ERR_STATE before setup. */
TSR_EXTERN tsr_err tsr_halo_get_info(tsr_halo halo, tsr_halo_info *info);

/** Short name of a strategy ("auto", "direct", "rounds"). */
TSR_EXTERN const char *tsr_halo_strategy_name(tsr_halo_strategy strategy);

#ifdef __cplusplus
}
#endif
#endif
