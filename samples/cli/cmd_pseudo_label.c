/* `s4seg pseudo-label`: runs a trained model (the teacher) through a pseudo-label filter on the
 * images of a list file and writes, per image, the filtered labels, the confidence and an overlay,
 * and a summary.json of per-class keep ratios. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "config_util.h"
#include "fsutil.h"
#include "json_writer.h"
#include "palette.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg pseudo-label --model MODEL --root DIR --list LIST --out DIR [options]\n"
    "\n"
    "Runs MODEL (the teacher) on every image of LIST (the first column of each 'IMAGE [MASK]' line,\n"
    "paths relative to DIR; masks are ignored), filters its predictions with the pseudo-label filter\n"
    "(pseudo.* keys) and writes into the folder DIR given to --out (created if missing):\n"
    "  <stem>_label.png    class indices, 255 where the filter dropped the pixel\n"
    "  <stem>_conf.png     the teacher's confidence in its class, 0..255 grey\n"
    "  <stem>_overlay.png  the image with kept pixels tinted by their class colour\n"
    "  summary.json        model, filter, image count, per-class predicted and kept pixels and\n"
    "                      keep ratios, overall keep ratio\n"
    "<stem> is the image file name without folder and extension; two images with the same stem are\n"
    "an error. Configuration is applied in order: the model's own, --config FILE, each --set.\n"
    "\n"
    "options:\n"
    "  --model MODEL     model file (or trainer checkpoint)\n"
    "  --root DIR        folder the list paths are relative to\n"
    "  --list LIST       list file of images\n"
    "  --out DIR         output folder\n"
    "  --device D        auto (default), cpu, cuda or cuda:N\n"
    "  --config FILE     'key = value' lines, e.g. pseudo.filter = entropy\n"
    "  --set KEY=VALUE   any configuration key; may be repeated (pseudo.filter, pseudo.threshold, ...)\n";

#define SUMMARY_NAME "summary.json"
/* What the labeler does with pseudo.filter = auto (s4seg.h, "Pseudo-labels"). */
#define LABELER_AUTO_FILTER "threshold"

typedef struct pseudo_options {
  const char *model, *root, *list, *out, *device, *config_file;
  arg_list sets;
} pseudo_options;

/* ---- the list file ----------------------------------------------------------------------- */

typedef struct list_entry {
  int number; /* 1-based position in the list */
  char* path; /* image path joined with the root, as the library resolved it */
  char* stem; /* output name prefix */
} list_entry;

typedef struct entry_list {
  list_entry* items;
  size_t count;
} entry_list;

static void entry_list_free(entry_list* list) {
  size_t i;
  for (i = 0; i < list->count; ++i) {
    free(list->items[i].path);
    free(list->items[i].stem);
  }
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

/* s4seg_dataset_image_path as a cli_text_getter: `source` is the dataset. */
static s4seg_status get_image_path(const void* source, int64_t index, char* buf, size_t capacity, size_t* needed) {
  return s4seg_dataset_image_path((const s4seg_dataset*)source, index, buf, capacity, needed);
}

/* The images of a list file, read by the library (s4seg_dataset_add_list: its comments, fields and
 * checks, with errors naming the list line). */
static int read_list(const char* root, const char* list_path, entry_list* out) {
  s4seg_dataset* dataset = NULL;
  int64_t size = 0, i;
  int result = CLI_EXIT_OK;
  s4seg_status status = s4seg_dataset_create(&dataset);
  if (status == S4SEG_OK) status = s4seg_dataset_add_list(dataset, root, list_path);
  if (status == S4SEG_OK) status = s4seg_dataset_size(dataset, &size);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    s4seg_dataset_free(dataset);
    return result;
  }
  if (size == 0) {
    s4seg_dataset_free(dataset);
    return cli_error("%s: no images listed", list_path);
  }
  out->items = calloc((size_t)size, sizeof *out->items);
  if (out->items == NULL) result = cli_error("out of memory");
  for (i = 0; i < size && result == CLI_EXIT_OK; ++i) {
    list_entry* entry = &out->items[i];
    entry->number = (int)(i + 1);
    entry->path = cli_read_text(get_image_path, dataset, i);
    if (entry->path == NULL) {
      result = CLI_EXIT_FAILURE;
      break;
    }
    ++out->count;
    entry->stem = fs_stem(entry->path);
    if (entry->stem == NULL) result = cli_error("out of memory");
  }
  s4seg_dataset_free(dataset);
  return result;
}

