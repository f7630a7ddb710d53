/* The region-level semi-supervised methods: rrn (two co-trained branches, cross pseudo supervision,
 * one discriminator per branch, local selection) and rc2l (mask-classification head, region
 * contrastive losses), and the labeler's discriminator filter.
 *
 * Every trainer here is tiny (the test_util CPU model, crop 32, batch 2) and runs a few
 * iterations: what is checked is the contract (loss terms, metrics, checkpoints, errors, what the
 * filters keep), not what the methods learn. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_util.h"

#include <math.h>

enum {
  NUM_CLASSES = 4,
  SIDE = 48,
  TRAIN_SAMPLES = 16,
  EVAL_SAMPLES = 4,
  UNLABELED_SAMPLES = 4,
  QUICK_ITERS = 20, /* → rc2l's auto warm-up train.sup_only_iters = 2, rrn's auto st_start = 2 */
  QUICK_BATCH = 2,
  QUICK_CROP = 32,
  QUICK_SEED = 11,
  DISC_WIDTH = 16, /* model.discriminator_width: small discriminators keep the tests fast */
  RC2L_WARMUP = QUICK_ITERS / 10,
  RESUME_FIRST = 2,
  RESUME_MORE = 2,
  NAME_CAPACITY = 64,
  /* the labeler image */
  IMG_W = 40,
  IMG_H = 24,
  IMG_N = IMG_W * IMG_H,
  IMG_SEED = 3,
  IGNORE = 255
};

static const uint64_t kTrainSeed = 1;
static const uint64_t kEvalSeed = 2;
static const uint64_t kUnlabeledSeed = 3;
static const double kResumeLossTolerance = 1e-4;
static const float kResumeConfidenceTolerance = 1e-5f;

/* The small mask head of every rc2l model here. */
static const char* const kSmallMaskHead =
    "model.queries = 8\nmodel.mask_hidden = 32\nmodel.mask_layers = 1\nmodel.mask_heads = 4\nmodel.mask_ffn = 64\n";

typedef struct {
  char dir[S4T_PATH_MAX];
  s4seg_dataset* train;
  s4seg_dataset* eval;
  s4seg_dataset* unlabeled; /* synthetic, so its samples carry masks (pseudo-label accuracy) */
  s4seg_image* probe;       /* an image to compare predictions on */
  s4seg_image_view probe_view;
  uint8_t* pixels; /* IMG_W x IMG_H RGB, for the labeler */
  s4seg_image_view view;
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
  f->pixels = s4t_pattern(IMG_W, IMG_H, 3, IMG_SEED);
  f->view = s4t_view(f->pixels, IMG_W, IMG_H, 3);
  *state = f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = (fixture*)*state;
  s4seg_image_free(f->probe);
  s4seg_dataset_free(f->train);
  s4seg_dataset_free(f->eval);
  s4seg_dataset_free(f->unlabeled);
  free(f->pixels);
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

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* The tiny CPU model for NUM_CLASSES classes with a deterministic quick training setup, method
 * `method`, and `extra` (may be NULL) config text on top. rc2l configs get the small mask head. */
static s4seg_config* method_config(const char* method, const char* extra) {
  s4seg_config* config = s4t_tiny_config();
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", NUM_CLASSES));
  S4T_OK(s4seg_config_set_int(config, "model.discriminator_width", DISC_WIDTH));
  S4T_OK(s4seg_config_set_int(config, "train.iters", QUICK_ITERS));
  S4T_OK(s4seg_config_set_int(config, "train.batch_size", QUICK_BATCH));
  S4T_OK(s4seg_config_set_int(config, "train.crop_size", QUICK_CROP));
  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED));
  S4T_OK(s4seg_config_set_int(config, "train.threads", 1));
  S4T_OK(s4seg_config_set_int(config, "train.workers", 0));
  S4T_OK(s4seg_config_set_string(config, "train.method", method));
  if (strcmp(method, "rc2l") == 0) s4t_config_apply(config, kSmallMaskHead);
  if (extra != NULL) s4t_config_apply(config, extra);
  return config;
}

static s4seg_model* model_from(const s4seg_config* config) {
  s4seg_model* model = NULL;
  S4T_OK(s4seg_model_create(config, &model));
  assert_non_null(model);
  return model;
}

static s4seg_trainer* semi_trainer_from(void** state, s4seg_model* model, const s4seg_config* config) {
  s4seg_trainer* trainer = NULL;
  S4T_OK(s4seg_trainer_create_semi(model, fx(state)->train, fx(state)->unlabeled, config, &trainer));
  assert_non_null(trainer);
  return trainer;
}

static int64_t iteration_of(const s4seg_trainer* trainer) {
  int64_t it = -1;
  S4T_OK(s4seg_trainer_iteration(trainer, &it));
  return it;
}

/* Asserts metric `name` is reported with a finite value; returns it. */
static double require_metric(const s4seg_trainer* trainer, const char* name) {
  double v = NAN;
  if (!s4t_find_metric(trainer, name, &v)) fail_msg("metric \"%s\" is not reported", name);
  if (!isfinite(v)) fail_msg("metric \"%s\" = %g is not finite", name, v);
  return v;
}

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

