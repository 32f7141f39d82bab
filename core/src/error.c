/* Error records, traceback frames and the handler hook. The record is per thread so that an
 * error raised inside an OpenMP region cannot be overwritten by another thread's. */
#include "tessera/error.h"

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { MESSAGE_MAX = 1024, TRACE_MAX = 4096 };

typedef struct {
  tsr_err code;
  char message[MESSAGE_MAX];
  char trace[TRACE_MAX];
  size_t trace_len;
} error_record;

static _Thread_local error_record record;

/* The one piece of process-wide state: who handles errors. The context installs itself here
 * when created and restores the previous handler when destroyed. */
static tsr_error_handler handler;
static void *handler_user;

void tsr_error_set_handler(tsr_error_handler h, void *user, tsr_error_handler *old,
                           void **old_user) {
  if (old) *old = handler;
  if (old_user) *old_user = handler_user;
  handler = h;
  handler_user = user;
}

static void append_frame(const char *file, int line, const char *func) {
  size_t room = TRACE_MAX - record.trace_len;
  if (room <= 1) return;
  int n = snprintf(record.trace + record.trace_len, room, "  at %s (%s:%d)\n", func, file, line);
  if (n > 0) record.trace_len += (size_t)n < room ? (size_t)n : room - 1;
}

tsr_err tsr_error_raise(tsr_err code, tsr_error_kind kind, const char *file, int line,
                        const char *func, const char *fmt, ...) {
  record.code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(record.message, MESSAGE_MAX, fmt, ap);
  va_end(ap);
  record.trace_len = 0;
  record.trace[0] = '\0';
  append_frame(file, line, func);
  if (handler) handler(code, kind, record.message, handler_user);
  return code;
}

tsr_err tsr_error_frame(tsr_err code, const char *file, int line, const char *func) {
  append_frame(file, line, func);
  return code;
}

tsr_err tsr_error_raise_mpi(int mpi_code, const char *call, const char *file, int line,
                            const char *func) {
  char text[MPI_MAX_ERROR_STRING] = "unknown MPI error";
  int len = 0;
  MPI_Error_string(mpi_code, text, &len);
  return tsr_error_raise(TSR_ERR_MPI, TSR_ERROR_RANK_LOCAL, file, line, func,
                         "MPI call %s failed: %s", call, text);
}

tsr_err tsr_cast_int(int64_t value, const char *what, int *out) {
  if (value < INT32_MIN || value > INT32_MAX)
    return tsr_error_raise(TSR_ERR_SIZE, TSR_ERROR_RANK_LOCAL, __FILE__, __LINE__, __func__,
                           "%s = %lld does not fit in an int (MPI count limit)", what,
                           (long long)value);
  *out = (int)value;
  return TSR_SUCCESS;
}

const char *tsr_error_message(void) {
  return record.message;
}

const char *tsr_error_traceback(void) {
  return record.trace;
}

tsr_err tsr_error_last(void) {
  return record.code;
}

void tsr_error_clear(void) {
  record.code = TSR_SUCCESS;
  record.message[0] = '\0';
  record.trace[0] = '\0';
  record.trace_len = 0;
}

const char *tsr_error_name(tsr_err code) {
  static const char *names[] = {"TSR_SUCCESS",    "TSR_ERR_ARG",     "TSR_ERR_MEM",
                                "TSR_ERR_MPI",    "TSR_ERR_HDF5",    "TSR_ERR_OPTION",
                                "TSR_ERR_FILE",   "TSR_ERR_STATE",   "TSR_ERR_SIZE",
                                "TSR_ERR_DECOMP", "TSR_ERR_CORRUPT", "TSR_ERR_INTERNAL"};
  if ((int)code < 0 || (size_t)code >= sizeof names / sizeof names[0]) return "TSR_ERR_UNKNOWN";
  return names[code];
}
