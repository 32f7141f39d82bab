/**
 * @file reduce.h
 * @brief Global sums, minima and maxima of several doubles in one message, blocking or
 *        split-phase.
 *
 * Packing several values into one reduction pays one latency instead of many. The split-phase
 * form lets a solver compute while the reduction travels (MPI_Iallreduce).
 *
 * Events (event.h, class comm): "reduce" times a blocking reduction, "reduce.begin" and
 * "reduce.wait" the two halves of a split-phase one. Each reduction of n values counts as one
 * message of 8 n bytes from every rank (what the rank contributes; the traffic of MPI's own
 * algorithm is not seen), at "reduce" or "reduce.begin". n == 0 records nothing.
 */
#ifndef TESSERA_REDUCE_H
#define TESSERA_REDUCE_H

#include "tessera/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reduction operation. */
typedef enum {
  TSR_SUM = 0, /**< sum */
  TSR_MIN = 1, /**< minimum */
  TSR_MAX = 2  /**< maximum */
} tsr_reduce_op;

/**
 * Reduce @p n values of @p in over all ranks into @p out (may equal @p in: then in place).
 * Collective on tsr_ctx_comm(). n == 0 does nothing (the buffers may then be NULL).
 * Errors: TSR_ERR_ARG (n < 0, unknown op, NULL context or buffer), TSR_ERR_MPI.
 */
TSR_EXTERN tsr_err tsr_reduce(tsr_ctx ctx, tsr_reduce_op op, const double *in, double *out, int n);

/** A reduction in flight (plain struct so it can live on the stack). */
typedef struct {
  MPI_Request request; /**< the non-blocking request (MPI_REQUEST_NULL when idle) */
  tsr_events events;   /**< the context's event registry, for the reduce.wait event */
} tsr_reduce_req;

/**
 * Start reducing @p n values; @p out is valid after tsr_reduce_end(), and neither buffer may
 * be touched before. @p in may equal @p out. Several reductions may be in flight at once.
 * Collective (every rank must start the same reductions in the same order).
 * Errors: as tsr_reduce(), and TSR_ERR_ARG for a NULL @p req; after an argument error @p req is
 * idle.
 */
TSR_EXTERN tsr_err tsr_reduce_begin(tsr_ctx ctx, tsr_reduce_op op, const double *in, double *out,
                                    int n, tsr_reduce_req *req);

/**
 * Wait for the reduction started with tsr_reduce_begin(); @p req becomes idle
 * (MPI_REQUEST_NULL). Collective. Errors: TSR_ERR_ARG (NULL), TSR_ERR_MPI.
 */
TSR_EXTERN tsr_err tsr_reduce_end(tsr_reduce_req *req);

#ifdef __cplusplus
}
#endif
#endif
