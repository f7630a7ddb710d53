/* Configuration handles: defaults, typed access, range checks, text parsing, the key registry. */
#include "test_util.h"

#include <math.h>

enum { TEXT_CAPACITY = 256, MIN_REGISTRY_KEYS = 20 };

static const double kDefaultLr = 0.01;
static const int64_t kDefaultNumClasses = 2;
static const double kDoubleTolerance = 1e-12;

static s4seg_config* new_config(void) {
  s4seg_config* config = NULL;
  S4T_OK(s4seg_config_create(&config));
  assert_non_null(config);
  return config;
}

static int64_t get_int(const s4seg_config* config, const char* key) {
  int64_t value = -12345;
  S4T_OK(s4seg_config_get_int(config, key, &value));
  return value;
}

static double get_double(const s4seg_config* config, const char* key) {
  double value = -12345.0;
  S4T_OK(s4seg_config_get_double(config, key, &value));
  return value;
}

static int get_bool(const s4seg_config* config, const char* key) {
  int value = -1;
  S4T_OK(s4seg_config_get_bool(config, key, &value));
  return value;
}

/* Returns a pointer to a static buffer holding the key's text. */
static const char* get_text(const s4seg_config* config, const char* key) {
  static char buf[TEXT_CAPACITY];
  size_t needed = 0;
  S4T_OK(s4seg_config_get_string(config, key, buf, sizeof buf, &needed));
  assert_int_equal(needed, strlen(buf) + 1);
  return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* Defaults and typed access                                                                   */
/* ------------------------------------------------------------------------------------------ */

static void defaults_match_the_registry(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses);
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), kDefaultLr, kDoubleTolerance);
  assert_string_equal(get_text(config, "model.backbone"), "resnet50");
  assert_string_equal(get_text(config, "device"), "auto");
  assert_int_equal(get_bool(config, "train.flip"), 1);
  assert_int_equal(get_bool(config, "train.nesterov"), 0);
  s4seg_config_free(config);
}

static void set_and_get_int(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", 21));
  assert_int_equal(get_int(config, "model.num_classes"), 21);
  S4T_OK(s4seg_config_set_int(config, "train.iters", 1000000000));
  assert_int_equal(get_int(config, "train.iters"), 1000000000);
  s4seg_config_free(config);
}

static void set_and_get_double(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set_double(config, "train.lr", 0.125));
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), 0.125, kDoubleTolerance);
  s4seg_config_free(config);
}

static void set_and_get_bool(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set_bool(config, "train.flip", 0));
  assert_int_equal(get_bool(config, "train.flip"), 0);
  S4T_OK(s4seg_config_set_bool(config, "train.nesterov", 7)); /* any non-zero is true */
  assert_int_equal(get_bool(config, "train.nesterov"), 1);
  s4seg_config_free(config);
}

static void set_and_get_string(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set_string(config, "model.backbone", "resnet18"));
  assert_string_equal(get_text(config, "model.backbone"), "resnet18");
  S4T_OK(s4seg_config_set_string(config, "device", "cpu"));
  assert_string_equal(get_text(config, "device"), "cpu");
  s4seg_config_free(config);
}

static void get_string_gives_text_of_non_string_keys(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", 7));
  assert_string_equal(get_text(config, "model.num_classes"), "7");
  S4T_OK(s4seg_config_set_double(config, "train.lr", 0.25));
  S4T_ASSERT_NEAR(strtod(get_text(config, "train.lr"), NULL), 0.25, kDoubleTolerance);
  s4seg_config_free(config);
}

/* ------------------------------------------------------------------------------------------ */
/* Rejected values                                                                             */
/* ------------------------------------------------------------------------------------------ */

static void unknown_key_is_rejected_and_named(void** state) {
  s4seg_config* config = new_config();
  int64_t i = 0;
  double d = 0;
  int b = 0;
  char buf[TEXT_CAPACITY];
  size_t needed = 0;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, "model.no_such_key", 1));
  S4T_ERROR_CONTAINS("model.no_such_key");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "train.no_such_key", 1.0));
  S4T_ERROR_CONTAINS("train.no_such_key");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_bool(config, "no_such_key", 1));
  S4T_ERROR_CONTAINS("no_such_key");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "bogus.key", "x"));
  S4T_ERROR_CONTAINS("bogus.key");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "bogus.text_key", "1"));
  S4T_ERROR_CONTAINS("bogus.text_key");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_int(config, "bogus.int", &i));
  S4T_ERROR_CONTAINS("bogus.int");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_double(config, "bogus.double", &d));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_bool(config, "bogus.bool", &b));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_string(config, "bogus.string", buf, sizeof buf, &needed));
  S4T_ERROR_CONTAINS("bogus.string");
  s4seg_config_free(config);
}

