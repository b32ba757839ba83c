/**
 * What a profile's build sees: its folder (READMEs aside), images/common as `common/`, and the host's CA bundle as
 * `host-ca/host-ca.crt` (the directory is always there, empty when the host has no bundle, so a
 * Dockerfile can COPY it unconditionally). The content hash covers the folder and common/, not the
 * CA bundle: the bundle only lets a build stage reach HTTPS through a TLS-intercepting proxy and
 * never ends up in an image.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DaemonError } from '../errors.js';
import { hashFiles, listFolder, type ContextFile } from './hash.js';
import { IMAGES_DIR, type Profile } from './profiles.js';

export const COMMON_DIR = join(IMAGES_DIR, 'common');
export const HOST_CA_DIR = 'host-ca';

/** Where Debian/Ubuntu, Fedora/RHEL and Alpine/macOS keep their bundle. */
const HOST_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export interface BuildContext {
  files: ContextFile[];
  /** Directories the context holds even when empty. */
  dirs: string[];
  /** Hash of every file but the CA bundle. */
  hash: string;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** `$POCKETDOCK_CA_BUNDLE` (which must exist), else the host's system bundle, else none. */
export async function hostCaBundle(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const named = env.POCKETDOCK_CA_BUNDLE;
  if (named) {
    if (await exists(named)) return named;
    throw new DaemonError('PocketDockError', `POCKETDOCK_CA_BUNDLE names ${named}, which cannot be read`, {
      detail: `cannot read ${named}`,
    });
  }
  for (const path of HOST_CA_BUNDLES) if (await exists(path)) return path;
  return undefined;
}

/** READMEs document a folder; leaving them out keeps a doc edit from rebuilding an image. */
const isDoc = (f: ContextFile) => /(^|\/)README\.md$/.test(f.name);

/** The files that decide what the profile's image holds, and their hash. */
export async function profileFiles(profile: Profile): Promise<{ files: ContextFile[]; hash: string }> {
  const all = [...(await listFolder(profile.dockerfileDir)), ...(await listFolder(COMMON_DIR, 'common/'))];
  const files = all.filter((f) => !isDoc(f));
  return { files, hash: await hashFiles(files) };
}

export async function buildContext(profile: Profile): Promise<BuildContext> {
  const { files, hash } = await profileFiles(profile);
  const ca = await hostCaBundle();
  if (ca) files.push({ name: `${HOST_CA_DIR}/host-ca.crt`, path: ca });
  return { files, dirs: [HOST_CA_DIR], hash };
}
