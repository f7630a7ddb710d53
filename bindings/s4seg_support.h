/*
 * Support code compiled into every SWIG wrapper (not part of libs4seg).
 *
 * The wrapped methods never return a status: they record the outcome of their call in a
 * thread-local (status, message) pair, which each language turns into its own error form right
 * after the call, on the same thread (Java/C#: the %exception block inside the native wrapper;
 * Go: the hand-written layer, with the goroutine locked to its OS thread for the call).
 */
#ifndef S4SEG_BINDINGS_SUPPORT_H
#define S4SEG_BINDINGS_SUPPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s4seg/s4seg.h"

#define S4B_MESSAGE_CAPACITY 1024

typedef struct s4b_error {
  int status;
  char message[S4B_MESSAGE_CAPACITY];
} s4b_error;

static __thread s4b_error s4b_thread_error;

/* Called before every wrapped call (from the languages' exception hooks). */
static void s4b_clear(void) {
  s4b_thread_error.status = S4SEG_OK;
  s4b_thread_error.message[0] = '\0';
}

static void s4b_fail(int status, const char* format, ...) {
  va_list args;
  s4b_thread_error.status = status;
  va_start(args, format);
  vsnprintf(s4b_thread_error.message, sizeof s4b_thread_error.message, format, args);
  va_end(args);
}

/* Records a C API status; returns 1 when the call succeeded. */
static int s4b_check(s4seg_status status) {
  if (status == S4SEG_OK) return 1;
  s4b_fail((int)status, "%s", s4seg_last_error());
  return 0;
}

/* Using a handle after close() reaches the wrapper as NULL self. */
static int s4b_open(const void* self, const char* what) {
  if (self) return 1;
  s4b_fail(S4SEG_STATE, "this %s is closed", what);
  return 0;
}

/* Buffers are checked against the sizes the caller claims before any C call. */
static int s4b_size_is(size_t actual, uint64_t expected, const char* what) {
  if ((uint64_t)actual == expected) return 1;
  s4b_fail(S4SEG_INVALID_ARGUMENT, "%s has %llu elements, expected %llu", what, (unsigned long long)actual,
           (unsigned long long)expected);
  return 0;
}

/* A buffer the call needs: not null, and exactly `expected` elements. */
static int s4b_buffer_is(const void* data, size_t length, uint64_t expected, const char* what) {
  if (data) return s4b_size_is(length, expected, what);
  s4b_fail(S4SEG_INVALID_ARGUMENT, "%s is null", what);
  return 0;
}

/* width x height x channels of an 8-bit image, after a range check. */
static int s4b_image_size(int32_t width, int32_t height, int32_t channels, uint64_t* size) {
  if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
    s4b_fail(S4SEG_INVALID_ARGUMENT, "image of %dx%d with %d channels: need positive sizes and 1 or 3 channels",
             (int)width, (int)height, (int)channels);
    return 0;
  }
  *size = (uint64_t)width * (uint64_t)height * (uint64_t)channels;
  return 1;
}

static int s4b_make_view(const uint8_t* data, size_t length, int32_t width, int32_t height, int32_t channels,
                         const char* what, s4seg_image_view* view) {
  uint64_t size = 0;
  if (!s4b_image_size(width, height, channels, &size) || !s4b_buffer_is(data, length, size, what)) return 0;
  view->data = data;
  view->width = width;
  view->height = height;
  view->channels = channels;
  view->row_stride = (int64_t)width * channels;
  return 1;
}

/* Reads a NUL-terminated string out of a (buf, capacity, needed) C call into malloc'd memory;
 * the wrappers free it after converting (%newobject). */
typedef s4seg_status (*s4b_string_reader)(const void* object, const char* key, char* buf, size_t capacity,
                                          size_t* needed);

static char* s4b_read_string(s4b_string_reader read, const void* object, const char* key) {
  size_t needed = 0;
  s4seg_status status = read(object, key, NULL, 0, &needed);
  if (status != S4SEG_OK && status != S4SEG_BUFFER_TOO_SMALL) {
    s4b_check(status);
    return NULL;
  }
  char* text = (char*)malloc(needed ? needed : 1);
  if (!text) {
    s4b_fail(S4SEG_OUT_OF_MEMORY, "cannot allocate %llu bytes for a string", (unsigned long long)needed);
    return NULL;
  }
  if (!s4b_check(read(object, key, text, needed ? needed : 1, &needed))) {
    free(text);
    return NULL;
  }
  return text;
}

#endif /* S4SEG_BINDINGS_SUPPORT_H */
