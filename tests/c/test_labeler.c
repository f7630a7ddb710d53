/* Pseudo-labels for a host: s4seg_labeler_create / _run / _free.
 *
 * The model is the untrained tiny CPU model of test_util (S4T_TINY_NUM_CLASSES classes); what is
 * checked is the contract (sizes, ranges, what each filter keeps, errors that write nothing), not
 * the quality of the labels. */
#include "test_util.h"

enum {
  NUM_CLASSES = S4T_TINY_NUM_CLASSES,
  IMG_W = 40,
  IMG_H = 24,
  IMG_N = IMG_W * IMG_H,
  IMG_SEED = 3,
  IGNORE = 255
};

typedef struct {
  s4seg_model* model;
  uint8_t* pixels; /* IMG_W x IMG_H RGB */
  s4seg_image_view view;
} fixture;

static int setup(void** state) {
  fixture* f = (fixture*)calloc(1, sizeof(fixture));
  if (f == NULL) return -1;
  f->model = s4t_tiny_model();
  f->pixels = s4t_pattern(IMG_W, IMG_H, 3, IMG_SEED);
  f->view = s4t_view(f->pixels, IMG_W, IMG_H, 3);
  *state = f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = (fixture*)*state;
  s4seg_model_free(f->model);
  free(f->pixels);
  free(f);
  return 0;
}

static fixture* fx(void** state) { return (fixture*)*state; }

/* A labeler for the fixture's model; `extra` (may be NULL) is config text on top of the tiny config. */
static s4seg_labeler* labeler_with(void** state, const char* extra) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_labeler* labeler = NULL;
  if (extra != NULL) s4t_config_apply(config, extra);
  S4T_OK(s4seg_labeler_create(fx(state)->model, config, &labeler));
  assert_non_null(labeler);
  s4seg_config_free(config);
  return labeler;
}

static s4seg_image_view view_of(const s4seg_image* image) {
  s4seg_image_view v;
  memset(&v, 0, sizeof v);
  S4T_OK(s4seg_image_get_view(image, &v));
  assert_non_null(v.data);
  return v;
}

static uint8_t pixel_at(const s4seg_image_view* v, int32_t x, int32_t y) {
  return v->data[(size_t)y * (size_t)v->row_stride + (size_t)x];
}

/* Asserts the labels image has the fixture image's size, 1 channel, and only class indices or 255;
 * `counts` (NUM_CLASSES + 1 entries, the last for 255) receives the histogram. */
static void check_labels_image(const s4seg_image* labels, uint64_t* counts) {
  s4seg_image_view v = view_of(labels);
  int32_t x, y;
  assert_int_equal(v.width, IMG_W);
  assert_int_equal(v.height, IMG_H);
  assert_int_equal(v.channels, 1);
  assert_true(v.row_stride >= v.width);
  memset(counts, 0, (NUM_CLASSES + 1) * sizeof(uint64_t));
  for (y = 0; y < v.height; ++y)
    for (x = 0; x < v.width; ++x) {
      uint8_t p = pixel_at(&v, x, y);
      assert_true(p < NUM_CLASSES || p == IGNORE);
      ++counts[p == IGNORE ? NUM_CLASSES : p];
    }
}

static uint64_t sum_counts(const uint64_t* c) {
  uint64_t s = 0;
  int i;
  for (i = 0; i < NUM_CLASSES; ++i) s += c[i];
  return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Creation                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void create_rejects_null_model_and_out(void** state) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_labeler* labeler = S4T_SENTINEL(s4seg_labeler);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_create(NULL, config, &labeler));
  assert_true(s4seg_last_error()[0] != '\0');
  S4T_ERROR_CONTAINS("model");
  assert_ptr_equal(labeler, S4T_SENTINEL(s4seg_labeler));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_create(fx(state)->model, config, NULL));
  assert_true(s4seg_last_error()[0] != '\0');
  S4T_ERROR_CONTAINS("out");
  s4seg_config_free(config);
}

