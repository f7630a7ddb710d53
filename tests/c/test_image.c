/* Images: views, copies, PNG save/load in every mode, and broken files. */
#include "test_util.h"

enum {
  IMG_W = 13, /* odd sizes catch stride and padding mistakes */
  IMG_H = 7,
  ROW_PADDING = 5,
  RANDOM_FILE_BYTES = 512
};


static const char* temp_path(void** state, const char* name) {
  static char path[S4T_PATH_MAX];
  s4t_path_join(path, sizeof path, s4t_dir_fixture_path(state), name);
  return path;
}

/* Saves a packed width x height x channels pattern as PNG at `path`; returns the pixels (free). */
static uint8_t* save_pattern_png(const char* path, int32_t width, int32_t height, int32_t channels, uint32_t seed) {
  uint8_t* pixels = s4t_pattern(width, height, channels, seed);
  s4seg_image_view view = s4t_view(pixels, width, height, channels);
  S4T_OK(s4seg_image_save_png(path, &view));
  return pixels;
}

static void check_load_status(const char* path, s4seg_status expected) {
  s4seg_image* image = S4T_SENTINEL(s4seg_image);
  S4T_CHECK(expected, s4seg_image_load(path, S4SEG_IMAGE_AUTO, &image));
  assert_ptr_equal(image, S4T_SENTINEL(s4seg_image)); /* out untouched on error */
}

/* ------------------------------------------------------------------------------------------ */
/* Views                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void create_copies_a_packed_view(void** state) {
  uint8_t* pixels = s4t_pattern(IMG_W, IMG_H, 3, 1);
  s4seg_image_view view = s4t_view(pixels, IMG_W, IMG_H, 3);
  s4seg_image_view expected;
  uint8_t* copy = s4t_pattern(IMG_W, IMG_H, 3, 1);
  s4seg_image* image = NULL;
  (void)state;
  S4T_OK(s4seg_image_create(&view, &image));
  assert_non_null(image);
  /* The library copied: changing the caller's buffer does not change the image. */
  memset(pixels, 0, (size_t)IMG_W * IMG_H * 3);
  expected = s4t_view(copy, IMG_W, IMG_H, 3);
  s4t_assert_image_equals_view(image, &expected);
  s4seg_image_free(image);
  free(pixels);
  free(copy);
}

static void create_honours_row_stride(void** state) {
  const int32_t channels = 3;
  const int64_t stride = (int64_t)IMG_W * channels + ROW_PADDING;
  uint8_t* padded = (uint8_t*)malloc((size_t)(stride * IMG_H));
  uint8_t* packed = s4t_pattern(IMG_W, IMG_H, channels, 2);
  s4seg_image_view view, expected = s4t_view(packed, IMG_W, IMG_H, channels);
  s4seg_image* image = NULL;
  int32_t r;
  (void)state;
  assert_non_null(padded);
  memset(padded, 0xEE, (size_t)(stride * IMG_H)); /* padding bytes must not leak into the image */
  for (r = 0; r < IMG_H; ++r) memcpy(padded + r * stride, packed + (size_t)r * IMG_W * channels, (size_t)IMG_W * channels);
  view = expected;
  view.data = padded;
  view.row_stride = stride;
  S4T_OK(s4seg_image_create(&view, &image));
  s4t_assert_image_equals_view(image, &expected);
  s4seg_image_free(image);
  free(padded);
  free(packed);
}

static void create_accepts_one_channel(void** state) {
  uint8_t* pixels = s4t_pattern(IMG_W, IMG_H, 1, 3);
  s4seg_image_view view = s4t_view(pixels, IMG_W, IMG_H, 1);
  s4seg_image* image = NULL;
  (void)state;
  S4T_OK(s4seg_image_create(&view, &image));
  s4t_assert_image_equals_view(image, &view);
  s4seg_image_free(image);
  free(pixels);
}

static void create_rejects_bad_views(void** state) {
  uint8_t* pixels = s4t_pattern(IMG_W, IMG_H, 4, 4);
  s4seg_image_view good = s4t_view(pixels, IMG_W, IMG_H, 3), bad;
  s4seg_image* image = S4T_SENTINEL(s4seg_image);
  (void)state;

  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(NULL, &image));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&good, NULL));

  bad = good, bad.data = NULL;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  bad = good, bad.width = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  bad = good, bad.height = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  bad = good, bad.width = -IMG_W;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  bad = good, bad.height = -1;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  bad = good, bad.channels = 2, bad.row_stride = IMG_W * 2;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  S4T_ERROR_CONTAINS("channel");
  bad = good, bad.channels = 4, bad.row_stride = IMG_W * 4;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  bad = good, bad.channels = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  bad = good, bad.row_stride = (int64_t)IMG_W * 3 - 1;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));
  S4T_ERROR_CONTAINS("stride");
  bad = good, bad.row_stride = -1;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_create(&bad, &image));

  assert_ptr_equal(image, S4T_SENTINEL(s4seg_image));
  free(pixels);
}

