/* Events: timing of a sleep, nesting and self time, the counts of halo exchanges and reductions
 * against counts made by hand from the decomposition, and the report (once, from rank 0, valid
 * JSON, no deadlock when ranks register or call different events). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tsr_test.h"

static void sleep_seconds(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* A registry of the test's own, collecting. */
static tsr_events own_registry(void) {
  tsr_events e = NULL;
  TSR_ASSERT_OK(tsr_events_create(tsr_ctx_comm(tsr_test_ctx()), &e));
  TSR_ASSERT_OK(tsr_events_set_active(e, true));
  return e;
}

static tsr_event_stats stats_of(tsr_events e, tsr_event id) {
  tsr_event_stats s;
  memset(&s, 0, sizeof s);
  TSR_ASSERT_OK(tsr_event_get_stats(e, id, &s));
  return s;
}

/* Collection off: begin, end and the counters change nothing. */
static void test_off_records_nothing(void) {
  tsr_events e = NULL;
  TSR_ASSERT_OK(tsr_events_create(tsr_ctx_comm(tsr_test_ctx()), &e));
  CU_ASSERT_FALSE(tsr_events_active(e));
  tsr_event id;
  TSR_ASSERT_OK(tsr_event_register(e, "t.off", TSR_EVENT_COMPUTE, &id));
  TSR_ASSERT_OK(tsr_event_begin(e, id));
  TSR_ASSERT_OK(tsr_event_add_messages(e, id, 3, 24));
  TSR_ASSERT_OK(tsr_event_add_flops(e, id, 10));
  TSR_ASSERT_OK(tsr_event_end(e, id));
  tsr_event_stats s = stats_of(e, id);
  CU_ASSERT_EQUAL(s.count, 0);
  CU_ASSERT_EQUAL(s.messages, 0);
  CU_ASSERT_EQUAL(s.time, 0);
  CU_ASSERT_EQUAL(s.flops, 0);
  TSR_ASSERT_OK(tsr_events_destroy(&e));
  CU_ASSERT_PTR_NULL(e);
}

/* Two sleeps of 30 ms inside an event: 60 ms accounted, within scheduling slack. */
static void test_sleep_is_accounted(void) {
  tsr_events e = own_registry();
  tsr_event id;
  TSR_ASSERT_OK(tsr_event_register(e, "t.sleep", TSR_EVENT_COMPUTE, &id));
  for (int i = 0; i < 2; i++) {
    TSR_ASSERT_OK(tsr_event_begin(e, id));
    sleep_seconds(0.03);
    TSR_ASSERT_OK(tsr_event_end(e, id));
  }
  tsr_event_stats s = stats_of(e, id);
  CU_ASSERT_EQUAL(s.count, 2);
  CU_ASSERT(s.time >= 0.06 && s.time < 0.06 + 0.25);
  CU_ASSERT_DOUBLE_EQUAL(s.self_time, s.time, 1e-12); /* nothing nested */
  CU_ASSERT_EQUAL(s.cls, TSR_EVENT_COMPUTE);
  CU_ASSERT_STRING_EQUAL(s.name, "t.sleep");
  TSR_ASSERT_OK(tsr_events_destroy(&e));
}

/* outer { sleep; inner { sleep } }: outer's time includes inner's, its self time does not, and
 * the class time counts the overlap once. */
