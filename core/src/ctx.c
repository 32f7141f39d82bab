/* The run context: the only place that initialises MPI and duplicates a communicator. */
#define _GNU_SOURCE
#include "tessera/ctx.h"

#include <execinfo.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "tessera/mem.h"

struct tsr_ctx_s {
  MPI_Comm comm;      /* the library's duplicate of the user's communicator */
  MPI_Comm node_comm; /* ranks sharing this node */
  int rank, size;
  int nthreads;
  int thread_level;
  bool owns_mpi; /* we called MPI_Init_thread, so we finalize */
  tsr_options options;
  tsr_log log;
  tsr_events events;    /* event registry; collecting when a report was asked for */
  bool log_view;        /* --log-view: print the event table at destroy */
  const char *log_json; /* --log-json FILE: write the events as JSON at destroy (or NULL) */
  int next_tag, tag_ub;
  tsr_error_mode mode;
  tsr_error_handler prev_handler; /* restored at destroy */
  void *prev_user;
};

/* A rank-local failure: print what we know and a native backtrace, then end the job. */
static void abort_rank_local(tsr_ctx ctx, tsr_err code, const char *message) {
  fprintf(stderr, "[rank %d] tessera: error (%s): %s\n%s[rank %d] backtrace:\n", ctx->rank,
          tsr_error_name(code), message, tsr_error_traceback(), ctx->rank);
  void *frames[64];
  int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, fileno(stderr));
  fflush(stderr);
  MPI_Abort(ctx->comm, 1);
  abort(); /* not reached */
}

/* An error every rank sees alike: one message from rank 0, then everyone leaves with code 2.
 * Every rank reaches this point, so finalizing (a collective) is safe and keeps mpirun quiet
 * about processes that "exited without finalize". */
static void exit_collective(tsr_ctx ctx, const char *message) {
  if (ctx->rank == 0) {
    fprintf(stderr, "tessera: error: %s\n", message);
#ifdef TSR_DEBUG
    fprintf(stderr, "%s", tsr_error_traceback());
#endif
    fflush(stderr);
  }
  fflush(stdout);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
  exit(TSR_EXIT_USAGE);
}

static void ctx_error_handler(tsr_err code, tsr_error_kind kind, const char *message, void *user) {
  tsr_ctx ctx = user;
  if (ctx->mode == TSR_ERRMODE_RETURN) return;
  if (kind == TSR_ERROR_COLLECTIVE)
    exit_collective(ctx, message);
  else
    abort_rank_local(ctx, code, message);
}

static tsr_err init_mpi(tsr_ctx ctx, int *argc, char ***argv) {
  int initialized = 0;
  TSR_CALL_MPI(MPI_Initialized(&initialized));
  if (!initialized) {
    /* FUNNELED: threads compute, only the master thread talks to MPI. */
    TSR_CALL_MPI(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &ctx->thread_level));
    ctx->owns_mpi = true;
  } else {
    TSR_CALL_MPI(MPI_Query_thread(&ctx->thread_level));
  }
  return TSR_SUCCESS;
}

static tsr_err init_communicators(tsr_ctx ctx, MPI_Comm comm) {
  TSR_CALL_MPI(MPI_Comm_dup(comm, &ctx->comm));
  TSR_CALL_MPI(MPI_Comm_rank(ctx->comm, &ctx->rank));
  TSR_CALL_MPI(MPI_Comm_size(ctx->comm, &ctx->size));
  TSR_CALL_MPI(MPI_Comm_split_type(ctx->comm, MPI_COMM_TYPE_SHARED, ctx->rank, MPI_INFO_NULL,
                                   &ctx->node_comm));
  int *ub = NULL, flag = 0;
  TSR_CALL_MPI(MPI_Comm_get_attr(ctx->comm, MPI_TAG_UB, &ub, &flag));
  ctx->tag_ub = flag ? *ub : 32767; /* 32767 is the least the standard guarantees */
  ctx->next_tag = 1;
  return TSR_SUCCESS;
}

/* --log-view and --log-json: collection of events is on when either asks for a report. */
static tsr_err read_log_options(tsr_ctx ctx) {
  TSR_CALL(tsr_options_get_bool(ctx->options, "log-view",
                                "print the table of events (time, calls, messages, bytes, rates) "
                                "and the communication summary on rank 0 at the end of the run",
                                false, &ctx->log_view));
  TSR_CALL(tsr_options_get_string(ctx->options, "log-json",
                                  "write every rank's event data and the summary as JSON to this "
                                  "file at the end of the run",
                                  NULL, &ctx->log_json));
  TSR_CALL(tsr_events_create(ctx->comm, &ctx->events));
  if (ctx->log_view || ctx->log_json) TSR_CALL(tsr_events_set_active(ctx->events, true));
  return TSR_SUCCESS;
}

/* Threads per rank when the user did not say: OMP_NUM_THREADS if set; else, for a rank bound to
 * some cores, those cores; for an unbound rank, the node's cores shared among its ranks. The OpenMP
 * runtime's own default (all visible cores per rank) oversubscribes a node as soon as several
 * unbound ranks share it, and spinning threads then slow a run by orders of magnitude. */
