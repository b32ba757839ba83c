/**
 * The first member of a tar the engine streams, read by hand: its header (after any pax or GNU
 * extension headers), then exactly its bytes as the engine's chunks come, relayed with no parser
 * and no copy between them. Until those bytes are read, the whole archive can still be taken as it
 * came (`archive()`), for a caller that wanted a tar after all.
 */
import { Readable } from 'node:stream';
import { BLOCK, TarError, checksum, padding, readNumber } from './blocks.js';

export interface MemberHeader {
  /** tar-stream's names: "file", "contiguous-file", "directory", "symlink", …, or the typeflag. */
  type: string;
  size: number;
  /** Permission bits. */
  mode: number;
  linkname: string;
}

const TYPES: Record<string, string> = {
  '0': 'file',
  '\0': 'file',
  '7': 'contiguous-file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'link',
  '3': 'character-device',
  '4': 'block-device',
  '6': 'fifo',
};
const EXTENSIONS = new Set(['x', 'g', 'L', 'K']);
/** Most bytes an extension header may carry (pax records, a long name): small. */
const MAX_EXTENSION = 1024 * 1024;

const text = (b: Buffer, at: number, len: number) => b.toString('utf8', at, at + len).replace(/\0.*$/s, '');

/** The value of `key` in a pax header's records, if set. */
function paxValue(records: Buffer, key: string): string | undefined {
  let found: string | undefined;
  for (let at = 0; at < records.length;) {
    const space = records.indexOf(0x20, at);
    const len = space < 0 ? NaN : Number(records.toString('latin1', at, space));
    if (!Number.isInteger(len) || len <= 0 || at + len > records.length) throw new TarError('bad pax record');
    const record = records.toString('utf8', space + 1, at + len - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === key) found = record.slice(eq + 1);
    at += len;
  }
  return found;
}

/** Reads header blocks from the start of an archive until its first member's header. */
class HeaderReader {
  pending: Buffer = Buffer.alloc(0);
  header: MemberHeader | undefined;
  private paxSize: string | undefined;
  private paxLink: string | undefined;

  /** Takes `chunk`; true once the first member's header (or the archive's end) is read. */
  add(chunk: Buffer): boolean {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= BLOCK) {
      const h = this.pending.subarray(0, BLOCK);
      if (h.every((b) => b === 0)) return true;
      if (readNumber(h, 148, 8) !== checksum(h)) throw new TarError('a header block has a bad checksum');
      const flag = String.fromCharCode(h[156]!);
      const size = readNumber(h, 124, 12);
      if (!EXTENSIONS.has(flag)) {
        this.header = {
          type: TYPES[flag] ?? flag,
          size: this.paxSize === undefined ? size : Number(this.paxSize),
          mode: readNumber(h, 100, 8) & 0o7777,
          linkname: this.paxLink ?? text(h, 157, 100),
        };
        this.pending = this.pending.subarray(BLOCK);
        return true;
      }
      if (size > MAX_EXTENSION) throw new TarError(`extension header of ${size} bytes`);
      const whole = BLOCK + size + padding(size);
      if (this.pending.length < whole) return false;
      const data = this.pending.subarray(BLOCK, BLOCK + size);
      if (flag === 'x') {
        this.paxSize = paxValue(data, 'size') ?? this.paxSize;
        this.paxLink = paxValue(data, 'linkpath') ?? this.paxLink;
      } else if (flag === 'K') {
        this.paxLink = text(data, 0, size);
      }
      this.pending = this.pending.subarray(whole);
    }
    return false;
  }
}

/**
 * `first`, then `source`'s chunks as they come, up to `limit` bytes in all; `source` is paused
 * while the reader is behind, and its failure is this stream's, as `typed` makes it.
 */
class Relay extends Readable {
  private left: number;
  private readonly onData = (chunk: Buffer) => this.relay(chunk);
  private readonly onEnd = () =>
    this.left > 0 && Number.isFinite(this.left)
      ? this.destroy(this.typed(new TarError(`the archive ends ${this.left} bytes before its member does`)))
      : this.finish();
  private readonly onError = (err: Error) => this.destroy(this.typed(err));

  constructor(
    private readonly source: Readable,
    first: Buffer[],
    limit: number,
    private readonly typed: (err: Error) => Error,
  ) {
    super();
    this.left = limit;
    if (limit === 0) {
      this.push(null);
      return;
    }
    for (const chunk of first) {
      this.relay(chunk);
      if (this.left === 0) return;
    }
    if (source.readableEnded) {
      this.onEnd();
      return;
    }
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    source.once('error', this.onError);
  }

  override _read(): void {
    this.source.resume();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.detach();
    done(err);
  }

  private relay(chunk: Buffer): void {
    const piece = chunk.length > this.left ? chunk.subarray(0, this.left) : chunk;
    this.left -= piece.length;
    if (piece.length > 0 && !this.push(piece)) this.source.pause();
    if (this.left === 0) this.finish();
  }

  private finish(): void {
    this.detach();
    this.push(null);
  }

  private detach(): void {
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.off('error', this.onError);
  }
}

/** `source`'s chunks as they come, its failure turned by `typed`. */
export const relayed = (source: Readable, typed: (err: Error) => Error): Readable => new Relay(source, [], Infinity, typed);

export interface FirstMember {
  /** Undefined for an empty archive. */
  readonly header: MemberHeader | undefined;
  /** The member's bytes (none for a member without data). Call one of `data` and `archive`, once. */
  data(): Readable;
  /** The archive from its first byte. */
  archive(): Readable;
}

/** Reads `tar` up to its first member's data; `typed` turns a failure of the engine's stream into the caller's error. */
export async function firstMember(tar: Readable, typed: (err: Error) => Error): Promise<FirstMember> {
  const reader = new HeaderReader();
  const seen: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const stop = (err?: Error) => {
      tar.off('data', onData);
      tar.off('end', onEnd);
      tar.off('error', onError);
      tar.pause();
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      seen.push(chunk);
      try {
        if (reader.add(chunk)) stop();
      } catch (err) {
        stop(err as Error);
      }
    };
    const onEnd = () => stop();
    const onError = (err: Error) => stop(typed(err));
    tar.on('data', onData);
    tar.once('end', onEnd);
    tar.once('error', onError);
  });
  const { header, pending } = reader;
  const size = header && (header.type === 'file' || header.type === 'contiguous-file') ? header.size : 0;
  return {
    header,
    data: () => new Relay(tar, [pending], size, typed),
    archive: () => new Relay(tar, seen, Infinity, typed),
  };
}
