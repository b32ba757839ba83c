// docs/api.md is the users' API reference: it must name every export and every public method, and
// quote the protocol's DEFAULTS as they are.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, mib } from '@pocketdock/protocol';
import * as api from './index.js';

const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const sources = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
  .join('\n');
/** Members declared private somewhere in the client: not part of the API. */
const privates = new Set([...sources.matchAll(/private (?:readonly |async |get |static )*(\w+)/g)].map((m) => m[1]!));
const named = (name: string) => docs.includes(`\`${name}`) || docs.includes(`.${name}(`);

describe('docs/api.md', () => {
  it('names every export of @pocketdock/client', () => {
    expect(Object.keys(api).filter((name) => !named(name))).toEqual([]);
  });

  it('names every public method and accessor of the exported classes', () => {
    const missing: string[] = [];
    for (const [name, value] of Object.entries(api)) {
      if (typeof value !== 'function' || !value.prototype) continue;
      for (const member of Object.getOwnPropertyNames(value.prototype)) {
        if (member !== 'constructor' && !privates.has(member) && !named(member)) missing.push(`${name}.${member}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("quotes the protocol's defaults", () => {
    for (const text of [
      `\`${DEFAULTS.image}\``,
      `${DEFAULTS.timeoutSeconds} s`,
      mib(DEFAULTS.maxOutput),
      mib(DEFAULTS.bufferSize),
      `\`${DEFAULTS.home}\``,
      `\`${DEFAULTS.user}\``,
    ])
      expect(docs).toContain(text);
  });
});
