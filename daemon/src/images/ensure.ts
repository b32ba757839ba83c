/** Makes a profile's image exist and match its files, building it only when needed. */
import { VERSION } from '@pocketdock/protocol';
import type { Engine, ImageProgress } from '../engine/index.js';
import { invalidParams } from '../errors.js';
import { resolveBase } from './base.js';
import { buildContext } from './context.js';
import { findProfile, listProfiles, type Profile } from './profiles.js';

export const CONTENT_HASH_LABEL = 'pocketdock.content-hash';
export const PROFILE_LABEL = 'pocketdock.profile';
/** The pocketdock release that built the image. */
export const VERSION_LABEL = 'pocketdock.version';

export interface EnsureOptions {
  onProgress?: (p: ImageProgress) => void;
  /** Rebuild even when the image matches its files. */
  force?: boolean;
  /** Runs the build proper (base and image) — e.g. after other builds — once it is needed. */
  exclusive?: <T>(build: () => Promise<T>) => Promise<T>;
}

export interface EnsureResult {
  tag: string;
  built: boolean;
  /** Time spent building; 0 when the image was already up to date. */
  seconds: number;
  /** The image's size in bytes. */
  size: number;
}

export function requireProfile(name: string, field = 'profile'): Profile {
  const profile = findProfile(name);
  if (profile) return profile;
  const known = listProfiles()
    .map((p) => p.name)
    .join(', ');
  throw invalidParams(field, `"${name}" is not a profile (known: ${known})`);
}

export async function ensureImage(engine: Engine, profileName: string, opts: EnsureOptions = {}): Promise<EnsureResult> {
  const profile = requireProfile(profileName);
  const tag = profile.imageTag;
  const context = await buildContext(profile);
  const found = await engine.images.inspect(tag);
  if (!opts.force && found?.labels[CONTENT_HASH_LABEL] === context.hash) return { tag, built: false, seconds: 0, size: found.size };

  const log = (line: string) => opts.onProgress?.({ line });
  const build = async () => {
    const started = performance.now();
    const base = await resolveBase(engine, log);
    log(`building ${tag} from ${base}`);
    await engine.images.build({
      context,
      tag,
      buildArgs: { BASE: base },
      labels: { [CONTENT_HASH_LABEL]: context.hash, [PROFILE_LABEL]: profile.name, [VERSION_LABEL]: VERSION },
      onProgress: opts.onProgress,
    });
    return Math.round((performance.now() - started) / 100) / 10;
  };
  const seconds = await (opts.exclusive ? opts.exclusive(build) : build());
  const size = (await engine.images.inspect(tag))?.size ?? 0;
  return { tag, built: true, seconds, size };
}