static void key_names_are_case_sensitive(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, "Model.Num_Classes", 3));
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses);
  s4seg_config_free(config);
}

static void num_classes_out_of_range_is_rejected(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, "model.num_classes", 1));
  S4T_ERROR_CONTAINS("model.num_classes");
  S4T_ERROR_CONTAINS("255"); /* the allowed range 2..255 */
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, "model.num_classes", 256));
  S4T_ERROR_CONTAINS("model.num_classes");
  S4T_ERROR_CONTAINS("255");
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses); /* unchanged */
  s4seg_config_free(config);
}

static void negative_learning_rate_is_rejected(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "train.lr", -1.0));
  S4T_ERROR_CONTAINS("train.lr");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "train.lr", 0.0));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "train.lr", 1000.0));
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), kDefaultLr, kDoubleTolerance);
  s4seg_config_free(config);
}

static void nan_and_infinity_are_rejected(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "train.lr", NAN));
  S4T_ERROR_CONTAINS("train.lr");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "train.momentum", INFINITY));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "train.lr", "nan"));
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), kDefaultLr, kDoubleTolerance);
  s4seg_config_free(config);
}

static void output_stride_outside_choices_is_rejected(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, "model.output_stride", 12));
  S4T_ERROR_CONTAINS("model.output_stride");
  S4T_ERROR_CONTAINS("16");
  S4T_OK(s4seg_config_set_int(config, "model.output_stride", 8));
  assert_int_equal(get_int(config, "model.output_stride"), 8);
  s4seg_config_free(config);
}

static void width_not_multiple_of_8_is_rejected(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, "model.width", 12));
  S4T_ERROR_CONTAINS("model.width");
  S4T_OK(s4seg_config_set_int(config, "model.width", 16));
  assert_int_equal(get_int(config, "model.width"), 16);
  s4seg_config_free(config);
}

static void unknown_backbone_is_rejected_with_choices(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "model.backbone", "vgg"));
  S4T_ERROR_CONTAINS("model.backbone");
  S4T_ERROR_CONTAINS("resnet18");
  assert_string_equal(get_text(config, "model.backbone"), "resnet50");
  s4seg_config_free(config);
}

static void unknown_device_is_rejected(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "device", "tpu"));
  S4T_ERROR_CONTAINS("device");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "device", "cuda:x"));
  /* "cuda:N" is a valid spelling even when that device does not exist here. */
  S4T_OK(s4seg_config_set_string(config, "device", "cuda:3"));
  s4seg_config_free(config);
}

static void wrong_type_access_is_rejected(void** state) {
  s4seg_config* config = new_config();
  int64_t i = 0;
  int b = 0;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_int(config, "model.backbone", &i));
  S4T_ERROR_CONTAINS("model.backbone");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_bool(config, "model.num_classes", &b));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, "model.backbone", 18));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "model.num_classes", "3"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_bool(config, "model.backbone", 1));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "train.flip", 1.0));
  assert_string_equal(get_text(config, "model.backbone"), "resnet50");
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses);
  s4seg_config_free(config);
}

static void int_key_accepts_whole_doubles_only(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set_double(config, "model.num_classes", 3.0));
  assert_int_equal(get_int(config, "model.num_classes"), 3);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, "model.num_classes", 3.5));
  S4T_ERROR_CONTAINS("model.num_classes");
  assert_int_equal(get_int(config, "model.num_classes"), 3);
  s4seg_config_free(config);
}

static void double_key_accepts_int(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set_int(config, "train.lr", 1));
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), 1.0, kDoubleTolerance);
  s4seg_config_free(config);
}

