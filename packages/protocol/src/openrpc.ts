/** Builds the OpenRPC document served by `rpc.discover`, so clients in other languages need nothing else. */
import { ERRORS } from './errors.js';
import { METHODS } from './methods/index.js';
import { PROTOCOL_REVISION, VERSION } from './version.js';

export function openRpcDocument(): Record<string, unknown> {
  return {
    openrpc: '1.3.2',
    info: {
      title: 'pocketdock',
      version: VERSION,
      description: `pocketdock daemon protocol, revision ${PROTOCOL_REVISION}. Params are one object (by-name).`,
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
