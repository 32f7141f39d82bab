/* Collective reading of fields from a file in any decomposition. Rank 0 inspects the file
 * first (io_inspect.c) and shares its verdict, the snapshot attributes and the stored
 * fingerprints; only then do all ranks open the file together and read their owned boxes as
 * hyperslabs, slab by slab through a bounded buffer (io_transfer.c). The fingerprints recomputed
 * from the data read must match the stored ones, which catches damaged data bytes. */
#include "io_impl.h"

#include <stdio.h>
#include <string.h>

#include "tessera/mem.h"

typedef struct {
  const char *path;
  const tsr_field *fields;
  int nfields;
  tsr_grid_info info;
  MPI_Comm comm;
  io_slabs slabs;
  double *buf; /* one slab */
  hid_t fapl, file, dxpl;
  io_inspection ins;
} reading;

/* Rank 0 inspects; every rank receives the verdict, then (when good) the attributes and the
 * fingerprints. */
static tsr_err inspect_and_share(reading *r) {
  if (r->info.rank == 0) TSR_CALL(io_inspect(r->path, r->fields, r->nfields, &r->info, &r->ins));
  TSR_CALL(io_verdict_bcast(r->comm, 0, &r->ins.v));
  if (r->ins.v.code != TSR_SUCCESS) return TSR_SUCCESS;
  TSR_CALL_MPI(MPI_Bcast(r->ins.fingerprints, r->nfields, MPI_UINT64_T, 0, r->comm));
  char *buf = NULL;
  size_t len = 0;
  if (r->info.rank == 0) TSR_CALL(io_attrs_pack(r->ins.attrs, &buf, &len));
  uint64_t len64 = len;
  TSR_CALL_MPI(MPI_Bcast(&len64, 1, MPI_UINT64_T, 0, r->comm));
  int count;
  tsr_err err = tsr_cast_int((int64_t)len64, "attribute bytes", &count);
  if (err == TSR_SUCCESS && r->info.rank != 0) err = tsr_malloc((size_t)len64, &buf);
  if (err == TSR_SUCCESS && MPI_Bcast(buf, count, MPI_CHAR, 0, r->comm) != MPI_SUCCESS)
    err = tsr_error_raise(TSR_ERR_MPI, TSR_ERROR_RANK_LOCAL, __FILE__, __LINE__, __func__,
                          "MPI_Bcast of the file's attributes failed");
  if (err == TSR_SUCCESS && r->info.rank != 0) err = io_attrs_unpack(r->ins.attrs, buf, len64);
  tsr_free(&buf);
  return err;
}

/* Open the (inspected) file on all ranks with MPI-IO; metadata is read by one rank and
 * broadcast by HDF5 (all_coll_metadata_ops), which keeps P ranks from reading it P times. */
static tsr_err open_collective(reading *r) {
  TSR_CALL_H5(r->fapl = H5Pcreate(H5P_FILE_ACCESS));
  TSR_CALL_H5(H5Pset_fapl_mpio(r->fapl, r->comm, MPI_INFO_NULL));
  TSR_CALL_H5(H5Pset_all_coll_metadata_ops(r->fapl, true));
  TSR_CALL_H5(r->dxpl = H5Pcreate(H5P_DATASET_XFER));
  TSR_CALL_H5(H5Pset_dxpl_mpio(r->dxpl, H5FD_MPIO_COLLECTIVE));
  r->file = H5Fopen(r->path, H5F_ACC_RDONLY, r->fapl);
  if (r->file < 0) {
    char reason[256];
    io_h5_reason(reason, sizeof reason);
    io_fail(&r->ins.v, TSR_ERR_FILE, "cannot open file '%s' for reading: %s", r->path, reason);
  }
  return io_verdict_agree(r->comm, &r->ins.v);
}

static tsr_err read_component(reading *r, tsr_field f, int c) {
  tsr_view v;
  TSR_CALL(tsr_field_get_view(f, c, &v));
  char path[2 * TSR_IO_NAME_MAX + 16], failed[2 * TSR_IO_NAME_MAX + 4200];
  io_dataset_path(f, c, path, sizeof path);
  hid_t dset = H5Dopen2(r->file, path, H5P_DEFAULT);
  if (dset < 0) {
    char reason[256];
    io_h5_reason(reason, sizeof reason);
    io_fail(&r->ins.v, TSR_ERR_CORRUPT, "file '%s': dataset '/%s' cannot be opened: %s", r->path,
            path, reason);
  }
  TSR_CALL(io_verdict_agree(r->comm, &r->ins.v));
  if (r->ins.v.code == TSR_SUCCESS) {
    snprintf(failed, sizeof failed, "file '%s': dataset '/%s' cannot be read", r->path, path);
    io_transfer_args t = {.grid = &r->info,
                          .slabs = &r->slabs,
                          .dset = dset,
                          .dxpl = r->dxpl,
                          .buf = r->buf,
                          .writing = false,
                          .code = TSR_ERR_CORRUPT,
                          .what = failed};
    io_transfer(&t, &v, &r->ins.v);
  }
  io_h5_close(&dset);
  return io_verdict_agree(r->comm, &r->ins.v);
}

