// exec.output on the wire: plain JSON-RPC text for a client that did not opt in (a browser, another
// language), binary frames (header + raw UTF-8 bytes) for one that offered BINARY_SUBPROTOCOL.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BINARY_SUBPROTOCOL, decodeFrame } from '@pocketdock/protocol';
import { useSandbox } from '../helpers/daemon.js';

const suite = useSandbox();

// About 1.3 MB of multi-byte text on stdout (several notifications, pieces cut between characters
// only if the daemon gets it wrong) and a line on stderr.
const LINE = 'héllo wörld ✓ 😀\n';
const REPEAT = 60_000;
const COMMAND = `python3 -c "import sys; sys.stdout.write('${LINE.replace('\n', '\\\\n')}' * ${REPEAT}); sys.stderr.write('bye\\\\n')"`;

interface Output {
  stream: 'stdout' | 'stderr';
  offset: number;
  next: number;
  data?: string;
  lost?: number;
}
interface Received {
  protocol: string;
  kinds: Set<'text' | 'binary'>;
  outputs: Output[];
  text: Record<Output['stream'], string>;
}

/**
 * Starts COMMAND on a raw WebSocket and gathers its exec.output notifications until exec.exit:
 * subscribed from the start, or `late`, after the command has exited (its output cut from the buffer).
 */
async function runRaw(protocols: string[], late = false): Promise<Received> {
  const ws = new WebSocket(`ws+unix://${suite.d.socketPath}:/rpc`, protocols, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const got: Received = { protocol: ws.protocol, kinds: new Set(), outputs: [], text: { stdout: '', stderr: '' } };
  const exited = new Promise<void>((resolve) => {
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const frame = isBinary ? decodeFrame(raw) : undefined;
      const msg = JSON.parse(frame ? frame.header : raw.toString('utf8')) as { method?: string; params: Output };
      if (msg.method === 'exec.exit') resolve();
      if (msg.method !== 'exec.output') return;
      got.kinds.add(isBinary ? 'binary' : 'text');
      got.outputs.push(msg.params);
      if (frame) {
        expect(msg.params.data).toBeUndefined();
        expect(frame.payload.length).toBe(msg.params.next - msg.params.offset);
      }
      got.text[msg.params.stream] += frame ? Buffer.from(frame.payload).toString('utf8') : (msg.params.data ?? '');
    });
  });
  const call = (id: number, method: string, params: object) => ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  if (late) {
    const proc = await suite.c.run(COMMAND, { detach: true, bufferSize: 4 * 1024 * 1024 });
    await proc.wait();
    call(1, 'exec.subscribe', { execId: proc.id });
  } else {
    call(1, 'exec.start', { container: suite.c.containerId, command: COMMAND, subscribe: true, lossless: true });
  }
  await exited;
  ws.close();
  return got;
}

describe('exec.output framing', () => {
  it('is plain JSON-RPC text, data a string, for a client that did not opt in', async () => {
    const got = await runRaw([]);
    expect(got.protocol).toBe('');
    expect(got.kinds).toEqual(new Set(['text']));
    expect(got.outputs.filter((o) => o.stream === 'stdout').length).toBeGreaterThan(1);
    expect(got.outputs.every((o) => typeof o.data === 'string' && Buffer.byteLength(o.data) === o.next - o.offset)).toBe(true);
    expect(got.text).toEqual({ stdout: LINE.repeat(REPEAT), stderr: 'bye\n' });
  });

  it('is whole characters in each notification for a subscriber that comes after the exit', async () => {
    const got = await runRaw([], true);
    expect(got.outputs.filter((o) => o.stream === 'stdout').length).toBeGreaterThan(1);
    expect(got.outputs.every((o) => typeof o.data === 'string' && Buffer.byteLength(o.data) === o.next - o.offset)).toBe(true);
    expect(got.text).toEqual({ stdout: LINE.repeat(REPEAT), stderr: 'bye\n' });
  });

  it('is binary frames, the same bytes raw, for a client that offered the subprotocol', async () => {
    const got = await runRaw([BINARY_SUBPROTOCOL]);
    expect(got.protocol).toBe(BINARY_SUBPROTOCOL);
    expect(got.kinds).toEqual(new Set(['binary']));
    expect(got.text).toEqual({ stdout: LINE.repeat(REPEAT), stderr: 'bye\n' });
  });

  it('carries every byte of a 15 MB numbered output in order while frames are in flight', async () => {
    const n = 2_000_000;
    const chunks: string[] = [];
    for await (const ch of suite.c.run(`seq 1 ${n}`, { stream: true, maxOutput: 32 * 1024 * 1024 })) chunks.push(ch.data);
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.join('')).toBe(`${Array.from({ length: n }, (_, i) => i + 1).join('\n')}\n`);
  });

  it('reaches Transport listeners as the same notification: data a string', async () => {
    const seen: unknown[] = [];
    const off = suite.pd.transport.on('exec.output', (p) => seen.push(p.data));
    let text = '';
    for await (const ch of suite.c.run(`printf '${LINE.replace('\n', '\\n')}'`, { stream: true })) text += ch.data;
    off();
    expect(text).toBe(LINE);
    expect(seen).toEqual([LINE]);
  });
});
