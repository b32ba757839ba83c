// Nothing a client sends exhausts or crashes the daemon: malformed messages, hostile ids and params,
// timeouts past a timer's reach, an output bomb, buffer budgets, a command too long for the kernel.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../client/src/index.js';
import { docker, removeAfterAll } from '../helpers/engines.js';
import { startDaemon, useDaemon } from '../helpers/daemon.js';
import { postRpc } from '../helpers/rpc.js';

const suite = useDaemon();
const { containers: names } = removeAfterAll();
let c: Container;

beforeAll(async () => {
  c = await suite.pd.createNewContainer();
  names.push(c.name);
});

type Reply = { id?: unknown; result?: unknown; error?: { code: number; message: string; data: Record<string, unknown> } };
const raw = async (body: string) => (await postRpc({ socketPath: suite.d.socketPath }, body)).json as Reply;
const call = (method: string, params: Record<string, unknown>) => raw(JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }));

describe('malformed messages', () => {
  it('answers a body of null, bad ids, params null and deep nesting with typed errors, running nothing', async () => {
    expect(await raw('null')).toMatchObject({ id: null, error: { code: -32600, data: { type: 'InvalidRequest' } } });
    for (const id of ['true', '{}', '[1]', '[[[]]]']) {
      expect(await raw(`{"jsonrpc":"2.0","id":${id},"method":"daemon.hello"}`), id).toMatchObject({
        id: null,
        error: { code: -32600, data: { type: 'InvalidRequest' } },
      });
    }
    const name = `pd-lim-${randomBytes(3).toString('hex')}`;
    expect(await raw(`{"jsonrpc":"2.0","id":1,"method":"container.create","params":null}`)).toMatchObject({
      id: 1,
      error: { data: { type: 'InvalidRequest' } },
    });
    expect(await raw(`{"jsonrpc":"2.0","id":1,"method":"container.create","params":[{"name":"${name}"}]}`)).toMatchObject({
      error: { data: { type: 'InvalidRequest' } },
    });
    expect(
      await docker
        .getContainer(name)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ).toBe(false);
    const deep = `{"jsonrpc":"2.0","id":${'['.repeat(10_000)}${']'.repeat(10_000)},"method":"daemon.hello"}`;
    expect(await raw(deep)).toMatchObject({ id: null, error: { code: -32600, data: { type: 'InvalidRequest' } } });
    expect(await raw('{"jsonrpc":"2.0","id":1,"method":"no.such"}')).toMatchObject({
      id: 1,
      error: { code: -32601, data: { type: 'MethodNotFound' } },
    });
    // A batch answers each malformed member and still runs the good ones.
    const batch = (await raw(
      '[{"jsonrpc":"2.0","id":1,"method":"daemon.hello"},{"jsonrpc":"2.0","id":true,"method":"daemon.hello"}]',
    )) as unknown as Reply[];
    expect(batch).toHaveLength(2);
    expect(batch[0]).toMatchObject({ id: 1, result: expect.any(Object) });
    expect(batch[1]).toMatchObject({ id: null, error: { data: { type: 'InvalidRequest' } } });
  });

  it('refuses timeouts a timer cannot hold, Infinity included, with -32602', async () => {
    for (const timeout of ['1e400', '2147484', '1e12']) {
      const r = await raw(
        `{"jsonrpc":"2.0","id":1,"method":"container.run","params":{"container":"${c.name}","command":"true","timeout":${timeout}}}`,
      );
      expect(r.error, timeout).toMatchObject({ code: -32602, data: { type: 'InvalidParams', field: 'timeout' } });
    }
    expect((await call('container.run', { container: c.name, command: 'echo ok', timeout: 2_147_483 })).result).toMatchObject({
      stdout: 'ok\n',
      timedOut: false,
    });
  });
});

/** A daemon whose execs' buffers share 4 MiB, and a container on it. */
async function smallBudget() {
  const config = join(mkdtempSync(join(tmpdir(), 'pd-budget-')), 'pocketdockd.yaml');
  writeFileSync(config, `limits:\n  maxBufferedBytes: ${4 * 1024 * 1024}\n`);
  const d = await startDaemon({ args: ['--config', config] });
  const pd = await d.client();
  const small = await pd.createNewContainer();
  names.push(small.name);
  return {
    d,
    small,
    stop: async () => {
      await small.shutdown();
      await pd.close();
      await d.stop();
    },
  };
}