static void print_metrics(const char* who, const s4seg_trainer* trainer) {
  size_t count = 0, i;
  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  print_message("%s:", who);
  for (i = 0; i < count; ++i) {
    char buf[NAME_CAPACITY];
    double v = 0;
    S4T_OK(s4seg_trainer_metric(trainer, i, buf, sizeof buf, NULL, &v));
    print_message(" %s=%.4f", buf, v);
  }
  print_message("\n");
}

static void assert_loss_finite(const s4seg_train_stats* stats, int64_t iteration) {
  assert_int_equal(stats->struct_size, sizeof(s4seg_train_stats));
  assert_int_equal(stats->iteration, iteration);
  assert_int_equal(stats->total_iterations, QUICK_ITERS);
  assert_true(isfinite(stats->loss));
  assert_true(stats->seconds > 0.0);
}

static size_t probe_pixels(void** state) {
  return (size_t)fx(state)->probe_view.width * (size_t)fx(state)->probe_view.height;
}

static void predict_probe(void** state, s4seg_model* model, uint8_t* labels, float* confidence) {
  const size_t n = probe_pixels(state);
  size_t i;
  S4T_OK(s4seg_model_predict(model, &fx(state)->probe_view, labels, n, confidence, n));
  for (i = 0; i < n; ++i) {
    assert_true(labels[i] < NUM_CLASSES);
    if (confidence != NULL) assert_true(confidence[i] >= 1.0f / NUM_CLASSES - 1e-5f && confidence[i] <= 1.0f);
  }
}

/* The model predicts and evaluates; saved and loaded, it predicts exactly the same. */
static void check_predict_evaluate_save_load(void** state, s4seg_model* model, const char* file_name) {
  const size_t n = probe_pixels(state);
  char path[S4T_PATH_MAX];
  s4seg_model* loaded = NULL;
  uint8_t *labels_a = (uint8_t*)malloc(n), *labels_b = (uint8_t*)malloc(n);
  float *conf_a = (float*)malloc(n * sizeof(float)), *conf_b = (float*)malloc(n * sizeof(float));
  double miou = -1, accuracy = -1;
  int32_t classes = 0;
  assert_true(labels_a && labels_b && conf_a && conf_b);
  strcpy(path, temp_path(state, file_name));

  predict_probe(state, model, labels_a, conf_a);
  S4T_OK(s4seg_model_evaluate(model, fx(state)->eval, &miou, &accuracy, NULL, 0));
  assert_true(miou >= 0.0 && miou <= 1.0);
  assert_true(accuracy >= 0.0 && accuracy <= 1.0);

  S4T_OK(s4seg_model_save(model, path));
  S4T_OK(s4seg_model_load(path, "cpu", &loaded));
  S4T_OK(s4seg_model_num_classes(loaded, &classes));
  assert_int_equal(classes, NUM_CLASSES);
  predict_probe(state, loaded, labels_b, conf_b);
  assert_memory_equal(labels_a, labels_b, n);
  assert_memory_equal(conf_a, conf_b, n * sizeof(float));

  s4seg_model_free(loaded);
  free(labels_a);
  free(labels_b);
  free(conf_a);
  free(conf_b);
}

/* ------------------------------------------------------------------------------------------ */
/* rrn                                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* rrn.st_start_iters = 1: iteration 0 runs without the local selection, iteration 1 with it. */
static void rrn_trains_with_every_loss_term(void** state) {
  s4seg_config* config = method_config("rrn", "rrn.st_start_iters = 1\n");
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(state, model, config);
  s4seg_train_stats stats;
  double selected, keep, accuracy;

  /* Iteration 0: before st_start, no selection yet. */
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 1, &stats));
  assert_loss_finite(&stats, 1);
  print_metrics("rrn iteration 0", trainer);
  require_metric(trainer, "loss/supervised");
  require_metric(trainer, "loss/cps");
  require_metric(trainer, "loss/feature_matching");
  require_metric(trainer, "loss/discriminator");
  assert_false(s4t_find_metric(trainer, "loss/selection", NULL));
  assert_false(s4t_find_metric(trainer, "rrn/selected_ratio", NULL));
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * fabs(stats.loss) + 1e-6);

  /* Iterations 1 and 2: every term. */
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 2, &stats));
  assert_loss_finite(&stats, 3);
  print_message("rrn: loss %.4f, keep ratio %.4f, pseudo accuracy %.4f\n", stats.loss, stats.pseudo_keep_ratio,
                stats.pseudo_accuracy);
  print_metrics("rrn iterations 1-2", trainer);
  require_metric(trainer, "loss/supervised");
  require_metric(trainer, "loss/cps");
  require_metric(trainer, "loss/feature_matching");
  require_metric(trainer, "loss/discriminator");
  require_metric(trainer, "loss/selection");
  selected = require_metric(trainer, "rrn/selected_ratio");
  assert_true(selected >= 0.0 && selected <= 1.0);
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * fabs(stats.loss) + 1e-6);
  /* The unlabeled set has masks: the cross pseudo-labels are checked against them. */
  assert_true(stats.pseudo_keep_ratio >= 0.0 && stats.pseudo_keep_ratio <= 1.0);
  assert_true(stats.pseudo_accuracy >= 0.0 && stats.pseudo_accuracy <= 1.0);
  keep = require_metric(trainer, "pseudo/keep_ratio");
  accuracy = require_metric(trainer, "pseudo/accuracy");
  assert_true(keep == stats.pseudo_keep_ratio);
  assert_true(accuracy == stats.pseudo_accuracy);
  assert_int_equal(iteration_of(trainer), 3);

  check_predict_evaluate_save_load(state, model, "rrn.model");

  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* Without an explicit rrn.st_start_iters the selection starts at train.iters / 10 = 2. */
