// Hostile `local` host files on file.uploadStart / file.downloadStart (raw calls on the Unix socket):
// a fifo, a directory, a symlink, /proc files, paths the daemon cannot open, another file's device
// and inode, huge and odd strings, a file that shrinks before its POST. Each is refused typed or
// falls back to an ordinary transfer; the daemon never hangs on one, holds no host file after it,
// and serves on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { heldOpen } from '../helpers/held-open.js';
import { useSandbox } from '../helpers/daemon.js';
import { postRpc, transferRequest } from '../helpers/rpc.js';

const suite = useSandbox();
const dir = mkdtempSync(join(tmpdir(), 'pd-hostile-local-'));
const MiB = 1024 * 1024;

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Answer = { result?: Record<string, unknown>; error?: { code: number; message: string; data: Record<string, unknown> } };
const rpc = async (method: string, params: Record<string, unknown>) =>
  (await postRpc({ socketPath: suite.d.socketPath }, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))).json as Answer;
const call = (method: string, params: Record<string, unknown>) => rpc(method, { container: suite.c.name, ...params });
const cancel = (transferId: unknown) => rpc('file.cancel', { transferId });

/** `path` named with the device and inode this process sees there (lstat: a symlink's own). */
const named = (path: string, of = path) => {
  const st = statSync(of, { bigint: true });
  return { path, dev: String(st.dev), ino: String(st.ino) };
};

const held = (under: string) => heldOpen(suite.d.pid, under);

/** Starts both ways with `local`; each must be an ordinary transfer (then cancelled) and hold nothing. */
async function fallsBack(local: Record<string, unknown>): Promise<void> {
  const up = await call('file.uploadStart', { path: 'hostile-up.bin', kind: 'file', size: 1, local });
  expect(up.error).toBeUndefined();
  expect(up.result).toEqual({ uploadId: expect.any(String) });
  const down = await call('file.downloadStart', { path: '/etc/hostname', kind: 'file', local });
  expect(down.error).toBeUndefined();
  expect(down.result).toMatchObject({ downloadId: expect.any(String) });
  expect(down.result!.local).toBeUndefined();
  for (const id of [up.result!.uploadId, down.result!.downloadId]) expect((await cancel(id)).result).toBeNull();
  expect(held(dir)).toEqual([]);
}

describe('local naming what is not a regular file the caller sees', () => {
  it('a fifo with no writer or reader: no hang on its open, an ordinary transfer', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await fallsBack(named(fifo));
  });

  it('a directory', async () => {
    await mkdir(join(dir, 'a-dir'));
    await fallsBack(named(join(dir, 'a-dir')));
  });

  it("a symlink, named with its target's device and inode", async () => {
    const target = join(dir, 'target.bin');
    writeFileSync(target, 'target');
    symlinkSync(target, join(dir, 'link.bin'));
    await fallsBack(named(join(dir, 'link.bin'), target));
  });

  it('character devices, and a /proc file pushed (its size says 0)', async () => {
    await fallsBack(named('/dev/zero'));
    await fallsBack(named('/dev/null'));
    // A regular file by fstat whose size says 0: pushed, it is what it is.
    const status = named(`/proc/${suite.d.pid}/status`);
    const up = await call('file.uploadStart', { path: 'from-proc.txt', kind: 'file', size: 0, local: status });
    if (up.result!.local) {
      const posted = await transferRequest({ socketPath: suite.d.socketPath }, 'POST', `/transfers/${up.result!.uploadId as string}`);
      expect(JSON.parse(posted.body.toString().trim().split('\n').at(-1)!)).toEqual({ result: { bytes: 0 } });
    } else await cancel(up.result!.uploadId);
    expect(readFileSync(`/proc/${suite.d.pid}/status`, 'utf8')).toMatch(/^Name:/);
    expect((await suite.c.run('echo serving')).stdout).toBe('serving\n');
  });

  // A root daemon opens /proc/<pid>/status for writing, which takes no positioned write (ESPIPE).
  it('a pull into a /proc file that takes no positioned write fails typed, not as an internal error', async () => {
    const down = await call('file.downloadStart', { path: '/etc/hostname', kind: 'file', local: named(`/proc/${suite.d.pid}/status`) });
    expect(down.result!.local).toBe(true);
    const posted = await transferRequest({ socketPath: suite.d.socketPath }, 'POST', `/transfers/${down.result!.downloadId as string}`);
    const last = JSON.parse(posted.body.toString().trim().split('\n').at(-1)!) as Answer;
    expect(last.error?.data).toMatchObject({ type: 'InvalidParams', field: 'local', detail: 'cannot be written: ESPIPE' });
  });

  it('paths the daemon cannot open: missing, under a file, too long, with a NUL', async () => {
    const file = named(join(dir, 'target.bin'));
    for (const path of [join(dir, 'missing'), join(dir, 'target.bin', 'under'), `/${'a'.repeat(5000)}`, `${file.path}\u0000x`])
      await fallsBack({ ...file, path });
  });

  it("another file's device and inode, and numbers past 64 bits", async () => {
    const other = named(join(dir, 'target.bin'));
    writeFileSync(join(dir, 'mine.bin'), 'mine');
    await fallsBack({ ...named(join(dir, 'mine.bin')), ino: other.ino });
    await fallsBack({ ...other, dev: '99999999999999999999', ino: '99999999999999999999' });
  });
});

