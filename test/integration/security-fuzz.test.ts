// 10,000 malformed, truncated, oversized, deeply nested, wrongly typed and hostile messages on each
// transport (HTTP POST on the Unix socket, WebSocket on TCP): every reply is a JSON-RPC error with
// data.type, a frame that cannot be read closes the WebSocket with a code and a reason, nothing is
// run, and afterwards the daemon answers, its RSS is near where it started and its log has no stack.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { METHODS } from '../../packages/protocol/src/index.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { postRpc } from '../helpers/rpc.js';

const MAX_MESSAGE = 64 * 1024;
const COUNT = 10_000;
let d: TestDaemon;

beforeAll(async () => {
  const config = join(process.env.TMPDIR ?? '/tmp', `pd-fuzz-${process.pid}.yaml`);
  writeFileSync(config, `limits:\n  maxMessageBytes: ${MAX_MESSAGE}\n`);
  // Level error: every malformed message logs a warning; what must not appear is an error or a stack.
  d = await startDaemon({ tcp: true, args: ['--config', config, '--log-level', 'error'] });
});

afterAll(async () => {
  await d?.stop();
});

/** mulberry32: the same messages on every run, so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHOD_NAMES = Object.keys(METHODS);
const WRONG_VALUES = [
  'null',
  'true',
  '1e400',
  '-0',
  '"x"',
  '[]',
  '[[[[1]]]]',
  '{}',
  '{"__proto__":{"polluted":1}}',
  '"\\u0000"',
  '9007199254740993',
  '-1',
];

/** One hostile message of a kind chosen by `rnd` (text; the caller sends it as it is). */
function message(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const id = pick(['1', '"a"', 'null', 'true', '{}', '[1]', '1.5', '1e400', '"' + 'i'.repeat(200) + '"']);
  const method = pick([...METHOD_NAMES, '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'x'.repeat(300)]);
  const wrong = () => pick(WRONG_VALUES);
  // Every member that names a real method gets params no method takes (a member of no schema at
  // least): nothing may run, so no reply may carry a result.
  const request = () =>
    `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${pick(['null', '[]', '1', '"p"', `{"container":${wrong()},"command":${wrong()},"execId":${wrong()},"name":${wrong()},"image":${wrong()},"__fuzz":${wrong()}}`])}}`;
  switch (Math.floor(rnd() * 10)) {
    case 0:
      return request().slice(0, Math.floor(rnd() * 60));
    case 1:
      return '['.repeat(65 + Math.floor(rnd() * 5000));
    case 2:
      return `{"jsonrpc":"2.0","id":1,"method":"daemon.version","params":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}`;
    case 3:
      return pick([
        'null',
        '1',
        '"str"',
        '[]',
        'true',
        '{}',
        '""',
        '{"jsonrpc":"1.0","id":1,"method":"daemon.version"}',
        '{"id":1}',
        '{"jsonrpc":"2.0","id":1}',
      ]);
    case 4:
      return `[${Array.from({ length: 1 + Math.floor(rnd() * 5) }, request).join(',')}]`;
    case 5:
      return `[${Array.from({ length: 101 }, () => '1').join(',')}]`;
    case 6:
      return `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}},"__proto__":{"isAdmin":true}}`;
    case 7:
      return String.fromCharCode(...Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => 32 + Math.floor(rnd() * 95)));
    default:
      return request();
  }
}

type Reply = { jsonrpc?: string; id?: unknown; result?: unknown; error?: { code?: unknown; data?: { type?: unknown } } };

/** Every reply must be a JSON-RPC error response carrying its type (nothing ran). Answers how many. */
function checkReply(text: string, sent: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`reply is not JSON: ${text.slice(0, 200)} (to ${sent.slice(0, 200)})`);
  }
  const replies = (Array.isArray(parsed) ? parsed : [parsed]) as Reply[];
  for (const r of replies) {
    expect(r.jsonrpc, sent.slice(0, 200)).toBe('2.0');
    expect(r.result, sent.slice(0, 200)).toBeUndefined();
    expect(typeof r.error?.code, sent.slice(0, 200)).toBe('number');
    expect(typeof r.error?.data?.type, sent.slice(0, 200)).toBe('string');
  }
  return replies.length;
}

