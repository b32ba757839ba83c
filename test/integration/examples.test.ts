// The README's TypeScript examples (examples/*.ts, its snippets word for word) run as a reader runs them —
// node with tsx, importing @pocketdock/client — against a real daemon on every engine that answers, and
// print what their comments say.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const root = new URL('../../', import.meta.url).pathname;
const engines = await availableEngines();
const suite = useDaemon();

/** What each example prints; the web server's own line, which a callback prints whenever it comes, apart. */
const PRINTS: Record<string, string> = {
  'quickstart.ts': 'hello from sandbox\n 0 true\n42\n\n',
  'tour.ts': '45\n 0\nline 1\nline 2\nline 3\n200\n\n143\n/tmp\n1\n\n24 80\r\n\n2\n\nexited\nprint(sum(range(10)))\n',
};
const SERVER_LINE = /^Serving HTTP on \S+ port 8000 .*\n/m;

it('runs every example', () => {
  expect(
    readdirSync(new URL('examples/', `file://${root}`))
      .filter((f) => f.endsWith('.ts'))
      .sort(),
  ).toEqual(Object.keys(PRINTS).sort());
});

describe.each(engines)("the README's examples on $name", (e) => {
  it.each(Object.keys(PRINTS))('%s', async (file) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', `examples/${file}`], {
      cwd: root,
      env: { ...process.env, POCKETDOCK_DAEMON: suite.d.socketPath, POCKETDOCK_SOCKET: e.socketPath },
      timeout: 110_000,
    });
    if (file === 'tour.ts') expect(stdout).toMatch(SERVER_LINE);
    expect(stdout.replace(SERVER_LINE, '')).toBe(PRINTS[file]);
  });
});