static int compare_stems(const void* a, const void* b) {
  const list_entry* x = *(const list_entry* const*)a;
  const list_entry* y = *(const list_entry* const*)b;
  int order = strcmp(x->stem, y->stem);
  return order != 0 ? order : (x->number > y->number) - (x->number < y->number);
}

/* Fails when two entries share a stem: their output files would overwrite each other. */
static int check_unique_stems(const entry_list* list, const char* list_path) {
  const list_entry** sorted = malloc(list->count * sizeof *sorted);
  size_t i;
  int result = CLI_EXIT_OK;
  if (sorted == NULL) return cli_error("out of memory");
  for (i = 0; i < list->count; ++i) sorted[i] = &list->items[i];
  qsort(sorted, list->count, sizeof *sorted, compare_stems);
  for (i = 1; i < list->count && result == CLI_EXIT_OK; ++i)
    if (strcmp(sorted[i - 1]->stem, sorted[i]->stem) == 0)
      result = cli_error("%s: images %d and %d of the list share the stem '%s' ('%s', '%s'); their outputs "
                         "would overwrite each other: rename one or label them into different folders",
                         list_path, sorted[i - 1]->number, sorted[i]->number, sorted[i]->stem, sorted[i - 1]->path,
                         sorted[i]->path);
  free(sorted);
  return result;
}

/* ---- labelling --------------------------------------------------------------------------- */

/* Everything the images share: the labeler and the running per-class counts. */
typedef struct labelling {
  s4seg_labeler* labeler;
  const char* dir;
  size_t classes;
  uint64_t* predicted; /* classes counts of this image */
  uint64_t* kept;
  uint64_t* total_predicted; /* classes counts over all images */
  uint64_t* total_kept;
} labelling;

/* Buffers and outputs of one image. */
typedef struct labelled_image {
  s4seg_image* image;
  s4seg_image* labels;
  s4seg_image* confidence;
  uint8_t* overlay;
  char* label_path;
  char* conf_path;
  char* overlay_path;
} labelled_image;

static void labelled_image_free(labelled_image* l) {
  s4seg_image_free(l->image);
  s4seg_image_free(l->labels);
  s4seg_image_free(l->confidence);
  free(l->overlay);
  free(l->label_path);
  free(l->conf_path);
  free(l->overlay_path);
}

/* Returns malloc'd "<dir>/<stem><suffix>"; NULL when out of memory. */
static char* output_path(const char* dir, const char* stem, const char* suffix) {
  size_t length = strlen(stem) + strlen(suffix) + 1;
  char* name = malloc(length);
  char* path;
  if (name == NULL) return NULL;
  snprintf(name, length, "%s%s", stem, suffix);
  path = fs_join(dir, name);
  free(name);
  return path;
}

static int label_one(labelling* l, const list_entry* entry) {
  labelled_image li;
  s4seg_image_view view, labels, confidence, overlay;
  size_t rgb_bytes = 0, c;
  uint64_t predicted = 0, kept = 0;
  char ratio_text[32];
  int result = CLI_EXIT_OK;
  s4seg_status status;
  memset(&li, 0, sizeof li);
  status = s4seg_image_load(entry->path, S4SEG_IMAGE_AUTO, &li.image);
  if (status == S4SEG_OK) status = s4seg_image_get_view(li.image, &view);
  if (status == S4SEG_OK)
    status = s4seg_labeler_run(l->labeler, &view, &li.labels, &li.confidence, l->predicted, l->kept, l->classes);
  if (status == S4SEG_OK) status = s4seg_image_get_view(li.labels, &labels);
  if (status == S4SEG_OK) status = s4seg_image_get_view(li.confidence, &confidence);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  if (labels.width != view.width || labels.height != view.height || labels.channels != 1) {
    result = cli_error("%s: the labeler returned %dx%dx%d labels for a %dx%d image", entry->path, (int)labels.width,
                       (int)labels.height, (int)labels.channels, (int)view.width, (int)view.height);
    goto done;
  }
  if (cli_pixel_bytes(view.width, view.height, 3, &rgb_bytes) != 0) {
    result = cli_error("%s: image of %dx%d is too large", entry->path, (int)view.width, (int)view.height);
    goto done;
  }
  li.overlay = malloc(rgb_bytes);
  li.label_path = output_path(l->dir, entry->stem, "_label.png");
  li.conf_path = output_path(l->dir, entry->stem, "_conf.png");
  li.overlay_path = output_path(l->dir, entry->stem, "_overlay.png");
  if (li.overlay == NULL || li.label_path == NULL || li.conf_path == NULL || li.overlay_path == NULL) {
    result = cli_error("out of memory");
    goto done;
  }
  palette_overlay_kept(&view, &labels, li.overlay);
  overlay = cli_view(li.overlay, view.width, view.height, 3);
  status = s4seg_image_save_png(li.label_path, &labels);
  if (status == S4SEG_OK) status = s4seg_image_save_png(li.conf_path, &confidence);
  if (status == S4SEG_OK) status = s4seg_image_save_png(li.overlay_path, &overlay);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  for (c = 0; c < l->classes; ++c) {
    predicted += l->predicted[c];
    kept += l->kept[c];
    l->total_predicted[c] += l->predicted[c];
    l->total_kept[c] += l->kept[c];
  }
  if (predicted > 0)
    cli_fmt_ratio((double)kept / (double)predicted, ratio_text, sizeof ratio_text);
  else
    snprintf(ratio_text, sizeof ratio_text, "n/a");
  printf("%s -> %s, %s, %s (%dx%d, keep %s)\n", entry->path, li.label_path, li.conf_path, li.overlay_path,
         (int)view.width, (int)view.height, ratio_text);
  fflush(stdout);
done:
  labelled_image_free(&li);
  return result;
}

