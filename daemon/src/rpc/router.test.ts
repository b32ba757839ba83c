// The router without fastify: JSON-RPC text in, text out, over an in-memory duplex whose other end is the test.
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { defaultConfig } from '../config.js';
import { invalidParams } from '../errors.js';
import type { CallContext } from './context.js';
import type { Handlers } from './handlers/index.js';
import { RpcRouter } from './router.js';

const LIMITS = {
  ...defaultConfig().limits,
  maxMessageBytes: 1 << 20,
  maxBatch: 3,
  maxPending: 4,
  maxDepth: 64,
  maxRunOutput: 1 << 20,
  maxStatsWatches: 8,
};
const log = pino({ level: 'silent' });

/** Each write is one message; each answer (and notification) comes out as one read. */
function connection(handlers: Partial<Handlers>): { peer: Duplex; next(): Promise<unknown> } {
  const router = new RpcRouter(handlers as Handlers, LIMITS, log);
  const toRouter = new PassThrough({ objectMode: true });
  const fromRouter = new PassThrough({ objectMode: true });
  const ctx: CallContext = {
    connectionId: 'c1',
    transport: 'unix',
    peer: { token: undefined, client: 'test' },
    log,
    signal: new AbortController().signal,
    notify: (method, params) => fromRouter.write(JSON.stringify({ jsonrpc: '2.0', method, params })),
  };
  toRouter.on('data', (line: string) => {
    void router.receive(line, ctx).then((out) => {
      if (out !== undefined) fromRouter.write(out);
    });
  });
  const peer = Duplex.from({ writable: toRouter, readable: fromRouter });
  const iterator = fromRouter[Symbol.asyncIterator]();
  return { peer, next: async () => JSON.parse((await iterator.next()).value as string) as unknown };
}

const request = (id: unknown, method: string, params: unknown = {}) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('RpcRouter', () => {
  it('runs the handler with validated params and answers under the request id', async () => {
    const c = connection({ 'daemon.version': () => ({ version: '9.9.9' }) });
    c.peer.write(request(7, 'daemon.version'));
    expect(await c.next()).toEqual({ jsonrpc: '2.0', id: 7, result: { version: '9.9.9' } });
  });

  it('sends what a handler notifies before its answer', async () => {
    const c = connection({
      'exec.unsubscribe': (_p, ctx) => {
        ctx.notify?.('exec.exit', {
          execId: 'e',
          subscription: 's',
          result: { exitCode: 0, stdout: '', stderr: '', durationMs: 1, timedOut: false, truncated: false, ok: true },
        });
        return null;
      },
    });
    c.peer.write(request(1, 'exec.unsubscribe', { execId: 'e' }));
    expect(await c.next()).toMatchObject({ method: 'exec.exit', params: { execId: 'e' } });
    expect(await c.next()).toEqual({ jsonrpc: '2.0', id: 1, result: null });
  });

  it.each([
    [
      'a bad param, named',
      request(2, 'exec.info', { execId: 5 }),
      { id: 2, error: { code: -32602, data: { type: 'InvalidParams', field: 'execId' } } },
    ],
    [
      'an unknown method',
      request(3, 'exec.explode'),
      { id: 3, error: { code: -32601, data: { type: 'MethodNotFound', method: 'exec.explode' } } },
    ],
    ['text that is not JSON', '{"jsonrpc"', { id: null, error: { code: -32700, data: { type: 'ParseError' } } }],
    [
      'a batch over the limit',
      `[${[1, 2, 3, 4].map((i) => request(i, 'daemon.version')).join(',')}]`,
      { id: null, error: { code: -32600, data: { type: 'InvalidRequest' } } },
    ],
  ])('answers %s with a typed error', async (_what, message, expected) => {
    const c = connection({
      'daemon.version': () => ({ version: '1' }),
      'exec.info': () => {
        throw new Error('not reached');
      },
    });
    c.peer.write(message);
    expect(await c.next()).toMatchObject(expected);
  });

  it("passes a handler's typed error through, and turns anything else into InternalError", async () => {
    const c = connection({
      'exec.info': () => {
        throw invalidParams('execId', 'is odd');
      },
      'exec.peek': () => {
        throw new TypeError('boom');
      },
    });
    c.peer.write(request(1, 'exec.info', { execId: 'e' }));
    expect(await c.next()).toMatchObject({
      id: 1,
      error: { code: -32602, data: { type: 'InvalidParams', field: 'execId', detail: 'is odd' } },
    });
    c.peer.write(request(2, 'exec.peek', { execId: 'e' }));
    expect(await c.next()).toMatchObject({ id: 2, error: { code: -32603, data: { type: 'InternalError', detail: 'boom' } } });
  });

  it('answers a batch in one message and stays silent for notifications', async () => {
    const c = connection({ 'daemon.version': () => ({ version: '1' }) });
    c.peer.write(`[${request(1, 'daemon.version')},{"jsonrpc":"2.0","method":"daemon.version","params":{}}]`);
    expect(await c.next()).toEqual([{ jsonrpc: '2.0', id: 1, result: { version: '1' } }]);
    c.peer.write('{"jsonrpc":"2.0","method":"daemon.version","params":{}}');
    c.peer.write(request(2, 'daemon.version'));
    expect(await c.next()).toMatchObject({ id: 2 });
  });

  it('refuses every request of a message with its own id when told to', async () => {
    const router = new RpcRouter({} as Handlers, LIMITS, log);
    const ctx = {
      connectionId: 'c',
      transport: 'unix',
      peer: { token: undefined, client: 'test' },
      log,
      signal: new AbortController().signal,
      notify: undefined,
    } as const;
    const out = JSON.parse(
      (await router.receive(`[${request(4, 'daemon.version')},${request(5, 'daemon.version')}]`, ctx, 'too busy'))!,
    ) as unknown;
    expect(out).toMatchObject([{ id: 4, error: { data: { type: 'InvalidRequest', detail: 'too busy' } } }, { id: 5 }]);
  });
});
