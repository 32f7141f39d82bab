/* Shared io plumbing: verdicts raised alike on every rank, HDF5 quiet mode and error text,
 * handle cleanup, and the checks on names and field lists. */
#include "io_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- verdicts ----------------------------------------------------------------------------- */

void io_fail(io_verdict *v, tsr_err code, const char *fmt, ...) {
  if (v->code != TSR_SUCCESS) return; /* keep the first failure: later ones are consequences */
  v->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->msg, sizeof v->msg, fmt, ap);
  va_end(ap);
}

void io_fail_raised(io_verdict *v, tsr_err err) {
  if (err == TSR_SUCCESS) return;
  io_fail(v, err, "%s", tsr_error_message());
  tsr_error_clear();
}

tsr_err io_verdict_bcast(MPI_Comm comm, int root, io_verdict *v) {
  int code = (int)v->code;
  TSR_CALL_MPI(MPI_Bcast(&code, 1, MPI_INT, root, comm));
  v->code = (tsr_err)code;
  if (code != TSR_SUCCESS) TSR_CALL_MPI(MPI_Bcast(v->msg, IO_MSG_MAX, MPI_CHAR, root, comm));
  return TSR_SUCCESS;
}

tsr_err io_verdict_agree(MPI_Comm comm, io_verdict *v) {
  int rank, size, first;
  TSR_CALL_MPI(MPI_Comm_rank(comm, &rank));
  TSR_CALL_MPI(MPI_Comm_size(comm, &size));
  int mine = v->code != TSR_SUCCESS ? rank : size;
  TSR_CALL_MPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) return TSR_SUCCESS;
  return io_verdict_bcast(comm, first, v);
}

/* ---- HDF5 --------------------------------------------------------------------------------- */

