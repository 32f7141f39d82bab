/* Private parts of the io module, shared by io_*.c: the attribute set body, verdicts (errors
 * held back so that they can be shared and raised alike on every rank), HDF5 quiet mode, and
 * the checks every entry point makes on its fields. Only io sources include this (and hdf5.h). */
#ifndef TESSERA_IO_IMPL_H
#define TESSERA_IO_IMPL_H

#include <hdf5.h>
#include <stdarg.h>

#include "tessera/io.h"

/* Longest error message a verdict carries. */
#define IO_MSG_MAX 1024

/* Group names of the layout (see io.h). */
#define IO_FIELDS_GROUP "fields"
#define IO_ATTRS_GROUP "attrs"

/* ---- attribute set ------------------------------------------------------------------------ */

/* One named value. */
typedef struct {
  char *name;
  tsr_io_type type;
  union {
    double real;
    int64_t i64;
    uint64_t u64;
    char *str;
  } v;
} io_named;

struct tsr_io_attrs_s {
  int64_t step;
  double time;
  double origin[TSR_MAX_DIM];
  double spacing[TSR_MAX_DIM]; /* 0: default 1/n */
  io_named *named;
  int nnamed, cap;
  char *source; /* file the set was read from, NULL when built by the caller */
};

/* Serialise @p a (everything but the source) into a buffer allocated with tsr_malloc. */
tsr_err io_attrs_pack(const struct tsr_io_attrs_s *a, char **buf, size_t *len);

/* Replace the contents of @p a by those packed in @p buf (from io_attrs_pack, trusted). */
tsr_err io_attrs_unpack(struct tsr_io_attrs_s *a, const char *buf, size_t len);

/* Replace the contents of @p dst by a copy of @p src (source included). */
tsr_err io_attrs_assign(struct tsr_io_attrs_s *dst, const struct tsr_io_attrs_s *src);

/* Record the file a set came from (for the messages of its getters). */
tsr_err io_attrs_set_source(struct tsr_io_attrs_s *a, const char *path);

/* Origin and spacing to record for a grid of @p dim dims and @p n cells: the set's, with the
 * default 1/n where its spacing is 0 (and everywhere when @p a is NULL). */
void io_geometry(const struct tsr_io_attrs_s *a, const tsr_grid_info *g, double origin[TSR_MAX_DIM],
                 double spacing[TSR_MAX_DIM]);

/* ---- verdicts ----------------------------------------------------------------------------- */

/* The first failure of a multi-step operation, recorded without calling the error handler. */
typedef struct {
  tsr_err code;
  char msg[IO_MSG_MAX];
} io_verdict;

