/* Benchmark folder layouts (PASCAL VOC, Cityscapes) and the decode cache, on small folders written
 * at test time: JPEG images and palette PNG masks as VOC ships them, labelIds masks as Cityscapes
 * ships them, and a few hundred small PNGs for the cache. */
#include "test_util.h"

#include <errno.h>
#include <pthread.h>
#include <spng.h>
#include <sys/stat.h>
#include <turbojpeg.h>

enum {
  VOC_W = 24,
  VOC_H = 18,
  VOC_COUNT = 3,
  VOC_CLASSES = 21,
  CS_W = 16,
  CS_H = 8,
  CS_COUNT = 3,
  CACHE_W = 32,
  CACHE_H = 24,
  CACHE_COUNT = 300,
  CACHE_SAMPLE_BYTES = CACHE_W * CACHE_H * 3 + CACHE_W * CACHE_H, /* image + mask pixels */
  CACHE_BUDGET_SAMPLES = 40,
  CACHE_RANDOM_READS = 1000,
  CACHE_THREADS = 4,
  CACHE_THREAD_READS = 400,
  MASK_IGNORE = 255
};

static const uint64_t kCacheBudget = (uint64_t)CACHE_BUDGET_SAMPLES * CACHE_SAMPLE_BYTES;

/* VOC image ids, in the order of ImageSets/Segmentation/train.txt. */
static const char* const kVocIds[VOC_COUNT] = {"2007_000032", "2007_000039", "2007_000063"};
/* Cityscapes samples in sorted order (city, then name); written to disk in another order. */
static const char* const kCsCities[CS_COUNT] = {"aachen", "aachen", "bochum"};
static const char* const kCsStems[CS_COUNT] = {"aachen_000000_000019", "aachen_000001_000019", "bochum_000000_000019"};
/* Cityscapes label ids written into the labelIds masks, and the train ids they must come back as. */
static const uint8_t kLabelIds[] = {0, 7, 26, 33, 255};
static const uint8_t kTrainIds[] = {MASK_IGNORE, 0, 13, 18, MASK_IGNORE};

/* What the group fixture wrote, to compare against. */
static uint8_t g_voc_masks[VOC_COUNT][VOC_W * VOC_H];
static uint8_t g_voc_aug_mask[VOC_W * VOC_H];
static uint8_t g_cs_expected_masks[CS_COUNT][CS_W * CS_H]; /* train ids */
static uint8_t g_cs_train_id_mask[CS_W * CS_H];            /* the one stored labelTrainIds file */
static uint8_t g_cache_images[CACHE_COUNT][CACHE_W * CACHE_H * 3];
static uint8_t g_cache_masks[CACHE_COUNT][CACHE_W * CACHE_H];

/* ------------------------------------------------------------------------------------------ */
/* Writing the folders                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* mkdir -p of the folder holding `path`. */
static void make_parent_dirs(const char* path) {
  char buf[S4T_PATH_MAX];
  char* p;
  assert_true(strlen(path) < sizeof buf);
  strcpy(buf, path);
  for (p = buf + 1; *p != '\0'; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) fail_msg("cannot create %s: %s", buf, strerror(errno));
    *p = '/';
  }
}

/* `out` = root/rel, with the folders on the way created. */
static void file_path(char* out, size_t capacity, const char* root, const char* rel) {
  s4t_path_join(out, capacity, root, rel);
  make_parent_dirs(out);
}

/* The VOC devkit colormap (what SegmentationClass PNGs carry in their PLTE chunk). */
static void voc_palette(struct spng_plte* plte) {
  uint32_t i;
  plte->n_entries = 256;
  for (i = 0; i < 256; ++i) {
    uint32_t c = i, r = 0, g = 0, b = 0;
    int shift;
    for (shift = 7; shift >= 0; --shift, c >>= 3) {
      r |= (c & 1u) << shift;
      g |= ((c >> 1) & 1u) << shift;
      b |= ((c >> 2) & 1u) << shift;
    }
    plte->entries[i].red = (uint8_t)r;
    plte->entries[i].green = (uint8_t)g;
    plte->entries[i].blue = (uint8_t)b;
    plte->entries[i].alpha = 255;
  }
}

/* An 8-bit PNG: grey (1 channel), RGB (3) or, with `indexed`, palette indices with the VOC palette.
 * Written with libspng directly (no fsync), so that hundreds of files stay cheap. */
