// Files through the daemon: writeFile, readFile, listFiles, push and pull against the real engine.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileError, FileNotFound, InvalidParams, type Container, type PocketDock, type Progress } from '../../client/src/index.js';
import { startDaemon, useSandbox, type TestDaemon } from '../helpers/daemon.js';
import { postRpc, transferRequest, type RawTarget } from '../helpers/rpc.js';

const suite = useSandbox();
let local: string;

beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), 'pd-files-'));
});

afterAll(async () => {
  if (local) await rm(local, { recursive: true, force: true });
});

async function sh(command: string): Promise<string> {
  const r = await suite.c.run(command);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe('writeFile and readFile', () => {
  it('round-trips text', async () => {
    await suite.c.writeFile('/home/sandbox/hello.txt', 'héllo\nwörld\n');
    expect((await suite.c.readFile('/home/sandbox/hello.txt')).toString('utf8')).toBe('héllo\nwörld\n');
    expect(await sh('cat /home/sandbox/hello.txt')).toBe('héllo\nwörld\n');
  });

  it('round-trips all 256 byte values', async () => {
    const bytes = new Uint8Array(256 * 4).map((_, i) => i % 256);
    await suite.c.writeFile('/home/sandbox/bytes.bin', bytes);
    const back = await suite.c.readFile('/home/sandbox/bytes.bin');
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(back, Buffer.from(bytes))).toBe(0);
    expect(await sh('sha256sum < /home/sandbox/bytes.bin | cut -d" " -f1')).toBe(`${createHash('sha256').update(bytes).digest('hex')}\n`);
  });

  it('overwrites with shorter content and reads an empty file', async () => {
    await suite.c.writeFile('/home/sandbox/over.txt', 'a long first version');
    await suite.c.writeFile('/home/sandbox/over.txt', 'short');
    expect((await suite.c.readFile('/home/sandbox/over.txt')).toString()).toBe('short');
    await suite.c.writeFile('/home/sandbox/empty', '');
    expect((await suite.c.readFile('/home/sandbox/empty')).length).toBe(0);
  });

  it('gives the file to the container user, who can append to it', async () => {
    await suite.c.writeFile('/home/sandbox/owned.txt', 'one\n');
    expect(await sh('stat -c "%U:%G %a" /home/sandbox/owned.txt')).toBe('sandbox:sandbox 644\n');
    await sh('echo two >> /home/sandbox/owned.txt');
    expect((await suite.c.readFile('/home/sandbox/owned.txt')).toString()).toBe('one\ntwo\n');
  });

  it('moves content larger than one chunk in chunks, with progress', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 7, 'xyz');
    const seen: Progress[] = [];
    await suite.c.writeFile('/home/sandbox/big.txt', big, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual({ bytes: big.length, total: big.length });
    const read: Progress[] = [];
    const back = await suite.c.readFile('/home/sandbox/big.txt', { onProgress: (p) => read.push(p) });
    expect(Buffer.compare(back, big)).toBe(0);
    expect(read.at(-1)).toEqual({ bytes: big.length, total: big.length });
    expect(read.map((p) => p.bytes)).toEqual([...read.map((p) => p.bytes)].sort((a, b) => a - b));
  });

  it('names the missing parent directory', async () => {
    const err = await suite.c.writeFile('/home/sandbox/no/such/dir/f.txt', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFound);
    expect((err as FileNotFound).path).toBe('/home/sandbox/no/such/dir');
    expect((err as FileNotFound).containerId).toBe(suite.c.containerId);
  });

  it('refuses to replace a directory with a file', async () => {
    const err = await suite.c.writeFile('/home/sandbox/', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParams);
    await sh('mkdir -p /home/sandbox/adir');
    const over = await suite.c.writeFile('/home/sandbox/adir', 'x').catch((e: unknown) => e);
    expect(over).toBeInstanceOf(FileError);
    expect(await sh('test -d /home/sandbox/adir && echo dir')).toBe('dir\n');
  });

  it('names a missing file, and refuses to read a directory', async () => {
    const missing = await suite.c.readFile('/home/sandbox/nope.txt').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FileNotFound);
    expect((missing as FileNotFound).path).toBe('/home/sandbox/nope.txt');
    expect((missing as Error).message).toContain('/home/sandbox/nope.txt');
    const dir = await suite.c.readFile('/home/sandbox').catch((e: unknown) => e);
    expect(dir).toBeInstanceOf(FileError);
    expect(dir).not.toBeInstanceOf(FileNotFound);
    expect((dir as Error).message).toMatch(/is a directory/);
  });

  it('reads through symlinks', async () => {
    await sh(
      'echo target > /home/sandbox/t.txt && ln -sf t.txt /home/sandbox/rel-link && ln -sf /home/sandbox/rel-link /home/sandbox/abs-link',
    );
    expect((await suite.c.readFile('/home/sandbox/abs-link')).toString()).toBe('target\n');
  });
});

