/* The snapshot writer: cadence and folder from the options, the folder made and checked at
 * setup (before the first step, so a bad --out fails at once rather than hours later), one
 * data file and XDMF sidecar per snapshot, and the time series index of every snapshot
 * (rebuilt from the folder when a restarted run continues an earlier one). */
#include "io_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tessera/mem.h"

enum { PATH_MAX_LEN = 4096, PREFIX_MAX = 64 };

struct tsr_io_writer_s {
  tsr_grid grid;
  MPI_Comm comm;
  int rank;
  char *prefix;
  char *dir;
  int64_t every;
  tsr_field *fields;
  int nfields, fields_cap;
  tsr_io_attrs attrs;
  int64_t first_step; /* step a restarted run continues from, or -1 */
  bool is_setup;
  /* The snapshots written so far, in order, for the index. */
  int64_t *steps;
  double *times;
  int nsnaps, snaps_cap;
};

static tsr_err dup_string(const char *s, char **out) {
  size_t len = strlen(s) + 1;
  TSR_CALL(tsr_malloc(len, out));
  memcpy(*out, s, len);
  return TSR_SUCCESS;
}

static tsr_err check_prefix(const char *prefix) {
  TSR_CHECK(prefix && prefix[0] && strlen(prefix) <= PREFIX_MAX, TSR_ERR_ARG,
            "tsr_io_writer_create: prefix '%s' is invalid: expected 1 to %d characters",
            prefix ? prefix : "(null)", PREFIX_MAX);
  for (const char *p = prefix; *p; p++)
    TSR_CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                  *p == '.' || *p == '_' || *p == '-',
              TSR_ERR_ARG,
              "tsr_io_writer_create: prefix '%s' holds '%c': expected letters, digits, '.', '_' "
              "and '-'",
              prefix, *p);
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_create(tsr_grid grid, const char *prefix, tsr_io_writer *writer) {
  TSR_CHECK(writer, TSR_ERR_ARG, "tsr_io_writer_create: the output pointer is NULL");
  *writer = NULL;
  TSR_CHECK(grid, TSR_ERR_ARG, "tsr_io_writer_create: the grid is NULL");
  tsr_grid_info info;
  TSR_CALL(tsr_grid_get_info(grid, &info)); /* refuses a grid not set up */
  TSR_CALL(check_prefix(prefix));
  struct tsr_io_writer_s *w;
  TSR_CALL(TSR_CALLOC(1, &w));
  *writer = w; /* from here on, destroy cleans up a partial writer */
  w->grid = grid;
  w->comm = tsr_ctx_comm(tsr_grid_ctx(grid));
  w->rank = info.rank;
  TSR_CALL(dup_string(prefix, &w->prefix));
  TSR_CALL(dup_string("out", &w->dir));
  w->first_step = -1;
  return tsr_io_attrs_create(&w->attrs);
}

tsr_err tsr_io_writer_destroy(tsr_io_writer *writer) {
  if (!writer || !*writer) return TSR_SUCCESS;
  struct tsr_io_writer_s *w = *writer;
  TSR_CALL(tsr_io_attrs_destroy(&w->attrs));
  TSR_CALL(tsr_free(&w->steps));
  TSR_CALL(tsr_free(&w->times));
  TSR_CALL(tsr_free(&w->fields));
  TSR_CALL(tsr_free(&w->dir));
  TSR_CALL(tsr_free(&w->prefix));
  return tsr_free(writer);
}

