/* The atomic write of a checkpoint and the folder it lives in.
 *
 * Protocol (checkpoint.h, "Atomicity"): write ".ckpt_<step>.h5.tmp" collectively and close it;
 * every rank fsyncs it; one allreduce votes on every rank's success (and carries the signal flags,
 * so a signal that arrived during the write stops the run right after it); rank 0 renames the
 * file to "ckpt_<step>.h5", fsyncs the folder so the rename itself survives a crash, and only
 * then removes checkpoints beyond the newest K. A crash at any instant leaves either the old
 * set of checkpoints or the old set plus the new one. */
#include "checkpoint_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tessera/mem.h"

/* ---- names -------------------------------------------------------------------------------- */

void ckpt_path(const struct tsr_checkpoint_s *c, int64_t step, bool temporary, char *buf,
               size_t size) {
  snprintf(buf, size, temporary ? "%s/.ckpt_%09lld.h5.tmp" : "%s/ckpt_%09lld.h5", c->dir,
           (long long)step);
}

/* "<prefix><digits><suffix>" exactly, digits fitting in int64. */
static bool parse_numbered(const char *name, const char *prefix, const char *suffix,
                           int64_t *step) {
  size_t lp = strlen(prefix), ls = strlen(suffix), len = strlen(name);
  if (len <= lp + ls || strncmp(name, prefix, lp) != 0 || strcmp(name + len - ls, suffix) != 0)
    return false;
  int64_t s = 0;
  for (const char *p = name + lp; p < name + len - ls; p++) {
    if (*p < '0' || *p > '9' || s > (INT64_MAX - 9) / 10) return false;
    s = 10 * s + (*p - '0');
  }
  *step = s;
  return true;
}

bool ckpt_parse_name(const char *name, int64_t *step) {
  /* Only the name ckpt_path() gives (zero-padded): another spelling of the same step (a file
   * renamed by hand, "ckpt_5.h5") would be listed but opened under the canonical name. */
  char canonical[64];
  if (!parse_numbered(name, "ckpt_", ".h5", step)) return false;
  snprintf(canonical, sizeof canonical, "ckpt_%09lld.h5", (long long)*step);
  return strcmp(name, canonical) == 0;
}

static int newest_first(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x < y) - (x > y);
}

tsr_err ckpt_list(const struct tsr_checkpoint_s *c, int64_t **steps, int *n, io_verdict *v) {
  *steps = NULL;
  *n = 0;
  /* Test hook: a rank-local failure of the listing, which only rank 0 does. */
  if (getenv("TSR_CHECKPOINT_TEST_FAIL_LIST"))
    TSR_ERROR_LOCAL(TSR_ERR_MEM, "listing checkpoint folder '%s' failed (test hook)", c->dir);
  DIR *d = opendir(c->dir);
  if (!d) {
    io_fail(v, TSR_ERR_FILE, "cannot read checkpoint folder '%s': %s", c->dir, strerror(errno));
    return TSR_SUCCESS;
  }
  int cap = 0;
  tsr_err err = TSR_SUCCESS;
  for (struct dirent *e; err == TSR_SUCCESS && (e = readdir(d));) {
    int64_t step;
    if (!ckpt_parse_name(e->d_name, &step)) continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 16;
      int64_t *grown;
      err = TSR_MALLOC(cap, &grown);
      if (err == TSR_SUCCESS && *n) memcpy(grown, *steps, (size_t)*n * sizeof *grown);
      if (err == TSR_SUCCESS) tsr_free(steps);
      if (err == TSR_SUCCESS) *steps = grown;
    }
    if (err == TSR_SUCCESS) (*steps)[(*n)++] = step;
  }
  closedir(d);
  if (err != TSR_SUCCESS) tsr_free(steps);
  TSR_CALL(err);
  if (*n > 1) qsort(*steps, (size_t)*n, sizeof **steps, newest_first);
  return TSR_SUCCESS;
}

/* ---- the folder --------------------------------------------------------------------------- */

/* Temporary files are what a crashed write left behind: never complete, never read. */
static void remove_stale(const struct tsr_checkpoint_s *c) {
  DIR *d = opendir(c->dir);
  if (!d) return;
  char path[CKPT_FILE_MAX + 256];
  for (struct dirent *e; (e = readdir(d));) {
    int64_t step;
    if (!parse_numbered(e->d_name, ".ckpt_", ".h5.tmp", &step)) continue;
    snprintf(path, sizeof path, "%s/%s", c->dir, e->d_name);
    unlink(path);
  }
  closedir(d);
}

