/** The image service behind image.*: builds, and archives of built images both ways. */
import { randomUUID } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { IMAGE_PROGRESS, type ImportedImage, type ParamsOf, type ResultOf } from '@pocketdock/protocol';
import { inspectImage, runToExit, saveImages, type ImageProgress } from '../engine/images.js';
import type { Engines } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import { Download } from '../files/download.js';
import type { Transfers } from '../files/transfers.js';
import type { CallContext } from '../rpc/context.js';
import { callBytes } from '../rpc/payload.js';
import { profileFiles } from './context.js';
import { ImageBuilds } from './builds.js';
import { CONTENT_HASH_LABEL, PROFILE_LABEL, requireProfile } from './ensure.js';
import { findProfile, listProfiles, type Profile } from './profiles.js';
import { ImageLoad } from './load.js';

export class Images {
  private readonly builds = new ImageBuilds();

  constructor(private readonly engines: Engines, private readonly transfers: Transfers) {}

  async build(p: ParamsOf<'image.build'>, ctx: CallContext): Promise<ResultOf<'image.build'>> {
    const engine = this.engines.get(p.socketPath);
    const buildId = p.buildId ?? randomUUID();
    const images: ResultOf<'image.build'>['images'] = [];
    for (const profile of selected(p.profiles)) {
      const onProgress = ctx.notify && ((p: ImageProgress) => ctx.notify?.(IMAGE_PROGRESS, { buildId, profile: profile.name, ...p }));
      const r = await this.builds.ensure(engine, profile.name, { force: p.force, onProgress, signal: ctx.signal });
      images.push({ profile: profile.name, ...r });
    }
    return { buildId, images };
  }

  async export(p: ParamsOf<'image.export'>, ctx: CallContext): Promise<ResultOf<'image.export'>> {
    const engine = this.engines.get(p.socketPath);
    const tags: string[] = [];
    for (const profile of selected(p.profiles)) {
      if ((await inspectImage(engine.docker, profile.imageTag)) !== undefined) tags.push(profile.imageTag);
      else if (p.profiles) throw new DaemonError('ImageNotFound', `image ${profile.imageTag} not found: build it first`, { image: profile.imageTag });
    }
    if (tags.length === 0) throw new DaemonError('ImageNotFound', 'no profile image is built: build one first', { image: '' });
    const saved = await saveImages(engine.docker, tags, engine.socketPath);
    const chunks = p.gzip ? saved.pipe(createGzip()) : saved;
    if (p.gzip) saved.once('error', (err) => chunks.destroy(err));
    const download = new Download({ chunks, size: undefined, close: () => { saved.destroy(); chunks.destroy(); } });
    return { downloadId: this.transfers.add('down', download, ctx), tags };
  }

  importStart(p: ParamsOf<'image.importStart'>, ctx: CallContext): ResultOf<'image.importStart'> {
    return { uploadId: this.transfers.add('up', new ImageLoad(this.engines.get(p.socketPath)), ctx) };
  }

  async importChunk(p: ParamsOf<'image.importChunk'>, ctx: CallContext): Promise<ResultOf<'image.importChunk'>> {
    return { bytes: await this.transfers.get(p.uploadId, ImageLoad, 'uploadId').chunk(p.seq, callBytes(p.data, ctx)) };
  }

  async importEnd(p: ParamsOf<'image.importEnd'>): Promise<ResultOf<'image.importEnd'>> {
    const load = this.transfers.get(p.uploadId, ImageLoad, 'uploadId');
    let refs: string[];
    try {
      refs = await load.end();
    } finally {
      this.transfers.close(p.uploadId, new DaemonError('PocketDockError', `upload ${p.uploadId} ended`));
    }
    const engine = load.engine;
    return { images: await Promise.all(refs.map((ref) => verify(engine, ref))) };
  }
}

/** The named profiles (validated), or all of them. */
function selected(names: readonly string[] | undefined): readonly Profile[] {
  return names ? names.map((n) => requireProfile(n, 'profiles')) : listProfiles();
}

/** What an imported image is, and proof that it runs. */
async function verify(engine: ImageLoad['engine'], ref: string): Promise<ImportedImage> {
  const info = await inspectImage(engine.docker, ref);
  if (!info) throw new DaemonError('ImageNotFound', `the engine reported loading ${ref} but does not have it`, { image: ref });
  const { labels, size } = info;
  const exit = await runToExit(engine.docker, ref, ['true'], engine.socketPath);
  if (exit !== 0) throw new DaemonError('PocketDockError', `imported image ${ref} does not run: \`true\` exited with ${exit}`);
  const profile = labels[PROFILE_LABEL];
  const contentHash = labels[CONTENT_HASH_LABEL];
  const local = profile === undefined ? undefined : findProfile(profile);
  const current = local !== undefined && contentHash === (await profileFiles(local)).hash;
  return { tag: ref, ...(profile && { profile }), ...(contentHash && { contentHash }), current, size };
}