static void test_nesting(void) {
  tsr_events e = own_registry();
  tsr_event outer, inner;
  TSR_ASSERT_OK(tsr_event_register(e, "t.outer", TSR_EVENT_COMPUTE, &outer));
  TSR_ASSERT_OK(tsr_event_register(e, "t.inner", TSR_EVENT_COMPUTE, &inner));
  TSR_ASSERT_OK(tsr_event_begin(e, outer));
  sleep_seconds(0.02);
  TSR_ASSERT_OK(tsr_event_begin(e, inner));
  sleep_seconds(0.02);
  TSR_ASSERT_ERR(tsr_event_end(e, outer), TSR_ERR_STATE); /* inner is still open */
  TSR_ASSERT_OK(tsr_event_end(e, inner));
  TSR_ASSERT_OK(tsr_event_end(e, outer));
  TSR_ASSERT_ERR(tsr_event_end(e, outer), TSR_ERR_STATE); /* nothing open */
  tsr_event_stats o = stats_of(e, outer), i = stats_of(e, inner);
  CU_ASSERT(i.time >= 0.02);
  CU_ASSERT(o.time >= i.time + 0.02);
  CU_ASSERT_DOUBLE_EQUAL(o.self_time, o.time - i.time, 1e-9);
  CU_ASSERT(o.self_time >= 0.02 && o.self_time < 0.02 + 0.2);
  /* The compute class covered exactly the outer event on every rank, not outer + inner. */
  tsr_event_summary sum;
  TSR_ASSERT_OK(tsr_events_get_summary(e, &sum));
  double avg;
  MPI_Allreduce(&o.time, &avg, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  avg /= tsr_test_size();
  CU_ASSERT_DOUBLE_EQUAL(sum.compute_avg, avg, 1e-9);
  CU_ASSERT_EQUAL(sum.comm_avg, 0);
  CU_ASSERT_STRING_EQUAL(sum.main_event, "t.outer");
  CU_ASSERT_EQUAL(sum.ranks, tsr_test_size());
  TSR_ASSERT_OK(tsr_events_destroy(&e));
}

static void test_registration(void) {
  tsr_events e = own_registry();
  tsr_event a, b, c;
  TSR_ASSERT_OK(tsr_event_register(e, "t.reg", TSR_EVENT_IO, &a));
  TSR_ASSERT_OK(tsr_event_register(e, "t.reg", TSR_EVENT_IO, &b));
  CU_ASSERT_EQUAL(a, b); /* by name */
  CU_ASSERT(a >= TSR_EV_NBUILTIN);
  TSR_ASSERT_OK(tsr_event_register(e, "halo.post", TSR_EVENT_COMM, &c));
  CU_ASSERT_EQUAL(c, TSR_EV_HALO_POST);
  TSR_ASSERT_ERR(tsr_event_register(e, "t.reg", TSR_EVENT_COMM, &b), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_event_register(e, "has space", TSR_EVENT_COMM, &b), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_event_register(e, "", TSR_EVENT_COMM, &b), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_event_register(e, "q\"uote", TSR_EVENT_COMM, &b), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_event_register(e, "t.cls", (tsr_event_class)3, &b), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_event_begin(e, 999), TSR_ERR_ARG);
  TSR_ASSERT_ERR(tsr_event_get_stats(e, -1, &(tsr_event_stats){0}), TSR_ERR_ARG);
  TSR_ASSERT_OK(tsr_events_destroy(&e));
}

/* Cells of tile @p c of @p p along @p n cells: N/p, one more for the first N%p tiles. */
static int64_t tile_len(int64_t n, int p, int c) {
  return n / p + (c < n % p ? 1 : 0);
}

/* Messages and bytes one star exchange of width @p w with @p ncomp doubles per cell sends from
 * this rank, counted by hand: each axis split over more than one rank sends one face slab each
 * way (to a wrapped neighbour on a periodic axis, to none past a non-periodic end). */
static void count_by_hand(const tsr_grid_info *g, int w, int ncomp, int64_t *msgs, int64_t *bytes) {
  int64_t len[TSR_MAX_DIM];
  for (int a = 0; a < TSR_MAX_DIM; a++)
    len[a] = tile_len(g->n[a], g->procs[a], g->coords[a]);
  *msgs = *bytes = 0;
  for (int a = 0; a < g->dim; a++) {
    if (g->procs[a] == 1) continue; /* no neighbour, or a local copy on a periodic axis */
    int64_t face = w;
    for (int b = 0; b < g->dim; b++)
      if (b != a) face *= len[b];
    for (int side = 0; side < 2; side++) {
      const bool exists =
          g->periodic[a] || (side == 0 ? g->coords[a] > 0 : g->coords[a] < g->procs[a] - 1);
      if (!exists) continue;
      *msgs += 1;
      *bytes += face * ncomp * (int64_t)sizeof(double);
    }
  }
}

/* Exchange @p reps times on a plan over @p nf fields of @p grid; compare the halo events'
 * growth with the hand count and with tsr_halo_info. */
static void check_halo(tsr_grid grid, int width, int nf, int reps) {
  tsr_ctx ctx = tsr_test_ctx();
  tsr_events ev = tsr_ctx_events(ctx);
  tsr_field f[2] = {NULL, NULL};
  tsr_halo h = NULL;
  TSR_ASSERT_OK(tsr_halo_create(grid, &h));
  for (int i = 0; i < nf; i++) {
    TSR_ASSERT_OK(tsr_field_create(grid, i ? "b" : "a", 1, width, &f[i]));
    TSR_ASSERT_OK(tsr_field_setup(f[i]));
    TSR_ASSERT_OK(tsr_halo_add_field(h, f[i]));
  }
  TSR_ASSERT_OK(tsr_halo_setup(h));
  tsr_grid_info g;
  TSR_ASSERT_OK(tsr_grid_get_info(grid, &g));
  int64_t msgs, bytes;
  count_by_hand(&g, width, nf, &msgs, &bytes);
  tsr_halo_info info;
  TSR_ASSERT_OK(tsr_halo_get_info(h, &info));
  CU_ASSERT_EQUAL(info.messages, msgs);
  CU_ASSERT_EQUAL(info.bytes, bytes);

  TSR_ASSERT_OK(tsr_events_set_active(ev, true));
  tsr_event_stats post0 = stats_of(ev, TSR_EV_HALO_POST), wait0 = stats_of(ev, TSR_EV_HALO_WAIT);
  tsr_event_stats pack0 = stats_of(ev, TSR_EV_HALO_PACK);
  for (int r = 0; r < reps; r++)
    TSR_ASSERT_OK(tsr_halo_exchange(h));
  tsr_event_stats post = stats_of(ev, TSR_EV_HALO_POST), wait = stats_of(ev, TSR_EV_HALO_WAIT);
  tsr_event_stats pack = stats_of(ev, TSR_EV_HALO_PACK);
  TSR_ASSERT_OK(tsr_events_set_active(ev, false));
  CU_ASSERT_EQUAL(post.messages - post0.messages, reps * msgs);
  CU_ASSERT_EQUAL(post.bytes - post0.bytes, reps * bytes);
  const int64_t calls = msgs > 0 ? reps : 0; /* a rank without messages records nothing */
  CU_ASSERT_EQUAL(post.count - post0.count, calls);
  CU_ASSERT_EQUAL(wait.count - wait0.count, calls);
  CU_ASSERT_EQUAL(pack.count - pack0.count, calls);
  CU_ASSERT(post.self_time <= post.time); /* pack nests inside post */
  TSR_ASSERT_OK(tsr_halo_destroy(&h));
  for (int i = 0; i < nf; i++)
    TSR_ASSERT_OK(tsr_field_destroy(&f[i]));
}

/* The heat example's case: 2-D 64x48, star, width 1, not periodic. */
static void test_halo_counts_2d(void) {
  tsr_grid grid = NULL;
  const tsr_gidx n[3] = {64, 48, 1};
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 2, n, &grid));
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  check_halo(grid, 1, 1, 3);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* 3-D, periodic, two fields, width 2: wrapped neighbours count, self-copies do not. */
static void test_halo_counts_3d_periodic(void) {
  tsr_grid grid = NULL;
  const tsr_gidx n[3] = {12, 10, 9};
  const bool periodic[3] = {true, true, true};
  TSR_ASSERT_OK(tsr_grid_create(tsr_test_ctx(), 3, n, &grid));
  TSR_ASSERT_OK(tsr_grid_set_periodic(grid, periodic));
  TSR_ASSERT_OK(tsr_grid_set_ghost_width(grid, 2));
  TSR_ASSERT_OK(tsr_grid_setup(grid));
  check_halo(grid, 2, 2, 2);
  TSR_ASSERT_OK(tsr_grid_destroy(&grid));
}

