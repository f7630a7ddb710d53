/* `s4seg info`: versions, devices, training methods and, with --keys, every configuration key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s4seg/s4seg.h>

#include "args.h"
#include "cli.h"
#include "util.h"

static const char kUsage[] =
    "usage: s4seg info [--keys] [--markdown]\n"
    "\n"
    "Prints the s4seg and LibTorch versions, the compute devices and the training methods (the values\n"
    "of train.method / --method, each with one line; '+unlabeled' marks the semi-supervised ones).\n"
    "\n"
    "options:\n"
    "  --keys       also list every configuration key: type, default, allowed values, description\n"
    "  --markdown   print only the key table, as Markdown (docs/config-keys.md)\n";

/* Tries a few times in case the text grows between the size query and the copy. */
#define DEVICE_INFO_ATTEMPTS 3

/* Prints each line of `text` indented by two spaces. */
static void print_indented(const char* text) {
  while (*text != '\0') {
    size_t length = strcspn(text, "\n");
    printf("  %.*s\n", (int)length, text);
    text += length;
    if (*text == '\n') ++text;
  }
}

static int print_devices(void) {
  char* text = NULL;
  size_t needed = 0, capacity = 0;
  int attempt;
  s4seg_status status = s4seg_device_info(NULL, 0, &needed);
  for (attempt = 0; attempt < DEVICE_INFO_ATTEMPTS && status == S4SEG_BUFFER_TOO_SMALL; ++attempt) {
    char* bigger = realloc(text, needed);
    if (bigger == NULL) {
      free(text);
      return cli_error("out of memory");
    }
    text = bigger;
    capacity = needed;
    status = s4seg_device_info(text, capacity, &needed);
  }
  if (status != S4SEG_OK) {
    free(text);
    return cli_fail(status);
  }
  printf("devices:\n");
  print_indented(text != NULL ? text : "");
  free(text);
  return CLI_EXIT_OK;
}

/* s4seg_method_name and s4seg_method_summary as cli_text_getters (`source` unused). */
static s4seg_status get_method_name(const void* source, int64_t index, char* buf, size_t capacity, size_t* needed) {
  (void)source;
  return s4seg_method_name((size_t)index, buf, capacity, needed);
}

static s4seg_status get_method_summary(const void* source, int64_t index, char* buf, size_t capacity, size_t* needed) {
  (void)source;
  return s4seg_method_summary((size_t)index, buf, capacity, needed);
}

static int print_methods(void) {
  const size_t count = s4seg_method_count();
  size_t i;
  printf("methods:\n");
  for (i = 0; i < count; ++i) {
    uint32_t flags = 0;
    char* name = cli_read_text(get_method_name, NULL, (int64_t)i);
    char* summary = name != NULL ? cli_read_text(get_method_summary, NULL, (int64_t)i) : NULL;
    s4seg_status status = summary != NULL ? s4seg_method_flags(i, &flags) : S4SEG_OK;
    if (summary != NULL && status == S4SEG_OK)
      printf("  %-11s %-11s %s\n", name, (flags & S4SEG_METHOD_USES_UNLABELED) ? "+unlabeled" : "labeled", summary);
    free(name);
    free(summary);
    if (summary == NULL) return CLI_EXIT_FAILURE;
    if (status != S4SEG_OK) return cli_fail(status);
  }
  return CLI_EXIT_OK;
}

static const char* type_name(s4seg_value_type type) {
  switch (type) {
    case S4SEG_TYPE_INT: return "int";
    case S4SEG_TYPE_DOUBLE: return "double";
    case S4SEG_TYPE_BOOL: return "bool";
    case S4SEG_TYPE_STRING: return "string";
  }
  return "?";
}

typedef struct key_row {
  const char *name, *type, *default_value, *allowed, *doc;
} key_row;

