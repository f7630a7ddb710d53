/* The training progress line: "iter I/T  loss L  it/s X  ETA Hh MMm SSs" on stderr, rewritten in
 * place on a terminal, one line per report otherwise. */
#ifndef S4SEG_CLI_PROGRESS_H
#define S4SEG_CLI_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include <s4seg/s4seg.h>

typedef struct progress {
  int terminal;           /* rewrite one line with '\r' */
  int64_t last_iteration; /* iteration of the previous report */
  size_t line_length;     /* length of the line on screen (terminal mode) */
} progress;

/* Starts reporting from iteration `start`; decides the mode with isatty(stderr). */
void progress_init(progress* p, int64_t start);

/* Prints one report. */
void progress_report(progress* p, const s4seg_train_stats* stats);

/* Ends the line on a terminal so later output starts on a fresh line. */
void progress_finish(progress* p);

#endif /* S4SEG_CLI_PROGRESS_H */
