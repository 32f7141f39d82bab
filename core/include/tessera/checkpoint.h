/**
 * @file checkpoint.h
 * @brief Atomic checkpoints of a run's state, restart from the newest valid one on any rank
 *        count, and clean stops on signals and before the wall-clock limit.
 *
 * ## What a checkpoint holds
 * The registered fields (owned cells, in global index order: tsr_io_write_fields()), the step
 * and time, the registered named scalars (reals and 64-bit integers the program owns and
 * registers by address) and the options the run was started with (tsr_options_dump(), as the
 * string attribute "options"). The file is a "tessera.fields" file (see io.h) with the named
 * attributes "checkpoint_version" (64-bit integer) and "options" (string) besides the scalars, so
 * h5py, h5dump and ParaView open it like any snapshot.
 *
 * ## Programs that alternate two buffers
 * A time stepper that computes u_next from u and then swaps the two handles registers one of
 * them (tsr_checkpoint_add_field()) and, after each swap, tells the checkpoint which handle
 * holds the state now: tsr_checkpoint_set_field(ckpt, 0, u[now]), a pointer swap. Both buffers
 * carry the same name (e.g. "u"): a checkpoint stores a field under its name, so only the
 * current buffer is written, and a restart reads into whichever handle is current then.
 *
 * ## Files
 * In the checkpoint folder (`--checkpoint-dir`, default "checkpoints"):
 *   ckpt_<step>.h5      a complete checkpoint (step zero-padded to 9 digits);
 *   .ckpt_<step>.h5.tmp a checkpoint being written (never read by restart; removed at setup);
 *   ckpt_<step>.h5.superseded  a checkpoint of a continuation that a restarted run replaced
 *                       (see "Atomicity"; never read by restart, never deleted);
 *   ckpt_<step>.h5.damaged     a checkpoint that `--restart latest` found damaged and skipped,
 *                       set aside once an older one loaded (kept for inspection; not counted
 *                       by `--checkpoint-keep`, never deleted).
 * Only the exact name "ckpt_" + 9 or more digits + ".h5" counts as a checkpoint.
 *
 * ## Atomicity: a crash at any instant leaves the previous checkpoint untouched
 * tsr_checkpoint_write(): (1) all ranks write the temporary file collectively and close it
 * (the io write reserves the file's size before any data, so a full disk, a quota or a file
 * size limit is reported with the system's reason); (2) every rank fsyncs it (on a parallel
 * file system each node holds its own ranks' writes in its cache); (3) every rank votes (one
 * allreduce) on its own success; (4) only when all succeeded rank 0 renames it to its final name
 * and fsyncs the folder; otherwise it removes the temporary file and the error is raised on every
 * rank; (5) rank 0 removes the checkpoints beyond the newest `--checkpoint-keep` (default 2, the
 * new one included). Older checkpoints are never touched before a newer one is safely renamed and
 * the folder synced. Checkpoints of steps after the one just written belong to a continuation this
 * run replaces (it restarted from an older checkpoint): they are renamed
 * "ckpt_<step>.h5.superseded", so that `--restart latest` no longer picks them, but not deleted.
 *
 * ## Restart
 * `--restart latest` tries the checkpoints of the folder from the newest (highest step) down:
 * the first that passes every check (format, grid size, dim and periodicity, field set, component
 * names, types, shapes, registered scalars present with their types, and each field's fingerprint)
 * is loaded; each damaged one skipped is reported as a warning on rank 0 (stderr) naming the file
 * and what is wrong. Damage (truncation, flipped bytes, a file that is no longer HDF5) is what
 * a crash or a bad disk leaves, so falling back to the previous checkpoint is right. A
 * checkpoint that is intact but of another run (another grid size, dim or periodicity, another
 * field set or component names, a registered scalar missing or of another type) means the run is
 * pointed at the wrong folder or started with the wrong options: that is an error (TSR_ERR_FILE
 * naming the file and both values), never a silent fall back to an older checkpoint, which would be
 * of the wrong run as well. `--restart PATH` loads exactly that file (no fallback). Restarting on
 * another rank count or process grid is the normal case: fields are read by global index.
 *
 * ## Stops
 * SIGUSR1, SIGTERM and SIGINT handlers only set a flag (installed at setup, previous handlers
 * restored at destroy). At every step boundary tsr_checkpoint_step() combines, in one small
 * allreduce, the signal flags of all ranks, rank 0's wall clock against the time limit
 * (`--walltime`, or the end time of the Slurm job when it can be found, minus
 * `--walltime-margin`) and rank 0's clock against `--checkpoint-minutes`, so every rank takes
 * the same decision at the same step. A stop writes a checkpoint (unless one of that very step
 * was just written) and tells the caller to end the run, and rank 0 prints one line, at any
 * verbosity, saying at which step, why, where the checkpoint is and how to continue:
 *   tessera: stopping at step S: <reason>; checkpoint: PATH; continue with --restart latest A
 * signal arriving while a checkpoint is written (by the cadence or by a first signal) is seen in
 * the write's success vote, so the run stops as soon as that checkpoint is committed, without
 * writing another. The margin actually used is the larger of `--walltime-margin` and 3 x the
 * slowest checkpoint write of this run. Under Slurm without `--walltime`, rank 0 asks at setup for
 * the job's end time (SLURM_JOB_END_TIME when set, else `squeue -h -j $SLURM_JOB_ID -o %e`); when
 * none is found, a note is printed and the run has no time limit.
 *
 * ## Test hooks
 * The environment variable TSR_CHECKPOINT_TEST_DELAY_MS=N makes every write sleep N ms after
 * the data is written and closed and before the success vote and the rename, to widen the
 * window in which tests kill a run mid-checkpoint. TSR_CHECKPOINT_TEST_FAIL_LIST (any value)
 * makes listing the checkpoint folder fail on the ranks where it is set, as an allocation
 * failure would. Not for production use.
 *
 * ## Options (read by tsr_checkpoint_set_from_options())
 *   --checkpoint-dir DIR       folder of the checkpoints (default "checkpoints")
 *   --checkpoint-every N       checkpoint every N steps (default 0: never by steps)
 *   --checkpoint-minutes M     checkpoint when M minutes of wall time passed since the last
 *                              one (or the start) (default 0: never by time)
 *   --checkpoint-keep K        complete checkpoints kept (default 2, at least 1)
 *   --restart latest|PATH      restart from the newest valid checkpoint or from PATH
 *                              (default: empty, start fresh)
 *   --walltime T               wall-time limit of the run: seconds, or [[D-]HH:]MM:SS as Slurm
 *                              writes it (default 0: none, or the Slurm job's end time)
 *   --walltime-margin S        seconds before the limit at which the run checkpoints and stops
 *                              (default: 60, raised to 3 x the slowest checkpoint write seen)
 *   --stopped-exit-code C      exit status of a run stopped to be resumed (default 0)
 *
 * ## Exit status of a stopped run
 * A run stopped by a signal or the time limit has written a checkpoint. By default it exits 0,
 * a clean end that a scheduler can requeue; scripts that must tell "finished" from "stopped to
 * be resumed" set `--stopped-exit-code C` (1..125, e.g. the batch templates in cluster/) and
 * test for C. tsr_checkpoint_exit_code() gives the status to return from main;
 * tsr_stop_reason_name() a word to print.
 */
