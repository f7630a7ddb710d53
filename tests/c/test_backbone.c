/* Pretrained encoder weights through the C API (s4seg_model_load_backbone and model.pretrained),
 * and the class names and palette a model carries. The files here are written by the library
 * itself (safetensors); torchvision's own files are covered by unit_backbone_parity. */
#include "test_util.h"

/* A tiny model (see s4t_tiny_config) with `extra` config lines applied; NULL on creation error
 * (the status is returned through *status). */
static s4seg_model* model_with(const char* extra, s4seg_status* status) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_model* model = NULL;
  if (extra) s4t_config_apply(config, extra);
  *status = s4seg_model_create(config, &model);
  s4seg_config_free(config);
  return model;
}

static s4seg_model* model_ok(const char* extra) {
  s4seg_status status;
  s4seg_model* model = model_with(extra, &status);
  S4T_OK(status);
  return model;
}

static void report_of(const s4seg_model* model, char* buf, size_t capacity) {
  size_t needed = 0;
  S4T_OK(s4seg_model_backbone_report(model, buf, capacity, &needed));
}

static int files_equal(const char* a, const char* b) {
  size_t na = 0, nb = 0;
  uint8_t* da = s4t_read_file(a, &na);
  uint8_t* db = s4t_read_file(b, &nb);
  int equal = na == nb && memcmp(da, db, na) == 0;
  free(da);
  free(db);
  return equal;
}

/* Saving one model's encoder and loading it into another gives that model the same encoder: its
 * own saved encoder is then byte-identical. */
static void saved_encoder_loads_into_another_model(void** state) {
  char a_path[S4T_PATH_MAX], b_path[S4T_PATH_MAX], report[512];
  s4seg_model* a = model_ok("train.seed = 1");
  s4seg_model* b = model_ok("train.seed = 2");
  s4t_path_join(a_path, sizeof a_path, s4t_dir_fixture_path(state), "a.safetensors");
  s4t_path_join(b_path, sizeof b_path, s4t_dir_fixture_path(state), "b.safetensors");
  S4T_OK(s4seg_model_save_backbone(a, a_path));
  S4T_OK(s4seg_model_save_backbone(b, b_path));
  assert_false(files_equal(a_path, b_path));
  report_of(b, report, sizeof report);
  assert_string_equal(report, "");
  S4T_OK(s4seg_model_load_backbone(b, a_path));
  report_of(b, report, sizeof report);
  assert_true(strncmp(report, "loaded ", 7) == 0);
  S4T_OK(s4seg_model_save_backbone(b, b_path));
  assert_true(files_equal(a_path, b_path));
  s4seg_model_free(a);
  s4seg_model_free(b);
}

/* resnet18 weights into a resnet34: strict loading names what is missing and changes nothing;
 * partial loading loads the rest and its report names what was left out. */
static void depth_mismatch_is_refused_strictly_and_loads_partially(void** state) {
  char r18[S4T_PATH_MAX], before[S4T_PATH_MAX], after[S4T_PATH_MAX], report[4096];
  s4seg_model* small = model_ok(NULL);
  s4seg_model* deeper = model_ok("model.backbone = resnet34");
  s4t_path_join(r18, sizeof r18, s4t_dir_fixture_path(state), "r18.safetensors");
  s4t_path_join(before, sizeof before, s4t_dir_fixture_path(state), "before.safetensors");
  s4t_path_join(after, sizeof after, s4t_dir_fixture_path(state), "after.safetensors");
  S4T_OK(s4seg_model_save_backbone(small, r18));
  S4T_OK(s4seg_model_save_backbone(deeper, before));

  S4T_CHECK(S4SEG_FORMAT, s4seg_model_load_backbone(deeper, r18));
  S4T_ERROR_CONTAINS("missing from the file: layer1.2.conv1.weight");
  S4T_ERROR_CONTAINS("nothing was loaded");
  S4T_OK(s4seg_model_save_backbone(deeper, after));
  assert_true(files_equal(before, after));

  S4T_OK(s4seg_model_load_backbone_partial(deeper, r18));
  report_of(deeper, report, sizeof report);
  assert_true(s4t_contains_ci(report, "missing from the file: layer1.2.conv1.weight"));
  S4T_OK(s4seg_model_save_backbone(deeper, after));
  assert_false(files_equal(before, after));
  s4seg_model_free(small);
  s4seg_model_free(deeper);
}