static void write_png(const char* root, const char* rel, const uint8_t* px, int32_t w, int32_t h, int channels,
                      int indexed) {
  char path[S4T_PATH_MAX];
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  struct spng_ihdr ihdr;
  struct spng_plte plte;
  size_t len = 0;
  int err = 0;
  void* png;
  assert_non_null(ctx);
  memset(&ihdr, 0, sizeof ihdr);
  ihdr.width = (uint32_t)w;
  ihdr.height = (uint32_t)h;
  ihdr.bit_depth = 8;
  ihdr.color_type = indexed         ? SPNG_COLOR_TYPE_INDEXED
                    : channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE
                                    : SPNG_COLOR_TYPE_TRUECOLOR;
  assert_int_equal(spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1), 0);
  assert_int_equal(spng_set_ihdr(ctx, &ihdr), 0);
  if (indexed) {
    voc_palette(&plte);
    assert_int_equal(spng_set_plte(ctx, &plte), 0);
  }
  assert_int_equal(spng_encode_image(ctx, px, (size_t)w * (size_t)h * (size_t)channels, SPNG_FMT_PNG,
                                     SPNG_ENCODE_FINALIZE), 0);
  png = spng_get_png_buffer(ctx, &len, &err);
  assert_non_null(png);
  file_path(path, sizeof path, root, rel);
  s4t_write_file(path, png, len);
  free(png);
  spng_ctx_free(ctx);
}

static void write_jpeg(const char* root, const char* rel, const uint8_t* rgb, int32_t w, int32_t h) {
  char path[S4T_PATH_MAX];
  tjhandle tj = tjInitCompress();
  unsigned char* jpeg = NULL;
  unsigned long len = 0;
  assert_non_null(tj);
  assert_int_equal(tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, &jpeg, &len, TJSAMP_420, 90, 0), 0);
  file_path(path, sizeof path, root, rel);
  s4t_write_file(path, jpeg, len);
  tjFree(jpeg);
  tjDestroy(tj);
}

static void write_text_under(const char* root, const char* rel, const char* text) {
  char path[S4T_PATH_MAX];
  file_path(path, sizeof path, root, rel);
  s4t_write_text(path, text);
}

/* root/voc: 3 JPEG images with palette masks (classes 0..20, a 255 border), train.txt of bare ids,
 * and 2007_000099 whose mask holds 37, a value no VOC mask has. */
static void write_voc(const char* dir) {
  char root[S4T_PATH_MAX], rel[256];
  int i;
  s4t_path_join(root, sizeof root, dir, "voc");
  for (i = 0; i < VOC_COUNT; ++i) {
    uint8_t* rgb = s4t_pattern(VOC_W, VOC_H, 3, (uint32_t)(10 + i));
    uint8_t* mask = s4t_mask_pattern(VOC_W, VOC_H, VOC_CLASSES, (uint32_t)(20 + i));
    int32_t x, y;
    for (y = 0; y < VOC_H; ++y)
      for (x = 0; x < VOC_W; ++x)
        if (x == 0 || y == 0 || x == VOC_W - 1) mask[y * VOC_W + x] = MASK_IGNORE; /* the object border */
    snprintf(rel, sizeof rel, "JPEGImages/%s.jpg", kVocIds[i]);
    write_jpeg(root, rel, rgb, VOC_W, VOC_H);
    snprintf(rel, sizeof rel, "SegmentationClass/%s.png", kVocIds[i]);
    write_png(root, rel, mask, VOC_W, VOC_H, 1, 1);
    memcpy(g_voc_masks[i], mask, sizeof g_voc_masks[i]);
    free(rgb);
    free(mask);
  }
  write_text_under(root, "ImageSets/Segmentation/train.txt", "2007_000032\n2007_000039\n2007_000063\n");
  {
    uint8_t* rgb = s4t_pattern(VOC_W, VOC_H, 3, 30);
    uint8_t mask[VOC_W * VOC_H];
    memset(mask, 15, sizeof mask);
    mask[5 * VOC_W + 7] = 37;
    write_jpeg(root, "JPEGImages/2007_000099.jpg", rgb, VOC_W, VOC_H);
    write_png(root, "SegmentationClass/2007_000099.png", mask, VOC_W, VOC_H, 1, 1);
    free(rgb);
  }
}

/* root/voc_aug: one image with a SegmentationClass mask (all 1) and a SegmentationClassAug mask
 * (grey PNG, all 2 but a 255 corner): bare ids must take the latter. */
static void write_voc_aug(const char* dir) {
  char root[S4T_PATH_MAX];
  uint8_t* rgb = s4t_pattern(VOC_W, VOC_H, 3, 40);
  uint8_t plain[VOC_W * VOC_H];
  s4t_path_join(root, sizeof root, dir, "voc_aug");
  memset(plain, 1, sizeof plain);
  memset(g_voc_aug_mask, 2, sizeof g_voc_aug_mask);
  g_voc_aug_mask[0] = MASK_IGNORE;
  write_jpeg(root, "JPEGImages/2008_000008.jpg", rgb, VOC_W, VOC_H);
  write_png(root, "SegmentationClass/2008_000008.png", plain, VOC_W, VOC_H, 1, 1);
  write_png(root, "SegmentationClassAug/2008_000008.png", g_voc_aug_mask, VOC_W, VOC_H, 1, 0);
  write_text_under(root, "ids.txt", "2008_000008\n");
  free(rgb);
}

