/*
 * Starting a command: the agent clones a shim, a child subreaper that vforks the command in its own
 * session and reaps everything below it. The shim writes the command's pid (4 bytes) to its
 * status pipe once the command has exec'd, its exit code (4 bytes) when it ends, and exits once its
 * tree is empty.
 */
#ifndef POCKETDOCK_SPAWN_H
#define POCKETDOCK_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

struct spawn_req {
  int with_stdin;
  char **argv; /* NULL-terminated */
  char **env;  /* NAME=value to set over the agent's own environment, NULL-terminated */
  const char *cwd; /* "" for the agent's own */
};

struct spawned {
  pid_t shim;
  void *stack; /* the shim's, for spawn_release once the shim has been reaped */
  pid_t main; /* the command's own process */
  int in;     /* write end of the command's stdin, or -1 */
  int out;    /* read ends of its stdout and stderr */
  int err;
  int status; /* read end of the shim's status pipe */
};

/* 0 on success; -1 with a message in `why` when the pipes or the shim could not be made. */
int spawn_command(const struct spawn_req *req, struct spawned *s, char *why, size_t whylen);

/* Gives back a shim's stack: only once the shim has been reaped, never while it may still run. */
void spawn_release(void *stack);

#endif