describe('listFiles', () => {
  it('lists hidden files and odd names, marking directories', async () => {
    await suite.c.run(
      `mkdir -p /home/sandbox/odd/sub && cd /home/sandbox/odd && touch .hidden 'with space' "q'uote" 'd"quote' && ln -s sub dirlink`,
    );
    await suite.c.run(`python3 -c "open('/home/sandbox/odd/new\\nline', 'w').close()"`);
    expect(await suite.c.listFiles('/home/sandbox/odd')).toEqual([
      '.hidden',
      'd"quote',
      'dirlink',
      'new\nline',
      "q'uote",
      'sub/',
      'with space',
    ]);
  });

  it('defaults to /home/sandbox', async () => {
    expect(await suite.c.listFiles()).toContain('odd/');
  });

  it('names a missing directory and refuses a file', async () => {
    const missing = await suite.c.listFiles('/home/sandbox/nowhere').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FileNotFound);
    expect((missing as FileNotFound).path).toBe('/home/sandbox/nowhere');
    const file = await suite.c.listFiles('/home/sandbox/hello.txt').catch((e: unknown) => e);
    expect(file).toBeInstanceOf(FileError);
    expect((file as Error).message).toMatch(/not a directory/);
  });
});

async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'empty'), { recursive: true });
  await mkdir(join(root, 'nested/deeper'), { recursive: true });
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho ran\n');
  await chmod(join(root, 'run.sh'), 0o755);
  await writeFile(join(root, 'secret'), 'shh');
  await chmod(join(root, 'secret'), 0o600);
  await writeFile(join(root, 'nested/deeper/data.bin'), Buffer.from([0, 1, 2, 255]));
  await symlink('nested/deeper/data.bin', join(root, 'link'));
}