describe('resource caps', () => {
  it('refuses a blocking run keeping more than the cap up front, and truncates an output bomb within it', async () => {
    const refused = await call('container.run', { container: c.name, command: 'echo never', maxOutput: 1e9 });
    expect(refused.error).toMatchObject({ code: -32602, data: { type: 'InvalidParams', field: 'maxOutput' } });
    const before = suite.d.rssKiB();
    const bomb = await call('container.run', {
      container: c.name,
      command: 'head -c 600000000 /dev/zero',
      maxOutput: 16 * 1024 * 1024,
      timeout: 300,
    });
    const result = bomb.result as { stdout: string; truncated: boolean; exitCode: number };
    expect(result).toMatchObject({ truncated: true, exitCode: 0 });
    expect(result.stdout.length).toBe(16 * 1024 * 1024);
    const after = suite.d.rssKiB();
    console.log(
      `output bomb: 600 MB through a run kept to 16 MiB; daemon RSS ${Math.round(before / 1024)} MiB before, ${Math.round(after / 1024)} MiB after`,
    );
    expect((await call('daemon.hello', {})).result).toBeDefined();
  });

  it("holds every exec's buffers within one budget of the bytes they really hold", async () => {
    const { d, small, stop } = await smallBudget();
    const on = (method: string, params: Record<string, unknown>) =>
      postRpc({ socketPath: d.socketPath }, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })).then((r) => r.json as Reply);
    try {
      // Quiet execs hold nothing: twenty that may each grow to 512 MiB start under a 4 MiB budget.
      const quiet = { container: small.name, command: 'sleep 60', detach: true, bufferSize: 256 * 1024 * 1024 };
      const sleepers = await Promise.all(Array.from({ length: 20 }, () => on('exec.start', quiet)));
      for (const r of sleepers) expect(r.result).toMatchObject({ execId: expect.any(String) });
      // A loud one grows its ring until the budget is spent, then evicts (reported as overflow).
      const loud = await on('exec.start', { container: small.name, command: 'head -c 6000000 /dev/zero', bufferSize: 8 * 1024 * 1024 });
      const execId = (loud.result as { execId: string }).execId;
      expect((await on('exec.wait', { execId })).result).toMatchObject({ exitCode: 0 });
      const info = (await on('exec.info', { execId })).result as { bufferSize: number; bufferOverflow: boolean };
      expect(info.bufferOverflow).toBe(true);
      expect(info.bufferSize).toBeLessThanOrEqual(4 * 1024 * 1024);
      expect((await on('exec.start', quiet)).error).toMatchObject({
        code: -32600,
        data: { type: 'InvalidRequest', detail: expect.stringMatching(/exec buffers are full/) },
      });
      for (const r of sleepers) await on('exec.kill', { execId: (r.result as { execId: string }).execId, signal: 9 });
    } finally {
      await stop();
    }
  });

  it("keeps a session command's result from the same budget", async () => {
    const { small, stop } = await smallBudget();
    try {
      const s = await small.session();
      const r = await s.sendAndWait('head -c 6000000 /dev/zero', { maxOutput: 16 * 1024 * 1024 });
      expect(r.truncated).toBe(true);
      expect(r.stdout.length).toBeLessThanOrEqual(4 * 1024 * 1024);
      // What it kept goes back once the result is out: the next one is kept whole.
      expect((await s.sendAndWait('head -c 1000000 /dev/zero')).stdout.length).toBe(1_000_000);
      await s.close();
    } finally {
      await stop();
    }
  });

  it('refuses sizes no result, engine or port could hold, naming the field, in every method that takes one', async () => {
    const session = (await call('session.open', { container: c.name })).result as { sessionId: string };
    const refused = async (method: string, params: Record<string, unknown>, field: string) =>
      expect((await call(method, params)).error, `${method} ${JSON.stringify(params)}`).toMatchObject({
        code: -32602,
        data: { type: 'InvalidParams', field },
      });
    // A session's result is one string per stream too: the blocking run's cap holds.
    await refused('session.sendAndWait', { sessionId: session.sessionId, command: 'echo never', maxOutput: 1e9 }, 'maxOutput');
    for (const maxOutput of [-1, 1.5]) await refused('container.run', { container: c.name, command: 'true', maxOutput }, 'maxOutput');
    for (const bufferSize of [0, 1.5, 2 ** 31])
      await refused('exec.start', { container: c.name, command: 'true', bufferSize }, 'bufferSize');
    for (const maxBytes of [0, -1, 0.5]) await refused('exec.poll', { execId: session.sessionId, maxBytes }, 'maxBytes');
    await refused('exec.wait', { execId: session.sessionId, timeout: -1 }, 'timeout');
    await refused('file.uploadStart', { container: c.name, path: 'x', kind: 'file', size: -1 }, 'size');
    await refused('terminal.open', { container: c.name, rows: 1e6, cols: 80 }, 'rows');
    // What the engine would answer with an untyped error: a memory limit past its integers, a port past 65535.
    await refused('container.create', { memLimit: '99999999999999999999999g' }, 'memLimit');
    await refused('container.create', { ports: { '99999': 80 } }, 'ports');
    expect((await call('session.sendAndWait', { sessionId: session.sessionId, command: 'echo ok' })).result).toMatchObject({
      stdout: 'ok\n',
    });
    await call('session.close', { sessionId: session.sessionId });
  });

  it('refuses a command longer than the kernel takes as one argument, naming the field', async () => {
    const r = await call('container.run', { container: c.name, command: `echo ${'x'.repeat(2 * 1024 * 1024)}` });
    expect(r.error).toMatchObject({ code: -32602, data: { type: 'InvalidParams', field: 'command' } });
  });
});
