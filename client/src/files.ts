/** The five file operations of a container: writeFile, readFile, listFiles, push and pull. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { DEFAULTS, type ContainerTarget, type HostFile, type ParamsOf } from '@pocketdock/protocol';
import { UNREACHABLE, getDirect, putDirect } from './direct.js';
import { InvalidParams } from './errors.js';
import { extractTree, packTree, type PullResult } from './local-tree.js';
import { download, getTransfer, putTransfer, runLocal, upload, type TransferOptions } from './transfer.js';
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

/** A download's bytes in one buffer. */
async function collect(size: number | undefined, chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size ?? 0);
  let at = 0;
  for await (const chunk of chunks) at += chunk.copy(out, at);
  return out.subarray(0, at);
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
      const start = { ...this.target(), path, kind: 'file' as const, size: data.length };
      await this.sendFile(start, () => (opts.onProgress ? pieces(data) : [data]), opts);
      return;
    }
    await this.transport.call('file.write', { ...this.target(), path, data: data.toString('base64') });
    opts.onProgress?.({ bytes: data.length, total: data.length });
  }

  /** A file's bytes (symlinks followed). */
  async readFile(path: string, opts: TransferOptions = {}): Promise<Buffer> {
    return this.fetchFile({ ...this.target(), path, kind: 'file' }, opts);
  }

  /** Names in a directory, hidden ones included; directories end with "/". */
  async listFiles(path: string = DEFAULTS.home): Promise<string[]> {
    return (await this.transport.call('file.list', { ...this.target(), path })).names;
  }

  /**
   * Copies a local file or directory tree to `dest` (the new path) in the container. A file, when
   * the daemon is on this host (its Unix socket) and sees the same file, is read by the daemon itself.
   */
  async push(src: string, dest: string, opts: TransferOptions = {}): Promise<void> {
    const target = newEntry(dest);
    const from = resolve(src);
    if (this.transport.http.socketPath && (await this.pushLocal(from, target, opts))) return;
    const tar = await packTree(from, posix.basename(target));
    await upload(this.transport, { ...this.target(), path: posix.dirname(target), kind: 'tar' }, tar, opts);
  }

  /**
   * Copies a file or directory tree of the container to the local path `dest`. A file, when the
   * daemon is on this host (its Unix socket) and sees the same file system, is written by the daemon
   * itself into a file made here, which then takes the place of `dest`.
   */
  async pull(src: string, dest: string, opts: TransferOptions = {}): Promise<PullResult> {
    const to = resolve(dest);
    const start = { ...this.target(), path: src, kind: 'tar' as const };
    const spare = this.transport.http.socketPath ? await spareFile(to) : undefined;
    if (!spare) return extractTree((await download(this.transport, start, opts)).chunks, to);
    try {
      const started = await this.transport.call('file.downloadStart', { ...start, local: spare.file }).catch(unlessLocalRefused);
      if (!started) return await extractTree((await download(this.transport, start, opts)).chunks, to);
      const { downloadId, local, size, mode } = started;
      if (!local) return await extractTree(await getTransfer(this.transport, downloadId, undefined, opts), to);
      await runLocal(this.transport, downloadId, opts, size);
      await chmod(spare.path, mode ?? 0o644);
      await rename(spare.path, to);
      return { skipped: [] };
    } catch (err) {
      // A failed pull leaves nothing, as when the download fails before anything is made.
      await unlink(spare.path).catch(() => undefined);
      await unmake(spare.made, dirname(to));
      throw err;
    } finally {
      await unlink(spare.path).catch(() => undefined); // already gone once it took dest's place
    }
  }

  /**
   * Offers to move the bytes with the engine from here (when the daemon is on this host: its Unix
   * socket), and does when the daemon says how and this process can reach the engine's socket.
   */
  private async sendFile(start: ParamsOf<'file.uploadStart'>, content: () => Iterable<Buffer>, opts: TransferOptions): Promise<void> {
    const offer = this.transport.http.socketPath ? { direct: true as const } : {};
    const { uploadId, direct } = await this.transport.call('file.uploadStart', { ...start, ...offer });
    if (!direct) return putTransfer(this.transport, uploadId, content(), opts, start.size);
    const total = start.size!;
    const tell = opts.onProgress && ((bytes: number) => opts.onProgress!({ bytes, total }));
    try {
      if ((await putDirect(direct, content(), total, tell)) !== UNREACHABLE) return;
    } finally {
      await this.transport.call('file.cancel', { transferId: uploadId });
    }
    await upload(this.transport, start, content(), opts);
  }

  /** As sendFile, for a read. */
  private async fetchFile(start: ParamsOf<'file.downloadStart'>, opts: TransferOptions): Promise<Buffer> {
    const offer = this.transport.http.socketPath ? { direct: true as const } : {};
    const { downloadId, size, direct } = await this.transport.call('file.downloadStart', { ...start, ...offer });
    if (!direct) return collect(size, await getTransfer(this.transport, downloadId, size, opts));
    const tell = opts.onProgress && ((bytes: number, total: number) => opts.onProgress!({ bytes, total }));
    let read;
    try {
      read = await getDirect(direct, tell);
    } finally {
      await this.transport.call('file.cancel', { transferId: downloadId });
    }
    if (read instanceof Buffer) return read;
    // Unreachable, or no longer a regular file (the daemon's read says what it is now).
    const again = await download(this.transport, start, opts);
    return collect(again.size, again.chunks);
  }

  /** Pushes the regular file `src` through the daemon's own read of it: false when it is not one, or the daemon cannot. */
  private async pushLocal(src: string, target: string, opts: TransferOptions): Promise<boolean> {
    if (!(await lstat(src)).isFile()) return false;
    // Opened here, so that the daemon reads nothing this process could not.
    const file = await open(src, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await file.stat({ bigint: true });
      const local = { path: src, dev: String(st.dev), ino: String(st.ino) };
      const start = await this.transport
        .call('file.uploadStart', { ...this.target(), path: target, kind: 'file', size: Number(st.size), local })
        .catch(unlessLocalRefused);
      if (!start) return false;
      if (!start.local) {
        await this.transport.call('file.cancel', { transferId: start.uploadId });
        return false;
      }
      await runLocal(this.transport, start.uploadId, opts, Number(st.size));
      return true;
    } finally {
      await file.close();
    }
  }
}

