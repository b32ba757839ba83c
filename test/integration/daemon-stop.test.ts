// SIGTERM stops the daemon gracefully: clients are told, new calls refused, calls in flight
// finish, containers keep running; a second signal stops it at once.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { NotificationParams } from '@pocketdock/protocol';
import { DaemonClosedError } from '../../client/src/index.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { docker, exists, removeAfterAll } from '../helpers/engines.js';

const { containers: made } = removeAfterAll();

function stopping(d: TestDaemon, pd: Awaited<ReturnType<TestDaemon['client']>>): Promise<NotificationParams<'daemon.stopping'>> {
  return new Promise((resolve) => {
    const off = pd.transport.on('daemon.stopping', (p) => {
      off();
      resolve(p);
    });
  });
}

describe('daemon stop', () => {
  it('SIGTERM: tells clients, refuses new calls, lets calls in flight finish, leaves containers running', async () => {
    const d = await startDaemon();
    try {
      const pd = await d.client();
      const kept = await pd.createNewContainer({ persist: true });
      const eph = await pd.createNewContainer();
      made.push(kept.containerId, eph.containerId);

      const inFlight = eph.run('touch /tmp/running; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo finished');
      await expect.poll(async () => (await eph.run('test -e /tmp/running')).exitCode).toBe(0);
      const told = stopping(d, pd);
      const exited = once(d.child, 'exit');
      d.child.kill('SIGTERM');
      expect(await told).toMatchObject({ reason: 'SIGTERM', graceMs: expect.any(Number) });
      await expect(pd.listContainers()).rejects.toThrow(/shutting down/);

      // The call in flight is released from outside: the daemon no longer takes calls.
      const go = await docker.getContainer(eph.containerId).exec({ Cmd: ['touch', '/tmp/go'] });
      await go.start({});
      expect((await inFlight).stdout).toBe('finished\n');
      const [code] = await exited;
      expect(code).toBe(0);
      expect((await docker.getContainer(kept.containerId).inspect()).State.Running).toBe(true);
      expect(await exists(eph.containerId)).toBe(true);
    } finally {
      await d.stop();
    }
  });

  it('a second signal stops it at once, without waiting for calls in flight', async () => {
    const d = await startDaemon();
    try {
      const pd = await d.client();
      const c = await pd.createNewContainer();
      made.push(c.containerId);
      const inFlight = c.run('touch /tmp/running; sleep 60', { timeout: 120 }).catch((e: unknown) => e);
      await expect.poll(async () => (await c.run('test -e /tmp/running')).exitCode).toBe(0);
      const told = stopping(d, pd);
      const exited = once(d.child, 'exit');
      d.child.kill('SIGTERM');
      await told;
      d.child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(1);
      expect(await inFlight).toBeInstanceOf(DaemonClosedError);
    } finally {
      await d.stop();
    }
  });

  it('a stopped daemon exits even when something it left holds the process, and the log says what', async () => {
    // A timer no part of the daemon clears, as a leaked socket or stream would be.
    const d = await startDaemon({ node: ['--import', 'data:text/javascript,setInterval(() => {}, 60_000)'] });
    const exited = once(d.child, 'exit');
    d.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(d.log()).toMatch(/"resources":\[[^\]]*"Timeout".*"stopped, but something still holds the process: exiting"/);
    await d.stop();
  });
});
