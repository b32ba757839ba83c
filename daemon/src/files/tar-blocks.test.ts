import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { FileTar } from './upload.js';
import { archiveEnd, fileHeader } from '@pocketdock/protocol/tar';

const owner = { uid: 1000, gid: 1001, uname: 'sandbox', gname: 'staff' };

async function members(archive: AsyncIterable<Buffer>): Promise<Array<{ header: tar.Header; body: Buffer }>> {
  const extract = tar.extract();
  const out: Array<{ header: tar.Header; body: Buffer }> = [];
  const reading = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      out.push({ header: entry.header, body: Buffer.concat(parts) });
    }
  })();
  for await (const chunk of archive) extract.write(chunk);
  extract.end(undefined);
  await reading;
  return out;
}

describe('a file as a one-member tar, made as its bytes pass', () => {
  it.each([
    ['a short name', 'data.bin', 1000],
    ['an empty file', 'empty', 0],
    ['a whole number of blocks', 'blocks', 1024],
    ['a name longer than ustar holds (a pax record)', `${'ü'.repeat(60)}.txt`, 3],
  ])('%s', async (_what, name, size) => {
    const bytes = Buffer.alloc(size, 'x');
    const pieces = [bytes.subarray(0, 7), bytes.subarray(7)];
    const archive = new FileTar(Readable.from(pieces), fileHeader(name, size, owner), archiveEnd(size));
    const [only, ...rest] = await members(archive);
    expect(rest).toEqual([]);
    expect(only!.header).toMatchObject({ name, size, mode: 0o644, uid: 1000, gid: 1001, uname: 'sandbox', gname: 'staff', type: 'file' });
    expect(Buffer.compare(only!.body, bytes)).toBe(0);
  });
});