static void get_view_rejects_null(void** state) {
  uint8_t* pixels = s4t_pattern(IMG_W, IMG_H, 1, 5);
  s4seg_image_view view = s4t_view(pixels, IMG_W, IMG_H, 1), out;
  s4seg_image* image = NULL;
  (void)state;
  S4T_OK(s4seg_image_create(&view, &image));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_get_view(NULL, &out));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_get_view(image, NULL));
  s4seg_image_free(image);
  free(pixels);
}

static void free_accepts_null(void** state) {
  (void)state;
  s4seg_image_free(NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* PNG round trips                                                                             */
/* ------------------------------------------------------------------------------------------ */

static void rgb_png_round_trips_in_rgb_and_auto(void** state) {
  const char* path = temp_path(state, "rgb.png");
  uint8_t* pixels = save_pattern_png(path, IMG_W, IMG_H, 3, 10);
  s4seg_image_view expected = s4t_view(pixels, IMG_W, IMG_H, 3);
  s4seg_image* image = NULL;

  S4T_OK(s4seg_image_load(path, S4SEG_IMAGE_RGB, &image));
  s4t_assert_image_equals_view(image, &expected);
  s4seg_image_free(image);

  image = NULL;
  S4T_OK(s4seg_image_load(path, S4SEG_IMAGE_AUTO, &image));
  s4t_assert_image_equals_view(image, &expected); /* colour file → 3 channels */
  s4seg_image_free(image);
  free(pixels);
}

static void rgb_png_loads_as_grey_with_one_channel(void** state) {
  const char* path = temp_path(state, "rgb_grey.png");
  uint8_t* pixels = save_pattern_png(path, IMG_W, IMG_H, 3, 11);
  s4seg_image* image = NULL;
  s4seg_image_view view;
  (void)state;
  S4T_OK(s4seg_image_load(path, S4SEG_IMAGE_GREY, &image));
  S4T_OK(s4seg_image_get_view(image, &view));
  assert_int_equal(view.width, IMG_W);
  assert_int_equal(view.height, IMG_H);
  assert_int_equal(view.channels, 1);
  s4seg_image_free(image);
  free(pixels);
}

static void grey_png_round_trips_in_grey_indices_and_auto(void** state) {
  static const s4seg_image_mode kModes[] = {S4SEG_IMAGE_GREY, S4SEG_IMAGE_INDICES, S4SEG_IMAGE_AUTO};
  const char* path = temp_path(state, "grey.png");
  uint8_t* pixels = save_pattern_png(path, IMG_W, IMG_H, 1, 12);
  s4seg_image_view expected = s4t_view(pixels, IMG_W, IMG_H, 1);
  size_t m;
  for (m = 0; m < sizeof kModes / sizeof kModes[0]; ++m) {
    s4seg_image* image = NULL;
    S4T_OK(s4seg_image_load(path, kModes[m], &image));
    s4t_assert_image_equals_view(image, &expected);
    s4seg_image_free(image);
  }
  free(pixels);
}

static void grey_png_expands_to_rgb(void** state) {
  const char* path = temp_path(state, "grey_rgb.png");
  uint8_t* pixels = save_pattern_png(path, IMG_W, IMG_H, 1, 13);
  uint8_t* rgb = (uint8_t*)malloc((size_t)IMG_W * IMG_H * 3);
  s4seg_image_view expected;
  s4seg_image* image = NULL;
  size_t i;
  assert_non_null(rgb);
  for (i = 0; i < (size_t)IMG_W * IMG_H; ++i) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pixels[i];
  expected = s4t_view(rgb, IMG_W, IMG_H, 3);
  S4T_OK(s4seg_image_load(path, S4SEG_IMAGE_RGB, &image));
  s4t_assert_image_equals_view(image, &expected);
  s4seg_image_free(image);
  free(rgb);
  free(pixels);
}

static void mask_values_survive_png_round_trip(void** state) {
  const char* path = temp_path(state, "mask.png");
  uint8_t* mask = s4t_mask_pattern(IMG_W, IMG_H, 5, 14);
  s4seg_image_view view;
  s4seg_image* image = NULL;
  mask[0] = 255; /* ignore label */
  view = s4t_view(mask, IMG_W, IMG_H, 1);
  S4T_OK(s4seg_image_save_png(path, &view));
  S4T_OK(s4seg_image_load(path, S4SEG_IMAGE_INDICES, &image));
  s4t_assert_image_equals_view(image, &view);
  s4seg_image_free(image);
  free(mask);
}

static void save_honours_row_stride(void** state) {
  const char* path = temp_path(state, "strided.png");
  const int64_t stride = (int64_t)IMG_W * 3 + ROW_PADDING;
  uint8_t* packed = s4t_pattern(IMG_W, IMG_H, 3, 15);
  uint8_t* padded = (uint8_t*)malloc((size_t)(stride * IMG_H));
  s4seg_image_view view, expected = s4t_view(packed, IMG_W, IMG_H, 3);
  s4seg_image* image = NULL;
  int32_t r;
  assert_non_null(padded);
  memset(padded, 0x55, (size_t)(stride * IMG_H));
  for (r = 0; r < IMG_H; ++r) memcpy(padded + r * stride, packed + (size_t)r * IMG_W * 3, (size_t)IMG_W * 3);
  view = expected;
  view.data = padded;
  view.row_stride = stride;
  S4T_OK(s4seg_image_save_png(path, &view));
  S4T_OK(s4seg_image_load(path, S4SEG_IMAGE_RGB, &image));
  s4t_assert_image_equals_view(image, &expected);
  s4seg_image_free(image);
  free(padded);
  free(packed);
}

static void save_leaves_no_temporary_file(void** state) {
  char dir[S4T_PATH_MAX], path[S4T_PATH_MAX];
  uint8_t* pixels;
  (void)state;
  s4t_temp_dir_create(dir, sizeof dir); /* a folder holding only what save_png leaves behind */
  s4t_path_join(path, sizeof path, dir, "only.png");
  pixels = save_pattern_png(path, IMG_W, IMG_H, 3, 16);
  assert_int_equal(s4t_count_dir_entries(dir), 1);
  s4t_temp_dir_remove(dir);
  free(pixels);
}

static void save_overwrites_an_existing_file(void** state) {
  const char* path = temp_path(state, "overwrite.png");
  uint8_t* first = save_pattern_png(path, IMG_W, IMG_H, 3, 17);
  uint8_t* second = save_pattern_png(path, IMG_H, IMG_W, 1, 18); /* other size and channels */
  s4seg_image_view expected = s4t_view(second, IMG_H, IMG_W, 1);
  s4seg_image* image = NULL;
  S4T_OK(s4seg_image_load(path, S4SEG_IMAGE_AUTO, &image));
  s4t_assert_image_equals_view(image, &expected);
  s4seg_image_free(image);
  free(first);
  free(second);
}

static void save_rejects_bad_views(void** state) {
  const char* path = temp_path(state, "bad.png");
  uint8_t* pixels = s4t_pattern(IMG_W, IMG_H, 4, 19);
  s4seg_image_view good = s4t_view(pixels, IMG_W, IMG_H, 3), bad;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(NULL, &good));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(path, NULL));
  bad = good, bad.data = NULL;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(path, &bad));
  bad = good, bad.width = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(path, &bad));
  bad = good, bad.height = -3;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(path, &bad));
  bad = good, bad.channels = 2, bad.row_stride = IMG_W * 2;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(path, &bad));
  bad = good, bad.channels = 4, bad.row_stride = IMG_W * 4;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(path, &bad));
  bad = good, bad.row_stride = 1;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_save_png(path, &bad));
  assert_false(s4t_path_exists(path));
  free(pixels);
}

