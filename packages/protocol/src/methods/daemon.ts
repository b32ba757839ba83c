/** daemon.* and rpc.*: who the daemon is and what it speaks. */
import { Type } from '@sinclair/typebox';
import { RESUME_TOKEN_PATTERN } from '../constants.js';
import { method, notification, params } from './spec.js';

/**
 * A client's resume token: chosen by the client, kept for its lifetime, sent in daemon.hello (a
 * WebSocket) or in the RESUME_TOKEN_HEADER of every POST /rpc. The non-persistent containers a
 * client creates are leased to its token; whoever presents the token holds the lease.
 */
export const ResumeToken = Type.String({
  pattern: RESUME_TOKEN_PATTERN,
  description: "The client's resume token (16-128 of A-Z a-z 0-9 _ -)",
});

export const DAEMON_METHODS = {
  'daemon.hello': method(
    params({
      client: Type.Optional(Type.String({ maxLength: 128, description: "the client's name, shown as the holder of its leases" })),
      version: Type.Optional(Type.String({ maxLength: 64 })),
      resumeToken: Type.Optional(ResumeToken),
    }),
    Type.Object({
      daemon: Type.Literal('pocketdockd'),
      version: Type.String(),
      protocol: Type.Integer(),
      engineSocket: Type.String(),
      pid: Type.Integer(),
      instance: Type.String({
        description:
          'Names this run of the daemon: another value than before means it restarted (what a client subscribed to is gone, except execs it found again)',
      }),
      resumed: Type.Boolean({
        description: 'the token already held leases: this connection takes them over (its grace period is cancelled)',
      }),
      leaseGraceSeconds: Type.Number({ description: "how long leases outlive their holder's last connection or call" }),
      port: Type.Union([Type.Integer(), Type.Null()], {
        description: "The loopback TCP listener's port (the dashboard, token clients); null without one",
      }),
      stateDir: Type.String({ description: 'Where the daemon keeps its state: the TCP token is the file `token` there' }),
      maxMessageBytes: Type.Optional(
        Type.Integer({
          description:
            'The largest message the daemon reads: a larger one closes the WebSocket (HTTP 413 for POST /rpc), so a client refuses to send it. Absent from daemons before it',
        }),
      ),
    }),
    "Greets the daemon: its version, protocol revision, default engine socket and process id, TCP port and state dir. With a resumeToken, this connection holds that token's leases.",
  ),
  'daemon.status': method(
    params({}),
    Type.Object({
      version: Type.String(),
      pid: Type.Integer(),
      startedAt: Type.String({ description: 'ISO 8601' }),
      uptimeSeconds: Type.Number(),
      socket: Type.String({ description: 'The Unix socket the daemon listens on' }),
      port: Type.Union([Type.Integer(), Type.Null()], { description: 'The TCP port on 127.0.0.1; null when TCP is off' }),
      engines: Type.Array(
        Type.Object({
          socketPath: Type.String(),
          default: Type.Boolean({ description: 'Used when a call names no engine' }),
          answers: Type.Boolean({ description: 'Answered a ping just now' }),
        }),
      ),
      containers: Type.Object(
        {
          running: Type.Integer(),
          stopped: Type.Integer(),
        },
        { description: 'Managed containers on the engines that answer' },
      ),
    }),
    'The daemon at work: its version, uptime, listeners, engines and how many containers it manages.',
  ),
  'daemon.version': method(params({}), Type.Object({ version: Type.String() }), "The daemon's version."),
  'rpc.discover': method(
    params({}),
    Type.Object({ openrpc: Type.String() }, { additionalProperties: true }),
    'This protocol as an OpenRPC document.',
  ),
} as const;

export const DAEMON_NOTIFICATIONS = {
  'daemon.stopping': notification(
    Type.Object({
      reason: Type.String({ description: 'e.g. "SIGTERM"' }),
      graceMs: Type.Integer({ description: 'how long calls already in flight get to finish; calls sent after this are refused' }),
    }),
    'The daemon is shutting down: finish or give up what is in flight, then reconnect (with the same resume token) once a daemon answers again. Persistent containers keep running; leased ones keep their lease.',
  ),
} as const;
