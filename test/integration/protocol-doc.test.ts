// docs/protocol.md's examples run as written against a real daemon, and the daemon serves exactly
// the methods rpc.discover lists.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useDaemon } from '../helpers/daemon.js';

const run = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;
const DOC = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The doc's code blocks marked `<!-- example: NAME -->`. */
const examples = Object.fromEntries([...DOC.matchAll(/<!-- example: (\w+) -->\n```\w+\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));

type Reply = {
  id?: number;
  result?: unknown;
  error?: { code: number; data?: { type?: string } };
  method?: string;
  params?: Record<string, unknown>;
};
const replies = (out: string): Reply[] =>
  out
    .split('\n')
    .filter((l) => /^[[{]/.test(l))
    .flatMap((l) => JSON.parse(l) as Reply | Reply[]);

function post(socketPath: string, body: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/rpc', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => {
          text += d;
        })
        .on('end', () => resolve(JSON.parse(text) as Reply));
    });
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('docs/protocol.md', () => {
  const s = useDaemon({ tcp: true });
  const env = (name: string) => ({
    ...process.env,
    SOCK: s.d.socketPath,
    NAME: `pd-doc-${name}-${process.pid}`,
    PORT: String(s.d.port),
    TOKEN: s.d.token,
  });

  it('has the three examples', () => {
    expect(Object.keys(examples).sort()).toEqual(['curl', 'errors', 'websocket']);
  });

  it('curl: create, run, follow by long-poll, the transfer channel, a batch, shutdown', async () => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', examples.curl!], { env: env('curl'), timeout: 120_000 });
    const out = replies(stdout);
    expect(out.filter((r) => r.error)).toEqual([]);
    const byId = new Map(out.filter((r) => r.id !== undefined).map((r) => [r.id, r.result]));
    expect(byId.get(1)).toMatchObject({ daemon: 'pocketdockd' });
    expect(byId.get(3)).toMatchObject({ stdout: 'hello from sandbox\n', exitCode: 0 });
    expect((byId.get(5) as { stdout: { data: string; offset: number } }).stdout).toMatchObject({
      offset: 0,
      data: expect.stringContaining('tick 1') as string,
    });
    expect(byId.get(6)).toMatchObject({ stdout: 'tick 1\ntick 2\ntick 3\n', exitCode: 0 });
    expect(out).toContainEqual({ bytes: 6 });
    expect(stdout).toMatch(/^hello$/m);
    expect(byId.get(9)).toMatchObject({ names: expect.arrayContaining(['hello.txt']) as string[] });
    expect(byId.get(11)).toBeNull();
  });

  it('errors: typed, and the token required over TCP', async () => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', examples.errors!], { env: env('errors'), timeout: 60_000 });
    const out = replies(stdout);
    expect(out.map((r) => r.error?.data?.type ?? 'result')).toEqual([
      'ContainerNotFound',
      'InvalidParams',
      'ProcessLost',
      'Unauthorized',
      'result',
    ]);
  });

  it('websocket: output as notifications while the command runs, then exec.exit', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', examples.websocket!], {
      cwd: REPO,
      env: env('ws'),
      timeout: 120_000,
    });
    const out = replies(stdout);
    const output = out.filter((r) => r.method === 'exec.output').map((r) => [r.params!.stream, r.params!.data]);
    expect(output).toEqual(
      expect.arrayContaining([
        ['stdout', 'one\n'],
        ['stderr', 'two\n'],
      ]),
    );
    expect(out.find((r) => r.method === 'exec.exit')?.params).toMatchObject({ result: { exitCode: 0 } });
    expect(out.find((r) => r.id === 3)).toMatchObject({ result: null });
  });

  it('the daemon serves every method rpc.discover lists; an unlisted one is MethodNotFound', async () => {
    const discovered = await post(s.d.socketPath, { jsonrpc: '2.0', id: 1, method: 'rpc.discover', params: {} });
    const names = (discovered.result as { methods: { name: string }[] }).methods.map((m) => m.name);
    // A param no method takes: each listed method answers InvalidParams (it exists), without acting.
    const answers = await Promise.all(
      names.map((method, i) => post(s.d.socketPath, { jsonrpc: '2.0', id: i, method, params: { notAParam: 1 } })),
    );
    expect(answers.map((a, i) => [names[i], a.error?.data?.type])).toEqual(names.map((n) => [n, 'InvalidParams']));
    const unknown = await post(s.d.socketPath, { jsonrpc: '2.0', id: 1, method: 'container.teleport', params: {} });
    expect(unknown.error?.data?.type).toBe('MethodNotFound');
  });
});