/* ---- summary.json ------------------------------------------------------------------------ */

/* kept / predicted, or null when nothing was predicted. */
static void put_ratio(json_writer* w, uint64_t kept, uint64_t predicted) {
  if (predicted == 0)
    json_null(w);
  else
    json_fixed(w, (double)kept / (double)predicted, 6);
}

typedef struct summary {
  const char* model;
  const char* list;
  const char* filter;           /* pseudo.filter as configured */
  const char* filter_effective; /* what the labeler applies */
  size_t images;
} summary;

static void put_summary(FILE* file, const summary* s, const labelling* l) {
  uint64_t predicted = 0, kept = 0;
  size_t c;
  json_writer w;
  json_begin(&w, file);
  json_object_begin(&w);
  json_member_string(&w, "model", s->model);
  json_member_string(&w, "list", s->list);
  json_member_string(&w, "filter", s->filter);
  json_member_string(&w, "filter_effective", s->filter_effective);
  json_member_int(&w, "images", (int64_t)s->images);
  json_member_int(&w, "num_classes", (int64_t)l->classes);
  json_key(&w, "classes");
  json_array_begin(&w);
  for (c = 0; c < l->classes; ++c) {
    json_object_begin(&w);
    json_member_int(&w, "class", (int64_t)c);
    json_member_int(&w, "predicted", (int64_t)l->total_predicted[c]);
    json_member_int(&w, "kept", (int64_t)l->total_kept[c]);
    json_key(&w, "keep_ratio");
    put_ratio(&w, l->total_kept[c], l->total_predicted[c]);
    json_object_end(&w);
    predicted += l->total_predicted[c];
    kept += l->total_kept[c];
  }
  json_array_end(&w);
  json_member_int(&w, "predicted", (int64_t)predicted);
  json_member_int(&w, "kept", (int64_t)kept);
  json_key(&w, "keep_ratio");
  put_ratio(&w, kept, predicted);
  json_object_end(&w);
  json_end_line(&w);
}

/* Writes DIR/summary.json through a temporary file and a rename, so that a reader never sees half
 * of it. */
static int write_summary(const char* dir, const summary* s, const labelling* l) {
  char* path = fs_join(dir, SUMMARY_NAME);
  char* temporary = fs_join(dir, SUMMARY_NAME ".tmp");
  FILE* file = NULL;
  int result = CLI_EXIT_OK;
  if (path == NULL || temporary == NULL) {
    result = cli_error("out of memory");
    goto done;
  }
  file = fopen(temporary, "w");
  if (file == NULL) {
    result = cli_error("cannot create '%s': %s", temporary, strerror(errno));
    goto done;
  }
  put_summary(file, s, l);
  if (ferror(file) != 0) {
    result = cli_error("cannot write '%s'", temporary);
    fclose(file);
  } else if (fclose(file) != 0) {
    result = cli_error("cannot write '%s': %s", temporary, strerror(errno));
  } else if (rename(temporary, path) != 0) {
    result = cli_error("cannot rename '%s' to '%s': %s", temporary, path, strerror(errno));
  }
  if (result != CLI_EXIT_OK)
    remove(temporary);
  else
    printf("wrote %s\n", path);
done:
  free(path);
  free(temporary);
  return result;
}

/* ---- the command ------------------------------------------------------------------------- */

