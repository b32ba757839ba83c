// Projects on every engine that answers: instance dirs and their metadata, history.jsonl, log
// rotation limits, project defaults and socket precedence, destroy, doctor and its errors.
import { existsSync, mkdirSync, watch, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import {
  ProjectNotInitialized,
  findProjectRoot,
  initProject,
  type Container,
  type CreateContainerOptions,
} from '../../client/src/index.js';
import { startDaemon, useDaemon, type TestDaemon } from '../helpers/daemon.js';
import { availableEngines, removeAfterAll } from '../helpers/engines.js';
import { postRpc } from '../helpers/rpc.js';

const engines = await availableEngines();
const suite = useDaemon();
const { containers: names } = removeAfterAll(engines);
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-project-'));
  dirs.push(dir);
  return dir;
}

/** A fresh project with `overrides` written into its pocketdock.yaml. */
async function project(overrides: Record<string, unknown> = {}): Promise<string> {
  const root = await initProject(tempDir(), { projectName: `proj-${Math.random().toString(16).slice(2, 8)}` });
  const file = join(root, '.pocketdock', 'pocketdock.yaml');
  writeFileSync(file, stringify({ ...parseYaml(readFileSync(file, 'utf8')), ...overrides }));
  return root;
}

/** Resolves once `file` exists and its text satisfies `done`: checked on every change of its directory. */
function until(file: string, done: (text: string) => boolean): Promise<void> {
  const read = () => {
    try {
      return done(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
  };
  return new Promise((resolve) => {
    const watcher = watch(dirname(file), () => {
      if (read()) {
        watcher.close();
        resolve();
      }
    });
    if (read()) {
      watcher.close();
      resolve();
    }
  });
}

describe('initProject and findProjectRoot', () => {
  it('writes every field with its default and is found from below', async () => {
    const root = await initProject(tempDir(), { projectName: 'demo' });
    const doc = parseYaml(readFileSync(join(root, '.pocketdock', 'pocketdock.yaml'), 'utf8'));
    expect(doc).toEqual({
      project_name: 'demo',
      default_profile: 'minimal-python',
      default_persist: false,
      auto_log: true,
      max_log_size: '10MB',
      max_logs_per_instance: 100,
      retention_days: 30,
      socket: null,
      log_level: 'info',
    });
    const deep = join(root, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(findProjectRoot(deep)).toBe(root);
    expect(findProjectRoot(tempDir())).toBeUndefined();
  });
});

describe.each(engines)('projects on $name', (e) => {
  async function create(opts: CreateContainerOptions): Promise<Container> {
    const c = await suite.pd.createNewContainer({ socketPath: e.socketPath, ...opts });
    names.push(c.name);
    return c;
  }

  it('gives a project container an instance dir with metadata, history lines and the data-path label', async () => {
    const root = await project();
    const c = await create({ projectRoot: root, memLimit: '64m', cpuPercent: 50 });
    const dir = join(root, '.pocketdock', 'instances', c.name);
    expect(c.dataPath).toBe(dir);
    const meta = parseYaml(readFileSync(join(dir, 'instance.yaml'), 'utf8'));
    expect(meta).toMatchObject({
      container_id: c.containerId,
      name: c.name,
      image: 'pocketdock/minimal-python',
      project: c.project,
      persist: false,
      mem_limit: '64m',
      cpu_percent: 50,
      socket_path: e.socketPath,
    });
    expect(Date.parse(meta.created_at)).not.toBeNaN();
    expect(statSync(join(dir, 'logs')).isDirectory()).toBe(true);
    expect((await e.docker.getContainer(c.containerId).inspect()).Config.Labels['pocketdock.data-path']).toBe(dir);

    await c.run('echo hi');
    await c.run('exit 3');
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toMatchObject([
      { kind: 'run', command: 'echo hi', exit_code: 0 },
      { kind: 'run', command: 'exit 3', exit_code: 3 },
    ]);
    for (const l of lines) {
      expect(l.duration_ms).toBeGreaterThanOrEqual(0);
      expect(Date.parse(l.timestamp)).not.toBeNaN();
    }
  });

  it("writes a detached process's output to logs/process-<id>.log as it arrives (auto_log), stderr lines marked", async () => {
    const root = await project();
    const c = await create({ projectRoot: root });
    await c.run('mkfifo /tmp/go');
    const p = await c.run('echo out; echo err >&2; read _ < /tmp/go; echo more', { detach: true });
    const file = join(c.dataPath, 'logs', `process-${p.id}.log`);
    await until(file, (text) => text.includes('out\n') && text.includes('[stderr] err\n'));
    await c.run('echo > /tmp/go');
    await p.wait();
    // wait() returns once the log holds all the process wrote.
    expect(readFileSync(file, 'utf8')).toBe('out\n[stderr] err\nmore\n');
  });

  it('with auto_log: false writes no logs/ file and no history for detached processes; with true it does', async () => {
    const command = 'echo out; echo err >&2';
    const on = await create({ projectRoot: await project({ auto_log: true }) });
    const logged = await on.run(command, { detach: true });
    await logged.wait();
    expect(readdirSync(join(on.dataPath, 'logs'))).toEqual([`process-${logged.id}.log`]);
    expect(readFileSync(join(on.dataPath, 'logs', `process-${logged.id}.log`), 'utf8')).toBe('out\n[stderr] err\n');

    const off = await create({ projectRoot: await project({ auto_log: false }) });
    const quiet = await off.run(command, { detach: true });
    // The same point in time at which the logged process's file was whole: nothing was written here.
    expect(await quiet.wait()).toMatchObject({ exitCode: 0 });
    await off.run('true');
    expect(readdirSync(join(off.dataPath, 'logs'))).toEqual([]);
    expect(readdirSync(off.dataPath).sort()).toEqual(['instance.yaml', 'logs']);
  });

  it('keeps history within max_log_size and logs/ within max_logs_per_instance', async () => {
    const root = await project({ max_log_size: '300B', max_logs_per_instance: 2 });
    const c = await create({ projectRoot: root });
    for (let i = 0; i < 12; i++) await c.run(`echo run-${i}-${'x'.repeat(40)}`);
    const dir = c.dataPath;
    expect(statSync(join(dir, 'history.jsonl')).size).toBeLessThanOrEqual(300);
    const archived = readdirSync(join(dir, 'logs'));
    expect(archived).toHaveLength(2);
    for (const f of archived) expect(f).toMatch(/^history\.\d+\.jsonl$/);
    // The newest lines survive: the last run is in the live file.
    expect(readFileSync(join(dir, 'history.jsonl'), 'utf8')).toContain('run-11-');
  });

  it("applies the project's defaults (persist, project name, profile network) and its socket", async () => {
    const root = await project({ default_persist: true, socket: e.socketPath });
    const projectName = parseYaml(readFileSync(join(root, '.pocketdock', 'pocketdock.yaml'), 'utf8')).project_name;
    // No socketPath given: the project's socket decides the engine.
    const c = await suite.pd.createNewContainer({ projectRoot: root });
    names.push(c.name);
    expect(c).toMatchObject({ persist: true, project: projectName, socketPath: e.socketPath });
    expect((await c.info()).network).toBe(false);
  });

  it('removes the instance dir on destroy', async () => {
    const root = await project();
    const c = await create({ projectRoot: root, persist: true });
    expect(existsSync(c.dataPath)).toBe(true);
    await suite.pd.destroyContainer(c.name, { socketPath: e.socketPath });
    expect(existsSync(c.dataPath)).toBe(false);
  });

  it('doctor finds orphaned containers and stale instance dirs', async () => {
    const root = await project();
    const [healthy, orphan, vanished] = await Promise.all([1, 2, 3].map(() => create({ projectRoot: root })));
    rmSync(orphan!.dataPath, { recursive: true });
    await e.docker.getContainer(vanished!.containerId).remove({ force: true });
    expect(await suite.pd.doctor({ projectRoot: root, socketPath: e.socketPath })).toEqual({
      orphanedContainers: [orphan!.name],
      staleInstanceDirs: [vanished!.dataPath],
      healthy: 1,
    });
    expect(existsSync(healthy!.dataPath)).toBe(true);
  });
});

/** The daemon's JSON log lines about one container so far. */
function linesAbout(d: TestDaemon, containerId: string): { level: number; msg: string }[] {
  return d
    .log()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((l) => l.containerId === containerId);
}

/** Resolves once the daemon has logged a line about `containerId` with message `msg`. */
function logged(d: TestDaemon, containerId: string, msg: string): Promise<void> {
  const seen = () => linesAbout(d, containerId).some((l) => l.msg === msg);
  return new Promise((resolve) => {
    const check = () => {
      if (!seen()) return;
      d.child.stderr!.off('data', check);
      resolve();
    };
    d.child.stderr!.on('data', check);
    check();
  });
}

describe("a project's log_level", () => {
  it("sets the level of the daemon's log lines about the project's containers, whatever the daemon's own", async () => {
    const d = await startDaemon({ args: ['--log-level', 'info'] });
    const pd = await d.client();
    const socketPath = engines[0]!.socketPath;
    try {
      const plain = await pd.createNewContainer({ socketPath });
      names.push(plain.name);
      await plain.run('echo plain');
      const loud = await pd.createNewContainer({ socketPath, projectRoot: await project({ log_level: 'debug' }) });
      names.push(loud.name);
      await loud.run('echo loud');
      const quiet = await pd.createNewContainer({ socketPath, projectRoot: await project({ log_level: 'ERROR' }) });
      names.push(quiet.name);
      await quiet.run('echo quiet');
      await quiet.shutdown();
      await loud.shutdown();
      await plain.shutdown();
      // One pipe, in order: once the last line is in, every line before it is too.
      await logged(d, plain.containerId, 'container removed');

      const levels = (id: string) => new Set(linesAbout(d, id).map((l) => l.level));
      // Outside a project the daemon's --log-level rules: info lines, no debug ones.
      expect(levels(plain.containerId)).toContain(30);
      expect(levels(plain.containerId)).not.toContain(20);
      expect(levels(loud.containerId)).toContain(20);
      expect(linesAbout(d, quiet.containerId)).toEqual([]);
    } finally {
      await pd.close();
      await d.stop();
    }
  });

  it('refuses a log_level that is no level, naming the file and the line', async () => {
    const root = await project({ log_level: 'loud' });
    await expect(suite.pd.createNewContainer({ projectRoot: root })).rejects.toMatchObject({
      name: 'InvalidParams',
      message: expect.stringMatching(
        /pocketdock\.yaml:\d+: log_level "loud" is not one of trace, debug, info, warn, error, fatal, silent$/,
      ),
    });
  });
});

describe('project errors', () => {
  it('refuses to write outside a project root', async () => {
    const notProject = tempDir();
    await expect(suite.pd.createNewContainer({ projectRoot: notProject })).rejects.toBeInstanceOf(ProjectNotInitialized);
    await expect(suite.pd.doctor({ projectRoot: notProject })).rejects.toBeInstanceOf(ProjectNotInitialized);
    // The daemon checks on its own, whatever the client did.
    const raw = await postRpc(
      { socketPath: suite.d.socketPath },
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'project.doctor', params: { projectRoot: notProject } }),
    );
    expect(raw.json).toMatchObject({ error: { data: { type: 'ProjectNotInitialized', path: notProject } } });
    const relative = await postRpc(
      { socketPath: suite.d.socketPath },
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'container.create', params: { projectRoot: 'rel/dir' } }),
    );
    expect(relative.json).toMatchObject({ error: { data: { type: 'InvalidParams' } } });
  });

  it('doctor outside any project says ProjectNotInitialized', async () => {
    const cwd = process.cwd();
    process.chdir(tempDir());
    try {
      await expect(suite.pd.doctor()).rejects.toBeInstanceOf(ProjectNotInitialized);
    } finally {
      process.chdir(cwd);
    }
  });

  it('names the file, the line and the key of a bad value in pocketdock.yaml, in the client and in the daemon', async () => {
    const root = await project({ max_log_size: 'lots' });
    const file = join(root, '.pocketdock', 'pocketdock.yaml');
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('max_log_size:')) + 1;
    const message = `${file}:${line}: max_log_size "lots" is not a size like "10MB"`;
    await expect(suite.pd.createNewContainer({ projectRoot: root })).rejects.toMatchObject({
      name: 'InvalidParams',
      message,
      field: 'max_log_size',
    });
    const raw = await postRpc(
      { socketPath: suite.d.socketPath },
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'container.create', params: { projectRoot: root } }),
    );
    expect(raw.json).toMatchObject({ error: { message, data: { type: 'InvalidParams', field: 'projectRoot' } } });
  });

  it('a broken pocketdock.yaml around the cwd fails only the calls that read it, naming its file and line', async () => {
    const root = tempDir();
    mkdirSync(join(root, '.pocketdock'));
    const file = join(root, '.pocketdock', 'pocketdock.yaml');
    writeFileSync(file, 'project_name: broken\nsocket: [unclosed\n');
    const socketPath = engines[0]!.socketPath;
    const c = await suite.pd.createNewContainer({ socketPath, persist: true });
    names.push(c.name);
    const [cwd, envSocket] = [process.cwd(), process.env.POCKETDOCK_SOCKET];
    process.chdir(root);
    delete process.env.POCKETDOCK_SOCKET;
    try {
      // The engine is named, explicitly or by POCKETDOCK_SOCKET: the project file decides nothing.
      await suite.pd.stopContainer(c.name, { socketPath });
      expect((await suite.pd.resumeContainer(c.name, { socketPath })).containerId).toBe(c.containerId);
      expect((await suite.pd.listContainers({ socketPath })).map((i) => i.name)).toContain(c.name);
      expect(await suite.pd.prune({ socketPath, project: `none-${Math.random().toString(16).slice(2)}` })).toBe(0);
      process.env.POCKETDOCK_SOCKET = socketPath;
      expect((await suite.pd.container(c.name)).containerId).toBe(c.containerId);
      delete process.env.POCKETDOCK_SOCKET;
      // Where it would decide (or a container would get an instance dir), the error names the file and the line.
      const broken = new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+: \\(document\\) is not valid yaml: `);
      await expect(suite.pd.listContainers()).rejects.toThrow(broken);
      await expect(suite.pd.createNewContainer({ socketPath })).rejects.toThrow(broken);
      await suite.pd.destroyContainer(c.name, { socketPath });
    } finally {
      process.chdir(cwd);
      if (envSocket === undefined) delete process.env.POCKETDOCK_SOCKET;
      else process.env.POCKETDOCK_SOCKET = envSocket;
    }
  });
});
