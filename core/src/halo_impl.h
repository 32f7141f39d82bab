/* Private body of a halo plan, shared by halo.c (lifecycle), halo_plan.c (building the plan)
 * and halo_exchange.c (begin/end, packing). */
#ifndef TESSERA_HALO_IMPL_H
#define TESSERA_HALO_IMPL_H

#include <mpi.h>

#include "tessera/halo.h"

/*
 * One neighbour direction of one round. Boxes are in local indices of this rank (owned cells
 * 0..n-1, ghosts at negative indices and at n and beyond). For an MPI link, `send` is what
 * this rank sends to the peer in direction `dir` and `recv` the ghosts the peer fills; for a
 * local copy (the peer is this rank), `send` is the source of the copy inside this rank's own
 * array. Both boxes always have the same extents, so the peer's order of cells matches ours.
 */
typedef struct {
  int dir;         /* direction of the peer (tsr_dir_index numbering) */
  int peer;        /* rank of the peer in the context's communicator */
  tsr_box send;    /* cells packed and sent (or the source of a local copy) */
  tsr_box recv;    /* ghost cells received (or the destination of a local copy) */
  int64_t cells;   /* cells in each box */
  double *sendbuf; /* cells * nviews doubles in the plan's send block (NULL for copies) */
  double *recvbuf; /* cells * nviews doubles in the plan's receive block (NULL for copies) */
} halo_link;

/*
 * One round of the exchange: MPI links first (links[0..nmsg)), local copies after them
 * (links[nmsg..nmsg+ncopy)). reqs holds nmsg persistent receives followed by nmsg sends.
 */
typedef struct {
  halo_link *links;
  int nmsg;
  int ncopy;
  MPI_Request *reqs;
  int64_t send_bytes; /* bytes the nmsg messages carry, counted in the halo.post event */
} halo_round;

struct tsr_halo_s {
  tsr_grid grid;
  tsr_ctx ctx;
  MPI_Comm comm;

  /* What the user asked for (frozen at setup). */
  tsr_field *fields;
  int nfields;
  int fields_cap;
  tsr_halo_shape shape;
  int width;                  /* 0 until set: then the smallest ghost width of the fields */
  tsr_halo_strategy strategy; /* AUTO until setup resolves it */

  /* The plan (valid after setup). */
  bool is_setup;
  bool in_flight;
  int nthreads;
  tsr_view *views; /* every component of every field, in field order */
  int nviews;
  int nrounds;
  halo_round rounds[TSR_MAX_DIM];
  double *sendblock; /* all send buffers of all rounds, one allocation */
  double *recvblock; /* all receive buffers of all rounds, one allocation */
  tsr_halo_info info;
  tsr_events events; /* the context's registry: halo.post/pack/wait/unpack/copy events */
};

/* Build rounds, buffers and persistent requests of a validated plan (halo_plan.c). */
tsr_err tsr_halo_build_plan_(tsr_halo halo);

/* Free rounds, buffers and requests (halo_plan.c); safe on a partly built plan. */
tsr_err tsr_halo_free_plan_(tsr_halo halo);

/* Start round @p r: post receives, pack, start sends (halo_exchange.c). */
tsr_err tsr_halo_round_start_(tsr_halo halo, int r);

/* Finish round @p r: local copies, wait, unpack (halo_exchange.c). */
tsr_err tsr_halo_round_finish_(tsr_halo halo, int r);

#endif
