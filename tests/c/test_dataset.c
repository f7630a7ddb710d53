/* Datasets: in-memory samples, synthetic scenes and list files. */
#include "test_util.h"

enum {
  IMG_W = 20,
  IMG_H = 17,
  LIST_SAMPLES = 3,
  SYN_W = 32,
  SYN_H = 24,
  SYN_COUNT = 3,
  SYN_CLASSES = 4,
  SYN_MIN_CLASSES = 2,
  SYN_MAX_CLASSES = 32,
  SYN_MIN_SIDE = 16,
  SYN_MAX_SIDE = 4096,
  MASK_CLASSES = 5
};

static const uint64_t kSeed = 1234;
static const uint64_t kOtherSeed = 4321;


static const char* dir_of(void** state) { return s4t_dir_fixture_path(state); }

/* Asserts sample `index` holds `image` and `mask` (NULL = no mask). */
static void assert_sample(const s4seg_dataset* ds, int64_t index, const s4seg_image_view* image,
                          const s4seg_image_view* mask) {
  s4seg_image* got_image = NULL;
  s4seg_image* got_mask = S4T_SENTINEL(s4seg_image);
  S4T_OK(s4seg_dataset_get(ds, index, &got_image, &got_mask));
  assert_non_null(got_image);
  s4t_assert_image_equals_view(got_image, image);
  if (mask == NULL) {
    assert_null(got_mask);
  } else {
    assert_non_null(got_mask);
    assert_ptr_not_equal(got_mask, S4T_SENTINEL(s4seg_image));
    s4t_assert_image_equals_view(got_mask, mask);
  }
  s4seg_image_free(got_image);
  s4seg_image_free(got_mask);
}

/* 1 when samples `i` of `a` and `b` have identical images and masks. */
static int samples_equal(const s4seg_dataset* a, const s4seg_dataset* b, int64_t i) {
  s4seg_image *ia = NULL, *ma = NULL, *ib = NULL, *mb = NULL;
  s4seg_image_view via, vma, vib, vmb;
  int equal;
  S4T_OK(s4seg_dataset_get(a, i, &ia, &ma));
  S4T_OK(s4seg_dataset_get(b, i, &ib, &mb));
  assert_non_null(ma);
  assert_non_null(mb);
  S4T_OK(s4seg_image_get_view(ia, &via));
  S4T_OK(s4seg_image_get_view(ma, &vma));
  S4T_OK(s4seg_image_get_view(ib, &vib));
  S4T_OK(s4seg_image_get_view(mb, &vmb));
  equal = s4t_views_equal(&via, &vib) && s4t_views_equal(&vma, &vmb);
  s4seg_image_free(ia);
  s4seg_image_free(ma);
  s4seg_image_free(ib);
  s4seg_image_free(mb);
  return equal;
}

/* ------------------------------------------------------------------------------------------ */
/* In-memory samples                                                                           */
/* ------------------------------------------------------------------------------------------ */

static void new_dataset_is_empty(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  (void)state;
  assert_int_equal(s4t_dataset_size(ds), 0);
  s4seg_dataset_free(ds);
}

static void add_with_and_without_mask(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  uint8_t* rgb = s4t_pattern(IMG_W, IMG_H, 3, 1);
  uint8_t* grey = s4t_pattern(IMG_W, IMG_H, 1, 2);
  uint8_t* mask = s4t_mask_pattern(IMG_W, IMG_H, MASK_CLASSES, 3);
  s4seg_image_view vrgb = s4t_view(rgb, IMG_W, IMG_H, 3);
  s4seg_image_view vgrey = s4t_view(grey, IMG_W, IMG_H, 1);
  s4seg_image_view vmask;
  (void)state;
  mask[1] = 255; /* ignore */
  vmask = s4t_view(mask, IMG_W, IMG_H, 1);
  S4T_OK(s4seg_dataset_add(ds, &vrgb, &vmask));
  S4T_OK(s4seg_dataset_add(ds, &vgrey, NULL));
  assert_int_equal(s4t_dataset_size(ds), 2);
  assert_sample(ds, 0, &vrgb, &vmask);
  assert_sample(ds, 1, &vgrey, NULL);
  s4seg_dataset_free(ds);
  free(rgb);
  free(grey);
  free(mask);
}