#ifndef TESSERA_CHECKPOINT_H
#define TESSERA_CHECKPOINT_H

#include "tessera/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Value of the named attribute "checkpoint_version" of files this version writes. */
#define TSR_CHECKPOINT_VERSION 1

/** Opaque handle of a run's checkpointing. */
typedef struct tsr_checkpoint_s *tsr_checkpoint;

/** Why tsr_checkpoint_step() asks the run to stop. */
typedef enum {
  TSR_STOP_NONE = 0,     /**< keep going */
  TSR_STOP_SIGNAL = 1,   /**< SIGUSR1, SIGTERM or SIGINT arrived; a checkpoint was written */
  TSR_STOP_WALLTIME = 2, /**< the time limit minus the margin was reached; checkpoint written */
} tsr_stop_reason;

/** What the last restart loaded (tsr_checkpoint_restart()). */
typedef struct {
  bool restarted;     /**< false: no --restart given (or it was empty); nothing was loaded */
  int64_t step;       /**< step of the loaded checkpoint */
  double time;        /**< time of the loaded checkpoint */
  int skipped;        /**< damaged newer checkpoints skipped (each reported as a warning) */
  char path[4096];    /**< file loaded */
  char options[4096]; /**< the options that run was started with (truncated to fit) */
} tsr_restart_info;

