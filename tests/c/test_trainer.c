/* Training: learning on synthetic data, stats, progress, cancellation, limits, checkpoints.
 *
 * Not tested: S4SEG_DIVERGED. The public API gives no deterministic way to make the loss NaN/Inf
 * (images are uint8, every learning rate the registry accepts may or may not blow up), so a test
 * would be flaky. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_util.h"

#include <math.h>
#include <pthread.h>

enum {
  NUM_CLASSES = 4,
  SIDE = 48,
  TRAIN_SAMPLES = 64,
  EVAL_SAMPLES = 16,
  /* the learning test */
  LEARN_ITERS = 150,
  LEARN_BATCH = 8,
  LEARN_CROP = 48,
  LEARN_WIDTH = 16,
  LEARN_OUTPUT_STRIDE = 8,
  LEARN_ASPP = 32,
  LEARN_LOW_LEVEL = 16,
  LEARN_SEED = 5,
  /* the quick trainers of every other test */
  QUICK_ITERS = 20,
  QUICK_BATCH = 2,
  QUICK_CROP = 32,
  QUICK_SEED = 11,
  STATS_STEPS = 2,
  LOG_EVERY = 2,
  PROGRESS_STEPS = 6,
  MAX_CALLBACKS = 64,
  LONG_ITERS = 1000, /* a step that would take long if cancel did not work */
  STATE_ITERS = 3,
  RESUME_FIRST = 3,
  RESUME_MORE = 3,
  RANDOM_FILE_BYTES = 4096,
  /* semi-supervised trainers */
  UNLABELED_SAMPLES = 4,
  SEMI_STEPS = 2,
  NAME_CAPACITY = 64,
  STATS_GUARD_BYTES = 64,
  /* pcr trains labeled-only for train.iters / 10 iterations by default (train.sup_only_iters = -1):
   * below 10 iterations it learns from the unlabeled set from the first iteration on */
  PCR_ITERS = 9,
  PCR_WARMUP_ITERS = 20 /* → 2 labeled-only iterations */
};

/* Learning: after LEARN_ITERS the held-out mIoU must be well above the untrained one. */
static const double kMiouGainFactor = 2.0;  /* at least this times the initial mIoU */
static const double kMiouGainMargin = 0.15; /* and at least this much above it */
static const double kLearnLr = 0.05;
static const uint64_t kTrainSeed = 1;
static const uint64_t kEvalSeed = 2;
static const uint64_t kUnlabeledSeed = 3;
/* Resume: continuing from a checkpoint matches continuing the original trainer. */
static const double kResumeLossTolerance = 1e-4;
static const float kResumeConfidenceTolerance = 1e-5f;

typedef struct {
  char dir[S4T_PATH_MAX];
  s4seg_dataset* train;
  s4seg_dataset* eval;
  s4seg_dataset* unlabeled; /* synthetic, so its samples carry masks (pseudo-label accuracy) */
  s4seg_image* probe; /* an image to compare predictions on */
  s4seg_image_view probe_view;
} fixture;

static int setup(void** state) {
  fixture* f = (fixture*)calloc(1, sizeof(fixture));
  if (f == NULL) return -1;
  s4t_temp_dir_create(f->dir, sizeof f->dir);
  S4T_OK(s4seg_dataset_create(&f->train));
  S4T_OK(s4seg_dataset_add_synthetic(f->train, TRAIN_SAMPLES, SIDE, SIDE, NUM_CLASSES, kTrainSeed));
  S4T_OK(s4seg_dataset_create(&f->eval));
  S4T_OK(s4seg_dataset_add_synthetic(f->eval, EVAL_SAMPLES, SIDE, SIDE, NUM_CLASSES, kEvalSeed));
  S4T_OK(s4seg_dataset_create(&f->unlabeled));
  S4T_OK(s4seg_dataset_add_synthetic(f->unlabeled, UNLABELED_SAMPLES, SIDE, SIDE, NUM_CLASSES, kUnlabeledSeed));
  S4T_OK(s4seg_dataset_get(f->eval, 0, &f->probe, NULL));
  S4T_OK(s4seg_image_get_view(f->probe, &f->probe_view));
  *state = f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = (fixture*)*state;
  s4seg_image_free(f->probe);
  s4seg_dataset_free(f->train);
  s4seg_dataset_free(f->eval);
  s4seg_dataset_free(f->unlabeled);
  s4t_temp_dir_remove(f->dir);
  free(f);
  return 0;
}

static fixture* fx(void** state) { return (fixture*)*state; }

static const char* temp_path(void** state, const char* name) {
  static char path[S4T_PATH_MAX];
  s4t_path_join(path, sizeof path, fx(state)->dir, name);
  return path;
}

/* Tiny CPU model for NUM_CLASSES classes, with a deterministic training setup. */
static s4seg_config* quick_config(void) {
  s4seg_config* config = s4t_tiny_config();
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", NUM_CLASSES));
  S4T_OK(s4seg_config_set_int(config, "train.iters", QUICK_ITERS));
  S4T_OK(s4seg_config_set_int(config, "train.batch_size", QUICK_BATCH));
  S4T_OK(s4seg_config_set_int(config, "train.crop_size", QUICK_CROP));
  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED));
  S4T_OK(s4seg_config_set_int(config, "train.threads", 1));
  S4T_OK(s4seg_config_set_int(config, "train.workers", 0));
  S4T_OK(s4seg_config_set_int(config, "train.log_every", LOG_EVERY));
  return config;
}

static s4seg_model* model_from(const s4seg_config* config) {
  s4seg_model* model = NULL;
  S4T_OK(s4seg_model_create(config, &model));
  assert_non_null(model);
  return model;
}

static s4seg_trainer* trainer_from(s4seg_model* model, s4seg_dataset* ds, const s4seg_config* config) {
  s4seg_trainer* trainer = NULL;
  S4T_OK(s4seg_trainer_create(model, ds, config, &trainer));
  assert_non_null(trainer);
  return trainer;
}

/* A quick model and trainer on the training set; `extra` (may be NULL) is config text applied
 * on top of quick_config(). */
static s4seg_trainer* quick_trainer(void** state, const char* extra, s4seg_model** model_out) {
  s4seg_config* config = quick_config();
  s4seg_model* model;
  s4seg_trainer* trainer;
  if (extra != NULL) s4t_config_apply(config, extra);
  model = model_from(config);
  trainer = trainer_from(model, fx(state)->train, config);
  s4seg_config_free(config);
  if (model_out != NULL) *model_out = model;
  else s4seg_model_free(model);
  return trainer;
}

static int64_t iteration_of(const s4seg_trainer* trainer) {
  int64_t it = -1;
  S4T_OK(s4seg_trainer_iteration(trainer, &it));
  return it;
}

static double evaluate_miou(s4seg_model* model, const s4seg_dataset* ds) {
  double miou = -1;
  S4T_OK(s4seg_model_evaluate(model, ds, &miou, NULL, NULL, 0));
  assert_true(miou >= 0.0 && miou <= 1.0);
  return miou;
}

static void predict_probe(void** state, s4seg_model* model, uint8_t* labels, float* confidence) {
  const s4seg_image_view* v = &fx(state)->probe_view;
  size_t n = (size_t)v->width * (size_t)v->height;
  S4T_OK(s4seg_model_predict(model, v, labels, n, confidence, n));
}

static void assert_stats_filled(const s4seg_train_stats* stats, int64_t iteration, int64_t total) {
  assert_int_equal(stats->struct_size, sizeof(s4seg_train_stats));
  assert_int_equal(stats->iteration, iteration);
  assert_int_equal(stats->total_iterations, total);
  assert_true(isfinite(stats->loss) && stats->loss > 0.0);
  assert_true(isfinite(stats->learning_rate) && stats->learning_rate >= 0.0);
  assert_true(stats->seconds > 0.0);
  assert_true(stats->images_per_second > 0.0);
  assert_true(stats->eta_seconds >= 0.0);
}