/**
 * undefined when the daemon refuses `local` to this caller (it sees it off its Unix socket, behind
 * a forwarder, or predates local): the bytes then go the ordinary way. Any other error is thrown.
 */
function unlessLocalRefused(err: unknown): undefined {
  if (err instanceof InvalidParams && err.field === 'local') return undefined;
  throw err;
}

/**
 * A new empty file beside `dest` for the daemon to write a pulled file into, as this process sees
 * it; undefined when `dest` is a directory (a tree merges into it) or no file can be made there.
 */
async function spareFile(dest: string): Promise<{ path: string; file: HostFile; made: string | undefined } | undefined> {
  try {
    const made = await mkdir(dirname(dest), { recursive: true });
    if ((await lstat(dest).catch(() => undefined))?.isDirectory()) return undefined;
    const path = join(dirname(dest), `.${basename(dest)}.pocketdock-${randomBytes(6).toString('hex')}`);
    const file = await open(path, 'wx', 0o600);
    try {
      const st = await file.stat({ bigint: true });
      return { path, file: { path, dev: String(st.dev), ino: String(st.ino) }, made };
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
}

/** Removes the directories from `deepest` up to `made` (the first one a mkdir made), while they are empty. */
async function unmake(made: string | undefined, deepest: string): Promise<void> {
  if (made === undefined) return;
  for (let dir = deepest; ; dir = dirname(dir)) {
    if (
      !(await rmdir(dir).then(
        () => true,
        () => false,
      )) ||
      dir === made
    )
      return;
  }
}
