/**
 * @file event.h
 * @brief Named, nestable events: wall time, calls, messages, bytes and declared work, and the
 *        end-of-run report (`--log-view`, `--log-json FILE`).
 *
 * Every context owns one event registry (tsr_ctx_events()). The framework's own operations are
 * built-in events with fixed ids (TSR_EV_HALO_PACK ...); programs register their own by name
 * with tsr_event_register(). Between tsr_event_begin() and tsr_event_end() an event accumulates
 * wall time; tsr_event_add_messages(), tsr_event_add_flops() and tsr_event_add_bytes_moved()
 * add what the work sent or declared.
 *
 * Cost: while collection is off (no `--log-view` nor `--log-json`, and no
 * tsr_events_set_active()), begin, end and the add_* calls return after one branch. While it is
 * on, begin and end read the clock once each (docs/logging.md gives the measured costs).
 *
 * Nesting: events nest like brackets; an event's time is inclusive (it contains the time of
 * the events begun inside it), its self time excludes them. The time of a class (computation,
 * communication, I/O) counts wall time during which at least one event of that class is open,
 * so nested events of one class are never counted twice.
 *
 * Threads: begin, end and the add_* calls are made by the master thread only, outside OpenMP
 * parallel regions (like every MPI call under MPI_THREAD_FUNNELED).
 *
 * Ranks may register different events, in any order: the report merges them by name, and every
 * rank joins the same collectives whatever it registered or called.
 */
#ifndef TESSERA_EVENT_H
#define TESSERA_EVENT_H

#include <mpi.h>
#include <stdio.h>

#include "tessera/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of an event registry (one per context). */
typedef struct tsr_events_s *tsr_events;

/** Identifier of a registered event: a small index into its registry. */
typedef int tsr_event;

/** What an event's time counts as in the report's summary. */
typedef enum {
  TSR_EVENT_COMPUTE = 0, /**< computation (kernels, sweeps) */
  TSR_EVENT_COMM = 1,    /**< communication: halo exchanges and reductions */
  TSR_EVENT_IO = 2       /**< file input and output, checkpoints */
} tsr_event_class;

/** Number of event classes. */
#define TSR_EVENT_NCLASSES 3

/** Longest event name, without the terminating NUL. */
#define TSR_EVENT_NAME_MAX 47

/** Deepest nesting of open events. */
#define TSR_EVENT_MAX_DEPTH 32

/** Built-in events, registered in every registry at creation with these ids. */
enum {
  TSR_EV_HALO_POST = 0,    /**< "halo.post": start receives and sends; counts the messages */
  TSR_EV_HALO_PACK = 1,    /**< "halo.pack": copy send boxes into the buffers */
  TSR_EV_HALO_WAIT = 2,    /**< "halo.wait": wait for the messages of a round */
  TSR_EV_HALO_UNPACK = 3,  /**< "halo.unpack": copy received buffers into ghosts */
  TSR_EV_HALO_COPY = 4,    /**< "halo.copy": local copies for periodic self-neighbours */
  TSR_EV_REDUCE = 5,       /**< "reduce": blocking reduction; one message of n doubles */
  TSR_EV_REDUCE_BEGIN = 6, /**< "reduce.begin": start of a split-phase reduction */
  TSR_EV_REDUCE_WAIT = 7,  /**< "reduce.wait": wait of a split-phase reduction */
  TSR_EV_IO_WRITE = 8,     /**< "io.write": writing a snapshot (class I/O) */
  TSR_EV_IO_READ = 9,      /**< "io.read": reading a snapshot (class I/O) */
  TSR_EV_CHECKPOINT = 10,  /**< "checkpoint": writing a checkpoint (class I/O) */
  TSR_EV_NBUILTIN = 11     /**< number of built-in events */
};

/** What one event accumulated on this rank. */
typedef struct {
  const char *name;    /**< registered name (owned by the registry) */
  tsr_event_class cls; /**< class */
  int64_t count;       /**< completed begin/end pairs */
  double time;         /**< inclusive wall time in seconds */
  double self_time;    /**< time minus that of events nested inside */
  int64_t messages;    /**< messages sent */
  int64_t bytes;       /**< bytes sent */
  double flops;        /**< floating-point operations declared */
  double bytes_moved;  /**< memory traffic declared, in bytes */
} tsr_event_stats;

