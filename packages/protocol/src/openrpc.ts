/** Builds the OpenRPC document served by `rpc.discover`, so clients in other languages need nothing else. */
import { ERRORS } from './errors.js';
import { BINARY_SUBPROTOCOL } from './frames.js';
import { METHODS } from './methods/index.js';
import { PROTOCOL_REVISION, VERSION } from './version.js';

const FRAMING = 'Over the WebSocket (GET /rpc) a message may also be a binary frame: a 4-byte big-endian header length, '
  + 'the header (a UTF-8 JSON-RPC message), then a payload standing for the `data` field of its params (request, notification) '
  + 'or result (response): the raw bytes where that field is base64, its UTF-8 bytes where it is text. The daemon answers in a '
  + `binary frame only requests that came in one, and sends exec.output as binary frames only on a connection that offered the `
  + `WebSocket subprotocol "${BINARY_SUBPROTOCOL}"; other connections get plain JSON-RPC text.`;

export function openRpcDocument(): Record<string, unknown> {
  return {
    openrpc: '1.3.2',
    info: {
      title: 'pocketdock',
      version: VERSION,
      description: `pocketdock daemon protocol, revision ${PROTOCOL_REVISION}. Params are one object (by-name). ${FRAMING}`,
    },
    methods: Object.entries(METHODS).map(([name, m]) => ({
      name,
      summary: m.doc,
      paramStructure: 'by-name',
      params: Object.entries((m.params as { properties?: Record<string, unknown> }).properties ?? {}).map(([p, schema]) => ({
        name: p,
        required: ((m.params as { required?: string[] }).required ?? []).includes(p),
        schema,
      })),
      result: { name: 'result', schema: m.result },
    })),
    components: {
      errors: Object.fromEntries(Object.entries(ERRORS).map(([type, e]) => [type, {
        code: e.code, message: e.doc, data: { type, fields: e.fields, extends: e.parent ?? null },
      }])),
    },
  };
}
