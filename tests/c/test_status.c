/* Status codes, error messages, version and device queries. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_util.h"

#include <ctype.h>
#include <pthread.h>

enum { MESSAGE_CAPACITY = 1024, DEVICE_INFO_CAPACITY = 1 << 16 };

static const char kMainThreadKey[] = "main.thread.only.key";
static const char kWorkerThreadKey[] = "worker.thread.only.key";

/* ------------------------------------------------------------------------------------------ */

static void status_string_names_every_code(void** state) {
  static const struct {
    s4seg_status status;
    const char* name;
  } kExpected[] = {
      {S4SEG_OK, "OK"},
      {S4SEG_INVALID_ARGUMENT, "INVALID_ARGUMENT"},
      {S4SEG_OUT_OF_MEMORY, "OUT_OF_MEMORY"},
      {S4SEG_IO, "IO"},
      {S4SEG_FORMAT, "FORMAT"},
      {S4SEG_UNSUPPORTED, "UNSUPPORTED"},
      {S4SEG_DEVICE, "DEVICE"},
      {S4SEG_CANCELLED, "CANCELLED"},
      {S4SEG_DIVERGED, "DIVERGED"},
      {S4SEG_STATE, "STATE"},
      {S4SEG_INTERNAL, "INTERNAL"},
      {S4SEG_BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL"},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof kExpected / sizeof kExpected[0]; ++i) {
    const char* name = s4seg_status_string(kExpected[i].status);
    assert_non_null(name);
    assert_string_equal(name, kExpected[i].name);
  }
}

static void status_values_are_fixed(void** state) {
  (void)state;
  assert_int_equal(S4SEG_OK, 0);
  assert_int_equal(S4SEG_INVALID_ARGUMENT, 1);
  assert_int_equal(S4SEG_OUT_OF_MEMORY, 2);
  assert_int_equal(S4SEG_IO, 3);
  assert_int_equal(S4SEG_FORMAT, 4);
  assert_int_equal(S4SEG_UNSUPPORTED, 5);
  assert_int_equal(S4SEG_DEVICE, 6);
  assert_int_equal(S4SEG_CANCELLED, 7);
  assert_int_equal(S4SEG_DIVERGED, 8);
  assert_int_equal(S4SEG_STATE, 9);
  assert_int_equal(S4SEG_INTERNAL, 10);
  assert_int_equal(S4SEG_BUFFER_TOO_SMALL, 11);
}

static void status_string_of_unknown_value_is_unknown(void** state) {
  (void)state;
  assert_string_equal(s4seg_status_string((s4seg_status)12), "UNKNOWN");
  assert_string_equal(s4seg_status_string((s4seg_status)1000), "UNKNOWN");
  assert_string_equal(s4seg_status_string((s4seg_status)-1), "UNKNOWN");
}

static void last_error_names_the_problem(void** state) {
  s4seg_config* config = NULL;
  (void)state;
  S4T_OK(s4seg_config_create(&config));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, kMainThreadKey, 1));
  S4T_ERROR_CONTAINS(kMainThreadKey);
  s4seg_config_free(config);
}

static void last_error_after_null_argument_is_not_empty(void** state) {
  const char* message;
  (void)state;
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_create(NULL));
  message = s4seg_last_error();
  assert_non_null(message);
  assert_true(strlen(message) > 0);
}

/* Worker: checks a fresh thread starts with no message, then fails with its own key. */
typedef struct {
  char initial_message[MESSAGE_CAPACITY];
  char final_message[MESSAGE_CAPACITY];
  s4seg_status status;
} worker_result;

static void* failing_worker(void* arg) {
  worker_result* result = (worker_result*)arg;
  s4seg_config* config = NULL;
  s4t_copy_last_error(result->initial_message, sizeof result->initial_message);
  if (s4seg_config_create(&config) != S4SEG_OK) {
    result->status = S4SEG_INTERNAL;
    return NULL;
  }
  result->status = s4seg_config_set_int(config, kWorkerThreadKey, 1);
  s4t_copy_last_error(result->final_message, sizeof result->final_message);
  s4seg_config_free(config);
  return NULL;
}

static void last_error_is_thread_local(void** state) {
  s4seg_config* config = NULL;
  pthread_t thread;
  worker_result result;
  (void)state;
  memset(&result, 0, sizeof result);
  S4T_OK(s4seg_config_create(&config));
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_config_set_int(config, kMainThreadKey, 1));

  assert_int_equal(pthread_create(&thread, NULL, failing_worker, &result), 0);
  assert_int_equal(pthread_join(thread, NULL), 0);

  /* The worker saw its own failure, and started with an empty message. */
  assert_int_equal(result.status, S4SEG_INVALID_ARGUMENT);
  assert_string_equal(result.initial_message, "");
  assert_true(s4t_contains_ci(result.final_message, kWorkerThreadKey));
  /* The main thread's message is still about the main thread's failure. */
  S4T_ERROR_CONTAINS(kMainThreadKey);
  assert_false(s4t_contains_ci(s4seg_last_error(), kWorkerThreadKey));
  s4seg_config_free(config);
}