/* A width mismatch fits nothing: an error even when partial loading is allowed. */
static void nothing_fitting_is_an_error_even_partially(void** state) {
  char narrow[S4T_PATH_MAX];
  s4seg_model* a = model_ok(NULL);
  s4seg_model* wide = model_ok("model.width = 16");
  s4t_path_join(narrow, sizeof narrow, s4t_dir_fixture_path(state), "narrow.safetensors");
  S4T_OK(s4seg_model_save_backbone(a, narrow));
  S4T_CHECK(S4SEG_FORMAT, s4seg_model_load_backbone(wide, narrow));
  S4T_ERROR_CONTAINS("conv1.weight: file [8, 3, 7, 7] Float vs model [16, 3, 7, 7] Float");
  S4T_CHECK(S4SEG_FORMAT, s4seg_model_load_backbone_partial(wide, narrow));
  S4T_ERROR_CONTAINS("no tensor");
  s4seg_model_free(a);
  s4seg_model_free(wide);
}

/* model.pretrained loads at creation; a missing file is S4SEG_IO, a foreign one S4SEG_FORMAT, and
 * neither gives a model. */
static void pretrained_key_loads_at_creation(void** state) {
  char path[S4T_PATH_MAX], junk[S4T_PATH_MAX], text[S4T_PATH_MAX + 64], report[512];
  s4seg_status status;
  s4seg_model* source = model_ok(NULL);
  s4seg_model* model;
  s4t_path_join(path, sizeof path, s4t_dir_fixture_path(state), "enc.safetensors");
  s4t_path_join(junk, sizeof junk, s4t_dir_fixture_path(state), "junk.pth");
  S4T_OK(s4seg_model_save_backbone(source, path));
  snprintf(text, sizeof text, "model.pretrained = %s", path);
  model = model_ok(text);
  report_of(model, report, sizeof report);
  assert_true(strncmp(report, "loaded ", 7) == 0);
  s4seg_model_free(model);

  s4t_write_text(junk, "this is not a weight file, just some text of reasonable length");
  snprintf(text, sizeof text, "model.pretrained = %s", junk);
  model = model_with(text, &status);
  assert_null(model);
  assert_int_equal(status, S4SEG_FORMAT);
  snprintf(text, sizeof text, "model.pretrained = %s.missing", path);
  model = model_with(text, &status);
  assert_null(model);
  assert_int_equal(status, S4SEG_IO);
  s4seg_model_free(source);
}

