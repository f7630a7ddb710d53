/* `s4seg`: command dispatch, overall usage and --version. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <s4seg/s4seg.h>

#include "cli.h"
#include "util.h"

static const cli_command* const kCommands[] = {&cmd_demo,          &cmd_train, &cmd_eval, &cmd_predict,
                                               &cmd_pseudo_label, &cmd_info,  &cmd_synth, &cmd_bench};
#define COMMAND_COUNT (sizeof kCommands / sizeof kCommands[0])

static const char kUsage[] =
    "usage: s4seg <command> [options]\n"
    "       s4seg <command> --help\n"
    "       s4seg --help | --version\n"
    "\n"
    "commands:\n"
    "  demo          supervised vs semi-supervised on synthetic scenes, with a figure\n"
    "  train         train a model on list files (labeled, optionally unlabeled)\n"
    "  eval          evaluate a model on a list file (mIoU, pixel accuracy)\n"
    "  predict       write class maps and overlays for images\n"
    "  pseudo-label  write filtered pseudo-labels, confidences and overlays for a list\n"
    "  info          versions, devices and configuration keys\n"
    "  synth         write synthetic scenes as PNG files and list files\n"
    "  help          this text, or 'help <command>'\n";

static const cli_command* find_command(const char* name) {
  size_t i;
  for (i = 0; i < COMMAND_COUNT; ++i)
    if (strcmp(kCommands[i]->name, name) == 0) return kCommands[i];
  return NULL;
}

static int help(int argc, char** argv) {
  const cli_command* command;
  if (argc < 3) {
    fputs(kUsage, stdout);
    return CLI_EXIT_OK;
  }
  command = find_command(argv[2]);
  if (command == NULL) return cli_usage_error(NULL, kUsage, "unknown command '%s'", argv[2]);
  fputs(command->usage, stdout);
  return CLI_EXIT_OK;
}

/* A full disk or closed pipe on stdout must not look like success. */
static int finish(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fputs("s4seg: cannot write to standard output\n", stderr);
    if (status == CLI_EXIT_OK) status = CLI_EXIT_FAILURE;
  }
  return status;
}

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : NULL;
  const cli_command* command;
  if (name == NULL) return cli_usage_error(NULL, kUsage, "missing command");
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
    return finish(help(argc, argv));
  if (strcmp(name, "--version") == 0) {
    printf("s4seg %s\n", s4seg_version());
    return finish(CLI_EXIT_OK);
  }
  command = find_command(name);
  if (command == NULL) {
    if (name[0] == '-') return cli_usage_error(NULL, kUsage, "unknown option '%s'", name);
    return cli_usage_error(NULL, kUsage, "unknown command '%s'", name);
  }
  return finish(command->run(argc - 1, argv + 1));
}
