/* When to checkpoint and when to stop: signal handlers that only count, the wall-time limit
 * (given, or the Slurm job's end time), and the per-step decision, taken from one small
 * allreduce so that every rank acts at the same step.
 *
 * The allreduce is blocking rather than pipelined (an MPI_Iallreduce started at step s and
 * completed at s+1 would hide its latency but make every decision lag a step): it costs a few
 * microseconds per step on a node, small against any step worth checkpointing, and a stop then
 * happens at the step the signal or the limit was seen. */
#include "checkpoint_impl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const int ckpt_signals[CKPT_NSIGNALS] = {SIGUSR1, SIGTERM, SIGINT};

/* ---- signals ------------------------------------------------------------------------------ */

/* The one piece of process-wide state of the module, as a handler cannot be given a pointer:
 * how many stop signals arrived. The handler touches nothing else (async-signal-safe); the
 * three signals block each other while it runs, so the increment is never interleaved. */
static volatile sig_atomic_t signals_received;

static void on_signal(int sig) {
  (void)sig;
  signals_received = signals_received + 1;
}

sig_atomic_t ckpt_signal_count(void) {
  return signals_received;
}

tsr_err ckpt_signals_install(struct tsr_checkpoint_s *c) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART; /* system calls of MPI and HDF5 resume instead of failing (EINTR) */
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < CKPT_NSIGNALS; i++)
    sigaddset(&sa.sa_mask, ckpt_signals[i]);
  c->consumed = signals_received; /* signals from before this run's checkpointing are old */
  for (int i = 0; i < CKPT_NSIGNALS; i++)
    if (sigaction(ckpt_signals[i], &sa, &c->old_actions[i]) != 0) {
      int failed = i;
      for (i = 0; i < failed; i++)
        sigaction(ckpt_signals[i], &c->old_actions[i], NULL);
      TSR_ERROR_LOCAL(TSR_ERR_INTERNAL, "cannot install the handler of signal %d: %s",
                      ckpt_signals[failed], strerror(errno));
    }
  c->handlers_installed = true;
  return TSR_SUCCESS;
}

void ckpt_signals_restore(struct tsr_checkpoint_s *c) {
  if (!c->handlers_installed) return;
  for (int i = 0; i < CKPT_NSIGNALS; i++)
    sigaction(ckpt_signals[i], &c->old_actions[i], NULL);
  c->handlers_installed = false;
}

/* ---- wall-time limit ---------------------------------------------------------------------- */

/* Non-empty digits only, into @p out. */
static bool parse_count(const char *s, size_t len, double *out) {
  if (len == 0 || len > 12) return false;
  double v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!isdigit((unsigned char)s[i])) return false;
    v = 10 * v + (s[i] - '0');
  }
  *out = v;
  return true;
}

/* Up to three ':'-separated counts of @p text into @p part; their number in @p n. */
static bool split_counts(const char *text, double part[3], int *n) {
  *n = 0;
  for (const char *p = text;; (*n)++) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    if (*n == 3 || !parse_count(p, len, &part[*n])) return false;
    if (!colon) {
      (*n)++;
      return true;
    }
    p = colon + 1;
  }
}

bool ckpt_parse_walltime(const char *text, double *seconds) {
  if (!text || !text[0] || strcasecmp(text, "UNLIMITED") == 0 ||
      strcasecmp(text, "INFINITE") == 0) {
    *seconds = 0;
    return true;
  }
  const char *dash = strchr(text, '-');
  double days = 0, part[3];
  int n;
  if (dash) { /* D-HH, D-HH:MM, D-HH:MM:SS */
    if (!parse_count(text, (size_t)(dash - text), &days) || !split_counts(dash + 1, part, &n))
      return false;
    double h = part[0], m = n > 1 ? part[1] : 0, s = n > 2 ? part[2] : 0;
    *seconds = ((days * 24 + h) * 60 + m) * 60 + s;
    return true;
  }
  if (!strchr(text, ':')) { /* plain seconds, maybe fractional */
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end || errno || !isfinite(v) || v < 0 || !isdigit((unsigned char)text[0])) return false;
    *seconds = v;
    return true;
  }
  if (!split_counts(text, part, &n) || n < 2) return false;
  *seconds = n == 2 ? part[0] * 60 + part[1] : (part[0] * 60 + part[1]) * 60 + part[2];
  return true;
}

/* End time (seconds since the epoch) of Slurm job @p id: SLURM_JOB_END_TIME (newer Slurm
 * sets it), else squeue (Slurm 22.05 has no such variable). 0 when not found. */
