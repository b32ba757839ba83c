/**
 * One upload into a container: the request body becomes a tar whose members all belong to the
 * container's user — a file's bytes go into a one-member tar, a pushed tar has its headers
 * re-owned as it passes (reown.ts) — and streams into the engine's archive API, with backpressure
 * end to end. Nothing is opened before the body arrives, so an unused upload holds nothing.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { TransferKind, UploadResult } from '@pocketdock/protocol';
import type { Engine } from '../engine/index.js';
import { invalidParams } from '../errors.js';
import type { Owner } from './owner.js';
import { Reown } from './reown.js';
import { TarError, archiveEnd, fileHeader, type FileMeta } from '@pocketdock/protocol/tar';
import type { Inbound } from './transfers.js';

export interface UploadTarget {
  engine: Engine;
  containerId: string;
  owner: Owner;
}

export class Upload implements Inbound {
  /** `path` is the file to write (kind "file") or the directory to unpack into (kind "tar"). */
  constructor(
    private readonly target: UploadTarget,
    private readonly kind: TransferKind,
    private readonly path: string,
    private readonly size: number | undefined,
    /** Kind "file": its mode and time, when not those of a new file. */
    private readonly meta?: FileMeta,
  ) {}

  /**
   * Streams `body` into the container; resolves once the engine has written all of it. On failure
   * `body` is left unread rather than destroyed, so that the caller can still answer the request.
   */
  async receive(body: Readable): Promise<UploadResult> {
    const { engine, containerId, owner } = this.target;
    let bytes = 0;
    let failure: Error | undefined;
    // The first failure is the cause; whatever it breaks afterwards reports it again.
    const fail = (err: Error) => {
      failure ??= err;
      if (archive instanceof FileTar) archive.detach();
      else body.unpipe(archive);
      archive.destroy(failure);
    };
    // Counted beside the flow rather than through a stream of its own: one hop less per chunk.
    // Registered before the archive's own listeners, so that no byte past the size goes on, and
    // a short body is named before the archive ends.
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (this.size !== undefined && bytes > this.size) fail(invalidParams('body', `goes past the ${this.size} bytes announced`));
    });
    body.once('end', () => {
      if (this.size !== undefined && bytes < this.size) fail(invalidParams('body', `${bytes} bytes sent of the ${this.size} announced`));
    });
    finished(body).catch(fail); // the caller went away mid-body
    let archive: FileTar | Reown;
    if (this.kind === 'file') {
      archive = new FileTar(body, fileHeader(posix.basename(this.path), this.size ?? 0, owner, this.meta), archiveEnd(this.size ?? 0));
    } else {
      archive = new Reown(owner);
      // Registered first, so that this typed error is the one kept.
      archive.on('error', (err: Error) =>
        fail(
          err instanceof TarError && err.refused
            ? invalidParams('body', err.message)
            : invalidParams('body', `is not a valid tar stream: ${err.message}`),
        ),
      );
      body.pipe(archive);
    }
    // Its errors come from fail() or are reported through it: listened to, never left to crash.
    archive.on('error', fail);
    const dir = this.kind === 'file' ? posix.dirname(this.path) : this.path;
    // The body's bytes taken so far tell whether the engine still takes the archive.
    await engine.putArchive(containerId, dir, archive, () => bytes).catch(fail);
    if (failure) throw failure;
    return { bytes };
  }
}

/**
 * A one-member tar made of a file's bytes as they pass: its header, the body's chunks as they
 * come (never copied, never parsed), then padding and the end blocks. The body is paused while
 * the engine is behind.
 */
export class FileTar extends Readable {
  private readonly onData = (chunk: Buffer) => {
    if (!this.push(chunk)) this.body.pause();
  };
  private readonly onEnd = () => {
    this.push(this.end);
    this.push(null);
  };

  constructor(
    private readonly body: Readable,
    head: Buffer,
    private readonly end: Buffer,
  ) {
    super();
    this.push(head);
    body.on('data', this.onData);
    body.once('end', this.onEnd);
  }

  override _read(): void {
    this.body.resume();
  }

  /** Takes no more of the body, and leaves it paused. */
  detach(): void {
    this.body.off('data', this.onData);
    this.body.off('end', this.onEnd);
    this.body.pause();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.detach();
    done(err);
  }
}
