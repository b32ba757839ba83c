/**
 * What a create request amounts to once profiles and the project's defaults are applied: the
 * image, whether the container gets a network, and its instance dir.
 */
import { basename } from 'node:path';
import { DEFAULTS, type CreateOptions } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';
import { findProfile, listProfiles } from '../images/profiles.js';
import { instanceDir, readProjectConfig } from '../project/index.js';

export interface CreatePlan {
  /** The request with the project's defaults filled in (profile, persist, project name). */
  opts: CreateOptions;
  image: string;
  network: boolean;
  dataPath: string;
}

export async function planCreate(opts: CreateOptions, name: string): Promise<CreatePlan> {
  const config = opts.projectRoot ? await readProjectConfig(opts.projectRoot) : undefined;
  // The project's default profile stands in only when the caller named neither image nor profile.
  const profileName = opts.profile ?? (opts.image ? undefined : config?.defaultProfile);
  const profile = profileName === undefined ? undefined : findProfile(profileName);
  if (profileName !== undefined && !profile) {
    throw invalidParams(
      opts.profile ? 'profile' : 'projectRoot',
      `"${profileName}" is not a profile (known: ${listProfiles()
        .map((p) => p.name)
        .join(', ')})`,
    );
  }
  const filled: CreateOptions = {
    ...opts,
    ...(profileName && { profile: profileName }),
    persist: opts.persist ?? config?.defaultPersist ?? false,
    ...(config && { project: opts.project ?? (config.projectName || basename(opts.projectRoot!)) }),
  };
  return {
    opts: filled,
    image: opts.image ?? profile?.imageTag ?? DEFAULTS.image,
    // A profile decides the network; published ports need one whatever the profile says.
    network: (profile?.networkDefault ?? true) || Object.keys(opts.ports ?? {}).length > 0,
    dataPath: opts.projectRoot ? instanceDir(opts.projectRoot, name) : '',
  };
}
