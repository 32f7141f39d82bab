/* Rank 0's inspection of a file before any rank reads data from it. The file is untrusted: it
 * is opened alone (serial driver, so a damaged file cannot derail a collective), and every
 * attribute and dataset the read will use is checked for presence, type, count and shape
 * against the format and the target fields. The first problem becomes the verdict, which the
 * caller broadcasts; nothing here calls the error handler for a problem of the file. */
#include "io_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tessera/mem.h"

/* Most strings in one attribute (component names) and most named values a file may hold. */
enum { MAX_STRINGS = 4096, MAX_NAMED = 65536 };

typedef struct {
  const char *path;
  const tsr_field *fields;
  int nfields;
  const tsr_grid_info *g;
  io_inspection *out;
  hid_t file;
  hsize_t file_size;
} inspector;

#define FAIL(in, code, ...) io_fail(&(in)->out->v, (code), __VA_ARGS__)

static bool ok(const inspector *in) {
  return in->out->v.code == TSR_SUCCESS;
}

/* Record a CORRUPT failure "<what> cannot be read: <HDF5's reason>". */
static void fail_h5(inspector *in, const char *what) {
  char reason[256];
  io_h5_reason(reason, sizeof reason);
  FAIL(in, TSR_ERR_CORRUPT, "file '%s': %s cannot be read%s%s", in->path, what,
       reason[0] ? ": " : "", reason);
}

/* A short description of an HDF5 type, e.g. "32-bit signed integer". */
static void describe_type(hid_t t, char *buf, size_t size) {
  size_t bits = 8 * H5Tget_size(t);
  switch (H5Tget_class(t)) {
  case H5T_INTEGER:
    snprintf(buf, size, "%zu-bit %s integer", bits,
             H5Tget_sign(t) == H5T_SGN_NONE ? "unsigned" : "signed");
    break;
  case H5T_FLOAT:
    snprintf(buf, size, "%zu-bit float", bits);
    break;
  case H5T_STRING:
    snprintf(buf, size, "string");
    break;
  default:
    snprintf(buf, size, "non-numeric type (HDF5 class %d)", (int)H5Tget_class(t));
    break;
  }
}

static const char *class_name(H5T_class_t c) {
  return c == H5T_INTEGER ? "an integer" : c == H5T_FLOAT ? "a float" : "a string";
}

/* ---- attributes --------------------------------------------------------------------------- */

/* Attribute @p name of @p obj (called @p where in messages), or a CORRUPT failure. */
static hid_t open_attr(inspector *in, hid_t obj, const char *where, const char *name) {
  char what[2 * TSR_IO_NAME_MAX + 64];
  snprintf(what, sizeof what, "attribute '%s' of '%s'", name, where);
  htri_t exists = H5Aexists(obj, name);
  if (exists == 0) FAIL(in, TSR_ERR_CORRUPT, "file '%s': %s is missing", in->path, what);
  if (exists <= 0) {
    fail_h5(in, what);
    return H5I_INVALID_HID;
  }
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0) fail_h5(in, what);
  return a;
}

/* Read @p count values of class @p cls from attribute @p name, converted to @p mtype. */
static bool get_numbers(inspector *in, hid_t obj, const char *where, const char *name,
                        H5T_class_t cls, hid_t mtype, hssize_t count, void *buf) {
  hid_t a = open_attr(in, obj, where, name);
  if (a < 0) return false;
  hid_t t = H5Aget_type(a), s = H5Aget_space(a);
  hssize_t n = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
  char found[64];
  if (t < 0 || n < 0) {
    fail_h5(in, name);
  } else if (H5Tget_class(t) != cls) {
    describe_type(t, found, sizeof found);
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%s' of '%s' is a %s, expected %s", in->path,
         name, where, found, class_name(cls));
  } else if (n != count) {
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%s' of '%s' holds %lld values, expected %lld",
         in->path, name, where, (long long)n, (long long)count);
  } else if (H5Aread(a, mtype, buf) < 0) {
    fail_h5(in, name);
  }
  io_h5_close(&t);
  io_h5_close(&s);
  io_h5_close(&a);
  return ok(in);
}

static tsr_err free_strings(char **s, int n) {
  for (int i = 0; s && i < n; i++)
    TSR_CALL(tsr_free(&s[i]));
  return tsr_free(&s);
}

/* Copy the @p n strings of @p raw (fixed-length, @p width bytes each, or pointers when
 * @p width is 0) into new allocations, refusing any longer than @p cap bytes. */
