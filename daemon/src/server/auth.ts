/**
 * The TCP listener's guards. The Unix socket is authenticated by its file mode; TCP callers need
 * the token — as a bearer token, a `token` query parameter, or the dashboard's sign-in cookie —
 * and the Host and Origin headers must name this daemon (DNS rebinding, cross-site WebSocket
 * hijacking: the cookie rides along with any request the browser makes to this host).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'token';
/** The dashboard's sign-in cookie: HttpOnly (no script reads it), SameSite=Strict, whole site. */
export const SIGN_IN_COOKIE = 'pocketdock_token';

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

type Headers = Record<string, string | string[] | undefined>;

/**
 * Why a TCP request is refused, or undefined when it may pass. `open`: a file of the dashboard,
 * which holds no secret, so only Host and Origin are checked (the page signs in afterwards).
 */
export function refuseTcpRequest(g: TcpGuard, headers: Headers, query: string | undefined, open = false): string | undefined {
  const host = String(headers.host ?? '');
  if (!LOOPBACK_HOSTS.some((h) => host === `${h}:${g.port}`)) return `Host header "${host}" does not name this daemon`;
  const origin = headers.origin;
  if (origin !== undefined) {
    const own = LOOPBACK_HOSTS.map((h) => `http://${h}:${g.port}`);
    if (![...own, ...g.origins].includes(String(origin))) return `Origin "${String(origin)}" is not allowed`;
  }
  if (open) return undefined;
  const auth = String(headers.authorization ?? '');
  const offered = auth.startsWith('Bearer ')
    ? auth.slice(7)
    : (new URLSearchParams(query ?? '').get('token') ?? signInCookie(headers) ?? '');
  if (!tokensMatch(offered, g.token)) return 'missing or wrong token';
  return undefined;
}

function signInCookie(headers: Headers): string | undefined {
  const prefix = `${SIGN_IN_COOKIE}=`;
  return String(headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(prefix))
    ?.slice(prefix.length);
}

/** The Set-Cookie value that signs a browser in with `token`: for this site only, never readable by scripts. */
export function signInCookieHeader(token: string): string {
  return `${SIGN_IN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Constant time, in the length too: digests of equal size are compared, never the strings. */
export function tokensMatch(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