/* ------------------------------------------------------------------------------------------ */
/* Text                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void set_from_text_converts_to_each_type(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_set(config, "model.num_classes", "5"));
  assert_int_equal(get_int(config, "model.num_classes"), 5);
  S4T_OK(s4seg_config_set(config, "train.lr", "0.05"));
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), 0.05, kDoubleTolerance);
  S4T_OK(s4seg_config_set(config, "train.flip", "false"));
  assert_int_equal(get_bool(config, "train.flip"), 0);
  S4T_OK(s4seg_config_set(config, "train.flip", "true"));
  assert_int_equal(get_bool(config, "train.flip"), 1);
  S4T_OK(s4seg_config_set(config, "model.backbone", "resnet34"));
  assert_string_equal(get_text(config, "model.backbone"), "resnet34");
  s4seg_config_free(config);
}

static void set_from_bad_text_is_rejected(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "model.num_classes", "abc"));
  S4T_ERROR_CONTAINS("model.num_classes");
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "model.num_classes", "5x"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "model.num_classes", "3.5"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "model.num_classes", ""));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "train.lr", "fast"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "train.flip", "maybe"));
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses);
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), kDefaultLr, kDoubleTolerance);
  assert_int_equal(get_bool(config, "train.flip"), 1);
  s4seg_config_free(config);
}

static void parse_applies_lines_with_comments_and_quotes(void** state) {
  static const char kText[] =
      "# a tiny model\n"
      "\n"
      "model.backbone = \"resnet18\"\n"
      "   model.num_classes=4   # trailing comment\n"
      "train.lr = 0.02\n"
      "\t\n"
      "train.flip = false\n"
      "model.aspp_rates = \"6,12,18\"\n";
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_parse(config, kText));
  assert_string_equal(get_text(config, "model.backbone"), "resnet18");
  assert_int_equal(get_int(config, "model.num_classes"), 4);
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), 0.02, kDoubleTolerance);
  assert_int_equal(get_bool(config, "train.flip"), 0);
  assert_string_equal(get_text(config, "model.aspp_rates"), "6,12,18");
  s4seg_config_free(config);
}

static void parse_of_empty_text_changes_nothing(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_OK(s4seg_config_parse(config, ""));
  S4T_OK(s4seg_config_parse(config, "# only a comment\n\n"));
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses);
  s4seg_config_free(config);
}

static void parse_error_leaves_config_unchanged(void** state) {
  static const char kText[] =
      "model.num_classes = 9\n"
      "train.lr = 0.5\n"
      "model.output_stride = 12\n"
      "model.backbone = resnet18\n";
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_parse(config, kText));
  S4T_ERROR_NAMES_LINE(3);
  S4T_ERROR_CONTAINS("model.output_stride");
  /* All-or-nothing: lines 1 and 2 were not applied, nor line 4. */
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses);
  S4T_ASSERT_NEAR(get_double(config, "train.lr"), kDefaultLr, kDoubleTolerance);
  assert_string_equal(get_text(config, "model.backbone"), "resnet50");
  s4seg_config_free(config);
}

static void parse_rejects_line_without_equals_and_unknown_key(void** state) {
  s4seg_config* config = new_config();
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_parse(config, "model.num_classes = 3\nthis line has no equals\n"));
  S4T_ERROR_NAMES_LINE(2);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_parse(config, "model.num_classes = 3\nno.such.key = 1\n"));
  S4T_ERROR_NAMES_LINE(2);
  S4T_ERROR_CONTAINS("no.such.key");
  assert_int_equal(get_int(config, "model.num_classes"), kDefaultNumClasses);
  s4seg_config_free(config);
}

static void get_string_reports_needed_size(void** state) {
  s4seg_config* config = new_config();
  char small[3] = {'x', 'x', 'x'};
  char big[TEXT_CAPACITY];
  size_t needed = 0;
  (void)state;
  /* "resnet50" needs 9 bytes with the NUL. */
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_config_get_string(config, "model.backbone", small, sizeof small, &needed));
  assert_int_equal(needed, strlen("resnet50") + 1);
  needed = 0;
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_config_get_string(config, "model.backbone", big, strlen("resnet50"), &needed));
  assert_int_equal(needed, strlen("resnet50") + 1);
  needed = 0;
  S4T_OK(s4seg_config_get_string(config, "model.backbone", big, strlen("resnet50") + 1, &needed));
  assert_string_equal(big, "resnet50");
  assert_int_equal(needed, strlen("resnet50") + 1);
  s4seg_config_free(config);
}

