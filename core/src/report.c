/* The end-of-run report: every rank's events gathered to rank 0 and merged by name, then the
 * table (--log-view), the JSON file (--log-json) and the summary. Every rank joins the same
 * collectives (a gather of sizes, a gatherv of records, a broadcast of the outcome) whatever
 * events it registered or called, so the report cannot deadlock. */
#include "event_impl.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "tessera/mem.h"

/* What each rank sends besides its records. */
typedef struct {
  double total;
  double class_time[TSR_EVENT_NCLASSES];
  int nevents;
} rank_head;

/* One event merged over ranks (rank 0): the record of each rank (zeros where a rank never
 * registered it) and the figures of the table. */
typedef struct {
  char name[TSR_EVENT_NAME_MAX + 1];
  int cls;
  event_rec *per_rank;
  int64_t count_max, messages, bytes;
  double time_max, time_min, time_avg, self_avg, flops, bytes_moved;
} merged_event;

typedef struct {
  int size;
  rank_head *heads;
  merged_event *m;
  int nm;
} gathered;

static tsr_err gathered_free(gathered *g) {
  for (int i = 0; i < g->nm; i++)
    TSR_CALL(tsr_free(&g->m[i].per_rank));
  TSR_CALL(tsr_free(&g->m));
  TSR_CALL(tsr_free(&g->heads));
  return TSR_SUCCESS;
}

/* The merged event named @p name, appended (with zeroed ranks) when new. */
static tsr_err find_or_add(gathered *g, int *cap, const event_rec *r, merged_event **out) {
  for (int i = 0; i < g->nm; i++)
    if (strcmp(g->m[i].name, r->name) == 0) {
      *out = &g->m[i];
      return TSR_SUCCESS;
    }
  if (g->nm == *cap) {
    int grown_cap = *cap ? 2 * *cap : 32;
    merged_event *grown;
    TSR_CALL(TSR_CALLOC(grown_cap, &grown));
    if (g->nm) memcpy(grown, g->m, (size_t)g->nm * sizeof *grown);
    TSR_CALL(tsr_free(&g->m));
    g->m = grown;
    *cap = grown_cap;
  }
  merged_event *m = &g->m[g->nm++];
  memcpy(m->name, r->name, sizeof m->name);
  m->cls = r->cls;
  TSR_CALL(TSR_CALLOC(g->size, &m->per_rank));
  *out = m;
  return TSR_SUCCESS;
}

static void compute_figures(merged_event *m, int size) {
  m->time_min = INFINITY;
  double time_sum = 0, self_sum = 0;
  for (int r = 0; r < size; r++) {
    const event_rec *e = &m->per_rank[r];
    if (e->count > m->count_max) m->count_max = e->count;
    m->time_max = fmax(m->time_max, e->time);
    m->time_min = fmin(m->time_min, e->time);
    time_sum += e->time;
    self_sum += e->self_time;
    m->messages += e->messages;
    m->bytes += e->bytes;
    m->flops += e->flops;
    m->bytes_moved += e->bytes_moved;
  }
  m->time_avg = time_sum / size;
  m->self_avg = self_sum / size;
}

/* Merge the gathered records of every rank by name, in order of first appearance. */
static tsr_err merge(gathered *g, const event_rec *all) {
  int cap = 0;
  const event_rec *rec = all;
  for (int r = 0; r < g->size; r++)
    for (int i = 0; i < g->heads[r].nevents; i++, rec++) {
      merged_event *m;
      TSR_CALL(find_or_add(g, &cap, rec, &m));
      m->per_rank[r] = *rec;
    }
  for (int i = 0; i < g->nm; i++)
    compute_figures(&g->m[i], g->size);
  return TSR_SUCCESS;
}