static double slurm_end_time(const char *id, char *why, size_t size) {
  const char *env = getenv("SLURM_JOB_END_TIME");
  if (env && atof(env) > 0) return atof(env);
  for (const char *p = id; *p; p++)
    if (!isdigit((unsigned char)*p) && *p != '_') {
      snprintf(why, size, "job id '%s' is not a number", id);
      return 0;
    }
  char cmd[128], out[128] = "";
  snprintf(cmd, sizeof cmd, "timeout 10 squeue -h -j %s -o %%e 2>/dev/null", id);
  FILE *p = popen(cmd, "r");
  bool got = p && fgets(out, sizeof out, p);
  if (p) pclose(p);
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if (!got || sscanf(out, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec) != 6) {
    out[strcspn(out, "\n")] = '\0';
    snprintf(why, size, "squeue gave %s%s%s", got ? "'" : "no answer", got ? out : "",
             got ? "'" : "");
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1; /* squeue prints local time */
  return (double)mktime(&tm);
}

double ckpt_find_deadline(const struct tsr_checkpoint_s *c) {
  if (c->walltime > 0) return c->walltime_from + c->walltime;
  const char *job = getenv("SLURM_JOB_ID");
  if (!job || !job[0]) return 0;
  char why[256] = "";
  double end = slurm_end_time(job, why, sizeof why);
  tsr_log log = tsr_ctx_log(tsr_grid_ctx(c->grid));
  if (end <= 0) {
    tsr_log_printf(log, 1,
                   "checkpoint: note: the end time of Slurm job %s was not found (%s); no "
                   "wall-time limit (set --walltime)\n",
                   job, why);
    return 0;
  }
  double left = end - (double)time(NULL);
  tsr_log_printf(log, 1, "checkpoint: Slurm job %s ends in %.0f s\n", job, left);
  return tsr_wtime() + left;
}

/* ---- the step decision -------------------------------------------------------------------- */

/* Rank 0: seconds before the limit at which to stop. */
static double margin(const struct tsr_checkpoint_s *c) {
  double m = c->margin < 0 ? 60.0 : c->margin;
  return fmax(m, 3.0 * c->slowest_write);
}

/* The one line a stopped run prints (level 0: even --verbose 0 shows it, since the user must
 * know the run is not finished and how to continue it). */
static void announce(const struct tsr_checkpoint_s *c, tsr_stop_reason reason, int64_t step) {
  tsr_log log = tsr_ctx_log(tsr_grid_ctx(c->grid));
  char why[128];
  if (reason == TSR_STOP_SIGNAL)
    snprintf(why, sizeof why, "a stop signal (SIGUSR1, SIGTERM or SIGINT) arrived");
  else
    snprintf(why, sizeof why, "the wall-time limit is less than %.0f s away", margin(c));
  tsr_log_printf(log, 0,
                 "tessera: stopping at step %lld: %s; checkpoint: %s; continue with --restart "
                 "latest\n",
                 (long long)step, why, c->last_path);
}

tsr_err tsr_checkpoint_step(tsr_checkpoint ckpt, int64_t step, double time, tsr_stop_reason *stop) {
  TSR_CHECK(ckpt && stop, TSR_ERR_ARG, "tsr_checkpoint_step: NULL argument");
  *stop = TSR_STOP_NONE;
  TSR_CHECK(ckpt->is_setup, TSR_ERR_STATE,
            "tsr_checkpoint_step: the checkpointing is not set up (call tsr_checkpoint_setup)");
  /* Rank 0's clock decides the time-based events, so all ranks agree. */
  double now = ckpt->rank == 0 ? tsr_wtime() : 0;
  int mine[3] = {ckpt_signal_count() != ckpt->consumed,
                 ckpt->rank == 0 && ckpt->deadline > 0 && now >= ckpt->deadline - margin(ckpt),
                 ckpt->rank == 0 && ckpt->minutes > 0 &&
                     now - ckpt->last_time >= 60.0 * ckpt->minutes},
      all[3];
  TSR_CALL_MPI(MPI_Allreduce(mine, all, 3, MPI_INT, MPI_MAX, ckpt->comm));
  tsr_stop_reason reason = all[0] ? TSR_STOP_SIGNAL : all[1] ? TSR_STOP_WALLTIME : TSR_STOP_NONE;
  bool due = reason != TSR_STOP_NONE || all[2] || (ckpt->every > 0 && step % ckpt->every == 0);
  if (due && !(ckpt->have_written && ckpt->last_step == step)) {
    TSR_CALL(tsr_checkpoint_write(ckpt, step, time));
    if (reason == TSR_STOP_NONE && ckpt->signal_in_vote) reason = TSR_STOP_SIGNAL;
  }
  if (reason == TSR_STOP_NONE) return TSR_SUCCESS;
  ckpt->consumed = ckpt_signal_count();
  announce(ckpt, reason, step);
  ckpt->stopped = true;
  *stop = reason;
  return TSR_SUCCESS;
}
