/* The demo's figure (see demo_figure.h). */
#include "demo_figure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap_text.h"
#include "palette.h"
#include "png_panel.h"
#include "util.h"

/* Small synthetic scenes are drawn 3x so the figure is legible. */
#define FIGURE_SCALE 3

/* Column titles are drawn at most TITLE_SCALE pixels per font pixel (smaller only when a title
 * does not fit its cell), on at most TITLE_LINES lines, TITLE_MARGIN white pixels above and below. */
#define TITLE_SCALE 2
#define TITLE_LINES 2
#define TITLE_MARGIN 4
#define TITLE_CHARS 64 /* bytes of one title line, the NUL included */

/* The columns, left to right. */
enum {
  COLUMN_IMAGE = 0,
  COLUMN_TRUTH = 1,
  COLUMN_SUPERVISED = 2,
  COLUMN_SEMI = 3,
  COLUMN_PSEUDO = 4,
  FIGURE_COLUMNS = 5
};

/* One column's title broken into lines. */
typedef struct title_lines {
  char text[TITLE_LINES][TITLE_CHARS];
  int count;
} title_lines;

/* The titles of every column, at one scale so they read as a row. */
typedef struct figure_header {
  title_lines columns[FIGURE_COLUMNS];
  int32_t scale;
  int32_t height; /* pixels of the band, margins included */
} figure_header;

/* Pixels from one title line's top to the next one's: a line of the font and 2 font rows of leading. */
static int32_t title_pitch(int32_t scale) { return (BITMAP_TEXT_HEIGHT + 2) * scale; }

/* Appends `word` (`length` bytes) to the last line of `t` when the line stays within `width` pixels
 * at `scale`, else starts a new line with it; returns 0, or -1 if it fits neither way. */
static int append_word(title_lines* t, const char* word, size_t length, int32_t width, int32_t scale) {
  char line[TITLE_CHARS];
  int n;
  if (t->count > 0) {
    n = snprintf(line, sizeof line, "%s %.*s", t->text[t->count - 1], (int)length, word);
    if (n > 0 && (size_t)n < sizeof line && bitmap_text_width(line, scale) <= width) {
      memcpy(t->text[t->count - 1], line, (size_t)n + 1);
      return 0;
    }
  }
  n = snprintf(line, sizeof line, "%.*s", (int)length, word);
  if (t->count == TITLE_LINES || n < 0 || (size_t)n >= sizeof line || bitmap_text_width(line, scale) > width)
    return -1;
  memcpy(t->text[t->count++], line, (size_t)n + 1);
  return 0;
}

/* Breaks `text` at spaces into at most TITLE_LINES lines no wider than `width` pixels at `scale`,
 * each holding as many words as fit; returns 0, or -1 if it does not fit. */
static int wrap_title(title_lines* t, const char* text, int32_t width, int32_t scale) {
  memset(t, 0, sizeof *t);
  while (*text != '\0') {
    size_t length = strcspn(text, " ");
    if (length > 0 && append_word(t, text, length, width, scale) != 0) return -1;
    text += length;
    if (*text == ' ') ++text;
  }
  return 0;
}

/* The last resort for a cell too narrow for a title's words: as much of `text` as fits on one line. */
static void cut_title(title_lines* t, const char* text, int32_t width, int32_t scale) {
  size_t length;
  memset(t, 0, sizeof *t);
  snprintf(t->text[0], TITLE_CHARS, "%s", text);
  for (length = strlen(t->text[0]); length > 0 && bitmap_text_width(t->text[0], scale) > width; --length)
    t->text[0][length - 1] = '\0';
  t->count = 1;
}

/* Lays out every column's title: the largest scale up to TITLE_SCALE at which each column fits one
 * of its titles (options[column][0], or the shorter options[column][1] when that is not NULL),
 * wrapped into cells `width` pixels wide; at scale 1 a title that still does not fit is cut. */
