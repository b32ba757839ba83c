// Every TypeScript snippet of the README is an example file, word for word, marked by an HTML comment
// naming it: lint type-checks examples/ and test/integration/examples.test.ts runs them, so the README
// cannot drift from the code.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const snippets = [...readme.matchAll(/```ts\n/g)];
const marked = [...readme.matchAll(/<!-- (examples\/[\w-]+\.ts) -->\n```ts\n([\s\S]*?)```\n/g)].map((m) => [m[1]!, m[2]!] as const);

describe("the README's TypeScript snippets", () => {
  it('each names its example file', () => {
    expect(marked.length).toBe(snippets.length);
  });

  it.each(marked)('%s is the snippet, word for word', (file, snippet) => {
    expect(snippet).toBe(readFileSync(new URL(file, root), 'utf8'));
  });

  it('leave no example file out', () => {
    const files = readdirSync(new URL('examples/', root))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `examples/${f}`);
    expect(files.sort()).toEqual(marked.map(([file]) => file).sort());
  });
});
