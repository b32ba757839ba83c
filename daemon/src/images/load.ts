/**
 * One image archive upload: the request body streams into the engine's `docker load`, then every
 * image it loaded is checked — its labels, and that a container of it runs `true`.
 */
import type { Readable } from 'node:stream';
import type { ImportResult, ImportedImage } from '@pocketdock/protocol';
import type { Engine } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import type { Inbound } from '../files/transfers.js';
import { profileFiles } from './context.js';
import { CONTENT_HASH_LABEL, PROFILE_LABEL } from './ensure.js';
import { findProfile } from './profiles.js';

export class ImageLoad implements Inbound {
  constructor(private readonly engine: Engine) {}

  async receive(body: Readable): Promise<ImportResult> {
    const refs = await this.engine.images.load(body);
    return { images: await Promise.all(refs.map((ref) => this.verify(ref))) };
  }

  /** What an imported image is, and proof that it runs. */
  private async verify(ref: string): Promise<ImportedImage> {
    const info = await this.engine.images.inspect(ref);
    if (!info) throw new DaemonError('ImageNotFound', `the engine reported loading ${ref} but does not have it`, { image: ref });
    const { labels, size } = info;
    const exit = await this.engine.images.runToExit(ref, ['true']);
    if (exit !== 0)
      throw new DaemonError('PocketDockError', `imported image ${ref} does not run: \`true\` exited with ${exit}`, {
        detail: `\`true\` exited with ${exit}`,
      });
    const profile = labels[PROFILE_LABEL];
    const contentHash = labels[CONTENT_HASH_LABEL];
    const local = profile === undefined ? undefined : findProfile(profile);
    const current = local !== undefined && contentHash === (await profileFiles(local)).hash;
    return { tag: ref, ...(profile && { profile }), ...(contentHash && { contentHash }), current, size };
  }
}
