/* `s4seg demo`: trains a small model on synthetic scenes twice from the same few labels, first
 * supervised on the labeled scenes only, then semi-supervised (fixmatch by default) with the
 * remaining scenes as unlabeled data; prints how validation mIoU improves in each run, compares
 * them, and writes a figure of input | ground truth | supervised | semi-supervised | pseudo-labels. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "demo_figure.h"
#include "methods.h"
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
#define DEMO_BATCH_SIZE 4        /* labeled images per iteration */
#define DEMO_UNLABELED_BATCH 8   /* unlabeled images per iteration (semi-supervised run) */
#define DEMO_CROP_SIZE 64
#define DEMO_ITERS 1000          /* iterations of each run */
#define DEMO_LR 0.05
#define DEMO_SCALE_MIN 0.75
#define DEMO_SCALE_MAX 1.5
#define DEMO_LOG_EVERY 25
#define DEMO_SEMI_METHOD "fixmatch" /* default of --method */
/* The synthetic classes differ partly by hue, so the strong view shifts hue less than the
 * library default (0.25, tuned for natural images), which would turn one class into another. */
#define DEMO_STRONG_HUE 0.05
#define DEMO_IMAGE_SIZE 64     /* synthetic scenes are DEMO_IMAGE_SIZE squared */
#define DEMO_TRAIN_COUNT 96    /* training scenes in all */
#define DEMO_LABELED 2         /* the first DEMO_LABELED of them keep their labels; the rest are unlabeled */
#define DEMO_TRAIN_SEED 1
#define DEMO_VAL_COUNT 24
#define DEMO_VAL_SEED 2
#define DEMO_EVAL_EVERY 50     /* iterations per training chunk between evaluations */
#define DEMO_FIGURE_ROWS 4     /* validation samples shown in the figure */
#define DEMO_FIGURE_GAP 2      /* white pixels between figure cells */

#if DEMO_LABELED < 1 || DEMO_LABELED >= DEMO_TRAIN_COUNT
#error "DEMO_LABELED must leave at least one labeled and one unlabeled training scene"
#endif

#define DEMO_STRINGIFY_(x) #x
#define DEMO_STRINGIFY(x) DEMO_STRINGIFY_(x)

static const char kUsage[] =
    "usage: s4seg demo [--device D] [--out PNG] [--iters N] [--method M]\n"
    "\n"
    "Trains a small DeepLabV3+ (ResNet-18, reduced width) on synthetic scenes of textured shapes\n"
    "twice from the same " DEMO_STRINGIFY(DEMO_LABELED) " labeled scenes: first supervised on those alone, then with\n"
    "a semi-supervised method that also learns from the other scenes without their labels. Prints\n"
    "validation mIoU as each run goes, compares the two, and writes a figure with titled columns and\n"
    "one row per validation sample: input | ground truth | supervised prediction | semi-supervised\n"
    "prediction | pseudo-labels of the semi-supervised teacher (grey = filtered out).\n"
    "\n"
    "options:\n"
    "  --device D   auto, cpu, cuda or cuda:N (default " DEMO_DEVICE ")\n"
    "  --out PNG    figure to write (default " DEMO_OUT ")\n"
    "  --iters N    training iterations of each run (default " DEMO_STRINGIFY(DEMO_ITERS) ")\n"
    "  --method M   semi-supervised method, any `s4seg info` lists as using unlabeled images\n"
    "               (default " DEMO_SEMI_METHOD ")\n";


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
  if (s == S4SEG_OK) s = s4seg_config_set_double(config, "strong.hue", DEMO_STRONG_HUE);
  if (s == S4SEG_OK) s = s4seg_config_set_double(config, "train.scale_min", DEMO_SCALE_MIN);
  if (s == S4SEG_OK) s = s4seg_config_set_double(config, "train.scale_max", DEMO_SCALE_MAX);
  if (s == S4SEG_OK) s = s4seg_config_set_int(config, "train.log_every", DEMO_LOG_EVERY);
  return s;
}

/* The semi-supervised run's config: the supervised one with the method and the unlabeled batch.
 * train.method is set before the model is created: the method may need its own model (css adds a
 * representation head). */
