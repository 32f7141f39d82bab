/**
 * @file io.h
 * @brief Parallel HDF5 output and input of fields in global index order, snapshot attributes,
 *        XDMF sidecars for ParaView/VisIt, and the snapshot writer.
 *
 * ## File format "tessera.fields", version 1
 * One HDF5 file holds one or more fields of one grid, written collectively by all ranks of
 * the grid's communicator (MPI-IO, collective transfers) and readable on any rank count and
 * process grid. Layout:
 *
 *   /                       root attributes:
 *     format          string   "tessera.fields" (TSR_IO_FORMAT)
 *     format_version  int32    TSR_IO_FORMAT_VERSION
 *     tessera_version string   e.g. "0.1.0"
 *     dim             int32    1, 2 or 3
 *     grid_size       int64[dim]   cells per axis, axis order (n0, n1, n2)
 *     periodic        int32[dim]   0/1 per axis, axis order
 *     origin          float64[dim] low corner of cell 0, axis order
 *     spacing         float64[dim] cell size, axis order (default 1/n: the unit box)
 *     step            int64
 *     time            float64
 *   /fields/<field>         one group per field, attributes:
 *     components      string[ncomp]  component names in order
 *     fingerprint     uint64         tsr_field_fingerprint() of the field, checked on read
 *   /fields/<field>/<component>  one float64 dataset per component, in global index order,
 *                           shaped in C order [n2][n1][n0] (3-D), [n1][n0] (2-D), [n0] (1-D):
 *                           axis 0 varies fastest, as in memory and as ParaView expects
 *   /attrs                  the caller's named values (tsr_io_attrs_set_real() ...), one
 *                           scalar attribute each: float64, int64, uint64 or string
 *
 * One dataset per component (rather than one per field with a component axis) keeps each
 * dataset a plain scalar array that every rank writes and reads as hyperslabs of its owned
 * box, and tools see e.g. `velocity/x` by name. Data moves through a buffer of at most
 * `--io-buffer-kib` KiB per rank (default 16384), in slabs of whole layers of the outermost
 * axis, one collective transfer each (read from the grid context's options at each call).
 *
 * The file uses the HDF5 1.8 format (readable by HDF5 1.8 and later, h5py, ParaView), whose
 * metadata carries checksums. It holds no timestamps and no slack from HDF5's allocation
 * blocks, so the same fields and attributes give the same file, byte for byte, on any rank
 * count.
 *
 * ## Untrusted files
 * Reading checks everything before touching data: the file is opened alone by rank 0, which
 * verifies the format identifier and version, the grid against the target fields, every
 * attribute, every dataset's presence, type, rank and shape, and broadcasts its verdict, so
 * every error is raised alike on every rank (collective) and nothing hangs. After the
 * collective read each field's fingerprint is checked against the stored one, which catches
 * damaged data bytes. Error codes:
 *  - TSR_ERR_FILE: the file is missing or unreadable, not HDF5, not a Tessera fields file (or
 *    of an unsupported version), or does not hold what was asked: another dim or grid size,
 *    a missing field, other component names;
 *  - TSR_ERR_CORRUPT: the file is damaged: truncated, failing HDF5's checksums, a required
 *    attribute or dataset missing or malformed, data not matching its fingerprint.
 * Messages name the file, the object (dataset or attribute) and the expected and found values.
 *
 * ## Names
 * Field, component and attribute names written to files must be 1 to TSR_IO_NAME_MAX printable
 * characters without '/' and other than "." and ".." (they become HDF5 link names).
 */
#ifndef TESSERA_IO_H
#define TESSERA_IO_H

#include "tessera/field.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Format identifier stored in the root attribute "format". */
#define TSR_IO_FORMAT "tessera.fields"
/** Version of the layout above; readers refuse files of a newer version. */
#define TSR_IO_FORMAT_VERSION 1
/** Longest field, component or attribute name, in bytes. */
#define TSR_IO_NAME_MAX 255
/** Longest string attribute value, in bytes. */
#define TSR_IO_STRING_MAX (16 * 1024 * 1024)

/* ---- attribute sets ----------------------------------------------------------------------- */

/**
 * Opaque handle of an attribute set: the step, time and geometry of a snapshot, plus named
 * values (reals, 64-bit integers, unsigned 64-bit integers, strings) chosen by the caller.
 * Written with tsr_io_write_fields(); tsr_io_read_fields() fills one from a file. Not
 * collective; to be written, every rank must hold the same values.
 */
