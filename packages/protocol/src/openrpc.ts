/**
 * Builds the OpenRPC document served by `rpc.discover`, so clients in other languages need nothing
 * else: every method with its params, result and the errors it may answer, the notifications (in
 * the `x-notifications` extension) and the error table (components.errors).
 */
import { ERRORS, type ErrorType } from './errors.js';
import { BINARY_SUBPROTOCOL } from './frames.js';
import { TRANSFER_ROUTE } from './constants.js';
import { METHODS, NOTIFICATIONS } from './schemas.js';
import type { MethodSpec } from './methods/spec.js';
import { PROTOCOL_REVISION, VERSION } from './version.js';

const FRAMING =
  `On a WebSocket (GET /rpc) that offered the subprotocol "${BINARY_SUBPROTOCOL}", the daemon sends exec.output ` +
  'as binary frames: a 4-byte big-endian header length, the header (a UTF-8 JSON-RPC notification), then the UTF-8 bytes ' +
  'of its `data` param; other connections get plain JSON-RPC text. File and image bytes do not travel over JSON-RPC: ' +
  `a call opens an upload or download, whose bytes are then one HTTP body on the same listener (PUT or GET ${TRANSFER_ROUTE}<id>).`;

/** What a param addresses says what can fail: a container can be missing, an exec lost, a session closed. */
const ERRORS_BY_PARAM: Record<string, readonly ErrorType[]> = {
  container: ['ContainerNotFound', 'ContainerNotRunning', 'ContainerGone', 'ContainerError'],
  socketPath: ['SocketConnectionError', 'SocketCommunicationError', 'PodmanNotRunning', 'Unauthorized'],
  image: ['ImageNotFound'],
  profile: ['ImageNotFound'],
  profiles: ['ImageNotFound'],
  volumes: ['Unauthorized'],
  devices: ['Unauthorized'],
  ports: ['Unauthorized'],
  projectRoot: ['ProjectNotInitialized'],
  path: ['FileError', 'FileNotFound'],
  execId: ['ProcessLost'],
  terminalId: ['ProcessLost'],
  sessionId: ['SessionClosed'],
};
/** Any method can be refused its params or fail inside the daemon. */
const ANY_METHOD: readonly ErrorType[] = ['InvalidParams', 'InternalError', 'PocketDockError'];

/** The error types a method may answer, in the table's order. */
export function methodErrors(m: MethodSpec): ErrorType[] {
  const names = Object.keys((m.params as { properties?: Record<string, unknown> }).properties ?? {});
  const types = new Set<ErrorType>([...ANY_METHOD, ...names.flatMap((p) => ERRORS_BY_PARAM[p] ?? [])]);
  return (Object.keys(ERRORS) as ErrorType[]).filter((t) => types.has(t));
}

export function openRpcDocument(): Record<string, unknown> {
  return {
    openrpc: '1.3.2',
    info: {
      title: 'pocketdock',
      version: VERSION,
      description: `pocketdock daemon protocol, revision ${PROTOCOL_REVISION}. Params are one object (by-name). ${FRAMING}`,
    },
    methods: Object.entries(METHODS).map(([name, m]: [string, MethodSpec]) => ({
      name,
      summary: m.doc,
      paramStructure: 'by-name',
      params: Object.entries((m.params as { properties?: Record<string, unknown> }).properties ?? {}).map(([p, schema]) => ({
        name: p,
        required: ((m.params as { required?: string[] }).required ?? []).includes(p),
        schema,
      })),
      result: { name: 'result', schema: m.result },
      errors: methodErrors(m).map((type) => ({ $ref: `#/components/errors/${type}` })),
    })),
    'x-notifications': Object.entries(NOTIFICATIONS).map(([name, n]) => ({ name, summary: n.doc, params: n.params })),
    components: {
      errors: Object.fromEntries(
        Object.entries(ERRORS).map(([type, e]) => [
          type,
          {
            code: e.code,
            message: e.doc,
            data: { type, fields: e.fields, extends: e.parent ?? null },
          },
        ]),
      ),
    },
  };
}
