/** The image profiles the daemon can build; each is a folder under the repo's images/. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Resolved from this file so it holds from daemon/src (tsx) and daemon/dist alike: the installed package's
// copy (npm pack puts images/ in it), else the checkout's, at the repo root.
const PACKAGED_IMAGES = fileURLToPath(new URL('../../images/', import.meta.url));
export const IMAGES_DIR = existsSync(PACKAGED_IMAGES) ? PACKAGED_IMAGES : fileURLToPath(new URL('../../../images/', import.meta.url));

export interface Profile {
  name: string;
  imageTag: string;
  dockerfileDir: string;
  networkDefault: boolean;
  description: string;
  /**
   * The image's size as measured on linux/amd64 when this table was last updated; what
   * ProfileInfo.sizeEstimate reports until the image is built.
   */
  sizeEstimate: string;
}

const profile = (name: string, networkDefault: boolean, sizeEstimate: string, description: string): Profile => ({
  name,
  imageTag: `pocketdock/${name}`,
  dockerfileDir: join(IMAGES_DIR, name),
  networkDefault,
  description,
  sizeEstimate,
});

const PROFILES: readonly Profile[] = [
  profile('minimal-python', false, '~195 MB', 'Python 3, pip, venv and bash'),
  profile('minimal-node', false, '~350 MB', "Node.js and npm (Debian's), bash"),
  profile('minimal-bun', false, '~240 MB', 'Bun and bash'),
  profile('dev', true, '~640 MB', 'git, curl, wget, jq, vim, tree, htop, less, build tools, Python 3 with ipython, requests and httpx'),
  profile(
    'agent',
    false,
    '~500 MB',
    'curl, jq, git, Python 3 with requests, httpx, beautifulsoup4, lxml, pandas, numpy, pyyaml, toml and pillow',
  ),
  profile(
    'embedded',
    true,
    '~1.6 GB',
    'gcc, g++, make, cmake, ninja, gdb, valgrind, strace, git, Python 3 and the ARM cross-compiler (arm-none-eabi)',
  ),
];

export function listProfiles(): readonly Profile[] {
  return PROFILES;
}

export function findProfile(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}
