/* Restart: load the newest valid checkpoint of the folder (or the file named), on any rank
 * count.
 *
 * Each candidate is first examined by rank 0 alone (io_inspect: format, grid, fields,
 * components, shapes; then the checkpoint's own attributes and the registered scalars), and
 * the verdict is shared; only then do all ranks read it (tsr_io_read_fields, which checks the
 * fingerprints). The verdict sorts problems into two kinds, told apart by their code:
 *  - TSR_ERR_CORRUPT, damage (truncated, flipped bytes, no longer HDF5): "latest" skips the
 *    file with a warning and tries the previous one;
 *  - TSR_ERR_FILE, an intact checkpoint of another run (grid size, dim or periodicity, fields,
 *    scalars): an error at
 *    once, never a fall back to an older checkpoint, which would be of that other run too. */
#include "checkpoint_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tessera/mem.h"

/* ---- rank 0's examination ----------------------------------------------------------------- */

/* Whether @p path opens as HDF5 and says it is a Tessera fields file: a file that does is
 * intact (HDF5 checksums its metadata), so a problem io reports with it is a mismatch. */
static bool is_intact_fields_file(const char *path) {
  if (H5Fis_hdf5(path) <= 0) return false;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = f >= 0 && H5Aexists(f, "format") > 0 ? H5Aopen(f, "format", H5P_DEFAULT) : -1;
  hid_t t = a >= 0 ? H5Aget_type(a) : -1;
  char buf[64] = "";
  bool intact = t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t) &&
                H5Tget_size(t) < sizeof buf && H5Aread(a, t, buf) >= 0 &&
                strcmp(buf, TSR_IO_FORMAT) == 0;
  io_h5_close(&t);
  io_h5_close(&a);
  io_h5_close(&f);
  return intact;
}

/* Number of fields in the file (its /fields group), -1 when it cannot be read. */
static long count_fields(const char *path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  H5G_info_t info;
  long n = f >= 0 && H5Gget_info_by_name(f, IO_FIELDS_GROUP, &info, H5P_DEFAULT) >= 0
               ? (long)info.nlinks
               : -1;
  io_h5_close(&f);
  return n;
}

/* "0,1,1": the periodic flags of @p dim axes. */
static void format_periodic(const int *periodic, int dim, char *buf, size_t size) {
  int len = 0;
  for (int a = 0; a < dim && len >= 0 && (size_t)len < size; a++)
    len += snprintf(buf + len, size - (size_t)len, "%s%d", a ? "," : "", periodic[a] != 0);
}

/* The periodicity of the checkpoint's grid (root attribute "periodic", one int per axis; io
 * has checked the dim and the size) against this run's: the same cells on other boundary
 * conditions are another problem, so a restart must not mix them. */
static void check_periodic(const char *path, const tsr_grid_info *g, io_verdict *v) {
  int saved[TSR_MAX_DIM] = {0, 0, 0}, given[TSR_MAX_DIM];
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = f >= 0 ? H5Aopen(f, "periodic", H5P_DEFAULT) : -1;
  hid_t s = a >= 0 ? H5Aget_space(a) : -1;
  bool ok =
      s >= 0 && H5Sget_simple_extent_npoints(s) == g->dim && H5Aread(a, H5T_NATIVE_INT, saved) >= 0;
  io_h5_close(&s);
  io_h5_close(&a);
  io_h5_close(&f);
  if (!ok) {
    io_fail(v, TSR_ERR_CORRUPT, "file '%s': root attribute 'periodic' cannot be read as %d flags",
            path, g->dim);
    return;
  }
  bool same = true;
  for (int d = 0; d < g->dim; d++) {
    given[d] = g->periodic[d];
    same = same && (saved[d] != 0) == (given[d] != 0);
  }
  if (same) return;
  char was[32], is[32];
  format_periodic(saved, g->dim, was, sizeof was);
  format_periodic(given, g->dim, is, sizeof is);
  io_fail(v, TSR_ERR_FILE,
          "checkpoint '%s' is of a grid with periodic axes %s, but this run's grid has periodic "
          "axes %s (--periodic)",
          path, was, is);
}

/* The checkpoint's own attributes and the registered scalars, in the inspected attributes. */
static void check_checkpoint(const struct tsr_checkpoint_s *c, const char *path, tsr_io_attrs attrs,
                             io_verdict *v) {
  tsr_io_type type;
  int64_t version = 0;
  if (!tsr_io_attrs_has(attrs, CKPT_VERSION_ATTR, &type) || type != TSR_IO_INT)
    io_fail(v, TSR_ERR_FILE, "file '%s' is not a checkpoint: it has no integer attribute '%s'",
            path, CKPT_VERSION_ATTR);
  else if (tsr_io_attrs_get_int(attrs, CKPT_VERSION_ATTR, &version) != TSR_SUCCESS || version < 1 ||
           version > TSR_CHECKPOINT_VERSION)
    io_fail(v, TSR_ERR_FILE,
            "checkpoint '%s' has version %lld, which this Tessera cannot read (versions 1 to %d)",
            path, (long long)version, TSR_CHECKPOINT_VERSION);
  for (int i = 0; i < c->nscalars && v->code == TSR_SUCCESS; i++) {
    const ckpt_scalar *s = &c->scalars[i];
    bool has = tsr_io_attrs_has(attrs, s->name, &type);
    if (!has || type != s->type)
      io_fail(v, TSR_ERR_FILE, "checkpoint '%s' %s scalar '%s'%s: this run registers it as %s",
              path, has ? "holds" : "lacks", s->name,
              !has                  ? ""
              : type == TSR_IO_REAL ? " as a real"
              : type == TSR_IO_INT  ? " as an integer"
                                    : " of another type",
              s->type == TSR_IO_REAL ? "a real" : "an integer");
  }
  long n = v->code == TSR_SUCCESS ? count_fields(path) : c->nfields;
  if (n != c->nfields)
    io_fail(v, TSR_ERR_FILE, "checkpoint '%s' holds %ld fields, but this run checkpoints %d", path,
            n, c->nfields);
}

