/* `s4seg train`: trains a model on a labeled list file and saves it; Ctrl-C stops after the
 * current iteration and still saves. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "config_util.h"
#include "progress.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg train --root DIR --labeled LIST --classes N --out MODEL [options]\n"
    "\n"
    "Trains a model on the samples of LIST (one 'IMAGE MASK' per line, paths relative to DIR) and\n"
    "saves it to MODEL. Ctrl-C stops after the current iteration and still saves the model.\n"
    "Configuration is applied in order: defaults, --config FILE, the options below, each --set.\n"
    "\n"
    "options:\n"
    "  --root DIR         folder the list paths are relative to\n"
    "  --labeled LIST     labeled training list\n"
    "  --val LIST         validation list, evaluated after training\n"
    "  --classes N        number of classes (model.num_classes)\n"
    "  --method NAME      training method (train.method), e.g. supervised\n"
    "  --iters N          total iterations (train.iters)\n"
    "  --batch B          images per iteration (train.batch_size)\n"
    "  --crop S           square training crop (train.crop_size)\n"
    "  --backbone NAME    resnet18, resnet34, resnet50 or resnet101 (model.backbone)\n"
    "  --device D         auto, cpu, cuda or cuda:N (device)\n"
    "  --config FILE      'key = value' lines\n"
    "  --set KEY=VALUE    any configuration key; may be repeated ('s4seg info --keys' lists them)\n"
    "  --out MODEL        model file to write\n";

typedef struct train_options {
  const char *root, *labeled, *val, *method, *backbone, *device, *config_file, *out;
  int64_t classes, iters, batch, crop; /* 0 = not given */
  arg_list sets;
} train_options;

/* ---- configuration ----------------------------------------------------------------------- */

static int set_int_if(s4seg_config* config, const char* key, int64_t value) {
  s4seg_status status = value > 0 ? s4seg_config_set_int(config, key, value) : S4SEG_OK;
  return status == S4SEG_OK ? CLI_EXIT_OK : cli_fail(status);
}

static int set_string_if(s4seg_config* config, const char* key, const char* value) {
  s4seg_status status = value != NULL ? s4seg_config_set_string(config, key, value) : S4SEG_OK;
  return status == S4SEG_OK ? CLI_EXIT_OK : cli_fail(status);
}

/* Defaults, then --config, then the dedicated options, then each --set in order. */
static int build_config(const train_options* o, s4seg_config** out) {
  s4seg_config* config = NULL;
  int i, result;
  s4seg_status status = s4seg_config_create(&config);
  if (status != S4SEG_OK) return cli_fail(status);
  result = o->config_file != NULL ? config_apply_file(config, o->config_file) : CLI_EXIT_OK;
  if (result == CLI_EXIT_OK) result = set_int_if(config, "model.num_classes", o->classes);
  if (result == CLI_EXIT_OK) result = set_string_if(config, "train.method", o->method);
  if (result == CLI_EXIT_OK) result = set_int_if(config, "train.iters", o->iters);
  if (result == CLI_EXIT_OK) result = set_int_if(config, "train.batch_size", o->batch);
  if (result == CLI_EXIT_OK) result = set_int_if(config, "train.crop_size", o->crop);
  if (result == CLI_EXIT_OK) result = set_string_if(config, "model.backbone", o->backbone);
  if (result == CLI_EXIT_OK) result = set_string_if(config, "device", o->device);
  for (i = 0; i < o->sets.count && result == CLI_EXIT_OK; ++i)
    result = config_apply_assignment(config, o->sets.items[i]);
  if (result != CLI_EXIT_OK) {
    s4seg_config_free(config);
    return result;
  }
  *out = config;
  return CLI_EXIT_OK;
}

/* ---- Ctrl-C ------------------------------------------------------------------------------ */

static volatile sig_atomic_t g_interrupted = 0;
static s4seg_trainer* volatile g_trainer = NULL;

static void on_sigint(int signal_number) {
  static const char message[] =
      "\ns4seg: interrupted: stopping after the current iteration (Ctrl-C again to abort)\n";
  s4seg_trainer* trainer = g_trainer;
  (void)signal_number;
  g_interrupted = 1;
  if (trainer != NULL && s4seg_trainer_cancel(trainer) != S4SEG_OK) {
    /* Nothing more can be done in a signal handler; the progress callback also stops. */
  }
  if (write(STDERR_FILENO, message, sizeof message - 1) < 0) {
    /* stderr is gone; nothing to report it to. */
  }
}

/* Progress callback: prints the line; a non-zero return also stops training after Ctrl-C. */
static int on_progress(const s4seg_train_stats* stats, void* user_data) {
  progress_report((progress*)user_data, stats);
  return g_interrupted != 0;
}

static double now_seconds(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) return 0.0;
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double elapsed_seconds(double began) { return now_seconds() - began; }

