/* The checkpointing handle: state registered by the program (fields and scalars), settings from
 * calls or options, and setup, which checks everything that can fail before the first step
 * (folder usable, clocks started, signal handlers installed). */
#include "checkpoint_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tessera/mem.h"

/* ---- trying io calls ---------------------------------------------------------------------- */

void ckpt_try_begin(ckpt_try *t) {
  tsr_error_set_handler(NULL, NULL, &t->handler, &t->user);
}

void ckpt_try_end(const ckpt_try *t) {
  tsr_error_set_handler(t->handler, t->user, NULL, NULL);
}

tsr_err ckpt_reraise(tsr_err err, const char *file, int line, const char *func) {
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", tsr_error_message());
  bool alike = err == TSR_ERR_ARG || err == TSR_ERR_STATE || err == TSR_ERR_SIZE ||
               err == TSR_ERR_FILE || err == TSR_ERR_CORRUPT || err == TSR_ERR_OPTION;
  return tsr_error_raise(err, alike ? TSR_ERROR_COLLECTIVE : TSR_ERROR_RANK_LOCAL, file, line, func,
                         "%s", msg);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

tsr_err tsr_checkpoint_create(tsr_grid grid, tsr_checkpoint *ckpt) {
  TSR_CHECK(ckpt, TSR_ERR_ARG, "tsr_checkpoint_create: the output pointer is NULL");
  *ckpt = NULL;
  TSR_CHECK(grid, TSR_ERR_ARG, "tsr_checkpoint_create: the grid is NULL");
  tsr_grid_info info;
  TSR_CALL(tsr_grid_get_info(grid, &info)); /* refuses a grid not set up */
  struct tsr_checkpoint_s *c;
  TSR_CALL(TSR_CALLOC(1, &c));
  *ckpt = c; /* from here on, destroy cleans up a partial handle */
  c->grid = grid;
  c->comm = tsr_ctx_comm(tsr_grid_ctx(grid));
  c->rank = info.rank;
  snprintf(c->dir, sizeof c->dir, "checkpoints");
  c->keep = 2;
  c->margin = -1.0;
  return tsr_io_attrs_create(&c->attrs);
}

tsr_err tsr_checkpoint_destroy(tsr_checkpoint *ckpt) {
  if (!ckpt || !*ckpt) return TSR_SUCCESS;
  struct tsr_checkpoint_s *c = *ckpt;
  /* After a stop the process is about to exit having saved its state: keep the counting
   * handlers, so a late duplicate signal (schedulers send several) cannot kill it now and
   * turn its clean exit status into a signal death. */
  if (!c->stopped) ckpt_signals_restore(c);
  for (int i = 0; i < c->nscalars; i++)
    TSR_CALL(tsr_free(&c->scalars[i].name));
  TSR_CALL(tsr_free(&c->scalars));
  TSR_CALL(tsr_free(&c->fields));
  TSR_CALL(tsr_free(&c->options));
  TSR_CALL(tsr_io_attrs_destroy(&c->attrs));
  return tsr_free(ckpt);
}

static tsr_err check_settable(tsr_checkpoint c, const char *who) {
  TSR_CHECK(c, TSR_ERR_ARG, "%s: the checkpoint handle is NULL", who);
  TSR_CHECK(!c->is_setup, TSR_ERR_STATE, "%s: the checkpointing is already set up", who);
  return TSR_SUCCESS;
}

/* ---- registered state --------------------------------------------------------------------- */

tsr_err tsr_checkpoint_add_field(tsr_checkpoint ckpt, tsr_field field) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_add_field"));
  TSR_CHECK(field, TSR_ERR_ARG, "tsr_checkpoint_add_field: the field is NULL");
  TSR_CHECK(tsr_field_grid(field) == ckpt->grid, TSR_ERR_ARG,
            "tsr_checkpoint_add_field: field '%s' is not on the checkpoint's grid",
            tsr_field_name(field));
  if (ckpt->nfields == ckpt->fields_cap) {
    int cap = ckpt->fields_cap ? 2 * ckpt->fields_cap : 4;
    tsr_field *grown;
    TSR_CALL(TSR_CALLOC(cap, &grown));
    if (ckpt->nfields) memcpy(grown, ckpt->fields, (size_t)ckpt->nfields * sizeof *grown);
    TSR_CALL(tsr_free(&ckpt->fields));
    ckpt->fields = grown;
    ckpt->fields_cap = cap;
  }
  ckpt->fields[ckpt->nfields] = field;
  tsr_grid_info info; /* names valid and distinct, field set up */
  TSR_CALL(io_check_fields("tsr_checkpoint_add_field", ckpt->fields, ckpt->nfields + 1, &info));
  ckpt->nfields++;
  return TSR_SUCCESS;
}

