// A client on a Unix socket whose daemon refuses `local` (InvalidParams on field local: here the
// daemon's TCP listener behind a Unix-socket forwarder, as an older daemon that knows no `local`
// would refuse it too) must push and pull by streaming the bytes, not fail.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type PocketDock } from '../../client/src/index.js';
import { useSandbox } from '../helpers/daemon.js';

const suite = useSandbox({ tcp: true });
const dir = mkdtempSync(join(tmpdir(), 'pd-hostile-refused-'));
const socket = join(dir, 'forward.sock');
const open = new Set<Socket>();
let forwarder: Server;
let pd: PocketDock;

beforeAll(async () => {
  // Each request's Host is the TCP listener's own, as a client calling it there would send.
  const host = `Host: 127.0.0.1:${suite.d.port!}`;
  forwarder = createServer((client) => {
    const daemon = createConnection(suite.d.port!, '127.0.0.1');
    for (const s of [client, daemon]) {
      open.add(s);
      s.once('close', () => open.delete(s));
      s.on('error', () => (s === client ? daemon : client).destroy());
    }
    client.on('data', (chunk: Buffer) => {
      daemon.write(
        chunk.includes('\r\nHost: ') ? Buffer.from(chunk.toString('latin1').replace(/\r\nHost: [^\r]*/i, `\r\n${host}`), 'latin1') : chunk,
      );
    });
    client.once('end', () => daemon.end());
    daemon.pipe(client);
  });
  await new Promise<void>((resolve) => forwarder.listen(socket, resolve));
  pd = await connect({ daemon: socket, token: suite.d.token, autoStart: false });
});

afterAll(async () => {
  await pd?.close();
  for (const s of open) s.destroy();
  await new Promise((resolve) => forwarder?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

it('pushes and pulls a file by streaming it when the daemon refuses local', async () => {
  const c = await pd.container(suite.c.name);
  const content = Buffer.alloc(3 * 1024 * 1024 + 11, 5);
  const src = join(dir, 'src.bin');
  writeFileSync(src, content);
  // The daemon refuses local to this caller: the bytes must take the ordinary way.
  const start = await pd.transport
    .call('file.uploadStart', { container: c.name, path: 'x', kind: 'file', size: 1, local: { path: src, dev: '1', ino: '1' } })
    .catch((err: unknown) => err);
  expect(start).toMatchObject({ name: 'InvalidParams', field: 'local' });

  await c.push(src, '/home/sandbox/refused.bin');
  const sha = createHash('sha256').update(content).digest('hex');
  expect((await suite.c.run('sha256sum < /home/sandbox/refused.bin')).stdout).toBe(`${sha}  -\n`);
  const dest = join(dir, 'back', 'refused.bin');
  expect(await c.pull('/home/sandbox/refused.bin', dest)).toEqual({ skipped: [] });
  expect(createHash('sha256').update(readFileSync(dest)).digest('hex')).toBe(sha);
  expect(readdirSync(join(dir, 'back'))).toEqual(['refused.bin']); // no spare file left beside it
});
