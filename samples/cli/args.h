/* The commands' option tables, parsed with GNU getopt_long: "--name value", "--name=value",
 * unambiguous prefixes, boolean flags, repeated options, positional arguments in any place, "--"
 * and "--help"/"-h". */
#ifndef S4SEG_CLI_ARGS_H
#define S4SEG_CLI_ARGS_H

#include <stdint.h>

typedef enum arg_kind {
  ARG_FLAG,   /* dest: int*, set to 1 when present */
  ARG_STRING, /* dest: const char**, points into argv */
  ARG_INT,    /* dest: int64_t*, must be a base-10 integer >= min */
  ARG_LIST    /* dest: arg_list*, every occurrence appended in order */
} arg_kind;

/* Values collected from argv (pointers into argv; items is owned by the parser). */
typedef struct arg_list {
  const char** items;
  int count;
} arg_list;

typedef struct arg_spec {
  const char* name; /* "--out"; a spec with name NULL ends the table */
  arg_kind kind;
  int required;
  void* dest;
  int64_t min; /* ARG_INT only */
  int seen;    /* set by args_parse */
} arg_spec;

/* args_parse's result when the command should go on. */
#define ARGS_CONTINUE (-1)

/* Parses argv[1..argc-1] (argv[0] is the command name). `positional` may be NULL when the
 * command takes none. Returns ARGS_CONTINUE, or an exit status after printing: 0 after
 * --help (usage on stdout), 2 after a usage error (message and usage on stderr), 1 when out of
 * memory. After ARGS_CONTINUE, release the lists with args_free. */
int args_parse(int argc, char** argv, arg_spec* specs, arg_list* positional, const char* usage);

/* Frees the lists of `specs` and `positional` (NULL accepted); safe to call twice. */
void args_free(arg_spec* specs, arg_list* positional);

#endif /* S4SEG_CLI_ARGS_H */
