// A command that ignores SIGTERM (trap '' TERM), and leaves a child that ignores it too, is still
// ended, SIGKILL after the grace, whatever stops it: a streamed run's owner breaking out of its loop,
// a blocking run's AbortSignal, and a client killed mid-stream (stopped once the lease grace has
// passed). Runs in both exec modes (vitest's integration-engine-exec project includes hostile-exec-*).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../client/src/index.js';
import { clientChild } from '../helpers/client-child.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const engines = await availableEngines();
const config = join(mkdtempSync(join(tmpdir(), 'pd-hostile-term-')), 'pocketdockd.yaml');
writeFileSync(config, 'leaseGraceSeconds: 1\n');
const suite = useDaemon({ args: ['--config', config] });

/** Ignores SIGTERM, and so does the background child it leaves behind; says "up" once both run. */
const stubborn = (tag: string) => `trap '' TERM; (trap '' TERM; sleep 87${tag}) & echo up; sleep 86${tag}`;

describe.each(engines)('a TERM-ignoring command on $name', (e) => {
  let c: Container;
  const processes = async () => (await c.run('ps -eo args')).stdout;
  beforeAll(async () => void (c = await suite.pd.createNewContainer({ socketPath: e.socketPath })));
  afterAll(() => c?.shutdown({ force: true }).catch(() => undefined));

  it("ends with its child when a streamed run's owner breaks out of the loop", async () => {
    const s = c.run(stubborn('1'), { stream: true, timeout: 600 });
    for await (const ch of s) if (ch.data.includes('up')) break;
    const [info] = (await suite.pd.transport.call('exec.list', { container: c.name, kind: 'stream' })).filter((x) => x.execId === s.execId);
    expect(info).toMatchObject({ running: false, exitCode: 137 });
    expect(await processes()).not.toMatch(/sleep 8[67]1/);
  });

  it("ends with its child when a blocking run's signal aborts", async () => {
    const abort = new AbortController();
    const run = c.run(stubborn('2'), { signal: abort.signal, timeout: 600 });
    await expect.poll(processes).toContain('sleep 862');
    abort.abort(new Error('enough'));
    await expect(run).rejects.toThrow('enough');
    await expect.poll(processes, { timeout: 30_000 }).not.toMatch(/sleep 8[67]2/);
  });

  it('ends with its child when the client streaming it is killed', async () => {
    const child = clientChild(
      { socket: suite.d.socketPath, resumeToken: `hostile-term-${e.name}`, container: c.name, engine: e.socketPath },
      'stream',
      stubborn('3'),
    );
    const { execId } = await child.first;
    await child.kill();
    await expect
      .poll(async () => (await suite.pd.transport.call('exec.info', { execId: execId as string })).running, { timeout: 30_000 })
      .toBe(false);
    expect(await processes()).not.toMatch(/sleep 8[67]3/);
  });
});