/* root/cityscapes: leftImg8bit/train/{aachen,bochum} PNG images with gtFine labelIds masks cycling
 * through kLabelIds, plus one stored labelTrainIds mask (bochum) holding train ids as they are. */
static void write_cityscapes(const char* dir) {
  char root[S4T_PATH_MAX], rel[256];
  int order[CS_COUNT] = {2, 1, 0}; /* written in reverse: the layout must sort */
  int k, p;
  s4t_path_join(root, sizeof root, dir, "cityscapes");
  for (k = 0; k < CS_COUNT; ++k) {
    const int i = order[k];
    uint8_t* rgb = s4t_pattern(CS_W, CS_H, 3, (uint32_t)(50 + i));
    uint8_t ids[CS_W * CS_H];
    for (p = 0; p < CS_W * CS_H; ++p) {
      const size_t which = (size_t)(p + i) % sizeof kLabelIds;
      ids[p] = kLabelIds[which];
      g_cs_expected_masks[i][p] = kTrainIds[which];
    }
    snprintf(rel, sizeof rel, "leftImg8bit/train/%s/%s_leftImg8bit.png", kCsCities[i], kCsStems[i]);
    write_png(root, rel, rgb, CS_W, CS_H, 3, 0);
    snprintf(rel, sizeof rel, "gtFine/train/%s/%s_gtFine_labelIds.png", kCsCities[i], kCsStems[i]);
    write_png(root, rel, ids, CS_W, CS_H, 1, 0);
    free(rgb);
  }
  for (p = 0; p < CS_W * CS_H; ++p) g_cs_train_id_mask[p] = (uint8_t)(p % 20 == 19 ? MASK_IGNORE : p % 20);
  snprintf(rel, sizeof rel, "gtFine/train/bochum/%s_gtFine_labelTrainIds.png", kCsStems[2]);
  write_png(root, rel, g_cs_train_id_mask, CS_W, CS_H, 1, 0);
}

/* root/cache: CACHE_COUNT small PNG images with masks, and list.txt naming them all. */
static void write_cache_folder(const char* dir) {
  char root[S4T_PATH_MAX], rel[64];
  size_t cap = (size_t)CACHE_COUNT * 40, used = 0;
  char* list = (char*)malloc(cap);
  int i;
  assert_non_null(list);
  s4t_path_join(root, sizeof root, dir, "cache");
  for (i = 0; i < CACHE_COUNT; ++i) {
    uint8_t* rgb = s4t_pattern(CACHE_W, CACHE_H, 3, (uint32_t)(1000 + i));
    uint8_t* mask = s4t_mask_pattern(CACHE_W, CACHE_H, 5, (uint32_t)(2000 + i));
    memcpy(g_cache_images[i], rgb, sizeof g_cache_images[i]);
    memcpy(g_cache_masks[i], mask, sizeof g_cache_masks[i]);
    snprintf(rel, sizeof rel, "img%03d.png", i);
    write_png(root, rel, rgb, CACHE_W, CACHE_H, 3, 0);
    snprintf(rel, sizeof rel, "mask%03d.png", i);
    write_png(root, rel, mask, CACHE_W, CACHE_H, 1, 0);
    used += (size_t)snprintf(list + used, cap - used, "img%03d.png mask%03d.png\n", i, i);
    assert_true(used < cap);
    free(rgb);
    free(mask);
  }
  write_text_under(root, "list.txt", list);
  free(list);
}

