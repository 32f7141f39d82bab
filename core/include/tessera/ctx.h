/**
 * @file ctx.h
 * @brief The run context: MPI and thread start-up, the library's own communicator, tags,
 *        options, log and the error handler. One per run.
 *
 * tsr_ctx_create() initialises MPI with MPI_THREAD_FUNNELED when the program has not done so
 * (and then finalizes it in tsr_ctx_destroy()), duplicates the given communicator once for
 * all Tessera objects, builds the node communicator, parses the options, and installs its
 * error handler (mode TSR_ERRMODE_EXIT). Options read here:
 *   --verbose N      verbosity of the log (default 1)
 *   --banner         print ranks, threads, MPI thread level and every rank's CPU binding
 *   --threads N      OpenMP threads per rank (default: OMP_NUM_THREADS; else the cores the
 *                    rank is bound to, or for unbound ranks the node's cores / its ranks)
 *   --log-view       collect events and print their table and summary at destroy (event.h)
 *   --log-json FILE  collect events and write them as JSON to FILE at destroy
 */
#ifndef TESSERA_CTX_H
#define TESSERA_CTX_H

#include <mpi.h>

#include "tessera/error.h"
#include "tessera/event.h"
#include "tessera/log.h"
#include "tessera/options.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a run context. */
typedef struct tsr_ctx_s *tsr_ctx;

/**
 * Create the context of a run on @p comm (usually MPI_COMM_WORLD, the only place a program
 * names it). @p argc / @p argv may be NULL. Collective on @p comm.
 * Errors: option errors (collective), TSR_ERR_MPI.
 */
TSR_EXTERN tsr_err tsr_ctx_create(int *argc, char ***argv, MPI_Comm comm, tsr_ctx *ctx);

/**
 * Destroy the context: print the event report when `--log-view` or `--log-json` asked for it,
 * restore the previous error handler, free the communicators and, when
 * the context initialised MPI, finalize it. Sets @p *ctx to NULL; accepts NULL. Collective.
 */
TSR_EXTERN tsr_err tsr_ctx_destroy(tsr_ctx *ctx);

/** Communicator of the library (a duplicate of the one given at create). */
TSR_EXTERN MPI_Comm tsr_ctx_comm(tsr_ctx ctx);
/** Communicator of the ranks sharing this node's memory. */
TSR_EXTERN MPI_Comm tsr_ctx_node_comm(tsr_ctx ctx);
/** Rank of this process in tsr_ctx_comm(). */
TSR_EXTERN int tsr_ctx_rank(tsr_ctx ctx);
/** Number of ranks in tsr_ctx_comm(). */
TSR_EXTERN int tsr_ctx_size(tsr_ctx ctx);
/** OpenMP threads per rank (1 without OpenMP). */
TSR_EXTERN int tsr_ctx_num_threads(tsr_ctx ctx);
/** MPI thread support level provided (MPI_THREAD_SINGLE ... MPI_THREAD_MULTIPLE). */
TSR_EXTERN int tsr_ctx_thread_level(tsr_ctx ctx);
/** The options database of the run. */
TSR_EXTERN tsr_options tsr_ctx_options(tsr_ctx ctx);
/** The log of the run. */
TSR_EXTERN tsr_log tsr_ctx_log(tsr_ctx ctx);
/** The event registry of the run (event.h); collecting when `--log-view`/`--log-json` given. */
TSR_EXTERN tsr_events tsr_ctx_events(tsr_ctx ctx);

/**
 * Describe the CPU binding of the ranks in one line (e.g. "each rank bound to 1 cpu",
 * "unbound (each rank may run on all 8 cpus)") into @p buf. Collective.
 */
TSR_EXTERN tsr_err tsr_ctx_binding_summary(tsr_ctx ctx, char *buf, size_t size);

/**
 * Reserve @p count consecutive message tags and return the first in @p *first. Not
 * communicating, but every rank must reserve tags in the same order (as objects are created
 * collectively, they are). Errors: TSR_ERR_SIZE when the MPI tag space is exhausted.
 */
TSR_EXTERN tsr_err tsr_ctx_reserve_tags(tsr_ctx ctx, int count, int *first);

/** Choose what raised errors do (TSR_ERRMODE_EXIT by default). Not collective. */
TSR_EXTERN tsr_err tsr_ctx_set_error_mode(tsr_ctx ctx, tsr_error_mode mode);

/**
 * Print the start-up banner on rank 0: ranks, threads per rank, MPI thread level, and each
 * rank's host and CPU binding. Collective. Called by create when `--banner` is given.
 */
TSR_EXTERN tsr_err tsr_ctx_print_banner(tsr_ctx ctx);

/** Seconds since an arbitrary fixed point (MPI_Wtime). */
TSR_EXTERN double tsr_wtime(void);

#ifdef __cplusplus
}
#endif
#endif