static void clone_is_independent(void** state) {
  s4seg_config* config = new_config();
  s4seg_config* copy = NULL;
  (void)state;
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", 5));
  S4T_OK(s4seg_config_clone(config, &copy));
  assert_non_null(copy);
  assert_int_equal(get_int(copy, "model.num_classes"), 5);
  S4T_OK(s4seg_config_set_int(copy, "model.num_classes", 6));
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", 7));
  assert_int_equal(get_int(copy, "model.num_classes"), 6);
  assert_int_equal(get_int(config, "model.num_classes"), 7);
  s4seg_config_free(config);
  /* The copy outlives the original. */
  assert_int_equal(get_int(copy, "model.num_classes"), 6);
  s4seg_config_free(copy);
}

/* ------------------------------------------------------------------------------------------ */
/* Registry                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void registry_has_many_keys(void** state) {
  (void)state;
  assert_true(s4seg_config_key_count() > MIN_REGISTRY_KEYS);
}

static void key_info_describes_every_key(void** state) {
  size_t count = s4seg_config_key_count(), i, j;
  const char** names = (const char**)calloc(count, sizeof(const char*));
  (void)state;
  assert_non_null(names);
  for (i = 0; i < count; ++i) {
    const char *name = NULL, *def = NULL, *allowed = NULL, *doc = NULL;
    s4seg_value_type type = (s4seg_value_type)-1;
    S4T_OK(s4seg_config_key_info(i, &name, &type, &def, &allowed, &doc));
    assert_non_null(name);
    assert_true(strlen(name) > 0);
    assert_non_null(def);
    assert_non_null(allowed);
    assert_non_null(doc);
    assert_true(strlen(doc) > 0);
    assert_true(type == S4SEG_TYPE_INT || type == S4SEG_TYPE_DOUBLE || type == S4SEG_TYPE_BOOL ||
                type == S4SEG_TYPE_STRING);
    for (j = 0; j < i; ++j) assert_string_not_equal(names[j], name);
    names[i] = name;
  }
  free(names);
}

static void key_info_accepts_null_out_pointers(void** state) {
  (void)state;
  S4T_OK(s4seg_config_key_info(0, NULL, NULL, NULL, NULL, NULL));
}

static void key_info_out_of_range_is_rejected(void** state) {
  const char* name = S4T_SENTINEL(const char);
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_key_info(s4seg_config_key_count(), &name, NULL, NULL, NULL, NULL));
  assert_ptr_equal(name, S4T_SENTINEL(const char));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_key_info((size_t)-1, NULL, NULL, NULL, NULL, NULL));
}

/* Every key's default, as listed by key_info, is the value a fresh config holds, and the text
 * get_string gives can be set back unchanged. */
static void every_key_round_trips_through_text(void** state) {
  s4seg_config* config = new_config();
  size_t count = s4seg_config_key_count(), i;
  (void)state;
  for (i = 0; i < count; ++i) {
    const char *name = NULL, *def = NULL;
    char before[TEXT_CAPACITY], after[TEXT_CAPACITY];
    size_t needed = 0;
    S4T_OK(s4seg_config_key_info(i, &name, NULL, &def, NULL, NULL));
    S4T_OK(s4seg_config_get_string(config, name, before, sizeof before, &needed));
    S4T_OK(s4seg_config_set(config, name, before));
    S4T_OK(s4seg_config_get_string(config, name, after, sizeof after, &needed));
    assert_string_equal(before, after);
    S4T_OK(s4seg_config_set(config, name, def));
  }
  s4seg_config_free(config);
}

static void key_info_finds_known_keys_with_types(void** state) {
  size_t count = s4seg_config_key_count(), i;
  int seen = 0;
  (void)state;
  for (i = 0; i < count; ++i) {
    const char* name = NULL;
    s4seg_value_type type;
    S4T_OK(s4seg_config_key_info(i, &name, &type, NULL, NULL, NULL));
    if (strcmp(name, "model.num_classes") == 0) {
      assert_int_equal(type, S4SEG_TYPE_INT);
      seen |= 1;
    } else if (strcmp(name, "train.lr") == 0) {
      assert_int_equal(type, S4SEG_TYPE_DOUBLE);
      seen |= 2;
    } else if (strcmp(name, "train.flip") == 0) {
      assert_int_equal(type, S4SEG_TYPE_BOOL);
      seen |= 4;
    } else if (strcmp(name, "model.backbone") == 0) {
      assert_int_equal(type, S4SEG_TYPE_STRING);
      seen |= 8;
    }
  }
  assert_int_equal(seen, 15);
}

