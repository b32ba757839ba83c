// The pocketdock command through its built binary against a real daemon: output, --json shapes
// against the protocol's schemas, exit codes, NO_COLOR.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
// The schemas as declared, with TypeBox's own marks (the package exports them as plain JSON): Value reads them.
import {
  ContainerListItem,
  DoctorReport,
  ImageBuildResult,
  ImportedImage,
  METHODS,
  ProfileInfo,
  StreamChunk,
} from '../../packages/protocol/src/methods/index.js';
import { ContainerHandle, ContainerInfo, ExecResult } from '../../packages/protocol/src/types.js';
import { CLI_BIN, cli, cliFor } from '../helpers/cli.js';
import { startDaemon, useDaemon } from '../helpers/daemon.js';
import { EngineProxy } from '../helpers/engine-proxy.js';
import { availableEngines, docker, exists } from '../helpers/engines.js';

// Each test spawns the CLI many times, one after the other: on a busy shared machine one start of node
// can take seconds, so a test gets more than the suite's default before it counts as hung.
vi.setConfig({ testTimeout: 600_000 });

const s = useDaemon();
const run = (args: readonly string[], o?: Parameters<typeof cli>[1]) => cliFor(s.d.socketPath)(args, o);
const prefix = `clitest-${randomBytes(3).toString('hex')}`;
const box = `${prefix}-box`;
const snapshot = `${prefix}-snap:v1`;
const ANSI = '\u001b[';
const podman = (await availableEngines()).find((e) => e.name === 'podman');