static bool copy_strings(inspector *in, const char *name, const char *raw, size_t width, int n,
                         size_t cap, char **out) {
  for (int i = 0; i < n; i++) {
    const char *s = width ? raw + (size_t)i * width : ((char *const *)(const void *)raw)[i];
    size_t len = s ? strnlen(s, cap + 1) : 0;
    if (len > cap) {
      FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%s' holds a string longer than %zu bytes",
           in->path, name, cap);
      return false;
    }
    if (tsr_malloc(len + 1, &out[i]) != TSR_SUCCESS) {
      FAIL(in, TSR_ERR_MEM, "file '%s': no memory for attribute '%s'", in->path, name);
      return false;
    }
    memcpy(out[i], s ? s : "", len);
    out[i][len] = '\0';
  }
  return true;
}

/* Read the raw strings of attribute @p a (type @p t, @p n of them) and copy them out.
 * Fixed-length strings are read into a type one byte wider, so the NUL always fits. */
static bool read_strings(inspector *in, const char *name, hid_t a, hid_t t, int n, size_t cap,
                         char **out) {
  if (n == 0) return true;
  bool vlen = H5Tis_variable_str(t) > 0;
  size_t width = vlen ? 0 : H5Tget_size(t) + 1;
  if (!vlen && width - 1 > cap) {
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%s' holds strings of %zu bytes, more than %zu",
         in->path, name, width - 1, cap);
    return false;
  }
  hid_t mt = H5Tcopy(H5T_C_S1);
  char *raw = NULL;
  bool done = mt >= 0 && H5Tset_size(mt, vlen ? H5T_VARIABLE : width) >= 0 &&
              H5Tset_cset(mt, H5Tget_cset(t)) >= 0 &&
              (vlen || H5Tset_strpad(mt, H5T_STR_NULLTERM) >= 0) &&
              tsr_calloc((size_t)n, vlen ? sizeof(char *) : width, &raw) == TSR_SUCCESS &&
              H5Aread(a, mt, raw) >= 0;
  if (!done)
    fail_h5(in, name);
  else
    done = copy_strings(in, name, raw, width, n, cap, out);
  if (vlen && raw)
    for (int i = 0; i < n; i++)
      H5free_memory(((char **)(void *)raw)[i]);
  tsr_free(&raw);
  io_h5_close(&mt);
  return done;
}

/* Read string attribute @p name: @p want strings (0: any number up to MAX_STRINGS), each at
 * most @p cap bytes, into a new array @p *out of @p *n strings (free with free_strings). */
static bool get_strings(inspector *in, hid_t obj, const char *where, const char *name, int want,
                        size_t cap, char ***out, int *n) {
  *out = NULL;
  *n = 0;
  hid_t a = open_attr(in, obj, where, name);
  if (a < 0) return false;
  hid_t t = H5Aget_type(a), s = H5Aget_space(a);
  hssize_t count = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
  char found[64];
  if (t < 0 || count < 0) {
    fail_h5(in, name);
  } else if (H5Tget_class(t) != H5T_STRING) {
    describe_type(t, found, sizeof found);
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%s' of '%s' is a %s, expected a string",
         in->path, name, where, found);
  } else if (want ? count != want : count > MAX_STRINGS) {
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%s' of '%s' holds %lld strings, expected %d",
         in->path, name, where, (long long)count, want ? want : MAX_STRINGS);
  } else if (tsr_calloc((size_t)count + 1, sizeof(char *), out) != TSR_SUCCESS) {
    FAIL(in, TSR_ERR_MEM, "file '%s': no memory for attribute '%s'", in->path, name);
  } else if (read_strings(in, name, a, t, (int)count, cap, *out)) {
    *n = (int)count;
  }
  if (!ok(in)) free_strings(*out, (int)(count > 0 ? count : 0));
  if (!ok(in)) *out = NULL;
  io_h5_close(&t);
  io_h5_close(&s);
  io_h5_close(&a);
  return ok(in);
}

/* ---- root --------------------------------------------------------------------------------- */

