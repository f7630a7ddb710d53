/* CUDA: prediction, a short training run and save/load on the GPU. Every test skips when no
 * CUDA device can be used; the program then exits with SKIP_EXIT_CODE, which CTest reports as
 * skipped (see SKIP_RETURN_CODE in tests/CMakeLists.txt). */
#include "test_util.h"

#include <math.h>

enum {
  SKIP_EXIT_CODE = 77,
  PRED_W = 40,
  PRED_H = 30,
  PRED_PIXELS = PRED_W * PRED_H,
  NUM_CLASSES = S4T_TINY_NUM_CLASSES,
  TRAIN_SAMPLES = 8,
  TRAIN_SIDE = 48,
  TRAIN_ITERS = 5,
  TRAIN_BATCH = 2,
  TRAIN_CROP = 32,
  DEVICE_INFO_CAPACITY = 1 << 16
};

/* The GPU may pick different convolution algorithms for two models (cuDNN benchmark), so GPU
 * round trips compare with a tolerance; CPU round trips (test_model) must be byte-identical.
 * Across devices (CUDA may run inference in bf16) the tolerance is wider; it still catches wrong
 * or missing weights. */
static const float kConfidenceTolerance = 1e-3f;
static const double kMaxLabelMismatchFraction = 0.01;
static const float kCrossDeviceConfidenceTolerance = 0.05f;
static const double kCrossDeviceMaxLabelMismatchFraction = 0.1;
static const float kConfidenceSlack = 1e-5f;
static const uint64_t kSeed = 3;

typedef struct {
  int cuda;
  char dir[S4T_PATH_MAX];
  uint8_t* rgb;
} fixture;

static int g_cuda_available = 0;

static int setup(void** state) {
  fixture* f = (fixture*)calloc(1, sizeof(fixture));
  if (f == NULL) return -1;
  S4T_OK(s4seg_cuda_available(&f->cuda));
  s4t_temp_dir_create(f->dir, sizeof f->dir);
  f->rgb = s4t_pattern(PRED_W, PRED_H, 3, 1);
  *state = f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = (fixture*)*state;
  free(f->rgb);
  s4t_temp_dir_remove(f->dir);
  free(f);
  return 0;
}

static fixture* fx(void** state) { return (fixture*)*state; }

static void require_cuda(void** state) {
  if (!fx(state)->cuda) {
    print_message("no usable CUDA device: skipped\n");
    skip();
  }
}

static s4seg_model* cuda_model(void) {
  s4seg_config* config = s4t_tiny_config_on("cuda");
  s4seg_model* model = NULL;
  S4T_OK(s4seg_model_create(config, &model));
  s4seg_config_free(config);
  return model;
}

static void predict(s4seg_model* model, void** state, uint8_t* labels, float* confidence) {
  s4seg_image_view v = s4t_view(fx(state)->rgb, PRED_W, PRED_H, 3);
  S4T_OK(s4seg_model_predict(model, &v, labels, PRED_PIXELS, confidence, PRED_PIXELS));
}

static void assert_predictions_close(const uint8_t* la, const float* ca, const uint8_t* lb, const float* cb,
                                     float confidence_tolerance, double max_mismatch_fraction) {
  size_t i, mismatches = 0;
  for (i = 0; i < PRED_PIXELS; ++i) {
    if (la[i] != lb[i]) ++mismatches;
    assert_float_equal(ca[i], cb[i], confidence_tolerance);
  }
  assert_true((double)mismatches <= max_mismatch_fraction * PRED_PIXELS);
}

/* ------------------------------------------------------------------------------------------ */

static void device_info_describes_cuda_device(void** state) {
  size_t needed = 0;
  char* buf;
  require_cuda(state);
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_device_info(NULL, 0, &needed));
  assert_true(needed < DEVICE_INFO_CAPACITY);
  buf = (char*)malloc(needed);
  assert_non_null(buf);
  S4T_OK(s4seg_device_info(buf, needed, &needed));
  assert_true(s4t_contains_ci(buf, "cuda"));
  free(buf);
}

static void cuda_model_predicts_valid_labels(void** state) {
  uint8_t labels[PRED_PIXELS];
  float confidence[PRED_PIXELS];
  s4seg_model* model;
  size_t i;
  require_cuda(state);
  model = cuda_model();
  predict(model, state, labels, confidence);
  for (i = 0; i < PRED_PIXELS; ++i) {
    assert_true(labels[i] < NUM_CLASSES);
    assert_true(confidence[i] >= 1.0f / NUM_CLASSES - kConfidenceSlack && confidence[i] <= 1.0f + kConfidenceSlack);
  }
  s4seg_model_free(model);
}

