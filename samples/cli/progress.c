/* The training progress line (see progress.h). */
#define _POSIX_C_SOURCE 200809L

#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

/* Longest ETA printed: beyond it the estimate means nothing anyway. */
#define PROGRESS_MAX_ETA_SECONDS (1000.0 * 3600.0 - 1.0)

void progress_init(progress* p, int64_t start) {
  p->terminal = isatty(STDERR_FILENO);
  p->last_iteration = start;
  p->line_length = 0;
}

static long long eta_seconds(double eta) {
  if (!(eta > 0.0)) return 0; /* also NaN */
  if (eta > PROGRESS_MAX_ETA_SECONDS) eta = PROGRESS_MAX_ETA_SECONDS;
  return (long long)(eta + 0.5);
}

void progress_report(progress* p, const s4seg_train_stats* stats) {
  char line[192];
  int64_t done = stats->iteration - p->last_iteration;
  double rate = stats->seconds > 0.0 ? (double)done / stats->seconds : 0.0;
  long long eta = eta_seconds(stats->eta_seconds);
  int length = snprintf(line, sizeof line, "iter %lld/%lld  loss %.4f  it/s %.2f  ETA %lldh %02lldm %02llds",
                        (long long)stats->iteration, (long long)stats->total_iterations, stats->loss,
                        isfinite(rate) ? rate : 0.0, eta / 3600, (eta / 60) % 60, eta % 60);
  size_t shown = length < 0 ? 0 : (size_t)length < sizeof line ? (size_t)length : sizeof line - 1;
  p->last_iteration = stats->iteration;
  if (!p->terminal) {
    fprintf(stderr, "%s\n", line);
    return;
  }
  /* Pad with spaces to erase the rest of a longer previous line. */
  fprintf(stderr, "\r%s%*s", line, p->line_length > shown ? (int)(p->line_length - shown) : 0, "");
  fflush(stderr);
  p->line_length = shown;
}

void progress_finish(progress* p) {
  if (p->terminal && p->line_length > 0) fputc('\n', stderr);
  p->line_length = 0;
}
