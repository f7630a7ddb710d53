/* Applying user configuration: a `key = value` file and `--set key=value` options. */
#ifndef S4SEG_CLI_CONFIG_UTIL_H
#define S4SEG_CLI_CONFIG_UTIL_H

#include <s4seg/s4seg.h>

#include "args.h"

/* Reads `path` and applies it with s4seg_config_parse. Returns CLI_EXIT_OK, or
 * CLI_EXIT_FAILURE after printing why. */
int config_apply_file(s4seg_config* config, const char* path);

/* True when `assignment` has the form "key=value" with a non-empty key. */
int config_is_assignment(const char* assignment);

/* Checks that every --set value has the form "key=value". Returns ARGS_CONTINUE, or the usage
 * error's exit status after printing it for `command`. */
int config_check_assignments(const char* command, const char* usage, const arg_list* sets);

/* Applies one "key=value" with s4seg_config_set. Returns CLI_EXIT_OK, or CLI_EXIT_FAILURE after
 * printing why. */
int config_apply_assignment(s4seg_config* config, const char* assignment);

/* A command's own option for one key, as text (s4seg_config_set converts it to the key's type);
 * `text` NULL = the option was not given. */
typedef struct config_setting {
  const char* key;
  const char* text;
} config_setting;

/* The one order every command builds its config in: `base` (copied; NULL = the defaults), then
 * --config `file` (NULL = none), then the command's own `settings`, then each --set of `sets`
 * (NULL = none). Returns CLI_EXIT_OK with *out set (the caller frees it), or an exit status after
 * printing why (nothing to free then). */
int config_build(const s4seg_config* base, const char* file, const config_setting* settings, size_t count,
                 const arg_list* sets, s4seg_config** out);

/* `value` as decimal text in `buf` (at least 24 bytes), or NULL when `value < given_from` (the
 * option's "not given" values), for a config_setting. */
const char* config_int_text(int64_t value, int64_t given_from, char* buf);

/* Returns the int value of `key` in *value, or prints the failure. Returns CLI_EXIT_*. */
int config_get_int(const s4seg_config* config, const char* key, int64_t* value);

/* Sets *value to a malloc'd copy of `key`'s value as text (free it), or prints the failure.
 * Returns CLI_EXIT_*. */
int config_get_string(const s4seg_config* config, const char* key, char** value);

#endif /* S4SEG_CLI_CONFIG_UTIL_H */
