/* The demo's figure (see demo_figure.h). */
#include "demo_figure.h"

#include <stdlib.h>
#include <string.h>

#include "palette.h"
#include "png_panel.h"
#include "util.h"

/* Small synthetic scenes are drawn 3x so the figure is legible. */
#define FIGURE_SCALE 3

/* The columns, left to right. */
enum {
  COLUMN_IMAGE = 0,
  COLUMN_TRUTH = 1,
  COLUMN_SUPERVISED = 2,
  COLUMN_SEMI = 3,
  COLUMN_PSEUDO = 4,
  FIGURE_COLUMNS = 5
};

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
      (figure->rgb == NULL && panel_init(figure, rows, FIGURE_COLUMNS, view.width, view.height, gap, FIGURE_SCALE) != 0)) {
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
