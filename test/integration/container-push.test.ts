/**
 * What the daemon pushes about containers without being asked, on the real engines: container.stats
 * samples for watchers of a running container (one engine stream shared, ended when it stops, the
 * watches capped by limits.maxStatsWatches), container.changed for every lease change, and the state
 * it tells being the one the container ends in (a snapshot pauses and unpauses it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerChanged, StatsSample } from '@pocketdock/protocol';
import { connect, ContainerNotRunning, InvalidRequest } from '../../client/src/index.js';
import { Transport } from '../../client/src/transport.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines, removeAfterAll } from '../helpers/engines.js';

const podman = (await availableEngines()).find((e) => e.name === 'podman');
const MAX_WATCHES = 2;
const configDir = mkdtempSync(join(tmpdir(), 'pd-push-'));
const config = join(configDir, 'pocketdockd.yaml');
writeFileSync(config, `leaseGraceSeconds: 2\nlimits:\n  maxStatsWatches: ${MAX_WATCHES}\n`);

const suite = useDaemon({ args: ['--config', config] });
const tag = randomBytes(3).toString('hex');
const created: { name: string; socketPath?: string }[] = [];
const open: Transport[] = [];
const { images } = removeAfterAll();

afterAll(async () => {
  for (const t of open) await t.close();
  for (const { name, socketPath } of created) await suite.pd.destroyContainer(name, { socketPath }).catch(() => undefined);
});

async function connection(): Promise<Transport> {
  const t = await Transport.open({ url: `ws+unix://${suite.d.socketPath}:/rpc` });
  open.push(t);
  return t;
}

/** The next notification `method` on `t` that `match` accepts. */
function next<T>(t: Transport, method: 'container.stats' | 'container.changed', match: (p: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const stop = t.on(method, (p) => {
      if (!match(p as T)) return;
      stop();
      resolve(p as T);
    });
  });
}

async function sandbox(label: string, socketPath?: string): Promise<string> {
  const name = `pd-push-${label}-${tag}`;
  created.push({ name, socketPath });
  await suite.pd.createNewContainer({ name, persist: true, socketPath });
  return name;
}

describe('container.stats', () => {
  it("pushes a running container's resources to every watcher, from one engine stream, until it stops", async () => {
    const name = await sandbox('stats');
    const id = (await suite.pd.listContainers()).find((c) => c.name === name)!.id;
    const [a, b] = [await connection(), await connection()];
    const first = next<StatsSample>(a, 'container.stats', (s) => s.containerId === id);
    const both = next<StatsSample>(b, 'container.stats', (s) => s.containerId === id);
    await a.call('container.watchStats', { container: name });
    await b.call('container.watchStats', { container: id });
    const sample = await first;
    expect(sample).toMatchObject({ containerId: id, memoryUsage: expect.stringMatching(/B$/), memoryLimit: expect.stringMatching(/B$/) });
    expect(sample.pids).toBeGreaterThan(0);
    expect(Date.parse(sample.at)).not.toBeNaN();
    expect(sample.uptime).toMatch(/s$/);
    await both;

    await suite.pd.stopContainer(name);
    await expect(a.call('container.watchStats', { container: name })).rejects.toBeInstanceOf(ContainerNotRunning);
    // Started again: a watch follows the new run.
    await suite.pd.resumeContainer(name);
    const again = next<StatsSample>(a, 'container.stats', (s) => s.containerId === id);
    await a.call('container.watchStats', { container: name });
    expect(Date.parse((await again).at)).toBeGreaterThan(Date.parse(sample.at));
    await a.call('container.unwatchStats', { container: name });
    await b.call('container.unwatchStats', { container: name });
  });

  it('caps the watches the daemon serves: past limits.maxStatsWatches InvalidRequest, a stopped container frees its own', async () => {
    const [x, y] = [await sandbox('cap-x'), await sandbox('cap-y')];
    const [c1, c2, c3] = [await connection(), await connection(), await connection()];
    await c1.call('container.watchStats', { container: x });
    await c2.call('container.watchStats', { container: x });
    const refused = c3.call('container.watchStats', { container: y });
    await expect(refused).rejects.toBeInstanceOf(InvalidRequest);
    await expect(refused).rejects.toThrow(/maxStatsWatches/);
    // Watching again what one watches already takes nothing more.
    await c1.call('container.watchStats', { container: x });

    await c1.call('container.unwatchStats', { container: x });
    await c3.call('container.watchStats', { container: y });
    await c2.close();
    await expect
      .poll(() =>
        c1.call('container.watchStats', { container: y }).then(
          () => 'served',
          (e: Error) => e.name,
        ),
      )
      .toBe('served');

    // Both watches are on y: once it stops they end, and x can be watched twice.
    await suite.pd.stopContainer(y);
    await expect
      .poll(() =>
        c1.call('container.watchStats', { container: x }).then(
          () => 'served',
          (e: Error) => e.name,
        ),
      )
      .toBe('served');
    await c3.call('container.watchStats', { container: x });
    for (const c of [c1, c3]) await c.call('container.unwatchStats', { container: x });
  });

  it.skipIf(!podman)('pushes samples from Podman too', async () => {
    const name = await sandbox('podman', podman!.socketPath);
    const t = await connection();
    const sample = next<StatsSample>(t, 'container.stats', () => true);
    await t.call('container.watchStats', { container: name, socketPath: podman!.socketPath });
    expect((await sample).pids).toBeGreaterThan(0);
    await t.call('container.unwatchStats', { container: name });
  });
});

