// Two callers on one handle at once: a second client (another resume token) and a raw HTTP caller
// acting on a transfer id while its first user streams it, and on a streamed run's exec while its
// owner iterates it (follow, kill, wait, stop); and a sandbox shut down through three handles at once.
// A transfer is used once: whoever comes second is refused typed and the first finishes whole; an exec
// answers everyone with the same end; every shutdown of one sandbox succeeds.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type PocketDock } from '../../client/src/index.js';
import { useSandbox } from '../helpers/daemon.js';
import { availableEngines, exists } from '../helpers/engines.js';
import { postRpc, transferRequest } from '../helpers/rpc.js';

const suite = useSandbox();
const dir = mkdtempSync(join(tmpdir(), 'pd-hostile-shared-'));
const MiB = 1024 * 1024;
let other: PocketDock;

beforeAll(async () => {
  other = await connect({ daemon: suite.d.socketPath, autoStart: false, resumeToken: 'hostile-shared-other' });
});
afterAll(async () => {
  await other?.close();
  await rm(dir, { recursive: true, force: true });
});

type Answer = { result?: Record<string, unknown> | null; error?: { code: number; message: string; data: Record<string, unknown> } };
const raw = async (method: string, params: Record<string, unknown>) =>
  (await postRpc({ socketPath: suite.d.socketPath }, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))).json as Answer;
const transfer = (method: 'GET' | 'PUT' | 'POST', id: string, body?: Buffer) =>
  transferRequest({ socketPath: suite.d.socketPath }, method, `/transfers/${id}`, body);
const refusedAsUsed = (r: { status: number; body: Buffer }) => {
  expect(r.status).toBe(404);
  expect(JSON.parse(r.body.toString()).error.data).toMatchObject({ type: 'InvalidParams', field: 'transferId' });
};

describe('a transfer id used by two callers', () => {
  it('a PUT in progress: a second PUT, a POST and a GET are refused; cancels do not cut it; it lands whole', async () => {
    const up = await suite.pd.transport.call('file.uploadStart', {
      container: suite.c.name,
      path: 'shared.bin',
      kind: 'file',
      size: 2 * MiB,
    });
    // The first caller's body: half now, the rest once the others have tried.
    let responded!: (status: number) => void;
    const answered = new Promise<number>((r) => (responded = r));
    const first = request({ socketPath: suite.d.socketPath, path: `/transfers/${up.uploadId}`, method: 'PUT' }, (res) => {
      res.resume();
      res.once('end', () => responded(res.statusCode ?? 0));
    });
    first.write(Buffer.alloc(MiB, 1));
    await expect.poll(async () => (await transfer('PUT', up.uploadId, Buffer.from('x'))).status).toBe(404);
    refusedAsUsed(await transfer('POST', up.uploadId));
    refusedAsUsed(await transfer('GET', up.uploadId));
    expect(await other.transport.call('file.cancel', { transferId: up.uploadId })).toBeNull();
    expect((await raw('file.cancel', { transferId: up.uploadId })).result).toBeNull();
    first.end(Buffer.alloc(MiB, 2));
    expect(await answered).toBe(200);
    expect((await suite.c.run('wc -c < /home/sandbox/shared.bin')).stdout.trim()).toBe(String(2 * MiB));
  });

  it('a local transfer POSTed by two callers at once: exactly one runs it, the other is refused', async () => {
    const src = join(dir, 'twice.bin');
    writeFileSync(src, Buffer.alloc(4 * MiB, 3));
    const st = statSync(src, { bigint: true });
    const local = { path: src, dev: String(st.dev), ino: String(st.ino) };
    const up = await raw('file.uploadStart', { container: suite.c.name, path: 'twice.bin', kind: 'file', size: 4 * MiB, local });
    expect(up.result).toMatchObject({ local: true });
    const id = up.result!.uploadId as string;
    const both = await Promise.all([transfer('POST', id), transfer('POST', id)]);
    const ran = both.filter((r) => r.status === 200);
    expect(ran.length).toBe(1);
    expect(JSON.parse(ran[0]!.body.toString().trim().split('\n').at(-1)!)).toEqual({ result: { bytes: 4 * MiB } });
    refusedAsUsed(both.find((r) => r.status !== 200)!);
  });

  it('a download cancelled by another client before its GET: the GET is refused, nothing is held', async () => {
    const down = await suite.pd.transport.call('file.downloadStart', {
      container: suite.c.name,
      path: '/home/sandbox/shared.bin',
      kind: 'file',
    });
    expect(await other.transport.call('file.cancel', { transferId: down.downloadId })).toBeNull();
    refusedAsUsed(await transfer('GET', down.downloadId));
  });
});

describe("a streamed run's exec acted on by others while its owner iterates it", () => {
  it('another client follows it and kills it; a raw caller waits on it: all see the same end', async () => {
    const s = suite.c.run('echo up; exec sleep 621', { stream: true, timeout: 600 });
    const owner: string[] = [];
    const iterated = (async () => {
      for await (const ch of s) owner.push(ch.data);
    })();
    await expect.poll(() => owner).toEqual(['up\n']);
    const p = other.attachProcess(s.execId);
    const followed: string[] = [];
    const following = (async () => {
      for await (const ch of p.stream({ from: { stdout: 0 } })) followed.push(ch.data);
    })();
    const rawWait = raw('exec.wait', { execId: s.execId });
    await expect.poll(() => followed).toEqual(['up\n']);
    await p.kill(9);
    await Promise.all([iterated, following]);
    expect(s.result).toMatchObject({ exitCode: 137, timedOut: false });
    expect((await rawWait).result).toMatchObject({ exitCode: 137 });
    expect(await p.wait()).toMatchObject({ exitCode: 137 });
  });

  it('the owner breaks out (stop) while another client stops and waits on it: both return, one end', async () => {
    const s = suite.c.run(`echo up; trap '' TERM; exec sleep 622`, { stream: true, timeout: 600 });
    const p = other.attachProcess(s.execId);
    let theirs: Promise<unknown> | undefined;
    for await (const ch of s)
      if (ch.data.includes('up')) {
        theirs = Promise.all([other.transport.call('exec.stop', { execId: s.execId }), p.wait()]);
        break;
      }
    const [, waited] = (await theirs) as [null, { exitCode: number }];
    expect(waited.exitCode).toBe(137);
    expect(await p.isRunning()).toBe(false);
    expect((await suite.c.run('ps -eo args')).stdout).not.toContain('sleep 622');
  });
});

describe.each(await availableEngines())('a sandbox shut down through three handles at once on $name', (e) => {
  it('all three succeed (the removals join: the engine refuses a second one in progress) and it is gone', async () => {
    const c = await suite.pd.createNewContainer({ socketPath: e.socketPath });
    const handles = await Promise.all([suite.pd, other, other].map((pd) => pd.container(c.name, { socketPath: e.socketPath })));
    const results = await Promise.allSettled([handles[0]!.shutdown(), handles[1]!.shutdown(), handles[2]!.shutdown({ force: true })]);
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : String(r.reason)))).toEqual(['ok', 'ok', 'ok']);
    expect(await exists(c.containerId, e.docker)).toBe(false);
  });
});