static s4seg_status semi_config(const s4seg_config* base, const char* method, s4seg_config** out) {
  s4seg_status s = s4seg_config_clone(base, out);
  if (s == S4SEG_OK) s = s4seg_config_set_string(*out, "train.method", method);
  if (s == S4SEG_OK) s = s4seg_config_set_int(*out, "train.unlabeled_batch_size", DEMO_UNLABELED_BATCH);
  return s; /* *out, when set, is the caller's to free on every path */
}

/* Appends samples [begin, end) of `from` (image and mask) to `to`. Returns an exit status. */
static int copy_samples(const s4seg_dataset* from, int64_t begin, int64_t end, s4seg_dataset* to) {
  int64_t i;
  for (i = begin; i < end; ++i) {
    s4seg_image* image = NULL;
    s4seg_image* mask = NULL;
    s4seg_image_view image_view, mask_view;
    s4seg_status status = s4seg_dataset_get(from, i, &image, &mask);
    if (status == S4SEG_OK) status = s4seg_image_get_view(image, &image_view);
    if (status == S4SEG_OK && mask != NULL) status = s4seg_image_get_view(mask, &mask_view);
    if (status == S4SEG_OK) status = s4seg_dataset_add(to, &image_view, mask != NULL ? &mask_view : NULL);
    if (status != S4SEG_OK) {
      int result = cli_fail(status);
      s4seg_image_free(mask);
      s4seg_image_free(image);
      return result;
    }
    s4seg_image_free(mask);
    s4seg_image_free(image);
  }
  return CLI_EXIT_OK;
}

/* Makes the DEMO_TRAIN_COUNT training scenes and splits them: the first DEMO_LABELED into
 * `labeled`, the rest into `unlabeled` (with their masks, which the library uses only to report
 * pseudo-label accuracy), and the validation scenes into `val`. */
static int demo_datasets(s4seg_dataset* labeled, s4seg_dataset* unlabeled, s4seg_dataset* val) {
  s4seg_dataset* all = NULL;
  int result;
  s4seg_status s = s4seg_dataset_create(&all);
  if (s == S4SEG_OK)
    s = s4seg_dataset_add_synthetic(all, DEMO_TRAIN_COUNT, DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE, DEMO_NUM_CLASSES,
                                    DEMO_TRAIN_SEED);
  if (s == S4SEG_OK)
    s = s4seg_dataset_add_synthetic(val, DEMO_VAL_COUNT, DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE, DEMO_NUM_CLASSES,
                                    DEMO_VAL_SEED);
  if (s != S4SEG_OK) {
    result = cli_fail(s);
    s4seg_dataset_free(all);
    return result;
  }
  result = copy_samples(all, 0, DEMO_LABELED, labeled);
  if (result == CLI_EXIT_OK) result = copy_samples(all, DEMO_LABELED, DEMO_TRAIN_COUNT, unlabeled);
  s4seg_dataset_free(all);
  return result;
}

/* One run's table: the semi-supervised run has the pseudo-label columns too. */
typedef struct demo_run {
  const char* name;
  int semi;
  double class_iou[DEMO_NUM_CLASSES];
  double first, last; /* mIoU before and after training */
} demo_run;

/* "%.4f", or "-" for a figure the run does not have (negative). */
static const char* fmt_optional(double value, char* buf, size_t size) {
  if (value < 0.0)
    snprintf(buf, size, "-");
  else
    snprintf(buf, size, "%.4f", value);
  return buf;
}

static void print_header(const demo_run* run) {
  printf("%6s  %8s  %7s  %7s", "iter", "loss", "mIoU", "pixAcc");
  if (run->semi) printf("  %7s  %9s", "keep", "pseudoAcc");
  printf("  %8s\n", "time_s");
}

/* One table row; `stats` is NULL before training. */
static void print_row(const demo_run* run, int64_t iteration, const s4seg_train_stats* stats, double miou,
                      double accuracy, double seconds) {
  char text[32], miou_text[32], accuracy_text[32], keep_text[32], pseudo_text[32];
  if (stats != NULL)
    snprintf(text, sizeof text, "%.4f", stats->loss);
  else
    snprintf(text, sizeof text, "-");
  printf("%6" PRId64 "  %8s  %7s  %7s", iteration, text, cli_fmt_ratio(miou, miou_text, sizeof miou_text),
         cli_fmt_ratio(accuracy, accuracy_text, sizeof accuracy_text));
  if (run->semi)
    printf("  %7s  %9s", fmt_optional(stats != NULL ? stats->pseudo_keep_ratio : -1.0, keep_text, sizeof keep_text),
           fmt_optional(stats != NULL ? stats->pseudo_accuracy : -1.0, pseudo_text, sizeof pseudo_text));
  printf("  %8.1f\n", seconds);
  fflush(stdout);
}

