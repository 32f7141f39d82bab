/* XDMF descriptions of data files, so ParaView and VisIt open them directly: one uniform grid
 * per snapshot (a co-rectilinear mesh, cell-centred scalar attributes pointing at the HDF5
 * datasets), or a temporal collection of them for a time series. Rank 0 writes them through
 * a temporary file and a rename, so a reader never sees half a file.
 *
 * XDMF lists dimensions slowest axis first (z y x), and ParaView reads the origin and spacing
 * of ORIGIN_DXDYDZ in that same order; topology dimensions count points, one more than cells
 * per axis. 2-D and 1-D grids are written as a 3DCoRectMesh one cell thick: ParaView (5.11,
 * both XDMF readers) puts a 2DCoRectMesh in its y-z plane, with axis 0 along y, while the
 * thin 3-D mesh lies in the x-y plane as expected. The attribute data items then state the
 * shape [1][n1][n0] ([1][1][n0]) for datasets of [n1][n0] ([n0]) values, which both readers
 * accept (the element count is what matters). */
#include "io_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything the grid elements need, shared by all the snapshots of a file. */
typedef struct {
  FILE *out;
  const tsr_field *fields;
  int nfields;
  tsr_gidx cells[3];            /* cells per mesh axis, slowest first */
  double origin[3], spacing[3]; /* per mesh axis, slowest first */
} xdmf_doc;

static void put_escaped(FILE *out, const char *s) {
  for (; *s; s++)
    switch (*s) {
    case '&':
      fputs("&amp;", out);
      break;
    case '<':
      fputs("&lt;", out);
      break;
    case '>':
      fputs("&gt;", out);
      break;
    case '"':
      fputs("&quot;", out);
      break;
    case '\'':
      fputs("&apos;", out);
      break;
    default:
      fputc(*s, out);
    }
}

/* The shortest decimal text that reads back as exactly @p x (e.g. "0.4", not
 * "0.40000000000000002"). */
static void put_double(FILE *out, double x) {
  char buf[32];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (strtod(buf, NULL) == x) break;
  }
  fputs(buf, out);
}

/* Mesh of grid @p g with the geometry of @p attrs, slowest axis first; the unused axes of a
 * 2-D or 1-D grid become one cell as thick as the smallest cell size. */
static void describe_mesh(xdmf_doc *d, const tsr_grid_info *g, const struct tsr_io_attrs_s *attrs) {
  double origin[TSR_MAX_DIM], spacing[TSR_MAX_DIM], thin = INFINITY;
  io_geometry(attrs, g, origin, spacing);
  for (int a = 0; a < g->dim; a++)
    thin = spacing[a] < thin ? spacing[a] : thin;
  for (int a = g->dim; a < TSR_MAX_DIM; a++) {
    origin[a] = 0.0;
    spacing[a] = thin;
  }
  for (int m = 0; m < 3; m++) {
    d->cells[m] = g->n[2 - m];
    d->origin[m] = origin[2 - m];
    d->spacing[m] = spacing[2 - m];
  }
}

static void put_numbers(FILE *out, const double *v, int n) {
  for (int m = 0; m < n; m++) {
    if (m) fputc(' ', out);
    put_double(out, v[m]);
  }
}