static void create_with_null_config_uses_defaults(void** state) {
  s4seg_labeler* labeler = NULL;
  s4seg_image* labels = NULL;
  uint64_t counts[NUM_CLASSES + 1];
  S4T_OK(s4seg_labeler_create(fx(state)->model, NULL, &labeler));
  assert_non_null(labeler);
  assert_string_equal(s4seg_last_error(), "");
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, NULL, NULL, 0));
  check_labels_image(labels, counts);
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
}

static void bad_filter_is_rejected_by_the_config_setter(void** state) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_labeler* labeler = NULL;
  char value[64];
  size_t needed = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "pseudo.filter", "bogus"));
  S4T_ERROR_CONTAINS("pseudo.filter");
  /* agreement needs prototypes (css only); the registry does not offer it as a pseudo.filter value,
   * so a host cannot even configure it: the setter and the parser refuse it. */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "pseudo.filter", "agreement"));
  S4T_ERROR_CONTAINS("pseudo.filter");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_parse(config, "pseudo.filter = agreement\n"));
  S4T_OK(s4seg_config_get_string(config, "pseudo.filter", value, sizeof value, &needed));
  assert_string_equal(value, "auto"); /* unchanged */
  S4T_OK(s4seg_labeler_create(fx(state)->model, config, &labeler));
  s4seg_labeler_free(labeler);
  s4seg_config_free(config);
}

static void create_rejects_inconsistent_entropy_schedule(void** state) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_labeler* labeler = S4T_SENTINEL(s4seg_labeler);
  /* Each key is in range; together they are not (the filter needs keep_start <= keep_end). */
  s4t_config_apply(config, "pseudo.filter = entropy\npseudo.keep_start = 0.9\npseudo.keep_end = 0.5\n");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_create(fx(state)->model, config, &labeler));
  S4T_ERROR_CONTAINS("keep_start");
  assert_ptr_equal(labeler, S4T_SENTINEL(s4seg_labeler));
  s4seg_config_free(config);
}

static void free_accepts_null(void** state) {
  (void)state;
  s4seg_labeler_free(NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Running                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void run_labels_have_image_size_and_valid_values(void** state) {
  s4seg_labeler* labeler = labeler_with(state, NULL);
  s4seg_image *labels = NULL, *confidence = NULL;
  uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES], hist[NUM_CLASSES + 1];
  int c;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, &confidence, predicted, kept, NUM_CLASSES));
  assert_non_null(labels);
  assert_non_null(confidence);
  check_labels_image(labels, hist);
  assert_int_equal(sum_counts(predicted), IMG_N);
  for (c = 0; c < NUM_CLASSES; ++c) {
    assert_true(kept[c] <= predicted[c]);
    assert_int_equal(kept[c], hist[c]); /* the kept counts are the labels image's classes */
  }
  assert_int_equal(hist[NUM_CLASSES], IMG_N - sum_counts(kept));
  s4seg_image_free(labels);
  s4seg_image_free(confidence);
  s4seg_labeler_free(labeler);
}

static void run_accepts_a_grey_image_and_a_larger_count_buffer(void** state) {
  s4seg_labeler* labeler = labeler_with(state, "pseudo.threshold = 0\n");
  uint8_t* grey = s4t_pattern(IMG_W, IMG_H, 1, IMG_SEED + 1);
  s4seg_image_view v = s4t_view(grey, IMG_W, IMG_H, 1);
  s4seg_image* labels = NULL;
  uint64_t predicted[NUM_CLASSES + 2], hist[NUM_CLASSES + 1];
  predicted[NUM_CLASSES] = predicted[NUM_CLASSES + 1] = 77;
  S4T_OK(s4seg_labeler_run(labeler, &v, &labels, NULL, predicted, NULL, NUM_CLASSES + 2));
  check_labels_image(labels, hist);
  assert_int_equal(sum_counts(predicted), IMG_N);
  /* Only num_classes entries are written. */
  assert_int_equal(predicted[NUM_CLASSES], 77);
  assert_int_equal(predicted[NUM_CLASSES + 1], 77);
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
  free(grey);
}