static tsr_err default_thread_count(tsr_ctx ctx, int *threads) {
  *threads = 1;
#ifdef _OPENMP
  if (getenv("OMP_NUM_THREADS")) {
    *threads = omp_get_max_threads();
    return TSR_SUCCESS;
  }
  int node_ranks;
  TSR_CALL_MPI(MPI_Comm_size(ctx->node_comm, &node_ranks));
  int procs = omp_get_num_procs(); /* cores in this rank's affinity mask */
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  if (procs < online)
    *threads = procs; /* bound by the launcher to its own cores: use them all */
  else
    *threads = procs / node_ranks > 1 ? procs / node_ranks : 1; /* unbound: share the node */
#endif
  return TSR_SUCCESS;
}

/* Options of the context itself; the program registers its own afterwards. */
static tsr_err read_ctx_options(tsr_ctx ctx, bool *banner) {
  int64_t verbose, threads;
  TSR_CALL(tsr_options_get_int(ctx->options, "verbose",
                               "verbosity: 0 quiet, 1 normal, 2 and more chatty", 1, 0, 10,
                               &verbose));
  TSR_CALL(tsr_options_get_bool(ctx->options, "banner",
                                "print ranks, threads, MPI thread level and CPU binding at start",
                                false, banner));
  bool huge_pages;
  TSR_CALL(tsr_options_get_bool(ctx->options, "huge-pages",
                                "advise the kernel to back arrays of 4 MiB and more with 2 MiB "
                                "transparent huge pages (faster first touch and sweeps)",
                                true, &huge_pages));
  tsr_mem_set_huge_pages(huge_pages);
  int default_threads;
  TSR_CALL(default_thread_count(ctx, &default_threads));
  TSR_CALL(tsr_options_get_int(ctx->options, "threads",
                               "OpenMP threads per rank (default: OMP_NUM_THREADS, else the "
                               "cores this rank may use divided among the node's ranks)",
                               default_threads, 1, 4096, &threads));
#ifdef _OPENMP
  omp_set_num_threads((int)threads);
#else
  threads = 1;
#endif
  ctx->nthreads = (int)threads;
  TSR_CALL(tsr_log_create(ctx->comm, (int)verbose, stdout, &ctx->log));
  TSR_CALL(read_log_options(ctx));
  return TSR_SUCCESS;
}

tsr_err tsr_ctx_create(int *argc, char ***argv, MPI_Comm comm, tsr_ctx *out) {
  tsr_ctx ctx;
  *out = NULL;
  TSR_CALL(TSR_CALLOC(1, &ctx));
  ctx->comm = ctx->node_comm = MPI_COMM_NULL;
  TSR_CALL(init_mpi(ctx, argc, argv));
  TSR_CALL(init_communicators(ctx, comm));
  /* From here on errors go through this context's handler. */
  tsr_error_set_handler(ctx_error_handler, ctx, &ctx->prev_handler, &ctx->prev_user);
  int nargs = argc ? *argc : 0;
  char **args = argv ? *argv : NULL;
  TSR_CALL(tsr_options_create(ctx->comm, nargs, args, &ctx->options));
  bool banner = false;
  TSR_CALL(read_ctx_options(ctx, &banner));
  *out = ctx;
  if (banner) TSR_CALL(tsr_ctx_print_banner(ctx));
  return TSR_SUCCESS;
}

#ifdef TSR_DEBUG
/* Debug builds report blocks still allocated when the run ends. */
static void report_leaks(int rank) {
  tsr_mem_stats s;
  tsr_mem_get_stats(&s);
  if (s.live_blocks)
    fprintf(stderr, "[rank %d] tessera: %zu blocks (%zu bytes) still allocated at finalize\n", rank,
            s.live_blocks, s.bytes_in_use);
}
#endif

tsr_err tsr_ctx_destroy(tsr_ctx *pctx) {
  if (!pctx || !*pctx) return TSR_SUCCESS;
  tsr_ctx ctx = *pctx;
  bool owns_mpi = ctx->owns_mpi;
  int rank = ctx->rank;
  /* The report is collective: print it while the communicators and the handler still live. */
  /* A failed report (in return mode) still lets the context be freed; its code is returned. */
  tsr_err report_err = TSR_SUCCESS;
  if (ctx->events && (ctx->log_view || ctx->log_json))
    report_err = tsr_events_report(ctx->events, ctx->log_view ? stdout : NULL, ctx->log_json);
  tsr_error_set_handler(ctx->prev_handler, ctx->prev_user, NULL, NULL);
  TSR_CALL(tsr_events_destroy(&ctx->events));
  TSR_CALL(tsr_log_destroy(&ctx->log));
  TSR_CALL(tsr_options_destroy(&ctx->options));
  if (ctx->node_comm != MPI_COMM_NULL) TSR_CALL_MPI(MPI_Comm_free(&ctx->node_comm));
  if (ctx->comm != MPI_COMM_NULL) TSR_CALL_MPI(MPI_Comm_free(&ctx->comm));
  TSR_CALL(tsr_free(pctx));
#ifdef TSR_DEBUG
  report_leaks(rank);
#else
  (void)rank;
#endif
  if (owns_mpi) TSR_CALL_MPI(MPI_Finalize());
  return report_err;
}