describe('protocol fuzz', { timeout: 300_000 }, () => {
  it(`answers ${COUNT} hostile HTTP requests on the Unix socket with typed errors, and stays up`, async () => {
    const rnd = prng(13);
    const rssBefore = d.rssKiB();
    let errors = 0,
      empty = 0,
      cutOff = 0;
    // Every 500th is too large for the daemon's limit, and every 500th another is not UTF-8.
    const bodies = Array.from({ length: COUNT }, (_, i) =>
      i % 500 === 0 ? 'x'.repeat(MAX_MESSAGE + 1) : i % 500 === 250 ? Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0xc3, 0x28]) : message(rnd),
    );
    // Eight callers at once.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let body = bodies.pop(); body !== undefined; body = bodies.pop()) {
          const reply = await postRpc({ socketPath: d.socketPath }, body).catch((err: NodeJS.ErrnoException) => {
            // The daemon refuses a body over its limit and closes without taking the rest: the client's
            // write can meet that close before it reads the refusal.
            if (body.length > MAX_MESSAGE && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) return undefined;
            throw err;
          });
          if (!reply) {
            cutOff++;
            continue;
          }
          const { status, json } = reply;
          const sent = body.toString().slice(0, 200);
          expect([200, 204, 400, 413], sent).toContain(status);
          if (json === undefined) empty++;
          else errors += checkReply(JSON.stringify(json), sent);
        }
      }),
    );
    const rssAfter = d.rssKiB();
    console.log(
      `HTTP fuzz: ${COUNT} messages, ${errors} error replies, ${empty} without reply (notifications), ${cutOff} over the limit cut off; daemon RSS ${Math.round(rssBefore / 1024)} MiB before, ${Math.round(rssAfter / 1024)} MiB after`,
    );
    expect(errors + empty + cutOff).toBeGreaterThanOrEqual(COUNT);
    expect(rssAfter - rssBefore).toBeLessThan(64 * 1024);
  });

  it(`answers ${COUNT} hostile WebSocket frames over TCP, closing unreadable ones with a code and reason, and stays up`, async () => {
    const rnd = prng(31);
    const rssBefore = d.rssKiB();
    const url = `ws://127.0.0.1:${d.port!}/rpc?token=${d.token}`;
    const open = async () => {
      const ws = new WebSocket(url);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return ws;
    };
    /** Sends `frame` on a fresh connection and answers how the daemon closed it. */
    const closedBy = async (frame: Buffer | string, binary: boolean) => {
      const ws = await open();
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      ws.send(frame, { binary });
      return closed;
    };
    let ws = await open();
    let errors = 0,
      closes = 0;
    const sentinel = (n: number) => `{"jsonrpc":"2.0","id":"sentinel-${n}","method":"daemon.version"}`;
    for (let i = 0, round = 0; i < COUNT; round++) {
      if (round % 10 === 0) {
        expect(await closedBy(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false)).toEqual({ code: 1007, reason: 'a text frame must be UTF-8' });
        expect((await closedBy('x'.repeat(MAX_MESSAGE + 1), false)).code).toBe(1009);
        closes += 2;
        i += 2;
      }
      // A round of 50 frames, then a sentinel: every reply before it must be valid.
      const batch = Array.from({ length: Math.min(50, COUNT - i) }, () => message(rnd));
      i += batch.length;
      const replies: string[] = [];
      const done = new Promise<void>((resolve) => {
        ws.on('message', function onMessage(data: Buffer) {
          const text = data.toString();
          if (text.includes(`"sentinel-${i}"`)) {
            ws.off('message', onMessage);
            resolve();
            return;
          }
          replies.push(text);
        });
      });
      for (const m of batch) ws.send(m);
      ws.send(sentinel(i));
      await done;
      for (const r of replies) errors += checkReply(r, batch.join('\n'));
      if (ws.readyState !== WebSocket.OPEN) ws = await open();
    }
    ws.close();
    const rssAfter = d.rssKiB();
    console.log(
      `WebSocket fuzz: ${COUNT} frames (${closes} closed their connection), ${errors} error replies; daemon RSS ${Math.round(rssBefore / 1024)} MiB before, ${Math.round(rssAfter / 1024)} MiB after`,
    );
    expect(errors).toBeGreaterThan(COUNT * 0.8);
    expect(rssAfter - rssBefore).toBeLessThan(64 * 1024);
  });

  it('still answers afterwards, and logged no error and no stack', async () => {
    const pd = await d.client();
    expect(await pd.getVersion()).toMatch(/^\d/);
    await pd.close();
    expect(d.log()).not.toMatch(/"stack"|"level":(50|60)/);
  });
});
