/* Applying user configuration (see config_util.h). */
#include "config_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "util.h"

int config_apply_file(s4seg_config* config, const char* path) {
  s4seg_status status;
  char* text = fs_read_text(path);
  if (text == NULL) return cli_error("cannot read config file '%s': %s", path, strerror(errno));
  status = s4seg_config_parse(config, text);
  free(text);
  if (status != S4SEG_OK) return cli_fail(status);
  return CLI_EXIT_OK;
}

int config_is_assignment(const char* assignment) {
  const char* equals = strchr(assignment, '=');
  return equals != NULL && equals != assignment;
}

int config_check_assignments(const char* command, const char* usage, const arg_list* sets) {
  int i;
  for (i = 0; i < sets->count; ++i)
    if (!config_is_assignment(sets->items[i]))
      return cli_usage_error(command, usage, "--set expects KEY=VALUE, got '%s'", sets->items[i]);
  return ARGS_CONTINUE;
}

int config_apply_assignment(s4seg_config* config, const char* assignment) {
  size_t length = strlen(assignment);
  char* key = malloc(length + 1);
  char* equals;
  s4seg_status status;
  if (key == NULL) return cli_error("out of memory");
  memcpy(key, assignment, length + 1);
  equals = strchr(key, '=');
  if (equals == NULL) {
    free(key);
    return cli_error("--set expects key=value, got '%s'", assignment);
  }
  *equals = '\0';
  status = s4seg_config_set(config, key, equals + 1);
  free(key);
  if (status != S4SEG_OK) return cli_fail(status);
  return CLI_EXIT_OK;
}

int config_build(const s4seg_config* base, const char* file, const config_setting* settings, size_t count,
                 const arg_list* sets, s4seg_config** out) {
  s4seg_config* config = NULL;
  int result = CLI_EXIT_OK, i;
  size_t k;
  s4seg_status status = base != NULL ? s4seg_config_clone(base, &config) : s4seg_config_create(&config);
  if (status != S4SEG_OK) return cli_fail(status);
  if (file != NULL) result = config_apply_file(config, file);
  for (k = 0; k < count && result == CLI_EXIT_OK; ++k) {
    if (settings[k].text == NULL) continue;
    status = s4seg_config_set(config, settings[k].key, settings[k].text);
    if (status != S4SEG_OK) result = cli_fail(status);
  }
  for (i = 0; sets != NULL && i < sets->count && result == CLI_EXIT_OK; ++i)
    result = config_apply_assignment(config, sets->items[i]);
  if (result != CLI_EXIT_OK) {
    s4seg_config_free(config);
    return result;
  }
  *out = config;
  return CLI_EXIT_OK;
}

const char* config_int_text(int64_t value, int64_t given_from, char* buf) {
  if (value < given_from) return NULL;
  snprintf(buf, 24, "%lld", (long long)value);
  return buf;
}

int config_get_int(const s4seg_config* config, const char* key, int64_t* value) {
  s4seg_status status = s4seg_config_get_int(config, key, value);
  if (status != S4SEG_OK) return cli_fail(status);
  return CLI_EXIT_OK;
}

/* s4seg_config_get_string as a cli_text_getter: `source` is a config_key, `index` unused. */
typedef struct config_key {
  const s4seg_config* config;
  const char* key;
} config_key;

static s4seg_status get_config_text(const void* source, int64_t index, char* buf, size_t capacity, size_t* needed) {
  const config_key* k = (const config_key*)source;
  (void)index;
  return s4seg_config_get_string(k->config, k->key, buf, capacity, needed);
}

int config_get_string(const s4seg_config* config, const char* key, char** value) {
  const config_key source = {config, key};
  char* text = cli_read_text(get_config_text, &source, 0);
  if (text == NULL) return CLI_EXIT_FAILURE;
  *value = text;
  return CLI_EXIT_OK;
}