describe('container.changed for leases', () => {
  it('tells watchers who holds a container, when the holder goes, a release, and the removal when the grace runs out', async () => {
    const watcher = await connection();
    await watcher.call('container.watch', {});
    const lease = (name: string, test: (c: ContainerChanged) => boolean) =>
      next<ContainerChanged>(watcher, 'container.changed', (c) => c.name === name && test(c));

    const holder = await connect({
      daemon: suite.d.socketPath,
      autoStart: false,
      resumeToken: randomBytes(18).toString('base64url'),
      clientName: 'push-holder',
    });
    const name = `pd-push-lease-${tag}`;
    created.push({ name });
    const held = lease(name, (c) => c.container?.lease?.holder === 'push-holder' && c.container.lease.connected);
    await holder.createNewContainer({ name });
    expect((await held).container!.lease!.expiresAt).toBeNull();

    const away = lease(name, (c) => c.action === 'lease' && c.container?.lease?.connected === false);
    await holder.close();
    expect((await away).container!.lease!.expiresAt).toMatch(/^\d{4}-/);
    await expect(lease(name, (c) => c.action === 'destroy')).resolves.toMatchObject({ name });

    const parent = await connect({
      daemon: suite.d.socketPath,
      autoStart: false,
      resumeToken: randomBytes(18).toString('base64url'),
      clientName: 'push-parent',
    });
    try {
      const released = `pd-push-released-${tag}`;
      created.push({ name: released });
      const c = await parent.createNewContainer({ name: released });
      const told = lease(released, (ch) => ch.action === 'lease' && ch.container?.lease?.holder === 'released');
      await c.release();
      expect((await told).container!.lease!.connected).toBe(false);
      await lease(released, (ch) => ch.action === 'destroy');
    } finally {
      await parent.close();
    }
  });
});

describe('container.changed for states', () => {
  it('tells the state the container is in after each event: paused while a snapshot copies it, running again after', async () => {
    const name = await sandbox('snap');
    const image = `pd-push-snap-${tag}:v1`;
    images.push(image);
    const watcher = await connection();
    await watcher.call('container.watch', {});
    const told: string[] = [];
    watcher.on('container.changed', (c) => {
      // The sandbox's own create and start can reach the engine's event stream after this watch began on a loaded machine.
      if (c.name === name && (c.action === 'pause' || c.action === 'unpause')) told.push(`${c.action}: ${c.container?.status}`);
    });
    const unpaused = next<ContainerChanged>(watcher, 'container.changed', (c) => c.name === name && c.action === 'unpause');
    await suite.pd.transport.call('container.snapshot', { container: name, imageName: image });
    await unpaused;
    // Docker sends pause and unpause before its list shows them: the list item must not lag behind.
    expect(told).toEqual(['pause: paused', 'unpause: running']);
  });
});
