/* Models: creation, prediction, batches, save/load, broken files, devices, evaluation. */
#include "test_util.h"

#include <math.h>

enum {
  PRED_W = 40,
  PRED_H = 30,
  PRED_PIXELS = PRED_W * PRED_H,
  SMALL_W = 24, /* a second size for batches */
  SMALL_H = 16,
  BATCH_COUNT = 3,
  MIN_SIDE = 8, /* predict accepts images of at least 8x8 */
  ROW_PADDING = 7,
  EXTRA_BYTES = 16, /* guard area after an output buffer */
  EVAL_SAMPLES = 4,
  EVAL_SIDE = 32,
  RANDOM_FILE_BYTES = 4096,
  DEFAULT_NUM_CLASSES = 2
};

static const uint8_t kLabelSentinel = 0xAB;
static const float kConfidenceSentinel = -7.0f;
static const double kIouSentinel = -3.0;
/* Batched and single predictions may use different kernels: confidences may differ by float
 * rounding, and a pixel whose top two classes tie within that rounding may change label. */
static const float kBatchConfidenceTolerance = 1e-4f;
static const double kBatchMaxLabelMismatchFraction = 0.002;
static const float kConfidenceSlack = 1e-6f;
static const double kMetricTolerance = 1e-9;
static const uint64_t kEvalSeed = 77;

typedef struct {
  char dir[S4T_PATH_MAX];
  s4seg_model* model;
  s4seg_dataset* eval;
  uint8_t* rgb;  /* PRED_W x PRED_H x 3 */
  uint8_t* grey; /* PRED_W x PRED_H x 1 */
} fixture;