static void layout_header(figure_header* h, const char* const options[FIGURE_COLUMNS][2], int32_t width) {
  int column, option, lines = 1, fits;
  for (h->scale = TITLE_SCALE;; --h->scale) { /* ends at scale 1 at the latest, where every title fits */
    fits = 1;
    for (column = 0; column < FIGURE_COLUMNS && fits; ++column) {
      title_lines* t = &h->columns[column];
      fits = 0;
      for (option = 0; option < 2 && !fits && options[column][option] != NULL; ++option)
        fits = wrap_title(t, options[column][option], width, h->scale) == 0;
      if (!fits && h->scale == 1) {
        cut_title(t, options[column][options[column][1] != NULL ? 1 : 0], width, h->scale);
        fits = 1;
      }
    }
    if (fits) break;
  }
  for (column = 0; column < FIGURE_COLUMNS; ++column)
    if (h->columns[column].count > lines) lines = h->columns[column].count;
  h->height = 2 * TITLE_MARGIN + lines * title_pitch(h->scale) - 2 * h->scale;
}

/* Draws each column's title centred over it, the lines of a title centred in the band together. */
static void draw_header(panel* figure, const figure_header* h) {
  int column, line;
  for (column = 0; column < FIGURE_COLUMNS; ++column) {
    const title_lines* t = &h->columns[column];
    int32_t top = (h->height - (t->count * title_pitch(h->scale) - 2 * h->scale)) / 2;
    for (line = 0; line < t->count; ++line) {
      int32_t left = panel_column_left(figure, column) +
                     (figure->cell_width - bitmap_text_width(t->text[line], h->scale)) / 2;
      bitmap_text_draw(figure->rgb, figure->width, figure->height, left, top + line * title_pitch(h->scale), h->scale,
                       t->text[line]);
    }
  }
}

/* Creates the canvas for `rows` rows of cells the size of `image`, under a header naming the columns. */
static int start_figure(panel* figure, int rows, int gap, const demo_figure_sources* sources,
                        const s4seg_image_view* image) {
  const char* semi = sources->semi_name != NULL ? sources->semi_name : "semi-supervised";
  char pseudo[TITLE_CHARS];
  /* The last column falls back to "pseudo-labels": the column left of it already names the method. */
  const char* const options[FIGURE_COLUMNS][2] = {
      {"input", NULL}, {"ground truth", NULL}, {"supervised", NULL}, {semi, NULL}, {pseudo, "pseudo-labels"}};
  figure_header header;
  if (snprintf(pseudo, sizeof pseudo, "%s pseudo-labels", semi) >= (int)sizeof pseudo)
    snprintf(pseudo, sizeof pseudo, "pseudo-labels"); /* rather than a cut-off method name */
  if (image->width > INT32_MAX / FIGURE_SCALE) return -1;
  layout_header(&header, options, image->width * FIGURE_SCALE);
  if (panel_init(figure, rows, FIGURE_COLUMNS, image->width, image->height, gap, FIGURE_SCALE, header.height) != 0)
    return -1;
  draw_header(figure, &header);
  return 0;
}

/* Buffers of one figure row; each cell is drawn into `rgb` and copied to the canvas in turn. */
typedef struct row_buffers {
  uint8_t* labels; /* width * height predicted classes */
  uint8_t* rgb;    /* width * height * 3 */
} row_buffers;

static int row_buffers_init(row_buffers* b, const s4seg_image_view* image, size_t* pixels) {
  size_t rgb_bytes;
  memset(b, 0, sizeof *b);
  if (cli_pixel_bytes(image->width, image->height, 1, pixels) != 0 ||
      cli_pixel_bytes(image->width, image->height, 3, &rgb_bytes) != 0)
    return -1;
  b->labels = malloc(*pixels);
  b->rgb = malloc(rgb_bytes);
  return (b->labels != NULL && b->rgb != NULL) ? 0 : -1;
}

static void row_buffers_free(row_buffers* b) {
  free(b->labels);
  free(b->rgb);
}

/* Fills the row's ground-truth colours: the mask, or all "ignore" when the sample has none. */
static void colour_truth(const s4seg_image* mask, const s4seg_image_view* image, uint8_t* rgb, size_t pixels) {
  s4seg_image_view view;
  if (mask != NULL && s4seg_image_get_view(mask, &view) == S4SEG_OK && view.width == image->width &&
      view.height == image->height) {
    palette_colorize(&view, rgb);
    return;
  }
  memset(rgb, 255, pixels * 3);
}