typedef struct tsr_io_attrs_s *tsr_io_attrs;

/** Type of a named value. */
typedef enum {
  TSR_IO_REAL = 0,   /**< double, stored as float64 */
  TSR_IO_INT = 1,    /**< int64_t, stored as int64 */
  TSR_IO_UINT64 = 2, /**< uint64_t (e.g. fingerprints), stored as uint64 */
  TSR_IO_STRING = 3  /**< NUL-terminated text up to TSR_IO_STRING_MAX bytes */
} tsr_io_type;

/** Create an empty set: step 0, time 0, default geometry, no named values. */
TSR_EXTERN tsr_err tsr_io_attrs_create(tsr_io_attrs *attrs);

/** Destroy the set and set @p *attrs to NULL; accepts NULL. */
TSR_EXTERN tsr_err tsr_io_attrs_destroy(tsr_io_attrs *attrs);

/** Set the step number of the snapshot. */
TSR_EXTERN tsr_err tsr_io_attrs_set_step(tsr_io_attrs attrs, int64_t step);

/** Set the simulated time of the snapshot. Errors: TSR_ERR_ARG for NaN or infinity. */
TSR_EXTERN tsr_err tsr_io_attrs_set_time(tsr_io_attrs attrs, double time);

/**
 * Set the geometry: @p origin (low corner of cell 0) and @p spacing (cell size), each
 * TSR_MAX_DIM entries in axis order; entries beyond the grid's dim are ignored. A spacing of 0
 * means the default 1/n (the grid fills the unit box); @p origin NULL means 0, @p spacing NULL
 * means all default. Errors: TSR_ERR_ARG for a non-finite value or a negative spacing.
 */
TSR_EXTERN tsr_err tsr_io_attrs_set_geometry(tsr_io_attrs attrs, const double origin[],
                                             const double spacing[]);

/** Step of the set. */
TSR_EXTERN tsr_err tsr_io_attrs_get_step(tsr_io_attrs attrs, int64_t *step);

/** Time of the set. */
TSR_EXTERN tsr_err tsr_io_attrs_get_time(tsr_io_attrs attrs, double *time);

/**
 * Geometry of the set, as set (spacing 0 where the default applies) or as read from a file
 * (always explicit). Either pointer may be NULL.
 */
TSR_EXTERN tsr_err tsr_io_attrs_get_geometry(tsr_io_attrs attrs, double origin[TSR_MAX_DIM],
                                             double spacing[TSR_MAX_DIM]);

/**
 * Set the named real @p name (a valid name, see above), replacing any value of that name
 * whatever its type. Errors: TSR_ERR_ARG (invalid name, NaN or infinity).
 */
TSR_EXTERN tsr_err tsr_io_attrs_set_real(tsr_io_attrs attrs, const char *name, double value);

/** Set the named 64-bit integer @p name, as tsr_io_attrs_set_real(). */
TSR_EXTERN tsr_err tsr_io_attrs_set_int(tsr_io_attrs attrs, const char *name, int64_t value);

/** Set the named unsigned 64-bit integer @p name (e.g. a fingerprint), as tsr_io_attrs_set_real().
 */
TSR_EXTERN tsr_err tsr_io_attrs_set_uint64(tsr_io_attrs attrs, const char *name, uint64_t value);

/**
 * Set the named string @p name (copied), as tsr_io_attrs_set_real(). Errors: TSR_ERR_ARG also
 * for a NULL string or one longer than TSR_IO_STRING_MAX bytes.
 */
TSR_EXTERN tsr_err tsr_io_attrs_set_string(tsr_io_attrs attrs, const char *name, const char *value);

/** True when the set holds a named value @p name (of any type); its type in @p type if not NULL. */
TSR_EXTERN bool tsr_io_attrs_has(tsr_io_attrs attrs, const char *name, tsr_io_type *type);

/**
 * Get the named real @p name. Errors when the value is missing or of another type:
 * TSR_ERR_CORRUPT when the set was read from a file (the message names the file), TSR_ERR_ARG
 * otherwise. These errors are collective when every rank holds the same set (as after a read).
 */
TSR_EXTERN tsr_err tsr_io_attrs_get_real(tsr_io_attrs attrs, const char *name, double *value);