static void save_into_missing_folder_is_io(void** state) {
  const char* path = temp_path(state, "no/such/folder/x.png");
  uint8_t* pixels = s4t_pattern(IMG_W, IMG_H, 3, 20);
  s4seg_image_view view = s4t_view(pixels, IMG_W, IMG_H, 3);
  S4T_CHECK(S4SEG_IO, s4seg_image_save_png(path, &view));
  free(pixels);
}

/* ------------------------------------------------------------------------------------------ */
/* Broken files                                                                                */
/* ------------------------------------------------------------------------------------------ */

static void load_missing_file_is_io(void** state) {
  check_load_status(temp_path(state, "does_not_exist.png"), S4SEG_IO);
  S4T_ERROR_CONTAINS("does_not_exist.png");
}

static void load_empty_file_is_format(void** state) {
  const char* path = temp_path(state, "empty.png");
  s4t_write_file(path, "", 0);
  check_load_status(path, S4SEG_FORMAT);
}

static void load_random_bytes_is_format(void** state) {
  const char* path = temp_path(state, "random.png");
  uint8_t* bytes = s4t_pattern(RANDOM_FILE_BYTES, 1, 1, 21);
  s4t_write_file(path, bytes, RANDOM_FILE_BYTES);
  check_load_status(path, S4SEG_FORMAT);
  free(bytes);
}

