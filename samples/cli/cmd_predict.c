/* `s4seg predict`: writes a class map and a colour overlay for each image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "fsutil.h"
#include "palette.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg predict --model MODEL --out DIR [--device D] IMAGE...\n"
    "\n"
    "For each IMAGE (PNG or JPEG) writes DIR/<name>.png, the class index of every pixel (8-bit\n"
    "grey), and DIR/<name>_overlay.png, the image blended with the colour of each class.\n"
    "DIR is created if missing.\n"
    "\n"
    "options:\n"
    "  --model MODEL   model file (or trainer checkpoint)\n"
    "  --out DIR       output folder\n"
    "  --device D      auto (default), cpu, cuda or cuda:N\n";

/* Paths and buffers of one image. */
typedef struct prediction {
  s4seg_image* image;
  uint8_t* labels;  /* width * height */
  uint8_t* overlay; /* width * height * 3 */
  char* labels_path;
  char* overlay_path;
} prediction;

static void prediction_free(prediction* p) {
  s4seg_image_free(p->image);
  free(p->labels);
  free(p->overlay);
  free(p->labels_path);
  free(p->overlay_path);
}

static int allocate(prediction* p, const s4seg_image_view* view, const char* dir, const char* path, size_t* pixels) {
  size_t rgb_bytes;
  if (cli_pixel_bytes(view->width, view->height, 1, pixels) != 0 ||
      cli_pixel_bytes(view->width, view->height, 3, &rgb_bytes) != 0)
    return cli_error("%s: image of %dx%d is too large", path, (int)view->width, (int)view->height);
  p->labels = malloc(*pixels);
  p->overlay = malloc(rgb_bytes);
  p->labels_path = fs_output_path(dir, path, ".png");
  p->overlay_path = fs_output_path(dir, path, "_overlay.png");
  if (p->labels == NULL || p->overlay == NULL || p->labels_path == NULL || p->overlay_path == NULL)
    return cli_error("out of memory");
  return CLI_EXIT_OK;
}

static int predict_one(s4seg_model* model, const char* dir, const char* path) {
  prediction p;
  s4seg_image_view view, out;
  size_t pixels = 0;
  int result;
  s4seg_status status;
  memset(&p, 0, sizeof p);
  status = s4seg_image_load(path, S4SEG_IMAGE_AUTO, &p.image);
  if (status == S4SEG_OK) status = s4seg_image_get_view(p.image, &view);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  result = allocate(&p, &view, dir, path, &pixels);
  if (result != CLI_EXIT_OK) goto done;
  status = s4seg_model_predict(model, &view, p.labels, pixels, NULL, 0);
  out = cli_view(p.labels, view.width, view.height, 1);
  if (status == S4SEG_OK) status = s4seg_image_save_png(p.labels_path, &out);
  if (status == S4SEG_OK) {
    palette_overlay(&view, p.labels, p.overlay);
    out = cli_view(p.overlay, view.width, view.height, 3);
    status = s4seg_image_save_png(p.overlay_path, &out);
  }
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  printf("%s -> %s, %s (%dx%d)\n", path, p.labels_path, p.overlay_path, (int)view.width, (int)view.height);
  fflush(stdout);
done:
  prediction_free(&p);
  return result;
}

static int predict(const char* model_path, const char* dir, const char* device, const arg_list* images) {
  s4seg_model* model = NULL;
  int i, result = CLI_EXIT_OK;
  s4seg_status status;
  if (fs_make_dirs(dir) != 0) return cli_error("cannot create folder '%s': %s", dir, strerror(errno));
  status = s4seg_model_load(model_path, device, &model);
  if (status != S4SEG_OK) return cli_fail(status);
  for (i = 0; i < images->count && result == CLI_EXIT_OK; ++i) result = predict_one(model, dir, images->items[i]);
  s4seg_model_free(model);
  return result;
}

static int run(int argc, char** argv) {
  const char *model = NULL, *out = NULL, *device = NULL;
  arg_list images;
  arg_spec specs[] = {{"--model", ARG_STRING, 1, &model, 0, 0},
                      {"--out", ARG_STRING, 1, &out, 0, 0},
                      {"--device", ARG_STRING, 0, &device, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  int result = args_parse(argc, argv, specs, &images, kUsage);
  if (result != ARGS_CONTINUE) return result;
  if (images.count == 0)
    result = cli_usage_error(argv[0], kUsage, "missing IMAGE");
  else if (out[0] == '\0')
    result = cli_usage_error(argv[0], kUsage, "--out needs a folder name");
  else
    result = predict(model, out, device, &images);
  args_free(specs, &images);
  return result;
}

const cli_command cmd_predict = {"predict", "write class maps and overlays for images", kUsage, run};