/* ------------------------------------------------------------------------------------------ */
/* Learning                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void training_raises_held_out_miou(void** state) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_model* model;
  s4seg_trainer* trainer;
  s4seg_train_stats stats;
  double miou0, miou1, wanted;
  S4T_OK(s4seg_config_set_int(config, "model.width", LEARN_WIDTH));
  S4T_OK(s4seg_config_set_int(config, "model.output_stride", LEARN_OUTPUT_STRIDE));
  S4T_OK(s4seg_config_set_int(config, "model.aspp_channels", LEARN_ASPP));
  S4T_OK(s4seg_config_set_int(config, "model.low_level_channels", LEARN_LOW_LEVEL));
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", NUM_CLASSES));
  S4T_OK(s4seg_config_set_int(config, "train.iters", LEARN_ITERS));
  S4T_OK(s4seg_config_set_int(config, "train.batch_size", LEARN_BATCH));
  S4T_OK(s4seg_config_set_int(config, "train.crop_size", LEARN_CROP));
  S4T_OK(s4seg_config_set_double(config, "train.lr", kLearnLr));
  S4T_OK(s4seg_config_set_int(config, "train.log_every", LEARN_ITERS));
  S4T_OK(s4seg_config_set_int(config, "train.seed", LEARN_SEED));
  model = model_from(config);
  trainer = trainer_from(model, fx(state)->train, config);

  miou0 = evaluate_miou(model, fx(state)->eval);
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, LEARN_ITERS, &stats));
  assert_stats_filled(&stats, LEARN_ITERS, LEARN_ITERS);
  miou1 = evaluate_miou(model, fx(state)->eval);

  wanted = miou0 * kMiouGainFactor;
  if (miou0 + kMiouGainMargin > wanted) wanted = miou0 + kMiouGainMargin;
  print_message("mIoU %.4f at iteration 0, %.4f after %d iterations (needs > %.4f); %.1f images/s\n", miou0, miou1,
                LEARN_ITERS, wanted, stats.images_per_second);
  assert_true(miou1 > wanted);

  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* ------------------------------------------------------------------------------------------ */
/* Stats and progress                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void stats_init_sets_size_and_zeroes(void** state) {
  s4seg_train_stats stats;
  (void)state;
  memset(&stats, 0x5A, sizeof stats);
  s4seg_train_stats_init(&stats);
  assert_int_equal(stats.struct_size, sizeof(s4seg_train_stats));
  assert_int_equal(stats.iteration, 0);
  assert_int_equal(stats.total_iterations, 0);
  assert_true(stats.loss == 0.0 && stats.learning_rate == 0.0 && stats.seconds == 0.0);
  assert_true(stats.images_per_second == 0.0 && stats.eta_seconds == 0.0);
}

static void step_fills_stats(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  s4seg_train_stats stats;
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, STATS_STEPS, &stats));
  assert_stats_filled(&stats, STATS_STEPS, QUICK_ITERS);
  assert_int_equal(iteration_of(trainer), STATS_STEPS);
  s4seg_trainer_free(trainer);
}

static void step_accepts_null_stats(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  assert_int_equal(iteration_of(trainer), 0);
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  assert_int_equal(iteration_of(trainer), 1);
  s4seg_trainer_free(trainer);
}

typedef struct {
  int calls;
  int stop_at_call; /* return non-zero on this call (1-based); 0 = never */
  int64_t iterations[MAX_CALLBACKS];
  int64_t totals[MAX_CALLBACKS];
  double losses[MAX_CALLBACKS];
} progress_log;

static int record_progress(const s4seg_train_stats* stats, void* user_data) {
  progress_log* log = (progress_log*)user_data;
  if (log->calls < MAX_CALLBACKS) {
    log->iterations[log->calls] = stats->iteration;
    log->totals[log->calls] = stats->total_iterations;
    log->losses[log->calls] = stats->loss;
  }
  ++log->calls;
  return log->stop_at_call != 0 && log->calls >= log->stop_at_call;
}

static void progress_callback_sees_increasing_iterations(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  progress_log log;
  int i;
  memset(&log, 0, sizeof log);
  S4T_OK(s4seg_trainer_set_progress(trainer, record_progress, &log));
  S4T_OK(s4seg_trainer_step(trainer, PROGRESS_STEPS, NULL));
  assert_int_equal(log.calls, PROGRESS_STEPS / LOG_EVERY);
  for (i = 0; i < log.calls; ++i) {
    assert_int_equal(log.iterations[i], (int64_t)(i + 1) * LOG_EVERY);
    assert_int_equal(log.totals[i], QUICK_ITERS);
    assert_true(isfinite(log.losses[i]) && log.losses[i] > 0.0);
  }
  s4seg_trainer_free(trainer);
}

static void progress_callback_returning_nonzero_cancels(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  progress_log log;
  memset(&log, 0, sizeof log);
  log.stop_at_call = 1;
  S4T_OK(s4seg_trainer_set_progress(trainer, record_progress, &log));
  S4T_CHECK(S4SEG_CANCELLED, s4seg_trainer_step(trainer, PROGRESS_STEPS, NULL));
  assert_int_equal(log.calls, 1);
  /* Completed iterations are kept: the trainer stands where the callback stopped it. */
  assert_int_equal(iteration_of(trainer), log.iterations[0]);
  assert_true(log.iterations[0] > 0 && log.iterations[0] < PROGRESS_STEPS);
  /* Training goes on once the callback lets it. */
  log.stop_at_call = 0;
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  assert_int_equal(iteration_of(trainer), log.iterations[0] + 1);
  s4seg_trainer_free(trainer);
}

typedef struct {
  s4seg_trainer* trainer;
  s4seg_model* model;
  s4seg_status predict_status;
  s4seg_status step_status;
  int calls;
} reentry_probe;

/* A host evaluating inside its callback: predicting with the trained model must work, re-entering
 * the step must be refused with STATE (not a deadlock, not a crash). */
static int probe_reentry(const s4seg_train_stats* stats, void* user_data) {
  reentry_probe* probe = (reentry_probe*)user_data;
  uint8_t pixels[16 * 16 * 3], labels[16 * 16];
  s4seg_image_view view;
  (void)stats;
  memset(pixels, 90, sizeof pixels);
  view.data = pixels;
  view.width = 16;
  view.height = 16;
  view.channels = 3;
  view.row_stride = 16 * 3;
  probe->predict_status = s4seg_model_predict(probe->model, &view, labels, sizeof labels, NULL, 0);
  probe->step_status = s4seg_trainer_step(probe->trainer, 1, NULL);
  ++probe->calls;
  return 0;
}

static void progress_callback_may_predict_but_not_reenter_step(void** state) {
  reentry_probe probe;
  memset(&probe, 0, sizeof probe);
  probe.trainer = quick_trainer(state, NULL, &probe.model);
  S4T_OK(s4seg_trainer_set_progress(probe.trainer, probe_reentry, &probe));
  S4T_OK(s4seg_trainer_step(probe.trainer, LOG_EVERY, NULL));
  assert_int_equal(probe.calls, 1);
  assert_int_equal(probe.predict_status, S4SEG_OK);
  assert_int_equal(probe.step_status, S4SEG_STATE);
  assert_int_equal(iteration_of(probe.trainer), LOG_EVERY);
  s4seg_trainer_free(probe.trainer);
  s4seg_model_free(probe.model);
}

static void clearing_progress_callback_stops_calls(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  progress_log log;
  memset(&log, 0, sizeof log);
  S4T_OK(s4seg_trainer_set_progress(trainer, record_progress, &log));
  S4T_OK(s4seg_trainer_set_progress(trainer, NULL, NULL));
  S4T_OK(s4seg_trainer_step(trainer, LOG_EVERY, NULL));
  assert_int_equal(log.calls, 0);
  s4seg_trainer_free(trainer);
}

/* ------------------------------------------------------------------------------------------ */
/* Cancellation and limits                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void cancel_before_step_cancels_the_next_step(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  int64_t stopped_at;
  S4T_OK(s4seg_trainer_cancel(trainer));
  S4T_CHECK(S4SEG_CANCELLED, s4seg_trainer_step(trainer, PROGRESS_STEPS, NULL));
  stopped_at = iteration_of(trainer);
  assert_true(stopped_at <= 1); /* at most the iteration in progress */
  /* The request was used up: the following step runs. */
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  assert_int_equal(iteration_of(trainer), stopped_at + 1);
  s4seg_trainer_free(trainer);
}

typedef struct {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  int started;
  s4seg_trainer* trainer;
  s4seg_status cancel_status;
} cancel_context;

static void mark_started(cancel_context* ctx) {
  pthread_mutex_lock(&ctx->mutex);
  ctx->started = 1;
  pthread_cond_broadcast(&ctx->cond);
  pthread_mutex_unlock(&ctx->mutex);
}