describe('push and pull', () => {
  it('pushes a tree with modes, an empty directory and a symlink, owned by the sandbox user', async () => {
    const src = join(local, 'tree');
    await makeTree(src);
    await suite.c.push(src, '/home/sandbox/pushed');
    expect(
      await sh(
        'cd /home/sandbox/pushed && stat -c "%n %a %U" run.sh secret empty && readlink link && ./run.sh && cat secret && od -An -tu1 nested/deeper/data.bin',
      ),
    ).toBe('run.sh 755 sandbox\nsecret 600 sandbox\nempty 755 sandbox\nnested/deeper/data.bin\nran\nshh   0   1   2 255\n');
    await sh('echo more >> /home/sandbox/pushed/secret && touch /home/sandbox/pushed/empty/new');
  });

  it('pulls the tree back with modes, the empty directory and the symlink', async () => {
    await sh('rm /home/sandbox/pushed/empty/new');
    const dest = join(local, 'pulled');
    const result = await suite.c.pull('/home/sandbox/pushed', dest);
    expect(result.skipped).toEqual([]);
    expect((await stat(join(dest, 'run.sh'))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(dest, 'secret'))).mode & 0o7777).toBe(0o600);
    expect(await readFile(join(dest, 'secret'), 'utf8')).toBe('shhmore\n');
    expect(await readdir(join(dest, 'empty'))).toEqual([]);
    expect((await lstat(join(dest, 'link'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dest, 'link'))).toBe('nested/deeper/data.bin');
    expect([...(await readFile(join(dest, 'link')))]).toEqual([0, 1, 2, 255]);
  });

  it('pushes and pulls a single file to the path given', async () => {
    const file = join(local, 'single.txt');
    await writeFile(file, 'single');
    await suite.c.push(file, '/home/sandbox/renamed.txt');
    expect(await sh('cat /home/sandbox/renamed.txt; stat -c " %U" /home/sandbox/renamed.txt')).toBe('single sandbox\n');
    await suite.c.pull('/home/sandbox/renamed.txt', join(local, 'back/renamed.txt'));
    expect(await readFile(join(local, 'back/renamed.txt'), 'utf8')).toBe('single');
  });

  it('fails clearly on a missing source on either side', async () => {
    await expect(suite.c.push(join(local, 'absent'), '/home/sandbox/x')).rejects.toMatchObject({ code: 'ENOENT' });
    const err = await suite.c.pull('/home/sandbox/absent', join(local, 'x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFound);
    expect((err as FileNotFound).path).toBe('/home/sandbox/absent');
    const into = await suite.c.push(join(local, 'tree'), '/home/sandbox/no/such/tree').catch((e: unknown) => e);
    expect(into).toBeInstanceOf(FileNotFound);
    expect((into as FileNotFound).path).toBe('/home/sandbox/no/such');
  });

  it('never lets links from the container lead the pull out of its destination', async () => {
    const outside = join(local, 'outside');
    await mkdir(outside);
    // Links that escape directly, through "..", through another link, and one that stays inside.
    await sh(`mkdir -p /home/sandbox/hostile/inner && cd /home/sandbox/hostile && echo ok > inner/f
      ln -s ${outside} abs && ln -s ../../outside up && ln -s . self && ln -s self/../outside via-self
      ln -s inner/f fine && ln -s /etc/passwd etc`);
    const dest = join(local, 'hostile');
    const result = await suite.c.pull('/home/sandbox/hostile', dest);
    expect(result.skipped.map((s) => s.name).sort()).toEqual(['hostile/abs', 'hostile/etc', 'hostile/up', 'hostile/via-self']);
    expect(await readdir(dest)).toEqual(expect.arrayContaining(['fine', 'inner', 'self']));
    expect(await readFile(join(dest, 'fine'), 'utf8')).toBe('ok\n');
    // Every link left resolves inside the destination.
    const root = await realpath(dest);
    for (const name of await readdir(dest)) {
      expect(relative(root, await realpath(join(dest, name))).startsWith('..')).toBe(false);
    }
    expect(await readdir(outside)).toEqual([]);
  });
});

describe("relative paths start at the sandbox user's home", () => {
  it('in writeFile, readFile and listFiles, as the README writes them', async () => {
    await suite.c.writeFile('main.py', 'print(1)');
    expect(await sh('cat /home/sandbox/main.py')).toBe('print(1)');
    expect((await suite.c.readFile('main.py')).toString()).toBe('print(1)');
    expect((await suite.c.readFile('./sub/../main.py')).toString()).toBe('print(1)');
    expect(await suite.c.listFiles('.')).toContain('main.py');
    expect(await suite.c.listFiles('..')).toContain('sandbox/');
    const missing = await suite.c.readFile('nowhere.txt').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FileNotFound);
    expect((missing as FileNotFound).path).toBe('/home/sandbox/nowhere.txt');
  });

  it('in push and pull, for a tree and for a large file', async () => {
    const src = join(local, 'rel-tree');
    await makeTree(src);
    await suite.c.push(src, 'rel/../rel-tree');
    expect(await sh('cat /home/sandbox/rel-tree/secret')).toBe('shh');
    const back = join(local, 'rel-back');
    await suite.c.pull('rel-tree', back);
    expect(await readFile(join(back, 'secret'), 'utf8')).toBe('shh');
    const big = Buffer.alloc(600 * 1024, 7);
    await suite.c.writeFile('big.bin', big);
    expect(Buffer.compare(await suite.c.readFile('big.bin'), big)).toBe(0);
  });

  it('refuses a push destination that names no entry', async () => {
    for (const dest of ['.', '/', 'x/..']) {
      const err = await suite.c.push(join(local, 'rel-tree'), dest).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidParams);
      expect((err as InvalidParams).field).toBe('dest');
    }
  });
});

