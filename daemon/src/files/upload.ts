/**
 * One upload into a container: the request body becomes a tar whose members all belong to the
 * container's user — a file's bytes go into a one-member tar, a pushed tar has its headers
 * re-owned as it passes (reown.ts) — and streams into the engine's archive API, with backpressure
 * end to end. Nothing is opened before the body arrives, so an unused upload holds nothing.
 */
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { TransferKind, UploadResult } from '@pocketdock/protocol';
import { tar } from '../cjs.js';
import type { Engine } from '../engine/index.js';
import { invalidParams } from '../errors.js';
import type { Owner } from './owner.js';
import { Reown, TarError } from './reown.js';
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
      body.unpipe(sink);
      archive.destroy(failure);
      sink.destroy(failure);
    };
    // tar-stream's streams are streamx ones, which Node's stream functions take as their own.
    let sink: Writable;
    let archive: Readable;
    if (this.kind === 'file') {
      const pack = tar.pack();
      sink = pack.entry({ name: posix.basename(this.path), type: 'file', size: this.size, mode: 0o644, ...owner }, (err) =>
        err ? fail(err) : pack.finalize(),
      ) as unknown as Writable;
      archive = pack as unknown as Readable;
    } else {
      sink = archive = new Reown(owner);
      // Registered first, so that this typed error is the one kept.
      sink.on('error', (err: Error) =>
        fail(
          err instanceof TarError && err.refused
            ? invalidParams('body', err.message)
            : invalidParams('body', `is not a valid tar stream: ${err.message}`),
        ),
      );
    }
    // Their errors come from fail() or are reported through it: listened to, never left to crash.
    sink.on('error', fail);
    archive.on('error', fail);
    const dir = this.kind === 'file' ? posix.dirname(this.path) : this.path;
    const written = engine.putArchive(containerId, dir, archive).catch(fail);
    // Counted beside the pipe rather than through a stream of its own: one hop less per chunk.
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (this.size !== undefined && bytes > this.size) fail(invalidParams('body', `goes past the ${this.size} bytes announced`));
    });
    // Before the pipe's own 'end' listener, so that a short body is named before the packer objects.
    body.once('end', () => {
      if (this.size !== undefined && bytes < this.size) fail(invalidParams('body', `${bytes} bytes sent of the ${this.size} announced`));
    });
    finished(body).catch(fail); // the caller went away mid-body
    body.pipe(sink);
    await written;
    if (failure) throw failure;
    return { bytes };
  }
}
