/* Training from a lazily read dataset of a few hundred image files: memory for decoded samples
 * stays within the cache budget while the trainer's prefetching loader reads them, and the
 * trainer reports how long it waited for images. */
#include "test_util.h"

enum { LAZY_COUNT = 300, LAZY_SIZE = 40, LAZY_CACHED = 24 };

/* Writes LAZY_COUNT image/mask PNG pairs and a list file naming them; returns the list path. */
static void write_lazy_dataset(const char* dir, char* list_path, size_t capacity) {
  char path[S4T_PATH_MAX], line[128];
  FILE* list;
  int i;
  s4t_path_join(list_path, capacity, dir, "train.txt");
  list = fopen(list_path, "w");
  assert_non_null(list);
  for (i = 0; i < LAZY_COUNT; ++i) {
    uint8_t* image = s4t_pattern(LAZY_SIZE, LAZY_SIZE, 3, (uint32_t)i);
    uint8_t* mask = s4t_mask_pattern(LAZY_SIZE, LAZY_SIZE, S4T_TINY_NUM_CLASSES, (uint32_t)i);
    s4seg_image_view iv = s4t_view(image, LAZY_SIZE, LAZY_SIZE, 3), mv = s4t_view(mask, LAZY_SIZE, LAZY_SIZE, 1);
    snprintf(line, sizeof line, "img%03d.png", i);
    s4t_path_join(path, sizeof path, dir, line);
    S4T_OK(s4seg_image_save_png(path, &iv));
    snprintf(line, sizeof line, "mask%03d.png", i);
    s4t_path_join(path, sizeof path, dir, line);
    S4T_OK(s4seg_image_save_png(path, &mv));
    fprintf(list, "img%03d.png mask%03d.png\n", i, i);
    free(image);
    free(mask);
  }
  assert_int_equal(fclose(list), 0);
}

static void lazy_dataset_trains_within_its_cache_budget(void** state) {
  const char* dir = s4t_dir_fixture_path(state);
  const uint64_t sample_bytes = LAZY_SIZE * LAZY_SIZE * 4; /* RGB image + 1-channel mask */
  const uint64_t budget = LAZY_CACHED * sample_bytes;
  char list[S4T_PATH_MAX];
  s4seg_dataset* dataset = NULL;
  s4seg_config* config = s4t_tiny_config();
  s4seg_model* model = NULL;
  s4seg_trainer* trainer = NULL;
  s4seg_train_stats stats;
  uint64_t bytes = 0, hits = 0, misses = 0;
  int64_t size = 0;
  double wait = -1.0;
  int round;
  write_lazy_dataset(dir, list, sizeof list);
  S4T_OK(s4seg_dataset_create(&dataset));
  S4T_OK(s4seg_dataset_add_list(dataset, dir, list));
  S4T_OK(s4seg_dataset_size(dataset, &size));
  assert_int_equal(size, LAZY_COUNT);
  S4T_OK(s4seg_dataset_set_cache(dataset, budget));
  s4t_config_apply(config, "train.iters = 40\ntrain.batch_size = 8\ntrain.crop_size = 32\ntrain.workers = 2\n"
                           "train.prefetch = 3\ntrain.log_every = 1");
  S4T_OK(s4seg_model_create(config, &model));
  S4T_OK(s4seg_trainer_create(model, dataset, config, &trainer));
  /* 4 rounds of 10 iterations: 320 samples drawn from 300, more than the cache holds. */
  for (round = 0; round < 4; ++round) {
    s4seg_train_stats_init(&stats);
    S4T_OK(s4seg_trainer_step(trainer, 10, &stats));
    assert_true(stats.loss > 0.0 && stats.loss < 100.0);
    S4T_OK(s4seg_dataset_cache_stats(dataset, &bytes, &hits, &misses));
    assert_true(bytes <= budget);
    assert_true(s4t_find_metric(trainer, "data/wait_fraction", &wait));
    assert_true(wait >= 0.0 && wait <= 1.0);
  }
  assert_int_equal(stats.iteration, 40);
  /* Every decoded sample went through the cache, which never held more than its budget; the
   * loader runs ahead of the trainer, so it decoded at least the 320 consumed samples. */
  assert_true(hits + misses >= 320);
  assert_true(misses >= LAZY_COUNT - LAZY_CACHED);
  assert_true(bytes > 0 && bytes <= budget);
  s4seg_trainer_free(trainer);
  s4seg_model_free(model);
  S4T_OK(s4seg_dataset_cache_stats(dataset, &bytes, NULL, NULL));
  assert_true(bytes <= budget);
  s4seg_dataset_free(dataset);
  s4seg_config_free(config);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lazy_dataset_trains_within_its_cache_budget),
  };
  return cmocka_run_group_tests(tests, s4t_dir_fixture_setup, s4t_dir_fixture_teardown);
}
