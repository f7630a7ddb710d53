#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

char s4t_sentinel_object;

enum { S4T_MESSAGE_MAX = 2048 };

/* ------------------------------------------------------------------------------------------ */
/* Status assertions                                                                           */
/* ------------------------------------------------------------------------------------------ */

void s4t_copy_last_error(char* buf, size_t capacity) {
  const char* msg = s4seg_last_error();
  if (capacity == 0) return;
  if (msg == NULL) msg = "(s4seg_last_error returned NULL)";
  strncpy(buf, msg, capacity - 1);
  buf[capacity - 1] = '\0';
}

void s4t_check_status(s4seg_status got, s4seg_status expected, const char* expr, const char* file, int line) {
  char message[S4T_MESSAGE_MAX];
  if (got == expected) return;
  s4t_copy_last_error(message, sizeof message); /* before any other s4seg call */
  print_error("%s\n  returned %s (%d), expected %s (%d)\n  s4seg_last_error: \"%s\"\n", expr,
              s4seg_status_string(got), (int)got, s4seg_status_string(expected), (int)expected, message);
  _fail(file, line);
}

void s4t_check_not_ok(s4seg_status got, const char* expr, const char* file, int line) {
  if (got != S4SEG_OK) return;
  print_error("%s\n  returned OK, expected an error\n", expr);
  _fail(file, line);
}

void s4t_check_near(double a, double b, double tolerance, const char* expr_a, const char* expr_b, const char* file,
                    int line) {
  double diff = a - b;
  if (diff < 0) diff = -diff;
  if (a == a && b == b && diff <= tolerance) return; /* a == a is false for NaN */
  print_error("%s = %.17g\n  %s = %.17g\n  differ by more than %g\n", expr_a, a, expr_b, b, tolerance);
  _fail(file, line);
}

int s4t_contains_ci(const char* haystack, const char* needle) {
  size_t n, h, i;
  if (haystack == NULL || needle == NULL) return 0;
  n = strlen(needle);
  h = strlen(haystack);
  if (n == 0) return 1;
  for (i = 0; i + n <= h; ++i) {
    size_t j = 0;
    while (j < n && tolower((unsigned char)haystack[i + j]) == tolower((unsigned char)needle[j])) ++j;
    if (j == n) return 1;
  }
  return 0;
}

void s4t_check_error_contains(const char* needle, const char* file, int line) {
  char message[S4T_MESSAGE_MAX];
  s4t_copy_last_error(message, sizeof message);
  if (s4t_contains_ci(message, needle)) return;
  print_error("s4seg_last_error() = \"%s\"\n  does not contain \"%s\"\n", message, needle);
  _fail(file, line);
}

/* 1 when `text` contains `prefix` immediately followed by the decimal `number` and then a
 * non-digit (so "line 3" does not match "line 31"). */
static int contains_number_after(const char* text, const char* prefix, int number) {
  char wanted[64];
  size_t len;
  const char* p = text;
  snprintf(wanted, sizeof wanted, "%s%d", prefix, number);
  len = strlen(wanted);
  while (p != NULL && *p != '\0') {
    const char* hit = NULL;
    const char* q;
    for (q = p; *q != '\0'; ++q) {
      size_t j = 0;
      while (j < len && q[j] != '\0' && tolower((unsigned char)q[j]) == tolower((unsigned char)wanted[j])) ++j;
      if (j == len) {
        hit = q;
        break;
      }
    }
    if (hit == NULL) return 0;
    if (!isdigit((unsigned char)hit[len])) return 1;
    p = hit + 1;
  }
  return 0;
}

void s4t_check_error_names_line(int line_number, const char* file, int line) {
  char message[S4T_MESSAGE_MAX];
  s4t_copy_last_error(message, sizeof message);
  if (contains_number_after(message, "line ", line_number) || contains_number_after(message, ":", line_number))
    return;
  print_error("s4seg_last_error() = \"%s\"\n  does not name line %d (\"line %d\" or \":%d\")\n", message,
              line_number, line_number, line_number);
  _fail(file, line);
}

/* ------------------------------------------------------------------------------------------ */
/* Files                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* mkdir -p */
static int make_dirs(const char* path) {
  char buf[S4T_PATH_MAX];
  size_t i, len = strlen(path);
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, path, len + 1);
  for (i = 1; i <= len; ++i) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char saved = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0700) != 0 && errno != EEXIST) return -1;
      buf[i] = saved;
    }
  }
  return 0;
}

static const char* temp_base(void) {
  const char* base = getenv("S4SEG_TEST_TMP");
  if (base == NULL || base[0] == '\0') base = getenv("TMPDIR");
  if (base == NULL || base[0] == '\0') base = "/tmp";
  return base;
}