static void rrn_auto_selection_start_is_a_tenth_of_the_iterations(void** state) {
  s4seg_config* config = method_config("rrn", NULL);
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(state, model, config);
  S4T_OK(s4seg_trainer_step(trainer, QUICK_ITERS / 10, NULL));
  assert_false(s4t_find_metric(trainer, "loss/selection", NULL));
  require_metric(trainer, "loss/cps");
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  require_metric(trainer, "loss/selection");
  require_metric(trainer, "rrn/selected_ratio");
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* The local selection keeps the regions scored above pseudo.discriminator_threshold: 0 keeps every
 * valid pixel (scores are sigmoids, > 0), 1 none. */
static void rrn_selection_follows_the_discriminator_threshold(void** state) {
  static const char* const kDisc[] = {"patch", "image"};
  size_t i;
  for (i = 0; i < sizeof kDisc / sizeof kDisc[0]; ++i) {
    char extra[256];
    int t;
    for (t = 0; t <= 1; ++t) {
      s4seg_config* config;
      s4seg_model* model;
      s4seg_trainer* trainer;
      double selected, selection;
      snprintf(extra, sizeof extra, "rrn.st_start_iters = 0\nmodel.discriminator = %s\npseudo.discriminator_threshold = %d\n",
               kDisc[i], t);
      config = method_config("rrn", extra);
      model = model_from(config);
      trainer = semi_trainer_from(state, model, config);
      S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
      selected = require_metric(trainer, "rrn/selected_ratio");
      selection = require_metric(trainer, "loss/selection");
      print_message("rrn (%s discriminators, threshold %d): selected %.4f, selection loss %.6f\n", kDisc[i], t, selected,
                    selection);
      if (t == 0) {
        S4T_ASSERT_NEAR(selected, 1.0, 1e-9);
        assert_true(selection > 0.0);
      } else {
        assert_true(selected == 0.0);
        assert_true(selection == 0.0);
      }
      s4seg_trainer_free(trainer);
      s4seg_model_free(model);
      s4seg_config_free(config);
    }
  }
}

/* An unlabeled batch of another size than the labeled one (odd, so the mixing partners wrap). */
static void rrn_and_rc2l_take_another_unlabeled_batch_size(void** state) {
  static const char* const kMethods[] = {"rrn", "rc2l"};
  size_t i;
  for (i = 0; i < sizeof kMethods / sizeof kMethods[0]; ++i) {
    s4seg_config* config = method_config(
        kMethods[i], "train.unlabeled_batch_size = 3\nrrn.st_start_iters = 0\npseudo.discriminator_threshold = 0\n"
                     "train.sup_only_iters = 0\nrc2l.region_threshold = 0\nrc2l.smc_threshold = 0\n");
    s4seg_model* model = model_from(config);
    s4seg_trainer* trainer = semi_trainer_from(state, model, config);
    s4seg_train_stats stats;
    s4seg_train_stats_init(&stats);
    S4T_OK(s4seg_trainer_step(trainer, 1, &stats));
    assert_loss_finite(&stats, 1);
    S4T_ASSERT_NEAR(stats.pseudo_keep_ratio, 1.0, 1e-9);
    if (i == 0) require_metric(trainer, "loss/selection");
    else require_metric(trainer, "loss/rmc");
    s4seg_trainer_free(trainer);
    s4seg_model_free(model);
    s4seg_config_free(config);
  }
}

static void rrn_trains_with_image_level_discriminators(void** state) {
  s4seg_config* config = method_config("rrn", "rrn.st_start_iters = 0\nmodel.discriminator = image\n");
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(state, model, config);
  s4seg_train_stats stats;
  double selected;
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 2, &stats));
  assert_loss_finite(&stats, 2);
  print_metrics("rrn (image discriminators)", trainer);
  require_metric(trainer, "loss/supervised");
  require_metric(trainer, "loss/cps");
  require_metric(trainer, "loss/feature_matching");
  require_metric(trainer, "loss/discriminator");
  require_metric(trainer, "loss/selection");
  selected = require_metric(trainer, "rrn/selected_ratio");
  assert_true(selected >= 0.0 && selected <= 1.0);
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * fabs(stats.loss) + 1e-6);
  check_predict_evaluate_save_load(state, model, "rrn_image.model");
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* The crash scenario of test_trainer, for rrn: both branches, both discriminators and their Adam
 * state must come back; Dropout2d in the discriminators is seeded per iteration by the trainer. */
