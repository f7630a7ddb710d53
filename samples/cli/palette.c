/* Colours for class-index maps (see palette.h). */
#include "palette.h"

#include <stddef.h>

#define PALETTE_IGNORE 255

void palette_color(uint8_t index, uint8_t rgb[3]) {
  unsigned value = index;
  unsigned r = 0, g = 0, b = 0;
  int bit;
  if (index == PALETTE_IGNORE) {
    rgb[0] = rgb[1] = rgb[2] = 255;
    return;
  }
  /* VOC palette: bit 3k+c of the index sets bit 7-k of channel c. */
  for (bit = 7; value != 0; --bit, value >>= 3) {
    r |= (value & 1u) << bit;
    g |= ((value >> 1) & 1u) << bit;
    b |= ((value >> 2) & 1u) << bit;
  }
  rgb[0] = (uint8_t)r;
  rgb[1] = (uint8_t)g;
  rgb[2] = (uint8_t)b;
}

static void palette_table(uint8_t table[256][3]) {
  int i;
  for (i = 0; i < 256; ++i) palette_color((uint8_t)i, table[i]);
}

static void colorize_with(const s4seg_image_view* indices, uint8_t table[256][3], uint8_t* rgb) {
  size_t width = (size_t)indices->width, channels = (size_t)indices->channels;
  int32_t y;
  for (y = 0; y < indices->height; ++y) {
    const uint8_t* src = indices->data + (size_t)y * (size_t)indices->row_stride;
    uint8_t* dst = rgb + (size_t)y * width * 3;
    size_t x;
    for (x = 0; x < width; ++x) {
      const uint8_t* colour = table[src[x * channels]];
      dst[3 * x + 0] = colour[0];
      dst[3 * x + 1] = colour[1];
      dst[3 * x + 2] = colour[2];
    }
  }
}

void palette_colorize(const s4seg_image_view* indices, uint8_t* rgb) {
  uint8_t table[256][3];
  palette_table(table);
  colorize_with(indices, table, rgb);
}

void palette_colorize_filtered(const s4seg_image_view* indices, uint8_t* rgb) {
  uint8_t table[256][3];
  palette_table(table);
  table[PALETTE_IGNORE][0] = table[PALETTE_IGNORE][1] = table[PALETTE_IGNORE][2] = PALETTE_FILTERED_GREY;
  colorize_with(indices, table, rgb);
}

/* Blends each pixel 50 % with its label's colour; labels are read `label_step` bytes apart within
 * rows `label_stride` bytes apart. With `keep_ignore`, pixels labelled PALETTE_IGNORE stay as they are. */
static void blend(const s4seg_image_view* image, const uint8_t* labels, size_t label_stride, size_t label_step,
                  int keep_ignore, uint8_t* rgb) {
  uint8_t table[256][3];
  size_t width = (size_t)image->width;
  int grey = image->channels == 1;
  int32_t y;
  palette_table(table);
  for (y = 0; y < image->height; ++y) {
    const uint8_t* src = image->data + (size_t)y * (size_t)image->row_stride;
    const uint8_t* row_labels = labels + (size_t)y * label_stride;
    uint8_t* dst = rgb + (size_t)y * width * 3;
    size_t x;
    int c;
    for (x = 0; x < width; ++x) {
      uint8_t label = row_labels[x * label_step];
      for (c = 0; c < 3; ++c) {
        unsigned pixel = grey ? src[x] : src[3 * x + (size_t)c];
        dst[3 * x + (size_t)c] = keep_ignore && label == PALETTE_IGNORE ? (uint8_t)pixel
                                                                         : (uint8_t)((pixel + table[label][c] + 1u) / 2u);
      }
    }
  }
}

void palette_overlay(const s4seg_image_view* image, const uint8_t* labels, uint8_t* rgb) {
  blend(image, labels, (size_t)image->width, 1, 0, rgb);
}

void palette_overlay_kept(const s4seg_image_view* image, const s4seg_image_view* labels, uint8_t* rgb) {
  blend(image, labels->data, (size_t)labels->row_stride, (size_t)labels->channels, 1, rgb);
}