static void threshold_zero_keeps_every_pixel(void** state) {
  s4seg_labeler* labeler = labeler_with(state, "pseudo.filter = threshold\npseudo.threshold = 0\n");
  s4seg_image* labels = NULL;
  uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES], hist[NUM_CLASSES + 1];
  uint8_t model_labels[IMG_N];
  s4seg_image_view lv;
  int c, x, y;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, predicted, kept, NUM_CLASSES));
  check_labels_image(labels, hist);
  assert_int_equal(hist[NUM_CLASSES], 0); /* no 255 */
  assert_int_equal(sum_counts(predicted), IMG_N);
  for (c = 0; c < NUM_CLASSES; ++c) {
    assert_int_equal(kept[c], predicted[c]);
    assert_int_equal(hist[c], predicted[c]);
  }
  /* The unfiltered labels are the model's own prediction. */
  S4T_OK(s4seg_model_predict(fx(state)->model, &fx(state)->view, model_labels, sizeof model_labels, NULL, 0));
  lv = view_of(labels);
  for (y = 0; y < IMG_H; ++y)
    for (x = 0; x < IMG_W; ++x) assert_int_equal(pixel_at(&lv, x, y), model_labels[y * IMG_W + x]);
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
}

static void threshold_one_drops_every_pixel(void** state) {
  s4seg_labeler* labeler = labeler_with(state, "pseudo.filter = threshold\npseudo.threshold = 1.0\n");
  s4seg_image* labels = NULL;
  uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES], hist[NUM_CLASSES + 1];
  uint8_t model_labels[IMG_N];
  float model_conf[IMG_N];
  int c, i;
  /* Precondition: the untrained model is nowhere exactly sure (the filter keeps conf >= 1 only). */
  S4T_OK(s4seg_model_predict(fx(state)->model, &fx(state)->view, model_labels, sizeof model_labels, model_conf, IMG_N));
  for (i = 0; i < IMG_N; ++i) assert_true(model_conf[i] < 1.0f);

  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, predicted, kept, NUM_CLASSES));
  check_labels_image(labels, hist);
  assert_int_equal(hist[NUM_CLASSES], IMG_N); /* every pixel 255 */
  assert_int_equal(sum_counts(predicted), IMG_N);
  for (c = 0; c < NUM_CLASSES; ++c) assert_int_equal(kept[c], 0);
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
}

static void confidence_is_at_least_one_over_num_classes(void** state) {
  s4seg_labeler* labeler = labeler_with(state, NULL);
  s4seg_image *labels = NULL, *confidence = NULL;
  s4seg_image_view cv;
  float model_conf[IMG_N];
  uint8_t model_labels[IMG_N];
  const int floor_value = (int)(255.0 / NUM_CLASSES + 0.5) - 1; /* max softmax >= 1/C */
  int x, y;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, &confidence, NULL, NULL, 0));
  cv = view_of(confidence);
  assert_int_equal(cv.width, IMG_W);
  assert_int_equal(cv.height, IMG_H);
  assert_int_equal(cv.channels, 1);
  S4T_OK(s4seg_model_predict(fx(state)->model, &fx(state)->view, model_labels, sizeof model_labels, model_conf, IMG_N));
  for (y = 0; y < IMG_H; ++y)
    for (x = 0; x < IMG_W; ++x) {
      int got = pixel_at(&cv, x, y);
      int want = (int)(255.0f * model_conf[y * IMG_W + x] + 0.5f);
      assert_true(got >= floor_value);
      /* round(255 · p) of the same softmax the model reports (±1 for float rounding) */
      assert_true(got >= want - 1 && got <= want + 1);
    }
  s4seg_image_free(labels);
  s4seg_image_free(confidence);
  s4seg_labeler_free(labeler);
}

