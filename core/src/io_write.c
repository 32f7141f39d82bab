/* Collective writing of fields into one HDF5 file (format in io.h): metadata as attributes,
 * then one dataset per component, each rank writing its owned cells as hyperslabs, slab by
 * slab through a bounded buffer (io_transfer.c says why).
 *
 * Failures that touch the file (it cannot be created, written or closed) are kept in a
 * verdict and agreed between ranks at a few points, so they are raised alike on every rank. */
#define _GNU_SOURCE /* fallocate() */
#include "io_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tessera/mem.h"

typedef struct {
  const char *path;
  const tsr_field *fields;
  int nfields;
  const struct tsr_io_attrs_s *attrs;
  tsr_grid_info info;
  MPI_Comm comm;
  io_slabs slabs;
  double *buf; /* one slab */
  hid_t fapl, fcpl, file, dxpl, dcpl, ocpl;
  io_verdict v;
} writing;

/* ---- small HDF5 writers ------------------------------------------------------------------- */

/* Attribute @p name on @p obj: @p count values (0: one scalar) of memory type @p mtype
 * stored as @p ftype. Returns negative on failure. */
static herr_t put_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype, hsize_t count,
                       const void *data) {
  hid_t space = count ? H5Screate_simple(1, &count, NULL) : H5Screate(H5S_SCALAR);
  hid_t attr = space < 0 ? -1 : H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t status = attr < 0 ? -1 : H5Awrite(attr, mtype, data);
  io_h5_close(&attr);
  io_h5_close(&space);
  return status;
}

/* Fixed-length string type of @p size bytes (NUL included). */
static hid_t string_type(size_t size) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t >= 0 && (H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0))
    io_h5_close(&t);
  return t;
}

static herr_t put_string_attr(hid_t obj, const char *name, const char *s) {
  hid_t t = string_type(strlen(s) + 1);
  herr_t status = t < 0 ? -1 : put_attr(obj, name, t, t, 0, s);
  io_h5_close(&t);
  return status;
}

/* Array of @p n fixed-length strings, as wide as the longest. */
static herr_t put_string_array_attr(hid_t obj, const char *name, const char *const *s, int n) {
  size_t width = 1;
  for (int i = 0; i < n; i++)
    if (strlen(s[i]) + 1 > width) width = strlen(s[i]) + 1;
  char *buf;
  if (tsr_calloc((size_t)n, width, &buf) != TSR_SUCCESS) return -1;
  for (int i = 0; i < n; i++)
    memcpy(buf + (size_t)i * width, s[i], strlen(s[i]));
  hid_t t = string_type(width);
  herr_t status = t < 0 ? -1 : put_attr(obj, name, t, t, (hsize_t)n, buf);
  io_h5_close(&t);
  tsr_free(&buf);
  return status;
}

/* Record a failed write of @p what in the verdict, with HDF5's reason. */
static void fail_write(writing *w, const char *what) {
  char reason[256];
  io_h5_reason(reason, sizeof reason);
  io_fail(&w->v, TSR_ERR_FILE, "cannot write %s to file '%s'%s%s", what, w->path,
          reason[0] ? ": " : "", reason);
}

/* ---- file and metadata -------------------------------------------------------------------- */

/* Rank 0 looks at the folder the file goes into, so that a missing one gets a clear message
 * rather than MPI-IO's. */
static void check_folder(writing *w) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", w->path);
  char *slash = strrchr(dir, '/');
  if (!slash) return; /* the current folder */
  if (slash == dir)
    slash[1] = '\0';
  else
    *slash = '\0';
  struct stat st;
  if (stat(dir, &st) != 0)
    io_fail(&w->v, TSR_ERR_FILE, "cannot create file '%s': folder '%s': %s", w->path, dir,
            strerror(errno));
  else if (!S_ISDIR(st.st_mode))
    io_fail(&w->v, TSR_ERR_FILE, "cannot create file '%s': '%s' is not a folder", w->path, dir);
}

/* Bytes the file will take, generously: the data, plus room for the metadata and attributes. */
static double expected_bytes(const writing *w) {
  double bytes = 65536.0, cells = 1;
  for (int a = 0; a < w->info.dim; a++)
    cells *= (double)w->info.n[a];
  for (int i = 0; i < w->nfields; i++)
    bytes += 4096.0 + tsr_field_num_components(w->fields[i]) * (cells * 8.0 + 4096.0);
  for (int i = 0; w->attrs && i < w->attrs->nnamed; i++) {
    const io_named *n = &w->attrs->named[i];
    bytes += 1024.0 + (n->type == TSR_IO_STRING ? (double)strlen(n->v.str) : 8.0);
  }
  return bytes;
}

