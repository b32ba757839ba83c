/** The file service behind file.*: writes, listings, and opening uploads and downloads. */
import { constants } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULTS, type ContainerTarget, type ParamsOf, type ResultOf, type TransferKind } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';
import type { Logger } from '../log.js';
import type { Caller, Containers } from '../container/index.js';
import type { Engine } from '../engine/index.js';
import { listDirectory } from './list.js';
import { containerOwner, forgetOwner } from './owner.js';
import { localDownload, localUpload, openHostFile, type OpenedHostFile } from './local.js';
import { capped, openFile, openTar, openTarOrFile } from './source.js';
import { endLength, fileHeader, type FileMeta } from '@pocketdock/protocol/tar';
import { DIRECT, Transfers, type Outbound } from './transfers.js';
import { Upload, type UploadTarget } from './upload.js';

/** Where a client's path points: a relative one starts at the sandbox user's home, as in a shell there. */
export function containerPath(path: string): string {
  return posix.resolve(DEFAULTS.home, path);
}

/** Refuses `local` to a caller off the Unix socket, or with `conflict` (what makes it unusable) set. */
function hostFileAllowed(caller: Caller, conflict: string | undefined): void {
  if (caller.tcp) throw invalidParams('local', 'names a host file: only callers on the Unix socket may');
  if (conflict) throw invalidParams('local', conflict);
}

export class Files {
  readonly transfers: Transfers;

  constructor(
    private readonly containers: Containers,
    private readonly log: Logger,
    idleMs?: number,
  ) {
    this.transfers = new Transfers(idleMs);
    containers.onRemoved(forgetOwner);
  }

  /** Small content in one call, through the same path as an upload's body. */
  async write(p: ParamsOf<'file.write'>): Promise<null> {
    const data = Buffer.from(p.data, 'base64');
    const upload = await this.openUpload(p, p.path, 'file', data.length);
    await upload.receive(Readable.from([data]));
    return null;
  }

  async list(p: ParamsOf<'file.list'>): Promise<ResultOf<'file.list'>> {
    const { engine, inspect } = await this.containers.resolve(p.container, p.socketPath);
    return { names: await listDirectory(engine, inspect.Id, containerPath(p.path), this.log) };
  }

  /** Only Unix-socket callers may name host files (`local`). */
  async uploadStart(p: ParamsOf<'file.uploadStart'>, caller: Caller): Promise<ResultOf<'file.uploadStart'>> {
    if (p.kind === 'file' && p.size === undefined) throw invalidParams('size', 'is required for kind "file"');
    if (p.local) hostFileAllowed(caller, p.kind === 'file' ? undefined : 'is for kind "file" only');
    if (p.direct && p.kind === 'file' && !p.local && !caller.tcp) return this.directUpload(p, p.size!);
    const host = p.local && (await openHostFile(p.local, constants.O_RDONLY));
    if (!host) return { uploadId: this.transfers.add('up', await this.openUpload(p, p.path, p.kind, p.size)) };
    try {
      const { mode, mtimeMs, size } = host.stats;
      const meta = { mode: Number(mode) & 0o7777, mtime: Number(mtimeMs / 1000n) };
      const upload = await this.openUpload(p, p.path, p.kind, Number(size), meta);
      return { uploadId: this.transfers.add('up', localUpload(host, upload)), local: true };
    } catch (err) {
      await host.handle.close();
      throw err;
    }
  }

  async downloadStart(p: ParamsOf<'file.downloadStart'>, caller: Caller): Promise<ResultOf<'file.downloadStart'>> {
    if (p.local) hostFileAllowed(caller, p.maxBytes === undefined ? undefined : 'cannot be used with maxBytes');
    const { engine, inspect } = await this.containers.resolve(p.container, p.socketPath);
    const path = containerPath(p.path);
    // A capped read stays here, where its bytes are counted.
    if (p.direct && p.kind === 'file' && p.maxBytes === undefined && !p.local && !caller.tcp) {
      const direct = { engineSocket: engine.socketPath, containerId: inspect.Id, path, stillMs: engine.answerMs };
      return { downloadId: this.transfers.add('down', DIRECT), direct };
    }
    const host = p.local && (await openHostFile(p.local, constants.O_WRONLY));
    if (host) return this.downloadInto(host, p.kind, engine, inspect.Id, path);
    const opened = await (p.kind === 'file' ? openFile : openTar)(engine, inspect.Id, path);
    const source = p.maxBytes === undefined ? opened : capped(opened, p.maxBytes, inspect.Id, path);
    const downloadId = this.transfers.add('down', source);
    return source.size === undefined ? { downloadId } : { downloadId, size: source.size };
  }

  /** A download into the caller's host file when a file comes out; else the tar, as a download of its own. */
  private async downloadInto(
    host: OpenedHostFile,
    kind: TransferKind,
    engine: Engine,
    containerId: string,
    path: string,
  ): Promise<ResultOf<'file.downloadStart'>> {
    const into = (source: Outbound) => ({
      downloadId: this.transfers.add('down', localDownload(host, source)),
      size: source.size!,
      local: true as const,
    });
    try {
      if (kind === 'file') return into(await openFile(engine, containerId, path));
      const opened = await openTarOrFile(engine, containerId, path);
      if ('file' in opened) return { ...into(opened.file.source), mode: opened.file.mode };
      await host.handle.close();
      return { downloadId: this.transfers.add('down', opened.tar) };
    } catch (err) {
      await host.handle.close();
      throw err;
    }
  }

  cancel(p: ParamsOf<'file.cancel'>): null {
    this.transfers.close(p.transferId);
    return null;
  }

  /**
   * An upload of a file the caller puts into the engine itself: the daemon says where, and makes
   * the header that gives the file to the container's user.
   */
  private async directUpload(p: ParamsOf<'file.uploadStart'>, size: number): Promise<ResultOf<'file.uploadStart'>> {
    const { target, path } = await this.uploadTarget(p, p.path, 'file');
    const head = fileHeader(posix.basename(path), size, target.owner);
    return {
      uploadId: this.transfers.add('up', DIRECT),
      direct: {
        engineSocket: target.engine.socketPath,
        containerId: target.containerId,
        stillMs: target.engine.answerMs,
        path: posix.dirname(path),
        head: head.toString('base64'),
        tail: endLength(size),
      },
    };
  }

  private async openUpload(
    at: ContainerTarget,
    path: string,
    kind: TransferKind,
    size: number | undefined,
    meta?: FileMeta,
  ): Promise<Upload> {
    const { target, path: resolved } = await this.uploadTarget(at, path, kind);
    return new Upload(target, kind, resolved, size, meta);
  }

  /** Where an upload goes: the container, its user, and the path in it. */
  private async uploadTarget(at: ContainerTarget, path: string, kind: TransferKind): Promise<{ target: UploadTarget; path: string }> {
    const resolved = containerPath(path);
    if (kind === 'file' && (path.endsWith('/') || resolved === '/')) throw invalidParams('path', `"${path}" names a directory, not a file`);
    const { engine, inspect } = await this.containers.resolve(at.container, at.socketPath);
    const owner = await containerOwner(engine, inspect);
    return { target: { engine, containerId: inspect.Id, owner }, path: resolved };
  }
}