/* U²PL: keep the lowest-entropy fraction keep_start (the labeler is at iteration 0 of the schedule).
 * impl/pseudo/pseudo_labels.cpp keeps the pixels whose entropy is below the sorted value at index
 * floor(keep · N): exactly floor(keep · N) with distinct entropies, a few fewer on ties. */
static void entropy_filter_keeps_half_at_keep_start_half(void** state) {
  s4seg_labeler* labeler = labeler_with(state, "pseudo.filter = entropy\npseudo.keep_start = 0.5\npseudo.keep_end = 1.0\n");
  s4seg_image* labels = NULL;
  uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES], hist[NUM_CLASSES + 1];
  const uint64_t half = IMG_N / 2;
  uint64_t total;
  int c;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, predicted, kept, NUM_CLASSES));
  check_labels_image(labels, hist);
  total = sum_counts(kept);
  print_message("entropy filter kept %llu of %d pixels\n", (unsigned long long)total, IMG_N);
  assert_true(total <= half);
  assert_true(total + 2 >= half);
  assert_int_equal(hist[NUM_CLASSES], IMG_N - total);
  assert_int_equal(sum_counts(predicted), IMG_N);
  for (c = 0; c < NUM_CLASSES; ++c) {
    assert_true(kept[c] <= predicted[c]);
    assert_int_equal(hist[c], kept[c]);
  }
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
}

static void none_filter_keeps_every_pixel(void** state) {
  s4seg_labeler* labeler = labeler_with(state, "pseudo.filter = none\n");
  s4seg_image* labels = NULL;
  uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES], hist[NUM_CLASSES + 1];
  int c;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, predicted, kept, NUM_CLASSES));
  check_labels_image(labels, hist);
  assert_int_equal(hist[NUM_CLASSES], 0);
  for (c = 0; c < NUM_CLASSES; ++c) assert_int_equal(kept[c], predicted[c]);
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
}

/* ------------------------------------------------------------------------------------------ */
/* Errors write nothing                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void small_class_capacity_is_buffer_too_small(void** state) {
  s4seg_labeler* labeler = labeler_with(state, NULL);
  s4seg_image* labels = S4T_SENTINEL(s4seg_image);
  s4seg_image* confidence = S4T_SENTINEL(s4seg_image);
  uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES];
  int c;
  for (c = 0; c < NUM_CLASSES; ++c) predicted[c] = kept[c] = 12345;
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL,
            s4seg_labeler_run(labeler, &fx(state)->view, &labels, &confidence, predicted, kept, NUM_CLASSES - 1));
  assert_true(s4seg_last_error()[0] != '\0');
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL,
            s4seg_labeler_run(labeler, &fx(state)->view, &labels, &confidence, predicted, NULL, NUM_CLASSES - 1));
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_labeler_run(labeler, &fx(state)->view, &labels, &confidence, NULL, kept, 0));
  assert_ptr_equal(labels, S4T_SENTINEL(s4seg_image));
  assert_ptr_equal(confidence, S4T_SENTINEL(s4seg_image));
  for (c = 0; c < NUM_CLASSES; ++c) {
    assert_int_equal(predicted[c], 12345);
    assert_int_equal(kept[c], 12345);
  }
  /* Without count buffers the capacity does not matter. */
  labels = NULL;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, NULL, NULL, 0));
  assert_non_null(labels);
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
}