static int setup(void** state) {
  fixture* f = (fixture*)calloc(1, sizeof(fixture));
  if (f == NULL) return -1;
  s4t_temp_dir_create(f->dir, sizeof f->dir);
  f->model = s4t_tiny_model();
  S4T_OK(s4seg_dataset_create(&f->eval));
  S4T_OK(s4seg_dataset_add_synthetic(f->eval, EVAL_SAMPLES, EVAL_SIDE, EVAL_SIDE, S4T_TINY_NUM_CLASSES, kEvalSeed));
  f->rgb = s4t_pattern(PRED_W, PRED_H, 3, 1);
  f->grey = s4t_pattern(PRED_W, PRED_H, 1, 2);
  *state = f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = (fixture*)*state;
  s4seg_model_free(f->model);
  s4seg_dataset_free(f->eval);
  free(f->rgb);
  free(f->grey);
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

static s4seg_image_view rgb_view(void** state) { return s4t_view(fx(state)->rgb, PRED_W, PRED_H, 3); }

/* Predicts `view` into freshly malloc'd labels and confidences (free both). */
static void predict(s4seg_model* model, const s4seg_image_view* view, uint8_t** labels, float** confidence) {
  size_t n = (size_t)view->width * (size_t)view->height;
  *labels = (uint8_t*)malloc(n);
  *confidence = (float*)malloc(n * sizeof(float));
  assert_non_null(*labels);
  assert_non_null(*confidence);
  S4T_OK(s4seg_model_predict(model, view, *labels, n, *confidence, n));
}

static void assert_valid_prediction(const uint8_t* labels, const float* confidence, size_t n, int32_t num_classes) {
  size_t i;
  const float min_confidence = 1.0f / (float)num_classes - kConfidenceSlack; /* the top class has at least 1/C */
  for (i = 0; i < n; ++i) {
    assert_true(labels[i] < num_classes);
    assert_true(confidence[i] >= min_confidence);
    assert_true(confidence[i] <= 1.0f + kConfidenceSlack);
  }
}

static s4seg_status load_status(const char* path) {
  s4seg_model* model = S4T_SENTINEL(s4seg_model);
  s4seg_status status = s4seg_model_load(path, "cpu", &model);
  if (status != S4SEG_OK) assert_ptr_equal(model, S4T_SENTINEL(s4seg_model));
  else s4seg_model_free(model);
  return status;
}

/* Saves the fixture model and returns the path (static buffer). */
static const char* saved_model(void** state, const char* name) {
  const char* path = temp_path(state, name);
  S4T_OK(s4seg_model_save(fx(state)->model, path));
  return path;
}

/* ------------------------------------------------------------------------------------------ */
/* Creation and prediction                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void tiny_model_has_configured_classes(void** state) {
  int32_t n = 0;
  S4T_OK(s4seg_model_num_classes(fx(state)->model, &n));
  assert_int_equal(n, S4T_TINY_NUM_CLASSES);
}

static void create_with_null_config_uses_defaults(void** state) {
  s4seg_model* model = NULL;
  int32_t n = 0;
  (void)state;
  S4T_OK(s4seg_model_create(NULL, &model));
  S4T_OK(s4seg_model_num_classes(model, &n));
  assert_int_equal(n, DEFAULT_NUM_CLASSES);
  s4seg_model_free(model);
}

static void predict_rgb_gives_valid_labels_and_confidences(void** state) {
  s4seg_image_view v = rgb_view(state);
  uint8_t* labels;
  float* confidence;
  predict(fx(state)->model, &v, &labels, &confidence);
  assert_valid_prediction(labels, confidence, PRED_PIXELS, S4T_TINY_NUM_CLASSES);
  free(labels);
  free(confidence);
}

static void predict_grey_gives_valid_labels(void** state) {
  s4seg_image_view v = s4t_view(fx(state)->grey, PRED_W, PRED_H, 1);
  uint8_t* labels;
  float* confidence;
  predict(fx(state)->model, &v, &labels, &confidence);
  assert_valid_prediction(labels, confidence, PRED_PIXELS, S4T_TINY_NUM_CLASSES);
  free(labels);
  free(confidence);
}

static void predict_smallest_image(void** state) {
  uint8_t* pixels = s4t_pattern(MIN_SIDE, MIN_SIDE, 3, 3);
  s4seg_image_view v = s4t_view(pixels, MIN_SIDE, MIN_SIDE, 3);
  uint8_t* labels;
  float* confidence;
  predict(fx(state)->model, &v, &labels, &confidence);
  assert_valid_prediction(labels, confidence, MIN_SIDE * MIN_SIDE, S4T_TINY_NUM_CLASSES);
  free(labels);
  free(confidence);
  free(pixels);
}

static void predict_writes_only_width_times_height(void** state) {
  s4seg_image_view v = rgb_view(state);
  uint8_t labels[PRED_PIXELS + EXTRA_BYTES];
  float confidence[PRED_PIXELS + EXTRA_BYTES];
  size_t i;
  memset(labels, kLabelSentinel, sizeof labels);
  for (i = 0; i < PRED_PIXELS + EXTRA_BYTES; ++i) confidence[i] = kConfidenceSentinel;
  S4T_OK(s4seg_model_predict(fx(state)->model, &v, labels, sizeof labels, confidence, PRED_PIXELS + EXTRA_BYTES));
  for (i = PRED_PIXELS; i < PRED_PIXELS + EXTRA_BYTES; ++i) {
    assert_int_equal(labels[i], kLabelSentinel);
    assert_true(confidence[i] == kConfidenceSentinel);
  }
}

static void predict_without_confidence_gives_same_labels(void** state) {
  s4seg_image_view v = rgb_view(state);
  uint8_t* labels;
  float* confidence;
  uint8_t only_labels[PRED_PIXELS];
  predict(fx(state)->model, &v, &labels, &confidence);
  S4T_OK(s4seg_model_predict(fx(state)->model, &v, only_labels, sizeof only_labels, NULL, 0));
  assert_memory_equal(only_labels, labels, PRED_PIXELS);
  free(labels);
  free(confidence);
}

static void predict_is_repeatable(void** state) {
  s4seg_image_view v = rgb_view(state);
  uint8_t *l1, *l2;
  float *c1, *c2;
  predict(fx(state)->model, &v, &l1, &c1);
  predict(fx(state)->model, &v, &l2, &c2);
  assert_memory_equal(l1, l2, PRED_PIXELS);
  assert_memory_equal(c1, c2, PRED_PIXELS * sizeof(float));
  free(l1);
  free(l2);
  free(c1);
  free(c2);
}

static void predict_honours_row_stride(void** state) {
  const int64_t stride = (int64_t)PRED_W * 3 + ROW_PADDING;
  uint8_t* padded = (uint8_t*)malloc((size_t)(stride * PRED_H));
  s4seg_image_view packed = rgb_view(state), strided;
  uint8_t *l1, *l2;
  float *c1, *c2;
  int32_t r;
  assert_non_null(padded);
  memset(padded, 0xFF, (size_t)(stride * PRED_H));
  for (r = 0; r < PRED_H; ++r) memcpy(padded + r * stride, fx(state)->rgb + (size_t)r * PRED_W * 3, (size_t)PRED_W * 3);
  strided = packed;
  strided.data = padded;
  strided.row_stride = stride;
  predict(fx(state)->model, &packed, &l1, &c1);
  predict(fx(state)->model, &strided, &l2, &c2);
  assert_memory_equal(l1, l2, PRED_PIXELS);
  assert_memory_equal(c1, c2, PRED_PIXELS * sizeof(float));
  free(l1);
  free(l2);
  free(c1);
  free(c2);
  free(padded);
}

static void predict_rejects_small_buffers_and_leaves_them_untouched(void** state) {
  s4seg_image_view v = rgb_view(state);
  uint8_t labels[PRED_PIXELS];
  float confidence[PRED_PIXELS];
  size_t i;
  memset(labels, kLabelSentinel, sizeof labels);
  for (i = 0; i < PRED_PIXELS; ++i) confidence[i] = kConfidenceSentinel;
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL,
            s4seg_model_predict(fx(state)->model, &v, labels, PRED_PIXELS - 1, confidence, PRED_PIXELS));
  S4T_ERROR_CONTAINS("needed");
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL,
            s4seg_model_predict(fx(state)->model, &v, labels, PRED_PIXELS, confidence, PRED_PIXELS - 1));
  for (i = 0; i < PRED_PIXELS; ++i) {
    assert_int_equal(labels[i], kLabelSentinel);
    assert_true(confidence[i] == kConfidenceSentinel);
  }
}

static void predict_rejects_bad_images(void** state) {
  s4seg_image_view good = rgb_view(state), bad;
  uint8_t labels[PRED_PIXELS];
  s4seg_model* m = fx(state)->model;
  bad = good, bad.channels = 2, bad.row_stride = PRED_W * 2;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &bad, labels, sizeof labels, NULL, 0));
  S4T_ERROR_CONTAINS("channel");
  bad = good, bad.channels = 4, bad.row_stride = PRED_W * 4, bad.height = PRED_H / 2;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &bad, labels, sizeof labels, NULL, 0));
  bad = good, bad.data = NULL;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &bad, labels, sizeof labels, NULL, 0));
  bad = good, bad.width = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &bad, labels, sizeof labels, NULL, 0));
  bad = good, bad.height = -PRED_H;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &bad, labels, sizeof labels, NULL, 0));
  bad = good, bad.row_stride = PRED_W;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &bad, labels, sizeof labels, NULL, 0));
  bad = good, bad.width = MIN_SIDE - 1, bad.height = MIN_SIDE;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &bad, labels, sizeof labels, NULL, 0));
}

static void predict_rejects_null_arguments(void** state) {
  s4seg_image_view v = rgb_view(state);
  uint8_t labels[PRED_PIXELS];
  s4seg_model* m = fx(state)->model;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(NULL, &v, labels, sizeof labels, NULL, 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, NULL, labels, sizeof labels, NULL, 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict(m, &v, NULL, sizeof labels, NULL, 0));
}

/* ------------------------------------------------------------------------------------------ */
/* Batches                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void predict_batch_equals_single_predictions(void** state) {
  uint8_t* second = s4t_pattern(PRED_W, PRED_H, 3, 4);
  uint8_t* small = s4t_pattern(SMALL_W, SMALL_H, 3, 5);
  s4seg_image_view views[BATCH_COUNT];
  const size_t total = 2 * (size_t)PRED_PIXELS + (size_t)SMALL_W * SMALL_H;
  uint8_t* labels = (uint8_t*)malloc(total);
  float* confidence = (float*)malloc(total * sizeof(float));
  size_t offset = 0, mismatches = 0, i;
  int k;
  assert_non_null(labels);
  assert_non_null(confidence);
  views[0] = rgb_view(state);
  views[1] = s4t_view(small, SMALL_W, SMALL_H, 3); /* a different size between two equal ones */
  views[2] = s4t_view(second, PRED_W, PRED_H, 3);
  S4T_OK(s4seg_model_predict_batch(fx(state)->model, views, BATCH_COUNT, labels, total, confidence, total));
  for (k = 0; k < BATCH_COUNT; ++k) {
    size_t n = (size_t)views[k].width * (size_t)views[k].height;
    uint8_t* single_labels;
    float* single_confidence;
    predict(fx(state)->model, &views[k], &single_labels, &single_confidence);
    for (i = 0; i < n; ++i) {
      if (labels[offset + i] != single_labels[i]) ++mismatches;
      S4T_ASSERT_NEAR(confidence[offset + i], single_confidence[i], kBatchConfidenceTolerance);
    }
    offset += n;
    free(single_labels);
    free(single_confidence);
  }
  assert_int_equal(offset, total);
  assert_true((double)mismatches <= kBatchMaxLabelMismatchFraction * (double)total);
  free(labels);
  free(confidence);
  free(second);
  free(small);
}