/* Whether this is a Tessera fields file at all, of a version this reader knows. */
static bool check_format(inspector *in) {
  htri_t has = H5Aexists(in->file, "format");
  if (has == 0)
    FAIL(in, TSR_ERR_FILE, "file '%s' is not a Tessera fields file: it has no attribute 'format'",
         in->path);
  if (has < 0) fail_h5(in, "attribute 'format' of '/'");
  char **format;
  int n, version;
  if (!ok(in) || !get_strings(in, in->file, "/", "format", 1, 64, &format, &n)) return false;
  if (strcmp(format[0], TSR_IO_FORMAT) != 0)
    FAIL(in, TSR_ERR_FILE, "file '%s' is not a Tessera fields file: format '%s', expected '%s'",
         in->path, format[0], TSR_IO_FORMAT);
  free_strings(format, n);
  if (!ok(in) ||
      !get_numbers(in, in->file, "/", "format_version", H5T_INTEGER, H5T_NATIVE_INT, 1, &version))
    return false;
  if (version < 1 || version > TSR_IO_FORMAT_VERSION)
    FAIL(in, TSR_ERR_FILE,
         "file '%s' has format version %d, which this Tessera (%s) cannot read: it reads versions "
         "1 to %d",
         in->path, version, TSR_VERSION_STRING, TSR_IO_FORMAT_VERSION);
  return ok(in);
}

static void format_size(const tsr_gidx *n, int dim, char *buf, size_t size) {
  int len = 0;
  for (int a = 0; a < dim && len >= 0 && (size_t)len < size; a++)
    len += snprintf(buf + len, size - (size_t)len, a ? "x%lld" : "%lld", (long long)n[a]);
}

/* The grid: the same dim and size as the target fields' (periodicity may differ). */
static bool check_grid(inspector *in) {
  int dim, periodic[TSR_MAX_DIM];
  tsr_gidx n[TSR_MAX_DIM];
  if (!get_numbers(in, in->file, "/", "dim", H5T_INTEGER, H5T_NATIVE_INT, 1, &dim)) return false;
  if (dim < 1 || dim > TSR_MAX_DIM) {
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute 'dim' is %d, expected 1, 2 or 3", in->path,
         dim);
    return false;
  }
  if (dim != in->g->dim) {
    FAIL(in, TSR_ERR_FILE, "file '%s' holds %d-D fields, but the fields to read are %d-D", in->path,
         dim, in->g->dim);
    return false;
  }
  if (!get_numbers(in, in->file, "/", "grid_size", H5T_INTEGER, H5T_NATIVE_INT64, dim, n) ||
      !get_numbers(in, in->file, "/", "periodic", H5T_INTEGER, H5T_NATIVE_INT, dim, periodic))
    return false;
  for (int a = 0; a < dim; a++)
    if (n[a] != in->g->n[a]) {
      char found[96], expected[96];
      format_size(n, dim, found, sizeof found);
      format_size(in->g->n, dim, expected, sizeof expected);
      FAIL(in, TSR_ERR_FILE,
           "file '%s' holds fields on a %s grid, but the fields to read are on a %s grid", in->path,
           found, expected);
      return false;
    }
  return true;
}

/* Step, time and geometry, into the inspection's attribute set. */
static bool read_snapshot(inspector *in) {
  struct tsr_io_attrs_s *a = in->out->attrs;
  int dim = in->g->dim;
  if (!get_numbers(in, in->file, "/", "step", H5T_INTEGER, H5T_NATIVE_INT64, 1, &a->step) ||
      !get_numbers(in, in->file, "/", "time", H5T_FLOAT, H5T_NATIVE_DOUBLE, 1, &a->time) ||
      !get_numbers(in, in->file, "/", "origin", H5T_FLOAT, H5T_NATIVE_DOUBLE, dim, a->origin) ||
      !get_numbers(in, in->file, "/", "spacing", H5T_FLOAT, H5T_NATIVE_DOUBLE, dim, a->spacing))
    return false;
  if (!isfinite(a->time))
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute 'time' is %g, expected a finite value",
         in->path, a->time);
  for (int d = 0; d < dim; d++)
    if (!isfinite(a->origin[d]) || !(a->spacing[d] > 0.0) || !isfinite(a->spacing[d]))
      FAIL(in, TSR_ERR_CORRUPT,
           "file '%s': origin %g / spacing %g on axis %d are invalid: expected finite values, "
           "spacing > 0",
           in->path, a->origin[d], a->spacing[d], d);
  for (int d = dim; d < TSR_MAX_DIM; d++) {
    a->origin[d] = 0.0;
    a->spacing[d] = 1.0;
  }
  return ok(in);
}

/* ---- named values ------------------------------------------------------------------------- */

typedef struct {
  inspector *in;
  hid_t group;
  int count;
  tsr_err err; /* a failure of this process (memory), not of the file */
} named_walk;