describe('raw HTTP: JSON-RPC calls and the transfer channel', () => {
  type Answer = { result?: Record<string, unknown>; error?: { data: Record<string, unknown> } };
  const call = async (method: string, params: Record<string, unknown>, target: RawTarget = { socketPath: suite.d.socketPath }) =>
    (await postRpc(target, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))).json as Answer;

  it('writes and lists with one POST per call, then uploads and downloads with plain PUT and GET', async () => {
    expect(
      (
        await call('file.write', {
          container: suite.c.name,
          path: '/home/sandbox/http.txt',
          data: Buffer.from('over http').toString('base64'),
        })
      ).error,
    ).toBeUndefined();
    expect((await call('file.list', { container: suite.c.name, path: '/home/sandbox' })).result!.names).toContain('http.txt');
    // The daemon resolves a relative path, so a client in any language gets the same meaning.
    expect(
      (await call('file.write', { container: suite.c.name, path: 'http-rel.txt', data: Buffer.from('rel').toString('base64') })).error,
    ).toBeUndefined();
    expect((await call('file.list', { container: suite.c.name, path: '.' })).result!.names).toEqual(
      expect.arrayContaining(['http.txt', 'http-rel.txt']),
    );

    const content = Buffer.alloc(3 * 1024 * 1024 + 5, 'plain http ');
    const { uploadId } = (
      await call('file.uploadStart', { container: suite.c.name, path: '/home/sandbox/put.bin', kind: 'file', size: content.length })
    ).result!;
    const put = await transferRequest({ socketPath: suite.d.socketPath }, 'PUT', `/transfers/${uploadId as string}`, content);
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body.toString())).toEqual({ bytes: content.length });
    expect(await sh('stat -c "%s %U" /home/sandbox/put.bin')).toBe(`${content.length} sandbox\n`);

    const { downloadId, size } = (
      await call('file.downloadStart', { container: suite.c.name, path: '/home/sandbox/put.bin', kind: 'file' })
    ).result!;
    expect(size).toBe(content.length);
    const got = await transferRequest({ socketPath: suite.d.socketPath }, 'GET', `/transfers/${downloadId as string}`);
    expect(got.status).toBe(200);
    expect(Buffer.compare(got.body, content)).toBe(0);
  });

  it('answers a used, unknown or expired transfer id with a typed error', async () => {
    const { downloadId } = (await call('file.downloadStart', { container: suite.c.name, path: '/home/sandbox/http.txt', kind: 'file' }))
      .result!;
    const path = `/transfers/${downloadId as string}`;
    expect((await transferRequest({ socketPath: suite.d.socketPath }, 'GET', path)).body.toString()).toBe('over http');
    for (const p of [path, '/transfers/down-0123456789abcdef0123456789abcdef']) {
      const again = await transferRequest({ socketPath: suite.d.socketPath }, 'GET', p);
      expect(again.status).toBe(404);
      expect(JSON.parse(again.body.toString()).error.data).toMatchObject({ type: 'InvalidParams', field: 'transferId' });
    }
    const cancelled = (await call('file.downloadStart', { container: suite.c.name, path: '/home/sandbox/http.txt', kind: 'file' })).result!;
    await call('file.cancel', { transferId: cancelled.downloadId });
    expect((await transferRequest({ socketPath: suite.d.socketPath }, 'GET', `/transfers/${cancelled.downloadId as string}`)).status).toBe(
      404,
    );
  });

  it('holds a download to maxBytes: a larger file refused up front, a tar that grows past it broken off short', async () => {
    await sh('mkdir -p /home/sandbox/capped/sub && head -c 65536 /dev/zero > /home/sandbox/capped/sub/zeros');
    const start = (params: Record<string, unknown>) => call('file.downloadStart', { container: suite.c.name, ...params });
    const refused = await start({ path: '/home/sandbox/capped/sub/zeros', kind: 'file', maxBytes: 65535 });
    expect(refused.error!.data).toMatchObject({ type: 'FileError', path: '/home/sandbox/capped/sub/zeros' });
    expect(refused.error!.data.detail).toBe('is 65536 bytes, more than the 65535 bytes the download may carry (maxBytes)');
    expect((await start({ path: '/home/sandbox/capped', kind: 'tar', maxBytes: 0 })).error!.data).toMatchObject({
      type: 'InvalidParams',
      field: 'maxBytes',
    });

    const get = async (maxBytes: number) => {
      const { downloadId } = (await start({ path: '/home/sandbox/capped', kind: 'tar', maxBytes })).result!;
      return transferRequest({ socketPath: suite.d.socketPath }, 'GET', `/transfers/${downloadId as string}`);
    };
    // The tar of 64 KiB of zeros and three headers, with the end-of-archive blocks: a little over 64 KiB.
    const whole = await get(1024 * 1024);
    expect(whole.status).toBe(200);
    expect(whole.body.length).toBeGreaterThan(65536);
    expect(whole.body.toString('latin1')).toContain('capped/sub/zeros');
    // Cut before or after the headers, depending on where the engine's chunks fall: never a whole answer.
    await expect(get(16 * 1024)).rejects.toThrow(/^(aborted|socket hang up)$/);
  });

  it('refuses a pushed archive that is not a tar, and a file body of another size than announced, naming the body', async () => {
    const { uploadId } = (await call('file.uploadStart', { container: suite.c.name, path: '/home/sandbox', kind: 'tar' })).result!;
    const put = await transferRequest(
      { socketPath: suite.d.socketPath },
      'PUT',
      `/transfers/${uploadId as string}`,
      Buffer.alloc(1024, 'not a tar'),
    );
    expect(put.status).toBe(400);
    expect(JSON.parse(put.body.toString()).error.data).toMatchObject({ type: 'InvalidParams', field: 'body' });
    for (const sent of ['short', 'longer than announced']) {
      const { uploadId: id } = (
        await call('file.uploadStart', { container: suite.c.name, path: '/home/sandbox/sized.txt', kind: 'file', size: 10 })
      ).result!;
      const answer = await transferRequest({ socketPath: suite.d.socketPath }, 'PUT', `/transfers/${id as string}`, Buffer.from(sent));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString()).error).toMatchObject({
        data: { type: 'InvalidParams', field: 'body' },
        message: expect.stringMatching(/announced/),
      });
    }
  });

  it("holds the TCP listener's transfers to its token", async () => {
    const tcp = await startDaemon({ tcp: true });
    try {
      const target = { port: tcp.port!, headers: { authorization: `Bearer ${tcp.token}` } };
      const { uploadId } = (
        await call('file.uploadStart', { container: suite.c.containerId, path: '/home/sandbox/tcp.txt', kind: 'file', size: 3 }, target)
      ).result!;
      const path = `/transfers/${uploadId as string}`;
      const refused = await transferRequest({ port: tcp.port! }, 'PUT', path, Buffer.from('tcp'));
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body.toString()).error.data).toMatchObject({ type: 'Unauthorized' });
      expect(
        (await transferRequest({ port: tcp.port!, headers: { authorization: 'Bearer wrong' } }, 'PUT', path, Buffer.from('tcp'))).status,
      ).toBe(401);
      const put = await transferRequest(target, 'PUT', path, Buffer.from('tcp'));
      expect(put.status).toBe(200);
      expect(await sh('cat /home/sandbox/tcp.txt')).toBe('tcp');
    } finally {
      await tcp.stop();
    }
  });
});

