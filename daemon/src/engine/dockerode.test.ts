// dockerode without ssh2 and gRPC until an engine needs them: checked in a fresh node, whose require
// cache nothing else has filled.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';

/** Runs `body` in a fresh node that has loaded ./dockerode.ts; returns what it printed, parsed. */
async function inFreshNode(body: string): Promise<Record<string, unknown>> {
  const script = `
    import { createRequire } from 'node:module';
    const { DEFERRED, Dockerode } = await import(${JSON.stringify(new URL('./dockerode.ts', import.meta.url).pathname)});
    const loaded = (name) => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('/node_modules/' + name + '/'));
    ${body}`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** A fresh node compiling TypeScript and loading ssh2 takes seconds on a loaded machine: the unit project's 5 s were exceeded. */
const FRESH_NODE_MS = 30_000;

describe('dockerode as the daemon loads it', () => {
  it(
    'loads neither ssh2 nor gRPC nor protobuf, and each deferred file is a function as its stub is',
    async () => {
      const r = await inFreshNode(`
      const kinds = DEFERRED.map((p) => { const m = createRequire(import.meta.url).cache[p]; return m && typeof m.exports; });
      console.log(JSON.stringify({ ssh2: loaded('ssh2'), grpc: loaded('@grpc/grpc-js'), protobuf: loaded('protobufjs'), kinds, docker: typeof Dockerode }));`);
      expect(r).toEqual({ ssh2: false, grpc: false, protobuf: false, kinds: ['function', 'function'], docker: 'function' });
    },
    FRESH_NODE_MS,
  );

  it(
    'loads ssh2 on the first call of an ssh:// engine, which reaches the host',
    async () => {
      // A TCP server that closes every connection: ssh2 connects, then fails its handshake.
      const server = createServer((s) => s.destroy()).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as { port: number };
      try {
        const r = await inFreshNode(`
        const error = await new Dockerode({ protocol: 'ssh', host: '127.0.0.1', port: ${port}, username: 'x' }).ping().then(() => 'none', (e) => e.message);
        console.log(JSON.stringify({ ssh2: loaded('ssh2'), error }));`);
        expect(r.ssh2).toBe(true);
        expect(r.error).not.toMatch(/is not a function/);
      } finally {
        server.close();
      }
    },
    FRESH_NODE_MS,
  );
});