/* Runs on the stepping thread: tells the canceller that training is under way. */
static int signal_started(const s4seg_train_stats* stats, void* user_data) {
  (void)stats;
  mark_started((cancel_context*)user_data);
  return 0;
}

static void* cancel_when_started(void* arg) {
  cancel_context* ctx = (cancel_context*)arg;
  pthread_mutex_lock(&ctx->mutex);
  while (!ctx->started) pthread_cond_wait(&ctx->cond, &ctx->mutex);
  pthread_mutex_unlock(&ctx->mutex);
  ctx->cancel_status = s4seg_trainer_cancel(ctx->trainer);
  return NULL;
}

static void cancel_from_another_thread_stops_a_running_step(void** state) {
  char extra[128];
  s4seg_trainer* trainer;
  cancel_context ctx;
  pthread_t thread;
  s4seg_status status;
  snprintf(extra, sizeof extra, "train.iters = %d\ntrain.log_every = 1\n", LONG_ITERS);
  trainer = quick_trainer(state, extra, NULL);
  memset(&ctx, 0, sizeof ctx);
  assert_int_equal(pthread_mutex_init(&ctx.mutex, NULL), 0);
  assert_int_equal(pthread_cond_init(&ctx.cond, NULL), 0);
  ctx.trainer = trainer;
  ctx.cancel_status = S4SEG_INTERNAL;
  S4T_OK(s4seg_trainer_set_progress(trainer, signal_started, &ctx));
  assert_int_equal(pthread_create(&thread, NULL, cancel_when_started, &ctx), 0);

  status = s4seg_trainer_step(trainer, LONG_ITERS, NULL);
  mark_started(&ctx); /* release the canceller even if the step failed before any callback */
  assert_int_equal(pthread_join(thread, NULL), 0);

  S4T_CHECK(S4SEG_CANCELLED, status);
  S4T_CHECK(S4SEG_OK, ctx.cancel_status);
  assert_true(iteration_of(trainer) >= 1);
  assert_true(iteration_of(trainer) < LONG_ITERS);
  pthread_cond_destroy(&ctx.cond);
  pthread_mutex_destroy(&ctx.mutex);
  s4seg_trainer_free(trainer);
}

static void step_stops_at_train_iters_then_reports_state(void** state) {
  s4seg_config* config = quick_config();
  s4seg_model* model;
  s4seg_trainer* trainer;
  s4seg_train_stats stats;
  S4T_OK(s4seg_config_set_int(config, "train.iters", STATE_ITERS));
  model = model_from(config);
  trainer = trainer_from(model, fx(state)->train, config);
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, STATE_ITERS + 5, &stats)); /* runs only up to train.iters */
  assert_int_equal(stats.iteration, STATE_ITERS);
  assert_int_equal(stats.total_iterations, STATE_ITERS);
  assert_int_equal(iteration_of(trainer), STATE_ITERS);
  S4T_CHECK(S4SEG_STATE, s4seg_trainer_step(trainer, 1, NULL));
  assert_int_equal(iteration_of(trainer), STATE_ITERS);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void step_rejects_non_positive_iterations(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_step(trainer, 0, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_step(trainer, -1, NULL));
  assert_int_equal(iteration_of(trainer), 0);
  s4seg_trainer_free(trainer);
}

/* ------------------------------------------------------------------------------------------ */
/* Creation and lifetime                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void create_rejects_dataset_without_masks(void** state) {
  s4seg_config* config = quick_config();
  s4seg_model* model = model_from(config);
  s4seg_dataset* unlabeled = NULL;
  s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
  const s4seg_image_view* v = &fx(state)->probe_view;
  S4T_OK(s4seg_dataset_create(&unlabeled));
  S4T_OK(s4seg_dataset_add(unlabeled, v, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create(model, unlabeled, config, &trainer));
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  /* One masked sample is not enough: every sample needs a mask. */
  S4T_OK(s4seg_dataset_add_synthetic(unlabeled, 1, SIDE, SIDE, NUM_CLASSES, kTrainSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create(model, unlabeled, config, &trainer));
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  s4seg_dataset_free(unlabeled);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void create_rejects_empty_dataset(void** state) {
  s4seg_config* config = quick_config();
  s4seg_model* model = model_from(config);
  s4seg_dataset* empty = NULL;
  s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
  (void)state;
  S4T_OK(s4seg_dataset_create(&empty));
  S4T_NOT_OK(s4seg_trainer_create(model, empty, config, &trainer));
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  s4seg_dataset_free(empty);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void create_with_null_config_uses_defaults(void** state) {
  s4seg_config* config = quick_config();
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = NULL;
  S4T_OK(s4seg_trainer_create(model, fx(state)->train, NULL, &trainer));
  assert_int_equal(iteration_of(trainer), 0);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void null_arguments_are_rejected(void** state) {
  s4seg_config* config = quick_config();
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
  s4seg_trainer* real;
  int64_t it = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create(NULL, fx(state)->train, config, &trainer));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create(model, NULL, config, &trainer));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create(model, fx(state)->train, config, NULL));
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  real = trainer_from(model, fx(state)->train, config);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_step(NULL, 1, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_cancel(NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_iteration(NULL, &it));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_iteration(real, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_set_progress(NULL, record_progress, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_save_checkpoint(NULL, temp_path(state, "null.ckpt")));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_save_checkpoint(real, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_resume(NULL, temp_path(state, "null.ckpt")));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_resume(real, NULL));
  assert_int_equal(iteration_of(real), 0);
  s4seg_trainer_free(real);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void free_accepts_null(void** state) {
  (void)state;
  s4seg_trainer_free(NULL);
}

static void trainer_keeps_model_alive(void** state) {
  s4seg_model* model = NULL;
  s4seg_trainer* trainer = quick_trainer(state, NULL, &model);
  s4seg_model_free(model); /* the host lets go of the model first */
  S4T_OK(s4seg_trainer_step(trainer, 2, NULL));
  assert_int_equal(iteration_of(trainer), 2);
  S4T_OK(s4seg_trainer_save_checkpoint(trainer, temp_path(state, "orphan.ckpt")));
  s4seg_trainer_free(trainer);
}

static void trainer_keeps_dataset_alive(void** state) {
  s4seg_config* config = quick_config();
  s4seg_model* model = model_from(config);
  s4seg_dataset* ds = NULL;
  s4seg_trainer* trainer;
  (void)state;
  S4T_OK(s4seg_dataset_create(&ds));
  S4T_OK(s4seg_dataset_add_synthetic(ds, QUICK_BATCH * 2, SIDE, SIDE, NUM_CLASSES, kTrainSeed));
  trainer = trainer_from(model, ds, config);
  s4seg_dataset_free(ds);
  S4T_OK(s4seg_trainer_step(trainer, 2, NULL));
  assert_int_equal(iteration_of(trainer), 2);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* ------------------------------------------------------------------------------------------ */
/* Checkpoints                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* The scenario of a crash: the original trainer saves a checkpoint and goes on; later a new
 * process (here: a fresh model and trainer) resumes from the checkpoint and must end up where
 * the original did. */
/* Trains RESUME_FIRST + RESUME_MORE iterations with quick_config() + `extra`, and checks that a
 * fresh trainer resumed from the checkpoint at RESUME_FIRST ends with the same loss and model. */
static void assert_resume_is_exact(void** state, const char* extra) {
  const size_t n = (size_t)fx(state)->probe_view.width * (size_t)fx(state)->probe_view.height;
  char ckpt[S4T_PATH_MAX];
  s4seg_config* config = quick_config();
  s4seg_model *model_a = model_from(config), *model_b;
  s4seg_trainer *trainer_a = trainer_from(model_a, fx(state)->train, config), *trainer_b;
  s4seg_train_stats stats_a, stats_b;
  uint8_t *saved_labels = (uint8_t*)malloc(n), *labels_a = (uint8_t*)malloc(n), *labels_b = (uint8_t*)malloc(n);
  float *saved_conf = (float*)malloc(n * sizeof(float)), *conf_a = (float*)malloc(n * sizeof(float)),
        *conf_b = (float*)malloc(n * sizeof(float));
  size_t i;
  assert_true(saved_labels && labels_a && labels_b && saved_conf && conf_a && conf_b);
  if (extra != NULL) s4t_config_apply(config, extra);
  s4seg_trainer_free(trainer_a);
  s4seg_model_free(model_a);
  model_a = model_from(config);
  trainer_a = trainer_from(model_a, fx(state)->train, config);
  strcpy(ckpt, temp_path(state, "resume.ckpt"));

  /* The original: RESUME_FIRST iterations, checkpoint, RESUME_MORE more. */
  S4T_OK(s4seg_trainer_step(trainer_a, RESUME_FIRST, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(trainer_a, ckpt));
  predict_probe(state, model_a, saved_labels, saved_conf);
  s4seg_train_stats_init(&stats_a);
  S4T_OK(s4seg_trainer_step(trainer_a, RESUME_MORE, &stats_a));
  predict_probe(state, model_a, labels_a, conf_a);

  /* A fresh model (other initial weights) and trainer take over from the checkpoint. */
  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED + 1000));
  model_b = model_from(config);
  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED));
  trainer_b = trainer_from(model_b, fx(state)->train, config);
  S4T_OK(s4seg_trainer_resume(trainer_b, ckpt));
  assert_int_equal(iteration_of(trainer_b), RESUME_FIRST);
  predict_probe(state, model_b, labels_b, conf_b);
  assert_memory_equal(saved_labels, labels_b, n); /* the checkpoint's weights */
  assert_memory_equal(saved_conf, conf_b, n * sizeof(float));

  s4seg_train_stats_init(&stats_b);
  S4T_OK(s4seg_trainer_step(trainer_b, RESUME_MORE, &stats_b));
  assert_int_equal(stats_a.iteration, RESUME_FIRST + RESUME_MORE);
  assert_int_equal(stats_b.iteration, RESUME_FIRST + RESUME_MORE);
  print_message("loss after resume: original %.8f, resumed %.8f\n", stats_a.loss, stats_b.loss);
  S4T_ASSERT_NEAR(stats_a.loss, stats_b.loss, kResumeLossTolerance);
  predict_probe(state, model_b, labels_b, conf_b);
  assert_memory_equal(labels_a, labels_b, n);
  for (i = 0; i < n; ++i) assert_float_equal(conf_a[i], conf_b[i], kResumeConfidenceTolerance);

  s4seg_trainer_free(trainer_a);
  s4seg_trainer_free(trainer_b);
  s4seg_model_free(model_a);
  s4seg_model_free(model_b);
  s4seg_config_free(config);
  free(saved_labels);
  free(labels_a);
  free(labels_b);
  free(saved_conf);
  free(conf_a);
  free(conf_b);
}