static void predict_batch_rejects_small_capacity_and_bad_images(void** state) {
  s4seg_image_view views[2];
  const size_t total = 2 * (size_t)PRED_PIXELS;
  uint8_t* labels = (uint8_t*)malloc(total);
  size_t i;
  assert_non_null(labels);
  memset(labels, kLabelSentinel, total);
  views[0] = rgb_view(state);
  views[1] = rgb_view(state);
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_predict_batch(fx(state)->model, views, 2, labels, total - 1, NULL, 0));
  views[1].channels = 2;
  views[1].row_stride = PRED_W * 2;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict_batch(fx(state)->model, views, 2, labels, total, NULL, 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict_batch(fx(state)->model, NULL, 2, labels, total, NULL, 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict_batch(NULL, views, 1, labels, total, NULL, 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_predict_batch(fx(state)->model, views, 1, NULL, total, NULL, 0));
  for (i = 0; i < total; ++i) assert_int_equal(labels[i], kLabelSentinel);
  free(labels);
}

/* ------------------------------------------------------------------------------------------ */
/* Config, save and load                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void assert_tiny_config(const s4seg_config* config) {
  int64_t v = 0;
  char text[64];
  size_t needed = 0;
  S4T_OK(s4seg_config_get_int(config, "model.num_classes", &v));
  assert_int_equal(v, S4T_TINY_NUM_CLASSES);
  S4T_OK(s4seg_config_get_int(config, "model.width", &v));
  assert_int_equal(v, 8);
  S4T_OK(s4seg_config_get_int(config, "model.aspp_channels", &v));
  assert_int_equal(v, 16);
  S4T_OK(s4seg_config_get_string(config, "model.backbone", text, sizeof text, &needed));
  assert_string_equal(text, "resnet18");
}

static void device_reports_where_the_model_runs(void** state) {
  char buf[32];
  size_t needed = 0;
  memset(buf, 'x', sizeof buf);
  /* Too small: BUFFER_TOO_SMALL, the size needed is reported and the buffer is untouched. */
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_device(fx(state)->model, buf, 2, &needed));
  assert_int_equal(needed, strlen("cpu") + 1);
  assert_int_equal(buf[0], 'x');
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_device(fx(state)->model, NULL, 0, &needed));
  S4T_OK(s4seg_model_device(fx(state)->model, buf, sizeof buf, &needed));
  assert_string_equal(buf, "cpu");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_device(NULL, buf, sizeof buf, &needed));
  /* `needed` is optional: without it the call still copies, or says the buffer is too small. */
  S4T_OK(s4seg_model_device(fx(state)->model, buf, sizeof buf, NULL));
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_device(fx(state)->model, buf, 2, NULL));
}

