// Leases: a client's non-persistent sandboxes outlive it by the grace period only; persistent ones
// are never reaped; the same resume token inside the grace keeps them; one process hands a sandbox
// to another. The clients are real OS processes killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { RESUME_TOKEN_HEADER } from '@pocketdock/protocol';
import { connect } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { exists } from '../helpers/engines.js';
import { postRpc } from '../helpers/rpc.js';

const GRACE_S = 2;
const configDir = mkdtempSync(join(tmpdir(), 'pd-leases-'));
const config = join(configDir, 'pocketdockd.yaml');
writeFileSync(config, `leaseGraceSeconds: ${GRACE_S}\n`);

const suite = useDaemon({ args: ['--config', config] });
const FIXTURE = new URL('./fixtures/lease-holder.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];
const created: string[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const name of created) await suite.pd.destroyContainer(name).catch(() => undefined);
});

const newToken = () => randomBytes(18).toString('base64url');

/** Starts a holder process; resolves with it and the names of the sandboxes it created. */
async function holder(token: string, ...kinds: string[]): Promise<{ child: ChildProcess; names: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, suite.d.socketPath, token, ...kinds], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  const names = await new Promise<string[]>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve((JSON.parse(out) as { names: string[] }).names);
    });
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}: ${out}`)));
  });
  created.push(...names);
  return { child, names };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

const listed = async (name: string) => (await suite.pd.listContainers()).find((c) => c.name === name);
/** Resolves once the daemon has removed `name` (its lease ran out). */
const reaped = (name: string) => expect.poll(() => listed(name), { timeout: 30_000, interval: 200 }).toBeUndefined();

describe('leases', () => {
  it('a client killed with SIGKILL: its ephemeral sandbox goes after the grace, its persistent one stays', async () => {
    const {
      child,
      names: [eph, kept],
    } = await holder(newToken(), 'ephemeral', 'persist');
    expect((await listed(eph!))?.lease).toMatchObject({ holder: `holder-${child.pid}`, connected: true, expiresAt: null });
    expect((await listed(kept!))?.lease).toBeNull();

    await kill9(child);
    await expect.poll(async () => (await listed(eph!))?.lease?.connected).toBe(false);
    expect((await listed(eph!))?.lease?.expiresAt).toMatch(/^\d{4}-/);
    await reaped(eph!);
    expect(await listed(kept!)).toMatchObject({ persist: true, status: 'running' });
  });

  it("the same resume token inside the grace keeps the sandboxes; another killed client's go meanwhile", async () => {
    const token = newToken();
    const resumed = await holder(token, 'ephemeral');
    const control = await holder(newToken(), 'ephemeral');
    await Promise.all([kill9(resumed.child), kill9(control.child)]);

    const again = await connect({ daemon: suite.d.socketPath, autoStart: false, resumeToken: token, clientName: 'came-back' });
    try {
      expect((await again.hello()).resumed).toBe(true);
      // The control's grace started with ours: once it is reaped, ours would have been too.
      await reaped(control.names[0]!);
      expect((await listed(resumed.names[0]!))?.lease).toEqual({ holder: 'came-back', connected: true, expiresAt: null });
      const c = await again.container(resumed.names[0]!);
      expect((await c.run('echo still here')).stdout).toBe('still here\n');
    } finally {
      await again.close();
    }
    await reaped(resumed.names[0]!);
  });

  it('hands a sandbox from one process to another: released, adopted, kept after the first one dies', async () => {
    const parent = await holder(newToken(), 'release');
    const name = parent.names[0]!;
    expect((await listed(name))?.lease).toMatchObject({ holder: 'released', connected: false });

    const worker = await connect({ daemon: suite.d.socketPath, autoStart: false, clientName: 'worker', resumeToken: newToken() });
    try {
      const c = await worker.adoptContainer(name);
      expect(c.name).toBe(name);
      const control = await holder(newToken(), 'ephemeral');
      await Promise.all([kill9(parent.child), kill9(control.child)]);
      await reaped(control.names[0]!);
      expect((await listed(name))?.lease).toEqual({ holder: 'worker', connected: true, expiresAt: null });
    } finally {
      await worker.close();
    }
    await reaped(name);
  });

  it('pd.container(name) shares a running sandbox without taking its lease', async () => {
    const {
      child,
      names: [name],
    } = await holder(newToken(), 'ephemeral');
    const shared = await suite.pd.container(name!);
    expect((await shared.run('hostname')).exitCode).toBe(0);
    expect((await listed(name!))?.lease?.holder).toBe(`holder-${child.pid}`);
    await kill9(child);
    await reaped(name!);
  });

  it('a POST /rpc client holds its lease by calling with its token; without one nothing is leased', async () => {
    const target = { socketPath: suite.d.socketPath };
    const call = async (method: string, params: unknown, headers: Record<string, string> = {}) =>
      (await postRpc({ ...target, headers }, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))).json as {
        result?: { name: string };
        error?: { data: { type: string } };
      };

    const token = newToken();
    const leased = (await call('container.create', {}, { [RESUME_TOKEN_HEADER]: token })).result!.name;
    created.push(leased);
    expect((await listed(leased))?.lease).toMatchObject({ holder: 'http', connected: false });
    const free = (await call('container.create', {})).result!.name;
    created.push(free);
    expect((await listed(free))?.lease).toBeNull();

    await reaped(leased);
    expect(await exists(free)).toBe(true);
    expect((await call('daemon.hello', {}, { [RESUME_TOKEN_HEADER]: 'short' })).error?.data.type).toBe('InvalidRequest');
  });
});