static void load_text_file_is_format(void** state) {
  const char* path = temp_path(state, "text.png");
  s4t_write_text(path, "this is not an image\n");
  check_load_status(path, S4SEG_FORMAT);
}

static void load_truncated_png_is_format(void** state) {
  char full[S4T_PATH_MAX], half[S4T_PATH_MAX];
  uint8_t* pixels;
  uint8_t* bytes;
  size_t size;
  s4t_path_join(full, sizeof full, s4t_dir_fixture_path(state), "full.png");
  s4t_path_join(half, sizeof half, s4t_dir_fixture_path(state), "half.png");
  pixels = save_pattern_png(full, IMG_W * 4, IMG_H * 4, 3, 22);
  bytes = s4t_read_file(full, &size);
  assert_true(size > 16);
  s4t_truncate_copy(full, half, size / 2);
  check_load_status(half, S4SEG_FORMAT);
  free(bytes);
  free(pixels);
}

static void load_png_signature_with_garbage_is_format(void** state) {
  static const uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const char* path = temp_path(state, "garbage_png.png");
  s4t_write_file(path, kPng, sizeof kPng);
  check_load_status(path, S4SEG_FORMAT);
}

static void load_jpeg_signature_with_garbage_is_format(void** state) {
  uint8_t bytes[RANDOM_FILE_BYTES];
  uint8_t* noise = s4t_pattern(RANDOM_FILE_BYTES, 1, 1, 23);
  const char* path = temp_path(state, "garbage.jpg");
  memcpy(bytes, noise, sizeof bytes);
  bytes[0] = 0xFF, bytes[1] = 0xD8, bytes[2] = 0xFF, bytes[3] = 0xE0;
  s4t_write_file(path, bytes, sizeof bytes);
  check_load_status(path, S4SEG_FORMAT);
  free(noise);
}

static void load_rejects_null_and_bad_mode(void** state) {
  const char* path = temp_path(state, "valid.png");
  uint8_t* pixels = save_pattern_png(path, IMG_W, IMG_H, 3, 24);
  s4seg_image* image = S4T_SENTINEL(s4seg_image);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_load(NULL, S4SEG_IMAGE_AUTO, &image));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_load(path, S4SEG_IMAGE_AUTO, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_image_load(path, (s4seg_image_mode)42, &image));
  assert_ptr_equal(image, S4T_SENTINEL(s4seg_image));
  free(pixels);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_copies_a_packed_view),
      cmocka_unit_test(create_honours_row_stride),
      cmocka_unit_test(create_accepts_one_channel),
      cmocka_unit_test(create_rejects_bad_views),
      cmocka_unit_test(get_view_rejects_null),
      cmocka_unit_test(free_accepts_null),
      cmocka_unit_test(rgb_png_round_trips_in_rgb_and_auto),
      cmocka_unit_test(rgb_png_loads_as_grey_with_one_channel),
      cmocka_unit_test(grey_png_round_trips_in_grey_indices_and_auto),
      cmocka_unit_test(grey_png_expands_to_rgb),
      cmocka_unit_test(mask_values_survive_png_round_trip),
      cmocka_unit_test(save_honours_row_stride),
      cmocka_unit_test(save_leaves_no_temporary_file),
      cmocka_unit_test(save_overwrites_an_existing_file),
      cmocka_unit_test(save_rejects_bad_views),
      cmocka_unit_test(save_into_missing_folder_is_io),
      cmocka_unit_test(load_missing_file_is_io),
      cmocka_unit_test(load_empty_file_is_format),
      cmocka_unit_test(load_random_bytes_is_format),
      cmocka_unit_test(load_text_file_is_format),
      cmocka_unit_test(load_truncated_png_is_format),
      cmocka_unit_test(load_png_signature_with_garbage_is_format),
      cmocka_unit_test(load_jpeg_signature_with_garbage_is_format),
      cmocka_unit_test(load_rejects_null_and_bad_mode),
  };
  return cmocka_run_group_tests(tests, s4t_dir_fixture_setup, s4t_dir_fixture_teardown);
}
