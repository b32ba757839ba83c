// POST /rpc as a plain HTTP client in any language sends it: a caller that goes away before its
// answer cancels its call, so an abandoned exec.wait or long exec.poll does not stay pending.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Process } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';

// debug: the daemon logs each call it receives, which tells the test when to hang up.
const suite = useDaemon({ args: ['--log-level', 'debug'] });
const lines: Record<string, unknown>[] = [];
let c: Container;
let p: Process;

beforeAll(async () => {
  let rest = '';
  suite.d.child.stderr!.on('data', (b: Buffer) => {
    const text = rest + b.toString();
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const l of parts) if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  c = await suite.pd.createNewContainer();
  p = await c.run('sleep 600', { detach: true });
});

afterAll(async () => {
  await c?.shutdown({ force: true }).catch(() => undefined);
});

const logged = (msg: string, method?: string) => lines.filter((l) => l.msg === msg && (method === undefined || l.method === method)).length;

/** Sends one call, waits until the daemon has received it, then hangs up without reading the answer. */
async function abandon(method: string, params: Record<string, unknown>): Promise<void> {
  const before = logged('call', method);
  const req = request({ socketPath: suite.d.socketPath, path: '/rpc', method: 'POST', headers: { 'content-type': 'application/json' } });
  req.on('error', () => undefined);
  req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  await expect.poll(() => logged('call', method)).toBe(before + 1);
  req.destroy();
}

describe('POST /rpc', () => {
  it('cancels an exec.wait whose HTTP caller went away', async () => {
    const before = logged('call cancelled: its HTTP caller went away');
    await abandon('exec.wait', { execId: p.id });
    await expect.poll(() => logged('call cancelled: its HTTP caller went away')).toBe(before + 1);
    expect(await p.isRunning()).toBe(true);
  });

  it('cancels a long exec.poll whose HTTP caller went away', async () => {
    const before = logged('call cancelled: its HTTP caller went away');
    await abandon('exec.poll', { execId: p.id, offsets: { stdout: 0, stderr: 0 }, waitMs: 60_000 });
    await expect.poll(() => logged('call cancelled: its HTTP caller went away')).toBe(before + 1);
  });
});
