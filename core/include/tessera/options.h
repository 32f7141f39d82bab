/**
 * @file options.h
 * @brief The options database: command line and config file, typed getters with defaults,
 *        ranges and help text, `--help`, and errors that name the closest known option.
 *
 * Syntax: `--key value` or `--key=value`. A boolean option given alone (`--log-view`) is true;
 * `--key=false` (or no/off/0) turns it off. A word that follows an option is its value unless
 * it starts another option (`--x` or `-h`; negative numbers such as `-3` are values). Any other
 * word is an error, as is an empty value. An option given twice takes the last value.
 * `-h` is `--help`. `--config FILE` reads further options from FILE: one `key value` or
 * `key = value` per line (a leading `--` is optional; a value runs to the end of the line and
 * may hold spaces), `#` at the start of a line or after a blank starts a comment; `--config`
 * may be repeated (later files win) but a file cannot name another. Precedence, strongest
 * first: command line, tsr_options_set_default(), config files, the getter's default.
 *
 * Every rank parses rank 0's command line (MPI does not promise every rank the same argv)
 * and rank 0 alone reads config files and broadcasts their text, so every rank sees the same
 * options and every option error is raised alike on every rank (a collective error: exit 2,
 * one message from rank 0). Messages name the option, the value, where it came from
 * ("run.cfg:3") and what was expected.
 *
 * Use: every getter both registers the option (for `--help` and the unknown-option check) and
 * returns its value; call all getters, then tsr_options_finish(). Option names are given
 * without the leading dashes ("steps" for `--steps`).
 */
#ifndef TESSERA_OPTIONS_H
#define TESSERA_OPTIONS_H

#include <mpi.h>

#include "tessera/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle of an options database. */
typedef struct tsr_options_s *tsr_options;

/**
 * Create a database from @p argc / @p argv (argv[0] is skipped; only rank 0's are used; may
 * be 0 / NULL) and, when `--config FILE` is among them, from FILE (read by rank 0). The
 * database borrows @p comm only during this call. Collective on @p comm.
 * Errors: TSR_ERR_OPTION (malformed argument such as a bare word or an empty value, a
 * malformed config line, named by file and line number), TSR_ERR_FILE (unreadable config
 * file, named in the message with the system's reason).
 */
TSR_EXTERN tsr_err tsr_options_create(MPI_Comm comm, int argc, char **argv, tsr_options *opts);

/** Destroy the database and set @p *opts to NULL; accepts NULL. Not collective. */
TSR_EXTERN tsr_err tsr_options_destroy(tsr_options *opts);

/**
 * Set option @p name to @p value (NULL: given alone, as a flag) as if given on the command
 * line: it wins over config files, but the command line given at create still wins over it.
 * Not collective, but every rank must make the same calls.
 * Errors: TSR_ERR_ARG (invalid name, empty or multi-line value, or `help`/`config`, which only
 * the command line may give).
 */
TSR_EXTERN tsr_err tsr_options_set_default(tsr_options opts, const char *name, const char *value);

/**
 * Integer option in [@p min, @p max] with default @p def. Not collective, but every rank must
 * make the same calls (so errors are collective).
 *
 * Every getter registers the option for `--help` and the unknown-option check; registering a
 * name again with the same type is fine (the first help text stays), with another type is a
 * program error (TSR_ERR_ARG), as are an invalid name, a NULL output pointer, an empty range or
 * a default outside the range. Under `--help` a bad value is not an error: the getter returns
 * the default, so the program reaches tsr_options_finish() and prints the help.
 * Errors: TSR_ERR_OPTION when the value is missing, not a base-10 integer, does not fit in 64
 * bits or is out of range.
 */
TSR_EXTERN tsr_err tsr_options_get_int(tsr_options opts, const char *name, const char *help,
                                       int64_t def, int64_t min, int64_t max, int64_t *value);

/** Real option in [@p min, @p max] with default @p def; NaN and infinities are refused. Errors
 * as for ints. */
TSR_EXTERN tsr_err tsr_options_get_real(tsr_options opts, const char *name, const char *help,
                                        double def, double min, double max, double *value);

/** Boolean option (true/false, yes/no, on/off, 1/0, any case; alone means true). */
TSR_EXTERN tsr_err tsr_options_get_bool(tsr_options opts, const char *name, const char *help,
                                        bool def, bool *value);

/**
 * String option with default @p def (may be NULL: then *value is NULL when absent). The
 * returned string belongs to the database and lives until it is destroyed.
 */
TSR_EXTERN tsr_err tsr_options_get_string(tsr_options opts, const char *name, const char *help,
                                          const char *def, const char **value);

/**
 * Choice among @p nchoices names; @p *value receives the index of the chosen one.
 * Errors: TSR_ERR_OPTION naming the allowed choices (and the closest one) when the value is
 * not among them.
 */
TSR_EXTERN tsr_err tsr_options_get_enum(tsr_options opts, const char *name, const char *help,
                                        const char *const *choices, int nchoices, int def,
                                        int *value);

/**
 * A list of 1 to @p max_count integers separated by 'x' or ',' (e.g. `--grid 256x128x64`),
 * each in [@p min, @p max]. @p def is used when the option is absent (its @p def_count
 * entries). @p *count receives how many were given.
 */
TSR_EXTERN tsr_err tsr_options_get_ints(tsr_options opts, const char *name, const char *help,
                                        const int64_t *def, int def_count, int max_count,
                                        int64_t min, int64_t max, int64_t *values, int *count);

/** True when @p name was given (command line, config file or set_default). Registers it
 * (without a type, so a getter may register it later with one). */
TSR_EXTERN bool tsr_options_has(tsr_options opts, const char *name);

/**
 * Finish reading options. When `--help` (or `-h`) was given, rank 0 prints every registered
 * option with its type, default, range and help text to stdout and @p *stop becomes true on
 * every rank: the program should clean up and exit 0. Otherwise @p *stop is false and every
 * option given must have been registered (by a getter or tsr_options_has()).
 * Collective (but communicates nothing).
 * Errors: TSR_ERR_OPTION "unknown option --x; did you mean --y?" (the closest registered name
 * by edit distance; the first unknown option is named and the others counted).
 */
TSR_EXTERN tsr_err tsr_options_finish(tsr_options opts, bool *stop);

/**
 * Write the options given (name value per line, config-file syntax) into @p buf of @p size
 * bytes, for logs and checkpoints: each option once with the value that wins, in the order
 * first seen; `help` and `config` are left out (the file's options are in the dump already).
 * Not collective.
 * Errors: TSR_ERR_SIZE when @p buf is too small (the message gives the size needed; @p buf
 * then holds ""), TSR_ERR_ARG.
 */
TSR_EXTERN tsr_err tsr_options_dump(tsr_options opts, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