void ckpt_prepare_folder(const struct tsr_checkpoint_s *c, io_verdict *v) {
  io_make_folder(c->dir, "checkpoint folder", v);
  if (v->code == TSR_SUCCESS) io_probe_folder(c->dir, "checkpoint folder", v);
  if (v->code == TSR_SUCCESS) remove_stale(c);
}

/* ---- durability --------------------------------------------------------------------------- */

/* fsync @p path (a file, or a folder when @p folder): data and metadata reach the disk. */
static void sync_path(const char *path, bool folder, const char *what, io_verdict *v) {
  int fd = open(path, O_RDONLY | (folder ? O_DIRECTORY : 0));
  if (fd < 0 || fsync(fd) != 0)
    io_fail(v, TSR_ERR_FILE, "cannot sync %s '%s' to disk: %s", what, path, strerror(errno));
  if (fd >= 0) close(fd);
}

/* Rank 0 after committing the checkpoint of step @p written: keep it and the newest
 * c->keep - 1 before it. Checkpoints of later steps belong to a continuation this run replaces
 * (it restarted from an older checkpoint); renamed "ckpt_<step>.h5.superseded", restart no
 * longer sees them, yet nothing the user may want is deleted. Failing to remove an old one
 * costs only disk space, so it is a warning, not an error. */
static tsr_err remove_old(const struct tsr_checkpoint_s *c, int64_t written) {
  int64_t *steps;
  int n, kept = 0;
  io_verdict v = {TSR_SUCCESS, ""};
  TSR_CALL(ckpt_list(c, &steps, &n, &v));
  if (v.code != TSR_SUCCESS)
    fprintf(stderr, "tessera: warning: old checkpoints not removed: %s\n", v.msg);
  char path[CKPT_FILE_MAX], aside[CKPT_FILE_MAX + 16];
  for (int i = 0; i < n; i++) {
    ckpt_path(c, steps[i], false, path, sizeof path);
    if (steps[i] > written) {
      snprintf(aside, sizeof aside, "%s.superseded", path);
      if (rename(path, aside) != 0)
        fprintf(stderr, "tessera: warning: cannot rename superseded checkpoint '%s': %s\n", path,
                strerror(errno));
    } else if (++kept > c->keep && unlink(path) != 0) {
      fprintf(stderr, "tessera: warning: cannot remove old checkpoint '%s': %s\n", path,
              strerror(errno));
    }
  }
  return tsr_free(&steps);
}

/* ---- the write ---------------------------------------------------------------------------- */

/* The attributes of this checkpoint: version, options and the registered scalars' values. */
static tsr_err fill_attrs(struct tsr_checkpoint_s *c, int64_t step, double time) {
  TSR_CALL(tsr_io_attrs_set_step(c->attrs, step));
  TSR_CALL(tsr_io_attrs_set_time(c->attrs, time));
  TSR_CALL(tsr_io_attrs_set_int(c->attrs, CKPT_VERSION_ATTR, TSR_CHECKPOINT_VERSION));
  TSR_CALL(tsr_io_attrs_set_string(c->attrs, CKPT_OPTIONS_ATTR, c->options ? c->options : ""));
  for (int i = 0; i < c->nscalars; i++) {
    const ckpt_scalar *s = &c->scalars[i];
    if (s->type == TSR_IO_REAL)
      TSR_CALL(tsr_io_attrs_set_real(c->attrs, s->name, *s->real));
    else
      TSR_CALL(tsr_io_attrs_set_int(c->attrs, s->name, *s->i64));
  }
  return TSR_SUCCESS;
}

