// push and pull of a file when the daemon shares the client's file system: the daemon reads or
// writes the host file itself (a local transfer), checked against the device and inode the client
// sees, and falls back to streaming the bytes on any mismatch, over TCP, and for trees.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileNotFound, connect, type Progress } from '../../client/src/index.js';
import { twin, useSandbox } from '../helpers/daemon.js';
import { postRpc, transferRequest, type RawTarget } from '../helpers/rpc.js';

const suite = useSandbox({ tcp: true });
let local: string;
const SIZE = 3 * 1024 * 1024 + 7;
let content: Buffer;

beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), 'pd-files-local-'));
  content = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 4093) content[i] = i % 251;
});

afterAll(async () => {
  if (local) await rm(local, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function sh(command: string): Promise<string> {
  const r = await suite.c.run(command);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

async function hostFile(path: string) {
  const st = await stat(path, { bigint: true });
  return { path, dev: String(st.dev), ino: String(st.ino) };
}

type Answer = { result?: Record<string, unknown>; error?: { message: string; data: Record<string, unknown> } };
const call = async (method: string, params: Record<string, unknown>, target: RawTarget = { socketPath: suite.d.socketPath }) =>
  (await postRpc(target, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { container: suite.c.name, ...params } }))).json as Answer;
const transfer = (method: 'GET' | 'PUT' | 'POST', id: unknown, body?: Buffer) =>
  transferRequest({ socketPath: suite.d.socketPath }, method, `/transfers/${id as string}`, body);
const lines = (body: Buffer) =>
  body
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('through the client on the Unix socket', () => {
  it('pushes a file with its mode and time, the daemon reading it: progress counts its bytes, not a tar', async () => {
    const src = join(local, 'script.bin');
    await writeFile(src, content);
    await chmod(src, 0o751);
    await utimes(src, 1_700_000_000, 1_700_000_000);
    const seen: Progress[] = [];
    await suite.c.push(src, '/home/sandbox/pushed.bin', { onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toEqual({ bytes: SIZE, total: SIZE });
    expect(await sh('stat -c "%a %U:%G %Y %s" /home/sandbox/pushed.bin; sha256sum < /home/sandbox/pushed.bin')).toBe(
      `751 sandbox:sandbox 1700000000 ${SIZE}\n${sha(content)}  -\n`,
    );
  });

  it('pulls a file with its mode, the daemon writing it, over an existing one, leaving nothing else behind', async () => {
    const dir = join(local, 'pulled');
    const dest = join(dir, 'back.bin');
    for (let round = 0; round < 2; round++) {
      const seen: Progress[] = [];
      expect(await suite.c.pull('/home/sandbox/pushed.bin', dest, { onProgress: (p) => seen.push(p) })).toEqual({ skipped: [] });
      expect(seen.at(-1)).toEqual({ bytes: SIZE, total: SIZE });
      expect(sha(await readFile(dest))).toBe(sha(content));
      expect((await stat(dest)).mode & 0o7777).toBe(0o751);
    }
    expect(await readdir(dir)).toEqual(['back.bin']);
  });

  it('keeps the typed errors of a missing parent on either side, and leaves no spare file', async () => {
    const src = join(local, 'script.bin');
    const err = await suite.c.push(src, '/home/sandbox/no/such/f.bin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFound);
    expect((err as FileNotFound).path).toBe('/home/sandbox/no/such');
    const missing = await suite.c.pull('/home/sandbox/absent', join(local, 'missing/deeper/x')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FileNotFound);
    expect(await readdir(local)).not.toContain('missing');
    await mkdir(join(local, 'there'));
    await expect(suite.c.pull('/home/sandbox/absent', join(local, 'there/x'))).rejects.toBeInstanceOf(FileNotFound);
    expect(await readdir(join(local, 'there'))).toEqual([]);
  });

  it('streams over TCP, where the daemon never names host files: progress counts the tar', async () => {
    const tcp = await connect({ daemon: `ws://127.0.0.1:${suite.d.port}`, token: suite.d.token, autoStart: false });
    try {
      const c = twin(suite.c, tcp.transport);
      const pushed: Progress[] = [];
      await c.push(join(local, 'script.bin'), '/home/sandbox/over-tcp.bin', { onProgress: (p) => pushed.push(p) });
      expect(pushed.at(-1)!.bytes).toBeGreaterThan(SIZE);
      expect(await sh('stat -c "%a %U" /home/sandbox/over-tcp.bin; sha256sum < /home/sandbox/over-tcp.bin')).toBe(
        `751 sandbox\n${sha(content)}  -\n`,
      );
      const pulled: Progress[] = [];
      const dest = join(local, 'tcp-back.bin');
      await c.pull('/home/sandbox/over-tcp.bin', dest, { onProgress: (p) => pulled.push(p) });
      expect(pulled.at(-1)!.bytes).toBeGreaterThan(SIZE);
      expect(sha(await readFile(dest))).toBe(sha(content));
    } finally {
      await tcp.close();
    }
  });
});

describe('raw: file.uploadStart and file.downloadStart with local', () => {
  it('reads a host file that is the one named: POST moves it, answering progress lines and the result', async () => {
    const src = join(local, 'raw-up.bin');
    await writeFile(src, content);
    const start = await call('file.uploadStart', { path: 'raw-up.bin', kind: 'file', size: SIZE, local: await hostFile(src) });
    expect(start.result).toEqual({ uploadId: expect.any(String), local: true });
    const put = await transfer('PUT', start.result!.uploadId, Buffer.from('x'));
    expect(put.status).toBe(404);
    expect(JSON.parse(put.body.toString()).error.message).toMatch(/local: POST it/);
    const answer = lines((await transfer('POST', start.result!.uploadId)).body);
    expect(answer.at(-1)).toEqual({ result: { bytes: SIZE } });
    expect(answer.slice(0, -1).every((l) => typeof l.bytes === 'number' && l.bytes <= SIZE)).toBe(true);
    expect(await sh('sha256sum < /home/sandbox/raw-up.bin')).toBe(`${sha(content)}  -\n`);
  });

  it('falls back to a body when the device or inode is not the file the daemon opens', async () => {
    const src = join(local, 'raw-up.bin');
    const other = await hostFile(join(local, 'script.bin'));
    for (const local of [
      { ...(await hostFile(src)), ino: other.ino },
      { ...(await hostFile(src)), dev: '12345' },
    ]) {
      const start = await call('file.uploadStart', { path: 'mismatch.txt', kind: 'file', size: 5, local });
      expect(start.result).toEqual({ uploadId: expect.any(String) });
      expect((await transfer('PUT', start.result!.uploadId, Buffer.from('bytes'))).status).toBe(200);
      expect(await sh('cat /home/sandbox/mismatch.txt')).toBe('bytes');
    }
    const gone = await call('file.uploadStart', {
      path: 'gone.txt',
      kind: 'file',
      size: 0,
      local: { ...other, path: join(local, 'nope') },
    });
    expect(gone.result).toEqual({ uploadId: expect.any(String) });
    await call('file.cancel', { transferId: gone.result!.uploadId });
  });

  it('writes into a host file that is the one named, and falls back to the tar for a directory or a mismatch', async () => {
    const into = join(local, 'raw-down.bin');
    await writeFile(into, 'old content, longer than none');
    const start = await call('file.downloadStart', { path: 'raw-up.bin', kind: 'file', local: await hostFile(into) });
    expect(start.result).toEqual({ downloadId: expect.any(String), size: SIZE, local: true });
    expect(lines((await transfer('POST', start.result!.downloadId)).body).at(-1)).toEqual({ result: { bytes: SIZE } });
    expect(sha(await readFile(into))).toBe(sha(content));

    await sh('mkdir -p /home/sandbox/tree && echo t > /home/sandbox/tree/f');
    const dir = await call('file.downloadStart', { path: 'tree', kind: 'tar', local: await hostFile(into) });
    expect(dir.result).toEqual({ downloadId: expect.any(String) });
    const tar = await transfer('GET', dir.result!.downloadId);
    expect(tar.status).toBe(200);
    expect(tar.body.toString('latin1')).toContain('tree/f');

    const wrong = await call('file.downloadStart', { path: 'raw-up.bin', kind: 'tar', local: { ...(await hostFile(into)), ino: '1' } });
    expect(wrong.result).toEqual({ downloadId: expect.any(String) });
    expect((await transfer('GET', wrong.result!.downloadId)).body.length).toBeGreaterThan(SIZE);
    expect(sha(await readFile(into))).toBe(sha(content));
  });

  it('refuses local to a TCP caller, with maxBytes, and for a pushed tar', async () => {
    const tcp = { port: suite.d.port!, headers: { authorization: `Bearer ${suite.d.token}` } };
    const file = await hostFile(join(local, 'raw-down.bin'));
    const answers = [
      await call('file.uploadStart', { path: 'x', kind: 'file', size: 1, local: file }, tcp),
      await call('file.downloadStart', { path: 'raw-up.bin', kind: 'file', local: file }, tcp),
      await call('file.downloadStart', { path: 'raw-up.bin', kind: 'file', maxBytes: 10, local: file }),
      await call('file.uploadStart', { path: '.', kind: 'tar', local: file }),
    ];
    for (const a of answers) expect(a.error?.data).toMatchObject({ type: 'InvalidParams', field: 'local' });
    expect(answers[0]!.error!.message).toMatch(/Unix socket/);
  });
});
