/**
 * Tar header blocks read and written by hand (ustar, with pax records for what ustar cannot hold),
 * for the streams that pass a member's bytes through untouched instead of packing them again.
 */

/** Who a member belongs to, as its header says. */
export interface TarOwner {
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

export const BLOCK = 512;

/** `refused`: a valid member of a type a push may not hold; else the stream is not a valid tar. */
export class TarError extends Error {
  constructor(
    message: string,
    readonly refused = false,
  ) {
    super(message);
  }
}

/** Numeric field: octal text, or base-256 (GNU) when the top bit of the first byte is set. */
export function readNumber(b: Buffer, at: number, len: number): number {
  if (b[at]! & 0x80) {
    let n = b[at]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[at + i]!;
    return n;
  }
  const text = b
    .toString('latin1', at, at + len)
    .replace(/\0.*$/s, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`bad number field "${text}"`);
  return parseInt(text, 8);
}

export function writeNumber(b: Buffer, at: number, len: number, n: number): void {
  const octal = n.toString(8);
  if (octal.length < len) {
    b.write(`${octal.padStart(len - 1, '0')}\0`, at, len, 'latin1');
    return;
  }
  b.fill(0, at, at + len);
  for (let i = len - 1, v = n; i > 0; i--, v = Math.floor(v / 256)) b[at + i] = v % 256;
  b[at] = 0x80;
}

export function writeText(b: Buffer, at: number, len: number, text: string): void {
  b.fill(0, at, at + len);
  b.write(text, at, len, 'utf8');
}

export function checksum(b: Buffer): number {
  let sum = 8 * 0x20; // the checksum field itself counts as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += b[i]!;
  return sum;
}

export function sealed(b: Buffer): Buffer {
  b.write(`${checksum(b).toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

/** Zeros that fill a member's data up to a whole block. */
export const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/** What a written file's header says besides its name, size and owner. */
export interface FileMeta {
  /** Permission bits. */
  mode: number;
  /** Modification time, in seconds. */
  mtime: number;
}

const now = (): FileMeta => ({ mode: 0o644, mtime: Math.floor(Date.now() / 1000) });

/** The header of a member of `type` (its typeflag) called `name`, owned by `owner`. */
function block(type: string, name: string, size: number, owner: TarOwner, { mode, mtime }: FileMeta): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeText(h, 0, 100, name);
  writeNumber(h, 100, 8, mode);
  writeNumber(h, 108, 8, owner.uid);
  writeNumber(h, 116, 8, owner.gid);
  writeNumber(h, 124, 12, size);
  writeNumber(h, 136, 12, mtime);
  h.write(type, 156, 1, 'latin1');
  h.write('ustar\x0000', 257, 8, 'latin1');
  writeText(h, 265, 32, owner.uname);
  writeText(h, 297, 32, owner.gname);
  return sealed(h);
}

/** A pax record: its length counts its own digits. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let len = bytes + 1;
  while (String(len).length + bytes > len) len++;
  return Buffer.from(`${len}${body}`);
}

/**
 * The blocks before a regular file's bytes: its ustar header (a new file, 0644, by default), after
 * a pax header carrying its name when the name does not fit ustar's 100 bytes.
 */
export function fileHeader(name: string, size: number, owner: TarOwner, meta: FileMeta = now()): Buffer {
  const header = block('0', name, size, owner, meta);
  if (Buffer.byteLength(name) <= 100) return header;
  const records = paxRecord('path', name);
  return Buffer.concat([block('x', 'PaxHeader', records.length, owner, now()), records, Buffer.alloc(padding(records.length)), header]);
}

/** How many zero bytes follow a last member's `size` bytes: its padding and the two end blocks. */
export const endLength = (size: number) => padding(size) + 2 * BLOCK;

/** What follows a last member's `size` bytes. */
export const archiveEnd = (size: number) => Buffer.alloc(endLength(size));