static void rrn_checkpoint_resumes_exactly(void** state) {
  const size_t n = probe_pixels(state);
  char ckpt[S4T_PATH_MAX];
  /* threshold 0: the selection trains every pixel; rrn.d_lr = 0.01 makes the discriminators' Adam
   * steps visible in the losses */
  s4seg_config* config =
      method_config("rrn", "rrn.st_start_iters = 1\npseudo.discriminator_threshold = 0\nrrn.d_lr = 0.01\n");
  s4seg_model *model_a = model_from(config), *model_b;
  s4seg_trainer *trainer_a = semi_trainer_from(state, model_a, config), *trainer_b;
  s4seg_train_stats stats_a, stats_b;
  double sel_a = -1, sel_b = -2;
  uint8_t *saved = (uint8_t*)malloc(n), *labels_a = (uint8_t*)malloc(n), *labels_b = (uint8_t*)malloc(n);
  float *saved_conf = (float*)malloc(n * sizeof(float)), *conf_a = (float*)malloc(n * sizeof(float)),
        *conf_b = (float*)malloc(n * sizeof(float));
  size_t i;
  assert_true(saved && labels_a && labels_b && saved_conf && conf_a && conf_b);
  strcpy(ckpt, temp_path(state, "rrn.ckpt"));

  S4T_OK(s4seg_trainer_step(trainer_a, RESUME_FIRST, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(trainer_a, ckpt));
  predict_probe(state, model_a, saved, saved_conf);
  s4seg_train_stats_init(&stats_a);
  S4T_OK(s4seg_trainer_step(trainer_a, RESUME_MORE, &stats_a));
  assert_true(s4t_find_metric(trainer_a, "rrn/selected_ratio", &sel_a));
  predict_probe(state, model_a, labels_a, conf_a);

  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED + 1000)); /* other initial weights */
  model_b = model_from(config);
  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED));
  trainer_b = semi_trainer_from(state, model_b, config);
  S4T_OK(s4seg_trainer_resume(trainer_b, ckpt));
  assert_int_equal(iteration_of(trainer_b), RESUME_FIRST);
  predict_probe(state, model_b, labels_b, conf_b);
  assert_memory_equal(saved, labels_b, n);
  assert_memory_equal(saved_conf, conf_b, n * sizeof(float));

  s4seg_train_stats_init(&stats_b);
  S4T_OK(s4seg_trainer_step(trainer_b, RESUME_MORE, &stats_b));
  assert_true(s4t_find_metric(trainer_b, "rrn/selected_ratio", &sel_b));
  assert_int_equal(stats_a.iteration, RESUME_FIRST + RESUME_MORE);
  assert_int_equal(stats_b.iteration, RESUME_FIRST + RESUME_MORE);
  print_message("rrn loss after resume: original %.8f, resumed %.8f; selected %.6f vs %.6f\n", stats_a.loss,
                stats_b.loss, sel_a, sel_b);
  print_metrics("rrn original", trainer_a);
  print_metrics("rrn resumed ", trainer_b);
  S4T_ASSERT_NEAR(stats_a.loss, stats_b.loss, kResumeLossTolerance);
  S4T_ASSERT_NEAR(stats_a.pseudo_keep_ratio, stats_b.pseudo_keep_ratio, 1e-6);
  S4T_ASSERT_NEAR(sel_a, sel_b, 1e-6);
  {
    static const char* const kTerms[] = {"loss/supervised", "loss/cps", "loss/feature_matching", "loss/discriminator",
                                         "loss/selection"};
    size_t t;
    for (t = 0; t < sizeof kTerms / sizeof kTerms[0]; ++t) {
      double a = require_metric(trainer_a, kTerms[t]), b = require_metric(trainer_b, kTerms[t]);
      S4T_ASSERT_NEAR(a, b, 1e-6 + 1e-6 * fabs(a));
    }
  }
  predict_probe(state, model_b, labels_b, conf_b);
  assert_memory_equal(labels_a, labels_b, n);
  for (i = 0; i < n; ++i) assert_float_equal(conf_a[i], conf_b[i], kResumeConfidenceTolerance);

  s4seg_trainer_free(trainer_a);
  s4seg_trainer_free(trainer_b);
  s4seg_model_free(model_a);
  s4seg_model_free(model_b);
  s4seg_config_free(config);
  free(saved);
  free(labels_a);
  free(labels_b);
  free(saved_conf);
  free(conf_a);
  free(conf_b);
}

/* ------------------------------------------------------------------------------------------ */
/* Wrong model family                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* A model built for `built_for` (+ `model_extra`), trained with `method`: INVALID_ARGUMENT from
 * trainer creation, a message containing `needle`, the out-parameter untouched. */
static void expect_trainer_refused(void** state, const char* built_for, const char* model_extra, const char* method,
                                   const char* needle) {
  s4seg_config* config = method_config(built_for, model_extra);
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
  S4T_OK(s4seg_config_set_string(config, "train.method", method));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT,
            s4seg_trainer_create_semi(model, fx(state)->train, fx(state)->unlabeled, config, &trainer));
  print_message("%s on a model built for %s: \"%s\"\n", method, built_for, s4seg_last_error());
  S4T_ERROR_CONTAINS(needle);
  assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void rrn_needs_a_model_created_for_rrn(void** state) {
  /* one branch, no discriminator */
  expect_trainer_refused(state, "supervised", NULL, "rrn", "create the model with train.method = rrn");
  /* two branches but no discriminators */
  expect_trainer_refused(state, "supervised", "model.branches = 2\n", "rrn", "create the model with train.method = rrn");
  /* discriminators on one branch */
  expect_trainer_refused(state, "supervised", "model.discriminator = patch\n", "rrn",
                         "create the model with train.method = rrn");
  /* an rc2l model */
  expect_trainer_refused(state, "rc2l", NULL, "rrn", "create the model with train.method = rrn");
}

