// The README's layout table names every folder a newcomer will open, and every daemon folder says what it holds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
const readme = readFileSync(`${root}README.md`, 'utf8');
const table = /## Layout\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
/** The text of the row whose first cell is `folder`. */
const row = (folder: string) => table.split('\n').find((line) => line.startsWith(`| \`${folder}`)) ?? '';

/** The distinct first `depth` path segments of tracked files below `prefix`, for files (not folders) deeper than that. */
function folders(prefix: string): string[] {
  const depth = prefix.split('/').filter(Boolean).length + 1;
  return [
    ...new Set(
      tracked.filter((f) => f.startsWith(prefix) && f.split('/').length > depth).map((f) => f.split('/').slice(0, depth).join('/')),
    ),
  ];
}

describe('README layout table', () => {
  it.each(folders('').filter((f) => !f.startsWith('.') && f !== 'packages'))('has a row for %s/', (folder) => {
    expect(row(folder)).not.toBe('');
  });

  it.each(folders('packages/'))('has a row for %s', (pkg) => {
    expect(row(pkg)).not.toBe('');
  });

  it.each(folders('daemon/src/'))('names %s/ in the daemon row', (folder) => {
    expect(row('daemon/')).toContain(`\`${folder.slice('daemon/src/'.length)}/\``);
  });

  it('names no daemon folder that is gone', () => {
    const named = [...(row('daemon/').split('|')[2] ?? '').matchAll(/`(\w+)\/`/g)].map((m) => `daemon/src/${m[1]}`);
    expect(named.filter((f) => !folders('daemon/src/').includes(f))).toEqual([]);
  });
});

describe('daemon folders', () => {
  it.each(folders('daemon/src/'))('%s/index.ts opens with a comment naming its folder', (folder) => {
    const head = readFileSync(`${root}${folder}/index.ts`, 'utf8').split('\n')[0]!;
    expect(head).toMatch(new RegExp(`^// ${folder.slice('daemon/src/'.length)}/ — `));
  });
});
