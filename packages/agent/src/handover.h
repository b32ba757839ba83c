/*
 * Handing a sandbox's running commands to a new daemon. An agent whose daemon went away (killed,
 * restarted) keeps its commands and waits: it listens on a Unix socket in a directory only its
 * user can enter (<the binary's dir>/.pocketdock-<uid>, mode 0700, checked before use). The next
 * agent started in the sandbox first offers its own stdin and stdout (the new daemon's stream) to
 * the agents listening there, passing the descriptors (SCM_RIGHTS, stderr too): the first one of the same
 * build that has no daemon takes them and talks to the new daemon directly, while the offering
 * process only waits for it to let go. An agent that still has its daemon refuses, so two daemons
 * sharing a sandbox never take each other's agent.
 */
#ifndef POCKETDOCK_HANDOVER_H
#define POCKETDOCK_HANDOVER_H

#include <stddef.h>

/* The private directory into `dir` (created if need be); -1 when it is missing, foreign or open to others. */
int handover_dir(char *dir, size_t len);

/*
 * Offers fds 0, 1 and 2 to the agents listening in `dir`. 1 once one took them: the caller's own
 * copies are closed and it returns only once that agent let go (its daemon left again, or it
 * ended); 0 when none took them.
 */
int handover_offer(const char *dir);

/* A listening socket in `dir`, its path in `path`; -1 when none could be made (no handover then). */
int handover_listen(const char *dir, char *path, size_t len);

/*
 * Takes one connection off `lfd`: the stdin, stdout and stderr it brought in `stdio` (-1s when it
 * brought none, or another user connected). Returns the connection, or -1.
 */
int handover_accept(int lfd, int stdio[3]);

#endif
