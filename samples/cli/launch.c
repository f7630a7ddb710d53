#define _POSIX_C_SOURCE 200809L
#include "launch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

/* A loopback port nobody listens on now (the kernel's pick; rank 0 binds it moments later). */
static int free_loopback_port(void) {
  struct sockaddr_in addr;
  socklen_t size = sizeof addr;
  int port = -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) == 0 && getsockname(fd, (struct sockaddr*)&addr, &size) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

/* The worker's argv: "s4seg", the command's arguments without --nproc, then the rank options.
 * The strings of rank_text/world_text/master_text must outlive the exec. */
static char** worker_argv(int argc, char** argv, char* rank_text, char* world_text, char* master_text) {
  int i, n = 0;
  char** out = calloc((size_t)argc + 8, sizeof *out);
  if (out == NULL) return NULL;
  out[n++] = "s4seg";
  for (i = 0; i < argc; ++i) {
    if (strcmp(argv[i], "--nproc") == 0) {
      ++i; /* and its value */
      continue;
    }
    if (strncmp(argv[i], "--nproc=", 8) == 0) continue;
    out[n++] = argv[i];
  }
  out[n++] = "--rank";
  out[n++] = rank_text;
  out[n++] = "--world-size";
  out[n++] = world_text;
  out[n++] = "--master";
  out[n++] = master_text;
  out[n] = NULL;
  return out;
}

static int exit_code(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 128 + (WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0);
}

int launch_local_workers(int nproc, int argc, char** argv) {
  char world_text[16], master_text[32];
  pid_t* pids;
  int i, running = 0, result = CLI_EXIT_OK;
  struct sigaction ignore, previous;
  int port = free_loopback_port();
  if (port <= 0) return cli_error("--nproc: no free loopback port (%s)", strerror(errno));
  pids = calloc((size_t)nproc, sizeof *pids);
  if (pids == NULL) return cli_error("out of memory");
  snprintf(world_text, sizeof world_text, "%d", nproc);
  snprintf(master_text, sizeof master_text, "127.0.0.1:%d", port);
  /* Ctrl-C reaches every worker (same process group); each stops and rank 0 saves. The
   * launcher only waits. */
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGINT, &ignore, &previous);
  fflush(NULL);
  for (i = 0; i < nproc; ++i) {
    char rank_text[16];
    char** wargv;
    snprintf(rank_text, sizeof rank_text, "%d", i);
    wargv = worker_argv(argc, argv, rank_text, world_text, master_text);
    if (wargv == NULL) {
      result = cli_error("out of memory");
      break;
    }
    pids[i] = fork();
    if (pids[i] == 0) {
      sigaction(SIGINT, &previous, NULL);
      execv("/proc/self/exe", wargv);
      fprintf(stderr, "s4seg: --nproc: cannot start worker %d: %s\n", i, strerror(errno));
      _exit(CLI_EXIT_FAILURE);
    }
    free(wargv);
    if (pids[i] < 0) {
      result = cli_error("--nproc: cannot start worker %d: %s", i, strerror(errno));
      pids[i] = 0;
      break;
    }
    ++running;
  }
  if (result != CLI_EXIT_OK)
    for (i = 0; i < nproc; ++i)
      if (pids[i] > 0) kill(pids[i], SIGTERM);
  while (running > 0) {
    int wait_status = 0;
    pid_t done = waitpid(-1, &wait_status, 0);
    if (done < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (i = 0; i < nproc; ++i) {
      if (pids[i] != done) continue;
      pids[i] = 0;
      --running;
      if (exit_code(wait_status) != 0 && result == CLI_EXIT_OK) {
        int j;
        result = exit_code(wait_status);
        fprintf(stderr, "s4seg: --nproc: worker %d exited with status %d; stopping the others\n", i, result);
        for (j = 0; j < nproc; ++j)
          if (pids[j] > 0) kill(pids[j], SIGTERM);
      }
    }
  }
  sigaction(SIGINT, &previous, NULL);
  free(pids);
  return result;
}
