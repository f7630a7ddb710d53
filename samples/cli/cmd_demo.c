/* `s4seg demo`: trains a small model on synthetic scenes, prints how validation mIoU improves,
 * and writes a figure of input | ground truth | prediction. */
#include <inttypes.h>
#include <stdio.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "demo_figure.h"
#include "util.h"

/* Every number of the demo, to tune in one place. */
#define DEMO_DEVICE "auto"
#define DEMO_OUT "s4seg-demo.png"
#define DEMO_BACKBONE "resnet18"
#define DEMO_WIDTH 16
#define DEMO_OUTPUT_STRIDE 8
#define DEMO_ASPP_CHANNELS 64
#define DEMO_LOW_LEVEL_CHANNELS 24
#define DEMO_NUM_CLASSES 4
#define DEMO_BATCH_SIZE 8
#define DEMO_CROP_SIZE 64
#define DEMO_ITERS 300
#define DEMO_LR 0.05
#define DEMO_SCALE_MIN 0.75
#define DEMO_SCALE_MAX 1.5
#define DEMO_LOG_EVERY 25
#define DEMO_IMAGE_SIZE 64     /* synthetic scenes are DEMO_IMAGE_SIZE squared */
#define DEMO_TRAIN_COUNT 96
#define DEMO_TRAIN_SEED 1
#define DEMO_VAL_COUNT 24
#define DEMO_VAL_SEED 2
#define DEMO_EVAL_EVERY 50     /* iterations per training chunk between evaluations */
#define DEMO_FIGURE_ROWS 4     /* validation samples shown in the figure */
#define DEMO_FIGURE_GAP 2      /* white pixels between figure cells */

#define DEMO_STRINGIFY_(x) #x
#define DEMO_STRINGIFY(x) DEMO_STRINGIFY_(x)

static const char kUsage[] =
    "usage: s4seg demo [--device D] [--out PNG] [--iters N]\n"
    "\n"
    "Trains a small DeepLabV3+ (ResNet-18, reduced width) on synthetic scenes of textured shapes,\n"
    "prints validation mIoU as training goes, and writes a figure with one row per validation\n"
    "sample: input | ground truth | prediction.\n"
    "\n"
    "options:\n"
    "  --device D   auto, cpu, cuda or cuda:N (default " DEMO_DEVICE ")\n"
    "  --out PNG    figure to write (default " DEMO_OUT ")\n"
    "  --iters N    training iterations (default " DEMO_STRINGIFY(DEMO_ITERS) ")\n";

static s4seg_status demo_config(s4seg_config* config, const char* device, int64_t iters) {
  s4seg_status s = s4seg_config_set_string(config, "device", device);
  if (s == S4SEG_OK) s = s4seg_config_set_string(config, "model.backbone", DEMO_BACKBONE);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "model.width", DEMO_WIDTH);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "model.output_stride", DEMO_OUTPUT_STRIDE);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "model.aspp_channels", DEMO_ASPP_CHANNELS);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "model.low_level_channels", DEMO_LOW_LEVEL_CHANNELS);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "model.num_classes", DEMO_NUM_CLASSES);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "train.batch_size", DEMO_BATCH_SIZE);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "train.crop_size", DEMO_CROP_SIZE);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "train.iters", iters);
  if (s == S4SEG_OK) s = s4seg_config_set_double(config, "train.lr", DEMO_LR);
  if (s == S4SEG_OK) s = s4seg_config_set_double(config, "train.scale_min", DEMO_SCALE_MIN);
  if (s == S4SEG_OK) s = s4seg_config_set_double(config, "train.scale_max", DEMO_SCALE_MAX);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "train.log_every", DEMO_LOG_EVERY);
  return s;
}

static s4seg_status demo_datasets(s4seg_dataset* train, s4seg_dataset* val) {
  s4seg_status s = s4seg_dataset_add_synthetic(train, DEMO_TRAIN_COUNT, DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE,
                                               DEMO_NUM_CLASSES, DEMO_TRAIN_SEED);
  if (s == S4SEG_OK)
    s = s4seg_dataset_add_synthetic(val, DEMO_VAL_COUNT, DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE, DEMO_NUM_CLASSES,
                                    DEMO_VAL_SEED);
  return s;
}

/* One table row; `loss` is NULL before training. */
static void print_row(int64_t iteration, const double* loss, double miou, double accuracy, double seconds) {
  char text[32], miou_text[32], accuracy_text[32];
  if (loss != NULL)
    snprintf(text, sizeof text, "%.4f", *loss);
  else
    snprintf(text, sizeof text, "-");
  printf("%6" PRId64 "  %8s  %7s  %7s  %8.1f\n", iteration, text, cli_fmt_ratio(miou, miou_text, sizeof miou_text),
         cli_fmt_ratio(accuracy, accuracy_text, sizeof accuracy_text), seconds);
  fflush(stdout);
}

