// The benchmark tables hosts see in model class names, palettes and masks: VOC's 21 classes with the
// devkit colormap, Cityscapes' 19 train ids with the official colours, and the mask conventions
// (Cityscapes id → train id for every id; VOC values outside 0..20 and 255 refused).
#include "core/error.h"
#include "models/benchmark_classes.h"
#include "data/layouts.h"
#include "unit_test.h"

using namespace s4seg;

static void assert_colour(const ClassTable& t, size_t index, int r, int g, int b) {
  assert_int_equal(t.palette.at(index)[0], r);
  assert_int_equal(t.palette.at(index)[1], g);
  assert_int_equal(t.palette.at(index)[2], b);
}

static void voc_table_has_21_classes_and_the_devkit_colours(void**) {
  const ClassTable& t = voc_class_table();
  assert_int_equal(t.names.size(), 21);
  assert_int_equal(t.palette.size(), 21);
  assert_string_equal(t.names[0].c_str(), "background");
  assert_string_equal(t.names[15].c_str(), "person");
  assert_string_equal(t.names[20].c_str(), "tvmonitor");
  assert_colour(t, 0, 0, 0, 0);
  assert_colour(t, 1, 128, 0, 0);
  assert_colour(t, 2, 0, 128, 0);
  assert_colour(t, 8, 64, 0, 0);
  assert_colour(t, 15, 192, 128, 128);
  assert_colour(t, 20, 0, 64, 128);
}

static void cityscapes_table_has_19_train_ids_and_official_colours(void**) {
  const ClassTable& t = cityscapes_class_table();
  assert_int_equal(t.names.size(), 19);
  assert_int_equal(t.palette.size(), 19);
  assert_string_equal(t.names[0].c_str(), "road");
  assert_string_equal(t.names[13].c_str(), "car");
  assert_string_equal(t.names[18].c_str(), "bicycle");
  assert_colour(t, 0, 128, 64, 128);
  assert_colour(t, 10, 70, 130, 180);
  assert_colour(t, 13, 0, 0, 142);
  assert_colour(t, 18, 119, 11, 32);
}

static void tables_are_found_by_name(void**) {
  assert_ptr_equal(find_class_table("voc"), &voc_class_table());
  assert_ptr_equal(find_class_table("cityscapes"), &cityscapes_class_table());
  assert_null(find_class_table("ade20k"));
  assert_null(find_class_table("VOC"));
}

static void cityscapes_label_ids_map_to_train_ids(void**) {
  // id → train id for the 19 evaluated classes (cityscapesscripts labels.py); every other id → 255.
  const int evaluated[19] = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
  Image mask;
  mask.width = 256;
  mask.height = 1;
  mask.channels = 1;
  for (int v = 0; v < 256; ++v) mask.pixels.push_back(static_cast<uint8_t>(v));
  apply_mask_mapping(*cityscapes_label_id_mapping(), mask, "ids.png");
  std::vector<int> expected(256, 255);
  for (int t = 0; t < 19; ++t) expected[evaluated[t]] = t;
  for (int v = 0; v < 256; ++v) assert_int_equal(mask.pixels[v], expected[v]);
}

static void voc_masks_keep_classes_and_border_and_refuse_the_rest(void**) {
  Image mask;
  mask.width = 3;
  mask.height = 1;
  mask.channels = 1;
  mask.pixels = {0, 20, 255};
  apply_mask_mapping(*voc_mask_mapping(), mask, "ok.png");
  assert_int_equal(mask.pixels[1], 20);
  assert_int_equal(mask.pixels[2], 255);
  mask.pixels = {0, 21, 255};
  ASSERT_THROWS_STATUS(apply_mask_mapping(*voc_mask_mapping(), mask, "bad.png"), Status::Format);
  mask.pixels = {254, 0, 0};
  ASSERT_THROWS_STATUS(apply_mask_mapping(*voc_mask_mapping(), mask, "bad.png"), Status::Format);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(voc_table_has_21_classes_and_the_devkit_colours),
      cmocka_unit_test(cityscapes_table_has_19_train_ids_and_official_colours),
      cmocka_unit_test(tables_are_found_by_name),
      cmocka_unit_test(cityscapes_label_ids_map_to_train_ids),
      cmocka_unit_test(voc_masks_keep_classes_and_border_and_refuse_the_rest),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
