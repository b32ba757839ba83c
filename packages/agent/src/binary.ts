/**
 * The agent binary built for an architecture (build.sh, run by the project's setup), named the
 * way engines name architectures (amd64, arm64), and the version line an agent of this package's
 * own build says when it starts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERSION_LINE } from './codes.js';

export function agentBinary(arch: string): string | undefined {
  const path = fileURLToPath(new URL(`../dist/pocketdock-agent-linux-${arch}`, import.meta.url));
  return existsSync(path) ? path : undefined;
}

let version: string | undefined;

/**
 * `pocketdock-agent 1 <build>`, where the build is the hash of the C sources this package ships,
 * as build.sh compiles it in: a binary left from other sources (a checkout moved on without a
 * rebuild, another package version) says another line, and is never used.
 */
export function agentVersion(): string {
  if (version === undefined) {
    const dir = new URL('../src/', import.meta.url);
    const hash = createHash('sha256');
    for (const name of readdirSync(dir).filter((n) => /\.[ch]$/.test(n)).sort()) hash.update(readFileSync(new URL(name, dir)));
    version = `${VERSION_LINE} ${hash.digest('hex').slice(0, 16)}`;
  }
  return version;
}