describe('local with bad shapes', () => {
  it('is refused as InvalidParams naming the field, a huge path too, and the daemon serves on', async () => {
    const file = named(join(dir, 'target.bin'));
    const bad: unknown[] = [
      { ...file, dev: '1'.repeat(21) },
      { ...file, ino: '-1' },
      { ...file, ino: 12 },
      { ...file, path: 'relative/path' },
      { ...file, extra: 1 },
      { path: file.path },
      'a string',
      null,
      [file],
    ];
    for (const local of bad) {
      const a = await call('file.uploadStart', { path: 'x', kind: 'file', size: 1, local });
      expect(a.error?.data, JSON.stringify(local)).toMatchObject({ type: 'InvalidParams' });
      expect(String(a.error!.data.field)).toMatch(/^local/);
    }
    // A path of 4 MiB: refused by the message cap or by the open, never a crash.
    const huge = await call('file.uploadStart', { path: 'x', kind: 'file', size: 1, local: { ...file, path: `/${'p'.repeat(4 * MiB)}` } });
    if (huge.result) await cancel(huge.result.uploadId);
    else expect(huge.error?.code).toBeLessThan(0);
    expect(held(dir)).toEqual([]);
    expect((await suite.c.run('echo serving')).stdout).toBe('serving\n');
  });
});

describe('a local file that changes between the start and its POST', () => {
  it('shrunk: the push fails typed rather than hang or send a short file as whole', async () => {
    const src = join(dir, 'shrinks.bin');
    writeFileSync(src, Buffer.alloc(2 * MiB, 7));
    const up = await call('file.uploadStart', { path: 'shrunk.bin', kind: 'file', size: 2 * MiB, local: named(src) });
    expect(up.result).toMatchObject({ local: true });
    await truncate(src, 10);
    const posted = await transferRequest({ socketPath: suite.d.socketPath }, 'POST', `/transfers/${up.result!.uploadId as string}`);
    const last = JSON.parse(posted.body.toString().trim().split('\n').at(-1)!) as Answer;
    expect(last.error?.data, JSON.stringify(last)).toMatchObject({ type: 'InvalidParams', field: 'body' });
    // Let go once the answer is out (the handle closes after it).
    await expect.poll(() => held(dir)).toEqual([]);
    const there = await suite.c.run('stat -c %s /home/sandbox/shrunk.bin 2>/dev/null || echo none');
    expect(there.stdout).not.toBe(`${2 * MiB}\n`);
  });

  it('grown: the push moves the size it was started with', async () => {
    const src = join(dir, 'grows.bin');
    writeFileSync(src, Buffer.alloc(MiB, 1));
    const up = await call('file.uploadStart', { path: 'grown.bin', kind: 'file', size: MiB, local: named(src) });
    writeFileSync(src, Buffer.alloc(3 * MiB, 2));
    const posted = await transferRequest({ socketPath: suite.d.socketPath }, 'POST', `/transfers/${up.result!.uploadId as string}`);
    expect(JSON.parse(posted.body.toString().trim().split('\n').at(-1)!)).toEqual({ result: { bytes: MiB } });
    expect((await suite.c.run('stat -c %s /home/sandbox/grown.bin')).stdout).toBe(`${MiB}\n`);
  });
});