/* Test hook: TSR_CHECKPOINT_TEST_DELAY_MS widens the window between the data and the commit. */
static void test_delay(void) {
  const char *env = getenv("TSR_CHECKPOINT_TEST_DELAY_MS");
  long ms = env ? strtol(env, NULL, 10) : 0;
  if (ms <= 0) return;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Step 1: the collective write of the temporary file. io errors are collective, so every rank
 * gets the same verdict; they are caught (not raised) to clean up first. */
static tsr_err write_temporary(struct tsr_checkpoint_s *c, const char *tmp, io_verdict *v) {
  /* A full disk is caught before any data is written: the io write reserves the file's size
   * first (io_write.c). */
  ckpt_try t;
  ckpt_try_begin(&t);
  tsr_err err = tsr_io_write_fields(tmp, c->fields, c->nfields, c->attrs);
  ckpt_try_end(&t);
  if (err == TSR_ERR_FILE) {
    io_fail(v, TSR_ERR_FILE, "%s", tsr_error_message());
    tsr_error_clear();
    return TSR_SUCCESS;
  }
  if (err != TSR_SUCCESS) return ckpt_reraise(err, __FILE__, __LINE__, __func__);
  return TSR_SUCCESS;
}

/* Steps 2-3: every rank fsyncs the file, then every rank votes; the vote also carries the
 * signal flags. Every rank, not only rank 0: on a parallel file system each node caches its own
 * ranks' writes, and only an fsync on that node makes them durable before the rename commits
 * the checkpoint and older ones are removed. A failed rank's verdict reaches every rank. */
static tsr_err vote(struct tsr_checkpoint_s *c, const char *tmp, io_verdict *v) {
  if (v->code == TSR_SUCCESS) sync_path(tmp, false, "checkpoint file", v);
  test_delay();
  int size, mine[2], all[2];
  TSR_CALL_MPI(MPI_Comm_size(c->comm, &size));
  mine[0] = v->code != TSR_SUCCESS ? size - c->rank : 0; /* max: the lowest failed rank */
  mine[1] = ckpt_signal_count() != c->consumed;
  TSR_CALL_MPI(MPI_Allreduce(mine, all, 2, MPI_INT, MPI_MAX, c->comm));
  c->signal_in_vote = all[1] != 0;
  if (all[0]) TSR_CALL(io_verdict_bcast(c->comm, size - all[0], v));
  return TSR_SUCCESS;
}

/* Steps 4-5 on rank 0: commit (rename, folder fsync), then the old ones go. */
static void commit(struct tsr_checkpoint_s *c, int64_t step, const char *tmp, const char *final,
                   io_verdict *v) {
  if (rename(tmp, final) != 0) {
    io_fail(v, TSR_ERR_FILE, "cannot rename checkpoint '%s' to '%s': %s", tmp, final,
            strerror(errno));
    return;
  }
  sync_path(c->dir, true, "checkpoint folder", v);
  if (v->code != TSR_SUCCESS) return; /* the rename may not last: keep the old */
  /* Committed: a failure from here on only costs disk space, so it is a warning even where the
   * context's handler would end the run. */
  ckpt_try t;
  ckpt_try_begin(&t);
  const tsr_err err = remove_old(c, step);
  ckpt_try_end(&t);
  if (err != TSR_SUCCESS) {
    fprintf(stderr, "tessera: warning: old checkpoints not removed: %s\n", tsr_error_message());
    tsr_error_clear();
  }
}

static tsr_err write_unlogged(struct tsr_checkpoint_s *c, int64_t step, double time) {
  char tmp[CKPT_FILE_MAX], final[CKPT_FILE_MAX];
  ckpt_path(c, step, true, tmp, sizeof tmp);
  ckpt_path(c, step, false, final, sizeof final);
  TSR_CALL(fill_attrs(c, step, time));
  io_verdict v = {TSR_SUCCESS, ""};
  TSR_CALL(write_temporary(c, tmp, &v));
  TSR_CALL(vote(c, tmp, &v));
  if (c->rank == 0 && v.code == TSR_SUCCESS) commit(c, step, tmp, final, &v);
  if (c->rank == 0 && v.code != TSR_SUCCESS) unlink(tmp); /* never left for restart to see */
  TSR_CALL(io_verdict_bcast(c->comm, 0, &v));
  if (v.code != TSR_SUCCESS)
    TSR_ERROR(TSR_ERR_FILE,
              "checkpoint of step %lld not written (the previous checkpoints are untouched): %s",
              (long long)step, v.msg);
  snprintf(c->last_path, sizeof c->last_path, "%s", final);
  c->have_written = true;
  c->last_step = step;
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_write(tsr_checkpoint ckpt, int64_t step, double time) {
  TSR_CHECK(ckpt, TSR_ERR_ARG, "tsr_checkpoint_write: the checkpoint handle is NULL");
  TSR_CHECK(ckpt->is_setup, TSR_ERR_STATE,
            "tsr_checkpoint_write: the checkpointing is not set up (call tsr_checkpoint_setup)");
  TSR_CHECK(step >= 0, TSR_ERR_ARG, "tsr_checkpoint_write: step %lld is negative", (long long)step);
  tsr_events ev = tsr_ctx_events(tsr_grid_ctx(ckpt->grid));
  TSR_CALL(tsr_event_begin(ev, TSR_EV_CHECKPOINT));
  double t0 = tsr_wtime();
  tsr_err err = write_unlogged(ckpt, step, time);
  if (err == TSR_SUCCESS && ckpt->rank == 0) {
    double took = tsr_wtime() - t0;
    if (took > ckpt->slowest_write) ckpt->slowest_write = took;
    ckpt->last_time = tsr_wtime();
  }
  TSR_CALL(tsr_event_end(ev, TSR_EV_CHECKPOINT));
  if (err != TSR_SUCCESS) return tsr_error_frame(err, __FILE__, __LINE__, __func__);
  return TSR_SUCCESS;
}
