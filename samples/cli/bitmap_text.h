/* A built-in 5x7 bitmap font (8 rows with the descenders of g, j, p, q, y) for labelling figures
 * without a font library: ASCII letters, digits, space and - _ . , ( ) / + : = % |; any other
 * character draws as an empty box. */
#ifndef S4SEG_CLI_BITMAP_TEXT_H
#define S4SEG_CLI_BITMAP_TEXT_H

#include <stdint.h>

/* Font pixels from one character's left edge to the next one's (5 columns of glyph + 1 of space). */
#define BITMAP_TEXT_ADVANCE 6

/* Font pixels of a line: 7 rows above the baseline and 1 for descenders. */
#define BITMAP_TEXT_HEIGHT 8

/* Width in pixels of `text` drawn at `scale` (pixels per font pixel, >= 1): no space after the
 * last character, 0 for "" or a scale below 1, INT32_MAX if it would be wider. */
int32_t bitmap_text_width(const char* text, int32_t scale);

/* Draws `text` in dark grey onto `rgb` (width * height * 3 bytes, tightly packed) with its top-left
 * corner at (x, y), which may lie outside; only pixels inside the buffer are written. A scale
 * below 1 draws nothing. */
void bitmap_text_draw(uint8_t* rgb, int32_t width, int32_t height, int32_t x, int32_t y, int32_t scale,
                      const char* text);

#endif /* S4SEG_CLI_BITMAP_TEXT_H */