static void put_geometry(const xdmf_doc *d, const char *pad) {
  FILE *out = d->out;
  fprintf(out, "%s<Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"", pad);
  for (int m = 0; m < 3; m++)
    fprintf(out, m ? " %lld" : "%lld", (long long)d->cells[m] + 1);
  fprintf(out, "\"/>\n%s<Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n", pad);
  const char *names[2] = {"Origin", "Spacing"};
  const double *values[2] = {d->origin, d->spacing};
  for (int i = 0; i < 2; i++) {
    fprintf(out,
            "%s  <DataItem Name=\"%s\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
            "Format=\"XML\">",
            pad, names[i]);
    put_numbers(out, values[i], 3);
    fputs("</DataItem>\n", out);
  }
  fprintf(out, "%s</Geometry>\n", pad);
}

/* One cell-centred scalar attribute per component, read from @p h5_ref. */
static void put_attributes(const xdmf_doc *d, const char *h5_ref, const char *pad) {
  FILE *out = d->out;
  for (int i = 0; i < d->nfields; i++) {
    tsr_field f = d->fields[i];
    int ncomp = tsr_field_num_components(f);
    for (int c = 0; c < ncomp; c++) {
      fprintf(out, "%s<Attribute Name=\"", pad);
      put_escaped(out, tsr_field_name(f));
      if (ncomp > 1) {
        fputc('_', out);
        put_escaped(out, tsr_field_component_name(f, c));
      }
      fprintf(out, "\" AttributeType=\"Scalar\" Center=\"Cell\">\n%s  <DataItem Dimensions=\"",
              pad);
      for (int m = 0; m < 3; m++)
        fprintf(out, m ? " %lld" : "%lld", (long long)d->cells[m]);
      fprintf(out, "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">");
      char path[2 * TSR_IO_NAME_MAX + 16];
      io_dataset_path(f, c, path, sizeof path);
      put_escaped(out, h5_ref);
      fputs(":/", out);
      put_escaped(out, path);
      fprintf(out, "</DataItem>\n%s</Attribute>\n", pad);
    }
  }
}

static void put_grid(const xdmf_doc *d, const io_xdmf_entry *e, const char *pad) {
  FILE *out = d->out;
  char inner[64];
  snprintf(inner, sizeof inner, "%s  ", pad);
  fprintf(out, "%s<Grid Name=\"", pad);
  put_escaped(out, e->name);
  fprintf(out, "\" GridType=\"Uniform\">\n%s<Time Value=\"", inner);
  put_double(out, e->time);
  fputs("\"/>\n", out);
  put_geometry(d, inner);
  put_attributes(d, e->h5_ref, inner);
  fprintf(out, "%s</Grid>\n", pad);
}

static void put_document(const xdmf_doc *d, const io_xdmf_entry *e, int n, const char *series) {
  FILE *out = d->out;
  fputs("<?xml version=\"1.0\" ?>\n<Xdmf Version=\"2.0\">\n  <Domain>\n", out);
  if (!series) {
    put_grid(d, &e[0], "    ");
  } else {
    fputs("    <Grid Name=\"", out);
    put_escaped(out, series);
    fputs("\" GridType=\"Collection\" CollectionType=\"Temporal\">\n", out);
    for (int i = 0; i < n; i++)
      put_grid(d, &e[i], "      ");
    fputs("    </Grid>\n", out);
  }
  fputs("  </Domain>\n</Xdmf>\n", out);
}

void io_xdmf_write(const char *path, const tsr_field fields[], int nfields, const tsr_grid_info *g,
                   const struct tsr_io_attrs_s *attrs, const io_xdmf_entry *entries, int nentries,
                   const char *series, io_verdict *v) {
  char tmp[4096 + 8];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    io_fail(v, TSR_ERR_FILE, "cannot write file '%.64s...': the path is too long", path);
    return;
  }
  xdmf_doc d = {.fields = fields, .nfields = nfields};
  describe_mesh(&d, g, attrs);
  d.out = fopen(tmp, "w");
  if (!d.out) {
    io_fail(v, TSR_ERR_FILE, "cannot write file '%s': %s", tmp, strerror(errno));
    return;
  }
  put_document(&d, entries, nentries, series);
  int failed = ferror(d.out);
  if (fclose(d.out) != 0 || failed) {
    io_fail(v, TSR_ERR_FILE, "cannot write file '%s': %s", tmp, strerror(errno));
    remove(tmp);
  } else if (rename(tmp, path) != 0) {
    io_fail(v, TSR_ERR_FILE, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    remove(tmp);
  }
}

tsr_err tsr_io_write_xdmf(const char *xmf_path, const char *h5_ref, const tsr_field fields[],
                          int nfields, tsr_io_attrs attrs) {
  TSR_CHECK(xmf_path && xmf_path[0] && h5_ref && h5_ref[0], TSR_ERR_ARG,
            "tsr_io_write_xdmf: empty path");
  tsr_grid_info g;
  TSR_CALL(io_check_fields("tsr_io_write_xdmf", fields, nfields, &g));
  io_verdict v = {TSR_SUCCESS, ""};
  if (g.rank == 0) {
    const char *base = strrchr(h5_ref, '/');
    char name[256];
    snprintf(name, sizeof name, "%s", base ? base + 1 : h5_ref);
    char *dot = strrchr(name, '.');
    if (dot && dot != name) *dot = '\0';
    io_xdmf_entry e = {h5_ref, name, attrs ? attrs->time : 0.0};
    io_xdmf_write(xmf_path, fields, nfields, &g, attrs, &e, 1, NULL, &v);
  }
  TSR_CALL(io_verdict_bcast(io_comm(fields[0]), 0, &v));
  IO_RAISE(v);
  return TSR_SUCCESS;
}