/* TRAIN_ITERS iterations of batch TRAIN_BATCH, crop TRAIN_CROP, on CUDA. */
static s4seg_config* cuda_train_config(void) {
  s4seg_config* config = s4t_tiny_config_on("cuda");
  S4T_OK(s4seg_config_set_int(config, "train.iters", TRAIN_ITERS));
  S4T_OK(s4seg_config_set_int(config, "train.batch_size", TRAIN_BATCH));
  S4T_OK(s4seg_config_set_int(config, "train.crop_size", TRAIN_CROP));
  return config;
}

static s4seg_dataset* train_dataset(void) {
  s4seg_dataset* ds = NULL;
  S4T_OK(s4seg_dataset_create(&ds));
  S4T_OK(s4seg_dataset_add_synthetic(ds, TRAIN_SAMPLES, TRAIN_SIDE, TRAIN_SIDE, NUM_CLASSES, kSeed));
  return ds;
}

static void cuda_training_runs(void** state) {
  s4seg_config* config;
  s4seg_model* model = NULL;
  s4seg_dataset* ds;
  s4seg_trainer* trainer = NULL;
  s4seg_train_stats stats;
  require_cuda(state);
  config = cuda_train_config();
  ds = train_dataset();
  S4T_OK(s4seg_model_create(config, &model));
  S4T_OK(s4seg_trainer_create(model, ds, config, &trainer));
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, TRAIN_ITERS, &stats));
  assert_int_equal(stats.iteration, TRAIN_ITERS);
  assert_true(isfinite(stats.loss) && stats.loss > 0.0);
  assert_true(stats.images_per_second > 0.0);
  S4T_CHECK(S4SEG_STATE, s4seg_trainer_step(trainer, 1, NULL));
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_dataset_free(ds);
  s4seg_config_free(config);
  S4T_OK(s4seg_release_cached_memory());
}

/* train.read_every > 1 on CUDA queues the steps: the SGD update runs as LibTorch's fused kernel
 * reading the device-side verdict (2.3+), so the weights may differ from reading each loss by
 * rounding only. */
static void queued_iterations_train_like_reading_each(void** state) {
  uint8_t la[PRED_PIXELS], lb[PRED_PIXELS];
  float ca[PRED_PIXELS], cb[PRED_PIXELS];
  double losses[2];
  int k;
  s4seg_model* models[2] = {NULL, NULL};
  require_cuda(state);
  for (k = 0; k < 2; ++k) {
    s4seg_config* config = cuda_train_config();
    s4seg_dataset* ds = train_dataset();
    s4seg_trainer* trainer = NULL;
    s4seg_train_stats stats;
    S4T_OK(s4seg_config_set_int(config, "train.read_every", k == 0 ? 1 : TRAIN_ITERS));
    S4T_OK(s4seg_model_create(config, &models[k]));
    S4T_OK(s4seg_trainer_create(models[k], ds, config, &trainer));
    s4seg_train_stats_init(&stats);
    S4T_OK(s4seg_trainer_step(trainer, TRAIN_ITERS, &stats));
    assert_int_equal(stats.iteration, TRAIN_ITERS);
    losses[k] = stats.loss;
    s4seg_trainer_free(trainer);
    s4seg_dataset_free(ds);
    s4seg_config_free(config);
  }
  assert_true(isfinite(losses[1]) && fabs(losses[0] - losses[1]) <= 1e-2 * fabs(losses[0]));
  predict(models[0], state, la, ca);
  predict(models[1], state, lb, cb);
  assert_predictions_close(la, ca, lb, cb, kCrossDeviceConfidenceTolerance, kCrossDeviceMaxLabelMismatchFraction);
  s4seg_model_free(models[0]);
  s4seg_model_free(models[1]);
  S4T_OK(s4seg_release_cached_memory());
}

static void cuda_save_load_round_trip(void** state) {
  char path[S4T_PATH_MAX];
  uint8_t la[PRED_PIXELS], lb[PRED_PIXELS], lc[PRED_PIXELS];
  float ca[PRED_PIXELS], cb[PRED_PIXELS], cc[PRED_PIXELS];
  s4seg_model *model, *on_gpu = NULL, *on_cpu = NULL;
  require_cuda(state);
  s4t_path_join(path, sizeof path, fx(state)->dir, "gpu.s4m");
  model = cuda_model();
  S4T_OK(s4seg_model_save(model, path));
  S4T_OK(s4seg_model_load(path, "cuda", &on_gpu));
  S4T_OK(s4seg_model_load(path, "cpu", &on_cpu));
  predict(model, state, la, ca);
  predict(on_gpu, state, lb, cb);
  predict(on_cpu, state, lc, cc);
  assert_predictions_close(la, ca, lb, cb, kConfidenceTolerance, kMaxLabelMismatchFraction);
  /* the file is device-independent */
  assert_predictions_close(la, ca, lc, cc, kCrossDeviceConfidenceTolerance, kCrossDeviceMaxLabelMismatchFraction);
  s4seg_model_free(model);
  s4seg_model_free(on_gpu);
  s4seg_model_free(on_cpu);
}

