import { describe, expect, it } from 'vitest';
import { METHODS, NOTIFICATIONS } from './methods/index.js';
import { ERRORS } from './errors.js';
import { openRpcDocument } from './openrpc.js';

describe('the OpenRPC document', () => {
  const doc = openRpcDocument() as { methods: { name: string }[]; 'x-notifications': { name: string }[]; components: { errors: object } };

  it('names exactly the methods of the table, and its notifications and errors', () => {
    expect(doc.methods.map((m) => m.name).sort()).toEqual(Object.keys(METHODS).sort());
    expect(doc['x-notifications'].map((n) => n.name).sort()).toEqual(Object.keys(NOTIFICATIONS).sort());
    expect(Object.keys(doc.components.errors).sort()).toEqual(Object.keys(ERRORS).sort());
  });
});