static void print_class_iou(const double* class_iou) {
  char text[32];
  int c;
  printf("per-class IoU:\n");
  for (c = 0; c < DEMO_NUM_CLASSES; ++c) printf("  class %d  %s\n", c, cli_fmt_ratio(class_iou[c], text, sizeof text));
}

/* Trains in chunks of DEMO_EVAL_EVERY, printing a row after each; leaves the last per-class IoU
 * in `class_iou` and the first and last mIoU in `first` and `last`. */
static int train_and_report(s4seg_model* model, s4seg_trainer* trainer, const s4seg_dataset* val, int64_t iters,
                            double* class_iou, double* first, double* last) {
  double accuracy = 0.0, seconds = 0.0;
  int64_t done = 0;
  s4seg_status status = s4seg_model_evaluate(model, val, first, &accuracy, class_iou, DEMO_NUM_CLASSES);
  if (status != S4SEG_OK) return cli_fail(status);
  printf("%6s  %8s  %7s  %7s  %8s\n", "iter", "loss", "mIoU", "pixAcc", "time_s");
  print_row(0, NULL, *first, accuracy, 0.0);
  *last = *first;
  while (done < iters) {
    int64_t chunk = iters - done < DEMO_EVAL_EVERY ? iters - done : DEMO_EVAL_EVERY;
    int64_t before = done;
    s4seg_train_stats stats;
    s4seg_train_stats_init(&stats);
    status = s4seg_trainer_step(trainer, chunk, &stats);
    if (status == S4SEG_OK) status = s4seg_trainer_iteration(trainer, &done);
    if (status == S4SEG_OK) status = s4seg_model_evaluate(model, val, last, &accuracy, class_iou, DEMO_NUM_CLASSES);
    if (status != S4SEG_OK) return cli_fail(status);
    if (done <= before) return cli_error("training made no progress at iteration %" PRId64, done);
    seconds += stats.seconds;
    print_row(done, &stats.loss, *last, accuracy, seconds);
  }
  return CLI_EXIT_OK;
}

static int run(int argc, char** argv) {
  const char* device = DEMO_DEVICE;
  const char* out = DEMO_OUT;
  int64_t iters = DEMO_ITERS;
  arg_spec specs[] = {{"--device", ARG_STRING, 0, &device, 0, 0},
                      {"--out", ARG_STRING, 0, &out, 0, 0},
                      {"--iters", ARG_INT, 0, &iters, 1, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  s4seg_config* config = NULL;
  s4seg_dataset* train = NULL;
  s4seg_dataset* val = NULL;
  s4seg_model* model = NULL;
  s4seg_trainer* trainer = NULL;
  double class_iou[DEMO_NUM_CLASSES], first = 0.0, last = 0.0;
  s4seg_status status;
  int result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  args_free(specs, NULL);

  printf("demo: %d synthetic %dx%d scenes (%d classes) for training, %d held back; device %s\n",
         DEMO_TRAIN_COUNT, DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE, DEMO_NUM_CLASSES, DEMO_VAL_COUNT, device);
  status = s4seg_config_create(&config);
  if (status == S4SEG_OK) status = demo_config(config, device, iters);
  if (status == S4SEG_OK) status = s4seg_dataset_create(&train);
  if (status == S4SEG_OK) status = s4seg_dataset_create(&val);
  if (status == S4SEG_OK) status = demo_datasets(train, val);
  if (status == S4SEG_OK) status = s4seg_model_create(config, &model);
  if (status == S4SEG_OK) status = s4seg_trainer_create(model, train, config, &trainer);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  {
    char resolved[64];
    size_t needed;
    if (s4seg_model_device(model, resolved, sizeof resolved, &needed) == S4SEG_OK) printf("demo: running on %s\n", resolved);
  }
  result = train_and_report(model, trainer, val, iters, class_iou, &first, &last);
  if (result != CLI_EXIT_OK) goto done;
  print_class_iou(class_iou);
  printf("demo: mIoU %.4f -> %.4f\n", first, last);
  fflush(stdout);
  result = demo_write_figure(model, val, DEMO_FIGURE_ROWS, DEMO_FIGURE_GAP, out);
  if (result == CLI_EXIT_OK) printf("wrote %s\n", out);
done:
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_dataset_free(val);
  s4seg_dataset_free(train);
  s4seg_config_free(config);
  return result;
}

const cli_command cmd_demo = {"demo", "train a small model on synthetic scenes and write a figure", kUsage, run};
