/**
 * exec.*: commands running in a container, addressed by id — streamed, detached, or followed by any
 * client. Each of an exec's two streams is an append-only byte log with absolute offsets; the daemon
 * keeps its last `bufferSize` bytes and counts what it evicted, so a reader that falls behind or
 * reconnects is told exactly how much it lost.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ExecResult } from '../types.js';
import { RunOptions } from './container.js';
import { EXEC_KINDS, MAX_SECONDS, MAX_SUBSCRIPTIONS, STREAMS } from '../constants.js';
import { DEFAULTS, mib } from '../defaults.js';
import { ExecId, addressed, method, notification, oneOf, params } from './spec.js';

export type StreamName = (typeof STREAMS)[number];

export const StreamChunk = Type.Object(
  {
    stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
    data: Type.String(),
  },
  { $id: 'StreamChunk' },
);
export type StreamChunk = Static<typeof StreamChunk>;

export const BufferSnapshot = Type.Object({ stdout: Type.String(), stderr: Type.String() }, { $id: 'BufferSnapshot' });
export type BufferSnapshot = Static<typeof BufferSnapshot>;

const ByteOffset = Type.Integer({ minimum: 0, description: 'absolute byte offset in the stream' });
export const Offsets = Type.Object(
  { stdout: Type.Optional(ByteOffset), stderr: Type.Optional(ByteOffset) },
  { additionalProperties: false },
);
export type Offsets = Static<typeof Offsets>;

export const SubscriptionId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$',
  description:
    'Names one subscriber of the connection: each has its own cursor and lossless flag, and every exec.output/exec.exit it gets carries this id. ' +
    `A client may choose it (so it can route notifications that arrive before the answer); default: a new id, returned. At most ${MAX_SUBSCRIPTIONS} per connection and exec.`,
});

const Lossless = Type.Boolean({
  description:
    'Pause the command rather than drop bytes this subscriber has not received yet (default false: a subscriber that falls behind skips what was evicted and is told how much)',
});

export const ExecState = Type.Object(
  {
    execId: Type.String(),
    containerId: Type.String(),
    running: Type.Boolean(),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    bufferSize: Type.Integer({ description: 'bytes buffered now, both streams' }),
    bufferOverflow: Type.Boolean({ description: 'true once output was evicted from the buffer' }),
    offsets: Type.Object({ stdout: ByteOffset, stderr: ByteOffset }, { description: 'total bytes each stream produced (after maxOutput)' }),
    dropped: Type.Object({ stdout: Type.Integer(), stderr: Type.Integer() }, { description: 'bytes evicted from each buffer' }),
    lost: Type.Boolean({
      description:
        "true for an exec found again after a daemon restart: its output until then went with the old daemon (and, unless the container's agent ran it, so did its later output and its exit code); it can be killed and waited on",
    }),
  },
  { $id: 'ExecState' },
);
export type ExecState = Static<typeof ExecState>;

export const ExecKind = oneOf(
  EXEC_KINDS,
  '"run": container.run; "stream": exec.start not detached; "process": a detached process; "session": a session\'s shell; "terminal": a terminal',
);
export type ExecKind = Static<typeof ExecKind>;

export const ExecSummary = Type.Object(
  {
    ...ExecState.properties,
    command: Type.String({ description: 'the command as it was given' }),
    kind: ExecKind,
    startedAt: Type.String({ description: 'ISO 8601' }),
  },
  { $id: 'ExecSummary' },
);
export type ExecSummary = Static<typeof ExecSummary>;

export const BufferRead = Type.Object({
  stdout: Type.String(),
  stderr: Type.String(),
  bufferSize: Type.Integer(),
  bufferOverflow: Type.Boolean(),
});
export type BufferRead = Static<typeof BufferRead>;

export const PolledChunk = Type.Object({
  offset: ByteOffset,
  next: Type.Integer({ description: 'offset to ask for next time' }),
  data: Type.String(),
  lost: Type.Integer({ description: 'bytes between the requested offset and `offset` that were evicted before they could be read' }),
});
export type PolledChunk = Static<typeof PolledChunk>;

const Subscribed = { subscription: Type.String({ description: 'the subscription this notification is for' }) };

export const ExecOutput = Type.Object({
  execId: Type.String(),
  ...Subscribed,
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  offset: ByteOffset,
  next: ByteOffset,
  data: Type.String(),
  lost: Type.Optional(Type.Integer({ description: 'bytes skipped just before `offset` because they were evicted' })),
});
export type ExecOutput = Static<typeof ExecOutput>;

export const ExecExit = Type.Object({
  execId: Type.String(),
  ...Subscribed,
  result: ExecResult,
  error: Type.Optional(
    Type.Object(
      { code: Type.Integer(), message: Type.String(), data: Type.Record(Type.String(), Type.Unknown()) },
      {
        description:
          "why nobody can know the exit code (then -1): the container was stopped or removed under the command, or the engine went away — the error a blocking run or exec.wait fails with, in a JSON-RPC error's shape",
      },
    ),
  ),
});
export type ExecExit = Static<typeof ExecExit>;

export const EXEC_NOTIFICATIONS = {
  'exec.output': notification(
    ExecOutput,
    'Bytes [offset, next) of one stream of a subscribed exec. A WebSocket connection that offered the subprotocol ' +
      'pocketdock.binary gets it as a binary frame: the header is this notification without `data`, the payload ' +
      "is `data`'s UTF-8 bytes (`next - offset` of them); any other connection gets JSON-RPC text.",
  ),
  'exec.exit': notification(ExecExit, 'Sent once per subscription, after every exec.output of the exec: its result.'),
} as const;

export const EXEC_METHODS = {
  'exec.start': method(
    addressed({
      command: Type.String(),
      execId: Type.Optional(ExecId),
      ...RunOptions,
      detach: Type.Optional(Type.Boolean({ description: 'A background process: no timeout and no maxOutput unless given' })),
      bufferSize: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 256 * 1024 * 1024,
          description: `ring buffer bytes per stream; default ${mib(DEFAULTS.bufferSize)}`,
        }),
      ),
      subscribe: Type.Optional(Type.Boolean({ description: 'This connection gets exec.output/exec.exit from offset 0' })),
      subscription: Type.Optional(SubscriptionId),
      lossless: Type.Optional(Lossless),
    }),
    Type.Object({
      execId: Type.String(),
      subscription: Type.Optional(Type.String({ description: "with `subscribe`: the subscription's id" })),
    }),
    'Starts a command and returns its id at once; follow it with exec.subscribe or exec.poll.',
  ),
  'exec.subscribe': method(
    params({
      execId: ExecId,
      offsets: Type.Optional(Offsets),
      lossless: Type.Optional(Lossless),
      subscription: Type.Optional(SubscriptionId),
    }),
    Type.Object({ ...ExecState.properties, subscription: Type.String() }),
    'A new subscriber on this connection gets exec.output from the given offsets (default: the oldest buffered byte), then exec.exit. ' +
      'Subscribing again with the same subscription id moves that subscriber; other subscribers keep their own cursors.',
  ),
  'exec.unsubscribe': method(
    params({ execId: ExecId, subscription: Type.Optional(SubscriptionId) }),
    Type.Null(),
    "Stops one subscription's notifications for the exec; without `subscription`, every subscription of this connection to it.",
  ),
  'exec.poll': method(
    params({
      execId: ExecId,
      offsets: Type.Optional(Offsets),
      waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000, description: 'wait this long for new output when there is none' })),
      maxBytes: Type.Optional(
        Type.Integer({ minimum: 1, description: `most bytes returned per stream; default ${mib(DEFAULTS.bufferSize)}` }),
      ),
    }),
    Type.Object({ stdout: PolledChunk, stderr: PolledChunk, running: Type.Boolean(), result: Type.Union([ExecResult, Type.Null()]) }),
    'Long-poll: the output after the given offsets, for clients without notifications.',
  ),
  'exec.kill': method(
    params({ execId: ExecId, signal: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'default 15 (SIGTERM)' })) }),
    Type.Null(),
    'Sends a signal to the command and everything it started, inside the container.',
  ),
  'exec.stop': method(
    params({ execId: ExecId }),
    Type.Null(),
    'SIGTERM, then SIGKILL after a grace period; returns once the command has ended.',
  ),
  'exec.wait': method(
    params({ execId: ExecId, timeout: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_SECONDS, description: 'seconds' })) }),
    Type.Union([ExecResult, Type.Null()], { description: 'null when the timeout passed first' }),
    'Waits for the command to end; stdout/stderr hold what is still buffered.',
  ),
  'exec.read': method(params({ execId: ExecId }), BufferRead, 'Returns and clears what is buffered.'),
  'exec.peek': method(params({ execId: ExecId }), BufferRead, 'Returns what is buffered without clearing it.'),
  'exec.list': method(
    addressed({ kind: Type.Optional(ExecKind) }),
    Type.Array(ExecSummary),
    'The execs of a container that the daemon still holds (running, or ended less than ten minutes ago), oldest first; optionally of one kind.',
  ),
  'exec.info': method(
    params({ execId: ExecId }),
    ExecState,
    'The state of an exec: running, exit code, buffer fill and overflow, offsets.',
  ),
} as const;