/* Gather every rank's head and records to rank 0 and merge them there. Collective. */
static tsr_err gather_events(tsr_events e, gathered *g) {
  memset(g, 0, sizeof *g);
  g->size = e->size;
  rank_head mine = {.total = e->started ? tsr_event_clock_() - e->t0 : 0, .nevents = e->n};
  for (int c = 0; c < TSR_EVENT_NCLASSES; c++)
    mine.class_time[c] = e->class_time[c];
  if (e->rank == 0) TSR_CALL(TSR_CALLOC(e->size, &g->heads));
  TSR_CALL_MPI(MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, g->heads, (int)sizeof mine, MPI_BYTE,
                          0, e->comm));
  int *counts = NULL, *displs = NULL, nbytes;
  event_rec *all = NULL;
  TSR_CALL(tsr_cast_int((int64_t)e->n * (int64_t)sizeof(event_rec), "event record bytes", &nbytes));
  if (e->rank == 0) {
    TSR_CALL(TSR_MALLOC(e->size, &counts));
    TSR_CALL(TSR_MALLOC(e->size, &displs));
    int64_t total = 0;
    for (int r = 0; r < e->size; r++) {
      TSR_CALL(tsr_cast_int((int64_t)g->heads[r].nevents * (int64_t)sizeof(event_rec),
                            "gathered event record bytes", &counts[r]));
      TSR_CALL(tsr_cast_int(total, "gathered event record offset", &displs[r]));
      total += counts[r];
    }
    TSR_CALL(tsr_malloc((size_t)(total > 0 ? total : 1), &all));
  }
  TSR_CALL_MPI(MPI_Gatherv(e->ev, nbytes, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, e->comm));
  if (e->rank == 0) TSR_CALL(merge(g, all));
  TSR_CALL(tsr_free(&all));
  TSR_CALL(tsr_free(&displs));
  TSR_CALL(tsr_free(&counts));
  return TSR_SUCCESS;
}

/* The summary on rank 0 from the gathered data. */
static void summarize(const gathered *g, tsr_event_summary *s) {
  memset(s, 0, sizeof *s);
  s->ranks = g->size;
  double busy_max = -1;
  for (int r = 0; r < g->size; r++) {
    const rank_head *h = &g->heads[r];
    s->total_max = fmax(s->total_max, h->total);
    s->total_avg += h->total / g->size;
    s->comm_avg += h->class_time[TSR_EVENT_COMM] / g->size;
    s->comm_max = fmax(s->comm_max, h->class_time[TSR_EVENT_COMM]);
    s->compute_avg += h->class_time[TSR_EVENT_COMPUTE] / g->size;
    s->io_avg += h->class_time[TSR_EVENT_IO] / g->size;
    const double busy = h->total - h->class_time[TSR_EVENT_COMM];
    if (busy > busy_max) {
      busy_max = busy;
      s->slowest_rank = r;
    }
  }
  s->slowest_busy = busy_max > 0 ? busy_max : 0;
  if (s->total_avg > 0) {
    s->comm_share = s->comm_avg / s->total_avg;
    s->compute_share = s->compute_avg / s->total_avg;
  }
  const merged_event *main_ev = NULL;
  for (int i = 0; i < g->nm; i++)
    if (g->m[i].cls == TSR_EVENT_COMPUTE && g->m[i].count_max > 0 &&
        (!main_ev || g->m[i].time_max > main_ev->time_max))
      main_ev = &g->m[i];
  if (main_ev) {
    memcpy(s->main_event, main_ev->name, sizeof s->main_event);
    s->main_imbalance = main_ev->time_min > 0 ? main_ev->time_max / main_ev->time_min : 0;
    s->main_max_over_avg = main_ev->time_avg > 0 ? main_ev->time_max / main_ev->time_avg : 0;
  }
}

/* Summary on rank 0, broadcast so every rank returns the same. Collective. */
static tsr_err share_summary(tsr_events e, const gathered *g, tsr_event_summary *s) {
  if (e->rank == 0) summarize(g, s);
  TSR_CALL_MPI(MPI_Bcast(s, (int)sizeof *s, MPI_BYTE, 0, e->comm));
  return TSR_SUCCESS;
}

