/**
 * A pushed tar on its way to the engine, given to the container's user as it passes: each member's
 * header block gets the owner's uid, gid, uname and gname (and a new checksum), pax records that
 * would name another owner are dropped, and the members' bytes go through untouched, never
 * parsed into entries and packed again. A member type the engine must not unpack (hard links,
 * devices, fifos: unpacked as root and then given to the sandbox user, they would hand it files it
 * must not own) fails the stream, as does a block that is not a tar header.
 *
 * Which types carry data follows the engine's own reader (Go's archive/tar), so that both sides
 * see the same members.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Owner } from './owner.js';
import { BLOCK, TarError, padding, readNumber, sealed, writeNumber, writeText, checksum } from '@pocketdock/protocol/tar';

export { TarError };

/** Most bytes of pax records one member may carry (names, times, attributes: small). */
const MAX_PAX = 1024 * 1024;

/** Member types a push may hold, by typeflag. */
const MEMBERS = new Map([
  ['0', 'file'],
  ['\0', 'file'],
  ['7', 'contiguous-file'],
  ['5', 'directory'],
  ['2', 'symlink'],
]);
/** Headers that describe the next member: pax records (per member, global) and GNU long names. */
const PAX = new Set(['x', 'g']);
const LONG_NAMES = new Set(['L', 'K']);
/** Names of the refused types, for the error. */
const REFUSED: Record<string, string> = { '1': 'link', '3': 'character-device', '4': 'block-device', '6': 'fifo' };
/** Pax keys that set a member's owner: the engine would apply them over the header's fields. */
const OWNER_KEYS = new Set(['uid', 'gid', 'uname', 'gname']);

/** The pax records of `data` without those naming an owner, or undefined when none does. */
function withoutOwner(data: Buffer): Buffer | undefined {
  const kept: Buffer[] = [];
  let dropped = false;
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    const len = space < 0 ? NaN : Number(data.toString('latin1', at, space));
    if (!Number.isInteger(len) || len <= 0 || at + len > data.length) throw new TarError('bad pax record');
    const record = data.subarray(at, at + len);
    const key = record.toString('utf8', space - at + 1, record.indexOf(0x3d));
    if (OWNER_KEYS.has(key)) dropped = true;
    else kept.push(record);
    at += len;
  }
  return dropped ? Buffer.concat(kept) : undefined;
}

export class Reown extends Transform {
  private readonly head = Buffer.alloc(BLOCK);
  private have = 0;
  /** Bytes of the current member's data (and padding) still to pass. */
  private left = 0;
  /** The pax header being gathered, with the records so far. */
  private pax: { header: Buffer; size: number; parts: Buffer[]; got: number } | undefined;
  private zeros = 0;
  private over = false;

  constructor(private readonly owner: Owner) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.feed(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.have > 0 || this.left > 0 || this.pax) return done(new TarError('the archive ends inside a member'));
    // An archive cut before its end blocks is complete as far as it goes: the engine reads it so too.
    if (!this.over) this.push(Buffer.alloc(2 * BLOCK));
    done();
  }

  private feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.over) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - at);
        const piece = chunk.subarray(at, at + n);
        if (this.pax) this.gather(piece);
        else this.push(piece);
        this.left -= n;
        at += n;
        if (this.left === 0 && this.pax) this.endPax();
        continue;
      }
      const n = Math.min(BLOCK - this.have, chunk.length - at);
      chunk.copy(this.head, this.have, at, at + n);
      this.have += n;
      at += n;
      if (this.have === BLOCK) {
        this.have = 0;
        this.header(Buffer.from(this.head));
      }
    }
  }

  private header(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.push(h);
      if (++this.zeros === 2) this.over = true;
      return;
    }
    this.zeros = 0;
    const stored = readNumber(h, 148, 8);
    if (stored !== checksum(h)) throw new TarError('a header block has a bad checksum');
    const type = String.fromCharCode(h[156]!);
    const size = readNumber(h, 124, 12);
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    if (PAX.has(type)) {
      if (size > MAX_PAX) throw new TarError(`pax header of ${size} bytes`);
      this.pax = { header: h, size, parts: [], got: 0 };
      this.left = size + padding(size);
      if (this.left === 0) this.endPax();
      return;
    }
    if (!MEMBERS.has(type) && !LONG_NAMES.has(type)) {
      const kind = REFUSED[type] ?? `member of type "${type}"`;
      throw new TarError(`tar member "${name}" is a ${kind}: only files, directories and symlinks can be pushed`, true);
    }
    if (MEMBERS.has(type)) {
      writeNumber(h, 108, 8, this.owner.uid);
      writeNumber(h, 116, 8, this.owner.gid);
      writeText(h, 265, 32, this.owner.uname);
      writeText(h, 297, 32, this.owner.gname);
      sealed(h);
    }
    this.push(h);
    const hasData = type === '0' || type === '\0' || type === '7' || LONG_NAMES.has(type);
    this.left = hasData ? size + padding(size) : 0;
  }

  private gather(piece: Buffer): void {
    const pax = this.pax!;
    const room = pax.size - pax.got;
    if (room > 0) pax.parts.push(Buffer.from(piece.subarray(0, room)));
    pax.got += Math.min(room, piece.length);
  }

  private endPax(): void {
    const { header, parts } = this.pax!;
    this.pax = undefined;
    const data = Buffer.concat(parts);
    const kept = withoutOwner(data);
    const out = kept ?? data;
    if (kept) {
      writeNumber(header, 124, 12, out.length);
      sealed(header);
    }
    this.push(header);
    this.push(Buffer.concat([out, Buffer.alloc(padding(out.length))]));
  }
}