static void predict_pair(s4seg_model* model, void** state, uint8_t* labels, float* confidence) {
  s4seg_image_view v[2];
  v[0] = v[1] = s4t_view(fx(state)->rgb, PRED_W, PRED_H, 3);
  S4T_OK(s4seg_model_predict_batch(model, v, 2, labels, 2 * PRED_PIXELS, confidence, 2 * PRED_PIXELS));
}

static int any_confidence_moved(const float* a, const float* b, size_t n, float by) {
  size_t i;
  for (i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > by) return 1;
  return 0;
}

/* CUDA-graph replay predicts what the eager forward predicts, for two input shapes in turn (round
 * 0 runs eagerly, round 1 captures, round 2 replays), and sees the weights that training changed
 * after the capture. */
static void cuda_graph_predictions_match_eager_ones(void** state) {
  uint8_t le[2 * PRED_PIXELS], lg[2 * PRED_PIXELS], before[PRED_PIXELS];
  float ce[2 * PRED_PIXELS], cg[2 * PRED_PIXELS], cbefore[PRED_PIXELS];
  char path[S4T_PATH_MAX];
  s4seg_model *eager, *graphs, *trained = NULL;
  s4seg_config* config;
  s4seg_dataset* ds;
  s4seg_trainer* trainer = NULL;
  s4seg_train_stats stats;
  int round;
  require_cuda(state);
  eager = cuda_model();
  graphs = cuda_model(); /* same seed: same weights */
  S4T_OK(s4seg_model_set_cuda_graphs(graphs, 1));
  for (round = 0; round < 3; ++round) {
    predict(eager, state, le, ce);
    predict(graphs, state, lg, cg);
    assert_predictions_close(le, ce, lg, cg, kConfidenceTolerance, kMaxLabelMismatchFraction);
    predict_pair(eager, state, le, ce);
    predict_pair(graphs, state, lg, cg);
    assert_predictions_close(le, ce, lg, cg, kConfidenceTolerance, kMaxLabelMismatchFraction);
    assert_predictions_close(le + PRED_PIXELS, ce + PRED_PIXELS, lg + PRED_PIXELS, cg + PRED_PIXELS,
                             kConfidenceTolerance, kMaxLabelMismatchFraction);
  }
  predict(graphs, state, before, cbefore);

  config = cuda_train_config();
  ds = train_dataset();
  S4T_OK(s4seg_trainer_create(graphs, ds, config, &trainer));
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, TRAIN_ITERS, &stats));
  s4seg_trainer_free(trainer);

  /* The replay reads the trained weights: it agrees with an eager copy of them, not with before. */
  s4t_path_join(path, sizeof path, fx(state)->dir, "trained_with_graphs.s4m");
  S4T_OK(s4seg_model_save(graphs, path));
  S4T_OK(s4seg_model_load(path, "cuda", &trained));
  S4T_OK(s4seg_model_set_cuda_graphs(trained, 0));
  predict(trained, state, le, ce);
  predict(graphs, state, lg, cg);
  assert_predictions_close(le, ce, lg, cg, kConfidenceTolerance, kMaxLabelMismatchFraction);
  assert_true(any_confidence_moved(cbefore, cg, PRED_PIXELS, 10 * kConfidenceTolerance));

  S4T_OK(s4seg_model_set_cuda_graphs(graphs, 0)); /* frees the graphs; eager again */
  predict(graphs, state, lg, cg);
  assert_predictions_close(le, ce, lg, cg, kConfidenceTolerance, kMaxLabelMismatchFraction);
  s4seg_model_free(trained);
  s4seg_model_free(graphs);
  s4seg_model_free(eager);
  s4seg_dataset_free(ds);
  s4seg_config_free(config);
}

static void release_cached_memory_after_gpu_work(void** state) {
  require_cuda(state);
  S4T_OK(s4seg_release_cached_memory());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(device_info_describes_cuda_device),
      cmocka_unit_test(cuda_model_predicts_valid_labels),
      cmocka_unit_test(cuda_training_runs),
      cmocka_unit_test(cuda_save_load_round_trip),
      cmocka_unit_test(queued_iterations_train_like_reading_each),
      cmocka_unit_test(cuda_graph_predictions_match_eager_ones),
      cmocka_unit_test(release_cached_memory_after_gpu_work),
  };
  int failures;
  if (s4seg_cuda_available(&g_cuda_available) != S4SEG_OK) g_cuda_available = 0;
  failures = cmocka_run_group_tests(tests, setup, teardown);
  if (failures == 0 && !g_cuda_available) return SKIP_EXIT_CODE;
  return failures;
}