/* Rank 0, before HDF5 creates the file: make sure the disk and the file size limit can hold
 * it (posix_fallocate of its size, then released), so that a full disk is a clean error with
 * the system's reason. HDF5 cannot recover from a close whose flush fails (see
 * close_file()). File systems that cannot reserve space are written without the check. */
static void reserve_space(writing *w) {
  double bytes = expected_bytes(w);
  int fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    io_fail(&w->v, TSR_ERR_FILE, "cannot create file '%s': %s", w->path, strerror(errno));
    return;
  }
  /* fallocate(), not posix_fallocate(): where the file system cannot reserve, the latter
   * writes every block, which would double the cost of a large file. */
  int err = bytes < 9e18 && fallocate(fd, 0, 0, (off_t)bytes) != 0 ? errno : 0;
  if (err == 0 && ftruncate(fd, 0) != 0) err = errno; /* HDF5 truncates it anyway */
  close(fd);
  if (err != 0 && err != EOPNOTSUPP && err != EINVAL && err != ENOSYS)
    io_fail(&w->v, TSR_ERR_FILE, "cannot write file '%s' (%.0f bytes): %s", w->path, bytes,
            strerror(err));
}

static tsr_err create_file(writing *w) {
  if (w->info.rank == 0) check_folder(w);
  if (w->info.rank == 0 && w->v.code == TSR_SUCCESS) reserve_space(w);
  TSR_CALL(io_verdict_bcast(w->comm, 0, &w->v));
  if (w->v.code != TSR_SUCCESS) return TSR_SUCCESS;

  TSR_CALL_H5(w->fapl = H5Pcreate(H5P_FILE_ACCESS));
  TSR_CALL_H5(H5Pset_fapl_mpio(w->fapl, w->comm, MPI_INFO_NULL));
  /* The 1.8 format: checksummed metadata (damage is detected), readable by HDF5 1.8 and up. */
  TSR_CALL_H5(H5Pset_libver_bounds(w->fapl, H5F_LIBVER_V18, H5F_LIBVER_V18));
  TSR_CALL_H5(H5Pset_coll_metadata_write(w->fapl, true));
  /* No aggregation blocks for metadata or small datasets: their unused tails hold stale
   * memory, which made files of equal content differ in bytes nobody reads. */
  TSR_CALL_H5(H5Pset_meta_block_size(w->fapl, 0));
  TSR_CALL_H5(H5Pset_small_data_block_size(w->fapl, 0));
  TSR_CALL_H5(w->dxpl = H5Pcreate(H5P_DATASET_XFER));
  TSR_CALL_H5(H5Pset_dxpl_mpio(w->dxpl, H5FD_MPIO_COLLECTIVE));
  /* Contiguous datasets allocated at creation and never pre-filled (every cell is written).
   * No timestamps on any object: the same fields give the same file, byte for byte, on any
   * rank count. */
  TSR_CALL_H5(w->dcpl = H5Pcreate(H5P_DATASET_CREATE));
  TSR_CALL_H5(H5Pset_layout(w->dcpl, H5D_CONTIGUOUS));
  TSR_CALL_H5(H5Pset_alloc_time(w->dcpl, H5D_ALLOC_TIME_EARLY));
  TSR_CALL_H5(H5Pset_fill_time(w->dcpl, H5D_FILL_TIME_NEVER));
  TSR_CALL_H5(H5Pset_obj_track_times(w->dcpl, false));
  TSR_CALL_H5(w->ocpl = H5Pcreate(H5P_GROUP_CREATE));
  TSR_CALL_H5(H5Pset_obj_track_times(w->ocpl, false));
  TSR_CALL_H5(w->fcpl = H5Pcreate(H5P_FILE_CREATE)); /* the root group's */
  TSR_CALL_H5(H5Pset_obj_track_times(w->fcpl, false));

  w->file = H5Fcreate(w->path, H5F_ACC_TRUNC, w->fcpl, w->fapl);
  if (w->file < 0) {
    char reason[256];
    io_h5_reason(reason, sizeof reason);
    io_fail(&w->v, TSR_ERR_FILE, "cannot create file '%s': %s", w->path, reason);
  }
  return io_verdict_agree(w->comm, &w->v);
}

