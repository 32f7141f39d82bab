/* The event registry: registration, begin/end with nesting, and the counters. The report
 * (gathering over ranks, table, JSON) lives in report.c. */
#include "event_impl.h"

#include <ctype.h>
#include <string.h>

#include "tessera/mem.h"

static const char *const class_names[TSR_EVENT_NCLASSES] = {"comp", "comm", "io"};

const char *tsr_event_class_name(tsr_event_class cls) {
  if ((int)cls < 0 || (int)cls >= TSR_EVENT_NCLASSES) return "unknown";
  return class_names[cls];
}

/* The built-in events, in the order of their ids in event.h. */
static const struct {
  const char *name;
  tsr_event_class cls;
} builtins[TSR_EV_NBUILTIN] = {
    {"halo.post", TSR_EVENT_COMM},    {"halo.pack", TSR_EVENT_COMM},
    {"halo.wait", TSR_EVENT_COMM},    {"halo.unpack", TSR_EVENT_COMM},
    {"halo.copy", TSR_EVENT_COMM},    {"reduce", TSR_EVENT_COMM},
    {"reduce.begin", TSR_EVENT_COMM}, {"reduce.wait", TSR_EVENT_COMM},
    {"io.write", TSR_EVENT_IO},       {"io.read", TSR_EVENT_IO},
    {"checkpoint", TSR_EVENT_IO},
};

tsr_err tsr_events_create(MPI_Comm comm, tsr_events *events) {
  TSR_CHECK(events, TSR_ERR_ARG, "tsr_events_create: the output handle pointer is NULL");
  *events = NULL;
  tsr_events e;
  TSR_CALL(TSR_CALLOC(1, &e));
  e->comm = comm;
  TSR_CALL_MPI(MPI_Comm_rank(comm, &e->rank));
  TSR_CALL_MPI(MPI_Comm_size(comm, &e->size));
  for (int i = 0; i < TSR_EV_NBUILTIN; i++) {
    tsr_event id;
    TSR_CALL(tsr_event_register(e, builtins[i].name, builtins[i].cls, &id));
    if (id != i)
      TSR_ERROR_LOCAL(TSR_ERR_INTERNAL, "built-in event '%s' got id %d, expected %d",
                      builtins[i].name, id, i);
  }
  *events = e;
  return TSR_SUCCESS;
}

tsr_err tsr_events_destroy(tsr_events *events) {
  if (!events || !*events) return TSR_SUCCESS;
  TSR_CALL(tsr_free(&(*events)->ev));
  TSR_CALL(tsr_free(events));
  return TSR_SUCCESS;
}

tsr_err tsr_events_set_active(tsr_events events, bool active) {
  TSR_CHECK(events, TSR_ERR_ARG, "tsr_events_set_active: the registry is NULL");
  if (active && !events->started) {
    events->t0 = tsr_event_clock_();
    events->started = true;
  }
  if (!active) { /* open events would never be closed consistently: drop them */
    events->depth = 0;
    for (int c = 0; c < TSR_EVENT_NCLASSES; c++)
      events->class_open[c] = 0;
  }
  events->active = active;
  return TSR_SUCCESS;
}

bool tsr_events_active(tsr_events events) {
  return events && events->active;
}

/* Names are printed in a table and a JSON string: printable, no quotes or backslashes, no
 * spaces (so the table's first column stays one word). */
static bool valid_name(const char *name) {
  size_t len = name ? strlen(name) : 0;
  if (len == 0 || len > TSR_EVENT_NAME_MAX) return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!isgraph(c) || c == '"' || c == '\\') return false;
  }
  return true;
}

static tsr_err grow(tsr_events e) {
  if (e->n < e->cap) return TSR_SUCCESS;
  int cap = e->cap ? 2 * e->cap : 32;
  event_rec *grown;
  TSR_CALL(TSR_CALLOC(cap, &grown));
  if (e->n) memcpy(grown, e->ev, (size_t)e->n * sizeof *grown);
  TSR_CALL(tsr_free(&e->ev));
  e->ev = grown;
  e->cap = cap;
  return TSR_SUCCESS;
}

