/* `s4seg train`: trains a model on a labeled (and optionally an unlabeled) list file, validates it
 * as it goes and saves it (and the best one); Ctrl-C stops after the current iteration and still
 * saves. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "config_util.h"
#include "dataset_open.h"
#include "fsutil.h"
#include "launch.h"
#include "methods.h"
#include "progress.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg train --root DIR --labeled LIST --classes N --out MODEL [options]\n"
    "       s4seg train --layout voc|cityscapes --root DIR --labeled SPLIT --out MODEL [options]\n"
    "\n"
    "Trains a model on the samples of LIST (one 'IMAGE MASK' per line, paths relative to DIR) and,\n"
    "with --unlabeled and a semi-supervised --method, on unlabeled images too, then saves it to\n"
    "MODEL. With --val the model is evaluated every --eval-every iterations and at the end; the best\n"
    "one is also saved as MODEL with '.best' before its extension (model.s4seg -> model.best.s4seg).\n"
    "Ctrl-C stops after the current iteration and still saves the model.\n"
    "Configuration is applied in order: defaults, --config FILE, the options below, each --set.\n"
    "\n"
    "options:\n"
    "  --root DIR         folder the list paths are relative to (the dataset folder with --layout)\n"
    "  --layout NAME      list (default), voc (PASCAL VOC 2012 + SBD) or cityscapes: lists may then\n"
    "                     also be split names (voc: train, val; cityscapes: train, val) or bare VOC\n"
    "                     image ids; --classes defaults to 21 / 19, model.class_names to the layout,\n"
    "                     and masks named by --unlabeled are ignored (docs/datasets.md)\n"
    "  --cache-mb N       keep up to N MiB of decoded images per dataset in memory (default 0)\n"
    "  --labeled LIST     labeled training list\n"
    "  --unlabeled LIST   unlabeled training list ('IMAGE' or 'IMAGE MASK' per line; masks are only\n"
    "                     used to report pseudo-label accuracy)\n"
    "  --val LIST         validation list\n"
    "  --eval-every N     iterations between validations (default 10 x train.log_every)\n"
    "  --classes N        number of classes (model.num_classes); required without --layout\n"
    "  --method NAME      training method (train.method); `s4seg info` lists them\n"
    "  --iters N          total iterations (train.iters)\n"
    "  --batch B          images per iteration (train.batch_size)\n"
    "  --crop S           square training crop (train.crop_size)\n"
    "  --backbone NAME    resnet18, resnet34, resnet50 or resnet101 (model.backbone)\n"
    "  --device D         auto, cpu, cuda or cuda:N (device)\n"
    "  --config FILE      'key = value' lines\n"
    "  --set KEY=VALUE    any configuration key; may be repeated ('s4seg info --keys' lists them)\n"
    "  --out MODEL        model file to write\n"
    "\n"
    "data parallel (docs/distributed.md): every rank trains on its own share of each batch, so the\n"
    "job's batch is ranks x --batch; only rank 0 validates, prints progress and writes files.\n"
    "  --nproc N          start N local ranks of this command (CPU: Gloo over loopback)\n"
    "  --rank R           join a job as rank R (dist.rank) ...\n"
    "  --world-size N     ... of N ranks (dist.world_size) ...\n"
    "  --master HOST:PORT ... whose rank 0 listens at HOST:PORT (dist.master)\n";

/* Validations between training steps are this many progress reports apart by default. */
#define TRAIN_EVAL_EVERY_LOGS 10
/* Inserted before the extension of --out to name the best model. */
#define TRAIN_BEST_INFIX ".best"

typedef struct train_options {
  const char *root, *labeled, *unlabeled, *val, *method, *backbone, *device, *config_file, *out, *layout_name;
  int64_t classes, iters, batch, crop, eval_every, cache_mb; /* 0 = not given */
  int64_t nproc, world_size;                                  /* 0 = not given */
  int64_t rank;                                               /* -1 = not given */
  const char* master;
  s4seg_layout layout;
  arg_list sets;
} train_options;

