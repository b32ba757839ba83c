/**
 * The browser dashboard (packages/dashboard, built to static files) at `/` on the TCP listener,
 * and its sign-in: opening `/?token=…` — the link `pocketdock dashboard` prints — moves the token
 * into the HttpOnly sign-in cookie and sends the browser on to `/`, so the token leaves the
 * address bar and the history. The files hold no secret; everything else needs the token.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../log.js';
import { signInCookieHeader, tokensMatch, type TcpGuard } from './auth.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The page may load and connect to this daemon only, and may not be framed by another site. */
const HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/** The built files by URL path ("/" is index.html); empty when the dashboard was not built. */
export type DashboardFiles = ReadonlyMap<string, StaticFile>;

function builtDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@pocketdock/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** Reads the dashboard's files once, at start: a handful of small files, served from memory. */
export function loadDashboard(dir = builtDir()): DashboardFiles {
  const files = new Map<string, StaticFile>();
  let names: string[] = [];
  try {
    names = dir ? readdirSync(dir) : [];
  } catch {
    return files;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type) files.set(name === 'index.html' ? '/' : `/${name}`, { body: readFileSync(join(dir!, name)), type });
  }
  return files;
}

/** Whether a request is for one of the dashboard's files, which pass without the token. */
export function isDashboardFile(files: DashboardFiles, method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && files.has(url.split('?')[0]!);
}

export function dashboardRoutes(app: FastifyInstance, files: DashboardFiles, guard: TcpGuard, log: Logger): void {
  app.get<{ Querystring: { token?: string } }>('/', async (req, reply) => {
    const offered = req.query.token;
    if (offered !== undefined) {
      // Never the token itself in the log: only whether it matched.
      if (tokensMatch(offered, guard.token)) {
        reply.header('set-cookie', signInCookieHeader(guard.token));
        log.info('dashboard: a browser signed in');
      } else {
        log.warn('dashboard: sign-in with a wrong token refused');
      }
      return reply
        .code(303)
        .headers({ ...HEADERS, location: '/' })
        .send();
    }
    return send(reply, files.get('/'));
  });
  for (const [path, file] of files) if (path !== '/') app.get(path, async (_req, reply) => send(reply, file));

  function send(reply: FastifyReply, file: StaticFile | undefined) {
    if (!file)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` in the pocketdock checkout.\n');
    return reply.headers(HEADERS).type(file.type).send(file.body);
  }
}