static void get_config_returns_the_build_config(void** state) {
  s4seg_config* config = NULL;
  s4seg_config* again = NULL;
  S4T_OK(s4seg_model_get_config(fx(state)->model, &config));
  assert_tiny_config(config);
  /* It is a copy: changing it does not change the model's. */
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", 9));
  S4T_OK(s4seg_model_get_config(fx(state)->model, &again));
  assert_tiny_config(again);
  s4seg_config_free(config);
  s4seg_config_free(again);
}

/* The CUDA-graph switch is a config setting of the model, saved with it; on a CPU model it leaves
 * predictions exactly as they were. */
static void cuda_graph_switch_is_recorded_and_leaves_cpu_predictions_alone(void** state) {
  const char* path = temp_path(state, "graphs_on.s4m");
  s4seg_image_view v = rgb_view(state);
  s4seg_model* model = s4t_tiny_model();
  s4seg_model* loaded = NULL;
  s4seg_config* config = NULL;
  int on = -1;
  uint8_t *l1, *l2;
  float *c1, *c2;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_set_cuda_graphs(NULL, 1));
  predict(model, &v, &l1, &c1);
  S4T_OK(s4seg_model_set_cuda_graphs(model, 1));
  predict(model, &v, &l2, &c2);
  assert_memory_equal(l1, l2, PRED_PIXELS);
  assert_memory_equal(c1, c2, PRED_PIXELS * sizeof(float));
  S4T_OK(s4seg_model_get_config(model, &config));
  S4T_OK(s4seg_config_get_bool(config, "model.cuda_graphs", &on));
  assert_int_equal(on, 1);
  s4seg_config_free(config);
  S4T_OK(s4seg_model_save(model, path));
  S4T_OK(s4seg_model_load(path, "cpu", &loaded));
  S4T_OK(s4seg_model_get_config(loaded, &config));
  on = -1;
  S4T_OK(s4seg_config_get_bool(config, "model.cuda_graphs", &on));
  assert_int_equal(on, 1);
  s4seg_config_free(config);
  S4T_OK(s4seg_model_set_cuda_graphs(loaded, 0));
  S4T_OK(s4seg_model_get_config(loaded, &config));
  S4T_OK(s4seg_config_get_bool(config, "model.cuda_graphs", &on));
  assert_int_equal(on, 0);
  s4seg_config_free(config);
  s4seg_model_free(loaded);
  s4seg_model_free(model);
  free(l1);
  free(l2);
  free(c1);
  free(c2);
}