/* The components of @p field are those of registered field @p reg: a checkpoint holds them
 * under their names, so a buffer swapped in must carry the same ones. */
static tsr_err check_same_components(tsr_field field, tsr_field reg, int index) {
  const int ncomp = tsr_field_num_components(reg);
  TSR_CHECK(tsr_field_num_components(field) == ncomp, TSR_ERR_ARG,
            "tsr_checkpoint_set_field: field '%s' has %d components, but registered field %d "
            "('%s') has %d",
            tsr_field_name(field), tsr_field_num_components(field), index, tsr_field_name(reg),
            ncomp);
  for (int c = 0; c < ncomp; c++)
    TSR_CHECK(strcmp(tsr_field_component_name(field, c), tsr_field_component_name(reg, c)) == 0,
              TSR_ERR_ARG,
              "tsr_checkpoint_set_field: component %d of field '%s' is named '%s', but that of "
              "registered field %d ('%s') is '%s'",
              c, tsr_field_name(field), tsr_field_component_name(field, c), index,
              tsr_field_name(reg), tsr_field_component_name(reg, c));
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_set_field(tsr_checkpoint ckpt, int index, tsr_field field) {
  TSR_CHECK(ckpt && field, TSR_ERR_ARG, "tsr_checkpoint_set_field: NULL argument");
  TSR_CHECK(index >= 0 && index < ckpt->nfields, TSR_ERR_ARG,
            "tsr_checkpoint_set_field: index %d is invalid: expected 0 to %d (the fields added)",
            index, ckpt->nfields - 1);
  tsr_field reg = ckpt->fields[index];
  if (field == reg) return TSR_SUCCESS; /* the usual case of a swap back */
  TSR_CHECK(tsr_field_grid(field) == ckpt->grid, TSR_ERR_ARG,
            "tsr_checkpoint_set_field: field '%s' is not on the checkpoint's grid",
            tsr_field_name(field));
  TSR_CHECK(strcmp(tsr_field_name(field), tsr_field_name(reg)) == 0, TSR_ERR_ARG,
            "tsr_checkpoint_set_field: field '%s' cannot stand for registered field %d ('%s'): "
            "a checkpoint stores it under its name, so give both buffers the name '%s'",
            tsr_field_name(field), index, tsr_field_name(reg), tsr_field_name(reg));
  TSR_CALL(check_same_components(field, reg, index));
  tsr_view v;
  TSR_CALL(tsr_field_get_view(field, 0, &v)); /* refuses a field not set up */
  ckpt->fields[index] = field;
  return TSR_SUCCESS;
}

static tsr_err add_scalar(tsr_checkpoint c, const char *who, const char *name, tsr_io_type type,
                          double *real, int64_t *i64) {
  TSR_CALL(check_settable(c, who));
  TSR_CHECK(real || i64, TSR_ERR_ARG, "%s: the value pointer of '%s' is NULL", who,
            name ? name : "(null)");
  TSR_CALL(io_check_name("checkpoint scalar", name));
  TSR_CHECK(strcmp(name, CKPT_VERSION_ATTR) != 0 && strcmp(name, CKPT_OPTIONS_ATTR) != 0,
            TSR_ERR_ARG, "%s: the name '%s' is reserved by the checkpoint format", who, name);
  for (int i = 0; i < c->nscalars; i++)
    TSR_CHECK(strcmp(c->scalars[i].name, name) != 0, TSR_ERR_ARG,
              "%s: a scalar named '%s' is registered already", who, name);
  if (c->nscalars == c->scalars_cap) {
    int cap = c->scalars_cap ? 2 * c->scalars_cap : 8;
    ckpt_scalar *grown;
    TSR_CALL(TSR_CALLOC(cap, &grown));
    if (c->nscalars) memcpy(grown, c->scalars, (size_t)c->nscalars * sizeof *grown);
    TSR_CALL(tsr_free(&c->scalars));
    c->scalars = grown;
    c->scalars_cap = cap;
  }
  ckpt_scalar *s = &c->scalars[c->nscalars];
  size_t len = strlen(name) + 1;
  TSR_CALL(tsr_malloc(len, &s->name));
  memcpy(s->name, name, len);
  s->type = type;
  s->real = real;
  s->i64 = i64;
  c->nscalars++;
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_add_real(tsr_checkpoint ckpt, const char *name, double *value) {
  return add_scalar(ckpt, "tsr_checkpoint_add_real", name, TSR_IO_REAL, value, NULL);
}

tsr_err tsr_checkpoint_add_int(tsr_checkpoint ckpt, const char *name, int64_t *value) {
  return add_scalar(ckpt, "tsr_checkpoint_add_int", name, TSR_IO_INT, NULL, value);
}

/* ---- settings ----------------------------------------------------------------------------- */

static tsr_err set_path(char *dst, const char *src, bool may_be_empty, const char *who) {
  size_t len = src ? strlen(src) : 0;
  TSR_CHECK(may_be_empty || len > 0, TSR_ERR_ARG, "%s: the path is empty", who);
  TSR_CHECK(len < CKPT_PATH_MAX, TSR_ERR_ARG, "%s: path '%.64s...' has %zu bytes, more than %d",
            who, src, len, CKPT_PATH_MAX - 1);
  snprintf(dst, CKPT_PATH_MAX, "%s", src ? src : "");
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_set_restart(tsr_checkpoint ckpt, const char *what) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_set_restart"));
  return set_path(ckpt->restart, what, true, "tsr_checkpoint_set_restart");
}

tsr_err tsr_checkpoint_set_dir(tsr_checkpoint ckpt, const char *dir) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_set_dir"));
  return set_path(ckpt->dir, dir, false, "tsr_checkpoint_set_dir");
}

tsr_err tsr_checkpoint_set_every(tsr_checkpoint ckpt, int64_t every) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_set_every"));
  TSR_CHECK(every >= 0, TSR_ERR_ARG,
            "tsr_checkpoint_set_every: %lld is invalid: expected 0 (never) or more",
            (long long)every);
  ckpt->every = every;
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_set_minutes(tsr_checkpoint ckpt, double minutes) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_set_minutes"));
  TSR_CHECK(isfinite(minutes) && minutes >= 0, TSR_ERR_ARG,
            "tsr_checkpoint_set_minutes: %g is invalid: expected 0 (never) or more", minutes);
  ckpt->minutes = minutes;
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_set_keep(tsr_checkpoint ckpt, int keep) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_set_keep"));
  TSR_CHECK(keep >= 1, TSR_ERR_ARG, "tsr_checkpoint_set_keep: %d is invalid: expected 1 or more",
            keep);
  ckpt->keep = keep;
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_set_walltime(tsr_checkpoint ckpt, double seconds, double margin) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_set_walltime"));
  TSR_CHECK(isfinite(seconds) && seconds >= 0, TSR_ERR_ARG,
            "tsr_checkpoint_set_walltime: limit %g s is invalid: expected 0 (none) or more",
            seconds);
  TSR_CHECK(isfinite(margin), TSR_ERR_ARG, "tsr_checkpoint_set_walltime: margin %g is not finite",
            margin);
  ckpt->walltime = seconds;
  ckpt->walltime_from = tsr_wtime();
  ckpt->margin = margin;
  return TSR_SUCCESS;
}

