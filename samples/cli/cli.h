/* The commands of the `s4seg` program. */
#ifndef S4SEG_CLI_CLI_H
#define S4SEG_CLI_CLI_H

typedef struct cli_command {
  const char* name;
  const char* summary; /* one line for the overall usage */
  const char* usage;   /* full usage of the command, ends with a newline */
  /* argv[0] is the command name; returns the exit status. */
  int (*run)(int argc, char** argv);
} cli_command;

extern const cli_command cmd_demo;
extern const cli_command cmd_train;
extern const cli_command cmd_eval;
extern const cli_command cmd_predict;
extern const cli_command cmd_pseudo_label;
extern const cli_command cmd_info;
extern const cli_command cmd_synth;
extern const cli_command cmd_bench;

#endif /* S4SEG_CLI_CLI_H */