static void save_load_round_trip_gives_identical_predictions(void** state) {
  const char* path = saved_model(state, "round_trip.s4m");
  s4seg_image_view v = rgb_view(state);
  s4seg_model* loaded = NULL;
  s4seg_config* config = NULL;
  int32_t n = 0;
  uint8_t *l1, *l2;
  float *c1, *c2;
  S4T_OK(s4seg_model_load(path, "cpu", &loaded));
  assert_non_null(loaded);
  S4T_OK(s4seg_model_num_classes(loaded, &n));
  assert_int_equal(n, S4T_TINY_NUM_CLASSES);
  S4T_OK(s4seg_model_get_config(loaded, &config));
  assert_tiny_config(config);
  predict(fx(state)->model, &v, &l1, &c1);
  predict(loaded, &v, &l2, &c2);
  assert_memory_equal(l1, l2, PRED_PIXELS);
  assert_memory_equal(c1, c2, PRED_PIXELS * sizeof(float));
  s4seg_config_free(config);
  s4seg_model_free(loaded);
  free(l1);
  free(l2);
  free(c1);
  free(c2);
}

static void load_with_null_device_means_auto(void** state) {
  const char* path = saved_model(state, "auto.s4m");
  s4seg_model* loaded = NULL;
  int32_t n = 0;
  S4T_OK(s4seg_model_load(path, NULL, &loaded));
  S4T_OK(s4seg_model_num_classes(loaded, &n));
  assert_int_equal(n, S4T_TINY_NUM_CLASSES);
  s4seg_model_free(loaded);
}

static void save_leaves_only_the_model_file(void** state) {
  char dir[S4T_PATH_MAX], path[S4T_PATH_MAX];
  (void)state;
  s4t_temp_dir_create(dir, sizeof dir);
  s4t_path_join(path, sizeof path, dir, "model.s4m");
  S4T_OK(s4seg_model_save(fx(state)->model, path));
  S4T_OK(s4seg_model_save(fx(state)->model, path)); /* overwrite */
  assert_int_equal(s4t_count_dir_entries(dir), 1);
  s4t_temp_dir_remove(dir);
}

