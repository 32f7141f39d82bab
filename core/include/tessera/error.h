/**
 * @file error.h
 * @brief Error codes, the call/check macros that build a traceback, MPI and HDF5 wrappers,
 *        and the swappable error handler.
 *
 * Every public Tessera function returns a ::tsr_err. An error is raised once, where it is
 * detected, with TSR_ERROR() (an error that every rank sees alike, such as a bad option) or
 * TSR_ERROR_LOCAL() (a failure of this rank alone, such as an allocation). Raising records the
 * message and calls the handler. Callers propagate with TSR_CALL(), which appends a
 * "function (file:line)" frame to the record, so the record holds a full traceback.
 *
 * The handler is owned by the context (tsr_ctx_set_error_mode()); before a context exists the
 * handler is "return". The default handler of a context ends the run:
 *  - collective errors: rank 0 prints one line "tessera: error: <message>", every rank
 *    finalizes MPI and exits with code 2 (TSR_EXIT_USAGE);
 *  - local errors: the rank prints "[rank r] tessera: error: <message>" and a backtrace to
 *    stderr and aborts the job.
 * Tests switch the handler to "return" and check the code and tsr_error_message(). In return
 * mode a rank-local error (an allocation failure, say) inside a collective operation returns on
 * that rank only, and the other ranks may then wait in the collective: return mode is for tests
 * and for callers that agree on errors themselves. Exit mode never leaves a rank waiting, since
 * MPI_Abort ends the whole job.
 */
#ifndef TESSERA_ERROR_H
#define TESSERA_ERROR_H

#include "tessera/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes returned by every public function. */
typedef enum {
  TSR_SUCCESS = 0,      /**< no error */
  TSR_ERR_ARG = 1,      /**< an argument is out of its documented range */
  TSR_ERR_MEM = 2,      /**< memory allocation failed */
  TSR_ERR_MPI = 3,      /**< an MPI call failed */
  TSR_ERR_HDF5 = 4,     /**< an HDF5 call failed */
  TSR_ERR_OPTION = 5,   /**< unknown option, malformed or out-of-range value */
  TSR_ERR_FILE = 6,     /**< a file could not be opened, read or written */
  TSR_ERR_STATE = 7,    /**< an object was used in the wrong lifecycle state */
  TSR_ERR_SIZE = 8,     /**< a size does not fit (overflow, or a count too large for MPI) */
  TSR_ERR_DECOMP = 9,   /**< the grid cannot be decomposed as asked */
  TSR_ERR_CORRUPT = 10, /**< data failed a consistency check */
  TSR_ERR_INTERNAL = 11 /**< a bug in Tessera */
} tsr_err;

/** Exit code of a run that ended on an error every rank saw alike (bad input). */
#define TSR_EXIT_USAGE 2

/** Whether an error is seen alike by every rank or by this rank alone. */
typedef enum {
  TSR_ERROR_COLLECTIVE = 0, /**< every rank of the communicator raises the same error */
  TSR_ERROR_RANK_LOCAL = 1  /**< only this rank failed */
} tsr_error_kind;

/** What the handler does when an error is raised. */
typedef enum {
  TSR_ERRMODE_EXIT = 0,  /**< end the run as described in error.h (default of a context) */
  TSR_ERRMODE_RETURN = 1 /**< record the error and return its code (tests) */
} tsr_error_mode;

/**
 * Handler called once when an error is raised (not again while it propagates).
 * @param code     the error code
 * @param kind     collective or rank-local
 * @param message  the formatted message (no trailing newline)
 * @param user     the pointer given to tsr_error_set_handler()
 * The handler may end the process; if it returns, the raising function returns @p code.
 */
typedef void (*tsr_error_handler)(tsr_err code, tsr_error_kind kind, const char *message,
                                  void *user);

/**
 * Install @p handler (NULL restores "record and return"); returns the previous one in
 * @p old / @p old_user when those are not NULL. Not collective. The context calls this; a
 * program rarely needs to.
 */
TSR_EXTERN void tsr_error_set_handler(tsr_error_handler handler, void *user, tsr_error_handler *old,
                                      void **old_user);

