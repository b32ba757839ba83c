// rpc.discover's document is valid OpenRPC and describes exactly the methods the daemon serves.
// Vendored beside this file (Apache-2.0): the meta-schemas of @open-rpc/meta-schema 1.14.9 and of
// the JSON Schema it refers to, @json-schema-tools/meta-schema 1.8.0.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ERRORS, METHODS, NOTIFICATIONS, openRpcDocument } from '@pocketdock/protocol';
import { createHandlers, type Services } from './handlers/index.js';

/** A vendored meta-schema without its `$schema`: it names a dialect URI of its own whose content is draft-07, which ajv speaks. */
const vendored = (file: string): Record<string, unknown> => {
  const schema = JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
};

interface Doc {
  methods: Array<{
    name: string;
    params: Array<{ name: string; schema: object }>;
    result: { schema: object };
    errors: Array<{ $ref: string }>;
  }>;
  'x-notifications': Array<{ name: string; params: object }>;
  components: { errors: Record<string, { code: number }> };
}

describe('rpc.discover', () => {
  const doc = openRpcDocument() as unknown as Doc;

  it('validates against the OpenRPC meta-schema', () => {
    // The OpenRPC meta-schema names the JSON Schema one with and without a trailing slash.
    const { $id, ...jsonSchema } = vendored('./json-schema-meta-schema.json');
    const ajv = new Ajv({ strict: false, allErrors: true })
      .addSchema(jsonSchema, String($id))
      .addSchema(jsonSchema, String($id).replace(/\/$/, ''));
    const validate = ajv.compile(vendored('./openrpc-meta-schema.json'));
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ ...doc, methods: [{ name: 'a.method', params: [{ name: 'without-schema' }] }] })).toBe(false);
  });

  it('names exactly the methods the daemon has handlers for', () => {
    // Handlers are closures over the services: building them touches none.
    const served = Object.keys(createHandlers({ containers: {} } as unknown as Services)).sort();
    expect(doc.methods.map((m) => m.name).sort()).toEqual(served);
    expect(served).toEqual(Object.keys(METHODS).sort());
  });

  it('gives every method valid params and result schemas, and errors from the table', () => {
    const ajv = new Ajv({ strict: false });
    const valid = (schema: object) => ajv.validateSchema(schema) as boolean;
    for (const m of doc.methods) {
      for (const p of m.params) expect(valid(p.schema), `${m.name}.${p.name}`).toBe(true);
      expect(valid(m.result.schema), `${m.name} result`).toBe(true);
      expect(m.errors.length, m.name).toBeGreaterThan(0);
      for (const e of m.errors) expect(doc.components.errors[e.$ref.replace('#/components/errors/', '')], e.$ref).toBeDefined();
    }
    expect(doc.methods.find((m) => m.name === 'exec.poll')!.errors.map((e) => e.$ref)).toContain('#/components/errors/ProcessLost');
    expect(Object.keys(doc.components.errors)).toEqual(Object.keys(ERRORS));
  });

  it('lists every notification in x-notifications', () => {
    expect(doc['x-notifications'].map((n) => n.name)).toEqual(Object.keys(NOTIFICATIONS));
  });
});