/* One named value of /attrs: a scalar float64, int64, uint64 or string. */
static tsr_err read_named_value(inspector *in, hid_t group, const char *name) {
  const char *where = "/" IO_ATTRS_GROUP;
  const char *problem = io_name_problem(name);
  if (problem) {
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%.64s' of '%s' has an invalid name: %s",
         in->path, name, where, problem);
    return false;
  }
  hid_t a = open_attr(in, group, where, name);
  hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  bool is_unsigned = cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE;
  io_h5_close(&t);
  io_h5_close(&a);
  if (!ok(in)) return TSR_SUCCESS;
  struct tsr_io_attrs_s *attrs = in->out->attrs;
  tsr_err err = TSR_SUCCESS;
  if (cls == H5T_FLOAT) {
    double x;
    if (get_numbers(in, group, where, name, cls, H5T_NATIVE_DOUBLE, 1, &x))
      err = isfinite(x) ? tsr_io_attrs_set_real(attrs, name, x) : TSR_ERR_CORRUPT;
  } else if (cls == H5T_INTEGER && is_unsigned) {
    uint64_t x;
    if (get_numbers(in, group, where, name, cls, H5T_NATIVE_UINT64, 1, &x))
      err = tsr_io_attrs_set_uint64(attrs, name, x);
  } else if (cls == H5T_INTEGER) {
    int64_t x;
    if (get_numbers(in, group, where, name, cls, H5T_NATIVE_INT64, 1, &x))
      err = tsr_io_attrs_set_int(attrs, name, x);
  } else if (cls == H5T_STRING) {
    char **s;
    int n;
    if (get_strings(in, group, where, name, 1, TSR_IO_STRING_MAX, &s, &n)) {
      err = tsr_io_attrs_set_string(attrs, name, s[0]);
      free_strings(s, n);
    }
  } else {
    FAIL(in, TSR_ERR_CORRUPT,
         "file '%s': attribute '%s' of '%s' has an unsupported type: expected a float, an "
         "integer or a string",
         in->path, name, where);
  }
  if (!ok(in)) return TSR_SUCCESS;
  if (err == TSR_ERR_CORRUPT)
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': attribute '%s' of '%s' is not a finite number", in->path,
         name, where);
  else
    TSR_CALL(err); /* the name and value were checked: only memory can fail here */
  return TSR_SUCCESS;
}

static herr_t visit_named(hid_t obj, const char *name, const H5A_info_t *info, void *data) {
  named_walk *w = data;
  if (++w->count > MAX_NAMED) {
    FAIL(w->in, TSR_ERR_CORRUPT,
         "file '%s': group '/" IO_ATTRS_GROUP "' holds more than %d attributes", w->in->path,
         MAX_NAMED);
    return -1;
  }
  w->err = read_named_value(w->in, w->group, name);
  return w->err == TSR_SUCCESS && ok(w->in) ? 0 : -1;
}

static tsr_err read_named(inspector *in) {
  htri_t has = H5Lexists(in->file, IO_ATTRS_GROUP, H5P_DEFAULT);
  hid_t g = has > 0 ? H5Gopen2(in->file, IO_ATTRS_GROUP, H5P_DEFAULT) : H5I_INVALID_HID;
  if (has == 0)
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': group '/" IO_ATTRS_GROUP "' is missing", in->path);
  else if (g < 0)
    fail_h5(in, "group '/" IO_ATTRS_GROUP "'");
  named_walk w = {in, g, 0, TSR_SUCCESS};
  if (ok(in) && H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, NULL, visit_named, &w) < 0 && ok(in) &&
      w.err == TSR_SUCCESS)
    fail_h5(in, "group '/" IO_ATTRS_GROUP "'");
  io_h5_close(&g);
  return w.err;
}

/* ---- fields ------------------------------------------------------------------------------- */

/* The names of the fields in the file, comma-separated (cut short when long), for messages. */
static void list_fields(hid_t group, char *buf, size_t size) {
  H5G_info_t info;
  buf[0] = '\0';
  if (H5Gget_info(group, &info) < 0) return;
  size_t len = 0;
  for (hsize_t i = 0; i < info.nlinks && len + 8 < size; i++) {
    char name[TSR_IO_NAME_MAX + 1];
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                           H5P_DEFAULT) < 0)
      return;
    int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", name);
    if (w < 0 || (size_t)w >= size - len) {
      snprintf(buf + (size > 4 ? size - 4 : 0), size > 4 ? 4 : 0, "...");
      return;
    }
    len += (size_t)w;
  }
  if (info.nlinks == 0) snprintf(buf, size, "none");
}

