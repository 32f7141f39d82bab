/* Private body of an event registry, shared by event.c (registry, begin/end) and report.c
 * (gathering, table, JSON). */
#ifndef TESSERA_EVENT_IMPL_H
#define TESSERA_EVENT_IMPL_H

#include <time.h>

#include "tessera/event.h"

/* The events' clock: CLOCK_MONOTONIC through the vDSO costs about half of MPI_Wtime here. */
static inline double tsr_event_clock_(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What one event accumulated on this rank; also the record gathered by the report, so it is
 * plain data (the name inline). */
typedef struct {
  char name[TSR_EVENT_NAME_MAX + 1];
  int cls;
  int64_t count, messages, bytes;
  double time, self_time, flops, bytes_moved;
} event_rec;

struct tsr_events_s {
  bool active; /* the one branch of begin/end when off */
  MPI_Comm comm;
  int rank, size;
  bool started; /* t0 is set (first switch on) */
  double t0;    /* start of the total time */
  event_rec *ev;
  int n, cap;
  /* Open events, innermost last: id, start time, time of the events nested directly inside. */
  int depth;
  int stack[TSR_EVENT_MAX_DEPTH];
  double start[TSR_EVENT_MAX_DEPTH];
  double child[TSR_EVENT_MAX_DEPTH];
  /* Per class: open events, when the outermost of them began, and the time covered. */
  int class_open[TSR_EVENT_NCLASSES];
  double class_start[TSR_EVENT_NCLASSES];
  double class_time[TSR_EVENT_NCLASSES];
};

#endif
