/*
 * The agent's wire format, both ways over its one stdio stream: a 9-byte header — type (1 byte),
 * command id (u32 little-endian), payload length (u32 little-endian) — then the payload.
 * The TypeScript side reads these codes from this file (src/protocol.ts, checked by a unit test).
 */
#ifndef POCKETDOCK_FRAME_H
#define POCKETDOCK_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER 9
/* Largest payload accepted from the daemon: a spawn's argv and environment, or a stdin piece. */
#define FRAME_MAX (16u * 1024 * 1024)

/* daemon -> agent */
#define OP_SPAWN 'S'  /* u32 flags, u32 argc, u32 envc, u64 output limit (see OP_FLOW), then argc + envc + 1
                         (cwd) NUL-terminated strings */
#define OP_STDIN 'I'  /* bytes for the command's stdin */
#define OP_CLOSE 'C'  /* close the command's stdin once what was written has gone */
#define OP_SIGNAL 'K' /* u32 signal [, u32 scope]: to every process of the command's tree (SIGKILL repeats
                         until none is left), or with scope SIGNAL_MAIN to the command's own process only */
#define OP_NOTE 'N'   /* marker: a session command starts now (see OP_MARKED) */
#define OP_MARKED 'M' /* u32 signal, marker: to a session command's processes (tree.h) */
#define OP_FLOW 'W'   /* u64: output bytes (both streams, from the start) the command may send in all; past
                         them its pipes are not read, so it blocks (backpressure for one command) */

/* agent -> daemon */
#define EV_READY 'R'  /* id 0, payload: the agent's version line, a space, its build (AGENT_BUILD) */
#define EV_STDOUT 'O'
#define EV_STDERR 'E'
#define EV_EXIT 'X'   /* i32: exit code, 128+N for a signal N, -1 unknown; all output came before it */
#define EV_GONE 'Z'   /* nothing of the command's tree is left; after EV_EXIT */
#define EV_ACK 'A'    /* u32: processes signalled by an OP_SIGNAL or OP_MARKED, in order per command */
#define EV_FAIL 'F'   /* message: the command could not be started (after it, nothing more for this id) */
#define EV_LIST 'L'   /* id 0, after EV_READY: the commands that run, or ended while no daemon listened, one record each:
                         u32 id, u32 LIVE_* flags, i32 exit code (with LIVE_EXITED), u64 output bytes sent so
                         far (both streams, counting those read while no daemon listened), then its
                         POCKETDOCK_EXEC value, NUL-terminated. Empty from a new agent. */

#define SPAWN_STDIN 1u /* keep a pipe to the command's stdin (OP_STDIN, OP_CLOSE); else /dev/null */
#define SIGNAL_MAIN 1u
#define LIVE_STDIN 1u  /* EV_LIST: the command's stdin is open */
#define LIVE_EXITED 2u /* EV_LIST: the command's own process has ended */
#define LIVE_GONE 4u   /* EV_LIST: its tree has too, while no daemon listened (kept for its exit code) */

#define VERSION_LINE "pocketdock-agent 1"
/* The hash of the sources it was built from (build.sh): the daemon runs no agent but its own build. */
#ifndef AGENT_BUILD
#define AGENT_BUILD "unknown"
#endif

void put_u32(unsigned char *p, uint32_t v);
int frame_send(int fd, char type, uint32_t id, const void *data, size_t len);

#endif
