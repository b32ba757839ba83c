/**
 * The agent binary built for an architecture (build.sh, run by the project's setup), named the
 * way engines name architectures (amd64, arm64).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function agentBinary(arch: string): string | undefined {
  const path = fileURLToPath(new URL(`../dist/pocketdock-agent-linux-${arch}`, import.meta.url));
  return existsSync(path) ? path : undefined;
}
