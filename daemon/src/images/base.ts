/** The base image every profile builds FROM: a registry's Debian, or one bootstrapped offline. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Engine } from '../engine/index.js';
import { DaemonError } from '../errors.js';
import { IMAGES_DIR } from './profiles.js';

export const UPSTREAM_BASE = 'debian:bookworm-slim';
export const LOCAL_BASE = 'pocketdock/base:bookworm';

export async function resolveBase(engine: Engine, log: (line: string) => void): Promise<string> {
  const override = process.env.POCKETDOCK_BASE_IMAGE;
  if (override) return override;
  if ((await engine.images.labels(UPSTREAM_BASE)) !== undefined) return UPSTREAM_BASE;
  log(`pulling ${UPSTREAM_BASE}`);
  const pulled = await engine.images.tryPull(UPSTREAM_BASE);
  if (pulled.ok) return UPSTREAM_BASE;
  log(`cannot pull ${UPSTREAM_BASE} (${pulled.reason}); using ${LOCAL_BASE}`);
  if ((await engine.images.labels(LOCAL_BASE)) === undefined) await bootstrapBase(engine.socketPath, log);
  return LOCAL_BASE;
}

/** The script talks to the engine API itself (debootstrap, then an import through the socket). */
async function bootstrapBase(socketPath: string, log: (line: string) => void): Promise<void> {
  log(`bootstrapping ${LOCAL_BASE} from the Debian mirror`);
  const child = spawn('bash', [join(IMAGES_DIR, 'bootstrap-base.sh'), socketPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last = '';
  for (const output of [child.stdout, child.stderr]) {
    createInterface({ input: output }).on('line', (line) => {
      last = line;
      log(line);
    });
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const detail = last || `exit code ${code}`;
    throw new DaemonError('ImageBuildError', `bootstrapping ${LOCAL_BASE} failed: ${detail}`, { image: LOCAL_BASE, detail });
  }
}
