// The daemon imports no CommonJS package as an ES module (daemon/src/cjs.ts says why): each is
// required in cjs.ts and imported elsewhere for its types only.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../daemon/src/', import.meta.url).pathname;
const MODULES = new URL('../../node_modules/', import.meta.url).pathname;

/** Whether Node loads `pkg`, imported from an ES module, as CommonJS (no "import" condition, no "type": "module"). */
function isCommonJs(pkg: string): boolean {
  const manifest = JSON.parse(readFileSync(join(MODULES, pkg, 'package.json'), 'utf8')) as { type?: string; exports?: unknown };
  return manifest.type !== 'module' && !JSON.stringify(manifest.exports ?? {}).includes('"import"');
}

const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

describe('CommonJS packages in the daemon', () => {
  it('are imported as values nowhere but cjs.ts', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const valueImports = files.flatMap((f) =>
      [...readFileSync(join(SRC, f), 'utf8').matchAll(/^import (?!type )[^;]*? from '([^.'][^']*)'/gm)]
        .map((m) => m[1]!)
        .filter((spec) => !spec.startsWith('node:'))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(valueImports.length).toBeGreaterThan(0);
    expect(valueImports.filter((i) => isCommonJs(packageOf(i.split(': ')[1]!)))).toEqual([]);
  });
});
