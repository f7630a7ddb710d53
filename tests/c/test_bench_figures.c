/* The figures `s4seg bench` is built on: model FLOPs (s4seg_model_flops) and device memory
 * (s4seg_device_memory / s4seg_device_reset_peak_memory), on the CPU. */
#include "test_util.h"

static double flops_of(s4seg_model* model, int32_t width, int32_t height) {
  double flops = -1.0;
  S4T_OK(s4seg_model_flops(model, width, height, &flops));
  return flops;
}

/* Convolution cost grows with the pixel count: 4x the pixels, about 4x the FLOPs (the ASPP's
 * image-pooling branch runs on 1x1 and does not grow). A second branch doubles the network. */
static void flops_scale_with_pixels_and_branches(void** state) {
  s4seg_model* model = s4t_tiny_model();
  s4seg_config* config = s4t_tiny_config();
  s4seg_model* pair = NULL;
  double small, large, ratio, two;
  (void)state;
  small = flops_of(model, 64, 48);
  large = flops_of(model, 128, 96);
  ratio = large / small;
  print_message("forward FLOPs 64x48: %.0f, 128x96: %.0f (x%.3f)\n", small, large, ratio);
  assert_true(small > 1e6);
  assert_true(ratio > 3.9 && ratio <= 4.0);
  s4t_config_apply(config, "model.branches = 2");
  S4T_OK(s4seg_model_create(config, &pair));
  two = flops_of(pair, 64, 48);
  S4T_ASSERT_NEAR(two / small, 2.0, 1e-9);
  /* The count does not disturb the model: same figure twice. */
  S4T_ASSERT_NEAR(flops_of(model, 64, 48), small, 0.0);
  s4seg_model_free(pair);
  s4seg_config_free(config);
  s4seg_model_free(model);
}

/* The tiny model's first convolution alone
 * (7x7, stride 2, 3 → 8 channels) on 64x48 costs 2·8·3·49·32·24 FLOPs, a lower bound. */
static void flops_include_the_stem(void** state) {
  s4seg_model* model = s4t_tiny_model();
  (void)state;
  assert_true(flops_of(model, 64, 48) > 2.0 * 8 * 3 * 49 * 32 * 24);
  s4seg_model_free(model);
}

static void flops_reject_bad_arguments(void** state) {
  s4seg_model* model = s4t_tiny_model();
  double flops = 123.0;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_flops(NULL, 64, 64, &flops));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_flops(model, 64, 64, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_flops(model, 4, 64, &flops));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_flops(model, 64, 100000, &flops));
  assert_true(flops == 123.0);
  s4seg_model_free(model);
}

/* Touching 64 MiB raises the CPU peak by about that much; a reset brings the peak back to the
 * current resident set. */
static void cpu_memory_peak_follows_allocations(void** state) {
  const size_t size = (size_t)64 << 20;
  uint64_t current = 0, peak = 0, before = 0, after = 0;
  uint8_t* block;
  size_t i;
  (void)state;
  S4T_OK(s4seg_device_memory("cpu", &current, &peak));
  assert_true(current > 0 && peak >= current);
  if (s4seg_device_reset_peak_memory("cpu") == S4SEG_UNSUPPORTED) skip();
  S4T_OK(s4seg_device_memory("cpu", NULL, &before));
  block = malloc(size);
  assert_non_null(block);
  for (i = 0; i < size; i += 4096) block[i] = (uint8_t)i;
  S4T_OK(s4seg_device_memory("cpu", &current, &after));
  print_message("peak before %llu MiB, with 64 MiB touched %llu MiB\n", (unsigned long long)(before >> 20),
                (unsigned long long)(after >> 20));
  assert_true(after >= before + (size * 9) / 10);
  free(block);
  S4T_OK(s4seg_device_reset_peak_memory("cpu"));
  S4T_OK(s4seg_device_memory("cpu", &current, &peak));
  assert_true(peak < after);
}

static void memory_rejects_bad_devices(void** state) {
  uint64_t peak = 7;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_device_memory("tpu", NULL, &peak));
  assert_int_equal(peak, 7);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_device_reset_peak_memory("gpu:x"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(flops_scale_with_pixels_and_branches),
      cmocka_unit_test(flops_include_the_stem),
      cmocka_unit_test(flops_reject_bad_arguments),
      cmocka_unit_test(cpu_memory_peak_follows_allocations),
      cmocka_unit_test(memory_rejects_bad_devices),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
