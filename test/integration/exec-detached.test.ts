// Detached processes: buffered while nobody watches, attached by id from another OS process,
// followed by long-poll, overflow accounting, a 1 GB flood, slow subscribers, and callbacks.
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { ProcessLost } from '../../client/src/index.js';
import { useSandbox } from '../helpers/daemon.js';
import { postRpc } from '../helpers/rpc.js';

const suite = useSandbox();

const MiB = 1024 * 1024;
const FIXTURE = new URL('./fixtures/attach-process.ts', import.meta.url).pathname;

function runChild(args: string[]): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(
            out
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as Record<string, unknown>),
          )
        : reject(new Error(`attach child exited ${code}: ${out}`)),
    );
  });
}

describe('run({ detach: true })', () => {
  it('keeps running and buffering with nobody attached; a second OS process attaches by id, follows, kills and waits', async () => {
    const p = await suite.c.run(
      'echo first; while [ ! -e /tmp/go-attach ]; do sleep 0.02; done; i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.05; done',
      { detach: true },
    );
    expect(await p.isRunning()).toBe(true);
    await expect.poll(async () => (await p.peek()).stdout).toBe('first\n');
    const child = runChild([suite.d.socketPath, p.id]);
    await expect.poll(async () => (await p.info()).offsets.stdout > 0).toBe(true);
    await suite.c.run('touch /tmp/go-attach');
    const lines = await child;
    expect(lines[0]).toMatchObject({ running: true });
    expect(String(lines[0]!.buffered)).toMatch(/^first\n/);
    const chunks = lines
      .filter((l) => 'chunk' in l)
      .map((l) => String(l.chunk))
      .join('');
    expect(chunks).toMatch(/^first\ntick1\n/);
    expect(lines.at(-1)).toMatchObject({ result: { exitCode: 137, ok: false, timedOut: false } });
    expect(await p.isRunning()).toBe(false);
    expect((await p.wait()).exitCode).toBe(137);
    expect((await suite.c.run('ps -eo args')).stdout).not.toContain('tick');
  });

  it('reports overflow, keeps the newest bufferSize bytes; read() consumes, peek() does not', async () => {
    const p = await suite.c.run("head -c 3000000 /dev/zero | tr '\\0' o; echo -n END", { detach: true });
    await p.wait();
    const info = await p.info();
    expect(info).toMatchObject({
      bufferOverflow: true,
      bufferSize: MiB,
      offsets: { stdout: 3_000_003 },
      dropped: { stdout: 3_000_003 - MiB },
    });
    const peeked = await p.peek();
    expect(peeked.stdout.length).toBe(MiB);
    expect(peeked.stdout.endsWith('oEND')).toBe(true);
    expect([await p.bufferSize, await p.bufferOverflow]).toEqual([MiB, true]);
    expect((await p.read()).stdout).toBe(peeked.stdout);
    expect([await p.bufferSize, (await p.peek()).stdout]).toEqual([0, '']);
  });

  it('floods 1 GB with nobody attached: daemon memory stays flat, overflow is flagged', async () => {
    const before = suite.d.rssKiB();
    const p = await suite.c.run('yes | head -c 1000000000', { detach: true });
    let peak = before;
    while (await p.isRunning()) peak = Math.max(peak, suite.d.rssKiB());
    const info = await p.info();
    console.log(
      JSON.stringify({
        test: 'detached 1 GB flood',
        daemonRssKiBBefore: before,
        daemonRssKiBPeak: peak,
        daemonRssKiBAfter: suite.d.rssKiB(),
      }),
    );
    expect(info).toMatchObject({ bufferOverflow: true, offsets: { stdout: 1_000_000_000 }, bufferSize: MiB, exitCode: 0 });
    expect(peak - before).toBeLessThan(64 * 1024);
  });

  it('lets a plain HTTP client follow by long-poll with offsets, resuming where it left off', async () => {
    const p = await suite.c.run('for i in $(seq 1 30); do echo n$i; echo e$i >&2; sleep 0.01; done', { detach: true });
    const offsets = { stdout: 0, stderr: 0 };
    const text = { stdout: '', stderr: '' };
    for (let done = false; !done;) {
      const { json } = await postRpc(
        { socketPath: suite.d.socketPath },
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'exec.poll', params: { execId: p.id, offsets, waitMs: 2000, maxBytes: 50 } }),
      );
      const r = (
        json as {
          result: {
            stdout: { next: number; data: string; lost: number };
            stderr: { next: number; data: string; lost: number };
            result: unknown;
          };
        }
      ).result;
      for (const s of ['stdout', 'stderr'] as const) {
        expect(r[s].lost).toBe(0);
        text[s] += r[s].data;
        offsets[s] = r[s].next;
      }
      done = r.result !== null && r.stdout.data === '' && r.stderr.data === '';
    }
    const seq = (p: string) => Array.from({ length: 30 }, (_, i) => `${p}${i + 1}\n`).join('');
    expect(text).toEqual({ stdout: seq('n'), stderr: seq('e') });
  });

  it('lets a slow subscriber fall behind without slowing the process or growing the daemon, and reports the gap', async () => {
    const size = 40 * MiB;
    const p = await suite.c.run(`echo go; while [ ! -e /tmp/go-slow ]; do sleep 0.02; done; head -c ${size} /dev/zero | tr '\\0' s`, {
      detach: true,
    });
    const ws = new WebSocket(`ws+unix://${suite.d.socketPath}:/rpc`, { perMessageDeflate: false });
    await new Promise((r) => ws.once('open', r));
    const notes: { method: string; params: { stream?: string; offset?: number; next?: number; lost?: number; data?: string } }[] = [];
    let exited!: () => void;
    const exit = new Promise<void>((r) => {
      exited = r;
    });
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as (typeof notes)[number];
      if (m.method) notes.push(m);
      if (m.method === 'exec.exit') exited();
    });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'exec.subscribe', params: { execId: p.id } }));
    await expect.poll(() => notes.length).toBeGreaterThan(0);
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause(); // this client stops reading: the daemon's queue to it fills up
    const before = suite.d.rssKiB();
    await suite.c.run('touch /tmp/go-slow');
    const result = await p.wait({ timeout: 60 });
    const rss = suite.d.rssKiB();
    socket.resume();
    await exit;
    ws.close();
    const out = notes.filter((n) => n.method === 'exec.output' && n.params.stream === 'stdout');
    let next = 0;
    let received = 0;
    let lost = 0;
    for (const n of out) {
      expect(n.params.offset).toBe(next + (n.params.lost ?? 0));
      next = n.params.next!;
      received += n.params.data!.length;
      lost += n.params.lost ?? 0;
    }
    console.log(JSON.stringify({ test: 'slow subscriber', daemonRssKiBBefore: before, daemonRssKiBAtExit: rss, received, lost }));
    expect(result.exitCode).toBe(0);
    expect(lost).toBeGreaterThan(0);
    expect(received + lost).toBe(size + 3);
    expect(rss - before).toBeLessThan(64 * 1024);
  });

  it('answers ProcessLost for an unknown id', async () => {
    await expect(suite.pd.attachProcess('no-such-exec').isRunning()).rejects.toBeInstanceOf(ProcessLost);
  });
});