/* Predicts `image` with `model` and draws the class colours into cell (row, column). */
static int draw_prediction(panel* figure, int row, int column, s4seg_model* model, const s4seg_image_view* image,
                           row_buffers* buffers, size_t pixels) {
  s4seg_image_view cell;
  s4seg_status status = s4seg_model_predict(model, image, buffers->labels, pixels, NULL, 0);
  if (status != S4SEG_OK) return cli_fail(status);
  cell = cli_view(buffers->labels, image->width, image->height, 1);
  palette_colorize(&cell, buffers->rgb);
  cell = cli_view(buffers->rgb, image->width, image->height, 3);
  panel_put(figure, row, column, &cell);
  return CLI_EXIT_OK;
}

/* Pseudo-labels `image` with `labeler` and draws them (filtered pixels grey) into cell (row, column). */
static int draw_pseudo_labels(panel* figure, int row, int column, s4seg_labeler* labeler,
                              const s4seg_image_view* image, row_buffers* buffers) {
  s4seg_image* labels = NULL;
  s4seg_image_view view, cell;
  s4seg_status status = s4seg_labeler_run(labeler, image, &labels, NULL, NULL, NULL, 0);
  if (status == S4SEG_OK) status = s4seg_image_get_view(labels, &view);
  if (status != S4SEG_OK) {
    int result = cli_fail(status);
    s4seg_image_free(labels);
    return result;
  }
  if (view.width != image->width || view.height != image->height) {
    s4seg_image_free(labels);
    return cli_error("the labeler returned %dx%d labels for a %dx%d image", (int)view.width, (int)view.height,
                     (int)image->width, (int)image->height);
  }
  palette_colorize_filtered(&view, buffers->rgb);
  s4seg_image_free(labels);
  cell = cli_view(buffers->rgb, image->width, image->height, 3);
  panel_put(figure, row, column, &cell);
  return CLI_EXIT_OK;
}

/* Draws sample `row` of `dataset` into row `row` of `figure`, creating the canvas on the first row
 * (every cell takes the size of the first sample). */
static int draw_row(panel* figure, int rows, int gap, const demo_figure_sources* sources,
                    const s4seg_dataset* dataset, int row) {
  s4seg_image* image = NULL;
  s4seg_image* mask = NULL;
  s4seg_image_view view, cell;
  row_buffers buffers;
  size_t pixels = 0;
  int result = CLI_EXIT_FAILURE;
  s4seg_status status = s4seg_dataset_get(dataset, row, &image, &mask);
  memset(&buffers, 0, sizeof buffers);
  if (status == S4SEG_OK) status = s4seg_image_get_view(image, &view);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  if (row_buffers_init(&buffers, &view, &pixels) != 0 ||
      (figure->rgb == NULL && start_figure(figure, rows, gap, sources, &view) != 0)) {
    result = cli_error("out of memory drawing the figure");
    goto done;
  }
  panel_put(figure, row, COLUMN_IMAGE, &view);
  colour_truth(mask, &view, buffers.rgb, pixels);
  cell = cli_view(buffers.rgb, view.width, view.height, 3);
  panel_put(figure, row, COLUMN_TRUTH, &cell);
  result = draw_prediction(figure, row, COLUMN_SUPERVISED, sources->supervised, &view, &buffers, pixels);
  if (result == CLI_EXIT_OK) result = draw_prediction(figure, row, COLUMN_SEMI, sources->semi, &view, &buffers, pixels);
  if (result == CLI_EXIT_OK)
    result = draw_pseudo_labels(figure, row, COLUMN_PSEUDO, sources->labeler, &view, &buffers);
done:
  row_buffers_free(&buffers);
  s4seg_image_free(mask);
  s4seg_image_free(image);
  return result;
}

int demo_write_figure(const demo_figure_sources* sources, const s4seg_dataset* dataset, int rows, int gap,
                      const char* path) {
  panel figure;
  s4seg_image_view view;
  int64_t size = 0;
  int row, result = CLI_EXIT_OK;
  s4seg_status status = s4seg_dataset_size(dataset, &size);
  if (status != S4SEG_OK) return cli_fail(status);
  if (size < rows) rows = (int)size;
  if (rows <= 0) return cli_error("no samples to draw");
  memset(&figure, 0, sizeof figure);
  for (row = 0; row < rows && result == CLI_EXIT_OK; ++row)
    result = draw_row(&figure, rows, gap, sources, dataset, row);
  if (result == CLI_EXIT_OK) {
    view = panel_view(&figure);
    status = s4seg_image_save_png(path, &view);
    if (status != S4SEG_OK) result = cli_fail(status);
  }
  panel_free(&figure);
  return result;
}
