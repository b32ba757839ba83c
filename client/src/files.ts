/** The five file operations of a container: writeFile, readFile, listFiles, push and pull. */
import { posix, resolve } from 'node:path';
import { DEFAULTS, type ContainerTarget } from '@pocketdock/protocol';
import { InvalidParams } from './errors.js';
import { extractTree, packTree, type PullResult } from './local-tree.js';
import { download, upload, type TransferOptions } from './transfer.js';
import type { Transport } from './transport.js';

export type { PullResult } from './local-tree.js';
export type { Progress, TransferOptions } from './transfer.js';

/** Content up to this size goes inline in file.write (one call); larger content streams as an upload. */
const INLINE_WRITE_BYTES = 256 * 1024;
/**
 * Pieces a large buffer is handed over in when progress is asked for, so that it is reported as it
 * goes; else the buffer goes in one write, which the kernel streams as the daemon reads (a write per
 * piece cost the client twice the CPU of the raw engine's client for the same bytes).
 */
const PIECE_BYTES = 1024 * 1024;

function* pieces(data: Buffer): Generator<Buffer> {
  for (let at = 0; at < data.length; at += PIECE_BYTES) yield data.subarray(at, at + PIECE_BYTES);
}

/** push's destination must name the new entry; the daemon resolves a relative one against the home. */
function newEntry(dest: string): string {
  const normal = posix.normalize(dest);
  if (['', '.', '..', '/'].includes(posix.basename(normal) || '/')) {
    const detail = `must name a file or directory in the container, not "${dest}"`;
    throw new InvalidParams(`invalid params: dest ${detail}`, { field: 'dest', detail });
  }
  return normal;
}

export class ContainerFiles {
  constructor(
    private readonly transport: Transport,
    private readonly target: () => ContainerTarget,
  ) {}

  /** Creates or overwrites a file (its parent must exist); it belongs to the container's user. */
  async writeFile(path: string, content: string | Uint8Array, opts: TransferOptions = {}): Promise<void> {
    const data =
      typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    if (data.length > INLINE_WRITE_BYTES) {
      await upload(
        this.transport,
        { ...this.target(), path, kind: 'file', size: data.length },
        opts.onProgress ? pieces(data) : [data],
        opts,
      );
      return;
    }
    await this.transport.call('file.write', { ...this.target(), path, data: data.toString('base64') });
    opts.onProgress?.({ bytes: data.length, total: data.length });
  }

  /** A file's bytes (symlinks followed). */
  async readFile(path: string, opts: TransferOptions = {}): Promise<Buffer> {
    const { size, chunks } = await download(this.transport, { ...this.target(), path, kind: 'file' }, opts);
    const out = Buffer.allocUnsafe(size ?? 0);
    let at = 0;
    for await (const chunk of chunks) at += chunk.copy(out, at);
    return out.subarray(0, at);
  }

  /** Names in a directory, hidden ones included; directories end with "/". */
  async listFiles(path: string = DEFAULTS.home): Promise<string[]> {
    return (await this.transport.call('file.list', { ...this.target(), path })).names;
  }

  /** Copies a local file or directory tree to `dest` (the new path) in the container. */
  async push(src: string, dest: string, opts: TransferOptions = {}): Promise<void> {
    const target = newEntry(dest);
    const tar = await packTree(resolve(src), posix.basename(target));
    await upload(this.transport, { ...this.target(), path: posix.dirname(target), kind: 'tar' }, tar, opts);
  }

  /** Copies a file or directory tree of the container to the local path `dest`. */
  async pull(src: string, dest: string, opts: TransferOptions = {}): Promise<PullResult> {
    const { chunks } = await download(this.transport, { ...this.target(), path: src, kind: 'tar' }, opts);
    return extractTree(chunks, resolve(dest));
  }
}
