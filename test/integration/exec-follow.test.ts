// Following an exec without owning it: a follower that leaves only unsubscribes, several followers
// on one connection each get every byte once, an abandoned blocking run stops its command, and a
// Process's buffer figures are asked of the daemon, never stale.
import { describe, expect, it } from 'vitest';
import { type ExecChunk, type ExecStream } from '../../client/src/index.js';
import { twin, useSandbox } from '../helpers/daemon.js';

const suite = useSandbox();

const processes = async () => (await suite.c.run('ps -eo args')).stdout;
/** Prints `before`, waits until `file` exists, prints `after`. */
const gated = (file: string, before: string, after: string) => `echo ${before}; while [ ! -e ${file} ]; do sleep 0.02; done; echo ${after}`;

/** Reads `s` until its stdout so far includes `text`; returns what it read. */
async function readUntil(it: AsyncIterator<ExecChunk>, text: string): Promise<string> {
  let seen = '';
  while (!seen.includes(text)) {
    const next = await it.next();
    if (next.done) throw new Error(`stream ended before "${text}"; got ${JSON.stringify(seen)}`);
    seen += next.value.data;
  }
  return seen;
}

async function drain(s: ExecStream): Promise<string> {
  let out = '';
  for await (const ch of s) out += ch.data;
  return out;
}

describe('Process.stream() follows without owning', () => {
  it('breaking out of the loop unsubscribes; the process keeps running until kill()', async () => {
    const p = await suite.c.run(gated('/tmp/go-break', 'ready', 'done'), { detach: true });
    for await (const ch of p.stream()) if (ch.data.includes('ready')) break;
    expect(await p.isRunning()).toBe(true);
    // Still followable after the first follower left, by the same connection.
    const again = p.stream();
    await suite.c.run('touch /tmp/go-break');
    expect(await drain(again)).toBe('ready\ndone\n');
    expect((await p.wait()).exitCode).toBe(0);
  });

  it('aborting its signal ends the iteration with the reason and leaves the process running', async () => {
    const p = await suite.c.run('echo ready; sleep 984', { detach: true });
    const ac = new AbortController();
    await expect(
      (async () => {
        for await (const ch of p.stream({ signal: ac.signal })) if (ch.data.includes('ready')) ac.abort(new Error('enough'));
      })(),
    ).rejects.toThrow('enough');
    expect(await p.isRunning()).toBe(true);
    expect(await processes()).toContain('sleep 984');
    await p.kill(9);
    expect((await p.wait()).exitCode).toBe(137);
  });
});

describe('an abandoned run stops its command', () => {
  it('a blocking run whose signal aborts rejects with the reason, and the command is gone', async () => {
    const ac = new AbortController();
    const run = suite.c.run('sleep 983', { signal: ac.signal, timeout: 60 });
    await expect.poll(processes).toContain('sleep 983');
    ac.abort(new Error('caller left'));
    await expect(run).rejects.toThrow('caller left');
    await expect.poll(processes).not.toContain('sleep 983');
  });

  it('a blocking run with a signal still answers its ExecResult', async () => {
    const r = await suite.c.run('echo out; echo err >&2; exit 3', { signal: new AbortController().signal });
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 3, ok: false });
  });
});

describe('several subscribers of one exec on one connection', () => {
  it('callbacks and two streams each get every byte once; one leaving does not end the others', async () => {
    // Its own Container object, so that its callbacks follow only the process started here.
    const own = twin(suite.c, suite.pd.transport);
    let called = '';
    own.onStdout((_c, data) => {
      called += data;
    });
    const p = await own.run(gated('/tmp/go-many', 'one', 'two'), { detach: true });
    const first = p.stream();
    const second = p.stream({ from: { stdout: 0 } })[Symbol.asyncIterator]();
    expect(await readUntil(second, 'one\n')).toBe('one\n');
    for await (const ch of first) if (ch.data.includes('one')) break; // leaves; `second` stays
    await suite.c.run('touch /tmp/go-many');
    let rest = '';
    for (let next = await second.next(); !next.done; next = await second.next()) rest += next.value.data;
    expect(rest).toBe('two\n');
    await p.wait();
    await expect.poll(() => called).toBe('one\ntwo\n');
  });

  it("Session.onOutput and a stream of the session from its first byte do not see each other's repeats", async () => {
    const s = await suite.c.session();
    try {
      let seen = '';
      await s.onOutput((data) => {
        seen += data;
      });
      await s.send('echo first');
      await expect.poll(() => seen).toBe('first\n');
      const follow = suite.pd
        .attachProcess(s.id)
        .stream({ from: { stdout: 0 } })
        [Symbol.asyncIterator]();
      expect(await readUntil(follow, 'first\n')).toMatch(/first\n$/); // the daemon sent "first" again
      await s.send('echo second');
      expect(await readUntil(follow, 'second\n')).toBe('second\n');
      await expect.poll(() => seen).toBe('first\nsecond\n');
      await follow.return?.();
    } finally {
      await s.close();
    }
  });

  it('a Terminal and a stream of it on the same connection each see the output once', async () => {
    const t = await suite.c.openTerminal({ command: 'cat', rows: 10, cols: 40 });
    let screen = '';
    t.onData((data) => {
      screen += data;
    });
    const follow = suite.pd
      .attachProcess(t.id)
      .stream({ from: { stdout: 0 } })
      [Symbol.asyncIterator]();
    await t.write('abc\r');
    await readUntil(follow, 'abc\r\nabc\r\n');
    await follow.return?.();
    await t.write('xyz\r');
    await t.close();
    expect(screen).toBe('abc\r\nabc\r\nxyz\r\nxyz\r\n');
  });
});

describe('Process buffer figures', () => {
  it('are asked of the daemon when read, on any proxy of the process', async () => {
    const p = await suite.c.run('head -c 5000 /dev/zero; echo -n END', { detach: true });
    await p.wait();
    const other = suite.pd.attachProcess(p.id);
    expect(await other.bufferSize).toBe(5003);
    expect(await other.bufferOverflow).toBe(false);
    await other.read();
    expect(await p.bufferSize).toBe(0);
  });
});