static void resume_continues_exactly_like_the_original(void** state) { assert_resume_is_exact(state, NULL); }

static void adamw_with_clipping_resumes_exactly(void** state) {
  assert_resume_is_exact(state, "train.optimizer = adamw\ntrain.lr = 0.001\ntrain.weight_decay = 0.05\ntrain.grad_clip = 1");
}

static void adamw_trains_and_its_state_does_not_load_into_sgd(void** state) {
  char ckpt[S4T_PATH_MAX];
  s4seg_model *model_adamw, *model_sgd;
  s4seg_trainer* adamw = quick_trainer(state, "train.optimizer = adamw\ntrain.lr = 0.001\ntrain.grad_clip = 0.5", &model_adamw);
  s4seg_trainer* sgd = quick_trainer(state, NULL, &model_sgd);
  s4seg_train_stats first, later;
  s4seg_train_stats_init(&first);
  s4seg_train_stats_init(&later);
  S4T_OK(s4seg_trainer_step(adamw, 1, &first));
  S4T_OK(s4seg_trainer_step(adamw, QUICK_ITERS - 2, NULL));
  S4T_OK(s4seg_trainer_step(adamw, 1, &later));
  print_message("adamw loss: first %.4f, last %.4f\n", first.loss, later.loss);
  assert_true(later.loss < first.loss);
  strcpy(ckpt, temp_path(state, "adamw.ckpt"));
  S4T_OK(s4seg_trainer_save_checkpoint(adamw, ckpt));
  /* Optimizer state only resumes into a trainer with the same train.optimizer. */
  S4T_CHECK(S4SEG_FORMAT, s4seg_trainer_resume(sgd, ckpt));
  assert_int_equal(iteration_of(sgd), 0);
  S4T_OK(s4seg_trainer_step(sgd, 1, NULL));
  s4seg_trainer_free(adamw);
  s4seg_trainer_free(sgd);
  s4seg_model_free(model_adamw);
  s4seg_model_free(model_sgd);
}

static void model_load_accepts_a_checkpoint(void** state) {
  const size_t n = (size_t)fx(state)->probe_view.width * (size_t)fx(state)->probe_view.height;
  char ckpt[S4T_PATH_MAX];
  s4seg_model* model = NULL;
  s4seg_model* loaded = NULL;
  s4seg_trainer* trainer = quick_trainer(state, NULL, &model);
  uint8_t *labels_a = (uint8_t*)malloc(n), *labels_b = (uint8_t*)malloc(n);
  float *conf_a = (float*)malloc(n * sizeof(float)), *conf_b = (float*)malloc(n * sizeof(float));
  int32_t classes = 0;
  assert_true(labels_a && labels_b && conf_a && conf_b);
  strcpy(ckpt, temp_path(state, "as_model.ckpt"));
  S4T_OK(s4seg_trainer_step(trainer, 2, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(trainer, ckpt));
  S4T_OK(s4seg_model_load(ckpt, "cpu", &loaded));
  S4T_OK(s4seg_model_num_classes(loaded, &classes));
  assert_int_equal(classes, NUM_CLASSES);
  predict_probe(state, model, labels_a, conf_a);
  predict_probe(state, loaded, labels_b, conf_b);
  assert_memory_equal(labels_a, labels_b, n);
  assert_memory_equal(conf_a, conf_b, n * sizeof(float));
  s4seg_model_free(loaded);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  free(labels_a);
  free(labels_b);
  free(conf_a);
  free(conf_b);
}

static void resume_from_corrupt_file_is_format_and_trainer_still_steps(void** state) {
  char good[S4T_PATH_MAX], random_path[S4T_PATH_MAX], half[S4T_PATH_MAX], flipped[S4T_PATH_MAX];
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  uint8_t* noise = s4t_pattern(RANDOM_FILE_BYTES, 1, 1, 9);
  uint8_t* bytes;
  size_t size;
  strcpy(good, temp_path(state, "good.ckpt"));
  strcpy(random_path, temp_path(state, "random.ckpt"));
  strcpy(half, temp_path(state, "half.ckpt"));
  strcpy(flipped, temp_path(state, "flipped.ckpt"));

  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(trainer, good));
  bytes = s4t_read_file(good, &size);
  free(bytes);
  s4t_write_file(random_path, noise, RANDOM_FILE_BYTES);
  s4t_truncate_copy(good, half, size / 2);
  s4t_flip_byte_copy(good, flipped, size / 2);
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));

  S4T_CHECK(S4SEG_FORMAT, s4seg_trainer_resume(trainer, random_path));
  S4T_CHECK(S4SEG_FORMAT, s4seg_trainer_resume(trainer, half));
  S4T_CHECK(S4SEG_FORMAT, s4seg_trainer_resume(trainer, flipped));
  assert_int_equal(iteration_of(trainer), 2); /* unchanged */
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  assert_int_equal(iteration_of(trainer), 3);
  s4seg_trainer_free(trainer);
  free(noise);
}

static void resume_from_missing_file_is_io(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  S4T_CHECK(S4SEG_IO, s4seg_trainer_resume(trainer, temp_path(state, "no_such.ckpt")));
  assert_int_equal(iteration_of(trainer), 0);
  s4seg_trainer_free(trainer);
}