/* Class names and colours: presets, explicit lists, the defaults, and that they survive save/load. */
static void class_names_and_palette_travel_with_the_model(void** state) {
  char path[S4T_PATH_MAX], name[64];
  uint8_t rgb[3 * 21];
  size_t needed = 0;
  s4seg_model* voc = model_ok("model.num_classes = 21\nmodel.class_names = voc");
  s4seg_model* loaded = NULL;
  s4seg_model* own = model_ok("model.class_names = sky, road ,car\nmodel.palette = 0080ff,808080,FF0000");
  s4seg_model* plain = model_ok(NULL);
  s4t_path_join(path, sizeof path, s4t_dir_fixture_path(state), "voc.s4seg");
  S4T_OK(s4seg_model_save(voc, path));
  S4T_OK(s4seg_model_load(path, "cpu", &loaded));
  S4T_OK(s4seg_model_class_name(loaded, 15, name, sizeof name, &needed));
  assert_string_equal(name, "person");
  assert_int_equal(needed, strlen("person") + 1);
  S4T_OK(s4seg_model_palette(loaded, rgb, sizeof rgb, NULL));
  assert_int_equal(rgb[3 * 15], 192);
  assert_int_equal(rgb[3 * 15 + 1], 128);
  assert_int_equal(rgb[3 * 15 + 2], 128);

  S4T_OK(s4seg_model_class_name(own, 1, name, sizeof name, &needed));
  assert_string_equal(name, "road");
  S4T_OK(s4seg_model_palette(own, rgb, 9, NULL));
  assert_int_equal(rgb[0], 0);
  assert_int_equal(rgb[1], 0x80);
  assert_int_equal(rgb[2], 0xff);
  assert_int_equal(rgb[6], 0xff);
  S4T_OK(s4seg_model_class_name(plain, 2, name, sizeof name, &needed));
  assert_string_equal(name, "class2");
  S4T_OK(s4seg_model_palette(plain, rgb, 9, NULL));
  assert_int_equal(rgb[3], 128); /* the VOC colour map: class 1 is dark red */
  assert_int_equal(rgb[4], 0);

  rgb[0] = 7;
  {
    size_t needed = 0;
    S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_palette(own, rgb, 8, &needed));
    assert_int_equal(needed, 9);
    S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_palette(own, NULL, 0, &needed));  /* a size query */
    assert_int_equal(needed, 9);
  }
  assert_int_equal(rgb[0], 7);
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_model_class_name(own, 0, name, 2, &needed));
  assert_int_equal(needed, 4);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_class_name(own, 3, name, sizeof name, &needed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_class_name(own, -1, name, sizeof name, &needed));
  s4seg_model_free(voc);
  s4seg_model_free(loaded);
  s4seg_model_free(own);
  s4seg_model_free(plain);
}

static void bad_class_info_fails_at_creation(void** state) {
  s4seg_status status;
  (void)state;
  assert_null(model_with("model.class_names = a,b", &status));
  assert_int_equal(status, S4SEG_INVALID_ARGUMENT);
  S4T_ERROR_CONTAINS("model.class_names has 2 names but model.num_classes is 3");
  assert_null(model_with("model.class_names = voc", &status));
  assert_int_equal(status, S4SEG_INVALID_ARGUMENT);
  assert_null(model_with("model.palette = 000000,zz0000,ffffff", &status));
  assert_int_equal(status, S4SEG_INVALID_ARGUMENT);
  S4T_ERROR_CONTAINS("'zz0000'");
}

static void null_arguments_are_rejected(void** state) {
  char buf[8];
  size_t needed = 0;
  uint8_t rgb[9];
  s4seg_model* model = model_ok(NULL);
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_load_backbone(NULL, "x"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_load_backbone(model, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_load_backbone_partial(NULL, "x"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_save_backbone(NULL, "x"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_save_backbone(model, NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_backbone_report(NULL, buf, sizeof buf, &needed));
  S4T_OK(s4seg_model_backbone_report(model, buf, sizeof buf, NULL)); /* needed is optional */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_class_name(NULL, 0, buf, sizeof buf, &needed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_model_palette(NULL, rgb, sizeof rgb, NULL));
  S4T_CHECK(S4SEG_IO, s4seg_model_load_backbone(model, "/nonexistent/s4seg/weights.pth"));
  s4seg_model_free(model);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(saved_encoder_loads_into_another_model),
      cmocka_unit_test(depth_mismatch_is_refused_strictly_and_loads_partially),
      cmocka_unit_test(nothing_fitting_is_an_error_even_partially),
      cmocka_unit_test(pretrained_key_loads_at_creation),
      cmocka_unit_test(class_names_and_palette_travel_with_the_model),
      cmocka_unit_test(bad_class_info_fails_at_creation),
      cmocka_unit_test(null_arguments_are_rejected),
  };
  return cmocka_run_group_tests(tests, s4t_dir_fixture_setup, s4t_dir_fixture_teardown);
}