/* Blocking and split-phase reductions: one message of 8 n bytes each; n == 0 records nothing. */
static void test_reduce_counts(void) {
  tsr_ctx ctx = tsr_test_ctx();
  tsr_events ev = tsr_ctx_events(ctx);
  double in[5] = {1, 2, 3, 4, 5}, out[5];
  TSR_ASSERT_OK(tsr_events_set_active(ev, true));
  tsr_event_stats r0 = stats_of(ev, TSR_EV_REDUCE), b0 = stats_of(ev, TSR_EV_REDUCE_BEGIN);
  tsr_event_stats w0 = stats_of(ev, TSR_EV_REDUCE_WAIT);
  for (int k = 0; k < 3; k++)
    TSR_ASSERT_OK(tsr_reduce(ctx, TSR_SUM, in, out, 5));
  TSR_ASSERT_OK(tsr_reduce(ctx, TSR_SUM, NULL, NULL, 0));
  for (int k = 0; k < 2; k++) {
    tsr_reduce_req req;
    TSR_ASSERT_OK(tsr_reduce_begin(ctx, TSR_MAX, in, out, 4, &req));
    TSR_ASSERT_OK(tsr_reduce_end(&req));
  }
  tsr_reduce_req idle;
  TSR_ASSERT_OK(tsr_reduce_begin(ctx, TSR_MAX, NULL, NULL, 0, &idle));
  TSR_ASSERT_OK(tsr_reduce_end(&idle));
  tsr_event_stats r = stats_of(ev, TSR_EV_REDUCE), b = stats_of(ev, TSR_EV_REDUCE_BEGIN);
  tsr_event_stats w = stats_of(ev, TSR_EV_REDUCE_WAIT);
  TSR_ASSERT_OK(tsr_events_set_active(ev, false));
  CU_ASSERT_EQUAL(r.count - r0.count, 3);
  CU_ASSERT_EQUAL(r.messages - r0.messages, 3);
  CU_ASSERT_EQUAL(r.bytes - r0.bytes, 3 * 5 * 8);
  CU_ASSERT_EQUAL(b.count - b0.count, 2);
  CU_ASSERT_EQUAL(b.messages - b0.messages, 2);
  CU_ASSERT_EQUAL(b.bytes - b0.bytes, 2 * 4 * 8);
  CU_ASSERT_EQUAL(w.count - w0.count, 2);
  CU_ASSERT_EQUAL(w.messages - w0.messages, 0);
}

