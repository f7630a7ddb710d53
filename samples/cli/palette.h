/* Colours for class-index maps: class 0 black, then the VOC palette (distinct colours built from
 * the bits of the class index), 255 (ignore) white. */
#ifndef S4SEG_CLI_PALETTE_H
#define S4SEG_CLI_PALETTE_H

#include <stdint.h>

#include <s4seg/s4seg.h>

/* Writes the colour of class `index` into rgb[0..2]. */
void palette_color(uint8_t index, uint8_t rgb[3]);

/* Colourises a class-index view (first channel is the index) into `rgb`, which holds
 * width * height * 3 bytes, tightly packed. */
void palette_colorize(const s4seg_image_view* indices, uint8_t* rgb);

/* Blends `image` (1 or 3 channels) 50/50 with the colour of each label (`labels` holds
 * width * height indices, tightly packed) into `rgb` (width * height * 3 bytes). */
void palette_overlay(const s4seg_image_view* image, const uint8_t* labels, uint8_t* rgb);

/* Grey that palette_colorize_filtered draws filtered-out (255) pixels with: class 0 is black and
 * 255 is white in the palette, so neither can mean "no pseudo-label". */
#define PALETTE_FILTERED_GREY 128

/* Like palette_colorize, but 255 (a pixel a pseudo-label filter dropped) becomes
 * PALETTE_FILTERED_GREY. */
void palette_colorize_filtered(const s4seg_image_view* indices, uint8_t* rgb);

/* Blends `image` (1 or 3 channels) 50/50 with the colour of each label of `labels` (a 1-channel
 * view of the same size) into `rgb` (width * height * 3 bytes, tightly packed); pixels labelled
 * 255 (filtered out) keep the image's own colour. */
void palette_overlay_kept(const s4seg_image_view* image, const s4seg_image_view* labels, uint8_t* rgb);

#endif /* S4SEG_CLI_PALETTE_H */