/**
 * Create the checkpointing of fields on @p grid (set up). Defaults as the options above.
 * Not collective. Errors: TSR_ERR_ARG (NULL), TSR_ERR_STATE (grid not set up).
 */
TSR_EXTERN tsr_err tsr_checkpoint_create(tsr_grid grid, tsr_checkpoint *ckpt);

/**
 * Destroy, restore the previous signal handlers and set @p *ckpt to NULL; accepts NULL.
 * After tsr_checkpoint_step() decided a stop, the handlers (which only count) stay installed
 * instead: the process is about to exit with its state saved, and a late duplicate signal
 * (schedulers often send several) must not kill it and change its exit status. Not collective.
 */
TSR_EXTERN tsr_err tsr_checkpoint_destroy(tsr_checkpoint *ckpt);

/**
 * Add @p field (set up, on the checkpoint's grid; ghost cells are not saved) to the state.
 * Before setup. Errors: TSR_ERR_ARG (another grid, a name already added, invalid name),
 * TSR_ERR_STATE.
 */
TSR_EXTERN tsr_err tsr_checkpoint_add_field(tsr_checkpoint ckpt, tsr_field field);

/**
 * Make @p field the handle that holds registered field @p index (0 for the first field added,
 * and so on) from now on: checkpoints write it and a restart reads into it (see "Programs that
 * alternate two buffers"). @p field must be set up, on the checkpoint's grid, with the same
 * name, number of components and component names as the field registered at @p index.
 * Callable before or after setup, every step: no allocation, no communication. Every rank
 * must make the same calls. Errors: TSR_ERR_ARG (NULL, @p index out of range, another grid,
 * name, number of components or component names), TSR_ERR_STATE (field not set up).
 */
TSR_EXTERN tsr_err tsr_checkpoint_set_field(tsr_checkpoint ckpt, int index, tsr_field field);

/**
 * Register the program's real @p *value under @p name: written with every checkpoint,
 * restored by restart. Every rank must hold the same value. Before setup.
 * Errors: TSR_ERR_ARG (invalid or duplicate name, NULL), TSR_ERR_STATE.
 */
TSR_EXTERN tsr_err tsr_checkpoint_add_real(tsr_checkpoint ckpt, const char *name, double *value);

/** Register the program's 64-bit integer @p *value under @p name, as tsr_checkpoint_add_real(). */
TSR_EXTERN tsr_err tsr_checkpoint_add_int(tsr_checkpoint ckpt, const char *name, int64_t *value);

/**
 * What restart loads, as `--restart`: "latest", a checkpoint file's path, or NULL or "" for
 * nothing (start fresh). Before setup. Errors: TSR_ERR_ARG (too long), TSR_ERR_STATE.
 */
TSR_EXTERN tsr_err tsr_checkpoint_set_restart(tsr_checkpoint ckpt, const char *what);

/** Set the folder. Before setup. Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_checkpoint_set_dir(tsr_checkpoint ckpt, const char *dir);

/** Checkpoint every @p every steps (0: never by steps). Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_checkpoint_set_every(tsr_checkpoint ckpt, int64_t every);

/** Checkpoint every @p minutes of wall time (0: never). Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_checkpoint_set_minutes(tsr_checkpoint ckpt, double minutes);

/** Keep the newest @p keep (>= 1) complete checkpoints. Errors: TSR_ERR_ARG, TSR_ERR_STATE. */
TSR_EXTERN tsr_err tsr_checkpoint_set_keep(tsr_checkpoint ckpt, int keep);