static void resume_from_other_architecture_fails_and_changes_nothing(void** state) {
  char ckpt[S4T_PATH_MAX];
  s4seg_trainer* wide = quick_trainer(state, "model.width = 16\n", NULL); /* quick models have width 8 */
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  strcpy(ckpt, temp_path(state, "wide.ckpt"));
  S4T_OK(s4seg_trainer_step(wide, 2, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(wide, ckpt));
  S4T_NOT_OK(s4seg_trainer_resume(trainer, ckpt));
  assert_int_equal(iteration_of(trainer), 0);
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  assert_int_equal(iteration_of(trainer), 1);
  s4seg_trainer_free(wide);
  s4seg_trainer_free(trainer);
}

static void save_checkpoint_into_missing_folder_is_io(void** state) {
  s4seg_trainer* trainer = quick_trainer(state, NULL, NULL);
  S4T_CHECK(S4SEG_IO, s4seg_trainer_save_checkpoint(trainer, temp_path(state, "no/such/dir/x.ckpt")));
  s4seg_trainer_free(trainer);
}

/* ------------------------------------------------------------------------------------------ */
/* Semi-supervised trainers, metrics, stats of release 0.1 callers                             */
/* ------------------------------------------------------------------------------------------ */

/* quick_config() with train.method = `method`, and `extra` (may be NULL) on top. */
static s4seg_config* semi_config(const char* method, const char* extra) {
  s4seg_config* config = quick_config();
  S4T_OK(s4seg_config_set_string(config, "train.method", method));
  if (extra != NULL) s4t_config_apply(config, extra);
  return config;
}

static s4seg_trainer* semi_trainer_from(s4seg_model* model, s4seg_dataset* labeled, s4seg_dataset* unlabeled,
                                        const s4seg_config* config) {
  s4seg_trainer* trainer = NULL;
  S4T_OK(s4seg_trainer_create_semi(model, labeled, unlabeled, config, &trainer));
  assert_non_null(trainer);
  return trainer;
}

/* A model built from `config` (so train.method = css gives it a representation head) and a trainer
 * on the fixture's labeled and unlabeled sets. */
static s4seg_trainer* semi_trainer(void** state, const s4seg_config* config, s4seg_model** model_out) {
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(model, fx(state)->train, fx(state)->unlabeled, config);
  if (model_out != NULL) *model_out = model;
  else s4seg_model_free(model);
  return trainer;
}

/* Number of metrics whose name starts with `prefix`. */
static size_t count_metrics_with_prefix(const s4seg_trainer* trainer, const char* prefix) {
  size_t count = 0, i, hits = 0;
  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  for (i = 0; i < count; ++i) {
    char buf[NAME_CAPACITY];
    S4T_OK(s4seg_trainer_metric(trainer, i, buf, sizeof buf, NULL, NULL));
    if (strncmp(buf, prefix, strlen(prefix)) == 0) ++hits;
  }
  return hits;
}

static void assert_ratio_or_absent(double v) { assert_true(v == -1.0 || (v >= 0.0 && v <= 1.0)); }

/* Sum of the "loss/..." metrics: the terms the total loss is made of. */
static double sum_of_loss_terms(const s4seg_trainer* trainer) {
  size_t count = 0, i;
  double sum = 0;
  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  for (i = 0; i < count; ++i) {
    char buf[NAME_CAPACITY];
    double v = 0;
    S4T_OK(s4seg_trainer_metric(trainer, i, buf, sizeof buf, NULL, &v));
    if (strncmp(buf, "loss/", 5) == 0) sum += v;
  }
  return sum;
}

static void create_semi_rejects_null_arguments(void** state) {
  s4seg_config* config = semi_config("fixmatch", NULL);
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(NULL, fx(state)->train, fx(state)->unlabeled, config, &trainer));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(model, NULL, fx(state)->unlabeled, config, &trainer));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(model, fx(state)->train, fx(state)->unlabeled, config, NULL));
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void semi_methods_without_unlabeled_are_invalid(void** state) {
  static const char* const kMethods[] = {"fixmatch", "pcr"};
  size_t i;
  for (i = 0; i < sizeof kMethods / sizeof kMethods[0]; ++i) {
    s4seg_config* config = semi_config(kMethods[i], NULL);
    s4seg_model* model = model_from(config);
    s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
    S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(model, fx(state)->train, NULL, config, &trainer));
    S4T_ERROR_CONTAINS("unlabeled");
    assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
    /* s4seg_trainer_create is the same as create_semi with unlabeled = NULL. */
    S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create(model, fx(state)->train, config, &trainer));
    S4T_ERROR_CONTAINS("unlabeled");
    assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
    s4seg_model_free(model);
    s4seg_config_free(config);
  }
}

static void semi_method_with_empty_unlabeled_is_invalid(void** state) {
  s4seg_config* config = semi_config("fixmatch", NULL);
  s4seg_model* model = model_from(config);
  s4seg_dataset* empty = NULL;
  s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
  S4T_OK(s4seg_dataset_create(&empty));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(model, fx(state)->train, empty, config, &trainer));
  S4T_ERROR_CONTAINS("unlabeled");
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  s4seg_dataset_free(empty);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void metrics_are_empty_before_the_first_step(void** state) {
  s4seg_config* config = semi_config("fixmatch", NULL);
  s4seg_trainer* trainer = semi_trainer(state, config, NULL);
  size_t count = 99;
  char name[NAME_CAPACITY] = "untouched";
  double value = 42.0;
  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  assert_int_equal(count, 0);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric(trainer, 0, name, sizeof name, NULL, &value));
  assert_string_equal(name, "untouched");
  assert_true(value == 42.0);
  s4seg_trainer_free(trainer);
  s4seg_config_free(config);
}

/* pseudo.threshold = 0 keeps every pixel, so the unlabeled masks are compared with kept labels and
 * pseudo_accuracy is reported (a threshold nothing reaches would report -1: nothing to check). */
static void fixmatch_trains_and_reports_pseudo_label_figures(void** state) {
  s4seg_config* config = semi_config("fixmatch", "pseudo.threshold = 0\n");
  s4seg_model* model = NULL;
  s4seg_trainer* trainer = semi_trainer(state, config, &model);
  s4seg_train_stats stats;
  size_t count = 0;
  double keep = -5, accuracy = -5;
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, SEMI_STEPS, &stats));
  assert_stats_filled(&stats, SEMI_STEPS, QUICK_ITERS);
  print_message("fixmatch: loss %.4f, keep ratio %.4f, pseudo accuracy %.4f\n", stats.loss, stats.pseudo_keep_ratio,
                stats.pseudo_accuracy);
  assert_true(stats.pseudo_keep_ratio >= 0.0 && stats.pseudo_keep_ratio <= 1.0);
  S4T_ASSERT_NEAR(stats.pseudo_keep_ratio, 1.0, 1e-9); /* threshold 0 drops nothing */
  assert_true(stats.pseudo_accuracy >= 0.0 && stats.pseudo_accuracy <= 1.0);

  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  assert_true(count > 0);
  assert_true(s4t_find_metric(trainer, "loss/supervised", NULL));
  assert_true(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  assert_true(s4t_find_metric(trainer, "pseudo/keep_ratio", &keep));
  assert_true(s4t_find_metric(trainer, "pseudo/accuracy", &accuracy));
  assert_true(keep == stats.pseudo_keep_ratio);
  assert_true(accuracy == stats.pseudo_accuracy);
  /* The loss terms add up to the total (each is averaged over the same iterations). */
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * stats.loss + 1e-6);

  /* The model handle is the teacher: it predicts and evaluates during training. */
  assert_true(evaluate_miou(model, fx(state)->eval) >= 0.0);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* Unlabeled images without masks: nothing to measure accuracy on → -1 and no metric. */
