/* `s4seg eval`: evaluates a saved model on a list file; a table, or one JSON line. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "dataset_open.h"
#include "json_writer.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg eval --model MODEL --root DIR --list LIST [--layout NAME] [--device D] [--json]\n"
    "\n"
    "Evaluates MODEL on the masked samples of LIST (one 'IMAGE MASK' per line, paths relative to\n"
    "DIR; mask pixels 255 are ignored) and prints per-class IoU, mIoU and pixel accuracy.\n"
    "\n"
    "options:\n"
    "  --model MODEL   model file (or trainer checkpoint)\n"
    "  --root DIR      folder the list paths are relative to\n"
    "  --list LIST     list file of samples with masks (with --layout also a split name)\n"
    "  --layout NAME   list (default), voc or cityscapes (docs/datasets.md)\n"
    "  --device D      auto (default), cpu, cuda or cuda:N\n"
    "  --json          print one JSON line: {\"miou\":..,\"pixel_accuracy\":..,\"iou\":[..],\n"
    "                  \"num_classes\":N,\"samples\":K}; classes absent from both ground truth\n"
    "                  and prediction are null\n";

typedef struct eval_result {
  double miou;
  double accuracy;
  double* class_iou;
  char (*class_names)[64];
  int32_t num_classes;
  int64_t samples;
} eval_result;

/* A class the ground truth or the prediction holds whose IoU is exactly 0: the model never gets
 * one of its pixels right (a rare class that stayed at 0). Absent classes are NaN, not 0. */
static int zero_iou(const eval_result* r, int32_t c) { return r->class_iou[c] == 0.0; }

static void print_json(const eval_result* r) {
  json_writer w;
  int32_t c;
  json_begin(&w, stdout);
  json_object_begin(&w);
  json_member_fixed(&w, "miou", r->miou, 6);
  json_member_fixed(&w, "pixel_accuracy", r->accuracy, 6);
  json_key(&w, "iou");
  json_array_begin(&w);
  for (c = 0; c < r->num_classes; ++c) json_fixed(&w, r->class_iou[c], 6);
  json_array_end(&w);
  json_key(&w, "zero_iou_classes");
  json_array_begin(&w);
  for (c = 0; c < r->num_classes; ++c)
    if (zero_iou(r, c)) json_int(&w, c);
  json_array_end(&w);
  json_member_int(&w, "num_classes", r->num_classes);
  json_member_int(&w, "samples", r->samples);
  json_object_end(&w);
  json_end_line(&w);
}

static void print_table(const eval_result* r) {
  char text[32];
  int32_t c;
  printf("%-5s  %-16s  %s\n", "class", "name", "IoU");
  int zeros = 0;
  for (c = 0; c < r->num_classes; ++c) {
    printf("%-5" PRId32 "  %-16s  %s%s\n", c, r->class_names[c], cli_fmt_ratio(r->class_iou[c], text, sizeof text),
           zero_iou(r, c) ? "  <- never right" : "");
    zeros += zero_iou(r, c);
  }
  if (zeros > 0)
    printf("\n%d class(es) at IoU 0: present in the ground truth or the prediction, never matched\n", zeros);
  printf("\nmIoU            %s\n", cli_fmt_ratio(r->miou, text, sizeof text));
  printf("pixel accuracy  %s\n", cli_fmt_ratio(r->accuracy, text, sizeof text));
  printf("samples         %" PRId64 "\n", r->samples);
}

/* Reads every class name; a name longer than the table's column buffer is cut (the model keeps it
 * whole). */
static s4seg_status read_class_names(const s4seg_model* model, eval_result* r) {
  int32_t c;
  for (c = 0; c < r->num_classes; ++c) {
    size_t needed = 0;
    char* whole;
    s4seg_status status = s4seg_model_class_name(model, c, r->class_names[c], sizeof r->class_names[c], &needed);
    if (status != S4SEG_BUFFER_TOO_SMALL) {
      if (status != S4SEG_OK) return status;
      continue;
    }
    whole = malloc(needed);
    if (whole == NULL) return S4SEG_OUT_OF_MEMORY;
    status = s4seg_model_class_name(model, c, whole, needed, &needed);
    if (status == S4SEG_OK) snprintf(r->class_names[c], sizeof r->class_names[c], "%s", whole);
    free(whole);
    if (status != S4SEG_OK) return status;
  }
  return S4SEG_OK;
}

static int evaluate(const char* model_path, const char* root, const char* list, s4seg_layout layout, const char* device,
                    int json) {
  s4seg_model* model = NULL;
  s4seg_dataset* dataset = NULL;
  eval_result r = {0.0, 0.0, NULL, NULL, 0, 0};
  int result = CLI_EXIT_OK;
  s4seg_status status = s4seg_model_load(model_path, device, &model);
  if (status == S4SEG_OK) status = s4seg_model_num_classes(model, &r.num_classes);
  if (status == S4SEG_OK) status = dataset_open(root, list, layout, 0u, 0, &dataset);
  if (status == S4SEG_OK) status = s4seg_dataset_size(dataset, &r.samples);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  r.class_iou = malloc((size_t)(r.num_classes > 0 ? r.num_classes : 1) * sizeof *r.class_iou);
  r.class_names = malloc((size_t)(r.num_classes > 0 ? r.num_classes : 1) * sizeof *r.class_names);
  if (r.class_iou == NULL || r.class_names == NULL) {
    result = cli_error("out of memory");
    goto done;
  }
  status = read_class_names(model, &r);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  status = s4seg_model_evaluate(model, dataset, &r.miou, &r.accuracy, r.class_iou, (size_t)r.num_classes);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  if (json)
    print_json(&r);
  else
    print_table(&r);
done:
  free(r.class_iou);
  free(r.class_names);
  s4seg_dataset_free(dataset);
  s4seg_model_free(model);
  return result;
}

static int run(int argc, char** argv) {
  const char *model = NULL, *root = NULL, *list = NULL, *device = NULL, *layout_name = "list";
  s4seg_layout layout = S4SEG_LAYOUT_LIST;
  int json = 0;
  arg_spec specs[] = {{"--model", ARG_STRING, 1, &model, 0, 0},
                      {"--root", ARG_STRING, 1, &root, 0, 0},
                      {"--list", ARG_STRING, 1, &list, 0, 0},
                      {"--layout", ARG_STRING, 0, &layout_name, 0, 0},
                      {"--device", ARG_STRING, 0, &device, 0, 0},
                      {"--json", ARG_FLAG, 0, &json, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  int result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  args_free(specs, NULL);
  if (dataset_layout_from_name(layout_name, &layout) != 0)
    return cli_usage_error(argv[0], kUsage, "--layout must be list, voc or cityscapes, not '%s'", layout_name);
  return evaluate(model, root, list, layout, device, json);
}

const cli_command cmd_eval = {"eval", "evaluate a model on a list file (mIoU, pixel accuracy)", kUsage, run};
