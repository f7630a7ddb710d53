/* The commands' option tables over GNU getopt_long (see args.h). */
#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

static int check_required(const arg_spec* specs, const char* command, const char* usage) {
  const arg_spec* spec;
  for (spec = specs; spec->name != NULL; ++spec)
    if (spec->required && !spec->seen) {
      cli_usage_error(command, usage, "missing required option %s", spec->name);
      return -1;
    }
  return 0;
}

/* GNU getopt_long reports an option by its index in `specs` plus this offset (above any char). */
#define SPEC_CODE_BASE 256

int args_parse(int argc, char** argv, arg_spec* specs, arg_list* positional, const char* usage) {
  const char* command = argv[0];
  struct option* options;
  size_t count = 0, i;
  int code, index;
  if (wants_help(argc, argv)) {
    fputs(usage, stdout);
    return CLI_EXIT_OK;
  }
  while (specs[count].name != NULL) ++count;
  options = calloc(count + 1, sizeof *options);
  if (options == NULL || lists_init(argc, specs, positional) != 0) {
    free(options);
    args_free(specs, positional);
    return cli_error("out of memory");
  }
  for (i = 0; i < count; ++i) {
    options[i].name = specs[i].name + 2; /* "--out" -> "out" */
    options[i].has_arg = specs[i].kind == ARG_FLAG ? no_argument : required_argument;
    options[i].val = SPEC_CODE_BASE + (int)i;
  }
  /* "-": operands come back in order as code 1; ":": a missing value is ':' rather than '?'. */
  optind = 0; /* glibc: start afresh (a second parse in one process) */
  opterr = 0;
  while ((code = getopt_long(argc, argv, "-:", options, &index)) != -1) {
    if (code == 1) {
      if (positional == NULL) {
        cli_usage_error(command, usage, "unexpected argument '%s'", optarg);
        goto usage_error;
      }
      positional->items[positional->count++] = optarg;
    } else if (code == ':') {
      cli_usage_error(command, usage, "option %s needs a value", specs[optopt - SPEC_CODE_BASE].name);
      goto usage_error;
    } else if (code == '?') {
      if (optopt >= SPEC_CODE_BASE)
        cli_usage_error(command, usage, "option %s takes no value", specs[optopt - SPEC_CODE_BASE].name);
      else
        cli_usage_error(command, usage, "unknown or ambiguous option '%s'", argv[optind - 1]);
      goto usage_error;
    } else {
      arg_spec* spec = &specs[code - SPEC_CODE_BASE];
      spec->seen = 1;
      if (spec->kind == ARG_FLAG)
        *(int*)spec->dest = 1;
      else if (store_value(spec, optarg, command, usage) != 0)
        goto usage_error;
    }
  }
  for (; optind < argc; ++optind) { /* after "--" */
    if (positional == NULL) {
      cli_usage_error(command, usage, "unexpected argument '%s'", argv[optind]);
      goto usage_error;
    }
    positional->items[positional->count++] = argv[optind];
  }
  free(options);
  if (check_required(specs, command, usage) != 0) {
    args_free(specs, positional);
    return CLI_EXIT_USAGE;
  }
  return ARGS_CONTINUE;

usage_error:
  free(options);
  args_free(specs, positional);
  return CLI_EXIT_USAGE;
}
