/* The training progress line (see progress.h). */
#define _POSIX_C_SOURCE 200809L

#include "progress.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Longest ETA printed: beyond it the estimate means nothing anyway. */
#define PROGRESS_MAX_ETA_SECONDS (1000.0 * 3600.0 - 1.0)
/* Longest line; a longer one is cut (it only loses loss terms at its end). */
#define PROGRESS_LINE_BYTES 384
/* Longest metric name read back; longer ones are left out. */
#define PROGRESS_NAME_BYTES 64

/* Short names of the loss terms the methods report; other "loss/X" terms are shown as "X". */
static const char* const kTermNames[][2] = {{"loss/supervised", "sup"},
                                            {"loss/unsupervised", "unsup"},
                                            {"loss/prototype", "proto"},
                                            {"loss/contrast", "contrast"},
                                            {"loss/feature_perturbation", "fp"}};
#define TERM_NAME_COUNT (sizeof kTermNames / sizeof kTermNames[0])
#define LOSS_PREFIX "loss/"
/* Share of a window's time spent waiting for decoded images above which the line says the input
 * pipeline, not the model, sets the pace. */
#define PROGRESS_DATA_BOUND 0.2

void progress_init(progress* p, int64_t start, const s4seg_trainer* trainer) {
  p->terminal = isatty(STDERR_FILENO);
  p->last_iteration = start;
  p->line_length = 0;
  p->trainer = trainer;
  p->data_bound_noted = 0;
}

static long long eta_seconds(double eta) {
  if (!(eta > 0.0)) return 0; /* also NaN */
  if (eta > PROGRESS_MAX_ETA_SECONDS) eta = PROGRESS_MAX_ETA_SECONDS;
  return (long long)(eta + 0.5);
}

/* A line being built: appends stop (silently) when it is full. */
typedef struct line_buffer {
  char text[PROGRESS_LINE_BYTES];
  size_t length;
} line_buffer;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void append(line_buffer* line, const char* fmt, ...) {
  size_t room = sizeof line->text - line->length;
  va_list args;
  int written;
  if (room <= 1) return;
  va_start(args, fmt);
  written = vsnprintf(line->text + line->length, room, fmt, args);
  va_end(args);
  if (written < 0) {
    line->text[line->length] = '\0';
    return;
  }
  line->length += (size_t)written < room ? (size_t)written : room - 1;
}

static const char* short_term_name(const char* name) {
  size_t i;
  for (i = 0; i < TERM_NAME_COUNT; ++i)
    if (strcmp(name, kTermNames[i][0]) == 0) return kTermNames[i][1];
  return name + strlen(LOSS_PREFIX);
}

static int is_loss_term(const char* name) { return strncmp(name, LOSS_PREFIX, strlen(LOSS_PREFIX)) == 0; }

/* Appends " [sup S unsup U ...]" when the window has two or more loss terms (a single term is the
 * loss itself). A metric that cannot be read is left out: the line is informative only, and a
 * failed report must not stop training. */
static void append_terms(line_buffer* line, const s4seg_trainer* trainer) {
  char name[PROGRESS_NAME_BYTES];
  size_t count = 0, i, terms = 0;
  double value = 0.0;
  if (trainer == NULL || s4seg_trainer_metric_count(trainer, &count) != S4SEG_OK) return;
  for (i = 0; i < count; ++i)
    if (s4seg_trainer_metric(trainer, i, name, sizeof name, NULL, NULL) == S4SEG_OK && is_loss_term(name)) ++terms;
  if (terms < 2) return;
  append(line, " [");
  terms = 0;
  for (i = 0; i < count; ++i) {
    if (s4seg_trainer_metric(trainer, i, name, sizeof name, NULL, &value) != S4SEG_OK || !is_loss_term(name)) continue;
    append(line, "%s%s %.3f", terms++ > 0 ? " " : "", short_term_name(name), value);
  }
  append(line, "]");
}

/* The value of metric `wanted` in the trainer's window; 0 when absent or unreadable. */
static int find_metric(const s4seg_trainer* trainer, const char* wanted, double* value) {
  char name[PROGRESS_NAME_BYTES];
  size_t count = 0, i;
  if (trainer == NULL || s4seg_trainer_metric_count(trainer, &count) != S4SEG_OK) return 0;
  for (i = 0; i < count; ++i)
    if (s4seg_trainer_metric(trainer, i, name, sizeof name, NULL, value) == S4SEG_OK && strcmp(name, wanted) == 0) return 1;
  return 0;
}

void progress_report(progress* p, const s4seg_train_stats* stats) {
  double data_wait = 0.0;
  int data_bound = find_metric(p->trainer, "data/wait_fraction", &data_wait) && data_wait >= PROGRESS_DATA_BOUND;
  line_buffer line;
  int64_t done = stats->iteration - p->last_iteration;
  double rate = stats->seconds > 0.0 ? (double)done / stats->seconds : 0.0;
  long long eta = eta_seconds(stats->eta_seconds);
  line.length = 0;
  line.text[0] = '\0';
  append(&line, "iter %lld/%lld  loss %.4f", (long long)stats->iteration, (long long)stats->total_iterations,
         stats->loss);
  append_terms(&line, p->trainer);
  if (stats->pseudo_keep_ratio >= 0.0 || stats->pseudo_accuracy >= 0.0) append(&line, " ");
  if (stats->pseudo_keep_ratio >= 0.0) append(&line, " keep %.2f", stats->pseudo_keep_ratio);
  if (stats->pseudo_accuracy >= 0.0) append(&line, " acc %.2f", stats->pseudo_accuracy);
  append(&line, "  lr %.3g  it/s %.2f  img/s %.1f  ETA %lldh %02lldm %02llds", stats->learning_rate,
         isfinite(rate) ? rate : 0.0, isfinite(stats->images_per_second) ? stats->images_per_second : 0.0, eta / 3600,
         (eta / 60) % 60, eta % 60);
  if (data_bound) append(&line, "  data-bound %.0f%%", 100.0 * data_wait);
  p->last_iteration = stats->iteration;
  if (data_bound && !p->data_bound_noted) {
    p->data_bound_noted = 1;
    progress_finish(p);
    fprintf(stderr, "s4seg: note: %.0f%% of the training time went to waiting for decoded images; raise "
                    "train.workers or train.prefetch, or keep images in memory with --cache-mb\n", 100.0 * data_wait);
  }
  if (!p->terminal) {
    fprintf(stderr, "%s\n", line.text);
    return;
  }
  /* Pad with spaces to erase the rest of a longer previous line. */
  fprintf(stderr, "\r%s%*s", line.text, p->line_length > line.length ? (int)(p->line_length - line.length) : 0, "");
  fflush(stderr);
  p->line_length = line.length;
}

void progress_finish(progress* p) {
  if (p->terminal && p->line_length > 0) fputc('\n', stderr);
  p->line_length = 0;
}
