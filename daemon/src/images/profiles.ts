/** The image profiles the daemon can build; each is a folder under the repo's images/. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Resolved from this file so it holds from daemon/src (tsx) and daemon/dist alike.
export const IMAGES_DIR = fileURLToPath(new URL('../../../images/', import.meta.url));

export interface Profile {
  name: string;
  imageTag: string;
  dockerfileDir: string;
  networkDefault: boolean;
  description: string;
}

const profile = (name: string, networkDefault: boolean, description: string): Profile => ({
  name,
  imageTag: `pocketdock/${name}`,
  dockerfileDir: join(IMAGES_DIR, name),
  networkDefault,
  description,
});

const PROFILES: readonly Profile[] = [
  profile('minimal-python', false, 'Debian bookworm with python3, pip and venv'),
];

export function listProfiles(): readonly Profile[] {
  return PROFILES;
}

export function findProfile(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}
