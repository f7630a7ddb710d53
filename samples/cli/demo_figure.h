/* The demo's figure: one row per validation sample, input | ground truth | prediction. */
#ifndef S4SEG_CLI_DEMO_FIGURE_H
#define S4SEG_CLI_DEMO_FIGURE_H

#include <s4seg/s4seg.h>

/* Writes the figure for the first `rows` samples of `dataset` (fewer if it is smaller) to the PNG
 * `path`, cells separated by `gap` white pixels. Returns CLI_EXIT_OK, or CLI_EXIT_FAILURE after
 * printing why. */
int demo_write_figure(s4seg_model* model, const s4seg_dataset* dataset, int rows, int gap, const char* path);

#endif /* S4SEG_CLI_DEMO_FIGURE_H */
