/* bench_util: timing with repeats, tables and JSON for Tessera's benchmark programs. */
#include "bench_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef TSR_BENCH_BUILD_TYPE
#define TSR_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef TSR_BENCH_C_FLAGS
#define TSR_BENCH_C_FLAGS ""
#endif

tsr_err bench_read_common(tsr_options opts, bench_common *common) {
  int64_t repeat;
  TSR_CALL(tsr_options_get_int(opts, "repeat",
                               "timed repeats of each measurement (the median is reported, "
                               "with the minimum and maximum)",
                               5, 1, BENCH_MAX_SAMPLES, &repeat));
  common->repeat = (int)repeat;
  TSR_CALL(tsr_options_get_string(opts, "json", "write the results as JSON to this file", NULL,
                                  &common->json_path));
  return TSR_SUCCESS;
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Samples are few (at most BENCH_MAX_SAMPLES): a copy on the stack keeps the caller's order. */

bench_stats bench_stats_of(const double *samples, int n) {
  double sorted[BENCH_MAX_SAMPLES];
  if (n > BENCH_MAX_SAMPLES) n = BENCH_MAX_SAMPLES;
  memcpy(sorted, samples, (size_t)n * sizeof(double));
  qsort(sorted, (size_t)n, sizeof(double), compare_doubles);
  bench_stats s = {.min = sorted[0], .max = sorted[n - 1]};
  s.med = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  return s;
}

bench_stats bench_rate_stats(const double *samples, int n, double work) {
  double rates[BENCH_MAX_SAMPLES];
  if (n > BENCH_MAX_SAMPLES) n = BENCH_MAX_SAMPLES;
  for (int i = 0; i < n; i++)
    rates[i] = samples[i] > 0 ? work / samples[i] : 0.0;
  return bench_stats_of(rates, n);
}

tsr_err bench_barrier(tsr_ctx ctx) {
  TSR_CALL_MPI(MPI_Barrier(tsr_ctx_comm(ctx)));
  return TSR_SUCCESS;
}

tsr_err bench_max(tsr_ctx ctx, double local, double *global) {
  TSR_CALL_MPI(MPI_Allreduce(&local, global, 1, MPI_DOUBLE, MPI_MAX, tsr_ctx_comm(ctx)));
  return TSR_SUCCESS;
}

tsr_err bench_sum(tsr_ctx ctx, double local, double *global) {
  TSR_CALL_MPI(MPI_Allreduce(&local, global, 1, MPI_DOUBLE, MPI_SUM, tsr_ctx_comm(ctx)));
  return TSR_SUCCESS;
}

tsr_err bench_time(tsr_ctx ctx, int repeat, bench_work work, void *arg, double *samples) {
  for (int r = 0; r < repeat; r++) {
    TSR_CALL(bench_barrier(ctx));
    const double t0 = tsr_wtime();
    TSR_CALL(work(arg));
    TSR_CALL(bench_max(ctx, tsr_wtime() - t0, &samples[r]));
  }
  return TSR_SUCCESS;
}

/* ---- report ---------------------------------------------------------------------------- */

static bench_field *find_field(bench_row *row, const char *key) {
  for (int i = 0; i < row->nfields; i++)
    if (strcmp(row->field[i].key, key) == 0) return &row->field[i];
  return NULL;
}

static tsr_err new_field(bench_row *row, const char *key, bench_field **f) {
  *f = find_field(row, key);
  if (*f) return TSR_SUCCESS;
  if (row->nfields == BENCH_MAX_FIELDS || strlen(key) >= BENCH_KEY_LEN)
    TSR_ERROR_LOCAL(TSR_ERR_SIZE, "bench: no room for field '%s' (at most %d fields of %d chars)",
                    key, BENCH_MAX_FIELDS, BENCH_KEY_LEN - 1);
  *f = &row->field[row->nfields++];
  snprintf((*f)->key, sizeof((*f)->key), "%s", key);
  return TSR_SUCCESS;
}

tsr_err bench_num(bench_row *row, const char *key, double value) {
  bench_field *f;
  TSR_CALL(new_field(row, key, &f));
  f->num = value;
  f->is_str = false;
  return TSR_SUCCESS;
}

tsr_err bench_str(bench_row *row, const char *key, const char *value) {
  bench_field *f;
  TSR_CALL(new_field(row, key, &f));
  snprintf(f->str, sizeof(f->str), "%s", value);
  f->is_str = true;
  return TSR_SUCCESS;
}

tsr_err bench_put_stats(bench_row *row, const char *prefix, bench_stats s) {
  char key[BENCH_KEY_LEN];
  snprintf(key, sizeof(key), "%s_med", prefix);
  TSR_CALL(bench_num(row, key, s.med));
  snprintf(key, sizeof(key), "%s_min", prefix);
  TSR_CALL(bench_num(row, key, s.min));
  snprintf(key, sizeof(key), "%s_max", prefix);
  TSR_CALL(bench_num(row, key, s.max));
  return TSR_SUCCESS;
}

double bench_get(const bench_row *row, const char *key) {
  for (int i = 0; i < row->nfields; i++)
    if (strcmp(row->field[i].key, key) == 0 && !row->field[i].is_str) return row->field[i].num;
  return NAN;
}

tsr_err bench_report_create(tsr_ctx ctx, const char *name, const bench_common *common,
                            bench_report *rep) {
  *rep = (bench_report){0};
  TSR_CALL(TSR_CALLOC(BENCH_MAX_ROWS, &rep->rows));
  bench_row *m = &rep->meta;
  char binding[BENCH_STR_LEN], host[64] = "unknown", when[32];
  TSR_CALL(tsr_ctx_binding_summary(ctx, binding, sizeof(binding)));
  gethostname(host, sizeof(host) - 1);
  const time_t now = time(NULL);
  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  TSR_CALL(bench_str(m, "benchmark", name));
  TSR_CALL(bench_num(m, "ranks", tsr_ctx_size(ctx)));
  TSR_CALL(bench_num(m, "threads", tsr_ctx_num_threads(ctx)));
  TSR_CALL(bench_num(m, "repeat", common->repeat));
  /* The summary reads the master thread's CPU set, which OMP_PROC_BIND narrows to one place
   * once a parallel region has run: the OpenMP settings tell the rest. */
  TSR_CALL(bench_str(m, "binding", binding));
  const char *bind = getenv("OMP_PROC_BIND"), *places = getenv("OMP_PLACES");
  TSR_CALL(bench_str(m, "omp_proc_bind", bind ? bind : ""));
  TSR_CALL(bench_str(m, "omp_places", places ? places : ""));
  TSR_CALL(bench_str(m, "tessera", TSR_VERSION_STRING));
  TSR_CALL(bench_str(m, "build_type", TSR_BENCH_BUILD_TYPE));
  TSR_CALL(bench_str(m, "c_flags", TSR_BENCH_C_FLAGS));
  TSR_CALL(bench_str(m, "host", host));
  TSR_CALL(bench_str(m, "utc", when));
  return TSR_SUCCESS;
}

tsr_err bench_report_destroy(bench_report *rep) {
  TSR_CALL(tsr_free(&rep->rows));
  rep->nrows = 0;
  return TSR_SUCCESS;
}

tsr_err bench_add_row(bench_report *rep, const char *section, const char *name, bench_row **row) {
  if (rep->nrows == BENCH_MAX_ROWS)
    TSR_ERROR_LOCAL(TSR_ERR_SIZE, "bench: more than %d result rows", BENCH_MAX_ROWS);
  *row = &rep->rows[rep->nrows++];
  **row = (bench_row){0};
  snprintf((*row)->section, sizeof((*row)->section), "%s", section);
  TSR_CALL(bench_str(*row, "name", name));
  return TSR_SUCCESS;
}

/* ---- printing -------------------------------------------------------------------------- */

static void format_cell(const bench_row *row, const bench_col *col, char *buf, size_t size) {
  for (int i = 0; i < row->nfields; i++) {
    const bench_field *f = &row->field[i];
    if (strcmp(f->key, col->key) != 0) continue;
    if (f->is_str)
      snprintf(buf, size, "%s", f->str);
    else if (isnan(f->num))
      snprintf(buf, size, "-");
    else
      snprintf(buf, size, col->format, f->num);
    return;
  }
  snprintf(buf, size, "-");
}

void bench_print_table(tsr_ctx ctx, const bench_report *rep, const char *section, const char *title,
                       const bench_col *cols, int ncols) {
  if (tsr_ctx_rank(ctx) != 0) return;
  enum { max_cols = 16 };
  int width[max_cols];
  char cell[BENCH_STR_LEN];
  if (ncols > max_cols) ncols = max_cols;
  for (int c = 0; c < ncols; c++) {
    width[c] = (int)strlen(cols[c].heading);
    for (int r = 0; r < rep->nrows; r++) {
      if (strcmp(rep->rows[r].section, section) != 0) continue;
      format_cell(&rep->rows[r], &cols[c], cell, sizeof(cell));
      if ((int)strlen(cell) > width[c]) width[c] = (int)strlen(cell);
    }
  }
  printf("\n%s\n", title);
  for (int c = 0; c < ncols; c++)
    printf(c == 0 ? "%-*s" : "  %*s", width[c], cols[c].heading);
  printf("\n");
  for (int r = 0; r < rep->nrows; r++) {
    if (strcmp(rep->rows[r].section, section) != 0) continue;
    for (int c = 0; c < ncols; c++) {
      format_cell(&rep->rows[r], &cols[c], cell, sizeof(cell));
      printf(c == 0 ? "%-*s" : "  %*s", width[c], cell);
    }
    printf("\n");
  }
  fflush(stdout);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    const unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

/* JSON has no NaN or infinity: a number that is not finite is written as null. */
static void json_row(FILE *f, const bench_row *row, const char *indent) {
  fprintf(f, "{");
  if (row->section[0]) {
    fprintf(f, "\n%s\"section\": ", indent);
    json_string(f, row->section);
    if (row->nfields) fprintf(f, ",");
  }
  for (int i = 0; i < row->nfields; i++) {
    const bench_field *x = &row->field[i];
    fprintf(f, "\n%s", indent);
    json_string(f, x->key);
    fprintf(f, ": ");
    if (x->is_str)
      json_string(f, x->str);
    else if (isfinite(x->num))
      fprintf(f, "%.10g", x->num);
    else
      fprintf(f, "null");
    if (i + 1 < row->nfields) fprintf(f, ",");
  }
  fprintf(f, "}");
}

tsr_err bench_write_json(tsr_ctx ctx, const bench_report *rep, const char *path) {
  if (!path || tsr_ctx_rank(ctx) != 0) return TSR_SUCCESS;
  FILE *f = fopen(path, "w");
  if (!f) TSR_ERROR_LOCAL(TSR_ERR_FILE, "bench: cannot write JSON file '%s'", path);
  fprintf(f, "{\n\"meta\": ");
  json_row(f, &rep->meta, "  ");
  fprintf(f, ",\n\"results\": [");
  for (int r = 0; r < rep->nrows; r++) {
    fprintf(f, "%s\n ", r ? "," : "");
    json_row(f, &rep->rows[r], "  ");
  }
  fprintf(f, "\n]\n}\n");
  if (fclose(f) != 0) TSR_ERROR_LOCAL(TSR_ERR_FILE, "bench: error writing JSON file '%s'", path);
  return TSR_SUCCESS;
}