static int layouts_setup(void** state) {
  const char* dir;
  if (s4t_dir_fixture_setup(state) != 0) return -1;
  dir = s4t_dir_fixture_path(state);
  write_voc(dir);
  write_voc_aug(dir);
  write_cityscapes(dir);
  write_cache_folder(dir);
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading samples back                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* out = fixture dir + "/" + rel. */
static void under(void** state, char* out, size_t capacity, const char* rel) {
  s4t_path_join(out, capacity, s4t_dir_fixture_path(state), rel);
}

/* Asserts that sample `index` holds the pixels of the file `image_path` (as s4seg_image_load reads
 * it) and the class indices `mask` (NULL: the sample has no mask). */
static void assert_sample(const s4seg_dataset* ds, int64_t index, const char* image_path, const uint8_t* mask,
                          int32_t w, int32_t h) {
  s4seg_image *got_image = NULL, *got_mask = S4T_SENTINEL(s4seg_image), *file = NULL;
  s4seg_image_view file_view;
  S4T_OK(s4seg_dataset_get(ds, index, &got_image, &got_mask));
  S4T_OK(s4seg_image_load(image_path, S4SEG_IMAGE_AUTO, &file));
  S4T_OK(s4seg_image_get_view(file, &file_view));
  assert_int_equal(file_view.width, w);
  assert_int_equal(file_view.height, h);
  s4t_assert_image_equals_view(got_image, &file_view);
  if (mask == NULL) {
    assert_null(got_mask);
  } else {
    s4seg_image_view expected = s4t_view(mask, w, h, 1);
    assert_non_null(got_mask);
    s4t_assert_image_equals_view(got_mask, &expected);
  }
  s4seg_image_free(got_image);
  s4seg_image_free(got_mask);
  s4seg_image_free(file);
}

static void assert_voc_sample(void** state, const s4seg_dataset* ds, int64_t index, int voc_index, int with_mask) {
  char rel[128], path[S4T_PATH_MAX];
  snprintf(rel, sizeof rel, "voc/JPEGImages/%s.jpg", kVocIds[voc_index]);
  under(state, path, sizeof path, rel);
  assert_sample(ds, index, path, with_mask ? g_voc_masks[voc_index] : NULL, VOC_W, VOC_H);
}

static void assert_cityscapes_sample(void** state, const s4seg_dataset* ds, int64_t index, int cs_index,
                                     const uint8_t* mask) {
  char rel[160], path[S4T_PATH_MAX];
  snprintf(rel, sizeof rel, "cityscapes/leftImg8bit/train/%s/%s_leftImg8bit.png", kCsCities[cs_index],
           kCsStems[cs_index]);
  under(state, path, sizeof path, rel);
  assert_sample(ds, index, path, mask, CS_W, CS_H);
}

/* ------------------------------------------------------------------------------------------ */
/* PASCAL VOC                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static void voc_split_name_reads_palette_masks_as_indices(void** state) {
  char root[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  int i;
  under(state, root, sizeof root, "voc");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, "train", 0));
  assert_int_equal(s4t_dataset_size(ds), VOC_COUNT);
  for (i = 0; i < VOC_COUNT; ++i) assert_voc_sample(state, ds, i, i, 1); /* 255 border kept */
  s4seg_dataset_free(ds);
}

static void voc_unimatch_split_file_loads_as_written(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  under(state, root, sizeof root, "voc");
  under(state, split, sizeof split, "splits/pascal/labeled.txt");
  write_text_under(s4t_dir_fixture_path(state), "splits/pascal/labeled.txt",
                   "JPEGImages/2007_000063.jpg SegmentationClass/2007_000063.png\n"
                   "JPEGImages/2007_000032.jpg SegmentationClass/2007_000032.png\n"
                   "JPEGImages/2007_000039.jpg\n"); /* an image alone: unlabeled */
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, split, 0));
  assert_int_equal(s4t_dataset_size(ds), 3);
  assert_voc_sample(state, ds, 0, 2, 1);
  assert_voc_sample(state, ds, 1, 0, 1);
  assert_voc_sample(state, ds, 2, 1, 0);
  s4seg_dataset_free(ds);
}

static void voc_bare_id_file_resolves_image_and_mask(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  under(state, root, sizeof root, "voc");
  under(state, split, sizeof split, "ids.txt");
  write_text_under(s4t_dir_fixture_path(state), "ids.txt", "# VOC ids\n2007_000039\n\n2007_000032   \n");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, split, 0));
  assert_int_equal(s4t_dataset_size(ds), 2);
  assert_voc_sample(state, ds, 0, 1, 1);
  assert_voc_sample(state, ds, 1, 0, 1);
  s4seg_dataset_free(ds);
}

static void voc_bare_ids_prefer_augmented_masks(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX], image[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  under(state, root, sizeof root, "voc_aug");
  under(state, split, sizeof split, "voc_aug/ids.txt");
  under(state, image, sizeof image, "voc_aug/JPEGImages/2008_000008.jpg");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, split, 0));
  assert_int_equal(s4t_dataset_size(ds), 1);
  assert_sample(ds, 0, image, g_voc_aug_mask, VOC_W, VOC_H);
  s4seg_dataset_free(ds);
}

static void voc_mask_value_outside_the_classes_is_format_when_read(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  s4seg_image *image = S4T_SENTINEL(s4seg_image), *mask = S4T_SENTINEL(s4seg_image);
  under(state, root, sizeof root, "voc");
  under(state, split, sizeof split, "bad_values.txt");
  write_text_under(s4t_dir_fixture_path(state), "bad_values.txt", "2007_000099\n");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, split, 0)); /* values are not read at add time */
  S4T_CHECK(S4SEG_FORMAT, s4seg_dataset_get(ds, 0, &image, &mask));
  S4T_ERROR_CONTAINS("2007_000099.png");
  S4T_ERROR_CONTAINS("37");
  assert_ptr_equal(image, S4T_SENTINEL(s4seg_image));
  assert_ptr_equal(mask, S4T_SENTINEL(s4seg_image));
  s4seg_dataset_free(ds);
}

