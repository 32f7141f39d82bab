/* The options database.
 *
 * Every rank parses the same words: at create, rank 0's argv and the text of each config file
 * (read by rank 0 alone) are broadcast, so every option error is detected alike on all ranks
 * and raised collectively; no rank can stop while another waits in a collective.
 *
 * Strings (names, values, help texts) live in an arena freed only at destroy, so a string
 * handed out by a getter stays valid even when a later set_default replaces the value. */
#include "tessera/options.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tessera/mem.h"

enum {
  WHY_MAX = 512,     /* reason a value was rejected, before the option is named */
  TEXT_MAX = 512,    /* default and range texts shown by --help */
  NAME_CMP_MAX = 64, /* edit distances compare at most this many characters */
  ARENA_BLOCK = 4096,
  CONFIG_MAX_BYTES = 16 << 20 /* a larger "config file" is surely not one */
};

/* Where a value came from; a higher source wins over a lower one. */
typedef enum { FROM_FILE = 0, FROM_PROGRAM = 1, FROM_COMMAND_LINE = 2 } source;

typedef struct {
  const char *name;
  const char *value; /* NULL when given alone, as a flag */
  const char *where; /* "" on the command line, "file:line", or "set by the program" */
  source src;
} given_opt;

typedef enum { T_ANY, T_INT, T_REAL, T_BOOL, T_STRING, T_ENUM, T_INTS } opt_type;

static const char *const type_names[] = {"", "int", "real", "bool", "string", "choice", "ints"};

typedef struct {
  const char *name;
  opt_type type;
  const char *help;
  const char *def;   /* NULL: no default */
  const char *range; /* NULL: unbounded */
} known_opt;

typedef struct arena_block {
  struct arena_block *next;
  size_t used, cap;
  char data[];
} arena_block;

struct tsr_options_s {
  int rank;
  bool help;
  given_opt *given;
  size_t ngiven, given_cap;
  known_opt *known;
  size_t nknown, known_cap;
  arena_block *arena;
};

/* ---------------------------------------------------------------- storage */

static tsr_err arena_alloc(tsr_options o, size_t n, char **out) {
  arena_block *b = o->arena;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    TSR_CALL(tsr_malloc(sizeof *b + cap, &b));
    b->next = o->arena;
    b->used = 0;
    b->cap = cap;
    o->arena = b;
  }
  *out = b->data + b->used;
  b->used += n;
  return TSR_SUCCESS;
}

/* Copy @p s into the arena; NULL stays NULL. */
static tsr_err arena_strdup(tsr_options o, const char *s, const char **out) {
  *out = NULL;
  if (!s) return TSR_SUCCESS;
  size_t n = strlen(s) + 1;
  char *p = NULL;
  TSR_CALL(arena_alloc(o, n, &p));
  memcpy(p, s, n);
  *out = p;
  return TSR_SUCCESS;
}

/* Make room for @p need elements of @p elem bytes in the array held in @p *array. */
static tsr_err grow(void *array, size_t elem, size_t *cap, size_t need) {
  void **arr = (void **)array;
  if (need <= *cap) return TSR_SUCCESS;
  size_t ncap = *cap ? 2 * *cap : 16;
  void *bigger;
  TSR_CALL(tsr_calloc(ncap, elem, &bigger));
  if (*arr) memcpy(bigger, *arr, *cap * elem);
  TSR_CALL(tsr_free(arr));
  *arr = bigger;
  *cap = ncap;
  return TSR_SUCCESS;
}

static given_opt *find_given(tsr_options o, const char *name) {
  for (size_t i = 0; i < o->ngiven; i++)
    if (strcmp(o->given[i].name, name) == 0) return &o->given[i];
  return NULL;
}

static known_opt *find_known(tsr_options o, const char *name) {
  for (size_t i = 0; i < o->nknown; i++)
    if (strcmp(o->known[i].name, name) == 0) return &o->known[i];
  return NULL;
}

/* Record a given option; a repeat from the same or a higher source replaces the value (the
 * last one wins), a repeat from a lower source is ignored. */
static tsr_err put_given(tsr_options o, const char *name, const char *value, const char *where,
                         source src) {
  given_opt *g = find_given(o, name);
  if (g && src < g->src) return TSR_SUCCESS;
  if (!g) {
    const char *copy;
    TSR_CALL(arena_strdup(o, name, &copy));
    TSR_CALL(grow(&o->given, sizeof *o->given, &o->given_cap, o->ngiven + 1));
    g = &o->given[o->ngiven++];
    g->name = copy;
  }
  TSR_CALL(arena_strdup(o, value, &g->value));
  TSR_CALL(arena_strdup(o, where, &g->where));
  g->src = src;
  return TSR_SUCCESS;
}

