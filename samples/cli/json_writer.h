/* The one JSON writer of the program: a streaming writer that places the commas and quotes, and
 * escapes strings, so that no command prints JSON by hand. Numbers that are not finite are
 * written as null. */
#ifndef S4SEG_CLI_JSON_WRITER_H
#define S4SEG_CLI_JSON_WRITER_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

typedef struct json_writer {
  FILE* file;
  int depth;
  int count[JSON_MAX_DEPTH]; /* values written so far at each depth */
  int after_key;             /* the next value follows a key (no comma) */
} json_writer;

void json_begin(json_writer* w, FILE* file);
void json_object_begin(json_writer* w);
void json_object_end(json_writer* w);
void json_array_begin(json_writer* w);
void json_array_end(json_writer* w);
/* The key of the next member of the current object. */
void json_key(json_writer* w, const char* key);
void json_string(json_writer* w, const char* text);
void json_int(json_writer* w, int64_t value);
/* `value` with %.*g at `digits` significant digits (17 round-trips a double); null when not finite. */
void json_number(json_writer* w, double value, int digits);
/* `value` with %.*f at `decimals` decimals; null when not finite. */
void json_fixed(json_writer* w, double value, int decimals);
void json_null(json_writer* w);
/* An object member: the key, then the value. */
void json_member_string(json_writer* w, const char* key, const char* text);
void json_member_int(json_writer* w, const char* key, int64_t value);
void json_member_fixed(json_writer* w, const char* key, double value, int decimals);
/* Ends a top-level value with a newline (JSON Lines). */
void json_end_line(json_writer* w);

#endif /* S4SEG_CLI_JSON_WRITER_H */