void io_quiet_begin(io_quiet *q) {
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void io_quiet_end(const io_quiet *q) {
  H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

typedef struct {
  char *buf;
  size_t size;
} reason_sink;

/* Walking upward starts at the most specific error, where HDF5 says what is wrong with the
 * file; the outer frames only repeat which API call failed. */
static herr_t take_first(unsigned n, const H5E_error2_t *err, void *data) {
  reason_sink *s = data;
  if (n == 0 && err->desc) snprintf(s->buf, s->size, "%s", err->desc);
  return 0;
}

void io_h5_reason(char *buf, size_t size) {
  reason_sink s = {buf, size};
  buf[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_first, &s);
}

void io_h5_close(hid_t *id) {
  if (*id < 0) return;
  switch (H5Iget_type(*id)) {
  case H5I_FILE:
    H5Fclose(*id);
    break;
  case H5I_GROUP:
    H5Gclose(*id);
    break;
  case H5I_DATASET:
    H5Dclose(*id);
    break;
  case H5I_DATASPACE:
    H5Sclose(*id);
    break;
  case H5I_DATATYPE:
    H5Tclose(*id);
    break;
  case H5I_ATTR:
    H5Aclose(*id);
    break;
  case H5I_GENPROP_LST:
    H5Pclose(*id);
    break;
  default:
    break;
  }
  *id = H5I_INVALID_HID;
}

/* ---- names and fields --------------------------------------------------------------------- */

const char *io_name_problem(const char *name) {
  if (!name || !name[0]) return "the name is empty";
  if (strlen(name) > TSR_IO_NAME_MAX) return "the name is longer than TSR_IO_NAME_MAX bytes";
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return "the name cannot be '.' or '..'";
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
    if (*p == '/') return "the name holds '/', which file names cannot hold";
    if (*p < 0x20 || *p == 0x7f) return "the name holds a control character";
  }
  return NULL;
}

tsr_err io_check_name(const char *what, const char *name) {
  const char *problem = io_name_problem(name);
  TSR_CHECK(!problem, TSR_ERR_ARG, "%s '%.64s': %s", what, name ? name : "", problem);
  return TSR_SUCCESS;
}

static tsr_err check_components(const char *who, tsr_field f) {
  const char *fname = tsr_field_name(f);
  char what[TSR_IO_NAME_MAX + 64];
  snprintf(what, sizeof what, "%s: field '%s': component", who, fname);
  int ncomp = tsr_field_num_components(f);
  for (int c = 0; c < ncomp; c++) {
    const char *name = tsr_field_component_name(f, c);
    TSR_CALL(io_check_name(what, name));
    for (int d = 0; d < c; d++)
      TSR_CHECK(strcmp(name, tsr_field_component_name(f, d)) != 0, TSR_ERR_ARG,
                "%s: field '%s': components %d and %d are both named '%s'", who, fname, d, c, name);
  }
  return TSR_SUCCESS;
}

tsr_err io_check_fields(const char *who, const tsr_field fields[], int nfields,
                        tsr_grid_info *info) {
  TSR_CHECK(fields && nfields >= 1, TSR_ERR_ARG, "%s: %d fields given: expected 1 or more", who,
            fields ? nfields : 0);
  for (int i = 0; i < nfields; i++) {
    TSR_CHECK(fields[i], TSR_ERR_ARG, "%s: field %d is NULL", who, i);
    const char *name = tsr_field_name(fields[i]);
    char what[64];
    snprintf(what, sizeof what, "%s: field", who);
    TSR_CALL(io_check_name(what, name));
    TSR_CHECK(tsr_field_grid(fields[i]) == tsr_field_grid(fields[0]), TSR_ERR_ARG,
              "%s: field '%s' lives on another grid than field '%s': one file holds one grid", who,
              name, tsr_field_name(fields[0]));
    for (int j = 0; j < i; j++)
      TSR_CHECK(strcmp(name, tsr_field_name(fields[j])) != 0, TSR_ERR_ARG,
                "%s: fields %d and %d are both named '%s'", who, j, i, name);
    tsr_view v;
    TSR_CALL(tsr_field_get_view(fields[i], 0, &v)); /* refuses a field not set up */
    TSR_CALL(check_components(who, fields[i]));
  }
  return tsr_grid_get_info(tsr_field_grid(fields[0]), info);
}

MPI_Comm io_comm(tsr_field f) {
  return tsr_ctx_comm(tsr_grid_ctx(tsr_field_grid(f)));
}

void io_dataset_path(tsr_field f, int c, char *buf, size_t size) {
  snprintf(buf, size, IO_FIELDS_GROUP "/%s/%s", tsr_field_name(f), tsr_field_component_name(f, c));
}

double io_owned_bytes(const tsr_grid_info *info, const tsr_field fields[], int nfields) {
  double cells = (double)tsr_box_volume(&info->owned), bytes = 0;
  for (int i = 0; i < nfields; i++)
    bytes += cells * tsr_field_num_components(fields[i]) * (double)sizeof(double);
  return bytes;
}

/* ---- folders ------------------------------------------------------------------------------ */

/* mkdir -p: each missing folder on the way, then check the result is a folder. */
void io_make_folder(const char *dir, const char *what, io_verdict *v) {
  char path[4096];
  snprintf(path, sizeof path, "%s", dir);
  errno = 0;
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      io_fail(v, TSR_ERR_FILE, "cannot create %s '%s': '%s': %s", what, dir, path, strerror(errno));
      return;
    }
    *p = '/';
  }
  if (mkdir(path, 0777) != 0 && errno != EEXIST) {
    io_fail(v, TSR_ERR_FILE, "cannot create %s '%s': %s", what, dir, strerror(errno));
    return;
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    io_fail(v, TSR_ERR_FILE, "cannot create %s '%s': %s", what, dir,
            errno ? strerror(errno) : "a file of that name exists");
}

/* Create and remove a file in the folder: the only test of writability that holds for every
 * cause (permissions, read-only mounts, quotas, ACLs), and for root too. */
void io_probe_folder(const char *dir, const char *what, io_verdict *v) {
  char probe[4096 + 64];
  snprintf(probe, sizeof probe, "%s/.tessera-write-test.%ld", dir, (long)getpid());
  int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || write(fd, "x", 1) != 1)
    io_fail(v, TSR_ERR_FILE, "%s '%s' is not writable: %s", what, dir, strerror(errno));
  if (fd >= 0) close(fd);
  if (fd >= 0) unlink(probe);
}