/* Rank 0: the verdict on @p path. With @p sort, every problem that is not a mismatch of an
 * intact file becomes TSR_ERR_CORRUPT (damage), see the top of this file. */
static tsr_err examine(const struct tsr_checkpoint_s *c, const char *path, bool sort,
                       io_verdict *v) {
  tsr_grid_info g;
  TSR_CALL(tsr_grid_get_info(c->grid, &g));
  io_inspection ins = {.v = {TSR_SUCCESS, ""}};
  TSR_CALL(tsr_io_attrs_create(&ins.attrs));
  tsr_err err = TSR_CALLOC(c->nfields, &ins.fingerprints);
  io_quiet quiet;
  io_quiet_begin(&quiet);
  if (err == TSR_SUCCESS) err = io_inspect(path, c->fields, c->nfields, &g, &ins);
  if (err == TSR_SUCCESS && ins.v.code == TSR_SUCCESS) check_periodic(path, &g, &ins.v);
  if (err == TSR_SUCCESS && ins.v.code == TSR_SUCCESS) check_checkpoint(c, path, ins.attrs, &ins.v);
  if (sort && ins.v.code == TSR_ERR_FILE && !is_intact_fields_file(path))
    ins.v.code = TSR_ERR_CORRUPT;
  io_quiet_end(&quiet);
  *v = ins.v;
  tsr_free(&ins.fingerprints);
  tsr_io_attrs_destroy(&ins.attrs);
  return err;
}

/* ---- loading ------------------------------------------------------------------------------ */

/* The registered scalars, step and time from the attributes read (checked by examine()). */
static tsr_err restore(struct tsr_checkpoint_s *c, const char *path, tsr_restart_info *info) {
  for (int i = 0; i < c->nscalars; i++) {
    const ckpt_scalar *s = &c->scalars[i];
    if (s->type == TSR_IO_REAL)
      TSR_CALL(tsr_io_attrs_get_real(c->attrs, s->name, s->real));
    else
      TSR_CALL(tsr_io_attrs_get_int(c->attrs, s->name, s->i64));
  }
  const char *options = "";
  TSR_CALL(tsr_io_attrs_get_step(c->attrs, &info->step));
  TSR_CALL(tsr_io_attrs_get_time(c->attrs, &info->time));
  if (tsr_io_attrs_has(c->attrs, CKPT_OPTIONS_ATTR, NULL))
    TSR_CALL(tsr_io_attrs_get_string(c->attrs, CKPT_OPTIONS_ATTR, &options));
  snprintf(info->options, sizeof info->options, "%s", options);
  snprintf(info->path, sizeof info->path, "%s", path);
  info->restarted = true;
  snprintf(c->last_path, sizeof c->last_path, "%s", path);
  c->have_written = true; /* a stop at this very step needs no new checkpoint */
  c->last_step = info->step;
  if (c->rank == 0) c->last_time = tsr_wtime();
  return TSR_SUCCESS;
}

/* Examine, then read @p path; problems go into @p v (codes as examine()). On success the
 * fields, scalars and @p info hold the checkpoint. */
static tsr_err try_load(struct tsr_checkpoint_s *c, const char *path, bool sort, io_verdict *v,
                        tsr_restart_info *info) {
  if (c->rank == 0) {
    tsr_err err = examine(c, path, sort, v);
    /* Codes examine raised are failures of the examination, never verdicts on the file. */
    if (err == TSR_ERR_CORRUPT || err == TSR_ERR_FILE) err = TSR_ERR_INTERNAL;
    io_fail_raised(v, err);
  }
  TSR_CALL(io_verdict_bcast(c->comm, 0, v));
  /* A damaged file (fall back) or another run's (refuse) is a verdict; anything else is an
   * error of rank 0's examination, raised on every rank. */
  if (v->code != TSR_SUCCESS && v->code != TSR_ERR_CORRUPT && v->code != TSR_ERR_FILE) IO_RAISE(*v);
  if (v->code != TSR_SUCCESS) return TSR_SUCCESS;
  ckpt_try t;
  ckpt_try_begin(&t);
  tsr_err err = tsr_io_read_fields(path, c->fields, c->nfields, c->attrs);
  ckpt_try_end(&t);
  if (err == TSR_ERR_FILE || err == TSR_ERR_CORRUPT) { /* collective: the data is damaged */
    io_fail(v, sort ? TSR_ERR_CORRUPT : err, "%s", tsr_error_message());
    tsr_error_clear();
    return TSR_SUCCESS;
  }
  if (err != TSR_SUCCESS) return ckpt_reraise(err, __FILE__, __LINE__, __func__);
  return restore(c, path, info);
}

