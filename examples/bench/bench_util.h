/* bench_util: what every Tessera benchmark program shares.
 *
 *   - timing: a piece of work run --repeat times, each repeat started after a barrier and
 *     timed as the slowest rank's time (the work is done when every rank is done), reported
 *     as median, minimum and maximum;
 *   - a report: rows of named numbers grouped in sections, printed as tables on rank 0 and
 *     written as one JSON document with --json FILE (rank 0 writes), with a "meta" object
 *     describing the run (ranks, threads, binding, build).
 *
 * The programs are measurements, not tests: nothing here judges a figure. */
#ifndef TSR_BENCH_UTIL_H
#define TSR_BENCH_UTIL_H

#include <stdio.h>

#include "tessera_kernels.h"

/** Options every benchmark reads. */
typedef struct {
  int repeat;            /**< --repeat N: timed repeats of each measurement (median reported) */
  const char *json_path; /**< --json FILE: where rank 0 writes the JSON report (NULL: none) */
} bench_common;

/** Register and read --repeat and --json. Not collective (every rank makes the same calls). */
tsr_err bench_read_common(tsr_options opts, bench_common *common);

/** Most samples one statistic is taken over (larger counts are refused as options). */
#define BENCH_MAX_SAMPLES 4096

/** Median, minimum and maximum of a set of samples. */
typedef struct {
  double med; /**< median (mean of the two middle samples for an even count) */
  double min; /**< smallest sample */
  double max; /**< largest sample */
} bench_stats;

/** Statistics of @p n samples, 1 <= n <= BENCH_MAX_SAMPLES (the array is left unchanged). */
bench_stats bench_stats_of(const double *samples, int n);

/** Statistics of the rates @p work / samples[i] (a rate's minimum comes from the longest time). */
bench_stats bench_rate_stats(const double *samples, int n, double work);

/** One piece of timed work, run on every rank at once. */
typedef tsr_err (*bench_work)(void *arg);

/**
 * Run @p work @p repeat times; before each repeat all ranks meet at a barrier, and the repeat's
 * time (seconds, into @p samples[r]) is the largest over ranks. Collective.
 */
tsr_err bench_time(tsr_ctx ctx, int repeat, bench_work work, void *arg, double *samples);

/** Barrier on the context's communicator (for work that times its own phases). Collective. */
tsr_err bench_barrier(tsr_ctx ctx);

/** Largest value of @p local over all ranks. Collective. */
tsr_err bench_max(tsr_ctx ctx, double local, double *global);

/** Sum of @p local over all ranks. Collective. */
tsr_err bench_sum(tsr_ctx ctx, double local, double *global);

#define BENCH_KEY_LEN 32
#define BENCH_STR_LEN 96
#define BENCH_MAX_FIELDS 28
#define BENCH_MAX_ROWS 160

/** A named value in a row: a number or a string. */
typedef struct {
  char key[BENCH_KEY_LEN];
  char str[BENCH_STR_LEN];
  double num;
  bool is_str;
} bench_field;

/** One result: the section it belongs to and its fields in insertion order. */
typedef struct {
  char section[BENCH_KEY_LEN];
  bench_field field[BENCH_MAX_FIELDS];
  int nfields;
} bench_row;

/** The results of one program run. */
typedef struct {
  bench_row meta;
  bench_row *rows;
  int nrows;
} bench_report;

/**
 * Start a report for benchmark @p name: meta fields benchmark, ranks, threads, repeat,
 * binding, tessera version, build type and flags, host and UTC time. Collective (the binding
 * summary gathers every rank's).
 */
tsr_err bench_report_create(tsr_ctx ctx, const char *name, const bench_common *common,
                            bench_report *rep);

/** Free the report's rows. */
tsr_err bench_report_destroy(bench_report *rep);

/** Append a row to @p section with field "name" = @p name. Errors: TSR_ERR_SIZE when full. */
tsr_err bench_add_row(bench_report *rep, const char *section, const char *name, bench_row **row);

/** Set number @p key of @p row (replacing an earlier value). Errors: TSR_ERR_SIZE when full. */
tsr_err bench_num(bench_row *row, const char *key, double value);

/** Set string @p key of @p row. Errors: TSR_ERR_SIZE when full. */
tsr_err bench_str(bench_row *row, const char *key, const char *value);

/** Set @p prefix_med, @p prefix_min and @p prefix_max from @p s. */
tsr_err bench_put_stats(bench_row *row, const char *prefix, bench_stats s);

/** Number @p key of @p row, or NaN when absent. */
double bench_get(const bench_row *row, const char *key);

/** A column of a printed table: the field's key, its heading and a printf format for it. */
typedef struct {
  const char *key;
  const char *heading;
  const char *format; /**< e.g. "%.3g"; strings always print with %s */
} bench_col;

/** Print the rows of @p section as a table under @p title on rank 0. */
void bench_print_table(tsr_ctx ctx, const bench_report *rep, const char *section, const char *title,
                       const bench_col *cols, int ncols);

/** Write the report as JSON to @p path on rank 0 (NULL path: nothing). Rank-local errors. */
tsr_err bench_write_json(tsr_ctx ctx, const bench_report *rep, const char *path);

#endif
