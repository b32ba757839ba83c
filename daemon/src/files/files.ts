/** The file service behind file.*: writes, listings, and opening uploads and downloads. */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULTS, type ContainerTarget, type ParamsOf, type ResultOf, type TransferKind } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';
import type { Logger } from '../log.js';
import type { Containers } from '../container/index.js';
import { listDirectory } from './list.js';
import { containerOwner, forgetOwner } from './owner.js';
import { capped, openFile, openTar } from './source.js';
import { Transfers } from './transfers.js';
import { Upload } from './upload.js';

/** Where a client's path points: a relative one starts at the sandbox user's home, as in a shell there. */
export function containerPath(path: string): string {
  return posix.resolve(DEFAULTS.home, path);
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

  async uploadStart(p: ParamsOf<'file.uploadStart'>): Promise<ResultOf<'file.uploadStart'>> {
    if (p.kind === 'file' && p.size === undefined) throw invalidParams('size', 'is required for kind "file"');
    const upload = await this.openUpload(p, p.path, p.kind, p.size);
    return { uploadId: this.transfers.add('up', upload) };
  }

  async downloadStart(p: ParamsOf<'file.downloadStart'>): Promise<ResultOf<'file.downloadStart'>> {
    const { engine, inspect } = await this.containers.resolve(p.container, p.socketPath);
    const open = p.kind === 'file' ? openFile : openTar;
    const path = containerPath(p.path);
    const opened = await open(engine, inspect.Id, path);
    const source = p.maxBytes === undefined ? opened : capped(opened, p.maxBytes, inspect.Id, path);
    const downloadId = this.transfers.add('down', source);
    return source.size === undefined ? { downloadId } : { downloadId, size: source.size };
  }

  cancel(p: ParamsOf<'file.cancel'>): null {
    this.transfers.close(p.transferId);
    return null;
  }

  private async openUpload(at: ContainerTarget, path: string, kind: TransferKind, size: number | undefined): Promise<Upload> {
    const target = containerPath(path);
    if (kind === 'file' && (path.endsWith('/') || target === '/')) throw invalidParams('path', `"${path}" names a directory, not a file`);
    const { engine, inspect } = await this.containers.resolve(at.container, at.socketPath);
    const owner = await containerOwner(engine, inspect);
    return new Upload({ engine, containerId: inspect.Id, owner }, kind, target, size);
  }
}
