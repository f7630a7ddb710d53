/* A small command-line option parser (see args.h). */
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int is_option(const char* arg) { return strncmp(arg, "--", 2) == 0; }

static arg_spec* find_spec(arg_spec* specs, const char* name, size_t name_length) {
  arg_spec* spec;
  for (spec = specs; spec->name != NULL; ++spec)
    if (strlen(spec->name) == name_length && strncmp(spec->name, name, name_length) == 0) return spec;
  return NULL;
}

static int list_init(arg_list* list, int argc) {
  list->count = 0;
  list->items = malloc((size_t)argc * sizeof *list->items);
  return list->items != NULL ? 0 : -1;
}

static void list_free(arg_list* list) {
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

void args_free(arg_spec* specs, arg_list* positional) {
  arg_spec* spec;
  for (spec = specs; spec->name != NULL; ++spec)
    if (spec->kind == ARG_LIST) list_free((arg_list*)spec->dest);
  if (positional != NULL) list_free(positional);
}

static int lists_init(int argc, arg_spec* specs, arg_list* positional) {
  arg_spec* spec;
  int failed = 0;
  for (spec = specs; spec->name != NULL; ++spec) {
    spec->seen = 0;
    if (spec->kind == ARG_LIST) ((arg_list*)spec->dest)->items = NULL;
  }
  if (positional != NULL) positional->items = NULL;
  for (spec = specs; spec->name != NULL; ++spec)
    if (spec->kind == ARG_LIST && list_init((arg_list*)spec->dest, argc) != 0) failed = 1;
  if (positional != NULL && list_init(positional, argc) != 0) failed = 1;
  return failed ? -1 : 0;
}

static int wants_help(int argc, char** argv) {
  int i;
  for (i = 1; i < argc && strcmp(argv[i], "--") != 0; ++i)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
  return 0;
}

/* Stores `value` for `spec`; returns 0, or -1 after printing a usage error. */
static int store_value(arg_spec* spec, const char* value, const char* command, const char* usage) {
  char* end = NULL;
  long long number;
  switch (spec->kind) {
    case ARG_STRING:
      *(const char**)spec->dest = value;
      return 0;
    case ARG_LIST: {
      arg_list* list = (arg_list*)spec->dest;
      list->items[list->count++] = value;
      return 0;
    }
    case ARG_INT:
      errno = 0;
      number = strtoll(value, &end, 10);
      if (end == value || *end != '\0' || errno == ERANGE) {
        cli_usage_error(command, usage, "%s: '%s' is not an integer", spec->name, value);
        return -1;
      }
      if ((int64_t)number < spec->min) {
        cli_usage_error(command, usage, "%s must be at least %lld (got %s)", spec->name, (long long)spec->min,
                        value);
        return -1;
      }
      *(int64_t*)spec->dest = (int64_t)number;
      return 0;
    case ARG_FLAG:
      break;
  }
  return -1;
}

/* Handles the option at argv[*index]; returns 0, or -1 after printing a usage error. */
static int parse_option(int argc, char** argv, int* index, arg_spec* specs, const char* usage) {
  const char* command = argv[0];
  const char* arg = argv[*index];
  const char* equals = is_option(arg) ? strchr(arg, '=') : NULL;
  size_t name_length = equals != NULL ? (size_t)(equals - arg) : strlen(arg);
  arg_spec* spec = find_spec(specs, arg, name_length);
  const char* value;
  if (spec == NULL) {
    cli_usage_error(command, usage, "unknown option '%.*s'", (int)name_length, arg);
    return -1;
  }
  spec->seen = 1;
  if (spec->kind == ARG_FLAG) {
    if (equals != NULL) {
      cli_usage_error(command, usage, "option %s takes no value", spec->name);
      return -1;
    }
    *(int*)spec->dest = 1;
    return 0;
  }
  if (equals != NULL) {
    value = equals + 1;
  } else if (*index + 1 < argc && !is_option(argv[*index + 1])) {
    value = argv[++*index];
  } else {
    cli_usage_error(command, usage, "option %s needs a value", spec->name);
    return -1;
  }
  return store_value(spec, value, command, usage);
}

static int check_required(const arg_spec* specs, const char* command, const char* usage) {
  const arg_spec* spec;
  for (spec = specs; spec->name != NULL; ++spec)
    if (spec->required && !spec->seen) {
      cli_usage_error(command, usage, "missing required option %s", spec->name);
      return -1;
    }
  return 0;
}

int args_parse(int argc, char** argv, arg_spec* specs, arg_list* positional, const char* usage) {
  const char* command = argv[0];
  int only_positional = 0;
  int i;
  if (wants_help(argc, argv)) {
    fputs(usage, stdout);
    return CLI_EXIT_OK;
  }
  if (lists_init(argc, specs, positional) != 0) {
    args_free(specs, positional);
    return cli_error("out of memory");
  }
  for (i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (!only_positional && strcmp(arg, "--") == 0) {
      only_positional = 1;
    } else if (!only_positional && arg[0] == '-' && arg[1] != '\0') {
      if (parse_option(argc, argv, &i, specs, usage) != 0) goto usage_error;
    } else if (positional != NULL) {
      positional->items[positional->count++] = arg;
    } else {
      cli_usage_error(command, usage, "unexpected argument '%s'", arg);
      goto usage_error;
    }
  }
  if (check_required(specs, command, usage) != 0) goto usage_error;
  return ARGS_CONTINUE;

usage_error:
  args_free(specs, positional);
  return CLI_EXIT_USAGE;
}
