/* Attribute sets: step, time, geometry and named values of a snapshot, and their packing into
 * one buffer so that rank 0 can broadcast what it read from a file. */
#include "io_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tessera/mem.h"

static tsr_err dup_string(const char *s, char **out) {
  size_t len = strlen(s) + 1;
  TSR_CALL(tsr_malloc(len, out));
  memcpy(*out, s, len);
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_create(tsr_io_attrs *attrs) {
  TSR_CHECK(attrs, TSR_ERR_ARG, "tsr_io_attrs_create: the output pointer is NULL");
  return TSR_CALLOC(1, attrs);
}

static tsr_err free_named(io_named *n) {
  if (n->type == TSR_IO_STRING) TSR_CALL(tsr_free(&n->v.str));
  return tsr_free(&n->name);
}

static tsr_err clear_named(struct tsr_io_attrs_s *a) {
  for (int i = 0; i < a->nnamed; i++)
    TSR_CALL(free_named(&a->named[i]));
  a->nnamed = 0;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_destroy(tsr_io_attrs *attrs) {
  if (!attrs || !*attrs) return TSR_SUCCESS;
  TSR_CALL(clear_named(*attrs));
  TSR_CALL(tsr_free(&(*attrs)->named));
  TSR_CALL(tsr_free(&(*attrs)->source));
  return tsr_free(attrs);
}

tsr_err tsr_io_attrs_set_step(tsr_io_attrs attrs, int64_t step) {
  TSR_CHECK(attrs, TSR_ERR_ARG, "tsr_io_attrs_set_step: the attribute set is NULL");
  attrs->step = step;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_set_time(tsr_io_attrs attrs, double time) {
  TSR_CHECK(attrs, TSR_ERR_ARG, "tsr_io_attrs_set_time: the attribute set is NULL");
  TSR_CHECK(isfinite(time), TSR_ERR_ARG, "tsr_io_attrs_set_time: time %g is not finite", time);
  attrs->time = time;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_set_geometry(tsr_io_attrs attrs, const double origin[],
                                  const double spacing[]) {
  TSR_CHECK(attrs, TSR_ERR_ARG, "tsr_io_attrs_set_geometry: the attribute set is NULL");
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    double o = origin ? origin[a] : 0.0, s = spacing ? spacing[a] : 0.0;
    TSR_CHECK(isfinite(o), TSR_ERR_ARG,
              "tsr_io_attrs_set_geometry: origin %g on axis %d is not finite", o, a);
    TSR_CHECK(
        isfinite(s) && s >= 0.0, TSR_ERR_ARG,
        "tsr_io_attrs_set_geometry: spacing %g on axis %d is invalid: expected a finite value "
        "> 0, or 0 for the default 1/n",
        s, a);
  }
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    attrs->origin[a] = origin ? origin[a] : 0.0;
    attrs->spacing[a] = spacing ? spacing[a] : 0.0;
  }
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_get_step(tsr_io_attrs attrs, int64_t *step) {
  TSR_CHECK(attrs && step, TSR_ERR_ARG, "tsr_io_attrs_get_step: NULL argument");
  *step = attrs->step;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_get_time(tsr_io_attrs attrs, double *time) {
  TSR_CHECK(attrs && time, TSR_ERR_ARG, "tsr_io_attrs_get_time: NULL argument");
  *time = attrs->time;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_get_geometry(tsr_io_attrs attrs, double origin[TSR_MAX_DIM],
                                  double spacing[TSR_MAX_DIM]) {
  TSR_CHECK(attrs, TSR_ERR_ARG, "tsr_io_attrs_get_geometry: the attribute set is NULL");
  for (int a = 0; a < TSR_MAX_DIM; a++) {
    if (origin) origin[a] = attrs->origin[a];
    if (spacing) spacing[a] = attrs->spacing[a];
  }
  return TSR_SUCCESS;
}

void io_geometry(const struct tsr_io_attrs_s *a, const tsr_grid_info *g, double origin[TSR_MAX_DIM],
                 double spacing[TSR_MAX_DIM]) {
  for (int d = 0; d < TSR_MAX_DIM; d++) {
    origin[d] = a ? a->origin[d] : 0.0;
    spacing[d] = a && a->spacing[d] > 0.0 ? a->spacing[d] : 1.0 / (double)g->n[d];
  }
}

/* ---- named values ------------------------------------------------------------------------- */

static io_named *find(const struct tsr_io_attrs_s *a, const char *name) {
  for (int i = 0; i < a->nnamed; i++)
    if (strcmp(a->named[i].name, name) == 0) return &a->named[i];
  return NULL;
}

/* The entry for @p name, emptied of any old value, or a new one at the end. */
static tsr_err slot(struct tsr_io_attrs_s *a, const char *name, io_named **out) {
  TSR_CHECK(a, TSR_ERR_ARG, "tsr_io_attrs_set: the attribute set is NULL");
  TSR_CALL(io_check_name("attribute", name));
  io_named *n = find(a, name);
  if (n) {
    if (n->type == TSR_IO_STRING) TSR_CALL(tsr_free(&n->v.str));
    *out = n;
    return TSR_SUCCESS;
  }
  if (a->nnamed == a->cap) {
    int cap = a->cap ? 2 * a->cap : 8;
    io_named *grown;
    TSR_CALL(TSR_CALLOC(cap, &grown));
    if (a->nnamed) memcpy(grown, a->named, (size_t)a->nnamed * sizeof *grown);
    TSR_CALL(tsr_free(&a->named));
    a->named = grown;
    a->cap = cap;
  }
  n = &a->named[a->nnamed];
  memset(n, 0, sizeof *n);
  TSR_CALL(dup_string(name, &n->name));
  a->nnamed++;
  *out = n;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_set_real(tsr_io_attrs attrs, const char *name, double value) {
  TSR_CHECK(isfinite(value), TSR_ERR_ARG, "attribute '%s': value %g is not finite",
            name ? name : "(null)", value);
  io_named *n;
  TSR_CALL(slot(attrs, name, &n));
  n->type = TSR_IO_REAL;
  n->v.real = value;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_set_int(tsr_io_attrs attrs, const char *name, int64_t value) {
  io_named *n;
  TSR_CALL(slot(attrs, name, &n));
  n->type = TSR_IO_INT;
  n->v.i64 = value;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_set_uint64(tsr_io_attrs attrs, const char *name, uint64_t value) {
  io_named *n;
  TSR_CALL(slot(attrs, name, &n));
  n->type = TSR_IO_UINT64;
  n->v.u64 = value;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_set_string(tsr_io_attrs attrs, const char *name, const char *value) {
  TSR_CHECK(value, TSR_ERR_ARG, "attribute '%s': the string is NULL", name ? name : "(null)");
  size_t len = strlen(value);
  TSR_CHECK(len <= TSR_IO_STRING_MAX, TSR_ERR_ARG,
            "attribute '%s': the string has %zu bytes, more than %d", name ? name : "(null)", len,
            TSR_IO_STRING_MAX);
  char *copy;
  TSR_CALL(dup_string(value, &copy));
  io_named *n;
  tsr_err err = slot(attrs, name, &n);
  if (err != TSR_SUCCESS) {
    tsr_free(&copy);
    return tsr_error_frame(err, __FILE__, __LINE__, __func__);
  }
  n->type = TSR_IO_STRING;
  n->v.str = copy;
  return TSR_SUCCESS;
}

bool tsr_io_attrs_has(tsr_io_attrs attrs, const char *name, tsr_io_type *type) {
  const io_named *n = attrs && name ? find(attrs, name) : NULL;
  if (n && type) *type = n->type;
  return n != NULL;
}

static const char *type_name(tsr_io_type t) {
  static const char *names[] = {"a real", "an integer", "an unsigned 64-bit integer", "a string"};
  return (unsigned)t < 4 ? names[t] : "of unknown type";
}

/* The value @p name of type @p type, or a collective error naming the file it came from. */
static tsr_err lookup(tsr_io_attrs a, const char *name, tsr_io_type type, const io_named **out) {
  TSR_CHECK(a && name, TSR_ERR_ARG, "tsr_io_attrs_get: NULL attribute set or name");
  const io_named *n = find(a, name);
  tsr_err code = a->source ? TSR_ERR_CORRUPT : TSR_ERR_ARG;
  char from[64 + 4096] = "";
  if (a->source) snprintf(from, sizeof from, " of file '%s'", a->source);
  TSR_CHECK(n, code, "attribute '%s' is missing from the attributes%s", name, from);
  TSR_CHECK(n->type == type, code, "attribute '%s'%s is %s, expected %s", name, from,
            type_name(n->type), type_name(type));
  *out = n;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_get_real(tsr_io_attrs attrs, const char *name, double *value) {
  const io_named *n;
  TSR_CALL(lookup(attrs, name, TSR_IO_REAL, &n));
  *value = n->v.real;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_get_int(tsr_io_attrs attrs, const char *name, int64_t *value) {
  const io_named *n;
  TSR_CALL(lookup(attrs, name, TSR_IO_INT, &n));
  *value = n->v.i64;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_get_uint64(tsr_io_attrs attrs, const char *name, uint64_t *value) {
  const io_named *n;
  TSR_CALL(lookup(attrs, name, TSR_IO_UINT64, &n));
  *value = n->v.u64;
  return TSR_SUCCESS;
}

tsr_err tsr_io_attrs_get_string(tsr_io_attrs attrs, const char *name, const char **value) {
  const io_named *n;
  TSR_CALL(lookup(attrs, name, TSR_IO_STRING, &n));
  *value = n->v.str;
  return TSR_SUCCESS;
}

tsr_err io_attrs_set_source(struct tsr_io_attrs_s *a, const char *path) {
  char *copy;
  TSR_CALL(dup_string(path, &copy));
  TSR_CALL(tsr_free(&a->source));
  a->source = copy;
  return TSR_SUCCESS;
}

/* ---- packing ------------------------------------------------------------------------------ */

/* Buffer layout: step, time, origin[3], spacing[3], count, then per value: type (int32),
 * name length (uint64), name bytes, value (8 bytes, or length + bytes for a string). Packing
 * only ever meets one machine's ranks, so native byte order is fine. */
typedef struct {
  char *p;    /* NULL while measuring */
  size_t len; /* bytes written or measured */
} packer;

static void put(packer *k, const void *src, size_t n) {
  if (k->p) memcpy(k->p + k->len, src, n);
  k->len += n;
}

static void put_string(packer *k, const char *s) {
  uint64_t n = strlen(s);
  put(k, &n, sizeof n);
  put(k, s, (size_t)n);
}

static void pack_into(const struct tsr_io_attrs_s *a, packer *k) {
  put(k, &a->step, sizeof a->step);
  put(k, &a->time, sizeof a->time);
  put(k, a->origin, sizeof a->origin);
  put(k, a->spacing, sizeof a->spacing);
  int32_t count = a->nnamed;
  put(k, &count, sizeof count);
  for (int i = 0; i < a->nnamed; i++) {
    const io_named *n = &a->named[i];
    int32_t type = (int32_t)n->type;
    put(k, &type, sizeof type);
    put_string(k, n->name);
    if (n->type == TSR_IO_STRING)
      put_string(k, n->v.str);
    else
      put(k, &n->v, 8);
  }
}

tsr_err io_attrs_pack(const struct tsr_io_attrs_s *a, char **buf, size_t *len) {
  packer k = {NULL, 0};
  pack_into(a, &k);
  TSR_CALL(tsr_malloc(k.len, buf));
  k.p = *buf;
  k.len = 0;
  pack_into(a, &k);
  *len = k.len;
  return TSR_SUCCESS;
}

typedef struct {
  const char *p;
  size_t len, at;
} unpacker;

static tsr_err get(unpacker *u, void *dst, size_t n) {
  if (n > u->len - u->at)
    TSR_ERROR_LOCAL(TSR_ERR_INTERNAL, "attribute buffer overrun (%zu + %zu > %zu)", u->at, n,
                    u->len);
  memcpy(dst, u->p + u->at, n);
  u->at += n;
  return TSR_SUCCESS;
}

/* A string of the buffer, copied into a new allocation. */
static tsr_err get_string(unpacker *u, char **out) {
  uint64_t n;
  TSR_CALL(get(u, &n, sizeof n));
  if (n > u->len - u->at)
    TSR_ERROR_LOCAL(TSR_ERR_INTERNAL, "attribute buffer overrun (string of %llu bytes)",
                    (unsigned long long)n);
  TSR_CALL(tsr_malloc((size_t)n + 1, out));
  memcpy(*out, u->p + u->at, (size_t)n);
  (*out)[n] = '\0';
  u->at += (size_t)n;
  return TSR_SUCCESS;
}

static tsr_err unpack_named(unpacker *u, struct tsr_io_attrs_s *a) {
  int32_t type;
  char *name;
  TSR_CALL(get(u, &type, sizeof type));
  TSR_CALL(get_string(u, &name));
  io_named *n;
  tsr_err err = slot(a, name, &n);
  tsr_free(&name);
  TSR_CALL(err);
  n->type = (tsr_io_type)type;
  if (n->type == TSR_IO_STRING) return get_string(u, &n->v.str);
  return get(u, &n->v, 8);
}

tsr_err io_attrs_unpack(struct tsr_io_attrs_s *a, const char *buf, size_t len) {
  unpacker u = {buf, len, 0};
  TSR_CALL(clear_named(a));
  TSR_CALL(get(&u, &a->step, sizeof a->step));
  TSR_CALL(get(&u, &a->time, sizeof a->time));
  TSR_CALL(get(&u, a->origin, sizeof a->origin));
  TSR_CALL(get(&u, a->spacing, sizeof a->spacing));
  int32_t count;
  TSR_CALL(get(&u, &count, sizeof count));
  for (int32_t i = 0; i < count; i++)
    TSR_CALL(unpack_named(&u, a));
  return TSR_SUCCESS;
}

tsr_err io_attrs_assign(struct tsr_io_attrs_s *dst, const struct tsr_io_attrs_s *src) {
  char *buf;
  size_t len;
  TSR_CALL(io_attrs_pack(src, &buf, &len));
  tsr_err err = io_attrs_unpack(dst, buf, len);
  tsr_free(&buf);
  TSR_CALL(err);
  if (src->source) return io_attrs_set_source(dst, src->source);
  return tsr_free(&dst->source);
}
