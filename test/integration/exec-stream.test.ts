// Streamed runs through the daemon: chunks as they are produced, large outputs, early stops, a lost
// connection and resuming from offsets, maxOutput, lang, and idempotent exec ids.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DaemonClosedError, InvalidParams, type ExecChunk } from '../../client/src/index.js';
import type { Transport } from '../../client/src/transport.js';
import { twin, useSandbox } from '../helpers/daemon.js';

const suite = useSandbox();

const processes = async () => (await suite.c.run('ps -eo args')).stdout;
/** The same container as `c`, as seen through another connection (or under another id). */
const proxy = (transport: Transport, containerId = suite.c.containerId) => twin(suite.c, transport, containerId);
/** A command that prints `before`, waits until `file` exists, then prints `after`. */
const gated = (file: string, before: string, after: string) => `echo ${before}; while [ ! -e ${file} ]; do sleep 0.02; done; echo ${after}`;

describe('run({ stream: true })', () => {
  it('yields the first chunk while the command still runs', async () => {
    const events: string[] = [];
    const s = suite.c.run(gated('/tmp/go-1', 'a', 'b'), { stream: true, timeout: 20 });
    for await (const ch of s) {
      events.push(`${ch.stream}:${ch.data.trim()}`);
      // The command cannot print "b" before this file exists: chunk "a" came while it ran.
      if (ch.data.includes('a')) {
        await suite.c.run('touch /tmp/go-1');
        events.push('released');
      }
    }
    expect(events).toEqual(['stdout:a', 'released', 'stdout:b']);
    expect(s.result).toMatchObject({ exitCode: 0, stdout: 'a\nb\n', timedOut: false, ok: true });
  });

  it('works awaited too, and keeps stdout and stderr apart, each in order', async () => {
    const s = await suite.c.run('for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done', { stream: true });
    const got: Record<string, string> = { stdout: '', stderr: '' };
    for await (const ch of s) got[ch.stream] += ch.data;
    expect(got).toEqual({ stdout: 'out1\nout2\nout3\nout4\nout5\n', stderr: 'err1\nerr2\nerr3\nerr4\nerr5\n' });
    expect(s.result).toMatchObject({ stdout: got.stdout, stderr: got.stderr, exitCode: 0 });
  });

  it('rejects an await with the start error (unknown container)', async () => {
    await expect(proxy(suite.pd.transport, 'pd-does-not-exist').run('true', { stream: true })).rejects.toMatchObject({
      name: 'ContainerNotFound',
    });
  });

  for (const mb of [10, 100]) {
    it(`streams ${mb} MB whole and in order, the daemon holding little of it`, async () => {
      const size = mb * 1024 * 1024;
      const rssBefore = suite.d.rssKiB();
      let bytes = 0;
      let next = 0;
      let peak = rssBefore;
      let n = 0;
      const s = suite.c.run(`head -c ${size} /dev/zero | tr '\\0' x`, { stream: true, maxOutput: size, timeout: 120 });
      for await (const ch of s) {
        expect(ch.offset).toBe(next);
        expect(ch.lost).toBeUndefined();
        bytes += ch.data.length;
        next = ch.offset + ch.data.length;
        if (++n % 200 === 0) peak = Math.max(peak, suite.d.rssKiB());
      }
      expect(bytes).toBe(size);
      expect(s.result).toMatchObject({ exitCode: 0, truncated: false });
      expect(/^x+$/.test(s.result!.stdout)).toBe(true);
      console.log(JSON.stringify({ test: `stream ${mb} MB`, daemonRssKiBBefore: rssBefore, daemonRssKiBPeak: peak }));
      expect(peak - rssBefore).toBeLessThan(64 * 1024);
    });
  }

  describe('.result of a large output', () => {
    const size = 64 * 1024 * 1024;
    const ring = 1024 * 1024; // the daemon's default buffer per stream
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    /** What this process holds after a full collection: its heap and the buffers outside it. */
    const held = () => {
      // Twice: the buffers whose wrappers the first collection found dead are freed by the second.
      gc();
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    /** Streams `size` bytes (their chunks dropped at once); what the finished stream, still referenced, holds on to. */
    const stream = async (keepOutput: boolean) => {
      const before = held();
      const s = suite.c.run(`head -c ${size} /dev/zero | tr '\\0' x`, { stream: true, maxOutput: size, timeout: 120, keepOutput });
      let bytes = 0;
      for await (const ch of s) bytes += ch.data.length;
      expect(bytes).toBe(size);
      return { s, grown: held() - before };
    };

    it('keeps nothing of it in the client: stdout and stderr are what the daemon still buffers', async () => {
      const { s, grown } = await stream(false);
      expect(grown).toBeLessThan(16 * 1024 * 1024);
      expect(s.result).toMatchObject({ exitCode: 0, truncated: false, stderr: '' });
      expect(s.result!.stdout).toBe('x'.repeat(ring));
    });

    it('keeps all of it with keepOutput', async () => {
      const { s, grown } = await stream(true);
      expect(grown).toBeGreaterThan(size);
      expect(s.result!.stdout.length).toBe(size);
      expect(/^x+$/.test(s.result!.stdout)).toBe(true);
    });
  });

  it('runs a dozen streams at once on one connection, with no listener warning on either side', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const streams = Array.from({ length: 12 }, (_, i) => suite.c.run(`echo ${i}`, { stream: true }));
      const texts = await Promise.all(
        streams.map(async (s) => {
          let text = '';
          for await (const ch of s) text += ch.data;
          return text;
        }),
      );
      expect(texts).toEqual(Array.from({ length: 12 }, (_, i) => `${i}\n`));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(suite.d.log()).not.toContain('MaxListenersExceededWarning');
  });

  it('stops the command in the container when the loop breaks early', async () => {
    const s = suite.c.run('echo ready; sleep 987', { stream: true });
    for await (const ch of s) if (ch.data.includes('ready')) break;
    expect(await processes()).not.toContain('sleep 987');
  });

  it('stops the command and ends with the abort reason when the signal aborts', async () => {
    const ac = new AbortController();
    const s = suite.c.run('echo ready; sleep 986', { stream: true, signal: ac.signal });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const ch of s) {
          seen.push(ch.data);
          ac.abort(new Error('enough'));
        }
      })(),
    ).rejects.toThrow('enough');
    expect(seen).toEqual(['ready\n']);
    await expect.poll(processes).not.toContain('sleep 986');
  });

  it('ends with DaemonClosedError when the connection drops, and resumes from its offsets elsewhere', async () => {
    const lost = await suite.d.client();
    const lines = Array.from({ length: 200 }, (_, i) => `line${i}`);
    const stream = proxy(lost.transport).run(
      `echo first; while [ ! -e /tmp/go-resume ]; do sleep 0.02; done; for l in ${lines.join(' ')}; do echo $l; done; echo err >&2`,
      { stream: true, timeout: 30 },
    );
    const got: ExecChunk[] = [];
    await expect(
      (async () => {
        for await (const ch of stream) {
          got.push(ch);
          await lost.close();
        }
      })(),
    ).rejects.toBeInstanceOf(DaemonClosedError);
    await suite.c.run('touch /tmp/go-resume'); // output made while nobody is connected is buffered

    const resumed = suite.pd.attachProcess(stream.execId).stream({ from: stream.offsets, lossless: true });
    let rest = '';
    for await (const ch of resumed) {
      expect(ch.lost).toBeUndefined();
      if (ch.stream === 'stdout') rest += ch.data;
    }
    expect(got.map((ch) => ch.data).join('') + rest).toBe(['first', ...lines].map((l) => `${l}\n`).join(''));
    expect(resumed.result).toMatchObject({ exitCode: 0, stderr: 'err\n' });
  });
});