/* ------------------------------------------------------------------------------------------ */
/* NULL handling                                                                               */
/* ------------------------------------------------------------------------------------------ */

static void null_arguments_are_rejected(void** state) {
  s4seg_config* config = new_config();
  s4seg_config* out = S4T_SENTINEL(s4seg_config);
  int64_t i = 0;
  double d = 0;
  int b = 0;
  char buf[TEXT_CAPACITY];
  size_t needed = 0;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_create(NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_clone(NULL, &out));
  assert_ptr_equal(out, S4T_SENTINEL(s4seg_config));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_clone(config, NULL));

  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(NULL, "model.num_classes", 3));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, NULL, 3));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(NULL, "train.lr", 0.1));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_double(config, NULL, 0.1));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_bool(NULL, "train.flip", 1));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_bool(config, NULL, 1));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(NULL, "model.backbone", "resnet18"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, NULL, "resnet18"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_string(config, "model.backbone", NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(NULL, "train.lr", "0.1"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, NULL, "0.1"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set(config, "train.lr", NULL));

  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_int(NULL, "model.num_classes", &i));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_int(config, NULL, &i));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_int(config, "model.num_classes", NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_double(NULL, "train.lr", &d));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_double(config, "train.lr", NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_bool(NULL, "train.flip", &b));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_bool(config, "train.flip", NULL));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_string(NULL, "model.backbone", buf, sizeof buf, &needed));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_get_string(config, NULL, buf, sizeof buf, &needed));

  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_parse(NULL, "train.lr = 0.1"));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_parse(config, NULL));
  s4seg_config_free(config);
}

static void free_accepts_null(void** state) {
  (void)state;
  s4seg_config_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(defaults_match_the_registry),
      cmocka_unit_test(set_and_get_int),
      cmocka_unit_test(set_and_get_double),
      cmocka_unit_test(set_and_get_bool),
      cmocka_unit_test(set_and_get_string),
      cmocka_unit_test(get_string_gives_text_of_non_string_keys),
      cmocka_unit_test(unknown_key_is_rejected_and_named),
      cmocka_unit_test(key_names_are_case_sensitive),
      cmocka_unit_test(num_classes_out_of_range_is_rejected),
      cmocka_unit_test(negative_learning_rate_is_rejected),
      cmocka_unit_test(nan_and_infinity_are_rejected),
      cmocka_unit_test(output_stride_outside_choices_is_rejected),
      cmocka_unit_test(width_not_multiple_of_8_is_rejected),
      cmocka_unit_test(unknown_backbone_is_rejected_with_choices),
      cmocka_unit_test(unknown_device_is_rejected),
      cmocka_unit_test(wrong_type_access_is_rejected),
      cmocka_unit_test(int_key_accepts_whole_doubles_only),
      cmocka_unit_test(double_key_accepts_int),
      cmocka_unit_test(set_from_text_converts_to_each_type),
      cmocka_unit_test(set_from_bad_text_is_rejected),
      cmocka_unit_test(parse_applies_lines_with_comments_and_quotes),
      cmocka_unit_test(parse_of_empty_text_changes_nothing),
      cmocka_unit_test(parse_error_leaves_config_unchanged),
      cmocka_unit_test(parse_rejects_line_without_equals_and_unknown_key),
      cmocka_unit_test(get_string_reports_needed_size),
      cmocka_unit_test(clone_is_independent),
      cmocka_unit_test(registry_has_many_keys),
      cmocka_unit_test(key_info_describes_every_key),
      cmocka_unit_test(key_info_accepts_null_out_pointers),
      cmocka_unit_test(key_info_out_of_range_is_rejected),
      cmocka_unit_test(every_key_round_trips_through_text),
      cmocka_unit_test(key_info_finds_known_keys_with_types),
      cmocka_unit_test(null_arguments_are_rejected),
      cmocka_unit_test(free_accepts_null),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