/* Runs training to train.iters with Ctrl-C handling. Sets *interrupted when Ctrl-C stopped it. */
static int run_training(s4seg_trainer* trainer, int64_t total, int* interrupted) {
  struct sigaction action, previous;
  s4seg_train_stats stats;
  progress line;
  double began;
  int64_t start = 0;
  s4seg_status status = s4seg_trainer_iteration(trainer, &start);
  if (status != S4SEG_OK) return cli_fail(status);
  progress_init(&line, start);
  status = s4seg_trainer_set_progress(trainer, on_progress, &line);
  if (status != S4SEG_OK) return cli_fail(status);

  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills the program as usual */
  g_interrupted = 0;
  g_trainer = trainer;
  sigaction(SIGINT, &action, &previous);
  s4seg_train_stats_init(&stats);
  began = now_seconds();
  status = start < total ? s4seg_trainer_step(trainer, total - start, &stats) : S4SEG_OK;
  sigaction(SIGINT, &previous, NULL);
  g_trainer = NULL;
  progress_finish(&line);

  *interrupted = status == S4SEG_CANCELLED && g_interrupted;
  if (status != S4SEG_OK && !*interrupted) return cli_fail(status);
  if (!*interrupted && stats.iteration > start)
    fprintf(stderr, "trained %" PRId64 " iterations in %.1f s\n", stats.iteration - start, elapsed_seconds(began));
  return CLI_EXIT_OK;
}

/* ---- the command ------------------------------------------------------------------------- */

static int validate(s4seg_model* model, const s4seg_dataset* val) {
  double miou = 0.0, accuracy = 0.0;
  char miou_text[32], accuracy_text[32];
  s4seg_status status = s4seg_model_evaluate(model, val, &miou, &accuracy, NULL, 0);
  if (status != S4SEG_OK) return cli_fail(status);
  printf("val mIoU %s pixAcc %s\n", cli_fmt_ratio(miou, miou_text, sizeof miou_text),
         cli_fmt_ratio(accuracy, accuracy_text, sizeof accuracy_text));
  return CLI_EXIT_OK;
}

static int train(const train_options* o) {
  s4seg_config* config = NULL;
  s4seg_dataset* labeled = NULL;
  s4seg_dataset* val = NULL;
  s4seg_model* model = NULL;
  s4seg_trainer* trainer = NULL;
  int64_t total = 0, iteration = 0;
  int interrupted = 0;
  s4seg_status status;
  int result = build_config(o, &config);
  if (result != CLI_EXIT_OK) return result;
  result = config_get_int(config, "train.iters", &total);
  if (result != CLI_EXIT_OK) goto done;
  /* Load the validation list before training so that a bad path fails in seconds, not hours. */
  status = s4seg_dataset_create(&labeled);
  if (status == S4SEG_OK) status = s4seg_dataset_add_list(labeled, o->root, o->labeled);
  if (status == S4SEG_OK && o->val != NULL) status = s4seg_dataset_create(&val);
  if (status == S4SEG_OK && o->val != NULL) status = s4seg_dataset_add_list(val, o->root, o->val);
  if (status == S4SEG_OK) status = s4seg_model_create(config, &model);
  if (status == S4SEG_OK) status = s4seg_trainer_create(model, labeled, config, &trainer);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  result = run_training(trainer, total, &interrupted);
  if (result != CLI_EXIT_OK) goto done;
  status = s4seg_trainer_iteration(trainer, &iteration);
  if (status == S4SEG_OK) status = s4seg_model_save(model, o->out);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  printf("saved %s\n", o->out);
  fflush(stdout);
  if (interrupted) {
    fprintf(stderr, "s4seg: interrupted at iteration %" PRId64 " of %" PRId64 "\n", iteration, total);
    result = CLI_EXIT_INTERRUPTED;
  } else if (val != NULL) {
    result = validate(model, val);
  }
done:
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_dataset_free(val);
  s4seg_dataset_free(labeled);
  s4seg_config_free(config);
  return result;
}

static int run(int argc, char** argv) {
  train_options o;
  arg_spec specs[] = {{"--root", ARG_STRING, 1, &o.root, 0, 0},
                      {"--labeled", ARG_STRING, 1, &o.labeled, 0, 0},
                      {"--val", ARG_STRING, 0, &o.val, 0, 0},
                      {"--classes", ARG_INT, 1, &o.classes, 1, 0},
                      {"--method", ARG_STRING, 0, &o.method, 0, 0},
                      {"--iters", ARG_INT, 0, &o.iters, 1, 0},
                      {"--batch", ARG_INT, 0, &o.batch, 1, 0},
                      {"--crop", ARG_INT, 0, &o.crop, 1, 0},
                      {"--backbone", ARG_STRING, 0, &o.backbone, 0, 0},
                      {"--device", ARG_STRING, 0, &o.device, 0, 0},
                      {"--config", ARG_STRING, 0, &o.config_file, 0, 0},
                      {"--set", ARG_LIST, 0, &o.sets, 0, 0},
                      {"--out", ARG_STRING, 1, &o.out, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  int i, result;
  memset(&o, 0, sizeof o);
  result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  for (i = 0; i < o.sets.count; ++i)
    if (!config_is_assignment(o.sets.items[i])) {
      result = cli_usage_error(argv[0], kUsage, "--set expects KEY=VALUE, got '%s'", o.sets.items[i]);
      args_free(specs, NULL);
      return result;
    }
  result = train(&o);
  args_free(specs, NULL);
  return result;
}

const cli_command cmd_train = {"train", "train a model on a labeled list file", kUsage, run};