/* Open a child object of @p parent and check it is of kind @p kind (H5I_GROUP/H5I_DATASET);
 * a missing child is a failure of code @p missing. */
static hid_t open_child(inspector *in, hid_t parent, const char *name, const char *path,
                        H5I_type_t kind, tsr_err missing) {
  const char *noun = kind == H5I_GROUP ? "group" : "dataset";
  htri_t has = H5Lexists(parent, name, H5P_DEFAULT);
  hid_t o = has > 0 ? H5Oopen(parent, name, H5P_DEFAULT) : H5I_INVALID_HID;
  char what[2 * TSR_IO_NAME_MAX + 64];
  snprintf(what, sizeof what, "%s '%s'", noun, path);
  if (has == 0)
    FAIL(in, missing, "file '%s': %s is missing", in->path, what);
  else if (o < 0)
    fail_h5(in, what);
  else if (H5Iget_type(o) != kind)
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': '%s' is not a %s", in->path, path, noun);
  if (!ok(in)) io_h5_close(&o);
  return o;
}

static void format_shape(const hsize_t *d, int rank, char *buf, size_t size) {
  int len = 0;
  buf[0] = '\0';
  for (int r = 0; r < rank && len >= 0 && (size_t)len < size; r++)
    len += snprintf(buf + len, size - (size_t)len, "[%llu]", (unsigned long long)d[r]);
}

/* Shape [n2][n1][n0] (C order) of the grid. */
static void grid_shape(const tsr_grid_info *g, hsize_t d[TSR_MAX_DIM]) {
  for (int r = 0; r < g->dim; r++)
    d[r] = (hsize_t)g->n[g->dim - 1 - r];
}

/* Type float64, shape of the grid, and (when contiguous) data inside the file. */
static void check_dataset(inspector *in, hid_t dset, const char *path) {
  const tsr_grid_info *g = in->g;
  hsize_t want[TSR_MAX_DIM], dims[H5S_MAX_RANK];
  grid_shape(g, want);
  hid_t t = H5Dget_type(dset), s = H5Dget_space(dset), dcpl = H5Dget_create_plist(dset);
  int rank = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
  char found[96], expected[96];
  if (t < 0 || rank < 0 || dcpl < 0 || H5Sget_simple_extent_dims(s, dims, NULL) < 0) {
    fail_h5(in, path);
  } else if (!(H5Tequal(t, H5T_IEEE_F64LE) > 0 || H5Tequal(t, H5T_IEEE_F64BE) > 0)) {
    describe_type(t, found, sizeof found);
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': dataset '%s' holds %s values, expected 64-bit floats",
         in->path, path, found);
  } else if (rank != g->dim || memcmp(dims, want, (size_t)g->dim * sizeof *dims) != 0) {
    format_shape(dims, rank, found, sizeof found);
    format_shape(want, g->dim, expected, sizeof expected);
    FAIL(in, TSR_ERR_CORRUPT, "file '%s': dataset '%s' has shape %s, expected %s", in->path, path,
         found, expected);
  } else if (H5Pget_layout(dcpl) == H5D_CONTIGUOUS) {
    haddr_t at = H5Dget_offset(dset);
    hsize_t bytes = 8;
    for (int r = 0; r < rank; r++)
      bytes *= dims[r];
    if (at == HADDR_UNDEF)
      FAIL(in, TSR_ERR_CORRUPT, "file '%s': dataset '%s' holds no data", in->path, path);
    else if (at > in->file_size || bytes > in->file_size - at)
      FAIL(in, TSR_ERR_CORRUPT,
           "file '%s': dataset '%s' lies at bytes %llu to %llu, past the end of the file (%llu "
           "bytes): the file is truncated",
           in->path, path, (unsigned long long)at, (unsigned long long)(at + bytes),
           (unsigned long long)in->file_size);
  }
  io_h5_close(&dcpl);
  io_h5_close(&s);
  io_h5_close(&t);
}