static void rc2l_needs_a_mask_head_model(void** state) {
  expect_trainer_refused(state, "supervised", NULL, "rc2l", "create the model with train.method = rc2l");
  /* an rrn model is a two-branch DeepLab */
  expect_trainer_refused(state, "rrn", NULL, "rc2l", "create the model with train.method = rc2l");
}

static void rc2l_needs_a_query_per_class(void** state) {
  /* NUM_CLASSES = 4 classes, 3 queries: the model builds, the trainer refuses it. */
  expect_trainer_refused(state, "rc2l", "model.queries = 3\n", "rc2l", "model.queries");
}

static void rrn_and_rc2l_need_unlabeled_images(void** state) {
  static const char* const kMethods[] = {"rrn", "rc2l"};
  size_t i;
  for (i = 0; i < sizeof kMethods / sizeof kMethods[0]; ++i) {
    s4seg_config* config = method_config(kMethods[i], NULL);
    s4seg_model* model = model_from(config);
    s4seg_trainer* trainer = S4T_SENTINEL(s4seg_trainer);
    s4seg_dataset* empty = NULL;
    S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(model, fx(state)->train, NULL, config, &trainer));
    S4T_ERROR_CONTAINS("unlabeled");
    S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create(model, fx(state)->train, config, &trainer));
    S4T_ERROR_CONTAINS("unlabeled");
    S4T_OK(s4seg_dataset_create(&empty));
    S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_trainer_create_semi(model, fx(state)->train, empty, config, &trainer));
    S4T_ERROR_CONTAINS("unlabeled");
    assert_ptr_equal(trainer, S4T_SENTINEL(s4seg_trainer));
    s4seg_dataset_free(empty);
    s4seg_model_free(model);
    s4seg_config_free(config);
  }
}

/* model.head = mask explicitly, on a model built for supervised: rc2l accepts it. */
static void rc2l_accepts_an_explicit_mask_head(void** state) {
  s4seg_config* config = method_config("supervised", kSmallMaskHead);
  s4seg_model* model;
  s4seg_trainer* trainer;
  S4T_OK(s4seg_config_set_string(config, "model.head", "mask"));
  model = model_from(config);
  S4T_OK(s4seg_config_set_string(config, "train.method", "rc2l"));
  S4T_OK(s4seg_config_set_int(config, "train.sup_only_iters", 0));
  trainer = semi_trainer_from(state, model, config);
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL));
  require_metric(trainer, "loss/smc");
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* ------------------------------------------------------------------------------------------ */
/* rc2l                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* train.sup_only_iters auto = train.iters / 10 = 2 labeled-only iterations, then the unlabeled
 * losses; rc2l.region_threshold = 0 makes every teacher query a region, so RMC/RFC/RCC run. */
static void rc2l_trains_with_region_losses_after_the_warm_up(void** state) {
  s4seg_config* config = method_config("rc2l", "rc2l.region_threshold = 0\nrc2l.smc_threshold = 0\n");
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(state, model, config);
  s4seg_train_stats stats;
  double regions;

  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, RC2L_WARMUP, &stats));
  assert_loss_finite(&stats, RC2L_WARMUP);
  print_metrics("rc2l warm-up", trainer);
  assert_true(stats.loss > 0.0);
  assert_true(stats.pseudo_keep_ratio == -1.0);
  require_metric(trainer, "loss/supervised");
  assert_false(s4t_find_metric(trainer, "loss/smc", NULL));
  assert_false(s4t_find_metric(trainer, "loss/rmc", NULL));
  assert_false(s4t_find_metric(trainer, "rc2l/regions", NULL));

  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 2, &stats));
  assert_loss_finite(&stats, RC2L_WARMUP + 2);
  print_message("rc2l: loss %.4f, keep ratio %.4f, pseudo accuracy %.4f\n", stats.loss, stats.pseudo_keep_ratio,
                stats.pseudo_accuracy);
  print_metrics("rc2l", trainer);
  assert_true(require_metric(trainer, "loss/supervised") > 0.0);
  assert_true(require_metric(trainer, "loss/smc") > 0.0); /* rc2l.smc_threshold = 0: every pixel enters SMC */
  assert_true(require_metric(trainer, "loss/rmc") > 0.0);
  assert_true(require_metric(trainer, "loss/rfc") > 0.0);
  assert_true(require_metric(trainer, "loss/rcc") > 0.0);
  regions = require_metric(trainer, "rc2l/regions");
  /* threshold 0: every query of every unlabeled image is a region */
  S4T_ASSERT_NEAR(regions, 8.0, 1e-6);
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * fabs(stats.loss) + 1e-6);
  S4T_ASSERT_NEAR(stats.pseudo_keep_ratio, 1.0, 1e-9);
  assert_true(stats.pseudo_accuracy >= 0.0 && stats.pseudo_accuracy <= 1.0);

  check_predict_evaluate_save_load(state, model, "rc2l.model");

  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* rc2l.region_threshold = 1: no teacher query is a region; only the set loss and SMC, and
 * rc2l/regions = 0. */
