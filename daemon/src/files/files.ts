/** The file service behind file.*: writes, listings, and chunked uploads and downloads. */
import { posix } from 'node:path';
import type { ParamsOf, ResultOf, TransferKind } from '@pocketdock/protocol';
import { DaemonError, invalidParams } from '../errors.js';
import type { Logger } from '../log.js';
import type { CallContext } from '../rpc/context.js';
import { callBytes, withPayload } from '../rpc/payload.js';
import type { Sandboxes } from '../sandbox/index.js';
import { Download } from './download.js';
import { listDirectory } from './list.js';
import { containerOwner } from './owner.js';
import { openFile, openTar } from './source.js';
import { Transfers } from './transfers.js';
import { Upload } from './upload.js';

export class Files {
  readonly transfers: Transfers;

  constructor(private readonly sandboxes: Sandboxes, private readonly log: Logger, idleMs?: number) {
    this.transfers = new Transfers(idleMs);
  }

  /** Small content in one call, through the same path as a chunked upload. */
  async write(p: ParamsOf<'file.write'>, ctx: CallContext): Promise<null> {
    const data = callBytes(p.data, ctx);
    const upload = await this.openUpload(p.container, p.path, 'file', data.length);
    try {
      await upload.chunk(0, data);
      await upload.end();
    } finally {
      upload.close(new DaemonError('PocketDockError', 'write finished'));
    }
    return null;
  }

  async list(p: ParamsOf<'file.list'>): Promise<ResultOf<'file.list'>> {
    const { engine, inspect } = await this.sandboxes.resolve(p.container);
    return { names: await listDirectory(engine, inspect.Id, p.path, this.log) };
  }

  async uploadStart(p: ParamsOf<'file.uploadStart'>, ctx: CallContext): Promise<ResultOf<'file.uploadStart'>> {
    if (p.kind === 'file' && p.size === undefined) throw invalidParams('size', 'is required for kind "file"');
    const upload = await this.openUpload(p.container, p.path, p.kind, p.size);
    return { uploadId: this.transfers.add('up', upload, ctx) };
  }

  async uploadChunk(p: ParamsOf<'file.uploadChunk'>, ctx: CallContext): Promise<ResultOf<'file.uploadChunk'>> {
    return { bytes: await this.transfers.get(p.uploadId, Upload, 'uploadId').chunk(p.seq, callBytes(p.data, ctx)) };
  }

  async uploadEnd(p: ParamsOf<'file.uploadEnd'>): Promise<ResultOf<'file.uploadEnd'>> {
    const upload = this.transfers.get(p.uploadId, Upload, 'uploadId');
    try {
      return { bytes: await upload.end() };
    } finally {
      this.transfers.close(p.uploadId, new DaemonError('PocketDockError', `upload ${p.uploadId} ended`));
    }
  }

  async downloadStart(p: ParamsOf<'file.downloadStart'>, ctx: CallContext): Promise<ResultOf<'file.downloadStart'>> {
    const { engine, inspect } = await this.sandboxes.resolve(p.container);
    const open = p.kind === 'file' ? openFile : openTar;
    const download = new Download(await open(engine, inspect.Id, p.path));
    const downloadId = this.transfers.add('down', download, ctx);
    return download.size === undefined ? { downloadId } : { downloadId, size: download.size };
  }

  async downloadChunk(p: ParamsOf<'file.downloadChunk'>, ctx: CallContext): Promise<ResultOf<'file.downloadChunk'>> {
    const { data, done } = await this.transfers.get(p.downloadId, Download, 'downloadId').chunk(p.seq);
    return ctx.payload ? withPayload({ done }, data) : { data: data.toString('base64'), done };
  }

  cancel(p: ParamsOf<'file.cancel'>): null {
    this.transfers.close(p.transferId, new DaemonError('PocketDockError', `transfer ${p.transferId} cancelled`));
    return null;
  }

  private async openUpload(ref: string, path: string, kind: TransferKind, size: number | undefined): Promise<Upload> {
    const target = posix.normalize(path);
    if (kind === 'file' && target.endsWith('/')) throw invalidParams('path', `"${path}" names a directory, not a file`);
    const { engine, inspect } = await this.sandboxes.resolve(ref);
    const owner = await containerOwner(engine, inspect);
    return new Upload({ engine, containerId: inspect.Id, owner }, kind, target, size);
  }
}
