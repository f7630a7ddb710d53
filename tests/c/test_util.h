/*
 * Shared helpers of the s4seg C API tests (CMocka).
 *
 * Every test source includes this header first: it pulls in the headers CMocka needs, in the
 * order it needs them, then cmocka.h and the public s4seg header.
 *
 * Temporary files go under $S4SEG_TEST_TMP (set by tests/CMakeLists.txt to a folder of the build
 * tree), else $TMPDIR, else /tmp; each fixture makes its own mkdtemp folder there and removes it.
 */
#ifndef S4SEG_TEST_UTIL_H
#define S4SEG_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <s4seg/s4seg.h>

/* ------------------------------------------------------------------------------------------ */
/* Status assertions                                                                           */
/* ------------------------------------------------------------------------------------------ */

/** Fails the current test when `got != expected`, printing the call, both status names and
 *  s4seg_last_error() (copied before any other s4seg call). */
void s4t_check_status(s4seg_status got, s4seg_status expected, const char* expr, const char* file, int line);

/** Asserts that `call` returns `expected`. */
#define S4T_CHECK(expected, call) s4t_check_status((call), (expected), #call, __FILE__, __LINE__)
/** Asserts that `call` returns S4SEG_OK. */
#define S4T_OK(call) S4T_CHECK(S4SEG_OK, call)

/** Fails unless |a - b| <= tolerance (in double precision; NaN never passes). CMocka 1.1's
 *  assert_float_equal compares as float, too coarse for doubles. */
void s4t_check_near(double a, double b, double tolerance, const char* expr_a, const char* expr_b, const char* file,
                    int line);
#define S4T_ASSERT_NEAR(a, b, tolerance) s4t_check_near((a), (b), (tolerance), #a, #b, __FILE__, __LINE__)

/** Fails the current test when `got` is S4SEG_OK (for calls whose exact error code the header
 *  leaves open). */
void s4t_check_not_ok(s4seg_status got, const char* expr, const char* file, int line);
#define S4T_NOT_OK(call) s4t_check_not_ok((call), #call, __FILE__, __LINE__)

/** Fails unless s4seg_last_error() contains `needle` (case-insensitive); prints the message. */
void s4t_check_error_contains(const char* needle, const char* file, int line);
#define S4T_ERROR_CONTAINS(needle) s4t_check_error_contains((needle), __FILE__, __LINE__)

/** Fails unless s4seg_last_error() names line `line_number` of some input: "line N" or ":N". */
void s4t_check_error_names_line(int line_number, const char* file, int line);
#define S4T_ERROR_NAMES_LINE(n) s4t_check_error_names_line((n), __FILE__, __LINE__)

/** Copies s4seg_last_error() into `buf` (truncating). */
void s4t_copy_last_error(char* buf, size_t capacity);

/** 1 when `haystack` contains `needle`, ignoring ASCII case. */
int s4t_contains_ci(const char* haystack, const char* needle);

/** A pointer value no library ever returns, for checking that out-parameters stay untouched on
 *  error: `s4seg_model* m = S4T_SENTINEL(s4seg_model); ...; assert_ptr_equal(m, S4T_SENTINEL(...))`. */
extern char s4t_sentinel_object;
#define S4T_SENTINEL(type) ((type*)(void*)&s4t_sentinel_object)

/* ------------------------------------------------------------------------------------------ */
/* Files                                                                                       */
/* ------------------------------------------------------------------------------------------ */

enum { S4T_PATH_MAX = 1024 };

/** Creates a fresh, empty temporary folder and writes its path into `out`. Fails the test on error. */
void s4t_temp_dir_create(char* out, size_t capacity);
/** Removes a folder and everything under it (no-op for NULL or ""). Keeps it when the environment
 *  variable S4SEG_TEST_KEEP is set, for debugging. */
void s4t_temp_dir_remove(const char* path);

/* A CMocka group fixture that is just a fresh temporary directory. */
int s4t_dir_fixture_setup(void** state);
int s4t_dir_fixture_teardown(void** state);
const char* s4t_dir_fixture_path(void** state);
/** out = dir + "/" + name. Fails the test when it does not fit. */
void s4t_path_join(char* out, size_t capacity, const char* dir, const char* name);
/** Writes `size` bytes to `path` (created or truncated). Fails the test on error. */
void s4t_write_file(const char* path, const void* data, size_t size);
/** Writes a NUL-terminated string to `path`. */
void s4t_write_text(const char* path, const char* text);
/** Reads a whole file into a malloc'd buffer (free it); `*size` receives its length. Fails the
 *  test on error. */
uint8_t* s4t_read_file(const char* path, size_t* size);
/** Copies the first `keep` bytes of `src` to `dst`. */
void s4t_truncate_copy(const char* src, const char* dst, size_t keep);
/** Copies `src` to `dst` with the byte at `offset` inverted. */
void s4t_flip_byte_copy(const char* src, const char* dst, size_t offset);
/** Number of entries in a folder, "." and ".." excluded. */
int s4t_count_dir_entries(const char* dir);
/** 1 when a file (or folder) exists at `path`. */
int s4t_path_exists(const char* path);

/* ------------------------------------------------------------------------------------------ */
/* Images                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/** A tightly packed view (row_stride = width * channels). */
s4seg_image_view s4t_view(const uint8_t* data, int32_t width, int32_t height, int32_t channels);
/** A malloc'd width*height*channels buffer of deterministic, varied pixels (free it). */
uint8_t* s4t_pattern(int32_t width, int32_t height, int32_t channels, uint32_t seed);
/** A malloc'd width*height mask of class indices 0..num_classes-1 (free it). */
uint8_t* s4t_mask_pattern(int32_t width, int32_t height, int32_t num_classes, uint32_t seed);
/** 1 when both views have the same size and channel count and equal pixels (strides honoured). */
int s4t_views_equal(const s4seg_image_view* a, const s4seg_image_view* b);
/** Asserts that `image` (library-owned) holds exactly the pixels of `expected`. */
void s4t_assert_image_equals_view(const s4seg_image* image, const s4seg_image_view* expected);

/* ------------------------------------------------------------------------------------------ */
/* Configs and models                                                                          */
/* ------------------------------------------------------------------------------------------ */

/** Classes of the tiny test model. */
enum { S4T_TINY_NUM_CLASSES = 3 };

/** A config for a very small CPU model: device cpu, resnet18 at width 8, output stride 16,
 *  16 ASPP channels, 8 low-level channels, 3 classes. Free with s4seg_config_free. */
s4seg_config* s4t_tiny_config(void);
/** The same on another device ("cuda", "cpu", ...). */
s4seg_config* s4t_tiny_config_on(const char* device);
/** A freshly initialised tiny model (see s4t_tiny_config). Free with s4seg_model_free. */
s4seg_model* s4t_tiny_model(void);

/** A new, empty dataset (free with s4seg_dataset_free); fails the test on error. */
s4seg_dataset* s4t_new_dataset(void);
/** The dataset's sample count; fails the test on error. */
int64_t s4t_dataset_size(const s4seg_dataset* dataset);
/** Sets keys from `key = value` text with s4seg_config_parse, failing the test on error. */
void s4t_config_apply(s4seg_config* config, const char* text);

/** 1 when `trainer` reports metric `name` for its last step call (its value into *value, which
 *  may be NULL), else 0. Asserts each name's reported size. */
int s4t_find_metric(const s4seg_trainer* trainer, const char* name, double* value);

#endif /* S4SEG_TEST_UTIL_H */