static void write_root_attrs(writing *w) {
  const tsr_grid_info *g = &w->info;
  hsize_t d = (hsize_t)g->dim;
  int version = TSR_IO_FORMAT_VERSION, periodic[TSR_MAX_DIM];
  double origin[TSR_MAX_DIM], spacing[TSR_MAX_DIM];
  io_geometry(w->attrs, g, origin, spacing);
  for (int a = 0; a < TSR_MAX_DIM; a++)
    periodic[a] = g->periodic[a];
  int64_t step = w->attrs ? w->attrs->step : 0;
  double time = w->attrs ? w->attrs->time : 0.0;
  hid_t f = w->file;
  /* Every call on every rank, whatever failed before: creating an attribute is collective
   * metadata in parallel HDF5, so a rank that skipped the rest after a local failure (a
   * short-circuit ||) would leave the others waiting in a call it never makes. */
  herr_t status[] = {put_string_attr(f, "format", TSR_IO_FORMAT),
                     put_attr(f, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT, 0, &version),
                     put_string_attr(f, "tessera_version", TSR_VERSION_STRING),
                     put_attr(f, "dim", H5T_STD_I32LE, H5T_NATIVE_INT, 0, &g->dim),
                     put_attr(f, "grid_size", H5T_STD_I64LE, H5T_NATIVE_INT64, d, g->n),
                     put_attr(f, "periodic", H5T_STD_I32LE, H5T_NATIVE_INT, d, periodic),
                     put_attr(f, "origin", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d, origin),
                     put_attr(f, "spacing", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d, spacing),
                     put_attr(f, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &step),
                     put_attr(f, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &time)};
  for (size_t i = 0; i < sizeof status / sizeof status[0]; i++)
    if (status[i] < 0) fail_write(w, "the root attributes");
}

static herr_t put_named(hid_t group, const io_named *n) {
  switch (n->type) {
  case TSR_IO_REAL:
    return put_attr(group, n->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &n->v);
  case TSR_IO_INT:
    return put_attr(group, n->name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &n->v);
  case TSR_IO_UINT64:
    return put_attr(group, n->name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &n->v);
  case TSR_IO_STRING:
    return put_string_attr(group, n->name, n->v.str);
  }
  return -1;
}

/* The caller's named values, as attributes of /attrs (always present, maybe empty). */
static void write_named(writing *w) {
  hid_t g = H5Gcreate2(w->file, IO_ATTRS_GROUP, H5P_DEFAULT, w->ocpl, H5P_DEFAULT);
  if (g < 0) fail_write(w, "group '/" IO_ATTRS_GROUP "'");
  for (int i = 0; g >= 0 && w->attrs && i < w->attrs->nnamed; i++) /* all: collective, as above */
    if (put_named(g, &w->attrs->named[i]) < 0) {
      char what[TSR_IO_NAME_MAX + 64];
      snprintf(what, sizeof what, "attribute '%s'", w->attrs->named[i].name);
      fail_write(w, what);
    }
  io_h5_close(&g);
}

/* ---- data --------------------------------------------------------------------------------- */

/* Dataset <component> of the field's group, then its data in slabs. */
static tsr_err write_component(writing *w, hid_t group, tsr_field f, int c) {
  tsr_view v;
  TSR_CALL(tsr_field_get_view(f, c, &v));
  hsize_t dims[TSR_MAX_DIM];
  for (int r = 0; r < w->info.dim; r++)
    dims[r] = (hsize_t)w->info.n[w->info.dim - 1 - r];
  char what[2 * TSR_IO_NAME_MAX + 64], failed[2 * TSR_IO_NAME_MAX + 4200];
  snprintf(what, sizeof what, "dataset '/" IO_FIELDS_GROUP "/%s/%s'", tsr_field_name(f),
           tsr_field_component_name(f, c));
  hid_t space = H5Screate_simple(w->info.dim, dims, NULL);
  hid_t dset = space < 0 ? H5I_INVALID_HID
                         : H5Dcreate2(group, tsr_field_component_name(f, c), H5T_IEEE_F64LE, space,
                                      H5P_DEFAULT, w->dcpl, H5P_DEFAULT);
  if (dset < 0) fail_write(w, what);
  TSR_CALL(io_verdict_agree(w->comm, &w->v));
  if (w->v.code == TSR_SUCCESS) {
    snprintf(failed, sizeof failed, "cannot write %s to file '%s'", what, w->path);
    io_transfer_args t = {.grid = &w->info,
                          .slabs = &w->slabs,
                          .dset = dset,
                          .dxpl = w->dxpl,
                          .buf = w->buf,
                          .writing = true,
                          .code = TSR_ERR_FILE,
                          .what = failed};
    io_transfer(&t, &v, &w->v);
  }
  io_h5_close(&dset);
  io_h5_close(&space);
  return io_verdict_agree(w->comm, &w->v);
}