static s4seg_status key_row_get(size_t index, key_row* row) {
  s4seg_value_type type = S4SEG_TYPE_STRING;
  const char *name = NULL, *default_value = NULL, *allowed = NULL, *doc = NULL;
  s4seg_status status = s4seg_config_key_info(index, &name, &type, &default_value, &allowed, &doc);
  if (status != S4SEG_OK) return status;
  row->name = name != NULL ? name : "?";
  row->type = type_name(type);
  row->default_value = default_value != NULL && default_value[0] != '\0' ? default_value : "\"\"";
  row->allowed = allowed != NULL && allowed[0] != '\0' ? allowed : "-";
  row->doc = doc != NULL ? doc : "";
  return S4SEG_OK;
}

static void widen(int* width, const char* text) {
  size_t length = strlen(text);
  if (length > (size_t)*width) *width = length > 200 ? 200 : (int)length;
}

static int print_keys(void) {
  size_t count = s4seg_config_key_count(), i;
  int w_name = 3, w_type = 4, w_default = 7, w_allowed = 7;
  key_row row;
  s4seg_status status;
  for (i = 0; i < count; ++i) {
    status = key_row_get(i, &row);
    if (status != S4SEG_OK) return cli_fail(status);
    widen(&w_name, row.name);
    widen(&w_type, row.type);
    widen(&w_default, row.default_value);
    widen(&w_allowed, row.allowed);
  }
  printf("\n%-*s  %-*s  %-*s  %-*s  %s\n", w_name, "key", w_type, "type", w_default, "default", w_allowed,
         "allowed", "description");
  for (i = 0; i < count; ++i) {
    status = key_row_get(i, &row);
    if (status != S4SEG_OK) return cli_fail(status);
    printf("%-*s  %-*s  %-*s  %-*s  %s\n", w_name, row.name, w_type, row.type, w_default, row.default_value,
           w_allowed, row.allowed, row.doc);
  }
  return CLI_EXIT_OK;
}

/* Prints `text` with '|' escaped, so it stays inside one Markdown table cell. */
static void print_cell(const char* text) {
  for (; *text; ++text) {
    if (*text == '|') putchar('\\');
    putchar(*text);
  }
}

/* The key registry as the Markdown page docs/config-keys.md (kept current by a test). */
static int print_keys_markdown(void) {
  size_t count = s4seg_config_key_count(), i;
  key_row row;
  printf("# Configuration keys\n\n"
         "Generated by `s4seg info --keys --markdown` from the registry in `impl/core/config_registry.cpp`;\n"
         "a test fails when this page and the registry disagree.\n\n"
         "| key | type | default | allowed | description |\n"
         "| --- | --- | --- | --- | --- |\n");
  for (i = 0; i < count; ++i) {
    s4seg_status status = key_row_get(i, &row);
    if (status != S4SEG_OK) return cli_fail(status);
    printf("| `%s` | %s | `%s` | ", row.name, row.type, row.default_value);
    print_cell(row.allowed);
    printf(" | ");
    print_cell(row.doc);
    printf(" |\n");
  }
  return CLI_EXIT_OK;
}

static int run(int argc, char** argv) {
  int keys = 0, markdown = 0;
  arg_spec specs[] = {{"--keys", ARG_FLAG, 0, &keys, 0, 0}, {"--markdown", ARG_FLAG, 0, &markdown, 0, 0},
                      {NULL, ARG_FLAG, 0, NULL, 0, 0}};
  int result = args_parse(argc, argv, specs, NULL, kUsage);
  if (result != ARGS_CONTINUE) return result;
  args_free(specs, NULL);
  if (markdown) return print_keys_markdown();
  printf("s4seg     %s\n", s4seg_version());
  printf("LibTorch  %s\n", s4seg_backend_version());
  result = print_devices();
  if (result == CLI_EXIT_OK) result = print_methods();
  if (result == CLI_EXIT_OK && keys) result = print_keys();
  return result;
}

const cli_command cmd_info = {"info", "versions, devices, methods and configuration keys", kUsage, run};