/* Everything written to @p f, NUL-terminated (caller frees). */
static char *slurp(FILE *f) {
  fflush(f);
  long n = ftell(f);
  char *s = calloc((size_t)(n > 0 ? n : 0) + 1, 1);
  rewind(f);
  if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = '\0';
  return s;
}

static int occurrences(const char *text, const char *what) {
  int k = 0;
  for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
    k++;
  return k;
}

/* Rank 1 alone registers and calls one event, nobody calls another: the report (a collective)
 * still completes, appears once on rank 0 only, and its JSON parses. */
static void test_report_once_no_deadlock(void) {
  const int rank = tsr_test_rank(), size = tsr_test_size();
  tsr_events e = own_registry();
  tsr_event work, never, lonely;
  TSR_ASSERT_OK(tsr_event_register(e, "t.work", TSR_EVENT_COMPUTE, &work));
  TSR_ASSERT_OK(tsr_event_register(e, "t.never", TSR_EVENT_COMPUTE, &never));
  TSR_ASSERT_OK(tsr_event_begin(e, work));
  sleep_seconds(0.002 * (rank + 1)); /* the last rank works longest */
  TSR_ASSERT_OK(tsr_event_add_flops(e, work, 1e6));
  TSR_ASSERT_OK(tsr_event_end(e, work));
  if (rank == 1) {
    TSR_ASSERT_OK(tsr_event_register(e, "t.lonely", TSR_EVENT_COMM, &lonely));
    TSR_ASSERT_OK(tsr_event_begin(e, lonely));
    TSR_ASSERT_OK(tsr_event_add_messages(e, lonely, 7, 56));
    TSR_ASSERT_OK(tsr_event_end(e, lonely));
  }
  char path[64] = "/tmp/tsr_events_XXXXXX";
  if (rank == 0) {
    int fd = mkstemp(path);
    CU_ASSERT(fd >= 0);
    if (fd >= 0) close(fd);
  }
  MPI_Bcast(path, sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
  FILE *out = tmpfile();
  CU_ASSERT_PTR_NOT_NULL(out);
  TSR_ASSERT_OK(tsr_events_report(e, out, path));
  char *text = out ? slurp(out) : calloc(1, 1);
  if (rank == 0) {
    CU_ASSERT_EQUAL(occurrences(text, "Tessera event report"), 1);
    CU_ASSERT_EQUAL(occurrences(text, "t.work"), 2); /* its row and the main compute event */
    CU_ASSERT_EQUAL(occurrences(text, "t.never"), 0);
    CU_ASSERT_EQUAL(occurrences(text, "t.lonely"), size > 1 ? 1 : 0);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -m json.tool %s > /dev/null", path);
    CU_ASSERT_EQUAL(system(cmd), 0);
    FILE *j = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL(j);
    if (j) {
      fseek(j, 0, SEEK_END);
      char *json = slurp(j);
      CU_ASSERT_EQUAL(occurrences(json, "\"name\": \"t.work\""), 1);
      CU_ASSERT_EQUAL(occurrences(json, "\"name\": \"t.never\""), 0);
      if (size > 1) {
        /* Rank 1's count among zeros of the other ranks. */
        CU_ASSERT_EQUAL(occurrences(json, "\"messages_total\": 7,"), 1);
        CU_ASSERT_EQUAL(occurrences(json, "\"count\": [0, 1"), 1);
      }
      char slowest[48];
      snprintf(slowest, sizeof slowest, "\"slowest_rank\": %d,", size - 1);
      CU_ASSERT_EQUAL(occurrences(json, slowest), 1);
      free(json);
      fclose(j);
    }
    remove(path);
  } else {
    CU_ASSERT_EQUAL(text[0], '\0'); /* other ranks print nothing */
  }
  free(text);
  if (out) fclose(out);
  /* The summary agrees on every rank. */
  tsr_event_summary s;
  TSR_ASSERT_OK(tsr_events_get_summary(e, &s));
  int lo, hi;
  MPI_Allreduce(&s.slowest_rank, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&s.slowest_rank, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  CU_ASSERT_EQUAL(lo, hi);
  CU_ASSERT_STRING_EQUAL(s.main_event, "t.work");
  TSR_ASSERT_OK(tsr_events_destroy(&e));
}

/* A JSON path that cannot be written fails on every rank alike. */
static void test_report_bad_path(void) {
  tsr_events e = own_registry();
  TSR_ASSERT_ERR(tsr_events_report(e, NULL, "/nonexistent-dir/x/events.json"), TSR_ERR_FILE);
  TSR_ASSERT_OK(tsr_events_destroy(&e));
}

int main(int argc, char **argv) {
  static const tsr_test_case cases[] = {
      {"collection off records nothing", test_off_records_nothing},
      {"a sleep inside an event is accounted", test_sleep_is_accounted},
      {"nesting: inclusive, self and class time", test_nesting},
      {"registration by name, errors", test_registration},
      {"halo counts, 2-D 64x48 star", test_halo_counts_2d},
      {"halo counts, 3-D periodic, 2 fields, width 2", test_halo_counts_3d_periodic},
      {"reduction counts", test_reduce_counts},
      {"report once from rank 0, no deadlock, JSON", test_report_once_no_deadlock},
      {"report to an unwritable path", test_report_bad_path},
      TSR_TEST_END};
  return tsr_test_main(argc, argv, "events", cases);
}
