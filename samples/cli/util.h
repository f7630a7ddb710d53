/* Error reporting and small image-buffer helpers shared by every command. */
#ifndef S4SEG_CLI_UTIL_H
#define S4SEG_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <s4seg/s4seg.h>

/* Exit statuses of the program. */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAILURE = 1,      /* a library call or the system failed */
  CLI_EXIT_USAGE = 2,        /* bad command line */
  CLI_EXIT_INTERRUPTED = 130 /* stopped by SIGINT (128 + 2), work saved */
};

#if defined(__GNUC__)
#define CLI_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define CLI_PRINTF(fmt_index, first_arg)
#endif

/* Prints "s4seg: <STATUS_NAME>: <s4seg_last_error()>" to stderr; returns CLI_EXIT_FAILURE.
 * Call it right after the failing call, before any other s4seg call (including a _free). */
int cli_fail(s4seg_status status);

/* Prints "s4seg: <message>" to stderr; returns CLI_EXIT_FAILURE. */
int cli_error(const char* fmt, ...) CLI_PRINTF(1, 2);

/* Prints "s4seg[ <command>]: <message>" and then `usage` to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char* command, const char* usage, const char* fmt, ...) CLI_PRINTF(3, 4);

/* Sets *bytes = width * height * channels; returns -1 if a dimension is not positive or the
 * product does not fit in size_t, else 0. */
int cli_pixel_bytes(int32_t width, int32_t height, int32_t channels, size_t* bytes);

/* A C API text getter in one shape: text `index` of `source` (as the adapter defines them) into
 * `buf`, with the library's buffer rule (S4SEG_BUFFER_TOO_SMALL and `*needed` when it does not fit). */
typedef s4seg_status (*cli_text_getter)(const void* source, int64_t index, char* buf, size_t capacity, size_t* needed);

/* The whole text as a malloc'd string (free it): a size query, then the copy. NULL after printing
 * why. */
char* cli_read_text(cli_text_getter get, const void* source, int64_t index);

/* Seconds on the monotonic clock (0 if it cannot be read), for timing. */
double cli_now_seconds(void);

/* A view of a tightly packed buffer (row_stride = width * channels). */
s4seg_image_view cli_view(const uint8_t* data, int32_t width, int32_t height, int32_t channels);

/* "%.4f", or "n/a" for NaN; returns `buf`. */
const char* cli_fmt_ratio(double value, char* buf, size_t size);

#endif /* S4SEG_CLI_UTIL_H */
