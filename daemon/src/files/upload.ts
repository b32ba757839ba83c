/**
 * One upload into a container: the request body flows through a tar packer whose members all
 * belong to the container's user, and streams into the engine's archive API, with backpressure
 * end to end. Nothing is opened before the body arrives, so an unused upload holds nothing.
 */
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import type { TransferKind, UploadResult } from '@pocketdock/protocol';
import type { Engine } from '../engine/index.js';
import { invalidParams } from '../errors.js';
import type { Owner } from './owner.js';
import type { Inbound } from './transfers.js';

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
    const pack = tar.pack();
    let bytes = 0;
    let failure: Error | undefined;
    // The first failure is the cause; whatever it breaks afterwards reports it again.
    const fail = (err: Error) => {
      failure ??= err;
      body.unpipe(sink as unknown as Writable);
      pack.destroy(failure);
      sink.destroy(failure);
    };
    const sink =
      this.kind === 'file'
        ? pack.entry({ name: posix.basename(this.path), type: 'file', size: this.size, mode: 0o644, ...owner }, (err) =>
            err ? fail(err) : pack.finalize(),
          )
        : repack(pack, owner, fail);
    // Their errors come from fail() or are reported through it: listened to, never left to crash.
    sink.on('error', fail);
    pack.on('error', fail);
    const dir = this.kind === 'file' ? posix.dirname(this.path) : this.path;
    const written = engine.putArchive(containerId, dir, pack as unknown as NodeJS.ReadableStream).catch(fail);
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
    body.pipe(sink as unknown as Writable);
    await written;
    if (failure) throw failure;
    return { bytes };
  }
}

/** A tar parser whose members go on into `pack`, re-owned. */
function repack(pack: tar.Pack, owner: Owner, fail: (err: Error) => void): tar.Extract {
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    if (!PUSHABLE.has(h.type ?? '')) {
      fail(invalidParams('body', `tar member "${h.name}" is a ${h.type}: only files, directories and symlinks can be pushed`));
      return;
    }
    const member = pack.entry(
      {
        name: h.name,
        type: h.type,
        mode: h.mode,
        mtime: h.mtime,
        size: h.size,
        linkname: h.linkname,
        ...owner,
      },
      (err) => (err ? fail(err) : next()),
    );
    stream.pipe(member);
  });
  extract.on('finish', () => pack.finalize());
  // Registered before the pipeline's own listener, so that this typed error is the one kept.
  extract.on('error', (err: Error) => fail(invalidParams('body', `is not a valid tar stream: ${err.message}`)));
  return extract;
}
