/* The training progress line on stderr, rewritten in place on a terminal, one line per report
 * otherwise:
 *   iter I/T  loss L [sup S unsup U ...]  keep K acc A  lr R  it/s X  img/s Y  ETA Hh MMm SSs
 * The bracket lists the loss terms of the report's window (when there are two or more); keep and
 * acc are the pseudo-label keep ratio and accuracy (when the method reports them). When the trainer
 * waited for decoded images for 20% or more of the window ("data/wait_fraction"), the line ends
 * with "data-bound P%" and a one-time note says how to feed it faster. */
#ifndef S4SEG_CLI_PROGRESS_H
#define S4SEG_CLI_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include <s4seg/s4seg.h>

typedef struct progress {
  int terminal;                  /* rewrite one line with '\r' */
  int64_t last_iteration;        /* iteration of the previous report */
  size_t line_length;            /* length of the line on screen (terminal mode) */
  const s4seg_trainer* trainer;  /* source of the loss terms; NULL = none shown */
  int data_bound_noted;          /* the "waiting for images" note was printed */
} progress;

/* Starts reporting from iteration `start`; decides the mode with isatty(stderr). `trainer` (may
 * be NULL) is asked for the named metrics of each report's window: call progress_report from the
 * trainer's progress callback (or right after a step call). */
void progress_init(progress* p, int64_t start, const s4seg_trainer* trainer);

/* Prints one report. */
void progress_report(progress* p, const s4seg_train_stats* stats);

/* Ends the line on a terminal so later output starts on a fresh line. */
void progress_finish(progress* p);

#endif /* S4SEG_CLI_PROGRESS_H */
