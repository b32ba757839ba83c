/**
 * One upload into a container: chunks arrive in order, flow through a tar packer whose members
 * all belong to the container's user, and stream into the engine's archive API. Each chunk is
 * answered once the packer has taken it, so the daemon holds at most a window of chunks.
 */
import { once } from 'node:events';
import { posix } from 'node:path';
import tar from 'tar-stream';
import type { TransferKind } from '@pocketdock/protocol';
import { putArchive, type Engine } from '../engine/index.js';
import { invalidParams } from '../errors.js';
import type { Owner } from './owner.js';
import { Sequencer } from './sequencer.js';
import type { Transfer } from './transfers.js';

export interface UploadTarget {
  engine: Engine;
  containerId: string;
  owner: Owner;
}

/**
 * What a pushed tar may hold. Hard links and device nodes are refused: unpacked by the engine as
 * root and then given to the sandbox user, they would hand it files it must not own.
 */
const PUSHABLE = new Set(['file', 'contiguous-file', 'directory', 'symlink']);

export class Upload implements Transfer {
  private readonly sequencer = new Sequencer();
  private readonly pack = tar.pack();
  private readonly sink: ReturnType<tar.Pack['entry']> | tar.Extract;
  private readonly written: Promise<void>;
  private readonly aborted = new AbortController();
  private failure: Error | undefined;
  private bytes = 0;

  /** `path` is the file to write (kind "file") or the directory to unpack into (kind "tar"). */
  constructor(target: UploadTarget, kind: TransferKind, path: string, private readonly size: number | undefined) {
    const owner = target.owner;
    if (kind === 'file') {
      this.sink = this.pack.entry({ name: posix.basename(path), type: 'file', size, mode: 0o644, ...owner }, (err) => {
        if (!err) this.pack.finalize();
      });
    } else {
      this.sink = this.repack(owner);
    }
    const dir = kind === 'file' ? posix.dirname(path) : path;
    this.written = putArchive(target.engine, target.containerId, dir, this.pack as unknown as NodeJS.ReadableStream).catch((err: unknown) => {
      this.fail(err as Error);
      throw this.failure!;
    });
    this.written.catch(() => undefined); // surfaced by chunk() and end()
  }

  chunk(seq: number, data: Buffer): Promise<number> {
    return this.sequencer.run(seq, async () => {
      if (this.size !== undefined && this.bytes + data.length > this.size) {
        throw invalidParams('data', `goes past the ${this.size} bytes announced`);
      }
      this.bytes += data.length;
      if (!this.sink.write(data)) await this.drained();
      return this.bytes;
    });
  }

  /** Ends the content and waits until the engine has written it. */
  async end(): Promise<number> {
    if (this.failure) throw this.failure;
    if (this.size !== undefined && this.bytes !== this.size) {
      throw invalidParams('data', `${this.bytes} bytes sent of the ${this.size} announced`);
    }
    this.sink.end(undefined);
    await this.written;
    return this.bytes;
  }

  close(reason: Error): void {
    this.fail(reason);
  }

  private async drained(): Promise<void> {
    try {
      await once(this.sink, 'drain', { signal: this.aborted.signal });
    } catch (err) {
      throw this.failure ?? err;
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.aborted.abort(err);
    this.sequencer.fail(err);
    this.sink.destroy(err);
    this.pack.destroy(err);
  }

  /** A tar parser whose members go on into the packer, re-owned. */
  private repack(owner: Owner): tar.Extract {
    const extract = tar.extract();
    extract.on('entry', (h, stream, next) => {
      if (!PUSHABLE.has(h.type ?? '')) {
        this.fail(invalidParams('data', `tar member "${h.name}" is a ${h.type}: only files, directories and symlinks can be pushed`));
        return;
      }
      const member = this.pack.entry({
        name: h.name, type: h.type, mode: h.mode, mtime: h.mtime, size: h.size, linkname: h.linkname, ...owner,
      }, (err) => (err ? this.fail(err) : next()));
      stream.pipe(member);
    });
    extract.on('finish', () => this.pack.finalize());
    extract.on('error', (err: Error) => this.fail(invalidParams('data', `is not a valid tar stream: ${err.message}`)));
    return extract;
  }
}