tsr_err tsr_event_register(tsr_events events, const char *name, tsr_event_class cls,
                           tsr_event *id) {
  TSR_CHECK(events && id, TSR_ERR_ARG, "tsr_event_register: NULL registry or id pointer");
  TSR_CHECK(valid_name(name), TSR_ERR_ARG,
            "tsr_event_register: event name '%s' is invalid; expected 1 to %d printable "
            "characters without spaces, quotes or backslashes",
            name ? name : "(null)", TSR_EVENT_NAME_MAX);
  TSR_CHECK((int)cls >= 0 && (int)cls < TSR_EVENT_NCLASSES, TSR_ERR_ARG,
            "tsr_event_register: class %d of event '%s' is not TSR_EVENT_COMPUTE (0), "
            "TSR_EVENT_COMM (1) or TSR_EVENT_IO (2)",
            (int)cls, name);
  for (int i = 0; i < events->n; i++) {
    if (strcmp(events->ev[i].name, name) != 0) continue;
    TSR_CHECK(events->ev[i].cls == (int)cls, TSR_ERR_ARG,
              "tsr_event_register: event '%s' is already registered with class %s, not %s", name,
              class_names[events->ev[i].cls], class_names[cls]);
    *id = i;
    return TSR_SUCCESS;
  }
  TSR_CALL(grow(events));
  event_rec *r = &events->ev[events->n];
  memset(r, 0, sizeof *r);
  strcpy(r->name, name); /* length checked by valid_name() */
  r->cls = (int)cls;
  *id = events->n++;
  return TSR_SUCCESS;
}

static tsr_err check_id(tsr_events e, tsr_event id, const char *func) {
  if (id < 0 || id >= e->n)
    TSR_ERROR_LOCAL(TSR_ERR_ARG, "%s: event id %d is not registered (%d events)", func, id, e->n);
  return TSR_SUCCESS;
}

tsr_err tsr_event_begin(tsr_events events, tsr_event id) {
  if (!events->active) return TSR_SUCCESS;
  TSR_CALL(check_id(events, id, __func__));
  if (events->depth == TSR_EVENT_MAX_DEPTH)
    TSR_ERROR_LOCAL(TSR_ERR_STATE, "tsr_event_begin: event '%s' nests deeper than %d events",
                    events->ev[id].name, TSR_EVENT_MAX_DEPTH);
  const double now = tsr_event_clock_();
  const int d = events->depth++, c = events->ev[id].cls;
  events->stack[d] = id;
  events->start[d] = now;
  events->child[d] = 0;
  if (events->class_open[c]++ == 0) events->class_start[c] = now;
  return TSR_SUCCESS;
}

tsr_err tsr_event_end(tsr_events events, tsr_event id) {
  if (!events->active) return TSR_SUCCESS;
  TSR_CALL(check_id(events, id, __func__));
  const int d = events->depth - 1;
  if (d < 0 || events->stack[d] != id)
    TSR_ERROR_LOCAL(TSR_ERR_STATE, "tsr_event_end: event '%s' is not the innermost open event (%s)",
                    events->ev[id].name,
                    d < 0 ? "none is open" : events->ev[events->stack[d]].name);
  const double now = tsr_event_clock_(), elapsed = now - events->start[d];
  event_rec *r = &events->ev[id];
  r->count++;
  r->time += elapsed;
  r->self_time += elapsed - events->child[d];
  if (d > 0) events->child[d - 1] += elapsed;
  events->depth = d;
  if (--events->class_open[r->cls] == 0)
    events->class_time[r->cls] += now - events->class_start[r->cls];
  return TSR_SUCCESS;
}

tsr_err tsr_event_add_messages(tsr_events events, tsr_event id, int64_t n, int64_t bytes) {
  if (!events->active) return TSR_SUCCESS;
  TSR_CALL(check_id(events, id, __func__));
  events->ev[id].messages += n;
  events->ev[id].bytes += bytes;
  return TSR_SUCCESS;
}

tsr_err tsr_event_add_flops(tsr_events events, tsr_event id, double flops) {
  if (!events->active) return TSR_SUCCESS;
  TSR_CALL(check_id(events, id, __func__));
  events->ev[id].flops += flops;
  return TSR_SUCCESS;
}

tsr_err tsr_event_add_bytes_moved(tsr_events events, tsr_event id, double bytes) {
  if (!events->active) return TSR_SUCCESS;
  TSR_CALL(check_id(events, id, __func__));
  events->ev[id].bytes_moved += bytes;
  return TSR_SUCCESS;
}

tsr_err tsr_event_get_stats(tsr_events events, tsr_event id, tsr_event_stats *stats) {
  TSR_CHECK(events && stats, TSR_ERR_ARG, "tsr_event_get_stats: NULL registry or stats pointer");
  TSR_CALL(check_id(events, id, __func__));
  const event_rec *r = &events->ev[id];
  *stats = (tsr_event_stats){.name = r->name,
                             .cls = (tsr_event_class)r->cls,
                             .count = r->count,
                             .time = r->time,
                             .self_time = r->self_time,
                             .messages = r->messages,
                             .bytes = r->bytes,
                             .flops = r->flops,
                             .bytes_moved = r->bytes_moved};
  return TSR_SUCCESS;
}