/* ---- configuration ----------------------------------------------------------------------- */

/* Defaults, then --config, then the dedicated options, then each --set in order (config_build). */
static int build_config(const train_options* o, s4seg_config** out) {
  char layout_classes[24], classes[24], iters[24], batch[24], crop[24], rank[24], world[24];
  const int layout = o->layout != S4SEG_LAYOUT_LIST;
  const config_setting settings[] = {
      {"model.num_classes", layout ? config_int_text(dataset_layout_classes(o->layout), 1, layout_classes) : NULL},
      {"model.class_names", layout ? o->layout_name : NULL},
      {"model.num_classes", config_int_text(o->classes, 1, classes)},
      {"train.method", o->method},
      {"train.iters", config_int_text(o->iters, 1, iters)},
      {"train.batch_size", config_int_text(o->batch, 1, batch)},
      {"train.crop_size", config_int_text(o->crop, 1, crop)},
      {"model.backbone", o->backbone},
      {"device", o->device},
      {"dist.rank", config_int_text(o->rank, 0, rank)},
      {"dist.world_size", config_int_text(o->world_size, 1, world)},
      {"dist.master", o->master},
  };
  return config_build(NULL, o->config_file, settings, sizeof settings / sizeof settings[0], &o->sets, out);
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

static double elapsed_seconds(double began) { return cli_now_seconds() - began; }

/* ---- validation -------------------------------------------------------------------------- */

/* Validation during training: the latest and the best result. */
typedef struct validation {
  const s4seg_dataset* dataset; /* NULL = no validation */
  int distributed;              /* one rank of a data-parallel job */
  int64_t every;                /* iterations between validations */
  const char* best_path;        /* where the best model is saved */
  int64_t last_iteration;       /* -1 before the first validation */
  double last_miou, last_accuracy;
  int64_t best_iteration; /* -1 while there is no best */
  double best_miou;
} validation;

/* Evaluates the model at `iteration`, prints a row and saves the model to best_path when it is
 * the best so far. */
static int validate(s4seg_model* model, validation* v, int64_t iteration, progress* line) {
  double miou = 0.0, accuracy = 0.0;
  char miou_text[32], accuracy_text[32];
  int best;
  s4seg_status status = s4seg_model_evaluate(model, v->dataset, &miou, &accuracy, NULL, 0);
  if (status != S4SEG_OK) return cli_fail(status);
  v->last_iteration = iteration;
  v->last_miou = miou;
  v->last_accuracy = accuracy;
  best = !isnan(miou) && (v->best_iteration < 0 || miou > v->best_miou);
  if (best) {
    status = s4seg_model_save(model, v->best_path);
    if (status != S4SEG_OK) return cli_fail(status);
    v->best_iteration = iteration;
    v->best_miou = miou;
  }
  progress_finish(line); /* start the row on a fresh line */
  printf("val iter %" PRId64 "  mIoU %s  pixAcc %s%s\n", iteration, cli_fmt_ratio(miou, miou_text, sizeof miou_text),
         cli_fmt_ratio(accuracy, accuracy_text, sizeof accuracy_text), best ? "  (best so far)" : "");
  fflush(stdout);
  return CLI_EXIT_OK;
}

/* The first iteration after `iteration` at which to stop and validate (or `total`). */
static int64_t next_stop(const validation* v, int64_t iteration, int64_t total) {
  int64_t next;
  if (v->dataset == NULL) return total;
  next = (iteration / v->every + 1) * v->every;
  return next < total ? next : total;
}

/* ---- training ---------------------------------------------------------------------------- */

/* Trains from `start` to `total`, stopping to validate every v->every iterations and at the end. */
static int train_loop(s4seg_trainer* trainer, s4seg_model* model, validation* v, int64_t start, int64_t total,
                      progress* line, int* interrupted) {
  int64_t iteration = start;
  while (iteration < total) {
    int64_t before = iteration;
    int result;
    s4seg_train_stats stats;
    s4seg_status status;
    if (g_interrupted) {
      *interrupted = 1;
      return CLI_EXIT_OK;
    }
    s4seg_train_stats_init(&stats);
    status = s4seg_trainer_step(trainer, next_stop(v, iteration, total) - iteration, &stats);
    /* In a data-parallel job a Ctrl-C on any rank cancels every rank at the same iteration. */
    if (status == S4SEG_CANCELLED && (g_interrupted || v->distributed)) {
      *interrupted = 1;
      return CLI_EXIT_OK;
    }
    if (status == S4SEG_OK) status = s4seg_trainer_iteration(trainer, &iteration);
    if (status != S4SEG_OK) return cli_fail(status);
    if (iteration <= before) return cli_error("training made no progress at iteration %" PRId64, iteration);
    if (v->dataset != NULL && (iteration % v->every == 0 || iteration >= total)) {
      result = validate(model, v, iteration, line);
      if (result != CLI_EXIT_OK) return result;
    }
  }
  return CLI_EXIT_OK;
}

/* Runs training to train.iters with Ctrl-C handling. Sets *interrupted when Ctrl-C stopped it. */
static int run_training(s4seg_trainer* trainer, s4seg_model* model, validation* v, int64_t total, int quiet,
                        int* interrupted) {
  struct sigaction action, previous;
  progress line;
  double began;
  int64_t start = 0, iteration = 0;
  int result;
  s4seg_status status = s4seg_trainer_iteration(trainer, &start);
  if (status != S4SEG_OK) return cli_fail(status);
  progress_init(&line, start, trainer);
  if (!quiet) {
    status = s4seg_trainer_set_progress(trainer, on_progress, &line);
    if (status != S4SEG_OK) return cli_fail(status);
  }

  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills the program as usual */
  g_interrupted = 0;
  g_trainer = trainer;
  sigaction(SIGINT, &action, &previous);
  began = cli_now_seconds();
  *interrupted = 0;
  result = train_loop(trainer, model, v, start, total, &line, interrupted);
  sigaction(SIGINT, &previous, NULL);
  g_trainer = NULL;
  progress_finish(&line);
  /* `line` lives on this stack frame: the callback must not outlive it. */
  status = s4seg_trainer_set_progress(trainer, NULL, NULL);
  if (status != S4SEG_OK && result == CLI_EXIT_OK) result = cli_fail(status);
  if (result != CLI_EXIT_OK) return result;

  status = s4seg_trainer_iteration(trainer, &iteration);
  if (status != S4SEG_OK) return cli_fail(status);
  if (!*interrupted && iteration > start && !quiet)
    fprintf(stderr, "trained %" PRId64 " iterations in %.1f s\n", iteration - start, elapsed_seconds(began));
  return CLI_EXIT_OK;
}

/* ---- the command ------------------------------------------------------------------------- */

/* Loads a split into a new dataset (see dataset_open). Unlabeled splits of the benchmark layouts
 * name masks that may not exist, so their masks are not read. */
static s4seg_status load_split(const train_options* o, const char* split, int unlabeled, s4seg_dataset** out) {
  const uint32_t flags = unlabeled && o->layout != S4SEG_LAYOUT_LIST ? S4SEG_DATASET_IGNORE_MASKS : 0u;
  return dataset_open(o->root, split, o->layout, flags, o->cache_mb, out);
}

/* --unlabeled with the supervised method trains on the labeled list only: say so. */
static int note_unused_unlabeled(const s4seg_config* config) {
  char* method = NULL;
  int result = config_get_string(config, "train.method", &method);
  if (result != CLI_EXIT_OK) return result;
  uint32_t flags = 0;
  if (cli_method_flags(method, &flags) && !(flags & S4SEG_METHOD_USES_UNLABELED)) {
    char names[256];
    fprintf(stderr, "s4seg: note: train.method is %s, which does not use --unlabeled (%s do)\n", method,
            cli_method_names(S4SEG_METHOD_USES_UNLABELED, 0, ", ", names, sizeof names));
  }
  free(method);
  return CLI_EXIT_OK;
}

/* Prints the best (and, when training ran to its end, the final) validation result. */
static void print_validation(const validation* v, const char* out, int with_final) {
  char miou_text[32], accuracy_text[32];
  if (with_final && v->last_iteration >= 0)
    printf("final mIoU %s  pixAcc %s (iteration %" PRId64 ")\n",
           cli_fmt_ratio(v->last_miou, miou_text, sizeof miou_text),
           cli_fmt_ratio(v->last_accuracy, accuracy_text, sizeof accuracy_text), v->last_iteration);
  if (v->best_iteration >= 0) {
    printf("best mIoU %s at iteration %" PRId64 "\n", cli_fmt_ratio(v->best_miou, miou_text, sizeof miou_text),
           v->best_iteration);
    printf("saved %s (the best model; the last one is %s)\n", v->best_path, out);
  }
  fflush(stdout);
}

static int train(const train_options* o) {
  s4seg_config* config = NULL;
  s4seg_dataset* labeled = NULL;
  s4seg_dataset* unlabeled = NULL;
  s4seg_dataset* val = NULL;
  s4seg_model* model = NULL;
  s4seg_trainer* trainer = NULL;
  char* best_path = NULL;
  validation v;
  int64_t total = 0, iteration = 0, log_every = 0;
  int interrupted = 0;
  s4seg_status status;
  int result = build_config(o, &config);
  if (result != CLI_EXIT_OK) return result;
  memset(&v, 0, sizeof v);
  v.last_iteration = -1;
  v.best_iteration = -1;
  result = config_get_int(config, "train.iters", &total);
  if (result == CLI_EXIT_OK) result = config_get_int(config, "train.log_every", &log_every);
  if (result == CLI_EXIT_OK && o->unlabeled != NULL) result = note_unused_unlabeled(config);
  if (result != CLI_EXIT_OK) goto done;
  if (o->val != NULL) {
    best_path = fs_insert_before_extension(o->out, TRAIN_BEST_INFIX);
    if (best_path == NULL) {
      result = cli_error("out of memory");
      goto done;
    }
    v.best_path = best_path;
    v.every = o->eval_every > 0 ? o->eval_every
                                : (log_every <= INT64_MAX / TRAIN_EVAL_EVERY_LOGS ? log_every * TRAIN_EVAL_EVERY_LOGS
                                                                                  : INT64_MAX);
  }
  /* Load every list before training so that a bad path fails in seconds, not hours. */
  status = load_split(o, o->labeled, 0, &labeled);
  if (status == S4SEG_OK) status = load_split(o, o->unlabeled, 1, &unlabeled);
  if (status == S4SEG_OK) status = load_split(o, o->val, 0, &val);
  if (status == S4SEG_OK) status = s4seg_model_create(config, &model);
  if (status == S4SEG_OK) status = s4seg_trainer_create_semi(model, labeled, unlabeled, config, &trainer);
  if (status != S4SEG_OK) {
    result = cli_fail(status);
    goto done;
  }
  /* Ranks other than 0 hold the same weights: rank 0 alone validates and writes. */
  v.dataset = o->rank > 0 ? NULL : val;
  v.distributed = o->world_size > 1;
  result = run_training(trainer, model, &v, total, o->rank > 0, &interrupted);
  if (result != CLI_EXIT_OK || o->rank > 0) goto done;
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
    if (v.best_iteration >= 0) print_validation(&v, o->out, 0);
    result = CLI_EXIT_INTERRUPTED;
    goto done;
  }
  if (val != NULL) {
    /* Training normally ends with a validation; not when there was nothing left to train. */
    if (v.last_iteration != iteration) {
      progress line;
      progress_init(&line, iteration, NULL);
      result = validate(model, &v, iteration, &line);
      if (result != CLI_EXIT_OK) goto done;
    }
    print_validation(&v, o->out, 1);
  }
done:
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_dataset_free(val);
  s4seg_dataset_free(unlabeled);
  s4seg_dataset_free(labeled);
  s4seg_config_free(config);
  free(best_path);
  return result;
}