static void save_into_missing_folder_is_io(void** state) {
  S4T_CHECK(S4SEG_IO, s4seg_model_save(fx(state)->model, temp_path(state, "no/such/dir/model.s4m")));
}

static void save_rejects_null(void** state) {
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_save(NULL, temp_path(state, "null.s4m")));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_save(fx(state)->model, NULL));
}

static void load_missing_file_is_io(void** state) {
  S4T_CHECK(S4SEG_IO, load_status(temp_path(state, "missing.s4m")));
  S4T_ERROR_CONTAINS("missing.s4m");
}

static void load_empty_file_is_format(void** state) {
  const char* path = temp_path(state, "empty.s4m");
  s4t_write_file(path, "", 0);
  S4T_CHECK(S4SEG_FORMAT, load_status(path));
}

static void load_random_bytes_is_format(void** state) {
  const char* path = temp_path(state, "random.s4m");
  uint8_t* bytes = s4t_pattern(RANDOM_FILE_BYTES, 1, 1, 6);
  s4t_write_file(path, bytes, RANDOM_FILE_BYTES);
  S4T_CHECK(S4SEG_FORMAT, load_status(path));
  free(bytes);
}

static void load_foreign_file_is_format(void** state) {
  const char* path = temp_path(state, "image_not_model.s4m");
  s4seg_image_view v = rgb_view(state);
  S4T_OK(s4seg_image_save_png(path, &v));
  S4T_CHECK(S4SEG_FORMAT, load_status(path));
}

static void load_truncated_model_is_format(void** state) {
  char full[S4T_PATH_MAX], half[S4T_PATH_MAX];
  uint8_t* bytes;
  size_t size;
  strcpy(full, saved_model(state, "full.s4m"));
  strcpy(half, temp_path(state, "half.s4m"));
  bytes = s4t_read_file(full, &size);
  free(bytes);
  assert_true(size > 2);
  s4t_truncate_copy(full, half, size / 2);
  S4T_CHECK(S4SEG_FORMAT, load_status(half));
}

static void load_model_with_flipped_byte_is_format(void** state) {
  char full[S4T_PATH_MAX], flipped[S4T_PATH_MAX];
  uint8_t* bytes;
  size_t size;
  strcpy(full, saved_model(state, "intact.s4m"));
  strcpy(flipped, temp_path(state, "flipped.s4m"));
  bytes = s4t_read_file(full, &size);
  free(bytes);
  s4t_flip_byte_copy(full, flipped, size / 2);
  S4T_CHECK(S4SEG_FORMAT, load_status(flipped));
}

static void load_rejects_null_and_unknown_device(void** state) {
  const char* path = saved_model(state, "devices.s4m");
  s4seg_model* model = S4T_SENTINEL(s4seg_model);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_load(NULL, "cpu", &model));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_load(path, "cpu", NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_load(path, "tpu", &model));
  S4T_CHECK(S4SEG_DEVICE, s4seg_model_load(path, "cuda:99", &model));
  assert_ptr_equal(model, S4T_SENTINEL(s4seg_model));
}

/* ------------------------------------------------------------------------------------------ */
/* Devices and NULLs                                                                           */
/* ------------------------------------------------------------------------------------------ */

static void create_on_absent_cuda_device_is_device(void** state) {
  /* No machine has a hundredth GPU; "cuda:N" is a valid spelling, so this is DEVICE, not
   * INVALID_ARGUMENT, with or without CUDA. */
  s4seg_config* config = s4t_tiny_config_on("cuda:99");
  s4seg_model* model = S4T_SENTINEL(s4seg_model);
  (void)state;
  S4T_CHECK(S4SEG_DEVICE, s4seg_model_create(config, &model));
  assert_ptr_equal(model, S4T_SENTINEL(s4seg_model));
  assert_true(strlen(s4seg_last_error()) > 0);
  s4seg_config_free(config);
}

static void create_and_query_reject_null(void** state) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_config* out_config = S4T_SENTINEL(s4seg_config);
  int32_t n = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_create(config, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_num_classes(NULL, &n));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_num_classes(fx(state)->model, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_get_config(NULL, &out_config));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_get_config(fx(state)->model, NULL));
  assert_ptr_equal(out_config, S4T_SENTINEL(s4seg_config));
  s4seg_config_free(config);
}