/* Read every component of field @p i, agree on the outcome, then check its fingerprint. */
static tsr_err read_field(reading *r, int i) {
  tsr_field f = r->fields[i];
  for (int c = 0; c < tsr_field_num_components(f) && r->ins.v.code == TSR_SUCCESS; c++)
    TSR_CALL(read_component(r, f, c)); /* agrees on its outcome */
  if (r->ins.v.code != TSR_SUCCESS) return TSR_SUCCESS;
  uint64_t fingerprint;
  TSR_CALL(tsr_field_fingerprint(f, &fingerprint)); /* the same on every rank */
  if (fingerprint != r->ins.fingerprints[i])
    io_fail(&r->ins.v, TSR_ERR_CORRUPT,
            "file '%s': the data of field '%s' does not match its fingerprint (stored %016llx, "
            "data read %016llx): the file is damaged",
            r->path, tsr_field_name(f), (unsigned long long)r->ins.fingerprints[i],
            (unsigned long long)fingerprint);
  return TSR_SUCCESS;
}

static tsr_err read_contents(reading *r) {
  TSR_CALL(inspect_and_share(r));
  if (r->ins.v.code != TSR_SUCCESS) return TSR_SUCCESS;
  TSR_CALL(open_collective(r));
  for (int i = 0; i < r->nfields && r->ins.v.code == TSR_SUCCESS; i++)
    TSR_CALL(read_field(r, i));
  return TSR_SUCCESS;
}

/* The read itself, on fields already checked by io_check_fields() into @p info. */
static tsr_err read_fields_unlogged(const char *path, const tsr_field fields[], int nfields,
                                    const tsr_grid_info *info, tsr_io_attrs attrs) {
  TSR_CHECK(path && path[0], TSR_ERR_ARG, "tsr_io_read_fields: the path is empty");
  reading r = {.path = path, .fields = fields, .nfields = nfields};
  r.info = *info;
  r.comm = io_comm(fields[0]);
  r.fapl = r.file = r.dxpl = H5I_INVALID_HID;
  TSR_CALL(io_slabs_plan(tsr_field_grid(fields[0]), &r.info, &r.slabs));
  TSR_CALL(tsr_io_attrs_create(&r.ins.attrs));
  tsr_err err = TSR_CALLOC(nfields, &r.ins.fingerprints);
  if (err == TSR_SUCCESS) err = TSR_MALLOC(r.slabs.buf_cells, &r.buf);
  io_quiet quiet;
  io_quiet_begin(&quiet);
  if (err == TSR_SUCCESS) err = read_contents(&r);
  io_h5_close(&r.file);
  io_h5_close(&r.dxpl);
  io_h5_close(&r.fapl);
  io_quiet_end(&quiet);
  if (err == TSR_SUCCESS && r.ins.v.code == TSR_SUCCESS && attrs) {
    err = io_attrs_assign(attrs, r.ins.attrs);
    if (err == TSR_SUCCESS) err = io_attrs_set_source(attrs, path);
  }
  tsr_free(&r.buf);
  tsr_free(&r.ins.fingerprints);
  tsr_io_attrs_destroy(&r.ins.attrs);
  TSR_CALL(err);
  IO_RAISE(r.ins.v);
  return TSR_SUCCESS;
}

tsr_err tsr_io_read_fields(const char *path, const tsr_field fields[], int nfields,
                           tsr_io_attrs attrs) {
  tsr_grid_info info;
  TSR_CALL(io_check_fields("tsr_io_read_fields", fields, nfields, &info));
  /* The whole collective read is one io event; its bytes are this rank's share of the file. */
  tsr_events ev = tsr_ctx_events(tsr_grid_ctx(tsr_field_grid(fields[0])));
  TSR_CALL(tsr_event_begin(ev, TSR_EV_IO_READ));
  tsr_err err = read_fields_unlogged(path, fields, nfields, &info, attrs);
  if (err == TSR_SUCCESS)
    TSR_CALL(tsr_event_add_bytes_moved(ev, TSR_EV_IO_READ, io_owned_bytes(&info, fields, nfields)));
  TSR_CALL(tsr_event_end(ev, TSR_EV_IO_READ));
  return err;
}