describe('onStdout / onStderr / onExit', () => {
  it("fire for every detached process of the container, with the reference's arguments", async () => {
    const cb = await suite.pd.createNewContainer();
    try {
      const seen: string[] = [];
      const exits: number[] = [];
      let done!: () => void;
      const twoExits = new Promise<void>((r) => {
        done = r;
      });
      const early = await cb.run('echo before-callbacks; while [ ! -e /tmp/go-cb ]; do sleep 0.02; done; echo after', { detach: true });
      cb.onStdout((ct, data) => {
        expect(ct).toBe(cb);
        seen.push(`out:${data}`);
      });
      cb.onStderr((ct, data) => {
        expect(ct).toBe(cb);
        seen.push(`err:${data}`);
      });
      cb.onExit((ct, code) => {
        expect(ct).toBe(cb);
        exits.push(code);
        if (exits.length === 2) done();
      });
      await cb.run('echo o1; echo e1 >&2; exit 3', { detach: true });
      await cb.run('touch /tmp/go-cb');
      await early.wait();
      await twoExits;
      expect(exits.sort()).toEqual([0, 3]);
      expect(seen).toEqual(expect.arrayContaining(['out:o1\n', 'err:e1\n', 'out:before-callbacks\n', 'out:after\n']));
    } finally {
      await cb.shutdown({ force: true });
    }
  });
});