static void unlabeled_without_masks_reports_no_pseudo_accuracy(void** state) {
  s4seg_config* config = semi_config("fixmatch", "pseudo.threshold = 0\n");
  s4seg_model* model = model_from(config);
  s4seg_dataset* bare = NULL;
  s4seg_trainer* trainer;
  s4seg_train_stats stats;
  S4T_OK(s4seg_dataset_create(&bare));
  S4T_OK(s4seg_dataset_add(bare, &fx(state)->probe_view, NULL));
  S4T_OK(s4seg_dataset_add(bare, &fx(state)->probe_view, NULL));
  trainer = semi_trainer_from(model, fx(state)->train, bare, config);
  s4seg_dataset_free(bare); /* the trainer keeps it alive */
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, SEMI_STEPS, &stats));
  assert_true(stats.pseudo_keep_ratio >= 0.0 && stats.pseudo_keep_ratio <= 1.0);
  assert_true(stats.pseudo_accuracy == -1.0);
  assert_true(s4t_find_metric(trainer, "pseudo/keep_ratio", NULL));
  assert_false(s4t_find_metric(trainer, "pseudo/accuracy", NULL));
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void metric_errors_write_only_name_needed(void** state) {
  s4seg_config* config = semi_config("fixmatch", NULL);
  s4seg_trainer* trainer = semi_trainer(state, config, NULL);
  size_t count = 0, needed = 0, i;
  char name[NAME_CAPACITY], small[4];
  double value = 42.0;
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  assert_true(count > 0);

  /* Index out of range. */
  memset(name, 'x', sizeof name);
  needed = 777;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric(trainer, count, name, sizeof name, &needed, &value));
  S4T_ERROR_CONTAINS("range");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric(trainer, (size_t)-1, name, sizeof name, &needed, &value));
  assert_int_equal(needed, 777);
  assert_true(value == 42.0);
  assert_int_equal(name[0], 'x');

  /* Every name is longer than 3 characters: a 4-byte buffer is too small; name_needed is set,
   * neither the buffer nor the value is written. */
  for (i = 0; i < count; ++i) {
    size_t real_needed = 0;
    S4T_OK(s4seg_trainer_metric(trainer, i, name, sizeof name, &real_needed, NULL));
    assert_int_equal(real_needed, strlen(name) + 1);
    memset(small, 'y', sizeof small);
    needed = 0;
    value = 42.0;
    S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_trainer_metric(trainer, i, small, sizeof small, &needed, &value));
    assert_int_equal(needed, real_needed);
    assert_true(value == 42.0);
    assert_memory_equal(small, "yyyy", sizeof small);
    /* A size query: no buffer at all. */
    needed = 0;
    S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_trainer_metric(trainer, i, NULL, 0, &needed, NULL));
    assert_int_equal(needed, real_needed);
    /* Exactly the needed size fits. */
    S4T_OK(s4seg_trainer_metric(trainer, i, name, real_needed, NULL, &value));
  }

  /* NULL handles and out-pointers. */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric_count(NULL, &count));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric_count(trainer, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric(NULL, 0, name, sizeof name, &needed, &value));
  s4seg_trainer_free(trainer);
  s4seg_config_free(config);
}

/* The header: a call that succeeds leaves s4seg_last_error() empty. */
static void metric_calls_that_succeed_clear_the_last_error(void** state) {
  s4seg_config* config = semi_config("fixmatch", NULL);
  s4seg_trainer* trainer = semi_trainer(state, config, NULL);
  size_t count = 0, needed = 0;
  char name[NAME_CAPACITY];
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric(trainer, 1000, name, sizeof name, NULL, NULL));
  S4T_OK(s4seg_trainer_metric(trainer, 0, name, sizeof name, &needed, NULL));
  assert_string_equal(s4seg_last_error(), "");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_metric(trainer, 1000, name, sizeof name, NULL, NULL));
  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  assert_string_equal(s4seg_last_error(), "");
  s4seg_trainer_free(trainer);
  s4seg_config_free(config);
}

static void supervised_reports_no_pseudo_figures(void** state) {
  s4seg_config* config = quick_config();
  s4seg_model* model = model_from(config);
  /* supervised ignores an unlabeled set it is given */
  s4seg_trainer* trainer = semi_trainer_from(model, fx(state)->train, fx(state)->unlabeled, config);
  s4seg_train_stats stats;
  double sup = 0;
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, SEMI_STEPS, &stats));
  assert_stats_filled(&stats, SEMI_STEPS, QUICK_ITERS);
  assert_true(stats.pseudo_keep_ratio == -1.0);
  assert_true(stats.pseudo_accuracy == -1.0);
  assert_true(s4t_find_metric(trainer, "loss/supervised", &sup));
  S4T_ASSERT_NEAR(sup, stats.loss, 1e-4 * stats.loss + 1e-6);
  assert_int_equal(count_metrics_with_prefix(trainer, "pseudo/"), 0);
  assert_false(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  /* Labeled images only: the unlabeled set does not count into the throughput either. */
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* A caller built against 0.1 passes struct_size = offsetof(pseudo_keep_ratio): OK, the older
 * fields are filled, nothing after them is written. */
static void stats_of_release_0_1_size_get_only_the_old_fields(void** state) {
  const size_t old_size = offsetof(s4seg_train_stats, pseudo_keep_ratio);
  s4seg_config* config = semi_config("fixmatch", "pseudo.threshold = 0\n");
  s4seg_trainer* trainer = semi_trainer(state, config, NULL);
  unsigned char buffer[sizeof(s4seg_train_stats) + STATS_GUARD_BYTES];
  s4seg_train_stats* stats = (s4seg_train_stats*)(void*)buffer;
  s4seg_train_stats old;
  size_t i;
  memset(buffer, 0xAB, sizeof buffer);
  memset(buffer, 0, old_size);
  stats->struct_size = old_size;
  S4T_OK(s4seg_trainer_step(trainer, SEMI_STEPS, stats));
  for (i = old_size; i < sizeof buffer; ++i)
    if (buffer[i] != 0xAB) fail_msg("byte %zu (struct_size %zu) was written: 0x%02X", i, old_size, buffer[i]);
  memcpy(&old, buffer, old_size);
  assert_int_equal(old.struct_size, old_size);
  assert_int_equal(old.iteration, SEMI_STEPS);
  assert_int_equal(old.total_iterations, QUICK_ITERS);
  assert_true(isfinite(old.loss) && old.loss > 0.0);
  assert_true(old.seconds > 0.0 && old.images_per_second > 0.0);
  /* The metrics are there all the same. */
  assert_true(s4t_find_metric(trainer, "pseudo/keep_ratio", NULL));

  /* A size below the 0.1 struct is refused. */
  stats->struct_size = old_size - 1;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_step(trainer, 1, stats));
  stats->struct_size = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_step(trainer, 1, stats));
  assert_int_equal(iteration_of(trainer), SEMI_STEPS);
  s4seg_trainer_free(trainer);
  s4seg_config_free(config);
}

typedef struct {
  int calls;
  double keep_ratio;
  double accuracy;
  int saw_keep_metric;
  s4seg_trainer* trainer;
} semi_progress;

static int record_semi_progress(const s4seg_train_stats* stats, void* user_data) {
  semi_progress* p = (semi_progress*)user_data;
  ++p->calls;
  assert_int_equal(stats->struct_size, sizeof(s4seg_train_stats));
  p->keep_ratio = stats->pseudo_keep_ratio;
  p->accuracy = stats->pseudo_accuracy;
  p->saw_keep_metric = s4t_find_metric(p->trainer, "pseudo/keep_ratio", NULL);
  return 0;
}

static void progress_callback_receives_pseudo_figures(void** state) {
  s4seg_config* config = semi_config("fixmatch", "pseudo.threshold = 0\n");
  semi_progress p;
  memset(&p, 0, sizeof p);
  p.trainer = semi_trainer(state, config, NULL);
  S4T_OK(s4seg_trainer_set_progress(p.trainer, record_semi_progress, &p));
  S4T_OK(s4seg_trainer_step(p.trainer, LOG_EVERY, NULL));
  assert_int_equal(p.calls, 1);
  S4T_ASSERT_NEAR(p.keep_ratio, 1.0, 1e-9);
  assert_true(p.accuracy >= 0.0 && p.accuracy <= 1.0);
  assert_true(p.saw_keep_metric);
  s4seg_trainer_free(p.trainer);
  s4seg_config_free(config);
}

/* Checkpoint of a fixmatch trainer → a fresh fixmatch trainer continues like the original
 * (teacher, student, EMA count, samplers of both sets). */
