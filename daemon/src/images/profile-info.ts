/** ProfileInfo for the API: the profile table (images/profiles.ts) plus the image's size where it is built. */
import type { ProfileInfo } from '@pocketdock/protocol';
import type { Engine } from '../engine/index.js';
import { invalidParams } from '../errors.js';
import { findProfile, listProfiles, type Profile } from './profiles.js';
import { formatBytes } from '../container/index.js';

async function info(engine: Engine, p: Profile): Promise<ProfileInfo> {
  const size = (await engine.images.inspect(p.imageTag).catch(() => undefined))?.size;
  return {
    name: p.name,
    imageTag: p.imageTag,
    dockerfileDir: p.dockerfileDir,
    networkDefault: p.networkDefault,
    description: p.description,
    sizeEstimate: size === undefined ? p.sizeEstimate : formatBytes(size),
  };
}

export function profileInfos(engine: Engine): Promise<ProfileInfo[]> {
  return Promise.all(listProfiles().map((p) => info(engine, p)));
}

export function resolveProfileInfo(engine: Engine, name: string): Promise<ProfileInfo> {
  const p = findProfile(name);
  if (!p)
    throw invalidParams(
      'name',
      `"${name}" is not a profile (known: ${listProfiles()
        .map((x) => x.name)
        .join(', ')})`,
    );
  return info(engine, p);
}
