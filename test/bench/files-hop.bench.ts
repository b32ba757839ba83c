/**
 * The limit of one hop for bytes a caller holds (writeFile, readFile), as a design with the daemon
 * between caller and engine has: a second process that only pipes a Unix-socket HTTP body into
 * putArchive, and getArchive into a response (pass-through.ts), next to the raw engine calls,
 * interleaved (which goes first alternates), on every engine that answers. The caller packs and
 * extracts the same tar both ways: only the hop differs. (files.bench.ts puts pocketdock's own
 * figures next to the same raw calls.)
 */
import { fork } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableEngines } from '../helpers/engines.js';
import { SIZE, firstOf, line, rawGet, rawPut, tarOf } from './files.bench.js';
import { Interleaved } from './stats.js';

const ROUNDS = 3;

function hop(socket: string, method: 'GET' | 'PUT', query: Record<string, string>) {
  return request({ socketPath: socket, method, path: `/?${new URLSearchParams(query).toString()}` });
}

async function hopPut(socket: string, query: Record<string, string>, name: string, body: Buffer): Promise<void> {
  const req = hop(socket, 'PUT', query);
  tarOf(name, { size: body.length, body }).pipe(req);
  const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream & { statusCode?: number }];
  res.resume();
  await once(res, 'end');
  if (res.statusCode !== 200) throw new Error(`pass-through answered ${res.statusCode}`);
}

async function hopGet(socket: string, query: Record<string, string>): Promise<number> {
  const req = hop(socket, 'GET', query);
  req.end();
  const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream];
  return firstOf(res);
}

export default async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pd-bench-hop-'));
  const socket = join(dir, 'pass-through.sock');
  const server = fork(new URL('pass-through.ts', import.meta.url).pathname, [socket], { execArgv: ['--import', 'tsx'] });
  const body = randomFillSync(Buffer.allocUnsafe(SIZE));
  try {
    await once(server, 'message');
    for (const e of await availableEngines()) {
      const c = await e.docker.createContainer({ Image: 'pocketdock/minimal-python', name: `pd-bench-hop-${process.pid}-${e.name}` });
      try {
        await c.start();
        const at = (path: string) => ({ engine: e.socketPath, id: c.id, path });
        const put = new Interleaved();
        const get = new Interleaved();
        for (let i = 0; i < ROUNDS; i++) {
          await put.round(
            () => hopPut(socket, at('/tmp'), 'hop.bin', body),
            () => rawPut(e.docker, c.id, '/tmp', 'raw.bin', { size: SIZE, body }),
          );
          await get.round(
            () => hopGet(socket, at('/tmp/hop.bin')),
            () => rawGet(e.docker, c.id, '/tmp/raw.bin'),
          );
        }
        line(`${e.name}: 200 MB in through a bare pass-through process (MB/s), the limit of one hop`, put);
        line(`${e.name}: 200 MB out through a bare pass-through process (MB/s), the limit of one hop`, get);
      } finally {
        await c.remove({ force: true });
      }
    }
  } finally {
    server.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
