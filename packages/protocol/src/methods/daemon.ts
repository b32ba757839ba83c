/** daemon.* and rpc.*: who the daemon is and what it speaks. */
import { Type } from '@sinclair/typebox';
import { method, params } from './spec.js';

export const DAEMON_METHODS = {
  'daemon.hello': method(
    params({ client: Type.Optional(Type.String()), version: Type.Optional(Type.String()) }),
    Type.Object({ daemon: Type.Literal('pocketdockd'), version: Type.String(), protocol: Type.Integer(), engineSocket: Type.String(), pid: Type.Integer() }),
    'Greets the daemon: its version, protocol revision, default engine socket and process id.'),
  'daemon.version': method(
    params({}),
    Type.Object({ version: Type.String() }),
    'The daemon\'s version.'),
  'rpc.discover': method(
    params({}),
    Type.Object({ openrpc: Type.String() }, { additionalProperties: true }),
    'This protocol as an OpenRPC document.'),
} as const;