tsr_err tsr_events_get_summary(tsr_events events, tsr_event_summary *summary) {
  TSR_CHECK(events && summary, TSR_ERR_ARG, "tsr_events_get_summary: NULL registry or summary");
  gathered g;
  TSR_CALL(gather_events(events, &g));
  TSR_CALL(share_summary(events, &g, summary));
  TSR_CALL(gathered_free(&g));
  return TSR_SUCCESS;
}

/* ---- the table ---- */

static int name_width(const gathered *g) {
  int w = 12;
  for (int i = 0; i < g->nm; i++)
    if (g->m[i].count_max > 0 && (int)strlen(g->m[i].name) > w) w = (int)strlen(g->m[i].name);
  return w;
}

/* GB/s of an event: declared memory traffic, or for communication the bytes sent; over the
 * slowest rank's time. 0 when there is nothing to rate. */
static double gbytes_rate(const merged_event *m) {
  const double bytes = m->bytes_moved > 0 ? m->bytes_moved : (double)m->bytes;
  return m->time_max > 0 && bytes > 0 ? bytes / m->time_max * 1e-9 : 0;
}

static double gflops_rate(const merged_event *m) {
  return m->time_max > 0 && m->flops > 0 ? m->flops / m->time_max * 1e-9 : 0;
}

static void print_rate(FILE *out, double rate) {
  if (rate > 0)
    fprintf(out, " %8.3g", rate);
  else
    fprintf(out, " %8s", "-");
}

static void print_row(FILE *out, const merged_event *m, int w, double total_max) {
  fprintf(out, "%-*s %-5s %9lld %10.4e %10.4e", w, m->name, tsr_event_class_name(m->cls),
          (long long)m->count_max, m->time_max, m->time_avg);
  if (m->time_min > 0)
    fprintf(out, " %7.2f", m->time_max / m->time_min);
  else
    fprintf(out, " %7s", "-");
  fprintf(out, " %6.1f %10.4e %10lld %12lld", total_max > 0 ? 100 * m->time_max / total_max : 0,
          m->self_avg, (long long)m->messages, (long long)m->bytes);
  print_rate(out, gflops_rate(m));
  print_rate(out, gbytes_rate(m));
  fprintf(out, "\n");
}

static void print_summary(FILE *out, const tsr_event_summary *s) {
  const double other =
      1 - s->comm_share - s->compute_share - (s->total_avg > 0 ? s->io_avg / s->total_avg : 0);
  fprintf(out, "Summary\n");
  fprintf(out, "  total time          %.4f s max over ranks, %.4f s avg\n", s->total_max,
          s->total_avg);
  fprintf(out,
          "  communication       %5.1f %% of total (%.4f s avg, %.4f s max per rank; halo + "
          "reductions)\n",
          100 * s->comm_share, s->comm_avg, s->comm_max);
  fprintf(out, "  computation         %5.1f %% of total (%.4f s avg; events of class comp)\n",
          100 * s->compute_share, s->compute_avg);
  if (s->io_avg > 0)
    fprintf(out, "  I/O                 %5.1f %% of total (%.4f s avg)\n",
            100 * s->io_avg / s->total_avg, s->io_avg);
  fprintf(out, "  outside events      %5.1f %% of total\n", 100 * (other > 0 ? other : 0));
  if (s->main_event[0]) {
    fprintf(out, "  main compute event  %s: imbalance max/min ", s->main_event);
    if (s->main_imbalance > 0)
      fprintf(out, "%.3f", s->main_imbalance);
    else
      fprintf(out, "- (a rank spent no time in it)");
    fprintf(out, ", max/avg %.3f\n", s->main_max_over_avg);
  }
  fprintf(out, "  slowest rank        %d (%.4f s outside communication)\n", s->slowest_rank,
          s->slowest_busy);
}