static void fixmatch_checkpoint_resumes_into_a_fresh_fixmatch_trainer(void** state) {
  const size_t n = (size_t)fx(state)->probe_view.width * (size_t)fx(state)->probe_view.height;
  char ckpt[S4T_PATH_MAX];
  s4seg_config* config = semi_config("fixmatch", "pseudo.threshold = 0.5\n");
  s4seg_model *model_a = NULL, *model_b;
  s4seg_trainer *trainer_a = semi_trainer(state, config, &model_a), *trainer_b;
  s4seg_train_stats stats_a, stats_b;
  uint8_t *saved = (uint8_t*)malloc(n), *labels_a = (uint8_t*)malloc(n), *labels_b = (uint8_t*)malloc(n);
  float* conf = (float*)malloc(n * sizeof(float));
  assert_true(saved && labels_a && labels_b && conf);
  strcpy(ckpt, temp_path(state, "fixmatch.ckpt"));

  S4T_OK(s4seg_trainer_step(trainer_a, RESUME_FIRST, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(trainer_a, ckpt));
  predict_probe(state, model_a, saved, conf);
  s4seg_train_stats_init(&stats_a);
  S4T_OK(s4seg_trainer_step(trainer_a, RESUME_MORE, &stats_a));
  predict_probe(state, model_a, labels_a, conf);

  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED + 1000)); /* other initial weights */
  model_b = model_from(config);
  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED));
  trainer_b = semi_trainer_from(model_b, fx(state)->train, fx(state)->unlabeled, config);
  S4T_OK(s4seg_trainer_resume(trainer_b, ckpt));
  assert_int_equal(iteration_of(trainer_b), RESUME_FIRST);
  predict_probe(state, model_b, labels_b, conf);
  assert_memory_equal(saved, labels_b, n); /* the model handle holds the checkpoint's teacher */

  s4seg_train_stats_init(&stats_b);
  S4T_OK(s4seg_trainer_step(trainer_b, RESUME_MORE, &stats_b));
  assert_int_equal(stats_b.iteration, RESUME_FIRST + RESUME_MORE);
  print_message("fixmatch loss after resume: original %.8f, resumed %.8f; keep %.6f vs %.6f\n", stats_a.loss,
                stats_b.loss, stats_a.pseudo_keep_ratio, stats_b.pseudo_keep_ratio);
  S4T_ASSERT_NEAR(stats_a.loss, stats_b.loss, kResumeLossTolerance);
  S4T_ASSERT_NEAR(stats_a.pseudo_keep_ratio, stats_b.pseudo_keep_ratio, 1e-6);
  predict_probe(state, model_b, labels_b, conf);
  assert_memory_equal(labels_a, labels_b, n);

  s4seg_trainer_free(trainer_a);
  s4seg_trainer_free(trainer_b);
  s4seg_model_free(model_a);
  s4seg_model_free(model_b);
  s4seg_config_free(config);
  free(saved);
  free(labels_a);
  free(labels_b);
  free(conf);
}

/* Across methods, with the same architecture. Trainer::resume reads the records the resuming
 * trainer needs and ignores the others: a supervised trainer takes a fixmatch checkpoint (the
 * model weights are the teacher's; the student and EMA records are left unused); a fixmatch trainer
 * cannot take a supervised checkpoint (no unlabeled sampler, student or EMA records) → FORMAT,
 * trainer unchanged. */
static void checkpoints_across_methods(void** state) {
  const size_t n = (size_t)fx(state)->probe_view.width * (size_t)fx(state)->probe_view.height;
  char semi_ckpt[S4T_PATH_MAX], sup_ckpt[S4T_PATH_MAX];
  s4seg_config* semi_cfg = semi_config("fixmatch", NULL);
  s4seg_config* sup_cfg = quick_config();
  s4seg_model *teacher = NULL, *sup_model = NULL;
  s4seg_trainer* semi = semi_trainer(state, semi_cfg, &teacher);
  s4seg_trainer* sup = trainer_from((sup_model = model_from(sup_cfg)), fx(state)->train, sup_cfg);
  s4seg_trainer* semi2;
  uint8_t *labels_t = (uint8_t*)malloc(n), *labels_s = (uint8_t*)malloc(n);
  float* conf = (float*)malloc(n * sizeof(float));
  assert_true(labels_t && labels_s && conf);
  strcpy(semi_ckpt, temp_path(state, "semi.ckpt"));
  strcpy(sup_ckpt, temp_path(state, "sup.ckpt"));

  S4T_OK(s4seg_trainer_step(semi, 2, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(semi, semi_ckpt));
  predict_probe(state, teacher, labels_t, conf);

  /* fixmatch → supervised: works. */
  S4T_OK(s4seg_trainer_resume(sup, semi_ckpt));
  assert_int_equal(iteration_of(sup), 2);
  predict_probe(state, sup_model, labels_s, conf);
  assert_memory_equal(labels_t, labels_s, n);
  S4T_OK(s4seg_trainer_step(sup, 1, NULL));
  assert_int_equal(iteration_of(sup), 3);
  S4T_OK(s4seg_trainer_save_checkpoint(sup, sup_ckpt));

  /* supervised → fixmatch: FORMAT, nothing changed, training goes on. */
  semi2 = semi_trainer(state, semi_cfg, NULL);
  S4T_CHECK(S4SEG_FORMAT, s4seg_trainer_resume(semi2, sup_ckpt));
  assert_true(s4seg_last_error()[0] != '\0');
  assert_int_equal(iteration_of(semi2), 0);
  S4T_OK(s4seg_trainer_step(semi2, 1, NULL));
  assert_int_equal(iteration_of(semi2), 1);

  s4seg_trainer_free(semi);
  s4seg_trainer_free(semi2);
  s4seg_trainer_free(sup);
  s4seg_model_free(teacher);
  s4seg_model_free(sup_model);
  s4seg_config_free(semi_cfg);
  s4seg_config_free(sup_cfg);
  free(labels_t);
  free(labels_s);
  free(conf);
}

/* "On error the trainer is unchanged": a fixmatch checkpoint lacks pcr's prototype records, so a pcr
 * trainer refuses it (FORMAT); the pcr trainer must then continue exactly like a twin that never
 * tried. */
static void failed_resume_across_methods_leaves_the_trainer_unchanged(void** state) {
  char ckpt[S4T_PATH_MAX];
  s4seg_config* fix_cfg = semi_config("fixmatch", "train.iters = 9\n");
  s4seg_config* pcr_cfg = semi_config("pcr", "train.iters = 9\n"); /* = PCR_ITERS: no labeled-only warm-up */
  s4seg_trainer* fix = semi_trainer(state, fix_cfg, NULL);
  s4seg_trainer* pcr_a = semi_trainer(state, pcr_cfg, NULL);
  s4seg_trainer* pcr_b = semi_trainer(state, pcr_cfg, NULL); /* same config: same weights, same data */
  s4seg_train_stats stats_a, stats_b;
  strcpy(ckpt, temp_path(state, "fix_for_pcr.ckpt"));
  S4T_OK(s4seg_trainer_step(fix, 2, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(fix, ckpt));
  S4T_OK(s4seg_trainer_step(pcr_a, 2, NULL));
  S4T_OK(s4seg_trainer_step(pcr_b, 2, NULL));

  S4T_CHECK(S4SEG_FORMAT, s4seg_trainer_resume(pcr_a, ckpt));
  S4T_ERROR_CONTAINS("prototypes");
  assert_int_equal(iteration_of(pcr_a), 2);

  s4seg_train_stats_init(&stats_a);
  s4seg_train_stats_init(&stats_b);
  S4T_OK(s4seg_trainer_step(pcr_a, 2, &stats_a));
  S4T_OK(s4seg_trainer_step(pcr_b, 2, &stats_b));
  print_message("pcr after a refused resume: loss %.8f, twin %.8f\n", stats_a.loss, stats_b.loss);
  S4T_ASSERT_NEAR(stats_a.loss, stats_b.loss, kResumeLossTolerance);

  s4seg_trainer_free(fix);
  s4seg_trainer_free(pcr_a);
  s4seg_trainer_free(pcr_b);
  s4seg_config_free(fix_cfg);
  s4seg_config_free(pcr_cfg);
}

static void pcr_trains(void** state) {
  s4seg_config* config = semi_config("pcr", NULL);
  s4seg_trainer* trainer;
  s4seg_train_stats stats;
  S4T_OK(s4seg_config_set_int(config, "train.iters", PCR_ITERS));
  trainer = semi_trainer(state, config, NULL);
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, SEMI_STEPS, &stats));
  assert_stats_filled(&stats, SEMI_STEPS, PCR_ITERS);
  print_message("pcr: loss %.4f, keep ratio %.4f, pseudo accuracy %.4f\n", stats.loss, stats.pseudo_keep_ratio,
                stats.pseudo_accuracy);
  /* pcr's default filter is entropy: it keeps pseudo.keep_start (0.8) of the pixels at the start */
  assert_true(stats.pseudo_keep_ratio >= 0.0 && stats.pseudo_keep_ratio <= 1.0);
  assert_ratio_or_absent(stats.pseudo_accuracy);
  assert_true(s4t_find_metric(trainer, "loss/supervised", NULL));
  assert_true(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  assert_true(s4t_find_metric(trainer, "loss/prototype", NULL));
  assert_true(s4t_find_metric(trainer, "pseudo/keep_ratio", NULL));
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * stats.loss + 1e-6);
  s4seg_trainer_free(trainer);
  s4seg_config_free(config);
}