/* --walltime: a string, for Slurm's formats. */
static tsr_err walltime_option(tsr_checkpoint c, tsr_options opts, double *seconds) {
  const char *text;
  TSR_CALL(tsr_options_get_string(opts, "walltime",
                                  "wall-time limit: seconds or [D-]HH:MM:SS (default: none, or "
                                  "the Slurm job's end time)",
                                  NULL, &text));
  *seconds = c->walltime;
  if (!text) return TSR_SUCCESS;
  TSR_CHECK(ckpt_parse_walltime(text, seconds), TSR_ERR_OPTION,
            "option --walltime: '%s' is not a time limit: expected seconds (e.g. 3600) or "
            "[D-]HH:MM:SS, MM:SS or D-HH[:MM] as Slurm writes it",
            text);
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_set_from_options(tsr_checkpoint ckpt) {
  TSR_CALL(check_settable(ckpt, "tsr_checkpoint_set_from_options"));
  tsr_options o = tsr_ctx_options(tsr_grid_ctx(ckpt->grid));
  const char *dir, *restart;
  int64_t every, keep, code;
  double minutes, walltime, margin;
  TSR_CALL(
      tsr_options_get_string(o, "checkpoint-dir", "folder of the checkpoints", ckpt->dir, &dir));
  TSR_CALL(tsr_options_get_int(o, "checkpoint-every", "checkpoint every N steps (0: never)",
                               ckpt->every, 0, INT64_MAX, &every));
  TSR_CALL(tsr_options_get_real(o, "checkpoint-minutes",
                                "checkpoint every M minutes of wall time (0: never)", ckpt->minutes,
                                0, 1e9, &minutes));
  TSR_CALL(tsr_options_get_int(o, "checkpoint-keep", "complete checkpoints kept", ckpt->keep, 1,
                               1000000, &keep));
  TSR_CALL(tsr_options_get_string(o, "restart",
                                  "restart from 'latest' (newest valid checkpoint) or a file",
                                  ckpt->restart[0] ? ckpt->restart : NULL, &restart));
  TSR_CALL(walltime_option(ckpt, o, &walltime));
  TSR_CALL(tsr_options_get_real(o, "walltime-margin",
                                "seconds before the wall-time limit at which the run "
                                "checkpoints and stops (default 60; at least 3 x the slowest "
                                "checkpoint write)",
                                ckpt->margin < 0 ? 60.0 : ckpt->margin, 0, 1e9, &margin));
  TSR_CALL(tsr_options_get_int(o, "stopped-exit-code",
                               "exit status of a run stopped by a signal or the time limit",
                               ckpt->stopped_exit_code, 0, 125, &code));
  TSR_CALL(tsr_checkpoint_set_dir(ckpt, dir));
  TSR_CALL(tsr_checkpoint_set_restart(ckpt, restart));
  TSR_CALL(tsr_checkpoint_set_every(ckpt, every));
  TSR_CALL(tsr_checkpoint_set_minutes(ckpt, minutes));
  TSR_CALL(tsr_checkpoint_set_keep(ckpt, (int)keep));
  ckpt->stopped_exit_code = (int)code;
  bool margin_given = tsr_options_has(o, "walltime-margin") || ckpt->margin >= 0;
  return tsr_checkpoint_set_walltime(ckpt, walltime, margin_given ? margin : -1.0);
}

/* ---- setup -------------------------------------------------------------------------------- */

/* The options the run was started with, for the "options" attribute. */
static tsr_err dump_options(struct tsr_checkpoint_s *c) {
  tsr_options opts = tsr_ctx_options(tsr_grid_ctx(c->grid));
  for (size_t size = 4096;; size *= 4) {
    TSR_CALL(tsr_free(&c->options));
    TSR_CALL(tsr_malloc(size, &c->options));
    ckpt_try t;
    ckpt_try_begin(&t);
    tsr_err err = tsr_options_dump(opts, c->options, size);
    ckpt_try_end(&t);
    if (err == TSR_SUCCESS) break;
    tsr_error_clear();
    TSR_CHECK(err == TSR_ERR_SIZE && size < TSR_IO_STRING_MAX / 4, err,
              "tsr_checkpoint_setup: the options cannot be recorded (%s)", tsr_error_name(err));
  }
  return TSR_SUCCESS;
}

tsr_err tsr_checkpoint_setup(tsr_checkpoint ckpt) {
  TSR_CHECK(ckpt, TSR_ERR_ARG, "tsr_checkpoint_setup: the checkpoint handle is NULL");
  if (ckpt->is_setup) return TSR_SUCCESS;
  TSR_CHECK(ckpt->nfields > 0, TSR_ERR_ARG,
            "tsr_checkpoint_setup: no field to checkpoint (call tsr_checkpoint_add_field)");
  io_verdict v = {TSR_SUCCESS, ""};
  if (ckpt->rank == 0) ckpt_prepare_folder(ckpt, &v);
  TSR_CALL(io_verdict_bcast(ckpt->comm, 0, &v));
  IO_RAISE(v);
  TSR_CALL(dump_options(ckpt));
  if (ckpt->rank == 0) {
    ckpt->deadline = ckpt_find_deadline(ckpt);
    ckpt->last_time = tsr_wtime();
  }
  TSR_CALL(ckpt_signals_install(ckpt));
  ckpt->is_setup = true;
  return TSR_SUCCESS;
}

/* ---- small queries ------------------------------------------------------------------------ */

int tsr_checkpoint_exit_code(tsr_checkpoint ckpt, tsr_stop_reason reason) {
  if (reason == TSR_STOP_NONE || !ckpt) return 0;
  return ckpt->stopped_exit_code;
}

const char *tsr_checkpoint_last_path(tsr_checkpoint ckpt) {
  return ckpt ? ckpt->last_path : "";
}

const char *tsr_stop_reason_name(tsr_stop_reason reason) {
  switch (reason) {
  case TSR_STOP_NONE:
    return "none";
  case TSR_STOP_SIGNAL:
    return "signal";
  case TSR_STOP_WALLTIME:
    return "walltime";
  }
  return "unknown";
}