static void print_table(FILE *out, const gathered *g, const tsr_event_summary *s) {
  const int w = name_width(g);
  const int line = w + 112;
  char rule[256];
  memset(rule, '-', sizeof rule - 1);
  rule[line < (int)sizeof rule - 1 ? line : (int)sizeof rule - 1] = '\0';
  fprintf(out, "%s\nTessera event report (--log-view): %d ranks, %.4f s\n%s\n", rule, g->size,
          s->total_max, rule);
  fprintf(out, "%-*s %-5s %9s %10s %10s %7s %6s %10s %10s %12s %8s %8s\n", w, "Event", "Class",
          "Count", "Time max", "Time avg", "Max/min", "%Total", "Self avg", "Messages", "Bytes",
          "GF/s", "GB/s");
  for (int i = 0; i < g->nm; i++)
    if (g->m[i].count_max > 0) print_row(out, &g->m[i], w, s->total_max);
  fprintf(out, "%s\n", rule);
  print_summary(out, s);
  fprintf(out, "%s\n", rule);
  fflush(out);
}

/* ---- the JSON file ---- */

/* A finite number, or null (JSON has no infinities or NaN). */
static void json_num(FILE *f, double x) {
  if (isfinite(x))
    fprintf(f, "%.9g", x);
  else
    fprintf(f, "null");
}

/* A number that is undefined when zero (a ratio or rate with nothing to rate). */
static void json_num_or_null(FILE *f, double x) {
  json_num(f, x > 0 ? x : NAN);
}

typedef enum { F_COUNT, F_TIME, F_SELF, F_MSG, F_BYTES, F_FLOPS, F_MOVED } rec_field;

static void json_rank_array(FILE *f, const char *key, const merged_event *m, int size,
                            rec_field fld) {
  fprintf(f, "      \"%s\": [", key);
  for (int r = 0; r < size; r++) {
    const event_rec *e = &m->per_rank[r];
    if (r) fprintf(f, ", ");
    switch (fld) {
    case F_COUNT:
      fprintf(f, "%lld", (long long)e->count);
      break;
    case F_MSG:
      fprintf(f, "%lld", (long long)e->messages);
      break;
    case F_BYTES:
      fprintf(f, "%lld", (long long)e->bytes);
      break;
    case F_TIME:
      json_num(f, e->time);
      break;
    case F_SELF:
      json_num(f, e->self_time);
      break;
    case F_FLOPS:
      json_num(f, e->flops);
      break;
    case F_MOVED:
      json_num(f, e->bytes_moved);
      break;
    }
  }
  fprintf(f, "],\n");
}

static void json_event(FILE *f, const merged_event *m, int size, double total_max) {
  fprintf(f, "    {\n      \"name\": \"%s\",\n      \"class\": \"%s\",\n", m->name,
          tsr_event_class_name(m->cls));
  json_rank_array(f, "count", m, size, F_COUNT);
  json_rank_array(f, "time", m, size, F_TIME);
  json_rank_array(f, "self_time", m, size, F_SELF);
  json_rank_array(f, "messages", m, size, F_MSG);
  json_rank_array(f, "bytes", m, size, F_BYTES);
  json_rank_array(f, "flops", m, size, F_FLOPS);
  json_rank_array(f, "bytes_moved", m, size, F_MOVED);
  fprintf(f, "      \"count_max\": %lld,\n      \"time_max\": ", (long long)m->count_max);
  json_num(f, m->time_max);
  fprintf(f, ",\n      \"time_avg\": ");
  json_num(f, m->time_avg);
  fprintf(f, ",\n      \"time_min\": ");
  json_num(f, m->time_min);
  fprintf(f, ",\n      \"self_avg\": ");
  json_num(f, m->self_avg);
  fprintf(f, ",\n      \"imbalance\": ");
  json_num_or_null(f, m->time_min > 0 ? m->time_max / m->time_min : 0);
  fprintf(f, ",\n      \"percent_total\": ");
  json_num(f, total_max > 0 ? 100 * m->time_max / total_max : 0);
  fprintf(f, ",\n      \"messages_total\": %lld,\n      \"bytes_total\": %lld,\n",
          (long long)m->messages, (long long)m->bytes);
  fprintf(f, "      \"gflops_per_s\": ");
  json_num_or_null(f, gflops_rate(m));
  fprintf(f, ",\n      \"gbytes_per_s\": ");
  json_num_or_null(f, gbytes_rate(m));
  fprintf(f, "\n    }");
}