/** Get the named 64-bit integer @p name, as tsr_io_attrs_get_real(). */
TSR_EXTERN tsr_err tsr_io_attrs_get_int(tsr_io_attrs attrs, const char *name, int64_t *value);

/** Get the named unsigned 64-bit integer @p name, as tsr_io_attrs_get_real(). */
TSR_EXTERN tsr_err tsr_io_attrs_get_uint64(tsr_io_attrs attrs, const char *name, uint64_t *value);

/**
 * Get the named string @p name, as tsr_io_attrs_get_real(). The string stays owned by the set:
 * valid until the value is replaced or the set destroyed.
 */
TSR_EXTERN tsr_err tsr_io_attrs_get_string(tsr_io_attrs attrs, const char *name,
                                           const char **value);

/* ---- low-level file access ---------------------------------------------------------------- */

/**
 * Write the @p nfields fields (all set up, on one grid, distinct names) with the step, time,
 * geometry and named values of @p attrs (NULL: step 0, time 0, default geometry) into a new
 * file @p path (replaced if it exists), in the format above. Each rank writes its owned cells
 * (ghosts are not written) collectively, in slabs (see `--io-buffer-kib` above). Collective on the
 * grid's communicator: every rank passes the same path, fields in the same order and equal
 * attributes. Errors (collective): TSR_ERR_ARG (no field, fields on different grids, duplicate or
 * invalid names, a field not set up), TSR_ERR_FILE (the file cannot be created or written, e.g. a
 * missing folder, with the system's reason).
 */
TSR_EXTERN tsr_err tsr_io_write_fields(const char *path, const tsr_field fields[], int nfields,
                                       tsr_io_attrs attrs);

/**
 * Read the @p nfields fields (set up, on one grid) from file @p path by name: the owned cells
 * of each component are read from the dataset of the same field and component name; ghosts
 * are left untouched. The file may have been written on any rank count and process grid and
 * may hold other fields too. When @p attrs is not NULL its step, time and geometry and named
 * values are replaced by the file's. Collective on the grid's communicator. The file is
 * untrusted: see "Untrusted files" above for the checks and the errors (TSR_ERR_FILE,
 * TSR_ERR_CORRUPT, all collective). On error the fields may hold partly read data.
 */
TSR_EXTERN tsr_err tsr_io_read_fields(const char *path, const tsr_field fields[], int nfields,
                                      tsr_io_attrs attrs);

/**
 * Write the XDMF description @p xmf_path of the data file @p h5_ref holding @p fields (as
 * written by tsr_io_write_fields() with the same @p attrs): a 3DCoRectMesh with ORIGIN_DXDYDZ
 * geometry (points = cells + 1 per axis) and one cell-centred scalar attribute per component,
 * named after the field (one component) or "<field>_<component>". 2-D and 1-D grids become a
 * mesh one cell thick, which ParaView shows in its x-y plane (it puts a 2DCoRectMesh in the
 * y-z plane). @p h5_ref is written into the XML as given, so it is usually the data file's
 * name relative to the XDMF file's folder. Rank 0 writes. Collective.
 * Errors (collective): TSR_ERR_FILE when the file cannot be written; TSR_ERR_ARG as for
 * tsr_io_write_fields().
 */
TSR_EXTERN tsr_err tsr_io_write_xdmf(const char *xmf_path, const char *h5_ref,
                                     const tsr_field fields[], int nfields, tsr_io_attrs attrs);

/* ---- snapshot writer ---------------------------------------------------------------------- */

/**
 * Opaque handle of a snapshot writer: writes chosen fields every N steps into
 * DIR/<prefix>_<step>.h5 (step zero-padded to 6 digits) with an XDMF sidecar
 * DIR/<prefix>_<step>.xmf, and keeps the time series index DIR/<prefix>.xmf (a temporal
 * collection of every snapshot it wrote) so that ParaView and VisIt open the series directly.
 *
 * Lifecycle: create -> set_dir / set_every / set_from_options / set_first_step / add_field /
 * get_attrs -> setup -> maybe_write or write, once per step -> destroy.
 */
typedef struct tsr_io_writer_s *tsr_io_writer;

/**
 * Create a writer of fields on @p grid (set up) naming its files after @p prefix (1 to 64
 * characters among letters, digits, '.', '_' and '-'). Defaults: folder "out", never write
 * (every 0). Not collective. Errors: TSR_ERR_ARG (NULL grid, invalid prefix), TSR_ERR_STATE
 * (grid not set up).
 */