/* Group /fields/<name> with its component names and fingerprint, then the datasets. */
static tsr_err write_field(writing *w, hid_t fields_group, tsr_field f) {
  uint64_t fingerprint;
  TSR_CALL(tsr_field_fingerprint(f, &fingerprint));
  int ncomp = tsr_field_num_components(f);
  const char *names[ncomp];
  for (int c = 0; c < ncomp; c++)
    names[c] = tsr_field_component_name(f, c);
  char what[TSR_IO_NAME_MAX + 64];
  snprintf(what, sizeof what, "field '%s'", tsr_field_name(f));
  hid_t g = H5Gcreate2(fields_group, tsr_field_name(f), H5P_DEFAULT, w->ocpl, H5P_DEFAULT);
  herr_t names_ok = g < 0 ? -1 : put_string_array_attr(g, "components", names, ncomp);
  herr_t fp_ok = g < 0 ? -1
                       : put_attr(g, "fingerprint", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0,
                                  &fingerprint); /* both calls: collective, as above */
  if (g < 0 || names_ok < 0 || fp_ok < 0) fail_write(w, what);
  tsr_err err = io_verdict_agree(w->comm, &w->v);
  for (int c = 0; c < ncomp && w->v.code == TSR_SUCCESS && err == TSR_SUCCESS; c++)
    err = write_component(w, g, f, c); /* agrees on its outcome */
  io_h5_close(&g);
  return err;
}

static tsr_err write_contents(writing *w) {
  TSR_CALL(create_file(w));
  if (w->v.code != TSR_SUCCESS) return TSR_SUCCESS;
  write_root_attrs(w);
  write_named(w);
  hid_t fields_group = H5I_INVALID_HID;
  if (w->v.code == TSR_SUCCESS) {
    fields_group = H5Gcreate2(w->file, IO_FIELDS_GROUP, H5P_DEFAULT, w->ocpl, H5P_DEFAULT);
    if (fields_group < 0) fail_write(w, "group '/" IO_FIELDS_GROUP "'");
  }
  tsr_err err = io_verdict_agree(w->comm, &w->v);
  for (int i = 0; i < w->nfields && err == TSR_SUCCESS && w->v.code == TSR_SUCCESS; i++)
    err = write_field(w, fields_group, w->fields[i]);
  io_h5_close(&fields_group);
  return err;
}

/* Close the file (collective: flushes the metadata) and agree on the outcome. The id is never
 * used again, even when the close fails: HDF5 1.10 has then freed the file's structures but
 * left the id registered (a second close, or HDF5's clean-up at MPI_Finalize, would touch
 * freed memory and crash). That is why reserve_space() refuses, before HDF5 writes a byte, a
 * file the disk or the file size limit cannot hold: a close that fails to flush cannot be
 * cleaned up afterwards. */
static tsr_err close_file(writing *w) {
  if (w->file >= 0 && H5Fclose(w->file) < 0) fail_write(w, "the last data (closing)");
  w->file = H5I_INVALID_HID;
  return io_verdict_agree(w->comm, &w->v);
}

/* The write itself, on fields already checked by io_check_fields() into @p info. */
static tsr_err write_fields_unlogged(const char *path, const tsr_field fields[], int nfields,
                                     const tsr_grid_info *info, tsr_io_attrs attrs) {
  TSR_CHECK(path && path[0], TSR_ERR_ARG, "tsr_io_write_fields: the path is empty");
  writing w = {.path = path, .fields = fields, .nfields = nfields, .attrs = attrs};
  w.info = *info;
  w.comm = io_comm(fields[0]);
  w.fapl = w.fcpl = w.file = w.dxpl = w.dcpl = w.ocpl = H5I_INVALID_HID;
  TSR_CALL(io_slabs_plan(tsr_field_grid(fields[0]), &w.info, &w.slabs));
  TSR_CALL(TSR_MALLOC(w.slabs.buf_cells, &w.buf));
  io_quiet quiet;
  io_quiet_begin(&quiet);
  tsr_err err = write_contents(&w);
  if (err == TSR_SUCCESS) err = close_file(&w);
  io_h5_close(&w.file);
  io_h5_close(&w.ocpl);
  io_h5_close(&w.dcpl);
  io_h5_close(&w.dxpl);
  io_h5_close(&w.fcpl);
  io_h5_close(&w.fapl);
  io_quiet_end(&quiet);
  tsr_free(&w.buf);
  TSR_CALL(err);
  IO_RAISE(w.v);
  return TSR_SUCCESS;
}

tsr_err tsr_io_write_fields(const char *path, const tsr_field fields[], int nfields,
                            tsr_io_attrs attrs) {
  tsr_grid_info info;
  TSR_CALL(io_check_fields("tsr_io_write_fields", fields, nfields, &info));
  /* The whole collective write is one io event; its bytes are this rank's share of the file. */
  tsr_events ev = tsr_ctx_events(tsr_grid_ctx(tsr_field_grid(fields[0])));
  TSR_CALL(tsr_event_begin(ev, TSR_EV_IO_WRITE));
  tsr_err err = write_fields_unlogged(path, fields, nfields, &info, attrs);
  if (err == TSR_SUCCESS)
    TSR_CALL(
        tsr_event_add_bytes_moved(ev, TSR_EV_IO_WRITE, io_owned_bytes(&info, fields, nfields)));
  TSR_CALL(tsr_event_end(ev, TSR_EV_IO_WRITE));
  return err;
}
