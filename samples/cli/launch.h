/* `s4seg train --nproc N`: starts N local copies of the same command as the ranks of one
 * data-parallel job and waits for them. */
#ifndef S4SEG_CLI_LAUNCH_H
#define S4SEG_CLI_LAUNCH_H

/* argv: the command's arguments (argv[0] is the command name, e.g. "train"); every "--nproc N"
 * is dropped and each worker gets "--rank R --world-size N --master 127.0.0.1:PORT" on a free
 * loopback port. If a worker fails, the others are stopped. Returns the first failing worker's
 * exit status, or 0. */
int launch_local_workers(int nproc, int argc, char** argv);

#endif /* S4SEG_CLI_LAUNCH_H */