static void css_trains_with_a_model_made_for_it(void** state) {
  s4seg_config* config = semi_config("css", NULL); /* model.rep_dim = -1: css adds the representation head */
  s4seg_trainer* trainer = semi_trainer(state, config, NULL);
  s4seg_train_stats stats;
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, SEMI_STEPS, &stats));
  assert_stats_filled(&stats, SEMI_STEPS, QUICK_ITERS);
  print_message("css: loss %.4f, keep ratio %.4f, pseudo accuracy %.4f\n", stats.loss, stats.pseudo_keep_ratio,
                stats.pseudo_accuracy);
  assert_true(stats.pseudo_keep_ratio >= 0.0 && stats.pseudo_keep_ratio <= 1.0);
  assert_ratio_or_absent(stats.pseudo_accuracy);
  assert_true(s4t_find_metric(trainer, "loss/supervised", NULL));
  assert_true(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  assert_true(s4t_find_metric(trainer, "loss/contrast", NULL));
  assert_true(s4t_find_metric(trainer, "pseudo/keep_ratio", NULL));
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * stats.loss + 1e-6);
  s4seg_trainer_free(trainer);
  s4seg_config_free(config);
}

static void css_needs_a_representation_head(void** state) {
  s4seg_config* config = quick_config(); /* train.method = supervised: no representation head */
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
  S4T_OK(s4seg_config_set_string(config, "train.method", "css"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(model, fx(state)->train, fx(state)->unlabeled, config, &trainer));
  S4T_ERROR_CONTAINS("representation head");
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* docs/config-keys.md: train.sup_only_iters = -1 (the default) is train.iters / 10 for pcr: the
 * first iterations are labeled-only (no unsupervised loss, no pseudo-labels: keep ratio -1). */
static void pcr_auto_warm_up_is_labeled_only(void** state) {
  s4seg_config* config = semi_config("pcr", NULL);
  s4seg_trainer* trainer;
  s4seg_train_stats stats;
  S4T_OK(s4seg_config_set_int(config, "train.iters", PCR_WARMUP_ITERS));
  trainer = semi_trainer(state, config, NULL);
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, PCR_WARMUP_ITERS / 10, &stats));
  assert_true(stats.pseudo_keep_ratio == -1.0);
  assert_true(s4t_find_metric(trainer, "loss/supervised", NULL));
  assert_false(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  S4T_OK(s4seg_trainer_step(trainer, 1, &stats));
  assert_true(stats.pseudo_keep_ratio >= 0.0 && stats.pseudo_keep_ratio <= 1.0);
  assert_true(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  s4seg_trainer_free(trainer);
  s4seg_config_free(config);
}

/* The registry documents train.sup_only_iters as "-1|N": an explicit count of labeled-only
 * iterations must be accepted and honoured. */
static void explicit_sup_only_iters_delays_the_unlabeled_losses(void** state) {
  s4seg_config* config = semi_config("fixmatch", "pseudo.threshold = 0\n");
  s4seg_trainer* trainer;
  s4seg_train_stats stats;
  S4T_OK(s4seg_config_set_int(config, "train.sup_only_iters", 1));
  trainer = semi_trainer(state, config, NULL);
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 1, &stats));
  assert_true(stats.pseudo_keep_ratio == -1.0);
  assert_false(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  S4T_OK(s4seg_trainer_step(trainer, 1, &stats));
  S4T_ASSERT_NEAR(stats.pseudo_keep_ratio, 1.0, 1e-9);
  assert_true(s4t_find_metric(trainer, "loss/unsupervised", NULL));
  s4seg_trainer_free(trainer);
  /* 0 = no warm-up, also for pcr */
  S4T_OK(s4seg_config_set_int(config, "train.sup_only_iters", 0));
  s4seg_config_free(config);
}

/* The css error message and the registry ("-1|0|D") offer model.rep_dim > 0 as the other way to
 * give a model a representation head. */
static void css_accepts_an_explicit_representation_head(void** state) {
  s4seg_config* config = quick_config(); /* train.method = supervised when the model is built */
  s4seg_model* model;
  s4seg_trainer* trainer;
  s4seg_train_stats stats;
  S4T_OK(s4seg_config_set_int(config, "model.rep_dim", 16));
  model = model_from(config);
  S4T_OK(s4seg_config_set_string(config, "train.method", "css"));
  trainer = semi_trainer_from(model, fx(state)->train, fx(state)->unlabeled, config);
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 1, &stats));
  assert_true(s4t_find_metric(trainer, "loss/contrast", NULL));
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(stats_init_sets_size_and_zeroes),
      cmocka_unit_test(step_fills_stats),
      cmocka_unit_test(step_accepts_null_stats),
      cmocka_unit_test(progress_callback_sees_increasing_iterations),
      cmocka_unit_test(progress_callback_returning_nonzero_cancels),
      cmocka_unit_test(clearing_progress_callback_stops_calls),
      cmocka_unit_test(cancel_before_step_cancels_the_next_step),
      cmocka_unit_test(cancel_from_another_thread_stops_a_running_step),
      cmocka_unit_test(step_stops_at_train_iters_then_reports_state),
      cmocka_unit_test(step_rejects_non_positive_iterations),
      cmocka_unit_test(create_rejects_dataset_without_masks),
      cmocka_unit_test(create_rejects_empty_dataset),
      cmocka_unit_test(create_with_null_config_uses_defaults),
      cmocka_unit_test(null_arguments_are_rejected),
      cmocka_unit_test(free_accepts_null),
      cmocka_unit_test(trainer_keeps_model_alive),
      cmocka_unit_test(trainer_keeps_dataset_alive),
      cmocka_unit_test(progress_callback_may_predict_but_not_reenter_step),
      cmocka_unit_test(resume_continues_exactly_like_the_original),
      cmocka_unit_test(adamw_with_clipping_resumes_exactly),
      cmocka_unit_test(adamw_trains_and_its_state_does_not_load_into_sgd),
      cmocka_unit_test(model_load_accepts_a_checkpoint),
      cmocka_unit_test(resume_from_corrupt_file_is_format_and_trainer_still_steps),
      cmocka_unit_test(resume_from_missing_file_is_io),
      cmocka_unit_test(resume_from_other_architecture_fails_and_changes_nothing),
      cmocka_unit_test(save_checkpoint_into_missing_folder_is_io),
      cmocka_unit_test(create_semi_rejects_null_arguments),
      cmocka_unit_test(semi_methods_without_unlabeled_are_invalid),
      cmocka_unit_test(semi_method_with_empty_unlabeled_is_invalid),
      cmocka_unit_test(metrics_are_empty_before_the_first_step),
      cmocka_unit_test(fixmatch_trains_and_reports_pseudo_label_figures),
      cmocka_unit_test(unlabeled_without_masks_reports_no_pseudo_accuracy),
      cmocka_unit_test(metric_errors_write_only_name_needed),
      cmocka_unit_test(metric_calls_that_succeed_clear_the_last_error),
      cmocka_unit_test(supervised_reports_no_pseudo_figures),
      cmocka_unit_test(stats_of_release_0_1_size_get_only_the_old_fields),
      cmocka_unit_test(progress_callback_receives_pseudo_figures),
      cmocka_unit_test(fixmatch_checkpoint_resumes_into_a_fresh_fixmatch_trainer),
      cmocka_unit_test(checkpoints_across_methods),
      cmocka_unit_test(failed_resume_across_methods_leaves_the_trainer_unchanged),
      cmocka_unit_test(pcr_trains),
      cmocka_unit_test(css_trains_with_a_model_made_for_it),
      cmocka_unit_test(css_needs_a_representation_head),
      cmocka_unit_test(pcr_auto_warm_up_is_labeled_only),
      cmocka_unit_test(explicit_sup_only_iters_delays_the_unlabeled_losses),
      cmocka_unit_test(css_accepts_an_explicit_representation_head),
      cmocka_unit_test(training_raises_held_out_miou),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