function expectShape(schema: TSchema, text: string): unknown {
  const value: unknown = JSON.parse(text);
  expect([...Value.Errors(schema, value)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
  return value;
}

afterAll(async () => {
  const mine = (await s.pd.listContainers()).filter((c) => c.name.startsWith(prefix));
  await Promise.all(mine.map((c) => s.pd.destroyContainer(c.name).catch(() => undefined)));
  // The snapshot's containers are gone, so its image can go too (the test daemon works on Docker).
  await docker
    .getImage(snapshot)
    .remove()
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
});

describe('usage', () => {
  it('prints help with examples, and the version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of [
      'quickstart',
      'init',
      'status',
      'doctor',
      'logs',
      'create',
      'run',
      'shell',
      'reboot',
      'stop',
      'resume',
      'shutdown',
      'snapshot',
      'prune',
      'list',
      'info',
      'push',
      'pull',
      'profiles',
      'build',
      'export',
      'import',
      'attach',
      'daemon',
      'dashboard',
      'completion',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
    expect(help.stdout).toContain('Examples:');
    const runHelp = await cli(['run', '--help']);
    expect(runHelp.stdout).toContain('$ pocketdock run box --detach');
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 with one line for a bad command line', async () => {
    for (const args of [['bogus'], ['run'], ['list', '--bogus'], ['run', 'x', '--timeout', '-1', 'true'], ['completion', 'fish']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^pocketdock: /);
    }
  });

  it('exits 2 with one line for a value the daemon refuses, naming what is wrong', async () => {
    for (const [args, says] of [
      [['create', '--name', `${prefix}-bad`, '--cpu-percent', '150'], /cpuPercent must be <= 100/],
      [['create', '--name', `${prefix}-bad`, '--mem-limit', 'lots'], /memLimit must match/],
      [['create', '--name', `${prefix}-bad`, '--profile', 'nosuch'], /"nosuch" is not a profile \(known: minimal-python/],
      [['create', '--name', `${prefix}-bad`, '-p', '8080'], /-p 8080: expected HOST:CONTAINER/],
    ] as const) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^pocketdock: .*${says.source}.*\n$`));
    }
    // An engine the daemon does not know is refused, and the line says so without a token hint.
    const refused = await run(['--socket', join(s.d.dir, 'no-engine.sock'), 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^pocketdock: socketPath refused .*is not an engine this daemon knows \(known: [^)]*\)\n$/);
  });

  it('exits 1 with one line naming the engine, never a stack, when the engine is away', async () => {
    const proxy = new EngineProxy(join(mkdtempSync(join(tmpdir(), 'pd-cli-proxy-')), 'engine.sock'));
    await proxy.up();
    const d = await startDaemon({ args: ['--engine-socket', proxy.path] });
    try {
      await proxy.cut();
      for (const args of [['list'], ['create', '--name', `${prefix}-away`], ['info', box], ['run', box, 'true']]) {
        const r = await cli(['--daemon', d.socketPath, ...args]);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^pocketdock: [^\n]*${proxy.path.replace(/[.]/g, '\\.')}[^\n]*\n$`));
      }
    } finally {
      await d.stop();
    }
  });

  it('exits 3 when no daemon answers, saying what to do', async () => {
    const r = await cli(['--daemon', join(s.d.dir, 'nobody.sock'), 'list']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^pocketdock: no pocketdock daemon answers at .*nobody\.sock \(start one with `pocketdock daemon start`/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('containers', () => {
  it('creates one and prints its name; --json prints its handle', async () => {
    const r = await run(['create', '--name', box, '--mem-limit', '256m', '--timeout', '20']);
    expect(r).toMatchObject({ code: 0, stdout: `${box}\n` });
    const j = await run(['--json', 'create', '--name', `${prefix}-json`, '--persist']);
    expect(j.code).toBe(0);
    expect(expectShape(ContainerHandle, j.stdout)).toMatchObject({ name: `${prefix}-json`, persist: true });
  });

  it('create passes --profile, --cpu-percent, -p and --device to the engine', async () => {
    const name = `${prefix}-opts`;
    const r = await run([
      'create',
      '--name',
      name,
      '--profile',
      'minimal-node',
      '--cpu-percent',
      '50',
      '-p',
      '0:8000',
      '--device',
      '/dev/zero',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: `${name}\n` });
    const host = (await docker.getContainer(name).inspect()).HostConfig;
    expect(host.NanoCpus || host.CpuQuota).toBeGreaterThan(0);
    expect(host.Devices).toEqual([expect.objectContaining({ PathOnHost: '/dev/zero' })]);
    const info = expectShape(ContainerInfo, (await run(['info', name, '--json'])).stdout) as ContainerInfo;
    expect(info.image).toBe('pocketdock/minimal-node');
    expect(Object.values(info.ports)).toEqual([8000]);
    // The host port the engine picked for 0, not the 0 asked for.
    expect(Number(Object.keys(info.ports)[0])).toBeGreaterThan(0);
    expect((await run(['run', name, 'node -e "console.log(6 * 7)"'])).stdout).toBe('42\n');
    expect((await run(['shutdown', name, '--yes'])).code).toBe(0);
  });

  it("lists as an aligned table without colour when piped or with NO_COLOR, and as the API's objects with --json", async () => {
    const table = await run(['list']);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toContain(ANSI);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+IMAGE\s+PROJECT\s+PERSIST\s+CREATED$/);
    const row = lines.find((l) => l.startsWith(`${box} `))!;
    expect(row.indexOf('running')).toBe(lines[0]!.indexOf('STATUS'));
    expect((await run(['list'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } })).stdout).not.toContain(ANSI);
    const items = expectShape(Type.Array(ContainerListItem), (await run(['list', '--json'])).stdout) as ContainerListItem[];
    // Not leased to the CLI process that created it (it exited at once): it stays until shutdown.
    expect(items.find((c) => c.name === box)).toMatchObject({ status: 'running', lease: null });
  });

  it('shows info, and exits 4 for a container that does not exist', async () => {
    const human = await run(['info', box]);
    expect(human.stdout).toMatch(/^name:\s+\S+/m);
    expect(human.stdout).toMatch(/^status:\s+running$/m);
    expect(human.stdout).toMatch(/^PID\s+USER/m);
    expectShape(ContainerInfo, (await run(['info', box, '--json'])).stdout);
    const missing = await run(['info', `${prefix}-missing`]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^pocketdock: .*not found.*pocketdock list/);
  });

  it('stops, resumes, reboots and snapshots', async () => {
    const name = `${prefix}-json`;
    expect((await run(['stop', name])).code).toBe(0);
    expect((JSON.parse((await run(['info', name, '--json'])).stdout) as ContainerInfo).status).toBe('exited');
    expect((await run(['run', name, 'true'])).code).toBe(1);
    expect((await run(['resume', name])).code).toBe(0);
    expect(await run(['reboot', name])).toMatchObject({ code: 0, stderr: `rebooted ${name}\n` });
    expect((await run(['reboot', name, '--fresh'])).code).toBe(0);
    const snap = await run(['snapshot', name, snapshot]);
    expect(snap.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(expectShape(METHODS['container.snapshot'].result, (await run(['--json', 'snapshot', name, snapshot])).stdout)).toMatch(
      /^sha256:/,
    );
    expect(await run(['create', '--image', snapshot, '--name', `${prefix}-fromsnap`])).toMatchObject({
      code: 0,
      stdout: `${prefix}-fromsnap\n`,
    });
    expect((await run(['run', `${prefix}-fromsnap`, 'whoami'])).stdout).toBe('sandbox\n');
  });

  it.runIf(podman)('--socket names the engine: a container made on Podman is listed there, and Docker has none of it', async () => {
    const name = `${prefix}-podman`;
    const on = (args: string[]) => run(['--socket', podman!.socketPath, ...args]);
    const names = (text: string) => (JSON.parse(text) as ContainerListItem[]).map((c) => c.name);
    expect((await on(['create', '--name', name])).code).toBe(0);
    try {
      expect(await on(['run', name, 'echo hi'])).toMatchObject({ code: 0, stdout: 'hi\n' });
      expect(names((await on(['list', '--json'])).stdout)).toContain(name);
      expect(names((await run(['list', '--json'])).stdout)).not.toContain(name);
      // POCKETDOCK_SOCKET names it as --socket does.
      expect(names((await run(['list', '--json'], { env: { POCKETDOCK_SOCKET: podman!.socketPath } })).stdout)).toContain(name);
      expect(await exists(name)).toBe(false);
    } finally {
      expect((await on(['shutdown', name, '--yes'])).code).toBe(0);
    }
  });

  it('shutdown asks first: without a terminal it needs --yes', async () => {
    const name = `${prefix}-json`;
    const refused = await run(['shutdown', name]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await run(['shutdown', name, '--yes'])).code).toBe(0);
    expect((await run(['info', name])).code).toBe(4);
  });
});

describe('run and attach', () => {
  it("prints stdout and stderr to their own streams and exits with the command's code", async () => {
    const r = await run(['run', box, 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await run(['run', box, '--', 'ls', '-a', '/home/sandbox'])).stdout).toMatch(/^\.\n\.\.\n/);
    expect((await run(['run', box, '--lang', 'python', 'print(6 * 7)'])).stdout).toBe('42\n');
  });

  it('--json prints the ExecResult; --timeout stops it; --max-output cuts it', async () => {
    const j = await run(['--json', 'run', box, 'printf abc; exit 1']);
    expect(j.code).toBe(1);
    expect(expectShape(ExecResult, j.stdout)).toMatchObject({ exitCode: 1, stdout: 'abc', ok: false });
    const slow = await run(['run', box, '--timeout', '1', 'sleep 30']);
    expect(slow.code).not.toBe(0);
    expect(slow.stderr).toContain('timed out after 1 s');
    const cut = await run(['--json', 'run', box, '--max-output', '5', 'seq 1000']);
    expect(JSON.parse(cut.stdout)).toMatchObject({ stdout: '1\n2\n3', truncated: true });
  });

  it('--stream prints output while the command runs', async () => {
    const child = spawn(
      process.execPath,
      [CLI_BIN, '--daemon', s.d.socketPath, 'run', box, '--stream', 'echo first; read x < /dev/null; sleep 30; echo never'],
      { env: { ...process.env, NO_COLOR: '' } },
    );
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    expect(first).toBe('first\n');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const lines = (await run(['--json', 'run', box, '--stream', 'echo a; echo b >&2'])).stdout.trim().split('\n');
    const chunks = lines.slice(0, lines.indexOf('{'));
    expect(chunks.map((l) => expectShape(StreamChunk, l))).toEqual(
      expect.arrayContaining([
        { stream: 'stdout', data: 'a\n' },
        { stream: 'stderr', data: 'b\n' },
      ]),
    );
    expectShape(ExecResult, lines.slice(chunks.length).join('\n'));
  });

  it('--detach prints the process id; attach from another process follows it to its exit code', async () => {
    const started = await run(['run', box, '--detach', 'echo one; echo two >&2; read x < /dev/null; sleep 1; echo three; exit 4']);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.:-]+$/);
    const attached = await run(['attach', id]);
    expect(attached).toEqual({ code: 4, stdout: 'one\nthree\n', stderr: 'two\n' });
    expect((await run(['attach', 'no-such-process'])).code).toBe(4);
  });
});