static tsr_err check_settable(tsr_io_writer w, const char *what) {
  TSR_CHECK(w, TSR_ERR_ARG, "%s: the writer is NULL", what);
  TSR_CHECK(!w->is_setup, TSR_ERR_STATE, "%s: writer '%s' is already set up", what, w->prefix);
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_set_dir(tsr_io_writer writer, const char *dir) {
  TSR_CALL(check_settable(writer, "tsr_io_writer_set_dir"));
  TSR_CHECK(dir && dir[0] && strlen(dir) < PATH_MAX_LEN - 2 * PREFIX_MAX, TSR_ERR_ARG,
            "tsr_io_writer_set_dir: folder '%.64s' is empty or too long", dir ? dir : "");
  char *copy;
  TSR_CALL(dup_string(dir, &copy));
  TSR_CALL(tsr_free(&writer->dir));
  writer->dir = copy;
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_set_every(tsr_io_writer writer, int64_t every) {
  TSR_CALL(check_settable(writer, "tsr_io_writer_set_every"));
  TSR_CHECK(every >= 0, TSR_ERR_ARG,
            "tsr_io_writer_set_every: %lld is invalid: expected 0 (never) or more",
            (long long)every);
  writer->every = every;
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_set_first_step(tsr_io_writer writer, int64_t step) {
  TSR_CALL(check_settable(writer, "tsr_io_writer_set_first_step"));
  TSR_CHECK(step >= -1, TSR_ERR_ARG,
            "tsr_io_writer_set_first_step: %lld is invalid: expected a step (0 or more) or -1",
            (long long)step);
  writer->first_step = step;
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_is_due(tsr_io_writer writer, int64_t step, bool *due) {
  TSR_CHECK(writer && due, TSR_ERR_ARG, "tsr_io_writer_is_due: NULL argument");
  *due = writer->every > 0 && step % writer->every == 0;
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_set_from_options(tsr_io_writer writer) {
  TSR_CALL(check_settable(writer, "tsr_io_writer_set_from_options"));
  tsr_options opts = tsr_ctx_options(tsr_grid_ctx(writer->grid));
  const char *dir;
  int64_t every;
  TSR_CALL(tsr_options_get_string(opts, "out", "folder for output files (HDF5 + XDMF)", writer->dir,
                                  &dir));
  TSR_CALL(tsr_options_get_int(opts, "output-every", "write output every N steps (0: never)",
                               writer->every, 0, INT64_MAX, &every));
  int64_t kib;
  TSR_CALL(io_buffer_option(writer->grid, &kib)); /* read at each write; registered for --help */
  TSR_CALL(tsr_io_writer_set_dir(writer, dir));
  return tsr_io_writer_set_every(writer, every);
}

tsr_err tsr_io_writer_add_field(tsr_io_writer writer, tsr_field field) {
  TSR_CALL(check_settable(writer, "tsr_io_writer_add_field"));
  TSR_CHECK(field, TSR_ERR_ARG, "tsr_io_writer_add_field: the field is NULL");
  TSR_CHECK(tsr_field_grid(field) == writer->grid, TSR_ERR_ARG,
            "tsr_io_writer_add_field: field '%s' is not on the grid of writer '%s'",
            tsr_field_name(field), writer->prefix);
  if (writer->nfields == writer->fields_cap) {
    int cap = writer->fields_cap ? 2 * writer->fields_cap : 4;
    tsr_field *grown;
    TSR_CALL(TSR_CALLOC(cap, &grown));
    if (writer->nfields) memcpy(grown, writer->fields, (size_t)writer->nfields * sizeof *grown);
    TSR_CALL(tsr_free(&writer->fields));
    writer->fields = grown;
    writer->fields_cap = cap;
  }
  writer->fields[writer->nfields] = field;
  tsr_grid_info info;
  tsr_err err = io_check_fields("tsr_io_writer_add_field", writer->fields, writer->nfields + 1,
                                &info); /* names valid and distinct */
  TSR_CALL(err);
  writer->nfields++;
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_get_attrs(tsr_io_writer writer, tsr_io_attrs *attrs) {
  TSR_CHECK(writer && attrs, TSR_ERR_ARG, "tsr_io_writer_get_attrs: NULL argument");
  *attrs = writer->attrs;
  return TSR_SUCCESS;
}

/* ---- the folder --------------------------------------------------------------------------- */

/* ---- continuing an earlier run's series -------------------------------------------------- */

static tsr_err record(struct tsr_io_writer_s *w, int64_t step, double time);
static tsr_err write_xdmf_files(struct tsr_io_writer_s *w, int64_t step, io_verdict *v);

/* The step of snapshot file @p name of this writer (exactly as snapshot_name() spells it), or
 * -1 when @p name is no such file. */
static int64_t snapshot_step(const struct tsr_io_writer_s *w, const char *name) {
  size_t plen = strlen(w->prefix), len = strlen(name);
  if (len < plen + 4 || strncmp(name, w->prefix, plen) != 0 || name[plen] != '_' ||
      strcmp(name + len - 3, ".h5") != 0)
    return -1;
  const char *digits = name + plen + 1;
  if (digits[0] < '0' || digits[0] > '9') return -1;
  char *end;
  errno = 0;
  long long step = strtoll(digits, &end, 10);
  if (errno != 0 || strcmp(end, ".h5") != 0) return -1;
  char canonical[PREFIX_MAX + 32];
  snprintf(canonical, sizeof canonical, "%s_%06lld.h5", w->prefix, step);
  return strcmp(canonical, name) == 0 ? (int64_t)step : -1;
}

/* Rank 0: the time of snapshot @p path when it is a readable snapshot of step @p step of the
 * writer's fields (rank 0's inspection, as a read makes it), else *ok false with the reason. */
static tsr_err inspect_snapshot(struct tsr_io_writer_s *w, const char *path, int64_t step, bool *ok,
                                double *time, char *why, size_t why_size) {
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(w->grid, &g));
  io_inspection ins = {.v = {TSR_SUCCESS, ""}};
  TSR_CALL(tsr_io_attrs_create(&ins.attrs));
  tsr_err err = TSR_CALLOC(w->nfields, &ins.fingerprints);
  io_quiet quiet;
  io_quiet_begin(&quiet);
  if (err == TSR_SUCCESS) err = io_inspect(path, w->fields, w->nfields, &g, &ins);
  io_quiet_end(&quiet);
  *ok = err == TSR_SUCCESS && ins.v.code == TSR_SUCCESS && ins.attrs->step == step;
  *time = ins.attrs->time;
  if (ins.v.code != TSR_SUCCESS)
    snprintf(why, why_size, "%s", ins.v.msg);
  else
    snprintf(why, why_size, "it holds step %lld", (long long)ins.attrs->step);
  tsr_free(&ins.fingerprints);
  tsr_io_attrs_destroy(&ins.attrs);
  return err;
}

typedef struct {
  int64_t step;
  double time;
} snap;

static int by_step(const void *a, const void *b) {
  const snap *x = a, *y = b;
  return (x->step > y->step) - (x->step < y->step);
}

/* Rank 0: the snapshots in the folder up to the first step, in step order. */
static tsr_err scan_folder(struct tsr_io_writer_s *w, snap **found, int *nfound, io_verdict *v) {
  *found = NULL;
  *nfound = 0;
  DIR *d = opendir(w->dir);
  if (!d) {
    io_fail(v, TSR_ERR_FILE, "cannot list output folder '%s': %s", w->dir, strerror(errno));
    return TSR_SUCCESS;
  }
  tsr_log log = tsr_ctx_log(tsr_grid_ctx(w->grid));
  int cap = 0;
  tsr_err err = TSR_SUCCESS;
  struct dirent *e;
  while (err == TSR_SUCCESS && (e = readdir(d)) != NULL) {
    int64_t step = snapshot_step(w, e->d_name);
    if (step < 0 || step > w->first_step) continue;
    char path[2 * PATH_MAX_LEN], why[IO_MSG_MAX];
    snprintf(path, sizeof path, "%s/%s", w->dir, e->d_name);
    bool ok;
    double time;
    err = inspect_snapshot(w, path, step, &ok, &time, why, sizeof why);
    if (err == TSR_SUCCESS && !ok)
      err = tsr_log_printf(log, 0, "tessera: warning: snapshot '%s' left out of the index: %s\n",
                           path, why);
    if (err != TSR_SUCCESS || !ok) continue;
    if (*nfound == cap) {
      cap = cap ? 2 * cap : 16;
      snap *grown;
      err = TSR_MALLOC(cap, &grown);
      if (err == TSR_SUCCESS && *nfound) memcpy(grown, *found, (size_t)*nfound * sizeof *grown);
      if (err == TSR_SUCCESS) tsr_free(found);
      if (err == TSR_SUCCESS) *found = grown;
    }
    if (err == TSR_SUCCESS) (*found)[(*nfound)++] = (snap){step, time};
  }
  closedir(d);
  if (*nfound > 1) qsort(*found, (size_t)*nfound, sizeof **found, by_step);
  return err;
}

/* Rank 0: record the earlier run's snapshots up to the first step and rewrite the index. */
static tsr_err rebuild_index(struct tsr_io_writer_s *w, io_verdict *v) {
  snap *found;
  int nfound;
  tsr_err err = scan_folder(w, &found, &nfound, v);
  for (int i = 0; err == TSR_SUCCESS && i < nfound; i++)
    err = record(w, found[i].step, found[i].time);
  tsr_free(&found);
  TSR_CALL(err);
  if (v->code == TSR_SUCCESS) TSR_CALL(write_xdmf_files(w, -1, v)); /* the index alone */
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_setup(tsr_io_writer writer) {
  TSR_CHECK(writer, TSR_ERR_ARG, "tsr_io_writer_setup: the writer is NULL");
  if (writer->is_setup) return TSR_SUCCESS;
  TSR_CHECK(writer->nfields > 0, TSR_ERR_ARG,
            "tsr_io_writer_setup: writer '%s' has no field (call tsr_io_writer_add_field)",
            writer->prefix);
  io_verdict v = {TSR_SUCCESS, ""};
  if (writer->rank == 0) {
    errno = 0;
    io_make_folder(writer->dir, "output folder", &v);
    if (v.code == TSR_SUCCESS) io_probe_folder(writer->dir, "output folder", &v);
  }
  TSR_CALL(io_verdict_bcast(writer->comm, 0, &v));
  IO_RAISE(v);
  if (writer->first_step >= 0) {
    if (writer->rank == 0) TSR_CALL(rebuild_index(writer, &v));
    TSR_CALL(io_verdict_bcast(writer->comm, 0, &v));
    IO_RAISE(v);
  }
  writer->is_setup = true;
  return TSR_SUCCESS;
}

/* ---- snapshots ---------------------------------------------------------------------------- */

/* File name of snapshot @p step (no folder), with extension @p ext. */
static void snapshot_name(const struct tsr_io_writer_s *w, int64_t step, const char *ext, char *buf,
                          size_t size) {
  snprintf(buf, size, "%s_%06lld%s", w->prefix, (long long)step, ext);
}

/* Remember a snapshot for the index; writing a step again replaces its time. */
static tsr_err record(struct tsr_io_writer_s *w, int64_t step, double time) {
  for (int i = 0; i < w->nsnaps; i++)
    if (w->steps[i] == step) {
      w->times[i] = time;
      return TSR_SUCCESS;
    }
  if (w->nsnaps == w->snaps_cap) {
    int cap = w->snaps_cap ? 2 * w->snaps_cap : 16;
    int64_t *steps;
    double *times;
    TSR_CALL(TSR_MALLOC(cap, &steps));
    TSR_CALL(TSR_MALLOC(cap, &times));
    if (w->nsnaps) memcpy(steps, w->steps, (size_t)w->nsnaps * sizeof *steps);
    if (w->nsnaps) memcpy(times, w->times, (size_t)w->nsnaps * sizeof *times);
    TSR_CALL(tsr_free(&w->steps));
    TSR_CALL(tsr_free(&w->times));
    w->steps = steps;
    w->times = times;
    w->snaps_cap = cap;
  }
  w->steps[w->nsnaps] = step;
  w->times[w->nsnaps] = time;
  w->nsnaps++;
  return TSR_SUCCESS;
}

/* Rank 0: the sidecar of the newest snapshot and the index of all of them. */
static tsr_err write_xdmf_files(struct tsr_io_writer_s *w, int64_t step, io_verdict *v) {
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(w->grid, &g));
  enum { NAME_LEN = PREFIX_MAX + 32 };
  char *names;
  io_xdmf_entry *e;
  TSR_CALL(TSR_MALLOC((size_t)w->nsnaps * 2 * NAME_LEN, &names));
  tsr_err err = TSR_MALLOC(w->nsnaps, &e);
  for (int i = 0; err == TSR_SUCCESS && i < w->nsnaps; i++) {
    char *h5 = names + (size_t)i * 2 * NAME_LEN, *grid = h5 + NAME_LEN;
    snapshot_name(w, w->steps[i], ".h5", h5, NAME_LEN);
    snapshot_name(w, w->steps[i], "", grid, NAME_LEN);
    e[i] = (io_xdmf_entry){h5, grid, w->times[i]};
  }
  char path[PATH_MAX_LEN + NAME_LEN], file[NAME_LEN];
  for (int i = 0; err == TSR_SUCCESS && i < w->nsnaps; i++)
    if (w->steps[i] == step) {
      snapshot_name(w, step, ".xmf", file, sizeof file);
      snprintf(path, sizeof path, "%s/%s", w->dir, file);
      io_xdmf_write(path, w->fields, w->nfields, &g, w->attrs, &e[i], 1, NULL, v);
    }
  if (err == TSR_SUCCESS) {
    snprintf(path, sizeof path, "%s/%s.xmf", w->dir, w->prefix);
    io_xdmf_write(path, w->fields, w->nfields, &g, w->attrs, e, w->nsnaps, w->prefix, v);
  }
  tsr_free(&e);
  tsr_free(&names);
  return err;
}

tsr_err tsr_io_writer_write(tsr_io_writer writer, int64_t step, double time) {
  TSR_CHECK(writer, TSR_ERR_ARG, "tsr_io_writer_write: the writer is NULL");
  TSR_CHECK(writer->is_setup, TSR_ERR_STATE,
            "tsr_io_writer_write: writer '%s' is not set up (call tsr_io_writer_setup)",
            writer->prefix);
  TSR_CALL(tsr_io_attrs_set_step(writer->attrs, step));
  TSR_CALL(tsr_io_attrs_set_time(writer->attrs, time));
  char file[PREFIX_MAX + 32], path[PATH_MAX_LEN + PREFIX_MAX + 32];
  snapshot_name(writer, step, ".h5", file, sizeof file);
  snprintf(path, sizeof path, "%s/%s", writer->dir, file);
  TSR_CALL(tsr_io_write_fields(path, writer->fields, writer->nfields, writer->attrs));
  TSR_CALL(record(writer, step, time));
  io_verdict v = {TSR_SUCCESS, ""};
  if (writer->rank == 0) TSR_CALL(write_xdmf_files(writer, step, &v));
  TSR_CALL(io_verdict_bcast(writer->comm, 0, &v));
  IO_RAISE(v);
  return TSR_SUCCESS;
}

tsr_err tsr_io_writer_maybe_write(tsr_io_writer writer, int64_t step, double time, bool *written) {
  TSR_CHECK(writer, TSR_ERR_ARG, "tsr_io_writer_maybe_write: the writer is NULL");
  bool due = writer->every > 0 && step % writer->every == 0;
  if (written) *written = false;
  if (!due) return TSR_SUCCESS;
  TSR_CALL(tsr_io_writer_write(writer, step, time));
  if (written) *written = true;
  return TSR_SUCCESS;
}