/** The run summary of the report, the same on every rank after tsr_events_get_summary(). */
typedef struct {
  int ranks;            /**< ranks in the registry's communicator */
  double total_max;     /**< total time: max over ranks (seconds since collection began) */
  double total_avg;     /**< total time: average over ranks */
  double comm_avg;      /**< communication time (class COMM), average over ranks */
  double comm_max;      /**< communication time, max over ranks */
  double compute_avg;   /**< computation time (class COMPUTE), average over ranks */
  double io_avg;        /**< I/O time (class IO), average over ranks */
  double comm_share;    /**< comm_avg / total_avg (0 when total_avg is 0) */
  double compute_share; /**< compute_avg / total_avg */
  char main_event[TSR_EVENT_NAME_MAX +
                  1];       /**< compute event with the largest max time ("" if none) */
  double main_imbalance;    /**< its max/min time over ranks (0 when some rank has 0 time) */
  double main_max_over_avg; /**< its max/avg time over ranks */
  int slowest_rank;         /**< rank with the most time outside communication (total - comm) */
  double slowest_busy;      /**< that rank's total - comm time */
} tsr_event_summary;

/**
 * Create a registry on @p comm (borrowed) with the built-in events registered and collection
 * off. Not collective.
 */
TSR_EXTERN tsr_err tsr_events_create(MPI_Comm comm, tsr_events *events);

/** Destroy the registry and set @p *events to NULL; accepts NULL. Not collective. */
TSR_EXTERN tsr_err tsr_events_destroy(tsr_events *events);

/**
 * Switch collection on or off. The first switch on starts the clock of the total time. Events
 * open when collection goes off are dropped. Not collective, but ranks should agree (the
 * report is only meaningful if they do). Errors: TSR_ERR_ARG (NULL).
 */
TSR_EXTERN tsr_err tsr_events_set_active(tsr_events events, bool active);

/** True while collection is on. */
TSR_EXTERN bool tsr_events_active(tsr_events events);

/**
 * Register an event named @p name (1 to TSR_EVENT_NAME_MAX printable characters) of class
 * @p cls and return its id in @p *id. Registering a name again returns the same id (programs
 * may register in any order, on any subset of ranks). Not collective.
 * Errors: TSR_ERR_ARG (bad name or class, the name registered with another class).
 */
TSR_EXTERN tsr_err tsr_event_register(tsr_events events, const char *name, tsr_event_class cls,
                                      tsr_event *id);

/**
 * Open event @p id. One branch when collection is off. Not collective; master thread only.
 * Errors (rank-local): TSR_ERR_ARG (unknown id), TSR_ERR_STATE (nesting deeper than
 * TSR_EVENT_MAX_DEPTH).
 */
TSR_EXTERN tsr_err tsr_event_begin(tsr_events events, tsr_event id);

/**
 * Close event @p id, which must be the innermost open event. Not collective; master thread
 * only. Errors (rank-local): TSR_ERR_ARG (unknown id), TSR_ERR_STATE (not the innermost open
 * event).
 */
TSR_EXTERN tsr_err tsr_event_end(tsr_events events, tsr_event id);

/** Count @p n messages carrying @p bytes bytes in all, sent by event @p id. Not collective. */
TSR_EXTERN tsr_err tsr_event_add_messages(tsr_events events, tsr_event id, int64_t n,
                                          int64_t bytes);

/** Declare @p flops floating-point operations done by event @p id. Not collective. */
TSR_EXTERN tsr_err tsr_event_add_flops(tsr_events events, tsr_event id, double flops);

/** Declare @p bytes of memory traffic done by event @p id. Not collective. */
TSR_EXTERN tsr_err tsr_event_add_bytes_moved(tsr_events events, tsr_event id, double bytes);

/**
 * What event @p id accumulated on this rank so far (counts are kept whether or not the event
 * is open; its time grows at each end). Not collective. Errors: TSR_ERR_ARG (unknown id).
 */
TSR_EXTERN tsr_err tsr_event_get_stats(tsr_events events, tsr_event id, tsr_event_stats *stats);

/**
 * Merge every rank's events by name and compute the summary; the result is the same on every
 * rank. Collective (every rank joins whatever it registered or called).
 */
TSR_EXTERN tsr_err tsr_events_get_summary(tsr_events events, tsr_event_summary *summary);

/**
 * Write the report: the event table and summary to @p out (on rank 0 only; NULL: no table) and
 * every rank's data as JSON to the file @p json_path (written by rank 0; NULL: no JSON).
 * Events no rank ever completed are left out. Collective.
 * Errors: TSR_ERR_FILE (collective) when the JSON file cannot be written.
 */
TSR_EXTERN tsr_err tsr_events_report(tsr_events events, FILE *out, const char *json_path);

/** Short name of a class: "comp", "comm" or "io". */
TSR_EXTERN const char *tsr_event_class_name(tsr_event_class cls);

#ifdef __cplusplus
}
#endif
#endif
