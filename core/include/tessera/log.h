/**
 * @file log.h
 * @brief Printing from rank 0 or from every rank, verbosity, and the progress line.
 *
 * The log belongs to the context (tsr_ctx_log()). Output goes to stdout; errors go through
 * error.h, not here. The verbosity comes from `--verbose N` (0 quiet, 1 normal, 2+ chatty).
 */
#ifndef TESSERA_LOG_H
#define TESSERA_LOG_H

#include <mpi.h>
#include <stdio.h>

#include "tessera/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of a log. */
typedef struct tsr_log_s *tsr_log;

/** Create a log on @p comm with verbosity @p verbosity, writing to @p out. Not collective. */
TSR_EXTERN tsr_err tsr_log_create(MPI_Comm comm, int verbosity, FILE *out, tsr_log *log);

/** Destroy the log and set @p *log to NULL; accepts NULL. */
TSR_EXTERN tsr_err tsr_log_destroy(tsr_log *log);

/** Verbosity of the log. */
TSR_EXTERN int tsr_log_verbosity(tsr_log log);

/**
 * Print from rank 0 only, when the log's verbosity is at least @p level (1 = normal output).
 * Not collective: other ranks return at once.
 */
TSR_EXTERN tsr_err tsr_log_printf(tsr_log log, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * Print from every rank, in rank order, each line prefixed with "[rank] ". Collective: the
 * text is gathered to rank 0 and printed there, so lines never interleave.
 */
TSR_EXTERN tsr_err tsr_log_printf_all(tsr_log log, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Opaque progress reporter: step, simulated time, rate and ETA at most once a second. */
typedef struct tsr_progress_s *tsr_progress;

/**
 * Start reporting progress towards @p last_step from @p first_step. On a terminal the line is
 * redrawn in place; otherwise, and always under an MPI launcher or Slurm (mpirun gives rank 0
 * a pseudo-terminal even when its output goes to a file), plain lines are printed so batch logs
 * stay readable. Rank 0
 * prints; other ranks do nothing. Not collective.
 */
TSR_EXTERN tsr_err tsr_progress_create(tsr_log log, int64_t first_step, int64_t last_step,
                                       tsr_progress *p);

/**
 * Report that @p step is done at simulated time @p time; prints when at least
 * @p min_interval seconds (default 1) passed since the last print, and always at the last step.
 * Not collective.
 */
TSR_EXTERN tsr_err tsr_progress_update(tsr_progress p, int64_t step, double time);

/** Set the minimum interval between prints in seconds (0 prints every update). */
TSR_EXTERN tsr_err tsr_progress_set_interval(tsr_progress p, double seconds);

/** Force plain-line (non-terminal) or in-place (terminal) output; the default detects it. */
TSR_EXTERN tsr_err tsr_progress_set_plain(tsr_progress p, bool plain);

/** Finish the progress line (newline on a terminal) and destroy it; accepts NULL. */
TSR_EXTERN tsr_err tsr_progress_destroy(tsr_progress *p);

#ifdef __cplusplus
}
#endif
#endif