/* Record a failure in @p v unless one is recorded already. */
void io_fail(io_verdict *v, tsr_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record @p err, an error just raised on this rank (TSR_SUCCESS: nothing), in @p v with its
 * message, and clear it. A rank-local failure inside work only rank 0 does then travels with
 * the verdict's broadcast, and every rank raises it together, instead of rank 0 returning
 * alone while the others wait in the broadcast (when the error handler returns). */
void io_fail_raised(io_verdict *v, tsr_err err);

/* Give every rank the verdict of rank @p root. Collective. */
tsr_err io_verdict_bcast(MPI_Comm comm, int root, io_verdict *v);

/* Give every rank the verdict of the lowest rank that failed (success when none did).
 * Collective. */
tsr_err io_verdict_agree(MPI_Comm comm, io_verdict *v);

/* Raise the verdict as a collective error (call on every rank with the same verdict). */
#define IO_RAISE(v)                                                                                \
  do {                                                                                             \
    if ((v).code != TSR_SUCCESS) TSR_ERROR((v).code, "%s", (v).msg);                               \
  } while (0)

/* ---- HDF5 helpers ------------------------------------------------------------------------- */

/* HDF5's automatic error printing, switched off while io works on files (errors come back as
 * Tessera messages instead of HDF5 stack dumps) and restored afterwards. */
typedef struct {
  H5E_auto2_t func;
  void *data;
} io_quiet;
void io_quiet_begin(io_quiet *q);
void io_quiet_end(const io_quiet *q);

/* The most specific message on HDF5's error stack (e.g. "truncated file: eof = ..."), or "".
 * Call right after the failing HDF5 call. */
void io_h5_reason(char *buf, size_t size);

/* Close an HDF5 handle of any kind if valid and reset it to H5I_INVALID_HID; errors ignored
 * (used on cleanup paths). */
void io_h5_close(hid_t *id);

/* ---- reading ---------------------------------------------------------------------------- */

/* What rank 0 learns from a file before any rank reads its data. */
typedef struct {
  struct tsr_io_attrs_s *attrs; /* step, time, geometry and named values (filled) */
  uint64_t *fingerprints;       /* stored fingerprint of each target field (filled) */
  io_verdict v;                 /* the first problem found, or success */
} io_inspection;

/* Rank 0 alone: open file @p path with the serial driver and check it against the format
 * and the target @p fields (on grid @p g); problems of the file go into out->v (nothing is
 * raised for them). Returns an error only for a failure of this process (memory). */
tsr_err io_inspect(const char *path, const tsr_field fields[], int nfields, const tsr_grid_info *g,
                   io_inspection *out);

/* ---- data transfer (io_transfer.c) ------------------------------------------------------ */

/* Default of --io-buffer-kib, the largest buffer one collective transfer goes through. */
#define IO_BUFFER_KIB_DEFAULT (16 * 1024)

/* How components move: in rounds of per_round layers of the outer axis (dim-1), the same
 * number of rounds on every rank (from the largest tile). */
typedef struct {
  int outer;
  tsr_gidx per_round;
  int rounds;
  size_t buf_cells; /* doubles the buffer needs */
} io_slabs;

/* Read (and register) --io-buffer-kib from the options of @p grid's context. */
tsr_err io_buffer_option(tsr_grid grid, int64_t *kib);

/* Plan the slabs of @p grid (info @p g): the same on every rank. Reads --io-buffer-kib. */
tsr_err io_slabs_plan(tsr_grid grid, const tsr_grid_info *g, io_slabs *s);

/* One component's transfer between its view and a dataset. */
typedef struct {
  const tsr_grid_info *grid;
  const io_slabs *slabs;
  hid_t dset, dxpl;
  double *buf;      /* slabs->buf_cells doubles */
  bool writing;     /* view -> file, else file -> view */
  tsr_err code;     /* error code of a failed transfer */
  const char *what; /* message prefix of a failed transfer */
} io_transfer_args;

/* Move the owned cells of @p v (ghosts untouched) collectively; every rank makes the same HDF5
 * calls, even after a failure, which goes into @p verdict. */
void io_transfer(const io_transfer_args *t, const tsr_view *v, io_verdict *verdict);

/* ---- XDMF --------------------------------------------------------------------------------- */

/* One snapshot described in an XDMF file. */
typedef struct {
  const char *h5_ref; /* data file as the XML names it (relative to the XDMF file's folder) */
  const char *name;   /* grid name */
  double time;
} io_xdmf_entry;

/* Rank 0 alone: write XDMF file @p path describing @p nentries snapshots of @p fields on grid
 * @p g with the geometry of @p attrs: a single uniform grid when @p series is NULL, else a
 * temporal collection named @p series. Written to "<path>.tmp" and renamed; failures go into
 * @p v (TSR_ERR_FILE). */
void io_xdmf_write(const char *path, const tsr_field fields[], int nfields, const tsr_grid_info *g,
                   const struct tsr_io_attrs_s *attrs, const io_xdmf_entry *entries, int nentries,
                   const char *series, io_verdict *v);

/* ---- fields ------------------------------------------------------------------------------- */

/* What is wrong with a name written into files (see io.h), or NULL when it is valid. */
const char *io_name_problem(const char *name);

/* Check a name written into files; @p what names it in the message. Collective. */
tsr_err io_check_name(const char *what, const char *name);

/* Check a field list: at least one, all set up, one grid, distinct valid names (fields and
 * components). Fills @p info with the grid's. @p who names the caller. Collective. */
/* Bytes of owned cells of all components of @p fields on this rank (what it reads or writes). */
double io_owned_bytes(const tsr_grid_info *info, const tsr_field fields[], int nfields);

tsr_err io_check_fields(const char *who, const tsr_field fields[], int nfields,
                        tsr_grid_info *info);

/* ---- folders (io_common.c) ---------------------------------------------------------------- */

/* Rank 0 alone: create folder @p dir and its parents when missing (mkdir -p); failures go into
 * @p v as TSR_ERR_FILE "cannot create <what> '<dir>': <reason>". */
void io_make_folder(const char *dir, const char *what, io_verdict *v);

/* Rank 0 alone: check that a file can be created in @p dir by creating and removing one;
 * failures go into @p v as TSR_ERR_FILE "<what> '<dir>' is not writable: <reason>". */
void io_probe_folder(const char *dir, const char *what, io_verdict *v);

/* The communicator of a field's grid. */
MPI_Comm io_comm(tsr_field f);

/* Name of the dataset of component @p c of field @p f relative to the file root
 * ("fields/<field>/<component>"), written into @p buf of @p size bytes. */
void io_dataset_path(tsr_field f, int c, char *buf, size_t size);

#endif