describe('files', () => {
  it('pushes and pulls a directory, with plain progress lines when not on a terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-cli-'));
    writeFileSync(join(dir, 'a.txt'), 'alpha');
    const pushed = await run(['push', box, dir, '/home/sandbox/tree']);
    expect(pushed.code).toBe(0);
    expect(pushed.stderr).toMatch(/^push .* → .*:\/home\/sandbox\/tree: [\d.]+ k?B in [\d.]+ s$/m);
    expect((await run(['run', box, 'cat tree/a.txt'])).stdout).toBe('alpha');
    const pulled = await run(['pull', box, '/home/sandbox/tree', join(dir, 'back')]);
    expect(pulled.code).toBe(0);
    expect(readFileSync(join(dir, 'back', 'a.txt'), 'utf8')).toBe('alpha');
    expect((await run(['pull', box, '/home/sandbox/none', join(dir, 'none')])).code).toBe(4);
  });
});

describe('prune', () => {
  it('removes only the stopped containers of the project it names, asking first', async () => {
    const project = `${prefix}-prune`;
    for (const name of [`${prefix}-p1`, `${prefix}-p2`, `${prefix}-other`])
      expect((await run(['create', '--name', name, ...(name.endsWith('other') ? [] : ['--project', project])])).code).toBe(0);
    for (const name of [`${prefix}-p1`, `${prefix}-other`]) expect((await run(['stop', name])).code).toBe(0);

    const refused = await run(['prune', '--project', project]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `pocketdock: remove every stopped container of project ${project}: refusing without --yes when not on a terminal\n`,
    );
    expect(await run(['prune', '--project', project, '--yes'])).toMatchObject({ code: 0, stdout: 'removed 1 container\n' });
    const again = await run(['--json', 'prune', '--project', project, '--yes']);
    expect(expectShape(METHODS['container.prune'].result, again.stdout)).toBe(0);

    const left = (JSON.parse((await run(['list', '--json'])).stdout) as ContainerListItem[]).map((c) => c.name);
    expect(left).not.toContain(`${prefix}-p1`);
    expect(left).toEqual(expect.arrayContaining([`${prefix}-p2`, `${prefix}-other`]));
    expect((JSON.parse((await run(['list', '--project', project, '--json'])).stdout) as ContainerListItem[]).map((c) => c.name)).toEqual([
      `${prefix}-p2`,
    ]);
  });
});

