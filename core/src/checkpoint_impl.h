/* Private parts of the checkpoint module, shared by checkpoint*.c: the handle's body, the
 * "try" bracket that lets a collective io error be handled here before it is raised, the file
 * names, and the entry points of each source (lifecycle in checkpoint.c, the atomic write and
 * the folder in checkpoint_write.c, restart in checkpoint_restart.c, signals, clocks and the
 * step decision in checkpoint_stop.c). Includes io_impl.h (and so hdf5.h): only io and
 * checkpoint sources include this. */
#ifndef TESSERA_CHECKPOINT_IMPL_H
#define TESSERA_CHECKPOINT_IMPL_H

#include <signal.h>

#include "io_impl.h"
#include "tessera/checkpoint.h"

/* Longest folder or restart path, in bytes with the NUL; file names add at most 32. */
#define CKPT_PATH_MAX 4000
/* Room for a folder plus a checkpoint's file name. */
#define CKPT_FILE_MAX (CKPT_PATH_MAX + 64)

/* Named attributes of a checkpoint besides the registered scalars. */
#define CKPT_VERSION_ATTR "checkpoint_version"
#define CKPT_OPTIONS_ATTR "options"

/* The signals that ask for a checkpoint and a stop. */
#define CKPT_NSIGNALS 3
extern const int ckpt_signals[CKPT_NSIGNALS];

/* One registered scalar: a real or a 64-bit integer of the program, by address. */
typedef struct {
  char *name;
  tsr_io_type type; /* TSR_IO_REAL or TSR_IO_INT */
  double *real;
  int64_t *i64;
} ckpt_scalar;

struct tsr_checkpoint_s {
  tsr_grid grid;
  MPI_Comm comm;
  int rank;
  tsr_field *fields;
  int nfields, fields_cap;
  ckpt_scalar *scalars;
  int nscalars, scalars_cap;
  /* settings */
  char dir[CKPT_PATH_MAX];
  char restart[CKPT_PATH_MAX]; /* "", "latest" or a path */
  int64_t every;
  double minutes;
  int keep;
  double walltime;      /* seconds from walltime_from (0: none) */
  double walltime_from; /* rank 0's clock when the limit was set */
  double margin;        /* < 0: the default */
  int stopped_exit_code;
  bool is_setup;
  /* state */
  tsr_io_attrs attrs;   /* what each checkpoint writes besides the fields */
  char *options;        /* tsr_options_dump() at setup */
  double deadline;      /* rank 0: clock value of the limit (0: none) */
  double last_time;     /* rank 0: clock at the last checkpoint (or the start) */
  double slowest_write; /* rank 0: seconds of the slowest write so far */
  bool have_written;    /* a checkpoint of step last_step exists (written or loaded) */
  int64_t last_step;
  bool signal_in_vote;   /* a signal was seen by the last write's vote */
  sig_atomic_t consumed; /* signals already acted on */
  bool handlers_installed;
  bool stopped; /* a stop was decided: the run is ending */
  struct sigaction old_actions[CKPT_NSIGNALS];
  char last_path[CKPT_FILE_MAX];
};

/* ---- trying io calls (checkpoint.c) ------------------------------------------------------- */

/* While open, errors are recorded and returned instead of handled (the context's handler may
 * end the run), so that a collective file error can be acted on (temporary file removed,
 * older checkpoint tried) before it is raised. */
typedef struct {
  tsr_error_handler handler;
  void *user;
} ckpt_try;
void ckpt_try_begin(ckpt_try *t);
void ckpt_try_end(const ckpt_try *t);

/* After ckpt_try_end(): re-raise error @p err that the caller does not handle itself, with its
 * recorded message, as a collective error when every rank sees it alike (argument, state, size
 * and file errors) and as a local one otherwise; returns @p err. */
tsr_err ckpt_reraise(tsr_err err, const char *file, int line, const char *func);

/* ---- names (checkpoint_write.c) ----------------------------------------------------------- */

/* Path of the checkpoint of @p step in the folder, final or temporary. */
void ckpt_path(const struct tsr_checkpoint_s *c, int64_t step, bool temporary, char *buf,
               size_t size);

/* Step of file name @p name when it is a complete checkpoint's ("ckpt_<digits>.h5"). */
bool ckpt_parse_name(const char *name, int64_t *step);

/* Rank 0 alone: the steps of the complete checkpoints in the folder, newest first, in a new
 * array (*steps, NULL when none). A folder that cannot be read gives a failure in @p v. */
tsr_err ckpt_list(const struct tsr_checkpoint_s *c, int64_t **steps, int *n, io_verdict *v);

/* ---- the folder and the write (checkpoint_write.c) ---------------------------------------- */

/* Rank 0 alone: create and probe the folder, remove stale temporary files. */
void ckpt_prepare_folder(const struct tsr_checkpoint_s *c, io_verdict *v);

/* ---- signals and clocks (checkpoint_stop.c) ----------------------------------------------- */

/* Install the handlers (saving the previous ones) / restore the previous ones. */
tsr_err ckpt_signals_install(struct tsr_checkpoint_s *c);
void ckpt_signals_restore(struct tsr_checkpoint_s *c);

/* Signals received by this process so far (read once). */
sig_atomic_t ckpt_signal_count(void);

/* Parse a wall-time limit: seconds ("3600", "0.5") or Slurm's [D-]HH:MM:SS, D-HH[:MM], MM:SS;
 * "", "0", "UNLIMITED" and "INFINITE" mean none (0). False when malformed. */
bool ckpt_parse_walltime(const char *text, double *seconds);

/* Rank 0 at setup: the clock value of the time limit (0: none), from the limit set or, under
 * Slurm, the job's end time (a note is printed when it cannot be found). */
double ckpt_find_deadline(const struct tsr_checkpoint_s *c);

#endif
