/** Makes a profile's image exist and match its folder, building it only when needed. */
import type Docker from 'dockerode';
import { buildImage, imageLabels, type ImageProgress } from '../engine/images.js';
import { resolveBase } from './base.js';
import { hashFolder } from './hash.js';
import { findProfile, listProfiles } from './profiles.js';

export const CONTENT_HASH_LABEL = 'pocketdock.content-hash';
export const PROFILE_LABEL = 'pocketdock.profile';

export interface EnsureOptions {
  onProgress?: (p: ImageProgress) => void;
  /** Rebuild even when the image matches its folder. */
  force?: boolean;
}

export type EnsureResult = { tag: string; built: false } | { tag: string; built: true; seconds: number };

export async function ensureImage(docker: Docker, profileName: string, opts: EnsureOptions = {}): Promise<EnsureResult> {
  const profile = findProfile(profileName);
  if (!profile) {
    const known = listProfiles().map((p) => p.name).join(', ');
    throw new Error(`unknown profile "${profileName}" (known: ${known})`);
  }
  const tag = profile.imageTag;
  const hash = await hashFolder(profile.dockerfileDir);
  const labels = await imageLabels(docker, tag);
  if (!opts.force && labels?.[CONTENT_HASH_LABEL] === hash) return { tag, built: false };

  const started = performance.now();
  const log = (line: string) => opts.onProgress?.({ line });
  const base = await resolveBase(docker, log);
  log(`building ${tag} from ${base}`);
  await buildImage(docker, {
    contextDir: profile.dockerfileDir,
    tag,
    buildArgs: { BASE: base },
    labels: { [CONTENT_HASH_LABEL]: hash, [PROFILE_LABEL]: profile.name },
    onProgress: opts.onProgress,
  });
  return { tag, built: true, seconds: Math.round((performance.now() - started) / 100) / 10 };
}
