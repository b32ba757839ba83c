/** The image service behind image.*: builds, and archives of built images both ways. */
import { randomUUID } from 'node:crypto';
import { createGzip } from 'node:zlib';
import type { ParamsOf, ResultOf, SendNotification } from '@pocketdock/protocol';
import type { Engines, ImageProgress } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import type { Transfers } from '../files/transfers.js';
import { ImageBuilds } from './builds.js';
import { requireProfile } from './ensure.js';
import { listProfiles, type Profile } from './profiles.js';
import { ImageLoad } from './load.js';

export class Images {
  private readonly builds = new ImageBuilds();

  constructor(
    private readonly engines: Engines,
    private readonly transfers: Transfers,
  ) {}

  /** `caller`: where progress goes (a WebSocket caller), and the signal of its going away. */
  async build(
    p: ParamsOf<'image.build'>,
    caller: { notify: SendNotification | undefined; signal: AbortSignal },
  ): Promise<ResultOf<'image.build'>> {
    const engine = this.engines.get(p.socketPath);
    const buildId = p.buildId ?? randomUUID();
    const images: ResultOf<'image.build'>['images'] = [];
    for (const profile of selected(p.profiles)) {
      const { notify } = caller;
      const onProgress = notify && ((p: ImageProgress) => notify('image.progress', { buildId, profile: profile.name, ...p }));
      const r = await this.builds.ensure(engine, profile.name, { force: p.force, onProgress, signal: caller.signal });
      images.push({ profile: profile.name, ...r });
    }
    return { buildId, images };
  }

  async export(p: ParamsOf<'image.export'>): Promise<ResultOf<'image.export'>> {
    const engine = this.engines.get(p.socketPath);
    const tags: string[] = [];
    for (const profile of selected(p.profiles)) {
      if ((await engine.images.inspect(profile.imageTag)) !== undefined) tags.push(profile.imageTag);
      else if (p.profiles)
        throw new DaemonError('ImageNotFound', `image ${profile.imageTag} not found: build it first`, { image: profile.imageTag });
    }
    if (tags.length === 0) throw new DaemonError('ImageNotFound', 'no profile image is built: build one first', { image: '' });
    const size = await engine.images.layersSize(tags);
    const saved = await engine.images.save(tags);
    const chunks = p.gzip ? saved.pipe(createGzip()) : saved;
    if (p.gzip) saved.once('error', (err) => chunks.destroy(err));
    const source = {
      chunks,
      size: undefined,
      close: () => {
        saved.destroy();
        chunks.destroy();
      },
    };
    return { downloadId: this.transfers.add('down', source), tags, size };
  }

  importStart(p: ParamsOf<'image.importStart'>): ResultOf<'image.importStart'> {
    return { uploadId: this.transfers.add('up', new ImageLoad(this.engines.get(p.socketPath))) };
  }
}

/** The named profiles (validated), or all of them. */
function selected(names: readonly string[] | undefined): readonly Profile[] {
  return names ? names.map((n) => requireProfile(n, 'profiles')) : listProfiles();
}