/* The model's configuration, then --config, then each --set (config_build). */
static int build_config(const pseudo_options* o, const s4seg_model* model, s4seg_config** out) {
  s4seg_config* base = NULL;
  int result;
  s4seg_status status = s4seg_model_get_config(model, &base);
  if (status != S4SEG_OK) return cli_fail(status);
  result = config_build(base, o->config_file, NULL, 0, &o->sets, out);
  s4seg_config_free(base);
  return result;
}

static int pseudo_label(const pseudo_options* o) {
  entry_list entries = {NULL, 0};
  s4seg_model* model = NULL;
  s4seg_config* config = NULL;
  char* filter = NULL;
  labelling l;
  summary s;
  int32_t classes = 0;
  size_t i;
  s4seg_status status;
  int result;
  memset(&l, 0, sizeof l);
  /* Check the whole list before the (slow) model load and before writing anything. */
  result = read_list(o->root, o->list, &entries);
  if (result == CLI_EXIT_OK) result = check_unique_stems(&entries, o->list);
  if (result != CLI_EXIT_OK) goto done;
  status = s4seg_model_load(o->model, o->device, &model);
  if (status == S4SEG_OK) status = s4seg_model_num_classes(model, &classes);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  result = build_config(o, model, &config);
  if (result == CLI_EXIT_OK) result = config_get_string(config, "pseudo.filter", &filter);
  if (result != CLI_EXIT_OK) goto done;
  status = s4seg_labeler_create(model, config, &l.labeler);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  l.dir = o->out;
  l.classes = classes > 0 ? (size_t)classes : 0;
  l.predicted = calloc(l.classes + 1, sizeof *l.predicted);
  l.kept = calloc(l.classes + 1, sizeof *l.kept);
  l.total_predicted = calloc(l.classes + 1, sizeof *l.total_predicted);
  l.total_kept = calloc(l.classes + 1, sizeof *l.total_kept);
  if (l.predicted == NULL || l.kept == NULL || l.total_predicted == NULL || l.total_kept == NULL) {
    result = cli_error("out of memory");
    goto done;
  }
  if (fs_make_dirs(o->out) != 0) {
    result = cli_error("cannot create folder '%s': %s", o->out, strerror(errno));
    goto done;
  }
  for (i = 0; i < entries.count && result == CLI_EXIT_OK; ++i) result = label_one(&l, &entries.items[i]);
  if (result != CLI_EXIT_OK) goto done;
  s.model = o->model;
  s.list = o->list;
  s.filter = filter;
  s.filter_effective = strcmp(filter, "auto") == 0 ? LABELER_AUTO_FILTER : filter;
  s.images = entries.count;
  result = write_summary(o->out, &s, &l);
  if (result == CLI_EXIT_OK) {
    uint64_t predicted = 0, kept = 0;
    char ratio_text[32];
    size_t c;
    for (c = 0; c < l.classes; ++c) {
      predicted += l.total_predicted[c];
      kept += l.total_kept[c];
    }
    printf("labelled %lu images with the %s filter: kept %" PRIu64 " of %" PRIu64 " pixels (keep ratio %s)\n",
           (unsigned long)entries.count, s.filter_effective, kept, predicted,
           predicted > 0 ? cli_fmt_ratio((double)kept / (double)predicted, ratio_text, sizeof ratio_text) : "n/a");
  }
done:
  free(l.predicted);
  free(l.kept);
  free(l.total_predicted);
  free(l.total_kept);
  s4seg_labeler_free(l.labeler);
  free(filter);
  s4seg_config_free(config);
  s4seg_model_free(model);
  entry_list_free(&entries);
  return result;
}

static int run(int argc, char** argv) {
  pseudo_options o;
  arg_spec specs[] = {{"--model", ARG_STRING, 1, &o.model, 0, 0},
                      {"--root", ARG_STRING, 1, &o.root, 0, 0},
                      {"--list", ARG_STRING, 1, &o.list, 0, 0},
                      {"--out", ARG_STRING, 1, &o.out, 0, 0},
                      {"--device", ARG_STRING, 0, &o.device, 0, 0},
                      {"--config", ARG_STRING, 0, &o.config_file, 0, 0},
                      {"--set", ARG_LIST, 0, &o.sets, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  int result;
  memset(&o, 0, sizeof o);
  result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  result = config_check_assignments(argv[0], kUsage, &o.sets);
  if (result == ARGS_CONTINUE && o.out[0] == '\0')
    result = cli_usage_error(argv[0], kUsage, "--out needs a folder name");
  if (result == ARGS_CONTINUE) result = pseudo_label(&o);
  args_free(specs, NULL);
  return result;
}

const cli_command cmd_pseudo_label = {"pseudo-label",
                                      "write filtered pseudo-labels, confidences and overlays for a list", kUsage, run};
