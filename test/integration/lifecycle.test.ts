// Lifecycle on every engine that answers: persist/stop/resume, reboot, snapshot, destroy, prune,
// info, profiles' network default, and the errors for stopped, vanished and unknown containers.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ContainerGone,
  ContainerNotFound,
  ContainerNotRunning,
  InvalidParams,
  type Container,
  type CreateContainerOptions,
} from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines, removeAfterAll } from '../helpers/engines.js';

const engines = await availableEngines();
const suite = useDaemon();
const { containers: names, images } = removeAfterAll(engines);

const tag = () => randomBytes(3).toString('hex');

describe.each(engines)('lifecycle on $name', (e) => {
  async function create(opts: CreateContainerOptions = {}): Promise<Container> {
    const c = await suite.pd.createNewContainer({ socketPath: e.socketPath, ...opts });
    names.push(c.name);
    return c;
  }
  const item = async (name: string) => (await suite.pd.listContainers({ socketPath: e.socketPath })).find((c) => c.name === name);

  it("keeps a persistent container's files across shutdown and resume, and lists it running and stopped", async () => {
    const c = await create({ persist: true });
    expect(c.socketPath).toBe(e.socketPath);
    await c.run('echo kept > /home/sandbox/f');
    expect(await item(c.name)).toMatchObject({
      id: c.containerId,
      status: 'running',
      persist: true,
      project: '',
      image: 'pocketdock/minimal-python',
    });

    const t0 = performance.now();
    await c.shutdown();
    console.log(JSON.stringify({ engine: e.name, op: 'shutdown persistent (stop)', ms: Math.round(performance.now() - t0) }));
    const stopped = await item(c.name);
    expect(stopped?.status).toBe('exited');
    expect(Date.parse(stopped!.createdAt)).not.toBeNaN();
    await expect(c.run('true')).rejects.toBeInstanceOf(ContainerNotRunning);
    expect((await c.info()).status).toBe('exited');

    const again = await suite.pd.resumeContainer(c.name, { socketPath: e.socketPath });
    expect(again.containerId).toBe(c.containerId);
    expect((await again.run('cat /home/sandbox/f')).stdout).toBe('kept\n');
  });

  it('resumes with a default exec timeout of its own, else the one the container was created with', async () => {
    const c = await create({ persist: true, timeout: 7 });
    await c.shutdown();
    const kept = await suite.pd.resumeContainer(c.name, { socketPath: e.socketPath });
    expect(kept.timeout).toBe(7);
    const short = await suite.pd.resumeContainer(c.name, { socketPath: e.socketPath, timeout: 1 });
    expect(short.timeout).toBe(1);
    expect(await short.run('sleep 20')).toMatchObject({ timedOut: true });
    expect(await (await short.session()).sendAndWait('sleep 20')).toMatchObject({ timedOut: true });
    expect(await short.run('sleep 2', { timeout: 10 })).toMatchObject({ timedOut: false, exitCode: 0 });
    await expect(suite.pd.resumeContainer(c.name, { socketPath: e.socketPath, timeout: 0 })).rejects.toMatchObject({
      name: 'InvalidParams',
      field: 'timeout',
    });
  });

  it('stops any container with stopContainer, whatever persist says; a command sent right after is refused', async () => {
    const c = await create();
    expect(await c.run('true')).toMatchObject({ exitCode: 0 }); // the container's agent is up
    await suite.pd.stopContainer(c.name, { socketPath: e.socketPath });
    expect((await item(c.name))?.status).toBe('exited');
    await expect(c.run('true')).rejects.toBeInstanceOf(ContainerNotRunning);
  });

  it('removes a non-persistent container on shutdown, fast', async () => {
    const c = await create();
    const t0 = performance.now();
    await c.shutdown();
    console.log(JSON.stringify({ engine: e.name, op: 'shutdown (remove)', ms: Math.round(performance.now() - t0) }));
    expect(await item(c.name)).toBeUndefined();
    await expect(c.info()).rejects.toBeInstanceOf(ContainerNotFound);
  });

  it('reboots in place keeping files; fresh recreates with the same name and settings, losing them', async () => {
    const c = await create({ persist: true, memLimit: '128m' });
    await c.run('echo x > /home/sandbox/f');
    await c.reboot();
    expect((await c.run('cat /home/sandbox/f')).stdout).toBe('x\n');

    const before = c.containerId;
    await c.reboot({ fresh: true });
    expect(c.containerId).not.toBe(before);
    const r = await c.run('cat /home/sandbox/f');
    expect(r.exitCode).not.toBe(0);
    const info = await c.info();
    expect(info).toMatchObject({ name: c.name, status: 'running', memoryLimit: '128.0 MB' });
    expect(await item(c.name)).toMatchObject({ id: c.containerId, persist: true });
  });

  it('snapshots a container into an image a new container starts from', async () => {
    const c = await create();
    await c.run('echo from-snapshot > /home/sandbox/s');
    const image = `pocketdock/test-snap-${tag()}:v1`;
    images.push(image);
    const id = await c.snapshot(image);
    expect(id).toMatch(/^(sha256:)?[0-9a-f]{64}$/);
    const d2 = await create({ image });
    expect((await d2.run('cat /home/sandbox/s')).stdout).toBe('from-snapshot\n');
    // The snapshot does not carry the source container's identity.
    expect(await item(d2.name)).toMatchObject({ project: '', persist: false, image });
    // Its only pocketdock label names the source; a container the engine's CLI starts from it is not managed.
    const labels = (await e.docker.getImage(image).inspect()).Config.Labels ?? {};
    expect(Object.entries(labels).filter(([k, v]) => k.startsWith('pocketdock.') && v !== '')).toEqual([
      ['pocketdock.snapshot-of', c.name],
    ]);
    const raw = await e.docker.createContainer({ Image: image, name: `pd-test-raw-${tag()}` });
    const rawName = (await raw.inspect()).Name.replace(/^\//, '');
    names.push(rawName);
    await raw.start();
    expect(await item(rawName)).toBeUndefined();
  });

  it('destroys a persistent container; its name is then unknown', async () => {
    const c = await create({ persist: true });
    await suite.pd.destroyContainer(c.name, { socketPath: e.socketPath });
    expect(await item(c.name)).toBeUndefined();
    await expect(suite.pd.resumeContainer(c.name, { socketPath: e.socketPath })).rejects.toBeInstanceOf(ContainerNotFound);
  });

  it('prunes stopped containers of one project and counts them', async () => {
    const project = `prune-${tag()}`;
    const [a, b, running] = await Promise.all([
      create({ project, persist: true }),
      create({ project, persist: true }),
      create({ project }),
    ]);
    const other = await create({ project: `other-${tag()}`, persist: true });
    await Promise.all([a.shutdown(), b.shutdown(), other.shutdown()]);
    expect(await suite.pd.prune({ project, socketPath: e.socketPath })).toBe(2);
    const left = await suite.pd.listContainers({ project, socketPath: e.socketPath });
    expect(left.map((x) => x.name)).toEqual([running.name]);
    expect((await item(other.name))?.status).toBe('exited');
  });

  // Pruning without a project removes every stopped managed container on the engine, other
  // suites' included: only where this suite has the engine to itself (Podman here, or CI).
  it.runIf(e.name === 'podman' || process.env.CI)('prunes every stopped container without a project', async () => {
    const [a, b] = await Promise.all([create({ persist: true }), create({ project: `p-${tag()}`, persist: true })]);
    await Promise.all([a.shutdown(), b.shutdown()]);
    expect(await suite.pd.prune({ socketPath: e.socketPath })).toBeGreaterThanOrEqual(2);
    expect(await item(a.name)).toBeUndefined();
    expect(await item(b.name)).toBeUndefined();
  });

  it('reports every info field', async () => {
    const c = await create({ memLimit: '256m', ports: { [String(20000 + Math.floor(Math.random() * 20000))]: 8080 } });
    await c.run('sleep 30 >/dev/null 2>&1 &');
    const info = await c.info();
    console.log(JSON.stringify({ engine: e.name, info: { ...info, processes: info.processes.length } }));
    expect(info).toMatchObject({
      id: c.containerId,
      name: c.name,
      status: 'running',
      image: 'pocketdock/minimal-python',
      network: true,
      memoryLimit: '256.0 MB',
    });
    expect(info.memoryUsage).toMatch(/^\d+(\.\d)? (B|KB|MB)$/);
    expect(info.memoryPercent).toBeGreaterThan(0);
    expect(info.memoryPercent).toBeLessThan(100);
    expect(info.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(info.pids).toBeGreaterThanOrEqual(2);
    expect(info.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(Object.values(info.ports)).toEqual([8080]);
    expect(info.uptime).toMatch(/\d+s$/);
    expect(Date.parse(info.startedAt)).toBeGreaterThan(0);
    expect(info.processes.map((p) => p.COMMAND)).toEqual(expect.arrayContaining(['sleep infinity', 'sleep 30']));
    expect(Object.keys(info.processes[0]!)).toEqual(['PID', 'USER', 'ELAPSED', 'COMMAND']);
  });

  it("gives a profile's container its network default: minimal-python has only loopback", async () => {
    const off = await create({ profile: 'minimal-python' });
    const dev = (await off.run('cat /proc/net/dev')).stdout;
    expect(
      dev
        .split('\n')
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':')[0]!.trim()),
    ).toEqual(['lo']);
    expect((await off.info()).network).toBe(false);
    // Published ports need a network whatever the profile says.
    const withPorts = await create({ profile: 'minimal-python', ports: { [String(20000 + Math.floor(Math.random() * 20000))]: 80 } });
    expect((await withPorts.run('cat /proc/net/dev')).stdout).toMatch(/eth0:/);
    await expect(create({ profile: 'no-such-profile' })).rejects.toMatchObject({ name: 'InvalidParams', field: 'profile' });
  });

  it("says ContainerGone for a container removed with the engine's own CLI, ContainerNotFound for an unknown name", async () => {
    const c = await create({ persist: true });
    await e.docker.getContainer(c.containerId).remove({ force: true });
    await expect(c.run('true')).rejects.toBeInstanceOf(ContainerGone);
    await expect(c.info()).rejects.toBeInstanceOf(ContainerGone);
    await expect(suite.pd.resumeContainer(c.name, { socketPath: e.socketPath })).rejects.toBeInstanceOf(ContainerGone);
    await expect(suite.pd.stopContainer(`pd-nope-${tag()}`, { socketPath: e.socketPath })).rejects.toBeInstanceOf(ContainerNotFound);
  });

  it('looks for a container on the engine socketPath names, and only there', async () => {
    const c = await create();
    const call = (socketPath: string) => suite.pd.transport.call('container.run', { container: c.name, command: 'echo here', socketPath });
    expect((await call(e.socketPath)).stdout).toBe('here\n');
    for (const other of engines.filter((o) => o !== e)) await expect(call(other.socketPath)).rejects.toBeInstanceOf(ContainerNotFound);
  });
});

describe('profiles', () => {
  it('lists and resolves profiles with every field', async () => {
    const all = await suite.pd.listProfiles();
    const mp = all.find((p) => p.name === 'minimal-python');
    expect(mp).toMatchObject({ imageTag: 'pocketdock/minimal-python', networkDefault: false });
    expect(mp!.dockerfileDir).toMatch(/images\/minimal-python$/);
    expect(mp!.description).not.toBe('');
    expect(mp!.sizeEstimate).toMatch(/^\d+(\.\d)? MB$/);
    expect(await suite.pd.resolveProfile('minimal-python')).toEqual(mp);
    await expect(suite.pd.resolveProfile('nope')).rejects.toBeInstanceOf(InvalidParams);
  });
});
