import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { Reown, TarError } from './reown.js';

const owner = { uid: 1000, gid: 1001, uname: 'sandbox', gname: 'staff' };

type Entry = Partial<tar.Header> & { name: string; body?: string };

async function packed(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...h } of entries) pack.entry(h, body ?? '');
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** `archive` through Reown in pieces of `step` bytes (so headers and records straddle chunks). */
async function reowned(archive: Buffer, step = 97): Promise<Buffer> {
  const pieces = [];
  for (let at = 0; at < archive.length; at += step) pieces.push(archive.subarray(at, at + step));
  const parts: Buffer[] = [];
  for await (const chunk of Readable.from(pieces).pipe(new Reown(owner))) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function members(archive: Buffer): Promise<Array<{ header: tar.Header; body: string }>> {
  const extract = tar.extract();
  const out: Array<{ header: tar.Header; body: string }> = [];
  const reading = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      out.push({ header: entry.header, body: Buffer.concat(parts).toString() });
    }
  })();
  extract.end(archive);
  await reading;
  return out;
}

describe('Reown', () => {
  it('gives every member to the owner and passes names, modes, links and bytes through as they were', async () => {
    const long = `${'deep/'.repeat(30)}file.txt`;
    const archive = await packed([
      { name: 'dir', type: 'directory', mode: 0o750, uid: 0, gid: 0, uname: 'root', gname: 'root' },
      { name: 'dir/a.txt', mode: 0o640, uid: 0, gid: 0, uname: 'root', body: 'hello' },
      { name: long, uid: 4242, gid: 4242, body: 'x'.repeat(1000) },
      { name: 'dir/link', type: 'symlink', linkname: 'a.txt' },
      { name: 'big-uid', uid: 0o7777777 + 5, gid: 3, body: '' },
    ]);
    const got = await members(await reowned(archive));
    expect(got.map((m) => [m.header.name, m.header.type, m.body.length])).toEqual([
      ['dir', 'directory', 0],
      ['dir/a.txt', 'file', 5],
      [long, 'file', 1000],
      ['dir/link', 'symlink', 0],
      ['big-uid', 'file', 0],
    ]);
    for (const m of got) expect(m.header).toMatchObject({ uid: 1000, gid: 1001, uname: 'sandbox', gname: 'staff' });
    expect(got[0]!.header.mode).toBe(0o750);
    expect(got[1]!.body).toBe('hello');
    expect(got[3]!.header.linkname).toBe('a.txt');
  });

  it('drops pax records that name an owner and keeps the others', async () => {
    const archive = await packed([
      { name: 'p.txt', body: 'pax', pax: { uid: '0', gid: '0', uname: 'root', gname: 'root', comment: 'kept' } },
    ]);
    const [m] = await members(await reowned(archive, 512));
    expect(m!.header).toMatchObject({ name: 'p.txt', uid: 1000, gid: 1001, uname: 'sandbox', gname: 'staff' });
    expect(m!.header.pax).toEqual({ path: 'p.txt', comment: 'kept' });
    expect(m!.body).toBe('pax');
  });

  it('refuses hard links and devices by name, and what is not a tar', async () => {
    const link = await packed([
      { name: 'f', body: 'x' },
      { name: 'hard', type: 'link', linkname: 'f' },
    ]);
    await expect(reowned(link)).rejects.toMatchObject({ refused: true, message: expect.stringMatching(/"hard" is a link/) });
    const device = await packed([{ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }]);
    await expect(reowned(device)).rejects.toMatchObject({ refused: true, message: expect.stringMatching(/character-device/) });
    await expect(reowned(Buffer.alloc(1024, 'not a tar'))).rejects.toBeInstanceOf(TarError);
    const cut = await packed([{ name: 'f', body: 'y'.repeat(2000) }]);
    await expect(reowned(cut.subarray(0, 1024))).rejects.toMatchObject({
      refused: false,
      message: expect.stringMatching(/inside a member/),
    });
  });
});