/* ------------------------------------------------------------------------------------------ */
/* Cityscapes                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static void cityscapes_split_name_scans_sorted_and_maps_label_ids(void** state) {
  char root[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  int i;
  under(state, root, sizeof root, "cityscapes");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_CITYSCAPES, root, "train", 0));
  assert_int_equal(s4t_dataset_size(ds), CS_COUNT);
  /* labelIds 0, 7, 26, 33, 255 come back as train ids 255, 0, 13, 18, 255 */
  for (i = 0; i < CS_COUNT; ++i) assert_cityscapes_sample(state, ds, i, i, g_cs_expected_masks[i]);
  s4seg_dataset_free(ds);
}

static void cityscapes_split_file_falls_back_to_label_ids(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  under(state, root, sizeof root, "cityscapes");
  under(state, split, sizeof split, "splits/cityscapes/labeled.txt");
  write_text_under(s4t_dir_fixture_path(state), "splits/cityscapes/labeled.txt",
                   /* never preprocessed: only the labelIds file exists, mapped to train ids */
                   "leftImg8bit/train/aachen/aachen_000001_000019_leftImg8bit.png "
                   "gtFine/train/aachen/aachen_000001_000019_gtFine_labelTrainIds.png\n"
                   /* preprocessed: read as stored */
                   "leftImg8bit/train/bochum/bochum_000000_000019_leftImg8bit.png "
                   "gtFine/train/bochum/bochum_000000_000019_gtFine_labelTrainIds.png\n"
                   /* named directly: mapped */
                   "leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png "
                   "gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png\n");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_CITYSCAPES, root, split, 0));
  assert_int_equal(s4t_dataset_size(ds), 3);
  assert_cityscapes_sample(state, ds, 0, 1, g_cs_expected_masks[1]);
  assert_cityscapes_sample(state, ds, 1, 2, g_cs_train_id_mask);
  assert_cityscapes_sample(state, ds, 2, 0, g_cs_expected_masks[0]);
  s4seg_dataset_free(ds);
}

static void ignore_masks_drops_masks_that_do_not_exist(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  int i;
  under(state, root, sizeof root, "cityscapes");
  under(state, split, sizeof split, "splits/cityscapes/unlabeled.txt");
  write_text_under(s4t_dir_fixture_path(state), "splits/cityscapes/unlabeled.txt",
                   "leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png "
                   "gtFine/train/aachen/none_gtFine_labelTrainIds.png\n"
                   "leftImg8bit/train/bochum/bochum_000000_000019_leftImg8bit.png "
                   "gtFine/train/bochum/none_gtFine_labelIds.png\n");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_CITYSCAPES, root, split, 0));
  assert_int_equal(s4t_dataset_size(ds), 0);
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_CITYSCAPES, root, split, S4SEG_DATASET_IGNORE_MASKS));
  assert_int_equal(s4t_dataset_size(ds), 2);
  assert_cityscapes_sample(state, ds, 0, 0, NULL);
  assert_cityscapes_sample(state, ds, 1, 2, NULL);

  under(state, root, sizeof root, "voc"); /* split names too */
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, "train", S4SEG_DATASET_IGNORE_MASKS));
  assert_int_equal(s4t_dataset_size(ds), 2 + VOC_COUNT);
  for (i = 0; i < VOC_COUNT; ++i) assert_voc_sample(state, ds, 2 + i, i, 0);
  s4seg_dataset_free(ds);
}

static void list_layout_reads_list_files(void** state) {
  char root[S4T_PATH_MAX], list[S4T_PATH_MAX], image[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  under(state, root, sizeof root, "cache");
  under(state, list, sizeof list, "cache/list.txt");
  under(state, image, sizeof image, "cache/img000.png");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_LIST, root, list, 0));
  assert_int_equal(s4t_dataset_size(ds), CACHE_COUNT);
  assert_sample(ds, 0, image, g_cache_masks[0], CACHE_W, CACHE_H);
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_LIST, root, list, S4SEG_DATASET_IGNORE_MASKS));
  assert_int_equal(s4t_dataset_size(ds), 2 * CACHE_COUNT);
  assert_sample(ds, CACHE_COUNT, image, NULL, CACHE_W, CACHE_H);
  s4seg_dataset_free(ds);
}

/* ------------------------------------------------------------------------------------------ */
/* Errors: all-or-nothing                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* A dataset already holding the VOC train split, so that "unchanged" is not just "empty". */
static s4seg_dataset* dataset_with_voc_train(void** state) {
  char root[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  under(state, root, sizeof root, "voc");
  S4T_OK(s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, "train", 0));
  return ds;
}

static void missing_root_is_io(void** state) {
  char root[S4T_PATH_MAX];
  s4seg_dataset* ds = dataset_with_voc_train(state);
  under(state, root, sizeof root, "no_such_root");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, "train", 0));
  S4T_ERROR_CONTAINS("no_such_root");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_CITYSCAPES, root, "train", 0));
  S4T_ERROR_CONTAINS("no_such_root");
  assert_int_equal(s4t_dataset_size(ds), VOC_COUNT);
  s4seg_dataset_free(ds);
}