static void null_and_invalid_arguments_are_rejected(void** state) {
  s4seg_labeler* labeler = labeler_with(state, NULL);
  s4seg_image* labels = S4T_SENTINEL(s4seg_image);
  s4seg_image* confidence = S4T_SENTINEL(s4seg_image);
  uint64_t predicted[NUM_CLASSES] = {0};
  uint8_t tiny_pixels[4 * 4 * 3];
  s4seg_image_view bad = fx(state)->view;
  s4seg_image_view tiny;

  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(NULL, &fx(state)->view, &labels, &confidence, NULL, NULL, 0));
  assert_true(s4seg_last_error()[0] != '\0');
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(labeler, NULL, &labels, &confidence, NULL, NULL, 0));
  assert_true(s4seg_last_error()[0] != '\0');
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(labeler, &fx(state)->view, NULL, &confidence, predicted, NULL, NUM_CLASSES));
  S4T_ERROR_CONTAINS("labels");
  bad.width = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(labeler, &bad, &labels, &confidence, NULL, NULL, 0));
  assert_true(s4seg_last_error()[0] != '\0');
  bad = fx(state)->view;
  bad.data = NULL;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(labeler, &bad, &labels, &confidence, NULL, NULL, 0));
  bad = fx(state)->view;
  bad.channels = 2;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(labeler, &bad, &labels, &confidence, NULL, NULL, 0));
  bad = fx(state)->view;
  bad.row_stride = IMG_W * 3 - 1;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(labeler, &bad, &labels, &confidence, NULL, NULL, 0));
  /* Smaller than the model's 8x8 minimum. */
  memset(tiny_pixels, 100, sizeof tiny_pixels);
  tiny = s4t_view(tiny_pixels, 4, 4, 3);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_run(labeler, &tiny, &labels, &confidence, predicted, NULL, NUM_CLASSES));
  assert_ptr_equal(labels, S4T_SENTINEL(s4seg_image));
  assert_ptr_equal(confidence, S4T_SENTINEL(s4seg_image));
  assert_int_equal(predicted[0], 0);
  s4seg_labeler_free(labeler);
}

/* ------------------------------------------------------------------------------------------ */
/* Lifetime                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void labeler_keeps_model_alive(void** state) {
  s4seg_model* model = s4t_tiny_model();
  s4seg_labeler* labeler = NULL;
  s4seg_image* labels = NULL;
  uint64_t predicted[NUM_CLASSES], hist[NUM_CLASSES + 1];
  S4T_OK(s4seg_labeler_create(model, NULL, &labeler));
  s4seg_model_free(model); /* the host lets go of the model first */
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, predicted, NULL, NUM_CLASSES));
  check_labels_image(labels, hist);
  assert_int_equal(sum_counts(predicted), IMG_N);
  s4seg_image_free(labels);
  s4seg_labeler_free(labeler);
}

static void repeated_runs_give_the_same_labels(void** state) {
  s4seg_labeler* labeler = labeler_with(state, "pseudo.filter = threshold\npseudo.threshold = 0.5\n");
  s4seg_image *a = NULL, *b = NULL;
  s4seg_image_view va;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &a, NULL, NULL, NULL, 0));
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &b, NULL, NULL, NULL, 0));
  va = view_of(a);
  s4t_assert_image_equals_view(b, &va);
  s4seg_image_free(a);
  s4seg_image_free(b);
  s4seg_labeler_free(labeler);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_rejects_null_model_and_out),
      cmocka_unit_test(create_with_null_config_uses_defaults),
      cmocka_unit_test(bad_filter_is_rejected_by_the_config_setter),
      cmocka_unit_test(create_rejects_inconsistent_entropy_schedule),
      cmocka_unit_test(free_accepts_null),
      cmocka_unit_test(run_labels_have_image_size_and_valid_values),
      cmocka_unit_test(run_accepts_a_grey_image_and_a_larger_count_buffer),
      cmocka_unit_test(threshold_zero_keeps_every_pixel),
      cmocka_unit_test(threshold_one_drops_every_pixel),
      cmocka_unit_test(confidence_is_at_least_one_over_num_classes),
      cmocka_unit_test(entropy_filter_keeps_half_at_keep_start_half),
      cmocka_unit_test(none_filter_keeps_every_pixel),
      cmocka_unit_test(small_class_capacity_is_buffer_too_small),
      cmocka_unit_test(null_and_invalid_arguments_are_rejected),
      cmocka_unit_test(labeler_keeps_model_alive),
      cmocka_unit_test(repeated_runs_give_the_same_labels),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