static int run(int argc, char** argv) {
  train_options o;
  arg_spec specs[] = {{"--root", ARG_STRING, 1, &o.root, 0, 0},
                      {"--labeled", ARG_STRING, 1, &o.labeled, 0, 0},
                      {"--unlabeled", ARG_STRING, 0, &o.unlabeled, 0, 0},
                      {"--val", ARG_STRING, 0, &o.val, 0, 0},
                      {"--eval-every", ARG_INT, 0, &o.eval_every, 1, 0},
                      {"--classes", ARG_INT, 0, &o.classes, 1, 0},
                      {"--layout", ARG_STRING, 0, &o.layout_name, 0, 0},
                      {"--cache-mb", ARG_INT, 0, &o.cache_mb, 0, 0},
                      {"--method", ARG_STRING, 0, &o.method, 0, 0},
                      {"--iters", ARG_INT, 0, &o.iters, 1, 0},
                      {"--batch", ARG_INT, 0, &o.batch, 1, 0},
                      {"--crop", ARG_INT, 0, &o.crop, 1, 0},
                      {"--backbone", ARG_STRING, 0, &o.backbone, 0, 0},
                      {"--device", ARG_STRING, 0, &o.device, 0, 0},
                      {"--config", ARG_STRING, 0, &o.config_file, 0, 0},
                      {"--set", ARG_LIST, 0, &o.sets, 0, 0},
                      {"--out", ARG_STRING, 1, &o.out, 0, 0},
                      {"--nproc", ARG_INT, 0, &o.nproc, 1, 0},
                      {"--rank", ARG_INT, 0, &o.rank, 0, 0},
                      {"--world-size", ARG_INT, 0, &o.world_size, 1, 0},
                      {"--master", ARG_STRING, 0, &o.master, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  int result;
  memset(&o, 0, sizeof o);
  o.rank = -1;
  result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  result = config_check_assignments(argv[0], kUsage, &o.sets);
  if (o.layout_name == NULL) o.layout_name = "list";
  if (result == ARGS_CONTINUE && dataset_layout_from_name(o.layout_name, &o.layout) != 0)
    result = cli_usage_error(argv[0], kUsage, "--layout must be list, voc or cityscapes, not '%s'", o.layout_name);
  if (result == ARGS_CONTINUE && o.layout == S4SEG_LAYOUT_LIST && o.classes == 0)
    result = cli_usage_error(argv[0], kUsage, "--classes is required (or give --layout voc|cityscapes)");
  if (result == ARGS_CONTINUE && o.cache_mb > (INT64_C(1) << 30))
    result = cli_usage_error(argv[0], kUsage, "--cache-mb is at most 1073741824");
  if (result == ARGS_CONTINUE && o.eval_every > 0 && o.val == NULL)
    result = cli_usage_error(argv[0], kUsage, "--eval-every needs --val");
  if (result == ARGS_CONTINUE && o.out[0] == '\0') result = cli_usage_error(argv[0], kUsage, "--out needs a file name");
  if (result == ARGS_CONTINUE && o.nproc > 0 && (o.rank >= 0 || o.world_size > 0))
    result = cli_usage_error(argv[0], kUsage, "--nproc starts the ranks itself: leave out --rank and --world-size");
  if (result == ARGS_CONTINUE && o.nproc > 4096) result = cli_usage_error(argv[0], kUsage, "--nproc is at most 4096");
  if (result == ARGS_CONTINUE && (o.rank >= 0) != (o.world_size > 0))
    result = cli_usage_error(argv[0], kUsage, "--rank and --world-size go together");
  if (result == ARGS_CONTINUE && o.nproc > 1) result = launch_local_workers((int)o.nproc, argc, argv);
  if (result == ARGS_CONTINUE) result = train(&o);
  args_free(specs, NULL);
  return result;
}

const cli_command cmd_train = {"train", "train a model on list files (labeled, optionally unlabeled)", kUsage, run};