static void missing_split_is_io(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = dataset_with_voc_train(state);
  under(state, root, sizeof root, "voc");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, "trainval", 0));
  S4T_ERROR_CONTAINS("trainval");
  under(state, split, sizeof split, "no_such_split.txt");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, split, 0));
  S4T_ERROR_CONTAINS("no_such_split.txt");
  under(state, root, sizeof root, "cityscapes");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_CITYSCAPES, root, "val", 0));
  S4T_ERROR_CONTAINS("leftImg8bit/val");
  assert_int_equal(s4t_dataset_size(ds), VOC_COUNT);
  s4seg_dataset_free(ds);
}

static void split_line_naming_a_missing_image_fails_and_changes_nothing(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = dataset_with_voc_train(state);
  under(state, root, sizeof root, "voc");
  under(state, split, sizeof split, "missing_image.txt");
  write_text_under(s4t_dir_fixture_path(state), "missing_image.txt",
                   "JPEGImages/2007_000032.jpg SegmentationClass/2007_000032.png\n"
                   "JPEGImages/2007_999999.jpg SegmentationClass/2007_000039.png\n");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, split, 0));
  S4T_ERROR_NAMES_LINE(2);
  S4T_ERROR_CONTAINS("2007_999999.jpg");
  assert_int_equal(s4t_dataset_size(ds), VOC_COUNT);

  under(state, root, sizeof root, "cityscapes");
  write_text_under(s4t_dir_fixture_path(state), "missing_image.txt",
                   "# image mask\n"
                   "leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png\n"
                   "leftImg8bit/train/aachen/nowhere_leftImg8bit.png\n");
  S4T_CHECK(S4SEG_IO, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_CITYSCAPES, root, split, 0));
  S4T_ERROR_NAMES_LINE(3);
  assert_int_equal(s4t_dataset_size(ds), VOC_COUNT);
  s4seg_dataset_free(ds);
}

static void split_line_with_three_fields_is_format(void** state) {
  char root[S4T_PATH_MAX], split[S4T_PATH_MAX];
  s4seg_dataset* ds = dataset_with_voc_train(state);
  under(state, root, sizeof root, "voc");
  under(state, split, sizeof split, "three_fields.txt");
  write_text_under(s4t_dir_fixture_path(state), "three_fields.txt",
                   "2007_000032\nJPEGImages/2007_000032.jpg SegmentationClass/2007_000032.png extra\n");
  S4T_CHECK(S4SEG_FORMAT, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, split, 0));
  S4T_ERROR_NAMES_LINE(2);
  assert_int_equal(s4t_dataset_size(ds), VOC_COUNT);
  s4seg_dataset_free(ds);
}

static void bad_arguments_are_invalid(void** state) {
  char root[S4T_PATH_MAX];
  s4seg_dataset* ds = dataset_with_voc_train(state);
  under(state, root, sizeof root, "voc");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_layout(ds, (s4seg_layout)7, root, "train", 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_layout(ds, (s4seg_layout)-1, root, "train", 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, "train", 2u));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_layout(NULL, S4SEG_LAYOUT_VOC, root, "train", 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, NULL, "train", 0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_add_layout(ds, S4SEG_LAYOUT_VOC, root, NULL, 0));
  assert_int_equal(s4t_dataset_size(ds), VOC_COUNT);
  s4seg_dataset_free(ds);
}

/* ------------------------------------------------------------------------------------------ */
/* Decode cache                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
  uint64_t bytes, hits, misses;
} cache_figures;

static cache_figures stats_of(const s4seg_dataset* ds) {
  cache_figures f = {0, 0, 0};
  S4T_OK(s4seg_dataset_cache_stats(ds, &f.bytes, &f.hits, &f.misses));
  return f;
}

static s4seg_dataset* cache_dataset(void** state, uint64_t budget) {
  char root[S4T_PATH_MAX], list[S4T_PATH_MAX];
  s4seg_dataset* ds = s4t_new_dataset();
  under(state, root, sizeof root, "cache");
  under(state, list, sizeof list, "cache/list.txt");
  S4T_OK(s4seg_dataset_add_list(ds, root, list));
  S4T_OK(s4seg_dataset_set_cache(ds, budget));
  return ds;
}

/* 1 when sample `i` has exactly the pixels written for it. */
static int cache_sample_matches(const s4seg_dataset* ds, int i) {
  s4seg_image *image = NULL, *mask = NULL;
  s4seg_image_view vi, vm, ei, em;
  int same = 0;
  if (s4seg_dataset_get(ds, i, &image, &mask) == S4SEG_OK && mask != NULL &&
      s4seg_image_get_view(image, &vi) == S4SEG_OK && s4seg_image_get_view(mask, &vm) == S4SEG_OK) {
    ei = s4t_view(g_cache_images[i], CACHE_W, CACHE_H, 3);
    em = s4t_view(g_cache_masks[i], CACHE_W, CACHE_H, 1);
    same = s4t_views_equal(&vi, &ei) && s4t_views_equal(&vm, &em);
  }
  s4seg_image_free(image);
  s4seg_image_free(mask);
  return same;
}