static void print_class_iou(const double* class_iou) {
  char text[32];
  int c;
  printf("per-class IoU:\n");
  for (c = 0; c < DEMO_NUM_CLASSES; ++c) printf("  class %d  %s\n", c, cli_fmt_ratio(class_iou[c], text, sizeof text));
}

/* Trains in chunks of DEMO_EVAL_EVERY, printing a row after each; leaves the last per-class IoU
 * and the first and last mIoU in `run`. */
static int train_and_report(s4seg_model* model, s4seg_trainer* trainer, const s4seg_dataset* val, int64_t iters,
                            demo_run* run) {
  double accuracy = 0.0, seconds = 0.0;
  int64_t done = 0;
  s4seg_status status = s4seg_model_evaluate(model, val, &run->first, &accuracy, run->class_iou, DEMO_NUM_CLASSES);
  if (status != S4SEG_OK) return cli_fail(status);
  print_header(run);
  print_row(run, 0, NULL, run->first, accuracy, 0.0);
  run->last = run->first;
  while (done < iters) {
    int64_t chunk = iters - done < DEMO_EVAL_EVERY ? iters - done : DEMO_EVAL_EVERY;
    int64_t before = done;
    s4seg_train_stats stats;
    s4seg_train_stats_init(&stats);
    status = s4seg_trainer_step(trainer, chunk, &stats);
    if (status == S4SEG_OK) status = s4seg_trainer_iteration(trainer, &done);
    if (status == S4SEG_OK)
      status = s4seg_model_evaluate(model, val, &run->last, &accuracy, run->class_iou, DEMO_NUM_CLASSES);
    if (status != S4SEG_OK) return cli_fail(status);
    if (done <= before) return cli_error("training made no progress at iteration %" PRId64, done);
    seconds += stats.seconds;
    print_row(run, done, &stats, run->last, accuracy, seconds);
  }
  print_class_iou(run->class_iou);
  printf("%s: mIoU %.4f -> %.4f\n", run->name, run->first, run->last);
  fflush(stdout);
  return CLI_EXIT_OK;
}

/* Creates a model and its trainer from `config` (`unlabeled` NULL = supervised), trains and
 * reports. The model is left in *model (free it) for the figure. */
static int train_run(const s4seg_config* config, s4seg_dataset* labeled, s4seg_dataset* unlabeled,
                     const s4seg_dataset* val, int64_t iters, demo_run* run, s4seg_model** model) {
  s4seg_trainer* trainer = NULL;
  char device[64];
  size_t needed = 0;
  int result;
  s4seg_status status = s4seg_model_create(config, model);
  if (status == S4SEG_OK) status = s4seg_trainer_create_semi(*model, labeled, unlabeled, config, &trainer);
  if (status != S4SEG_OK) return cli_fail(status);
  status = s4seg_model_device(*model, device, sizeof device, &needed);
  if (status == S4SEG_OK)
    printf("running on %s\n", device);
  else if (status != S4SEG_BUFFER_TOO_SMALL) { /* a longer name is only not shown */
    result = cli_fail(status);
    s4seg_trainer_free(trainer);
    return result;
  }
  result = train_and_report(*model, trainer, val, iters, run);
  s4seg_trainer_free(trainer);
  return result;
}

static void print_comparison(const demo_run* supervised, const demo_run* semi) {
  printf("\nvalidation mIoU after training:\n");
  printf("%-10s  mIoU %.4f\n", supervised->name, supervised->last);
  printf("%-10s  mIoU %.4f\n", semi->name, semi->last);
  printf("%-10s  %+.4f\n", "difference", semi->last - supervised->last);
  fflush(stdout);
}

static int is_semi_method(const char* method) {
  uint32_t flags = 0;
  return cli_method_flags(method, &flags) && (flags & S4SEG_METHOD_USES_UNLABELED);
}

