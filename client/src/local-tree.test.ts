// The pull guard against hostile tars, built by hand with tar-stream: nothing lands outside dest.
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PocketDockError, UnsafeArchive } from './errors.js';
import { extractTree, memberParts, packTree } from './local-tree.js';

type Member = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo'; body?: string; linkname?: string; mode?: number };

/** The tar's bytes, as the async iterable of chunks extractTree reads (as from a download). */
async function tarOf(members: Member[]): Promise<AsyncIterable<Uint8Array>> {
  const pack = tar.pack();
  for (const m of members) {
    if (m.type === undefined || m.type === 'file') pack.entry({ name: m.name, mode: m.mode ?? 0o644 }, m.body ?? '');
    else pack.entry({ name: m.name, type: m.type, linkname: m.linkname, mode: m.mode ?? 0o755 });
  }
  pack.finalize();
  const out: Buffer[] = [];
  for await (const chunk of pack) out.push(chunk as Buffer);
  return (async function* () {
    yield* out;
  })();
}

let root: string;
let dest: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pd-tree-'));
  dest = join(root, 'dest', 'top');
  outside = join(root, 'outside');
  await mkdir(outside);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('member names', () => {
  it('refuses absolute names and ..', () => {
    expect(() => memberParts('/etc/passwd')).toThrow(UnsafeArchive);
    expect(() => memberParts('top/../../escape')).toThrow(/climbs out/);
    expect(() => memberParts('..')).toThrow(UnsafeArchive);
    expect(memberParts('./top//a/./b')).toEqual(['top', 'a', 'b']);
  });

  it('refuses a tar whose members climb out, start absolute or leave the top member', async () => {
    for (const hostile of [
      [
        { name: 'top/', type: 'directory' },
        { name: 'top/../escape', body: 'x' },
      ],
      [
        { name: 'top/', type: 'directory' },
        { name: '/abs', body: 'x' },
      ],
      [
        { name: 'top/', type: 'directory' },
        { name: 'other/file', body: 'x' },
      ],
      [
        { name: 'top/', type: 'directory' },
        { name: 'top/hard', type: 'link', linkname: '../outside/x' },
      ],
    ] satisfies Member[][]) {
      await expect(extractTree(await tarOf(hostile), dest)).rejects.toThrow(UnsafeArchive);
    }
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(join(root, 'dest'))).toEqual(['top']);
  });
});

describe('symlinks', () => {
  it('never writes through a link from the tar, even one made before the member under it', async () => {
    const hostile = await tarOf([
      { name: 'top/', type: 'directory' },
      { name: 'top/out', type: 'symlink', linkname: outside },
      { name: 'top/out/pwned', body: 'x' },
    ]);
    // Links are made last: the file lands in a real directory, then the link cannot replace it.
    await expect(extractTree(hostile, dest)).rejects.toThrow(PocketDockError);
    expect(await readdir(outside)).toEqual([]);
  });

  it('never writes through a link already in the destination', async () => {
    await mkdir(dest, { recursive: true });
    await symlink(outside, join(dest, 'a'));
    const hostile = await tarOf([
      { name: 'top/', type: 'directory' },
      { name: 'top/a/pwned', body: 'x' },
    ]);
    await expect(extractTree(hostile, dest)).rejects.toThrow(UnsafeArchive);
    expect(await readdir(outside)).toEqual([]);
  });

  it("replaces a link at a file member's path instead of writing through it", async () => {
    await mkdir(dest, { recursive: true });
    await writeFile(join(outside, 'target'), 'keep');
    await symlink(join(outside, 'target'), join(dest, 'f'));
    await extractTree(
      await tarOf([
        { name: 'top/', type: 'directory' },
        { name: 'top/f', body: 'new' },
      ]),
      dest,
    );
    expect(await readFile(join(outside, 'target'), 'utf8')).toBe('keep');
    expect((await lstat(join(dest, 'f'))).isFile()).toBe(true);
  });

  it('keeps links that stay inside and leaves out those that lead out, however they get there', async () => {
    const result = await extractTree(
      await tarOf([
        { name: 'top/', type: 'directory' },
        { name: 'top/sub/', type: 'directory' },
        { name: 'top/sub/f', body: 'inside' },
        { name: 'top/ok', type: 'symlink', linkname: 'sub/f' },
        // Back in through the parent: the parent is not the destination's to trust.
        { name: 'top/around', type: 'symlink', linkname: '../top/sub' },
        { name: 'top/abs', type: 'symlink', linkname: '/etc' },
        { name: 'top/up', type: 'symlink', linkname: '../../outside' },
        { name: 'top/self', type: 'symlink', linkname: '.' },
        { name: 'top/via-self', type: 'symlink', linkname: 'self/../outside' },
        { name: 'top/sub/deep', type: 'symlink', linkname: '../self/../..' },
        { name: 'top/loop', type: 'symlink', linkname: 'loop' },
      ]),
      dest,
    );
    expect(result.skipped.map((s) => s.name).sort()).toEqual([
      'top/abs',
      'top/around',
      'top/loop',
      'top/sub/deep',
      'top/up',
      'top/via-self',
    ]);
    expect((await readdir(dest)).sort()).toEqual(['ok', 'self', 'sub']);
    expect(await readlink(join(dest, 'ok'))).toBe('sub/f');
    expect(await readFile(join(dest, 'ok'), 'utf8')).toBe('inside');
  });

  it('skips a symlink pulled on its own and special files', async () => {
    const single = await extractTree(await tarOf([{ name: 'link', type: 'symlink', linkname: '/etc/passwd' }]), dest);
    expect(single.skipped).toHaveLength(1);
    await expect(lstat(dest)).rejects.toThrow();
    const fifo = await extractTree(
      await tarOf([
        { name: 'top/', type: 'directory' },
        { name: 'top/pipe', type: 'fifo' },
      ]),
      dest,
    );
    expect(fifo.skipped).toEqual([{ name: 'top/pipe', reason: 'fifo members are not extracted' }]);
  });
});

describe('round trip', () => {
  it('packs and unpacks a tree with modes, an empty directory and links, read-only directories last', async () => {
    const src = join(root, 'src');
    await mkdir(join(src, 'empty'), { recursive: true });
    await mkdir(join(src, 'ro'));
    await writeFile(join(src, 'ro', 'inside'), 'x', { mode: 0o600 });
    await writeFile(join(src, 'run'), '#!/bin/sh\n', { mode: 0o755 });
    await symlink('run', join(src, 'link'));
    await chmod(join(src, 'ro'), 0o555);
    try {
      expect((await extractTree(await packTree(src, 'top'), dest)).skipped).toEqual([]);
      expect((await lstat(join(dest, 'run'))).mode & 0o777).toBe(0o755);
      expect((await lstat(join(dest, 'ro/inside'))).mode & 0o777).toBe(0o600);
      expect((await lstat(join(dest, 'ro'))).mode & 0o777).toBe(0o555);
      expect(await readdir(join(dest, 'empty'))).toEqual([]);
      expect(await readlink(join(dest, 'link'))).toBe('run');
    } finally {
      await chmod(join(src, 'ro'), 0o755);
      await chmod(join(dest, 'ro'), 0o755).catch(() => undefined);
    }
  });
});
