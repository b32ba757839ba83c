// RpcCore through an outage, with a daemon played by the test: what was in flight fails, what comes
// meanwhile waits, and a new connection hears the same hello, the watches and the re-subscriptions first.
import { describe, expect, it } from 'vitest';
import { RpcCore } from './channel.js';
import { DaemonClosedError, InvalidParams } from './errors.js';

interface Sent {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

const HELLO = { daemon: 'pocketdockd', version: '0', protocol: 1, engineSocket: '/e', pid: 1, resumed: false };
const hello = (instance: string) => ({ ...HELLO, instance, leaseGraceSeconds: 7, port: null, stateDir: '/s' });

/** A core whose every request is recorded and answered by `answer` (a microtask later, as a socket would). */
function daemon(answer: (m: Sent) => unknown = () => null) {
  const sent: Sent[] = [];
  let answering = true;
  const core = new RpcCore((text) => {
    const m = JSON.parse(text) as Sent;
    sent.push(m);
    if (answering) queueMicrotask(() => core.receive(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: answer(m) })));
  });
  return {
    core,
    sent,
    methods: () => sent.map((m) => m.method),
    silent: () => {
      answering = false;
    },
    answering: () => {
      answering = true;
    },
  };
}

describe('RpcCore through an outage', () => {
  it('fails what was in flight, holds what comes meanwhile until the hello, watches and re-subscriptions are said again', async () => {
    let instance = 'a';
    const d = daemon((m) => (m.method === 'daemon.hello' ? hello(instance) : null));
    await d.core.call('daemon.hello', { client: 'x', resumeToken: 'tok_tok_tok_tok_tok' });
    await d.core.call('container.watch', {});
    await d.core.call('container.watchStats', { container: 'gone' });
    await d.core.call('container.unwatchStats', { container: 'gone' });
    expect(d.core.leaseGraceMs).toBe(7000);
    const resumed: boolean[] = [];
    d.core.resumable(() => async ({ restarted, call }) => {
      resumed.push(restarted);
      await call('exec.subscribe', { execId: 'e', subscription: 's1' });
    });

    d.silent();
    const inFlight = d.core.call('container.run', { container: 'c', command: 'true' });
    d.core.interrupted('cut');
    await expect(inFlight).rejects.toBeInstanceOf(DaemonClosedError);
    const meanwhile = d.core.call('daemon.version', {});
    await Promise.resolve();
    expect(d.methods().at(-1)).toBe('container.run'); // nothing new went out while down

    d.answering();
    instance = 'b';
    expect(await d.core.resume()).toEqual({ restarted: true });
    await meanwhile;
    expect(d.methods().slice(5)).toEqual(['daemon.hello', 'container.watch', 'exec.subscribe', 'daemon.version']);
    expect(d.sent[5]!.params).toEqual({ client: 'x', resumeToken: 'tok_tok_tok_tok_tok' });
    expect(resumed).toEqual([true]);
  });

  it('keeps the outage when the new connection drops during the resume, and tries the same again', async () => {
    const d = daemon((m) => (m.method === 'daemon.hello' ? hello('a') : null));
    await d.core.call('daemon.hello', {});
    let runs = 0;
    d.core.resumable(() => async ({ call }) => {
      runs++;
      await call('exec.subscribe', { execId: 'e', subscription: 's1' });
    });
    d.core.interrupted('cut');
    d.silent();
    const first = d.core.resume();
    await Promise.resolve();
    d.core.interrupted('cut again');
    await expect(first).rejects.toBeInstanceOf(DaemonClosedError);
    const meanwhile = d.core.call('daemon.version', {});
    d.answering();
    expect(await d.core.resume()).toEqual({ restarted: false });
    await meanwhile;
    expect(runs).toBe(1);
    expect(d.methods()).toEqual(['daemon.hello', 'daemon.hello', 'daemon.hello', 'exec.subscribe', 'daemon.version']);
  });

  it('fails the calls waiting for a connection when the transport gives up', async () => {
    const d = daemon();
    d.core.interrupted('cut');
    const waiting = d.core.call('daemon.version', {});
    d.core.closed('gave up');
    await expect(waiting).rejects.toThrow(new DaemonClosedError('gave up'));
    expect(d.core.signal.aborted).toBe(true);
    expect(d.sent).toEqual([]);
  });
});

describe('RpcCore with params JSON cannot carry', () => {
  it('fails the call with InvalidParams, sends nothing, and the connection goes on', async () => {
    const d = daemon();
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { deep };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const env of [deep, cyclic, { n: 1n }]) {
      const call = d.core.call('container.run', { container: 'c', command: 'true', env } as never);
      await expect(call).rejects.toBeInstanceOf(InvalidParams);
      await expect(call).rejects.toMatchObject({ field: 'params' });
    }
    expect(d.sent).toEqual([]);
    await expect(d.core.call('daemon.version', {})).resolves.toBeNull();
  });
});

describe('RpcCore with a message past the daemon’s maxMessageBytes', () => {
  it('fails the call with InvalidParams, sends nothing, and the connection goes on', async () => {
    const d = daemon((m) => (m.method === 'daemon.hello' ? { ...hello('a'), maxMessageBytes: 300 } : null));
    await d.core.call('daemon.hello', { client: 'x' });
    for (const command of ['x'.repeat(300), 'é'.repeat(120)]) {
      const call = d.core.call('container.run', { container: 'c', command });
      await expect(call).rejects.toBeInstanceOf(InvalidParams);
      await expect(call).rejects.toMatchObject({ field: 'params', message: /past the 300 the daemon reads/ });
    }
    expect(d.methods()).toEqual(['daemon.hello']);
    await expect(d.core.call('container.run', { container: 'c', command: 'é'.repeat(60) })).resolves.toBeNull();
  });
});