describe('limits, langs and ids', () => {
  const cmd = "head -c 5000 /dev/zero | tr '\\0' y; head -c 7000 /dev/zero | tr '\\0' z >&2";

  it('cuts each stream at exactly maxOutput bytes, blocking, streamed and detached alike', async () => {
    const blocking = await suite.c.run(cmd, { maxOutput: 4096 });
    const s = suite.c.run(cmd, { stream: true, maxOutput: 4096 });
    const streamed = { stdout: 0, stderr: 0 };
    for await (const ch of s) streamed[ch.stream] += ch.data.length;
    const detached = await (await suite.c.run(cmd, { detach: true, maxOutput: 4096 })).wait();
    for (const r of [blocking, s.result!, detached]) {
      expect([r.stdout.length, r.stderr.length, r.truncated]).toEqual([4096, 4096, true]);
    }
    expect(streamed).toEqual({ stdout: 4096, stderr: 4096 });
    expect((await suite.c.run(cmd, { maxOutput: 5000 })).truncated).toBe(true); // stderr still over
    expect((await suite.c.run(cmd, { maxOutput: 7000 })).truncated).toBe(false);
  });

  it('runs python, sh and bash, and names lang and image when the interpreter is missing', async () => {
    expect((await suite.c.run('print(6*7)', { lang: 'python' })).stdout).toBe('42\n');
    expect((await suite.c.run('echo $((6*7))', { lang: 'sh' })).stdout).toBe('42\n');
    expect((await suite.c.run('echo ${BASH_VERSION%%.*}', { lang: 'bash' })).stdout).toMatch(/^\d+\n$/);
    const err = await suite.c.run('1', { lang: 'node' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParams);
    expect(err).toMatchObject({ field: 'lang' });
    expect((err as Error).message).toMatch(/node.*pocketdock\/minimal-python/);
  });

  it('never runs a command twice for one exec id', async () => {
    const once = 'echo x >> /tmp/idem; sleep 0.5; wc -l < /tmp/idem';
    const [a, b] = await Promise.all([suite.c.run(once, { execId: 'idem-run' }), suite.c.run(once, { execId: 'idem-run' })]);
    const again = await suite.c.run(once, { execId: 'idem-run' });
    expect([a.stdout, b.stdout, again.stdout]).toEqual(['1\n', '1\n', '1\n']);
    const p1 = await suite.c.run('echo y >> /tmp/idem2', { detach: true, execId: 'idem-proc' });
    const p2 = await suite.c.run('echo y >> /tmp/idem2', { detach: true, execId: 'idem-proc' });
    expect(p2.id).toBe(p1.id);
    await p1.wait();
    expect((await suite.c.run('wc -l < /tmp/idem2')).stdout).toBe('1\n');
  });
});