/** Raise an error: record it, call the handler, and return @p code. Use the macros below. */
TSR_EXTERN tsr_err tsr_error_raise(tsr_err code, tsr_error_kind kind, const char *file, int line,
                                   const char *func, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/** Append one traceback frame to the current error record; returns @p code. */
TSR_EXTERN tsr_err tsr_error_frame(tsr_err code, const char *file, int line, const char *func);

/** Message of the most recent error of this thread ("" when none). */
TSR_EXTERN const char *tsr_error_message(void);

/** Traceback of the most recent error: one "  at func (file:line)" line per frame. */
TSR_EXTERN const char *tsr_error_traceback(void);

/** Code of the most recent error of this thread (TSR_SUCCESS when none or after clear). */
TSR_EXTERN tsr_err tsr_error_last(void);

/** Forget the recorded error (tests call this between error-path checks). */
TSR_EXTERN void tsr_error_clear(void);

/** Short name of an error code, e.g. "TSR_ERR_OPTION". */
TSR_EXTERN const char *tsr_error_name(tsr_err code);

/* The macros below return their error code as a constant (after the call that records it),
 * so the compiler sees that a failed call never returns TSR_SUCCESS and does not warn about
 * out-parameters "maybe used uninitialized" at -O2/-O3. */

/** Raise an error that every rank sees alike (bad input), and return from the function. */
#define TSR_ERROR(code, ...)                                                                       \
  return (                                                                                         \
      tsr_error_raise((code), TSR_ERROR_COLLECTIVE, __FILE__, __LINE__, __func__, __VA_ARGS__),    \
      (code))

/** Raise an error of this rank alone, and return from the function. */
#define TSR_ERROR_LOCAL(code, ...)                                                                 \
  return (                                                                                         \
      tsr_error_raise((code), TSR_ERROR_RANK_LOCAL, __FILE__, __LINE__, __func__, __VA_ARGS__),    \
      (code))

/** Evaluate a Tessera call; on error append a traceback frame and return the code. */
#define TSR_CALL(expr)                                                                             \
  do {                                                                                             \
    tsr_err tsr_call_err_ = (expr);                                                                \
    if (tsr_call_err_ != TSR_SUCCESS)                                                              \
      return (tsr_error_frame(tsr_call_err_, __FILE__, __LINE__, __func__), tsr_call_err_);        \
  } while (0)

/** Check a condition every rank evaluates alike; raise TSR_ERROR(code, ...) when false. */
#define TSR_CHECK(cond, code, ...)                                                                 \
  do {                                                                                             \
    if (!(cond)) TSR_ERROR(code, __VA_ARGS__);                                                     \
  } while (0)

/** Evaluate an MPI call; on failure raise a rank-local TSR_ERR_MPI with MPI's own message. */
#define TSR_CALL_MPI(expr)                                                                         \
  do {                                                                                             \
    int tsr_mpi_err_ = (expr);                                                                     \
    if (tsr_mpi_err_ != 0)                                                                         \
      return (tsr_error_raise_mpi(tsr_mpi_err_, #expr, __FILE__, __LINE__, __func__),              \
              TSR_ERR_MPI);                                                                        \
  } while (0)

/** Evaluate an HDF5 call (negative result means failure); raise a rank-local TSR_ERR_HDF5. */
#define TSR_CALL_H5(expr)                                                                          \
  do {                                                                                             \
    if ((expr) < 0)                                                                                \
      return (tsr_error_raise(TSR_ERR_HDF5, TSR_ERROR_RANK_LOCAL, __FILE__, __LINE__, __func__,    \
                              "HDF5 call failed: %s", #expr),                                      \
              TSR_ERR_HDF5);                                                                       \
  } while (0)

/** Raise TSR_ERR_MPI for MPI error code @p mpi_code; used by TSR_CALL_MPI. */
TSR_EXTERN tsr_err tsr_error_raise_mpi(int mpi_code, const char *call, const char *file, int line,
                                       const char *func);

/**
 * Convert @p value to int for an MPI count, raising TSR_ERR_SIZE when it does not fit.
 * @param what  name of the quantity, for the message
 */
TSR_EXTERN tsr_err tsr_cast_int(int64_t value, const char *what, int *out);

#ifdef __cplusplus
}
#endif
#endif
