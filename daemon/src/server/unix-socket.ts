/** Preparing the Unix socket path: refuse when a daemon already answers there, clear a stale file. */
import { chmodSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';

export class SocketInUse extends Error {}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export async function prepareSocketPath(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let exists = true;
  try { statSync(path); } catch { exists = false; }
  if (!exists) return;
  if (await answers(path)) throw new SocketInUse(`another daemon already listens on ${path}`);
  unlinkSync(path);
}

/** Only the owner may connect: file permissions are the authentication of local clients. */
export function restrictSocket(path: string): void {
  chmodSync(path, 0o600);
}
