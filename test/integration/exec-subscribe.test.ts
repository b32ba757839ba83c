// Several subscribers to one exec on one connection, as the protocol speaks it (a raw WebSocket):
// each has its own cursor and lossless flag, and every notification names the subscription it is for.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS } from '../../packages/protocol/src/index.js';
import { useSandbox } from '../helpers/daemon.js';

interface Note {
  method: string;
  params: { execId: string; subscription: string; data?: string; result?: { exitCode: number } };
}
interface Answer {
  id: number;
  result?: Record<string, unknown>;
  error?: { code: number; data: { type: string } };
}

const suite = useSandbox();
let ws: WebSocket;
const notes: Note[] = [];
const answers = new Map<number, (a: Answer) => void>();
let nextId = 1;

function call(method: string, params: Record<string, unknown>): Promise<Answer> {
  const id = nextId++;
  ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  return new Promise((resolve) => answers.set(id, resolve));
}

/** What one subscription received: its output in order, and its exit code once it got exec.exit. */
function received(execId: string, subscription: string): { output: string; exitCode: number | undefined } {
  const mine = notes.filter((n) => n.params.execId === execId && n.params.subscription === subscription);
  return {
    output: mine.map((n) => n.params.data ?? '').join(''),
    exitCode: mine.find((n) => n.method === 'exec.exit')?.params.result?.exitCode,
  };
}

beforeAll(async () => {
  ws = new WebSocket(`ws+unix://${suite.d.socketPath}:/rpc`, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  ws.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as Note & Answer;
    if (m.method) notes.push(m);
    else answers.get(m.id)?.(m);
  });
});

afterAll(async () => {
  ws?.close();
});

/** A process that prints one line, then a second once /tmp/<gate> exists, then ends. */
async function gated(gate: string, subscription?: string): Promise<string> {
  const started = await call('exec.start', {
    container: suite.c.name,
    detach: true,
    subscribe: subscription !== undefined,
    ...(subscription && { subscription }),
    command: `echo one; while [ ! -e /tmp/${gate} ]; do sleep 0.02; done; echo two`,
  });
  return String(started.result!.execId);
}

describe('exec subscriptions', () => {
  it('keep a cursor each on one connection; each gets its own exec.exit', async () => {
    const execId = await gated('go-a', 'first');
    await expect.poll(() => received(execId, 'first').output).toBe('one\n');
    const second = await call('exec.subscribe', { execId, subscription: 'second', offsets: { stdout: 4 } });
    expect(second.result).toMatchObject({ subscription: 'second', running: true });
    const lossless = await call('exec.subscribe', { execId, lossless: true });
    const generated = String(lossless.result!.subscription);
    await suite.c.run('touch /tmp/go-a');
    await expect.poll(() => received(execId, 'first')).toEqual({ output: 'one\ntwo\n', exitCode: 0 });
    await expect.poll(() => received(execId, 'second')).toEqual({ output: 'two\n', exitCode: 0 });
    await expect.poll(() => received(execId, generated)).toEqual({ output: 'one\ntwo\n', exitCode: 0 });
  });

  it('unsubscribe ends one subscription and leaves the others', async () => {
    const execId = await gated('go-b', 'stays');
    await call('exec.subscribe', { execId, subscription: 'leaves' });
    await expect.poll(() => received(execId, 'leaves').output).toBe('one\n');
    expect(await call('exec.unsubscribe', { execId, subscription: 'leaves' })).toMatchObject({ result: null });
    await suite.c.run('touch /tmp/go-b');
    await expect.poll(() => received(execId, 'stays')).toEqual({ output: 'one\ntwo\n', exitCode: 0 });
    expect(received(execId, 'leaves')).toEqual({ output: 'one\n', exitCode: undefined });
  });

  it(`refuse more than ${MAX_SUBSCRIPTIONS} per connection and exec`, async () => {
    const execId = await gated('go-c');
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++)
      expect((await call('exec.subscribe', { execId, subscription: `s${i}` })).error).toBeUndefined();
    expect((await call('exec.subscribe', { execId, subscription: 'one-too-many' })).error).toMatchObject({
      data: { type: 'InvalidParams' },
    });
    await call('exec.unsubscribe', { execId });
    await suite.c.run('touch /tmp/go-c');
    expect((await call('exec.wait', { execId })).result).toMatchObject({ exitCode: 0 });
    expect(notes.filter((n) => n.params.execId === execId && n.method === 'exec.exit')).toEqual([]);
  });
});
