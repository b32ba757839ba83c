/** The base image every profile builds FROM: a registry's Debian, or one bootstrapped offline. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import { imageLabels, tryPull } from '../engine/images.js';
import { IMAGES_DIR } from './profiles.js';

export const UPSTREAM_BASE = 'debian:bookworm-slim';
export const LOCAL_BASE = 'pocketdock/base:bookworm';

export async function resolveBase(docker: Docker, log: (line: string) => void): Promise<string> {
  const override = process.env.POCKETDOCK_BASE_IMAGE;
  if (override) return override;
  if ((await imageLabels(docker, UPSTREAM_BASE)) !== undefined) return UPSTREAM_BASE;
  log(`pulling ${UPSTREAM_BASE}`);
  const pulled = await tryPull(docker, UPSTREAM_BASE);
  if (pulled.ok) return UPSTREAM_BASE;
  log(`cannot pull ${UPSTREAM_BASE} (${pulled.reason}); using ${LOCAL_BASE}`);
  if ((await imageLabels(docker, LOCAL_BASE)) === undefined) await bootstrapBase(docker, log);
  return LOCAL_BASE;
}

async function bootstrapBase(docker: Docker, log: (line: string) => void): Promise<void> {
  // The script talks to the engine API itself, so it needs the socket dockerode was given.
  const socketPath = (docker.modem as { socketPath?: unknown }).socketPath;
  if (typeof socketPath !== 'string') {
    throw new Error(`no base image and no engine socket to bootstrap ${LOCAL_BASE} through; set POCKETDOCK_BASE_IMAGE`);
  }
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
  if (code !== 0) throw new Error(`bootstrapping ${LOCAL_BASE} failed: ${last || `exit code ${code}`}`);
}
