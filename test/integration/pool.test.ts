// The warm pool on the real engine: ready containers made ahead, handed out to a matching create
// (renamed, limits updated, listed and described exactly as a cold create), refilled in the
// background, invisible to list and resolve, never handed out twice, taken back by a daemon
// restarted after kill -9, removed when the daemon stops.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABEL } from '@pocketdock/protocol';
import { ContainerNotFound, type PocketDock } from '../../client/src/index.js';
import { EXEC_MODE, useDaemons, type TestDaemon } from '../helpers/daemon.js';
import { containerProcesses, docker, exists, removeAfterAll } from '../helpers/engines.js';

const SIZE = 2;
const configDir = mkdtempSync(join(tmpdir(), 'pd-pool-'));
const config = join(configDir, 'pocketdockd.yaml');
writeFileSync(config, `pool:\n  minimal-python: ${SIZE}\n`);

const { containers: made } = removeAfterAll();
const startDaemon = useDaemons();

/** The idle pool containers of the daemon whose state dir is `dir`, as the engine lists them. */
async function idle(dir: string): Promise<{ id: string; name: string }[]> {
  const owner = createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16);
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL.poolOwner}=${owner}`] } });
  return list
    .map((c) => ({ id: c.Id, name: c.Names[0]!.slice(1), pool: c.Labels[LABEL.pool] }))
    .filter((c) => c.name === c.pool)
    .map(({ id, name }) => ({ id, name }));
}

/** The containers the claims file of the daemon whose state dir is `dir` names. */
function claimed(dir: string): string[] {
  const file = join(dir, 'pool-claims.json');
  if (!existsSync(file)) return [];
  const { items } = JSON.parse(readFileSync(file, 'utf8')) as { items: { key: string }[] };
  return items.map((c) => c.key.slice(c.key.lastIndexOf('\n') + 1));
}

const pool = async (pd: PocketDock) => (await pd.poolStatus()).pools[0]!;
const full = (pd: PocketDock) => expect.poll(async () => (await pool(pd)).ready, { timeout: 60_000, interval: 200 }).toBe(SIZE);

describe('warm pool', () => {
  let d: TestDaemon;
  let pd: PocketDock;

  it('fills up, and its containers are invisible to list and resolve', async () => {
    d = await startDaemon({ args: ['--config', config] });
    pd = await d.client();
    await full(pd);
    expect(await pool(pd)).toMatchObject({
      key: 'minimal-python',
      image: 'pocketdock/minimal-python',
      network: false,
      size: SIZE,
      hits: 0,
      lastError: null,
    });
    const waiting = await idle(d.dir);
    expect(waiting).toHaveLength(SIZE);
    const listed = (await pd.listContainers()).map((c) => c.id);
    for (const c of waiting) {
      expect(listed).not.toContain(c.id);
      await expect(pd.container(c.name)).rejects.toBeInstanceOf(ContainerNotFound);
    }
  });

  it('hands a ready container to a matching create: named, limited, listed and described as a cold one', async () => {
    const before = (await idle(d.dir)).map((c) => c.id);
    const name = `pool-hit-${process.pid}`;
    const changed: string[] = [];
    const unsubscribe = pd.transport.on('container.changed', (p) => {
      changed.push(p.name);
    });
    await pd.transport.call('container.watch', {});
    const started = Date.now();
    const c = await pd.createNewContainer({ profile: 'minimal-python', name, memLimit: '256m', cpuPercent: 50, timeout: 7 });
    made.push(c.containerId);
    expect(before).toContain(c.containerId);
    expect((await pool(pd)).hits).toBe(1);
    expect((await c.run('echo ready from $(whoami)')).stdout).toBe('ready from sandbox\n');
    const info = await c.info();
    expect(info).toMatchObject({ name, memoryLimit: '256.0 MB', network: false });
    expect(Date.parse(info.createdAt)).toBeGreaterThanOrEqual(started - 1000);
    expect((await docker.getContainer(c.containerId).inspect()).HostConfig.CpuQuota).toBe(50_000);
    const item = (await pd.listContainers()).find((x) => x.id === c.containerId);
    expect(item).toMatchObject({
      name,
      status: 'running',
      image: 'pocketdock/minimal-python',
      persist: false,
      project: '',
      createdAt: info.createdAt,
    });
    // Another process's handle has the create's timeout (a label a pool container could not carry).
    expect(await pd.container(name)).toMatchObject({ name, timeout: 7, persist: false });

    // The pool refills in the background; what it handed out never comes back.
    await full(pd);
    expect((await pool(pd)).refills).toBeGreaterThanOrEqual(SIZE + 1);
    // Watchers saw the handed-out container renamed, and nothing of the pool's own comings and goings.
    await expect.poll(() => changed).toContain(name);
    expect(changed.filter((n) => n.startsWith('pd-pool-'))).toEqual([]);
    unsubscribe();
    await c.shutdown();
    expect(await exists(c.containerId)).toBe(false);
    expect((await idle(d.dir)).map((x) => x.id)).not.toContain(c.containerId);
  });

  it('a create without a name answers at once under the name the daemon chose, its agent already up; the engine name follows', async () => {
    await full(pd);
    if (EXEC_MODE === 'agent') {
      // Its first command needs no engine exec: the agent was started while the container waited.
      for (const w of await idle(d.dir)) {
        expect((await containerProcesses(w.id)).map((p) => p.args).join('\n')).toContain('.pocketdock-agent-');
      }
    }
    const c = await pd.createNewContainer({ profile: 'minimal-python' });
    made.push(c.containerId);
    expect(c.name).toMatch(/^pd-[0-9a-f]{8}$/);
    expect((await c.run('echo hi')).stdout).toBe('hi\n');
    expect(await pd.container(c.name)).toMatchObject({ name: c.name, containerId: c.containerId });
    expect((await c.info()).name).toBe(c.name);
    // Another create cannot take the name while the engine has not given it yet.
    await expect(pd.createNewContainer({ name: c.name, persist: true })).rejects.toMatchObject({ name: 'InvalidParams' });
    await expect
      .poll(async () => (await docker.getContainer(c.containerId).inspect()).Name, { timeout: 60_000, interval: 100 })
      .toBe(`/${c.name}`);
    expect((await pd.listContainers()).find((x) => x.id === c.containerId)).toMatchObject({ name: c.name });
    await c.shutdown();
  });

  it('creates cold what no pool can serve, and counts a create that found the pool empty as a miss', async () => {
    const coldBefore = (await pd.poolStatus()).cold;
    const cold = await pd.createNewContainer({ profile: 'minimal-python', persist: true, name: `pool-cold-${process.pid}` });
    made.push(cold.containerId);
    expect((await idle(d.dir)).map((x) => x.id)).not.toContain(cold.containerId);
    expect((await pd.poolStatus()).cold).toBe(coldBefore + 1);
    await cold.shutdown({ force: true });
    await pd.destroyContainer(cold.name);

    const at = await pool(pd);
    const burst = await Promise.all(Array.from({ length: SIZE + 2 }, () => pd.createNewContainer({ profile: 'minimal-python' })));
    made.push(...burst.map((c) => c.containerId));
    const after = await pool(pd);
    expect(after.hits - at.hits + after.misses - at.misses).toBe(SIZE + 2);
    expect(after.misses - at.misses).toBeGreaterThan(0);
    expect(new Set(burst.map((c) => c.containerId)).size).toBe(SIZE + 2);
    await Promise.all(burst.map((c) => c.shutdown()));
  });

  it('a daemon restarted after kill -9 takes its idle containers back; a handed-out one keeps its name and labels', async () => {
    await full(pd);
    const handed = await pd.createNewContainer({ profile: 'minimal-python', persist: false, name: `pool-kept-${process.pid}` });
    made.push(handed.containerId);
    const listedBefore = (await pd.listContainers()).find((x) => x.id === handed.containerId);
    await full(pd);
    const waiting = (await idle(d.dir)).map((c) => c.id).sort();
    await pd.close();
    const exited = once(d.child, 'exit');
    d.child.kill('SIGKILL');
    await exited;

    d = await startDaemon({ dir: d.dir, args: ['--config', config] });
    pd = await d.client();
    await full(pd);
    expect(await pool(pd)).toMatchObject({ refills: 0, ready: SIZE });
    expect((await idle(d.dir)).map((c) => c.id).sort()).toEqual(waiting);
    const listedAfter = (await pd.listContainers()).find((x) => x.id === handed.containerId);
    expect(listedAfter).toMatchObject({ ...listedBefore, lease: expect.anything() });
    await (await pd.container(handed.name)).shutdown();
  });

  it('forgets the claim of a handed-out container removed behind its back: when found gone, and on start', async () => {
    await full(pd);
    const [gone, goneWhileDown] = await Promise.all([
      pd.createNewContainer({ profile: 'minimal-python' }),
      pd.createNewContainer({ profile: 'minimal-python' }),
    ]);
    made.push(gone.containerId, goneWhileDown.containerId);
    expect(claimed(d.dir)).toEqual(expect.arrayContaining([gone.containerId, goneWhileDown.containerId]));
    await docker.getContainer(gone.containerId).remove({ force: true });
    await expect(pd.container(gone.name)).rejects.toThrow();
    await expect.poll(() => claimed(d.dir)).not.toContain(gone.containerId);

    await pd.close();
    const exited = once(d.child, 'exit');
    d.child.kill('SIGKILL');
    await exited;
    await docker.getContainer(goneWhileDown.containerId).remove({ force: true });
    d = await startDaemon({ dir: d.dir, args: ['--config', config] });
    pd = await d.client();
    await expect.poll(() => claimed(d.dir), { timeout: 60_000, interval: 100 }).not.toContain(goneWhileDown.containerId);
  });

  it('removes its idle containers when the daemon stops', async () => {
    await full(pd);
    const waiting = await idle(d.dir);
    expect(waiting).toHaveLength(SIZE);
    await pd.close();
    const exited = once(d.child, 'exit');
    d.child.kill('SIGTERM');
    await exited;
    for (const c of waiting) expect(await exists(c.id)).toBe(false);
  });
});
