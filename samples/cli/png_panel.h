/* A white RGB canvas holding a grid of equally sized cells separated by a gap, for side-by-side
 * figures (image | ground truth | prediction), below an optional white header band for column
 * titles. */
#ifndef S4SEG_CLI_PNG_PANEL_H
#define S4SEG_CLI_PNG_PANEL_H

#include <stdint.h>

#include <s4seg/s4seg.h>

typedef struct panel {
  uint8_t* rgb; /* width * height * 3 bytes */
  int32_t width;
  int32_t height;
  int32_t cell_width;
  int32_t cell_height;
  int32_t gap;
  int32_t header; /* white rows above the grid: its first row starts at y = header */
  int32_t scale; /* pixels per source pixel, 1..16 */
} panel;

/* Allocates a white canvas of rows x cols cells of cell_width x cell_height source pixels each,
 * drawn `scale` times larger, below `header` (>= 0) rows left free for titles; returns 0, or -1 if
 * it is too large or memory runs out (then `p` holds nothing to free). */
int panel_init(panel* p, int rows, int cols, int32_t cell_width, int32_t cell_height, int32_t gap, int32_t scale,
               int32_t header);

/* The x of column `col`'s left edge, for drawing its title into the header. */
int32_t panel_column_left(const panel* p, int col);

/* Copies a 1-channel (grey, replicated) or 3-channel view into cell (row, col), top-left aligned
 * and clipped to the cell. */
void panel_put(panel* p, int row, int col, const s4seg_image_view* view);

/* A view of the whole canvas, e.g. for s4seg_image_save_png. */
s4seg_image_view panel_view(const panel* p);

/* Frees the canvas; safe after a failed panel_init or twice. */
void panel_free(panel* p);

#endif /* S4SEG_CLI_PNG_PANEL_H */
