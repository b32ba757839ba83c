// docs/protocol.md is what `npm run docs` renders from the protocol table now: never stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METHODS, NOTIFICATIONS, ERRORS } from '@pocketdock/protocol';
import { OUTPUT, SCHEMAS, renderProtocolDoc, renderSchemas, typeOf } from './protocol-doc.js';

describe('docs/protocol.md', () => {
  it('is up to date with packages/protocol (run `npm run docs`)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(renderProtocolDoc());
  });

  it('comes with packages/protocol/src/schemas.json up to date with the declared schemas (run `npm run docs`)', () => {
    expect(readFileSync(SCHEMAS, 'utf8')).toBe(renderSchemas());
  });

  it('has a section for every method and notification and a row for every error', () => {
    const doc = renderProtocolDoc();
    for (const name of [...Object.keys(METHODS), ...Object.keys(NOTIFICATIONS)]) expect(doc).toContain(`\`${name}\`\n`);
    for (const type of Object.keys(ERRORS)) expect(doc).toContain(`| \`${type}\` |`);
    expect(() => renderProtocolDoc('{{nope}}')).toThrow(/nope/);
  });

  it('writes schemas as short types', () => {
    expect(typeOf({ anyOf: [{ $id: 'ExecResult' }, { type: 'null' }] })).toBe('ExecResult \\| null');
    expect(typeOf({ type: 'array', items: { type: 'string' } })).toBe('string[]');
    expect(typeOf({ type: 'object', properties: { a: {}, b: {} }, required: ['a'] })).toBe('{ a, b? }');
    expect(typeOf({ type: 'object', patternProperties: { '^.*$': { type: 'integer' } } })).toBe('map of integer');
    expect(typeOf({ type: 'string', enum: ['sh', 'bash'] })).toBe('"sh" \\| "bash"');
  });
});