static void free_accepts_null(void** state) {
  (void)state;
  s4seg_model_free(NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static void evaluate_gives_metrics_in_range(void** state) {
  double miou = -1, accuracy = -1;
  double class_iou[S4T_TINY_NUM_CLASSES + 2];
  int k;
  for (k = 0; k < S4T_TINY_NUM_CLASSES + 2; ++k) class_iou[k] = kIouSentinel;
  S4T_OK(s4seg_model_evaluate(fx(state)->model, fx(state)->eval, &miou, &accuracy, class_iou,
                              S4T_TINY_NUM_CLASSES + 2));
  assert_true(miou >= 0.0 && miou <= 1.0);
  assert_true(accuracy >= 0.0 && accuracy <= 1.0);
  for (k = 0; k < S4T_TINY_NUM_CLASSES; ++k) assert_true(isnan(class_iou[k]) || (class_iou[k] >= 0.0 && class_iou[k] <= 1.0));
  /* Only num_classes values are written. */
  assert_true(class_iou[S4T_TINY_NUM_CLASSES] == kIouSentinel);
  assert_true(class_iou[S4T_TINY_NUM_CLASSES + 1] == kIouSentinel);
}

static void evaluate_accepts_null_outputs(void** state) {
  double miou = -1;
  S4T_OK(s4seg_model_evaluate(fx(state)->model, fx(state)->eval, NULL, NULL, NULL, 0));
  S4T_OK(s4seg_model_evaluate(fx(state)->model, fx(state)->eval, &miou, NULL, NULL, 0));
  assert_true(miou >= 0.0 && miou <= 1.0);
}

static void evaluate_is_repeatable(void** state) {
  double m1 = -1, m2 = -2, a1 = -1, a2 = -2;
  S4T_OK(s4seg_model_evaluate(fx(state)->model, fx(state)->eval, &m1, &a1, NULL, 0));
  S4T_OK(s4seg_model_evaluate(fx(state)->model, fx(state)->eval, &m2, &a2, NULL, 0));
  assert_true(m1 == m2);
  assert_true(a1 == a2);
}

/* A model scored against its own predictions is perfect; ignored (255) pixels do not count;
 * wrong labels lower the pixel accuracy. */
static void evaluate_against_own_predictions_is_perfect(void** state) {
  s4seg_image_view v = rgb_view(state), mask_view;
  s4seg_dataset* ds = NULL;
  uint8_t* labels;
  float* confidence;
  double miou = -1, accuracy = -1;
  size_t i;
  predict(fx(state)->model, &v, &labels, &confidence);
  S4T_OK(s4seg_dataset_create(&ds));
  mask_view = s4t_view(labels, PRED_W, PRED_H, 1);
  S4T_OK(s4seg_dataset_add(ds, &v, &mask_view));
  S4T_OK(s4seg_model_evaluate(fx(state)->model, ds, &miou, &accuracy, NULL, 0));
  S4T_ASSERT_NEAR(accuracy, 1.0, kMetricTolerance);
  S4T_ASSERT_NEAR(miou, 1.0, kMetricTolerance);
  s4seg_dataset_free(ds);

  /* Half the pixels ignored: still perfect. */
  for (i = 0; i < PRED_PIXELS / 2; ++i) labels[i] = 255;
  S4T_OK(s4seg_dataset_create(&ds));
  S4T_OK(s4seg_dataset_add(ds, &v, &mask_view));
  S4T_OK(s4seg_model_evaluate(fx(state)->model, ds, &miou, &accuracy, NULL, 0));
  S4T_ASSERT_NEAR(accuracy, 1.0, kMetricTolerance);
  s4seg_dataset_free(ds);

  /* One labelled pixel wrong: accuracy drops by exactly one pixel out of the labelled ones. */
  labels[PRED_PIXELS - 1] = (uint8_t)((labels[PRED_PIXELS - 1] + 1) % S4T_TINY_NUM_CLASSES);
  S4T_OK(s4seg_dataset_create(&ds));
  S4T_OK(s4seg_dataset_add(ds, &v, &mask_view));
  S4T_OK(s4seg_model_evaluate(fx(state)->model, ds, &miou, &accuracy, NULL, 0));
  S4T_ASSERT_NEAR(accuracy, 1.0 - 1.0 / (double)(PRED_PIXELS - PRED_PIXELS / 2), kMetricTolerance);
  assert_true(miou < 1.0);
  s4seg_dataset_free(ds);
  free(labels);
  free(confidence);
}

static void evaluate_rejects_small_class_iou_capacity(void** state) {
  double class_iou[S4T_TINY_NUM_CLASSES];
  double miou = kIouSentinel;
  int k;
  for (k = 0; k < S4T_TINY_NUM_CLASSES; ++k) class_iou[k] = kIouSentinel;
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_evaluate(fx(state)->model, fx(state)->eval, &miou, NULL, class_iou,
                                                          S4T_TINY_NUM_CLASSES - 1));
  for (k = 0; k < S4T_TINY_NUM_CLASSES; ++k) assert_true(class_iou[k] == kIouSentinel);
  assert_true(miou == kIouSentinel);
}

static void evaluate_without_masks_is_invalid(void** state) {
  s4seg_image_view v = rgb_view(state);
  s4seg_dataset* ds = NULL;
  double miou = kIouSentinel;
  S4T_OK(s4seg_dataset_create(&ds));
  S4T_OK(s4seg_dataset_add(ds, &v, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_evaluate(fx(state)->model, ds, &miou, NULL, NULL, 0));
  assert_true(miou == kIouSentinel);
  s4seg_dataset_free(ds);
}

static void evaluate_rejects_null(void** state) {
  double miou = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_evaluate(NULL, fx(state)->eval, &miou, NULL, NULL, 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_evaluate(fx(state)->model, NULL, &miou, NULL, NULL, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tiny_model_has_configured_classes),
      cmocka_unit_test(create_with_null_config_uses_defaults),
      cmocka_unit_test(predict_rgb_gives_valid_labels_and_confidences),
      cmocka_unit_test(predict_grey_gives_valid_labels),
      cmocka_unit_test(predict_smallest_image),
      cmocka_unit_test(predict_writes_only_width_times_height),
      cmocka_unit_test(predict_without_confidence_gives_same_labels),
      cmocka_unit_test(predict_is_repeatable),
      cmocka_unit_test(predict_honours_row_stride),
      cmocka_unit_test(predict_rejects_small_buffers_and_leaves_them_untouched),
      cmocka_unit_test(predict_rejects_bad_images),
      cmocka_unit_test(predict_rejects_null_arguments),
      cmocka_unit_test(predict_batch_equals_single_predictions),
      cmocka_unit_test(predict_batch_rejects_small_capacity_and_bad_images),
      cmocka_unit_test(device_reports_where_the_model_runs),
      cmocka_unit_test(get_config_returns_the_build_config),
      cmocka_unit_test(cuda_graph_switch_is_recorded_and_leaves_cpu_predictions_alone),
      cmocka_unit_test(save_load_round_trip_gives_identical_predictions),
      cmocka_unit_test(load_with_null_device_means_auto),
      cmocka_unit_test(save_leaves_only_the_model_file),
      cmocka_unit_test(save_into_missing_folder_is_io),
      cmocka_unit_test(save_rejects_null),
      cmocka_unit_test(load_missing_file_is_io),
      cmocka_unit_test(load_empty_file_is_format),
      cmocka_unit_test(load_random_bytes_is_format),
      cmocka_unit_test(load_foreign_file_is_format),
      cmocka_unit_test(load_truncated_model_is_format),
      cmocka_unit_test(load_model_with_flipped_byte_is_format),
      cmocka_unit_test(load_rejects_null_and_unknown_device),
      cmocka_unit_test(create_on_absent_cuda_device_is_device),
      cmocka_unit_test(create_and_query_reject_null),
      cmocka_unit_test(free_accepts_null),
      cmocka_unit_test(evaluate_gives_metrics_in_range),
      cmocka_unit_test(evaluate_accepts_null_outputs),
      cmocka_unit_test(evaluate_is_repeatable),
      cmocka_unit_test(evaluate_against_own_predictions_is_perfect),
      cmocka_unit_test(evaluate_rejects_small_class_iou_capacity),
      cmocka_unit_test(evaluate_without_masks_is_invalid),
      cmocka_unit_test(evaluate_rejects_null),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
