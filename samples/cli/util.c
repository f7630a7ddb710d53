/* Error reporting, timing and small image-buffer helpers shared by every command. */
#define _POSIX_C_SOURCE 200809L

#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char* cli_read_text(cli_text_getter get, const void* source, int64_t index) {
  size_t needed = 0;
  char* text;
  s4seg_status status = get(source, index, NULL, 0, &needed);
  if (status != S4SEG_OK && status != S4SEG_BUFFER_TOO_SMALL) {
    cli_fail(status);
    return NULL;
  }
  if (needed == 0) needed = 1;
  text = malloc(needed);
  if (text == NULL) {
    cli_error("out of memory");
    return NULL;
  }
  status = get(source, index, text, needed, &needed);
  if (status != S4SEG_OK) {
    cli_fail(status);
    free(text);
    return NULL;
  }
  return text;
}

double cli_now_seconds(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) return 0.0;
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int cli_fail(s4seg_status status) {
  /* The message is only valid until the next s4seg call, so copy it before asking for the name. */
  const char* message = s4seg_last_error();
  size_t length = strlen(message);
  char* copy = malloc(length + 1);
  const char* name;
  if (copy != NULL) memcpy(copy, message, length + 1);
  name = s4seg_status_string(status);
  if (copy == NULL)
    fprintf(stderr, "s4seg: %s: (message lost: out of memory)\n", name);
  else if (length == 0)
    fprintf(stderr, "s4seg: %s\n", name);
  else
    fprintf(stderr, "s4seg: %s: %s\n", name, copy);
  free(copy);
  return CLI_EXIT_FAILURE;
}

int cli_error(const char* fmt, ...) {
  va_list args;
  fputs("s4seg: ", stderr);
  va_start(args, fmt);
  vfprintf(stderr, fmt, args);
  va_end(args);
  fputc('\n', stderr);
  return CLI_EXIT_FAILURE;
}

int cli_usage_error(const char* command, const char* usage, const char* fmt, ...) {
  va_list args;
  if (command != NULL)
    fprintf(stderr, "s4seg %s: ", command);
  else
    fputs("s4seg: ", stderr);
  va_start(args, fmt);
  vfprintf(stderr, fmt, args);
  va_end(args);
  fputc('\n', stderr);
  fputs(usage, stderr);
  return CLI_EXIT_USAGE;
}

int cli_pixel_bytes(int32_t width, int32_t height, int32_t channels, size_t* bytes) {
  size_t w = (size_t)width, h = (size_t)height, c = (size_t)channels;
  if (width <= 0 || height <= 0 || channels <= 0) return -1;
  if (w > SIZE_MAX / h || w * h > SIZE_MAX / c) return -1;
  *bytes = w * h * c;
  return 0;
}

s4seg_image_view cli_view(const uint8_t* data, int32_t width, int32_t height, int32_t channels) {
  s4seg_image_view view;
  view.data = data;
  view.width = width;
  view.height = height;
  view.channels = channels;
  view.row_stride = (int64_t)width * channels;
  return view;
}

const char* cli_fmt_ratio(double value, char* buf, size_t size) {
  if (isnan(value))
    snprintf(buf, size, "n/a");
  else
    snprintf(buf, size, "%.4f", value);
  return buf;
}
