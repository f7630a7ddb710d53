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
  RANDOM_FILE_BYTES = 4096
};

/* Learning: after LEARN_ITERS the held-out mIoU must be well above the untrained one. */
static const double kMiouGainFactor = 2.0;  /* at least this times the initial mIoU */
static const double kMiouGainMargin = 0.15; /* and at least this much above it */
static const double kLearnLr = 0.05;
static const uint64_t kTrainSeed = 1;
static const uint64_t kEvalSeed = 2;
/* Resume: continuing from a checkpoint matches continuing the original trainer. */
static const double kResumeLossTolerance = 1e-4;
static const float kResumeConfidenceTolerance = 1e-5f;

typedef struct {
  char dir[S4T_PATH_MAX];
  s4seg_dataset* train;
  s4seg_dataset* eval;
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
static void resume_continues_exactly_like_the_original(void** state) {
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
      cmocka_unit_test(model_load_accepts_a_checkpoint),
      cmocka_unit_test(resume_from_corrupt_file_is_format_and_trainer_still_steps),
      cmocka_unit_test(resume_from_missing_file_is_io),
      cmocka_unit_test(resume_from_other_architecture_fails_and_changes_nothing),
      cmocka_unit_test(save_checkpoint_into_missing_folder_is_io),
      cmocka_unit_test(training_raises_held_out_miou),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
