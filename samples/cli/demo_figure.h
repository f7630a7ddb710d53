/* The demo's figure: a header band titling the columns ("input", "ground truth", "supervised", the
 * semi-supervised method's name, "<method> pseudo-labels"; wrapped onto two lines, shortened or
 * drawn smaller when a cell is too narrow), then one row per validation sample,
 *   input | ground truth | supervised prediction | semi-supervised prediction | pseudo-labels
 * where the last column is what a labeler on the semi-supervised model (its EMA teacher) keeps,
 * filtered-out pixels drawn grey. */
#ifndef S4SEG_CLI_DEMO_FIGURE_H
#define S4SEG_CLI_DEMO_FIGURE_H

#include <s4seg/s4seg.h>

/* What the figure's prediction columns come from. */
typedef struct demo_figure_sources {
  s4seg_model* supervised; /* column 3 */
  s4seg_model* semi;       /* column 4 */
  s4seg_labeler* labeler;  /* column 5: pseudo-labels of the semi model */
  const char* semi_name;   /* the semi model's method, e.g. "fixmatch", for the titles of columns 4 and 5;
                              NULL titles them "semi-supervised" */
} demo_figure_sources;

/* Writes the figure for the first `rows` samples of `dataset` (fewer if it is smaller) to the PNG
 * `path`, cells separated by `gap` white pixels. Returns CLI_EXIT_OK, or CLI_EXIT_FAILURE after
 * printing why. */
int demo_write_figure(const demo_figure_sources* sources, const s4seg_dataset* dataset, int rows, int gap,
                      const char* path);

#endif /* S4SEG_CLI_DEMO_FIGURE_H */