static void rc2l_without_regions_has_only_set_and_smc_losses(void** state) {
  s4seg_config* config = method_config("rc2l", "rc2l.region_threshold = 1\ntrain.sup_only_iters = 0\n");
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(state, model, config);
  s4seg_train_stats stats;
  double regions;
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 1, &stats));
  assert_loss_finite(&stats, 1);
  require_metric(trainer, "loss/supervised");
  require_metric(trainer, "loss/smc");
  assert_false(s4t_find_metric(trainer, "loss/rmc", NULL));
  assert_false(s4t_find_metric(trainer, "loss/rfc", NULL));
  assert_false(s4t_find_metric(trainer, "loss/rcc", NULL));
  regions = require_metric(trainer, "rc2l/regions");
  assert_true(regions == 0.0);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void rc2l_index_matching_trains(void** state) {
  s4seg_config* config =
      method_config("rc2l", "rc2l.matching = index\nrc2l.region_threshold = 0\ntrain.sup_only_iters = 0\n");
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(state, model, config);
  s4seg_train_stats stats;
  s4seg_train_stats_init(&stats);
  S4T_OK(s4seg_trainer_step(trainer, 2, &stats));
  assert_loss_finite(&stats, 2);
  print_metrics("rc2l (index matching)", trainer);
  require_metric(trainer, "loss/supervised");
  require_metric(trainer, "loss/smc");
  require_metric(trainer, "loss/rmc");
  require_metric(trainer, "loss/rfc");
  require_metric(trainer, "loss/rcc");
  require_metric(trainer, "rc2l/regions");
  S4T_ASSERT_NEAR(sum_of_loss_terms(trainer), stats.loss, 1e-4 * fabs(stats.loss) + 1e-6);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* The checkpoint is taken at the end of the labeled-only warm-up (iteration 2 = sup_only_iters):
 * the resumed trainer must reset its teacher and run the region losses like the original. */
static void rc2l_checkpoint_resumes_exactly(void** state) {
  const size_t n = probe_pixels(state);
  char ckpt[S4T_PATH_MAX];
  s4seg_config* config = method_config("rc2l", "rc2l.region_threshold = 0\nrc2l.smc_threshold = 0\n");
  s4seg_model *model_a = model_from(config), *model_b;
  s4seg_trainer *trainer_a = semi_trainer_from(state, model_a, config), *trainer_b;
  s4seg_train_stats stats_a, stats_b;
  uint8_t *saved = (uint8_t*)malloc(n), *labels_a = (uint8_t*)malloc(n), *labels_b = (uint8_t*)malloc(n);
  float *conf_a = (float*)malloc(n * sizeof(float)), *conf_b = (float*)malloc(n * sizeof(float));
  size_t i, t;
  static const char* const kTerms[] = {"loss/supervised", "loss/smc", "loss/rmc", "loss/rfc", "loss/rcc"};
  assert_true(saved && labels_a && labels_b && conf_a && conf_b);
  strcpy(ckpt, temp_path(state, "rc2l.ckpt"));

  S4T_OK(s4seg_trainer_step(trainer_a, RC2L_WARMUP, NULL));
  S4T_OK(s4seg_trainer_save_checkpoint(trainer_a, ckpt));
  predict_probe(state, model_a, saved, conf_a);
  s4seg_train_stats_init(&stats_a);
  S4T_OK(s4seg_trainer_step(trainer_a, RESUME_MORE, &stats_a));
  predict_probe(state, model_a, labels_a, conf_a);

  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED + 1000));
  model_b = model_from(config);
  S4T_OK(s4seg_config_set_int(config, "train.seed", QUICK_SEED));
  trainer_b = semi_trainer_from(state, model_b, config);
  S4T_OK(s4seg_trainer_resume(trainer_b, ckpt));
  assert_int_equal(iteration_of(trainer_b), RC2L_WARMUP);
  predict_probe(state, model_b, labels_b, conf_b);
  assert_memory_equal(saved, labels_b, n);
  s4seg_train_stats_init(&stats_b);
  S4T_OK(s4seg_trainer_step(trainer_b, RESUME_MORE, &stats_b));
  print_message("rc2l loss after resume: original %.8f, resumed %.8f\n", stats_a.loss, stats_b.loss);
  S4T_ASSERT_NEAR(stats_a.loss, stats_b.loss, kResumeLossTolerance);
  for (t = 0; t < sizeof kTerms / sizeof kTerms[0]; ++t) {
    double a = require_metric(trainer_a, kTerms[t]), b = require_metric(trainer_b, kTerms[t]);
    S4T_ASSERT_NEAR(a, b, 1e-6 + 1e-6 * fabs(a));
  }
  predict_probe(state, model_b, labels_b, conf_b);
  assert_memory_equal(labels_a, labels_b, n);
  for (i = 0; i < n; ++i) assert_float_equal(conf_a[i], conf_b[i], kResumeConfidenceTolerance);

  s4seg_trainer_free(trainer_a);
  s4seg_trainer_free(trainer_b);
  s4seg_model_free(model_a);
  s4seg_model_free(model_b);
  s4seg_config_free(config);
  free(saved);
  free(labels_a);
  free(labels_b);
  free(conf_a);
  free(conf_b);
}

/* ------------------------------------------------------------------------------------------ */
/* Labeler                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static s4seg_labeler* labeler_for(s4seg_model* model, const char* text) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_labeler* labeler = NULL;
  if (text != NULL) s4t_config_apply(config, text);
  S4T_OK(s4seg_labeler_create(model, config, &labeler));
  assert_non_null(labeler);
  s4seg_config_free(config);
  return labeler;
}

static uint64_t sum_counts(const uint64_t* c) {
  uint64_t s = 0;
  int i;
  for (i = 0; i < NUM_CLASSES; ++i) s += c[i];
  return s;
}

/* Runs the labeler on the fixture image; checks sizes, values (< NUM_CLASSES or 255), kept ≤
 * predicted per class and kept = the labels' histogram. Returns the kept total; the labels go to
 * `labels_out` (IMG_N bytes, may be NULL). */