static void version_matches_header_macros(void** state) {
  char expected[64];
  (void)state;
  snprintf(expected, sizeof expected, "%d.%d.%d", S4SEG_VERSION_MAJOR, S4SEG_VERSION_MINOR, S4SEG_VERSION_PATCH);
  assert_non_null(s4seg_version());
  assert_string_equal(s4seg_version(), expected);
  assert_int_equal(S4SEG_VERSION_NUMBER,
                   S4SEG_VERSION_MAJOR * 10000 + S4SEG_VERSION_MINOR * 100 + S4SEG_VERSION_PATCH);
  assert_true(S4SEG_VERSION_CHECK(S4SEG_VERSION_MAJOR, S4SEG_VERSION_MINOR, S4SEG_VERSION_PATCH));
  assert_true(S4SEG_VERSION_CHECK(0, 0, 1));
  assert_false(S4SEG_VERSION_CHECK(S4SEG_VERSION_MAJOR + 1, 0, 0));
}

static void backend_version_is_a_version_number(void** state) {
  const char* v;
  (void)state;
  v = s4seg_backend_version();
  assert_non_null(v);
  assert_true(isdigit((unsigned char)v[0]));
  assert_non_null(strchr(v, '.'));
}

/* ------------------------------------------------------------------------------------------ */

static void device_info_reports_needed_size_for_null_buffer(void** state) {
  size_t needed = 0;
  (void)state;
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_device_info(NULL, 0, &needed));
  assert_true(needed > 1);
}

static void device_info_fills_a_big_enough_buffer(void** state) {
  size_t needed = 0, needed_again = 0;
  char* buf;
  (void)state;
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_device_info(NULL, 0, &needed));
  assert_true(needed > 1 && needed < DEVICE_INFO_CAPACITY);
  buf = (char*)malloc(needed);
  assert_non_null(buf);
  S4T_OK(s4seg_device_info(buf, needed, &needed_again));
  assert_int_equal(needed_again, needed);
  assert_int_equal(strlen(buf) + 1, needed);
  /* It talks about the CPU and about CUDA (its devices or why it is unavailable). */
  assert_true(s4t_contains_ci(buf, "cpu"));
  assert_true(s4t_contains_ci(buf, "cuda"));
  free(buf);
}

static void device_info_rejects_a_buffer_one_byte_short(void** state) {
  size_t needed = 0, needed_again = 0;
  char* buf;
  (void)state;
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_device_info(NULL, 0, &needed));
  buf = (char*)malloc(needed);
  assert_non_null(buf);
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_device_info(buf, needed - 1, &needed_again));
  assert_int_equal(needed_again, needed);
  free(buf);
}

/* `needed` is optional: without it the text is still copied, or the buffer reported too small. */
static void device_info_without_needed_still_copies(void** state) {
  char buf[DEVICE_INFO_CAPACITY];
  (void)state;
  S4T_OK(s4seg_device_info(buf, sizeof buf, NULL));
  assert_true(strlen(buf) > 0);
  S4T_CHECK(S4SEG_BUFFER_TOO_SMALL, s4seg_device_info(NULL, 0, NULL));
}

static void cuda_available_is_zero_or_one(void** state) {
  int available = -1;
  (void)state;
  S4T_OK(s4seg_cuda_available(&available));
  assert_true(available == 0 || available == 1);
  S4T_CHECK(S4SEG_INVALID_ARGUMENT, s4seg_cuda_available(NULL));
}

static void release_cached_memory_succeeds(void** state) {
  (void)state;
  S4T_OK(s4seg_release_cached_memory());
  S4T_OK(s4seg_release_cached_memory());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(status_string_names_every_code),
      cmocka_unit_test(status_values_are_fixed),
      cmocka_unit_test(status_string_of_unknown_value_is_unknown),
      cmocka_unit_test(last_error_names_the_problem),
      cmocka_unit_test(last_error_after_null_argument_is_not_empty),
      cmocka_unit_test(last_error_is_thread_local),
      cmocka_unit_test(version_matches_header_macros),
      cmocka_unit_test(backend_version_is_a_version_number),
      cmocka_unit_test(device_info_reports_needed_size_for_null_buffer),
      cmocka_unit_test(device_info_fills_a_big_enough_buffer),
      cmocka_unit_test(device_info_rejects_a_buffer_one_byte_short),
      cmocka_unit_test(device_info_without_needed_still_copies),
      cmocka_unit_test(cuda_available_is_zero_or_one),
      cmocka_unit_test(release_cached_memory_succeeds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
