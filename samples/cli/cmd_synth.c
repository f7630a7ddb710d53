/* `s4seg synth`: writes the built-in synthetic scenes as PNG files in the list-file layout, so a
 * user can see (and train/evaluate on) exactly the layout `s4seg train` and `s4seg eval` read. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "fsutil.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg synth --out DIR [--train N] [--val N] [--size S] [--classes C] [--seed S]\n"
    "\n"
    "Writes synthetic scenes as DIR/images/<split>_NNNNN.png with class-index masks\n"
    "DIR/masks/<split>_NNNNN.png (255 = ignore), and the list files DIR/train.txt and DIR/val.txt\n"
    "('images/... masks/...' per line, relative to DIR).\n"
    "\n"
    "options:\n"
    "  --out DIR       output folder (created if missing)\n"
    "  --train N       training samples (default 64)\n"
    "  --val N         validation samples (default 16; 0 = none)\n"
    "  --size S        square image size in pixels (default 96)\n"
    "  --classes C     number of classes, background included (default 4)\n"
    "  --seed S        generator seed (default 1; validation uses S + 1)\n";

/* Writes `count` samples of one split; returns an exit status. */
static int write_split(const char* dir, const char* split, int64_t count, int32_t size, int32_t classes, uint64_t seed) {
  s4seg_dataset* ds = NULL;
  FILE* list = NULL;
  char path[4096];
  int result = CLI_EXIT_OK;
  int64_t i;
  s4seg_status status = s4seg_dataset_create(&ds);
  if (status == S4SEG_OK) status = s4seg_dataset_add_synthetic(ds, count, size, size, classes, seed);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  snprintf(path, sizeof path, "%s/%s.txt", dir, split);
  list = fopen(path, "w");
  if (list == NULL) {
    result = cli_error("cannot create '%s'", path);
    goto done;
  }
  for (i = 0; i < count; ++i) {
    s4seg_image *image = NULL, *mask = NULL;
    s4seg_image_view iv, mv;
    char image_rel[64], mask_rel[64];
    snprintf(image_rel, sizeof image_rel, "images/%s_%05" PRId64 ".png", split, i);
    snprintf(mask_rel, sizeof mask_rel, "masks/%s_%05" PRId64 ".png", split, i);
    status = s4seg_dataset_get(ds, i, &image, &mask);
    if (status == S4SEG_OK) status = s4seg_image_get_view(image, &iv);
    if (status == S4SEG_OK) status = s4seg_image_get_view(mask, &mv);
    if (status == S4SEG_OK) {
      snprintf(path, sizeof path, "%s/%s", dir, image_rel);
      status = s4seg_image_save_png(path, &iv);
    }
    if (status == S4SEG_OK) {
      snprintf(path, sizeof path, "%s/%s", dir, mask_rel);
      status = s4seg_image_save_png(path, &mv);
    }
    s4seg_image_free(image);
    s4seg_image_free(mask);
    if (status != S4SEG_OK) {
      result = cli_fail(status);
      goto done;
    }
    fprintf(list, "%s %s\n", image_rel, mask_rel);
  }
  printf("wrote %" PRId64 " %s samples, list %s/%s.txt\n", count, split, dir, split);
done:
  if (list != NULL && fclose(list) != 0 && result == CLI_EXIT_OK) result = cli_error("cannot write the %s list", split);
  s4seg_dataset_free(ds);
  return result;
}

static int run(int argc, char** argv) {
  const char* out = NULL;
  int64_t train = 64, val = 16, size = 96, classes = 4, seed = 1;
  arg_spec specs[] = {{"--out", ARG_STRING, 1, &out, 0, 0},       {"--train", ARG_INT, 0, &train, 1, 0},
                      {"--val", ARG_INT, 0, &val, 0, 0},          {"--size", ARG_INT, 0, &size, 1, 0},
                      {"--classes", ARG_INT, 0, &classes, 1, 0},  {"--seed", ARG_INT, 0, &seed, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  char sub[4096];
  int result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  args_free(specs, NULL);
  if (size > 4096 || classes > 255) return cli_usage_error("synth", kUsage, "--size or --classes too large");
  snprintf(sub, sizeof sub, "%s/images", out);
  if (fs_make_dirs(sub) != 0) return cli_error("cannot create '%s'", sub);
  snprintf(sub, sizeof sub, "%s/masks", out);
  if (fs_make_dirs(sub) != 0) return cli_error("cannot create '%s'", sub);
  result = write_split(out, "train", train, (int32_t)size, (int32_t)classes, (uint64_t)seed);
  if (result == CLI_EXIT_OK && val > 0) result = write_split(out, "val", val, (int32_t)size, (int32_t)classes, (uint64_t)seed + 1);
  return result;
}

const cli_command cmd_synth = {"synth", "write synthetic scenes as PNG files and list files", kUsage, run};