static uint64_t label_and_check(void** state, s4seg_labeler* labeler, uint8_t* labels_out) {
  s4seg_image* labels = NULL;
  s4seg_image_view v;
  uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES], hist[NUM_CLASSES + 1];
  int32_t x, y;
  int c;
  S4T_OK(s4seg_labeler_run(labeler, &fx(state)->view, &labels, NULL, predicted, kept, NUM_CLASSES));
  memset(&v, 0, sizeof v);
  S4T_OK(s4seg_image_get_view(labels, &v));
  assert_int_equal(v.width, IMG_W);
  assert_int_equal(v.height, IMG_H);
  assert_int_equal(v.channels, 1);
  memset(hist, 0, sizeof hist);
  for (y = 0; y < IMG_H; ++y)
    for (x = 0; x < IMG_W; ++x) {
      uint8_t p = v.data[(size_t)y * (size_t)v.row_stride + (size_t)x];
      assert_true(p < NUM_CLASSES || p == IGNORE);
      ++hist[p == IGNORE ? NUM_CLASSES : p];
      if (labels_out != NULL) labels_out[y * IMG_W + x] = p;
    }
  assert_int_equal(sum_counts(predicted), IMG_N);
  for (c = 0; c < NUM_CLASSES; ++c) {
    assert_true(kept[c] <= predicted[c]);
    assert_int_equal(kept[c], hist[c]);
  }
  assert_int_equal(hist[NUM_CLASSES], IMG_N - sum_counts(kept));
  s4seg_image_free(labels);
  return sum_counts(kept);
}