static void json_heads(FILE *f, const gathered *g) {
  fprintf(f, "  \"total_time\": [");
  for (int r = 0; r < g->size; r++) {
    if (r) fprintf(f, ", ");
    json_num(f, g->heads[r].total);
  }
  fprintf(f, "],\n  \"class_time\": {");
  for (int c = 0; c < TSR_EVENT_NCLASSES; c++) {
    fprintf(f, "%s\"%s\": [", c ? ", " : "", tsr_event_class_name((tsr_event_class)c));
    for (int r = 0; r < g->size; r++) {
      if (r) fprintf(f, ", ");
      json_num(f, g->heads[r].class_time[c]);
    }
    fprintf(f, "]");
  }
  fprintf(f, "},\n");
}

static void json_summary(FILE *f, const tsr_event_summary *s) {
  const struct {
    const char *key;
    double value;
  } times[] = {{"total_time_max", s->total_max},    {"total_time_avg", s->total_avg},
               {"comm_time_avg", s->comm_avg},      {"comm_time_max", s->comm_max},
               {"comm_share", s->comm_share},       {"compute_time_avg", s->compute_avg},
               {"compute_share", s->compute_share}, {"io_time_avg", s->io_avg}};
  fprintf(f, "  \"summary\": {");
  for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
    fprintf(f, "%s\n    \"%s\": ", i ? "," : "", times[i].key);
    json_num(f, times[i].value);
  }
  if (s->main_event[0]) {
    fprintf(f, ",\n    \"main_compute_event\": \"%s\",\n    \"main_compute_imbalance\": ",
            s->main_event);
    json_num_or_null(f, s->main_imbalance);
    fprintf(f, ",\n    \"main_compute_max_over_avg\": ");
    json_num_or_null(f, s->main_max_over_avg);
  } else {
    fprintf(f, ",\n    \"main_compute_event\": null");
  }
  fprintf(f, ",\n    \"slowest_rank\": %d,\n    \"slowest_rank_busy_time\": ", s->slowest_rank);
  json_num(f, s->slowest_busy);
  fprintf(f, "\n  }\n");
}

/* Write the JSON file on rank 0; 0 on success, else errno. */
static int write_json(const char *path, const gathered *g, const tsr_event_summary *s) {
  FILE *f = fopen(path, "w");
  if (!f) return errno ? errno : EIO;
  fprintf(f, "{\n  \"format\": \"tessera-events\",\n  \"version\": 1,\n  \"ranks\": %d,\n",
          g->size);
  json_heads(f, g);
  fprintf(f, "  \"events\": [\n");
  bool first = true;
  for (int i = 0; i < g->nm; i++) {
    if (g->m[i].count_max == 0) continue;
    fprintf(f, "%s", first ? "" : ",\n");
    json_event(f, &g->m[i], g->size, s->total_max);
    first = false;
  }
  fprintf(f, "\n  ],\n");
  json_summary(f, s);
  fprintf(f, "}\n");
  int err = ferror(f) ? EIO : 0;
  if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
  return err;
}

tsr_err tsr_events_report(tsr_events events, FILE *out, const char *json_path) {
  TSR_CHECK(events, TSR_ERR_ARG, "tsr_events_report: the registry is NULL");
  gathered g;
  tsr_event_summary s;
  TSR_CALL(gather_events(events, &g));
  TSR_CALL(share_summary(events, &g, &s));
  int status = 0;
  if (events->rank == 0) {
    if (out) print_table(out, &g, &s);
    if (json_path) status = write_json(json_path, &g, &s);
  }
  TSR_CALL(gathered_free(&g));
  /* Only rank 0 knows whether the file was written: share it, so every rank fails alike. */
  TSR_CALL_MPI(MPI_Bcast(&status, 1, MPI_INT, 0, events->comm));
  TSR_CHECK(status == 0, TSR_ERR_FILE, "cannot write the event report to '%s' (--log-json): %s",
            json_path ? json_path : "", strerror(status));
  return TSR_SUCCESS;
}