/* ---------------------------------------------------------------- names */

static bool is_name_char(char c) {
  return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* Length of the option name at the start of @p s: a letter, then letters, digits, - _ . */
static size_t name_span(const char *s) {
  if (!isalpha((unsigned char)s[0])) return 0;
  size_t n = 1;
  while (is_name_char(s[n]))
    n++;
  return n;
}

static bool valid_name(const char *s) {
  size_t n = s ? name_span(s) : 0;
  return n > 0 && s[n] == '\0';
}

/* Levenshtein distance of the first NAME_CMP_MAX characters of @p a and @p b. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strnlen(a, NAME_CMP_MAX), lb = strnlen(b, NAME_CMP_MAX);
  size_t row[NAME_CMP_MAX + 1];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* The registered name closest to @p word (the first registered wins a tie). */
static const char *closest_known(tsr_options o, const char *word) {
  const char *best = NULL;
  size_t best_d = SIZE_MAX;
  for (size_t i = 0; i < o->nknown; i++) {
    size_t d = edit_distance(word, o->known[i].name);
    if (d < best_d) best = o->known[i].name, best_d = d;
  }
  return best;
}

static const char *closest_choice(const char *const *choices, int n, const char *word) {
  const char *best = choices[0];
  size_t best_d = SIZE_MAX;
  for (int i = 0; i < n; i++) {
    size_t d = edit_distance(word, choices[i]);
    if (d < best_d) best = choices[i], best_d = d;
  }
  return best;
}

/* ---------------------------------------------------------------- registration */

static tsr_err register_known(tsr_options o, const char *name, opt_type type, const char *help,
                              const char *def, const char *range) {
  known_opt *k = find_known(o, name);
  if (k && type != T_ANY && k->type != T_ANY && k->type != type)
    TSR_ERROR(TSR_ERR_ARG, "option --%s is registered both as %s and as %s (a program error)", name,
              type_names[k->type], type_names[type]);
  if (k && (type == T_ANY || k->type != T_ANY)) return TSR_SUCCESS; /* first registration stays */
  if (!k) {
    const char *copy;
    TSR_CALL(arena_strdup(o, name, &copy));
    TSR_CALL(grow(&o->known, sizeof *o->known, &o->known_cap, o->nknown + 1));
    k = &o->known[o->nknown++];
    k->name = copy;
  }
  k->type = type;
  TSR_CALL(arena_strdup(o, help, &k->help));
  TSR_CALL(arena_strdup(o, def, &k->def));
  TSR_CALL(arena_strdup(o, range, &k->range));
  return TSR_SUCCESS;
}

/* The checks and registration every getter starts with; @p *g receives the given value. */
static tsr_err declare(tsr_options o, const char *name, opt_type type, const char *help,
                       const char *def, const char *range, const void *value, const given_opt **g) {
  TSR_CHECK(o, TSR_ERR_ARG, "options database is NULL (getting --%s)", name ? name : "?");
  TSR_CHECK(valid_name(name), TSR_ERR_ARG,
            "invalid option name '%s': a letter, then letters, digits, '-', '_' or '.'",
            name ? name : "(null)");
  TSR_CHECK(value, TSR_ERR_ARG, "NULL output pointer for option --%s", name);
  TSR_CALL(register_known(o, name, type, help, def, range));
  *g = find_given(o, name);
  return TSR_SUCCESS;
}

/* A value could not be used: raise the error naming option, value, origin and @p why. Under
 * --help the value is never used, so the getter quietly keeps the default and help still
 * lists every option. */
static tsr_err bad_value(tsr_options o, const given_opt *g, const char *why) {
  if (o->help) return TSR_SUCCESS;
  bool where = g->where[0] != '\0';
  TSR_ERROR(TSR_ERR_OPTION, "--%s%s%s%s%s%s: %s", g->name, g->value ? " " : " without a value",
            g->value ? g->value : "", where ? " (" : "", g->where, where ? ")" : "", why);
}

/* ---------------------------------------------------------------- value parsers */

/* Each parser returns true and its value, or false and a reason in @p why. */

static bool parse_int64(const char *s, int64_t *out, char *why) {
  errno = 0; /* tells the list parser an overflow from a non-integer */
  const char *p = s + (s[0] == '+' || s[0] == '-');
  const char *q = p;
  while (isdigit((unsigned char)*q))
    q++;
  if (q == p || *q) {
    snprintf(why, WHY_MAX, "expected an integer");
    return false;
  }
  long long v = strtoll(s, NULL, 10);
  if (errno == ERANGE) {
    snprintf(why, WHY_MAX, "%s does not fit in a 64-bit integer", s);
    return false;
  }
  *out = (int64_t)v;
  return true;
}

static bool int_in_range(const char *text, int64_t v, int64_t min, int64_t max, char *why) {
  if (v >= min && v <= max) return true;
  snprintf(why, WHY_MAX, "%s is out of range [%" PRId64 ", %" PRId64 "]", text, min, max);
  return false;
}

/* Shortest "%g" text that reads back as the same double. */
static void format_real(double v, char *buf, size_t size) {
  snprintf(buf, size, "%.15g", v);
  if (strtod(buf, NULL) != v) snprintf(buf, size, "%.17g", v);
}

static bool parse_real(const char *s, double *out, char *why) {
  char *end = NULL;
  double v = isspace((unsigned char)s[0]) ? 0 : strtod(s, &end);
  if (!end || end == s || *end) {
    snprintf(why, WHY_MAX, "expected a real number");
    return false;
  }
  if (!isfinite(v)) {
    snprintf(why, WHY_MAX, "expected a finite real number");
    return false;
  }
  *out = v;
  return true;
}

static bool parse_bool(const char *s, bool *out) {
  static const char *const yes[] = {"true", "yes", "on", "1"};
  static const char *const no[] = {"false", "no", "off", "0"};
  for (int i = 0; i < 4; i++) {
    if (strcasecmp(s, yes[i]) == 0) return *out = true, true;
    if (strcasecmp(s, no[i]) == 0) return *out = false, true;
  }
  return false;
}

/* A list such as "256x128x64" or "4,2": 1 to @p max_count integers in [min, max]. */
static bool parse_int_list(const char *s, int max_count, int64_t min, int64_t max, int64_t *values,
                           int *count, char *why) {
  int k = 0;
  for (const char *p = s;; k++) {
    size_t len = strcspn(p, "x,");
    char item[64];
    if (len == 0 || len >= sizeof item || k == max_count) {
      snprintf(why, WHY_MAX, "expected 1 to %d integers separated by 'x' or ','", max_count);
      return false;
    }
    memcpy(item, p, len);
    item[len] = '\0';
    if (!parse_int64(item, &values[k], why)) {
      if (errno == ERANGE) return false;
      snprintf(why, WHY_MAX,
               "'%s' is not an integer (expected 1 to %d integers separated by "
               "'x' or ',')",
               item, max_count);
      return false;
    }
    if (!int_in_range(item, values[k], min, max, why)) return false;
    if (!p[len]) break;
    p += len + 1;
  }
  *count = k + 1;
  return true;
}

/* ---------------------------------------------------------------- getters */

tsr_err tsr_options_get_int(tsr_options opts, const char *name, const char *help, int64_t def,
                            int64_t min, int64_t max, int64_t *value) {
  TSR_CHECK(min <= max && def >= min && def <= max, TSR_ERR_ARG,
            "option --%s: default %" PRId64 " outside its range [%" PRId64 ", %" PRId64 "]",
            name ? name : "?", def, min, max);
  char deftext[32], range[TEXT_MAX] = "";
  snprintf(deftext, sizeof deftext, "%" PRId64, def);
  if (min != INT64_MIN || max != INT64_MAX)
    snprintf(range, sizeof range, "[%" PRId64 ", %" PRId64 "]", min, max);
  const given_opt *g;
  TSR_CALL(declare(opts, name, T_INT, help, deftext, range[0] ? range : NULL, value, &g));
  *value = def;
  if (!g) return TSR_SUCCESS;
  char why[WHY_MAX] = "expected an integer";
  int64_t v;
  if (g->value && parse_int64(g->value, &v, why) && int_in_range(g->value, v, min, max, why)) {
    *value = v;
    return TSR_SUCCESS;
  }
  TSR_CALL(bad_value(opts, g, why));
  return TSR_SUCCESS;
}

tsr_err tsr_options_get_real(tsr_options opts, const char *name, const char *help, double def,
                             double min, double max, double *value) {
  TSR_CHECK(min <= max && def >= min && def <= max && isfinite(def), TSR_ERR_ARG,
            "option --%s: default %g outside its range [%g, %g]", name ? name : "?", def, min, max);
  char deftext[32], lo[32], hi[32], range[80] = "";
  format_real(def, deftext, sizeof deftext);
  format_real(min, lo, sizeof lo);
  format_real(max, hi, sizeof hi);
  if (min > -HUGE_VAL || max < HUGE_VAL) snprintf(range, sizeof range, "[%s, %s]", lo, hi);
  const given_opt *g;
  TSR_CALL(declare(opts, name, T_REAL, help, deftext, range[0] ? range : NULL, value, &g));
  *value = def;
  if (!g) return TSR_SUCCESS;
  char why[WHY_MAX] = "expected a real number";
  double v;
  if (g->value && parse_real(g->value, &v, why)) {
    if (v >= min && v <= max) {
      *value = v;
      return TSR_SUCCESS;
    }
    snprintf(why, sizeof why, "%s is out of range %s", g->value, range);
  }
  TSR_CALL(bad_value(opts, g, why));
  return TSR_SUCCESS;
}

tsr_err tsr_options_get_bool(tsr_options opts, const char *name, const char *help, bool def,
                             bool *value) {
  const given_opt *g;
  TSR_CALL(declare(opts, name, T_BOOL, help, def ? "true" : "false", NULL, value, &g));
  *value = def;
  if (!g) return TSR_SUCCESS;
  bool v = true; /* given alone */
  if (!g->value || parse_bool(g->value, &v)) {
    *value = v;
    return TSR_SUCCESS;
  }
  TSR_CALL(bad_value(opts, g, "expected a boolean (true/false, yes/no, on/off, 1/0)"));
  return TSR_SUCCESS;
}

tsr_err tsr_options_get_string(tsr_options opts, const char *name, const char *help,
                               const char *def, const char **value) {
  const given_opt *g;
  TSR_CALL(declare(opts, name, T_STRING, help, def, NULL, value, &g));
  if (g && g->value) {
    *value = g->value;
    return TSR_SUCCESS;
  }
  TSR_CALL(arena_strdup(opts, def, value));
  if (g) TSR_CALL(bad_value(opts, g, "expected a string"));
  return TSR_SUCCESS;
}

/* "a, b, c" into @p buf (truncated when long). */
static void join_choices(const char *const *choices, int n, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used < size; i++) {
    int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", choices[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
}

static tsr_err check_choices(const char *name, const char *const *choices, int n, int def) {
  TSR_CHECK(choices && n >= 1 && def >= 0 && def < n, TSR_ERR_ARG,
            "option --%s: needs at least one choice and a default index in [0, %d), got %d",
            name ? name : "?", n, def);
  for (int i = 0; i < n; i++)
    TSR_CHECK(choices[i] && choices[i][0], TSR_ERR_ARG, "option --%s: choice %d is empty",
              name ? name : "?", i);
  return TSR_SUCCESS;
}

tsr_err tsr_options_get_enum(tsr_options opts, const char *name, const char *help,
                             const char *const *choices, int nchoices, int def, int *value) {
  TSR_CALL(check_choices(name, choices, nchoices, def));
  char list[TEXT_MAX / 2];
  join_choices(choices, nchoices, list, sizeof list);
  const given_opt *g;
  TSR_CALL(declare(opts, name, T_ENUM, help, choices[def], list, value, &g));
  *value = def;
  if (!g) return TSR_SUCCESS;
  for (int i = 0; g->value && i < nchoices; i++) {
    if (strcmp(g->value, choices[i]) == 0) {
      *value = i;
      return TSR_SUCCESS;
    }
  }
  char why[WHY_MAX];
  if (g->value)
    snprintf(why, sizeof why, "expected one of %s; did you mean %s?", list,
             closest_choice(choices, nchoices, g->value));
  else
    snprintf(why, sizeof why, "expected one of %s", list);
  TSR_CALL(bad_value(opts, g, why));
  return TSR_SUCCESS;
}

/* "256x128x64" into @p buf, or "" for an empty list. */
static void join_ints(const int64_t *v, int n, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used < size; i++) {
    int w = snprintf(buf + used, size - used, "%s%" PRId64, i ? "x" : "", v[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
}

static tsr_err check_ints_args(const char *name, const int64_t *def, int def_count, int max_count,
                               int64_t min, int64_t max) {
  const char *n = name ? name : "?";
  TSR_CHECK(max_count >= 1 && def_count >= 0 && def_count <= max_count && (def || !def_count),
            TSR_ERR_ARG, "option --%s: %d defaults for at most %d values", n, def_count, max_count);
  TSR_CHECK(min <= max, TSR_ERR_ARG, "option --%s: empty range [%" PRId64 ", %" PRId64 "]", n, min,
            max);
  for (int i = 0; i < def_count; i++)
    TSR_CHECK(def[i] >= min && def[i] <= max, TSR_ERR_ARG,
              "option --%s: default %" PRId64 " outside its range [%" PRId64 ", %" PRId64 "]", n,
              def[i], min, max);
  return TSR_SUCCESS;
}

static void copy_ints(const int64_t *from, int n, int64_t *to, int *count) {
  for (int i = 0; i < n; i++)
    to[i] = from[i];
  *count = n;
}

tsr_err tsr_options_get_ints(tsr_options opts, const char *name, const char *help,
                             const int64_t *def, int def_count, int max_count, int64_t min,
                             int64_t max, int64_t *values, int *count) {
  TSR_CALL(check_ints_args(name, def, def_count, max_count, min, max));
  TSR_CHECK(count, TSR_ERR_ARG, "NULL count pointer for option --%s", name ? name : "?");
  char deftext[TEXT_MAX], range[TEXT_MAX];
  join_ints(def, def_count, deftext, sizeof deftext);
  snprintf(range, sizeof range, "1 to %d, each in [%" PRId64 ", %" PRId64 "]", max_count, min, max);
  const given_opt *g;
  TSR_CALL(declare(opts, name, T_INTS, help, def_count ? deftext : NULL, range, values, &g));
  copy_ints(def, def_count, values, count);
  if (!g) return TSR_SUCCESS;
  char why[WHY_MAX];
  snprintf(why, sizeof why, "expected 1 to %d integers separated by 'x' or ','", max_count);
  int n;
  if (g->value && parse_int_list(g->value, max_count, min, max, values, &n, why)) {
    *count = n;
    return TSR_SUCCESS;
  }
  copy_ints(def, def_count, values, count); /* the parser may have written some */
  TSR_CALL(bad_value(opts, g, why));
  return TSR_SUCCESS;
}

bool tsr_options_has(tsr_options opts, const char *name) {
  if (!opts || !valid_name(name)) return false;
  if (register_known(opts, name, T_ANY, NULL, NULL, NULL) != TSR_SUCCESS) return false;
  return find_given(opts, name) != NULL;
}

tsr_err tsr_options_set_default(tsr_options opts, const char *name, const char *value) {
  TSR_CHECK(opts, TSR_ERR_ARG, "options database is NULL");
  TSR_CHECK(valid_name(name), TSR_ERR_ARG, "invalid option name '%s'", name ? name : "(null)");
  TSR_CHECK(strcmp(name, "help") && strcmp(name, "config"), TSR_ERR_ARG,
            "--%s can only be given on the command line", name);
  TSR_CHECK(!value || (value[0] && !strpbrk(value, "\r\n")), TSR_ERR_ARG,
            "value of --%s must be non-empty and on one line", name);
  TSR_CALL(put_given(opts, name, value, "set by the program", FROM_PROGRAM));
  return TSR_SUCCESS;
}

/* ---------------------------------------------------------------- command line */

/* Rank 0's words, shared by every rank. */
typedef struct {
  char *buf;    /* the words, NUL-separated */
  char **words; /* pointers into buf */
  int nwords;
  char **configs; /* value of each --config, in order (NULL when given without one) */
  int nconfigs;
} word_list;

static void words_free(word_list *w) {
  tsr_free(&w->buf);
  tsr_free(&w->words);
  tsr_free(&w->configs);
}

static tsr_err bcast_int64(MPI_Comm comm, int64_t *v, int n) {
  TSR_CALL_MPI(MPI_Bcast(v, n, MPI_INT64_T, 0, comm));
  return TSR_SUCCESS;
}

/* MPI does not promise every rank the same argv, so every rank takes rank 0's words. */
static tsr_err share_words(MPI_Comm comm, int rank, int argc, char **argv, word_list *w) {
  int64_t head[2] = {0, 0}; /* number of words, bytes */
  if (rank == 0 && argv)
    for (int i = 1; i < argc; i++, head[0]++)
      head[1] += (int64_t)strlen(argv[i]) + 1;
  TSR_CALL(bcast_int64(comm, head, 2));
  TSR_CHECK(head[1] <= INT_MAX, TSR_ERR_SIZE, "command line of %" PRId64 " bytes is too long",
            head[1]);
  TSR_CALL(tsr_malloc((size_t)head[1] + 1, &w->buf));
  TSR_CALL(TSR_CALLOC(head[0] + 1, &w->words));
  TSR_CALL(TSR_CALLOC(head[0] + 1, &w->configs));
  size_t at = 0;
  for (int i = 1; rank == 0 && argv && i < argc; i++) {
    size_t n = strlen(argv[i]) + 1;
    memcpy(w->buf + at, argv[i], n);
    at += n;
  }
  TSR_CALL_MPI(MPI_Bcast(w->buf, (int)head[1], MPI_CHAR, 0, comm));
  w->nwords = (int)head[0];
  at = 0;
  for (int i = 0; i < w->nwords; i++) {
    w->words[i] = w->buf + at;
    at += strlen(w->words[i]) + 1;
  }
  return TSR_SUCCESS;
}

static bool is_number(const char *s) {
  char *end;
  if (!s[0] || isspace((unsigned char)s[0])) return false;
  strtod(s, &end);
  return *end == '\0';
}

/* A word that starts an option rather than being a value: "--x", "-h", "-x" (not "-3",
 * "-.5" or "-2x-4"). */
static bool looks_like_option(const char *w) {
  if (w[0] != '-' || w[1] == '\0' || w[1] == '.' || isdigit((unsigned char)w[1])) return false;
  return !is_number(w); /* "-inf" is a value too (that a real option rejects) */
}

static tsr_err unexpected_word(const char *word, const char *prev_name, const char *prev_value) {
  if (word[0] == '-' && valid_name(word + 1))
    TSR_ERROR(TSR_ERR_OPTION, "unexpected argument '%s': options start with two dashes (--%s)",
              word, word + 1);
  if (prev_value)
    TSR_ERROR(TSR_ERR_OPTION,
              "unexpected argument '%s' after --%s %s: an option takes one value "
              "(--name value or --name=value)",
              word, prev_name, prev_value);
  TSR_ERROR(TSR_ERR_OPTION,
            "unexpected argument '%s': options are written --name value or --name=value", word);
}

static tsr_err check_value(const char *name, const char *value) {
  if (!value) return TSR_SUCCESS;
  TSR_CHECK(value[0], TSR_ERR_OPTION, "empty value for --%s (give a value or leave it out)", name);
  TSR_CHECK(!strpbrk(value, "\r\n"), TSR_ERR_OPTION, "the value of --%s contains a line break",
            name);
  return TSR_SUCCESS;
}

/* Parse one word at @p *i (and its value, which may follow); advances @p *i past them. */
static tsr_err parse_option_word(tsr_options o, word_list *w, int *i, const char **name_out,
                                 const char **value_out) {
  char *word = w->words[*i];
  if (strcmp(word, "-h") == 0) {
    *name_out = "help";
    *value_out = NULL;
    return put_given(o, "help", NULL, "", FROM_COMMAND_LINE);
  }
  char *name = word + 2;
  size_t n = name_span(name);
  TSR_CHECK(word[0] == '-' && word[1] == '-' && n > 0 && (name[n] == '\0' || name[n] == '='),
            TSR_ERR_OPTION, "malformed option '%s': expected --name, --name value or --name=value",
            word);
  char *value = NULL;
  if (name[n] == '=') {
    name[n] = '\0';
    value = name + n + 1;
  } else if (*i + 1 < w->nwords && !looks_like_option(w->words[*i + 1])) {
    value = w->words[++*i];
  }
  TSR_CALL(check_value(name, value));
  if (strcmp(name, "config") == 0) w->configs[w->nconfigs++] = value;
  *name_out = name;
  *value_out = value;
  return put_given(o, name, value, "", FROM_COMMAND_LINE);
}

static tsr_err parse_words(tsr_options o, word_list *w) {
  const char *prev_name = NULL, *prev_value = NULL;
  for (int i = 0; i < w->nwords; i++) {
    const char *word = w->words[i];
    if (word[0] != '-' || (word[1] != '-' && strcmp(word, "-h") != 0))
      TSR_CALL(unexpected_word(word, prev_name, prev_value));
    TSR_CALL(parse_option_word(o, w, &i, &prev_name, &prev_value));
  }
  return TSR_SUCCESS;
}

/* ---------------------------------------------------------------- config files */

/* Read @p path whole (rank 0). On an OS failure @p why receives the reason and the text is
 * NULL; only allocation failures are raised. */
static tsr_err load_file(const char *path, char **text, size_t *len, char *why) {
  *text = NULL;
  *len = 0;
  why[0] = '\0';
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(why, WHY_MAX, "%s", strerror(errno));
    return TSR_SUCCESS;
  }
  size_t cap = ARENA_BLOCK, n = 0, got;
  char *buf;
  tsr_err err = tsr_malloc(cap + 1, &buf);
  while (!err && (got = fread(buf + n, 1, cap - n, f)) > 0 && n <= CONFIG_MAX_BYTES) {
    n += got;
    if (n < cap) continue;
    char *bigger;
    err = tsr_malloc(2 * cap + 1, &bigger);
    if (!err) memcpy(bigger, buf, n);
    tsr_free(&buf);
    buf = bigger;
    cap *= 2;
  }
  if (!err && ferror(f)) snprintf(why, WHY_MAX, "%s", strerror(errno));
  fclose(f);
  if (err) return tsr_error_frame(err, __FILE__, __LINE__, __func__);
  if (!why[0] && n > CONFIG_MAX_BYTES)
    snprintf(why, WHY_MAX, "larger than %d MiB, surely not a config file", CONFIG_MAX_BYTES >> 20);
  if (!why[0] && memchr(buf, '\0', n)) snprintf(why, WHY_MAX, "not a text file (NUL byte)");
  if (why[0]) return tsr_free(&buf);
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return TSR_SUCCESS;
}

/* Rank 0 reads @p path; every rank receives its text (or the reason it could not be read). */
static tsr_err share_file(MPI_Comm comm, int rank, const char *path, char **text, char *why) {
  int64_t head[2] = {0, 0}; /* failed, bytes */
  size_t len = 0;
  why[0] = '\0';
  if (rank == 0) TSR_CALL(load_file(path, text, &len, why));
  head[0] = why[0] != '\0';
  head[1] = head[0] ? (int64_t)strlen(why) : (int64_t)len;
  TSR_CALL(bcast_int64(comm, head, 2));
  char *payload = head[0] ? why : NULL;
  if (!head[0]) {
    if (rank != 0) TSR_CALL(tsr_malloc((size_t)head[1] + 1, text));
    payload = *text;
  }
  TSR_CALL_MPI(MPI_Bcast(payload, (int)head[1], MPI_CHAR, 0, comm));
  payload[head[1]] = '\0';
  return TSR_SUCCESS;
}

/* Cut a '#' comment (at line start or after blank space) and surrounding blank space. */
static char *strip_line(char *s) {
  for (char *p = s; *p; p++) {
    if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
      *p = '\0';
      break;
    }
  }
  while (isspace((unsigned char)*s))
    s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    s[--n] = '\0';
  return s;
}

static char *skip_space(char *s) {
  while (isspace((unsigned char)*s))
    s++;
  return s;
}

/* One line "name value", "name = value" or "name", with an optional leading "--". */
static tsr_err parse_config_line(tsr_options o, const char *path, int line, char *text) {
  char *s = strip_line(text);
  if (!*s) return TSR_SUCCESS;
  char *name = s + (s[0] == '-' && s[1] == '-') * 2;
  size_t n = name_span(name);
  char *rest = name + n;
  TSR_CHECK(n > 0 && (!*rest || *rest == '=' || isspace((unsigned char)*rest)), TSR_ERR_OPTION,
            "%s:%d: malformed line '%.80s': expected 'name value' or 'name = value'", path, line,
            s);
  rest = skip_space(rest);
  bool equals = *rest == '=';
  if (equals) rest = skip_space(rest + 1);
  name[n] = '\0'; /* rest is already past the name's end */
  TSR_CHECK(!equals || *rest, TSR_ERR_OPTION, "%s:%d: empty value for %s", path, line, name);
  TSR_CHECK(strcmp(name, "config") != 0, TSR_ERR_OPTION,
            "%s:%d: a config file cannot read another (give every --config on the command line)",
            path, line);
  char where[TEXT_MAX];
  snprintf(where, sizeof where, "%s:%d", path, line);
  TSR_CALL(put_given(o, name, *rest ? rest : NULL, where, FROM_FILE));
  return TSR_SUCCESS;
}

static tsr_err parse_config_text(tsr_options o, const char *path, char *text) {
  int line = 1;
  for (char *s = text; s; line++) {
    char *nl = strchr(s, '\n');
    if (nl) *nl = '\0';
    TSR_CALL(parse_config_line(o, path, line, s));
    s = nl ? nl + 1 : NULL;
  }
  return TSR_SUCCESS;
}

static tsr_err read_config(tsr_options o, MPI_Comm comm, const char *path) {
  TSR_CHECK(path, TSR_ERR_OPTION, "--config needs a file name (--config FILE)");
  char why[WHY_MAX], *text = NULL;
  tsr_err err = share_file(comm, o->rank, path, &text, why);
  if (!err && why[0])
    err = tsr_error_raise(TSR_ERR_FILE, TSR_ERROR_COLLECTIVE, __FILE__, __LINE__, __func__,
                          "cannot read config file '%s': %s", path, why);
  else if (!err)
    err = parse_config_text(o, path, text);
  tsr_free(&text);
  return err ? tsr_error_frame(err, __FILE__, __LINE__, __func__) : TSR_SUCCESS;
}

/* ---------------------------------------------------------------- create, finish, destroy */

static tsr_err resolve_help(tsr_options o) {
  const given_opt *h = find_given(o, "help");
  bool on = h != NULL;
  if (h && h->value && !parse_bool(h->value, &on)) TSR_CALL(bad_value(o, h, "expected a boolean"));
  o->help = on;
  return TSR_SUCCESS;
}

static tsr_err load(tsr_options o, MPI_Comm comm, int argc, char **argv) {
  TSR_CALL_MPI(MPI_Comm_rank(comm, &o->rank));
  TSR_CALL(register_known(o, "help", T_BOOL, "print this help and exit", NULL, NULL));
  TSR_CALL(register_known(o, "config", T_STRING,
                          "read options from this file: 'name value' or 'name = value' per "
                          "line, # comments; the command line wins",
                          NULL, NULL));
  word_list w = {0};
  tsr_err err = share_words(comm, o->rank, argc, argv, &w);
  if (!err) err = parse_words(o, &w);
  for (int i = 0; !err && i < w.nconfigs; i++)
    err = read_config(o, comm, w.configs[i]);
  words_free(&w);
  if (err) return tsr_error_frame(err, __FILE__, __LINE__, __func__);
  TSR_CALL(resolve_help(o));
  return TSR_SUCCESS;
}

tsr_err tsr_options_create(MPI_Comm comm, int argc, char **argv, tsr_options *opts) {
  TSR_CHECK(opts, TSR_ERR_ARG, "NULL output pointer");
  *opts = NULL;
  TSR_CHECK(comm != MPI_COMM_NULL, TSR_ERR_ARG, "communicator is MPI_COMM_NULL");
  tsr_options o;
  TSR_CALL(TSR_CALLOC(1, &o));
  tsr_err err = load(o, comm, argc, argv);
  if (err) {
    tsr_options_destroy(&o);
    return tsr_error_frame(err, __FILE__, __LINE__, __func__);
  }
  *opts = o;
  return TSR_SUCCESS;
}

tsr_err tsr_options_destroy(tsr_options *opts) {
  if (!opts || !*opts) return TSR_SUCCESS;
  tsr_options o = *opts;
  while (o->arena) {
    arena_block *next = o->arena->next;
    TSR_CALL(tsr_free(&o->arena));
    o->arena = next;
  }
  TSR_CALL(tsr_free(&o->given));
  TSR_CALL(tsr_free(&o->known));
  TSR_CALL(tsr_free(opts));
  return TSR_SUCCESS;
}

static void print_option(const known_opt *k) {
  bool is_help = strcmp(k->name, "help") == 0;
  printf("  --%s%s", k->name, is_help ? ", -h" : "");
  if (k->type == T_BOOL && !is_help)
    printf(" [<bool>]");
  else if (k->type != T_ANY && k->type != T_BOOL)
    printf(" <%s>", type_names[k->type]);
  if (k->def) printf("  default: %s", k->def);
  const char *label = k->type == T_ENUM ? "choices" : k->type == T_INTS ? "values" : "range";
  if (k->range) printf("%s %s: %s", k->def ? ";" : " ", label, k->range);
  printf("\n      %s\n", k->help && k->help[0] ? k->help : "(no description)");
}

static void print_help(tsr_options o) {
  printf("Options (--name value or --name=value; a boolean alone means true):\n");
  for (size_t i = 0; i < o->nknown; i++)
    print_option(&o->known[i]);
  fflush(stdout);
}

tsr_err tsr_options_finish(tsr_options opts, bool *stop) {
  TSR_CHECK(opts && stop, TSR_ERR_ARG, "NULL options database or stop pointer");
  *stop = false;
  if (opts->help) {
    if (opts->rank == 0) print_help(opts);
    *stop = true;
    return TSR_SUCCESS;
  }
  const given_opt *first = NULL;
  size_t unknown = 0;
  for (size_t i = 0; i < opts->ngiven; i++) {
    if (find_known(opts, opts->given[i].name)) continue;
    if (!unknown++) first = &opts->given[i];
  }
  if (!first) return TSR_SUCCESS;
  bool where = first->where[0] != '\0';
  char more[64] = "";
  if (unknown > 1) snprintf(more, sizeof more, " (and %zu more unknown)", unknown - 1);
  TSR_ERROR(TSR_ERR_OPTION, "unknown option --%s%s%s%s; did you mean --%s?%s", first->name,
            where ? " (" : "", first->where, where ? ")" : "", closest_known(opts, first->name),
            more);
}

/* Options written to a dump: the merged values, without --help and --config (the dump holds
 * the file's options already and must not read the file again). */
static bool dumped(const given_opt *g) {
  return strcmp(g->name, "help") != 0 && strcmp(g->name, "config") != 0;
}

tsr_err tsr_options_dump(tsr_options opts, char *buf, size_t size) {
  TSR_CHECK(opts && buf && size > 0, TSR_ERR_ARG, "NULL options database or empty buffer");
  size_t need = 1;
  for (size_t i = 0; i < opts->ngiven; i++) {
    const given_opt *g = &opts->given[i];
    if (dumped(g)) need += strlen(g->name) + (g->value ? 1 + strlen(g->value) : 0) + 1;
  }
  buf[0] = '\0';
  TSR_CHECK(need <= size, TSR_ERR_SIZE,
            "options dump needs a buffer of %zu bytes, the one given has %zu", need, size);
  size_t used = 0;
  for (size_t i = 0; i < opts->ngiven; i++) {
    const given_opt *g = &opts->given[i];
    if (!dumped(g)) continue;
    used += (size_t)snprintf(buf + used, size - used, "%s%s%s\n", g->name, g->value ? " " : "",
                             g->value ? g->value : "");
  }
  return TSR_SUCCESS;
}