describe('export and import', () => {
  it('round-trips a profile image through an archive, with plain progress lines when not on a terminal', async () => {
    const archive = join(mkdtempSync(join(tmpdir(), 'pd-cli-images-')), 'images.tar');
    const exported = await run(['export', 'minimal-python', '-o', archive]);
    expect(exported).toMatchObject({ code: 0, stdout: 'pocketdock/minimal-python\n' });
    // The daemon tells the archive's size beforehand (about): a line at each quarter, then the total.
    expect(exported.stderr).toMatch(
      new RegExp(`^(export → ${archive}: (25|50|75)% of [\\d.]+ MB\n){3}export → ${archive}: [\\d.]+ MB in [\\d.]+ s\n$`),
    );
    expect(statSync(archive).size).toBeGreaterThan(1_000_000);

    const imported = await run(['--json', 'import', archive]);
    expect(imported.code).toBe(0);
    const images = expectShape(Type.Array(ImportedImage), imported.stdout);
    expect(images).toEqual([
      expect.objectContaining({ tag: 'pocketdock/minimal-python:latest', profile: 'minimal-python', current: true }),
    ]);
    // The upload's size is known: a line at each quarter, then the total; no bar, no carriage return.
    const lines = imported.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1).every((l) => /^import \S+: (25|50|75)% of [\d.]+ MB$/.test(l))).toBe(true);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toMatch(/^import \S+: [\d.]+ MB in [\d.]+ s$/);
    expect(imported.stderr).not.toContain('\r');

    const tags = await run(['--json', 'export', '-o', join(archive, '..', 'again.tar.gz')]);
    expect(expectShape(METHODS['image.export'].result.properties.tags, tags.stdout)).toEqual(['pocketdock/minimal-python']);
    expect((await run(['import', join(archive, '..', 'absent.tar')])).code).not.toBe(0);
  });
});