static int run(int argc, char** argv) {
  const char* device = DEMO_DEVICE;
  const char* out = DEMO_OUT;
  const char* method = DEMO_SEMI_METHOD;
  int64_t iters = DEMO_ITERS;
  arg_spec specs[] = {{"--device", ARG_STRING, 0, &device, 0, 0},
                      {"--out", ARG_STRING, 0, &out, 0, 0},
                      {"--iters", ARG_INT, 0, &iters, 1, 0},
                      {"--method", ARG_STRING, 0, &method, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  s4seg_config* config = NULL;
  s4seg_config* semi = NULL;
  s4seg_dataset* labeled = NULL;
  s4seg_dataset* unlabeled = NULL;
  s4seg_dataset* val = NULL;
  s4seg_model* supervised_model = NULL;
  s4seg_model* semi_model = NULL;
  s4seg_labeler* labeler = NULL;
  demo_run supervised_run, semi_run;
  demo_figure_sources figure;
  s4seg_status status;
  int result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  args_free(specs, NULL);
  if (!is_semi_method(method))
  {
    char names[256];
    return cli_usage_error(argv[0], kUsage, "--method must be one of %s, got '%s'",
                           cli_method_names(S4SEG_METHOD_USES_UNLABELED, 0, ", ", names, sizeof names), method);
  }
  memset(&supervised_run, 0, sizeof supervised_run);
  memset(&semi_run, 0, sizeof semi_run);
  supervised_run.name = "supervised";
  semi_run.name = method;
  semi_run.semi = 1;

  printf("demo: %d synthetic %dx%d scenes (%d classes) for training, %d of them labeled; %d held back for "
         "validation; device %s\n",
         DEMO_TRAIN_COUNT, DEMO_IMAGE_SIZE, DEMO_IMAGE_SIZE, DEMO_NUM_CLASSES, DEMO_LABELED, DEMO_VAL_COUNT, device);
  printf("demo: the %d unlabeled scenes keep their masks, but the library uses them only to report\n"
         "      pseudo-label accuracy (pseudoAcc), never to train\n",
         DEMO_TRAIN_COUNT - DEMO_LABELED);
  status = s4seg_config_create(&config);
  if (status == S4SEG_OK) status = demo_config(config, device, iters);
  if (status == S4SEG_OK) status = semi_config(config, method, &semi);
  if (status == S4SEG_OK) status = s4seg_dataset_create(&labeled);
  if (status == S4SEG_OK) status = s4seg_dataset_create(&unlabeled);
  if (status == S4SEG_OK) status = s4seg_dataset_create(&val);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  result = demo_datasets(labeled, unlabeled, val);
  if (result != CLI_EXIT_OK) goto done;

  printf("\n%s: %d labeled scenes\n", supervised_run.name, DEMO_LABELED);
  result = train_run(config, labeled, NULL, val, iters, &supervised_run, &supervised_model);
  if (result != CLI_EXIT_OK) goto done;
  printf("\n%s: the same %d labeled scenes + %d unlabeled ones\n", semi_run.name, DEMO_LABELED,
         DEMO_TRAIN_COUNT - DEMO_LABELED);
  result = train_run(semi, labeled, unlabeled, val, iters, &semi_run, &semi_model);
  if (result != CLI_EXIT_OK) goto done;
  print_comparison(&supervised_run, &semi_run);

  status = s4seg_labeler_create(semi_model, NULL, &labeler);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  figure.supervised = supervised_model;
  figure.semi = semi_model;
  figure.labeler = labeler;
  figure.semi_name = semi_run.name;
  result = demo_write_figure(&figure, val, DEMO_FIGURE_ROWS, DEMO_FIGURE_GAP, out);
  if (result == CLI_EXIT_OK)
    printf("wrote %s (input | ground truth | supervised | %s | %s pseudo-labels, grey = filtered out)\n", out,
           semi_run.name, semi_run.name);
done:
  s4seg_labeler_free(labeler);
  s4seg_model_free(semi_model);
  s4seg_model_free(supervised_model);
  s4seg_dataset_free(val);
  s4seg_dataset_free(unlabeled);
  s4seg_dataset_free(labeled);
  s4seg_config_free(semi);
  s4seg_config_free(config);
  return result;
}

const cli_command cmd_demo = {"demo", "supervised vs semi-supervised on synthetic scenes, with a figure", kUsage, run};
