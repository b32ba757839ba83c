/*
 * The spare shell: a `sh -s` started ahead of need, its shim and pipes ready, blocked reading its
 * script. A short `sh -c` request without stdin, environment or directory of its own is handed to
 * it: the script written into that pipe and the pipe closed, the command starts without an exec
 * of its own (dash's start — its exec, dynamic linking and first page faults — was 2 ms of a
 * `run true`'s 6 on the machine we measure on). Only where `sh` is dash, which reads its script
 * in blocks: the whole script is read before anything of it runs, so the script's commands find
 * their stdin (/dev/null, as a cold start gives them) unread. What differs from `sh -c`: `$-`
 * holds `s`, and the shell's own command line is `sh -s`. The agent's end ends it: its shell reads the
 * end of its script and exits without running anything.
 */
#ifndef POCKETDOCK_SPARE_H
#define POCKETDOCK_SPARE_H

#include <sys/types.h>

#include "spawn.h"

/* 1 while spare_make would start one: there is none, and sh is dash or not yet looked at. */
int spare_wanted(void);

/* Starts the spare when there is none and the image's sh is dash; blocks the caller for its exec. */
void spare_make(void);

/* 1 when `req` was started in the spare (taken: none is left), 0 when it must start cold. */
int spare_take(const struct spawn_req *req, struct spawned *s);

/* 1 when `pid` was the spare's shim, reaped: the spare is gone. */
int spare_reaped(pid_t pid);

#endif