describe('--verbose', () => {
  it('prints the JSON-RPC exchange on stderr, and the stack of a failure', async () => {
    const r = await run(['--verbose', 'list', '--json']);
    expect(r.code).toBe(0);
    expectShape(Type.Array(ContainerListItem), r.stdout);
    const sent = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('→ '))
      .map((l) => JSON.parse(l.slice(2)) as { id: number; method: string });
    const received = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('← '))
      .map((l) => JSON.parse(l.slice(2)) as { id: number; result?: unknown });
    const list = sent.find((m) => m.method === 'container.list')!;
    expect(list).toMatchObject({ jsonrpc: '2.0', id: expect.any(Number) });
    expect(received.find((m) => m.id === list.id)?.result).toEqual(JSON.parse(r.stdout));

    const failed = await run(['--verbose', 'info', `${prefix}-missing`]);
    expect(failed.code).toBe(4);
    expect(failed.stderr).toMatch(/^← .*"error":\{"code":-?\d+,.*"type":"ContainerNotFound"/m);
    expect(failed.stderr).toMatch(/^pocketdock: .*not found/m);
    expect(failed.stderr).toMatch(/^\s+at /m);
    expect((await run(['info', `${prefix}-missing`])).stderr).not.toMatch(/^\s+at |^[←→] /m);
  });
});