void s4t_temp_dir_create(char* out, size_t capacity) {
  const char* base = temp_base();
  int n;
  if (make_dirs(base) != 0) fail_msg("cannot create the temporary base folder %s", base);
  n = snprintf(out, capacity, "%s/s4seg-test-XXXXXX", base);
  if (n < 0 || (size_t)n >= capacity) fail_msg("temporary folder path too long under %s", base);
  if (mkdtemp(out) == NULL) fail_msg("mkdtemp(%s) failed: %s", out, strerror(errno));
}

static void remove_tree(const char* path) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = opendir(path);
    if (dir != NULL) {
      struct dirent* entry;
      while ((entry = readdir(dir)) != NULL) {
        char child[S4T_PATH_MAX];
        int n;
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        n = snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        if (n > 0 && (size_t)n < sizeof child) remove_tree(child);
      }
      closedir(dir);
    }
    rmdir(path);
  } else {
    unlink(path);
  }
}

void s4t_temp_dir_remove(const char* path) {
  if (path == NULL || path[0] == '\0') return;
  if (getenv("S4SEG_TEST_KEEP") != NULL) {
    print_message("keeping %s (S4SEG_TEST_KEEP is set)\n", path);
    return;
  }
  remove_tree(path);
}

void s4t_path_join(char* out, size_t capacity, const char* dir, const char* name) {
  int n = snprintf(out, capacity, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= capacity) fail_msg("path too long: %s/%s", dir, name);
}

void s4t_write_file(const char* path, const void* data, size_t size) {
  FILE* f = fopen(path, "wb");
  if (f == NULL) fail_msg("cannot open %s for writing: %s", path, strerror(errno));
  if (size > 0 && fwrite(data, 1, size, f) != size) {
    fclose(f);
    fail_msg("cannot write %s", path);
  }
  if (fclose(f) != 0) fail_msg("cannot close %s", path);
}

void s4t_write_text(const char* path, const char* text) { s4t_write_file(path, text, strlen(text)); }

uint8_t* s4t_read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  uint8_t* data;
  long len = 0;
  if (f == NULL) fail_msg("cannot open %s: %s", path, strerror(errno));
  if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    fail_msg("cannot size %s", path);
  }
  data = (uint8_t*)malloc((size_t)len + 1);
  assert_non_null(data);
  if (len > 0 && fread(data, 1, (size_t)len, f) != (size_t)len) {
    fclose(f);
    free(data);
    fail_msg("cannot read %s", path);
  }
  fclose(f);
  *size = (size_t)len;
  return data;
}

void s4t_truncate_copy(const char* src, const char* dst, size_t keep) {
  size_t size;
  uint8_t* data = s4t_read_file(src, &size);
  if (keep > size) keep = size;
  s4t_write_file(dst, data, keep);
  free(data);
}

void s4t_flip_byte_copy(const char* src, const char* dst, size_t offset) {
  size_t size;
  uint8_t* data = s4t_read_file(src, &size);
  assert_true(offset < size);
  data[offset] = (uint8_t)~data[offset];
  s4t_write_file(dst, data, size);
  free(data);
}

int s4t_count_dir_entries(const char* path) {
  DIR* dir = opendir(path);
  struct dirent* entry;
  int count = 0;
  if (dir == NULL) return -1;
  while ((entry = readdir(dir)) != NULL)
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) ++count;
  closedir(dir);
  return count;
}

int s4t_path_exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Images                                                                                      */
/* ------------------------------------------------------------------------------------------ */

s4seg_image_view s4t_view(const uint8_t* data, int32_t width, int32_t height, int32_t channels) {
  s4seg_image_view v;
  v.data = data;
  v.width = width;
  v.height = height;
  v.channels = channels;
  v.row_stride = (int64_t)width * channels;
  return v;
}

