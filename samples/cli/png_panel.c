/* A white RGB canvas holding a grid of cells (see png_panel.h). */
#include "png_panel.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* Sets *total = count * cell + (count - 1) * gap when it fits in int32. */
static int span(int count, int32_t cell, int32_t gap, int32_t* total) {
  int64_t value = (int64_t)count * cell + (int64_t)(count - 1) * gap;
  if (count <= 0 || cell <= 0 || gap < 0 || value > INT32_MAX) return -1;
  *total = (int32_t)value;
  return 0;
}

int panel_init(panel* p, int rows, int cols, int32_t cell_width, int32_t cell_height, int32_t gap, int32_t scale,
               int32_t header) {
  size_t bytes;
  memset(p, 0, sizeof *p);
  if (scale < 1 || scale > 16 || cell_width > INT32_MAX / scale || cell_height > INT32_MAX / scale || header < 0)
    return -1;
  cell_width *= scale;
  cell_height *= scale;
  if (span(cols, cell_width, gap, &p->width) != 0 || span(rows, cell_height, gap, &p->height) != 0 ||
      p->height > INT32_MAX - header)
    return -1;
  p->height += header;
  if (cli_pixel_bytes(p->width, p->height, 3, &bytes) != 0) return -1;
  p->rgb = malloc(bytes);
  if (p->rgb == NULL) return -1;
  memset(p->rgb, 255, bytes);
  p->cell_width = cell_width;
  p->cell_height = cell_height;
  p->gap = gap;
  p->header = header;
  p->scale = scale;
  return 0;
}

void panel_put(panel* p, int row, int col, const s4seg_image_view* view) {
  /* Each source pixel becomes a scale x scale block (nearest neighbour), so small scenes stay legible. */
  int32_t scale = p->scale;
  int32_t width = view->width * scale < p->cell_width ? view->width * scale : p->cell_width;
  int32_t height = view->height * scale < p->cell_height ? view->height * scale : p->cell_height;
  size_t left = (size_t)panel_column_left(p, col);
  size_t top = (size_t)p->header + (size_t)row * (size_t)(p->cell_height + p->gap);
  int32_t x, y, c;
  for (y = 0; y < height; ++y) {
    const uint8_t* src = view->data + (size_t)(y / scale) * (size_t)view->row_stride;
    uint8_t* dst = p->rgb + ((top + (size_t)y) * (size_t)p->width + left) * 3;
    for (x = 0; x < width; ++x) {
      const uint8_t* px = src + (size_t)(x / scale) * (size_t)view->channels;
      for (c = 0; c < 3; ++c) dst[3 * x + c] = px[view->channels == 3 ? c : 0];
    }
  }
}

int32_t panel_column_left(const panel* p, int col) { return col * (p->cell_width + p->gap); }

s4seg_image_view panel_view(const panel* p) { return cli_view(p->rgb, p->width, p->height, 3); }

void panel_free(panel* p) {
  free(p->rgb);
  p->rgb = NULL;
}