describe('a 200 MB file', () => {
  const SIZE = 200 * 1024 * 1024;
  /** A daemon whose JavaScript heap cannot hold the file: it must stream it. */
  const HEAP_MB = 96;
  let small: TestDaemon;
  let sc: Container;
  let spd: PocketDock;

  beforeAll(async () => {
    small = await startDaemon({ env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } });
    spd = await small.client();
    sc = await spd.createNewContainer();
  });

  afterAll(async () => {
    await sc?.shutdown({ force: true }).catch(() => undefined);
    await spd?.close();
    await small?.stop();
  });

  async function sha256(path: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  it('round-trips through push and pull without the daemon holding it', async () => {
    const src = join(local, 'big.bin');
    const out = createWriteStream(src);
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < SIZE / block.length; i++) {
      block.writeUInt32LE(i, (i * 4099) % (block.length - 4));
      if (!out.write(Buffer.from(block))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const before = small.rssKiB();
    const pushed: Progress[] = [];
    await sc.push(src, '/home/sandbox/big.bin', { onProgress: (p) => pushed.push(p) });
    const pulled: Progress[] = [];
    await sc.pull('/home/sandbox/big.bin', join(local, 'big-back.bin'), { onProgress: (p) => pulled.push(p) });
    const peak = Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${small.pid}/status`, 'utf8'))?.[1]);
    console.log(JSON.stringify({ daemonRssKiB: { before, after: small.rssKiB(), peak }, heapLimitMiB: HEAP_MB }));
    expect(small.child.exitCode).toBe(null);
    expect(await sha256(join(local, 'big-back.bin'))).toBe(await sha256(src));
    expect((await sc.run('stat -c %s /home/sandbox/big.bin')).stdout).toBe(`${SIZE}\n`);
    // The file's bytes, moved by the daemon itself (it shares this file system), or a tar of them.
    expect(pushed.at(-1)!.bytes).toBeGreaterThanOrEqual(SIZE);
    expect(pulled.at(-1)!.bytes).toBeGreaterThanOrEqual(SIZE);
  });
});