MPI_Comm tsr_ctx_comm(tsr_ctx ctx) {
  return ctx->comm;
}

MPI_Comm tsr_ctx_node_comm(tsr_ctx ctx) {
  return ctx->node_comm;
}

int tsr_ctx_rank(tsr_ctx ctx) {
  return ctx->rank;
}

int tsr_ctx_size(tsr_ctx ctx) {
  return ctx->size;
}

int tsr_ctx_num_threads(tsr_ctx ctx) {
  return ctx->nthreads;
}

int tsr_ctx_thread_level(tsr_ctx ctx) {
  return ctx->thread_level;
}

tsr_options tsr_ctx_options(tsr_ctx ctx) {
  return ctx->options;
}

tsr_log tsr_ctx_log(tsr_ctx ctx) {
  return ctx->log;
}

tsr_events tsr_ctx_events(tsr_ctx ctx) {
  return ctx->events;
}

tsr_err tsr_ctx_reserve_tags(tsr_ctx ctx, int count, int *first) {
  TSR_CHECK(count > 0, TSR_ERR_ARG, "tag count must be positive, got %d", count);
  if (count > ctx->tag_ub - ctx->next_tag + 1)
    TSR_ERROR(TSR_ERR_SIZE, "out of MPI tags: %d asked, %d left (MPI_TAG_UB = %d)", count,
              ctx->tag_ub - ctx->next_tag + 1, ctx->tag_ub);
  *first = ctx->next_tag;
  ctx->next_tag += count;
  return TSR_SUCCESS;
}

tsr_err tsr_ctx_set_error_mode(tsr_ctx ctx, tsr_error_mode mode) {
  TSR_CHECK(mode == TSR_ERRMODE_EXIT || mode == TSR_ERRMODE_RETURN, TSR_ERR_ARG,
            "unknown error mode %d (expected TSR_ERRMODE_EXIT or TSR_ERRMODE_RETURN)", (int)mode);
  ctx->mode = mode;
  return TSR_SUCCESS;
}

static const char *thread_level_name(int level) {
  switch (level) {
  case MPI_THREAD_SINGLE:
    return "MPI_THREAD_SINGLE";
  case MPI_THREAD_FUNNELED:
    return "MPI_THREAD_FUNNELED";
  case MPI_THREAD_SERIALIZED:
    return "MPI_THREAD_SERIALIZED";
  case MPI_THREAD_MULTIPLE:
    return "MPI_THREAD_MULTIPLE";
  default:
    return "unknown";
  }
}

/* This process's CPU affinity as a compact list, e.g. "0-3,8". */
static void format_affinity(char *buf, size_t size) {
  cpu_set_t set;
  buf[0] = '\0';
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    snprintf(buf, size, "unknown");
    return;
  }
  size_t used = 0;
  for (int c = 0; c < CPU_SETSIZE && used + 16 < size; c++) {
    if (!CPU_ISSET(c, &set)) continue;
    int last = c;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
      last++;
    used += (size_t)snprintf(buf + used, size - used, "%s%d", used ? "," : "", c);
    if (last > c) used += (size_t)snprintf(buf + used, size - used, "-%d", last);
    c = last;
  }
}

/* CPUs in this process's affinity mask (0 when unknown). */
static int affinity_count(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return CPU_COUNT(&set);
}

tsr_err tsr_ctx_binding_summary(tsr_ctx ctx, char *buf, size_t size) {
  TSR_CHECK(ctx && buf && size > 0, TSR_ERR_ARG, "tsr_ctx_binding_summary: NULL or empty buffer");
  int mine[2] = {affinity_count(), -affinity_count()}, both[2];
  TSR_CALL_MPI(MPI_Allreduce(mine, both, 2, MPI_INT, MPI_MIN, ctx->comm));
  const int lo = both[0], hi = -both[1];
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  if (lo == 0)
    snprintf(buf, size, "unknown");
  else if (lo == hi && online > 0 && lo >= online)
    snprintf(buf, size, "unbound (each rank may run on all %d cpus)", lo);
  else if (lo == hi)
    snprintf(buf, size, "each rank bound to %d cpu%s", lo, lo == 1 ? "" : "s");
  else
    snprintf(buf, size, "ranks bound to %d to %d cpus", lo, hi);
  return TSR_SUCCESS;
}

tsr_err tsr_ctx_print_banner(tsr_ctx ctx) {
  char host[64] = "?", cpus[128];
  gethostname(host, sizeof host);
  host[sizeof host - 1] = '\0';
  format_affinity(cpus, sizeof cpus);
  TSR_CALL(tsr_log_printf(ctx->log, 1, "Tessera %s: %d ranks x %d threads, %s\n",
                          TSR_VERSION_STRING, ctx->size, ctx->nthreads,
                          thread_level_name(ctx->thread_level)));
  TSR_CALL(tsr_log_printf_all(ctx->log, 1, "host %s, cpus %s", host, cpus));
  return TSR_SUCCESS;
}

double tsr_wtime(void) {
  return MPI_Wtime();
}
