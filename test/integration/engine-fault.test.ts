// The engine goes away under a running daemon and comes back: calls that need it fail with
// SocketConnectionError naming it, the rest of the daemon keeps answering, and work resumes
// without a restart. The shared engine is never stopped: a Unix-socket proxy in front of it is cut.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SocketConnectionError, SocketError } from '../../client/src/index.js';
import { useDaemons, type TestDaemon } from '../helpers/daemon.js';
import { EngineProxy } from '../helpers/engine-proxy.js';
import { docker } from '../helpers/engines.js';

const newProxy = () => new EngineProxy(join(mkdtempSync(join(tmpdir(), 'pd-proxy-')), 'engine.sock'));
const proxy = newProxy();
const startDaemon = useDaemons();
let d: TestDaemon | undefined;

/** Resolves once `command` runs in the container (seen by the engine's top, past the proxy): the run is in flight. */
async function running(containerId: string, command: string): Promise<void> {
  await expect
    .poll(async () => JSON.stringify((await docker.getContainer(containerId).top()).Processes), { timeout: 30_000 })
    .toContain(command);
}

describe('engine faults', () => {
  it('fails calls with SocketConnectionError while the engine is away, keeps serving, resumes when it is back', async () => {
    await proxy.up();
    d = await startDaemon({ args: ['--engine-socket', proxy.path] });
    const pd = await d.client();
    const c = await pd.createNewContainer();
    try {
      expect((await c.run('echo before')).stdout).toBe('before\n');

      await proxy.cut();
      const failed = await c.run('echo during').catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(SocketConnectionError);
      expect(failed).toMatchObject({ socketPath: proxy.path });
      expect(await pd.createNewContainer().catch((e: unknown) => e)).toBeInstanceOf(SocketConnectionError);
      // What does not need the engine still answers.
      expect(await pd.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
      expect((await pd.listProfiles()).length).toBeGreaterThan(0);

      await proxy.up();
      expect((await c.run('echo after')).stdout).toBe('after\n');
    } finally {
      await c.shutdown({ force: true }).catch(() => undefined);
      await pd.close();
    }
  });

  it('fails a blocking run and exec.wait in flight with a typed error when the engine goes away, never an exit code', async () => {
    const p = newProxy();
    await p.up();
    const dd = await startDaemon({ args: ['--engine-socket', p.path] });
    const pd = await dd.client();
    const c = await pd.createNewContainer();
    try {
      const blocking = c.run('sleep 31').catch((e: unknown) => e);
      const detached = await c.run('sleep 32', { detach: true });
      await Promise.all([running(c.containerId, 'sleep 31'), running(c.containerId, 'sleep 32')]);
      await p.cut();
      const failed = await blocking;
      expect(failed).toBeInstanceOf(SocketError);
      expect(failed).toMatchObject({ socketPath: p.path });
      expect(await detached.wait().catch((e: unknown) => e)).toBeInstanceOf(SocketError);
      await p.up();
    } finally {
      await c.shutdown({ force: true }).catch(() => undefined);
      await pd.close();
    }
  });
});
