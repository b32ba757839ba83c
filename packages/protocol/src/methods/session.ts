/**
 * session.*: persistent shells. A session's id is also its shell's exec id: exec.subscribe and
 * exec.poll on it follow everything the session prints (end-of-command marks removed), from
 * absolute offsets, with evictions reported. Commands run one at a time in the order they arrive;
 * state (cwd, variables, functions) persists between them. `exit` ends the session; `set -e`
 * cannot (commands run where errexit is ignored). Calls on a closed session, or one whose shell
 * died, fail with SessionClosed and the reason.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ExecResult } from '../types.js';
import { ContainerRef, ExecId, Seconds, addressed, method, params } from './spec.js';

export const SessionId = Type.String({
  pattern: ExecId.pattern,
  description: "Session id (its shell's exec id); a client may choose it when opening",
});

export const SessionInfo = Type.Object(
  {
    sessionId: Type.String(),
    containerId: Type.String(),
    shell: Type.String({ description: '"bash" when the image has it, else "sh"' }),
    open: Type.Boolean(),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why the session closed; null while open' }),
    busy: Type.Boolean({ description: 'a command is running' }),
    queued: Type.Integer({ description: 'commands waiting for the running one' }),
  },
  { $id: 'SessionInfo' },
);
export type SessionInfo = Static<typeof SessionInfo>;

const Command = Type.String({ description: 'Shell text, possibly several lines; its stdin is /dev/null' });

export const SESSION_METHODS = {
  'session.open': method(
    addressed({ sessionId: Type.Optional(SessionId) }),
    SessionInfo,
    "Starts a shell in the container (opening an open session's id again returns it).",
  ),
  'session.send': method(
    params({ sessionId: SessionId, command: Command }),
    Type.Null(),
    'Queues a command without waiting; its output is kept for session.read.',
  ),
  'session.sendAndWait': method(
    params({
      sessionId: SessionId,
      command: Command,
      timeout: Type.Optional(Seconds),
      maxOutput: Type.Optional(Type.Integer({ minimum: 0, description: 'bytes kept per stream; default 10 MiB' })),
    }),
    ExecResult,
    "Queues a command and returns its result once it has run. Past `timeout` (default: the container's; counted from when the command starts, after those queued before it) the command is interrupted and the session stays usable.",
  ),
  'session.read': method(
    params({ sessionId: SessionId }),
    Type.Object({
      output: Type.String({ description: 'stdout and stderr in arrival order' }),
      lost: Type.Integer({ description: 'bytes evicted from the buffer (1 MiB) since the last read' }),
    }),
    'Returns and clears what send commands and background jobs printed since the last read.',
  ),
  'session.close': method(
    params({ sessionId: SessionId }),
    Type.Null(),
    'Ends the shell (a running command is killed); queued commands fail with SessionClosed.',
  ),
  'session.info': method(params({ sessionId: SessionId }), SessionInfo, 'The state of a session, open or closed.'),
  'session.list': method(
    params({ container: Type.Optional(ContainerRef) }),
    Type.Array(SessionInfo),
    'The sessions the daemon knows, optionally in one container.',
  ),
} as const;