TSR_EXTERN tsr_err tsr_io_writer_create(tsr_grid grid, const char *prefix, tsr_io_writer *writer);

/** Destroy the writer and set @p *writer to NULL; accepts NULL. Not collective. */
TSR_EXTERN tsr_err tsr_io_writer_destroy(tsr_io_writer *writer);

/** Set the output folder (created at setup if needed). Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_io_writer_set_dir(tsr_io_writer writer, const char *dir);

/** Write every @p every steps (0: never). Errors: TSR_ERR_ARG (negative), TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_io_writer_set_every(tsr_io_writer writer, int64_t every);

/**
 * Read `--out DIR` and `--output-every N` from the grid context's options, overriding earlier
 * settings; their defaults are the current settings ("out" and 0, never, unless changed).
 * Registers `--io-buffer-kib` too, so that `--help` lists it. Not
 * collective, but every rank must call it. Errors: option errors (TSR_ERR_OPTION, collective),
 * TSR_ERR_STATE after setup.
 */
TSR_EXTERN tsr_err tsr_io_writer_set_from_options(tsr_io_writer writer);

/**
 * Continue the time series of an earlier run from step @p step (a restart): at setup, rank 0
 * rebuilds the index DIR/<prefix>.xmf from the snapshots DIR/<prefix>_<step>.h5 already in the
 * folder whose step is at most @p step, and rewrites it, so the index lists them followed by
 * the snapshots this run writes. Snapshot files of later steps are left out of the index (they
 * belong to the abandoned continuation and are overwritten if this run writes those steps
 * again); files that are not readable snapshots of the writer's fields and grid are left out
 * too. Without this call (or with -1) the index starts empty. Before setup.
 * Errors: TSR_ERR_ARG (below -1), TSR_ERR_STATE after setup.
 */
TSR_EXTERN tsr_err tsr_io_writer_set_first_step(tsr_io_writer writer, int64_t step);

/**
 * Whether tsr_io_writer_maybe_write() writes at @p step (every > 0 and @p step a multiple of
 * it), in @p *due: lets a program bring the fields to write up to date only when needed.
 * Not collective. Errors: TSR_ERR_ARG (NULL).
 */
TSR_EXTERN tsr_err tsr_io_writer_is_due(tsr_io_writer writer, int64_t step, bool *due);

/**
 * Add @p field (set up, on the writer's grid) to every snapshot. Errors: TSR_ERR_ARG (another grid,
 * a name already added, an invalid field or component name), TSR_ERR_STATE after setup.
 */
TSR_EXTERN tsr_err tsr_io_writer_add_field(tsr_io_writer writer, tsr_field field);

/**
 * The writer's attribute set, borrowed: set the geometry and named values written with every
 * snapshot here (step and time are set by each write).
 */
TSR_EXTERN tsr_err tsr_io_writer_get_attrs(tsr_io_writer writer, tsr_io_attrs *attrs);

/**
 * Check the set-up and prepare the folder: rank 0 creates it (and its parents) when missing
 * and checks that it can create a file in it, before any step is taken; the verdict is shared
 * so the error is collective. Idempotent. Collective.
 * Errors: TSR_ERR_FILE naming the folder and the system's reason (e.g. a path under a regular
 * file); TSR_ERR_ARG when no field was added.
 */
TSR_EXTERN tsr_err tsr_io_writer_setup(tsr_io_writer writer);

/**
 * Write a snapshot when the cadence asks for one (every > 0 and @p step a multiple of it);
 * @p written (may be NULL) tells whether it did. Collective. Errors: as tsr_io_writer_write().
 */
TSR_EXTERN tsr_err tsr_io_writer_maybe_write(tsr_io_writer writer, int64_t step, double time,
                                             bool *written);

/**
 * Write a snapshot of step @p step at time @p time now, whatever the cadence: the data file,
 * its XDMF sidecar and the updated index (rewritten whole, through a temporary file and a
 * rename, so a reader never sees half an index). Collective. Errors (collective):
 * TSR_ERR_STATE before setup, TSR_ERR_FILE when a file cannot be written.
 */
TSR_EXTERN tsr_err tsr_io_writer_write(tsr_io_writer writer, int64_t step, double time);

#ifdef __cplusplus
}
#endif
#endif