/**
 * Set the wall-time limit to @p seconds from now (0: none) and the margin before it
 * (negative: the default 60 s); either way the margin used is at least 3 x the slowest
 * checkpoint write seen. Before setup. Errors: TSR_ERR_ARG (negative or non-finite
 * @p seconds), TSR_ERR_STATE.
 */
TSR_EXTERN tsr_err tsr_checkpoint_set_walltime(tsr_checkpoint ckpt, double seconds, double margin);

/**
 * Read the options listed above from the grid context's options (so `--help` lists them).
 * Not collective, but every rank must call it. Before setup.
 * Errors: TSR_ERR_OPTION (malformed values, collective), TSR_ERR_STATE.
 */
TSR_EXTERN tsr_err tsr_checkpoint_set_from_options(tsr_checkpoint ckpt);

/**
 * Check the set-up, create the folder when missing and check that a file can be created in it
 * (rank 0, verdict shared: before the first step), remove stale temporary files, install the
 * signal handlers and start the clocks. Idempotent. Collective.
 * Errors (collective): TSR_ERR_ARG (no field), TSR_ERR_FILE (folder not usable, naming it and
 * the system's reason).
 */
TSR_EXTERN tsr_err tsr_checkpoint_setup(tsr_checkpoint ckpt);

/**
 * When `--restart` was given, load the fields, step, time and registered scalars from the
 * checkpoint it names (see "Restart"), and describe it in @p info (may be NULL); otherwise
 * leave everything untouched and set info->restarted false. After setup. Collective.
 * Errors (collective): TSR_ERR_FILE (no checkpoint in the folder, a missing file, a checkpoint
 * of another grid size, dim, periodicity or field set: the message names the file and the
 * mismatch),
 * TSR_ERR_CORRUPT (every candidate damaged, or the named file damaged). After an error, and
 * after skipping a damaged candidate, the fields may hold partly read data; the registered
 * scalars are only set from the checkpoint that is loaded.
 */
TSR_EXTERN tsr_err tsr_checkpoint_restart(tsr_checkpoint ckpt, tsr_restart_info *info);

/**
 * Write a checkpoint of step @p step at time @p time now (see "Atomicity"). Collective.
 * Errors (collective): TSR_ERR_FILE (the file cannot be written, e.g. a full disk: the
 * message names the file and the system's reason; the previous checkpoints are untouched),
 * TSR_ERR_STATE before setup.
 */
TSR_EXTERN tsr_err tsr_checkpoint_write(tsr_checkpoint ckpt, int64_t step, double time);

/**
 * Call at the end of every step, after the state of step @p step (time @p time) is complete:
 * agrees with the other ranks on signals, the time limit and the checkpoint cadence (one
 * allreduce of a few integers), writes a checkpoint when the cadence or a stop asks for one,
 * and sets @p *stop to the reason the run must end now (TSR_STOP_NONE: go on). Collective.
 * Errors: as tsr_checkpoint_write().
 */
TSR_EXTERN tsr_err tsr_checkpoint_step(tsr_checkpoint ckpt, int64_t step, double time,
                                       tsr_stop_reason *stop);

/**
 * Exit status for main(): 0 when @p reason is TSR_STOP_NONE (the run finished), else the
 * `--stopped-exit-code` value (default 0). Not collective.
 */
TSR_EXTERN int tsr_checkpoint_exit_code(tsr_checkpoint ckpt, tsr_stop_reason reason);

/** The newest checkpoint written or loaded by this run (path), or "" if none. Not collective. */
TSR_EXTERN const char *tsr_checkpoint_last_path(tsr_checkpoint ckpt);

/** "none", "signal" or "walltime". */
TSR_EXTERN const char *tsr_stop_reason_name(tsr_stop_reason reason);

#ifdef __cplusplus
}
#endif
#endif
