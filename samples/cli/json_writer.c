#include "json_writer.h"

#include <math.h>

void json_begin(json_writer* w, FILE* file) {
  w->file = file;
  w->depth = 0;
  w->count[0] = 0;
  w->after_key = 0;
}

/* Writes the separator a new value needs at the current depth. */
static void before_value(json_writer* w) {
  if (w->after_key) {
    w->after_key = 0;
    return;
  }
  if (w->count[w->depth]++ > 0) fputc(',', w->file);
}

static void open_scope(json_writer* w, char bracket) {
  before_value(w);
  fputc(bracket, w->file);
  if (w->depth + 1 < JSON_MAX_DEPTH) w->count[++w->depth] = 0;
}

static void close_scope(json_writer* w, char bracket) {
  fputc(bracket, w->file);
  if (w->depth > 0) --w->depth;
}

void json_object_begin(json_writer* w) { open_scope(w, '{'); }
void json_object_end(json_writer* w) { close_scope(w, '}'); }
void json_array_begin(json_writer* w) { open_scope(w, '['); }
void json_array_end(json_writer* w) { close_scope(w, ']'); }

static void put_string(FILE* file, const char* text) {
  const unsigned char* p;
  fputc('"', file);
  for (p = (const unsigned char*)text; *p != '\0'; ++p) {
    if (*p == '"' || *p == '\\')
      fprintf(file, "\\%c", *p);
    else if (*p < 0x20)
      fprintf(file, "\\u%04x", (unsigned)*p);
    else
      fputc(*p, file);
  }
  fputc('"', file);
}

void json_key(json_writer* w, const char* key) {
  before_value(w);
  put_string(w->file, key);
  fputc(':', w->file);
  w->after_key = 1;
}

void json_string(json_writer* w, const char* text) {
  before_value(w);
  put_string(w->file, text);
}

void json_int(json_writer* w, int64_t value) {
  before_value(w);
  fprintf(w->file, "%lld", (long long)value);
}

/* `value` printed with `format` ("%.*g" or "%.*f") at `precision`; null when not finite. */
static void put_double(json_writer* w, const char* format, int precision, double value) {
  before_value(w);
  if (isfinite(value))
    fprintf(w->file, format, precision, value);
  else
    fputs("null", w->file);
}

void json_number(json_writer* w, double value, int digits) { put_double(w, "%.*g", digits, value); }

void json_fixed(json_writer* w, double value, int decimals) { put_double(w, "%.*f", decimals, value); }

void json_member_string(json_writer* w, const char* key, const char* text) {
  json_key(w, key);
  json_string(w, text);
}

void json_member_int(json_writer* w, const char* key, int64_t value) {
  json_key(w, key);
  json_int(w, value);
}

void json_member_fixed(json_writer* w, const char* key, double value, int decimals) {
  json_key(w, key);
  json_fixed(w, value, decimals);
}

void json_null(json_writer* w) {
  before_value(w);
  fputs("null", w->file);
}

void json_end_line(json_writer* w) {
  fputc('\n', w->file);
  w->count[0] = 0;
}