/* Reads sample `i`, checks its pixels, the budget and that every read is a hit or a miss. */
static void read_and_check(const s4seg_dataset* ds, int i, uint64_t budget, uint64_t* reads) {
  cache_figures f;
  assert_true(cache_sample_matches(ds, i));
  ++*reads;
  f = stats_of(ds);
  assert_true(f.bytes <= budget);
  assert_true(f.bytes % CACHE_SAMPLE_BYTES == 0);
  assert_int_equal(f.hits + f.misses, *reads);
}

static uint32_t next_random(uint32_t* s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

static void cache_holds_recent_samples_within_budget(void** state) {
  s4seg_dataset* ds = cache_dataset(state, kCacheBudget);
  uint64_t reads = 0, hits_before;
  uint32_t rng = 12345;
  cache_figures f = stats_of(ds);
  int i;
  assert_int_equal(f.bytes, 0);
  assert_int_equal(f.hits, 0);
  assert_int_equal(f.misses, 0);

  for (i = 0; i < CACHE_COUNT; ++i) read_and_check(ds, i, kCacheBudget, &reads);
  f = stats_of(ds);
  assert_int_equal(f.misses, CACHE_COUNT);
  assert_int_equal(f.bytes, kCacheBudget); /* full: the last 40 */

  /* In order again: least recently used goes first, so a scan longer than the cache never hits. */
  for (i = 0; i < CACHE_COUNT; ++i) read_and_check(ds, i, kCacheBudget, &reads);
  assert_int_equal(stats_of(ds).hits, 0);

  /* The 40 most recent, newest first: all hits, identical pixels. */
  for (i = CACHE_COUNT - 1; i >= CACHE_COUNT - CACHE_BUDGET_SAMPLES; --i) read_and_check(ds, i, kCacheBudget, &reads);
  assert_int_equal(stats_of(ds).hits, CACHE_BUDGET_SAMPLES);

  for (i = 0; i < CACHE_RANDOM_READS; ++i)
    read_and_check(ds, (int)(next_random(&rng) % CACHE_COUNT), kCacheBudget, &reads);
  hits_before = stats_of(ds).hits;
  assert_true(hits_before > CACHE_BUDGET_SAMPLES);

  read_and_check(ds, 7, kCacheBudget, &reads);
  read_and_check(ds, 7, kCacheBudget, &reads); /* a hit gives the same pixels as the decode */
  assert_true(stats_of(ds).hits >= hits_before + 1);
  s4seg_dataset_free(ds);
}

static void set_cache_shrinks_at_once_and_zero_empties(void** state) {
  s4seg_dataset* ds = cache_dataset(state, kCacheBudget);
  const uint64_t smaller = 10 * (uint64_t)CACHE_SAMPLE_BYTES;
  uint64_t reads = 0;
  cache_figures f;
  int i;
  for (i = 0; i < CACHE_COUNT; ++i) read_and_check(ds, i, kCacheBudget, &reads);
  S4T_OK(s4seg_dataset_set_cache(ds, smaller));
  assert_int_equal(stats_of(ds).bytes, smaller);
  /* the most recent ten stayed */
  for (i = CACHE_COUNT - 1; i >= CACHE_COUNT - 10; --i) read_and_check(ds, i, smaller, &reads);
  assert_int_equal(stats_of(ds).hits, 10);

  S4T_OK(s4seg_dataset_set_cache(ds, 0));
  assert_int_equal(stats_of(ds).bytes, 0);
  read_and_check(ds, CACHE_COUNT - 1, 0, &reads); /* off: decoded again, still counted */
  f = stats_of(ds);
  assert_int_equal(f.bytes, 0);
  assert_int_equal(f.hits, 10);
  s4seg_dataset_free(ds);
}

static void sample_larger_than_budget_is_not_cached(void** state) {
  s4seg_dataset* ds = cache_dataset(state, CACHE_SAMPLE_BYTES - 1);
  uint64_t reads = 0;
  int i;
  for (i = 0; i < 5; ++i) read_and_check(ds, 0, CACHE_SAMPLE_BYTES - 1, &reads);
  assert_int_equal(stats_of(ds).bytes, 0);
  assert_int_equal(stats_of(ds).misses, 5);
  s4seg_dataset_free(ds);
}

static void in_memory_samples_bypass_the_cache(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  s4seg_image *image = NULL, *mask = NULL;
  cache_figures f;
  (void)state;
  S4T_OK(s4seg_dataset_add_synthetic(ds, 2, 32, 24, 4, 1));
  S4T_OK(s4seg_dataset_set_cache(ds, kCacheBudget));
  S4T_OK(s4seg_dataset_get(ds, 1, &image, &mask));
  s4seg_image_free(image);
  s4seg_image_free(mask);
  f = stats_of(ds);
  assert_int_equal(f.bytes, 0);
  assert_int_equal(f.hits + f.misses, 0);
  s4seg_dataset_free(ds);
}

typedef struct {
  const s4seg_dataset* ds;
  uint32_t seed;
  int wrong; /* reads that failed or gave other pixels: CMocka cannot assert off the main thread */
} reader_job;

static void* read_randomly(void* arg) {
  reader_job* job = (reader_job*)arg;
  int i;
  for (i = 0; i < CACHE_THREAD_READS; ++i)
    if (!cache_sample_matches(job->ds, (int)(next_random(&job->seed) % CACHE_COUNT))) ++job->wrong;
  return NULL;
}

static void concurrent_readers_and_resizes_stay_consistent(void** state) {
  s4seg_dataset* ds = cache_dataset(state, kCacheBudget);
  pthread_t threads[CACHE_THREADS];
  reader_job jobs[CACHE_THREADS];
  cache_figures f;
  int i;
  for (i = 0; i < CACHE_THREADS; ++i) {
    jobs[i].ds = ds;
    jobs[i].seed = 777u + (uint32_t)i;
    jobs[i].wrong = 0;
    assert_int_equal(pthread_create(&threads[i], NULL, read_randomly, &jobs[i]), 0);
  }
  for (i = 0; i < 200; ++i) { /* the host resizes while trainers read */
    S4T_OK(s4seg_dataset_set_cache(ds, i % 2 ? kCacheBudget : kCacheBudget / 2));
    assert_true(stats_of(ds).bytes <= kCacheBudget);
  }
  S4T_OK(s4seg_dataset_set_cache(ds, kCacheBudget));
  for (i = 0; i < CACHE_THREADS; ++i) {
    assert_int_equal(pthread_join(threads[i], NULL), 0);
    assert_int_equal(jobs[i].wrong, 0);
  }
  f = stats_of(ds);
  assert_true(f.bytes <= kCacheBudget);
  assert_int_equal(f.hits + f.misses, CACHE_THREADS * CACHE_THREAD_READS);
  s4seg_dataset_free(ds);
}

static void cache_calls_reject_null_and_leave_outputs_alone(void** state) {
  s4seg_dataset* ds = s4t_new_dataset();
  uint64_t bytes = 11, hits = 22, misses = 33;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_set_cache(NULL, kCacheBudget));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_dataset_cache_stats(NULL, &bytes, &hits, &misses));
  assert_int_equal(bytes, 11);
  assert_int_equal(hits, 22);
  assert_int_equal(misses, 33);
  S4T_OK(s4seg_dataset_cache_stats(ds, NULL, NULL, NULL)); /* every figure is optional */
  S4T_OK(s4seg_dataset_cache_stats(ds, NULL, &hits, NULL));
  assert_int_equal(hits, 0);
  s4seg_dataset_free(ds);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(voc_split_name_reads_palette_masks_as_indices),
      cmocka_unit_test(voc_unimatch_split_file_loads_as_written),
      cmocka_unit_test(voc_bare_id_file_resolves_image_and_mask),
      cmocka_unit_test(voc_bare_ids_prefer_augmented_masks),
      cmocka_unit_test(voc_mask_value_outside_the_classes_is_format_when_read),
      cmocka_unit_test(cityscapes_split_name_scans_sorted_and_maps_label_ids),
      cmocka_unit_test(cityscapes_split_file_falls_back_to_label_ids),
      cmocka_unit_test(ignore_masks_drops_masks_that_do_not_exist),
      cmocka_unit_test(list_layout_reads_list_files),
      cmocka_unit_test(missing_root_is_io),
      cmocka_unit_test(missing_split_is_io),
      cmocka_unit_test(split_line_naming_a_missing_image_fails_and_changes_nothing),
      cmocka_unit_test(split_line_with_three_fields_is_format),
      cmocka_unit_test(bad_arguments_are_invalid),
      cmocka_unit_test(cache_holds_recent_samples_within_budget),
      cmocka_unit_test(set_cache_shrinks_at_once_and_zero_empties),
      cmocka_unit_test(sample_larger_than_budget_is_not_cached),
      cmocka_unit_test(in_memory_samples_bypass_the_cache),
      cmocka_unit_test(concurrent_readers_and_resizes_stay_consistent),
      cmocka_unit_test(cache_calls_reject_null_and_leave_outputs_alone),
  };
  return cmocka_run_group_tests(tests, layouts_setup, s4t_dir_fixture_teardown);
}