describe('images, projects, the daemon', () => {
  it('lists profiles; build of an up-to-date profile reports it', async () => {
    expectShape(Type.Array(ProfileInfo), (await run(['profiles', '--json'])).stdout);
    expect((await run(['profiles'])).stdout).toMatch(/^PROFILE\s+IMAGE\s+NETWORK\s+SIZE\s+DESCRIPTION\n/);
    const built = await run(['--json', 'build', 'minimal-python']);
    expect(built.code).toBe(0);
    expect(expectShape(Type.Array(ImageBuildResult), built.stdout)).toMatchObject([{ profile: 'minimal-python', built: false }]);
    expect((await run(['build', 'no-such-profile'])).code).not.toBe(0);
  });

  it('init makes a project; doctor and status report on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-cli-project-'));
    expect((await run(['init', '--name', 'cliproj'], { cwd: dir })).stdout).toBe(`project at ${dir}\n`);
    expect((await run(['doctor'], { cwd: tmpdir() })).code).toBe(4);
    const report = await run(['doctor', '--json'], { cwd: dir });
    expect(report.code).toBe(0);
    expect(expectShape(DoctorReport, report.stdout)).toEqual({ orphanedContainers: [], staleInstanceDirs: [], healthy: 0 });
    const status = await run(['status', '--json'], { cwd: dir });
    const Status = Type.Object({
      daemon: METHODS['daemon.hello'].result,
      address: Type.String(),
      project: Type.Union([Type.String(), Type.Null()]),
      containers: Type.Array(ContainerListItem),
    });
    expect(expectShape(Status, status.stdout)).toMatchObject({ address: s.d.socketPath, project: dir });
    expect(JSON.parse((await run(['status', '--json'], { cwd: tmpdir() })).stdout)).toMatchObject({ project: null });
    expect((await run(['status'], { cwd: dir })).stdout).toMatch(/^daemon:\s+pocketdockd .* at /m);
  });

  it("logs prints a project's history and output, follows it, and names what is missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-cli-logs-'));
    const name = `${prefix}-proj`;
    expect((await run(['logs'], { cwd: tmpdir() })).stderr).toMatch(/^pocketdock: no pocketdock project .*pocketdock init/);
    await run(['init'], { cwd: dir });
    expect((await run(['create', '--name', name], { cwd: dir })).code).toBe(0);
    expect((await run(['run', name, 'echo hi; exit 3'], { cwd: dir })).code).toBe(3);
    await run(['run', name, 'true'], { cwd: dir });
    const entries = expectShape(
      Type.Array(
        Type.Object({
          container: Type.String(),
          timestamp: Type.String(),
          kind: Type.String(),
          command: Type.String(),
          exitCode: Type.Integer(),
          durationMs: Type.Number(),
          timedOut: Type.Boolean(),
        }),
      ),
      (await run(['logs', '--history', '--json'], { cwd: dir })).stdout,
    );
    expect(entries).toMatchObject([
      { container: name, command: 'echo hi; exit 3', exitCode: 3 },
      { command: 'true', exitCode: 0 },
    ]);
    expect(JSON.parse((await run(['logs', name, '--history', '--limit', '1', '--json'], { cwd: dir })).stdout)).toMatchObject([
      { command: 'true' },
    ]);
    const table = (await run(['logs', '--history'], { cwd: dir })).stdout.split('\n');
    expect(table[0]).toMatch(/^TIME\s+CONTAINER\s+EXIT\s+DURATION\s+KIND\s+COMMAND$/);
    expect(table[1]).toMatch(new RegExp(`^\\S+\\s+${name}\\s+3\\s+[\\d.]+ s\\s+\\w+\\s+echo hi; exit 3$`));

    // Output logs come from sessions: one, through the API, then the CLI reads it.
    const session = await (await s.pd.container(name)).session();
    await session.sendAndWait('echo from-session');
    const logs = await run(['logs', name], { cwd: dir });
    expect(logs.stdout).toMatch(new RegExp(`^==> ${name}/session-\\S+ <==\n\\$ echo from-session\nfrom-session\n`));
    expect(JSON.parse((await run(['logs', '--json', '--limit', '1'], { cwd: dir })).stdout)).toMatchObject([
      { container: name, text: 'from-session\n' },
    ]);

    // --follow: what is added after the start, as it comes (one JSON entry per line).
    const follower = spawn(process.execPath, [CLI_BIN, '--daemon', s.d.socketPath, 'logs', '--history', '--follow', '--json'], {
      cwd: dir,
    });
    let seen = '';
    const started = new Promise<void>((resolve) =>
      follower.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.split('\n').length > 3) resolve();
      }),
    );
    await started;
    const followed = new Promise<void>((resolve) =>
      follower.stdout.on('data', () => {
        if (seen.includes('"command":"echo later"')) resolve();
      }),
    );
    await run(['run', name, 'echo later'], { cwd: dir });
    await followed;
    follower.kill('SIGINT');
    await session.close();
    expect((await run(['logs', `${prefix}-none`], { cwd: dir })).code).toBe(4);
    expect((await run(['logs', '--limit', 'x'], { cwd: dir })).code).toBe(2);
  });

  it('dashboard prints the sign-in link of a daemon with TCP, and says why there is none without', async () => {
    const tcp = await startDaemon({ tcp: true });
    try {
      const r = await cli(['--daemon', tcp.socketPath, 'dashboard']);
      expect(r).toMatchObject({ code: 0, stdout: `http://127.0.0.1:${tcp.port}/?token=${tcp.token}\n` });
      expect(JSON.parse((await cli(['--daemon', tcp.socketPath, '--json', 'dashboard'])).stdout)).toEqual({ url: r.stdout.trim() });
    } finally {
      await tcp.stop();
    }
    const none = await run(['dashboard']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^pocketdock: the daemon has no TCP listener/);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('daemon status and start see the running daemon', async () => {
    const st = await run(['daemon', 'status', '--json']);
    expect(expectShape(METHODS['daemon.status'].result, st.stdout)).toMatchObject({
      pid: s.d.pid,
      socket: s.d.socketPath,
      port: null,
      engines: expect.arrayContaining([{ socketPath: '/var/run/docker.sock', default: true, answers: true }]),
    });
    expect((await run(['daemon', 'status'])).stdout).toMatch(/^uptime:\s+\d+[smhd]/m);
    expect((await run(['daemon', 'start'])).stderr).toMatch(/already running \(pid \d+\)/);
    expect((await cli(['--daemon', join(s.d.dir, 'nobody.sock'), 'daemon', 'status'])).code).toBe(3);
  });
});

