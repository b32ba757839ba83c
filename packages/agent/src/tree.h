/*
 * A command's tree: every process below its shim. The shim is a child subreaper, so a descendant
 * that double-forks, calls setsid, runs under nohup or clears its environment is reparented to the
 * shim when its parent dies: it stays in the tree, and signalling the tree reaches it.
 */
#ifndef POCKETDOCK_TREE_H
#define POCKETDOCK_TREE_H

#include <sys/types.h>

/* How a command's processes are marked: the daemon sets it, everything forked inherits it. */
#define MARKER_VAR "POCKETDOCK_EXEC="

/*
 * Signals every process below `root` (not root itself); returns how many were signalled, or how many
 * groups. Any signal goes to process group `group` (0: none), the command's own, before the /proc walk,
 * which then signals the tree's processes outside that group: the kernel signals a group in one call,
 * a fork racing it included, where the walk misses a child forked after it looked (a shell that has
 * not yet forked its command when a SIGTERM comes). SIGKILL also goes to every group of the tree
 * after the walk: a fork bomb's runnable tasks starve the walk and fork past it.
 */
int tree_signal(pid_t root, pid_t group, int sig);

/*
 * A session command's processes below `root`, the shell `shell` excepted: those carrying
 * POCKETDOCK_EXEC=marker, and those started at or after `since` (clock ticks since boot) that carry
 * no marker (env -i) or the shell's own (a subshell the shell forked without exec, whose environ
 * is still the shell's first one), with all their descendants. Returns how many were signalled.
 */
int tree_signal_marked(pid_t root, pid_t shell, int sig, const char *marker, unsigned long long since);

/* Now, in the clock ticks since boot that /proc/<pid>/stat's start time uses. */
unsigned long long ticks_now(void);

#endif