/* Component names equal to the target field's, in order. */
static bool check_components(inspector *in, hid_t group, tsr_field f, const char *path) {
  char **names;
  int n;
  if (!get_strings(in, group, path, "components", 0, TSR_IO_NAME_MAX, &names, &n)) return false;
  int ncomp = tsr_field_num_components(f);
  bool same = n == ncomp;
  for (int c = 0; same && c < n; c++)
    same = strcmp(names[c], tsr_field_component_name(f, c)) == 0;
  if (!same) {
    char found[512] = "", expected[512] = "";
    for (int c = 0; c < n; c++)
      snprintf(found + strlen(found), sizeof found - strlen(found), "%s%s", c ? ", " : "",
               names[c]);
    for (int c = 0; c < ncomp; c++)
      snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s%s",
               c ? ", " : "", tsr_field_component_name(f, c));
    FAIL(in, TSR_ERR_FILE,
         "file '%s': field '%s' has %d components (%s), but the field to read has %d (%s)",
         in->path, tsr_field_name(f), n, found, ncomp, expected);
  }
  free_strings(names, n);
  return ok(in);
}

static bool check_field(inspector *in, hid_t fields_group, int i) {
  tsr_field f = in->fields[i];
  char path[2 * TSR_IO_NAME_MAX + 64];
  snprintf(path, sizeof path, "/" IO_FIELDS_GROUP "/%s", tsr_field_name(f));
  if (H5Lexists(fields_group, tsr_field_name(f), H5P_DEFAULT) == 0) {
    char present[256];
    list_fields(fields_group, present, sizeof present);
    FAIL(in, TSR_ERR_FILE, "file '%s' holds no field '%s' (its fields: %s)", in->path,
         tsr_field_name(f), present);
    return false;
  }
  hid_t g = open_child(in, fields_group, tsr_field_name(f), path, H5I_GROUP, TSR_ERR_FILE);
  if (g >= 0 && check_components(in, g, f, path))
    get_numbers(in, g, path, "fingerprint", H5T_INTEGER, H5T_NATIVE_UINT64, 1,
                &in->out->fingerprints[i]);
  for (int c = 0; ok(in) && c < tsr_field_num_components(f); c++) {
    char dpath[3 * TSR_IO_NAME_MAX + 64];
    snprintf(dpath, sizeof dpath, "%s/%s", path, tsr_field_component_name(f, c));
    hid_t d =
        open_child(in, g, tsr_field_component_name(f, c), dpath, H5I_DATASET, TSR_ERR_CORRUPT);
    if (d >= 0) check_dataset(in, d, dpath);
    io_h5_close(&d);
  }
  io_h5_close(&g);
  return ok(in);
}

static bool check_fields(inspector *in) {
  hid_t g =
      open_child(in, in->file, IO_FIELDS_GROUP, "/" IO_FIELDS_GROUP, H5I_GROUP, TSR_ERR_CORRUPT);
  for (int i = 0; ok(in) && i < in->nfields; i++)
    check_field(in, g, i);
  io_h5_close(&g);
  return ok(in);
}

/* ---- the file ----------------------------------------------------------------------------- */

/* A readable regular file that HDF5 recognises, opened read-only with the serial driver. */
static bool open_file(inspector *in) {
  struct stat st;
  if (stat(in->path, &st) != 0) {
    FAIL(in, TSR_ERR_FILE, "cannot open file '%s': %s", in->path, strerror(errno));
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    FAIL(in, TSR_ERR_FILE, "cannot open file '%s': not a regular file", in->path);
    return false;
  }
  if (H5Fis_hdf5(in->path) <= 0) {
    FAIL(in, TSR_ERR_FILE, "file '%s' is not an HDF5 file", in->path);
    return false;
  }
  in->file = H5Fopen(in->path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (in->file < 0) {
    char reason[256];
    io_h5_reason(reason, sizeof reason);
    FAIL(in, TSR_ERR_CORRUPT, "file '%s' is damaged: HDF5 cannot open it: %s", in->path, reason);
    return false;
  }
  if (H5Fget_filesize(in->file, &in->file_size) < 0) fail_h5(in, "the file size");
  return ok(in);
}

tsr_err io_inspect(const char *path, const tsr_field fields[], int nfields, const tsr_grid_info *g,
                   io_inspection *out) {
  inspector in = {.path = path,
                  .fields = fields,
                  .nfields = nfields,
                  .g = g,
                  .out = out,
                  .file = H5I_INVALID_HID};
  tsr_err err = TSR_SUCCESS;
  if (open_file(&in) && check_format(&in) && check_grid(&in) && read_snapshot(&in))
    err = read_named(&in);
  if (err == TSR_SUCCESS && ok(&in)) check_fields(&in);
  io_h5_close(&in.file);
  return err;
}
