/**
 * The TCP listener's guards. The Unix socket is authenticated by its file mode; TCP callers need
 * the bearer token, and the Host and Origin headers must name this daemon (DNS rebinding,
 * cross-site WebSocket hijacking).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'token';

/** Reads the daemon's token, creating it (0600) at first start. */
export function loadOrCreateToken(stateDir: string): string {
  const path = join(stateDir, TOKEN_FILE);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}

export interface TcpGuard {
  token: string;
  port: number;
  origins: readonly string[];
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** Why a TCP request is refused, or undefined when it may pass. */
export function refuseTcpRequest(g: TcpGuard, headers: Record<string, string | string[] | undefined>, query: string | undefined): string | undefined {
  const host = String(headers.host ?? '');
  if (!LOOPBACK_HOSTS.some((h) => host === `${h}:${g.port}`)) return `Host header "${host}" does not name this daemon`;
  const origin = headers.origin;
  if (origin !== undefined) {
    const own = LOOPBACK_HOSTS.map((h) => `http://${h}:${g.port}`);
    if (![...own, ...g.origins].includes(String(origin))) return `Origin "${String(origin)}" is not allowed`;
  }
  const auth = String(headers.authorization ?? '');
  const offered = auth.startsWith('Bearer ') ? auth.slice(7) : new URLSearchParams(query ?? '').get('token') ?? '';
  if (!tokensMatch(offered, g.token)) return 'missing or wrong token';
  return undefined;
}

function tokensMatch(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
