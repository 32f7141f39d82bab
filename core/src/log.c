/* Rank-0 and all-rank printing, and the progress line. */
#include "tessera/log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tessera/mem.h"

struct tsr_log_s {
  MPI_Comm comm; /* borrowed from the context */
  int rank;
  int verbosity;
  FILE *out;
};

tsr_err tsr_log_create(MPI_Comm comm, int verbosity, FILE *out, tsr_log *log) {
  TSR_CHECK(out != NULL, TSR_ERR_ARG, "tsr_log_create: output stream is NULL");
  tsr_log l;
  TSR_CALL(TSR_CALLOC(1, &l));
  l->comm = comm;
  l->verbosity = verbosity;
  l->out = out;
  TSR_CALL_MPI(MPI_Comm_rank(comm, &l->rank));
  *log = l;
  return TSR_SUCCESS;
}

tsr_err tsr_log_destroy(tsr_log *log) {
  if (!log || !*log) return TSR_SUCCESS;
  TSR_CALL(tsr_free(log));
  return TSR_SUCCESS;
}

int tsr_log_verbosity(tsr_log log) {
  return log->verbosity;
}

tsr_err tsr_log_printf(tsr_log log, int level, const char *fmt, ...) {
  if (log->rank != 0 || level > log->verbosity) return TSR_SUCCESS;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(log->out, fmt, ap);
  va_end(ap);
  fflush(log->out);
  return TSR_SUCCESS;
}

/* Print @p text with "[rank] " before each line. */
static void print_prefixed(FILE *out, int rank, const char *text) {
  const char *line = text;
  while (*line) {
    const char *end = strchr(line, '\n');
    int len = end ? (int)(end - line) : (int)strlen(line);
    fprintf(out, "[%d] %.*s\n", rank, len, line);
    line += len + (end ? 1 : 0);
  }
}

/* Gather every rank's text on rank 0 and print it there in rank order. */
static tsr_err gather_and_print(tsr_log log, const char *mine, int len, int size, int *lens,
                                int *offsets, char **all) {
  TSR_CALL_MPI(MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, log->comm));
  if (log->rank == 0) {
    int64_t total = 0;
    for (int r = 0; r < size; r++) {
      TSR_CALL(tsr_cast_int(total, "gathered log text length", &offsets[r]));
      total += lens[r];
    }
    TSR_CALL(TSR_MALLOC(total, all));
  }
  TSR_CALL_MPI(MPI_Gatherv(mine, len, MPI_CHAR, *all, lens, offsets, MPI_CHAR, 0, log->comm));
  if (log->rank == 0) {
    for (int r = 0; r < size; r++)
      print_prefixed(log->out, r, *all + offsets[r]);
    fflush(log->out);
  }
  return TSR_SUCCESS;
}

tsr_err tsr_log_printf_all(tsr_log log, int level, const char *fmt, ...) {
  if (level > log->verbosity) return TSR_SUCCESS; /* verbosity is the same on every rank */
  char mine[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(mine, sizeof mine, fmt, ap);
  va_end(ap);
  int size, len = (int)strlen(mine) + 1;
  TSR_CALL_MPI(MPI_Comm_size(log->comm, &size));
  int *lens = NULL, *offsets = NULL;
  char *all = NULL;
  tsr_err err = TSR_SUCCESS;
  if (log->rank == 0) {
    err = TSR_MALLOC(size, &lens);
    if (!err) err = TSR_MALLOC(size, &offsets);
  }
  if (!err) err = gather_and_print(log, mine, len, size, lens, offsets, &all);
  tsr_free(&all);
  tsr_free(&offsets);
  tsr_free(&lens);
  TSR_CALL(err);
  return TSR_SUCCESS;
}

struct tsr_progress_s {
  tsr_log log;
  int64_t first, last;
  double start, last_print, interval;
  bool plain;
  bool printed;
};

/* mpirun hands rank 0 a pseudo-terminal even when its own output goes to a file, so a tty test
 * cannot tell a batch log from a terminal there; under a launcher we print plain lines. */
static bool under_launcher(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK") ||
         getenv("SLURM_PROCID");
}

tsr_err tsr_progress_create(tsr_log log, int64_t first_step, int64_t last_step, tsr_progress *p) {
  tsr_progress q;
  TSR_CALL(TSR_CALLOC(1, &q));
  q->log = log;
  q->first = first_step;
  q->last = last_step;
  q->start = MPI_Wtime();
  q->last_print = q->start;
  q->interval = 1.0;
  q->plain = !isatty(fileno(log->out)) || under_launcher();
  *p = q;
  return TSR_SUCCESS;
}

tsr_err tsr_progress_set_interval(tsr_progress p, double seconds) {
  TSR_CHECK(seconds >= 0, TSR_ERR_ARG, "progress interval must be >= 0, got %g", seconds);
  p->interval = seconds;
  return TSR_SUCCESS;
}

tsr_err tsr_progress_set_plain(tsr_progress p, bool plain) {
  p->plain = plain;
  return TSR_SUCCESS;
}

/* "1h02m", "3m05s" or "12.3s". */
static void format_duration(double s, char *buf, size_t size) {
  if (s >= 3600)
    snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
  else if (s >= 60)
    snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
  else
    snprintf(buf, size, "%.1fs", s);
}

tsr_err tsr_progress_update(tsr_progress p, int64_t step, double time) {
  if (p->log->rank != 0 || p->log->verbosity < 1) return TSR_SUCCESS;
  double now = MPI_Wtime();
  if (now - p->last_print < p->interval && step < p->last) return TSR_SUCCESS;
  p->last_print = now;
  double elapsed = now - p->start;
  double rate = elapsed > 0 ? (double)(step - p->first) / elapsed : 0;
  char eta[32] = "?";
  if (rate > 0) format_duration((double)(p->last - step) / rate, eta, sizeof eta);
  int64_t span = p->last - p->first;
  double pct = span > 0 ? 100.0 * (double)(step - p->first) / (double)span : 100.0;
  char line[256];
  snprintf(line, sizeof line, "step %lld/%lld (%5.1f%%)  t = %.6g  %.3g steps/s  ETA %s",
           (long long)step, (long long)p->last, pct, time, rate, eta);
  if (p->plain)
    fprintf(p->log->out, "%s\n", line);
  else
    fprintf(p->log->out, "\r%-78s", line);
  fflush(p->log->out);
  p->printed = true;
  return TSR_SUCCESS;
}

tsr_err tsr_progress_destroy(tsr_progress *p) {
  if (!p || !*p) return TSR_SUCCESS;
  if ((*p)->printed && !(*p)->plain && (*p)->log->rank == 0) fprintf((*p)->log->out, "\n");
  TSR_CALL(tsr_free(p));
  return TSR_SUCCESS;
}