static void add_copies_the_pixels(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  uint8_t* rgb = s4t_pattern(IMG_W, IMG_H, 3, 4);
  uint8_t* original = s4t_pattern(IMG_W, IMG_H, 3, 4);
  uint8_t* mask = s4t_mask_pattern(IMG_W, IMG_H, MASK_CLASSES, 5);
  uint8_t* original_mask = s4t_mask_pattern(IMG_W, IMG_H, MASK_CLASSES, 5);
  s4seg_image_view v = s4t_view(rgb, IMG_W, IMG_H, 3), m = s4t_view(mask, IMG_W, IMG_H, 1);
  s4seg_image_view vo = s4t_view(original, IMG_W, IMG_H, 3), mo = s4t_view(original_mask, IMG_W, IMG_H, 1);
  (void)state;
  S4T_OK(s4seg_dataset_add(ds, &v, &m));
  memset(rgb, 0, (size_t)IMG_W * IMG_H * 3);
  memset(mask, 0, (size_t)IMG_W * IMG_H);
  assert_sample(ds, 0, &vo, &mo);
  s4seg_dataset_free(ds);
  free(rgb);
  free(original);
  free(mask);
  free(original_mask);
}

static void get_without_mask_pointer_returns_image(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  uint8_t* rgb = s4t_pattern(IMG_W, IMG_H, 3, 6);
  uint8_t* mask = s4t_mask_pattern(IMG_W, IMG_H, MASK_CLASSES, 7);
  s4seg_image_view v = s4t_view(rgb, IMG_W, IMG_H, 3), m = s4t_view(mask, IMG_W, IMG_H, 1);
  s4seg_image* image = NULL;
  (void)state;
  S4T_OK(s4seg_dataset_add(ds, &v, &m));
  S4T_OK(s4seg_dataset_get(ds, 0, &image, NULL));
  s4t_assert_image_equals_view(image, &v);
  s4seg_image_free(image);
  s4seg_dataset_free(ds);
  free(rgb);
  free(mask);
}

static void add_rejects_bad_samples(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  uint8_t* rgb = s4t_pattern(IMG_W, IMG_H, 3, 8);
  uint8_t* big = s4t_pattern(IMG_W + 1, IMG_H, 3, 9);
  uint8_t* mask = s4t_mask_pattern(IMG_W, IMG_H, MASK_CLASSES, 10);
  s4seg_image_view v = s4t_view(rgb, IMG_W, IMG_H, 3), m = s4t_view(mask, IMG_W, IMG_H, 1);
  s4seg_image_view bad;
  (void)state;
  S4T_OK(s4seg_dataset_add(ds, &v, &m));

  bad = s4t_view(mask, IMG_W - 1, IMG_H, 1); /* mask narrower than the image */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, &v, &bad));
  bad = s4t_view(mask, IMG_W, IMG_H - 1, 1); /* mask shorter than the image */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, &v, &bad));
  bad = s4t_view(big, IMG_W, IMG_H, 3); /* three-channel mask */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, &v, &bad));
  bad = s4t_view(rgb, IMG_W, IMG_H, 2); /* two-channel image */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, &bad, &m));
  bad = v, bad.data = NULL;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, &bad, &m));
  bad = m, bad.data = NULL;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, &v, &bad));
  bad = v, bad.width = 0;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, &bad, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(ds, NULL, &m));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add(NULL, &v, &m));

  assert_int_equal(s4t_dataset_size(ds), 1); /* nothing was added */
  s4seg_dataset_free(ds);
  free(rgb);
  free(big);
  free(mask);
}