/* Rank 0 lists the folder; every rank gets the same steps, newest first. */
static tsr_err shared_list(struct tsr_checkpoint_s *c, int64_t **steps, int *n) {
  io_verdict v = {TSR_SUCCESS, ""};
  *steps = NULL;
  *n = 0;
  if (c->rank == 0) io_fail_raised(&v, ckpt_list(c, steps, n, &v));
  TSR_CALL(io_verdict_bcast(c->comm, 0, &v)); /* a failed listing leaves no steps */
  IO_RAISE(v);
  TSR_CALL_MPI(MPI_Bcast(n, 1, MPI_INT, 0, c->comm));
  if (*n == 0) return TSR_SUCCESS;
  if (c->rank != 0) TSR_CALL(TSR_MALLOC(*n, steps));
  TSR_CALL_MPI(MPI_Bcast(*steps, *n, MPI_INT64_T, 0, c->comm));
  return TSR_SUCCESS;
}

static tsr_err load_latest(struct tsr_checkpoint_s *c, tsr_restart_info *info) {
  int64_t *steps;
  int n;
  TSR_CALL(shared_list(c, &steps, &n));
  TSR_CHECK(n > 0, TSR_ERR_FILE,
            "--restart latest: no checkpoint (file ckpt_<step>.h5) in folder '%s'", c->dir);
  char path[CKPT_FILE_MAX], newest[IO_MSG_MAX] = "";
  io_verdict v = {TSR_SUCCESS, ""};
  tsr_err err = TSR_SUCCESS;
  int i;
  for (i = 0; i < n; i++) {
    ckpt_path(c, steps[i], false, path, sizeof path);
    v = (io_verdict){TSR_SUCCESS, ""};
    err = try_load(c, path, true, &v, info);
    if (err != TSR_SUCCESS || v.code != TSR_ERR_CORRUPT) break;
    if (c->rank == 0)
      fprintf(stderr, "tessera: warning: skipping damaged checkpoint '%s': %s\n", path, v.msg);
    if (i == 0) snprintf(newest, sizeof newest, "%s", v.msg);
    info->skipped++;
  }
  /* Set the damaged ones aside, so that keep-K counts only checkpoints restart can use (it
   * would otherwise keep a damaged newer file and delete the last good older one). Only once
   * a checkpoint loaded: a failed restart leaves the folder as it was. */
  for (int j = 0; c->rank == 0 && err == TSR_SUCCESS && v.code == TSR_SUCCESS && j < i; j++) {
    char aside[CKPT_FILE_MAX + 16];
    ckpt_path(c, steps[j], false, path, sizeof path);
    snprintf(aside, sizeof aside, "%s.damaged", path);
    if (rename(path, aside) != 0)
      fprintf(stderr, "tessera: warning: cannot rename damaged checkpoint '%s': %s\n", path,
              strerror(errno));
  }
  tsr_free(&steps);
  TSR_CALL(err);
  TSR_CHECK(v.code != TSR_ERR_FILE, TSR_ERR_FILE,
            "cannot restart: %s. The checkpoint is intact but of another run or set-up (check "
            "--checkpoint-dir and the options); older checkpoints were not tried",
            v.msg);
  TSR_CHECK(i < n, TSR_ERR_CORRUPT,
            "--restart latest: no valid checkpoint in folder '%s': all %d are damaged (the "
            "newest: %s)",
            c->dir, n, newest);
  return TSR_SUCCESS;
}

static tsr_err load_file(struct tsr_checkpoint_s *c, tsr_restart_info *info) {
  io_verdict v = {TSR_SUCCESS, ""};
  TSR_CALL(try_load(c, c->restart, false, &v, info));
  TSR_CHECK(v.code == TSR_SUCCESS, v.code, "cannot restart from '%s': %s", c->restart, v.msg);
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_restart(tsr_checkpoint ckpt, tsr_restart_info *info) {
  TSR_CHECK(ckpt, TSR_ERR_ARG, "tsr_checkpoint_restart: the checkpoint handle is NULL");
  TSR_CHECK(ckpt->is_setup, TSR_ERR_STATE,
            "tsr_checkpoint_restart: the checkpointing is not set up (call tsr_checkpoint_setup)");
  tsr_restart_info local;
  if (!info) info = &local;
  memset(info, 0, sizeof *info);
  if (!ckpt->restart[0]) return TSR_SUCCESS;
  if (strcmp(ckpt->restart, "latest") == 0)
    TSR_CALL(load_latest(ckpt, info));
  else
    TSR_CALL(load_file(ckpt, info));
  return TSR_SUCCESS;
}