describe('guides', () => {
  /** A printed command line as a user's shell runs it (the shell splits and unquotes it). */
  const sh = (line: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', `node "${CLI_BIN}" ${line}`], { env: { ...process.env, POCKETDOCK_DAEMON: s.d.socketPath } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it("quickstart's commands work as printed, in order (the detached one attached by the id it printed)", async () => {
    const text = (await cli(['quickstart'])).stdout;
    const commands = [...text.matchAll(/^ {2}(?:\$ )?pocketdock (.*)$/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThan(8);
    let printed = '';
    // The guide's last command removes its sandbox; a failure before it must not leave it behind.
    onTestFinished(() => sh('shutdown quickstart --yes').then(() => undefined));
    for (const line of commands) {
      // `shell` needs a person at a terminal: cli-shell.test drives it in tmux.
      if (line.startsWith('shell ')) continue;
      const r = await sh(line.replace('<the id it printed>', printed));
      expect(r, line).toMatchObject({ code: 0 });
      if (line.includes('--detach')) printed = r.stdout.trim();
      if (line.startsWith('attach ')) expect(r.stdout).toBe('tick 1\ntick 2\ntick 3\n');
      if (line.includes('print(6 * 7)')) expect(r.stdout).toBe('42\n');
    }
    expect(printed).not.toBe('');
  });

  it('prints bash and zsh completion that the shells load and answer from', async () => {
    const script = (shell: string) => cli(['completion', shell]).then((r) => r.stdout);
    const bash = await script('bash');
    expect(bash).toContain('complete -o default -F _pocketdock pocketdock');
    const zsh = await script('zsh');
    expect(zsh).toMatch(/^#compdef pocketdock\n/);
    const dir = mkdtempSync(join(tmpdir(), 'pd-cli-completion-'));
    writeFileSync(join(dir, 'pocketdock.bash'), bash);
    writeFileSync(join(dir, 'pocketdock.zsh'), zsh);
    const shell = (cmd: string, args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        // HOME: compinit writes its dump there.
        execFile(cmd, args, { cwd: dir, env: { ...process.env, HOME: dir } }, (err, stdout, stderr) =>
          resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
        );
      });
    // What Tab offers after `pocketdock ru` and `pocketdock run box --de`.
    const ask =
      'COMP_WORDS=(pocketdock ru); COMP_CWORD=1; _pocketdock; echo "${COMPREPLY[*]}"; COMP_WORDS=(pocketdock run box --de); COMP_CWORD=3; _pocketdock; echo "${COMPREPLY[*]}"';
    expect(await shell('bash', ['-n', 'pocketdock.bash'])).toMatchObject({ code: 0 });
    expect(await shell('bash', ['--norc', '-c', `source pocketdock.bash && complete -p pocketdock && ${ask}`])).toEqual({
      code: 0,
      stdout: 'complete -o default -F _pocketdock pocketdock\nrun\n--detach\n',
      stderr: '',
    });
    expect(await shell('zsh', ['-n', 'pocketdock.zsh'])).toMatchObject({ code: 0 });
    // zsh: registered with compinit through bashcompinit; zsh's own matching filters what the function offers.
    const z = await shell('zsh', ['-f', '-c', `source pocketdock.zsh && print -r -- "$_comps[pocketdock]" && setopt ksharrays && ${ask}`]);
    expect(z.code, z.stderr).toBe(0);
    const [registered, first, second] = z.stdout.split('\n');
    expect(registered).toBe('_bash_complete -o default -F _pocketdock');
    expect(first!.split(' ')).toContain('run');
    expect(second!.split(' ')).toContain('--detach');
  });
});