static void get_out_of_range_is_invalid(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  uint8_t* rgb = s4t_pattern(IMG_W, IMG_H, 3, 11);
  s4seg_image_view v = s4t_view(rgb, IMG_W, IMG_H, 3);
  s4seg_image* image = S4T_SENTINEL(s4seg_image);
  s4seg_image* mask = S4T_SENTINEL(s4seg_image);
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_get(ds, 0, &image, &mask)); /* empty */
  S4T_OK(s4seg_dataset_add(ds, &v, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_get(ds, 1, &image, &mask));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_get(ds, -1, &image, &mask));
  assert_ptr_equal(image, S4T_SENTINEL(s4seg_image));
  assert_ptr_equal(mask, S4T_SENTINEL(s4seg_image));
  s4seg_dataset_free(ds);
  free(rgb);
}

static void null_arguments_are_rejected(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  s4seg_image* image = NULL;
  int64_t size = 0;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_create(NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_size(NULL, &size));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_size(ds, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_get(NULL, 0, &image, NULL));
  S4T_OK(s4seg_dataset_add_synthetic(ds, 1, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_get(ds, 0, NULL, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(NULL, 1, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_list(NULL, dir_of(state), "list.txt"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_list(ds, dir_of(state), NULL));
  assert_int_equal(s4t_dataset_size(ds), 1);
  s4seg_dataset_free(ds);
}

static void free_accepts_null(void** state) {
  (void)state;
  s4seg_dataset_free(NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Synthetic samples                                                                           */
/* ------------------------------------------------------------------------------------------ */

static void synthetic_samples_have_requested_shape_and_classes(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  int64_t i;
  (void)state;
  S4T_OK(s4seg_dataset_add_synthetic(ds, SYN_COUNT, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  assert_int_equal(s4t_dataset_size(ds), SYN_COUNT);
  for (i = 0; i < SYN_COUNT; ++i) {
    s4seg_image *image = NULL, *mask = NULL;
    s4seg_image_view vi, vm;
    int32_t r, c;
    S4T_OK(s4seg_dataset_get(ds, i, &image, &mask));
    assert_non_null(mask);
    S4T_OK(s4seg_image_get_view(image, &vi));
    S4T_OK(s4seg_image_get_view(mask, &vm));
    assert_int_equal(vi.width, SYN_W);
    assert_int_equal(vi.height, SYN_H);
    assert_int_equal(vi.channels, 3);
    assert_int_equal(vm.width, SYN_W);
    assert_int_equal(vm.height, SYN_H);
    assert_int_equal(vm.channels, 1);
    for (r = 0; r < vm.height; ++r)
      for (c = 0; c < vm.width; ++c) assert_true(vm.data[r * vm.row_stride + c] < SYN_CLASSES); /* no 255 */
    s4seg_image_free(image);
    s4seg_image_free(mask);
  }
  s4seg_dataset_free(ds);
}

static void synthetic_is_deterministic_in_seed(void** state) {
  s4seg_dataset* a = s4t_new_dataset();
  s4seg_dataset* b = s4t_new_dataset();
  int64_t i;
  (void)state;
  S4T_OK(s4seg_dataset_add_synthetic(a, SYN_COUNT, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  S4T_OK(s4seg_dataset_add_synthetic(b, SYN_COUNT, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  for (i = 0; i < SYN_COUNT; ++i) assert_true(samples_equal(a, b, i));
  s4seg_dataset_free(a);
  s4seg_dataset_free(b);
}

static void synthetic_differs_between_seeds(void** state) {
  s4seg_dataset* a = s4t_new_dataset();
  s4seg_dataset* b = s4t_new_dataset();
  int64_t i;
  int any_different = 0;
  (void)state;
  S4T_OK(s4seg_dataset_add_synthetic(a, SYN_COUNT, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  S4T_OK(s4seg_dataset_add_synthetic(b, SYN_COUNT, SYN_W, SYN_H, SYN_CLASSES, kOtherSeed));
  for (i = 0; i < SYN_COUNT; ++i) any_different |= !samples_equal(a, b, i);
  assert_true(any_different);
  s4seg_dataset_free(a);
  s4seg_dataset_free(b);
}

static void synthetic_appends(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  (void)state;
  S4T_OK(s4seg_dataset_add_synthetic(ds, SYN_COUNT, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  S4T_OK(s4seg_dataset_add_synthetic(ds, 1, SYN_MIN_SIDE, SYN_MIN_SIDE, SYN_MIN_CLASSES, kOtherSeed));
  assert_int_equal(s4t_dataset_size(ds), SYN_COUNT + 1);
  s4seg_dataset_free(ds);
}

static void synthetic_rejects_bad_arguments(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, 0, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, -1, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, 1, SYN_W, SYN_H, SYN_MIN_CLASSES - 1, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, 1, SYN_W, SYN_H, SYN_MAX_CLASSES + 1, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, 1, 8, SYN_H, SYN_CLASSES, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, 1, SYN_W, SYN_MIN_SIDE - 1, SYN_CLASSES, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, 1, SYN_MAX_SIDE + 1, SYN_H, SYN_CLASSES, kSeed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_synthetic(ds, 1, SYN_W, -SYN_H, SYN_CLASSES, kSeed));
  assert_int_equal(s4t_dataset_size(ds), 0);
  s4seg_dataset_free(ds);
}

/* ------------------------------------------------------------------------------------------ */
/* List files                                                                                  */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  uint8_t* image[LIST_SAMPLES];
  uint8_t* mask[LIST_SAMPLES];
} list_pixels;

/* Writes img<i>.png and mask<i>.png for i < LIST_SAMPLES into `dir`. */
static void write_sample_files(const char* dir, list_pixels* px) {
  int i;
  for (i = 0; i < LIST_SAMPLES; ++i) {
    char name[64], path[S4T_PATH_MAX];
    s4seg_image_view v;
    px->image[i] = s4t_pattern(IMG_W, IMG_H, 3, (uint32_t)(100 + i));
    px->mask[i] = s4t_mask_pattern(IMG_W, IMG_H, MASK_CLASSES, (uint32_t)(200 + i));
    snprintf(name, sizeof name, "img%d.png", i);
    s4t_path_join(path, sizeof path, dir, name);
    v = s4t_view(px->image[i], IMG_W, IMG_H, 3);
    S4T_OK(s4seg_image_save_png(path, &v));
    snprintf(name, sizeof name, "mask%d.png", i);
    s4t_path_join(path, sizeof path, dir, name);
    v = s4t_view(px->mask[i], IMG_W, IMG_H, 1);
    S4T_OK(s4seg_image_save_png(path, &v));
  }
}

static void free_sample_pixels(list_pixels* px) {
  int i;
  for (i = 0; i < LIST_SAMPLES; ++i) {
    free(px->image[i]);
    free(px->mask[i]);
  }
}

/* A dataset holding one in-memory sample, so that "unchanged" is not just "empty". */
static s4seg_dataset* dataset_with_one_sample(void) {
  s4seg_dataset* ds = s4t_new_dataset();
  S4T_OK(s4seg_dataset_add_synthetic(ds, 1, SYN_W, SYN_H, SYN_CLASSES, kSeed));
  return ds;
}

static void add_list_reads_images_and_masks(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX], absolute_image[S4T_PATH_MAX], text[4 * S4T_PATH_MAX];
  list_pixels px;
  s4seg_dataset* ds = s4t_new_dataset();
  int i;
  write_sample_files(dir, &px);
  s4t_path_join(absolute_image, sizeof absolute_image, dir, "img2.png");
  snprintf(text, sizeof text,
           "# image mask\n"
           "img0.png mask0.png\n"
           "\n"
           "img1.png   mask1.png\n"
           "%s\n", /* absolute path, no mask (unlabeled) */
           absolute_image);
  s4t_path_join(list, sizeof list, dir, "train.txt");
  s4t_write_text(list, text);

  S4T_OK(s4seg_dataset_add_list(ds, dir, list));
  assert_int_equal(s4t_dataset_size(ds), LIST_SAMPLES);
  for (i = 0; i < LIST_SAMPLES; ++i) {
    s4seg_image_view vi = s4t_view(px.image[i], IMG_W, IMG_H, 3);
    s4seg_image_view vm = s4t_view(px.mask[i], IMG_W, IMG_H, 1);
    assert_sample(ds, i, &vi, i < LIST_SAMPLES - 1 ? &vm : NULL);
  }
  s4seg_dataset_free(ds);
  free_sample_pixels(&px);
}

/* s4seg_dataset_image_path: the list's path joined with the root (an absolute one as it is), ""
 * for an in-memory sample, the buffer rule of every text getter, and bad arguments refused. */
static void image_path_names_each_file(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX], expected[S4T_PATH_MAX], path[S4T_PATH_MAX];
  list_pixels px;
  s4seg_dataset* ds = dataset_with_one_sample();
  size_t needed = 0;
  write_sample_files(dir, &px);
  s4t_path_join(list, sizeof list, dir, "paths.txt");
  s4t_write_text(list, "img1.png mask1.png\n");
  S4T_OK(s4seg_dataset_add_list(ds, dir, list));
  S4T_OK(s4seg_dataset_image_path(ds, 0, path, sizeof path, &needed));
  assert_string_equal(path, "");
  assert_int_equal(needed, 1);
  s4t_path_join(expected, sizeof expected, dir, "img1.png");
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_dataset_image_path(ds, 1, NULL, 0, &needed));
  assert_int_equal(needed, strlen(expected) + 1);
  S4T_OK(s4seg_dataset_image_path(ds, 1, path, sizeof path, NULL));
  assert_string_equal(path, expected);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_image_path(ds, 2, path, sizeof path, &needed));
  S4T_ERROR_CONTAINS("out of range");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_image_path(ds, -1, path, sizeof path, &needed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_image_path(NULL, 0, path, sizeof path, &needed));
  s4seg_dataset_free(ds);
  free_sample_pixels(&px);
}

static void add_list_accepts_list_without_trailing_newline(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX];
  list_pixels px;
  s4seg_dataset* ds = s4t_new_dataset();
  write_sample_files(dir, &px);
  s4t_path_join(list, sizeof list, dir, "no_newline.txt");
  s4t_write_text(list, "img0.png mask0.png");
  S4T_OK(s4seg_dataset_add_list(ds, dir, list));
  assert_int_equal(s4t_dataset_size(ds), 1);
  s4seg_dataset_free(ds);
  free_sample_pixels(&px);
}

static void add_list_with_missing_image_is_io_and_changes_nothing(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX];
  list_pixels px;
  s4seg_dataset* ds = dataset_with_one_sample();
  write_sample_files(dir, &px);
  s4t_path_join(list, sizeof list, dir, "missing.txt");
  s4t_write_text(list, "img0.png mask0.png\nimg1.png mask1.png\nnot_there.png mask2.png\n");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_list(ds, dir, list));
  S4T_ERROR_NAMES_LINE(3);
  assert_int_equal(s4t_dataset_size(ds), 1);
  s4seg_dataset_free(ds);
  free_sample_pixels(&px);
}

static void add_list_with_missing_mask_is_io(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX];
  list_pixels px;
  s4seg_dataset* ds = dataset_with_one_sample();
  write_sample_files(dir, &px);
  s4t_path_join(list, sizeof list, dir, "missing_mask.txt");
  s4t_write_text(list, "img0.png no_such_mask.png\n");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_list(ds, dir, list));
  assert_int_equal(s4t_dataset_size(ds), 1);
  s4seg_dataset_free(ds);
  free_sample_pixels(&px);
}

static void add_list_with_corrupt_image_is_format(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX], corrupt[S4T_PATH_MAX];
  list_pixels px;
  uint8_t* noise = s4t_pattern(256, 1, 1, 300);
  s4seg_dataset* ds = dataset_with_one_sample();
  write_sample_files(dir, &px);
  s4t_path_join(corrupt, sizeof corrupt, dir, "corrupt.png");
  s4t_write_file(corrupt, noise, 256);
  s4t_path_join(list, sizeof list, dir, "corrupt.txt");
  s4t_write_text(list, "img0.png mask0.png\ncorrupt.png mask1.png\n");
  S4T_CHECK(S4SEG_FORMAT, s4seg_dataset_add_list(ds, dir, list));
  S4T_ERROR_NAMES_LINE(2);
  assert_int_equal(s4t_dataset_size(ds), 1);
  s4seg_dataset_free(ds);
  free_sample_pixels(&px);
  free(noise);
}

static void add_list_with_size_mismatch_fails_and_changes_nothing(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX], small[S4T_PATH_MAX];
  list_pixels px;
  uint8_t* small_mask = s4t_mask_pattern(IMG_W - 2, IMG_H, MASK_CLASSES, 400);
  s4seg_image_view v = s4t_view(small_mask, IMG_W - 2, IMG_H, 1);
  s4seg_dataset* ds = dataset_with_one_sample();
  write_sample_files(dir, &px);
  s4t_path_join(small, sizeof small, dir, "small_mask.png");
  S4T_OK(s4seg_image_save_png(small, &v));
  s4t_path_join(list, sizeof list, dir, "mismatch.txt");
  s4t_write_text(list, "img0.png mask0.png\nimg1.png small_mask.png\n");
  S4T_NOT_OK(s4seg_dataset_add_list(ds, dir, list));
  assert_int_equal(s4t_dataset_size(ds), 1);
  s4seg_dataset_free(ds);
  free_sample_pixels(&px);
  free(small_mask);
}

static void add_missing_list_file_is_io(void** state) {
  const char* dir = dir_of(state);
  char list[S4T_PATH_MAX];
  s4seg_dataset* ds = dataset_with_one_sample();
  s4t_path_join(list, sizeof list, dir, "no_such_list.txt");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_list(ds, dir, list));
  assert_int_equal(s4t_dataset_size(ds), 1);
  s4seg_dataset_free(ds);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(new_dataset_is_empty),
      cmocka_unit_test(add_with_and_without_mask),
      cmocka_unit_test(add_copies_the_pixels),
      cmocka_unit_test(get_without_mask_pointer_returns_image),
      cmocka_unit_test(add_rejects_bad_samples),
      cmocka_unit_test(get_out_of_range_is_invalid),
      cmocka_unit_test(null_arguments_are_rejected),
      cmocka_unit_test(free_accepts_null),
      cmocka_unit_test(synthetic_samples_have_requested_shape_and_classes),
      cmocka_unit_test(synthetic_is_deterministic_in_seed),
      cmocka_unit_test(synthetic_differs_between_seeds),
      cmocka_unit_test(synthetic_appends),
      cmocka_unit_test(synthetic_rejects_bad_arguments),
      cmocka_unit_test(add_list_reads_images_and_masks),
      cmocka_unit_test(image_path_names_each_file),
      cmocka_unit_test(add_list_accepts_list_without_trailing_newline),
      cmocka_unit_test(add_list_with_missing_image_is_io_and_changes_nothing),
      cmocka_unit_test(add_list_with_missing_mask_is_io),
      cmocka_unit_test(add_list_with_corrupt_image_is_format),
      cmocka_unit_test(add_list_with_size_mismatch_fails_and_changes_nothing),
      cmocka_unit_test(add_missing_list_file_is_io),
  };
  return cmocka_run_group_tests(tests, s4t_dir_fixture_setup, s4t_dir_fixture_teardown);
}