/* xorshift32: small, deterministic, good enough for test pixels. */
static uint32_t next_random(uint32_t* state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

uint8_t* s4t_pattern(int32_t width, int32_t height, int32_t channels, uint32_t seed) {
  size_t n = (size_t)width * (size_t)height * (size_t)channels, i;
  uint8_t* data = (uint8_t*)malloc(n > 0 ? n : 1);
  uint32_t state = seed * 2654435761u + 1u;
  assert_non_null(data);
  for (i = 0; i < n; ++i) data[i] = (uint8_t)(next_random(&state) >> 24);
  return data;
}

uint8_t* s4t_mask_pattern(int32_t width, int32_t height, int32_t num_classes, uint32_t seed) {
  size_t n = (size_t)width * (size_t)height, i;
  uint8_t* data = (uint8_t*)malloc(n > 0 ? n : 1);
  uint32_t state = seed * 2246822519u + 7u;
  assert_non_null(data);
  for (i = 0; i < n; ++i) data[i] = (uint8_t)(next_random(&state) % (uint32_t)num_classes);
  return data;
}

int s4t_views_equal(const s4seg_image_view* a, const s4seg_image_view* b) {
  int32_t r;
  size_t row_bytes;
  if (a->width != b->width || a->height != b->height || a->channels != b->channels) return 0;
  row_bytes = (size_t)a->width * (size_t)a->channels;
  for (r = 0; r < a->height; ++r)
    if (memcmp(a->data + (size_t)r * (size_t)a->row_stride, b->data + (size_t)r * (size_t)b->row_stride, row_bytes) != 0)
      return 0;
  return 1;
}

void s4t_assert_image_equals_view(const s4seg_image* image, const s4seg_image_view* expected) {
  s4seg_image_view got;
  memset(&got, 0, sizeof got);
  S4T_OK(s4seg_image_get_view(image, &got));
  assert_non_null(got.data);
  assert_int_equal(got.width, expected->width);
  assert_int_equal(got.height, expected->height);
  assert_int_equal(got.channels, expected->channels);
  assert_true(got.row_stride >= (int64_t)got.width * got.channels);
  assert_true(s4t_views_equal(&got, expected));
}

/* ------------------------------------------------------------------------------------------ */
/* Configs and models                                                                          */
/* ------------------------------------------------------------------------------------------ */

s4seg_config* s4t_tiny_config_on(const char* device) {
  s4seg_config* config = NULL;
  S4T_OK(s4seg_config_create(&config));
  assert_non_null(config);
  S4T_OK(s4seg_config_set_string(config, "device", device));
  S4T_OK(s4seg_config_set_string(config, "model.backbone", "resnet18"));
  S4T_OK(s4seg_config_set_int(config, "model.width", 8));
  S4T_OK(s4seg_config_set_int(config, "model.output_stride", 16));
  S4T_OK(s4seg_config_set_int(config, "model.aspp_channels", 16));
  S4T_OK(s4seg_config_set_int(config, "model.low_level_channels", 8));
  S4T_OK(s4seg_config_set_int(config, "model.num_classes", S4T_TINY_NUM_CLASSES));
  return config;
}

s4seg_config* s4t_tiny_config(void) { return s4t_tiny_config_on("cpu"); }

s4seg_model* s4t_tiny_model(void) {
  s4seg_config* config = s4t_tiny_config();
  s4seg_model* model = NULL;
  S4T_OK(s4seg_model_create(config, &model));
  s4seg_config_free(config);
  assert_non_null(model);
  return model;
}

s4seg_dataset* s4t_new_dataset(void) {
  s4seg_dataset* dataset = NULL;
  S4T_OK(s4seg_dataset_create(&dataset));
  assert_non_null(dataset);
  return dataset;
}

int64_t s4t_dataset_size(const s4seg_dataset* dataset) {
  int64_t size = -1;
  S4T_OK(s4seg_dataset_size(dataset, &size));
  return size;
}

void s4t_config_apply(s4seg_config* config, const char* text) { S4T_OK(s4seg_config_parse(config, text)); }

typedef struct {
  char dir[S4T_PATH_MAX];
} s4t_dir_fixture;

int s4t_dir_fixture_setup(void** state) {
  s4t_dir_fixture* f = (s4t_dir_fixture*)calloc(1, sizeof(s4t_dir_fixture));
  if (f == NULL) return -1;
  s4t_temp_dir_create(f->dir, sizeof f->dir);
  *state = f;
  return 0;
}

int s4t_dir_fixture_teardown(void** state) {
  s4t_dir_fixture* f = (s4t_dir_fixture*)*state;
  s4t_temp_dir_remove(f->dir);
  free(f);
  return 0;
}

const char* s4t_dir_fixture_path(void** state) { return ((s4t_dir_fixture*)*state)->dir; }

int s4t_find_metric(const s4seg_trainer* trainer, const char* name, double* value) {
  size_t count = 0, i;
  S4T_OK(s4seg_trainer_metric_count(trainer, &count));
  for (i = 0; i < count; ++i) {
    char buf[128];
    size_t needed = 0;
    double v = 0;
    S4T_OK(s4seg_trainer_metric(trainer, i, buf, sizeof buf, &needed, &v));
    assert_int_equal(needed, strlen(buf) + 1);
    if (strcmp(buf, name) == 0) {
      if (value != NULL) *value = v;
      return 1;
    }
  }
  return 0;
}
