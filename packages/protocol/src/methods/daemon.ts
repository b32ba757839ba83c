/** daemon.* and rpc.*: who the daemon is and what it speaks. */
import { Type } from '@sinclair/typebox';
import { method, params } from './spec.js';

export const DAEMON_METHODS = {
  'daemon.hello': method(
    params({ client: Type.Optional(Type.String()), version: Type.Optional(Type.String()) }),
    Type.Object({
      daemon: Type.Literal('pocketdockd'), version: Type.String(), protocol: Type.Integer(), engineSocket: Type.String(), pid: Type.Integer(),
      port: Type.Union([Type.Integer(), Type.Null()], { description: 'The loopback TCP listener\'s port (the dashboard, token clients); null without one' }),
      stateDir: Type.String({ description: 'Where the daemon keeps its state: the TCP token is the file `token` there' }),
    }),
    'Greets the daemon: its version, protocol revision, default engine socket, process id, TCP port and state dir.'),
  'daemon.version': method(
    params({}),
    Type.Object({ version: Type.String() }),
    'The daemon\'s version.'),
  'rpc.discover': method(
    params({}),
    Type.Object({ openrpc: Type.String() }, { additionalProperties: true }),
    'This protocol as an OpenRPC document.'),
} as const;