static void discriminator_filter_on_an_rrn_model(void** state) {
  s4seg_config* config = method_config("rrn", "rrn.st_start_iters = 0\n");
  s4seg_model* model = model_from(config);
  s4seg_trainer* trainer = semi_trainer_from(state, model, config);
  s4seg_model* loaded = NULL;
  s4seg_labeler *def, *all, *none, *from_file;
  uint8_t a[IMG_N], b[IMG_N], model_labels[IMG_N];
  uint64_t kept_default, kept_all, kept_none;
  char path[S4T_PATH_MAX];
  int i;
  strcpy(path, temp_path(state, "rrn_for_labeler.model"));
  S4T_OK(s4seg_trainer_step(trainer, 1, NULL)); /* leaves the net in training mode */

  def = labeler_for(model, "pseudo.filter = discriminator\n");
  kept_default = label_and_check(state, def, a);
  label_and_check(state, def, b);
  assert_memory_equal(a, b, IMG_N); /* no dropout at labelling time */

  /* Scores are sigmoid outputs, strictly inside (0, 1): 0 keeps every pixel, 1 none. */
  all = labeler_for(model, "pseudo.filter = discriminator\npseudo.discriminator_threshold = 0\n");
  kept_all = label_and_check(state, all, a);
  assert_int_equal(kept_all, IMG_N);
  S4T_OK(s4seg_model_predict(model, &fx(state)->view, model_labels, sizeof model_labels, NULL, 0));
  assert_memory_equal(a, model_labels, IMG_N); /* unfiltered labels are the model's prediction */
  none = labeler_for(model, "pseudo.filter = discriminator\npseudo.discriminator_threshold = 1\n");
  kept_none = label_and_check(state, none, b);
  assert_int_equal(kept_none, 0);
  for (i = 0; i < IMG_N; ++i) assert_int_equal(b[i], IGNORE);
  print_message("discriminator filter kept %llu of %d pixels at the default threshold\n",
                (unsigned long long)kept_default, IMG_N);

  /* The discriminators are saved with the model: a loaded model filters the same. */
  S4T_OK(s4seg_model_save(model, path));
  S4T_OK(s4seg_model_load(path, "cpu", &loaded));
  from_file = labeler_for(loaded, "pseudo.filter = discriminator\n");
  label_and_check(state, def, a);
  label_and_check(state, from_file, b);
  assert_memory_equal(a, b, IMG_N);

  s4seg_labeler_free(def);
  s4seg_labeler_free(all);
  s4seg_labeler_free(none);
  s4seg_labeler_free(from_file);
  s4seg_model_free(loaded);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* An image-level discriminator keeps or drops the whole image. */
static void image_discriminator_filter_keeps_all_or_nothing(void** state) {
  s4seg_config* config = method_config("rrn", "model.discriminator = image\n");
  s4seg_model* model = model_from(config);
  s4seg_labeler *all, *none, *def;
  uint64_t kept;
  all = labeler_for(model, "pseudo.filter = discriminator\npseudo.discriminator_threshold = 0\n");
  none = labeler_for(model, "pseudo.filter = discriminator\npseudo.discriminator_threshold = 1\n");
  def = labeler_for(model, "pseudo.filter = discriminator\n");
  assert_int_equal(label_and_check(state, all, NULL), IMG_N);
  assert_int_equal(label_and_check(state, none, NULL), 0);
  kept = label_and_check(state, def, NULL);
  assert_true(kept == 0 || kept == IMG_N);
  s4seg_labeler_free(all);
  s4seg_labeler_free(none);
  s4seg_labeler_free(def);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* Grey, minimum-size (8x8, below the discriminator's 16) and odd-sized images go through the
 * discriminator filter too; threshold 0 keeps them whole. */
static void discriminator_filter_takes_any_image(void** state) {
  static const int32_t kSizes[][3] = {{IMG_W, IMG_H, 1}, {8, 8, 3}, {8, 8, 1}, {37, 19, 3}, {17, 64, 3}};
  s4seg_config* config = method_config("rrn", NULL);
  s4seg_model* model = model_from(config);
  s4seg_labeler* all = labeler_for(model, "pseudo.filter = discriminator\npseudo.discriminator_threshold = 0\n");
  s4seg_labeler* def = labeler_for(model, "pseudo.filter = discriminator\n");
  size_t i;
  (void)state;
  for (i = 0; i < sizeof kSizes / sizeof kSizes[0]; ++i) {
    const int32_t w = kSizes[i][0], h = kSizes[i][1], c = kSizes[i][2];
    uint8_t* pixels = s4t_pattern(w, h, c, (uint32_t)(IMG_SEED + i));
    s4seg_image_view v = s4t_view(pixels, w, h, c);
    s4seg_image *labels = NULL, *labels2 = NULL;
    uint64_t predicted[NUM_CLASSES], kept[NUM_CLASSES];
    s4seg_image_view lv;
    S4T_OK(s4seg_labeler_run(all, &v, &labels, NULL, predicted, kept, NUM_CLASSES));
    assert_int_equal(sum_counts(predicted), (uint64_t)w * (uint64_t)h);
    assert_int_equal(sum_counts(kept), (uint64_t)w * (uint64_t)h);
    memset(&lv, 0, sizeof lv);
    S4T_OK(s4seg_image_get_view(labels, &lv));
    assert_int_equal(lv.width, w);
    assert_int_equal(lv.height, h);
    S4T_OK(s4seg_labeler_run(def, &v, &labels2, NULL, predicted, kept, NUM_CLASSES));
    assert_int_equal(sum_counts(predicted), (uint64_t)w * (uint64_t)h);
    s4seg_image_free(labels);
    s4seg_image_free(labels2);
    free(pixels);
  }
  s4seg_labeler_free(all);
  s4seg_labeler_free(def);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

static void discriminator_filter_needs_discriminators(void** state) {
  s4seg_config* config = method_config("supervised", NULL);
  s4seg_model* model = model_from(config);
  s4seg_labeler* labeler = S4T_SENTINEL(s4seg_labeler);
  (void)state;
  S4T_OK(s4seg_config_set_string(config, "pseudo.filter", "discriminator"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_labeler_create(model, config, &labeler));
  print_message("discriminator filter without discriminators: \"%s\"\n", s4seg_last_error());
  S4T_ERROR_CONTAINS("discriminator");
  assert_ptr_equal(labeler, S4T_SENTINEL(s4seg_labeler));
  s4seg_model_free(model);
  s4seg_config_free(config);
}

/* The default (threshold) filter on a mask-head model: labels are class indices or 255. */
static void labeler_on_an_rc2l_model(void** state) {
  s4seg_config* config = method_config("rc2l", NULL);
  s4seg_model* model = model_from(config);
  s4seg_labeler *def = labeler_for(model, NULL), *all = labeler_for(model, "pseudo.threshold = 0\n");
  uint8_t a[IMG_N], model_labels[IMG_N];
  label_and_check(state, def, NULL);
  assert_int_equal(label_and_check(state, all, a), IMG_N);
  S4T_OK(s4seg_model_predict(model, &fx(state)->view, model_labels, sizeof model_labels, NULL, 0));
  assert_memory_equal(a, model_labels, IMG_N);
  s4seg_labeler_free(def);
  s4seg_labeler_free(all);
  s4seg_model_free(model);
  s4seg_config_free(config);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rrn_trains_with_every_loss_term),
      cmocka_unit_test(rrn_auto_selection_start_is_a_tenth_of_the_iterations),
      cmocka_unit_test(rrn_selection_follows_the_discriminator_threshold),
      cmocka_unit_test(rrn_and_rc2l_take_another_unlabeled_batch_size),
      cmocka_unit_test(rrn_trains_with_image_level_discriminators),
      cmocka_unit_test(rrn_checkpoint_resumes_exactly),
      cmocka_unit_test(rrn_needs_a_model_created_for_rrn),
      cmocka_unit_test(rc2l_needs_a_mask_head_model),
      cmocka_unit_test(rc2l_needs_a_query_per_class),
      cmocka_unit_test(rrn_and_rc2l_need_unlabeled_images),
      cmocka_unit_test(rc2l_accepts_an_explicit_mask_head),
      cmocka_unit_test(rc2l_trains_with_region_losses_after_the_warm_up),
      cmocka_unit_test(rc2l_without_regions_has_only_set_and_smc_losses),
      cmocka_unit_test(rc2l_index_matching_trains),
      cmocka_unit_test(rc2l_checkpoint_resumes_exactly),
      cmocka_unit_test(discriminator_filter_on_an_rrn_model),
      cmocka_unit_test(image_discriminator_filter_keeps_all_or_nothing),
      cmocka_unit_test(discriminator_filter_takes_any_image),
      cmocka_unit_test(discriminator_filter_needs_discriminators),
      cmocka_unit_test(labeler_on_an_rc2l_model),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
