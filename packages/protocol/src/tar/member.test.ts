import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { firstMember } from './member.js';

type Entry = Partial<tar.Header> & { name: string; body?: Buffer };

async function packed(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...h } of entries) pack.entry(h, body ?? Buffer.alloc(0));
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** `archive` in pieces of `step` bytes, so that headers and data straddle chunks. */
const pieces = (archive: Buffer, step: number) => {
  const out: Buffer[] = [];
  for (let at = 0; at < archive.length; at += step) out.push(archive.subarray(at, at + step));
  return Readable.from(out, { objectMode: false });
};

async function all(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const typed = (err: Error) => err;

describe('the first member of a tar, read by hand', () => {
  const body = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));

  it.each([100, 512, 4096])('a file in chunks of %i bytes: its header, then exactly its bytes', async (step) => {
    const archive = await packed([{ name: 'f.bin', mode: 0o100751, body }]);
    const member = await firstMember(pieces(archive, step), typed);
    expect(member.header).toMatchObject({ type: 'file', size: body.length, mode: 0o751 });
    expect(Buffer.compare(await all(member.data()), body)).toBe(0);
  });

  it('an empty file, a directory and a symlink carry no bytes', async () => {
    for (const [entry, type] of [
      [{ name: 'empty' }, 'file'],
      [{ name: 'd', type: 'directory' as const }, 'directory'],
      [{ name: 'l', type: 'symlink' as const, linkname: 'target' }, 'symlink'],
    ] as const) {
      const member = await firstMember(pieces(await packed([entry]), 100), typed);
      expect(member.header?.type).toBe(type);
      expect((await all(member.data())).length).toBe(0);
    }
  });

  it('takes the link target and size of pax records before the header', async () => {
    const long = `${'t'.repeat(150)}/x`;
    const member = await firstMember(pieces(await packed([{ name: 'l', type: 'symlink', linkname: long }]), 64), typed);
    expect(member.header).toMatchObject({ type: 'symlink', linkname: long });
    const named = await firstMember(pieces(await packed([{ name: `${'n'.repeat(150)}.bin`, body }]), 64), typed);
    expect(Buffer.compare(await all(named.data()), body)).toBe(0);
  });

  it('gives the archive back whole from its first byte, and nothing for an empty one', async () => {
    const archive = await packed([
      { name: 'd', type: 'directory' },
      { name: 'd/f', body },
    ]);
    const member = await firstMember(pieces(archive, 300), typed);
    expect(member.header?.type).toBe('directory');
    expect(Buffer.compare(await all(member.archive()), archive)).toBe(0);
    expect((await firstMember(pieces(Buffer.alloc(1024), 512), typed)).header).toBeUndefined();
  });

  it('fails on a bad checksum, and on an archive that ends inside its member', async () => {
    const bad = await packed([{ name: 'f', body }]);
    bad[0] = 0x41;
    await expect(firstMember(pieces(bad, 512), typed)).rejects.toThrow(/checksum/);
    const archive = await packed([{ name: 'f', body }]);
    const cut = await firstMember(pieces(archive.subarray(0, 1000), 100), typed);
    await expect(all(cut.data())).rejects.toThrow(/ends .* before its member does/);
  });
});
